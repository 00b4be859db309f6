//! `relais journal verify|list`.

use super::{EXIT_FAILURE, EXIT_OK};
use crate::args::JournalCommand;
use crate::data::DataDir;
use anyhow::Result;
use std::io::Write;
use relais_store::{Store, StoreError};

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
                Err(e) => Err(e.into()),
            }
        }
        JournalCommand::List(a) => {
            let store = DataDir::new(&a.data.data).open_store()?;
            for e in store.journal_entries(a.from, a.limit)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    e.seq, e.at, e.actor, e.kind, e.payload
                );
            }
            Ok(EXIT_OK)
        }
    }
}
