//! The hash-chained journal on PostgreSQL (relais_core::journal), as on SQLite: the head kept
//! in `meta` beside the entries, so that removing the last entries is detected too.
//!
//! Every writing transaction starts with [`super::write`], which takes the journal's lock:
//! writers follow one another as on SQLite (one `BEGIN IMMEDIATE` writer), across every
//! process sharing the database, so each entry chains on the one committed before it and the
//! counters locked after it never see two writers at once. Readers are never blocked.

use crate::StoreError;
use postgres::GenericClient;
use postgres::types::Type;
use relais_core::journal::{ChainVerifier, Entry, EntryHash, entry_hash};

const HEAD_SEQ: &str = "journal_head_seq";
const HEAD_HASH: &str = "journal_head_hash";

/// Appends one entry, in the transaction that makes the change it records.
pub(crate) fn append(
    tx: &mut impl GenericClient,
    actor: &str,
    kind: &str,
    payload: &serde_json::Value,
) -> Result<Entry, StoreError> {
    append_at(tx, actor, kind, payload, crate::now())
}

/// [`append`] at the instant `at` the caller already read for the change it journals.
pub(crate) fn append_at(
    tx: &mut impl GenericClient,
    actor: &str,
    kind: &str,
    payload: &serde_json::Value,
    at: String,
) -> Result<Entry, StoreError> {
    let (last_seq, prev) = head(tx)?.unwrap_or((0, EntryHash::GENESIS));
    let seq = last_seq + 1;
    let payload = payload.to_string();
    let hash = entry_hash(&prev, seq, &at, actor, kind, &payload);
    // One statement, one round trip (typed: no separate prepare): the entry and the head
    // beside it.
    tx.execute_typed(
        "WITH entry AS (
             INSERT INTO journal (seq, at, actor, kind, payload, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
         )
         INSERT INTO meta (key, value) VALUES ($8, $9), ($10, $7)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[
            (&(seq as i64), Type::INT8),
            (&at, Type::TEXT),
            (&actor, Type::TEXT),
            (&kind, Type::TEXT),
            (&payload, Type::TEXT),
            (&prev.to_hex(), Type::TEXT),
            (&hash.to_hex(), Type::TEXT),
            (&HEAD_SEQ, Type::TEXT),
            (&seq.to_string(), Type::TEXT),
            (&HEAD_HASH, Type::TEXT),
        ],
    )?;
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

/// The sequence number the next entry appended in this transaction will take.
pub(crate) fn next_seq(tx: &mut impl GenericClient) -> Result<u64, StoreError> {
    Ok(head(tx)?.map_or(1, |(seq, _)| seq + 1))
}

/// The recorded head (last seq, its hash).
pub(crate) fn head(c: &mut impl GenericClient) -> Result<Option<(u64, EntryHash)>, StoreError> {
    // Both values in one round trip: every write reads them.
    let row = c.query_typed_one(
        "SELECT (SELECT value FROM meta WHERE key = $1), (SELECT value FROM meta WHERE key = $2)",
        &[(&HEAD_SEQ, Type::TEXT), (&HEAD_HASH, Type::TEXT)],
    )?;
    let (seq, hash): (Option<String>, Option<String>) = (row.try_get(0)?, row.try_get(1)?);
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

pub(crate) const SELECT: &str =
    "SELECT seq, at, actor, kind, payload, prev_hash, hash FROM journal";

pub(crate) fn read_entry(r: &postgres::Row) -> Result<Entry, StoreError> {
    let seq: i64 = r.try_get(0)?;
    let parse = |h: String| {
        EntryHash::from_hex(&h)
            .ok_or_else(|| StoreError::Corrupt(format!("journal entry {seq}: hash {h:?}")))
    };
    Ok(Entry {
        seq: seq as u64,
        at: r.try_get(1)?,
        actor: r.try_get(2)?,
        kind: r.try_get(3)?,
        payload: r.try_get(4)?,
        prev: parse(r.try_get(5)?)?,
        hash: parse(r.try_get(6)?)?,
    })
}

/// Checks every entry in seq order and the recorded head, reading the journal in one
/// snapshot (a repeatable-read transaction: writers committing meanwhile are not half seen),
/// a portal at a time so that memory does not grow with the journal.
pub(crate) fn verify(client: &mut postgres::Client) -> Result<u64, StoreError> {
    let mut tx = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let mut verifier = ChainVerifier::default();
    {
        let stmt = tx.prepare(&format!("{SELECT} ORDER BY seq"))?;
        let portal = tx.bind(&stmt, &[])?;
        loop {
            let rows = tx.query_portal(&portal, 10_000)?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                verifier.push(&read_entry(row)?)?;
            }
        }
    }
    let head = head(&mut tx)?;
    let n = verifier.finish(head)?;
    super::courante_verify(&mut tx)?;
    tx.commit()?;
    Ok(n)
}

pub(crate) fn entries(
    c: &mut impl GenericClient,
    from_seq: u64,
    limit: u64,
) -> Result<Vec<Entry>, StoreError> {
    c.query(
        &format!("{SELECT} WHERE seq >= $1 ORDER BY seq LIMIT $2"),
        &[&(from_seq as i64), &(limit as i64)],
    )?
    .iter()
    .map(read_entry)
    .collect()
}

/// Entries of one of `kinds` whose instant sorts at or after `since`, in seq order.
pub(crate) fn entries_of_kinds(
    c: &mut impl GenericClient,
    kinds: &[&str],
    since: &str,
) -> Result<Vec<Entry>, StoreError> {
    let kinds: Vec<String> = kinds.iter().map(|k| (*k).to_owned()).collect();
    c.query(
        &format!("{SELECT} WHERE kind = ANY($1) AND at >= $2 ORDER BY seq"),
        &[&kinds, &since],
    )?
    .iter()
    .map(read_entry)
    .collect()
}
