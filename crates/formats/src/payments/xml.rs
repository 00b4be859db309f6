//! What both writers share: an XML writer that puts bytes straight into a buffer, and the
//! ASCII forms of numbers, amounts and dates, written without allocating (2 million lines a
//! run).
//!
//! Layout: one element a line, without indentation. Files stay readable and diffable line by
//! line, and 2 million mandates make 1.8 GB of PES instead of 2.9 GB indented (and are
//! written 40 % faster).
//!
//! The documents are fixed shapes of elements whose values the writers have already folded
//! and escaped, so each element is a byte template (`<Name V="…"/>`) rather than an event
//! for a general XML writer: quick-xml events cost a third of the PES export (1.2 M lines,
//! ~35 elements each), checking every value for UTF-8 on the way. The bytes are those the
//! quick-xml writer wrote (tests compare whole files).

use super::error::PaymentFileError;
use jiff::civil::{Date, DateTime};
use relais_core::Cents;
use std::io::{self, BufWriter, Write};

/// Large enough that writes to the caller's output are few.
const BUFFER: usize = 256 * 1024;

/// Writes elements one a line to a buffer the writer owns (so that any `Write` will do, a
/// file as well as a socket). Names and attribute values are the writers' own constants;
/// values and texts come already escaped and encoded.
pub(crate) struct Out<W: Write> {
    out: BufWriter<W>,
}

impl<W: Write> Out<W> {
    pub(crate) fn new(out: W) -> Out<W> {
        Out {
            out: BufWriter::with_capacity(BUFFER, out),
        }
    }

    /// Without a buffer of its own: for output kept in memory, read back with
    /// [`Self::get_ref`].
    pub(crate) fn unbuffered(out: W) -> Out<W> {
        Out {
            out: BufWriter::with_capacity(0, out),
        }
    }

    /// The output (everything written is in it when unbuffered).
    pub(crate) fn get_ref(&self) -> &W {
        self.out.get_ref()
    }

    pub(crate) fn get_mut(&mut self) -> &mut W {
        self.out.get_mut()
    }

    /// Bytes already laid out as elements (written earlier by an `Out`).
    pub(crate) fn bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)
    }

    /// The XML declaration, first in the file.
    pub(crate) fn declaration(&mut self, encoding: &str) -> io::Result<()> {
        write!(self.out, "<?xml version=\"1.0\" encoding=\"{encoding}\"?>")
    }

    /// `<name a="v"…>` on a line of its own.
    pub(crate) fn start_with(&mut self, name: &str, attributes: &[(&str, &str)]) -> io::Result<()> {
        self.out.write_all(b"\n<")?;
        self.out.write_all(name.as_bytes())?;
        self.attributes(attributes)?;
        self.out.write_all(b">")
    }

    fn attributes(&mut self, attributes: &[(&str, &str)]) -> io::Result<()> {
        for (key, value) in attributes {
            self.out.write_all(b" ")?;
            self.out.write_all(key.as_bytes())?;
            self.out.write_all(b"=\"")?;
            self.out.write_all(value.as_bytes())?;
            self.out.write_all(b"\"")?;
        }
        Ok(())
    }

    pub(crate) fn start(&mut self, name: &str) -> io::Result<()> {
        self.start_with(name, &[])
    }

    pub(crate) fn end(&mut self, name: &str) -> io::Result<()> {
        self.out.write_all(b"\n</")?;
        self.out.write_all(name.as_bytes())?;
        self.out.write_all(b">")
    }

    /// `<name V="value"/>`, `value` already escaped and encoded.
    pub(crate) fn value(&mut self, name: &[u8], value: &[u8]) -> io::Result<()> {
        self.out.write_all(b"\n<")?;
        self.out.write_all(name)?;
        self.out.write_all(b" V=\"")?;
        self.out.write_all(value)?;
        self.out.write_all(b"\"/>")
    }

    /// `<name>text</name>`, `text` already escaped (ASCII here).
    pub(crate) fn text(&mut self, name: &str, text: &str) -> io::Result<()> {
        self.text_with(name, &[], text)
    }

    /// `<name a="v"…>text</name>`, `text` already escaped.
    pub(crate) fn text_with(
        &mut self,
        name: &str,
        attributes: &[(&str, &str)],
        text: &str,
    ) -> io::Result<()> {
        self.start_with(name, attributes)?;
        self.out.write_all(text.as_bytes())?;
        self.out.write_all(b"</")?;
        self.out.write_all(name.as_bytes())?;
        self.out.write_all(b">")
    }

    /// Ends the document with a line break, flushes, and gives the caller's output back.
    pub(crate) fn finish(mut self) -> Result<W, PaymentFileError> {
        self.out.write_all(b"\n")?;
        self.out.flush()?;
        self.out
            .into_inner()
            .map_err(|e| PaymentFileError::Io(e.into_error()))
    }
}

