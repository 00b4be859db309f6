//! The extract reader: tolerant of real exports (separators, encodings, quotes, dates, decimal
//! comma, header spelling), strict on content (every field typed, every cross-file reference
//! checked), and exact about where a problem is (file, physical line, column, field).
//!
//! The reader goes file by file in `Entity::ALL` order, so that a file is read after those it
//! refers to, and each file twice (`file.rs`): once for its keys, once for its rows. Nothing
//! is loaded whole: rows are streamed, and keys, as 128-bit digests, are sorted in temporary
//! files rather than held in memory (`keys.rs`, `spill.rs`), so that memory stays within a
//! fixed budget whatever the size of the files.
//!
//! Code map: `input` (encoding, separator, hashing) → `record_reader` (records and their
//! lines) → `layout` (header to columns) → `check` + `values` + `build` (typed records) →
//! `file` (the two passes) with `keys` (duplicates and references, by sorting) over `spill`
//! (external sort). `schema` lists the columns and how grave a problem in each is,
//! `messages` every message, `rejects` the rejects CSV.
//!
//! A problem either blocks the row (`Severity::Reject`: identity, amounts, dates, status,
//! references, bank details) or only needs attention (`Severity::Warning`: a phone number, an
//! e-mail, a site, a person's postal address): a row whose problems are all warnings is
//! accepted without the faulty values, and handed to the sink's `warn` as well, so that
//! nobody goes unpaid for a detail (issue #18).

mod build;
mod check;
mod file;
pub(crate) mod input;
mod keys;
mod layout;
mod locate;
mod memory;
pub(crate) mod messages;
pub mod profile;
pub(crate) mod record_reader;
pub mod rejects;
mod schema;
mod spill;
mod values;

pub use memory::MemorySource;

use self::profile::Profile;
use relais_core::Cents;
use relais_core::records::Record;
use std::io::Read;
use std::path::PathBuf;

/// One extract file of the interchange format (docs/extracts.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Entity {
    Annuaire,
    Beneficiaires,
    Tiers,
    Droits,
    Paiements,
    Agents,
    Paie,
    Fournisseurs,
    Factures,
}

impl Entity {
    /// In reading order: a file comes after the files it refers to.
    pub const ALL: [Entity; 9] = [
        Entity::Annuaire,
        Entity::Beneficiaires,
        Entity::Tiers,
        Entity::Droits,
        Entity::Paiements,
        Entity::Agents,
        Entity::Paie,
        Entity::Fournisseurs,
        Entity::Factures,
    ];

    /// `beneficiaires`, `tiers`… (the file name without `.csv`, the key in mapping profiles).
    pub fn name(self) -> &'static str {
        match self {
            Entity::Annuaire => "annuaire",
            Entity::Beneficiaires => "beneficiaires",
            Entity::Tiers => "tiers",
            Entity::Droits => "droits",
            Entity::Paiements => "paiements",
            Entity::Agents => "agents",
            Entity::Paie => "paie",
            Entity::Fournisseurs => "fournisseurs",
            Entity::Factures => "factures",
        }
    }

    /// The default file name, `beneficiaires.csv`…
    pub fn file_name(self) -> String {
        format!("{}.csv", self.name())
    }

    /// The entity named `name` (as in [`Entity::name`]).
    pub fn from_name(name: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.name() == name)
    }

    /// Our column names for this file, in the order of docs/extracts.md.
    pub fn columns(self) -> Vec<&'static str> {
        schema::fields(self).iter().map(|f| f.name).collect()
    }

    /// Whether `column` is one of ours for this file.
    pub fn has_column(self, column: &str) -> bool {
        schema::field_index(self, column).is_some()
    }
}

/// How grave a problem is (docs/extracts.md § 6, column « gravité » of § 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Severity {
    /// The row is kept, without the faulty value; the problem goes to the register of rows
    /// to handle (`avertissement`).
    #[serde(rename = "avertissement")]
    Warning,
    /// The row is rejected (`rejet`).
    #[serde(rename = "rejet")]
    Reject,
}

impl Severity {
    /// `rejet` or `avertissement`, as in the rejects file and the store.
    pub fn code(self) -> &'static str {
        match self {
            Severity::Reject => "rejet",
            Severity::Warning => "avertissement",
        }
    }

    /// The severity of code `code` ([`Severity::code`]).
    pub fn from_code(code: &str) -> Option<Severity> {
        [Severity::Reject, Severity::Warning]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// For agents: « rejet » or « avertissement ».
    pub fn label_fr(self) -> &'static str {
        match self {
            Severity::Reject => "rejet",
            Severity::Warning => "avertissement",
        }
    }
}

