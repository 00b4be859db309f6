//! An external merge sort of records, for sorting more rows than memory should hold (the
//! lines of a national payment run: over a million) with memory that does not grow with
//! their number.
//!
//! A record is a list of fields, each a length (`u32`, little-endian) and its bytes, written
//! straight into one buffer (no allocation per record). When the buffer reaches its limit,
//! its records are sorted and written to an unnamed temporary file (`O_TMPFILE`: nothing is
//! left behind, even by a process killed halfway) on another thread, while the next records
//! fill a second buffer; the sorted files are then merged. Records that compare equal keep
//! the order they were pushed in.

use std::cmp::Ordering;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// How records compare.
pub type Compare = fn(&[u8], &[u8]) -> Ordering;

/// Appends a field to a record being built.
pub fn put(record: &mut Vec<u8>, field: &[u8]) -> io::Result<()> {
    let len = u32::try_from(field.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "field over 4 GiB"))?;
    record.extend_from_slice(&len.to_le_bytes());
    record.extend_from_slice(field);
    Ok(())
}

/// The fields of a record, in order; stops at the first malformed one.
pub fn fields(record: &[u8]) -> Fields<'_> {
    Fields { rest: record }
}

pub struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    /// The next field as text (`None` when missing or not UTF-8).
    pub fn text(&mut self) -> Option<&'a str> {
        self.next().and_then(|b| std::str::from_utf8(b).ok())
    }

    /// The next field as an `i64` of 8 little-endian bytes.
    pub fn int(&mut self) -> Option<i64> {
        self.next()
            .and_then(|b| b.try_into().ok())
            .map(i64::from_le_bytes)
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (len, rest) = self.rest.split_first_chunk::<4>()?;
        let len = usize::try_from(u32::from_le_bytes(*len)).ok()?;
        if len > rest.len() {
            self.rest = &[];
            return None;
        }
        let (field, rest) = rest.split_at(len);
        self.rest = rest;
        Some(field)
    }
}

/// A buffer of records: their bytes, and where each is.
#[derive(Default)]
struct Batch {
    buffer: Vec<u8>,
    records: Vec<Range<usize>>,
}

impl Batch {
    fn sort(&mut self, compare: Compare) {
        let buffer = &self.buffer;
        // Stable: equal records keep their order.
        self.records
            .sort_by(|a, b| compare(&buffer[a.clone()], &buffer[b.clone()]));
    }

    /// Sorts the records and writes them to a temporary file in `dir`.
    fn spill(&mut self, compare: Compare, dir: &Path) -> io::Result<File> {
        self.sort(compare);
        sorted_file(dir, |out| {
            for r in &self.records {
                write_record(out, &self.buffer[r.clone()])?;
            }
            Ok(())
        })
    }
}

/// A batch being sorted and written on another thread; the batch comes back, emptied.
type Spilling = std::thread::JoinHandle<(io::Result<File>, Batch)>;

/// Records pushed one at a time, read back sorted.
pub struct ExternalSort {
    compare: Compare,
    dir: PathBuf,
    limit: usize,
    batch: Batch,
    /// The previous full batch, being sorted and written on another thread while this one
    /// fills (the thread that pushes never waits for the disk, unless it fills a batch
    /// before the previous one is written).
    spilling: Option<Spilling>,
    /// Sorted files written so far.
    runs: Vec<File>,
}

impl ExternalSort {
    /// A sort that keeps about `limit` bytes of records in memory (twice that while a full
    /// batch is written), and writes the rest to temporary files in `dir`.
    pub fn new(dir: &Path, limit: usize, compare: Compare) -> ExternalSort {
        ExternalSort {
            compare,
            dir: dir.to_owned(),
            limit,
            batch: Batch::default(),
            spilling: None,
            runs: Vec::new(),
        }
    }

