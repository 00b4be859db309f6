//! Signed checkpoints of the journal (issue #24): what the store keeps of them. The signing
//! and its key are the services' (relais-app); the store keeps each checkpoint with the entry
//! it signs and refuses one that signs no entry of its journal (migration 30: never changed
//! nor deleted, one per entry).

use crate::StoreError;
use relais_core::journal::EntryHash;

/// A checkpoint as kept: the entry signed, and the signed line with its `.minisig` text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub seq: u64,
    pub hash: EntryHash,
    /// RFC 3339 instant of the signature.
    pub at: String,
    pub line: String,
    pub signature: String,
}

pub trait CheckpointStore {
    /// The journal's head (its last entry's seq and hash), none while it is empty.
    fn journal_head(&self) -> Result<Option<(u64, EntryHash)>, StoreError>;
    /// The hash of entry `seq`, none when the journal has no such entry.
    fn journal_hash(&self, seq: u64) -> Result<Option<EntryHash>, StoreError>;
    /// Keeps a checkpoint; `false` when one for that entry is already kept (the same or not:
    /// the first stays).
    fn add_checkpoint(&mut self, checkpoint: &StoredCheckpoint) -> Result<bool, StoreError>;
    /// The last checkpoint kept.
    fn last_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError>;
    /// Every checkpoint kept, by entry.
    fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError>;
}
