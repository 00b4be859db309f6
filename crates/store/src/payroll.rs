//! Payroll runs: a storage contract beside [`crate::runs::RunStore`]. A payroll run is a run
//! (the same table, lifecycle, journal and numbering: validated by another ordonnateur with
//! [`crate::runs::RunStore::validate_run`], cancelled with `cancel_run`), whose lines are the
//! agents' repeated months instead of rights.
//!
//! Invariants, in the schema: an agent is paid at most once a month (the primary key
//! (matricule, month) of `payroll_claims`, freed only by cancelling a prepared run); an agent's
//! deferred variable elements are recorded once per month; a run's pays never change.

use crate::runs::{Each, Prepared, RunStoreError};
use relais_core::calendar::Month;
use relais_core::payroll::{
    AgentPay, Deferred, MandateKey, MandateTotals, PayrollExclusion, PayrollSummary,
};
use relais_core::run::RunId;

pub use crate::runs::PayrollParams;

/// A request to prepare the payroll of a month.
#[derive(Debug, Clone)]
pub struct PreparePayroll<'a> {
    pub month: Month,
    pub actor: &'a str,
    pub authority: &'a str,
    /// The authority's local time of preparation (`2026-12-01 09:14`).
    pub local_time: String,
    pub params: PayrollParams,
    /// Kept with the run as its `RunParams` (change threshold, bank change days).
    pub run_params: crate::runs::RunParams,
}

/// An agent's net on a mandat, with what the PES names them by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentNet {
    pub matricule: String,
    pub amount: relais_core::Cents,
    pub last_name: String,
    pub first_name: String,
    pub civility: String,
    pub iban: relais_core::ids::Iban,
    pub bic: relais_core::ids::Bic,
}

/// A change of an agent's situation asked (see [`relais_core::payroll::AgentChange`]).
#[derive(Debug, Clone)]
pub struct AskChange<'a> {
    pub actor: &'a str,
    pub matricule: &'a str,
    pub change: relais_core::payroll::AgentChange,
    /// The arrêté's reference.
    pub proof: &'a str,
    pub reason: &'a str,
    pub local_time: &'a str,
}

/// What a store of payroll runs offers.
pub trait PayrollStore {
    /// Records a change of an agent's situation (role liquidation or instruction), waiting for
    /// an ordonnateur's decision. The agent must exist, but for an entry.
    fn ask_payroll_change(
        &mut self,
        ask: &AskChange<'_>,
    ) -> Result<relais_core::payroll::ChangeRecord, RunStoreError>;
    /// Approves (`refusal: None`) or refuses change `id`, by an ordonnateur who did not ask it.
    fn decide_payroll_change(
        &mut self,
        actor: &str,
        id: u64,
        refusal: Option<&str>,
        local_time: &str,
    ) -> Result<relais_core::payroll::ChangeRecord, RunStoreError>;
    /// The changes, newest first; only those waiting for a decision when `pending`.
    fn payroll_changes(
        &self,
        pending: bool,
    ) -> Result<Vec<relais_core::payroll::ChangeRecord>, RunStoreError>;
    /// Prepares the payroll of `req.month` (role liquidation): each agent in post repeated
    /// from their last good month, claimed for the month; the excluded with their reason; the
    /// deferred variable elements recorded. A payroll run of the month still prepared is
    /// returned (`created: false`).
    fn prepare_payroll(&mut self, req: &PreparePayroll<'_>) -> Result<Prepared, RunStoreError>;
    fn payroll_summary(&self, run: RunId) -> Result<PayrollSummary, RunStoreError>;
    /// The run's mandats, in their order (numbered 1, 2… in the run).
    fn payroll_mandates(
        &self,
        run: RunId,
    ) -> Result<Vec<(MandateKey, MandateTotals)>, RunStoreError>;
    /// The agents' nets on mandat `key`, by matricule.
    fn each_payroll_net(
        &self,
        run: RunId,
        key: &MandateKey,
        each: Each<'_, AgentNet>,
    ) -> Result<(), RunStoreError>;
    /// Each agent paid, by matricule.
    fn each_payroll_pay(&self, run: RunId, each: Each<'_, AgentPay>) -> Result<(), RunStoreError>;
    fn each_payroll_exclusion(
        &self,
        run: RunId,
        each: Each<'_, PayrollExclusion>,
    ) -> Result<(), RunStoreError>;
    /// The variable elements deferred by the run, by matricule.
    fn each_deferred(&self, run: RunId, each: Each<'_, Deferred>) -> Result<(), RunStoreError>;
}
