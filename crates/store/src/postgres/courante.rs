//! The main courante on PostgreSQL, as `sqlite/courante.rs`: each entry is inserted with its
//! journal event, whose payload repeats the entry; `verify` checks that every entry still
//! matches its event, and every event still has its entry.

use super::{journal, users, write};
use crate::StoreError;
use crate::crisis::CrisisError;
use crate::sqlite::courante::{
    EVENT, RawEntry, Read, WRITERS, check_entry, draft, missing_entry, payload,
};
use postgres::{Client, GenericClient};
use relais_core::crisis::{Entry, NewEntry};

/// Appends `new` by `actor` inside the caller's writing transaction (roles already checked).
pub(crate) fn append(
    tx: &mut impl GenericClient,
    actor: &str,
    new: &NewEntry,
) -> Result<Entry, CrisisError> {
    if let Some(target) = new.content.corrects
        && !exists(
            tx,
            "SELECT EXISTS (SELECT 1 FROM courante WHERE id = $1)",
            &target,
        )?
    {
        return Err(CrisisError::UnknownEntry(target));
    }
    let id: i64 = tx
        .query_one("SELECT coalesce(max(id), 0) + 1 FROM courante", &[])?
        .try_get(0)?;
    let mut entry = draft(id, actor, new);
    let event = journal::append(tx, actor, EVENT, &payload(&entry))?;
    entry.journal_seq = event.seq;
    entry.journal_hash = event.hash.to_hex();
    let c = &entry.content;
    tx.execute(
        "INSERT INTO courante (id, at, author, kind, text, corrects, system_id, site_code,
                               document, journal_seq)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &entry.id,
            &entry.at.to_string(),
            &entry.author,
            &c.kind.as_str(),
            &c.text,
            &c.corrects,
            &c.system,
            &c.site,
            &c.document,
            &(entry.journal_seq as i64),
        ],
    )?;
    Ok(entry)
}

/// Appends `new` by `actor` in a transaction of its own, once its author's roles and the
/// system and site it names are checked.
pub(crate) fn add(client: &mut Client, actor: &str, new: &NewEntry) -> Result<Entry, CrisisError> {
    let mut tx = write(client)?;
    users::require_any(&mut tx, actor, WRITERS)?;
    if let Some(id) = &new.content.system
        && !exists(
            &mut tx,
            "SELECT EXISTS (SELECT 1 FROM systems WHERE id = $1)",
            id,
        )?
    {
        return Err(CrisisError::UnknownSystem(id.clone()));
    }
    if let Some(code) = &new.content.site
        && !exists(
            &mut tx,
            "SELECT EXISTS (SELECT 1 FROM directory WHERE site_code = $1)",
            code,
        )?
    {
        return Err(CrisisError::UnknownSite(code.clone()));
    }
    let entry = append(&mut tx, actor, new)?;
    tx.commit()?;
    Ok(entry)
}

/// The answer of a `SELECT EXISTS (…)` of one parameter.
pub(crate) fn exists(
    c: &mut impl GenericClient,
    sql: &str,
    key: &(dyn postgres::types::ToSql + Sync),
) -> Result<bool, StoreError> {
    Ok(c.query_one(sql, &[key])?.try_get(0)?)
}

const SELECT: &str = "SELECT c.id, c.at, c.author, c.kind, c.text, c.corrects, c.system_id,
        c.site_code, c.document, c.journal_seq, j.hash, j.kind, j.payload
    FROM courante c LEFT JOIN journal j ON j.seq = c.journal_seq ORDER BY c.id";

fn read(r: &postgres::Row) -> Result<Read, StoreError> {
    RawEntry {
        id: r.try_get(0)?,
        at: r.try_get(1)?,
        author: r.try_get(2)?,
        kind: r.try_get(3)?,
        text: r.try_get(4)?,
        corrects: r.try_get(5)?,
        system: r.try_get(6)?,
        site: r.try_get(7)?,
        document: r.try_get(8)?,
        journal_seq: r.try_get(9)?,
        hash: r.try_get(10)?,
        event_kind: r.try_get(11)?,
        event_payload: r.try_get(12)?,
    }
    .into_read()
}

/// Every entry, in order (the main courante as read).
pub(crate) fn list(c: &mut impl GenericClient) -> Result<Vec<Read>, StoreError> {
    c.query(SELECT, &[])?.iter().map(read).collect()
}

pub(crate) fn verify(c: &mut impl GenericClient) -> Result<(), StoreError> {
    for entry in list(c)? {
        check_entry(entry)?;
    }
    let missing: Option<i64> = c
        .query_one(
            "SELECT min(j.seq) FROM journal j WHERE j.kind = $1
             AND NOT EXISTS (SELECT 1 FROM courante c WHERE c.journal_seq = j.seq)",
            &[&EVENT],
        )?
        .try_get(0)?;
    missing_entry(missing)
}
