//! `relais regularise --run RUN --user U`: the mandats émis après paiement (TypPce 05) of a
//! run paid before its mandat, through `relais_app::regularise` (docs/regularisation.md).

use super::EXIT_OK;
use super::run::clock;
use crate::args::RegulariseArgs;
use crate::data::{DataDir, agent};
use anyhow::Result;
use relais_core::regularisation::Timeliness;

fn day(d: jiff::civil::Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

pub fn run(a: RegulariseArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let done = data.open().and_then(|data| {
        let clock = clock(&data.tz);
        let at = data.authority(clock.as_ref());
        relais_app::regularise::regularise(&data, &at, a.run, &a.user.user, a.out.as_deref())
            .map_err(agent)
    })?;
    let r = &done.record;
    println!(
        "Régularisation du paiement {} : bordereau {}, mandats {} à {} (TypPce 05), fichier {}.",
        r.run,
        if r.last_bordereau == r.bordereau {
            r.bordereau.to_string()
        } else {
            format!("{} à {}", r.bordereau, r.last_bordereau)
        },
        r.first_mandate,
        r.last_mandate,
        relais_app::regularise::file_name(r.run)
    );
    println!("écrit : {}", done.file.display());
    println!(
        "{} mandats émis après paiement pour {} (exercice {}, journal n° {}).",
        done.mandates, done.total, r.exercice, r.journal_seq
    );
    if !done.created {
        println!(
            "Déjà régularisé le {} par {} : le même fichier, sans nouveau numéro.",
            r.at, r.by
        );
    }
    if let (Some(paid), Some(limit)) = (done.paid_on, done.deadline) {
        println!(
            "Délai de régularisation : au plus tard le {} (30 jours après le paiement du {}, et avant le 31/12/{}).",
            day(limit),
            day(paid),
            r.exercice
        );
    }
    if let (Some(Timeliness::Late { days_late }), Some(limit)) = (done.timeliness, done.deadline) {
        println!(
            "ATTENTION : délai de régularisation dépassé depuis le {} ({days_late} jour(s) de retard) ; la régularisation reste due : transmettez le fichier au comptable sans attendre.",
            day(limit)
        );
    }
    Ok(EXIT_OK)
}
