//! Changes of an agent's situation: asked, decided once by another person, journaled; the
//! approved ones read by the payroll's preparation, in the order they were asked.

use crate::StoreError;
use crate::payroll::AskChange;
use crate::runs::RunStoreError;
use crate::sqlite::decode::corrupt;
use crate::sqlite::payroll::Cols;
use crate::sqlite::{journal, users};
use relais_core::payroll::{AgentChange, ChangeRecord};
use relais_core::roles::Role;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::json;
use std::collections::BTreeMap;

pub(crate) const COLUMNS: &str =
    "id, matricule, change, proof, reason, asked_by, asked_at, decided_by,
    decided_at, approved, refusal";

/// A change, its columns in [`COLUMNS`]'s order.
pub(crate) fn record_of(r: &impl Cols) -> Result<ChangeRecord, StoreError> {
    let id = r.int(0)?;
    Ok(ChangeRecord {
        id: u64::try_from(id).map_err(|_| corrupt("change id", &id.to_string()))?,
        matricule: r.text(1)?,
        change: parse(&r.text(2)?)?,
        proof: r.text(3)?,
        reason: r.text(4)?,
        asked_by: r.text(5)?,
        asked_at: r.text(6)?,
        decided_by: r.opt_text(7)?,
        decided_at: r.opt_text(8)?,
        approved: r.opt_int(9)?.map(|a| a != 0),
        refusal: r.opt_text(10)?,
    })
}

fn parse(change: &str) -> Result<AgentChange, StoreError> {
    serde_json::from_str(change).map_err(|e| corrupt("change", &e.to_string()))
}

/// Whether `matricule` is an agent (bound to `$1`/`?1`, written the same in both dialects).
pub(crate) const AGENT_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM agents WHERE matricule = $1)
         OR EXISTS (SELECT 1 FROM payroll_changes
                    WHERE matricule = $1 AND kind = 'entree' AND approved = 1)";

/// What is checked of a request before anything is read: its proof and reason.
pub(crate) fn check_ask(a: &AskChange<'_>) -> Result<(), RunStoreError> {
    if a.proof.trim().is_empty() {
        return Err(RunStoreError::NoProof);
    }
    if a.reason.trim().is_empty() {
        return Err(RunStoreError::EmptyReason);
    }
    Ok(())
}

/// The change as stored (JSON).
pub(crate) fn change_text(a: &AskChange<'_>) -> Result<String, StoreError> {
    serde_json::to_string(&a.change).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn ask_payload(id: u64, a: &AskChange<'_>) -> serde_json::Value {
    json!({
        "id": id,
        "matricule": a.matricule,
        "kind": a.change.code(),
        "change": a.change,
        "proof": a.proof.trim(),
        "reason": a.reason.trim(),
    })
}

/// Whether `record` may be decided by `actor`: not yet decided, not asked by them.
pub(crate) fn check_decide(
    record: &ChangeRecord,
    actor: &str,
    id: u64,
) -> Result<(), RunStoreError> {
    if record.approved.is_some() {
        return Err(RunStoreError::ChangeDecided(id));
    }
    if record.asked_by == actor {
        return Err(RunStoreError::SameAsker(actor.to_owned()));
    }
    Ok(())
}

pub(crate) fn decide_payload(
    id: u64,
    record: &ChangeRecord,
    refusal: Option<&str>,
) -> serde_json::Value {
    json!({
        "id": id,
        "matricule": record.matricule,
        "kind": record.change.code(),
        "approved": refusal.is_none(),
        "refusal": refusal.map(str::trim),
    })
}

/// The approved changes of `rows` (matricule, change; in the order they were asked) by
/// matricule.
pub(crate) fn group_approved(
    rows: impl IntoIterator<Item = Result<(String, String), StoreError>>,
) -> Result<BTreeMap<String, Vec<AgentChange>>, StoreError> {
    let mut out: BTreeMap<String, Vec<AgentChange>> = BTreeMap::new();
    for row in rows {
        let (matricule, change) = row?;
        out.entry(matricule).or_default().push(parse(&change)?);
    }
    Ok(out)
}

/// The approved changes, read by [`group_approved`].
pub(crate) const APPROVED: &str =
    "SELECT matricule, change FROM payroll_changes WHERE approved = 1 ORDER BY id";

/// Refusals without a reason are refused before anything is read.
pub(crate) fn check_refusal(refusal: Option<&str>) -> Result<(), RunStoreError> {
    if refusal.is_some_and(|r| r.trim().is_empty()) {
        return Err(RunStoreError::EmptyReason);
    }
    Ok(())
}

/// The changes, newest first; only those waiting when `pending`.
pub(crate) fn list_sql(pending: bool) -> String {
    let filter = if pending {
        "WHERE decided_by IS NULL"
    } else {
        ""
    };
    format!("SELECT {COLUMNS} FROM payroll_changes {filter} ORDER BY id DESC")
}

fn load(conn: &Connection, id: u64) -> Result<Option<ChangeRecord>, StoreError> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM payroll_changes WHERE id = ?1"),
        [i64::try_from(id).unwrap_or(i64::MAX)],
        |r| Ok(record_of(r)),
    )
    .optional()?
    .transpose()
}

