//! The bytes of a return file as the XML reader takes them: hashed (SHA-256 of the whole
//! file) and counted, so that a byte position quick-xml gives becomes a line and a column.
//!
//! Only the offsets of the last [`KEPT_NEWLINES`] line ends are kept: memory stays flat
//! whatever the file's size, and a position is always near the last bytes read (an element
//! is read whole before it is looked at).

use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::io::{BufRead, Read};

/// Line ends whose offsets are kept, to place a position read a little earlier.
const KEPT_NEWLINES: usize = 4096;
const BUFFER: usize = 64 * 1024;

/// A line (from 1) and a column (from 1, in bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineColumn {
    pub line: u64,
    pub column: u64,
}

/// A `Read` seen through a buffer that hashes what it reads and counts the lines consumed.
pub(super) struct CountingInput<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    filled: usize,
    /// Bytes consumed so far.
    consumed: u64,
    /// Line ends before the kept ones.
    dropped_newlines: u64,
    /// Offsets of the last line ends consumed (each the offset of a `\n`).
    newlines: VecDeque<u64>,
    sha: Sha256,
}

impl<R: Read> CountingInput<R> {
    pub(super) fn new(inner: R) -> CountingInput<R> {
        CountingInput {
            inner,
            buf: vec![0; BUFFER].into_boxed_slice(),
            pos: 0,
            filled: 0,
            consumed: 0,
            dropped_newlines: 0,
            newlines: VecDeque::new(),
            sha: Sha256::new(),
        }
    }

    /// Where byte `at` (an offset from the file's start, already consumed or just after)
    /// stands. A position older than the kept line ends is placed on the oldest kept line.
    pub(super) fn locate(&self, at: u64) -> LineColumn {
        // Line ends strictly before `at`.
        let before = self.newlines.partition_point(|&n| n < at);
        let line = self.dropped_newlines + before as u64 + 1;
        let start = if before == 0 {
            if self.dropped_newlines == 0 {
                0
            } else {
                self.newlines.front().map_or(0, |n| n + 1)
            }
        } else {
            self.newlines.get(before - 1).map_or(0, |n| n + 1)
        };
        LineColumn {
            line,
            column: at.saturating_sub(start) + 1,
        }
    }

    /// The SHA-256 of everything read so far, in lowercase hexadecimal: the file's, once
    /// the reader reached its end.
    pub(super) fn sha256(&self) -> String {
        hex::encode(self.sha.clone().finalize())
    }

    /// Reads the rest of the input (hashed), e.g. after the root element closed.
    pub(super) fn drain(&mut self) -> std::io::Result<()> {
        loop {
            let n = self.fill_buf()?.len();
            if n == 0 {
                return Ok(());
            }
            self.consume(n);
        }
    }
}

impl<R: Read> Read for CountingInput<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for CountingInput<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.pos >= self.filled {
            let n = loop {
                match self.inner.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            self.sha.update(&self.buf[..n]);
            self.pos = 0;
            self.filled = n;
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, amount: usize) {
        let end = self.pos.saturating_add(amount).min(self.filled);
        for (i, &b) in self.buf[self.pos..end].iter().enumerate() {
            if b == b'\n' {
                if self.newlines.len() == KEPT_NEWLINES {
                    self.newlines.pop_front();
                    self.dropped_newlines += 1;
                }
                self.newlines.push_back(self.consumed + i as u64);
            }
        }
        self.consumed += (end - self.pos) as u64;
        self.pos = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_become_lines_and_columns() {
        let mut input = CountingInput::new(&b"ab\ncd\n\nefg"[..]);
        input.drain().expect("read");
        assert_eq!(input.locate(0), LineColumn { line: 1, column: 1 });
        assert_eq!(input.locate(1), LineColumn { line: 1, column: 2 });
        assert_eq!(input.locate(3), LineColumn { line: 2, column: 1 });
        assert_eq!(input.locate(6), LineColumn { line: 3, column: 1 });
        assert_eq!(input.locate(9), LineColumn { line: 4, column: 3 });
    }

    #[test]
    fn far_lines_are_counted_without_being_kept() {
        let text = "x\n".repeat(KEPT_NEWLINES * 3) + "abc";
        let mut input = CountingInput::new(text.as_bytes());
        input.drain().expect("read");
        let at = text.len() as u64 - 1;
        assert_eq!(
            input.locate(at),
            LineColumn {
                line: KEPT_NEWLINES as u64 * 3 + 1,
                column: 3
            }
        );
        assert_eq!(input.sha256().len(), 64);
    }
}
