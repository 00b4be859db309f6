//! Reading the changes of privileged accounts from the journal (see [`crate::accounts`]).

use super::{SqliteStore, timestamp};
use crate::StoreError;
use crate::accounts::{PRIVILEGED_KIND_PREFIX, PRIVILEGED_SHOWN, PrivilegedChange};

/// Journal entries are read back from the latest until one this much older than asked: the
/// clock of the machine that wrote them may have been set back a little in between.
const CLOCK_SLACK_SECONDS: i64 = 24 * 3600;

impl SqliteStore {
    /// The creations and changes of privileged accounts journaled since `since_unix`, the
    /// latest first. Reads the journal backwards and stops at the first entry older than
    /// asked (with some slack), so the cost is the week's entries, not the whole journal.
    pub fn privileged_account_changes(
        &self,
        since_unix: i64,
    ) -> Result<Vec<PrivilegedChange>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, at, actor, kind, payload FROM journal ORDER BY seq DESC")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let at = timestamp(&row.get::<_, String>(1)?)?.as_second();
            if at < since_unix.saturating_sub(CLOCK_SLACK_SECONDS) {
                break;
            }
            let kind: String = row.get(3)?;
            let Some(what) = kind.strip_prefix(PRIVILEGED_KIND_PREFIX) else {
                continue;
            };
            if at < since_unix {
                continue;
            }
            let payload: serde_json::Value = serde_json::from_str(&row.get::<_, String>(4)?)
                .map_err(|e| StoreError::Corrupt(format!("journal : {e}")))?;
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
                a if a.is_empty() => row.get(2)?,
                a => a,
            };
            out.push(PrivilegedChange {
                seq: u64::try_from(row.get::<_, i64>(0)?).unwrap_or(0),
                at: timestamp(&row.get::<_, String>(1)?)?,
                created: what == "created",
                login: text("login"),
                roles: text("roles"),
                actor,
            });
            if out.len() == PRIVILEGED_SHOWN {
                break;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::journal;
    use serde_json::json;

    #[test]
    fn the_weeks_privileged_changes_latest_first() {
        let store = SqliteStore::open_in_memory().expect("store");
        let conn = &store.conn;
        journal::append(conn, "admin", "user.add", &json!({ "login": "x" })).expect("j");
        journal::append(
            conn,
            "admin",
            "privileged_account_created",
            &json!({ "login": "paul", "roles": "ordonnateur", "actor": "admin" }),
        )
        .expect("j");
        journal::append(
            conn,
            "admin2",
            "privileged_account_changed",
            &json!({ "login": "lea", "roles": ["liquidation", "accueil"], "actor": "admin2" }),
        )
        .expect("j");
        let now = jiff::Timestamp::now().as_second();
        let found = store
            .privileged_account_changes(now - 7 * 86_400)
            .expect("read");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].login, "lea");
        assert!(!found[0].created);
        assert_eq!(found[0].roles, "liquidation,accueil");
        assert_eq!(found[0].actor, "admin2");
        assert_eq!(found[1].login, "paul");
        assert!(found[1].created);
        // Nothing journaled since tomorrow.
        let later = store
            .privileged_account_changes(now + 86_400)
            .expect("read");
        assert!(later.is_empty());
    }
}
