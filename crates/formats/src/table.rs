//! A small CSV table an agent writes by hand or from a spreadsheet (the systems' inventory, a
//! batch of invoice steps): a header row naming the columns (in any order, accents and case
//! ignored), `;` or `,` as separator (the more frequent in the header), UTF-8 with or without a
//! byte-order mark. Every problem is reported with file:line:column and why.

use relais_core::text::search_key;
use std::io::Read;

/// One problem, where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column} : {message}")]
pub struct CellError {
    pub file: String,
    pub line: u64,
    pub column: usize,
    pub message: String,
}

/// A row of the table: its line, and each expected column's (column number from 1 — 0 when
/// the file has no such column —, value trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    pub line: u64,
    cells: Vec<(usize, String)>,
}

impl TableRow {
    /// The `c`-th expected column: its number and value (empty when absent).
    pub fn cell(&self, c: usize) -> (usize, &str) {
        self.cells
            .get(c)
            .map_or((0, ""), |(col, v)| (*col, v.as_str()))
    }
}

/// Where problems of `file` are reported.
pub struct Problems<'a> {
    file: &'a str,
    pub errors: Vec<CellError>,
}

impl Problems<'_> {
    pub fn at(&mut self, line: u64, column: usize, message: String) {
        self.errors.push(CellError {
            file: self.file.to_owned(),
            line,
            column,
            message,
        });
    }
}

/// Reads the table's rows (blank rows skipped), the first `required` of `columns` required in
/// the header; or why the file cannot be read at all.
pub fn read_table<'f>(
    input: impl Read,
    file: &'f str,
    columns: &[&str],
    required: usize,
) -> Result<(Vec<TableRow>, Problems<'f>), Vec<CellError>> {
    let mut problems = Problems {
        file,
        errors: Vec::new(),
    };
    let mut bytes = Vec::new();
    let mut input = input;
    if let Err(e) = input.read_to_end(&mut bytes) {
        problems.at(0, 0, format!("lecture impossible : {e}"));
        return Err(problems.errors);
    }
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t.trim_start_matches('\u{feff}'),
        Err(e) => {
            problems.at(1, 0, format!("le fichier n'est pas en UTF-8 ({e})"));
            return Err(problems.errors);
        }
    };
    let first = text.lines().next().unwrap_or("");
    let separator = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.at(1, 0, format!("en-tête illisible ({e})"));
            return Err(problems.errors);
        }
    };
    let mut at = vec![None; columns.len()];
    for (i, name) in header.iter().enumerate() {
        let key = search_key(name).replace(' ', "");
        if let Some(c) = columns.iter().position(|c| c.replace('_', "") == key)
            && let Some(slot) = at.get_mut(c)
        {
            *slot = Some(i);
        }
    }
    let missing: Vec<&str> = columns
        .iter()
        .zip(&at)
        .take(required)
        .filter(|(_, i)| i.is_none())
        .map(|(c, _)| *c)
        .collect();
    if !missing.is_empty() {
        problems.at(
            1,
            0,
            format!(
                "colonne(s) manquante(s) : {} (attendu : {})",
                missing.join(", "),
                columns.join(", ")
            ),
        );
        return Err(problems.errors);
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.at(line, 0, format!("ligne illisible ({e})"));
                continue;
            }
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let cells = at
            .iter()
            .map(|i| {
                let value = i.and_then(|i| record.get(i)).unwrap_or("").trim();
                (i.map_or(0, |i| i + 1), value.to_owned())
            })
            .collect();
        rows.push(TableRow {
            line: record.position().map_or(0, |p| p.line()),
            cells,
        });
    }
    Ok((rows, problems))
}
