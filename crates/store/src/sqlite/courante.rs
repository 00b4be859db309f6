//! The main courante in SQLite: each entry is inserted with its journal event, whose payload
//! repeats the entry; [`verify`] checks that every entry still matches its event and that no
//! event lost its entry, so that an edit behind the triggers' back is caught.

use super::{journal, timestamp, users};
use crate::StoreError;
use crate::crisis::CrisisError;
use jiff::Timestamp;
use relais_core::crisis::{Entry, EntryContent, EntryKind, NewEntry};
use relais_core::roles::Role;
use rusqlite::{Connection, Row};
use serde_json::json;

/// The journal kind of an entry's event.
pub(crate) const EVENT: &str = "courante.add";

/// Who may write the crisis cell's records.
pub(crate) const WRITERS: &[Role] = &[Role::Crise, Role::Admin];

/// The entry as its journal event records it.
pub(crate) fn payload(e: &Entry) -> serde_json::Value {
    let c = &e.content;
    json!({
        "id": e.id,
        "at": e.at.to_string(),
        "author": e.author,
        "kind": c.kind.as_str(),
        "text": c.text,
        "corrects": c.corrects,
        "system": c.system,
        "site": c.site,
        "document": c.document,
    })
}

/// Appends `new` by `actor` inside the caller's transaction (roles already checked).
pub(crate) fn append(conn: &Connection, actor: &str, new: &NewEntry) -> Result<Entry, CrisisError> {
    if let Some(target) = new.content.corrects {
        let known: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM courante WHERE id = ?1)",
            [target],
            |r| r.get(0),
        )?;
        if !known {
            return Err(CrisisError::UnknownEntry(target));
        }
    }
    let id: i64 = conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM courante", [], |r| {
        r.get(0)
    })?;
    let mut entry = draft(id, actor, new);
    let event = journal::append(conn, actor, EVENT, &payload(&entry))?;
    entry.journal_seq = event.seq;
    entry.journal_hash = event.hash.to_hex();
    conn.execute(
        "INSERT INTO courante (id, at, author, kind, text, corrects, system_id, site_code,
                               document, journal_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        rusqlite::params![
            entry.id,
            entry.at.to_string(),
            entry.author,
            entry.content.kind.as_str(),
            entry.content.text,
            entry.content.corrects,
            entry.content.system,
            entry.content.site,
            entry.content.document,
            entry.journal_seq as i64,
        ],
    )?;
    Ok(entry)
}

/// Entry `id` of `new` by `actor`, before its journal event gives it its seq and hash.
pub(crate) fn draft(id: i64, actor: &str, new: &NewEntry) -> Entry {
    Entry {
        id,
        at: new.at.unwrap_or_else(now_to_the_second),
        author: actor.to_owned(),
        content: new.content.clone(),
        journal_seq: 0,
        journal_hash: String::new(),
    }
}

fn now_to_the_second() -> Timestamp {
    let now = Timestamp::now();
    now.round(jiff::Unit::Second).unwrap_or(now)
}

pub(crate) fn add(
    conn: &mut Connection,
    actor: &str,
    new: &NewEntry,
) -> Result<Entry, CrisisError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    users::require_any(&tx, actor, WRITERS)?;
    check_references(&tx, new)?;
    let entry = append(&tx, actor, new)?;
    tx.commit()?;
    Ok(entry)
}

/// The system and the site an agent names exist (the inventory, the directory).
fn check_references(conn: &Connection, new: &NewEntry) -> Result<(), CrisisError> {
    let exists = |sql: &str, key: &str| -> rusqlite::Result<bool> {
        conn.query_row(sql, [key], |r| r.get(0))
    };
    if let Some(id) = &new.content.system
        && !exists("SELECT EXISTS (SELECT 1 FROM systems WHERE id = ?1)", id)?
    {
        return Err(CrisisError::UnknownSystem(id.clone()));
    }
    if let Some(code) = &new.content.site
        && !exists(
            "SELECT EXISTS (SELECT 1 FROM directory WHERE site_code = ?1)",
            code,
        )?
    {
        return Err(CrisisError::UnknownSite(code.clone()));
    }
    Ok(())
}

