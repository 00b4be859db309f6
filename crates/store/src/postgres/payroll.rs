//! Payroll runs on PostgreSQL (see [`crate::payroll`] for the invariants the schema
//! enforces), as on SQLite (`sqlite/payroll.rs`): the rows are decoded by the same functions
//! ([`Cols`]); preparing lives in [`prepare`], the changes of situation in [`changes`].

mod changes;
mod prepare;

use super::PgStore;
use crate::StoreError;
use crate::payroll::{AgentNet, AskChange, PayrollStore, PreparePayroll};
use crate::runs::{Each, Prepared, RunStoreError};
use crate::sqlite::payroll::{Cols, DEFERRED, deferred_of, from_json, net_of};
use postgres::GenericClient;
use postgres::fallible_iterator::FallibleIterator;
use relais_core::payroll::{
    AgentPay, ChangeRecord, Deferred, MandateKey, MandateTotals, PayrollExclusion, PayrollSummary,
};
use relais_core::run::RunId;

impl Cols for postgres::Row {
    fn text(&self, i: usize) -> Result<String, StoreError> {
        Ok(self.try_get(i)?)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(i)?)
    }
    fn int(&self, i: usize) -> Result<i64, StoreError> {
        Ok(self.try_get(i)?)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.try_get(i)?)
    }
}

/// Streams the rows of `sql` (`$1` the run, then `params`) to `decode` then `each`, without
/// holding them all: a run has one row per agent.
fn each_row<T>(
    c: &mut impl GenericClient,
    sql: &str,
    params: &[&str],
    decode: impl Fn(&postgres::Row) -> Result<T, StoreError>,
    each: Each<'_, T>,
) -> Result<(), RunStoreError> {
    let mut rows = c.query_raw(sql, params.iter())?;
    while let Some(r) = rows.next()? {
        each(&decode(&r)?)?;
    }
    Ok(())
}

impl PgStore {
    /// Each row of `sql` (bound to the run), its first column decoded as JSON.
    fn each_json<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        run: RunId,
        what: &str,
        each: Each<'_, T>,
    ) -> Result<(), RunStoreError> {
        let run = run.to_string();
        each_row(
            &mut *self.conn()?,
            sql,
            &[&run],
            |r| from_json(what, &r.text(0)?),
            each,
        )
    }
}

impl PayrollStore for PgStore {
    fn ask_payroll_change(&mut self, ask: &AskChange<'_>) -> Result<ChangeRecord, RunStoreError> {
        changes::ask(self.client.get_mut(), ask)
    }

    fn decide_payroll_change(
        &mut self,
        actor: &str,
        id: u64,
        refusal: Option<&str>,
        local_time: &str,
    ) -> Result<ChangeRecord, RunStoreError> {
        changes::decide(self.client.get_mut(), actor, id, refusal, local_time)
    }

    fn payroll_changes(&self, pending: bool) -> Result<Vec<ChangeRecord>, RunStoreError> {
        changes::list(&mut *self.conn()?, pending)
    }

    fn prepare_payroll(&mut self, req: &PreparePayroll<'_>) -> Result<Prepared, RunStoreError> {
        prepare::prepare(self.client.get_mut(), req)
    }

    fn payroll_summary(&self, run: RunId) -> Result<PayrollSummary, RunStoreError> {
        let row = self.conn()?.query_opt(
            "SELECT summary FROM payroll_runs WHERE run_id = $1",
            &[&run.to_string()],
        )?;
        let row = row.ok_or(RunStoreError::NotFound(run))?;
        Ok(from_json("payroll summary", &row.text(0)?)?)
    }

    fn payroll_mandates(
        &self,
        run: RunId,
    ) -> Result<Vec<(MandateKey, MandateTotals)>, RunStoreError> {
        let rows = self.conn()?.query(
            "SELECT account, function, totals FROM payroll_mandates WHERE run_id = $1 ORDER BY n",
            &[&run.to_string()],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push((
                MandateKey {
                    account: r.text(0)?,
                    function: r.text(1)?,
                },
                from_json("payroll mandate", &r.text(2)?)?,
            ));
        }
        Ok(out)
    }

    fn each_payroll_net(
        &self,
        run: RunId,
        key: &MandateKey,
        each: Each<'_, AgentNet>,
    ) -> Result<(), RunStoreError> {
        let run = run.to_string();
        each_row(
            &mut *self.conn()?,
            "SELECT n.matricule, n.amount, p.pay::json ->> 'last_name',
                    p.pay::json ->> 'first_name', coalesce(p.pay::json ->> 'civility', ''),
                    p.pay::json ->> 'iban', p.pay::json ->> 'bic'
             FROM payroll_nets n
             JOIN payroll_pays p ON p.run_id = n.run_id AND p.matricule = n.matricule
             WHERE n.run_id = $1 AND n.account = $2 AND n.function = $3 ORDER BY n.matricule",
            &[&run, &key.account, &key.function],
            net_of,
            each,
        )
    }

    fn each_payroll_pay(&self, run: RunId, each: Each<'_, AgentPay>) -> Result<(), RunStoreError> {
        self.each_json(
            "SELECT pay FROM payroll_pays WHERE run_id = $1 ORDER BY matricule",
            run,
            "payroll pay",
            each,
        )
    }

    fn each_payroll_exclusion(
        &self,
        run: RunId,
        each: Each<'_, PayrollExclusion>,
    ) -> Result<(), RunStoreError> {
        self.each_json(
            "SELECT exclusion FROM payroll_exclusions WHERE run_id = $1 ORDER BY matricule",
            run,
            "payroll exclusion",
            each,
        )
    }

    fn each_deferred(&self, run: RunId, each: Each<'_, Deferred>) -> Result<(), RunStoreError> {
        let run = run.to_string();
        each_row(
            &mut *self.conn()?,
            &format!("{DEFERRED} $1 ORDER BY matricule"),
            &[&run],
            deferred_of,
            each,
        )
    }
}
