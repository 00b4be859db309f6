//! `relais reconcile --extracts DIR --out DIR`: the reconciliation after the crisis
//! (docs/reconciliation.md), written by `relais_app::reconcile`; this prints what it found.

use super::{EXIT_OK, EXIT_UNREADABLE, load_profile};
use crate::args::ReconcileArgs;
use crate::data::{DataDir, agent};
use crate::fsio::DirSource;
use anyhow::Result;
use relais_app::reconcile::{ReconcileRequest, reconcile};
use relais_documents::french::month_long;

pub fn run(args: ReconcileArgs) -> Result<u8> {
    let data = DataDir::new(&args.data.data);
    let (settings, tz) = data.time_zone()?;
    let store = data.open_store()?;
    let profile = load_profile(args.profile.as_deref())?;
    if !args.extracts.is_dir() {
        eprintln!(
            "{} : ce dossier d'extractions n'existe pas",
            args.extracts.display()
        );
        return Ok(EXIT_UNREADABLE);
    }
    let source = DirSource {
        dir: args.extracts.clone(),
    };
    let (_, today) = super::run::local_now(&tz);
    let req = ReconcileRequest {
        out: args.out.clone(),
        extracts_label: args.extracts.display().to_string(),
        authority: settings.authority.name.clone(),
        today,
        all_lines: args.tout,
    };
    let done = reconcile(&*store, &source, &profile, &req).map_err(agent)?;
    println!(
        "Rapprochement écrit dans {} : {} personne(s), indu {}, rappel {}.",
        args.out.display(),
        done.persons,
        done.indu,
        done.rappel
    );
    for m in &done.months {
        let t = m.total();
        println!(
            "  {} : payé par Relais {} (paiements validés : {}), dû {}, indu {}, rappel {}{}",
            month_long(m.month),
            t.paid,
            m.runs_total,
            t.due,
            t.indu,
            t.rappel,
            if t.paid == m.runs_total {
                ""
            } else {
                " — ÉCART DE CONTRÔLE"
            }
        );
    }
    if done.months.is_empty() {
        println!("  Aucun paiement validé par Relais : rien à rapprocher pour les prestations.");
    }
    println!(
        "  {} ligne(s) droit-mois en écart ; {} agent(s)-mois avec éléments variables à payer ; {} facture(s) qui diffèrent.",
        done.lines, done.agents, done.invoices
    );
    if done.rejected_rows > 0 {
        println!(
            "  Attention : {} ligne(s) des extractions rejetées (relais extract check) : leurs droits comptent comme inconnus.",
            done.rejected_rows
        );
    }
    Ok(EXIT_OK)
}
