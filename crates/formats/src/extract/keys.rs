//! Row keys, kept compact and out of memory: a key is the 128-bit xxh3 digest of its value (a
//! collision between two different keys, about 1 in 10^26 for a million keys, is not a
//! practical concern), and keys are sorted on disk rather than held in a set (`spill.rs`), so
//! that memory does not grow with the files.
//!
//! The first pass of a file writes (key, line) for every row and (reference, line) for every
//! reference to an earlier file. Sorting the keys puts the rows of a key together: duplicates
//! come out with all their lines, and, for files that later ones refer to, the sorted keys
//! themselves. A reference is then a merge of two sorted lists, the file's references and the
//! earlier file's keys (with its rejected keys): only the rows whose reference is not to an
//! accepted row come out, sorted back by line. The second pass, the real one, reads these
//! answers as its rows come, line after line, and so needs nothing in memory but a buffer.
//!
//! A file that changes between the two passes would get answers meant for other rows: both
//! passes add up a checksum of the keys and references by line, and compare them at the end.

use super::Entity;
use super::layout::{Layout, Source};
use super::locate::{self, Located};
use super::record_reader::{RawRecord, RecordReader};
use super::schema;
use super::spill::{Budget, Cursor, Fixed, RunWriter, Sorted, Sorter, bytes};
use relais_core::calendar::Month;
use relais_core::ids::Siret;
use std::borrow::Cow;
use std::cell::Cell;
use std::io::{self, Read};

/// The digest of a key made of `parts` (joined by a unit separator, which no field holds).
pub(crate) fn digest(parts: &[&str]) -> u128 {
    const STACK: usize = 128;
    match parts {
        [one] => xxhash_rust::xxh3::xxh3_128(one.as_bytes()),
        // Two short parts (a right and a month): joined on the stack rather than in a String,
        // since this runs for each of millions of payments, twice.
        [a, b] if a.len() + b.len() < STACK => {
            let mut buf = [0u8; STACK];
            let mut n = 0;
            for chunk in [a.as_bytes(), b"\x1f", b.as_bytes()] {
                if let Some(dst) = buf.get_mut(n..n + chunk.len()) {
                    dst.copy_from_slice(chunk);
                }
                n += chunk.len();
            }
            xxhash_rust::xxh3::xxh3_128(buf.get(..n).unwrap_or(&[]))
        }
        _ => xxhash_rust::xxh3::xxh3_128(parts.join("\u{1f}").as_bytes()),
    }
}

/// A SIRET as a key: its canonical form when it is valid, so that `732 829 320 00074` in an
/// invoice finds `73282932000074` in the suppliers.
pub(crate) fn siret_key(v: &str) -> Cow<'_, str> {
    match Siret::parse(v) {
        Ok(s) => Cow::Owned(s.as_str().to_owned()),
        Err(_) => Cow::Borrowed(v),
    }
}

/// The trimmed, non-empty value of field `f` of `record` (the profile's default for an empty
/// cell or a missing column), when it can be read.
pub(crate) fn field_value<'a>(
    layout: &'a Layout,
    record: RawRecord<'a>,
    f: usize,
) -> Option<&'a str> {
    let v = match layout.sources.get(f)? {
        Source::Column { index, default } => {
            let text = std::str::from_utf8(record.get(*index)?).ok()?.trim();
            if text.is_empty() {
                default.as_deref()?
            } else {
                text
            }
        }
        Source::Default(d) => d.as_str(),
        Source::Absent => return None,
    };
    (!v.is_empty()).then_some(v)
}

fn is_canonical_month(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 7
        && b.get(4) == Some(&b'-')
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || c.is_ascii_digit())
}

/// One part of a row's key, normalized where two spellings mean the same key.
fn key_part<'a>(entity: Entity, f: usize, v: &'a str) -> Cow<'a, str> {
    match (entity, f) {
        (Entity::Fournisseurs, schema::fournisseurs::SIRET) => siret_key(v),
        // Already `YYYY-MM` (nearly always): as it is, without formatting it again.
        (Entity::Paiements, schema::paiements::MOIS) if is_canonical_month(v) => Cow::Borrowed(v),
        (Entity::Paiements, schema::paiements::MOIS) => match Month::parse(v) {
            Ok(m) => Cow::Owned(m.to_string()),
            Err(_) => Cow::Borrowed(v),
        },
        (Entity::Paie, schema::paie::MOIS) if is_canonical_month(v) => Cow::Borrowed(v),
        (Entity::Paie, schema::paie::MOIS) => match Month::parse(v) {
            Ok(m) => Cow::Owned(m.to_string()),
            Err(_) => Cow::Borrowed(v),
        },
        _ => Cow::Borrowed(v),
    }
}

