//! The checkpoints read back — from the store, from the data folder's file, from an export's
//! folder or file given — each signature checked against the journal's public key, then the
//! journal judged by them; and the checkpoints written into an export.

use super::{EXPORT_DIR, LOG, PUBLIC};
use crate::data::{Data, DataDir};
use crate::error::{AppError, IoAction};
use relais_core::checkpoint::{CheckpointLine, FORMAT, Found, Judgement, judge};
use relais_store::checkpoints::CheckpointStore;
use relais_vault::PublicKey;
use std::path::{Path, PathBuf};

/// A checkpoint as read, before its signature is checked.
struct Signed {
    line: String,
    signature: String,
}

/// What `relais journal verify` says of the checkpoints.
#[derive(Debug)]
pub struct Report {
    pub judgement: Judgement,
    /// Checkpoints read in the store, in the data folder's file, in what was given.
    pub in_store: usize,
    pub in_file: usize,
    pub given: usize,
    /// What was read that is no checkpoint: where, and why (French).
    pub unreadable: Vec<String>,
    /// The id of the public key the signatures were checked with.
    pub key_id: Option<String>,
}

impl Report {
    pub fn intact(&self) -> bool {
        self.judgement.intact() && self.unreadable.is_empty()
    }
}

/// Reads every checkpoint (store, `DATA/journal/checkpoints.log`, and `given`: an export's
/// `checkpoints/` folder or a checkpoints file), checks their signatures with `public` (by
/// default `DATA/keys/journal-signing.pub`) and judges the store's journal.
pub fn check<S: CheckpointStore + ?Sized>(
    dir: &DataDir,
    store: &S,
    public: Option<&Path>,
    given: Option<&Path>,
) -> Result<Report, AppError> {
    let mut unreadable = Vec::new();
    let stored: Vec<Signed> = store
        .checkpoints()?
        .into_iter()
        .map(|c| Signed {
            line: c.line,
            signature: c.signature,
        })
        .collect();
    let log = dir.path.join(LOG);
    let in_file = if log.exists() {
        read_log(&log, &mut unreadable)?
    } else {
        Vec::new()
    };
    let given_read = match given {
        Some(p) if p.is_dir() => read_folder(p, &mut unreadable)?,
        Some(p) => read_log(p, &mut unreadable)?,
        None => Vec::new(),
    };
    let (in_store, file_count, given_count) = (stored.len(), in_file.len(), given_read.len());
    let all: Vec<Signed> = stored
        .into_iter()
        .chain(in_file)
        .chain(given_read)
        .collect();
    let key_path = public.map_or_else(|| dir.keys_path().join(PUBLIC), Path::to_owned);
    let key = if all.is_empty() && !key_path.exists() {
        None
    } else {
        Some(public_key(&key_path)?)
    };
    let mut found = Vec::with_capacity(all.len());
    for s in &all {
        let line = match CheckpointLine::parse(&s.line) {
            Ok(line) => line,
            Err(e) => {
                unreadable.push(format!("« {} » : {e}", s.line));
                continue;
            }
        };
        let signature_valid = key.as_ref().is_some_and(|k| {
            relais_vault::verify(&mut message(&s.line).as_bytes(), s.signature.as_bytes(), k)
                .is_ok_and(|trusted| trusted == s.line)
        });
        found.push(Found {
            line,
            signature_valid,
        });
    }
    let judgement = judge(&found, |seq| store.journal_hash(seq))?;
    Ok(Report {
        judgement,
        in_store,
        in_file: file_count,
        given: given_count,
        unreadable,
        key_id: key.map(|k| k.key_id()),
    })
}

/// What a checkpoint's signature covers: its line and a newline (the `.txt` of an export).
fn message(line: &str) -> String {
    format!("{line}\n")
}

