//! PostgreSQL's errors in the store's driver-neutral kinds (see [`crate::StoreError`]): the
//! only place that looks inside a `postgres::Error`.

use crate::StoreError;
use postgres::error::SqlState;

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> StoreError {
        match e.code() {
            Some(c) if *c == SqlState::UNIQUE_VIOLATION => StoreError::Conflict(Box::new(e)),
            Some(c)
                if *c == SqlState::T_R_SERIALIZATION_FAILURE
                    || *c == SqlState::T_R_DEADLOCK_DETECTED
                    || *c == SqlState::LOCK_NOT_AVAILABLE
                    || *c == SqlState::QUERY_CANCELED =>
            {
                StoreError::Busy(Box::new(e))
            }
            _ => StoreError::Backend(Box::new(e)),
        }
    }
}

/// The message a trigger of the schema raised (`relais_refuse('…')`), when `e` is one.
pub(crate) fn refused_by_trigger(e: &postgres::Error) -> Option<&str> {
    let db = e.as_db_error()?;
    (*db.code() == SqlState::RAISE_EXCEPTION).then(|| db.message())
}

/// A row that had to be there is not (what SQLite's `query_row` says on no row).
pub(crate) fn not_found(what: &str) -> StoreError {
    StoreError::NotFound(format!("aucune ligne : {what}").into())
}

impl From<postgres::Error> for crate::crisis::CrisisError {
    fn from(e: postgres::Error) -> crate::crisis::CrisisError {
        crate::crisis::CrisisError::Store(StoreError::from(e))
    }
}

impl From<postgres::Error> for crate::invoices::InvoiceError {
    fn from(e: postgres::Error) -> crate::invoices::InvoiceError {
        crate::invoices::InvoiceError::Store(StoreError::from(e))
    }
}

impl From<postgres::Error> for crate::numbering::NumberingError {
    fn from(e: postgres::Error) -> crate::numbering::NumberingError {
        crate::numbering::NumberingError::Store(StoreError::from(e))
    }
}

impl From<postgres::Error> for crate::runs::RunStoreError {
    fn from(e: postgres::Error) -> crate::runs::RunStoreError {
        crate::runs::RunStoreError::Store(StoreError::from(e))
    }
}
