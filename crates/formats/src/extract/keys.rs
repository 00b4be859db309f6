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
use super::check::{self, Located};
use super::layout::{Layout, Source};
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
    use schema::{beneficiaires, droits, factures, paiements};
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
            let text = check::row_text(record);
            for (slot, (r, sorter)) in refs.iter().zip(scan.references.iter_mut()).enumerate() {
                let Some(sorter) = sorter else { continue };
                let located = check::locate(layout, record, text, r.field);
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

/// The lines of the key being read from the sorted keys.
struct Group {
    digest: Option<u128>,
    count: u64,
    first: [u64; FIRST_LINES],
    /// The lines, up to a buffer's worth; the rest (a key on very many rows) on disk.
    lines: Vec<u64>,
    capacity: usize,
    more: Option<RunWriter<u64>>,
}

impl Group {
    fn add(&mut self, line: u64, budget: &Budget) -> io::Result<()> {
        if let Some(slot) = usize::try_from(self.count)
            .ok()
            .and_then(|i| self.first.get_mut(i))
        {
            *slot = line;
        }
        self.count += 1;
        if self.lines.len() < self.capacity {
            self.lines.push(line);
        } else {
            let more = match &mut self.more {
                Some(w) => w,
                None => self.more.insert(RunWriter::new(budget)?),
            };
            more.push(line)?;
        }
        Ok(())
    }

    /// Hands over every row of the key when there are several, and starts on `next`.
    fn end(&mut self, dups: &mut Sorter<DupRow>, next: Option<u128>) -> io::Result<()> {
        if self.count > 1 {
            let (others, first) = (self.count - 1, self.first);
            let row = |line| DupRow {
                line,
                others,
                first,
            };
            for &line in &self.lines {
                dups.push(row(line))?;
            }
            if let Some(more) = self.more.take() {
                let more = more.into_sorted()?;
                let mut lines = more.iter()?;
                while let Some(line) = lines.next()? {
                    dups.push(row(line))?;
                }
            }
        }
        self.digest = next;
        self.count = 0;
        self.first = [0; FIRST_LINES];
        self.lines.clear();
        self.more = None;
        Ok(())
    }
}

/// Sorts the keys of a file: the rows of duplicated keys by line, and the distinct keys when
/// `keep_keys`.
fn duplicates(
    keys: Sorter<KeyLine>,
    keep_keys: bool,
    budget: &Budget,
) -> io::Result<(Sorted<DupRow>, Sorted<u128>)> {
    let sorted = keys.finish()?;
    let mut keys = sorted.iter()?;
    let mut dups = Sorter::new(budget);
    let mut kept = if keep_keys {
        Some(RunWriter::new(budget)?)
    } else {
        None
    };
    let mut group = Group {
        digest: None,
        count: 0,
        first: [0; FIRST_LINES],
        lines: Vec::new(),
        capacity: (budget.chunk_bytes / 8).max(1),
        more: None,
    };
    while let Some(k) = keys.next()? {
        let d = k.digest();
        if group.digest != Some(d) {
            group.end(&mut dups, Some(d))?;
            if let Some(kept) = &mut kept {
                kept.push(d)?;
            }
        }
        group.add(k.line, budget)?;
    }
    group.end(&mut dups, None)?;
    let kept = match kept {
        Some(w) => w.into_sorted()?,
        None => Sorted::default(),
    };
    Ok((dups.finish()?, kept))
}

/// Checks sorted references against a table, in one merge: every reference not to an
/// accepted row gives an answer.
fn join(
    refs: Sorted<KeyLine>,
    table: &Table,
    slot: u8,
    answers: &mut Sorter<Answer>,
) -> io::Result<()> {
    let mut refs = refs.iter()?;
    let mut keys = table.keys.iter()?;
    let mut rejected = table.rejected.iter()?;
    let mut key = keys.next()?;
    let mut bad = rejected.next()?;
    while let Some(r) = refs.next()? {
        let d = r.digest();
        while key.is_some_and(|k| k < d) {
            key = keys.next()?;
        }
        while bad.is_some_and(|k| k < d) {
            bad = rejected.next()?;
        }
        let verdict = if bad == Some(d) {
            1
        } else if key == Some(d) {
            continue;
        } else {
            2
        };
        answers.push(Answer {
            line: r.line,
            slot,
            verdict,
        })?;
    }
    Ok(())
}

/// During the real pass: the duplicates and the answers, taken as the rows come.
pub(crate) struct Answers<'a> {
    duplicates: Cursor<'a, DupRow>,
    answers: Cursor<'a, Answer>,
}

impl<'a> Answers<'a> {
    pub fn new(prepared: &'a Prepared) -> io::Result<Self> {
        Ok(Answers {
            duplicates: Cursor::new(&prepared.duplicates)?,
            answers: Cursor::new(&prepared.answers)?,
        })
    }

