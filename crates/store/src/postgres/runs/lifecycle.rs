//! A run's life after it is prepared, on PostgreSQL (as `sqlite/runs/lifecycle.rs`):
//! validation (numbering from the exercice), cancellation, the record of its export.

use super::numbering;
use super::read::run_or_not_found;
use super::review::totals;
use crate::postgres::{journal, users, write};
use crate::runs::{MANDATES_PER_BORDEREAU, RunRecord, RunStoreError};
use crate::sqlite::decode::corrupt;
use crate::sqlite::runs::lifecycle::{may_validate, validate_payload};
use crate::sqlite::runs::read::bordereau_count;
use postgres::{Client, GenericClient};
use relais_core::Cents;
use relais_core::invoices::lifecycle::InvoiceEvent;
use relais_core::journal::Entry;
use relais_core::roles::Role;
use relais_core::run::{RunId, RunStatus};
use serde_json::json;

pub(crate) fn validate(
    client: &mut Client,
    id: RunId,
    actor: &str,
    local_time: &str,
) -> Result<RunRecord, RunStoreError> {
    let mut tx = write(client)?;
    users::require_any(&mut tx, actor, &[Role::Ordonnateur])?;
    let run = run_or_not_found(&mut tx, id)?;
    let Some(today) = may_validate(&run, id, actor, local_time)? else {
        return Ok(run);
    };
    let exercice = today.year();
    let count = bordereau_count(run.summary.mandates);
    let totals = totals(&mut tx, id)?;
    let mandated = Cents::checked_sum(totals.per_bordereau.values().map(|g| g.total))
        .ok_or_else(|| corrupt("run total", &id.to_string()))?;
    let taken = numbering::take(
        &mut tx,
        exercice,
        u32::try_from(count).unwrap_or(u32::MAX),
        u32::try_from(run.summary.mandates).unwrap_or(u32::MAX),
        mandated,
    )?
    .ok_or(RunStoreError::NoNumbering { exercice })?;
    let number = i64::from(taken.first_bordereau);
    let last = number + count - 1;
    mark_mandated(
        &mut tx,
        &id.to_string(),
        actor,
        exercice,
        taken.first_bordereau,
        taken.first_mandate,
        &today.to_string(),
    )?;
    tx.execute(
        "UPDATE runs SET status = 'validated', validated_by = $2, validated_at = $3,
             exercice = $4, bordereau = $5, first_mandate = $6, cumul_before = $7
         WHERE id = $1",
        &[
            &id.to_string(),
            &actor,
            &local_time,
            &i64::from(exercice),
            &number,
            &i64::from(taken.first_mandate),
            &taken.cumul_before.0,
        ],
    )?;
    journal::append(
        &mut tx,
        actor,
        "run_validate",
        &validate_payload(&run, exercice, number, last, &taken, mandated),
    )?;
    let run = run_or_not_found(&mut tx, id)?;
    tx.commit()?;
    Ok(run)
}

/// On validation of supplier run `run`: each invoice recorded as mandated (as SQLite's
/// `suppliers::mark_mandated`), in the same transaction. Nothing for another kind of run.
pub(crate) fn mark_mandated(
    tx: &mut impl GenericClient,
    run: &str,
    actor: &str,
    exercice: i16,
    first_bordereau: u32,
    first_mandate: u32,
    on: &str,
) -> Result<(), RunStoreError> {
    let rows = tx.query(
        "SELECT n, invoice FROM supplier_mandates WHERE run_id = $1 AND kind = 'facture'
         ORDER BY n",
        &[&run],
    )?;
    let now = crate::now();
    for r in &rows {
        let (n, invoice): (i64, String) = (r.try_get(0)?, r.try_get(1)?);
        let index = u32::try_from(n).unwrap_or(0).saturating_sub(1);
        let event = InvoiceEvent::Mandated {
            run: run.to_owned(),
            exercice,
            bordereau: first_bordereau.saturating_add(index / MANDATES_PER_BORDEREAU),
            mandate: first_mandate.saturating_add(index),
        };
        tx.execute(
            "INSERT INTO invoice_steps (invoice, kind, step, actor, on_date, at)
             VALUES ($1, 'mandatee', $2, $3, $4, $5)",
            &[
                &invoice,
                &crate::sqlite::runs::to_json(&event)?,
                &actor,
                &on,
                &now,
            ],
        )?;
    }
    Ok(())
}

pub(crate) fn cancel(
    client: &mut Client,
    id: RunId,
    actor: &str,
    reason: &str,
) -> Result<RunRecord, RunStoreError> {
    if reason.trim().is_empty() {
        return Err(RunStoreError::EmptyReason);
    }
    let mut tx = write(client)?;
    users::require_any(&mut tx, actor, &[Role::Liquidation, Role::Ordonnateur])?;
    let run = run_or_not_found(&mut tx, id)?;
    if run.status != RunStatus::Prepared {
        return Err(RunStoreError::WrongStatus {
            run: id,
            status: run.status,
            what: "annulation",
        });
    }
    let run_text = id.to_string();
    let mut freed = 0;
    for table in ["run_claims", "payroll_claims", "supplier_claims"] {
        freed += tx.execute(
            &format!("DELETE FROM {table} WHERE run_id = $1"),
            &[&run_text],
        )?;
    }
    tx.execute(
        "DELETE FROM payroll_deferred WHERE run_id = $1",
        &[&run_text],
    )?;
    tx.execute(
        "UPDATE runs SET status = 'cancelled', cancelled_by = $2, cancelled_at = $3,
             cancel_reason = $4
         WHERE id = $1",
        &[&run_text, &actor, &crate::now(), &reason.trim()],
    )?;
    journal::append(
        &mut tx,
        actor,
        "run_cancel",
        &json!({ "run": run_text, "reason": reason.trim(), "freed": freed }),
    )?;
    let run = run_or_not_found(&mut tx, id)?;
    tx.commit()?;
    Ok(run)
}

pub(crate) fn record_export(
    client: &mut Client,
    id: RunId,
    actor: &str,
    files: &serde_json::Value,
) -> Result<Entry, RunStoreError> {
    let mut tx = write(client)?;
    users::require_any(&mut tx, actor, &[Role::Liquidation, Role::Ordonnateur])?;
    let entry = journal::append(
        &mut tx,
        actor,
        "run_export",
        &json!({ "run": id.to_string(), "files": files }),
    )?;
    tx.commit()?;
    Ok(entry)
}
