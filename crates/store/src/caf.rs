//! The CAF's monthly statements of the RSA it paid (CASF L262-25: the caisse tells the
//! département each month what it paid per household; the département funds it).
//!
//! A statement is imported whole or not at all (a statement with a rejected row would give a
//! wrong total), by a `liquidation` or `ordonnateur` agent, in one transaction with its
//! journal entry. Importing a month again replaces its statement, until a payment run of that
//! month is validated: from then on the statement is what the run's CAF piece was mandated
//! from, and stays (the store refuses, and so does a trigger).
//!
//! The comparison with the store's RSA rights goes household by household (a person's
//! dossier): what the statement says the CAF paid against what the rights are worth for the
//! month ([`relais_core::payment::month_amount`]). Statement rows find their person by
//! `dossier` when the CAF gives a dossier the store knows, else by NIR.
//!
//! Contract tests: `crates/store/tests/caf.rs`.

use crate::StoreError;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::journal::Entry;
use relais_formats::caf::CafRow;

/// Why an import or a comparison is refused.
#[derive(Debug, thiserror::Error)]
pub enum CafError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "un paiement de {0} est validé : le relevé CAF de ce mois ne peut plus être remplacé \
         (le paiement a été mandaté d'après lui)"
    )]
    RunValidated(Month),
    #[error(
        "le relevé CAF de {month} a {rejected} ligne(s) rejetée(s) : il est refusé en entier, \
         car son total serait faux ; rien n'est importé. Corrigez les lignes ou demandez à la \
         CAF un relevé corrigé"
    )]
    RejectedRows { month: Month, rejected: u64 },
    #[error("le relevé CAF de {0} ne contient aucune ligne : rien n'est importé")]
    Empty(Month),
    #[error("le total du relevé CAF de {0} est trop grand")]
    TotalTooLarge(Month),
}

/// An imported statement, without its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CafStatement {
    pub month: Month,
    /// SHA-256 of the file's bytes, hex.
    pub file_sha256: String,
    pub rows: u64,
    pub total: Cents,
    pub imported_by: String,
    /// UTC, to the millisecond.
    pub imported_at: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CafImported {
    pub statement: CafStatement,
    /// The statement of the same month it replaced, if any.
    pub replaced: Option<CafStatement>,
    /// Runs of the month still being prepared: they keep the total they were prepared with
    /// (a run is self-contained) until cancelled and prepared again.
    pub prepared_runs: Vec<String>,
    pub entry: Entry,
}

/// One import, in one transaction: nothing is visible to others, and nothing changes, until
/// [`CafImportSession::commit`]; dropping the session rolls everything back.
pub trait CafImportSession {
    /// Adds a row of the statement (of the month the session was begun for).
    fn insert(&mut self, row: &CafRow) -> Result<(), CafError>;
    /// Commits the statement with its journal entry (`caf_statement_import`). Refused, and
    /// nothing imported, when `rejected` rows were refused by the reader or there is no row.
    fn commit(self: Box<Self>, file_sha256: &str, rejected: u64) -> Result<CafImported, CafError>;
}

/// Something to look at by hand after a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CafDiscrepancy {
    /// A row of the statement whose person the store does not know (neither its dossier nor
    /// its NIR).
    UnknownPerson(CafRow),
    /// A row of the statement for a person the store knows (`dossier`, found by the row's
    /// dossier or NIR) who has no RSA right payable this month.
    NoRight { dossier: String, row: CafRow },
    /// An RSA right payable this month whose person has no row in the statement.
    MissingRow {
        right_id: String,
        dossier: String,
        /// What the right is worth for the month.
        amount: Cents,
    },
    /// A household on both sides whose amounts differ by more than the threshold.
    AmountDiffers {
        dossier: String,
        /// The statement's rows for the household: (line, allocataire).
        rows: Vec<(u64, String)>,
        /// The household's RSA rights payable this month.
        right_ids: Vec<String>,
        /// What the CAF says it paid.
        statement: Cents,
        /// What the rights are worth for the month.
        rights: Cents,
    },
}

/// A count of rows or rights and their amount.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub count: u64,
    pub amount: Cents,
}

impl Tally {
    pub(crate) fn add(&mut self, amount: Cents) {
        self.count += 1;
        self.amount = Cents(self.amount.0.saturating_add(amount.0));
    }
}

/// The comparison of a month's statement with the store's RSA rights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CafComparison {
    pub month: Month,
    /// Amounts differing by more than this are reported.
    pub threshold: Cents,
    /// Every row of the statement.
    pub statement: Tally,
    /// Every RSA right payable this month (worth more than zero).
    pub rights: Tally,
    /// Households on both sides (count), and the statement's amount for them.
    pub matched: Tally,
    /// Of which amounts differ by more than the threshold (households, the statement's
    /// amount for them).
    pub differing: Tally,
    /// The differing households' rights, for the month.
    pub differing_rights: Cents,
    /// Rows whose person is unknown.
    pub unknown: Tally,
    /// Rows of known people without an RSA right payable this month.
    pub without_right: Tally,
    /// RSA rights without a row.
    pub missing: Tally,
}

/// The CAF's statements in a store.
pub trait CafStore {
    /// Starts importing the statement of `month` by `actor` (role liquidation or
    /// ordonnateur), replacing the month's statement if there is one and no payment run of
    /// the month is validated.
    fn begin_caf_import(
        &mut self,
        actor: &str,
        month: Month,
    ) -> Result<Box<dyn CafImportSession + '_>, CafError>;

    /// The imported statement of `month`, without its rows.
    fn caf_statement(&self, month: Month) -> Result<Option<CafStatement>, StoreError>;

    /// The imported statement's total for `month`: what the CAF says it paid, to be funded.
    fn caf_statement_total(&self, month: Month) -> Result<Option<Cents>, StoreError>;

    /// The latest month before `month` (excluded) with an imported statement, and its total:
    /// the advance when `month`'s statement is not in yet.
    fn latest_caf_statement_before(
        &self,
        month: Month,
    ) -> Result<Option<(Month, Cents)>, StoreError>;

    /// Compares the statement of `month` with the store's RSA rights, household by
    /// household; `each` gets every discrepancy (rows of unknown people first, then the
    /// others by dossier), amounts differing by more than `threshold` included. `None`
    /// when no statement of `month` was imported. Memory does not grow with the number of
    /// rights: both sides are read in dossier order and merged.
    fn compare_caf_statement(
        &self,
        month: Month,
        threshold: Cents,
        each: &mut dyn FnMut(&CafDiscrepancy),
    ) -> Result<Option<CafComparison>, StoreError>;
}