/// How grave a problem on field `field` of a row of `entity` is: the column's severity for
/// one of our columns; a rejection for a whole-row problem (`field` empty: the row itself is
/// in doubt); a warning for an extra column (not one of ours, so nothing needs it).
pub fn severity(entity: Entity, field: &str) -> Severity {
    if field.is_empty() {
        return Severity::Reject;
    }
    match schema::field_index(entity, field) {
        Some(f) => schema::severity(entity, f),
        None => Severity::Warning,
    }
}

/// Where the reader gets the files from (a folder, an archive in memory…).
pub trait ExtractSource {
    /// Opens `file_name` (as the profile names it), or `Ok(None)` when there is no such file.
    /// May be called more than once for the same file: the reader reads key files twice.
    fn open(&self, file_name: &str) -> std::io::Result<Option<Box<dyn Read + '_>>>;
}

/// One problem found in a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based column of the field in the file, when the problem is a field's.
    pub column: Option<u32>,
    /// Our name of the field (`iban`, `date_naissance`…), or empty for a whole-row problem.
    pub field: String,
    /// Stable machine code (`id_cle`, `doublon`, `personne_inconnue`…).
    pub code: String,
    pub message_fr: String,
    pub message_en: String,
}

/// A row that was not accepted, or was accepted with warnings, with everything needed to
/// handle it by hand. A row is rejected as soon as one of its problems is a rejection
/// ([`FlaggedRow::severity`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlaggedRow {
    pub entity: Entity,
    /// The file name as read.
    pub file: String,
    /// Physical line where the record starts; the header is line 1.
    pub line: u64,
    /// The row's key (dossier, tiers_id, droit_id…) when it could be read.
    pub key: Option<String>,
    /// The row as read: (our field name or the file's header for extra columns, value).
    pub raw: Vec<(String, String)>,
    pub problems: Vec<Problem>,
}

impl FlaggedRow {
    /// How grave problem `p` of this row is.
    pub fn problem_severity(&self, p: &Problem) -> Severity {
        severity(self.entity, &p.field)
    }

    /// The row's severity: a rejection when any problem is one, else a warning (the row was
    /// accepted).
    pub fn severity(&self) -> Severity {
        self.problems
            .iter()
            .map(|p| self.problem_severity(p))
            .max()
            .unwrap_or(Severity::Reject)
    }
}

/// What was read of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    pub entity: Entity,
    pub file: String,
    /// Whether the file was there at all.
    pub present: bool,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// `UTF-8`, `UTF-8 (BOM)` or `windows-1252`.
    pub encoding: String,
    pub separator: char,
    /// Data rows (blank lines not counted).
    pub rows: u64,
    /// Accepted rows, those with warnings included.
    pub accepted: u64,
    pub rejected: u64,
    /// Accepted rows that have warnings (handed to [`ExtractSink::warn`] too).
    pub warned: u64,
    /// Sum of the amount column over accepted rows (droits: montant_mensuel, paiements:
    /// montant, agents: net_mensuel, factures: montant_ttc), when the file has one.
    pub amount_total: Option<Cents>,
    /// Headers beyond the required columns, kept as extra values.
    pub extra_columns: Vec<String>,
}

/// A file that cannot be read at all (exit code 2 of `relais extract check`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} : {message_fr}")]
pub struct Unreadable {
    pub file: String,
    pub code: String,
    pub message_fr: String,
    pub message_en: String,
}

/// Receives what the reader finds, file after file in `Entity::ALL` order, rows in file order.
pub trait ExtractSink {
    type Error;
    fn accept(&mut self, entity: Entity, line: u64, record: Record) -> Result<(), Self::Error>;
    fn reject(&mut self, row: FlaggedRow) -> Result<(), Self::Error>;
    /// A row accepted with warnings: `row` lists them (every problem a warning), just before
    /// `accept` receives its record, without the faulty values. A sink that keeps no register
    /// of rows to handle may leave it out: the row is accepted all the same.
    fn warn(&mut self, row: FlaggedRow) -> Result<(), Self::Error> {
        let _ = row;
        Ok(())
    }
    /// After the last row of a file (also for an absent file, with `present: false`).
    fn file_done(&mut self, summary: &FileSummary) -> Result<(), Self::Error>;
    /// A file that cannot be read at all; its rows count as absent for the files after it.
    fn file_unreadable(&mut self, problem: &Unreadable) -> Result<(), Self::Error>;
}

/// What went wrong while reading a set of extracts.
#[derive(Debug, thiserror::Error)]
pub enum ReadError<E> {
    /// The sink refused (e.g. the store failed): reading stops.
    #[error("sink error")]
    Sink(E),
}

/// Totals over the whole set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub files: Vec<FileSummary>,
    pub unreadable: Vec<Unreadable>,
}

impl Outcome {
    pub fn rejected_rows(&self) -> u64 {
        self.files.iter().map(|f| f.rejected).sum()
    }

    /// Rows accepted with warnings.
    pub fn warned_rows(&self) -> u64 {
        self.files.iter().map(|f| f.warned).sum()
    }
}

