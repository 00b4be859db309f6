//! Appending to and checking the hash-chained journal (relais_core::journal).

use super::meta;
use crate::StoreError;
use relais_core::journal::{ChainVerifier, Entry, EntryHash, entry_hash};
use rusqlite::Connection;

const HEAD_SEQ: &str = "journal_head_seq";
const HEAD_HASH: &str = "journal_head_hash";

/// Appends one entry. Must run inside the transaction that makes the change it records, so the
/// change and its evidence commit together or not at all.
pub(crate) fn append(
    conn: &Connection,
    actor: &str,
    kind: &str,
    payload: &serde_json::Value,
) -> Result<Entry, StoreError> {
    append_at(conn, actor, kind, payload, super::now())
}

/// [`append`] at the instant `at` (as [`super::now`] writes it) that the caller already read for
/// the change it journals, so that the change and its entry carry the same instant.
pub(crate) fn append_at(
    conn: &Connection,
    actor: &str,
    kind: &str,
    payload: &serde_json::Value,
    at: String,
) -> Result<Entry, StoreError> {
    let (last_seq, prev) = head(conn)?.unwrap_or((0, EntryHash::GENESIS));
    let seq = last_seq + 1;
    let payload = payload.to_string();
    let hash = entry_hash(&prev, seq, &at, actor, kind, &payload);
    // Cached statements: a batch appends thousands of entries in one transaction.
    conn.prepare_cached(
        "INSERT INTO journal (seq, at, actor, kind, payload, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(rusqlite::params![seq as i64, at, actor, kind, payload, prev.to_hex(), hash.to_hex()])?;
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2), (?3, ?4)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(rusqlite::params![
        HEAD_SEQ,
        seq.to_string(),
        HEAD_HASH,
        hash.to_hex()
    ])?;
    Ok(Entry {
        seq,
        at,
        actor: actor.to_owned(),
        kind: kind.to_owned(),
        payload,
        prev,
        hash,
    })
}

/// The sequence number the next entry appended in `conn`'s transaction will take, for rows
/// written before their entry that must name it.
pub(crate) fn next_seq(conn: &Connection) -> Result<u64, StoreError> {
    Ok(head(conn)?.map_or(1, |(seq, _)| seq + 1))
}

/// The recorded head (last seq, its hash), kept beside the journal so that removing the last
/// entries is detected too.
pub(crate) fn head(conn: &Connection) -> Result<Option<(u64, EntryHash)>, StoreError> {
    let seq = meta(conn, HEAD_SEQ)?;
    let hash = meta(conn, HEAD_HASH)?;
    match (seq, hash) {
        (Some(seq), Some(hash)) => {
            let seq = seq
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("{HEAD_SEQ} = {seq:?}")))?;
            let hash = EntryHash::from_hex(&hash)
                .ok_or_else(|| StoreError::Corrupt(format!("{HEAD_HASH} = {hash:?}")))?;
            Ok(Some((seq, hash)))
        }
        _ => Ok(None),
    }
}

fn read_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Entry, StoreError>> {
    let seq: i64 = r.get(0)?;
    let prev: String = r.get(5)?;
    let hash: String = r.get(6)?;
    let parse = |h: &str| {
        EntryHash::from_hex(h)
            .ok_or_else(|| StoreError::Corrupt(format!("journal entry {seq}: hash {h:?}")))
    };
    Ok((|| {
        Ok(Entry {
            seq: seq as u64,
            at: r.get(1)?,
            actor: r.get(2)?,
            kind: r.get(3)?,
            payload: r.get(4)?,
            prev: parse(&prev)?,
            hash: parse(&hash)?,
        })
    })())
}

const SELECT: &str = "SELECT seq, at, actor, kind, payload, prev_hash, hash FROM journal";

/// Checks every entry in seq order (each entry's seq is covered by its hash, so moving
/// contents between rows is seen) and the recorded head.
pub(crate) fn verify(conn: &Connection) -> Result<u64, StoreError> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut verifier = ChainVerifier::default();
    while let Some(row) = rows.next()? {
        let entry = read_entry(row)??;
        verifier.push(&entry)?;
    }
    Ok(verifier.finish(head(conn)?)?)
}

pub(crate) fn entries(
    conn: &Connection,
    from_seq: u64,
    limit: u64,
) -> Result<Vec<Entry>, StoreError> {
    let mut stmt = conn.prepare(&format!("{SELECT} WHERE seq >= ?1 ORDER BY seq LIMIT ?2"))?;
    let mut rows = stmt.query([from_seq as i64, limit as i64])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(read_entry(row)??);
    }
    Ok(out)
}

/// Entries of one of `kinds` whose instant (`at`, RFC 3339 UTC) sorts at or after `since`,
/// in seq order (through the index `journal_by_kind`).
pub(crate) fn entries_of_kinds(
    conn: &Connection,
    kinds: &[&str],
    since: &str,
) -> Result<Vec<Entry>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "{SELECT} WHERE kind = ?1 AND at >= ?2 ORDER BY seq"
    ))?;
    let mut out = Vec::new();
    for kind in kinds {
        let mut rows = stmt.query(rusqlite::params![kind, since])?;
        while let Some(row) = rows.next()? {
            out.push(read_entry(row)??);
        }
    }
    out.sort_by_key(|e| e.seq);
    Ok(out)
}
