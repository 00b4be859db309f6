//! `relais journal verify|list`.

use super::{EXIT_FAILURE, EXIT_OK};
use crate::args::JournalCommand;
use crate::data::DataDir;
use anyhow::Result;
use relais_store::StoreError;
use std::io::Write;

pub fn run(command: JournalCommand) -> Result<u8> {
    match command {
        JournalCommand::Verify(d) => {
            let store = DataDir::new(&d.data).open_store()?;
            match store.verify_journal() {
                Ok(n) => {
                    println!("Journal intact : {n} entrée(s).");
                    Ok(EXIT_OK)
                }
                Err(StoreError::Journal(e)) => {
                    tracing::error!(problem = %e.message_en(), "journal verification failed");
                    println!("Journal altéré : {e}");
                    Ok(EXIT_FAILURE)
                }
                Err(StoreError::Tampered(what)) => {
                    tracing::error!(problem = %what, "a table no longer matches its journal events");
                    println!("Journal altéré : {what}");
                    Ok(EXIT_FAILURE)
                }
                Err(e) => Err(e.into()),
            }
        }
        JournalCommand::List(a) => {
            let store = DataDir::new(&a.data.data).open_store()?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            for e in store.journal_entries(a.from, a.limit)? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    e.seq, e.at, e.actor, e.kind, e.payload
                )?;
            }
            out.flush()?;
            Ok(EXIT_OK)
        }
    }
}
