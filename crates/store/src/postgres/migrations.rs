//! The PostgreSQL schema and its version, numbered as SQLite's migrations
//! (`sqlite/migrations/`): a database at version N has the tables SQLite's migrations 1..=N
//! make. PostgreSQL arrived at SQLite's migration 33: a new database gets that state at once
//! ([`BASELINE`], `schema.sql`), and every later migration is written for both backends, in
//! the same order, [`LATER`] holding PostgreSQL's text of SQLite's migration 34, 35…
//! A test checks that both lists end at the same version.

use crate::StoreError;
use postgres::Client;

/// SQLite's migration whose state `schema.sql` is.
pub(crate) const BASELINE_VERSION: i64 = 33;
const BASELINE: &str = include_str!("schema.sql");
/// PostgreSQL's text of SQLite's migrations after [`BASELINE_VERSION`], in order.
const LATER: &[&str] = &[];
/// The version this build brings a database to.
pub(crate) const LATEST: i64 = BASELINE_VERSION + LATER.len() as i64;

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
    let mut at = current;
    if at == 0 {
        tx.batch_execute(BASELINE)?;
        at = BASELINE_VERSION;
    } else if at < BASELINE_VERSION {
        return Err(StoreError::Corrupt(format!(
            "schéma PostgreSQL en version {at}, avant la première version connue ({BASELINE_VERSION})"
        )));
    }
    for sql in LATER.iter().skip((at - BASELINE_VERSION) as usize) {
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

#[cfg(test)]
mod tests {
    #[test]
    fn both_backends_end_at_the_same_version() {
        assert_eq!(
            super::LATEST,
            crate::SqliteStore::latest_schema_version(),
            "a SQLite migration was added without its PostgreSQL text (postgres/migrations.rs LATER)"
        );
    }
}
