//! The second guard against paying twice: the claims' key refuses a right paid twice for a
//! month, but a right the source system numbered again (`DR0000003-1` → `DR0000003-1R` in a
//! later extract) is another key. A claim also keeps its person and benefit, and a line that
//! would pay a person a benefit already paid that month under another right is excluded
//! (`already_paid_other_right`), until an ordonnateur releases that right for that month by a
//! decision naming it (`relais run release`, journaled).

use super::{journal, users};
use crate::StoreError;
use crate::runs::RunStoreError;
use relais_core::calendar::Month;
use relais_core::records::Benefit;
use relais_core::roles::Role;
use rusqlite::{Connection, OptionalExtension, Statement, TransactionBehavior, params};
use serde_json::json;

/// The month's claims looked up by person and benefit, for one run's preparation.
pub(super) struct PersonGuard<'c> {
    lookup: Statement<'c>,
    released: Statement<'c>,
}

impl<'c> PersonGuard<'c> {
    /// `None` when no claim of `month` exists before run `run` (the usual case: the month
    /// after the history), so that a run of two million rights makes no lookup at all.
    pub(super) fn new(
        conn: &'c Connection,
        month: &str,
        run: &str,
    ) -> Result<Option<PersonGuard<'c>>, StoreError> {
        let any: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM run_claims
             WHERE month = ?1 AND dossier IS NOT NULL AND run_id IS NOT ?2)",
            params![month, run],
            |r| r.get(0),
        )?;
        if !any {
            return Ok(None);
        }
        let mut lookup = conn.prepare(
            "SELECT right_id FROM run_claims
             WHERE month = ?1 AND dossier = ?2 AND benefit = ?3 AND right_id <> ?4
               AND run_id IS NOT ?5
             ORDER BY right_id LIMIT 1",
        )?;
        lookup.raw_bind_parameter(1, month)?;
        lookup.raw_bind_parameter(5, run)?;
        let mut released = conn.prepare(
            "SELECT EXISTS (SELECT 1 FROM duplicate_releases WHERE right_id = ?1 AND month = ?2)",
        )?;
        released.raw_bind_parameter(2, month)?;
        Ok(Some(PersonGuard { lookup, released }))
    }

    /// The other right under which `dossier` was paid `benefit` this month, when `right` was
    /// not released by an ordonnateur.
    pub(super) fn paid_under(
        &mut self,
        dossier: &str,
        benefit: Benefit,
        right: &str,
    ) -> Result<Option<String>, StoreError> {
        self.lookup.raw_bind_parameter(2, dossier)?;
        self.lookup.raw_bind_parameter(3, benefit.code())?;
        self.lookup.raw_bind_parameter(4, right)?;
        let other: Option<String> = {
            let mut rows = self.lookup.raw_query();
            match rows.next()? {
                Some(r) => Some(r.get(0)?),
                None => None,
            }
        };
        let Some(other) = other else {
            return Ok(None);
        };
        self.released.raw_bind_parameter(1, right)?;
        let mut rows = self.released.raw_query();
        let released: bool = match rows.next()? {
            Some(r) => r.get(0)?,
            None => false,
        };
        Ok((!released).then_some(other))
    }
}

/// Records an ordonnateur's decision that right `right` may be paid for `month` although its
/// person was paid the same benefit that month under another right (the next preparation
/// pays it), with its reason, journaled. Refused for anyone but an ordonnateur, and for a
/// right that is no such case (no other right of the person for that benefit paid that month
/// by the history or a run).
pub(super) fn release(
    conn: &mut Connection,
    actor: &str,
    right: &str,
    month: Month,
    reason: &str,
    at: &str,
) -> Result<String, RunStoreError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(RunStoreError::EmptyReason);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    users::require_any(&tx, actor, &[Role::Ordonnateur])?;
    let month_text = month.to_string();
    let person: Option<(String, String)> = tx
        .query_row(
            "SELECT dossier, benefit FROM rights WHERE id = ?1",
            [right],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((dossier, benefit)) = person else {
        return Err(RunStoreError::UnknownRight(right.to_owned()));
    };
    let other: Option<String> = tx
        .query_row(
            "SELECT right_id FROM (
                 SELECT right_id FROM run_claims WHERE month = ?1 AND dossier = ?2 AND benefit = ?3
                 UNION
                 SELECT h.right_id FROM past_payments h JOIN rights r ON r.id = h.right_id
                 WHERE h.month = ?1 AND r.dossier = ?2 AND r.benefit = ?3)
             WHERE right_id <> ?4 ORDER BY right_id LIMIT 1",
            params![month_text, dossier, benefit, right],
            |r| r.get(0),
        )
        .optional()?;
    let Some(other) = other else {
        return Err(RunStoreError::NotADuplicate {
            right: right.to_owned(),
            month,
        });
    };
    tx.execute(
        "INSERT OR IGNORE INTO duplicate_releases (right_id, month, decided_by, decided_at, reason)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![right, month_text, actor, at, reason],
    )?;
    journal::append(
        &tx,
        actor,
        "run_release_duplicate",
        &json!({ "right": right, "month": month_text, "dossier": dossier,
                 "benefit": benefit, "paid_under": other, "reason": reason }),
    )?;
    tx.commit()?;
    Ok(other)
}
