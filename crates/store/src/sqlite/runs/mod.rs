//! Payment runs in SQLite (see [`crate::runs`] for the invariants the schema enforces).
//!
//! `prepare` works in two passes inside one transaction, and holds one right at a time
//! (first, the history's payments of the month are copied to `run_claims`, see migration 13):
//! 1. the rights are read in key order (so that their history, their claims and the claims it
//!    inserts are all sequential in their b-trees); each is excluded with its reason, or
//!    claimed (`run_claims`) and its line given to external sorts ([`crate::sort`], memory
//!    bounded, the rest in unnamed temporary files): mandated lines by payee, pay date and
//!    right; the CAF's (RSA) by dossier and right; every line by person and benefit;
//! 2. the CAF's lines are written in their order, then the mandated lines, mandates and their
//!    lines numbered on the way (one mandate per payee and pay date, lines in right order),
//!    each payee copied to `run_payees` at its first line. Lines are kept in blocks of 1,000
//!    (`run_line_blocks`, compressed JSON, see [`super::blocks`]), not a row each.
//!
//! Totals and the lists of the control report are computed in the same transaction and kept
//! with the run: the totals per benefit, imputation, payee kind and the number of mandates as
//! the two passes go, the rest by queries.

pub(crate) mod candidate;
pub(crate) mod compare;
pub(crate) mod decide;
pub(crate) mod lifecycle;
pub(crate) mod lists;
pub(crate) mod numbering;
pub(crate) mod paid;
pub(crate) mod prepare;
pub(crate) mod read;
pub(crate) mod regularise;
pub(crate) mod renew;
pub(crate) mod review;
pub(crate) mod summary;
pub(crate) mod writer;

pub(crate) use read::{load as load_run, next_run_id};

use crate::StoreError;
use crate::regularisation::RegularisationError;
use crate::runs::{
    Each, PrepareRun, Prepared, RenewalOutcome, RunLine, RunPayee, RunRecord, RunStore,
    RunStoreError, RunTotals,
};
use crate::sqlite::decode::{benefit, corrupt, date};
use crate::sqlite::person_guard::{self};
use crate::sqlite::{SqliteStore, users};
use lifecycle::{cancel, record_export, validate};
use prepare::prepare;
use read::{each_caf, each_line, each_payee, load, run_or_not_found};
use relais_core::calendar::Month;
use relais_core::journal::Entry;
use relais_core::records::Benefit;
use relais_core::roles::Role;
use relais_core::run::{AmountChange, Anomaly, ExcludedRight, RenewalPolicy, RunId};
use renew::{approve_bank, renew};
use review::{each_anomaly, each_change, each_exclusion, totals};
use rusqlite::{Connection, Row};

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn authorize(conn: &Connection, actor: &str, roles: &[Role]) -> Result<(), StoreError> {
    users::require_any(conn, actor, roles)
}

