//! Exporting a validated run: the payment files (PES, pain.001), each written atomically and
//! passed through our own checks before it gets its final name, the documents for people
//! (control report, per-payee statements, bordereau), then `SHA256SUMS` and the export's
//! journal entry.
//!
//! Everything written comes from the run as stored and from the settings: no clock (the
//! files' creation time is the validation's), no random, so exporting again gives the same
//! bytes. The PES file and the pain.001 files (one per pay date: `ReqdExctnDt` is per payment
//! block) are written in one pass over the lines, in mandate order (`payment_files`).
//!
//! In three steps, so that a front end holds its writing connection only to record: [`plan_export`]
//! (who, which run, the PES header), [`write_export`] (the files, on reading connections), and
//! [`record_export`]. `crate::run_files::export` does the three on a data folder.

mod payment_files;

use super::Authority;
use super::written::{Written, write_sums};
use crate::error::{AppError, IoAction, Missing, Refusal};
use jiff::civil::DateTime;
use relais_core::ids::Siret;
use relais_core::roles::Role;
use relais_core::run::{RunId, RunStatus};
use relais_core::settings::{PaymentSettings, Settings};
use relais_formats::payments::model::{BudgetCode, CollectivityCode, Debtor, Issuer, PostId};
use relais_store::Store;
use relais_store::runs::{RunRecord, RunStore};
use std::path::Path;

/// What an export wrote.
pub struct Exported {
    pub run: RunRecord,
    /// Name → SHA-256 of each file, by name (`SHA256SUMS` lists them).
    pub written: Written,
    pub journal_seq: u64,
    /// Why the journal's checkpoint could not be signed after the export, if so (French).
    pub checkpoint_warning: Option<String>,
}

/// An export allowed: the run, validated, and who exports it, with the PES header.
pub struct ExportPlan {
    pub run: RunRecord,
    user: String,
    issuer: Issuer,
    zone: relais_core::calendar::HolidayZone,
}

impl ExportPlan {
    /// The PES header and the debtor account.
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// The authority's holiday zone (bank days of the transfers).
    pub fn zone(&self) -> relais_core::calendar::HolidayZone {
        self.zone
    }
}

/// The PES header and the debtor account, from the settings.
fn issuer(settings: &Settings, p: &PaymentSettings) -> Result<Issuer, AppError> {
    let invalid = |field: &str| {
        let field = field.to_owned();
        move |e: relais_formats::payments::PaymentFileError| AppError::Invalid {
            field,
            message: e.to_string(),
        }
    };
    let siret = Siret::parse(settings.authority.siret.as_str()).map_err(|e| AppError::Invalid {
        field: "authority.siret".into(),
        message: e.to_string(),
    })?;
    Ok(Issuer {
        name: settings.authority.name.clone(),
        siret,
        collectivity: CollectivityCode::parse(&p.collectivity_code)
            .map_err(invalid("payments.collectivity_code"))?,
        budget: BudgetCode::parse(&p.budget_code).map_err(invalid("payments.budget_code"))?,
        post: PostId::parse(&p.post_id).map_err(invalid("payments.post_id"))?,
        budget_label: p.budget_label.clone(),
        debtor: Debtor {
            name: p.debtor_name.clone(),
            iban: p.debtor_iban.clone(),
            bic: p.debtor_bic.clone(),
        },
    })
}

/// The instant the run was validated, `2026-12-01 09:14` in the authority's time.
pub(crate) fn validated_at(run: &RunRecord) -> Result<DateTime, AppError> {
    let text = run
        .summary
        .validated_at
        .as_deref()
        .ok_or_else(|| AppError::Inconsistent(format!("paiement {} non validé", run.id)))?;
    format!("{}:00", text.replace(' ', "T"))
        .parse()
        .map_err(|_| AppError::Inconsistent(format!("heure de validation illisible : {text:?}")))
}

