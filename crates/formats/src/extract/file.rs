//! One extract file, read in two passes. The first maps the header and gathers the keys and
//! references, which are then sorted (`keys.rs`): duplicates and bad references are known
//! before any row is handed over. The second types every row, checks it against the files
//! read before, hashes the bytes and hands each row to the sink.

use super::build::{self, Known};
use super::check::Checker;
use super::input::{self, OpenError};
use super::keys::{self, Answers, Failure, Prepared, RowRefs, Scan, Table, Tables};
use super::layout::{self, Layout};
use super::messages;
use super::profile::EntityProfile;
use super::record_reader::RecordReader;
use super::schema;
use super::spill::{Budget, Sorter};
use super::{Entity, ExtractSink, ExtractSource, FileSummary, FlaggedRow, Unreadable};
use relais_core::Cents;
use sha2::{Digest, Sha256};
use std::io::Read;

/// What a file is read with: the file names (for messages), the keys of the files read before
/// it, and the memory budget of its sorts.
pub(crate) struct Context<'a> {
    pub files: &'a [(Entity, String)],
    pub tables: &'a Tables,
    pub budget: &'a Budget,
}

/// What reading one file gave.
pub(crate) enum FileResult {
    Absent(FileSummary),
    Read {
        summary: FileSummary,
        /// The keys of the file when later files refer to them (site codes for annuaire.csv).
        keys: Table,
    },
    Unreadable(Unreadable),
}

/// Why the reading of a file stopped.
enum Stop<E> {
    Unreadable(Unreadable),
    Sink(E),
}

impl<E> From<Unreadable> for Stop<E> {
    fn from(u: Unreadable) -> Self {
        Stop::Unreadable(u)
    }
}

/// Whether later files refer to this one's keys (so they are kept after it is read).
fn is_referenced(entity: Entity) -> bool {
    matches!(
        entity,
        Entity::Beneficiaires
            | Entity::Tiers
            | Entity::Droits
            | Entity::Agents
            | Entity::Fournisseurs
    )
}

fn open_error(file: &str, e: OpenError) -> Unreadable {
    match e {
        OpenError::Io(e) => messages::io_error(file, &e),
        OpenError::NotText => messages::not_text(file),
    }
}

fn failure(file: &str, f: Failure) -> Unreadable {
    match f {
        Failure::Read(e) => messages::io_error(file, &e),
        Failure::Spill(e) => messages::spill_error(file, &e),
    }
}

fn changed(file: &str) -> Unreadable {
    messages::io_error(
        file,
        &std::io::Error::other("le fichier a changé entre les deux lectures"),
    )
}

