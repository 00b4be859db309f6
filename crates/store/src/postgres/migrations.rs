//! The PostgreSQL schema and its version: the PostgreSQL texts of the one list of migrations
//! both backends share ([`crate::migrations`]), from PostgreSQL's first (33, the whole schema
//! as SQLite's 1..=33 make it) on; the version in the table `relais_schema`.

use crate::StoreError;
use crate::migrations::{LATEST, MIGRATIONS, POSTGRES_FIRST};
use postgres::Client;

/// The lock of a migration: two processes starting at once migrate one after the other.
const MIGRATE_LOCK: i64 = 0x0052_454c_4149_534d; // "RELAISM"

/// The version recorded in the database (0 for an empty database).
pub(crate) fn version(client: &mut Client) -> Result<i64, StoreError> {
    let exists: bool = client
        .query_one("SELECT to_regclass('relais_schema') IS NOT NULL", &[])?
        .try_get(0)?;
    if !exists {
        return Ok(0);
    }
    Ok(client
        .query_opt("SELECT version FROM relais_schema", &[])?
        .map(|r| r.try_get(0))
        .transpose()?
        .unwrap_or(0))
}

/// Brings the database to [`LATEST`] in one transaction; refuses a newer one.
pub(crate) fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS relais_schema (version BIGINT NOT NULL)")?;
    let current: i64 = tx
        .query_opt("SELECT version FROM relais_schema", &[])?
        .map(|r| r.try_get(0))
        .transpose()?
        .unwrap_or(0);
    if current > LATEST {
        return Err(StoreError::FutureSchema {
            found: current,
            known: LATEST,
        });
    }
    if current == LATEST {
        return Ok(());
    }
    if current != 0 && current < POSTGRES_FIRST {
        return Err(StoreError::Corrupt(format!(
            "schéma PostgreSQL en version {current}, avant la première version connue ({POSTGRES_FIRST})"
        )));
    }
    // An empty database starts with PostgreSQL's first migration, the whole schema.
    let from = current.max(POSTGRES_FIRST - 1);
    for (i, migration) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let sql = migration.postgres.ok_or_else(|| {
            StoreError::Corrupt(format!("migration {} sans texte PostgreSQL", i + 1))
        })?;
        tx.batch_execute(sql)?;
    }
    tx.execute("DELETE FROM relais_schema", &[])?;
    tx.execute(
        "INSERT INTO relais_schema (version) VALUES ($1)",
        &[&LATEST],
    )?;
    tx.commit()?;
    Ok(())
}
