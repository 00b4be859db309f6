//! A run's life after it is prepared: validation (numbering from the exercice), cancellation,
//! the record of its export.

use super::read::{bordereau_count, run_or_not_found};
use super::review::totals;
use super::{authorize, corrupt, date};
use crate::runs::{RunRecord, RunStoreError};
use crate::sqlite::{journal, numbering};
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::journal::Entry;
use relais_core::roles::Role;
use relais_core::run::{RunId, RunStatus};
use rusqlite::{Connection, TransactionBehavior, params};
use serde_json::json;
/// Whether `actor` may validate `run` now (`local_time`, the authority's), every backend's
/// rule: `None` when `actor` already validated it (validating again changes nothing), else
/// the day of validation, whose year is the exercice. A run not prepared, its own preparer,
/// or a month of a later exercice (it waits for its exercice) are refused.
pub(crate) fn may_validate(
    run: &RunRecord,
    id: RunId,
    actor: &str,
    local_time: &str,
) -> Result<Option<Date>, RunStoreError> {
    match run.status {
        RunStatus::Validated if run.summary.validated_by.as_deref() == Some(actor) => {
            return Ok(None);
        }
        RunStatus::Prepared => {}
        status => {
            return Err(RunStoreError::WrongStatus {
                run: id,
                status,
                what: "validation",
            });
        }
    }
    if run.summary.prepared_by == actor {
        return Err(RunStoreError::SamePerson(actor.to_owned()));
    }
    // The exercice is the year of the bordereau's emission (`DteBordEm`, the validation's
    // date). A month of a later exercice waits for its exercice.
    let today = date(
        "validation time",
        local_time.get(..10).unwrap_or(local_time),
    )?;
    if id.month().year() > today.year() {
        return Err(RunStoreError::FutureExercice {
            month: id.month(),
            from: Date::new(id.month().year(), 1, 1).unwrap_or(today),
            today,
        });
    }
    Ok(Some(today))
}

pub(super) fn validate(
    conn: &mut Connection,
    id: RunId,
    actor: &str,
    local_time: &str,
) -> Result<RunRecord, RunStoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    authorize(&tx, actor, &[Role::Ordonnateur])?;
    let run = run_or_not_found(&tx, id)?;
    let Some(today) = may_validate(&run, id, actor, local_time)? else {
        return Ok(run);
    };
    let exercice = today.year();
    // One bordereau per 99,999 mandates; their numbers, and the mandates', taken together
    // from the exercice's numbering so that they follow the paierie's last ones.
    let count = bordereau_count(run.summary.mandates);
    let totals = totals(&tx, id)?;
    let mandated = Cents::checked_sum(totals.per_bordereau.values().map(|g| g.total))
        .ok_or_else(|| corrupt("run total", &id.to_string()))?;
    let taken = numbering::take(
        &tx,
        exercice,
        u32::try_from(count).unwrap_or(u32::MAX),
        u32::try_from(run.summary.mandates).unwrap_or(u32::MAX),
        mandated,
    )?
    .ok_or(RunStoreError::NoNumbering { exercice })?;
    let number = i64::from(taken.first_bordereau);
    let last = number + count - 1;
    crate::sqlite::suppliers::mark_mandated(
        &tx,
        &id.to_string(),
        actor,
        exercice,
        taken.first_bordereau,
        taken.first_mandate,
        &today.to_string(),
    )?;
    tx.execute(
        "UPDATE runs SET status = 'validated', validated_by = ?2, validated_at = ?3,
             exercice = ?4, bordereau = ?5, first_mandate = ?6, cumul_before = ?7
         WHERE id = ?1",
        params![
            id.to_string(),
            actor,
            local_time,
            exercice,
            number,
            taken.first_mandate,
            taken.cumul_before.0
        ],
    )?;
    journal::append(
        &tx,
        actor,
        "run_validate",
        &validate_payload(&run, exercice, number, last, &taken, mandated),
    )?;
    let run = run_or_not_found(&tx, id)?;
    tx.commit()?;
    Ok(run)
}

pub(super) fn cancel(
    conn: &mut Connection,
    id: RunId,
    actor: &str,
    reason: &str,
) -> Result<RunRecord, RunStoreError> {
    if reason.trim().is_empty() {
        return Err(RunStoreError::EmptyReason);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    authorize(&tx, actor, &[Role::Liquidation, Role::Ordonnateur])?;
    let run = run_or_not_found(&tx, id)?;
    if run.status != RunStatus::Prepared {
        return Err(RunStoreError::WrongStatus {
            run: id,
            status: run.status,
            what: "annulation",
        });
    }
    let freed = tx.execute("DELETE FROM run_claims WHERE run_id = ?1", [id.to_string()])?
        + tx.execute(
            "DELETE FROM payroll_claims WHERE run_id = ?1",
            [id.to_string()],
        )?
        + crate::sqlite::suppliers::free_claims(&tx, &id.to_string())?;
    tx.execute(
        "DELETE FROM payroll_deferred WHERE run_id = ?1",
        [id.to_string()],
    )?;
    tx.execute(
        "UPDATE runs SET status = 'cancelled', cancelled_by = ?2, cancelled_at = ?3,
             cancel_reason = ?4
         WHERE id = ?1",
        params![id.to_string(), actor, crate::sqlite::now(), reason.trim()],
    )?;
    journal::append(
        &tx,
        actor,
        "run_cancel",
        &json!({ "run": id.to_string(), "reason": reason.trim(), "freed": freed }),
    )?;
    let run = run_or_not_found(&tx, id)?;
    tx.commit()?;
    Ok(run)
}

pub(super) fn record_export(
    conn: &mut Connection,
    id: RunId,
    actor: &str,
    files: &serde_json::Value,
) -> Result<Entry, RunStoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    authorize(&tx, actor, &[Role::Liquidation, Role::Ordonnateur])?;
    let entry = journal::append(
        &tx,
        actor,
        "run_export",
        &json!({ "run": id.to_string(), "files": files }),
    )?;
    tx.commit()?;
    Ok(entry)
}

/// The journal payload of a run validated (`run_validate`): bordereaux `number..=last`.
pub(crate) fn validate_payload(
    run: &RunRecord,
    exercice: i16,
    number: i64,
    last: i64,
    taken: &numbering::Taken,
    mandated: Cents,
) -> serde_json::Value {
    json!({
        "run": run.id.to_string(),
        "exercice": exercice,
        "bordereaux": (number..=last).collect::<Vec<i64>>(),
        "mandats": [
            taken.first_mandate,
            u64::from(taken.first_mandate) + run.summary.mandates.saturating_sub(1)
        ],
        "cumul_annuel_avant_cents": taken.cumul_before.0,
        "cumul_annuel_cents": taken.cumul_before.0 + mandated.0,
        "lines": run.summary.lines,
        "total_cents": run.summary.total.0,
    })
}
