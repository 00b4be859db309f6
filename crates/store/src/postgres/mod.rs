//! The PostgreSQL backend: one server database that many Relais processes share (the
//! département's sites, a regional shared service), with the same behaviour as SQLite — the
//! same contracts, tested by the same contract suite (`tests/contract/`).
//!
//! Driver: `postgres`, the blocking face of `tokio-postgres` (see ARCHITECTURE.md): the
//! store's contracts are synchronous, and each store handle holds one connection, as each
//! SQLite handle holds one file connection; the web server already keeps a writer and a few
//! readers, each its own handle.
//!
//! Writers follow one another (see [`write`]): every writing transaction takes the journal's
//! lock first, so the chain, the gap-free counters and the unique claims behave as on SQLite
//! whichever process writes; readers read their snapshot without waiting.

mod bank;
mod caf;
mod checkpoints;
mod columns;
pub mod copy;
mod courante;
mod crisis;
mod deposits;
mod desk;
mod errors;
mod flagged;
mod handback;
mod import;
mod incident;
mod invoices;
mod journal;
mod logins;
mod migrations;
mod numbering;
mod orders;
mod payroll;
mod pes_return;
mod queries;
mod regularisation;
mod runs;
mod sessions;
mod suppliers;
mod systems;
mod tls;
mod users;

use crate::{
    Counts, FlaggedCount, FlaggedRecord, ImportSession, NewUser, OpenInvoice, PaymentRight,
    Payroll, Store, StoreError, User,
};
use postgres::{Client, GenericClient, Transaction};
use relais_core::calendar::Month;
use relais_core::journal::Entry;
use std::cell::{RefCell, RefMut};

/// Where the database is: a `postgres://` URL (or `host=… dbname=…` key-value string)
/// without its password, and the password, read from a file or the environment by the
/// caller — never written in settings nor logged (`Debug` hides it).
#[derive(Clone, PartialEq, Eq)]
pub struct PgConfig {
    pub url: String,
    pub password: Option<String>,
}

impl std::fmt::Debug for PgConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgConfig")
            .field("url", &redacted_url(&self.url))
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// `url` with any password it carries replaced, for messages and logs.
pub fn redacted_url(url: &str) -> String {
    match tls::take_params(url).0.parse::<postgres::Config>() {
        Ok(c) if c.get_password().is_some() => {
            // postgres://user:secret@host/db → postgres://user:***@host/db
            match (url.find("://"), url.rfind('@')) {
                (Some(scheme), Some(at)) if at > scheme => {
                    let creds = &url[scheme + 3..at];
                    let user = creds.split(':').next().unwrap_or_default();
                    format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
                }
                _ => "<adresse avec mot de passe masquée>".to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

pub struct PgStore {
    /// The connection, borrowed for each call: the driver's methods take `&mut`, the store's
    /// reading contracts `&self`. Nothing is held between calls.
    client: RefCell<Client>,
    /// The desk search's statements on this connection, prepared once (`desk/search.rs`).
    searches: RefCell<desk::search::Prepared>,
}

/// The advisory lock every writing transaction takes first (see [`write`]).
const WRITE_LOCK: i64 = 0x5245_4c41_4953; // "RELAIS"

/// Starts a writing transaction: after the writers before it, before the writers after it.
/// The lock is the transaction's (released at commit or rollback, also when the process
/// dies), and is taken across processes.
pub(crate) fn write(client: &mut Client) -> Result<Transaction<'_>, StoreError> {
    let mut tx = client.transaction()?;
    // A simple query (one round trip, no prepare): every write pays it.
    tx.batch_execute(&format!("SELECT pg_advisory_xact_lock({WRITE_LOCK})"))?;
    Ok(tx)
}

/// The courante's entries still match their journal events (see `sqlite/courante.rs`).
pub(crate) fn courante_verify(c: &mut impl GenericClient) -> Result<(), StoreError> {
    courante::verify(c)
}

/// SQLite's query text with PostgreSQL's placeholders: a query both backends run is written
/// once, its parameters numbered `?1`, `?2`… as SQLite reads them; PostgreSQL's are `$1`, `$2`….
pub(crate) fn pg(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

impl PgStore {
    /// Connects to the database of `config` and brings its schema up to date (see
    /// [`migrations`]); refuses a database made by a newer Relais.
    pub fn connect(config: &PgConfig) -> Result<PgStore, StoreError> {
        let (mut driver, transport) = tls::configure(&config.url)?;
        if let Some(password) = &config.password {
            driver.password(password.as_str());
        }
        driver.application_name("relais");
        let mut client = tls::connect(&driver, transport)?;
        migrations::migrate(&mut client)?;
        Ok(PgStore {
            client: RefCell::new(client),
            searches: RefCell::default(),
        })
    }

    /// The connection for one call. A call made from inside another's callback (a stream's
    /// `each`) is refused as busy rather than run on a connection in use.
    pub(crate) fn conn(&self) -> Result<RefMut<'_, Client>, StoreError> {
        self.client.try_borrow_mut().map_err(|_| {
            StoreError::Busy("connexion PostgreSQL déjà occupée par un appel en cours".into())
        })
    }

    /// The schema version of the database (the same numbering as SQLite's).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        migrations::version(&mut *self.conn()?)
    }

    /// The schema version this build brings a database to (SQLite's too).
    pub fn latest_schema_version() -> i64 {
        crate::migrations::LATEST
    }

    /// Whether the database holds no journal entry and no user (a target `relais migrate`
    /// may fill).
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        let row = self.conn()?.query_one(
            "SELECT NOT EXISTS (SELECT 1 FROM journal) AND NOT EXISTS (SELECT 1 FROM users)",
            &[],
        )?;
        Ok(row.try_get(0)?)
    }

    /// For the contract tests' hooks: the raw connection. Not for application code.
    #[doc(hidden)]
    pub fn raw_client(&self) -> RefMut<'_, Client> {
        self.client.borrow_mut()
    }

    fn count(&self, table: &str) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn()?
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])?
            .try_get(0)?;
        Ok(n as u64)
    }
}

