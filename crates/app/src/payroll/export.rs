//! Exporting a validated payroll run: the PES bordereau and the pain.001 of the nets
//! ([`super::pes`]), the état liquidatif and its totals by account and function, the deferred
//! variable elements, the agents not paid (CSV), a payslip per agent (PDF, in `bulletins/`)
//! and files to print of [`PRINT_BATCH`] payslips each, then `SHA256SUMS`. Everything comes
//! from the run as stored and the settings frozen with it: exporting again gives the same
//! bytes.

use super::pes::{PayrollFiles, write_pain, write_pes};
use crate::error::{AppError, IoAction};
use crate::runs::Written;
use crate::runs::export::ExportPlan;
use relais_documents::payroll::etat::write_etat_pdf;
use relais_documents::payroll::payslip::{Employer, PRINT_BATCH, PrintFile, write_payslip_pdf};
use relais_documents::payroll::{
    write_control_csv, write_deferred_csv, write_etat_csv, write_exclusions_csv, write_totals_csv,
};
use relais_documents::run_report::ListError;
use relais_store::Store;
use relais_store::payroll::PayrollStore;
use relais_store::runs::{RunStore, RunStoreError};
use sha2::{Digest, Sha256};
use std::path::Path;

/// A store error as a list's (for the documents' streams).
fn list_error(e: RunStoreError) -> ListError {
    Box::new(e)
}

fn stopped(e: ListError) -> RunStoreError {
    RunStoreError::Stopped(e)
}

/// Writes the export of the validated payroll run of `plan` into `out`.
pub fn write_payroll_export<S: Store + RunStore + PayrollStore + ?Sized>(
    plan: &ExportPlan,
    store: &S,
    settings_siret: &str,
    out: &Path,
) -> Result<Written, AppError> {
    let run = &plan.run;
    let params = run.params.payroll.as_ref().ok_or_else(|| {
        AppError::Inconsistent(format!("le paiement {} n'est pas une paie", run.id))
    })?;
    std::fs::create_dir_all(out).map_err(|e| AppError::io(IoAction::CreateFolder, out, e))?;
    let mut written = Written::new();
    let mandates = store.payroll_mandates(run.id)?;
    let summary = store.payroll_summary(run.id)?;
    let files = PayrollFiles {
        run,
        params,
        issuer: plan.issuer(),
        created: crate::runs::export::validated_at(run)?,
        mandates: &mandates,
        agents: summary.agents,
        nets: summary.net,
    };
    write_pes(store, &files, out, &mut written)?;
    write_pain(store, &files, out, &mut written)?;
    let id = run.id;
    crate::runs::written::write_file(
        out,
        &format!("etat_liquidatif_{id}.csv"),
        &mut written,
        |w| {
            write_etat_csv(w, &mut |each| {
                store
                    .each_payroll_pay(id, &mut |p| each(p).map_err(stopped))
                    .map_err(list_error)
            })
            .map_err(|e| Box::new(e) as ListError)
        },
    )?;
    crate::runs::written::write_file(
        out,
        &format!("etat_liquidatif_totaux_{id}.csv"),
        &mut written,
        |w| write_totals_csv(w, &mandates).map_err(|e| Box::new(e) as ListError),
    )?;
    crate::runs::written::write_file(
        out,
        &format!("variables_differees_{id}.csv"),
        &mut written,
        |w| {
            write_deferred_csv(w, &mut |each| {
                store
                    .each_deferred(id, &mut |d| each(d).map_err(stopped))
                    .map_err(list_error)
            })
            .map_err(|e| Box::new(e) as ListError)
        },
    )?;
    crate::runs::written::write_file(
        out,
        &format!("agents_non_payes_{id}.csv"),
        &mut written,
        |w| {
            write_exclusions_csv(w, &mut |each| {
                store
                    .each_payroll_exclusion(id, &mut |x| each(x).map_err(stopped))
                    .map_err(list_error)
            })
            .map_err(|e| Box::new(e) as ListError)
        },
    )?;
    write_control(store, run, out, &mut written)?;
    let employer = Employer {
        name: run.summary.authority.clone(),
        siret: settings_siret.to_owned(),
        run: id.to_string(),
        pay_date: Some(params.pay_date),
    };
    crate::runs::written::write_file(
        out,
        &format!("etat_liquidatif_{id}.pdf"),
        &mut written,
        |w| {
            write_etat_pdf(
                w,
                &employer,
                id.month(),
                &mut |each| {
                    store
                        .each_payroll_pay(id, &mut |p| each(p).map_err(stopped))
                        .map_err(list_error)
                },
                &mandates,
            )
            .map_err(|e| Box::new(e) as ListError)
        },
    )?;
    write_payslips(
        store,
        plan,
        settings_siret,
        params.pay_date,
        out,
        &mut written,
    )?;
    crate::runs::written::write_sums(out, &mut written)?;
    Ok(written)
}

