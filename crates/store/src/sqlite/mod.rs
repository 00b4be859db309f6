//! The SQLite backend: one file `relais.db` in the data folder, WAL, `synchronous = FULL`
//! (a committed change survives a crash and a power loss: the receipts and payments it
//! records have been acknowledged to people).

pub(crate) mod accounts;
pub(crate) mod bank;
pub(crate) mod bank_held;
pub(crate) mod blocks;
pub(crate) mod caf;
pub(crate) mod caf_merge;
pub(crate) mod checkpoints;
pub(crate) mod courante;
pub(crate) mod crisis;
pub(crate) mod decode;
pub(crate) mod deposit_steps;
mod deposits;
pub(crate) mod desk;
mod errors;
mod files;
pub(crate) mod flagged;
pub(crate) mod handback;
pub(crate) mod history_totals;
pub(crate) mod ibans;
pub(crate) mod import;
pub(crate) mod incident;
pub(crate) mod invoices;
mod journal;
pub(crate) mod logins;
pub(crate) mod numbering;
pub(crate) mod orders;
pub(crate) mod paid_months;
pub(crate) mod payroll;
pub(crate) mod person_guard;
pub(crate) mod pes_return;
pub(crate) mod queries;
mod rights;
pub(crate) mod runs;
pub(crate) mod sessions;
pub(crate) mod suppliers;
pub(crate) mod systems;
pub(crate) mod users;

use crate::{
    Counts, FlaggedCount, FlaggedRecord, ImportSession, NewUser, OpenInvoice, PaymentRight,
    Payroll, Store, StoreError, User, migrations,
};
use relais_core::calendar::Month;
use relais_core::journal::Entry;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::Path;
use std::time::Duration;

pub struct SqliteStore {
    conn: Connection,
}

/// How much of the file a reading connection maps (address space, not memory: the pages
/// are the system's file cache, shared).
const READER_MMAP_BYTES: i64 = 1 << 30;

impl SqliteStore {
    /// Opens (creating it if needed) the database at `path` and brings its schema up to date.
    /// Its files are readable by their owner only ([`files`]).
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        files::prepare(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        let store = Self::setup(conn)?;
        files::tighten(path);
        Ok(store)
    }

    /// A connection for reading screens beside the writer (the web server's readers): the
    /// same store, with the file mapped in memory, which makes reads of a large store (the
    /// desk search over 1,000,000 people) about a third faster than through read calls.
    pub fn open_reader(path: &Path) -> Result<SqliteStore, StoreError> {
        let store = Self::open(path)?;
        store
            .conn
            .pragma_update(None, "mmap_size", READER_MMAP_BYTES)?;
        Ok(store)
    }

    /// An in-memory store, for tests.
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(conn: Connection) -> Result<SqliteStore, StoreError> {
        // Another process may be writing (the server and a command, or several commands):
        // wait for it rather than refuse an agent's deposit. SQLite's busy handler is not
        // fair, so under heavy contention one writer can wait several seconds in a row.
        conn.busy_timeout(Duration::from_secs(60))?;
        // WAL lets readers (the web screens) go on while a writer commits; FULL makes each
        // commit durable across power loss, not only process crashes.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        blocks::register(&conn)?;
        let mut store = SqliteStore { conn };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let known = migrations::LATEST;
        let current: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        if current > known {
            return Err(StoreError::FutureSchema {
                found: current,
                known,
            });
        }
        for (i, migration) in migrations::MIGRATIONS
            .iter()
            .enumerate()
            .skip(current as usize)
        {
            let tx = self.conn.transaction()?;
            tx.execute_batch(migration.sqlite)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            if i + 1 == desk::PERSON_NAMES_MIGRATION {
                desk::fill_person_names(&tx)?;
            }
            tx.commit()?;
        }
        if current < known {
            for (_, create) in import::IMPORT_INDEXES {
                self.conn
                    .execute_batch(&create.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))?;
            }
        }
        Ok(())
    }

    /// The schema version this build migrates a store to (the number of migrations).
    pub fn latest_schema_version() -> i64 {
        migrations::LATEST
    }

    /// The schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// For tests of tamper detection: the raw connection. Not for application code.
    #[doc(hidden)]
    pub fn raw_connection(&self) -> &Connection {
        &self.conn
    }

    fn count(&self, table: &str) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        Ok(n as u64)
    }
}

pub(crate) use crate::now;

