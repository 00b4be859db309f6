//! `relais a-traiter`: the register of rows rejected at import, and of rows imported with
//! warnings (`gravite` `rejet` or `avertissement`), to be handled by hand.

use super::EXIT_OK;
use crate::args::ATraiterArgs;
use crate::args::OutputFormat;
use crate::data::DataDir;
use anyhow::Result;
use relais_store::{FlaggedRecord, Store};
use std::io::Write;

pub fn run(args: ATraiterArgs) -> Result<u8> {
    let store = DataDir::new(&args.data.data).open_store()?;
    let stdout = std::io::stdout();
    let out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "file",
                "line",
                "key",
                "field",
                "code",
                "message_fr",
                "gravite",
            ])?;
            for_each(&*store, |row, (field, code, message)| {
                let key = row.key.as_deref().unwrap_or_default();
                w.write_record([
                    row.file.as_str(),
                    &row.line.to_string(),
                    key,
                    field,
                    code,
                    message,
                    row.severity.code(),
                ])?;
                Ok(())
            })?;
            w.flush()?;
        }
        OutputFormat::Tableur => {
            let mut w = relais_formats::tableur::writer(out)?;
            w.write_record([
                "Fichier", "Ligne", "Clé", "Champ", "Code", "Message", "Gravité",
            ])?;
            for_each(&*store, |row, (field, code, message)| {
                let key = row.key.as_deref().unwrap_or_default();
                w.write_record([
                    row.file.as_str(),
                    &row.line.to_string(),
                    &relais_formats::tableur::text(key),
                    field,
                    code,
                    &relais_formats::tableur::text(message),
                    row.severity.label_fr(),
                ])?;
                Ok(())
            })?;
            w.flush()?;
        }
        OutputFormat::Text => {
            let mut out = out;
            for_each(&*store, |row, (field, code, message)| {
                let key = row.key.as_deref().unwrap_or_default();
                writeln!(
                    out,
                    "{}:{}\t{key}\t{}\t[{field}] {message} ({code})",
                    row.file,
                    row.line,
                    row.severity.label_fr()
                )?;
                Ok(())
            })?;
            out.flush()?;
        }
    }
    Ok(EXIT_OK)
}

/// Calls `f` for each problem of each pending row, page by page (memory stays flat).
fn for_each(
    store: &dyn Store,
    mut f: impl FnMut(&FlaggedRecord, &(String, String, String)) -> Result<()>,
) -> Result<()> {
    let mut offset = 0;
    loop {
        let page = store.flagged_rows(offset, 1000)?;
        if page.is_empty() {
            return Ok(());
        }
        offset += page.len() as u64;
        for row in &page {
            for problem in &row.problems {
                f(row, problem)?;
            }
        }
    }
}