/// Whether `matricule` is an agent: in `agents.csv`, or entered by an approved change.
fn agent_exists(conn: &Connection, matricule: &str) -> Result<bool, StoreError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM agents WHERE matricule = ?1)
             OR EXISTS (SELECT 1 FROM payroll_changes
                        WHERE matricule = ?1 AND kind = 'entree' AND approved = 1)",
        [matricule],
        |r| r.get(0),
    )?)
}

pub(super) fn ask(conn: &mut Connection, a: &AskChange<'_>) -> Result<ChangeRecord, RunStoreError> {
    check_ask(a)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    users::require_any(&tx, a.actor, &[Role::Liquidation, Role::Instruction])?;
    let entry = matches!(a.change, AgentChange::Entry(_));
    if !entry && !agent_exists(&tx, a.matricule)? {
        return Err(RunStoreError::UnknownAgent(a.matricule.to_owned()));
    }
    let change = change_text(a)?;
    tx.execute(
        "INSERT INTO payroll_changes (matricule, kind, change, proof, reason, asked_by, asked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            a.matricule,
            a.change.code(),
            change,
            a.proof.trim(),
            a.reason.trim(),
            a.actor,
            a.local_time
        ],
    )?;
    let id = u64::try_from(tx.last_insert_rowid()).unwrap_or(0);
    journal::append(&tx, a.actor, "payroll_change_ask", &ask_payload(id, a))?;
    let record = load(&tx, id)?.ok_or(RunStoreError::ChangeNotFound(id))?;
    tx.commit()?;
    Ok(record)
}

pub(super) fn decide(
    conn: &mut Connection,
    actor: &str,
    id: u64,
    refusal: Option<&str>,
    local_time: &str,
) -> Result<ChangeRecord, RunStoreError> {
    check_refusal(refusal)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    users::require_any(&tx, actor, &[Role::Ordonnateur])?;
    let record = load(&tx, id)?.ok_or(RunStoreError::ChangeNotFound(id))?;
    check_decide(&record, actor, id)?;
    tx.execute(
        "UPDATE payroll_changes SET decided_by = ?2, decided_at = ?3, approved = ?4, refusal = ?5
         WHERE id = ?1",
        params![
            i64::try_from(id).unwrap_or(i64::MAX),
            actor,
            local_time,
            refusal.is_none(),
            refusal.map(str::trim)
        ],
    )?;
    journal::append(
        &tx,
        actor,
        "payroll_change_decide",
        &decide_payload(id, &record, refusal),
    )?;
    let record = load(&tx, id)?.ok_or(RunStoreError::ChangeNotFound(id))?;
    tx.commit()?;
    Ok(record)
}

pub(super) fn list(conn: &Connection, pending: bool) -> Result<Vec<ChangeRecord>, RunStoreError> {
    let mut stmt = conn.prepare(&list_sql(pending))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(record_of(r)?);
    }
    Ok(out)
}

/// The approved changes by matricule, each agent's in the order they were asked.
pub(super) fn approved(
    conn: &Connection,
) -> Result<BTreeMap<String, Vec<AgentChange>>, StoreError> {
    let mut stmt = conn.prepare(APPROVED)?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    group_approved(rows.map(|r| r.map_err(StoreError::from)))
}
