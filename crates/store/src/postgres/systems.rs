//! The systems' inventory on PostgreSQL, as on SQLite (`sqlite/systems.rs`): import, status
//! changes (each with its history row, a main courante entry and journal events, in one
//! transaction), the dashboard's summary.

use super::{courante, journal, users, write};
use crate::StoreError;
use crate::crisis::{CrisisError, SystemsImported};
use crate::sqlite::courante::WRITERS;
use crate::sqlite::systems::{
    SELECT, change_payload, import_payload, status, status_entry, summarise,
};
use crate::sqlite::timestamp;
use postgres::{Client, GenericClient};
use relais_core::crisis::{
    Criticality, NewSystem, StatusChange, System, SystemStatus, SystemsSummary,
};

fn read(r: &postgres::Row) -> Result<System, StoreError> {
    let criticality: String = r.try_get(3)?;
    Ok(System {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        function: r.try_get(2)?,
        criticality: Criticality::parse(&criticality)
            .ok_or_else(|| StoreError::Corrupt(format!("criticality {criticality:?}")))?,
        owner: r.try_get(4)?,
        site: r.try_get(5)?,
        status: status(&r.try_get::<_, String>(6)?)?,
        status_at: timestamp(&r.try_get::<_, String>(7)?)?,
        status_by: r.try_get(8)?,
    })
}

fn get(c: &mut impl GenericClient, id: &str) -> Result<Option<System>, StoreError> {
    c.query_opt(&format!("{SELECT} WHERE id = $1"), &[&id])?
        .as_ref()
        .map(read)
        .transpose()
}

pub(crate) fn list(c: &mut impl GenericClient) -> Result<Vec<System>, StoreError> {
    c.query(&format!("{SELECT} ORDER BY id"), &[])?
        .iter()
        .map(read)
        .collect()
}

pub(crate) fn import(
    client: &mut Client,
    actor: &str,
    systems: &[NewSystem],
) -> Result<SystemsImported, CrisisError> {
    let mut tx = write(client)?;
    users::require_any(&mut tx, actor, WRITERS)?;
    let now = crate::now();
    let mut done = SystemsImported::default();
    for s in systems {
        let known = get(&mut tx, &s.id)?.is_some();
        // A known system is described again; its status is only ever changed by the workflow.
        tx.execute(
            "INSERT INTO systems (id, name, function, criticality, owner, site_code, status,
                                  status_at, status_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, function = excluded.function,
                 criticality = excluded.criticality, owner = excluded.owner,
                 site_code = excluded.site_code",
            &[
                &s.id,
                &s.name,
                &s.function,
                &s.criticality.as_str(),
                &s.owner,
                &s.site,
                &s.status.as_str(),
                &now,
                &actor,
            ],
        )?;
        if known {
            done.updated += 1;
            continue;
        }
        tx.execute(
            "INSERT INTO system_status_changes (system_id, from_status, to_status, at, by, note)
             VALUES ($1, NULL, $2, $3, $4, 'inventaire importé')",
            &[&s.id, &s.status.as_str(), &now, &actor],
        )?;
        done.added += 1;
    }
    journal::append(
        &mut tx,
        actor,
        "systems.import",
        &import_payload(done, systems),
    )?;
    tx.commit()?;
    Ok(done)
}

pub(crate) fn set_status(
    client: &mut Client,
    actor: &str,
    id: &str,
    to: SystemStatus,
    note: Option<&str>,
) -> Result<StatusChange, CrisisError> {
    let mut tx = write(client)?;
    users::require_any(&mut tx, actor, WRITERS)?;
    let system = get(&mut tx, id)?.ok_or_else(|| CrisisError::UnknownSystem(id.to_owned()))?;
    system.status.check_transition(to)?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    let entry = courante::append(&mut tx, actor, &status_entry(&system, to, note))?;
    let at = entry.at.to_string();
    tx.execute(
        "UPDATE systems SET status = $2, status_at = $3, status_by = $4 WHERE id = $1",
        &[&id, &to.as_str(), &at, &actor],
    )?;
    tx.execute(
        "INSERT INTO system_status_changes (system_id, from_status, to_status, at, by, note, entry)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &id,
            &system.status.as_str(),
            &to.as_str(),
            &at,
            &actor,
            &note,
            &entry.id,
        ],
    )?;
    let change = StatusChange {
        system: id.to_owned(),
        from: Some(system.status),
        to,
        at: entry.at,
        by: actor.to_owned(),
        note: note.map(str::to_owned),
        entry: Some(entry.id),
    };
    journal::append(&mut tx, actor, "system.status", &change_payload(&change))?;
    tx.commit()?;
    Ok(change)
}

pub(crate) fn history(
    c: &mut impl GenericClient,
    id: &str,
) -> Result<Vec<StatusChange>, CrisisError> {
    if get(c, id)?.is_none() {
        return Err(CrisisError::UnknownSystem(id.to_owned()));
    }
    let rows = c.query(
        "SELECT from_status, to_status, at, by, note, entry FROM system_status_changes
         WHERE system_id = $1 ORDER BY id",
        &[&id],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        out.push(StatusChange {
            system: id.to_owned(),
            from: r
                .try_get::<_, Option<String>>(0)?
                .as_deref()
                .map(status)
                .transpose()?,
            to: status(&r.try_get::<_, String>(1)?)?,
            at: timestamp(&r.try_get::<_, String>(2)?)?,
            by: r.try_get(3)?,
            note: r.try_get(4)?,
            entry: r.try_get(5)?,
        });
    }
    Ok(out)
}

pub(crate) fn summary(c: &mut impl GenericClient) -> Result<SystemsSummary, StoreError> {
    let mut by_status = Vec::new();
    for s in SystemStatus::ALL {
        let n: i64 = c
            .query_one(
                "SELECT count(*) FROM systems WHERE status = $1",
                &[&s.as_str()],
            )?
            .try_get(0)?;
        by_status.push((*s, n.max(0) as u64));
    }
    Ok(summarise(by_status, list(c)?))
}
