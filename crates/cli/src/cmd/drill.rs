//! `relais drill FILE`: the exercise that proves a sealed snapshot would let the authority pay.
//! The snapshot is verified, decrypted and imported into a throw-away store in a temporary
//! folder (deleted at the end, whatever happens), then the readiness facts are reported and
//! judged against thresholds: exit 0 when ready, 1 with the reasons when not.

mod readiness;
mod text;

use super::{EXIT_FAILURE, EXIT_OK, load_profile};
use crate::args::DrillArgs;
use anyhow::{Context, Result, bail};
use jiff::Timestamp;
use relais_app::ImportError;
use relais_app::data::AnyStore;
use relais_core::calendar::{Month, local_date, time_zone};
use relais_core::roles::Role;
use relais_store::{Backend, NewUser};
use serde::Serialize;
use serde_json::json;
use std::path::Path;

/// Who imports into the throw-away store, as its journal will say.
const DRILL_USER: &str = "exercice";

/// The report's format, for readers of `--json`: incremented when a field changes meaning.
const REPORT_FORMAT: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Reason {
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Thresholds {
    pub max_age_days: u32,
    pub max_unpayable_percent: f64,
    pub renewal_window_months: u32,
    pub bank_change_days: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SnapshotFacts {
    pub file: String,
    pub sha256: String,
    pub authority: String,
    pub source_system: String,
    pub created_at: String,
    pub age_seconds: i64,
    pub age_days: i64,
    pub files: usize,
    pub rows: u64,
    pub trusted_comment: String,
    /// The exact age, for the threshold (`age_seconds` is truncated).
    #[serde(skip)]
    pub age: jiff::SignedDuration,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub format: u32,
    pub ready: bool,
    pub reasons: Vec<Reason>,
    pub month: String,
    pub today: String,
    pub thresholds: Thresholds,
    pub snapshot: SnapshotFacts,
    #[serde(flatten)]
    pub facts: readiness::Facts,
    pub numbering: NumberingFacts,
}

/// Whether the PES numbering of the examined month's exercice is confirmed (in the working
/// store named by `--data`; a snapshot never holds it: the paierie gives it on the day), and
/// what the snapshot's history paid in that exercice, to compare with the paierie's numbers.
#[derive(Debug, Clone, Serialize)]
pub struct NumberingFacts {
    pub exercice: i16,
    pub confirmed: bool,
    pub last_bordereau: Option<u32>,
    pub last_mandate: Option<u32>,
    pub history_pay_dates: u32,
    pub history_payments: u64,
    pub history_total_cents: i64,
}

fn numbering_facts(
    snapshot_store: &dyn Backend,
    working: Option<&Path>,
    month: Month,
) -> Result<NumberingFacts> {
    let exercice = month.year();
    let history = snapshot_store.history_in_exercice(exercice)?;
    let confirmed = match working {
        Some(dir) => crate::data::DataDir::new(dir)
            .open_store()?
            .numbering(exercice)?,
        None => None,
    };
    Ok(NumberingFacts {
        exercice,
        confirmed: confirmed.is_some(),
        last_bordereau: confirmed.as_ref().map(|n| n.last_bordereau),
        last_mandate: confirmed.as_ref().map(|n| n.last_mandate),
        history_pay_dates: history.pay_dates,
        history_payments: history.payments,
        history_total_cents: history.total.0,
    })
}

pub fn run(args: DrillArgs) -> Result<u8> {
    let tz = time_zone(&args.time_zone).context("--time-zone")?;
    let now = Timestamp::now();
    let today = local_date(now, &tz);
    let month = match args.month {
        Some(m) => m,
        None => Month::of(today).next(),
    };
    if !args.max_unpayable_percent.is_finite() || args.max_unpayable_percent < 0.0 {
        bail!("--max-unpayable-percent doit être un pourcentage positif ou nul");
    }
    let thresholds = Thresholds {
        max_age_days: args.max_age_days,
        max_unpayable_percent: args.max_unpayable_percent,
        renewal_window_months: args.renewal_window_months,
        bank_change_days: readiness::BANK_CHANGE_DAYS,
    };
    let profile = load_profile(args.profile.as_deref())?;
    let parent = args.work.clone().unwrap_or_else(std::env::temp_dir);
    // Private (0700) and removed on drop: the plaintext extracts and the store live here only.
    let work = tempfile::Builder::new()
        .prefix("relais-exercice-")
        .tempdir_in(&parent)
        .with_context(|| format!("dossier temporaire dans {}", parent.display()))?;

    let (dest, opened, sha256) = match super::snapshot::open_into(
        &args.file,
        &args.identity,
        &args.pubkey,
        work.path(),
    )? {
        Ok(x) => x,
        Err(e) => {
            tracing::error!(code = e.code(), problem = %e.message_en(), "drill: snapshot refused");
            return Ok(not_ready(
                &args,
                Reason {
                    code: "copie_refusee",
                    message: format!("copie refusée : {e}"),
                },
            ));
        }
    };
    if !args.json {
        println!("Signature valide : {}", opened.trusted_comment);
    }
    let mut store = throwaway_store(work.path())?;
    let context = json!({
        "source": "drill",
        "file": args.file.display().to_string(),
        "sha256": sha256,
    });
    let imported = super::import::import_dir(
        &mut *store,
        dest.path(),
        &profile,
        DRILL_USER,
        context,
        &mut super::snapshot::manifest_check(&opened.manifest),
    );
    // The plaintext extracts are in the store now (or refused): not a second longer on disk.
    drop(dest);
    let outcome = match imported {
        Ok(i) => i.outcome,
        Err(ImportError::Mismatch(m)) => {
            return Ok(not_ready(
                &args,
                Reason {
                    code: "copie_incoherente",
                    message: format!("copie refusée : {m}"),
                },
            ));
        }
        Err(ImportError::Unreadable(files)) => {
            let names: Vec<&str> = files.iter().map(|u| u.file.as_str()).collect();
            return Ok(not_ready(
                &args,
                Reason {
                    code: "fichier_illisible",
                    message: format!("fichier(s) illisible(s) : {}", names.join(", ")),
                },
            ));
        }
        Err(e) => return Err(e.into()),
    };

    let manifest = &opened.manifest;
    let age = now.duration_since(manifest.created_at);
    let snapshot = SnapshotFacts {
        file: args.file.display().to_string(),
        sha256,
        authority: manifest.authority.clone(),
        source_system: manifest.source_system.clone(),
        created_at: manifest.created_at.to_string(),
        age_seconds: age.as_secs(),
        age_days: age.as_secs().div_euclid(86_400),
        files: manifest.files.len(),
        rows: outcome.files.iter().map(|f| f.rows).sum(),
        trusted_comment: opened.trusted_comment.clone(),
        age,
    };
    let inputs = readiness::Inputs {
        month,
        today,
        snapshot_date: local_date(manifest.created_at, &tz),
        renewal_window_months: args.renewal_window_months,
    };
    let started = std::time::Instant::now();
    let bar = crate::progress::spinner("préparation de la paie à blanc (droits, RIB, imputations)");
    let facts = readiness::assess(&*store, &inputs);
    bar.finish_and_clear();
    let facts = facts?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        rights = facts.payable.rights,
        "drill: readiness assessed"
    );
    let numbering = numbering_facts(&*store, args.data.as_deref(), month)?;
    drop(store);
    let reasons = judge(&snapshot, &facts, &thresholds);
    let report = Report {
        format: REPORT_FORMAT,
        ready: reasons.is_empty(),
        reasons,
        month: month.to_string(),
        today: today.to_string(),
        thresholds,
        snapshot,
        facts,
        numbering,
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).context("rapport JSON")?
        );
    } else {
        let mut out = std::io::stdout().lock();
        text::print(&mut out, &report).context("écriture du rapport")?;
    }
    Ok(if report.ready { EXIT_OK } else { EXIT_FAILURE })
}