    /// Adds one record, which `build` writes (with [`put`]) at the end of the buffer it is
    /// given.
    pub fn push(&mut self, build: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> io::Result<()> {
        let buffer = &mut self.batch.buffer;
        let start = buffer.len();
        if let Err(e) = build(buffer) {
            buffer.truncate(start);
            return Err(e);
        }
        self.batch.records.push(start..buffer.len());
        if buffer.len() >= self.limit {
            self.spill()?;
        }
        Ok(())
    }

    /// Waits for the batch being written, if any; its file then follows the earlier ones. Its
    /// emptied buffers are given back.
    fn wait_spilled(&mut self) -> io::Result<Option<Batch>> {
        let Some(spilling) = self.spilling.take() else {
            return Ok(None);
        };
        let (file, mut batch) = spilling
            .join()
            .map_err(|_| io::Error::other("the sort's writing thread panicked"))?;
        self.runs.push(file?);
        batch.buffer.clear();
        batch.records.clear();
        if self.runs.len() >= MAX_FILES {
            self.merge_files()?;
        }
        Ok(Some(batch))
    }

    /// Hands the full batch to a thread that sorts it and writes it to a temporary file; the
    /// next batch fills the buffers of the one written before.
    fn spill(&mut self) -> io::Result<()> {
        let next = self.wait_spilled()?.unwrap_or_default();
        let mut full = std::mem::replace(&mut self.batch, next);
        let (compare, dir) = (self.compare, self.dir.clone());
        self.spilling = Some(std::thread::spawn(move || {
            let file = full.spill(compare, &dir);
            (file, full)
        }));
        Ok(())
    }

    /// Merges the sorted files into one, so that no more than [`MAX_FILES`] are ever open.
    fn merge_files(&mut self) -> io::Result<()> {
        let mut merged = Sorted::merge(self.compare, std::mem::take(&mut self.runs))?;
        let file = sorted_file(&self.dir, |out| {
            while let Some(record) = merged.next()? {
                write_record(out, record)?;
            }
            Ok(())
        })?;
        // Its records were pushed before any later file's: it stays first.
        self.runs.push(file);
        Ok(())
    }

    /// The records pushed so far, sorted; the sort is left empty.
    pub fn finish(&mut self) -> io::Result<Sorted> {
        self.wait_spilled()?;
        let mut batch = std::mem::take(&mut self.batch);
        if self.runs.is_empty() {
            batch.sort(self.compare);
            return Ok(Sorted(Source::Memory {
                buffer: batch.buffer,
                records: batch.records.into_iter(),
                current: 0..0,
            }));
        }
        if !batch.records.is_empty() {
            self.runs.push(batch.spill(self.compare, &self.dir)?);
        }
        Sorted::merge(self.compare, std::mem::take(&mut self.runs))
    }
}

/// An unnamed temporary file in `dir` that `write` fills, ready to be read from its start.
fn sorted_file(
    dir: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> io::Result<File> {
    let mut out = BufWriter::with_capacity(1 << 16, tempfile::tempfile_in(dir)?);
    write(&mut out)?;
    let mut file = out.into_inner().map_err(|e| e.into_error())?;
    file.rewind()?;
    Ok(file)
}

/// Files open at once, at most (each a 64 KiB buffer when merged).
const MAX_FILES: usize = 64;

fn write_record(out: &mut impl Write, record: &[u8]) -> io::Result<()> {
    out.write_all(&(record.len() as u64).to_le_bytes())?;
    out.write_all(record)
}

/// One sorted file being merged, with its current record.
struct Run {
    reader: BufReader<File>,
    record: Vec<u8>,
    live: bool,
}

impl Run {
    fn advance(&mut self) -> io::Result<()> {
        let mut len = [0u8; 8];
        match self.reader.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                self.live = false;
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        let len = usize::try_from(u64::from_le_bytes(len))
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "record too long"))?;
        self.record.resize(len, 0);
        self.reader.read_exact(&mut self.record)
    }
}

/// The sorted records, read one at a time.
pub struct Sorted(Source);

enum Source {
    Memory {
        buffer: Vec<u8>,
        records: std::vec::IntoIter<Range<usize>>,
        current: Range<usize>,
    },
    Merge {
        compare: Compare,
        runs: Vec<Run>,
        /// The live runs, the one with the smallest current record last (ties: the run
        /// pushed first is the smaller).
        order: Vec<usize>,
        /// The run whose record was given last (to advance before the next).
        last: Option<usize>,
    },
}

/// Puts run `i` in `order` (see [`Source::Merge`]) after the runs above it: a binary search,
/// a few comparisons whatever the number of files.
fn place(compare: Compare, runs: &[Run], order: &mut Vec<usize>, i: usize) {
    let at = order.partition_point(|&j| {
        compare(&runs[j].record, &runs[i].record)
            .then(j.cmp(&i))
            .is_gt()
    });
    order.insert(at, i);
}

impl Sorted {
    fn merge(compare: Compare, files: Vec<File>) -> io::Result<Sorted> {
        let mut runs = Vec::with_capacity(files.len());
        for file in files {
            let mut run = Run {
                reader: BufReader::with_capacity(1 << 16, file),
                record: Vec::new(),
                live: true,
            };
            run.advance()?;
            runs.push(run);
        }
        let mut order = Vec::with_capacity(runs.len());
        for i in 0..runs.len() {
            if runs[i].live {
                place(compare, &runs, &mut order, i);
            }
        }
        Ok(Sorted(Source::Merge {
            compare,
            runs,
            order,
            last: None,
        }))
    }