const SELECT: &str = "SELECT c.id, c.at, c.author, c.kind, c.text, c.corrects, c.system_id,
        c.site_code, c.document, c.journal_seq, j.hash, j.kind, j.payload
    FROM courante c LEFT JOIN journal j ON j.seq = c.journal_seq ORDER BY c.id";

/// An entry and its journal event's kind and payload (`None` when the event is missing).
pub(crate) type Read = (Entry, Option<(String, String)>);

/// A row of [`SELECT`] as any backend reads it, before its values are checked.
pub(crate) struct RawEntry {
    pub id: i64,
    pub at: String,
    pub author: String,
    pub kind: String,
    pub text: String,
    pub corrects: Option<i64>,
    pub system: Option<String>,
    pub site: Option<String>,
    pub document: Option<String>,
    pub journal_seq: i64,
    pub hash: Option<String>,
    pub event_kind: Option<String>,
    pub event_payload: Option<String>,
}

impl RawEntry {
    pub(crate) fn into_read(self) -> Result<Read, StoreError> {
        let id = self.id;
        let kind = EntryKind::parse(&self.kind).ok_or_else(|| {
            StoreError::Corrupt(format!("main courante {id}: kind {:?}", self.kind))
        })?;
        let event = match (self.event_kind, self.event_payload) {
            (Some(k), Some(p)) => Some((k, p)),
            _ => None,
        };
        let entry = Entry {
            id,
            at: timestamp(&self.at)?,
            author: self.author,
            content: EntryContent {
                kind,
                text: self.text,
                corrects: self.corrects,
                system: self.system,
                site: self.site,
                document: self.document,
            },
            journal_seq: self.journal_seq as u64,
            journal_hash: self.hash.unwrap_or_default(),
        };
        Ok((entry, event))
    }
}

fn read(r: &Row<'_>) -> rusqlite::Result<Result<Read, StoreError>> {
    Ok(RawEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        author: r.get(2)?,
        kind: r.get(3)?,
        text: r.get(4)?,
        corrects: r.get(5)?,
        system: r.get(6)?,
        site: r.get(7)?,
        document: r.get(8)?,
        journal_seq: r.get(9)?,
        hash: r.get(10)?,
        event_kind: r.get(11)?,
        event_payload: r.get(12)?,
    }
    .into_read())
}

fn each(
    conn: &Connection,
    f: &mut dyn FnMut(Read) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(SELECT)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        f(read(row)??)?;
    }
    Ok(())
}

pub(crate) fn list(conn: &Connection) -> Result<Vec<Entry>, StoreError> {
    let mut out = Vec::new();
    each(conn, &mut |(e, _)| {
        out.push(e);
        Ok(())
    })?;
    Ok(out)
}

/// Every entry matches its journal event, and every entry event still has its entry.
pub(crate) fn verify(conn: &Connection) -> Result<(), StoreError> {
    each(conn, &mut check_entry)?;
    let missing: Option<i64> = conn.query_row(
        "SELECT min(j.seq) FROM journal j WHERE j.kind = ?1
         AND NOT EXISTS (SELECT 1 FROM courante c WHERE c.journal_seq = j.seq)",
        [EVENT],
        |r| r.get(0),
    )?;
    missing_entry(missing)
}

/// An entry still matches its journal event (the same check on every backend).
pub(crate) fn check_entry((e, event): Read) -> Result<(), StoreError> {
    match event {
        Some((kind, p))
            if kind == EVENT
                && serde_json::from_str::<serde_json::Value>(&p).ok() == Some(payload(&e)) =>
        {
            Ok(())
        }
        _ => Err(StoreError::Tampered(format!(
            "l'entrée n° {} de la main courante ne correspond plus à l'entrée n° {} du journal",
            e.id, e.journal_seq
        ))),
    }
}

/// The first journal event of an entry that lost its entry, if any, as an error.
pub(crate) fn missing_entry(missing: Option<i64>) -> Result<(), StoreError> {
    match missing {
        Some(seq) => Err(StoreError::Tampered(format!(
            "l'entrée n° {seq} du journal n'a plus son entrée dans la main courante (supprimée)"
        ))),
        None => Ok(()),
    }
}
