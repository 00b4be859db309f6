//! [`CrisisStore`] for SQLite: the main courante, incident and systems live in their own
//! modules; tasks, directory edits and the message to the public are here.

use super::courante::WRITERS;
use super::desk::{DIRECTORY, directory_row};
use super::{SqliteStore, courante, incident, journal, opt_timestamp, systems, timestamp, users};
use crate::StoreError;
use crate::crisis::{CrisisError, CrisisStore, DirectoryChange, NewTask, SystemsImported};
use jiff::Timestamp;
use relais_core::crisis::{
    Entry, FactKind, Incident, NewEntry, NewFact, NewSystem, Notification, PublicMessage,
    StatusChange, System, SystemStatus, SystemsSummary, Task, TaskStatus,
};
use relais_core::directory::DirectoryRow;
use rusqlite::{Connection, OptionalExtension, Row};
use serde_json::json;

pub(crate) const TASK: &str = "SELECT id, title, owner, due_at, status, created_by FROM tasks";

/// The order of the task list: by due time, those without one last.
pub(crate) const TASK_ORDER: &str = "ORDER BY due_at IS NULL, due_at, id";

fn task(r: &Row<'_>) -> Result<Task, StoreError> {
    Ok(Task {
        id: r.get(0)?,
        title: r.get(1)?,
        owner: r.get(2)?,
        due: opt_timestamp(r.get(3)?)?,
        status: task_status(&r.get::<_, String>(4)?)?,
        created_by: r.get(5)?,
    })
}

pub(crate) fn task_status(status: &str) -> Result<TaskStatus, StoreError> {
    TaskStatus::parse(status).ok_or_else(|| StoreError::Corrupt(format!("task status {status:?}")))
}

/// The journal payload of a change of a task's status.
pub(crate) fn task_status_payload(id: i64, from: TaskStatus, to: TaskStatus) -> serde_json::Value {
    json!({ "task": id, "from": from.as_str(), "to": to.as_str() })
}

/// A new message to the public by `actor`, now (its texts trimmed).
pub(crate) fn public_message(
    actor: &str,
    affected: &str,
    guaranteed: &str,
) -> Result<PublicMessage, StoreError> {
    Ok(PublicMessage {
        affected: affected.trim().to_owned(),
        guaranteed: guaranteed.trim().to_owned(),
        updated_at: timestamp(&super::now())?,
        updated_by: actor.to_owned(),
    })
}

fn tasks_where(conn: &Connection, filter: &str, id: Option<i64>) -> Result<Vec<Task>, StoreError> {
    let mut stmt = conn.prepare(&format!("{TASK} {filter} {TASK_ORDER}"))?;
    let mut rows = match id {
        Some(id) => stmt.query([id])?,
        None => stmt.query([])?,
    };
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(task(r)?);
    }
    Ok(out)
}

fn get_task(conn: &Connection, id: i64) -> Result<Task, CrisisError> {
    tasks_where(conn, "WHERE id = ?1", Some(id))?
        .pop()
        .ok_or(CrisisError::UnknownTask(id))
}

fn directory_entry(
    conn: &Connection,
    code: &str,
    service: &str,
) -> Result<Option<DirectoryRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("{DIRECTORY} WHERE site_code = ?1 AND service = ?2"),
            [code, service],
            directory_row,
        )
        .optional()?)
}

fn write<T>(
    store: &mut SqliteStore,
    actor: &str,
    f: impl FnOnce(&Connection) -> Result<T, CrisisError>,
) -> Result<T, CrisisError> {
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    users::require_any(&tx, actor, WRITERS)?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// A directory entry added or replaced (site and service as key), on either backend.
pub(crate) const DIRECTORY_UPSERT: &str =
    "INSERT INTO directory (site_code, service, site, phone, email, address, hours,
                            paper_deposit, public)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
     ON CONFLICT (site_code, service) DO UPDATE SET site = excluded.site,
         phone = excluded.phone, email = excluded.email, address = excluded.address,
         hours = excluded.hours, paper_deposit = excluded.paper_deposit,
         public = excluded.public";

impl CrisisStore for SqliteStore {
    fn add_entry(&mut self, actor: &str, entry: &NewEntry) -> Result<Entry, CrisisError> {
        courante::add(&mut self.conn, actor, entry)
    }

    fn entries(&self) -> Result<Vec<Entry>, CrisisError> {
        Ok(courante::list(&self.conn)?)
    }

    fn record_fact(
        &mut self,
        actor: &str,
        kind: FactKind,
        fact: &NewFact,
    ) -> Result<i64, CrisisError> {
        incident::record_fact(&mut self.conn, actor, kind, fact)
    }

