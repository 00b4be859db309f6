//! `relais migrate`: a data folder's SQLite store moved to a PostgreSQL database that several
//! Relais processes will share. The copy is whole (journal and all, `relais_store::postgres::
//! copy`), checked on arrival — the journal verified entry by entry on PostgreSQL, to the
//! same number of entries and the same head as it left — and only then does the folder's
//! `settings.toml` name the database. `relais.db` stays in the folder, untouched: the copy it
//! was made from.

use crate::data::{Data, postgres};
use crate::error::AppError;
use relais_core::roles::Role;
use relais_core::settings::DatabaseSettings;
use relais_store::postgres::copy::{CopyReport, copy_from_sqlite};
use relais_store::{SqliteStore, Store};

/// What a migration did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrated {
    pub report: CopyReport,
    /// Journal entries verified on both sides.
    pub entries: u64,
    /// The database, its password hidden.
    pub shown: String,
}

/// Copies the store of `data` (on SQLite) into `database`, which must be empty, by `actor`
/// (an administrator), then points the folder's settings at it.
pub fn to_postgres(
    data: &Data,
    actor: &str,
    database: DatabaseSettings,
) -> Result<Migrated, AppError> {
    let shown = relais_store::postgres::redacted_url(&database.url);
    database.validate().map_err(|message| AppError::Invalid {
        field: "--to".into(),
        message,
    })?;
    if let Some(current) = &data.settings.database {
        return Err(AppError::Invalid {
            field: "--from".into(),
            message: format!(
                "ce dossier est déjà sur PostgreSQL ({})",
                relais_store::postgres::redacted_url(&current.url)
            ),
        });
    }
    let db = data.dir.db_path();
    let source = SqliteStore::open(&db).map_err(|e| opening(&db, e))?;
    source
        .authorize(actor, Role::Admin)
        .map_err(AppError::Store)?;
    let entries = source.verify_journal().map_err(AppError::Store)?;
    let last = |s: &dyn Store| -> Result<Option<String>, AppError> {
        let from = entries.saturating_sub(1).max(1);
        Ok(s.journal_entries(from, 2)
            .map_err(AppError::Store)?
            .last()
            .map(|e| e.hash.to_hex()))
    };
    let head = last(&source)?;
    let mut target = postgres(&database)?;
    let report = copy_from_sqlite(&source, &mut target).map_err(AppError::Store)?;
    let arrived = target.verify_journal().map_err(AppError::Store)?;
    if arrived != entries || last(&target)? != head {
        return Err(AppError::Invalid {
            field: "--to".into(),
            message: format!(
                "le journal arrivé ({arrived} entrées) n'est pas celui parti ({entries} entrées)"
            ),
        });
    }
    let mut settings = data.settings.clone();
    settings.database = Some(database);
    data.dir.write_settings(&settings)?;
    tracing::info!(
        entries,
        rows = report.rows(),
        "store migrated to PostgreSQL"
    );
    Ok(Migrated {
        report,
        entries,
        shown,
    })
}

fn opening(db: &std::path::Path, e: relais_store::StoreError) -> AppError {
    AppError::Opening {
        path: db.to_owned(),
        source: e,
    }
}