/// A store of its own in the work folder, with the one administrator an import needs. Its
/// password hash is not a hash: nobody can log in to a throw-away store.
fn throwaway_store(dir: &Path) -> Result<AnyStore> {
    let mut store = crate::data::DataDir::new(dir)
        .create_store(None)
        .context("base jetable")?;
    let user = NewUser {
        login: DRILL_USER.into(),
        roles: vec![Role::Admin],
        site: None,
        password_hash: "!".into(),
    };
    store.add_user(DRILL_USER, &user)?;
    Ok(store)
}

/// The reasons not to be ready; none means ready.
fn judge(
    snapshot: &SnapshotFacts,
    facts: &readiness::Facts,
    thresholds: &Thresholds,
) -> Vec<Reason> {
    let mut reasons = Vec::new();
    // "Older than N days": any age beyond N × 24 h, so N = 0 accepts no delay at all.
    let max_age = jiff::SignedDuration::from_hours(i64::from(thresholds.max_age_days) * 24);
    if snapshot.age > max_age {
        reasons.push(Reason {
            code: "copie_trop_ancienne",
            message: format!(
                "la copie date de {} (scellée le {}), au-delà du maximum de {} jour(s) : scellez une copie plus récente",
                text::age(snapshot.age_seconds),
                snapshot.created_at,
                thresholds.max_age_days
            ),
        });
    }
    let u = &facts.unpayable;
    // On the exact counts, not the rounded percentage: 1 right in a million is above 0 %.
    if u.rights as f64 * 100.0 > thresholds.max_unpayable_percent * u.considered as f64 {
        reasons.push(Reason {
            code: "trop_de_droits_impayables",
            message: format!(
                "{} droit(s) sur {} ne seraient pas payés ({} %), au-delà du maximum de {} % : voir « relais a-traiter » et les droits échus",
                u.rights,
                u.considered,
                text::percent(u.percent),
                text::percent(thresholds.max_unpayable_percent)
            ),
        });
    }
    if facts.payable.rights == 0 {
        reasons.push(Reason {
            code: "aucun_droit_payable",
            message: "aucun droit ne serait payé : droits.csv manque-t-il à la copie ?".into(),
        });
    }
    reasons
}

/// The snapshot could not be opened or imported: not ready, and why.
fn not_ready(args: &DrillArgs, reason: Reason) -> u8 {
    if args.json {
        let report = json!({
            "format": REPORT_FORMAT,
            "ready": false,
            "reasons": [reason],
            "snapshot": { "file": args.file.display().to_string() },
        });
        println!("{report:#}");
    }
    eprintln!("PAS PRÊT : {}. Rien n'a été importé.", reason.message);
    EXIT_FAILURE
}
