//! The rejects CSV: `file, line, column, field, code, message_fr, message_en`, one line per
//! problem (docs/extracts.md § 10). UTF-8, comma-separated, quoted by the `csv` crate wherever
//! a message holds a comma, a quote or a line break, so that it reads back field for field.
//! `column` is empty for a whole-row problem (`colonnes`).

use crate::extract::RejectedRow;
use std::io::Write;

/// Writes rejected rows as the rejects CSV (UTF-8, comma, header first).
pub struct RejectsWriter<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> RejectsWriter<W> {
    pub fn new(out: W) -> csv::Result<Self> {
        let mut inner = csv::Writer::from_writer(out);
        inner.write_record([
            "file",
            "line",
            "column",
            "field",
            "code",
            "message_fr",
            "message_en",
        ])?;
        Ok(RejectsWriter { inner })
    }

    pub fn write(&mut self, row: &RejectedRow) -> csv::Result<()> {
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
            ])?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        self.inner.flush()?;
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}
