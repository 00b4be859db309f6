//! Rows rejected at import, and rows accepted with warnings (a phone number, an e-mail, an
//! unknown site: the row is kept without the value), handled by hand: an agent records what
//! became of each (corrected at the source, handled outside Relais, or dropped) with a note;
//! journaled. Each row has its own outcome, whatever its severity. An outcome is
//! tied to the row's file and content, so it still applies when the same row is rejected again
//! by a later import, and a corrected row simply stops being rejected.

use crate::{FlaggedRecord, StoreError};

/// What became of a rejected row: (code, label for agents).
pub const OUTCOMES: &[(&str, &str)] = &[
    (
        "corrige_a_la_source",
        "Corrigé dans l'application d'origine (repris au prochain import)",
    ),
    (
        "traite_a_la_main",
        "Traité à la main (paiement ou courrier hors Relais)",
    ),
    ("sans_suite", "Classé sans suite"),
];

/// An outcome recorded for a rejected row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handling {
    pub outcome: String,
    pub note: String,
    pub by: String,
    pub at: String,
}

/// A rejected row and its outcome, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlaggedView {
    pub row: FlaggedRecord,
    pub handling: Option<Handling>,
}

pub trait FlaggedRowStore {
    /// Rejected rows and rows with warnings in file order, `limit` from `offset`; only those
    /// without an outcome when `open_only`. Also the number of rows without an outcome.
    fn flagged_views(
        &self,
        offset: u64,
        limit: u64,
        open_only: bool,
    ) -> Result<(Vec<FlaggedView>, u64), StoreError>;

    /// One rejected row and its outcome.
    fn flagged_view(&self, id: i64) -> Result<Option<FlaggedView>, StoreError>;

    /// Records what became of row `id` (role instruction or admin), at `at` (local time),
    /// replacing an earlier outcome; journaled. `None` when there is no such row. The outcome
    /// is one of [`OUTCOMES`] and the note not empty (the schema refuses anything else).
    fn handle_flagged(
        &mut self,
        actor: &str,
        id: i64,
        outcome: &str,
        note: &str,
        at: &str,
    ) -> Result<Option<u64>, StoreError>;
}