/// Moves to the header: the first record that is not blank. `false` when there is none.
fn read_header<R: Read>(records: &mut RecordReader<R>) -> std::io::Result<bool> {
    while records.next_record()?.is_some() {
        if !records.record().is_blank() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The summary of a file that is not there.
pub(crate) fn absent(entity: Entity, file: &str) -> FileSummary {
    FileSummary {
        entity,
        file: file.to_owned(),
        present: false,
        sha256: String::new(),
        encoding: String::new(),
        separator: ';',
        rows: 0,
        accepted: 0,
        rejected: 0,
        warned: 0,
        amount_total: None,
        extra_columns: Vec::new(),
    }
}

/// First pass: the header's layout, the keys and the references; `None` when the file is not
/// there.
fn first_pass(
    source: &dyn ExtractSource,
    file: &str,
    entity: Entity,
    profile: Option<&EntityProfile>,
    tables: &Tables,
    budget: &Budget,
) -> Result<Option<(Layout, Scan)>, Unreadable> {
    let io = |e: std::io::Error| messages::io_error(file, &e);
    let Some(raw) = source.open(file).map_err(io)? else {
        return Ok(None);
    };
    let mut records = input::open(raw, None)
        .map_err(|e| open_error(file, e))?
        .records;
    if !read_header(&mut records).map_err(io)? {
        return Err(messages::empty(file));
    }
    let layout = layout::map_header(entity, file, records.record(), profile)?;
    let checked: Vec<bool> = keys::references(entity)
        .iter()
        .map(|r| tables.of(r.to).is_some())
        .collect();
    let scan = keys::scan(entity, &layout, &mut records, &checked, budget)
        .map_err(|f| failure(file, f))?;
    Ok(Some((layout, scan)))
}

/// Counts of the real pass.
#[derive(Default)]
struct Counts {
    rows: u64,
    accepted: u64,
    rejected: u64,
    warned: u64,
    total: Cents,
}

/// Second pass: every row typed, checked and handed over; the bytes hashed. Gives the
/// summary and, for a file others refer to, the keys of its rejected rows.
fn second_pass<S: ExtractSink>(
    source: &dyn ExtractSource,
    file: &str,
    entity: Entity,
    layout: &Layout,
    prepared: &Prepared,
    cx: &Context<'_>,
    sink: &mut S,
) -> Result<(FileSummary, Sorter<u128>), Stop<S::Error>> {
    let io = |e: std::io::Error| messages::io_error(file, &e);
    let spill = |e: std::io::Error| Stop::Unreadable(messages::spill_error(file, &e));
    let mut hasher = Sha256::new();
    let mut counts = Counts::default();
    let referenced = is_referenced(entity);
    let mut rejected = Sorter::new(cx.budget);
    let mut known = Known {
        files: cx.files,
        sites_checked: cx.tables.sites.is_some(),
        refs: RowRefs::new(entity),
    };
    let mut fold = keys::Fold::default();
    let key_fields = schema::key(entity);
    let key_name: Vec<&str> = key_fields
        .iter()
        .filter_map(|&f| schema::fields(entity).get(f).map(|s| s.name))
        .collect();
    let key_name = key_name.join("/");
    let first_key_field = key_fields.first().copied().unwrap_or(0);
    let (encoding, separator) = {
        let raw = source.open(file).map_err(io)?.ok_or_else(|| {
            io(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "le fichier a disparu pendant la lecture",
            ))
        })?;
        let opened = input::open(raw, Some(&mut hasher)).map_err(|e| open_error(file, e))?;
        let (encoding, separator) = (opened.encoding, opened.separator);
        let mut records = opened.records;
        if !read_header(&mut records).map_err(io)? || !layout.same_header(records.record()) {
            return Err(changed(file).into());
        }
        let mut answers = Answers::new(prepared).map_err(spill)?;
        while let Some(line) = records.next_record().map_err(io)? {
            let record = records.record();
            if record.is_blank() {
                continue;
            }
            counts.rows += 1;
            fold.row();
            let digest = keys::row_digest(entity, layout, record);
            if let Some(d) = digest {
                fold.key(line, d);
            }
            known
                .refs
                .start(line, answers.verdicts(line).map_err(spill)?);
            let mut c = Checker::new(entity, layout, record);
            let built = build::build(entity, &mut c, &known);
            if let Some(dup) = answers.duplicate(line).map_err(spill)? {
                let others = dup.others();
                let key = c.key_text().unwrap_or_default();
                let e = messages::duplicate(&key_name, &key, &others.lines, others.count);
                c.push(first_key_field, e);
            }
            let row = |c: Checker<'_>| FlaggedRow {
                entity,
                file: file.to_owned(),
                line,
                key: c.key_text(),
                raw: c.raw(),
                problems: c.into_problems(),
            };
            match built {
                Some(r) if !c.has_blocking() => {
                    counts.accepted += 1;
                    if let Some(a) = build::amount_of(&r) {
                        counts.total = Cents(counts.total.0.saturating_add(a.0));
                    }
                    if c.has_problems() {
                        counts.warned += 1;
                        sink.warn(row(c)).map_err(Stop::Sink)?;
                    }
                    sink.accept(entity, line, r).map_err(Stop::Sink)?;
                }
                _ => {
                    counts.rejected += 1;
                    if referenced && let Some(d) = digest {
                        rejected.push(d).map_err(spill)?;
                    }
                    sink.reject(row(c)).map_err(Stop::Sink)?;
                }
            }
        }
        (encoding, separator)
    };
    // Rows already handed over: a file that changed midway is still told (as a read error
    // midway would be), and the caller cancels.
    if fold.with(known.refs.fold_sum()) != prepared.fold {
        return Err(changed(file).into());
    }
    let summary = FileSummary {
        entity,
        file: file.to_owned(),
        present: true,
        sha256: hex::encode(hasher.finalize()),
        encoding: encoding.label().to_owned(),
        separator: char::from(separator),
        rows: counts.rows,
        accepted: counts.accepted,
        rejected: counts.rejected,
        warned: counts.warned,
        amount_total: build::has_amount(entity).then_some(counts.total),
        extra_columns: layout
            .extras
            .iter()
            .filter_map(|&i| layout.names.get(i).cloned())
            .collect(),
    };
    Ok((summary, rejected))
}

/// Reads the file of `entity`, named `file`, checking its references against `cx.tables`. Only
/// a sink error stops everything.
pub(crate) fn read_file<S: ExtractSink>(
    source: &dyn ExtractSource,
    file: &str,
    entity: Entity,
    profile: Option<&EntityProfile>,
    cx: &Context<'_>,
    sink: &mut S,
) -> Result<FileResult, S::Error> {
    let (layout, scan) = match first_pass(source, file, entity, profile, cx.tables, cx.budget) {
        Ok(Some(found)) => found,
        Ok(None) => return Ok(FileResult::Absent(absent(entity, file))),
        Err(u) => return Ok(FileResult::Unreadable(u)),
    };
    let prepared = match scan.prepare(entity, is_referenced(entity), cx.tables, cx.budget) {
        Ok(p) => p,
        Err(e) => return Ok(FileResult::Unreadable(messages::spill_error(file, &e))),
    };
    let pass = second_pass(source, file, entity, &layout, &prepared, cx, sink);
    let (summary, rejected) = match pass {
        Ok(done) => done,
        Err(Stop::Unreadable(u)) => return Ok(FileResult::Unreadable(u)),
        Err(Stop::Sink(e)) => return Err(e),
    };
    let Prepared { keys, .. } = prepared;
    match rejected.finish() {
        Ok(rejected) => Ok(FileResult::Read {
            summary,
            keys: Table::new(keys, rejected),
        }),
        Err(e) => Ok(FileResult::Unreadable(messages::spill_error(file, &e))),
    }
}
