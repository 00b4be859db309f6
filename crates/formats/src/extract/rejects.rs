//! The rejects CSV (docs/extracts.md § 10): `file, line, column, field, code, message_fr,
//! message_en, gravite`, one line per problem of a rejected row or of a row accepted with
//! warnings. `gravite` is the problem's own severity (`rejet` or `avertissement`): a rejected
//! row may also carry warnings, and is rejected for its `rejet` lines. UTF-8, comma-separated,
//! quoted by the `csv` crate wherever a message holds a comma, a quote or a line break, so
//! that it reads back field for field. `column` is empty for a whole-row problem (`colonnes`).

use super::FlaggedRow;
use std::io::Write;

/// The header of the rejects CSV.
pub const HEADER: [&str; 8] = [
    "file",
    "line",
    "column",
    "field",
    "code",
    "message_fr",
    "message_en",
    "gravite",
];

/// Writes rejected rows and warnings as the rejects CSV (UTF-8, comma, header first).
pub struct RejectsWriter<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> RejectsWriter<W> {
    pub fn new(out: W) -> csv::Result<Self> {
        let mut inner = csv::Writer::from_writer(out);
        inner.write_record(HEADER)?;
        Ok(RejectsWriter { inner })
    }

    /// One line per problem of `row` (rejected, or accepted with warnings).
    pub fn write(&mut self, row: &FlaggedRow) -> csv::Result<()> {
        for p in &row.problems {
            let column = p.column.map(|c| c.to_string()).unwrap_or_default();
            self.inner.write_record([
                row.file.as_str(),
                &row.line.to_string(),
                &column,
                &p.field,
                &p.code,
                &p.message_fr,
                &p.message_en,
                row.problem_severity(p).code(),
            ])?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        self.inner.flush()?;
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}
