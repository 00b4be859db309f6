//! Signed checkpoints of the journal (issue #24): the sequence number and hash of the journal's
//! head signed with the authority's journal key (minisign, Ed25519: `minisign -V` checks them),
//! at each run validation, each export, and at least hourly while entries are written
//! ([`Signer::hourly`]: after each command that changes data, and every minute in the web).
//!
//! Kept three times: in the store (`journal_checkpoints`), in the append-only file
//! `DATA/journal/checkpoints.log` (outside the database: whoever rewrites the database does
//! not rewrite it), and in every journal export ([`write_into`]). The key is
//! `DATA/keys/journal-signing.key` (0600, made on first use), its public key beside it: give
//! the `.pub` to the auditors, who then need nothing from the data folder.
//!
//! [`check`] reads them all back, checks each signature and judges the journal
//! ([`relais_core::checkpoint::judge`]).

use crate::data::Data;
use crate::error::{AppError, IoAction};
use jiff::Timestamp;
use relais_core::checkpoint::CheckpointLine;
use relais_store::checkpoints::{CheckpointStore, StoredCheckpoint};
use relais_vault::{SecretString, SigningKey};
use std::io::Write;
use std::path::{Path, PathBuf};

pub use relais_core::checkpoint::Reason;

/// The journal signing key and its public key, in `DATA/keys/`.
pub const SECRET: &str = "journal-signing.key";
pub const PUBLIC: &str = "journal-signing.pub";
/// The append-only file of the checkpoints, in the data folder.
pub const LOG: &str = "journal/checkpoints.log";
/// The folder of the checkpoints in an export.
pub const EXPORT_DIR: &str = "checkpoints";
/// A checkpoint at least this often while entries are written.
const HOURLY_SECONDS: i64 = 3600;

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

impl From<&StoredCheckpoint> for Checkpoint {
    fn from(c: &StoredCheckpoint) -> Checkpoint {
        Checkpoint {
            seq: c.seq,
            hash: c.hash.to_hex(),
            line: c.line.clone(),
            signature: c.signature.clone(),
        }
    }
}

/// What signs checkpoints for a data folder: its key, its file, its authority. Held by the
/// web server for its run validations and its hourly checkpoints.
#[derive(Debug, Clone)]
pub struct Signer {
    keys: PathBuf,
    log: PathBuf,
    siret: String,
}

impl Signer {
    pub fn new(data: &Data) -> Signer {
        Signer {
            keys: data.dir.keys_path(),
            log: data.dir.path.join(LOG),
            siret: data.settings.authority.siret.to_string(),
        }
    }

    /// The journal signing key, made when the folder has none yet.
    fn key(&self) -> Result<SigningKey, AppError> {
        let path = self.keys.join(SECRET);
        if !path.exists() {
            let made = relais_vault::generate_keys(None).map_err(|e| AppError::KeyInvalid {
                path: path.clone(),
                message: e.to_string(),
            })?;
            let secret = relais_vault::ExposeSecret::expose_secret(&made.minisign_secret_file);
            let public = made.minisign_public_file.as_bytes();
            if crate::keys::create_once(&self.keys, &path, secret.as_bytes(), (PUBLIC, public))? {
                tracing::info!(key_id = %made.signing_key_id, "journal signing key created");
            }
        }
        let text = std::fs::read_to_string(&path).map_err(|source| AppError::KeyUnreadable {
            path: path.clone(),
            source,
        })?;
        SigningKey::from_file_text(&SecretString::from(text), None).map_err(|e| {
            AppError::KeyInvalid {
                path,
                message: e.to_string(),
            }
        })
    }

    /// Signs the journal's head at `now`, unless the last checkpoint already signs it (or the
    /// journal is empty). The file first, then the store: a checkpoint is never only in the
    /// database.
    pub fn sign_head<S: CheckpointStore + ?Sized>(
        &self,
        store: &mut S,
        reason: Reason,
        now: Timestamp,
    ) -> Result<Option<Checkpoint>, AppError> {
        let Some((seq, hash)) = store.journal_head()? else {
            return Ok(None);
        };
        if store.last_checkpoint()?.is_some_and(|c| c.seq == seq) {
            return Ok(None);
        }
        let line = CheckpointLine {
            seq,
            hash,
            at: now.to_string(),
            reason,
            siret: self.siret.clone(),
        }
        .to_line();
        let key = self.key()?;
        let message = format!("{line}\n");
        let signature = relais_vault::sign(&mut message.as_bytes(), &key, &line).map_err(|e| {
            AppError::KeyInvalid {
                path: self.keys.join(SECRET),
                message: e.to_string(),
            }
        })?;
        append(&self.log, &line, &signature)?;
        let stored = StoredCheckpoint {
            seq,
            hash,
            at: now.to_string(),
            line,
            signature,
        };
        store.add_checkpoint(&stored)?;
        tracing::info!(seq, reason = reason.code(), "journal checkpoint signed");
        Ok(Some(Checkpoint::from(&stored)))
    }

    /// [`Signer::sign_head`] after an operation that already committed: a checkpoint that
    /// could not be signed does not undo it; it is logged, and said to the agent (French).
    pub fn sign_or_warn<S: CheckpointStore + ?Sized>(
        &self,
        store: &mut S,
        reason: Reason,
        now: Timestamp,
    ) -> Option<String> {
        match self.sign_head(store, reason, now) {
            Ok(_) => None,
            Err(e) => {
                tracing::error!(problem = %e, reason = reason.code(), "journal checkpoint not signed");
                Some(format!(
                    "Attention : point de contrôle du journal non signé ({}) : {}",
                    reason.label(),
                    e.french()
                ))
            }
        }
    }

    /// Signs the head when entries were written since the last checkpoint and that one is an
    /// hour old or more (or there is none).
    pub fn hourly<S: CheckpointStore + ?Sized>(
        &self,
        store: &mut S,
        now: Timestamp,
    ) -> Result<Option<Checkpoint>, AppError> {
        if let Some(last) = store.last_checkpoint()? {
            let recent = last
                .at
                .parse::<Timestamp>()
                .ok()
                .is_some_and(|at| now.as_second() - at.as_second() < HOURLY_SECONDS);
            if recent {
                return Ok(None);
            }
        }
        self.sign_head(store, Reason::Hourly, now)
    }
}

/// Signs the journal's head now (see [`Signer::sign_head`]).
pub fn sign_head<S: CheckpointStore + ?Sized>(
    data: &Data,
    store: &mut S,
    reason: Reason,
    clock: &dyn crate::Clock,
) -> Result<Option<Checkpoint>, AppError> {
    Signer::new(data).sign_head(store, reason, clock.now())
}

/// Appends one checkpoint to the file: its line, then its signature's four lines; synced.
fn append(log: &Path, line: &str, signature: &str) -> Result<(), AppError> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(dir) = log.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| AppError::io(IoAction::Create, dir, e))?;
    }
    let mut record = format!("{line}\n{signature}");
    if !record.ends_with('\n') {
        record.push('\n');
    }
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(log)
        .map_err(|e| AppError::io(IoAction::Write, log, e))?;
    // One write of the whole record: appends of two processes do not interleave.
    f.write_all(record.as_bytes())
        .and_then(|()| f.sync_data())
        .map_err(|e| AppError::io(IoAction::Write, log, e))
}

mod reading;

pub use reading::{Report, check, write_into};

#[cfg(test)]
mod tests;
