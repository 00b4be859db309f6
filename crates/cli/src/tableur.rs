//! CSV for a French spreadsheet (`--format tableur`): UTF-8 with a byte-order mark (without
//! it, Excel reads the accents as Windows-1252), `;` between fields (the comma is the decimal
//! separator), amounts with a decimal comma and no thousands separator (so that the cell is a
//! number), dates JJ/MM/AAAA and times HH:MM in the authority's time zone, French headers.
//! `--format csv` stays the machine form (`,`, decimal point, ISO 8601) scripts read.

use relais_core::Cents;
use std::io::Write;

/// A CSV writer for a French spreadsheet, its byte-order mark already written.
pub fn writer<W: Write>(mut out: W) -> std::io::Result<csv::Writer<W>> {
    out.write_all("\u{feff}".as_bytes())?;
    Ok(csv::WriterBuilder::new().delimiter(b';').from_writer(out))
}

/// `1234,56`, `-0,50`: a number to a French spreadsheet.
pub fn amount(c: Cents) -> String {
    c.to_decimal().replace('.', ",")
}

/// `10/12/2026`.
pub fn date(d: jiff::civil::Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

/// `10/12/2026 09:14`, in `tz`.
pub fn instant(t: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    t.to_zoned(tz.clone())
        .strftime("%d/%m/%Y %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spreadsheet_reads_french() {
        let mut w = writer(Vec::new()).expect("writer");
        w.write_record(["Montant", "Déposant"]).expect("row");
        w.write_record([amount(Cents(123_456)), "Dupont; fils".to_owned()])
            .expect("row");
        let bytes = w.into_inner().expect("bytes");
        assert_eq!(
            String::from_utf8(bytes).expect("utf-8"),
            "\u{feff}Montant;Déposant\n1234,56;\"Dupont; fils\"\n"
        );
        assert_eq!(amount(Cents(-50)), "-0,50");
        assert_eq!(date(jiff::civil::date(2026, 12, 10)), "10/12/2026");
    }
}
