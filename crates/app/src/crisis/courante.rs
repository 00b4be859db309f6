//! The main courante: entries added (append-only; a correction is a new entry naming an
//! earlier one) and exported, CSV and PDF, each entry with its journal event's hash.

use super::Cell;
use crate::error::AppError;
use relais_core::crisis::{Entry, NewEntry};
use relais_documents::DocumentError;
use relais_documents::crisis::{write_courante_csv, write_courante_pdf};
use relais_store::Backend;
use std::io::Write;

/// Appends `entry` by `actor`: the entry with its number and journal event. The time it
/// happened, if typed, was checked by [`Cell::happened`] when the form was read.
pub fn add(store: &mut dyn Backend, actor: &str, entry: &NewEntry) -> Result<Entry, AppError> {
    store.add_entry(actor, entry).map_err(AppError::Crisis)
}

/// A format the main courante is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For a spreadsheet: UTF-8, comma, the local time with its offset, the journal event.
    Csv,
    /// A4, headed by the authority and the time it was printed.
    Pdf,
}

/// The main courante read once for an export, so that its CSV and its PDF say the same.
pub struct Export {
    entries: Vec<Entry>,
}

impl Export {
    /// Every entry, in order.
    pub fn read(store: &dyn Backend) -> Result<Export, AppError> {
        Ok(Export {
            entries: store.entries().map_err(AppError::Crisis)?,
        })
    }

    /// The entries read, in order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Writes the export in `format`, printed now on the cell's clock.
    pub fn write(
        &self,
        cell: &Cell<'_>,
        format: Format,
        out: &mut dyn Write,
    ) -> Result<(), DocumentError> {
        match format {
            Format::Csv => write_courante_csv(&self.entries, cell.tz, out),
            Format::Pdf => write_courante_pdf(&cell.heading(), &self.entries, out),
        }
    }
}
