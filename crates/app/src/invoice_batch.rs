//! `relais factures lot`: a batch of invoice steps from a spreadsheet — the services'
//! certifications of service fait, or the liquidations — checked cell by cell, then recorded by
//! the store in one transaction: all of the file, or nothing (issue #23: a year's invoices
//! keyed during a crisis).

use crate::clock::local_now;
use crate::error::{AppError, IoAction};
use jiff::tz::TimeZone;
use relais_formats::invoice_steps::{BatchStep, read_invoice_steps};
use relais_store::invoices::{InvoiceError, InvoiceStore};
use std::path::Path;

/// Records the steps of `file` by `actor` on the authority's day: how many.
pub fn record_file<S: InvoiceStore + ?Sized>(
    store: &mut S,
    clock: &dyn crate::Clock,
    tz: &TimeZone,
    file: &Path,
    step: BatchStep,
    actor: &str,
) -> Result<usize, AppError> {
    let input = std::fs::File::open(file).map_err(|e| AppError::io(IoAction::Read, file, e))?;
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let rows = read_invoice_steps(std::io::BufReader::new(input), &name, step)
        .map_err(AppError::StepsFile)?;
    let lines: Vec<u64> = rows.iter().map(|(line, ..)| *line).collect();
    let steps: Vec<_> = rows
        .into_iter()
        .map(|(_, invoice, req)| (invoice, req))
        .collect();
    let (_, today) = local_now(clock, tz);
    store
        .record_invoice_steps(&steps, actor, today)
        .map_err(|e| match e {
            InvoiceError::Store(s) => AppError::from(s),
            // Each refusal named by the file's line.
            InvoiceError::Batch(refused) => AppError::StepsFile(
                refused
                    .into_iter()
                    .map(|(i, invoice, why)| relais_formats::table::CellError {
                        file: name.clone(),
                        line: lines.get(i).copied().unwrap_or(0),
                        column: 1,
                        message: format!("{invoice} : {why}"),
                    })
                    .collect(),
            ),
            other => AppError::Invoice(other),
        })
}
