//! Sorting more records than memory should hold (an external sort): records are gathered in
//! a buffer of fixed size; a full buffer is sorted and written to a temporary file (a *run*);
//! the runs and the last buffer are then read back merged, in order. Memory holds one buffer
//! and a read buffer per run, whatever the number of records.
//!
//! Temporary files are anonymous (`tempfile::tempfile`: already unlinked on Unix, deleted on
//! close on Windows), so they vanish with the process, even on an error, a panic or a kill.
//! The runs of one sort share one file, each read from its own offset.

use super::ReadOptions;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

/// A record of fixed size, written to runs as bytes and compared in its sort order.
pub(crate) trait Fixed: Copy + Ord {
    /// Bytes of one record in a run.
    const SIZE: usize;
    /// Appends the record's `SIZE` bytes to `out`.
    fn put(&self, out: &mut Vec<u8>);
    /// The record of `SIZE` bytes `b`.
    fn get(b: &[u8]) -> Self;
}

/// `N` bytes of `b` from `at` (zeros past its end, which a run of whole records never has).
pub(crate) fn bytes<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if let Some(src) = b.get(at..at + N) {
        out.copy_from_slice(src);
    }
    out
}

impl Fixed for u64 {
    const SIZE: usize = 8;
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn get(b: &[u8]) -> Self {
        u64::from_le_bytes(bytes(b, 0))
    }
}

impl Fixed for u128 {
    const SIZE: usize = 16;
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn get(b: &[u8]) -> Self {
        u128::from_le_bytes(bytes(b, 0))
    }
}

/// Bytes written to a run at a time.
const WRITE_BLOCK: usize = 256 * 1024;
/// Read buffer of each run being merged.
const READ_BUFFER: usize = 64 * 1024;

/// Where temporary files go and how much a sort keeps in memory.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    /// Bytes of records a sort holds before it writes them to a run.
    pub chunk_bytes: usize,
    /// Most runs read at once by a merge; beyond, runs are first merged into longer ones.
    pub fan_in: usize,
    pub dir: Option<std::path::PathBuf>,
}

impl Budget {
    pub fn of(options: &ReadOptions) -> Budget {
        Budget {
            chunk_bytes: options.spill_chunk_bytes,
            fan_in: options.merge_fan_in.max(2),
            dir: options.temp_dir.clone(),
        }
    }

    /// Records of `T` a buffer holds.
    fn records<T>(&self) -> usize {
        (self.chunk_bytes / std::mem::size_of::<T>().max(1)).max(1)
    }

    fn temp_file(&self) -> io::Result<File> {
        match &self.dir {
            Some(dir) => tempfile::tempfile_in(dir),
            None => tempfile::tempfile(),
        }
    }
}

/// A temporary file that runs are appended to and read back from, at their offsets. Runs of
/// one sort share a file: fewer files to create (which some file systems make slow).
#[derive(Clone)]
struct Spool(Arc<File>);

impl Spool {
    fn new(budget: &Budget) -> io::Result<Self> {
        Ok(Spool(Arc::new(budget.temp_file()?)))
    }

    /// Appends `bytes`, wherever readers left the file's position.
    fn append(&self, bytes: &[u8]) -> io::Result<()> {
        let mut f: &File = &self.0;
        f.seek(SeekFrom::End(0))?;
        f.write_all(bytes)
    }

    fn len(&self) -> io::Result<u64> {
        let mut f: &File = &self.0;
        f.seek(SeekFrom::End(0))
    }
}

/// Reads a spool from an offset of its own (readers of one file take turns, one thread).
struct At {
    spool: Spool,
    pos: u64,
}

