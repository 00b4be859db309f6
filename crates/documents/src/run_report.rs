//! A payment run's control documents: the HTML control report the two checkers read before the
//! ordonnateur validates (décret GBCP art. 9, docs/domain.md "Who pays"), and its CSV exports. The
//! long lists (up to 2,000,000 lines) are streamed row by row from a [`RunLists`] straight
//! into the output: nothing here collects them. Same inputs, same bytes: no clock, no random,
//! no hash-map order.

mod csv_export;
pub(crate) use csv_export::safe as csv_safe;
pub(crate) use csv_export::safe;
mod html;
mod notes;

pub use csv_export::{
    write_anomalies_csv, write_changes_csv, write_exclusions_csv, write_mandates_csv,
    write_totals_csv,
};
pub use html::write_report_html;

use relais_core::Cents;
use relais_core::run::{AmountChange, Anomaly, ExcludedRight, MandateLine, RunSummary};

/// The report's HTML is written through one buffer over the caller's writer.
pub(crate) type Out<'o> = std::io::BufWriter<&'o mut dyn std::io::Write>;

/// What a list source may fail with (a database cursor, a file): kept as is for the caller.
pub type ListError = Box<dyn std::error::Error + Send + Sync>;

/// The long lists of a run, streamed (a run may have 2,000,000 lines: never collect them).
/// Each method calls `each` once per row, in the order the documents print them, and stops at
/// the first error `each` returns, returning it.
pub trait RunLists {
    fn exclusions(
        &mut self,
        each: &mut dyn FnMut(&ExcludedRight) -> Result<(), ListError>,
    ) -> Result<(), ListError>;
    fn changes(
        &mut self,
        each: &mut dyn FnMut(&AmountChange) -> Result<(), ListError>,
    ) -> Result<(), ListError>;
    fn anomalies(
        &mut self,
        each: &mut dyn FnMut(&Anomaly) -> Result<(), ListError>,
    ) -> Result<(), ListError>;
    fn mandates(
        &mut self,
        each: &mut dyn FnMut(&MandateLine) -> Result<(), ListError>,
    ) -> Result<(), ListError>;
}

/// Why a run's document could not be written. `Display` is French (an agent reads it);
/// [`ReportError::message_en`] is for the logs.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(
        "écriture du document impossible : {0} (vérifiez la place libre et les droits du dossier)"
    )]
    Io(#[from] std::io::Error),
    #[error("lecture des listes du paiement impossible : {0}")]
    List(ListError),
    #[error("écriture du CSV impossible : {0}")]
    Csv(String),
    #[error("police intégrée illisible : le logiciel est à réinstaller")]
    Font,
    #[error("écriture du PDF impossible : {0}")]
    Pdf(String),
    #[error("total impossible à calculer : dépassement de capacité")]
    Overflow,
    #[error(
        "la liste des mandats ({found_mandates} mandats, {found_total}) ne correspond pas au \
         paiement ({expected_mandates} mandats, {expected_total}) : le bordereau n'est pas \
         produit ; recommencez, et signalez l'écart s'il persiste"
    )]
    Mismatch {
        expected_mandates: u64,
        expected_total: Cents,
        found_mandates: u64,
        found_total: Cents,
    },
}

impl ReportError {
    /// A stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            ReportError::Io(_) => "document_ecriture",
            ReportError::List(_) => "document_listes",
            ReportError::Csv(_) => "document_csv",
            ReportError::Font => "document_police",
            ReportError::Pdf(_) => "document_pdf",
            ReportError::Overflow => "document_depassement",
            ReportError::Mismatch { .. } => "bordereau_ecart",
        }
    }

    /// The same message in English, for logs.
    pub fn message_en(&self) -> String {
        match self {
            ReportError::Io(e) => format!("cannot write the document: {e}"),
            ReportError::List(e) => format!("cannot read the run's lists: {e}"),
            ReportError::Csv(e) => format!("cannot write the CSV: {e}"),
            ReportError::Font => "the embedded font cannot be read".into(),
            ReportError::Pdf(e) => format!("cannot write the PDF: {e}"),
            ReportError::Overflow => "total cannot be computed: overflow".into(),
            ReportError::Mismatch {
                expected_mandates,
                expected_total,
                found_mandates,
                found_total,
            } => format!(
                "the mandate list ({found_mandates} mandates, {}) does not match the run \
                 ({expected_mandates} mandates, {}): no bordereau written",
                found_total.to_decimal(),
                expected_total.to_decimal()
            ),
        }
    }
}

impl From<csv::Error> for ReportError {
    fn from(e: csv::Error) -> ReportError {
        let text = e.to_string();
        match e.into_kind() {
            csv::ErrorKind::Io(io) => ReportError::Io(io),
            _ => ReportError::Csv(text),
        }
    }
}

/// Runs a list `source` with `each` as its callback, telling our own failure (writing the
/// output) apart from the source's: ours comes back as it was, the source's as `List`.
pub(crate) fn stream<T: ?Sized>(
    source: impl FnOnce(&mut dyn FnMut(&T) -> Result<(), ListError>) -> Result<(), ListError>,
    mut each: impl FnMut(&T) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    let mut ours: Option<ReportError> = None;
    let listed = source(&mut |item| {
        each(item).map_err(|e| {
            ours = Some(e);
            ListError::from("interrompu par une erreur d'écriture")
        })
    });
    match (ours, listed) {
        (Some(e), _) => Err(e),
        (None, Err(e)) => Err(ReportError::List(e)),
        (None, Ok(())) => Ok(()),
    }
}

/// Whether an amount change is large enough for the report: strictly more than `threshold`
/// either way (RunSummary::change_threshold).
pub(crate) fn above_threshold(change: &AmountChange, threshold: Cents) -> bool {
    let diff = i128::from(change.current.0) - i128::from(change.previous.0);
    diff.abs() > i128::from(threshold.0)
}

/// Adds `b` to `a`, or fails with `Overflow`.
pub(crate) fn add(a: Cents, b: Cents) -> Result<Cents, ReportError> {
    a.checked_add(b).ok_or(ReportError::Overflow)
}

/// `exercice 2026 : n° 41, 42`, or that none is numbered yet.
pub(crate) fn bordereaux(s: &RunSummary) -> String {
    if s.bordereaux.is_empty() {
        return "non encore numérotés (paiement non exporté)".into();
    }
    let mut years: Vec<i16> = Vec::new();
    for (year, _) in &s.bordereaux {
        if !years.contains(year) {
            years.push(*year);
        }
    }
    years
        .iter()
        .map(|y| {
            let ids: Vec<String> = s
                .bordereaux
                .iter()
                .filter(|b| b.0 == *y)
                .map(|b| b.1.to_string())
                .collect();
            format!("exercice {y} : n° {}", ids.join(", "))
        })
        .collect::<Vec<_>>()
        .join(" ; ")
}
