//! `relais journal verify|list|export|apply` (export and apply: docs/journal-export.md,
//! through `relais_app::handback`).

use super::{EXIT_FAILURE, EXIT_OK};
use crate::args::{BenchJournalArgs, JournalApplyArgs, JournalCommand, JournalExportArgs};
use crate::data::{DataDir, agent};
use anyhow::{Context, Result};
use relais_app::handback;
use relais_store::StoreError;
use std::io::Write;

pub fn run(command: JournalCommand) -> Result<u8> {
    match command {
        JournalCommand::Verify(d) => {
            let store = DataDir::new(&d.data).open_store()?;
            match store.verify_journal() {
                Ok(n) => {
                    println!("Journal intact : {n} entrée(s).");
                    Ok(EXIT_OK)
                }
                Err(StoreError::Journal(e)) => {
                    tracing::error!(problem = %e.message_en(), "journal verification failed");
                    println!("Journal altéré : {e}");
                    Ok(EXIT_FAILURE)
                }
                Err(StoreError::Tampered(what)) => {
                    tracing::error!(problem = %what, "a table no longer matches its journal events");
                    println!("Journal altéré : {what}");
                    Ok(EXIT_FAILURE)
                }
                Err(e) => Err(e.into()),
            }
        }
        JournalCommand::List(a) => {
            let store = DataDir::new(&a.data.data).open_store()?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            for e in store.journal_entries(a.from, a.limit)? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    e.seq, e.at, e.actor, e.kind, e.payload
                )?;
            }
            out.flush()?;
            Ok(EXIT_OK)
        }
        JournalCommand::Export(a) => export(a),
        JournalCommand::Apply(a) => apply(a),
    }
}

fn export(a: JournalExportArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data).open()?;
    let recipients = a
        .recipients
        .as_ref()
        .map(|p| {
            std::fs::read_to_string(p)
                .with_context(|| format!("lecture des destinataires {}", p.display()))
        })
        .transpose()?;
    let clock = super::run::clock(&data.tz);
    let done = handback::export(
        &data,
        clock.as_ref(),
        &handback::ExportRequest {
            from: a
                .since
                .map_or(handback::From::LastImport, handback::From::Since),
            out: &a.out,
            user: &a.user.user,
            recipients: recipients.as_deref(),
        },
    )
    .map_err(agent)?;
    let h = &done.header;
    let from = match h.from_reason.as_str() {
        "since" => format!("après l'entrée n° {} (--since)", h.from.seq),
        "import" => format!(
            "après l'entrée n° {} (le dernier import ou la dernière copie scellée ouverte)",
            h.from.seq
        ),
        _ => "depuis le début du journal (aucun import)".to_owned(),
    };
    println!(
        "Export du journal : {} événement(s), {from}, jusqu'à l'entrée n° {}.",
        h.count, h.to.seq
    );
    println!("écrit : {}", done.dir.display());
    for f in &done.files {
        println!("  {f}");
    }
    if done.encrypted {
        println!("Chiffré pour les destinataires donnés : age -d -i CLE export.tar.age | tar x");
    }
    println!(
        "evenements.jsonl SHA-256 {} ; export journalisé (entrée n° {}).",
        done.events_sha256, done.entry_seq
    );
    Ok(EXIT_OK)
}

fn apply(a: JournalApplyArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data).open()?;
    let identity = a
        .identity
        .as_ref()
        .map(|p| super::snapshot::read_secret(p, "l'identité age"))
        .transpose()?;
    let done = handback::apply(&data, &a.dir, &a.user.user, identity.as_ref()).map_err(agent)?;
    let h = &done.header;
    let new = if done.new > 1 {
        format!("{} nouveaux événements appliqués", done.new)
    } else {
        format!("{} nouvel événement appliqué", done.new)
    };
    println!(
        "Export de {} (SIRET {}), entrées n° {} à {} : {new}, {} déjà tenu(s).",
        h.authority.name,
        h.authority.siret,
        h.from.seq + 1,
        h.to.seq,
        done.known,
    );
    match done.entry_seq {
        Some(seq) => println!("Application journalisée (entrée n° {seq})."),
        None => println!("Rien n'a changé."),
    }
    Ok(EXIT_OK)
}

/// `relais bench journal` (hidden): synthetic events for bench/journal_export.sh.
pub fn bench(a: BenchJournalArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data).open()?;
    let head = handback::bench_journal(&data, "bench", a.count).map_err(agent)?;
    println!(
        "{} événements ajoutés ; journal jusqu'à l'entrée n° {head}.",
        a.count
    );
    Ok(EXIT_OK)
}