impl Read for At {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut f: &File = &self.spool.0;
        f.seek(SeekFrom::Start(self.pos))?;
        let n = f.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// Sorted records in a temporary file, from an offset.
struct Run {
    spool: Spool,
    start: u64,
    records: u64,
}

impl Run {
    fn reader<T: Fixed>(&self) -> RunReader<T> {
        let at = At {
            spool: self.spool.clone(),
            pos: self.start,
        };
        RunReader {
            reader: BufReader::with_capacity(READ_BUFFER, at),
            left: self.records,
            scratch: Vec::new(),
            _record: std::marker::PhantomData,
        }
    }
}

/// Writes records, already in order, to a new run.
pub(crate) struct RunWriter<T> {
    spool: Spool,
    start: u64,
    block: Vec<u8>,
    records: u64,
    _record: std::marker::PhantomData<T>,
}

impl<T: Fixed> RunWriter<T> {
    /// A run in a temporary file of its own.
    pub fn new(budget: &Budget) -> io::Result<Self> {
        RunWriter::on(Spool::new(budget)?)
    }

    /// A run at the end of `spool`.
    fn on(spool: Spool) -> io::Result<Self> {
        Ok(RunWriter {
            start: spool.len()?,
            spool,
            block: Vec::new(),
            records: 0,
            _record: std::marker::PhantomData,
        })
    }

    pub fn push(&mut self, record: T) -> io::Result<()> {
        if self.block.capacity() == 0 {
            self.block.reserve_exact(WRITE_BLOCK);
        }
        record.put(&mut self.block);
        self.records += 1;
        if self.block.len() + T::SIZE > WRITE_BLOCK {
            self.spool.append(&self.block)?;
            self.block.clear();
        }
        Ok(())
    }

    fn finish(self) -> io::Result<Run> {
        self.spool.append(&self.block)?;
        Ok(Run {
            spool: self.spool,
            start: self.start,
            records: self.records,
        })
    }

    /// The records written, to be read back in the order they were written.
    pub fn into_sorted(self) -> io::Result<Sorted<T>> {
        Ok(Sorted {
            runs: vec![self.finish()?],
            tail: Vec::new(),
        })
    }
}

/// Reads one run, record by record.
struct RunReader<T> {
    reader: BufReader<At>,
    left: u64,
    scratch: Vec<u8>,
    _record: std::marker::PhantomData<T>,
}

impl<T: Fixed> RunReader<T> {
    fn next(&mut self) -> io::Result<Option<T>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let buf = self.reader.fill_buf()?;
        if let Some(b) = buf.get(..T::SIZE) {
            let record = T::get(b);
            self.reader.consume(T::SIZE);
            return Ok(Some(record));
        }
        // A record across the end of the read buffer.
        self.scratch.resize(T::SIZE, 0);
        self.reader.read_exact(&mut self.scratch)?;
        Ok(Some(T::get(&self.scratch)))
    }
}

/// Gathers records in any order, to read them back sorted.
pub(crate) struct Sorter<T> {
    budget: Budget,
    buffer: Vec<T>,
    capacity: usize,
    /// The runs' file, made at the first run.
    spool: Option<Spool>,
    runs: Vec<Run>,
}

impl<T: Fixed> Sorter<T> {
    pub fn new(budget: &Budget) -> Self {
        let capacity = budget.records::<T>();
        Sorter {
            budget: budget.clone(),
            // Reserved, not touched: pages count only once records fill them.
            buffer: Vec::new(),
            capacity,
            spool: None,
            runs: Vec::new(),
        }
    }

    pub fn push(&mut self, record: T) -> io::Result<()> {
        if self.buffer.len() >= self.capacity {
            self.spill()?;
        }
        if self.buffer.capacity() == 0 {
            self.buffer.reserve_exact(self.capacity);
        }
        self.buffer.push(record);
        Ok(())
    }

    /// Writes the buffer, sorted, to a new run.
    fn spill(&mut self) -> io::Result<()> {
        self.buffer.sort_unstable();
        let mut w = RunWriter::on(self.spool()?)?;
        for &r in &self.buffer {
            w.push(r)?;
        }
        self.runs.push(w.finish()?);
        self.buffer.clear();
        Ok(())
    }

    fn spool(&mut self) -> io::Result<Spool> {
        match &self.spool {
            Some(s) => Ok(s.clone()),
            None => Ok(self.spool.insert(Spool::new(&self.budget)?).clone()),
        }
    }

