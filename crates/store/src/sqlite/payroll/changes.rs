//! Changes of an agent's situation: asked, decided once by another person, journaled; the
//! approved ones read by the payroll's preparation, in the order they were asked.

use crate::StoreError;
use crate::payroll::AskChange;
use crate::runs::RunStoreError;
use crate::sqlite::decode::corrupt;
use crate::sqlite::{journal, users};
use relais_core::payroll::{AgentChange, ChangeRecord};
use relais_core::roles::Role;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde_json::json;
use std::collections::BTreeMap;

const COLUMNS: &str = "id, matricule, change, proof, reason, asked_by, asked_at, decided_by,
    decided_at, approved, refusal";

fn record_of(r: &Row<'_>) -> Result<ChangeRecord, StoreError> {
    let change: String = r.get(2)?;
    let id: i64 = r.get(0)?;
    Ok(ChangeRecord {
        id: u64::try_from(id).map_err(|_| corrupt("change id", &id.to_string()))?,
        matricule: r.get(1)?,
        change: serde_json::from_str(&change).map_err(|e| corrupt("change", &e.to_string()))?,
        proof: r.get(3)?,
        reason: r.get(4)?,
        asked_by: r.get(5)?,
        asked_at: r.get(6)?,
        decided_by: r.get(7)?,
        decided_at: r.get(8)?,
        approved: r.get::<_, Option<i64>>(9)?.map(|a| a != 0),
        refusal: r.get(10)?,
    })
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
    if a.proof.trim().is_empty() {
        return Err(RunStoreError::NoProof);
    }
    if a.reason.trim().is_empty() {
        return Err(RunStoreError::EmptyReason);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    users::require_any(&tx, a.actor, &[Role::Liquidation, Role::Instruction])?;
    let entry = matches!(a.change, AgentChange::Entry(_));
    if !entry && !agent_exists(&tx, a.matricule)? {
        return Err(RunStoreError::UnknownAgent(a.matricule.to_owned()));
    }
    let change =
        serde_json::to_string(&a.change).map_err(|e| StoreError::Corrupt(e.to_string()))?;
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
    journal::append(
        &tx,
        a.actor,
        "payroll_change_ask",
        &json!({
            "id": id,
            "matricule": a.matricule,
            "kind": a.change.code(),
            "change": a.change,
            "proof": a.proof.trim(),
            "reason": a.reason.trim(),
        }),
    )?;
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
    if refusal.is_some_and(|r| r.trim().is_empty()) {
        return Err(RunStoreError::EmptyReason);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    users::require_any(&tx, actor, &[Role::Ordonnateur])?;
    let record = load(&tx, id)?.ok_or(RunStoreError::ChangeNotFound(id))?;
    if record.approved.is_some() {
        return Err(RunStoreError::ChangeDecided(id));
    }
    if record.asked_by == actor {
        return Err(RunStoreError::SameAsker(actor.to_owned()));
    }
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
        &json!({
            "id": id,
            "matricule": record.matricule,
            "kind": record.change.code(),
            "approved": refusal.is_none(),
            "refusal": refusal.map(str::trim),
        }),
    )?;
    let record = load(&tx, id)?.ok_or(RunStoreError::ChangeNotFound(id))?;
    tx.commit()?;
    Ok(record)
}

pub(super) fn list(conn: &Connection, pending: bool) -> Result<Vec<ChangeRecord>, RunStoreError> {
    let filter = if pending {
        "WHERE decided_by IS NULL"
    } else {
        ""
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM payroll_changes {filter} ORDER BY id DESC"
    ))?;
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
    let mut stmt = conn
        .prepare("SELECT matricule, change FROM payroll_changes WHERE approved = 1 ORDER BY id")?;
    let mut rows = stmt.query([])?;
    let mut out: BTreeMap<String, Vec<AgentChange>> = BTreeMap::new();
    while let Some(r) = rows.next()? {
        let change: String = r.get(1)?;
        out.entry(r.get(0)?)
            .or_default()
            .push(serde_json::from_str(&change).map_err(|e| corrupt("change", &e.to_string()))?);
    }
    Ok(out)
}
