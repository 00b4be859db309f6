//! `relais run prepare --kind fournisseurs`: the liquidated invoices gathered into a run of
//! mandats, with late interest (`relais_app::suppliers`), and what `relais run show` adds for a
//! supplier run: the invoices and the interest mandated, the invoices that wait and why.

use crate::cmd::EXIT_OK;
use crate::data::agent;
use anyhow::Result;
use relais_app::Data;
use relais_store::Backend;
use relais_store::runs::RunRecord;

pub(super) fn prepare(data: &Data, user: &str) -> Result<u8> {
    let clock = super::clock(&data.tz);
    let prepared = relais_app::suppliers::prepare_in(data, clock.as_ref(), user).map_err(agent)?;
    // The identifier alone on the first line: scripts read it.
    println!("{}", prepared.run.id);
    if !prepared.created {
        println!(
            "Déjà préparé (un paiement des fournisseurs attend sa validation) : rien n'a été réservé une seconde fois."
        );
    }
    super::print_summary(&prepared.run.summary);
    let store = data.open_store().map_err(agent)?;
    print_details(&*store, &prepared.run)?;
    Ok(EXIT_OK)
}

/// The invoices and interest mandated, and the invoices that wait, with the reason.
pub(super) fn print_details(store: &dyn Backend, run: &RunRecord) -> Result<()> {
    let s = store
        .supplier_run_summary(run.id)
        .map_err(|e| agent(e.into()))?;
    println!(
        "Factures mandatées : {} pour {} ; intérêts moratoires et indemnités : {} mandat(s) pour {}",
        s.invoices, s.principal, s.interest_mandates, s.interest
    );
    if !s.held.is_empty() {
        println!("En attente ({}) :", s.held.len());
        for h in &s.held {
            println!(
                "  {} {} {} : {}",
                h.invoice,
                h.supplier,
                h.amount,
                h.hold.label()
            );
        }
    }
    Ok(())
}
