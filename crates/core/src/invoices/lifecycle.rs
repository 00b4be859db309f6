//! An invoice's life, from its receipt to its liquidation (issue #23): the service fait
//! certified by an agent of the ordering service (what was checked; partial, with its amount),
//! the liquidation by another agent (the amount to pay, its budget account and function), a
//! suspension that stops the legal clock (CCP R2192-27: the supplier is told why; the clock
//! resumes when what was asked arrives), a rejection with its reason. Each step is a journal
//! event; the state is what the steps, in order, make of the invoice. Pure.

use crate::Cents;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A step of an invoice's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InvoiceEvent {
    /// The service fait certified, for `amount` (the whole invoice, or part of it), and what
    /// was checked (the delivery note, the work seen done…).
    ServiceDone {
        amount: Cents,
        checked: String,
    },
    /// Liquidated: the amount to pay and where it is imputed.
    Liquidated {
        amount: Cents,
        account: String,
        function: String,
    },
    /// The clock stopped, and why (sent to the supplier).
    Suspended {
        reason: String,
    },
    /// The clock runs again: what was asked arrived.
    Resumed,
    Rejected {
        reason: String,
    },
    /// Mandated: in supplier run `run`, validated, as mandat `mandate` of bordereau
    /// `bordereau` of `exercice` (written by the run's validation, never by hand).
    Mandated {
        run: String,
        exercice: i16,
        bordereau: u32,
        mandate: u32,
    },
    /// Paid on `paid_on`, as the accountant's return or a hand entry says (`how`).
    Paid {
        paid_on: Date,
        how: String,
    },
    /// The accountant rejected its mandat (`exercice`, `bordereau`, `mandate`), as the return
    /// flux `PES_DepenseRetour` says, for `reason`: the invoice is liquidated again, waiting
    /// for a later supplier run (written by `relais pes retour`, never by hand).
    MandateRejected {
        exercice: i16,
        bordereau: u32,
        mandate: u32,
        reason: String,
    },
}

impl InvoiceEvent {
    pub fn code(&self) -> &'static str {
        match self {
            InvoiceEvent::ServiceDone { .. } => "service_fait",
            InvoiceEvent::Liquidated { .. } => "liquidee",
            InvoiceEvent::Suspended { .. } => "suspendue",
            InvoiceEvent::Resumed => "reprise",
            InvoiceEvent::Rejected { .. } => "rejetee",
            InvoiceEvent::Mandated { .. } => "mandatee",
            InvoiceEvent::Paid { .. } => "payee",
            InvoiceEvent::MandateRejected { .. } => "mandat_rejete",
        }
    }

    /// What happened, in French for the agent.
    pub fn label_fr(&self) -> String {
        match self {
            InvoiceEvent::ServiceDone { amount, checked } => {
                format!("service fait certifié pour {amount} ({checked})")
            }
            InvoiceEvent::Liquidated {
                amount,
                account,
                function,
            } => format!("liquidée pour {amount} sur {account}/{function}"),
            InvoiceEvent::Suspended { reason } => format!("délai suspendu : {reason}"),
            InvoiceEvent::Resumed => "délai repris".into(),
            InvoiceEvent::Rejected { reason } => format!("rejetée : {reason}"),
            InvoiceEvent::Mandated {
                run,
                exercice,
                bordereau,
                mandate,
            } => format!(
                "mandatée : mandat n° {mandate}, bordereau n° {bordereau} de {exercice} (paiement {run})"
            ),
            InvoiceEvent::Paid { paid_on, how } => {
                format!("payée le {} ({how})", crate::text::date_fr(*paid_on))
            }
            InvoiceEvent::MandateRejected {
                exercice,
                bordereau,
                mandate,
                reason,
            } => format!(
                "mandat n° {mandate} (bordereau n° {bordereau} de {exercice}) rejeté par le comptable : {reason} — à mandater de nouveau"
            ),
        }
    }
}

/// A step as typed, before the amounts it may leave out are filled ([`resolve`]): the
/// service fait's is the invoice's, the liquidation's the service fait's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepRequest {
    ServiceDone {
        amount: Option<Cents>,
        checked: String,
    },
    Liquidate {
        amount: Option<Cents>,
        account: String,
        function: String,
    },
    Suspend {
        reason: String,
    },
    Resume,
    Reject {
        reason: String,
    },
    Paid {
        paid_on: Date,
        how: String,
    },
}

/// The event `req` asks for an invoice of `amount` whose steps made `life`. A liquidation
/// without its amount and without a service fait gets a placeholder that [`check`] refuses
/// with its own reason.
pub fn resolve(req: StepRequest, amount: Cents, life: &Life) -> InvoiceEvent {
    match req {
        StepRequest::ServiceDone {
            amount: done,
            checked,
        } => InvoiceEvent::ServiceDone {
            amount: done.unwrap_or(amount),
            checked,
        },
        StepRequest::Liquidate {
            amount: paid,
            account,
            function,
        } => InvoiceEvent::Liquidated {
            amount: paid.unwrap_or_else(|| life.service.as_ref().map_or(Cents(1), |(a, _)| *a)),
            account,
            function,
        },
        StepRequest::Suspend { reason } => InvoiceEvent::Suspended { reason },
        StepRequest::Resume => InvoiceEvent::Resumed,
        StepRequest::Reject { reason } => InvoiceEvent::Rejected { reason },
        StepRequest::Paid { paid_on, how } => InvoiceEvent::Paid { paid_on, how },
    }
}

