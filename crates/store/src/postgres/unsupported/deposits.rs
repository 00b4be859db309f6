//! Not yet on PostgreSQL: every method of this contract answers `StoreError::Unsupported`.

#![allow(unused_imports, unused_variables, clippy::useless_conversion)]

use super::super::PgStore;
use super::unsupported;
use crate::StoreError;
use crate::deposits::*;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use relais_core::deposits::{ChronoNumber, Deposit, DepositKind, NewDeposit, ServiceContact};

impl DepositStore for PgStore {
    fn register_deposit(
        &mut self,
        actor: &str,
        deposit: &NewDeposit,
        tz: &TimeZone,
        seal: Seal<'_>,
    ) -> Result<Deposit, DepositStoreError> {
        Err(unsupported("register_deposit").into())
    }
    fn cancel_deposit(
        &mut self,
        actor: &str,
        number: ChronoNumber,
        reason: &str,
    ) -> Result<Deposit, DepositStoreError> {
        Err(unsupported("cancel_deposit").into())
    }
    fn deposit(&self, number: ChronoNumber) -> Result<Option<Deposit>, DepositStoreError> {
        Err(unsupported("deposit").into())
    }
    fn deposits(&self, filter: &DepositFilter) -> Result<Vec<Deposit>, DepositStoreError> {
        Err(unsupported("deposits").into())
    }
    fn directory_contact(
        &self,
        site_code: &str,
    ) -> Result<Option<ServiceContact>, DepositStoreError> {
        Err(unsupported("directory_contact").into())
    }
}
