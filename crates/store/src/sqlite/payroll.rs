//! Payroll runs in SQLite (see [`crate::payroll`] for the invariants the schema enforces).
//! Preparing reads the agents and their lines in matricule order, side by side, one agent at a
//! time ([`prepare`]); the reads below stream a run's rows in key order.

pub(crate) mod changes;
pub(crate) mod prepare;

use super::SqliteStore;
use super::decode::corrupt;
use crate::StoreError;
use crate::payroll::{AgentNet, AskChange, PayrollStore, PreparePayroll};
use crate::runs::{Each, Prepared, RunStoreError};
use relais_core::Cents;
use relais_core::payroll::{
    AgentPay, Deferred, MandateKey, MandateTotals, PayrollExclusion, PayrollSummary,
};
use relais_core::run::RunId;
use rusqlite::OptionalExtension;

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    what: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(what, &e.to_string()))
}

/// A row's columns by position, whichever the driver: the payroll's rows are decoded once,
/// for SQLite and PostgreSQL alike.
pub(crate) trait Cols {
    fn text(&self, i: usize) -> Result<String, StoreError>;
    fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError>;
    fn int(&self, i: usize) -> Result<i64, StoreError>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError>;
}

impl Cols for rusqlite::Row<'_> {
    fn text(&self, i: usize) -> Result<String, StoreError> {
        Ok(self.get(i)?)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        Ok(self.get(i)?)
    }
    fn int(&self, i: usize) -> Result<i64, StoreError> {
        Ok(self.get(i)?)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.get(i)?)
    }
}

/// An agent's net on a mandat: matricule, amount, then their last and first names, civility,
/// IBAN and BIC as paid.
pub(crate) fn net_of(r: &impl Cols) -> Result<AgentNet, StoreError> {
    let matricule = r.text(0)?;
    let (iban, bic) = (r.text(5)?, r.text(6)?);
    Ok(AgentNet {
        amount: Cents(r.int(1)?),
        last_name: r.text(2)?,
        first_name: r.text(3)?,
        civility: r.text(4)?,
        iban: relais_core::ids::Iban::parse(&iban)
            .map_err(|_| corrupt("agent IBAN", &matricule))?,
        bic: relais_core::ids::Bic::parse(&bic).map_err(|_| corrupt("agent BIC", &matricule))?,
        matricule,
    })
}

pub(crate) const DEFERRED: &str = "SELECT matricule, name, service, month, amount
     FROM payroll_deferred WHERE run_id = ";

pub(crate) fn deferred_of(r: &impl Cols) -> Result<Deferred, StoreError> {
    let month = r.text(3)?;
    Ok(Deferred {
        matricule: r.text(0)?,
        name: r.text(1)?,
        service: r.text(2)?,
        month: relais_core::calendar::Month::parse(&month)
            .map_err(|_| corrupt("deferred month", &month))?,
        amount: Cents(r.int(4)?),
    })
}

impl SqliteStore {
    /// Each row of `sql` (bound to the run), its first column decoded as JSON.
    fn each_json<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        run: RunId,
        what: &str,
        each: Each<'_, T>,
    ) -> Result<(), RunStoreError> {
        let mut stmt = self.conn.prepare(sql)?;
        let mut rows = stmt.query([run.to_string()])?;
        while let Some(r) = rows.next()? {
            let text: String = r.get(0)?;
            each(&from_json(what, &text)?)?;
        }
        Ok(())
    }
}

impl PayrollStore for SqliteStore {
    fn ask_payroll_change(
        &mut self,
        ask: &AskChange<'_>,
    ) -> Result<relais_core::payroll::ChangeRecord, RunStoreError> {
        changes::ask(&mut self.conn, ask)
    }

    fn decide_payroll_change(
        &mut self,
        actor: &str,
        id: u64,
        refusal: Option<&str>,
        local_time: &str,
    ) -> Result<relais_core::payroll::ChangeRecord, RunStoreError> {
        changes::decide(&mut self.conn, actor, id, refusal, local_time)
    }

    fn payroll_changes(
        &self,
        pending: bool,
    ) -> Result<Vec<relais_core::payroll::ChangeRecord>, RunStoreError> {
        changes::list(&self.conn, pending)
    }

    fn prepare_payroll(&mut self, req: &PreparePayroll<'_>) -> Result<Prepared, RunStoreError> {
        prepare::prepare(&mut self.conn, req)
    }

    fn payroll_summary(&self, run: RunId) -> Result<PayrollSummary, RunStoreError> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT summary FROM payroll_runs WHERE run_id = ?1",
                [run.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let text = text.ok_or(RunStoreError::NotFound(run))?;
        Ok(from_json("payroll summary", &text)?)
    }

    fn payroll_mandates(
        &self,
        run: RunId,
    ) -> Result<Vec<(MandateKey, MandateTotals)>, RunStoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT account, function, totals FROM payroll_mandates WHERE run_id = ?1 ORDER BY n",
        )?;
        let rows = stmt.query_map([run.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (account, function, totals) = row?;
            out.push((
                MandateKey { account, function },
                from_json("payroll mandate", &totals)?,
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
        let mut stmt = self.conn.prepare(
            "SELECT n.matricule, n.amount, json_extract(p.pay, '$.last_name'),
                    json_extract(p.pay, '$.first_name'),
                    coalesce(json_extract(p.pay, '$.civility'), ''),
                    json_extract(p.pay, '$.iban'), json_extract(p.pay, '$.bic')
             FROM payroll_nets n
             JOIN payroll_pays p ON p.run_id = n.run_id AND p.matricule = n.matricule
             WHERE n.run_id = ?1 AND n.account = ?2 AND n.function = ?3 ORDER BY n.matricule",
        )?;
        let mut rows = stmt.query((run.to_string(), &key.account, &key.function))?;
        while let Some(r) = rows.next()? {
            each(&net_of(r)?)?;
        }
        Ok(())
    }

    fn each_payroll_pay(&self, run: RunId, each: Each<'_, AgentPay>) -> Result<(), RunStoreError> {
        self.each_json(
            "SELECT pay FROM payroll_pays WHERE run_id = ?1 ORDER BY matricule",
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
            "SELECT exclusion FROM payroll_exclusions WHERE run_id = ?1 ORDER BY matricule",
            run,
            "payroll exclusion",
            each,
        )
    }

    fn each_deferred(&self, run: RunId, each: Each<'_, Deferred>) -> Result<(), RunStoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("{DEFERRED} ?1 ORDER BY matricule"))?;
        let mut rows = stmt.query([run.to_string()])?;
        while let Some(r) = rows.next()? {
            each(&deferred_of(r)?)?;
        }
        Ok(())
    }
}
