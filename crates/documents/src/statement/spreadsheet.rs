//! The statement as a CSV for the payee's spreadsheet, as French spreadsheets open it with a
//! double click: UTF-8 with a byte order mark (else accents are read as Windows-1252), `;`
//! between fields (the comma is the decimal separator), CRLF, dates `10/12/2026`, amounts
//! `1234,56`, and a last line with the total. Quoting (RFC 4180) is the `csv` crate's; a text
//! from the data that a spreadsheet would run as a formula is defused as in the run's exports
//! (`run_report::safe`).

use super::{StatementError, StatementHeader, StatementRow, Tally};
use crate::french::date_short;
use crate::run_report::{ListError, safe};
use relais_core::Cents;
use std::io::Write;

const BOM: &[u8] = "\u{feff}".as_bytes();
const COLUMNS: [&str; 7] = [
    "dossier",
    "nom",
    "prenom",
    "prestation",
    "du",
    "au",
    "montant",
];

/// `1234,56`, `-3,00`.
fn amount(c: Cents) -> String {
    c.to_decimal().replace('.', ",")
}

/// Writes the statement's rows as CSV (`dossier;nom;prenom;prestation;du;au;montant`, then
/// `TOTAL;;;;;;<total>`), reading `rows` once, and gives their total.
///
/// Fails with [`StatementError::Mismatch`] when the rows do not add up to `expected_total`
/// (the transfer's amount), and with [`StatementError::Rows`] when `rows` yields an error:
/// the rows are written as they come, so what was written then has no total line and is to be
/// thrown away (the CLI writes to a temporary file that it renames only on success).
pub fn write_statement_csv<E: Into<ListError>>(
    out: &mut dyn Write,
    header: &StatementHeader,
    expected_total: Cents,
    rows: impl IntoIterator<Item = Result<StatementRow, E>>,
) -> Result<Cents, StatementError> {
    out.write_all(BOM)?;
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(COLUMNS)?;
    let mut tally = Tally::default();
    for row in rows {
        let row = row.map_err(|e| StatementError::Rows(e.into()))?;
        tally.add(row.amount)?;
        w.write_record([
            &*safe(&row.dossier),
            &safe(&row.last_name),
            &safe(&row.first_name),
            row.benefit.label_fr(),
            &date_short(row.first_day),
            &date_short(row.last_day),
            &amount(row.amount),
        ])?;
    }
    tally.check(header, expected_total)?;
    w.write_record(["TOTAL", "", "", "", "", "", &amount(tally.amount)])?;
    w.flush()?;
    Ok(tally.amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_a_decimal_comma() {
        assert_eq!(amount(Cents(123_456)), "1234,56");
        assert_eq!(amount(Cents(-300)), "-3,00");
        assert_eq!(amount(Cents(5)), "0,05");
    }
}
