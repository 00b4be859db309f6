//! Changes of an agent's situation: asked with their proof, decided by another ordonnateur.

use crate::clock::{Clock, local_now};
use crate::error::AppError;
use jiff::tz::TimeZone;
use relais_core::payroll::{AgentChange, ChangeRecord};
use relais_store::payroll::{AskChange, PayrollStore};

/// A change asked.
#[derive(Debug, Clone)]
pub struct ChangeRequest<'a> {
    pub actor: &'a str,
    pub matricule: &'a str,
    pub change: AgentChange,
    pub proof: &'a str,
    pub reason: &'a str,
}

/// Records `req`, waiting for an ordonnateur's decision.
pub fn ask<S: PayrollStore + ?Sized>(
    store: &mut S,
    clock: &dyn Clock,
    tz: &TimeZone,
    req: ChangeRequest<'_>,
) -> Result<ChangeRecord, AppError> {
    let (local_time, _) = local_now(clock, tz);
    Ok(store.ask_payroll_change(&AskChange {
        actor: req.actor,
        matricule: req.matricule,
        change: req.change,
        proof: req.proof,
        reason: req.reason,
        local_time: &local_time,
    })?)
}

/// Approves (`refusal: None`) or refuses change `id`.
pub fn decide<S: PayrollStore + ?Sized>(
    store: &mut S,
    clock: &dyn Clock,
    tz: &TimeZone,
    actor: &str,
    id: u64,
    refusal: Option<&str>,
) -> Result<ChangeRecord, AppError> {
    let (local_time, _) = local_now(clock, tz);
    Ok(store.decide_payroll_change(actor, id, refusal, &local_time)?)
}
