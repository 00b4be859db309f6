//! The statement as an A4 PDF: who pays and whom, the transfer it explains (date, amount,
//! reference, masked account, mandate), then every person paid for, with each page's total
//! carried over, the grand total, and "page n / N". Rows having no fixed height (a long name
//! wraps), the number of pages is known only once they are laid out: the rows are read twice,
//! a first time to lay the statement out and check its total, a second to draw it. Only the
//! current page's rows are held, and each page is written out when it is drawn
//! (`crate::streaming_pdf`): memory does not grow with the number of statements.
//!
//! Many statements go into one document the same way, one after the other, each from a new
//! page and numbered on its own: a statement alone is a document of one.

use super::layout::{Flow, SMALL, STRONG, TEXT, TITLE, new_flow};
use super::{StatementError, StatementHeader, StatementRow, Tally};
use crate::french::{count_of, date_short, month_long};
use crate::page::paging::Counter;
use crate::page::pen::Drawer;
use crate::page::{Frame, MARGIN_X};
use crate::pdf::Fonts;
use crate::run_report::ListError;
use crate::streaming_pdf::{Failure, StreamingPdf};
use relais_core::Cents;
use std::io::Write;

const TITLE_TEXT: &str = "État nominatif des sommes versées";

/// Everything above the rows, from the header alone.
fn front(flow: &mut Flow<'_>, h: &StatementHeader, amount: Cents) -> Result<(), StatementError> {
    flow.text(&h.authority, SMALL)?;
    flow.text(TITLE_TEXT, TITLE)?;
    let run = format!("Paiement {} — mois de {}", h.run, month_long(h.month));
    flow.text(&run, TEXT)?;

    flow.heading("Bénéficiaire du virement");
    flow.text(&h.payee_name, STRONG)?;
    for line in h.payee_address.iter().filter(|l| !l.trim().is_empty()) {
        flow.text(line, TEXT)?;
    }
    flow.text(&format!("Tiers n° {}", h.payee_id), TEXT)?;

    flow.heading("Virement");
    flow.pair("Date de paiement", &date_short(h.pay_date))?;
    flow.pair("Montant", &amount.to_string())?;
    flow.pair("Référence", &h.reference)?;
    flow.pair("Compte crédité", &h.iban_masked)?;
    if let Some(m) = h.mandate {
        let number = format!(
            "n° {} du bordereau n° {}, exercice {}",
            m.piece, m.bordereau, m.exercice
        );
        flow.pair("Mandat", &number)?;
    }
    flow.gap(6.0);
    let note = format!(
        "Ce virement règle les sommes ci-dessous, versées pour le compte des personnes nommées. \
         Son libellé porte la référence {} de cet état.",
        h.reference
    );
    flow.text(&note, TEXT)?;

    flow.heading("Personnes pour lesquelles le virement est fait");
    flow.table();
    Ok(())
}

/// Runs `rows` with `each` as its callback. Our own failure (an overflow, a page that cannot
/// be made) is kept and the rows that follow are skipped, so that `E` needs no way to carry
/// it; the source's failure comes back as `Rows`.
fn each_row<E, R>(rows: &mut R, each: &mut EachRow<'_>) -> Result<(), StatementError>
where
    E: Into<ListError>,
    R: FnMut(&mut dyn FnMut(&StatementRow) -> Result<(), E>) -> Result<(), E>,
{
    let mut ours: Option<StatementError> = None;
    let listed = rows(&mut |row| {
        if ours.is_none() {
            ours = each(row).err();
        }
        Ok(())
    });
    match (ours, listed) {
        (Some(e), _) => Err(e),
        (None, Err(e)) => Err(StatementError::Rows(e.into())),
        (None, Ok(())) => Ok(()),
    }
}

/// The whole statement into `flow`, reading the rows once; their count and total.
fn lay_out(
    flow: &mut Flow<'_>,
    header: &StatementHeader,
    amount: Cents,
    rows: &mut Rows<'_>,
) -> Result<Tally, StatementError> {
    front(flow, header, amount)?;
    rows(&mut |r| flow.row(r))?;
    flow.end_table()?;
    let tally = flow.list.tally;
    flow.gap(8.0);
    let closing = format!(
        "Arrêté le présent état à {}, pour un montant total de\u{a0}{}.",
        count_of(tally.rows, "ligne", "lignes"),
        tally.amount
    );
    flow.text(&closing, STRONG)?;
    Ok(tally)
}

/// Called once per row of a statement.
type EachRow<'a> = dyn FnMut(&StatementRow) -> Result<(), StatementError> + 'a;

/// A statement's rows: calls its argument once per row, in order, each time it is called.
type Rows<'a> = dyn FnMut(&mut EachRow<'_>) -> Result<(), StatementError> + 'a;

