//! Payment runs and the renewal of rights: a storage contract of its own, beside
//! [`crate::Store`].
//!
//! Invariants, enforced by the schema and not only by queries:
//! - a right is paid at most once per month: the primary key (right, month) of `run_claims`,
//!   which holds the runs' claims (only the cancellation of a prepared run deletes them) and,
//!   from the preparation of a month on, the imported history's payments of that month as
//!   claims of no run (never deleted);
//! - the preparer never validates (a CHECK on the run), and only an ordonnateur does;
//! - a validated or cancelled run never changes, and no run or line is ever deleted;
//! - PES bordereau (`IdBord`) and mandate (`IdPce`) numbers continue, per exercice, the last
//!   ones the paierie confirmed (`crate::numbering`), given at validation: no gap, no repeat.
//!
//! A run's lines copy what the payment needs (amount, payee, bank details, imputation), so a
//! later import changes nothing of a run already prepared, and exporting it again gives the
//! same bytes.

use crate::StoreError;
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::ids::{Bic, Iban, Siret};
use relais_core::journal::Entry;
use relais_core::records::{Benefit, LegalForm, PayeeKind};
use relais_core::run::{
    AmountChange, Anomaly, ExcludedRight, RenewalPolicy, RunId, RunStatus, RunSummary,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a run operation failed, in French for the agent.
#[derive(Debug, thiserror::Error)]
pub enum RunStoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("aucun paiement {0}")]
    NotFound(RunId),
    #[error("le paiement {run} est {status} : {what} impossible", status = .status.label_fr())]
    WrongStatus {
        run: RunId,
        status: RunStatus,
        what: &'static str,
    },
    #[error(
        "« {0} » a préparé ce paiement : un autre ordonnateur doit le valider (séparation des tâches, décret GBCP art. 9)"
    )]
    SamePerson(String),
    #[error(
        "un paiement de {month} est déjà en préparation pour d'autres prestations ({run}) : validez-le ou annulez-le d'abord"
    )]
    OtherRunOpen { month: Month, run: RunId },
    #[error(
        "rien à payer pour {0} : chaque droit payable est déjà payé (historique) ou dans un paiement"
    )]
    NothingToPay(Month),
    #[error(
        "rien à payer pour la paie de {0} : chaque agent en poste est déjà payé ce mois ou exclu (voir le rapport)"
    )]
    NoAgentToPay(Month),
    #[error(
        "rien à mandater : aucune facture liquidée n'est prête{}",
        if .0.is_empty() { String::new() } else { format!(" ({} en attente : {})", .0.len(), .0.iter().take(5).cloned().collect::<Vec<_>>().join(" ; ")) }
    )]
    NothingToMandate(Vec<String>),
    #[error("aucun fournisseur de SIRET « {0} » (fournisseurs.csv)")]
    UnknownSupplier(String),
    #[error("les coordonnées bancaires du fournisseur {0} sont déjà approuvées")]
    SupplierBankApproved(String),
    #[error("trop de paiements pour {0} (99 au plus)")]
    TooManyRuns(Month),
    #[error("aucun tiers « {0} »")]
    UnknownPayee(String),
    #[error("le motif est vide")]
    EmptyReason,
    #[error("aucun agent de matricule « {0} » (agents.csv, ou une entrée approuvée)")]
    UnknownAgent(String),
    #[error("aucune demande de changement n° {0}")]
    ChangeNotFound(u64),
    #[error("la demande n° {0} est déjà décidée")]
    ChangeDecided(u64),
    #[error(
        "« {0} » a demandé ce changement : un autre ordonnateur doit le décider (séparation des tâches)"
    )]
    SameAsker(String),
    #[error("la référence de la pièce justificative (arrêté) est vide")]
    NoProof,
    #[error(
        "{count} droit(s) ont une imputation hors de la nomenclature M57 (colonne imputation des extractions) ; rien n'est préparé. Corrigez l'extraction ou retirez la colonne pour ces droits (l'imputation des paramètres s'applique alors) : {}",
        .rights.iter().map(|(r, i, why)| format!("{r} « {i} » ({why})")).collect::<Vec<_>>().join(" ; ")
    )]
    BadImputations {
        count: u64,
        /// The first rights concerned (at most [`MAX_NAMED_RIGHTS`]): right, imputation, why.
        rights: Vec<(String, String, String)>,
    },
    #[error(
        "numérotation de l'exercice {exercice} non confirmée : demandez à la paierie (comptable public) le dernier numéro de bordereau et le dernier numéro de mandat de l'exercice {exercice} qu'elle a reçus de l'ancien système (et le montant déjà mandaté), puis enregistrez-les : relais numbering set --exercice {exercice} --last-bordereau N --last-mandat N --reason \"…\" --user ORDONNATEUR"
    )]
    NoNumbering { exercice: i16 },
    #[error(
        "le paiement de {month} relève de l'exercice {year} : il ne peut pas être validé (bordereau émis) avant le {from} (validé aujourd'hui, il serait de l'exercice {today_year})",
        year = .month.year(),
        from = .from.strftime("%d/%m/%Y"),
        today_year = .today.year()
    )]
    FutureExercice {
        month: Month,
        from: Date,
        today: Date,
    },
    #[error("aucun droit « {0} » dans la copie")]
    UnknownRight(String),
    #[error(
        "le droit {right} n'est pas exclu pour {month} comme prestation déjà payée sous un autre droit : rien à lever"
    )]
    NotADuplicate { right: String, month: Month },
    /// A month that may not be paid (see [`relais_core::month_guard`]).
    #[error(transparent)]
    Month(#[from] relais_core::month_guard::MonthRefusal),
    /// A caller's callback stopped a stream with its own error.
    #[error("{0}")]
    Stopped(Box<dyn std::error::Error + Send + Sync>),
}

