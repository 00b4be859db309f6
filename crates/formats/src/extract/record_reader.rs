//! CSV records with the physical line each one starts on.
//!
//! `csv::Reader` reports a record's position as it was *before* the blank lines it skipped, so
//! a row after a blank line would be reported one line too early. Here the `csv_core` state
//! machine is driven over our own buffer: the line ends between records are skipped (and
//! counted) before a record starts, and every `\n` consumed inside a record (a quoted field
//! spanning lines) is counted too. Fields are kept as bytes in one reused buffer: no
//! allocation per row or per field.

use std::io::{self, Read};

const INPUT_BUFFER: usize = 256 * 1024;

/// The largest record read: an unclosed quote would otherwise turn the rest of the file into
/// one field held in memory.
const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;
// Both limits are powers of two, as the buffers double up to them.
const MAX_FIELDS: usize = 65_536;

fn too_big(line: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "l'enregistrement qui commence ligne {line} dépasse 16 Mio ou 65 536 champs : un \
             guillemet jamais refermé ?"
        ),
    )
}

/// Reads records one after the other; the current one is borrowed with [`RecordReader::record`].
pub(crate) struct RecordReader<R> {
    src: R,
    core: csv_core::Reader,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    eof: bool,
    /// The physical line of `buf[pos]`, 1-based.
    line: u64,
    /// The byte that ends a line: `\n`, or `\r` in a file of old Mac line ends (CR alone).
    line_end: u8,
    out: Vec<u8>,
    ends: Vec<usize>,
    fields: usize,
}

/// The fields of one record, as bytes.
#[derive(Clone, Copy)]
pub(crate) struct RawRecord<'a> {
    data: &'a [u8],
    ends: &'a [usize],
}

impl<'a> RawRecord<'a> {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Where field `i` (0-based) is in [`RawRecord::data`], `None` past the end of the record.
    pub fn range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        let end = *self.ends.get(i)?;
        let start = match i.checked_sub(1) {
            Some(prev) => *self.ends.get(prev)?,
            None => 0,
        };
        Some(start..end)
    }

    /// Field `i` (0-based), `None` past the end of the record.
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        self.data.get(self.range(i)?)
    }

    /// Every field's bytes, one after the other.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// Whether every field is empty or spaces: a line of separators, skipped like a blank one.
    pub fn is_blank(&self) -> bool {
        self.data.iter().all(|b| b.is_ascii_whitespace())
    }
}

fn count_line_ends(bytes: &[u8], line_end: u8) -> u64 {
    // A plain loop the compiler vectorizes: records are short, so a SIMD search's set-up
    // per call costs more than it saves.
    bytes
        .iter()
        .fold(0u64, |n, &b| n + u64::from(b == line_end))
}

impl<R: Read> RecordReader<R> {
    pub fn new(src: R, separator: u8) -> Self {
        // Quotes `"` doubled inside quoted fields; CR, LF and CRLF all end a record.
        let core = csv_core::ReaderBuilder::new().delimiter(separator).build();
        RecordReader {
            src,
            core,
            buf: vec![0; INPUT_BUFFER],
            pos: 0,
            len: 0,
            eof: false,
            line: 1,
            line_end: b'\n',
            out: vec![0; 4096],
            ends: vec![0; 64],
            fields: 0,
        }
    }

    /// Counts lines by `\r` rather than `\n` (a file whose lines end with CR alone).
    pub fn with_cr_line_ends(mut self) -> Self {
        self.line_end = b'\r';
        self
    }