impl Store for PgStore {
    fn verify_journal(&self) -> Result<u64, StoreError> {
        journal::verify(&mut *self.conn()?)
    }

    fn journal_entries(&self, from_seq: u64, limit: u64) -> Result<Vec<Entry>, StoreError> {
        journal::entries(&mut *self.conn()?, from_seq, limit)
    }

    fn add_user(&mut self, actor: &str, user: &NewUser) -> Result<Entry, StoreError> {
        users::add(self.client.get_mut(), actor, user)
    }

    fn set_user_disabled(
        &mut self,
        actor: &str,
        login: &str,
        disabled: bool,
    ) -> Result<Entry, StoreError> {
        users::set_disabled(self.client.get_mut(), actor, login, disabled)
    }

    fn set_user_password(
        &mut self,
        actor: &str,
        login: &str,
        password_hash: &str,
    ) -> Result<Entry, StoreError> {
        users::set_password(self.client.get_mut(), actor, login, password_hash)
    }

    fn privileged_account_changes(
        &self,
        since_unix: i64,
    ) -> Result<Vec<crate::accounts::PrivilegedChange>, StoreError> {
        use crate::sqlite::accounts::{KINDS, latest_changes, since_text};
        let entries =
            journal::entries_of_kinds(&mut *self.conn()?, &KINDS, &since_text(since_unix))?;
        latest_changes(&entries)
    }

    fn user(&self, login: &str) -> Result<Option<User>, StoreError> {
        users::get(&mut *self.conn()?, login)
    }

    fn users(&self) -> Result<Vec<User>, StoreError> {
        users::list(&mut *self.conn()?)
    }

    fn begin_import(&mut self) -> Result<Box<dyn ImportSession + '_>, StoreError> {
        Ok(Box::new(import::PgImport::begin(self.client.get_mut())?))
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
            rejected_rows: self.count("pending_rows WHERE severity = 'rejet'")?,
        })
    }

    fn flagged_rows(&self, offset: u64, limit: u64) -> Result<Vec<FlaggedRecord>, StoreError> {
        queries::flagged_rows(&mut *self.conn()?, offset, limit)
    }

    fn each_payment_right(&self, each: &mut dyn FnMut(&PaymentRight)) -> Result<u64, StoreError> {
        queries::each_payment_right(&mut *self.conn()?, each)
    }

    fn payroll(&self, month: Month) -> Result<Payroll, StoreError> {
        queries::payroll(&mut *self.conn()?, month)
    }

    fn each_open_invoice(&self, each: &mut dyn FnMut(&OpenInvoice)) -> Result<u64, StoreError> {
        queries::each_open_invoice(&mut *self.conn()?, each)
    }

    fn flagged_counts(&self) -> Result<Vec<FlaggedCount>, StoreError> {
        queries::flagged_counts(&mut *self.conn()?)
    }

    fn each_flagged_row(
        &self,
        entity: &str,
        each: &mut dyn FnMut(&FlaggedRecord),
    ) -> Result<u64, StoreError> {
        queries::each_flagged_row(&mut *self.conn()?, entity, each)
    }
}
