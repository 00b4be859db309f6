//! Importing a set of extracts into any store: the bridge between the extract reader and an
//! [`ImportSession`]. One transaction, one journal entry with each file's SHA-256, row counts
//! and amount totals; a file that cannot be read at all cancels the whole import.

use crate::{ImportSession, Store, StoreError};
use relais_core::journal::Entry;
use relais_core::records::Record;
use relais_core::roles::Role;
use relais_formats::extract::{
    Entity, ExtractSink, ExtractSource, FileSummary, Outcome, ReadError, RejectedRow, Unreadable,
    read_extracts,
};
use relais_formats::profile::Profile;
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

struct Sink<'s, 'p> {
    session: Box<dyn ImportSession + 's>,
    rows: u64,
    progress: &'p mut dyn FnMut(u64),
}

impl Sink<'_, '_> {
    fn tick(&mut self) {
        self.rows += 1;
        if self.rows % 4096 == 0 {
            (self.progress)(self.rows);
        }
    }
}

impl ExtractSink for Sink<'_, '_> {
    type Error = StoreError;

    fn accept(&mut self, _entity: Entity, _line: u64, record: Record) -> Result<(), StoreError> {
        self.tick();
        self.session.insert(&record)
    }

    fn reject(&mut self, row: RejectedRow) -> Result<(), StoreError> {
        self.tick();
        self.session.reject(&row)
    }

    fn file_done(&mut self, _summary: &FileSummary) -> Result<(), StoreError> {
        Ok(())
    }

    fn file_unreadable(&mut self, _problem: &Unreadable) -> Result<(), StoreError> {
        Ok(())
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
        "amount_total_cents": f.amount_total.map(|c| c.0),
    })
}

/// Replaces the store's imported data by the extracts of `source`, as user `actor` (who must
/// hold the admin role). `context` (e.g. the folder, or the snapshot's hash) goes into the
/// journal entry. `progress` is called now and then with the number of rows read; `check` sees
/// the outcome before the commit and may cancel it.
pub fn import_extracts(
    store: &mut dyn Store,
    source: &dyn ExtractSource,
    profile: &Profile,
    actor: &str,
    context: serde_json::Value,
    progress: &mut dyn FnMut(u64),
    check: OutcomeCheck<'_>,
) -> Result<Imported, ImportError> {
    store.authorize(actor, Role::Admin)?;
    let session = store.begin_import()?;
    let mut sink = Sink {
        session,
        rows: 0,
        progress,
    };
    let outcome = match read_extracts(source, profile, &mut sink) {
        Ok(outcome) => outcome,
        Err(ReadError::Sink(e)) => return Err(e.into()),
    };
    if !outcome.unreadable.is_empty() {
        // Dropping the session rolls everything back.
        return Err(ImportError::Unreadable(outcome.unreadable));
    }
    check(&outcome).map_err(ImportError::Mismatch)?;
    let payload = json!({
        "context": context,
        "files": outcome.files.iter().map(file_facts).collect::<Vec<_>>(),
        "rejected_rows": outcome.rejected_rows(),
    });
    let entry = sink.session.commit(actor, payload)?;
    Ok(Imported { outcome, entry })
}
