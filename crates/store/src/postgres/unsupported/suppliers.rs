//! Not yet on PostgreSQL: every method of this contract answers `StoreError::Unsupported`.

#![allow(unused_imports, unused_variables, clippy::useless_conversion)]

use super::super::PgStore;
use super::unsupported;
use crate::runs::{Each, Prepared, RunParams, RunStoreError};
use crate::suppliers::*;
use jiff::civil::Date;
use relais_core::calendar::Month;
use relais_core::invoices::lifecycle::Step;
use relais_core::invoices::mandate::{Held, SupplierMandate, SupplierRunSummary, ToMandate};
use relais_core::run::RunId;

impl SupplierRunStore for PgStore {
    fn invoices_to_mandate(
        &self,
        tz: &jiff::tz::TimeZone,
    ) -> Result<Vec<(ToMandate, Vec<Step>)>, RunStoreError> {
        Err(unsupported("invoices_to_mandate").into())
    }
    fn prepare_supplier_run(
        &mut self,
        req: &PrepareSuppliers<'_>,
    ) -> Result<Prepared, RunStoreError> {
        Err(unsupported("prepare_supplier_run").into())
    }
    fn supplier_run_summary(&self, run: RunId) -> Result<SupplierRunSummary, RunStoreError> {
        Err(unsupported("supplier_run_summary").into())
    }
    fn each_supplier_mandate(
        &self,
        run: RunId,
        each: Each<'_, SupplierMandate>,
    ) -> Result<(), RunStoreError> {
        Err(unsupported("each_supplier_mandate").into())
    }
    fn supplier_banks_waiting(&self) -> Result<Vec<SupplierBankWaiting>, RunStoreError> {
        Err(unsupported("supplier_banks_waiting").into())
    }
    fn approve_supplier_bank(
        &mut self,
        siret: &str,
        actor: &str,
        local_time: &str,
    ) -> Result<SupplierBankWaiting, RunStoreError> {
        Err(unsupported("approve_supplier_bank").into())
    }
}
