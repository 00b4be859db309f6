//! `relais import DIR`: replaces the store's data by a folder of extracts, in one transaction.

use super::{EXIT_OK, EXIT_UNREADABLE, load_profile};
use crate::args::ImportArgs;
use crate::data::DataDir;
use crate::fsio::DirSource;
use crate::summary;
use anyhow::Result;
use relais_app::{ImportError, Imported, OutcomeCheck, import_extracts};
use relais_formats::profile::Profile;
use relais_store::Backend;
use serde_json::json;
use std::path::Path;

pub fn run(args: ImportArgs) -> Result<u8> {
    let data = DataDir::new(&args.data.data);
    let mut store = data.open_store()?;
    let profile = load_profile(args.profile.as_deref())?;
    let context = json!({ "source": "folder", "path": args.dir.display().to_string() });
    match import_dir(
        &mut *store,
        &args.dir,
        &profile,
        &args.user.user,
        context,
        &mut |_| Ok(()),
    ) {
        Ok(imported) => {
            report(&imported);
            Ok(EXIT_OK)
        }
        Err(ImportError::Unreadable(files)) => {
            for u in &files {
                eprintln!("{}", summary::unreadable_line(u));
            }
            eprintln!("Import annulé : rien n'a été modifié dans la base.");
            Ok(EXIT_UNREADABLE)
        }
        Err(e) => Err(e.into()),
    }
}

/// Imports a folder with a progress bar on the terminal (hidden when not a terminal).
pub fn import_dir(
    store: &mut dyn Backend,
    dir: &Path,
    profile: &Profile,
    user: &str,
    context: serde_json::Value,
    check: OutcomeCheck<'_>,
) -> Result<Imported, ImportError> {
    if !dir.is_dir() {
        return Err(ImportError::Unreadable(vec![
            relais_formats::extract::Unreadable {
                file: dir.display().to_string(),
                code: "dossier_absent".into(),
                message_fr: "ce dossier n'existe pas".into(),
                message_en: "no such folder".into(),
            },
        ]));
    }
    let source = DirSource {
        dir: dir.to_owned(),
    };
    let bar = crate::progress::rows("import");
    let mut progress = |rows: u64| bar.set_position(rows);
    let result = import_extracts(store, &source, profile, user, context, &mut progress, check);
    bar.finish_and_clear();
    result
}

pub fn report(imported: &Imported) {
    let mut out = std::io::stdout().lock();
    let _ = summary::print_outcome(&mut out, &imported.outcome);
    let _ = super::extract::print_warnings(&mut out, &imported.outcome);
    drop(out);
    println!(
        "Import enregistré au journal (entrée n° {}). {} ligne(s) rejetée(s), {} ligne(s) \
         importée(s) avec avertissement : voir « relais a-traiter ».",
        imported.entry.seq,
        imported.outcome.rejected_rows(),
        imported.outcome.warned_rows()
    );
}
