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

/// Each contract's error from the driver's, through [`StoreError`]'s kinds.
macro_rules! through_store_error {
    ($($error:ty),* $(,)?) => {$(
        impl From<postgres::Error> for $error {
            fn from(e: postgres::Error) -> $error {
                <$error>::Store(StoreError::from(e))
            }
        }
    )*};
}

through_store_error!(
    crate::bank::BankChangeError,
    crate::caf::CafError,
    crate::crisis::CrisisError,
    crate::deposits::DepositStoreError,
    crate::handback::ReplicaError,
    crate::invoices::InvoiceError,
    crate::numbering::NumberingError,
    crate::orders::OrderError,
    crate::regularisation::RegularisationError,
    crate::runs::RunStoreError,
);