/// The parts of a row's key, when all of them can be read.
pub(crate) fn key_parts<'a>(
    entity: Entity,
    layout: &'a Layout,
    record: RawRecord<'a>,
) -> Option<Vec<Cow<'a, str>>> {
    schema::key(entity)
        .iter()
        .map(|&f| field_value(layout, record, f).map(|v| key_part(entity, f, v)))
        .collect()
}

/// The digest of a row's key, when it can be read. The same function serves both passes, so
/// that they agree on every key.
pub(crate) fn row_digest(entity: Entity, layout: &Layout, record: RawRecord<'_>) -> Option<u128> {
    // One or two parts, without allocating: this runs for every row of both passes.
    match schema::key(entity) {
        [f] => {
            let v = field_value(layout, record, *f)?;
            Some(digest(&[key_part(entity, *f, v).as_ref()]))
        }
        [f, g] => {
            let a = key_part(entity, *f, field_value(layout, record, *f)?);
            let b = key_part(entity, *g, field_value(layout, record, *g)?);
            Some(digest(&[a.as_ref(), b.as_ref()]))
        }
        _ => {
            let parts = key_parts(entity, layout, record)?;
            let refs: Vec<&str> = parts.iter().map(|p| p.as_ref()).collect();
            Some(digest(&refs))
        }
    }
}

/// A key (or a reference) and the line of its row: sorted by key, then line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct KeyLine {
    // The digest in two halves: 24 bytes in memory rather than the 32 of an aligned u128.
    high: u64,
    low: u64,
    line: u64,
}

impl KeyLine {
    fn new(d: u128, line: u64) -> Self {
        KeyLine {
            high: (d >> 64) as u64,
            low: d as u64,
            line,
        }
    }

    fn digest(&self) -> u128 {
        (u128::from(self.high) << 64) | u128::from(self.low)
    }
}

impl Fixed for KeyLine {
    const SIZE: usize = 24;
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.high.to_le_bytes());
        out.extend_from_slice(&self.low.to_le_bytes());
        out.extend_from_slice(&self.line.to_le_bytes());
    }
    fn get(b: &[u8]) -> Self {
        KeyLine {
            high: u64::from_le_bytes(bytes(b, 0)),
            low: u64::from_le_bytes(bytes(b, 8)),
            line: u64::from_le_bytes(bytes(b, 16)),
        }
    }
}

/// Lines of a duplicated key kept with each of its rows: enough to name six others.
const FIRST_LINES: usize = OTHERS_SHOWN + 1;

/// A row whose key other rows share: sorted by line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct DupRow {
    line: u64,
    /// How many other rows have the key.
    others: u64,
    /// The first lines of the key, in order (0 past the last).
    first: [u64; FIRST_LINES],
}

impl Fixed for DupRow {
    const SIZE: usize = 8 * (2 + FIRST_LINES);
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.line.to_le_bytes());
        out.extend_from_slice(&self.others.to_le_bytes());
        for l in self.first {
            out.extend_from_slice(&l.to_le_bytes());
        }
    }
    fn get(b: &[u8]) -> Self {
        let mut first = [0u64; FIRST_LINES];
        for (i, l) in first.iter_mut().enumerate() {
            *l = u64::from_le_bytes(bytes(b, 16 + 8 * i));
        }
        DupRow {
            line: u64::from_le_bytes(bytes(b, 0)),
            others: u64::from_le_bytes(bytes(b, 8)),
            first,
        }
    }
}

/// The other rows of a duplicated key: a few lines to show, and how many there are.
pub(crate) struct Others {
    pub lines: Vec<u64>,
    pub count: usize,
}

const OTHERS_SHOWN: usize = 6;

impl DupRow {
    /// The rows other than this one: the first six in file order, and their number.
    pub fn others(&self) -> Others {
        let lines = self
            .first
            .iter()
            .copied()
            .filter(|&l| l != 0 && l != self.line)
            .take(OTHERS_SHOWN)
            .collect();
        Others {
            lines,
            count: usize::try_from(self.others).unwrap_or(usize::MAX),
        }
    }
}

/// Where a referenced key stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    Accepted,
    Rejected,
    Unknown,
}

/// The verdict on the reference of field `slot` of the row at `line`, when it is not to an
/// accepted row: sorted by line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Answer {
    line: u64,
    slot: u8,
    /// 1: rejected, 2: unknown.
    verdict: u8,
}

impl Answer {
    fn lookup(&self) -> Lookup {
        match self.verdict {
            1 => Lookup::Rejected,
            2 => Lookup::Unknown,
            _ => Lookup::Accepted,
        }
    }
}

