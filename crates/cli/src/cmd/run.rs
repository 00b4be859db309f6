//! `relais run prepare|show|list|validate|cancel|export`: the month's payment of benefits.
//! The rules are in `relais_core::run` and `relais_core::payment`, the claims and their
//! invariants in the store (`relais_store::runs`); this module maps runs onto the payment file
//! writers (`relais_formats::payments`) and the documents (`relais_documents`).

mod documents;
pub(crate) mod export;
mod lists;
mod payees;
mod statements;
mod tee;
mod written;

use super::EXIT_OK;
use super::deposit::time_zone;
use crate::args::{
    RunCancelArgs, RunCommand, RunListArgs, RunPrepareArgs, RunReleaseArgs, RunShowArgs,
    RunValidateArgs,
};
use crate::data::DataDir;
use anyhow::{Context, Result, anyhow, bail};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use relais_core::calendar::{Month, local_date};
use relais_core::records::Benefit;
use relais_core::run::{RunId, RunSummary};
use relais_core::settings::{PaymentSettings, Settings};
use relais_store::runs::{PrepareRun, RunParams, RunRecord, RunStore};

pub fn run(command: RunCommand) -> Result<u8> {
    match command {
        RunCommand::Prepare(a) => prepare(a),
        RunCommand::Show(a) => show(a),
        RunCommand::List(a) => list(a),
        RunCommand::Validate(a) => validate(a),
        RunCommand::Cancel(a) => cancel(a),
        RunCommand::Export(a) => export::run(a),
        RunCommand::Release(a) => release(a),
    }
}

/// The `[payments]` settings, or a message that says where to add them.
pub(crate) fn payment_settings<'s>(
    data: &DataDir,
    settings: &'s Settings,
) -> Result<&'s PaymentSettings> {
    settings.payments.as_ref().ok_or_else(|| {
        anyhow!(
            "paramètres de paiement absents : ajoutez la section [payments] à {} (voir docs/runbook.md)",
            data.settings_path().display()
        )
    })
}

/// The authority's local time, `2026-12-01 09:14`, and date.
pub(crate) fn local_now(tz: &TimeZone) -> (String, jiff::civil::Date) {
    // Tests of months the clock does not allow yet (a pay day on Good Friday 2027) set the
    // day; a release build has no such door.
    #[cfg(debug_assertions)]
    if let Some(day) = std::env::var("RELAIS_TEST_TODAY")
        .ok()
        .and_then(|d| d.parse::<jiff::civil::Date>().ok())
    {
        return (format!("{day} 09:00"), day);
    }
    let now = Timestamp::now();
    let zoned = now.to_zoned(tz.clone());
    (
        zoned.strftime("%Y-%m-%d %H:%M").to_string(),
        local_date(now, tz),
    )
}

pub(crate) fn parse_run_id(s: &str) -> Result<RunId> {
    s.parse::<RunId>().map_err(|e| anyhow!(e))
}

fn parse_benefits(list: &[String]) -> Result<Vec<Benefit>> {
    let mut out = Vec::new();
    for item in list.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let b = Benefit::parse(item).ok_or_else(|| {
            anyhow!(
                "--benefits : prestation inconnue « {item} » (APA_DOM, APA_ETAB, PCH, ASH, RSA)"
            )
        })?;
        if !out.contains(&b) {
            out.push(b);
        }
    }
    if out.is_empty() {
        bail!("--benefits : aucune prestation");
    }
    Ok(out)
}

fn params(
    payments: &PaymentSettings,
    settings: &Settings,
    month: Month,
    benefits: &[Benefit],
) -> Result<RunParams> {
    RunParams::from_settings(payments, settings.authority.holiday_zone, month, benefits)
        .map_err(|e| anyhow!(e))
}

fn prepare(a: RunPrepareArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let (settings, tz) = time_zone(&data)?;
    let payments = payment_settings(&data, &settings)?;
    let month = Month::parse(&a.month).map_err(|e| anyhow!("--month : {e}"))?;
    let benefits = parse_benefits(&a.benefits)?;
    let params = params(payments, &settings, month, &benefits)?;
    let (local_time, today) = local_now(&tz);
    let req = PrepareRun {
        month,
        actor: &a.user.user,
        authority: &settings.authority.name,
        local_time,
        today,
        params,
        arrears: a.reason.as_deref().filter(|_| a.rappel),
    };
    let mut store = data.open_store()?;
    let prepared = store.prepare_run(&req, &benefits)?;
    // The identifier alone on the first line: scripts read it.
    println!("{}", prepared.run.id);
    if !prepared.created {
        println!(
            "Déjà préparé (même mois, mêmes prestations) : rien n'a été réservé une seconde fois."
        );
    }
    print_summary(&prepared.run.summary);
    Ok(EXIT_OK)
}