    /// The other rows of the key of the row at `line`, when there are some.
    pub fn duplicate(&mut self, line: u64) -> io::Result<Option<DupRow>> {
        self.duplicates.take(|r| r.line.cmp(&line))
    }

    /// The verdicts on the references of the row at `line`, by slot.
    pub fn verdicts(&mut self, line: u64) -> io::Result<[Lookup; MOST_REFERENCES]> {
        let mut verdicts = [Lookup::Accepted; MOST_REFERENCES];
        while let Some(a) = self.answers.take(|a| a.line.cmp(&line))? {
            if let Some(v) = verdicts.get_mut(usize::from(a.slot)) {
                *v = a.lookup();
            }
        }
        Ok(verdicts)
    }
}

/// The verdicts on the current row's references, as the builders look them up.
pub(crate) struct RowRefs {
    references: &'static [Reference],
    line: u64,
    verdicts: [Lookup; MOST_REFERENCES],
    /// The references looked up, for the checksum of the pass.
    fold: Cell<Fold>,
}

impl RowRefs {
    pub fn new(entity: Entity) -> Self {
        RowRefs {
            references: references(entity),
            line: 0,
            verdicts: [Lookup::Accepted; MOST_REFERENCES],
            fold: Cell::new(Fold::default()),
        }
    }

    /// Moves to the row at `line`.
    pub fn start(&mut self, line: u64, verdicts: [Lookup; MOST_REFERENCES]) {
        self.line = line;
        self.verdicts = verdicts;
    }

    /// Where the row referred to by `value` of field `f` stands.
    pub fn lookup(&self, f: usize, value: &str) -> Lookup {
        let Some(slot) = self.references.iter().position(|r| r.field == f) else {
            return Lookup::Unknown;
        };
        let mut fold = self.fold.get();
        fold.reference(self.line, slot, digest(&[value]));
        self.fold.set(fold);
        self.verdicts.get(slot).copied().unwrap_or(Lookup::Unknown)
    }

    /// The sum of the references looked up so far.
    pub fn fold_sum(&self) -> u64 {
        self.fold.get().sum
    }
}