    /// Every record pushed, ready to be read in order. The last buffer stays in memory.
    pub fn finish(mut self) -> io::Result<Sorted<T>> {
        self.buffer.sort_unstable();
        // Room for the buffer among the runs a merge reads at once.
        let most = self.budget.fan_in.saturating_sub(1).max(1);
        while self.runs.len() > most {
            let group: Vec<Run> = self
                .runs
                .drain(..self.budget.fan_in.min(self.runs.len()))
                .collect();
            let sorted: Sorted<T> = Sorted {
                runs: group,
                tail: Vec::new(),
            };
            let mut merge = sorted.iter()?;
            // Appended to the same file: the merged runs' space is only freed with the sort.
            let mut w = RunWriter::on(self.spool()?)?;
            while let Some(r) = merge.next()? {
                w.push(r)?;
            }
            self.runs.push(w.finish()?);
        }
        Ok(Sorted {
            runs: self.runs,
            tail: self.buffer,
        })
    }
}

/// Records in order: runs on disk and a last sorted buffer in memory.
pub(crate) struct Sorted<T> {
    runs: Vec<Run>,
    tail: Vec<T>,
}

impl<T: Fixed> Default for Sorted<T> {
    fn default() -> Self {
        Sorted {
            runs: Vec::new(),
            tail: Vec::new(),
        }
    }
}

impl<T: Fixed> Sorted<T> {
    /// Reads the records in order (again from the start at each call).
    pub fn iter(&self) -> io::Result<Merge<'_, T>> {
        let mut sources = Vec::with_capacity(self.runs.len() + 1);
        for run in &self.runs {
            sources.push(Source::Run(run.reader()));
        }
        if !self.tail.is_empty() {
            sources.push(Source::Tail(self.tail.iter()));
        }
        Merge::new(sources)
    }
}

enum Source<'a, T> {
    Run(RunReader<T>),
    Tail(std::slice::Iter<'a, T>),
}

impl<T: Fixed> Source<'_, T> {
    fn next(&mut self) -> io::Result<Option<T>> {
        match self {
            Source::Run(r) => r.next(),
            Source::Tail(t) => Ok(t.next().copied()),
        }
    }
}

/// The smallest record of several sorted sources, one at a time.
pub(crate) struct Merge<'a, T> {
    sources: Vec<Source<'a, T>>,
    /// The next record of each source but one (a single source is read without it).
    heap: BinaryHeap<Reverse<(T, usize)>>,
}

impl<'a, T: Fixed> Merge<'a, T> {
    fn new(mut sources: Vec<Source<'a, T>>) -> io::Result<Self> {
        let mut heap = BinaryHeap::with_capacity(sources.len());
        if sources.len() > 1 {
            for (i, s) in sources.iter_mut().enumerate() {
                if let Some(r) = s.next()? {
                    heap.push(Reverse((r, i)));
                }
            }
        }
        Ok(Merge { sources, heap })
    }

    pub fn next(&mut self) -> io::Result<Option<T>> {
        if let [only] = self.sources.as_mut_slice() {
            return only.next();
        }
        let Some(mut top) = self.heap.peek_mut() else {
            return Ok(None);
        };
        let Reverse((record, i)) = *top;
        match self.sources.get_mut(i) {
            Some(source) => match source.next()? {
                // Replacing the top sifts once, rather than a pop and a push.
                Some(next) => *top = Reverse((next, i)),
                None => {
                    std::collections::binary_heap::PeekMut::pop(top);
                }
            },
            None => {
                std::collections::binary_heap::PeekMut::pop(top);
            }
        }
        Ok(Some(record))
    }
}

/// A sorted stream read alongside rows in line order: records keyed by line are taken as
/// their line comes.
pub(crate) struct Cursor<'a, T> {
    merge: Merge<'a, T>,
    head: Option<T>,
}