impl Fixed for Answer {
    const SIZE: usize = 10;
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.line.to_le_bytes());
        out.push(self.slot);
        out.push(self.verdict);
    }
    fn get(b: &[u8]) -> Self {
        let [slot, verdict] = bytes(b, 8);
        Answer {
            line: u64::from_le_bytes(bytes(b, 0)),
            slot,
            verdict,
        }
    }
}

/// A field that refers to the keys of an earlier file.
#[derive(Debug)]
pub(crate) struct Reference {
    pub field: usize,
    pub to: Entity,
}

/// Most references of one file (droits: the person and the payee).
pub(crate) const MOST_REFERENCES: usize = 2;

/// The references of `entity`'s rows, in slot order (docs/extracts.md § 5).
pub(crate) fn references(entity: Entity) -> &'static [Reference] {
    use schema::{beneficiaires, droits, factures, paie, paiements};
    match entity {
        Entity::Beneficiaires => &[Reference {
            field: beneficiaires::SITE,
            to: Entity::Annuaire,
        }],
        Entity::Droits => &[
            Reference {
                field: droits::DOSSIER,
                to: Entity::Beneficiaires,
            },
            Reference {
                field: droits::TIERS_ID,
                to: Entity::Tiers,
            },
        ],
        Entity::Paiements => &[Reference {
            field: paiements::DROIT_ID,
            to: Entity::Droits,
        }],
        Entity::Paie => &[Reference {
            field: paie::MATRICULE,
            to: Entity::Agents,
        }],
        Entity::Factures => &[Reference {
            field: factures::SIRET,
            to: Entity::Fournisseurs,
        }],
        _ => &[],
    }
}