/// Called once per statement, with its rows however they come.
type Statement<'a> =
    dyn FnMut(&StatementHeader, Cents, &mut Rows<'_>) -> Result<(), StatementError> + 'a;

/// Called once per statement by the source of [`write_statements_pdf`]: the statement's
/// header, the amount of its transfer, and its rows in the order to print them.
pub type EachStatement<'a> =
    dyn FnMut(&StatementHeader, Cents, &[StatementRow]) -> Result<(), StatementError> + 'a;

/// The running header and the footer of `header`'s pages.
fn frame(fonts: &Fonts, header: &StatementHeader) -> Frame {
    let running = format!(
        "{} — {TITLE_TEXT} — {} — {}",
        header.authority, header.payee_name, header.reference
    );
    let footer = format!("{TITLE_TEXT} — {}", header.reference);
    Frame::new(fonts, &running, &footer)
}

/// The statements drawn so far into one document.
struct Book<'w> {
    fonts: &'static Fonts,
    document: StreamingPdf<'w>,
    statements: u64,
}

fn fail(f: Failure) -> StatementError {
    match f {
        Failure::Io(e) => StatementError::Io(e),
        Failure::Pdf(e) => StatementError::Pdf(e),
    }
}

impl Book<'_> {
    /// Lays the statement out to count its pages and check its total, then draws it the
    /// same, numbering its pages from 1: `rows` is read twice.
    fn add(
        &mut self,
        header: &StatementHeader,
        amount: Cents,
        rows: &mut Rows<'_>,
    ) -> Result<(), StatementError> {
        let frame = frame(self.fonts, header);
        let mut counter = Counter;
        let mut flow = new_flow(&mut counter, self.fonts, &frame);
        let tally = lay_out(&mut flow, header, amount, rows)?;
        let pages = flow.finish()?;
        tally.check(header, amount)?;

        let first_page = self.document.pages();
        let mut drawer = Drawer {
            document: &mut self.document,
            frame: &frame,
            pages,
            fail,
        };
        let mut flow = new_flow(&mut drawer, self.fonts, &frame);
        let drawn = lay_out(&mut flow, header, amount, rows)?;
        if flow.finish()? != pages || drawn != tally {
            return Err(StatementError::Changed {
                reference: header.reference.clone(),
            });
        }
        let name = format!("{} — {}", header.payee_name, header.reference);
        self.document.bookmark(name, first_page).map_err(fail)?;
        self.statements = self.statements.saturating_add(1);
        Ok(())
    }

    /// The document's bytes into `out`; the number of statements.
    fn write(mut self) -> Result<u64, StatementError> {
        if self.statements == 0 {
            self.document
                .text(MARGIN_X, 60.0, "Aucun état nominatif.", TEXT.size, false);
            self.document.finish_page().map_err(fail)?;
        }
        self.document.finish().map_err(fail)?;
        Ok(self.statements)
    }
}

