//! Not yet on PostgreSQL: every method of this contract answers `StoreError::Unsupported`.

#![allow(unused_imports, unused_variables, clippy::useless_conversion)]

use super::super::PgStore;
use super::unsupported;
use crate::StoreError;
use crate::caf::*;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::journal::Entry;
use relais_formats::caf::CafRow;

impl CafStore for PgStore {
    fn begin_caf_import(
        &mut self,
        actor: &str,
        month: Month,
    ) -> Result<Box<dyn CafImportSession + '_>, CafError> {
        Err(unsupported("begin_caf_import").into())
    }
    fn caf_statement(&self, month: Month) -> Result<Option<CafStatement>, StoreError> {
        Err(unsupported("caf_statement").into())
    }
    fn caf_statement_total(&self, month: Month) -> Result<Option<Cents>, StoreError> {
        Err(unsupported("caf_statement_total").into())
    }
    fn latest_caf_statement_before(
        &self,
        month: Month,
    ) -> Result<Option<(Month, Cents)>, StoreError> {
        Err(unsupported("latest_caf_statement_before").into())
    }
    fn compare_caf_statement(
        &self,
        month: Month,
        threshold: Cents,
        each: &mut dyn FnMut(&CafDiscrepancy),
    ) -> Result<Option<CafComparison>, StoreError> {
        Err(unsupported("compare_caf_statement").into())
    }
}