/// A step as recorded: what, by whom, on which day (the authority's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub event: InvoiceEvent,
    pub actor: String,
    pub on: Date,
}

/// Where an invoice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceState {
    Received,
    ServiceDone,
    Liquidated,
    Suspended,
    Rejected,
    Mandated,
    Paid,
}

impl InvoiceState {
    pub fn code(self) -> &'static str {
        match self {
            InvoiceState::Received => "recue",
            InvoiceState::ServiceDone => "service_fait",
            InvoiceState::Liquidated => "liquidee",
            InvoiceState::Suspended => "suspendue",
            InvoiceState::Rejected => "rejetee",
            InvoiceState::Mandated => "mandatee",
            InvoiceState::Paid => "payee",
        }
    }

    /// In French, with what it waits for.
    pub fn label_fr(self) -> &'static str {
        match self {
            InvoiceState::Received => "reçue : service fait à certifier",
            InvoiceState::ServiceDone => "service fait : à liquider",
            InvoiceState::Liquidated => "liquidée : à mandater",
            InvoiceState::Suspended => "suspendue : délai arrêté",
            InvoiceState::Rejected => "rejetée",
            InvoiceState::Mandated => "mandatée : paiement par le comptable",
            InvoiceState::Paid => "payée",
        }
    }
}

/// What the steps made of an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Life {
    pub state: InvoiceState,
    /// The service fait: amount and who certified it.
    pub service: Option<(Cents, String)>,
    /// The liquidation: amount, account, function, who.
    pub liquidation: Option<(Cents, String, String, String)>,
    /// Days the clock stood still (finished suspensions).
    pub suspended_days: i64,
    /// The day the current suspension began, and the state it interrupted.
    pub suspended: Option<(Date, InvoiceState)>,
    /// The last suspension's or the rejection's reason.
    pub reason: Option<String>,
    /// The mandat: (run, exercice, bordereau, mandat), and the day of the validation.
    pub mandated: Option<(String, i16, u32, u32, Date)>,
    /// The day it was paid.
    pub paid_on: Option<Date>,
}

impl Life {
    /// Days the clock stood still up to `today`: the finished suspensions, and the one still
    /// running.
    pub fn still_days(&self, today: Date) -> i64 {
        self.suspended_days
            + self
                .suspended
                .map_or(0, |(since, _)| days_between(since, today))
    }
}

/// The invoice after `steps`, in order (each was checked when recorded).
pub fn fold(steps: &[Step]) -> Life {
    let mut life = Life {
        state: InvoiceState::Received,
        service: None,
        liquidation: None,
        suspended_days: 0,
        suspended: None,
        reason: None,
        mandated: None,
        paid_on: None,
    };
    for s in steps {
        match &s.event {
            InvoiceEvent::ServiceDone { amount, .. } => {
                life.service = Some((*amount, s.actor.clone()));
                life.state = InvoiceState::ServiceDone;
            }
            InvoiceEvent::Liquidated {
                amount,
                account,
                function,
            } => {
                life.liquidation =
                    Some((*amount, account.clone(), function.clone(), s.actor.clone()));
                life.state = InvoiceState::Liquidated;
            }
            InvoiceEvent::Suspended { reason } => {
                life.suspended = Some((s.on, life.state));
                life.reason = Some(reason.clone());
                life.state = InvoiceState::Suspended;
            }
            InvoiceEvent::Resumed => {
                if let Some((since, before)) = life.suspended.take() {
                    life.suspended_days += days_between(since, s.on);
                    life.state = before;
                }
            }
            InvoiceEvent::Rejected { reason } => {
                life.reason = Some(reason.clone());
                life.state = InvoiceState::Rejected;
            }
            InvoiceEvent::Mandated {
                run,
                exercice,
                bordereau,
                mandate,
            } => {
                life.mandated = Some((run.clone(), *exercice, *bordereau, *mandate, s.on));
                life.state = InvoiceState::Mandated;
            }
            InvoiceEvent::Paid { paid_on, .. } => {
                life.paid_on = Some(*paid_on);
                life.state = InvoiceState::Paid;
            }
            InvoiceEvent::MandateRejected { reason, .. } => {
                life.mandated = None;
                life.reason = Some(reason.clone());
                life.state = InvoiceState::Liquidated;
            }
        }
    }
    life
}

fn days_between(from: Date, to: Date) -> i64 {
    from.until((jiff::Unit::Day, to))
        .map(|s| i64::from(s.get_days()))
        .unwrap_or(0)
        .max(0)
}