/// The file name of `entity` as `profile` gives it.
fn file_name(profile: &Profile, entity: Entity) -> String {
    profile
        .entities
        .get(entity.name())
        .and_then(|p| p.file.clone())
        .unwrap_or_else(|| entity.file_name())
}

/// How the reader keeps keys: sorted in memory up to a fixed budget, then in temporary files.
/// The results do not depend on it, only memory and speed.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    spill_chunk_bytes: usize,
    merge_fan_in: usize,
    temp_dir: Option<PathBuf>,
}

impl Default for ReadOptions {
    /// 4 MiB a sort (at most a few sorts at once), 64 runs merged at once, the system's
    /// temporary folder.
    fn default() -> Self {
        ReadOptions {
            spill_chunk_bytes: 4 << 20,
            merge_fan_in: 64,
            temp_dir: None,
        }
    }
}

impl ReadOptions {
    /// Bytes of keys a sort holds in memory before it writes them, sorted, to a temporary
    /// file. Tests make it tiny, so that every file goes through temporary files.
    pub fn spill_chunk_bytes(mut self, bytes: usize) -> Self {
        self.spill_chunk_bytes = bytes;
        self
    }

    /// Most temporary files merged at once (at least 2); more are merged in several rounds.
    pub fn merge_fan_in(mut self, files: usize) -> Self {
        self.merge_fan_in = files;
        self
    }

    /// The folder for temporary files, instead of the system's (`TMPDIR`). The files have no
    /// name and vanish when the reader is done, even on an error or a kill.
    pub fn temp_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.temp_dir = Some(dir.into());
        self
    }
}

/// Keeps what later files need of a file just read, and forgets what none of them needs any
/// more, so that temporary files hold at most the keys of the files still referred to.
fn remember(tables: &mut keys::Tables, entity: Entity, table: Option<keys::Table>) {
    match entity {
        Entity::Annuaire => tables.sites = table,
        Entity::Beneficiaires => {
            tables.people = table.unwrap_or_default();
            tables.sites = None;
        }
        Entity::Tiers => tables.payees = table.unwrap_or_default(),
        Entity::Droits => {
            tables.rights = table.unwrap_or_default();
            tables.people = keys::Table::default();
            tables.payees = keys::Table::default();
        }
        Entity::Paiements => tables.rights = keys::Table::default(),
        Entity::Agents => tables.agents = table.unwrap_or_default(),
        Entity::Paie => tables.agents = keys::Table::default(),
        Entity::Fournisseurs => tables.suppliers = table.unwrap_or_default(),
        Entity::Factures => tables.suppliers = keys::Table::default(),
    }
}

/// Reads every extract of `source`, as `profile` maps it, into `sink`.
///
/// A missing file is reported with `present: false`; a file that cannot be read at all is
/// reported to `file_unreadable` (after any rows of it already handed over, when the failure
/// comes midway) and counts as absent for the files after it. Only a sink error stops the
/// reading.
pub fn read_extracts<S: ExtractSink>(
    source: &dyn ExtractSource,
    profile: &Profile,
    sink: &mut S,
) -> Result<Outcome, ReadError<S::Error>> {
    read_extracts_with(source, profile, sink, &ReadOptions::default())
}

/// [`read_extracts`], with keys kept as `options` say. A temporary file that cannot be
/// written or read back makes the file being read unreadable (`fichier_illisible`).
pub fn read_extracts_with<S: ExtractSink>(
    source: &dyn ExtractSource,
    profile: &Profile,
    sink: &mut S,
    options: &ReadOptions,
) -> Result<Outcome, ReadError<S::Error>> {
    let budget = spill::Budget::of(options);
    let mut outcome = Outcome::default();
    let files: Vec<(Entity, String)> = Entity::ALL
        .iter()
        .map(|&e| (e, file_name(profile, e)))
        .collect();
    let mut tables = keys::Tables::default();
    for entity in Entity::ALL {
        let name = file_name(profile, entity);
        let entity_profile = profile.entities.get(entity.name());
        let cx = file::Context {
            files: &files,
            tables: &tables,
            budget: &budget,
        };
        let result = file::read_file(source, &name, entity, entity_profile, &cx, sink)
            .map_err(ReadError::Sink)?;
        match result {
            file::FileResult::Absent(summary) => {
                sink.file_done(&summary).map_err(ReadError::Sink)?;
                outcome.files.push(summary);
                remember(&mut tables, entity, None);
            }
            file::FileResult::Read { summary, keys } => {
                sink.file_done(&summary).map_err(ReadError::Sink)?;
                outcome.files.push(summary);
                remember(&mut tables, entity, Some(keys));
            }
            file::FileResult::Unreadable(u) => {
                sink.file_unreadable(&u).map_err(ReadError::Sink)?;
                outcome.unreadable.push(u);
                remember(&mut tables, entity, None);
            }
        }
    }
    Ok(outcome)
}