/// The one way statements are written: all that `statements` gives, into one document. Our
/// own failure is kept, and `statements` gets a copy of it to stop on (or to ignore: the
/// statements that follow are then skipped); its own failure comes back as `Rows`.
fn write_pdf<E: Into<ListError>>(
    out: &mut dyn Write,
    title: String,
    statements: impl FnOnce(&mut Statement<'_>) -> Result<(), E>,
) -> Result<u64, StatementError> {
    let fonts = Fonts::shared().ok_or(StatementError::Font)?;
    let mut book = Book {
        fonts,
        document: StreamingPdf::new(out, fonts, title),
        statements: 0,
    };
    let mut ours: Option<StatementError> = None;
    let listed = statements(&mut |header, amount, rows| {
        if let Some(e) = &ours {
            return Err(e.echo());
        }
        book.add(header, amount, rows).map_err(|e| {
            let echo = e.echo();
            ours = Some(e);
            echo
        })
    });
    match (ours, listed) {
        (Some(e), _) => Err(e),
        (None, Err(e)) => Err(StatementError::Rows(e.into())),
        (None, Ok(())) => book.write(),
    }
}

/// Writes many statements into one A4 PDF and gives how many: an export's thousands of
/// statements pay a PDF's fixed cost (the fonts, embedded and subsetted) once, not once each.
/// Each statement starts on a new page and is printed exactly as [`write_statement_pdf`]
/// prints it alone: its header, "page n / N" counted within it, its carried totals and its
/// total. The document's outline (bookmarks) names each statement by its payee and
/// reference.
///
/// `statements` is called once, and calls its argument once per statement, in order
/// ([`EachStatement`]): the statement's header, its transfer's amount, its rows. One
/// statement's rows are held at a time, by the caller, and each page is written to `out` when
/// it is drawn. When the argument fails, `statements` may return that error (with
/// `?`) to stop early; this function then returns the argument's failure as it was, not what
/// `statements` turned it into.
///
/// Fails with [`StatementError::Mismatch`] when a statement's rows do not add up to its
/// transfer's amount, and with [`StatementError::Rows`] when `statements` fails on its own.
/// The document is then incomplete (the statements before were written out already, without
/// the end of the file): the caller discards it (the export writes to a temporary file,
/// renamed once complete). With no statement, the document is one page that says so.
pub fn write_statements_pdf<E, S>(
    out: &mut dyn Write,
    title: &str,
    statements: S,
) -> Result<u64, StatementError>
where
    E: Into<ListError>,
    S: FnOnce(&mut EachStatement<'_>) -> Result<(), E>,
{
    write_pdf(out, title.to_owned(), |each: &mut Statement<'_>| {
        statements(&mut |header, amount, rows: &[StatementRow]| {
            each(header, amount, &mut |row| {
                rows.iter().try_for_each(&mut *row)
            })
        })
    })
}

/// Writes the statement as an A4 PDF and gives its total. `rows` calls its argument once per
/// row, in the order to print them, and is called twice (to count the pages, then to draw
/// them): it must give the same rows both times. The rows are streamed, never collected.
///
/// Fails with [`StatementError::Mismatch`] when the rows do not add up to `expected_total`
/// (the transfer's amount), before anything is written; with [`StatementError::Changed`]
/// when the second reading differs from the first, and with [`StatementError::Rows`] when
/// `rows` fails, leaving then an incomplete document in `out`, to discard.
pub fn write_statement_pdf<E, R>(
    out: &mut dyn Write,
    header: &StatementHeader,
    expected_total: Cents,
    mut rows: R,
) -> Result<Cents, StatementError>
where
    E: Into<ListError>,
    R: FnMut(&mut dyn FnMut(&StatementRow) -> Result<(), E>) -> Result<(), E>,
{
    let title = format!("{TITLE_TEXT} {}", header.reference);
    write_pdf(out, title, |each: &mut Statement<'_>| {
        each(header, expected_total, &mut |row| each_row(&mut rows, row))
    })?;
    Ok(expected_total)
}