/// How one benefit is paid in a run, frozen at preparation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BenefitParams {
    pub account: String,
    pub function: String,
    pub pay_date: Date,
    /// Why `pay_date` is earlier than the day of the settings (a weekend, a public holiday,
    /// a day TARGET2 is closed), when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_date_note: Option<String>,
    pub ceiling: Option<Cents>,
    /// The imputation (account, function) when paid to a kind of payee, where it differs
    /// from `account` and `function` (M57: APA at home paid to the person 651142, to a
    /// home-help service 651141).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_payee: BTreeMap<PayeeKind, (String, String)>,
}

impl BenefitParams {
    /// The account and function of this benefit paid to a payee of `kind`.
    pub fn imputation(&self, kind: PayeeKind) -> (&str, &str) {
        match self.by_payee.get(&kind) {
            Some((account, function)) => (account, function),
            None => (&self.account, &self.function),
        }
    }
}

/// What a run was prepared with (from the settings), kept with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunParams {
    pub benefits: BTreeMap<Benefit, BenefitParams>,
    pub change_threshold: Cents,
    pub bank_change_days: u16,
    /// The CAF the RSA is mandated to, when the settings name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caf: Option<CafParams>,
    /// A payroll run's pay date and creditors (`None` for a run of social aid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payroll: Option<PayrollParams>,
}

/// What a payroll run is prepared with, frozen with the run (`RunParams::payroll`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayrollParams {
    pub pay_date: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_date_note: Option<String>,
    pub settings: relais_core::payroll::PayrollSettings,
}

/// The CAF as a payee of the run (from the settings, frozen with the run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CafParams {
    pub name: String,
    pub iban: Iban,
    /// Stored as `""` when the settings give none (runs prepared before: the same).
    #[serde(with = "bic_or_empty")]
    pub bic: Option<Bic>,
    pub siret: Option<Siret>,
    pub address: String,
    pub postal_code: String,
    pub city: String,
}

/// A BIC kept as its text, `""` for none, as the run's parameters have always stored it.
mod bic_or_empty {
    use relais_core::ids::Bic;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bic: &Option<Bic>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(bic.as_ref().map_or("", Bic::as_str))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Bic>, D::Error> {
        let text = String::deserialize(d)?;
        if text.is_empty() {
            return Ok(None);
        }
        Bic::parse(&text)
            .map(Some)
            .map_err(serde::de::Error::custom)
    }
}

/// The payee id of the CAF in a run's payees.
pub const CAF_PAYEE: &str = "CAF";

/// A request to prepare a run.
#[derive(Debug, Clone)]
pub struct PrepareRun<'a> {
    pub month: Month,
    pub actor: &'a str,
    /// The authority's name, for the report.
    pub authority: &'a str,
    /// The authority's local date and time of preparation (`2026-12-01 09:14`) and date.
    pub local_time: String,
    pub today: Date,
    pub params: RunParams,
    /// An arrears run (`--rappel`) of a month before the history's latest, and why: it pays
    /// only the rights with no payment that month (see [`relais_core::month_guard`]).
    pub arrears: Option<&'a str>,
}

