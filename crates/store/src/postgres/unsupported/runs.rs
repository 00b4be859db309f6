//! Not yet on PostgreSQL: every method of this contract answers `StoreError::Unsupported`.

#![allow(unused_imports, unused_variables, clippy::useless_conversion)]

use super::super::PgStore;
use super::unsupported;
use crate::StoreError;
use crate::runs::*;
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::ids::{Bic, Iban, Siret};
use relais_core::journal::Entry;
use relais_core::records::{Benefit, LegalForm, PayeeKind};
use relais_core::run::{
    AmountChange, Anomaly, ExcludedRight, RenewalPolicy, RunId, RunStatus, RunSummary,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

impl RunStore for PgStore {
    fn history_totals(
        &self,
        from: relais_core::calendar::Month,
        to: relais_core::calendar::Month,
    ) -> Result<
        Vec<(
            relais_core::records::Benefit,
            relais_core::calendar::Month,
            relais_core::Cents,
        )>,
        StoreError,
    > {
        Err(unsupported("history_totals").into())
    }
    fn release_duplicate(
        &mut self,
        actor: &str,
        right: &str,
        month: Month,
        reason: &str,
        local_time: &str,
    ) -> Result<String, RunStoreError> {
        Err(unsupported("release_duplicate").into())
    }
    fn prepare_run(
        &mut self,
        req: &PrepareRun<'_>,
        benefits: &[Benefit],
    ) -> Result<Prepared, RunStoreError> {
        Err(unsupported("prepare_run").into())
    }
    fn run(&self, id: RunId) -> Result<Option<RunRecord>, RunStoreError> {
        Err(unsupported("run").into())
    }
    fn runs(&self) -> Result<Vec<RunRecord>, RunStoreError> {
        Err(unsupported("runs").into())
    }
    fn validate_run(
        &mut self,
        id: RunId,
        actor: &str,
        local_time: &str,
    ) -> Result<RunRecord, RunStoreError> {
        Err(unsupported("validate_run").into())
    }
    fn cancel_run(
        &mut self,
        id: RunId,
        actor: &str,
        reason: &str,
    ) -> Result<RunRecord, RunStoreError> {
        Err(unsupported("cancel_run").into())
    }
    fn each_run_payee(&self, id: RunId, each: Each<'_, RunPayee>) -> Result<(), RunStoreError> {
        Err(unsupported("each_run_payee").into())
    }
    fn each_run_line(
        &self,
        id: RunId,
        each: &mut dyn FnMut(&RunLine, &RunPayee) -> Result<(), RunStoreError>,
    ) -> Result<(), RunStoreError> {
        Err(unsupported("each_run_line").into())
    }
    fn each_caf_line(&self, id: RunId, each: Each<'_, RunLine>) -> Result<(), RunStoreError> {
        Err(unsupported("each_caf_line").into())
    }
    fn run_totals(&self, id: RunId) -> Result<RunTotals, RunStoreError> {
        Err(unsupported("run_totals").into())
    }
    fn each_run_exclusion(
        &self,
        id: RunId,
        each: Each<'_, ExcludedRight>,
    ) -> Result<(), RunStoreError> {
        Err(unsupported("each_run_exclusion").into())
    }
    fn each_run_anomaly(&self, id: RunId, each: Each<'_, Anomaly>) -> Result<(), RunStoreError> {
        Err(unsupported("each_run_anomaly").into())
    }
    fn each_run_change(
        &self,
        id: RunId,
        each: Each<'_, AmountChange>,
    ) -> Result<(), RunStoreError> {
        Err(unsupported("each_run_change").into())
    }
    fn record_run_export(
        &mut self,
        id: RunId,
        actor: &str,
        files: &serde_json::Value,
    ) -> Result<Entry, RunStoreError> {
        Err(unsupported("record_run_export").into())
    }
    fn approve_bank_details(
        &mut self,
        payee_id: &str,
        actor: &str,
    ) -> Result<Entry, RunStoreError> {
        Err(unsupported("approve_bank_details").into())
    }
    fn renew_rights(
        &mut self,
        policy: &RenewalPolicy,
        actor: &str,
        dry_run: bool,
    ) -> Result<RenewalOutcome, RunStoreError> {
        Err(unsupported("renew_rights").into())
    }
    fn each_paid_claim(
        &self,
        months: &[Month],
        each: &mut dyn FnMut(&relais_core::reconcile::PaidClaim) -> Result<(), RunStoreError>,
    ) -> Result<(), RunStoreError> {
        Err(unsupported("each_paid_claim").into())
    }
}
