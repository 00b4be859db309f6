//! What a matched piece changes: decided first ([`plan_piece`], which reads only), kept with
//! the piece's state, then done ([`Plan::execute`]) — the schema's guards look at the piece's
//! state to allow a claim's release, so the state is written before.

use super::matching::Matched;
use super::{ReleaseRow, ReturnTx};
use crate::StoreError;
use crate::pes_return::{MandateOf, PieceOutcome, ReturnFile};
use jiff::civil::Date;
use relais_core::invoices::lifecycle::{InvoiceEvent, check, fold};
use relais_formats::pes_return::{PieceState, ReturnedPiece};
use std::collections::HashMap;

/// The source of a payment the return recorded.
pub(crate) const FROM_RETURN: &str = "retour du comptable";

/// What a piece will change.
pub(super) struct Plan {
    pub(super) outcome: PieceOutcome,
    /// Invoice steps to record: (invoice, event).
    steps: Vec<(String, InvoiceEvent)>,
    /// Supplier claims to release: (invoice, kind).
    claims: Vec<(String, String)>,
    /// Rights whose claim of the run's month to release.
    rights: Vec<String>,
}

impl Plan {
    fn only(outcome: PieceOutcome) -> Plan {
        Plan {
            outcome,
            steps: Vec::new(),
            claims: Vec::new(),
            rights: Vec::new(),
        }
    }

    /// Does what was decided, after the piece's state was kept; the rights released.
    pub(super) fn execute(
        &self,
        tx: &mut impl ReturnTx,
        actor: &str,
        file: &ReturnFile<'_>,
        piece: &ReturnedPiece,
        m: &Matched,
        seq: u64,
    ) -> Result<u64, StoreError> {
        let now = crate::now();
        let on_date = file.today.to_string();
        for (invoice, event) in &self.steps {
            let text =
                serde_json::to_string(event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            tx.insert_invoice_step(&InvoiceStep {
                invoice,
                kind: event.code(),
                step: &text,
                actor,
                on_date: &on_date,
                at: &now,
            })?;
        }
        for (invoice, kind) in &self.claims {
            tx.release_supplier_claim(invoice, kind, &m.run)?;
        }
        let mut released = 0u64;
        for right in &self.rights {
            released += tx.release_right(&ReleaseRow {
                run: &m.run,
                right,
                month: &m.month,
                exercice: i64::from(piece.bordereau.exercice),
                bordereau: i64::from(piece.bordereau.id),
                piece: i64::try_from(piece.id).unwrap_or(i64::MAX),
                seq: i64::try_from(seq).unwrap_or(i64::MAX),
            })?;
        }
        Ok(released)
    }
}

/// An invoice step to record, ready to bind (`invoice_steps`).
pub(crate) struct InvoiceStep<'a> {
    pub(crate) invoice: &'a str,
    pub(crate) kind: &'a str,
    pub(crate) step: &'a str,
    pub(crate) actor: &'a str,
    pub(crate) on_date: &'a str,
    pub(crate) at: &'a str,
}

/// The earlier fate of mandat `piece`: paid or rejected by an earlier return (outcome,
/// detail), and the last state returned.
pub(crate) struct Before {
    pub(crate) settled: Option<(String, String)>,
    pub(crate) last_state: Option<String>,
}

fn before(tx: &mut impl ReturnTx, piece: &ReturnedPiece) -> Result<Before, StoreError> {
    tx.before(
        i64::from(piece.bordereau.exercice),
        i64::from(piece.bordereau.id),
        i64::try_from(piece.id).unwrap_or(i64::MAX),
    )
}

/// The day an earlier return paid the mandat, from its kept detail.
fn paid_day(detail: &str) -> Option<Date> {
    let (outcome, _): (PieceOutcome, (u64, u64)) = serde_json::from_str(detail).ok()?;
    match outcome {
        PieceOutcome::Paid { on, .. } => on,
        _ => None,
    }
}

/// The invoice and kind of a supplier run's mandat `k`.
fn supplier_mandate(
    tx: &mut impl ReturnTx,
    m: &Matched,
) -> Result<Option<(String, String)>, StoreError> {
    tx.supplier_mandate(&m.run, m.k)
}

/// The invoice step `event` for `invoice`, when its life allows it (an invoice paid by hand
/// before the return, say, is left as it is).
fn invoice_step(
    tx: &mut impl ReturnTx,
    invoice: &str,
    event: InvoiceEvent,
    actor: &str,
) -> Result<Option<(String, InvoiceEvent)>, StoreError> {
    let Some(amount) = tx.invoice_amount(invoice)? else {
        return Ok(None);
    };
    let life = fold(&tx.invoice_steps(invoice)?);
    match check(&life, &event, actor, amount) {
        Ok(()) => Ok(Some((invoice.to_owned(), event))),
        Err(e) => {
            tracing::warn!(invoice, error = %e, "return: invoice step not recorded");
            Ok(None)
        }
    }
}

