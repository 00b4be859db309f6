//! `relais pes retour FICHIER --user U`: the accountant's return read and applied through
//! `relais_app::pes_return` (docs/pes-retour.md). Exit 0 when read (applied, or found applied
//! before); 2 when the file cannot be read (nothing changed); 1 on any other failure.

use super::run::clock;
use super::{EXIT_OK, EXIT_UNREADABLE};
use crate::args::pes::PesRetourArgs;
use crate::data::{DataDir, agent};
use anyhow::Result;
use relais_app::AppError;
use relais_app::pes_return::{ReturnRead, read_return};
use relais_core::text::date_fr;
use relais_store::pes_return::{MandateOf, PieceOutcome, PieceReport};
use std::io::Write;

pub fn retour(a: PesRetourArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let (_, tz) = data.time_zone()?;
    let mut store = data.open_store()?;
    let clock = clock(&tz);
    let read = match read_return(&mut *store, clock.as_ref(), &tz, &a.user.user, &a.file) {
        Ok(read) => read,
        Err(e @ (AppError::PesReturn { .. } | AppError::Io { .. })) => {
            eprintln!("{}", e.french());
            return Ok(EXIT_UNREADABLE);
        }
        Err(e) => return Err(agent(e)),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    print(&mut out, &read)?;
    out.flush()?;
    Ok(EXIT_OK)
}

fn run_of(of: MandateOf, run: &str) -> String {
    let what = match of {
        MandateOf::Benefits => "prestations",
        MandateOf::Payroll => "paie",
        MandateOf::Suppliers => "fournisseurs",
    };
    format!("paiement {run}, {what}")
}

fn mandate(p: &PieceReport) -> String {
    format!(
        "mandat n° {}, bordereau n° {} de {}",
        p.piece, p.bordereau, p.exercice
    )
}

fn print(out: &mut dyn Write, read: &ReturnRead) -> std::io::Result<()> {
    let t = read.tally;
    writeln!(
        out,
        "Retour du comptable : {} pièce(s) lue(s) — {} payée(s), {} rejetée(s), {} prise(s) en charge, {} inconnue(s).",
        t.read, t.paid, t.rejected, t.taken, t.unknown
    )?;
    match (&read.applied.before, &read.applied.entry) {
        (Some(b), _) => writeln!(
            out,
            "Ce fichier a déjà été lu le {} par {} (journal n° {}) : rien n'a changé.",
            b.at, b.by, b.seq
        )?,
        (None, Some(e)) => writeln!(out, "Enregistré au journal (entrée n° {}).", e.seq)?,
        (None, None) => {}
    }
    let mut invoices_paid = Vec::new();
    for p in &read.applied.pieces {
        match &p.outcome {
            PieceOutcome::Paid { invoices, .. } => invoices_paid.extend(invoices.iter()),
            PieceOutcome::Rejected {
                run,
                of,
                reason,
                invoices,
                month,
                released_rights,
            } => {
                let effect = match of {
                    MandateOf::Suppliers => format!(
                        "facture(s) {} à mandater de nouveau par un prochain paiement des fournisseurs",
                        invoices.join(", ")
                    ),
                    MandateOf::Benefits => format!(
                        "{released_rights} droit(s) de nouveau payable(s) pour {month} par un prochain paiement du mois"
                    ),
                    MandateOf::Payroll => "paie : à reprendre à la main".to_owned(),
                };
                writeln!(
                    out,
                    "Rejet : {} ({}) : {reason} — {effect}.",
                    mandate(p),
                    run_of(*of, run)
                )?;
            }
            PieceOutcome::OnHold { run, of, reason } => writeln!(
                out,
                "En instance : {} ({}) : {reason}.",
                mandate(p),
                run_of(*of, run)
            )?,
            PieceOutcome::Refused { run, of, why } => writeln!(
                out,
                "Refusé : {} ({}) : {why}.",
                mandate(p),
                run_of(*of, run)
            )?,
            PieceOutcome::Unknown => writeln!(
                out,
                "Pièce inconnue : n° {}, bordereau n° {} de {} (ligne {}) : Relais n'a pas émis ce mandat.",
                p.piece, p.bordereau, p.exercice, p.at.line
            )?,
            PieceOutcome::Request {
                typ_pce,
                amount,
                object,
            } => {
                let what = if *typ_pce == relais_formats::pes_return::TYP_PCE_TITLE_REQUEST {
                    "demande d'émission de titre"
                } else {
                    "demande d'émission de mandat (payé avant mandatement : mandat émis après paiement à émettre)"
                };
                let object = object
                    .as_deref()
                    .map(|o| format!(", « {o} »"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "Demande de régularisation : pièce n° {}, bordereau n° {} de {} — {what}, {amount}{object}.",
                    p.piece, p.bordereau, p.exercice
                )?;
            }
            PieceOutcome::TakenInCharge { .. } | PieceOutcome::AlreadyKnown { .. } => {}
        }
    }
    if !invoices_paid.is_empty() {
        let dates: Vec<String> = read
            .applied
            .pieces
            .iter()
            .filter_map(|p| match &p.outcome {
                PieceOutcome::Paid {
                    on: Some(on),
                    invoices,
                    ..
                } if !invoices.is_empty() => Some(date_fr(*on)),
                _ => None,
            })
            .collect();
        writeln!(
            out,
            "Facture(s) payée(s) : {} (le {}).",
            invoices_paid
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            dates.join(", ")
        )?;
    }
    Ok(())
}