pub(crate) fn benefits_text(benefits: &[Benefit]) -> String {
    let mut codes: Vec<&str> = benefits.iter().map(|b| b.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    codes.join(",")
}

/// Column `i` as text, borrowed from the row (no allocation).
fn text<'r>(row: &'r Row<'_>, i: usize) -> Result<&'r str, StoreError> {
    Ok(row.get_ref(i)?.as_str().map_err(rusqlite::Error::from)?)
}

/// Helper threads SQLite's sorter may use during `prepare` (`PRAGMA threads`).
const PREPARE_SORT_THREADS: i64 = 2;

impl RunStore for SqliteStore {
    fn history_totals(
        &self,
        from: Month,
        to: Month,
    ) -> Result<Vec<(Benefit, Month, relais_core::Cents)>, StoreError> {
        super::history_totals::history_totals(&self.conn, from, to)
    }

    fn prepare_run(
        &mut self,
        req: &PrepareRun<'_>,
        benefits: &[Benefit],
    ) -> Result<Prepared, RunStoreError> {
        // Foreign keys are not checked row by row here: every row `prepare` writes refers to
        // the run it has just inserted, in the same transaction, and to payees it has just
        // read. Checking them cost 1.5 to 2 s of a 2,000,000-right run (a lookup a row, and
        // the statement journals they call for). The pragma cannot change inside a
        // transaction: it is set around it, and back on for every other write.
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        // SQLite's sorter may sort and merge its runs on helper threads: the mandate order
        // (1.18 M lines at 2 M rights) and the comparison's grouping take ~0.8 s less on two
        // cores, for ~4 MB more memory (a sort buffer each), whatever the number of rights.
        self.conn
            .pragma_update(None, "threads", PREPARE_SORT_THREADS)?;
        let prepared = prepare(&mut self.conn, req, benefits);
        self.conn.pragma_update(None, "threads", 0)?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        prepared
    }

    fn run(&self, id: RunId) -> Result<Option<RunRecord>, RunStoreError> {
        load(&self.conn, id)
    }

    fn release_duplicate(
        &mut self,
        actor: &str,
        right: &str,
        month: Month,
        reason: &str,
        local_time: &str,
    ) -> Result<String, RunStoreError> {
        person_guard::release(&mut self.conn, actor, right, month, reason, local_time)
    }

    fn runs(&self) -> Result<Vec<RunRecord>, RunStoreError> {
        let ids: Vec<String> = self
            .conn
            .prepare("SELECT id FROM runs ORDER BY month DESC, seq DESC")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        ids.iter()
            .map(|id| {
                let id: RunId = id.parse().map_err(|_| corrupt("run id", id))?;
                run_or_not_found(&self.conn, id)
            })
            .collect()
    }

    fn validate_run(
        &mut self,
        id: RunId,
        actor: &str,
        local_time: &str,
    ) -> Result<RunRecord, RunStoreError> {
        validate(&mut self.conn, id, actor, local_time)
    }

    fn cancel_run(
        &mut self,
        id: RunId,
        actor: &str,
        reason: &str,
    ) -> Result<RunRecord, RunStoreError> {
        cancel(&mut self.conn, id, actor, reason)
    }

    fn each_run_payee(&self, id: RunId, each: Each<'_, RunPayee>) -> Result<(), RunStoreError> {
        each_payee(&self.conn, id, each)
    }

    fn each_run_line(
        &self,
        id: RunId,
        each: &mut dyn FnMut(&RunLine, &RunPayee) -> Result<(), RunStoreError>,
    ) -> Result<(), RunStoreError> {
        each_line(&self.conn, id, each)
    }

    fn each_caf_line(&self, id: RunId, each: Each<'_, RunLine>) -> Result<(), RunStoreError> {
        each_caf(&self.conn, id, each)
    }

    fn run_totals(&self, id: RunId) -> Result<RunTotals, RunStoreError> {
        totals(&self.conn, id)
    }

    fn each_run_exclusion(
        &self,
        id: RunId,
        each: Each<'_, ExcludedRight>,
    ) -> Result<(), RunStoreError> {
        each_exclusion(&self.conn, id, each)
    }

    fn each_run_anomaly(&self, id: RunId, each: Each<'_, Anomaly>) -> Result<(), RunStoreError> {
        each_anomaly(&self.conn, id, each)
    }

    fn each_run_change(
        &self,
        id: RunId,
        each: Each<'_, AmountChange>,
    ) -> Result<(), RunStoreError> {
        each_change(&self.conn, id, each)
    }

    fn record_run_export(
        &mut self,
        id: RunId,
        actor: &str,
        files: &serde_json::Value,
    ) -> Result<Entry, RunStoreError> {
        record_export(&mut self.conn, id, actor, files)
    }

    fn approve_bank_details(
        &mut self,
        payee_id: &str,
        actor: &str,
    ) -> Result<Entry, RunStoreError> {
        approve_bank(&mut self.conn, payee_id, actor)
    }

    fn renew_rights(
        &mut self,
        policy: &RenewalPolicy,
        actor: &str,
        dry_run: bool,
    ) -> Result<RenewalOutcome, RunStoreError> {
        renew(&mut self.conn, policy, actor, dry_run)
    }

    fn each_paid_claim(
        &self,
        months: &[Month],
        each: &mut dyn FnMut(&relais_core::reconcile::PaidClaim) -> Result<(), RunStoreError>,
    ) -> Result<(), RunStoreError> {
        paid::each_paid_claim(&self.conn, months, each)
    }
}

impl crate::regularisation::RegularisationStore for SqliteStore {
    fn regularisation(
        &self,
        run: RunId,
    ) -> Result<Option<crate::regularisation::RunRegularisation>, RegularisationError> {
        regularise::get(&self.conn, run)
    }

    fn run_exported(&self, run: RunId) -> Result<bool, RegularisationError> {
        regularise::exported(&self.conn, run)
    }

    fn record_regularisation(
        &mut self,
        req: &crate::regularisation::RecordRegularisation<'_>,
    ) -> Result<(crate::regularisation::RunRegularisation, bool), RegularisationError> {
        regularise::record(&mut self.conn, req)
    }
}
