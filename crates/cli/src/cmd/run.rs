//! `relais run prepare|show|list|validate|cancel|release|export`: the month's payment of
//! benefits. The arguments are read here, the services are `relais_app::runs` (the same the
//! web calls), and what they did is printed: the lines scripts and docs/runbook.md read.

use super::EXIT_OK;
use crate::args::{
    RunCancelArgs, RunCommand, RunExportArgs, RunListArgs, RunPrepareArgs, RunReleaseArgs,
    RunShowArgs, RunValidateArgs,
};
use crate::data::{DataDir, agent};
use anyhow::{Context, Result, anyhow, bail};
use jiff::tz::TimeZone;
use relais_app::clock::{Clock, SystemClock};
use relais_app::runs::{self, PrepareRequest, Release};
use relais_core::records::Benefit;
use relais_core::run::{RunKind, RunSummary};
use relais_store::runs::RunRecord;

mod payroll;
mod suppliers;

pub fn run(command: RunCommand) -> Result<u8> {
    match command {
        RunCommand::Prepare(a) => prepare(a),
        RunCommand::Show(a) => show(a),
        RunCommand::List(a) => list(a),
        RunCommand::Validate(a) => validate(a),
        RunCommand::Cancel(a) => cancel(a),
        RunCommand::Export(a) => export(a),
        RunCommand::Release(a) => release(a),
    }
}

/// The command line's clock: the system's. Tests of months the clock does not allow yet (a
/// pay day on Good Friday 2027) set the day, at 09:00; a release build has no such door.
pub(crate) fn clock(tz: &TimeZone) -> Box<dyn Clock> {
    #[cfg(debug_assertions)]
    if let Some(fixed) = std::env::var("RELAIS_TEST_TODAY")
        .ok()
        .and_then(|d| d.parse::<jiff::civil::Date>().ok())
        .and_then(|day| relais_app::FixedClock::morning_of(day, tz))
    {
        return Box::new(fixed);
    }
    let _ = tz;
    Box::new(SystemClock)
}

/// The authority's local time, `2026-12-01 09:14`, and date.
pub(crate) fn local_now(tz: &TimeZone) -> (String, jiff::civil::Date) {
    relais_app::clock::local_now(clock(tz).as_ref(), tz)
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

fn prepare(a: RunPrepareArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data).open()?;
    data.payments().map_err(agent)?;
    let month = match (a.kind, a.month) {
        (RunKind::Fournisseurs, _) => return suppliers::prepare(&data, &a.user.user),
        (_, Some(month)) => month,
        (_, None) => bail!("--month AAAA-MM : le mois payé est requis (sauf --kind fournisseurs)"),
    };
    if a.kind == RunKind::Paie {
        return payroll::prepare(&data, month, &a.user.user);
    }
    let benefits = parse_benefits(&a.benefits)?;
    let clock = clock(&data.tz);
    let mut store = data.open_store().map_err(agent)?;
    let prepared = runs::prepare(
        &mut *store,
        &data.authority(clock.as_ref()),
        &PrepareRequest {
            month,
            benefits: &benefits,
            actor: &a.user.user,
            arrears: a.reason.as_deref().filter(|_| a.rappel),
        },
    )
    .map_err(agent)?;
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
    let id = a.run;
    let store = data.open_store()?;
    let run = runs::show(&*store, id).map_err(agent)?;
    print_summary(&run.summary);
    match run.kind {
        RunKind::Paie => payroll::print_details(&*store, &run)?,
        RunKind::Fournisseurs => suppliers::print_details(&*store, &run)?,
        RunKind::Aides => {}
    }
    if let Some(out) = &a.out {
        let files = match run.kind {
            RunKind::Paie => relais_app::payroll::write_payroll_report(&*store, &run, out),
            RunKind::Fournisseurs => {
                relais_app::suppliers::write_supplier_report(&*store, &run, out)
            }
            RunKind::Aides => runs::write_report(&*store, &run, out),
        }
        .map_err(agent)?;
        for (name, _) in &files {
            println!("écrit : {}", out.join(name).display());
        }
    }
    Ok(EXIT_OK)
}

fn list(a: RunListArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let store = data.open_store()?;
    let runs = runs::list(&*store).map_err(agent)?;
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
    let data = DataDir::new(&a.data.data).open()?;
    let id = a.run;
    let mut store = data.open_store().map_err(agent)?;
    let clock = clock(&data.tz);
    let signer = relais_app::checkpoints::Signer::new(&data);
    let (run, warning) = runs::validate_signed(
        &mut *store,
        clock.as_ref(),
        &data.tz,
        id,
        &a.user.user,
        &signer,
    )
    .map_err(agent)?;
    println!(
        "Paiement {} validé par {} le {} : {} mandats, {} ; bordereau(x) {}.",
        run.id,
        run.summary.validated_by.as_deref().unwrap_or(""),
        run.summary.validated_at.as_deref().unwrap_or(""),
        run.summary.mandates,
        run.summary.total,
        bordereaux_text(&run)
    );
    if let Some(w) = warning {
        eprintln!("{w}");
    }
    Ok(EXIT_OK)
}

fn cancel(a: RunCancelArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let id = a.run;
    let mut store = data.open_store()?;
    let run = runs::cancel(&mut *store, id, &a.user.user, &a.reason)
        .map_err(agent)
        .with_context(|| format!("annulation de {id}"))?;
    println!(
        "Paiement {} annulé : ses {} droits redeviennent payables.",
        run.id, run.summary.lines
    );
    Ok(EXIT_OK)
}

fn release(a: RunReleaseArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data).open()?;
    let month = a.month;
    let mut store = data.open_store().map_err(agent)?;
    let clock = clock(&data.tz);
    let release = Release {
        actor: &a.user.user,
        right: &a.right,
        month,
        reason: &a.reason,
    };
    let other = runs::release(&mut *store, clock.as_ref(), &data.tz, &release)
        .map_err(agent)
        .with_context(|| format!("levée de l'exclusion de {} pour {month}", a.right))?;
    println!(
        "Droit {} payable pour {month} malgré le paiement sous le droit {other} : annulez et préparez de nouveau le paiement du mois.",
        a.right
    );
    Ok(EXIT_OK)
}

/// `relais run export`: the files of a validated run, then what was written.
fn export(a: RunExportArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let id = a.run;
    let bar = crate::progress::spinner("écriture des fichiers de paiement et des documents");
    let exported = data.open().and_then(|data| {
        let clock = clock(&data.tz);
        let at = data.authority(clock.as_ref());
        relais_app::run_files::export(&data, &at, id, &a.user.user, &a.out, a.payment_files_only)
            .map_err(agent)
    });
    bar.finish_and_clear();
    let exported = exported?;
    for (name, _) in &exported.written {
        println!("écrit : {}", a.out.join(name).display());
    }
    println!("écrit : {}", a.out.join("SHA256SUMS").display());
    if let Some(w) = &exported.checkpoint_warning {
        eprintln!("{w}");
    }
    let run = &exported.run;
    println!(
        "Paiement {} exporté : {} mandats, {} (journal n° {}).",
        run.id, run.summary.mandates, run.summary.total, exported.journal_seq
    );
    if let Some(caf) = &run.summary.caf_mandate {
        println!("RSA : mandat à la CAF de {} ({}).", caf.amount, caf.basis);
    }
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
