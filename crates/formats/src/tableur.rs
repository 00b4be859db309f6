//! CSV for a French spreadsheet (`--format tableur` on the command line, `?format=tableur` on
//! the web): UTF-8 with a byte-order mark (without it, Excel reads the accents as
//! Windows-1252), `;` between fields (the comma is the decimal separator), amounts with a
//! decimal comma and no thousands separator (so that the cell is a number), dates JJ/MM/AAAA
//! and times HH:MM in the authority's time zone, French headers. A text someone typed that a
//! spreadsheet would take for a formula (`=`, `+`, `-`, `@`, a tab or a carriage return first:
//! OWASP's "CSV injection") starts with an apostrophe, so that it is shown, never run.
//! The machine form (`--format csv`: `,`, decimal point, ISO 8601) is not this.

use relais_core::Cents;
use std::io::Write;

/// A CSV writer for a French spreadsheet, its byte-order mark already written; lines end with
/// CRLF, as spreadsheets write them.
pub fn writer<W: Write>(mut out: W) -> std::io::Result<csv::Writer<W>> {
    out.write_all("\u{feff}".as_bytes())?;
    Ok(csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(out))
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

/// A typed text, never read as a formula.
pub fn text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spreadsheet_reads_french_and_never_runs_a_typed_formula() {
        let mut w = writer(Vec::new()).expect("writer");
        w.write_record(["Montant", "Déposant", "Objet"])
            .expect("row");
        w.write_record([
            amount(Cents(123_456)),
            "Dupont; fils".to_owned(),
            text("=HYPERLINK(\"x\")"),
        ])
        .expect("row");
        let bytes = w.into_inner().expect("bytes");
        assert_eq!(
            String::from_utf8(bytes).expect("utf-8"),
            "\u{feff}Montant;Déposant;Objet\r\n1234,56;\"Dupont; fils\";\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
        assert_eq!(amount(Cents(-50)), "-0,50");
        assert_eq!(text("-0,50 (typed)"), "'-0,50 (typed)");
        assert_eq!(text("Dupont"), "Dupont");
        assert_eq!(date(jiff::civil::date(2026, 12, 10)), "10/12/2026");
    }
}
