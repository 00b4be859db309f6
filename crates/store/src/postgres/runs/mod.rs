//! Payment runs on PostgreSQL (see [`crate::runs`] and `sqlite/runs/`): the same rules, the
//! same rows; what is pure Rust (deciding on a right, sorting, numbering, summaries) is
//! SQLite's own code, called from here.

mod lifecycle;
mod misc;
pub(crate) mod numbering;
mod prepare;
mod read;
mod review;
mod rows;
mod write;

// For the accountant's return and the regularisations, in their own transactions.
pub(crate) use read::{each_block_line_in, load as load_run, next_run_id};

use super::PgStore;
use crate::StoreError;
use crate::runs::{
    Each, PrepareRun, Prepared, RenewalOutcome, RunLine, RunPayee, RunRecord, RunStore,
    RunStoreError, RunTotals,
};
use crate::sqlite::decode::corrupt;
use relais_core::calendar::Month;
use relais_core::journal::Entry;
use relais_core::records::Benefit;
use relais_core::run::{AmountChange, Anomaly, ExcludedRight, RenewalPolicy, RunId};

impl RunStore for PgStore {
    fn history_totals(
        &self,
        from: Month,
        to: Month,
    ) -> Result<Vec<(Benefit, Month, relais_core::Cents)>, StoreError> {
        misc::history_totals(&mut *self.conn()?, from, to)
    }

    fn prepare_run(
        &mut self,
        req: &PrepareRun<'_>,
        benefits: &[Benefit],
    ) -> Result<Prepared, RunStoreError> {
        prepare::prepare(self.client.get_mut(), req, benefits)
    }

    fn run(&self, id: RunId) -> Result<Option<RunRecord>, RunStoreError> {
        read::load(&mut *self.conn()?, id)
    }

    fn release_duplicate(
        &mut self,
        actor: &str,
        right: &str,
        month: Month,
        reason: &str,
        local_time: &str,
    ) -> Result<String, RunStoreError> {
        misc::release(
            self.client.get_mut(),
            actor,
            right,
            month,
            reason,
            local_time,
        )
    }

    fn runs(&self) -> Result<Vec<RunRecord>, RunStoreError> {
        let c = &mut *self.conn()?;
        let ids: Vec<String> = c
            .query("SELECT id FROM runs ORDER BY month DESC, seq DESC", &[])?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        ids.iter()
            .map(|id| {
                let id: RunId = id.parse().map_err(|_| corrupt("run id", id))?;
                read::run_or_not_found(c, id)
            })
            .collect()
    }

    fn validate_run(
        &mut self,
        id: RunId,
        actor: &str,
        local_time: &str,
    ) -> Result<RunRecord, RunStoreError> {
        lifecycle::validate(self.client.get_mut(), id, actor, local_time)
    }

    fn cancel_run(
        &mut self,
        id: RunId,
        actor: &str,
        reason: &str,
    ) -> Result<RunRecord, RunStoreError> {
        lifecycle::cancel(self.client.get_mut(), id, actor, reason)
    }

    fn each_run_payee(&self, id: RunId, each: Each<'_, RunPayee>) -> Result<(), RunStoreError> {
        read::each_payee(&mut *self.conn()?, id, each)
    }

    fn each_run_line(
        &self,
        id: RunId,
        each: &mut dyn FnMut(&RunLine, &RunPayee) -> Result<(), RunStoreError>,
    ) -> Result<(), RunStoreError> {
        read::each_line(&mut *self.conn()?, id, each)
    }

    fn each_caf_line(&self, id: RunId, each: Each<'_, RunLine>) -> Result<(), RunStoreError> {
        read::each_block_line(&mut *self.conn()?, &id.to_string(), true, each)
    }

    fn run_totals(&self, id: RunId) -> Result<RunTotals, RunStoreError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        let totals = review::totals(&mut tx, id)?;
        tx.commit()?;
        Ok(totals)
    }

    fn each_run_exclusion(
        &self,
        id: RunId,
        each: Each<'_, ExcludedRight>,
    ) -> Result<(), RunStoreError> {
        review::each_exclusion(&mut *self.conn()?, id, each)
    }

    fn each_run_anomaly(&self, id: RunId, each: Each<'_, Anomaly>) -> Result<(), RunStoreError> {
        review::each_anomaly(&mut *self.conn()?, id, each)
    }

    fn each_run_change(
        &self,
        id: RunId,
        each: Each<'_, AmountChange>,
    ) -> Result<(), RunStoreError> {
        review::each_change(&mut *self.conn()?, id, each)
    }

    fn record_run_export(
        &mut self,
        id: RunId,
        actor: &str,
        files: &serde_json::Value,
    ) -> Result<Entry, RunStoreError> {
        lifecycle::record_export(self.client.get_mut(), id, actor, files)
    }

    fn approve_bank_details(
        &mut self,
        payee_id: &str,
        actor: &str,
    ) -> Result<Entry, RunStoreError> {
        misc::approve_bank(self.client.get_mut(), payee_id, actor)
    }

    fn renew_rights(
        &mut self,
        policy: &RenewalPolicy,
        actor: &str,
        dry_run: bool,
    ) -> Result<RenewalOutcome, RunStoreError> {
        misc::renew(self.client.get_mut(), policy, actor, dry_run)
    }

    fn each_paid_claim(
        &self,
        months: &[Month],
        each: &mut dyn FnMut(&relais_core::reconcile::PaidClaim) -> Result<(), RunStoreError>,
    ) -> Result<(), RunStoreError> {
        misc::each_paid_claim(&mut *self.conn()?, months, each)
    }
}
