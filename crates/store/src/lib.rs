//! Relais storage: the [`Store`] trait that every backend satisfies, its SQLite
//! implementation (embedded, one file, for one clean machine) and its PostgreSQL one (one
//! server database that many Relais processes share), each passing the same contract tests.
//!
//! Invariant: this is the only crate that knows SQL. Every change of state is written together
//! with its journal entry, in one transaction.

pub mod accounts;
pub mod bank;
pub mod caf;
pub mod checkpoints;
pub mod crisis;
pub mod deposits;
pub mod desk;
mod error;
pub mod flagged;
pub mod handback;
pub mod invoices;
pub mod logins;
mod migrations;
pub mod numbering;
pub mod orders;
pub mod payroll;
pub mod pes_return;
pub mod postgres;
pub mod regularisation;
pub mod runs;
pub mod sessions;
pub mod sort;
pub mod sqlite;
pub mod suppliers;
pub mod unpayable;
mod views;

pub use error::{BackendError, StoreError};
pub use postgres::{PgConfig, PgStore};
pub use sqlite::SqliteStore;
pub use views::{FlaggedCount, OpenInvoice, PaymentRight, Payroll};

use bank::BankChangeStore;
use caf::CafStore;
use crisis::CrisisStore;
use deposits::DepositStore;
use desk::DeskStore;
use flagged::FlaggedRowStore;
use invoices::InvoiceStore;
use logins::LoginThrottle;
use numbering::NumberingStore;
use orders::OrderStore;
use payroll::PayrollStore;
use relais_core::calendar::Month;
use relais_core::journal::{ChainError, Entry};
use relais_core::records::Record;
use relais_core::roles::Role;
use relais_formats::extract::FlaggedRow;
use runs::RunStore;
use sessions::SessionStore;

/// An agent who may act on the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub login: String,
    pub roles: Vec<Role>,
    pub site: Option<String>,
    pub disabled: bool,
    /// The Argon2id PHC string; never logged (see `Debug` of [`NewUser`]).
    pub password_hash: String,
}

/// A user to create. The password arrives already hashed (Argon2id), so the store never sees it.
#[derive(Clone, PartialEq, Eq)]
pub struct NewUser {
    pub login: String,
    pub roles: Vec<Role>,
    pub site: Option<String>,
    pub password_hash: String,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("login", &self.login)
            .field("roles", &self.roles)
            .field("site", &self.site)
            .field("password_hash", &"<redacted>")
            .finish()
    }
}

/// How many rows each table of imported data holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub beneficiaries: u64,
    pub payees: u64,
    pub rights: u64,
    pub past_payments: u64,
    pub agents: u64,
    pub suppliers: u64,
    pub invoices: u64,
    pub directory: u64,
    /// Rows rejected at import (those accepted with warnings not counted).
    pub rejected_rows: u64,
}

/// A row rejected at import, or accepted with warnings, kept in the register of "dossiers à
/// traiter".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FlaggedRecord {
    pub id: i64,
    /// `Reject` for a rejected row; `Warning` for a row accepted with warnings (its problems).
    pub severity: relais_formats::extract::Severity,
    pub file: String,
    pub line: u64,
    pub key: Option<String>,
    /// (field, value) as read.
    pub raw: Vec<(String, String)>,
    /// (field, code, message_fr).
    pub problems: Vec<(String, String, String)>,
}

/// What every storage backend offers.
pub trait Store {
    /// Checks the whole journal; the number of entries when intact.
    fn verify_journal(&self) -> Result<u64, StoreError>;
    /// Entries from `from_seq` on, at most `limit`.
    fn journal_entries(&self, from_seq: u64, limit: u64) -> Result<Vec<Entry>, StoreError>;

    fn add_user(&mut self, actor: &str, user: &NewUser) -> Result<Entry, StoreError>;
    fn set_user_disabled(
        &mut self,
        actor: &str,
        login: &str,
        disabled: bool,
    ) -> Result<Entry, StoreError>;
    /// Replaces the password hash of `login` (changed by its holder when `actor == login`,
    /// else reset; a reset of an account that moves money is a privileged account change).
    fn set_user_password(
        &mut self,
        actor: &str,
        login: &str,
        password_hash: &str,
    ) -> Result<Entry, StoreError>;
    /// Accounts holding `liquidation` or `ordonnateur` created, re-enabled or whose password
    /// someone else reset, at or after `since_unix` (seconds), the latest first and
    /// [`accounts::PRIVILEGED_SHOWN`] at most: read from the journal entries of kinds
    /// `privileged_account_created` and `privileged_account_changed` (payload `login`,
    /// `roles`, `actor`, and `change` for a change: `enabled`, `password_reset`).
    /// Every ordonnateur sees the last 7 days' on the dashboard.
    fn privileged_account_changes(
        &self,
        since_unix: i64,
    ) -> Result<Vec<accounts::PrivilegedChange>, StoreError>;
    fn user(&self, login: &str) -> Result<Option<User>, StoreError>;
    fn users(&self) -> Result<Vec<User>, StoreError>;
    /// The user `login`, when it exists, is enabled and holds `role`.
    fn authorize(&self, login: &str, role: Role) -> Result<User, StoreError> {
        let user = self
            .user(login)?
            .ok_or_else(|| StoreError::UnknownUser(login.to_owned()))?;
        if user.disabled {
            return Err(StoreError::DisabledUser(login.to_owned()));
        }
        if !user.roles.contains(&role) {
            return Err(StoreError::Forbidden {
                login: login.to_owned(),
                role,
            });
        }
        Ok(user)
    }

