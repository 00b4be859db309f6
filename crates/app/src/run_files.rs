//! A run's files, whatever it pays: the one place that sends a run of social aid to
//! [`crate::runs`], a payroll run to [`crate::payroll`] and a supplier run to
//! [`crate::suppliers`] (so that none knows the others),
//! for `relais run export` and the web's "Écrire les fichiers" and "rapport de contrôle".

use crate::data::Data;
use crate::error::AppError;
use crate::runs::export::{ExportPlan, Exported, plan_export, record_export};
use crate::runs::{Authority, Written};
use relais_core::run::{RunId, RunKind};
use relais_store::Store;
use relais_store::payroll::PayrollStore;
use relais_store::runs::RunStore;
use relais_store::suppliers::SupplierRunStore;
use std::path::Path;

/// Writes the files of the validated run of `plan` into `out` (see
/// [`crate::runs::write_export`] and [`crate::payroll::write_payroll_export`]).
pub fn write_export<S, D>(
    plan: &ExportPlan,
    store: &S,
    documents: Option<&mut D>,
    out: &Path,
    payment_files_only: bool,
) -> Result<Written, AppError>
where
    S: Store + RunStore + PayrollStore + SupplierRunStore + ?Sized,
    D: RunStore + Send + ?Sized,
{
    match plan.run.kind {
        RunKind::Fournisseurs => {
            crate::suppliers::write_supplier_export(plan, store, plan.zone(), out)
        }
        RunKind::Paie => {
            crate::payroll::write_payroll_export(plan, store, plan.issuer().siret.as_str(), out)
        }
        RunKind::Aides => {
            crate::runs::write_export(plan, store, documents, out, payment_files_only)
        }
    }
}

/// Writes the control report of run `id`, in whatever state, into `out` with its
/// `SHA256SUMS` (the review before validation).
pub fn report<S: RunStore + PayrollStore + SupplierRunStore + ?Sized>(
    store: &S,
    id: RunId,
    out: &Path,
) -> Result<Written, AppError> {
    let run = crate::runs::show(store, id)?;
    match run.kind {
        RunKind::Paie => {
            let mut written = crate::payroll::write_payroll_report(store, &run, out)?;
            crate::runs::written::write_sums(out, &mut written)?;
            Ok(written)
        }
        RunKind::Fournisseurs => {
            let mut written = crate::suppliers::write_supplier_report(store, &run, out)?;
            crate::runs::written::write_sums(out, &mut written)?;
            Ok(written)
        }
        RunKind::Aides => crate::runs::report(store, id, out),
    }
}

/// Exports the validated run `id` of the data folder into `out` by `user` (liquidation or
/// ordonnateur). A run of social aid writes its documents on a reading connection of its own;
/// a payroll, on one connection (a reader mapping the store in memory would only count its
/// pages in the export's memory: #22's bench, 421 MB instead of 72).
pub fn export(
    data: &Data,
    at: &Authority<'_>,
    id: RunId,
    user: &str,
    out: &Path,
    payment_files_only: bool,
) -> Result<Exported, AppError> {
    let mut store = data.open_store()?;
    let plan = plan_export(&*store, at, id, user)?;
    let mut reader = if payment_files_only || plan.run.kind != RunKind::Aides {
        None
    } else {
        Some(data.open_reader()?)
    };
    let written = write_export(
        &plan,
        &*store,
        reader.as_deref_mut(),
        out,
        payment_files_only,
    )?;
    let signer = crate::checkpoints::Signer::new(data);
    record_export(
        &mut *store,
        plan,
        written,
        Some(&signer),
        jiff::Timestamp::now(),
    )
}