/// The legal deadline of an invoice received on `received` to pay within `payment_days`,
/// moved by the days its clock stood still, up to `today` for a suspension still running.
pub fn deadline(received: Date, payment_days: u16, life: &Life, today: Date) -> Option<Date> {
    let base = super::invoice_deadline(received, payment_days)?;
    base.checked_add(jiff::Span::new().days(life.still_days(today)))
        .ok()
}

/// Why a step is refused, in French for the agent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("la facture est « {} » : {what} impossible", .state.label_fr())]
    WrongState {
        state: InvoiceState,
        what: &'static str,
    },
    #[error(
        "« {0} » a certifié le service fait : un autre agent doit liquider (séparation des tâches)"
    )]
    SameAgent(String),
    #[error("montant {asked} supérieur à {limit} ({what})")]
    AmountAbove {
        asked: Cents,
        limit: Cents,
        what: &'static str,
    },
    #[error("montant nul ou négatif")]
    NotPositive,
    #[error("{0}")]
    Imputation(String),
    #[error("le motif ou ce qui a été vérifié est vide")]
    Empty,
    #[error("date de paiement antérieure au mandatement")]
    PaidBeforeMandate,
}

/// Whether `event` by `actor` may follow `life` for an invoice of `amount`.
pub fn check(
    life: &Life,
    event: &InvoiceEvent,
    actor: &str,
    amount: Cents,
) -> Result<(), LifecycleError> {
    use InvoiceState as S;
    let wrong = |what| LifecycleError::WrongState {
        state: life.state,
        what,
    };
    match event {
        InvoiceEvent::ServiceDone {
            amount: done,
            checked,
        } => {
            if life.state != S::Received {
                return Err(wrong("certifier le service fait"));
            }
            if checked.trim().is_empty() {
                return Err(LifecycleError::Empty);
            }
            if done.0 <= 0 {
                return Err(LifecycleError::NotPositive);
            }
            if *done > amount {
                return Err(LifecycleError::AmountAbove {
                    asked: *done,
                    limit: amount,
                    what: "montant de la facture",
                });
            }
        }
        InvoiceEvent::Liquidated {
            amount: paid,
            account,
            function,
        } => {
            let Some((done, certifier)) = (life.state == S::ServiceDone)
                .then_some(life.service.as_ref())
                .flatten()
            else {
                return Err(wrong("liquider"));
            };
            if certifier == actor {
                return Err(LifecycleError::SameAgent(actor.to_owned()));
            }
            if paid.0 <= 0 {
                return Err(LifecycleError::NotPositive);
            }
            if paid > done {
                return Err(LifecycleError::AmountAbove {
                    asked: *paid,
                    limit: *done,
                    what: "service fait certifié",
                });
            }
            check_imputation(account, function)?;
        }
        InvoiceEvent::Suspended { reason } => {
            if !matches!(life.state, S::Received | S::ServiceDone | S::Liquidated) {
                return Err(wrong("suspendre"));
            }
            if reason.trim().is_empty() {
                return Err(LifecycleError::Empty);
            }
        }
        InvoiceEvent::Resumed => {
            if life.state != S::Suspended {
                return Err(wrong("reprendre"));
            }
        }
        InvoiceEvent::Rejected { reason } => {
            if !matches!(life.state, S::Received | S::ServiceDone | S::Suspended) {
                return Err(wrong("rejeter"));
            }
            if reason.trim().is_empty() {
                return Err(LifecycleError::Empty);
            }
        }
        InvoiceEvent::Mandated { .. } => {
            if life.state != S::Liquidated {
                return Err(wrong("mandater"));
            }
        }
        InvoiceEvent::Paid { paid_on, how } => {
            if life.state != S::Mandated {
                return Err(wrong("enregistrer le paiement"));
            }
            if how.trim().is_empty() {
                return Err(LifecycleError::Empty);
            }
            if life.mandated.as_ref().is_some_and(|m| *paid_on < m.4) {
                return Err(LifecycleError::PaidBeforeMandate);
            }
        }
        InvoiceEvent::MandateRejected {
            exercice,
            bordereau,
            mandate,
            reason,
        } => {
            let same = life
                .mandated
                .as_ref()
                .is_some_and(|m| (m.1, m.2, m.3) == (*exercice, *bordereau, *mandate));
            if life.state != S::Mandated || !same {
                return Err(wrong("enregistrer le rejet de son mandat"));
            }
            if reason.trim().is_empty() {
                return Err(LifecycleError::Empty);
            }
        }
    }
    Ok(())
}

/// A supplier's invoice is imputed on a charge (class 6, section de fonctionnement) or an
/// investment account (class 2): digits, and a function of the M57's form.
fn check_imputation(account: &str, function: &str) -> Result<(), LifecycleError> {
    let digits = |s: &str| !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(account) || !(account.starts_with('6') || account.starts_with('2')) {
        return Err(LifecycleError::Imputation(format!(
            "compte « {account} » : un compte de charge (6…) ou d'investissement (2…) est attendu"
        )));
    }
    if !digits(function) || function.len() > 4 || function.starts_with('9') {
        return Err(LifecycleError::Imputation(format!(
            "fonction « {function} » : une fonction M57 (chiffres, 0 à 8 en tête) est attendue"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
