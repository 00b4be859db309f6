//! Changes of an agent's situation on PostgreSQL, as on SQLite (`sqlite/payroll/changes.rs`,
//! whose rules, columns and journal payloads are shared): asked, decided once by another
//! person, journaled; the approved ones read by the payroll's preparation.

use super::super::{journal, users, write};
use crate::StoreError;
use crate::payroll::AskChange;
use crate::runs::RunStoreError;
use crate::sqlite::payroll::changes::{
    AGENT_EXISTS, APPROVED, COLUMNS, ask_payload, change_text, check_ask, check_decide,
    check_refusal, decide_payload, group_approved, list_sql, record_of,
};
use postgres::{Client, GenericClient};
use relais_core::payroll::{AgentChange, ChangeRecord};
use relais_core::roles::Role;
use std::collections::BTreeMap;

fn load(c: &mut impl GenericClient, id: u64) -> Result<Option<ChangeRecord>, StoreError> {
    c.query_opt(
        &format!("SELECT {COLUMNS} FROM payroll_changes WHERE id = $1"),
        &[&i64::try_from(id).unwrap_or(i64::MAX)],
    )?
    .as_ref()
    .map(record_of)
    .transpose()
}

pub(super) fn ask(client: &mut Client, a: &AskChange<'_>) -> Result<ChangeRecord, RunStoreError> {
    check_ask(a)?;
    let mut tx = write(client)?;
    users::require_any(&mut tx, a.actor, &[Role::Liquidation, Role::Instruction])?;
    let entry = matches!(a.change, AgentChange::Entry(_));
    if !entry {
        let exists: bool = tx.query_one(AGENT_EXISTS, &[&a.matricule])?.try_get(0)?;
        if !exists {
            return Err(RunStoreError::UnknownAgent(a.matricule.to_owned()));
        }
    }
    let row = tx.query_one(
        "INSERT INTO payroll_changes (matricule, kind, change, proof, reason, asked_by, asked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        &[
            &a.matricule,
            &a.change.code(),
            &change_text(a)?,
            &a.proof.trim(),
            &a.reason.trim(),
            &a.actor,
            &a.local_time,
        ],
    )?;
    let id = u64::try_from(row.try_get::<_, i64>(0)?).unwrap_or(0);
    journal::append(&mut tx, a.actor, "payroll_change_ask", &ask_payload(id, a))?;
    let record = load(&mut tx, id)?.ok_or(RunStoreError::ChangeNotFound(id))?;
    tx.commit()?;
    Ok(record)
}

pub(super) fn decide(
    client: &mut Client,
    actor: &str,
    id: u64,
    refusal: Option<&str>,
    local_time: &str,
) -> Result<ChangeRecord, RunStoreError> {
    check_refusal(refusal)?;
    let mut tx = write(client)?;
    users::require_any(&mut tx, actor, &[Role::Ordonnateur])?;
    let record = load(&mut tx, id)?.ok_or(RunStoreError::ChangeNotFound(id))?;
    check_decide(&record, actor, id)?;
    tx.execute(
        "UPDATE payroll_changes SET decided_by = $2, decided_at = $3, approved = $4, refusal = $5
         WHERE id = $1",
        &[
            &i64::try_from(id).unwrap_or(i64::MAX),
            &actor,
            &local_time,
            &i64::from(refusal.is_none()),
            &refusal.map(str::trim),
        ],
    )?;
    journal::append(
        &mut tx,
        actor,
        "payroll_change_decide",
        &decide_payload(id, &record, refusal),
    )?;
    let record = load(&mut tx, id)?.ok_or(RunStoreError::ChangeNotFound(id))?;
    tx.commit()?;
    Ok(record)
}

pub(super) fn list(
    c: &mut impl GenericClient,
    pending: bool,
) -> Result<Vec<ChangeRecord>, RunStoreError> {
    Ok(c.query(&list_sql(pending), &[])?
        .iter()
        .map(record_of)
        .collect::<Result<_, _>>()?)
}

/// The approved changes by matricule, each agent's in the order they were asked.
pub(super) fn approved(
    c: &mut impl GenericClient,
) -> Result<BTreeMap<String, Vec<AgentChange>>, StoreError> {
    group_approved(
        c.query(APPROVED, &[])?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?))),
    )
}
