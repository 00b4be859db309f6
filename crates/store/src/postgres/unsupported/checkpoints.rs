//! Not yet on PostgreSQL: every method of this contract answers `StoreError::Unsupported`.

#![allow(unused_imports, unused_variables, clippy::useless_conversion)]

use super::super::PgStore;
use super::unsupported;
use crate::StoreError;
use crate::checkpoints::*;
use relais_core::journal::EntryHash;

impl CheckpointStore for PgStore {
    fn journal_head(&self) -> Result<Option<(u64, EntryHash)>, StoreError> {
        Err(unsupported("journal_head").into())
    }
    fn journal_hash(&self, seq: u64) -> Result<Option<EntryHash>, StoreError> {
        Err(unsupported("journal_hash").into())
    }
    fn add_checkpoint(&mut self, checkpoint: &StoredCheckpoint) -> Result<bool, StoreError> {
        Err(unsupported("add_checkpoint").into())
    }
    fn last_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        Err(unsupported("last_checkpoint").into())
    }
    fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        Err(unsupported("checkpoints").into())
    }
}
