//! The agents and the suppliers of the reconciliation: the variable elements validated payroll
//! runs deferred (the restored system still owes them), and the invoices Relais mandated or
//! paid compared with the restored system's `factures.csv`.

use crate::AppError;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::invoices::lifecycle::InvoiceEvent;
use relais_core::invoices::mandate::MandateKind;
use relais_core::reconcile::{
    AgentMonth, InvoiceGap, PaidInvoice, RestoredInvoice, compare_invoices,
};
use relais_core::run::RunKind;
use relais_store::Backend;
use relais_store::runs::RunRecord;
use std::collections::{BTreeMap, BTreeSet};

/// Each agent and month whose variable elements a validated payroll run deferred, with the
/// net it paid them, by matricule then month.
pub(super) fn agents(
    store: &dyn Backend,
    validated: &[&RunRecord],
    restored: &BTreeSet<String>,
) -> Result<Vec<AgentMonth>, AppError> {
    let mut out: BTreeMap<(String, Month), AgentMonth> = BTreeMap::new();
    let payroll: Vec<_> = validated
        .iter()
        .filter(|r| r.kind == RunKind::Paie)
        .collect();
    for run in &payroll {
        store.each_deferred(run.id, &mut |d| {
            if d.amount.0 != 0 {
                let a = out
                    .entry((d.matricule.clone(), d.month))
                    .or_insert_with(|| AgentMonth {
                        matricule: d.matricule.clone(),
                        name: d.name.clone(),
                        service: d.service.clone(),
                        month: d.month,
                        net_paid: Cents::ZERO,
                        deferred: Cents::ZERO,
                        known_restored: restored.contains(&d.matricule),
                    });
                a.deferred = Cents(a.deferred.0.saturating_add(d.amount.0));
            }
            Ok(())
        })?;
    }
    for run in &payroll {
        store.each_payroll_pay(run.id, &mut |p| {
            if let Some(a) = out.get_mut(&(p.matricule.clone(), p.month)) {
                a.net_paid = Cents(a.net_paid.0.saturating_add(p.net.0));
            }
            Ok(())
        })?;
    }
    Ok(out.into_values().collect())
}

/// The invoices that differ between Relais (mandated by a validated supplier run, or recorded
/// paid) and the restored system.
pub(super) fn invoices(
    store: &dyn Backend,
    validated: &[&RunRecord],
    restored: &[RestoredInvoice],
) -> Result<Vec<InvoiceGap>, AppError> {
    let steps = store.invoice_steps().map_err(AppError::Invoice)?;
    let mut paid: BTreeMap<String, PaidInvoice> = BTreeMap::new();
    for run in validated.iter().filter(|r| r.kind == RunKind::Fournisseurs) {
        store.each_supplier_mandate(run.id, &mut |m| {
            if m.kind != MandateKind::Facture {
                return Ok(());
            }
            let on = steps
                .get(&m.invoice)
                .and_then(|s| {
                    s.iter()
                        .rev()
                        .find(|s| matches!(s.event, InvoiceEvent::Mandated { .. }))
                })
                .map(|s| s.on);
            let p = paid.entry(m.invoice.clone()).or_insert(PaidInvoice {
                id: m.invoice.clone(),
                siret: m.siret.as_str().to_owned(),
                supplier: m.supplier.clone(),
                number: m.number.clone(),
                amount: Cents::ZERO,
                paid: false,
                on: on.unwrap_or(run.summary.month.first_day()),
            });
            p.amount = Cents(p.amount.0.saturating_add(m.amount.0));
            Ok(())
        })?;
    }
    // Recorded paid (the accountant's return, or by hand): after being mandated, or not.
    for (invoice, s) in &steps {
        let Some(step) = s
            .iter()
            .rev()
            .find(|s| matches!(s.event, InvoiceEvent::Paid { .. }))
        else {
            continue;
        };
        let on = match &step.event {
            InvoiceEvent::Paid { paid_on, .. } => *paid_on,
            _ => step.on,
        };
        if let Some(p) = paid.get_mut(invoice) {
            p.paid = true;
            p.on = on;
            continue;
        }
        let party = store.invoice_party(invoice).map_err(AppError::Invoice)?;
        let amount = s
            .iter()
            .rev()
            .find_map(|s| match &s.event {
                InvoiceEvent::Liquidated { amount, .. } => Some(*amount),
                _ => None,
            })
            .or(party.as_ref().map(|p| p.amount))
            .unwrap_or(Cents::ZERO);
        paid.insert(
            invoice.clone(),
            PaidInvoice {
                id: invoice.clone(),
                siret: String::new(),
                supplier: party
                    .as_ref()
                    .map(|p| p.supplier.clone())
                    .unwrap_or_default(),
                number: party.map(|p| p.number).unwrap_or_default(),
                amount,
                paid: true,
                on,
            },
        );
    }
    let relais: Vec<PaidInvoice> = paid.into_values().collect();
    let mut failure = None;
    let gaps = compare_invoices(
        &relais,
        restored,
        &mut |r| match store.invoice_amount(&r.id) {
            Ok(known) => known.is_some(),
            Err(e) => {
                failure.get_or_insert(e);
                true
            }
        },
    );
    if let Some(e) = failure {
        return Err(AppError::Invoice(e));
    }
    Ok(gaps)
}