    /// Starts replacing the imported data. Nothing is visible to others, and nothing changes,
    /// until [`ImportSession::commit`]; dropping the session rolls everything back.
    fn begin_import(&mut self) -> Result<Box<dyn ImportSession + '_>, StoreError>;

    fn counts(&self) -> Result<Counts, StoreError>;
    /// The register of rows rejected, or accepted with warnings, at the last import.
    fn flagged_rows(&self, offset: u64, limit: u64) -> Result<Vec<FlaggedRecord>, StoreError>;

    /// Calls `each` with every right, its person's death date and its payee, ordered by
    /// dossier (a caller counts people without holding them), one row at a time: memory does
    /// not grow with the number of rights. The number of rights.
    fn each_payment_right(&self, each: &mut dyn FnMut(&PaymentRight)) -> Result<u64, StoreError>;
    /// The agents in post for at least one day of `month`, and their pay.
    fn payroll(&self, month: Month) -> Result<Payroll, StoreError>;
    /// Calls `each` with every open invoice, by date of receipt. The number of invoices.
    fn each_open_invoice(&self, each: &mut dyn FnMut(&OpenInvoice)) -> Result<u64, StoreError>;
    /// Rejected rows (not those accepted with warnings) counted by file and code, by file then
    /// code.
    fn flagged_counts(&self) -> Result<Vec<FlaggedCount>, StoreError>;
    /// Calls `each` with every rejected row of `entity` (`droits`, `tiers`…), in file order;
    /// rows accepted with warnings are not among them.
    fn each_flagged_row(
        &self,
        entity: &str,
        each: &mut dyn FnMut(&FlaggedRecord),
    ) -> Result<u64, StoreError>;
}

/// One import, in one transaction.
pub trait ImportSession {
    fn insert(&mut self, record: &Record) -> Result<(), StoreError>;
    /// Puts `row` in the register of rows to handle: a rejected row, or the warnings of a row
    /// also inserted (`row.severity()` tells which).
    fn reject(&mut self, row: &FlaggedRow) -> Result<(), StoreError>;
    /// Commits the data with its journal entry (`kind` = `import`, `payload` = the facts).
    fn commit(
        self: Box<Self>,
        actor: &str,
        payload: serde_json::Value,
    ) -> Result<Entry, StoreError>;
}

/// Every contract of the store together: what a front end holds (`Box<dyn Backend>`,
/// `Arc<Mutex<dyn Backend>>`, or a generic `B: Backend`) so that it never names a backend.
/// Object-safe: no contract has a generic method (streams take `&mut dyn FnMut`), so a
/// `dyn Backend` offers every method of every contract. Any type that implements them all
/// is a `Backend` (blanket impl); a second backend implements the contracts, nothing more.
pub trait Backend:
    Store
    + DepositStore
    + RunStore
    + PayrollStore
    + crate::suppliers::SupplierRunStore
    + crate::pes_return::PesReturnStore
    + InvoiceStore
    + OrderStore
    + CafStore
    + NumberingStore
    + SessionStore
    + LoginThrottle
    + DeskStore
    + BankChangeStore
    + FlaggedRowStore
    + CrisisStore
    + crate::regularisation::RegularisationStore
    + crate::handback::HandbackStore
    + crate::checkpoints::CheckpointStore
    + Send
{
}

impl<T> Backend for T where
    T: Store
        + DepositStore
        + RunStore
        + PayrollStore
        + crate::suppliers::SupplierRunStore
        + crate::pes_return::PesReturnStore
        + InvoiceStore
        + OrderStore
        + CafStore
        + NumberingStore
        + SessionStore
        + LoginThrottle
        + DeskStore
        + BankChangeStore
        + FlaggedRowStore
        + CrisisStore
        + crate::regularisation::RegularisationStore
        + crate::handback::HandbackStore
        + crate::checkpoints::CheckpointStore
        + Send
        + ?Sized
{
}

/// The instant of a change, in UTC, to the millisecond, as every backend stores it (RFC 3339
/// text, so that instants compare as strings alike on SQLite and PostgreSQL).
pub(crate) fn now() -> String {
    let ts = jiff::Timestamp::now();
    ts.round(jiff::Unit::Millisecond).unwrap_or(ts).to_string()
}

/// Re-exported so that callers can match journal failures.
pub type JournalError = ChainError;

#[cfg(test)]
mod tests {
    use super::{Backend, SqliteStore};

    /// `dyn Backend` exists (every contract object-safe) and SQLite is one.
    #[test]
    fn sqlite_is_a_backend_a_front_end_may_hold_as_a_trait_object() {
        let store: Box<dyn Backend> = Box::new(SqliteStore::open_in_memory().expect("open"));
        assert_eq!(store.counts().expect("counts"), super::Counts::default());
        fn generic<B: Backend + ?Sized>(b: &B) -> u64 {
            b.verify_journal().expect("journal")
        }
        assert_eq!(generic(store.as_ref()), 0);
    }
}