/// A run as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    pub id: RunId,
    /// Social aid or payroll.
    pub kind: relais_core::run::RunKind,
    pub status: RunStatus,
    pub benefits: Vec<Benefit>,
    pub params: RunParams,
    /// Totals and counts, with the status and names of the moment it is read.
    pub summary: RunSummary,
    /// (exercice, first IdBord), given at validation; the run's bordereaux are numbered on
    /// from it, one per [`MANDATES_PER_BORDEREAU`] mandates.
    pub bordereau: Option<(i16, u32)>,
    /// The run's first `IdPce`, given at validation: its mandates are numbered on from it
    /// across its bordereaux (`None` for runs validated before migration 15, whose mandates
    /// were numbered from 1 in each bordereau).
    pub first_mandate: Option<u32>,
    /// The exercice's `MtCumulAnnuel` before this run, given at validation.
    pub cumul_before: Option<Cents>,
}

impl RunRecord {
    /// The bordereau (index in the run: 0, 1…) and the `IdPce` of the run's mandate number
    /// `mandate` (1, 2…).
    pub fn piece_position(&self, mandate: u32) -> (u32, u32) {
        let m = mandate.saturating_sub(1);
        let index = m / MANDATES_PER_BORDEREAU;
        match self.first_mandate {
            Some(first) => (index, first.saturating_add(m)),
            None => (index, m % MANDATES_PER_BORDEREAU + 1),
        }
    }
}

/// What `prepare` did: a new run, or the one already prepared by the same request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub run: RunRecord,
    /// `false` when an identical run was already prepared (a retry after a crash, or two
    /// prepares at once): nothing was claimed twice.
    pub created: bool,
}

/// A payee as a run pays it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunPayee {
    pub id: String,
    pub kind: PayeeKind,
    pub name: String,
    pub siret: Option<Siret>,
    pub iban: Iban,
    /// `None` when the payee has none (the CAF without a BIC in the settings).
    pub bic: Option<Bic>,
    pub holder: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    /// The extract's `forme_juridique`, when it says (runs prepared before it: `None`).
    pub legal_form: Option<LegalForm>,
}

/// One line of a run: one right paid for the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunLine {
    pub line: u64,
    pub right_id: String,
    pub dossier: String,
    pub last_name: String,
    pub first_name: String,
    /// `M` or `MME`, when known (the extract's, else the NIR's).
    pub civility: Option<String>,
    pub benefit: Benefit,
    pub amount: Cents,
    pub first_day: Date,
    pub last_day: Date,
    pub account: String,
    pub function: String,
    pub pay_date: Date,
    /// The mandate (`IdPce`) and the line in it; `None` for RSA, handed to the CAF.
    pub mandate: Option<(u32, u32)>,
    pub payee_id: String,
}

/// How many rights an error names at most (the count says how many there are).
pub const MAX_NAMED_RIGHTS: usize = 20;

/// A PES bordereau holds at most this many mandates (`NbrPce` has five digits,
/// `Class_BordereauDepenseAller.xsd`): a larger run is cut into several bordereaux.
pub const MANDATES_PER_BORDEREAU: u32 = 99_999;

/// Mandates and total of a group of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GroupTotal {
    pub mandates: u64,
    pub total: Cents,
}

/// See [`RunStore::run_totals`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RunTotals {
    pub per_pay_date: BTreeMap<Date, GroupTotal>,
    /// Index of the bordereau in the run (0, 1…) → its totals.
    pub per_bordereau: BTreeMap<u32, GroupTotal>,
}

/// What a renewal changes (or would change).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct RenewalOutcome {
    /// Per benefit: rights renewed and their total monthly amount.
    pub per_benefit: BTreeMap<Benefit, (u64, Cents)>,
    pub rights: u64,
    /// The journal entry, when applied and something changed.
    #[serde(skip)]
    pub entry: Option<Entry>,
}

/// Callback over streamed rows; an error stops the stream and is handed back.
pub type Each<'a, T> = &'a mut dyn FnMut(&T) -> Result<(), RunStoreError>;

