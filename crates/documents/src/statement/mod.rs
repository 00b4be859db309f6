//! The per-payee statement (état nominatif des sommes versées) that goes with a transfer paid
//! for many people: an establishment (EHPAD), a home-help service or a guardian association
//! receives one transfer for all the people it hosts, helps or protects, and the statement
//! tells it who was paid for — person, dossier, benefit, period, amount. The transfer's
//! remittance names the statement by its reference ([`statement_reference`]).
//!
//! Two documents over `Write`, the same rows: a CSV for the payee's spreadsheet
//! ([`write_statement_csv`]) and an A4 PDF to print and file ([`write_statement_pdf`]). The
//! rows are streamed, never collected (a guardian association may have thousands); the PDF
//! reads them twice, to count its pages, then to draw them. Both check that the rows add up to
//! the transfer's amount, and fail otherwise: a statement that does not match its transfer is
//! worse than none. Same inputs, same bytes.
//!
//! An export's thousands of statements are printed into one PDF
//! ([`write_statements_pdf`]), each from a new page and numbered on its own, exactly as alone:
//! a PDF's fixed cost (the fonts, embedded and subsetted) is paid once, not once a statement.

mod draw;
mod layout;
mod print;
mod reference;
mod spreadsheet;

pub use print::{EachStatement, write_statement_pdf, write_statements_pdf};
pub use reference::{REFERENCE_MAX, statement_reference};
pub use spreadsheet::write_statement_csv;

use crate::run_report::ListError;
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::records::Benefit;

/// A mandate's number in the PES files: its bordereau's exercice and `IdBord`, and its `IdPce`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MandateNumber {
    pub exercice: i16,
    pub bordereau: u32,
    pub piece: u32,
}

/// What a statement says above its rows: who pays, whom, and the transfer it explains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementHeader {
    /// The paying authority (`Département de …`).
    pub authority: String,
    /// The payment run, e.g. `P2026-12-01`.
    pub run: String,
    /// The month the run pays.
    pub month: Month,
    /// The payee's identifier (`tiers`) and name.
    pub payee_id: String,
    pub payee_name: String,
    /// The payee's postal address, one line each.
    pub payee_address: Vec<String>,
    /// The account credited, already masked by the caller (`FR76 **** **** **** **** **12 345`):
    /// a statement is sent by post, the full IBAN has no business on it.
    pub iban_masked: String,
    pub pay_date: Date,
    /// The transfer's mandate, once the run is exported.
    pub mandate: Option<MandateNumber>,
    /// The statement's reference, as the transfer's remittance names it
    /// ([`statement_reference`]).
    pub reference: String,
}

/// One person paid for: one right for one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRow {
    pub dossier: String,
    pub last_name: String,
    pub first_name: String,
    pub benefit: Benefit,
    pub first_day: Date,
    pub last_day: Date,
    pub amount: Cents,
}

impl StatementRow {
    /// `NOM Prénom`, as the documents print the person.
    fn person(&self) -> String {
        match (self.last_name.trim(), self.first_name.trim()) {
            (last, "") => last.to_owned(),
            ("", first) => first.to_owned(),
            (last, first) => format!("{last} {first}"),
        }
    }
}

/// Why a statement could not be written. `Display` is French (an agent reads it);
/// [`StatementError::message_en`] is for the logs.
#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    #[error(
        "écriture de l'état nominatif impossible : {0} (vérifiez la place libre et les droits \
         du dossier)"
    )]
    Io(#[from] std::io::Error),
    #[error("lecture des lignes de l'état nominatif impossible : {0}")]
    Rows(ListError),
    #[error("écriture du CSV impossible : {0}")]
    Csv(String),
    #[error("police intégrée illisible : le logiciel est à réinstaller")]
    Font,
    #[error("écriture du PDF impossible : {0}")]
    Pdf(String),
    #[error("total de l'état nominatif impossible à calculer : dépassement de capacité")]
    Overflow,
    #[error(
        "l'état nominatif {reference} ({rows} lignes, {found}) ne correspond pas au montant du \
         virement ({expected}) : il n'est pas produit ; recommencez, et signalez l'écart s'il \
         persiste"
    )]
    Mismatch {
        reference: String,
        rows: u64,
        expected: Cents,
        found: Cents,
    },
    #[error(
        "les lignes de l'état nominatif {reference} ont changé pendant son écriture : \
         recommencez"
    )]
    Changed { reference: String },
}

