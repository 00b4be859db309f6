//! `relais run prepare --kind paie`: the agents' payroll of a month, repeated from the last good
//! one (`relais_app::payroll`), and what `relais run show` adds for a payroll run: the control
//! figures against the last good month.

use super::EXIT_OK;
use crate::args::{PaieChangeArgs, PaieCommand, PaieDecideArgs, PaieListArgs};
use crate::data::{DataDir, agent};
use anyhow::Result;
use relais_app::Data;
use relais_app::payroll::changes::{self, ChangeRequest};
use relais_core::calendar::Month;
use relais_core::payroll::{AgentChange, ChangeRecord};
use relais_store::Backend;
use relais_store::runs::RunRecord;

pub(super) fn prepare(data: &Data, month: Month, user: &str) -> Result<u8> {
    let clock = super::run::clock(&data.tz);
    let mut store = data.open_store().map_err(agent)?;
    let prepared =
        relais_app::payroll::prepare(&mut *store, &data.authority(clock.as_ref()), month, user)
            .map_err(agent)?;
    // The identifier alone on the first line: scripts read it.
    println!("{}", prepared.run.id);
    if !prepared.created {
        println!("Déjà préparé (paie du même mois) : rien n'a été réservé une seconde fois.");
    }
    super::run::print_summary(&prepared.run.summary);
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

pub fn run(command: PaieCommand) -> Result<u8> {
    match command {
        PaieCommand::Change(a) => change(a),
        PaieCommand::Approve(a) => decide(&a, None),
        PaieCommand::Refuse(a) => decide(
            &PaieDecideArgs {
                data: a.data,
                user: a.user,
                id: a.id,
            },
            Some(&a.reason),
        ),
        PaieCommand::List(a) => list(a),
    }
}

/// The change the arguments describe, or what is missing.
fn change_of(a: &PaieChangeArgs) -> Result<AgentChange> {
    changes::change_of(changes::ChangeFields {
        kind: a.kind.clone(),
        matricule: a.matricule.clone(),
        date: a.date,
        net: a.net,
        iban: a.iban.clone(),
        bic: a.bic.clone(),
        last_name: a.nom.clone(),
        first_name: a.prenom.clone(),
        nir: a.nir.clone(),
        service: a.service.clone(),
    })
    .map_err(agent)
}

fn change(a: PaieChangeArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data).open()?;
    let clock = super::run::clock(&data.tz);
    let mut store = data.open_store().map_err(agent)?;
    let record = changes::ask(
        &mut *store,
        clock.as_ref(),
        &data.tz,
        ChangeRequest {
            actor: &a.user.user,
            matricule: a.matricule.trim(),
            change: change_of(&a)?,
            proof: &a.arrete,
            reason: &a.reason,
        },
    )
    .map_err(agent)?;
    // The request's number alone on the first line: scripts read it.
    println!("{}", record.id);
    println!(
        "Demande n° {} : {} de l'agent {} (arrêté {}), à approuver par un autre ordonnateur : relais paie approve {}",
        record.id,
        record.change.describe(),
        record.matricule,
        record.proof,
        record.id
    );
    Ok(EXIT_OK)
}

fn decide(a: &PaieDecideArgs, refusal: Option<&str>) -> Result<u8> {
    let data = DataDir::new(&a.data.data).open()?;
    let clock = super::run::clock(&data.tz);
    let mut store = data.open_store().map_err(agent)?;
    let r = changes::decide(
        &mut *store,
        clock.as_ref(),
        &data.tz,
        &a.user.user,
        a.id,
        refusal,
    )
    .map_err(agent)?;
    println!(
        "Demande n° {} {} : {} de l'agent {}",
        r.id,
        if r.approved == Some(true) {
            "approuvée (appliquée à la prochaine paie)"
        } else {
            "refusée"
        },
        r.change.describe(),
        r.matricule
    );
    Ok(EXIT_OK)
}

fn line(r: &ChangeRecord) -> String {
    let state = match (r.approved, &r.decided_by) {
        (Some(true), Some(by)) => format!("approuvée par {by}"),
        (Some(false), Some(by)) => {
            format!("refusée par {by} ({})", r.refusal.as_deref().unwrap_or(""))
        }
        _ => "en attente".into(),
    };
    format!(
        "{:>5}  {}  {}  {}  arrêté {} — demandée par {} le {} — {state}",
        r.id,
        r.matricule,
        r.change.code(),
        r.change.describe(),
        r.proof,
        r.asked_by,
        r.asked_at
    )
}

fn list(a: PaieListArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let store = data.open_store()?;
    let all = store
        .payroll_changes(a.pending)
        .map_err(|e| agent(e.into()))?;
    if all.is_empty() {
        println!("Aucune demande de changement de situation.");
    }
    for r in &all {
        println!("{}", line(r));
    }
    Ok(EXIT_OK)
}
