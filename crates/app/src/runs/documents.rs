//! The run's documents for people, beside its payment files: the control report (HTML and
//! CSV lists), the per-payee statements and the paper bordereau.

use super::lists::StoreLists;
use super::written::{Written, write_file};
use crate::error::AppError;
use relais_documents::{bordereau, run_report};
use relais_store::runs::{RunRecord, RunStore};
use std::path::Path;

/// Names and digests of the report files (control report and lists), written in `dir`.
pub fn write_report<S: RunStore + ?Sized>(
    store: &S,
    run: &RunRecord,
    dir: &Path,
) -> Result<Written, AppError> {
    let mut written = Written::new();
    let mut lists = StoreLists { store, run };
    let base = format!("controle_{}", run.id);
    write_file(dir, &format!("{base}.html"), &mut written, |w| {
        Ok(run_report::write_report_html(w, &run.summary, &mut lists)?)
    })?;
    write_file(dir, &format!("{base}_totaux.csv"), &mut written, |w| {
        Ok(run_report::write_totals_csv(w, &run.summary)?)
    })?;
    write_file(dir, &format!("{base}_non_payes.csv"), &mut written, |w| {
        Ok(run_report::write_exclusions_csv(w, &mut lists)?)
    })?;
    write_file(dir, &format!("{base}_anomalies.csv"), &mut written, |w| {
        Ok(run_report::write_anomalies_csv(w, &mut lists)?)
    })?;
    write_file(dir, &format!("{base}_variations.csv"), &mut written, |w| {
        Ok(run_report::write_changes_csv(w, &mut lists)?)
    })?;
    write_file(dir, &format!("{base}_mandats.csv"), &mut written, |w| {
        Ok(run_report::write_mandates_csv(w, &mut lists)?)
    })?;
    Ok(written)
}

/// The run's documents for people: the per-payee statements, the control report and the
/// paper bordereau, into `out`, one after the other.
pub(super) fn write_documents<S: RunStore + ?Sized>(
    store: &S,
    run: &RunRecord,
    out: &Path,
) -> Result<Written, AppError> {
    let mut written = write_statements_and_report(store, run, out)?;
    written.extend(write_bordereau(store, run, out)?);
    Ok(written)
}

/// The per-payee statements, then the control report, into `out`: what the thread beside the
/// payment files writes (the bordereau is written on the payment files' thread once they are
/// done; the two parts take about as long).
pub(super) fn write_statements_and_report<S: RunStore + ?Sized>(
    store: &S,
    run: &RunRecord,
    out: &Path,
) -> Result<Written, AppError> {
    let started = std::time::Instant::now();
    let mut written = super::statements::write_statements(store, run, out)?;
    tracing::debug!(elapsed = ?started.elapsed(), "run export: per-payee statements");
    let started = std::time::Instant::now();
    written.extend(write_report(store, run, out)?);
    tracing::debug!(elapsed = ?started.elapsed(), "run export: control report");
    Ok(written)
}

/// The paper bordereau, into `out`.
pub(super) fn write_bordereau<S: RunStore + ?Sized>(
    store: &S,
    run: &RunRecord,
    out: &Path,
) -> Result<Written, AppError> {
    let started = std::time::Instant::now();
    let mut written = Written::new();
    let mut lists = StoreLists { store, run };
    write_file(
        out,
        &format!("bordereau_{}.pdf", run.id),
        &mut written,
        |w| Ok(bordereau::write_bordereau_pdf(w, &run.summary, &mut lists)?),
    )?;
    tracing::debug!(elapsed = ?started.elapsed(), "run export: bordereau");
    Ok(written)
}