/// What a store of payment runs offers.
pub trait RunStore {
    /// What the imported history paid for each benefit and month of `from..=to`: (benefit,
    /// month, total), by benefit then month; a month the history does not hold has no row
    /// (the payments page's chart; the validated runs' totals are in their summaries).
    fn history_totals(
        &self,
        from: relais_core::calendar::Month,
        to: relais_core::calendar::Month,
    ) -> Result<
        Vec<(
            relais_core::records::Benefit,
            relais_core::calendar::Month,
            relais_core::Cents,
        )>,
        StoreError,
    >;

    /// Prepares the run of `req.month` for `benefits` by `req.actor` (role liquidation), in
    /// one transaction with its journal entry. When a run of that month is already prepared
    /// for the same benefits, returns it (`created: false`) instead of claiming again.
    /// Releases right `right` for `month` although its person was paid the same benefit that
    /// month under another right (an ordonnateur's decision, with its reason, journaled): the
    /// next preparation of the month pays it. The other right is returned.
    fn release_duplicate(
        &mut self,
        actor: &str,
        right: &str,
        month: Month,
        reason: &str,
        local_time: &str,
    ) -> Result<String, RunStoreError>;

    fn prepare_run(
        &mut self,
        req: &PrepareRun<'_>,
        benefits: &[Benefit],
    ) -> Result<Prepared, RunStoreError>;
    fn run(&self, id: RunId) -> Result<Option<RunRecord>, RunStoreError>;
    /// Every run, newest first.
    fn runs(&self) -> Result<Vec<RunRecord>, RunStoreError>;
    /// Validates a prepared run (role ordonnateur, not the preparer) and gives it its
    /// bordereau number. Validating it again by the same user returns it unchanged.
    fn validate_run(
        &mut self,
        id: RunId,
        actor: &str,
        local_time: &str,
    ) -> Result<RunRecord, RunStoreError>;
    /// Cancels a prepared run (role liquidation or ordonnateur), freeing its claims.
    fn cancel_run(
        &mut self,
        id: RunId,
        actor: &str,
        reason: &str,
    ) -> Result<RunRecord, RunStoreError>;
    /// The payees the run pays (mandated lines; not the CAF's RSA payees), by id.
    fn each_run_payee(&self, id: RunId, each: Each<'_, RunPayee>) -> Result<(), RunStoreError>;
    /// The run's mandated lines with their payee, by mandate then line.
    fn each_run_line(
        &self,
        id: RunId,
        each: &mut dyn FnMut(&RunLine, &RunPayee) -> Result<(), RunStoreError>,
    ) -> Result<(), RunStoreError>;
    /// The run's RSA lines (handed to the CAF), by dossier.
    fn each_caf_line(&self, id: RunId, each: Each<'_, RunLine>) -> Result<(), RunStoreError>;
    /// Totals of the mandated lines per pay date and per bordereau (of [`MANDATES_PER_BORDEREAU`]
    /// mandates), for the headers that come before the items in PES and pain.001 files.
    fn run_totals(&self, id: RunId) -> Result<RunTotals, RunStoreError>;
    fn each_run_exclusion(
        &self,
        id: RunId,
        each: Each<'_, ExcludedRight>,
    ) -> Result<(), RunStoreError>;
    fn each_run_anomaly(&self, id: RunId, each: Each<'_, Anomaly>) -> Result<(), RunStoreError>;
    fn each_run_change(&self, id: RunId, each: Each<'_, AmountChange>)
    -> Result<(), RunStoreError>;
    /// Records an export (the files' digests) in the journal.
    fn record_run_export(
        &mut self,
        id: RunId,
        actor: &str,
        files: &serde_json::Value,
    ) -> Result<Entry, RunStoreError>;
    /// Approves the current bank details of a payee changed recently (role ordonnateur).
    fn approve_bank_details(&mut self, payee_id: &str, actor: &str)
    -> Result<Entry, RunStoreError>;
    /// What `policy` would change; applies it (one journal entry listing every right) unless
    /// `dry_run`. Applying it again changes nothing.
    fn renew_rights(
        &mut self,
        policy: &RenewalPolicy,
        actor: &str,
        dry_run: bool,
    ) -> Result<RenewalOutcome, RunStoreError>;
    /// What Relais paid in `months`, for the reconciliation: every claim of a validated run
    /// and of the imported history (`run: None`) of those months, by right then month (the
    /// rights' ids in byte order).
    fn each_paid_claim(
        &self,
        months: &[Month],
        each: &mut dyn FnMut(&relais_core::reconcile::PaidClaim) -> Result<(), RunStoreError>,
    ) -> Result<(), RunStoreError>;
}