    /// The next record, or `None` after the last.
    #[expect(
        clippy::should_implement_trait,
        reason = "a lending read: the record borrows the sort's buffer, which Iterator cannot say"
    )]
    pub fn next(&mut self) -> io::Result<Option<&[u8]>> {
        match &mut self.0 {
            Source::Memory {
                buffer,
                records,
                current,
            } => {
                let Some(r) = records.next() else {
                    return Ok(None);
                };
                *current = r;
                Ok(Some(&buffer[current.clone()]))
            }
            Source::Merge {
                compare,
                runs,
                order,
                last,
            } => {
                if let Some(i) = last.take() {
                    runs[i].advance()?;
                    if runs[i].live {
                        place(*compare, runs, order, i);
                    }
                }
                *last = order.pop();
                Ok(last.map(|i| runs[i].record.as_slice()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_first_field(a: &[u8], b: &[u8]) -> Ordering {
        fields(a).next().cmp(&fields(b).next())
    }

    fn record(key: &str, n: u64) -> impl FnOnce(&mut Vec<u8>) -> io::Result<()> {
        let key = key.to_owned();
        move |buf: &mut Vec<u8>| {
            put(buf, key.as_bytes())?;
            put(buf, &n.to_le_bytes())
        }
    }

    fn drain(mut sorted: Sorted) -> Vec<(Vec<u8>, u64)> {
        let mut out = Vec::new();
        while let Some(r) = sorted.next().expect("next") {
            let mut f = fields(r);
            let key = f.next().expect("key").to_vec();
            let n = u64::from_le_bytes(f.next().expect("n").try_into().expect("8 bytes"));
            assert!(f.next().is_none());
            out.push((key, n));
        }
        out
    }

    /// Keys from a small generator (many repeats), pushed with their position.
    fn keys(count: u64) -> Vec<String> {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        (0..count)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                format!("k{}", x % 97)
            })
            .collect()
    }

    fn sorted_with(limit: usize, count: u64) -> (Vec<(Vec<u8>, u64)>, usize) {
        let dir = tempfile::tempdir().expect("dir");
        let mut s = ExternalSort::new(dir.path(), limit, by_first_field);
        for (n, k) in keys(count).iter().enumerate() {
            s.push(record(k, n as u64)).expect("push");
        }
        s.wait_spilled().expect("spilled");
        let runs = s.runs.len();
        let out = drain(s.finish().expect("finish"));
        // Nothing is left in the directory: the files have no name.
        assert_eq!(std::fs::read_dir(dir.path()).expect("read").count(), 0);
        (out, runs)
    }

    #[test]
    fn spilled_and_merged_records_come_back_sorted_and_stable() {
        let expected = {
            let mut all: Vec<(Vec<u8>, u64)> = keys(5_000)
                .into_iter()
                .enumerate()
                .map(|(n, k)| (k.into_bytes(), n as u64))
                .collect();
            all.sort_by(|a, b| a.0.cmp(&b.0));
            all
        };
        // In memory, then through 1 to many files (records are ~20 bytes).
        for limit in [usize::MAX, 60_000, 4_000, 100, 20] {
            let (out, runs) = sorted_with(limit, 5_000);
            assert_eq!(out, expected, "limit {limit}");
            if limit <= 4_000 {
                assert!(runs > 1, "limit {limit}: {runs} files");
            }
            assert!(runs < MAX_FILES, "limit {limit}: {runs} files");
        }
    }

    #[test]
    fn no_record_at_all() {
        assert!(sorted_with(usize::MAX, 0).0.is_empty());
        assert!(sorted_with(1, 0).0.is_empty());
    }

    #[test]
    fn a_failed_record_is_not_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let mut s = ExternalSort::new(dir.path(), usize::MAX, by_first_field);
        s.push(record("b", 1)).expect("push");
        let failed = s.push(|buf| {
            put(buf, b"a")?;
            Err(io::Error::other("no"))
        });
        assert!(failed.is_err());
        s.push(record("c", 2)).expect("push");
        let out = drain(s.finish().expect("finish"));
        assert_eq!(out, vec![(b"b".to_vec(), 1), (b"c".to_vec(), 2)]);
    }

    #[test]
    fn a_truncated_field_ends_the_fields() {
        let mut r = Vec::new();
        put(&mut r, b"abc").expect("put");
        r.extend_from_slice(&10u32.to_le_bytes());
        r.extend_from_slice(b"xy");
        let f: Vec<&[u8]> = fields(&r).collect();
        assert_eq!(f, vec![b"abc".as_slice()]);
    }
}
