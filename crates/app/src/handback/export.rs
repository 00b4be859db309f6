//! `relais journal export`: see [`super`] and docs/journal-export.md.

use super::events::Out;
use super::folder::{self, create_private};
use super::{ENCRYPTED_FILE, SUMS_FILE, sums};
use crate::checkpoints::{self, Reason};
use crate::clock::Clock;
use crate::data::Data;
use crate::error::{AppError, IoAction};
use relais_core::journal::EntryHash;
use relais_core::roles::Role;
use relais_formats::journal_export::tableur::{SHEETS, Sheets};
use relais_formats::journal_export::{Authority, EVENTS_FILE, Header, Point, write_header};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Where the export starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// After entry `seq` (`--since`).
    Since(u64),
    /// After the last import (or snapshot opened), else the journal's start.
    LastImport,
}

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportRequest<'a> {
    pub from: Start,
    pub out: &'a Path,
    pub user: &'a str,
    /// An age recipients file's text (`age -R`): the export encrypted to them.
    pub recipients: Option<&'a str>,
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportDone {
    pub dir: PathBuf,
    pub header: Header,
    /// The export's own journal entry.
    pub entry_seq: u64,
    pub events_sha256: String,
    /// The files of the export (the encrypted archive's, when encrypted), relative.
    pub files: Vec<String>,
    pub encrypted: bool,
}

/// A writer that hashes what it writes.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn write_error(path: &Path) -> impl Fn(std::io::Error) -> AppError + '_ {
    move |e| AppError::io(IoAction::Write, path, e)
}

/// Exports the journal of `data` as `req` asks (an admin only).
pub fn export(
    data: &Data,
    clock: &dyn Clock,
    req: &ExportRequest<'_>,
) -> Result<ExportDone, AppError> {
    let mut store = data.open_store()?;
    store.authorize(req.user, Role::Admin)?;
    let recipients = req
        .recipients
        .map(relais_vault::parse_recipients)
        .transpose()
        .map_err(|e| AppError::Handback(format!("destinataires : {e}")))?;
    let staging = folder::stage(req.out)?;
    let dir = staging.path().to_owned();

    let (head_seq, head_hash) = store.journal_head()?.unwrap_or((0, EntryHash::GENESIS));
    let (from_seq, reason) = match req.from {
        Start::Since(seq) => (seq, "since"),
        Start::LastImport => match store.last_journal_entry_of_kind("import")? {
            Some(e) => (e.seq, "import"),
            None => (0, "start"),
        },
    };
    if from_seq > head_seq {
        return Err(AppError::Handback(format!(
            "--since {from_seq} : le journal s'arrête à l'entrée n° {head_seq}"
        )));
    }
    let from_hash = match from_seq {
        0 => EntryHash::GENESIS,
        seq => {
            store
                .journal_entry(seq)?
                .ok_or_else(|| AppError::Handback(format!("entrée n° {seq} absente du journal")))?
                .hash
        }
    };
    let authority = &data.settings.authority;
    let header = Header::new(
        Authority {
            siret: authority.siret.to_string(),
            name: authority.name.clone(),
        },
        Point {
            seq: from_seq,
            hash: from_hash,
        },
        Point {
            seq: head_seq,
            hash: head_hash,
        },
        reason,
        clock.now().to_string(),
        req.user,
    );

    // The events and the CSVs, in one pass over the journal.
    let events_path = dir.join(EVENTS_FILE);
    // Buffered before the hashing, so that SHA-256 is fed large blocks.
    let mut events = BufWriter::with_capacity(
        1 << 20,
        Hashing {
            inner: create_private(&events_path)?,
            hasher: Sha256::new(),
        },
    );
    write_header(&mut events, &header).map_err(write_error(&events_path))?;
    let mut sheets = Sheets::new(
        |name| {
            create_private(&dir.join(name))
                .map(|f| Hashing {
                    inner: BufWriter::with_capacity(1 << 16, f),
                    hasher: Sha256::new(),
                })
                .map_err(|e| std::io::Error::other(e.french()))
        },
        data.tz.clone(),
    )
    .map_err(write_error(&dir))?;
    {
        let siret = header.authority.siret.clone();
        let mut out = Out {
            events: &mut events,
            sheets: &mut sheets,
            siret: &siret,
        };
        let backend: &dyn relais_store::Backend = &*store;
        // Each event's entity and lines are read on a connection of their own: the one
        // streaming the journal is busy (PostgreSQL cannot run a query inside another's rows).
        let reader = data.open_reader()?;
        let details: &dyn relais_store::Backend = &*reader;
        let mut failed: Option<AppError> = None;
        let streamed = backend.each_journal_entry(from_seq, head_seq, &mut |e| {
            out.entry(details, e).map_err(|err| {
                failed = Some(err);
                relais_store::StoreError::Corrupt("export stopped".into())
            })
        });
        if let Some(e) = failed {
            return Err(e);
        }
        streamed?;
    }
    // Each file's digest, computed while it was written.
    let mut known = std::collections::BTreeMap::new();
    for (w, (name, _)) in sheets
        .finish()
        .map_err(write_error(&dir))?
        .into_iter()
        .zip(SHEETS)
    {
        let Hashing { inner, hasher } = w;
        inner
            .into_inner()
            .map_err(|e| AppError::io(IoAction::Write, &dir, e.into_error()))?;
        known.insert(name.to_owned(), hex::encode(hasher.finalize()));
    }
    let events = events
        .into_inner()
        .map_err(|e| AppError::io(IoAction::Write, &events_path, e.into_error()))?;
    let events_sha256 = hex::encode(events.hasher.finalize());
    drop(events.inner);
    known.insert(EVENTS_FILE.to_owned(), events_sha256.clone());

    // The export's own entry, then the head signed after it, and the checkpoints copied in.
    let entry = store.record_journal_export(
        req.user,
        &json!({
            "from": from_seq,
            "from_hash": from_hash.to_hex(),
            "to": head_seq,
            "to_hash": head_hash.to_hex(),
            "count": header.count,
            "from_reason": reason,
            "events_sha256": events_sha256,
            "encrypted": recipients.is_some(),
        }),
    )?;
    checkpoints::sign_head(data, &mut *store, Reason::Export, clock)?;
    let mut files: Vec<String> = vec![EVENTS_FILE.to_owned()];
    files.extend(SHEETS.iter().map(|(name, _)| (*name).to_owned()));
    for path in checkpoints::write_into(data, &*store, &dir)? {
        files.push(path.to_string_lossy().into_owned());
    }
    // Every file readable by its owner only, the checkpoints' included.
    for name in &files {
        folder::private_file(&dir.join(name))?;
    }
    if let Some(sub) = files.iter().find_map(|f| f.split_once('/').map(|(d, _)| d)) {
        folder::private_dir(&dir.join(sub))?;
    }
    let sums = sums::write(&dir, &files, &known)?;
    let sums_path = dir.join(SUMS_FILE);
    create_private(&sums_path)?
        .write_all(sums.as_bytes())
        .map_err(write_error(&sums_path))?;
    files.push(SUMS_FILE.to_owned());

    let (staging, files) = match recipients {
        None => (staging, files),
        Some(recipients) => (
            encrypt(&staging, req.out, &files, &recipients)?,
            vec![ENCRYPTED_FILE.to_owned(), "LISEZMOI.txt".to_owned()],
        ),
    };
    let dir = staging.commit()?;
    Ok(ExportDone {
        dir,
        header,
        entry_seq: entry.seq,
        events_sha256,
        files,
        encrypted: req.recipients.is_some(),
    })
}

