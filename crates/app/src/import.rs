//! Importing a set of extracts into any store: the bridge between the extract reader and an
//! [`ImportSession`]. One transaction, one journal entry with each file's SHA-256, row counts
//! and amount totals; a file that cannot be read at all cancels the whole import.

use relais_core::journal::Entry;
use relais_core::records::Record;
use relais_core::roles::Role;
use relais_formats::extract::{
    Entity, ExtractSink, ExtractSource, FileSummary, FlaggedRow, Outcome, Unreadable, read_extracts,
};
use relais_formats::profile::Profile;
use relais_store::{Store, StoreError};
use serde_json::json;

/// Why an import did not land. In every case the store is as it was before.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("import annulé : {} fichier(s) illisible(s)", .0.len())]
    Unreadable(Vec<Unreadable>),
    /// What was read does not match what the caller expected (e.g. a snapshot's manifest).
    #[error("import annulé : {0}")]
    Mismatch(String),
}

/// A check of what was read, run before anything is committed; its error cancels the import.
pub type OutcomeCheck<'a> = &'a mut dyn FnMut(&Outcome) -> Result<(), String>;

/// What an import did.
#[derive(Debug)]
pub struct Imported {
    pub outcome: Outcome,
    pub entry: Entry,
}

/// What the reading thread hands to the writing thread.
enum Item {
    Record(Record),
    /// A rejected row, or the warnings of an accepted row: both go to the register of rows
    /// to handle, with their severity.
    Reject(FlaggedRow),
}

/// Rows travel in batches: one channel operation per few thousand rows, not per row.
const BATCH: usize = 4096;

/// Reading and writing overlap: this sink (on the reading thread) batches rows and sends them
/// to the thread that owns the import session. A send fails only when the writer has stopped
/// on an error, which then stops the reading too.
struct Sink<'p> {
    batch: Vec<Item>,
    to_writer: std::sync::mpsc::SyncSender<Vec<Item>>,
    rows: u64,
    progress: &'p mut dyn FnMut(u64),
}

/// The writer stopped; its own error is the one reported.
struct WriterGone;

impl Sink<'_> {
    fn push(&mut self, item: Item) -> Result<(), WriterGone> {
        self.batch.push(item);
        self.rows += 1;
        if self.batch.len() >= BATCH {
            (self.progress)(self.rows);
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), WriterGone> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.to_writer.send(batch).map_err(|_| WriterGone)
    }
}

impl ExtractSink for Sink<'_> {
    type Error = WriterGone;

    fn accept(&mut self, _entity: Entity, _line: u64, record: Record) -> Result<(), WriterGone> {
        self.push(Item::Record(record))
    }

    fn reject(&mut self, row: FlaggedRow) -> Result<(), WriterGone> {
        self.push(Item::Reject(row))
    }

    fn warn(&mut self, row: FlaggedRow) -> Result<(), WriterGone> {
        self.push(Item::Reject(row))
    }

    fn file_done(&mut self, _summary: &FileSummary) -> Result<(), WriterGone> {
        Ok(())
    }

    fn file_unreadable(&mut self, _problem: &Unreadable) -> Result<(), WriterGone> {
        Ok(())
    }
}

/// The end of the stream of rows: commit with this journal payload, or roll back.
enum Verdict {
    Commit(serde_json::Value),
    Abandon,
}

/// The writing thread: inserts every batch, then commits or rolls back as told.
fn write_all(
    store: &mut (dyn Store + Send),
    actor: &str,
    rows: std::sync::mpsc::Receiver<Vec<Item>>,
    verdict: std::sync::mpsc::Receiver<Verdict>,
) -> Result<Option<Entry>, StoreError> {
    let started = std::time::Instant::now();
    let mut session = store.begin_import()?;
    for batch in rows {
        for item in batch {
            match item {
                Item::Record(r) => session.insert(&r)?,
                Item::Reject(r) => session.reject(&r)?,
            }
        }
    }
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "import rows written"
    );
    match verdict.recv() {
        Ok(Verdict::Commit(payload)) => {
            let entry = session.commit(actor, payload)?;
            tracing::info!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                "import committed"
            );
            Ok(Some(entry))
        }
        // Dropping the session rolls everything back.
        Ok(Verdict::Abandon) | Err(_) => Ok(None),
    }
}

/// The facts the journal keeps of one file.
pub fn file_facts(f: &FileSummary) -> serde_json::Value {
    json!({
        "file": f.file,
        "present": f.present,
        "sha256": f.sha256,
        "encoding": f.encoding,
        "rows": f.rows,
        "accepted": f.accepted,
        "rejected": f.rejected,
        "warned": f.warned,
        "amount_total_cents": f.amount_total.map(|c| c.0),
    })
}

/// Replaces the store's imported data by the extracts of `source`, as user `actor` (who must
/// hold the admin role). `context` (e.g. the folder, or the snapshot's hash) goes into the
/// journal entry. `progress` is called now and then with the number of rows read; `check` sees
/// the outcome before the commit and may cancel it.
pub fn import_extracts(
    store: &mut (dyn Store + Send),
    source: &dyn ExtractSource,
    profile: &Profile,
    actor: &str,
    context: serde_json::Value,
    progress: &mut dyn FnMut(u64),
    check: OutcomeCheck<'_>,
) -> Result<Imported, ImportError> {
    store.authorize(actor, Role::Admin)?;
    let (to_writer, rows) = std::sync::mpsc::sync_channel(4);
    let (send_verdict, verdict) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || write_all(store, actor, rows, verdict));
        let mut sink = Sink {
            batch: Vec::with_capacity(BATCH),
            to_writer,
            rows: 0,
            progress,
        };
        let read = read_extracts(source, profile, &mut sink);
        let flushed = sink.flush();
        // Closing the channel tells the writer that the rows are over.
        drop(sink);
        let decision = match (read, flushed) {
            (Ok(outcome), Ok(())) => {
                if !outcome.unreadable.is_empty() {
                    Err(ImportError::Unreadable(outcome.unreadable))
                } else {
                    match check(&outcome) {
                        Err(m) => Err(ImportError::Mismatch(m)),
                        Ok(()) => Ok(outcome),
                    }
                }
            }
            // The writer stopped on an error: it is reported below.
            _ => Err(ImportError::Mismatch(String::new())),
        };
        let _ = send_verdict.send(match &decision {
            Ok(outcome) => Verdict::Commit(json!({
                "context": context,
                "files": outcome.files.iter().map(file_facts).collect::<Vec<_>>(),
                "rejected_rows": outcome.rejected_rows(),
                "warned_rows": outcome.warned_rows(),
            })),
            Err(_) => Verdict::Abandon,
        });
        let written = writer.join().map_err(|_| {
            ImportError::Store(StoreError::Corrupt("import writer thread panicked".into()))
        })?;
        match (decision, written) {
            (_, Err(e)) => Err(ImportError::Store(e)),
            (Ok(outcome), Ok(Some(entry))) => Ok(Imported { outcome, entry }),
            (Err(e), _) => Err(e),
            (Ok(_), Ok(None)) => Err(ImportError::Store(StoreError::Corrupt(
                "import not committed".into(),
            ))),
        }
    })
}
