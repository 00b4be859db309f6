//! Signed checkpoints of the journal (issue #24): the sequence number and hash of the journal's
//! head signed with the authority's journal key (minisign, Ed25519), kept in the store and in
//! an append-only file of the data folder, and copied into every journal export.
//!
//! (Interface first; the signing lands next.)

use crate::data::Data;
use crate::error::AppError;
use relais_store::Backend;
use std::path::{Path, PathBuf};

/// Why a checkpoint was signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    RunValidated,
    Export,
    Hourly,
}

/// One signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: u64,
    /// The hex SHA-256 of the journal entry `seq`.
    pub hash: String,
    /// The signed line (also the signature's trusted comment).
    pub line: String,
    /// The `.minisig` text.
    pub signature: String,
}

/// Signs the journal's head now, unless it is already the last checkpoint's.
pub fn sign_head(
    _data: &Data,
    _store: &mut dyn Backend,
    _reason: Reason,
) -> Result<Option<Checkpoint>, AppError> {
    Ok(None)
}

/// Writes every checkpoint into `dir/checkpoints/` (one `NNNNNNNNNN.txt` and its `.minisig`
/// each, checkable with `minisign -V`) and the public key beside them; returns the files
/// written, relative to `dir`.
pub fn write_into(
    _data: &Data,
    _store: &dyn Backend,
    _dir: &Path,
) -> Result<Vec<PathBuf>, AppError> {
    Ok(Vec::new())
}