    fn record_notification(
        &mut self,
        actor: &str,
        notification: &Notification,
    ) -> Result<i64, CrisisError> {
        incident::record_notification(&mut self.conn, actor, notification)
    }

    fn incident(&self) -> Result<Incident, CrisisError> {
        Ok(incident::incident(&self.conn)?)
    }

    fn import_systems(
        &mut self,
        actor: &str,
        list: &[NewSystem],
    ) -> Result<SystemsImported, CrisisError> {
        systems::import(&mut self.conn, actor, list)
    }

    fn set_system_status(
        &mut self,
        actor: &str,
        system: &str,
        to: SystemStatus,
        note: Option<&str>,
    ) -> Result<StatusChange, CrisisError> {
        systems::set_status(&mut self.conn, actor, system, to, note)
    }

    fn systems(&self) -> Result<Vec<System>, CrisisError> {
        Ok(systems::list(&self.conn)?)
    }

    fn status_history(&self, system: &str) -> Result<Vec<StatusChange>, CrisisError> {
        systems::history(&self.conn, system)
    }

    fn systems_summary(&self) -> Result<SystemsSummary, CrisisError> {
        Ok(systems::summary(&self.conn)?)
    }

    fn add_task(&mut self, actor: &str, new: &NewTask) -> Result<Task, CrisisError> {
        write(self, actor, |tx| {
            tx.execute(
                "INSERT INTO tasks (title, owner, due_at, status, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![
                    new.title,
                    new.owner,
                    new.due.map(|d| d.to_string()),
                    TaskStatus::Todo.as_str(),
                    actor
                ],
            )?;
            let task = get_task(tx, tx.last_insert_rowid())?;
            journal::append(tx, actor, "task.add", &json!(task))?;
            Ok(task)
        })
    }

    fn set_task_status(
        &mut self,
        actor: &str,
        id: i64,
        status: TaskStatus,
    ) -> Result<Task, CrisisError> {
        write(self, actor, |tx| {
            let old = get_task(tx, id)?;
            if old.status == status {
                return Err(CrisisError::SameTaskStatus(id));
            }
            tx.execute(
                "UPDATE tasks SET status = ?2 WHERE id = ?1",
                rusqlite::params![id, status.as_str()],
            )?;
            let payload = task_status_payload(id, old.status, status);
            journal::append(tx, actor, "task.status", &payload)?;
            get_task(tx, id)
        })
    }

    fn tasks(&self) -> Result<Vec<Task>, CrisisError> {
        Ok(tasks_where(&self.conn, "", None)?)
    }

    fn overdue_tasks(&self, now: Timestamp) -> Result<Vec<Task>, CrisisError> {
        let mut tasks = self.tasks()?;
        tasks.retain(|t| t.is_overdue(now));
        Ok(tasks)
    }

    fn set_directory_entry(
        &mut self,
        actor: &str,
        row: &DirectoryRow,
    ) -> Result<DirectoryChange, CrisisError> {
        write(self, actor, |tx| {
            let old = directory_entry(tx, &row.site_code, &row.service)?;
            tx.execute(
                DIRECTORY_UPSERT,
                rusqlite::params![
                    row.site_code,
                    row.service,
                    row.site,
                    row.phone,
                    row.email,
                    row.address,
                    row.hours,
                    row.paper_deposit,
                    row.public
                ],
            )?;
            journal::append(
                tx,
                actor,
                "directory.set",
                &json!({ "old": old, "new": row }),
            )?;
            Ok(DirectoryChange {
                old,
                new: row.clone(),
            })
        })
    }

    fn set_public_message(
        &mut self,
        actor: &str,
        affected: &str,
        guaranteed: &str,
    ) -> Result<PublicMessage, CrisisError> {
        write(self, actor, |tx| {
            let message = public_message(actor, affected, guaranteed)?;
            tx.execute(
                "INSERT INTO public_messages (affected, guaranteed, updated_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![
                    message.affected,
                    message.guaranteed,
                    message.updated_at.to_string(),
                    actor
                ],
            )?;
            journal::append(tx, actor, "public.message", &json!(message))?;
            Ok(message)
        })
    }

    fn public_message(&self) -> Result<Option<PublicMessage>, CrisisError> {
        let row: Option<(String, String, String, String)> = self
            .conn
            .query_row(
                "SELECT affected, guaranteed, updated_at, updated_by FROM public_messages
                 ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        row.map(
            |(affected, guaranteed, at, by)| -> Result<PublicMessage, CrisisError> {
                Ok(PublicMessage {
                    affected,
                    guaranteed,
                    updated_at: timestamp(&at)?,
                    updated_by: by,
                })
            },
        )
        .transpose()
    }
}
