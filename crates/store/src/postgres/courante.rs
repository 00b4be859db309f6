//! The main courante's check on PostgreSQL (as `sqlite/courante.rs`'s `verify`): every entry
//! still matches its journal event, and every event still has its entry.

use crate::StoreError;
use crate::sqlite::courante::{EVENT, RawEntry, Read, check_entry, missing_entry};
use postgres::GenericClient;

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
