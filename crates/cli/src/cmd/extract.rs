//! `relais extract check DIR`: validates a folder of extracts without touching any store.
//! Exit 0 when every row is accepted (warnings listed, but a row with warnings is accepted),
//! 1 when some are rejected, 2 when a file cannot be read.

use super::{EXIT_FAILURE, EXIT_OK, EXIT_UNREADABLE, load_profile};
use crate::args::ExtractCheckArgs;
use crate::fsio::{AtomicFile, DirSource};
use crate::summary;
use anyhow::{Context, Result, bail};
use relais_core::records::Record;
use relais_formats::extract::rejects::RejectsWriter;
use relais_formats::extract::{
    Entity, ExtractSink, FileSummary, FlaggedRow, Outcome, ReadError, Unreadable, read_extracts,
};
use std::io::Write;

struct CheckSink<'o> {
    screen: Option<&'o mut dyn Write>,
    rejects: Option<RejectsWriter<std::io::BufWriter<&'o mut std::fs::File>>>,
}

impl ExtractSink for CheckSink<'_> {
    type Error = std::io::Error;

    fn accept(&mut self, _: Entity, _: u64, _: Record) -> std::io::Result<()> {
        Ok(())
    }

    fn reject(&mut self, row: FlaggedRow) -> std::io::Result<()> {
        if let Some(screen) = self.screen.as_mut() {
            summary::write_rejected(*screen, &row)?;
        }
        self.record(&row)
    }

    fn warn(&mut self, row: FlaggedRow) -> std::io::Result<()> {
        if let Some(screen) = self.screen.as_mut() {
            summary::write_warnings(*screen, &row)?;
        }
        self.record(&row)
    }

    fn file_done(&mut self, _: &FileSummary) -> std::io::Result<()> {
        Ok(())
    }

    fn file_unreadable(&mut self, _: &Unreadable) -> std::io::Result<()> {
        Ok(())
    }
}

impl CheckSink<'_> {
    /// Writes a rejected row, or an accepted row's warnings, to the rejects file.
    fn record(&mut self, row: &FlaggedRow) -> std::io::Result<()> {
        if let Some(w) = self.rejects.as_mut() {
            w.write(row).map_err(std::io::Error::other)?;
        }
        Ok(())
    }
}

/// One line per file with rows accepted with warnings, after the files' summary.
pub fn print_warnings(out: &mut dyn Write, outcome: &Outcome) -> std::io::Result<()> {
    for f in outcome.files.iter().filter(|f| f.warned > 0) {
        writeln!(
            out,
            "{:<18} {:>9} ligne(s) acceptée(s) avec avertissement (téléphone, courriel, site…)",
            f.file, f.warned
        )?;
    }
    Ok(())
}

pub fn check(args: ExtractCheckArgs) -> Result<u8> {
    if !args.dir.is_dir() {
        bail!("{} n'est pas un dossier", args.dir.display());
    }
    let profile = load_profile(args.profile.as_deref())?;
    let source = DirSource {
        dir: args.dir.clone(),
    };
    let stdout = std::io::stdout();
    let mut screen = std::io::BufWriter::new(stdout.lock());
    let mut rejects_file = args
        .rejects
        .as_deref()
        .map(AtomicFile::create)
        .transpose()?;
    let rejects = match rejects_file.as_mut() {
        Some(f) => Some(
            RejectsWriter::new(std::io::BufWriter::new(f.file())).context("fichier des rejets")?,
        ),
        None => None,
    };
    let mut sink = CheckSink {
        screen: if args.quiet { None } else { Some(&mut screen) },
        rejects,
    };
    let bar = crate::progress::spinner("contrôle des extractions");
    let read = read_extracts(&source, &profile, &mut sink);
    bar.finish_and_clear();
    let outcome = match read {
        Ok(o) => o,
        Err(ReadError::Sink(e)) => return Err(e).context("écriture des rejets"),
    };
    if let Some(writer) = sink.rejects.take() {
        writer
            .finish()
            .context("fichier des rejets")?
            .flush()
            .context("fichier des rejets")?;
    }
    drop(sink);
    if let Some(file) = rejects_file {
        file.commit()?;
    }
    writeln!(screen)?;
    summary::print_outcome(&mut screen, &outcome)?;
    print_warnings(&mut screen, &outcome)?;
    let rejected = outcome.rejected_rows();
    let warned = outcome.warned_rows();
    let code = if !outcome.unreadable.is_empty() {
        EXIT_UNREADABLE
    } else if rejected > 0 {
        EXIT_FAILURE
    } else {
        EXIT_OK
    };
    match code {
        EXIT_OK if warned == 0 => writeln!(screen, "Toutes les lignes sont acceptées.")?,
        EXIT_OK => writeln!(
            screen,
            "Toutes les lignes sont acceptées, dont {warned} avec avertissement."
        )?,
        EXIT_FAILURE if warned == 0 => writeln!(screen, "{rejected} ligne(s) rejetée(s).")?,
        EXIT_FAILURE => writeln!(
            screen,
            "{rejected} ligne(s) rejetée(s) ; {warned} ligne(s) acceptée(s) avec avertissement."
        )?,
        _ => writeln!(
            screen,
            "{} fichier(s) illisible(s).",
            outcome.unreadable.len()
        )?,
    }
    screen.flush()?;
    Ok(code)
}
