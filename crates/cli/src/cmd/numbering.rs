//! `relais numbering set|show`: the PES numbering of each exercice, continuing the old
//! system's (see `relais_store::numbering`).

use super::EXIT_OK;
use super::run::local_now;
use crate::args::{NumberingCommand, NumberingSetArgs, NumberingShowArgs};
use crate::data::DataDir;
use anyhow::{Result, anyhow};
use relais_core::Cents;
use relais_store::numbering::{ExerciceNumbering, SetNumbering};

pub fn run(command: NumberingCommand) -> Result<u8> {
    match command {
        NumberingCommand::Set(a) => set(a),
        NumberingCommand::Show(a) => show(a),
    }
}

fn set(a: NumberingSetArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let (_, tz) = data.time_zone()?;
    let cumul = match a.cumul_annuel.as_deref() {
        Some(text) => Cents::parse(text).map_err(|e| anyhow!("--cumul-annuel : {e}"))?,
        None => Cents::ZERO,
    };
    let (local_time, _) = local_now(&tz);
    let mut store = data.open_store()?;
    let (n, entry) = store.set_numbering(&SetNumbering {
        exercice: a.exercice,
        last_bordereau: a.last_bordereau,
        last_mandate: a.last_mandat,
        cumul,
        reason: &a.reason,
        actor: &a.user.user,
        local_time: &local_time,
    })?;
    println!(
        "Numérotation de l'exercice {} confirmée : prochain bordereau {}, prochain mandat {} (journal n° {}).",
        n.exercice,
        n.last_bordereau + 1,
        n.last_mandate + 1,
        entry.seq
    );
    Ok(EXIT_OK)
}

/// One exercice's line of `relais numbering show`.
pub(crate) fn describe(n: &ExerciceNumbering) -> String {
    let given = if n.given() {
        format!(
            "Relais a donné jusqu'au bordereau {} et au mandat {}",
            n.last_bordereau, n.last_mandate
        )
    } else {
        "aucun numéro donné par Relais".to_owned()
    };
    format!(
        "{} : dernier bordereau {}, dernier mandat {}, cumul annuel {} — confirmés par {} le {} ({}) ; {}",
        n.exercice,
        n.confirmed_bordereau,
        n.confirmed_mandate,
        n.confirmed_cumul,
        n.confirmed_by,
        french_time(&n.confirmed_at),
        n.reason,
        given
    )
}

/// `2026-12-01 09:14` as `01/12/2026 09:14`.
fn french_time(at: &str) -> String {
    match (at.get(0..4), at.get(5..7), at.get(8..10), at.get(10..)) {
        (Some(y), Some(m), Some(d), Some(rest)) => format!("{d}/{m}/{y}{rest}"),
        _ => at.to_owned(),
    }
}

fn show(a: NumberingShowArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let store = data.open_store()?;
    let all = store.numberings()?;
    if all.is_empty() {
        println!(
            "Aucune numérotation confirmée : avant de valider un paiement, enregistrez les derniers numéros de l'exercice donnés par la paierie (relais numbering set)."
        );
    }
    for n in &all {
        println!("Exercice {}", describe(n));
    }
    Ok(EXIT_OK)
}
