//! Not yet on PostgreSQL: every method of this contract answers `StoreError::Unsupported`.

#![allow(unused_imports, unused_variables, clippy::useless_conversion)]

use super::super::PgStore;
use super::unsupported;
use crate::payroll::*;
use crate::runs::{Each, Prepared, RunStoreError};
use relais_core::calendar::Month;
use relais_core::payroll::{
    AgentPay, Deferred, MandateKey, MandateTotals, PayrollExclusion, PayrollSummary,
};
use relais_core::run::RunId;

impl PayrollStore for PgStore {
    fn ask_payroll_change(
        &mut self,
        ask: &AskChange<'_>,
    ) -> Result<relais_core::payroll::ChangeRecord, RunStoreError> {
        Err(unsupported("ask_payroll_change").into())
    }
    fn decide_payroll_change(
        &mut self,
        actor: &str,
        id: u64,
        refusal: Option<&str>,
        local_time: &str,
    ) -> Result<relais_core::payroll::ChangeRecord, RunStoreError> {
        Err(unsupported("decide_payroll_change").into())
    }
    fn payroll_changes(
        &self,
        pending: bool,
    ) -> Result<Vec<relais_core::payroll::ChangeRecord>, RunStoreError> {
        Err(unsupported("payroll_changes").into())
    }
    fn prepare_payroll(&mut self, req: &PreparePayroll<'_>) -> Result<Prepared, RunStoreError> {
        Err(unsupported("prepare_payroll").into())
    }
    fn payroll_summary(&self, run: RunId) -> Result<PayrollSummary, RunStoreError> {
        Err(unsupported("payroll_summary").into())
    }
    fn payroll_mandates(
        &self,
        run: RunId,
    ) -> Result<Vec<(MandateKey, MandateTotals)>, RunStoreError> {
        Err(unsupported("payroll_mandates").into())
    }
    fn each_payroll_net(
        &self,
        run: RunId,
        key: &MandateKey,
        each: Each<'_, AgentNet>,
    ) -> Result<(), RunStoreError> {
        Err(unsupported("each_payroll_net").into())
    }
    fn each_payroll_pay(&self, run: RunId, each: Each<'_, AgentPay>) -> Result<(), RunStoreError> {
        Err(unsupported("each_payroll_pay").into())
    }
    fn each_payroll_exclusion(
        &self,
        run: RunId,
        each: Each<'_, PayrollExclusion>,
    ) -> Result<(), RunStoreError> {
        Err(unsupported("each_payroll_exclusion").into())
    }
    fn each_deferred(&self, run: RunId, each: Each<'_, Deferred>) -> Result<(), RunStoreError> {
        Err(unsupported("each_deferred").into())
    }
}