    /// Refills the input buffer once it is used up; `false` at the end of the input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.pos < self.len {
            return Ok(true);
        }
        self.pos = 0;
        self.len = 0;
        if self.eof {
            return Ok(false);
        }
        loop {
            match self.src.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.len = n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads the next record; gives the physical line where it starts, or `None` at the end.
    pub fn next_record(&mut self) -> io::Result<Option<u64>> {
        // Line ends between records: skipped here so that `line` is the record's first line.
        loop {
            if self.pos >= self.len && !self.fill()? {
                return Ok(None);
            }
            match self.buf.get(self.pos) {
                Some(&b) if b == self.line_end => {
                    self.line += 1;
                    self.pos += 1;
                }
                Some(b'\r' | b'\n') => self.pos += 1,
                _ => break,
            }
        }
        let start = self.line;
        let (mut nout, mut nend) = (0, 0);
        loop {
            let input = self.buf.get(self.pos..self.len).unwrap_or(&[]);
            let (result, nin, wrote, ended) = self.core.read_record(
                input,
                self.out.get_mut(nout..).unwrap_or(&mut []),
                self.ends.get_mut(nend..).unwrap_or(&mut []),
            );
            self.line += count_line_ends(input.get(..nin).unwrap_or(&[]), self.line_end);
            self.pos += nin;
            nout += wrote;
            nend += ended;
            match result {
                csv_core::ReadRecordResult::InputEmpty => {
                    // At the end of the input, the next call with no input ends the record.
                    self.fill()?;
                }
                csv_core::ReadRecordResult::OutputFull => {
                    if self.out.len() >= MAX_RECORD_BYTES {
                        return Err(too_big(start));
                    }
                    let grown = self.out.len() * 2;
                    self.out.resize(grown, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    if self.ends.len() >= MAX_FIELDS {
                        return Err(too_big(start));
                    }
                    let grown = self.ends.len() * 2;
                    self.ends.resize(grown, 0);
                }
                csv_core::ReadRecordResult::Record => {
                    self.fields = nend;
                    return Ok(Some(start));
                }
                csv_core::ReadRecordResult::End => return Ok(None),
            }
        }
    }

    /// The record read last.
    pub fn record(&self) -> RawRecord<'_> {
        let ends = self.ends.get(..self.fields).unwrap_or(&[]);
        let data_len = ends.last().copied().unwrap_or(0);
        RawRecord {
            data: self.out.get(..data_len).unwrap_or(&[]),
            ends,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &[u8], sep: u8) -> Vec<(u64, Vec<String>)> {
        let mut r = RecordReader::new(input, sep);
        let mut out = Vec::new();
        while let Some(line) = r.next_record().expect("read") {
            let rec = r.record();
            out.push((
                line,
                rec.iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect(),
            ));
        }
        out
    }

    #[test]
    fn lines_are_physical_across_blank_lines_and_quoted_newlines() {
        let input = b"a;b\n\n1;\"x\ny\"\n\n\n;;\n2;3\r\n\r\n   \n4;5";
        let got = read_all(input, b';');
        let lines: Vec<u64> = got.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![1, 3, 7, 8, 10, 11]);
        assert_eq!(got[1].1, vec!["1", "x\ny"]);
        assert_eq!(got[5].1, vec!["4", "5"]);
    }

    #[test]
    fn quoted_fields_keep_separators_quotes_and_crlf() {
        let input = b"a,b\r\n\"x, \"\"y\"\"\",\"l1\r\nl2\"\r\nz,w\r\n";
        let got = read_all(input, b',');
        assert_eq!(got[1], (2, vec!["x, \"y\"".into(), "l1\r\nl2".into()]));
        assert_eq!(got[2], (4, vec!["z".into(), "w".into()]));
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn records_cut_by_buffer_refills_and_long_fields() {
        // Longer than the input buffer and than the initial output buffer.
        let long = "é".repeat(INPUT_BUFFER);
        let mut input = format!("h1;h2\n{long};x\n").into_bytes();
        for i in 0..(2 * INPUT_BUFFER / 10) {
            input.extend_from_slice(format!("{i};y\n").as_bytes());
        }
        let got = read_all(&input, b';');
        assert_eq!(got[1].1[0], long);
        assert_eq!(got[1].0, 2);
        let last = got.last().expect("rows");
        assert_eq!(last.0, got.len() as u64);
    }

    #[test]
    fn many_fields_grow_the_ends_buffer() {
        let row = vec!["x"; 500].join("\t");
        let got = read_all(format!("{row}\n{row}").as_bytes(), b'\t');
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].1.len(), 500);
    }

    #[test]
    fn an_unclosed_quote_does_not_swallow_the_memory() {
        let mut input = b"a;b\n1;\"never closed\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_RECORD_BYTES + 10));
        let mut r = RecordReader::new(&input[..], b';');
        assert_eq!(r.next_record().expect("header"), Some(1));
        let e = r.next_record().expect_err("too big");
        assert!(e.to_string().contains("ligne 2"), "{e}");
        let many = ";".repeat(MAX_FIELDS + 1);
        let mut r = RecordReader::new(many.as_bytes(), b';');
        assert!(r.next_record().is_err());
    }

    #[test]
    fn old_mac_line_ends() {
        let mut r = RecordReader::new(&b"a;b\r\r1;\"x\ry\"\r2;3"[..], b';').with_cr_line_ends();
        let mut lines = Vec::new();
        while let Some(l) = r.next_record().expect("read") {
            lines.push(l);
        }
        assert_eq!(lines, vec![1, 3, 5]);
    }

    #[test]
    fn blank_records() {
        let mut r = RecordReader::new(&b" ; ;\t\n"[..], b';');
        assert_eq!(r.next_record().expect("read"), Some(1));
        assert!(r.record().is_blank());
        assert_eq!(r.next_record().expect("read"), None);
        assert_eq!(r.next_record().expect("read"), None);
    }
}
