//! Row keys, kept compact: a key is remembered as the 128-bit xxh3 digest of its value, so a
//! million people take 16 bytes each instead of their strings, and a collision between two
//! different keys (about 1 in 10^26 for a million keys) is not a practical concern.
//!
//! Duplicates need two passes: the first collects every key and, for keys seen more than
//! once, the lines of their later rows; the second, the real one, then rejects every row of
//! such a key and names the other lines.

use super::Entity;
use super::layout::{Layout, Source};
use super::record_reader::{RawRecord, RecordReader};
use super::schema;
use relais_core::calendar::Month;
use relais_core::ids::Siret;
use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Read};

/// Hashes a digest that is already uniformly spread: its low bits are the hash.
#[derive(Default)]
pub(crate) struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u128 digests are hashed here; this keeps any other input well spread anyway.
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u128(&mut self, v: u128) {
        self.0 = v as u64 ^ (v >> 64) as u64;
    }
}

type BuildDigest = BuildHasherDefault<DigestHasher>;
pub(crate) type DigestSet = HashSet<u128, BuildDigest>;
pub(crate) type DigestMap<V> = HashMap<u128, V, BuildDigest>;

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

/// What the first pass learns of a file.
#[derive(Default)]
pub(crate) struct Scan {
    /// Every key read.
    pub seen: DigestSet,
    /// For keys seen more than once: the lines of the second and later rows, in order.
    pub later: DigestMap<Vec<u64>>,
}

/// Reads the rest of a file (after its header) for its keys.
pub(crate) fn scan<R: Read>(
    entity: Entity,
    layout: &Layout,
    records: &mut RecordReader<R>,
) -> io::Result<Scan> {
    let mut scan = Scan::default();
    while let Some(line) = records.next_record()? {
        let record = records.record();
        if record.is_blank() {
            continue;
        }
        if let Some(d) = row_digest(entity, layout, record)
            && !scan.seen.insert(d)
        {
            scan.later.entry(d).or_default().push(line);
        }
    }
    Ok(scan)
}

/// During the real pass: which rows share their key with others, and on which lines.
pub(crate) struct Duplicates {
    later: DigestMap<Vec<u64>>,
    first: DigestMap<u64>,
}

/// The other rows of a duplicated key: a few lines to show, and how many there are.
pub(crate) struct Others {
    pub lines: Vec<u64>,
    pub count: usize,
}

const OTHERS_SHOWN: usize = 6;

impl Duplicates {
    pub fn new(later: DigestMap<Vec<u64>>) -> Self {
        Duplicates {
            later,
            first: DigestMap::default(),
        }
    }

    /// Whether the file has no duplicated key at all (then keys need not be looked at).
    pub fn is_empty(&self) -> bool {
        self.later.is_empty()
    }

    /// The other rows with key `d`, for the row at `line`; `None` when the key is unique.
    pub fn others(&mut self, d: u128, line: u64) -> Option<Others> {
        let later = self.later.get(&d)?;
        // Lines are pushed in file order, so a binary search finds a later row at once.
        let is_later = later.binary_search(&line).is_ok();
        let first = if is_later {
            self.first.get(&d).copied()
        } else {
            // Both passes read the same rows in the same order: the first row of the key is
            // the one not in the list, and it comes before the others.
            self.first.insert(d, line);
            None
        };
        let lines = first
            .into_iter()
            .chain(later.iter().copied().filter(|&l| l != line))
            .take(OTHERS_SHOWN)
            .collect();
        // The first row has all the later ones as others; a later one has the first and the
        // other later ones: as many either way.
        Some(Others {
            lines,
            count: later.len(),
        })
    }
}

/// The keys of a file that other files refer to.
#[derive(Default)]
pub(crate) struct KeySet {
    seen: DigestSet,
    rejected: DigestSet,
    /// The last key looked up and its answer: exports are usually sorted, so the payments of
    /// one right (the rights of one person) follow each other, and a repeated key is then
    /// answered without touching the large set again (a cache miss each time).
    last: Cell<Option<(u128, Lookup)>>,
}

/// Where a referenced key stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    Accepted,
    Rejected,
    Unknown,
}

impl KeySet {
    pub fn new(seen: DigestSet, rejected: DigestSet) -> Self {
        KeySet {
            seen,
            rejected,
            last: Cell::new(None),
        }
    }

    /// Every row of a key is either accepted or rejected (duplicates are all rejected), so
    /// the accepted keys are the keys seen less the rejected ones: one set, not two.
    pub fn lookup(&self, d: u128) -> Lookup {
        if let Some((last, answer)) = self.last.get()
            && last == d
        {
            return answer;
        }
        let answer = if self.rejected.contains(&d) {
            Lookup::Rejected
        } else if self.seen.contains(&d) {
            Lookup::Accepted
        } else {
            Lookup::Unknown
        };
        self.last.set(Some((d, answer)));
        answer
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

    #[test]
    fn duplicates_name_each_other() {
        let mut later = DigestMap::default();
        later.insert(7, vec![5, 9]);
        let mut d = Duplicates::new(later);
        assert!(d.others(8, 2).is_none());
        let first = d.others(7, 3).expect("dup");
        assert_eq!((first.lines, first.count), (vec![5, 9], 2));
        let second = d.others(7, 5).expect("dup");
        assert_eq!((second.lines, second.count), (vec![3, 9], 2));
        let third = d.others(7, 9).expect("dup");
        assert_eq!((third.lines, third.count), (vec![3, 5], 2));
    }

    #[test]
    fn lookups() {
        let mut seen = DigestSet::default();
        seen.insert(1);
        seen.insert(2);
        let mut rejected = DigestSet::default();
        rejected.insert(2);
        let k = KeySet::new(seen, rejected);
        assert_eq!(k.lookup(1), Lookup::Accepted);
        assert_eq!(k.lookup(1), Lookup::Accepted);
        assert_eq!(k.lookup(2), Lookup::Rejected);
        assert_eq!(k.lookup(2), Lookup::Rejected);
        assert_eq!(k.lookup(1), Lookup::Accepted);
        assert_eq!(k.lookup(3), Lookup::Unknown);
        assert_eq!(KeySet::default().lookup(1), Lookup::Unknown);
    }
}