/// The payroll's control report (`controle_paie_RUN.csv`).
fn write_control<S: PayrollStore + ?Sized>(
    store: &S,
    run: &relais_store::runs::RunRecord,
    out: &Path,
    written: &mut Written,
) -> Result<(), AppError> {
    let summary = store.payroll_summary(run.id)?;
    let name = format!("controle_paie_{}.csv", run.id);
    crate::runs::written::write_file(out, &name, written, |w| {
        write_control_csv(w, &summary).map_err(|e| Box::new(e) as ListError)
    })
}

/// The control report of the prepared or validated payroll run `run` into `out`, with the
/// agents not paid (the review before validation: `relais run show RUN --out DIR`).
pub fn write_payroll_report<S: PayrollStore + ?Sized>(
    store: &S,
    run: &relais_store::runs::RunRecord,
    out: &Path,
) -> Result<Written, AppError> {
    std::fs::create_dir_all(out).map_err(|e| AppError::io(IoAction::CreateFolder, out, e))?;
    let mut written = Written::new();
    write_control(store, run, out, &mut written)?;
    let id = run.id;
    let name = format!("agents_non_payes_{id}.csv");
    crate::runs::written::write_file(out, &name, &mut written, |w| {
        write_exclusions_csv(w, &mut |each| {
            store
                .each_payroll_exclusion(id, &mut |x| each(x).map_err(stopped))
                .map_err(list_error)
        })
        .map_err(|e| Box::new(e) as ListError)
    })?;
    Ok(written)
}

/// One payslip per agent in `bulletins/` (written unsynced, the folder's filesystem synced
/// once at the end), and files to print of [`PRINT_BATCH`] each.
fn write_payslips<S: PayrollStore + ?Sized>(
    store: &S,
    plan: &ExportPlan,
    siret: &str,
    pay_date: jiff::civil::Date,
    out: &Path,
    written: &mut Written,
) -> Result<(), AppError> {
    let run = &plan.run;
    let employer = Employer {
        name: run.summary.authority.clone(),
        siret: siret.to_owned(),
        run: run.id.to_string(),
        pay_date: Some(pay_date),
    };
    let folder = out.join("bulletins");
    std::fs::create_dir_all(&folder)
        .map_err(|e| AppError::io(IoAction::CreateFolder, &folder, e))?;
    // The file to print being filled (in memory: a few megabytes), and how many were written.
    let mut open: Option<PrintFile<Vec<u8>>> = None;
    let mut printed = 0usize;
    let mut close = |file: PrintFile<Vec<u8>>, written: &mut Written| -> Result<(), AppError> {
        printed += 1;
        let name = format!("bulletins_a_imprimer_{}_{printed:03}.pdf", run.id);
        let bytes = file.finish().map_err(|e| document(&name, e))?;
        crate::fsio::write_unsynced(&out.join(&name), &bytes)?;
        written.push((name, hex::encode(Sha256::digest(&bytes))));
        Ok(())
    };
    let mut failure: Option<AppError> = None;
    let mut bytes = Vec::new();
    store
        .each_payroll_pay(run.id, &mut |p| {
            let name = format!("bulletins/{}.pdf", p.matricule);
            bytes.clear();
            let result = write_payslip_pdf(&employer, p, &mut bytes)
                .map_err(|e| document(&name, e))
                .and_then(|()| crate::fsio::write_unsynced(&out.join(&name), &bytes))
                .and_then(|()| {
                    written.push((name, hex::encode(Sha256::digest(&bytes))));
                    let file = match open.as_mut() {
                        Some(file) => file,
                        None => open.insert(
                            PrintFile::new(Vec::new(), &employer, run.id.month())
                                .map_err(|e| document("bulletins_a_imprimer", e))?,
                        ),
                    };
                    file.add(p)
                        .map_err(|e| document("bulletins_a_imprimer", e))?;
                    if file.len() == PRINT_BATCH
                        && let Some(full) = open.take()
                    {
                        close(full, written)?;
                    }
                    Ok(())
                });
            result.map_err(|e| {
                let why = e.french();
                failure = Some(e);
                RunStoreError::Stopped(why.into())
            })
        })
        .map_err(|e| failure.take().unwrap_or(AppError::from(e)))?;
    if let Some(last) = open.take() {
        close(last, written)?;
    }
    crate::fsio::sync_filesystem(&folder)
}

fn document(name: &str, e: relais_documents::receipt::DocumentError) -> AppError {
    AppError::Inconsistent(format!("{name} : {e}"))
}
