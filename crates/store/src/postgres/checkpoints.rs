//! The journal's signed checkpoints on PostgreSQL (`journal_checkpoints`), as on SQLite
//! (`sqlite/checkpoints.rs`): the schema's triggers keep them unchanged and refuse one that
//! signs no entry of the journal (`journal_checkpoints_of_the_journal`).

use super::{PgStore, journal, write};
use crate::StoreError;
use crate::checkpoints::{CheckpointStore, StoredCheckpoint};
use crate::sqlite::checkpoints::{SELECT, checkpoint, entry_hash};
use relais_core::journal::EntryHash;

fn read(r: &postgres::Row) -> Result<StoredCheckpoint, StoreError> {
    checkpoint(
        r.try_get(0)?,
        r.try_get(1)?,
        r.try_get(2)?,
        r.try_get(3)?,
        r.try_get(4)?,
    )
}

impl CheckpointStore for PgStore {
    fn journal_head(&self) -> Result<Option<(u64, EntryHash)>, StoreError> {
        journal::head(&mut *self.conn()?)
    }

    fn journal_hash(&self, seq: u64) -> Result<Option<EntryHash>, StoreError> {
        let hash: Option<String> = self
            .conn()?
            .query_opt("SELECT hash FROM journal WHERE seq = $1", &[&(seq as i64)])?
            .map(|r| r.try_get(0))
            .transpose()?;
        entry_hash(seq, hash)
    }

    fn add_checkpoint(&mut self, c: &StoredCheckpoint) -> Result<bool, StoreError> {
        let mut tx = write(self.client.get_mut())?;
        let added = tx.execute(
            "INSERT INTO journal_checkpoints (seq, hash, at, line, signature)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING",
            &[
                &(c.seq as i64),
                &c.hash.to_hex(),
                &c.at,
                &c.line,
                &c.signature,
            ],
        )?;
        tx.commit()?;
        Ok(added == 1)
    }

    fn last_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.conn()?
            .query_opt(&format!("{SELECT} ORDER BY seq DESC LIMIT 1"), &[])?
            .as_ref()
            .map(read)
            .transpose()
    }

    fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.conn()?
            .query(&format!("{SELECT} ORDER BY seq"), &[])?
            .iter()
            .map(read)
            .collect()
    }
}