/// The staged files packed into `export.tar.age` in a second staging folder, which replaces
/// the first (whose clear files are removed with it).
fn encrypt(
    plain: &folder::Staging,
    out: &Path,
    files: &[String],
    recipients: &[relais_vault::Recipient],
) -> Result<folder::Staging, AppError> {
    let staging = folder::stage(out)?;
    let path = staging.path().join(ENCRYPTED_FILE);
    let mut pack = Vec::new();
    for name in files {
        let file_path = plain.path().join(name);
        let file = std::fs::File::open(&file_path)
            .map_err(|e| AppError::io(IoAction::Read, &file_path, e))?;
        let bytes = file
            .metadata()
            .map_err(|e| AppError::io(IoAction::Read, &file_path, e))?
            .len();
        pack.push(relais_vault::PackFile {
            name: name.clone(),
            bytes,
            content: Box::new(std::io::BufReader::new(file)),
        });
    }
    let mut w = BufWriter::with_capacity(1 << 20, create_private(&path)?);
    relais_vault::pack(pack, recipients, &mut w)
        .map_err(|e| AppError::Handback(format!("chiffrement de l'export : {e}")))?;
    w.flush().map_err(write_error(&path))?;
    let readme = staging.path().join("LISEZMOI.txt");
    create_private(&readme)?
        .write_all(
            "Export du journal de Relais, chiffré (age) : age -d -i CLE export.tar.age | tar x ; puis sha256sum -c SHA256SUMS. Voir docs/journal-export.md.\n"
                .as_bytes(),
        )
        .map_err(write_error(&readme))?;
    Ok(staging)
}