impl Fold {
    /// This pass's fold with `references` (a [`RowRefs::fold_sum`]) added.
    pub fn with(mut self, references: u64) -> Fold {
        self.add(references);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_separate_parts() {
        assert_ne!(digest(&["ab", "c"]), digest(&["a", "bc"]));
        // Joined on the stack or in a String, the same digest.
        let long = "x".repeat(200);
        assert_eq!(
            digest(&[&long, "c"]),
            xxhash_rust::xxh3::xxh3_128(format!("{long}\u{1f}c").as_bytes())
        );
        assert_eq!(
            digest(&["R1", "2026-01"]),
            xxhash_rust::xxh3::xxh3_128("R1\u{1f}2026-01".as_bytes())
        );
        assert_eq!(digest(&["a", "b", "c"]), digest(&["a\u{1f}b", "c"]));
        assert_eq!(digest(&["D1"]), digest(&["D1"]));
        assert_ne!(digest(&["D1"]), digest(&["D2"]));
    }

    #[test]
    fn months_in_keys() {
        assert!(is_canonical_month("2026-03"));
        assert!(!is_canonical_month("2026-3"));
        assert!(!is_canonical_month("2026/03"));
        assert_eq!(
            key_part(Entity::Paiements, schema::paiements::MOIS, "2026-03"),
            "2026-03"
        );
    }

    #[test]
    fn siret_keys_are_canonical() {
        assert_eq!(siret_key("732 829 320 00074"), "73282932000074");
        assert_eq!(siret_key("pas un siret"), "pas un siret");
    }

    fn budgets() -> [Budget; 3] {
        let budget = |chunk_bytes, fan_in| Budget {
            chunk_bytes,
            fan_in,
            dir: None,
        };
        [budget(48, 2), budget(200, 3), budget(1 << 20, 64)]
    }

    fn all<T: Fixed>(s: &Sorted<T>) -> Vec<T> {
        let mut m = s.iter().expect("iter");
        let mut out = Vec::new();
        while let Some(r) = m.next().expect("next") {
            out.push(r);
        }
        out
    }

    fn sorter_of<T: Fixed>(records: &[T], budget: &Budget) -> Sorter<T> {
        let mut s = Sorter::new(budget);
        for &r in records {
            s.push(r).expect("push");
        }
        s
    }

    #[test]
    fn duplicates_name_each_other() {
        for budget in budgets() {
            // Key 7 on lines 3, 5, 9; key 8 on line 2 alone; key 6 on lines 4 and 10.
            let keys = [(7, 5), (8, 2), (7, 3), (6, 10), (7, 9), (6, 4)]
                .map(|(d, line)| KeyLine::new(d, line));
            let (dups, kept) =
                duplicates(sorter_of(&keys, &budget), true, &budget).expect("duplicates");
            assert_eq!(all(&kept), vec![6, 7, 8]);
            let dups = all(&dups);
            let seen: Vec<(u64, Vec<u64>, usize)> = dups
                .iter()
                .map(|r| {
                    let o = r.others();
                    (r.line, o.lines, o.count)
                })
                .collect();
            assert_eq!(
                seen,
                vec![
                    (3, vec![5, 9], 2),
                    (4, vec![10], 1),
                    (5, vec![3, 9], 2),
                    (9, vec![3, 5], 2),
                    (10, vec![4], 1),
                ]
            );
            let (_, kept) =
                duplicates(sorter_of(&keys, &budget), false, &budget).expect("duplicates");
            assert!(all(&kept).is_empty());
        }
    }

    #[test]
    fn a_key_on_very_many_rows_names_the_first_ones() {
        for budget in budgets() {
            let keys: Vec<KeyLine> = (2..2000).rev().map(|l| KeyLine::new(42, l)).collect();
            let (dups, _) =
                duplicates(sorter_of(&keys, &budget), false, &budget).expect("duplicates");
            let dups = all(&dups);
            assert_eq!(dups.len(), 1998);
            assert!(dups.iter().zip(2..).all(|(r, l)| r.line == l));
            let first = dups.first().expect("first").others();
            assert_eq!((first.lines, first.count), (vec![3, 4, 5, 6, 7, 8], 1997));
            let fifth = dups.get(4).expect("fifth").others();
            assert_eq!(fifth.lines, vec![2, 3, 4, 5, 7, 8]);
            let last = dups.last().expect("last").others();
            assert_eq!((last.lines, last.count), (vec![2, 3, 4, 5, 6, 7], 1997));
        }
    }

    #[test]
    fn references_are_accepted_rejected_or_unknown() {
        for budget in budgets() {
            let table = Table::new(
                sorter_of(&[3u128, 1, 2], &budget).finish().expect("keys"),
                sorter_of(&[2u128, 2], &budget).finish().expect("rejected"),
            );
            let refs = [
                (1, 10),
                (2, 11),
                (4, 12),
                (2, 13),
                (0, 14),
                (3, 15),
                (9, 16),
            ]
            .map(|(d, line)| KeyLine::new(d, line));
            let mut answers = Sorter::new(&budget);
            let refs = sorter_of(&refs, &budget).finish().expect("refs");
            join(refs, &table, 1, &mut answers).expect("join");
            let got: Vec<(u64, u8, Lookup)> = all(&answers.finish().expect("answers"))
                .iter()
                .map(|a| (a.line, a.slot, a.lookup()))
                .collect();
            use Lookup::*;
            assert_eq!(
                got,
                vec![
                    (11, 1, Rejected),
                    (12, 1, Unknown),
                    (13, 1, Rejected),
                    (14, 1, Unknown),
                    (16, 1, Unknown)
                ]
            );
            // An empty table: every reference is unknown.
            let refs = sorter_of(&[KeyLine::new(1, 3)], &budget)
                .finish()
                .expect("refs");
            let mut answers = Sorter::new(&budget);
            join(refs, &Table::default(), 0, &mut answers).expect("join");
            let got = all(&answers.finish().expect("answers"));
            assert_eq!(
                got.iter().map(Answer::lookup).collect::<Vec<_>>(),
                vec![Unknown]
            );
        }
    }

    #[test]
    fn records_read_back_as_written() {
        let k = KeyLine::new(u128::MAX - 5, 77);
        let mut b = Vec::new();
        k.put(&mut b);
        assert_eq!((b.len(), KeyLine::get(&b)), (KeyLine::SIZE, k));
        assert_eq!(k.digest(), u128::MAX - 5);
        let d = DupRow {
            line: 9,
            others: 3,
            first: [1, 2, 9, 12, 0, 0, 0],
        };
        let mut b = Vec::new();
        d.put(&mut b);
        assert_eq!((b.len(), DupRow::get(&b)), (DupRow::SIZE, d));
        let a = Answer {
            line: 1 << 40,
            slot: 1,
            verdict: 2,
        };
        let mut b = Vec::new();
        a.put(&mut b);
        assert_eq!((b.len(), Answer::get(&b)), (Answer::SIZE, a));
        // Sorted by digest then line, as the u128 and the line would be.
        assert!(KeyLine::new(1 << 64, 1) > KeyLine::new((1 << 64) - 1, 2));
        assert!(KeyLine::new(5, 1) < KeyLine::new(5, 2));
    }

    #[test]
    fn checksums_tell_rows_apart() {
        let mut a = Fold::default();
        a.row();
        a.key(2, 7);
        let mut b = Fold::default();
        b.row();
        b.key(3, 7);
        assert_ne!(a, b);
        let mut c = Fold::default();
        c.row();
        c.reference(2, 0, 7);
        assert_ne!(a, c);
    }
}
