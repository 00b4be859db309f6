//! Changes of an agent's situation: asked with their proof, decided by another ordonnateur.

use crate::clock::{Clock, local_now};
use crate::error::AppError;
use jiff::tz::TimeZone;
use relais_core::Cents;
use relais_core::ids::{Bic, Iban, Nir};
use relais_core::payroll::{AgentChange, ChangeRecord};
use relais_core::records::Agent;
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

/// What a change form or command gives: the kind (`entree`, `sortie`, `net`, `rib`) and the
/// fields it needs, already parsed.
#[derive(Debug, Clone, Default)]
pub struct ChangeFields {
    pub kind: String,
    pub matricule: String,
    pub date: Option<jiff::civil::Date>,
    pub net: Option<Cents>,
    pub iban: Option<Iban>,
    pub bic: Option<Bic>,
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub nir: Option<Nir>,
    pub service: Option<String>,
}

/// The change `f` describes, or what it lacks (in French).
pub fn change_of(f: ChangeFields) -> Result<AgentChange, AppError> {
    let need = |what: &str| AppError::Invalid {
        field: what.to_owned(),
        message: format!("un changement « {} » demande {what}", f.kind),
    };
    let text = |v: &Option<String>, what: &str| {
        v.clone()
            .filter(|t| !t.trim().is_empty())
            .map(|t| t.trim().to_owned())
            .ok_or_else(|| need(what))
    };
    Ok(match f.kind.as_str() {
        "sortie" => AgentChange::Exit {
            date: f
                .date
                .ok_or_else(|| need("la date (dernier jour en poste)"))?,
        },
        "net" => AgentChange::Net {
            net: f.net.ok_or_else(|| need("le net mensuel"))?,
        },
        "rib" => AgentChange::Bank {
            iban: f.iban.clone().ok_or_else(|| need("l'IBAN"))?,
            bic: f.bic.clone().ok_or_else(|| need("le BIC"))?,
        },
        "entree" => AgentChange::Entry(Box::new(Agent {
            matricule: f.matricule.trim().to_owned(),
            last_name: text(&f.last_name, "le nom")?,
            first_name: text(&f.first_name, "le prénom")?,
            nir: f.nir.clone().ok_or_else(|| need("le NIR"))?,
            iban: f.iban.clone().ok_or_else(|| need("l'IBAN"))?,
            bic: f.bic.clone().ok_or_else(|| need("le BIC"))?,
            net_monthly: f.net.ok_or_else(|| need("le net mensuel"))?,
            variables: Cents::ZERO,
            entry_date: f
                .date
                .ok_or_else(|| need("la date (premier jour en poste)"))?,
            exit_date: None,
            service: text(&f.service, "le service")?,
            extra: Vec::new(),
        })),
        other => {
            return Err(AppError::Invalid {
                field: "nature du changement".into(),
                message: format!("« {other} » : attendu entree, sortie, net ou rib"),
            });
        }
    })
}
