//! Not yet on PostgreSQL: every method of this contract answers `StoreError::Unsupported`.

#![allow(unused_imports, unused_variables, clippy::useless_conversion)]

use super::super::PgStore;
use super::unsupported;
use crate::StoreError;
use crate::bank::*;
use relais_core::bank_change::{DecisionRefusal, ScopeRefusal};
use relais_core::ids::{Bic, Iban};

impl BankChangeStore for PgStore {
    fn request_bank_change(
        &mut self,
        actor: &str,
        change: &NewBankChange,
    ) -> Result<i64, BankChangeError> {
        Err(unsupported("request_bank_change").into())
    }
    fn decide_bank_change(
        &mut self,
        actor: &str,
        id: i64,
        approve: bool,
        today: &str,
    ) -> Result<BankChange, BankChangeError> {
        Err(unsupported("decide_bank_change").into())
    }
    fn approve_imported_change(
        &mut self,
        actor: &str,
        payee_id: &str,
    ) -> Result<u64, BankChangeError> {
        Err(unsupported("approve_imported_change").into())
    }
    fn pending_bank_changes(&self) -> Result<Vec<BankChange>, BankChangeError> {
        Err(unsupported("pending_bank_changes").into())
    }
    fn held_bank_details(
        &self,
        today: jiff::civil::Date,
        window_days: u16,
    ) -> Result<Vec<HeldBankDetails>, BankChangeError> {
        Err(unsupported("held_bank_details").into())
    }
    fn first_unpaid_month(
        &self,
        today: jiff::civil::Date,
    ) -> Result<relais_core::calendar::Month, BankChangeError> {
        Err(unsupported("first_unpaid_month").into())
    }
    fn bank_change_review(&self, id: i64) -> Result<Option<BankChangeReview>, BankChangeError> {
        Err(unsupported("bank_change_review").into())
    }
    fn own_payees(&self, dossier: &str) -> Result<Vec<(String, String)>, BankChangeError> {
        Err(unsupported("own_payees").into())
    }
    fn payee_page(
        &self,
        payee_id: &str,
        site: Option<&str>,
    ) -> Result<Option<PayeePage>, BankChangeError> {
        Err(unsupported("payee_page").into())
    }
}
