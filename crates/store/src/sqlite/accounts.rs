//! Reading the changes of privileged accounts from the journal (see [`crate::accounts`]).

use super::users::{PRIVILEGED_CHANGED, PRIVILEGED_CREATED};
use super::{journal, timestamp};
use crate::StoreError;
use crate::accounts::{PRIVILEGED_SHOWN, PrivilegedChange};
use relais_core::journal::Entry;
use rusqlite::Connection;

/// The creations and changes of privileged accounts journaled at or after `since_unix`, the
/// latest first, [`PRIVILEGED_SHOWN`] at most — read through the index `journal_by_kind`, so
/// the cost is the week's entries, not the whole journal.
pub(crate) fn changes_since(
    conn: &Connection,
    since_unix: i64,
) -> Result<Vec<PrivilegedChange>, StoreError> {
    let entries = journal::entries_of_kinds(conn, &KINDS, &since_text(since_unix))?;
    latest_changes(&entries)
}

/// The journal kinds of privileged accounts' creations and changes.
pub(crate) const KINDS: [&str; 2] = [PRIVILEGED_CREATED, PRIVILEGED_CHANGED];

/// `since_unix` as the journal's `at` text compares: RFC 3339 in UTC
/// (`2026-12-01T09:30:00.123Z`), whose text from the second on sorts as its instant.
pub(crate) fn since_text(since_unix: i64) -> String {
    jiff::Timestamp::from_second(since_unix)
        .unwrap_or(jiff::Timestamp::MIN)
        .strftime("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// The entries of [`KINDS`] (in seq order) read into changes, the latest first,
/// [`PRIVILEGED_SHOWN`] at most: the same for every backend.
pub(crate) fn latest_changes(entries: &[Entry]) -> Result<Vec<PrivilegedChange>, StoreError> {
    entries
        .iter()
        .rev()
        .take(PRIVILEGED_SHOWN)
        .map(change_of)
        .collect()
}

/// One journal entry of a privileged kind, read into its fields.
fn change_of(entry: &Entry) -> Result<PrivilegedChange, StoreError> {
    let payload: serde_json::Value = serde_json::from_str(&entry.payload)
        .map_err(|e| StoreError::Corrupt(format!("journal {} : {e}", entry.seq)))?;
    let text = |key: &str| match &payload[key] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join(","),
        _ => String::new(),
    };
    let actor = match text("actor") {
        a if a.is_empty() => entry.actor.clone(),
        a => a,
    };
    Ok(PrivilegedChange {
        seq: entry.seq,
        at: timestamp(&entry.at)?,
        created: entry.kind == PRIVILEGED_CREATED,
        login: text("login"),
        roles: text("roles"),
        actor,
        change: text("change"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::SqliteStore;
    use serde_json::json;

    #[test]
    fn the_weeks_privileged_changes_latest_first() {
        let store = SqliteStore::open_in_memory().expect("store");
        let conn = &store.conn;
        journal::append(conn, "admin", "user.add", &json!({ "login": "x" })).expect("j");
        journal::append(
            conn,
            "admin",
            PRIVILEGED_CREATED,
            &json!({ "login": "paul", "roles": "ordonnateur", "actor": "admin" }),
        )
        .expect("j");
        journal::append(
            conn,
            "admin2",
            PRIVILEGED_CHANGED,
            &json!({ "login": "lea", "roles": ["liquidation", "accueil"], "actor": "admin2", "change": "enabled" }),
        )
        .expect("j");
        let now = jiff::Timestamp::now().as_second();
        let found = changes_since(conn, now - 7 * 86_400).expect("read");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].login, "lea");
        assert!(!found[0].created);
        assert_eq!(found[0].roles, "liquidation,accueil");
        assert_eq!(found[0].actor, "admin2");
        assert_eq!(found[0].change, "enabled");
        assert_eq!(found[1].login, "paul");
        assert!(found[1].created);
        // Nothing journaled since tomorrow.
        assert!(changes_since(conn, now + 86_400).expect("read").is_empty());
    }
}