/// Appends the decimal digits of `n`.
pub(crate) fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        // n % 10 < 10: the cast is exact.
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
}

/// Appends `1234.56`: dot, two decimals, no separator (PES `V_Montant`, ISO 20022 amounts).
pub(crate) fn push_amount(out: &mut Vec<u8>, amount: Cents) {
    if amount.is_negative() {
        out.push(b'-');
    }
    let abs = amount.0.unsigned_abs();
    push_u64(out, abs / 100);
    out.push(b'.');
    let cents = abs % 100;
    push_u64(out, cents / 10);
    push_u64(out, cents % 10);
}

fn push_2(out: &mut Vec<u8>, n: i8) {
    push_u64(out, u64::from(n.unsigned_abs() / 10));
    push_u64(out, u64::from(n.unsigned_abs() % 10));
}

/// Years the files can carry: four digits (`xs:date` would take more, Hélios and banks not).
fn check_year(
    year: i16,
    field: &'static str,
    field_en: &'static str,
    shown: impl FnOnce() -> String,
) -> Result<u64, PaymentFileError> {
    if (1000..=9999).contains(&year) {
        Ok(year.unsigned_abs().into())
    } else {
        Err(PaymentFileError::invalid(
            field,
            field_en,
            shown(),
            "une année de 1000 à 9999",
            "a year from 1000 to 9999",
        ))
    }
}

/// Appends `YYYY-MM-DD`.
pub(crate) fn push_date(
    out: &mut Vec<u8>,
    date: Date,
    field: &'static str,
    field_en: &'static str,
) -> Result<(), PaymentFileError> {
    push_u64(
        out,
        check_year(date.year(), field, field_en, || date.to_string())?,
    );
    out.push(b'-');
    push_2(out, date.month());
    out.push(b'-');
    push_2(out, date.day());
    Ok(())
}

/// Appends a four-digit year.
pub(crate) fn push_year(
    out: &mut Vec<u8>,
    year: i16,
    field: &'static str,
    field_en: &'static str,
) -> Result<(), PaymentFileError> {
    push_u64(out, check_year(year, field, field_en, || year.to_string())?);
    Ok(())
}

/// Appends `YYYY-MM-DDThh:mm:ss` (ISO 20022 `ISODateTime`, local time, to the second).
pub(crate) fn push_date_time(
    out: &mut Vec<u8>,
    at: DateTime,
    field: &'static str,
    field_en: &'static str,
) -> Result<(), PaymentFileError> {
    push_date(out, at.date(), field, field_en)?;
    out.push(b'T');
    push_2(out, at.hour());
    out.push(b':');
    push_2(out, at.minute());
    out.push(b':');
    push_2(out, at.second());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(c: i64) -> String {
        let mut out = Vec::new();
        push_amount(&mut out, Cents(c));
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn amounts_and_numbers() {
        assert_eq!(amount(123_456), "1234.56");
        assert_eq!(amount(1), "0.01");
        assert_eq!(amount(0), "0.00");
        assert_eq!(amount(-5), "-0.05");
        assert_eq!(amount(100_000_000), "1000000.00");
        assert_eq!(amount(i64::MIN), Cents(i64::MIN).to_decimal());
        let mut out = Vec::new();
        push_u64(&mut out, u64::MAX);
        assert_eq!(out, u64::MAX.to_string().as_bytes());
    }

    #[test]
    fn dates() {
        let mut out = Vec::new();
        let at = jiff::civil::date(2025, 1, 4).at(9, 5, 7, 0);
        assert!(push_date_time(&mut out, at, "x", "x").is_ok());
        assert_eq!(out, b"2025-01-04T09:05:07");
        out.clear();
        let e = push_date(&mut out, jiff::civil::date(999, 1, 1), "date", "date");
        assert!(e.is_err());
    }
}