impl StatementError {
    /// A copy of the error (an I/O error or a source's keeps its kind and message), for a
    /// source to stop on while the writer keeps the original.
    fn echo(&self) -> StatementError {
        match self {
            StatementError::Io(e) => {
                StatementError::Io(std::io::Error::new(e.kind(), e.to_string()))
            }
            StatementError::Rows(e) => StatementError::Rows(e.to_string().into()),
            StatementError::Csv(e) => StatementError::Csv(e.clone()),
            StatementError::Font => StatementError::Font,
            StatementError::Pdf(e) => StatementError::Pdf(e.clone()),
            StatementError::Overflow => StatementError::Overflow,
            StatementError::Mismatch {
                reference,
                rows,
                expected,
                found,
            } => StatementError::Mismatch {
                reference: reference.clone(),
                rows: *rows,
                expected: *expected,
                found: *found,
            },
            StatementError::Changed { reference } => StatementError::Changed {
                reference: reference.clone(),
            },
        }
    }

    /// A stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            StatementError::Io(_) => "etat_ecriture",
            StatementError::Rows(_) => "etat_lignes",
            StatementError::Csv(_) => "etat_csv",
            StatementError::Font => "etat_police",
            StatementError::Pdf(_) => "etat_pdf",
            StatementError::Overflow => "etat_depassement",
            StatementError::Mismatch { .. } => "etat_ecart",
            StatementError::Changed { .. } => "etat_change",
        }
    }

    /// The same message in English, for logs.
    pub fn message_en(&self) -> String {
        match self {
            StatementError::Io(e) => format!("cannot write the statement: {e}"),
            StatementError::Rows(e) => format!("cannot read the statement's rows: {e}"),
            StatementError::Csv(e) => format!("cannot write the CSV: {e}"),
            StatementError::Font => "the embedded font cannot be read".into(),
            StatementError::Pdf(e) => format!("cannot write the PDF: {e}"),
            StatementError::Overflow => "statement total cannot be computed: overflow".into(),
            StatementError::Mismatch {
                reference,
                rows,
                expected,
                found,
            } => format!(
                "statement {reference}: its {rows} rows add up to {}, not to the transfer's {}: \
                 not written",
                found.to_decimal(),
                expected.to_decimal()
            ),
            StatementError::Changed { reference } => {
                format!("statement {reference}: the rows changed while it was written")
            }
        }
    }
}

impl From<csv::Error> for StatementError {
    fn from(e: csv::Error) -> StatementError {
        let text = e.to_string();
        match e.into_kind() {
            csv::ErrorKind::Io(io) => StatementError::Io(io),
            _ => StatementError::Csv(text),
        }
    }
}

/// The rows counted so far and their amount.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Tally {
    rows: u64,
    amount: Cents,
}

impl Tally {
    fn add(&mut self, amount: Cents) -> Result<(), StatementError> {
        self.amount = self
            .amount
            .checked_add(amount)
            .ok_or(StatementError::Overflow)?;
        self.rows = self.rows.saturating_add(1);
        Ok(())
    }

    /// `Ok` when the rows make the transfer's amount.
    fn check(self, header: &StatementHeader, expected: Cents) -> Result<(), StatementError> {
        if self.amount == expected {
            return Ok(());
        }
        Err(StatementError::Mismatch {
            reference: header.reference.clone(),
            rows: self.rows,
            expected,
            found: self.amount,
        })
    }
}
