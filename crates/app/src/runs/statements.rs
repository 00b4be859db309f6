//! The per-payee statements of a run (états nominatifs): an establishment or a home-help
//! service paid one transfer for many people gets, beside the payment files, the list of whom
//! it is paid for (person, dossier, benefit, period, amount), under a reference its
//! transfer's remittance names: a CSV each (`etats/EN-….csv`), and all of them in one PDF
//! with a bookmark each (`etats_nominatifs_RUN.pdf`).

use super::written::{Written, write_file};
use crate::error::{AppError, IoAction};
use relais_core::Cents;
use relais_core::records::PayeeKind;
use relais_documents::run_report::ListError;
use relais_documents::statement::{
    EachStatement, MandateNumber, StatementHeader, StatementRow, statement_reference,
    write_statement_csv, write_statements_pdf,
};
use relais_store::runs::{RunLine, RunPayee, RunRecord, RunStore};
use std::path::Path;

/// The folder of the statements, in the export's folder.
pub const FOLDER: &str = "etats";

/// Whether a payee's mandates come with a statement: an establishment or a service, paid for
/// other people (a person is paid for themself, a guardian one mandate per person).
pub fn has_statement(kind: PayeeKind) -> bool {
    matches!(kind, PayeeKind::Etablissement | PayeeKind::Service)
}

/// The statement's reference for the mandate `piece` (its `IdPce`) of `payee` in `run`.
pub fn reference(run: &RunRecord, payee: &str, piece: u32) -> String {
    statement_reference(&run.id.to_string(), &format!("{payee}-{piece}"))
}

/// A statement being gathered from its mandate's lines.
struct Open {
    mandate: u32,
    header: StatementHeader,
    rows: Vec<StatementRow>,
    total: Cents,
}

/// Writes the statements of `run`: one CSV each in `dir/etats/`, named by its reference, and
/// all of them in one PDF, `etats_nominatifs_RUN.pdf` (one font for thousands of statements:
/// a PDF each cost ~10 ms); the names (with the folder) and digests.
pub fn write_statements<S: RunStore + ?Sized>(
    store: &S,
    run: &RunRecord,
    dir: &Path,
) -> Result<Written, AppError> {
    let folder = dir.join(FOLDER);
    let mut csvs = Written::new();
    let mut written = Written::new();
    let title = format!("États nominatifs du paiement {}", run.id);
    write_file(
        dir,
        &format!("etats_nominatifs_{}.pdf", run.id),
        &mut written,
        |w| {
            write_statements_pdf(w, &title, |each: &mut EachStatement<'_>| {
                each_statement(store, run, &mut |o: Open| {
                    write_csv(&folder, &o, &mut csvs)?;
                    each(&o.header, o.total, &o.rows).map_err(|e| AppError::Write {
                        path: dir.join(format!("etats_nominatifs_{}.pdf", run.id)),
                        source: e.into(),
                    })?;
                    Ok(())
                })
            })?;
            Ok(())
        },
    )?;
    written.extend(
        csvs.into_iter()
            .map(|(name, digest)| (format!("{FOLDER}/{name}"), digest)),
    );
    Ok(written)
}

/// Writes one statement's CSV in `folder` (made at the first).
fn write_csv(folder: &Path, o: &Open, csvs: &mut Written) -> Result<(), AppError> {
    if csvs.is_empty() {
        std::fs::create_dir_all(folder)
            .map_err(|e| AppError::io(IoAction::CreateFolder, folder, e))?;
    }
    write_file(folder, &format!("{}.csv", o.header.reference), csvs, |w| {
        write_statement_csv(
            w,
            &o.header,
            o.total,
            o.rows.iter().cloned().map(Ok::<_, ListError>),
        )?;
        Ok(())
    })
}

/// Hands each statement of `run` to `done`, in mandate order, its rows gathered from the
/// run's lines (one mandate's at a time).
fn each_statement<S: RunStore + ?Sized>(
    store: &S,
    run: &RunRecord,
    done: &mut dyn FnMut(Open) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let mut open: Option<Open> = None;
    let first_bordereau = run.bordereau.map(|(_, n)| n).unwrap_or(1);
    let exercice = run
        .bordereau
        .map(|(e, _)| e)
        .unwrap_or(run.id.month().year());
    super::lists::each_line(store, run.id, &mut |line: &RunLine, payee: &RunPayee| {
        let Some((mandate, _)) = line.mandate else {
            return Ok(());
        };
        if open.as_ref().is_some_and(|o| o.mandate != mandate)
            && let Some(finished) = open.take()
        {
            done(finished)?;
        }
        if !has_statement(payee.kind) {
            return Ok(());
        }
        let o = match &mut open {
            Some(o) => o,
            None => {
                let (index, piece) = run.piece_position(mandate);
                open.insert(Open {
                    mandate,
                    header: StatementHeader {
                        authority: run.summary.authority.clone(),
                        run: run.id.to_string(),
                        month: run.id.month(),
                        payee_id: payee.id.clone(),
                        payee_name: payee.name.clone(),
                        payee_address: vec![
                            payee.address.clone(),
                            format!("{} {}", payee.postal_code, payee.city),
                        ],
                        iban_masked: relais_core::ids::mask_iban(payee.iban.as_str()),
                        pay_date: line.pay_date,
                        mandate: run.bordereau.map(|_| MandateNumber {
                            exercice,
                            bordereau: first_bordereau.saturating_add(index),
                            piece,
                        }),
                        reference: reference(run, &payee.id, piece),
                    },
                    rows: Vec::new(),
                    total: Cents::ZERO,
                })
            }
        };
        o.total = o.total.checked_add(line.amount).ok_or_else(|| {
            AppError::Inconsistent("total de l'état nominatif hors limites".into())
        })?;
        o.rows.push(StatementRow {
            dossier: line.dossier.clone(),
            last_name: line.last_name.clone(),
            first_name: line.first_name.clone(),
            benefit: line.benefit,
            first_day: line.first_day,
            last_day: line.last_day,
            amount: line.amount,
        });
        Ok(())
    })?;
    if let Some(finished) = open.take() {
        done(finished)?;
    }
    Ok(())
}
