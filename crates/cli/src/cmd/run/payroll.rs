//! `relais run prepare --kind paie`: the agents' payroll of a month, repeated from the last good
//! one (`relais_app::payroll`), and what `relais run show` adds for a payroll run: the control
//! figures against the last good month.

use crate::cmd::EXIT_OK;
use crate::data::agent;
use anyhow::Result;
use relais_app::Data;
use relais_core::calendar::Month;
use relais_store::Backend;
use relais_store::runs::RunRecord;

pub(super) fn prepare(data: &Data, month: Month, user: &str) -> Result<u8> {
    let clock = super::clock(&data.tz);
    let mut store = data.open_store().map_err(agent)?;
    let prepared =
        relais_app::payroll::prepare(&mut *store, &data.authority(clock.as_ref()), month, user)
            .map_err(agent)?;
    // The identifier alone on the first line: scripts read it.
    println!("{}", prepared.run.id);
    if !prepared.created {
        println!("Déjà préparé (paie du même mois) : rien n'a été réservé une seconde fois.");
    }
    super::print_summary(&prepared.run.summary);
    print_details(&*store, &prepared.run)?;
    Ok(EXIT_OK)
}

/// The payroll's control figures: headcount and totals against the last good month, nets that
/// changed, shared IBANs, the deferred total, the agents not paid.
pub(super) fn print_details(store: &dyn Backend, run: &RunRecord) -> Result<()> {
    let s = store.payroll_summary(run.id).map_err(|e| agent(e.into()))?;
    if let Some(d) = s.pay_date {
        println!("Paie versée le {}", d.strftime("%d/%m/%Y"));
    }
    if let Some(note) = &s.pay_date_note {
        println!("  {note}");
    }
    println!(
        "Agents payés : {} (dernier mois normal : {} agents, net {}) ; net {}, brut {}, charges patronales {}",
        s.agents, s.previous_agents, s.previous_net, s.net, s.gross, s.employer
    );
    if s.net_only > 0 {
        println!(
            "  {} agent(s) payé(s) au net seul (net only: contributions to regularise) : cotisations à régulariser",
            s.net_only
        );
    }
    if s.prorated > 0 {
        println!(
            "  {} agent(s) payé(s) en trentièmes (entrée ou sortie dans le mois)",
            s.prorated
        );
    }
    if s.not_in_post > 0 {
        println!(
            "  {} agent(s) hors poste ce mois (sortis avant, ou entrés après) : non payés",
            s.not_in_post
        );
    }
    if s.already_paid > 0 {
        println!(
            "  {} agent(s) déjà payé(s) ce mois par une autre paie",
            s.already_paid
        );
    }
    println!(
        "Éléments variables reportés : {} pour {} agent(s) (liste gardée pour la reprise)",
        s.deferred, s.deferred_agents
    );
    if !s.changed.is_empty() {
        println!(
            "Net différent du dernier mois normal : {} agent(s)",
            s.changed.len()
        );
    }
    for (iban, agents) in &s.shared_ibans {
        let masked = format!(
            "{}…{}",
            iban.get(..4).unwrap_or(""),
            iban.get(iban.len().saturating_sub(4)..).unwrap_or("")
        );
        println!(
            "  IBAN {masked} partagé par {} agents : {}",
            agents.len(),
            agents.join(", ")
        );
    }
    if s.excluded > 0 {
        println!("Agents non payés (motif dans le rapport) : {}", s.excluded);
        store
            .each_payroll_exclusion(run.id, &mut |x| {
                println!("  {} {} — {}", x.matricule, x.name, x.label);
                Ok(())
            })
            .map_err(|e| agent(e.into()))?;
    }
    Ok(())
}