fn public_key(path: &Path) -> Result<PublicKey, AppError> {
    let text = std::fs::read_to_string(path).map_err(|e| AppError::io(IoAction::Read, path, e))?;
    PublicKey::from_file_text(&text).map_err(|e| AppError::KeyInvalid {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

/// The checkpoints of a file as [`super::append`] writes it: a line, then four signature lines.
fn read_log(path: &Path, unreadable: &mut Vec<String>) -> Result<Vec<Signed>, AppError> {
    let text = std::fs::read_to_string(path).map_err(|e| AppError::io(IoAction::Read, path, e))?;
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(line) = lines.get(i).filter(|l| l.starts_with(FORMAT)) else {
            unreadable.push(format!(
                "{}, ligne {} : un point de contrôle attendu",
                path.display(),
                i + 1
            ));
            i += 1;
            continue;
        };
        let Some(signature) = lines.get(i + 1..i + 5) else {
            unreadable.push(format!(
                "{}, ligne {} : signature incomplète",
                path.display(),
                i + 1
            ));
            break;
        };
        out.push(Signed {
            line: (*line).to_owned(),
            signature: format!("{}\n", signature.join("\n")),
        });
        i += 5;
    }
    Ok(out)
}

/// The checkpoints of an export's folder: each `N.txt` with its `N.txt.minisig`.
fn read_folder(dir: &Path, unreadable: &mut Vec<String>) -> Result<Vec<Signed>, AppError> {
    let entries = std::fs::read_dir(dir).map_err(|e| AppError::io(IoAction::Read, dir, e))?;
    let mut names = Vec::new();
    for e in entries {
        let e = e.map_err(|e| AppError::io(IoAction::Read, dir, e))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".txt") {
            names.push(name);
        }
    }
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let path = dir.join(&name);
        let sig_path = dir.join(format!("{name}.minisig"));
        let text =
            std::fs::read_to_string(&path).map_err(|e| AppError::io(IoAction::Read, &path, e))?;
        let Ok(signature) = std::fs::read_to_string(&sig_path) else {
            unreadable.push(format!("{} : pas de signature", path.display()));
            continue;
        };
        match text.strip_suffix('\n').filter(|l| !l.contains('\n')) {
            Some(line) => out.push(Signed {
                line: line.to_owned(),
                signature,
            }),
            None => unreadable.push(format!("{} : une seule ligne attendue", path.display())),
        }
    }
    Ok(out)
}

/// Writes every checkpoint of the store into `dir/checkpoints/`: `0000000042.txt` (the signed
/// line) and `0000000042.txt.minisig` each — `minisign -Vm 0000000042.txt -p
/// journal-signing.pub` checks one —, the public key, and a copy of the data folder's file.
/// Returns the files written, relative to `dir`; synced.
pub fn write_into<S: CheckpointStore + ?Sized>(
    data: &Data,
    store: &S,
    dir: &Path,
) -> Result<Vec<PathBuf>, AppError> {
    let folder = dir.join(EXPORT_DIR);
    std::fs::create_dir_all(&folder).map_err(|e| AppError::io(IoAction::Create, &folder, e))?;
    let mut written = Vec::new();
    let mut write = |name: String, bytes: &[u8]| -> Result<(), AppError> {
        crate::fsio::write_unsynced(&folder.join(&name), bytes)?;
        written.push(Path::new(EXPORT_DIR).join(name));
        Ok(())
    };
    for c in store.checkpoints()? {
        let name = format!("{:010}.txt", c.seq);
        write(format!("{name}.minisig"), c.signature.as_bytes())?;
        write(name, message(&c.line).as_bytes())?;
    }
    for (from, name) in [
        (data.dir.keys_path().join(PUBLIC), PUBLIC),
        (data.dir.path.join(LOG), "checkpoints.log"),
    ] {
        if from.exists() {
            let bytes = std::fs::read(&from).map_err(|e| AppError::io(IoAction::Read, &from, e))?;
            write(name.to_owned(), &bytes)?;
        }
    }
    crate::fsio::sync_filesystem(&folder)?;
    Ok(written)
}