impl<'a, T: Fixed> Cursor<'a, T> {
    pub fn new(sorted: &'a Sorted<T>) -> io::Result<Self> {
        let mut merge = sorted.iter()?;
        let head = merge.next()?;
        Ok(Cursor { merge, head })
    }

    /// The next record, when `wanted` says it is the one; records it says come before are
    /// skipped (`Less`), a record after is kept for later (`Greater`).
    pub fn take(&mut self, wanted: impl Fn(&T) -> std::cmp::Ordering) -> io::Result<Option<T>> {
        while let Some(h) = self.head {
            match wanted(&h) {
                std::cmp::Ordering::Less => self.head = self.merge.next()?,
                std::cmp::Ordering::Equal => {
                    self.head = self.merge.next()?;
                    return Ok(Some(h));
                }
                std::cmp::Ordering::Greater => return Ok(None),
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(chunk_bytes: usize, fan_in: usize) -> Budget {
        Budget {
            chunk_bytes,
            fan_in,
            dir: None,
        }
    }

    fn all<T: Fixed>(s: &Sorted<T>) -> Vec<T> {
        let mut m = s.iter().expect("iter");
        let mut out = Vec::new();
        while let Some(r) = m.next().expect("next") {
            out.push(r);
        }
        out
    }

    #[test]
    fn sorts_whatever_the_chunk_and_fan_in() {
        // A fixed pseudo-random sequence with repeats.
        let input: Vec<u64> = (0..5000u64).map(|i| (i * 7919 + 13) % 1777).collect();
        let mut expected = input.clone();
        expected.sort();
        for (chunk, fan_in) in [
            (8, 2),
            (8 * 3, 3),
            (8 * 100, 4),
            (8 * 1000, 64),
            (1 << 20, 64),
        ] {
            let mut s = Sorter::new(&budget(chunk, fan_in));
            for &r in &input {
                s.push(r).expect("push");
            }
            let sorted = s.finish().expect("finish");
            assert!(
                sorted.runs.len() < fan_in.max(2),
                "{} runs",
                sorted.runs.len()
            );
            assert_eq!(all(&sorted), expected, "chunk {chunk}, fan-in {fan_in}");
            // Read again from the start.
            assert_eq!(all(&sorted), expected);
        }
        let empty: Sorted<u128> = Sorter::new(&budget(16, 2)).finish().expect("finish");
        assert!(all(&empty).is_empty());
        assert!(all(&Sorted::<u64>::default()).is_empty());
    }

    #[test]
    fn runs_written_in_order_read_back() {
        let mut w = RunWriter::new(&budget(16, 2)).expect("writer");
        // More than a write block and a read buffer, so that records straddle both.
        let n = (WRITE_BLOCK / 16 + READ_BUFFER) as u128 + 3;
        for i in 0..n {
            w.push(i * 3).expect("push");
        }
        let sorted = w.into_sorted().expect("sorted");
        let back = all(&sorted);
        assert_eq!(back.len() as u128, n);
        assert!(back.iter().enumerate().all(|(i, &v)| v == i as u128 * 3));
    }

    #[test]
    fn a_cursor_takes_records_as_their_line_comes() {
        let mut s = Sorter::new(&budget(16, 2));
        for r in [9u64, 3, 5, 5, 12] {
            s.push(r).expect("push");
        }
        let sorted = s.finish().expect("finish");
        let mut c = Cursor::new(&sorted).expect("cursor");
        let at = |line: u64| move |r: &u64| r.cmp(&line);
        assert_eq!(c.take(at(1)).expect("take"), None);
        assert_eq!(c.take(at(5)).expect("take"), Some(5));
        assert_eq!(c.take(at(5)).expect("take"), Some(5));
        assert_eq!(c.take(at(5)).expect("take"), None);
        // 9 is skipped: nobody asked for it before 10.
        assert_eq!(c.take(at(10)).expect("take"), None);
        assert_eq!(c.take(at(12)).expect("take"), Some(12));
        assert_eq!(c.take(at(13)).expect("take"), None);
    }
}
