//! `relais paie change|approve|refuse|list`: changes of an agent's situation, asked with
//! their proof and decided by another ordonnateur (`relais_app::payroll::changes`).

use super::EXIT_OK;
use crate::args::{PaieChangeArgs, PaieCommand, PaieDecideArgs, PaieListArgs};
use crate::data::{DataDir, agent};
use anyhow::Result;
use relais_app::payroll::changes::{self, ChangeRequest};
use relais_core::payroll::{AgentChange, ChangeRecord};

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
    let state = r.state_fr();
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
