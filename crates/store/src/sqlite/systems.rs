//! The systems' inventory in SQLite: import, status changes (each with its history row, a
//! main courante entry and journal events, in one transaction), the dashboard's summary.

use super::courante::{self, WRITERS};
use super::{journal, timestamp, users};
use crate::StoreError;
use crate::crisis::{CrisisError, SystemsImported};
use relais_core::crisis::{
    Criticality, EntryContent, EntryKind, NewEntry, NewSystem, StatusChange, System, SystemStatus,
    SystemsSummary,
};
use rusqlite::{Connection, OptionalExtension, Row};
use serde_json::json;

pub(crate) const SELECT: &str = "SELECT id, name, function, criticality, owner, site_code, status,
    status_at, status_by FROM systems";

pub(crate) fn status(s: &str) -> Result<SystemStatus, StoreError> {
    SystemStatus::parse(s).ok_or_else(|| StoreError::Corrupt(format!("system status {s:?}")))
}

fn read(r: &Row<'_>) -> Result<System, StoreError> {
    let criticality: String = r.get(3)?;
    Ok(System {
        id: r.get(0)?,
        name: r.get(1)?,
        function: r.get(2)?,
        criticality: Criticality::parse(&criticality)
            .ok_or_else(|| StoreError::Corrupt(format!("criticality {criticality:?}")))?,
        owner: r.get(4)?,
        site: r.get(5)?,
        status: status(&r.get::<_, String>(6)?)?,
        status_at: timestamp(&r.get::<_, String>(7)?)?,
        status_by: r.get(8)?,
    })
}

fn get(conn: &Connection, id: &str) -> Result<Option<System>, StoreError> {
    let mut stmt = conn.prepare(&format!("{SELECT} WHERE id = ?1"))?;
    let mut rows = stmt.query([id])?;
    rows.next()?.map(read).transpose()
}

pub(crate) fn list(conn: &Connection) -> Result<Vec<System>, StoreError> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY id"))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(read(r)?);
    }
    Ok(out)
}

pub(crate) fn import(
    conn: &mut Connection,
    actor: &str,
    systems: &[NewSystem],
) -> Result<SystemsImported, CrisisError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    users::require_any(&tx, actor, WRITERS)?;
    let now = super::now();
    let mut done = SystemsImported::default();
    for s in systems {
        let known = get(&tx, &s.id)?.is_some();
        // A known system is described again; its status is only ever changed by the workflow.
        tx.execute(
            "INSERT INTO systems (id, name, function, criticality, owner, site_code, status,
                                  status_at, status_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, function = excluded.function,
                 criticality = excluded.criticality, owner = excluded.owner,
                 site_code = excluded.site_code",
            rusqlite::params![
                s.id,
                s.name,
                s.function,
                s.criticality.as_str(),
                s.owner,
                s.site,
                s.status.as_str(),
                now,
                actor
            ],
        )?;
        if known {
            done.updated += 1;
            continue;
        }
        tx.execute(
            "INSERT INTO system_status_changes (system_id, from_status, to_status, at, by, note)
             VALUES (?1, NULL, ?2, ?3, ?4, 'inventaire importé')",
            rusqlite::params![s.id, s.status.as_str(), now, actor],
        )?;
        done.added += 1;
    }
    journal::append(&tx, actor, "systems.import", &import_payload(done, systems))?;
    tx.commit()?;
    Ok(done)
}

pub(crate) fn set_status(
    conn: &mut Connection,
    actor: &str,
    id: &str,
    to: SystemStatus,
    note: Option<&str>,
) -> Result<StatusChange, CrisisError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    users::require_any(&tx, actor, WRITERS)?;
    let system = get(&tx, id)?.ok_or_else(|| CrisisError::UnknownSystem(id.to_owned()))?;
    system.status.check_transition(to)?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    let entry = courante::append(&tx, actor, &status_entry(&system, to, note))?;
    let at = entry.at;
    tx.execute(
        "UPDATE systems SET status = ?2, status_at = ?3, status_by = ?4 WHERE id = ?1",
        rusqlite::params![id, to.as_str(), at.to_string(), actor],
    )?;
    tx.execute(
        "INSERT INTO system_status_changes (system_id, from_status, to_status, at, by, note, entry)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![
            id,
            system.status.as_str(),
            to.as_str(),
            at.to_string(),
            actor,
            note,
            entry.id
        ],
    )?;
    let change = StatusChange {
        system: id.to_owned(),
        from: Some(system.status),
        to,
        at,
        by: actor.to_owned(),
        note: note.map(str::to_owned),
        entry: Some(entry.id),
    };
    journal::append(&tx, actor, "system.status", &change_payload(&change))?;
    tx.commit()?;
    Ok(change)
}

/// The main courante entry (an action, linked to the system and its site) that says
/// `system` moves to `to`, with the agent's `note` (trimmed, not empty).
pub(crate) fn status_entry(system: &System, to: SystemStatus, note: Option<&str>) -> NewEntry {
    let text = format!(
        "Système {} ({}) : {} → {}{}",
        system.id,
        system.name,
        system.status,
        to,
        note.map(|n| format!(". {n}")).unwrap_or_default()
    );
    NewEntry {
        at: None,
        content: EntryContent {
            system: Some(system.id.clone()),
            site: system.site.clone(),
            ..EntryContent::new(EntryKind::Action, text)
        },
    }
}

/// The journal payload of a change of status.
pub(crate) fn change_payload(c: &StatusChange) -> serde_json::Value {
    json!({ "system": c.system, "from": c.from.map(|s| s.as_str()), "to": c.to.as_str(),
            "note": c.note, "entry": c.entry })
}

/// The journal payload of an import of the inventory.
pub(crate) fn import_payload(done: SystemsImported, systems: &[NewSystem]) -> serde_json::Value {
    let ids: Vec<&str> = systems.iter().map(|s| s.id.as_str()).collect();
    json!({ "added": done.added, "updated": done.updated, "systems": ids })
}

/// The dashboard's summary from the counts per status and the inventory.
pub(crate) fn summarise(by_status: Vec<(SystemStatus, u64)>, all: Vec<System>) -> SystemsSummary {
    let critical_not_restored = all
        .into_iter()
        .filter(|s| s.criticality == Criticality::Critical && s.status != SystemStatus::Restored)
        .collect();
    SystemsSummary {
        by_status,
        critical_not_restored,
    }
}

pub(crate) fn history(conn: &Connection, id: &str) -> Result<Vec<StatusChange>, CrisisError> {
    if get(conn, id)?.is_none() {
        return Err(CrisisError::UnknownSystem(id.to_owned()));
    }
    let mut stmt = conn.prepare(
        "SELECT from_status, to_status, at, by, note, entry FROM system_status_changes
         WHERE system_id = ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query([id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(StatusChange {
            system: id.to_owned(),
            from: r
                .get::<_, Option<String>>(0)?
                .as_deref()
                .map(status)
                .transpose()?,
            to: status(&r.get::<_, String>(1)?)?,
            at: timestamp(&r.get::<_, String>(2)?)?,
            by: r.get(3)?,
            note: r.get(4)?,
            entry: r.get(5)?,
        });
    }
    Ok(out)
}

pub(crate) fn summary(conn: &Connection) -> Result<SystemsSummary, StoreError> {
    let mut by_status = Vec::new();
    for s in SystemStatus::ALL {
        let n: Option<i64> = conn
            .query_row(
                "SELECT count(*) FROM systems WHERE status = ?1",
                [s.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        by_status.push((*s, n.unwrap_or(0).max(0) as u64));
    }
    Ok(summarise(by_status, list(conn)?))
}