/// The value the builder looks up for reference field `f` of a row: the field as the checker
/// reads it, and a SIRET only when it parses (then in its canonical form, as the builder has
/// it).
fn reference_value(entity: Entity, f: usize, located: Located<'_>) -> Option<Cow<'_, str>> {
    let Located::Value(v) = located else {
        return None;
    };
    match (entity, f) {
        (Entity::Factures, schema::factures::SIRET) => Siret::parse(v)
            .ok()
            .map(|s| Cow::Owned(s.as_str().to_owned())),
        _ => Some(Cow::Borrowed(v)),
    }
}

/// The slot of the row's own key in the checksum of a pass.
const KEY_SLOT: u8 = u8::MAX;

/// One key or reference of a row, spread over 64 bits for the checksum of a pass (a sum, so
/// the order rows are added in does not matter).
fn mix(line: u64, slot: u8, d: u128) -> u64 {
    let mut z = (d as u64)
        ^ ((d >> 64) as u64).rotate_left(29)
        ^ line.wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ (u64::from(slot) << 56);
    // splitmix64's finalizer.
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// What a pass saw of a file, to tell that both passes read the same rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Fold {
    rows: u64,
    sum: u64,
}

impl Fold {
    pub fn row(&mut self) {
        self.rows += 1;
    }

    pub fn key(&mut self, line: u64, d: u128) {
        self.sum = self.sum.wrapping_add(mix(line, KEY_SLOT, d));
    }

    fn reference(&mut self, line: u64, slot: usize, d: u128) {
        let slot = u8::try_from(slot).unwrap_or(KEY_SLOT - 1);
        self.sum = self.sum.wrapping_add(mix(line, slot, d));
    }

    fn add(&mut self, other: u64) {
        self.sum = self.sum.wrapping_add(other);
    }
}

/// The keys of a file that later files refer to: every key, sorted, and the keys of its
/// rejected rows, sorted. A key is accepted when it is among the first and not the second
/// (every row of a key is either accepted or rejected, duplicates all rejected). The default
/// table is empty: every reference to it is unknown.
#[derive(Default)]
pub(crate) struct Table {
    keys: Sorted<u128>,
    rejected: Sorted<u128>,
}

impl Table {
    pub fn new(keys: Sorted<u128>, rejected: Sorted<u128>) -> Self {
        Table { keys, rejected }
    }
}

/// The tables of the files read so far that later files refer to.
#[derive(Default)]
pub(crate) struct Tables {
    /// Site codes of the directory (every row's, rejected or not); `None` when annuaire.csv
    /// was not read (sites are not checked then).
    pub sites: Option<Table>,
    pub people: Table,
    pub payees: Table,
    pub rights: Table,
    pub agents: Table,
    pub suppliers: Table,
}

impl Tables {
    /// The table references to `entity` are checked against; `None` when they are not.
    pub fn of(&self, entity: Entity) -> Option<&Table> {
        match entity {
            Entity::Annuaire => self.sites.as_ref(),
            Entity::Beneficiaires => Some(&self.people),
            Entity::Tiers => Some(&self.payees),
            Entity::Droits => Some(&self.rights),
            Entity::Agents => Some(&self.agents),
            Entity::Fournisseurs => Some(&self.suppliers),
            _ => None,
        }
    }
}

/// Why a pass over a file stopped.
pub(crate) enum Failure {
    /// Reading the file failed.
    Read(io::Error),
    /// Writing or reading back a temporary file failed.
    Spill(io::Error),
}

/// What the first pass gathers of a file, still to be sorted.
pub(crate) struct Scan {
    keys: Sorter<KeyLine>,
    /// One per reference of the file, `None` when it is not checked.
    references: Vec<Option<Sorter<KeyLine>>>,
    /// Site codes, for annuaire.csv.
    sites: Option<Sorter<u128>>,
    fold: Fold,
}

/// Reads the rest of a file (after its header) for its keys and references; `checked` tells,
/// for each of [`references`], whether it is checked.
pub(crate) fn scan<R: Read>(
    entity: Entity,
    layout: &Layout,
    records: &mut RecordReader<R>,
    checked: &[bool],
    budget: &Budget,
) -> Result<Scan, Failure> {
    let refs = references(entity);
    let mut scan = Scan {
        keys: Sorter::new(budget),
        references: refs
            .iter()
            .enumerate()
            .map(|(i, _)| {
                checked
                    .get(i)
                    .copied()
                    .unwrap_or(false)
                    .then(|| Sorter::new(budget))
            })
            .collect(),
        sites: (entity == Entity::Annuaire).then(|| Sorter::new(budget)),
        fold: Fold::default(),
    };
    let spill = Failure::Spill;
    while let Some(line) = records.next_record().map_err(Failure::Read)? {
        let record = records.record();
        if record.is_blank() {
            continue;
        }
        scan.fold.row();
        if let Some(d) = row_digest(entity, layout, record) {
            scan.fold.key(line, d);
            scan.keys.push(KeyLine::new(d, line)).map_err(spill)?;
        }
        if scan.references.iter().any(Option::is_some) {
            let text = locate::row_text(record);
            for (slot, (r, sorter)) in refs.iter().zip(scan.references.iter_mut()).enumerate() {
                let Some(sorter) = sorter else { continue };
                let located = locate::locate(layout, record, text, r.field);
                if let Some(v) = reference_value(entity, r.field, located) {
                    let d = digest(&[v.as_ref()]);
                    scan.fold.reference(line, slot, d);
                    sorter.push(KeyLine::new(d, line)).map_err(spill)?;
                }
            }
        }
        if let Some(sites) = &mut scan.sites
            && let Some(code) = field_value(layout, record, schema::annuaire::SITE_CODE)
        {
            sites.push(digest(&[code])).map_err(spill)?;
        }
    }
    Ok(scan)
}

/// What the second pass needs, found by sorting what the first gathered.
pub(crate) struct Prepared {
    /// Rows whose key other rows share, by line.
    pub duplicates: Sorted<DupRow>,
    /// Rows whose reference is not to an accepted row, by line.
    pub answers: Sorted<Answer>,
    /// Every key of the file, sorted, when `keep_keys` (site codes for annuaire.csv).
    pub keys: Sorted<u128>,
    pub fold: Fold,
}

impl Scan {
    /// Sorts the keys (duplicates, and the keys themselves when `keep_keys`) and checks the
    /// references against `tables`.
    pub fn prepare(
        self,
        entity: Entity,
        keep_keys: bool,
        tables: &Tables,
        budget: &Budget,
    ) -> io::Result<Prepared> {
        let Scan {
            keys,
            references: refs,
            sites,
            fold,
        } = self;
        let (duplicates, mut kept) = duplicates(keys, keep_keys, budget)?;
        if let Some(sites) = sites {
            kept = sites.finish()?;
        }
        let mut answers = Sorter::new(budget);
        for (slot, (r, sorter)) in references(entity).iter().zip(refs).enumerate() {
            if let (Some(sorter), Some(table)) = (sorter, tables.of(r.to)) {
                let slot = u8::try_from(slot).unwrap_or(u8::MAX);
                join(sorter.finish()?, table, slot, &mut answers)?;
            }
        }
        Ok(Prepared {
            duplicates,
            answers: answers.finish()?,
            keys: kept,
            fold,
        })
    }
}

mod groups;
pub(crate) use groups::{Answers, RowRefs};
use groups::{duplicates, join};

#[cfg(test)]
mod tests;