fn show(a: RunShowArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let id = parse_run_id(&a.run)?;
    let store = data.open_store()?;
    let run = store
        .run(id)?
        .ok_or_else(|| anyhow!("aucun paiement {id}"))?;
    print_summary(&run.summary);
    if let Some(out) = &a.out {
        let files = export::write_report(&store, &run, out)?;
        for (name, _) in &files {
            println!("écrit : {}", out.join(name).display());
        }
    }
    Ok(EXIT_OK)
}

fn list(a: RunListArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let store = data.open_store()?;
    let runs = store.runs()?;
    if runs.is_empty() {
        println!("Aucun paiement.");
    }
    for r in runs {
        println!(
            "{}  {:<20} {:>9} lignes {:>18}  préparé par {} le {}",
            r.id,
            r.status.label_fr(),
            r.summary.lines,
            r.summary.total.to_string(),
            r.summary.prepared_by,
            r.summary.prepared_at
        );
    }
    Ok(EXIT_OK)
}

fn validate(a: RunValidateArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let (_, tz) = time_zone(&data)?;
    let id = parse_run_id(&a.run)?;
    let (local_time, _) = local_now(&tz);
    let mut store = data.open_store()?;
    let run = store.validate_run(id, &a.user.user, &local_time)?;
    println!(
        "Paiement {} validé par {} le {} : {} mandats, {} ; bordereau(x) {}.",
        run.id,
        run.summary.validated_by.as_deref().unwrap_or(""),
        run.summary.validated_at.as_deref().unwrap_or(""),
        run.summary.mandates,
        run.summary.total,
        bordereaux_text(&run)
    );
    Ok(EXIT_OK)
}

fn cancel(a: RunCancelArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let id = parse_run_id(&a.run)?;
    let mut store = data.open_store()?;
    let run = store
        .cancel_run(id, &a.user.user, &a.reason)
        .with_context(|| format!("annulation de {id}"))?;
    println!(
        "Paiement {} annulé : ses {} droits redeviennent payables.",
        run.id, run.summary.lines
    );
    Ok(EXIT_OK)
}

fn release(a: RunReleaseArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let (_, tz) = time_zone(&data)?;
    let month = Month::parse(&a.month).map_err(|e| anyhow!("--month : {e}"))?;
    let (local_time, _) = local_now(&tz);
    let mut store = data.open_store()?;
    let other = store
        .release_duplicate(&a.user.user, &a.right, month, &a.reason, &local_time)
        .with_context(|| format!("levée de l'exclusion de {} pour {month}", a.right))?;
    println!(
        "Droit {} payable pour {month} malgré le paiement sous le droit {other} : annulez et préparez de nouveau le paiement du mois.",
        a.right
    );
    Ok(EXIT_OK)
}

fn bordereaux_text(run: &RunRecord) -> String {
    run.summary
        .bordereaux
        .iter()
        .map(|(e, n)| format!("{e}/{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The run's summary for the terminal.
pub(crate) fn print_summary(s: &RunSummary) {
    println!(
        "Paiement {} — {} — {} ({})",
        s.run,
        s.month,
        s.authority,
        s.status.label_fr()
    );
    println!("Préparé par {} le {}", s.prepared_by, s.prepared_at);
    if let (Some(by), Some(at)) = (&s.validated_by, &s.validated_at) {
        println!("Validé par {by} le {at}");
    }
    println!(
        "{} lignes, {} mandats, total {}",
        s.lines, s.mandates, s.total
    );
    for b in &s.benefits {
        let previous = b
            .previous_total
            .map(|p| format!(" (mois précédent {p})"))
            .unwrap_or_default();
        println!(
            "  {:<9} {:>9} droits {:>9} personnes {:>18} payé le {}{}",
            b.benefit.code(),
            b.rights,
            b.people,
            b.total.to_string(),
            b.pay_date,
            previous
        );
    }
    if s.caf_rights > 0 {
        println!(
            "  RSA (CAF) {:>9} droits {:>18} : fichier pour la CAF, avance à verser",
            s.caf_rights,
            s.caf_total.to_string()
        );
    }
    if !s.excluded.is_empty() {
        println!("Non payés :");
        for (code, label, n) in &s.excluded {
            println!("  {n:>9}  {label} ({code})");
        }
    }
    if !s.anomalies.is_empty() {
        println!("À contrôler :");
        for (code, label, n) in &s.anomalies {
            println!("  {n:>9}  {label} ({code})");
        }
    }
}
