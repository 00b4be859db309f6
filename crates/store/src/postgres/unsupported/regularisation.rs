//! Not yet on PostgreSQL: every method of this contract answers `StoreError::Unsupported`.

#![allow(unused_imports, unused_variables, clippy::useless_conversion)]

use super::super::PgStore;
use super::unsupported;
use crate::StoreError;
use crate::regularisation::*;
use relais_core::run::{RunId, RunStatus};

impl RegularisationStore for PgStore {
    fn regularisation(&self, run: RunId) -> Result<Option<RunRegularisation>, RegularisationError> {
        Err(unsupported("regularisation").into())
    }
    fn run_exported(&self, run: RunId) -> Result<bool, RegularisationError> {
        Err(unsupported("run_exported").into())
    }
    fn record_regularisation(
        &mut self,
        req: &RecordRegularisation<'_>,
    ) -> Result<(RunRegularisation, bool), RegularisationError> {
        Err(unsupported("record_regularisation").into())
    }
}
