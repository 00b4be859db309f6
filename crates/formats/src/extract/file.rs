//! One extract file, read in two passes. The first maps the header and collects the keys (to
//! find duplicates before any row is handed over); the second types every row, checks it
//! against the files read before, hashes the bytes and hands each row to the sink.

use super::build::{self, Known};
use super::check::Checker;
use super::input::{self, OpenError};
use super::keys::{self, DigestMap, DigestSet, Duplicates, Scan};
use super::layout::{self, Layout};
use super::messages;
use super::record_reader::RecordReader;
use super::schema;
use super::{Entity, ExtractSink, ExtractSource, FileSummary, RejectedRow, Unreadable};
use crate::profile::EntityProfile;
use relais_core::Cents;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io::Read;

/// What reading one file gave.
pub(crate) enum FileResult {
    Absent(FileSummary),
    Read {
        summary: FileSummary,
        /// The keys of the file when later files refer to them.
        keys: keys::KeySet,
        /// Site codes, for annuaire.csv.
        sites: HashSet<String>,
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
        Entity::Beneficiaires | Entity::Tiers | Entity::Droits | Entity::Fournisseurs
    )
}

fn open_error(file: &str, e: OpenError) -> Unreadable {
    match e {
        OpenError::Io(e) => messages::io_error(file, &e),
        OpenError::NotText => messages::not_text(file),
    }
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
        amount_total: None,
        extra_columns: Vec::new(),
    }
}

/// First pass: the header's layout and the keys; `None` when the file is not there.
fn first_pass(
    source: &dyn ExtractSource,
    file: &str,
    entity: Entity,
    profile: Option<&EntityProfile>,
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
    let scan = keys::scan(entity, &layout, &mut records).map_err(io)?;
    Ok(Some((layout, scan)))
}

/// Counts of the real pass.
#[derive(Default)]
struct Counts {
    rows: u64,
    accepted: u64,
    rejected: u64,
    total: Cents,
}

/// What the real pass keeps of a file.
struct SecondPass {
    summary: FileSummary,
    rejected: DigestSet,
    sites: HashSet<String>,
}

/// Second pass: every row typed, checked and handed over; the bytes hashed.
fn second_pass<S: ExtractSink>(
    source: &dyn ExtractSource,
    file: &str,
    entity: Entity,
    layout: &Layout,
    later: DigestMap<Vec<u64>>,
    known: &Known,
    sink: &mut S,
) -> Result<SecondPass, Stop<S::Error>> {
    let io = |e: std::io::Error| messages::io_error(file, &e);
    let mut hasher = Sha256::new();
    let mut counts = Counts::default();
    let mut rejected = DigestSet::default();
    let mut sites = HashSet::new();
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
            return Err(io(std::io::Error::other(
                "le fichier a changé entre les deux lectures",
            ))
            .into());
        }
        let mut duplicates = Duplicates::new(later);
        while let Some(line) = records.next_record().map_err(io)? {
            let record = records.record();
            if record.is_blank() {
                continue;
            }
            counts.rows += 1;
            let mut c = Checker::new(entity, layout, record);
            let built = build::build(entity, &mut c, known);
            // The key's digest is only needed for duplicates and for rejected rows.
            let digest = if duplicates.is_empty() {
                None
            } else {
                keys::row_digest(entity, layout, record)
            };
            if let Some(d) = digest
                && let Some(others) = duplicates.others(d, line)
            {
                let key = c.key_text().unwrap_or_default();
                let e = messages::duplicate(&key_name, &key, &others.lines, others.count);
                c.push(first_key_field, e);
            }
            if entity == Entity::Annuaire
                && let Some(code) = keys::field_value(layout, record, schema::annuaire::SITE_CODE)
                && !sites.contains(code)
            {
                sites.insert(code.to_owned());
            }
            match built {
                Some(r) if !c.has_problems() => {
                    counts.accepted += 1;
                    if let Some(a) = build::amount_of(&r) {
                        counts.total = Cents(counts.total.0.saturating_add(a.0));
                    }
                    sink.accept(entity, line, r).map_err(Stop::Sink)?;
                }
                _ => {
                    counts.rejected += 1;
                    if let Some(d) = digest.or_else(|| keys::row_digest(entity, layout, record)) {
                        rejected.insert(d);
                    }
                    let row = RejectedRow {
                        entity,
                        file: file.to_owned(),
                        line,
                        key: c.key_text(),
                        raw: c.raw(),
                        problems: c.into_problems(),
                    };
                    sink.reject(row).map_err(Stop::Sink)?;
                }
            }
        }
        (encoding, separator)
    };
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
        amount_total: build::has_amount(entity).then_some(counts.total),
        extra_columns: layout
            .extras
            .iter()
            .filter_map(|&i| layout.names.get(i).cloned())
            .collect(),
    };
    Ok(SecondPass {
        summary,
        rejected,
        sites,
    })
}

/// Reads the file of `entity`, named `file`. Only a sink error stops everything.
pub(crate) fn read_file<S: ExtractSink>(
    source: &dyn ExtractSource,
    file: &str,
    entity: Entity,
    profile: Option<&EntityProfile>,
    known: &Known,
    sink: &mut S,
) -> Result<FileResult, S::Error> {
    let (layout, scan) = match first_pass(source, file, entity, profile) {
        Ok(Some(found)) => found,
        Ok(None) => return Ok(FileResult::Absent(absent(entity, file))),
        Err(u) => return Ok(FileResult::Unreadable(u)),
    };
    let Scan { seen, later } = scan;
    // Keys no later file refers to are only needed for duplicates, found by now.
    let seen = if is_referenced(entity) {
        seen
    } else {
        drop(seen);
        DigestSet::default()
    };
    match second_pass(source, file, entity, &layout, later, known, sink) {
        Ok(pass) => Ok(FileResult::Read {
            summary: pass.summary,
            keys: keys::KeySet::new(seen, pass.rejected),
            sites: pass.sites,
        }),
        Err(Stop::Unreadable(u)) => Ok(FileResult::Unreadable(u)),
        Err(Stop::Sink(e)) => Err(e),
    }
}
