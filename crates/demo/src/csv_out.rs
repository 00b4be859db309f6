//! A CSV row writer with the habits of real exports: separator, line ending, byte-order mark,
//! encoding, quoting, date and amount spellings chosen per file.
//!
//! Hand-written rather than `csv::Writer` because the demo needs what a correct writer refuses
//! to do — rows with too few fields, Windows-1252 bytes — and each row is transcoded whole
//! (a line never splits a character), which is simplest on our own line buffer.

use crate::dates::Day;
use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};

/// How a file spells dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    /// `31/12/2026`
    French,
    /// `2026-12-31`
    Iso,
}

/// The habits of one export.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub separator: char,
    pub crlf: bool,
    /// UTF-8 with a byte-order mark (Excel's "CSV UTF-8").
    pub bom: bool,
    /// Windows-1252 instead of UTF-8.
    pub windows_1252: bool,
    /// Every field in quotes, as some tools do.
    pub quote_all: bool,
    pub dates: DateStyle,
    /// `,` or `.`.
    pub decimal: char,
    /// Thousands separator of amounts (`1 234,56`), if any.
    pub thousands: Option<char>,
}

impl Style {
    /// `;`, LF, UTF-8, French dates, decimal comma: the plainest French export.
    pub const FRENCH: Style = Style {
        separator: ';',
        crlf: false,
        bom: false,
        windows_1252: false,
        quote_all: false,
        dates: DateStyle::French,
        decimal: ',',
        thousands: None,
    };
}

/// Rows of one file, counted as they are written.
pub struct Table<'w> {
    out: BufWriter<Box<dyn Write + 'w>>,
    style: Style,
    line: String,
    scratch: String,
    fields: usize,
    rows: u64,
    bad: u64,
}

impl<'w> Table<'w> {
    pub fn new(out: Box<dyn Write + 'w>, style: Style) -> Table<'w> {
        Table {
            out: BufWriter::with_capacity(256 * 1024, out),
            style,
            line: String::with_capacity(512),
            scratch: String::with_capacity(64),
            fields: 0,
            rows: 0,
            bad: 0,
        }
    }

    pub fn style(&self) -> Style {
        self.style
    }

    /// The header line (with the byte-order mark first, when the style has one).
    pub fn header(&mut self, names: &[&str]) -> io::Result<()> {
        if self.style.bom {
            self.out.write_all("\u{feff}".as_bytes())?;
        }
        for name in names {
            self.field(name);
        }
        self.flush_line()
    }

    /// A text field, quoted when it holds the separator, a quote or a line break.
    pub fn field(&mut self, value: &str) {
        if self.fields > 0 {
            self.line.push(self.style.separator);
        }
        self.fields += 1;
        let needs_quotes = self.style.quote_all
            || value
                .chars()
                .any(|c| c == self.style.separator || c == '"' || c == '\n' || c == '\r');
        if needs_quotes {
            self.line.push('"');
            for c in value.chars() {
                if c == '"' {
                    self.line.push('"');
                }
                self.line.push(c);
            }
            self.line.push('"');
        } else {
            self.line.push_str(value);
        }
    }

    /// A field written with `format_args!`.
    pub fn field_fmt(&mut self, args: std::fmt::Arguments) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let _ = scratch.write_fmt(args);
        self.field(&scratch);
        self.scratch = scratch;
    }

    pub fn date(&mut self, day: Day) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        match self.style.dates {
            DateStyle::French => day.write_fr(&mut scratch),
            DateStyle::Iso => day.write_iso(&mut scratch),
        }
        self.field(&scratch);
        self.scratch = scratch;
    }

    pub fn opt_date(&mut self, day: Option<Day>) {
        match day {
            Some(d) => self.date(d),
            None => self.field(""),
        }
    }

    /// An amount in cents, in the file's spelling (`1234,56`, `1234.56`, `1 234,56`).
    pub fn money(&mut self, cents: i64) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        write_money(
            &mut scratch,
            cents,
            self.style.decimal,
            self.style.thousands,
        );
        self.field(&scratch);
        self.scratch = scratch;
    }

    /// Ends the row; `bad` says it was made wrong on purpose (for the summary).
    pub fn end_row(&mut self, bad: bool) -> io::Result<()> {
        self.rows += 1;
        if bad {
            self.bad += 1;
        }
        self.flush_line()
    }

    /// Counts the row just ended as bad (the second of a duplicated pair, written like a good
    /// one).
    pub fn mark_last_bad(&mut self) {
        self.bad += 1;
    }

    /// An empty line (some exports end with one); not a row.
    pub fn blank_line(&mut self) -> io::Result<()> {
        self.flush_line()
    }

    fn flush_line(&mut self) -> io::Result<()> {
        self.line
            .push_str(if self.style.crlf { "\r\n" } else { "\n" });
        if self.style.windows_1252 {
            let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&self.line);
            self.out.write_all(&bytes)?;
        } else {
            self.out.write_all(self.line.as_bytes())?;
        }
        self.line.clear();
        self.fields = 0;
        Ok(())
    }

    /// Flushes, and gives (rows, of which bad).
    pub fn finish(mut self) -> io::Result<(u64, u64)> {
        self.out.flush()?;
        Ok((self.rows, self.bad))
    }
}

/// `1234,56`; `-12,00`; with `thousands`, `1 234,56`.
pub fn write_money(out: &mut String, cents: i64, decimal: char, thousands: Option<char>) {
    let abs = cents.unsigned_abs();
    if cents < 0 {
        out.push('-');
    }
    let euros = abs / 100;
    match thousands {
        Some(sep) if euros >= 1000 => {
            let digits = euros.to_string();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push(sep);
                }
                out.push(c);
            }
        }
        _ => {
            let _ = write!(out, "{euros}");
        }
    }
    let _ = write!(out, "{decimal}{:02}", abs % 100);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_spellings() {
        let mut buf = Vec::new();
        {
            let style = Style {
                separator: ',',
                crlf: true,
                ..Style::FRENCH
            };
            let mut t = Table::new(Box::new(&mut buf), style);
            t.header(&["a", "b"]).expect("header");
            t.field("Résidence Les Pins, bât. B");
            t.field("dit \"Jojo\"");
            t.money(123_456);
            t.end_row(false).expect("row");
            assert_eq!(t.finish().expect("finish"), (1, 0));
        }
        assert_eq!(
            String::from_utf8(buf).expect("utf8"),
            "a,b\r\n\"Résidence Les Pins, bât. B\",\"dit \"\"Jojo\"\"\",\"1234,56\"\r\n"
        );
        let mut s = String::new();
        write_money(&mut s, 123_456_789, ',', Some(' '));
        s.push('|');
        write_money(&mut s, -5, '.', None);
        assert_eq!(s, "1 234 567,89|-0.05");
    }

    #[test]
    fn windows_1252_bytes() {
        let mut buf = Vec::new();
        {
            let style = Style {
                windows_1252: true,
                ..Style::FRENCH
            };
            let mut t = Table::new(Box::new(&mut buf), style);
            t.field("Hélène");
            t.end_row(false).expect("row");
            t.finish().expect("finish");
        }
        assert_eq!(buf, b"H\xe9l\xe8ne\n");
    }
}
