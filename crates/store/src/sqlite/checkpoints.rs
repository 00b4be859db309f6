//! The journal's signed checkpoints (`journal_checkpoints`, migration 30).

use super::SqliteStore;
use crate::StoreError;
use crate::checkpoints::{CheckpointStore, StoredCheckpoint};
use relais_core::journal::EntryHash;
use rusqlite::{OptionalExtension, params};

pub(crate) const SELECT: &str = "SELECT seq, hash, at, line, signature FROM journal_checkpoints";

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<StoredCheckpoint, StoreError>> {
    Ok(checkpoint(
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
    ))
}

/// A checkpoint from its stored values (the columns of [`SELECT`], on every backend).
pub(crate) fn checkpoint(
    seq: i64,
    hash: String,
    at: String,
    line: String,
    signature: String,
) -> Result<StoredCheckpoint, StoreError> {
    EntryHash::from_hex(&hash)
        .map(|hash| StoredCheckpoint {
            seq: seq as u64,
            hash,
            at,
            line,
            signature,
        })
        .ok_or_else(|| StoreError::Corrupt(format!("checkpoint {seq}: hash {hash:?}")))
}

/// The hash of journal entry `seq` as stored, read.
pub(crate) fn entry_hash(seq: u64, hash: Option<String>) -> Result<Option<EntryHash>, StoreError> {
    hash.map(|h| {
        EntryHash::from_hex(&h)
            .ok_or_else(|| StoreError::Corrupt(format!("journal entry {seq}: hash {h:?}")))
    })
    .transpose()
}

impl CheckpointStore for SqliteStore {
    fn journal_head(&self) -> Result<Option<(u64, EntryHash)>, StoreError> {
        super::journal::head(&self.conn)
    }

    fn journal_hash(&self, seq: u64) -> Result<Option<EntryHash>, StoreError> {
        let hash: Option<String> = self
            .conn
            .query_row(
                "SELECT hash FROM journal WHERE seq = ?1",
                [seq as i64],
                |r| r.get(0),
            )
            .optional()?;
        entry_hash(seq, hash)
    }

    fn add_checkpoint(&mut self, c: &StoredCheckpoint) -> Result<bool, StoreError> {
        let added = self.conn.execute(
            "INSERT INTO journal_checkpoints (seq, hash, at, line, signature)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (seq) DO NOTHING",
            params![c.seq as i64, c.hash.to_hex(), c.at, c.line, c.signature],
        )?;
        Ok(added == 1)
    }

    fn last_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("{SELECT} ORDER BY seq DESC LIMIT 1"))?;
        stmt.query_row([], read).optional()?.transpose()
    }

    fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        let mut stmt = self.conn.prepare(&format!("{SELECT} ORDER BY seq"))?;
        let rows = stmt.query_map([], read)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r??);
        }
        Ok(out)
    }
}
