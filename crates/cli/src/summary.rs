//! What the agent reads after a check or an import: one line per file, one line per problem.

use relais_formats::extract::{FileSummary, FlaggedRow, Outcome, Unreadable};
use std::io::Write;

pub fn file_line(f: &FileSummary) -> String {
    if !f.present {
        return format!("{:<18} absent", f.file);
    }
    let separator = match f.separator {
        '\t' => "tab".to_owned(),
        c => format!("'{c}'"),
    };
    let total = f
        .amount_total
        .map(|t| format!("  total {t}"))
        .unwrap_or_default();
    format!(
        "{:<18} {:<12} {:<5} {:>9} lignes {:>9} acceptées {:>7} rejetées{total}",
        f.file, f.encoding, separator, f.rows, f.accepted, f.rejected
    )
}

pub fn print_outcome(out: &mut dyn Write, outcome: &Outcome) -> std::io::Result<()> {
    for f in &outcome.files {
        writeln!(out, "{}", file_line(f))?;
    }
    for u in &outcome.unreadable {
        writeln!(out, "{}", unreadable_line(u))?;
    }
    Ok(())
}

pub fn unreadable_line(u: &Unreadable) -> String {
    format!("{} : ILLISIBLE ({}) : {}", u.file, u.code, u.message_fr)
}

/// `file:line:column: [field] message (code)`, one line per problem.
pub fn write_rejected(out: &mut dyn Write, row: &FlaggedRow) -> std::io::Result<()> {
    write_problems(out, row, "")
}

/// `file:line:column: avertissement : [field] message (code)`, one line per warning of a row
/// accepted all the same.
pub fn write_warnings(out: &mut dyn Write, row: &FlaggedRow) -> std::io::Result<()> {
    write_problems(out, row, "avertissement : ")
}

fn write_problems(out: &mut dyn Write, row: &FlaggedRow, label: &str) -> std::io::Result<()> {
    for p in &row.problems {
        let column = p.column.map(|c| format!(":{c}")).unwrap_or_default();
        let field = if p.field.is_empty() {
            String::new()
        } else {
            format!("[{}] ", p.field)
        };
        writeln!(
            out,
            "{}:{}{column}: {label}{field}{} ({})",
            row.file, row.line, p.message_fr, p.code
        )?;
    }
    Ok(())
}