/// What `piece`, matched as `m`, will change.
pub(super) fn plan_piece(
    tx: &mut impl ReturnTx,
    file: &ReturnFile<'_>,
    piece: &ReturnedPiece,
    m: &Matched,
    rights: &HashMap<(String, u32), Vec<String>>,
) -> Result<Plan, StoreError> {
    let (run, of) = (m.run.clone(), m.of);
    let b = before(tx, piece)?;
    let known = || {
        Plan::only(PieceOutcome::AlreadyKnown {
            run: run.clone(),
            of,
        })
    };
    let mandate = u32::try_from(piece.id).unwrap_or(u32::MAX);
    match piece.state {
        PieceState::Settled => {
            match b.settled.as_ref().map(|(o, _)| o.as_str()) {
                Some("paid") => return Ok(known()),
                Some(_) => {
                    return Ok(Plan::only(PieceOutcome::Refused {
                        run,
                        of,
                        why: "ce mandat a été rejeté par un retour précédent et rendu à un \
                              nouveau paiement : un paiement après rejet n'est pas enregistré, \
                              à vérifier avec le comptable (double paiement possible)"
                            .to_owned(),
                    }));
                }
                None => {}
            }
            let paid = piece.paid();
            let on = paid.map(|(d, _)| d).or(piece.taken_on);
            let mut plan = Plan::only(PieceOutcome::Paid {
                run: run.clone(),
                of,
                on,
                amount: paid.map(|(_, a)| a),
                invoices: Vec::new(),
            });
            if of == MandateOf::Suppliers
                && let Some((invoice, kind)) = supplier_mandate(tx, m)?
                && kind == "facture"
            {
                let event = InvoiceEvent::Paid {
                    paid_on: on.unwrap_or(file.today),
                    how: FROM_RETURN.to_owned(),
                };
                if let Some(step) = invoice_step(tx, &invoice, event, "")? {
                    plan.steps.push(step);
                    if let PieceOutcome::Paid { invoices, .. } = &mut plan.outcome {
                        invoices.push(invoice);
                    }
                }
            }
            Ok(plan)
        }
        PieceState::Rejected => {
            match b.settled.as_ref() {
                Some((o, _)) if o == "rejected" => return Ok(known()),
                Some((_, detail)) => {
                    let day = paid_day(detail)
                        .map(|d| format!(" le {}", relais_core::text::date_fr(d)))
                        .unwrap_or_default();
                    return Ok(Plan::only(PieceOutcome::Refused {
                        run,
                        of,
                        why: format!(
                            "ce mandat est déjà payé{day} (retour précédent) : un rejet après \
                             paiement est refusé, rien n'est rendu à payer"
                        ),
                    }));
                }
                None => {}
            }
            let reason = piece.reason_fr();
            let mut plan = Plan::only(PieceOutcome::Rejected {
                run: run.clone(),
                of,
                reason: reason.clone(),
                invoices: Vec::new(),
                month: m.month.clone(),
                released_rights: 0,
            });
            match of {
                MandateOf::Suppliers => {
                    if let Some((invoice, kind)) = supplier_mandate(tx, m)? {
                        if kind == "facture" {
                            let event = InvoiceEvent::MandateRejected {
                                exercice: piece.bordereau.exercice,
                                bordereau: piece.bordereau.id,
                                mandate,
                                reason,
                            };
                            if let Some(step) = invoice_step(tx, &invoice, event, "")? {
                                plan.steps.push(step);
                            }
                        }
                        if let PieceOutcome::Rejected { invoices, .. } = &mut plan.outcome {
                            invoices.push(invoice.clone());
                        }
                        plan.claims.push((invoice, kind));
                    }
                }
                MandateOf::Benefits => {
                    plan.rights = rights.get(&(run, m.k)).cloned().unwrap_or_default();
                    if let PieceOutcome::Rejected {
                        released_rights, ..
                    } = &mut plan.outcome
                    {
                        *released_rights = plan.rights.len() as u64;
                    }
                }
                MandateOf::Payroll => {}
            }
            Ok(plan)
        }
        PieceState::TakenInCharge | PieceState::OnHold => {
            if b.settled.is_some() || b.last_state.as_deref() == Some(piece.state.code()) {
                return Ok(known());
            }
            Ok(Plan::only(if piece.state == PieceState::OnHold {
                PieceOutcome::OnHold {
                    run,
                    of,
                    reason: piece.reason_fr(),
                }
            } else {
                PieceOutcome::TakenInCharge { run, of }
            }))
        }
    }
}
