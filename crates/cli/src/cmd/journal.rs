//! `relais journal verify|list|export|apply` (export and apply: docs/journal-export.md,
//! through `relais_app::handback`).

use super::{EXIT_FAILURE, EXIT_OK};
use crate::args::{
    BenchJournalArgs, JournalApplyArgs, JournalCommand, JournalExportArgs, JournalVerifyArgs,
};
use crate::data::{DataDir, agent};
use anyhow::{Context, Result};
use relais_app::{checkpoints, handback};
use relais_store::StoreError;
use std::io::Write;

pub fn run(command: JournalCommand) -> Result<u8> {
    match command {
        JournalCommand::Verify(a) => verify(&a),
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

/// The chain first (each entry's hash), then the signed checkpoints (whoever rewrote the
/// chain from an entry on cannot sign again what the authority's key signed).
fn verify(a: &JournalVerifyArgs) -> Result<u8> {
    let opened = DataDir::new(&a.data.data).open()?;
    let store = opened.open_store().map_err(agent)?;
    let entries = match store.verify_journal() {
        Ok(n) => n,
        Err(StoreError::Journal(e)) => {
            tracing::error!(problem = %e.message_en(), "journal verification failed");
            println!("Journal altéré : {e}");
            return Ok(EXIT_FAILURE);
        }
        Err(StoreError::Tampered(what)) => {
            tracing::error!(problem = %what, "a table no longer matches its journal events");
            println!("Journal altéré : {what}");
            return Ok(EXIT_FAILURE);
        }
        Err(e) => return Err(e.into()),
    };
    let report = checkpoints::check(
        &opened.dir,
        &*store,
        a.pubkey.as_deref(),
        a.checkpoints.as_deref(),
    )
    .map_err(agent)?;
    let j = &report.judgement;
    if let Some(b) = &j.broken {
        tracing::error!(
            checkpoint = b.checkpoint.seq,
            first_unmatched = b.first_unmatched,
            "the journal no longer matches a signed checkpoint"
        );
        let since = match &j.last_valid {
            Some(l) => format!(
                "la première après le dernier point de contrôle valide, entrée {} du {}",
                l.seq,
                when(&l.at, &opened.tz)
            ),
            None => "aucun point de contrôle antérieur ne correspond".to_owned(),
        };
        let what = if b.missing {
            format!("l'entrée {} qu'il signe n'existe plus", b.checkpoint.seq)
        } else {
            format!(
                "il signe pour l'entrée {} une autre empreinte",
                b.checkpoint.seq
            )
        };
        println!(
            "Journal altéré : à partir de l'entrée {} ({since}), le journal n'est plus celui qui a été signé : point de contrôle du {} : {what}.",
            b.first_unmatched,
            when(&b.checkpoint.at, &opened.tz)
        );
        return Ok(EXIT_FAILURE);
    }
    if !j.bad_signatures.is_empty() || !report.unreadable.is_empty() {
        let seqs: Vec<String> = j.bad_signatures.iter().map(u64::to_string).collect();
        tracing::error!(bad = ?j.bad_signatures, unreadable = report.unreadable.len(), "checkpoints altered");
        let mut why = Vec::new();
        if !seqs.is_empty() {
            why.push(format!(
                "signature invalide pour les points de contrôle des entrées {}",
                seqs.join(", ")
            ));
        }
        why.extend(report.unreadable.iter().cloned());
        println!(
            "Journal altéré : points de contrôle modifiés : {}.",
            why.join(" ; ")
        );
        return Ok(EXIT_FAILURE);
    }
    println!("Journal intact : {entries} entrée(s).");
    match &j.last_valid {
        Some(l) => println!(
            "Points de contrôle signés : {} ({} en base, {} dans journal/checkpoints.log{}), le dernier à l'entrée {} le {} ; clé {}.",
            j.matched,
            report.in_store,
            report.in_file,
            if report.given > 0 {
                format!(", {} fournis", report.given)
            } else {
                String::new()
            },
            l.seq,
            when(&l.at, &opened.tz),
            report.key_id.as_deref().unwrap_or("?")
        ),
        None => println!("Aucun point de contrôle signé : la chaîne seule atteste le journal."),
    }
    Ok(EXIT_OK)
}

/// An RFC 3339 instant as agents read it, in the authority's time zone: `06/12/2026 à 21:00`.
fn when(at: &str, tz: &jiff::tz::TimeZone) -> String {
    at.parse::<jiff::Timestamp>()
        .map(|t| {
            t.to_zoned(tz.clone())
                .strftime("%d/%m/%Y à %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| at.to_owned())
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
                .map_or(handback::Start::LastImport, handback::Start::Since),
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