impl Store for SqliteStore {
    fn verify_journal(&self) -> Result<u64, StoreError> {
        let n = journal::verify(&self.conn)?;
        // The main courante repeats its journal events: an entry edited behind the
        // triggers' back no longer matches the chain.
        courante::verify(&self.conn)?;
        Ok(n)
    }

    fn journal_entries(&self, from_seq: u64, limit: u64) -> Result<Vec<Entry>, StoreError> {
        journal::entries(&self.conn, from_seq, limit)
    }

    fn add_user(&mut self, actor: &str, user: &NewUser) -> Result<Entry, StoreError> {
        users::add(&mut self.conn, actor, user)
    }

    fn set_user_disabled(
        &mut self,
        actor: &str,
        login: &str,
        disabled: bool,
    ) -> Result<Entry, StoreError> {
        users::set_disabled(&mut self.conn, actor, login, disabled)
    }

    fn set_user_password(
        &mut self,
        actor: &str,
        login: &str,
        password_hash: &str,
    ) -> Result<Entry, StoreError> {
        users::set_password(&mut self.conn, actor, login, password_hash)
    }

    fn privileged_account_changes(
        &self,
        since_unix: i64,
    ) -> Result<Vec<crate::accounts::PrivilegedChange>, StoreError> {
        accounts::changes_since(&self.conn, since_unix)
    }

    fn user(&self, login: &str) -> Result<Option<User>, StoreError> {
        users::get(&self.conn, login)
    }

    fn users(&self) -> Result<Vec<User>, StoreError> {
        users::list(&self.conn)
    }

    fn begin_import(&mut self) -> Result<Box<dyn ImportSession + '_>, StoreError> {
        Ok(Box::new(import::SqliteImport::begin(&self.conn)?))
    }

    fn counts(&self) -> Result<Counts, StoreError> {
        Ok(Counts {
            beneficiaries: self.count("beneficiaries")?,
            payees: self.count("payees")?,
            rights: self.count("rights")?,
            past_payments: self.count("past_payments")?,
            agents: self.count("agents")?,
            suppliers: self.count("suppliers")?,
            invoices: self.count("invoices")?,
            directory: self.count("directory")?,
            rejected_rows: u64::try_from(self.conn.query_row(
                "SELECT count(*) FROM pending_rows WHERE severity = 'rejet'",
                [],
                |r| r.get::<_, i64>(0),
            )?)
            .unwrap_or(0),
        })
    }

    fn flagged_rows(&self, offset: u64, limit: u64) -> Result<Vec<FlaggedRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, file, line, key, raw, problems, severity FROM pending_rows ORDER BY id LIMIT ?1 OFFSET ?2")?;
        let rows = stmt.query_map([limit as i64, offset as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, file, line, key, raw, problems, severity) = row?;
            out.push(FlaggedRecord {
                id,
                severity: flagged::severity(&severity)?,
                file,
                line: line as u64,
                key,
                raw: serde_json::from_str(&raw).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                problems: serde_json::from_str(&problems)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            });
        }
        Ok(out)
    }

    fn each_payment_right(&self, each: &mut dyn FnMut(&PaymentRight)) -> Result<u64, StoreError> {
        queries::each_payment_right(&self.conn, each)
    }

    fn payroll(&self, month: Month) -> Result<Payroll, StoreError> {
        queries::payroll(&self.conn, month)
    }

    fn each_open_invoice(&self, each: &mut dyn FnMut(&OpenInvoice)) -> Result<u64, StoreError> {
        queries::each_open_invoice(&self.conn, each)
    }

    fn flagged_counts(&self) -> Result<Vec<FlaggedCount>, StoreError> {
        queries::flagged_counts(&self.conn)
    }

    fn each_flagged_row(
        &self,
        entity: &str,
        each: &mut dyn FnMut(&FlaggedRecord),
    ) -> Result<u64, StoreError> {
        queries::each_flagged_row(&self.conn, entity, each)
    }
}

/// An instant as stored (RFC 3339, UTC).
pub(crate) fn timestamp(s: &str) -> Result<jiff::Timestamp, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("instant illisible {s:?}")))
}

pub(crate) fn opt_timestamp(s: Option<String>) -> Result<Option<jiff::Timestamp>, StoreError> {
    s.as_deref().map(timestamp).transpose()
}

/// Reads one optional meta value.
pub(crate) fn meta(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}