/// Whether `user` may export the validated run `id` (role liquidation or ordonnateur, an
/// account enabled), and the PES header from the settings.
pub fn plan_export<S: Store + RunStore + ?Sized>(
    store: &S,
    at: &Authority<'_>,
    id: RunId,
    user: &str,
) -> Result<ExportPlan, AppError> {
    let payments = at.payments()?;
    let may = store.user(user)?.is_some_and(|u| {
        !u.disabled
            && u.roles
                .iter()
                .any(|r| matches!(r, Role::Liquidation | Role::Ordonnateur))
    });
    if !may {
        return Err(AppError::Refused(Refusal::MayNotExport(user.to_owned())));
    }
    let run = store.run(id)?.ok_or(AppError::NotFound(Missing::Run(id)))?;
    if run.status != RunStatus::Validated {
        return Err(AppError::NotValidated {
            run: id,
            status: run.status,
        });
    }
    Ok(ExportPlan {
        issuer: issuer(at.settings, payments)?,
        run,
        user: user.to_owned(),
        zone: at.settings.authority.holiday_zone,
    })
}

/// Writes the run's payment files into `out`, and unless `payment_files_only` its documents
/// for people, then `SHA256SUMS`. When there is `documents`, a connection of their own, the
/// statements and the control report are written on it beside the payment files (the payment
/// files' pipeline leaves part of the machine idle — its formatting thread bounds it —, which
/// they use), and the bordereau on `store` once the payment files are done; else all of them
/// after the payment files, on `store`.
pub fn write_export<S: RunStore + ?Sized, D: RunStore + Send + ?Sized>(
    plan: &ExportPlan,
    store: &S,
    documents: Option<&mut D>,
    out: &Path,
    payment_files_only: bool,
) -> Result<Written, AppError> {
    let run = &plan.run;
    std::fs::create_dir_all(out).map_err(|e| AppError::io(IoAction::CreateFolder, out, e))?;
    let (payment, beside, bordereau) = std::thread::scope(|scope| {
        let beside = documents.filter(|_| !payment_files_only).map(|reader| {
            scope.spawn(move || super::documents::write_statements_and_report(&*reader, run, out))
        });
        let started = std::time::Instant::now();
        let payment = payment_files::payment_files(store, run, &plan.issuer, out);
        tracing::debug!(elapsed = ?started.elapsed(), "run export: payment files");
        let bordereau = (beside.is_some() && payment.is_ok())
            .then(|| super::documents::write_bordereau(store, run, out));
        let beside = beside.map(|h| {
            h.join().unwrap_or_else(|_| {
                Err(AppError::Inconsistent(
                    "l'écriture des documents s'est interrompue".into(),
                ))
            })
        });
        (payment, beside, bordereau)
    });
    let mut written = payment?;
    match (beside, bordereau) {
        (Some(documents), bordereau) => {
            written.extend(documents?);
            if let Some(bordereau) = bordereau {
                written.extend(bordereau?);
            }
        }
        (None, _) if !payment_files_only => {
            written.extend(super::documents::write_documents(store, run, out)?);
        }
        (None, _) => {}
    }
    write_sums(out, &mut written)?;
    Ok(written)
}

/// The export's journal entry: which files, with their digests.
///
/// The journal's head is then signed (`signer`: a checkpoint at each export).
pub fn record_export<S: RunStore + relais_store::checkpoints::CheckpointStore + ?Sized>(
    store: &mut S,
    plan: ExportPlan,
    written: Written,
    signer: Option<&crate::checkpoints::Signer>,
    now: jiff::Timestamp,
) -> Result<Exported, AppError> {
    let files: serde_json::Value = written
        .iter()
        .map(|(n, d)| (n.clone(), serde_json::Value::from(d.clone())))
        .collect::<serde_json::Map<_, _>>()
        .into();
    let entry = store.record_run_export(plan.run.id, &plan.user, &files)?;
    let checkpoint_warning =
        signer.and_then(|s| s.sign_or_warn(store, crate::checkpoints::Reason::Export, now));
    Ok(Exported {
        run: plan.run,
        written,
        journal_seq: entry.seq,
        checkpoint_warning,
    })
}
