//! [`CrisisStore`] on PostgreSQL, as on SQLite (`sqlite/crisis.rs`): the main courante,
//! incident and systems live in their own modules; tasks, directory edits and the message to
//! the public are here.

use super::desk::directory_row;
use super::{PgStore, courante, incident, journal, pg, systems, users, write};
use crate::StoreError;
use crate::crisis::{CrisisError, CrisisStore, DirectoryChange, NewTask, SystemsImported};
use crate::sqlite::courante::WRITERS;
use crate::sqlite::crisis::{
    DIRECTORY_UPSERT, TASK, TASK_ORDER, public_message, task_status, task_status_payload,
};
use crate::sqlite::desk::DIRECTORY;
use crate::sqlite::{opt_timestamp, timestamp};
use jiff::Timestamp;
use postgres::{Client, GenericClient, Transaction};
use relais_core::crisis::{
    Entry, FactKind, Incident, NewEntry, NewFact, NewSystem, Notification, PublicMessage,
    StatusChange, System, SystemStatus, SystemsSummary, Task, TaskStatus,
};
use relais_core::directory::DirectoryRow;
use serde_json::json;

fn task(r: &postgres::Row) -> Result<Task, StoreError> {
    Ok(Task {
        id: r.try_get(0)?,
        title: r.try_get(1)?,
        owner: r.try_get(2)?,
        due: opt_timestamp(r.try_get(3)?)?,
        status: task_status(&r.try_get::<_, String>(4)?)?,
        created_by: r.try_get(5)?,
    })
}

fn all_tasks(c: &mut impl GenericClient) -> Result<Vec<Task>, StoreError> {
    c.query(&format!("{TASK} {TASK_ORDER}"), &[])?
        .iter()
        .map(task)
        .collect()
}

fn get_task(c: &mut impl GenericClient, id: i64) -> Result<Task, CrisisError> {
    let row = c.query_opt(&format!("{TASK} WHERE id = $1"), &[&id])?;
    match row {
        Some(r) => Ok(task(&r)?),
        None => Err(CrisisError::UnknownTask(id)),
    }
}

fn directory_entry(
    c: &mut impl GenericClient,
    code: &str,
    service: &str,
) -> Result<Option<DirectoryRow>, StoreError> {
    c.query_opt(
        &format!("{DIRECTORY} WHERE site_code = $1 AND service = $2"),
        &[&code, &service],
    )?
    .as_ref()
    .map(directory_row)
    .transpose()
}

/// Runs `f` in a writing transaction once `actor` is known to be a writer of the crisis
/// cell's records; commits what it did.
fn crisis_write<T>(
    client: &mut Client,
    actor: &str,
    f: impl FnOnce(&mut Transaction<'_>) -> Result<T, CrisisError>,
) -> Result<T, CrisisError> {
    let mut tx = write(client)?;
    users::require_any(&mut tx, actor, WRITERS)?;
    let out = f(&mut tx)?;
    tx.commit()?;
    Ok(out)
}

impl CrisisStore for PgStore {
    fn add_entry(&mut self, actor: &str, entry: &NewEntry) -> Result<Entry, CrisisError> {
        courante::add(self.client.get_mut(), actor, entry)
    }

    fn entries(&self) -> Result<Vec<Entry>, CrisisError> {
        Ok(courante::list(&mut *self.conn()?)?
            .into_iter()
            .map(|(e, _)| e)
            .collect())
    }

    fn record_fact(
        &mut self,
        actor: &str,
        kind: FactKind,
        fact: &NewFact,
    ) -> Result<i64, CrisisError> {
        incident::record_fact(self.client.get_mut(), actor, kind, fact)
    }

    fn record_notification(
        &mut self,
        actor: &str,
        notification: &Notification,
    ) -> Result<i64, CrisisError> {
        incident::record_notification(self.client.get_mut(), actor, notification)
    }

    fn incident(&self) -> Result<Incident, CrisisError> {
        Ok(incident::incident(&mut *self.conn()?)?)
    }

    fn import_systems(
        &mut self,
        actor: &str,
        list: &[NewSystem],
    ) -> Result<SystemsImported, CrisisError> {
        systems::import(self.client.get_mut(), actor, list)
    }

    fn set_system_status(
        &mut self,
        actor: &str,
        system: &str,
        to: SystemStatus,
        note: Option<&str>,
    ) -> Result<StatusChange, CrisisError> {
        systems::set_status(self.client.get_mut(), actor, system, to, note)
    }

    fn systems(&self) -> Result<Vec<System>, CrisisError> {
        Ok(systems::list(&mut *self.conn()?)?)
    }

    fn status_history(&self, system: &str) -> Result<Vec<StatusChange>, CrisisError> {
        systems::history(&mut *self.conn()?, system)
    }

    fn systems_summary(&self) -> Result<SystemsSummary, CrisisError> {
        Ok(systems::summary(&mut *self.conn()?)?)
    }

    fn add_task(&mut self, actor: &str, new: &NewTask) -> Result<Task, CrisisError> {
        crisis_write(self.client.get_mut(), actor, |tx| {
            let id: i64 = tx
                .query_one(
                    "INSERT INTO tasks (title, owner, due_at, status, created_by)
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    &[
                        &new.title,
                        &new.owner,
                        &new.due.map(|d| d.to_string()),
                        &TaskStatus::Todo.as_str(),
                        &actor,
                    ],
                )?
                .try_get(0)?;
            let task = get_task(tx, id)?;
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
        crisis_write(self.client.get_mut(), actor, |tx| {
            let old = get_task(tx, id)?;
            if old.status == status {
                return Err(CrisisError::SameTaskStatus(id));
            }
            tx.execute(
                "UPDATE tasks SET status = $2 WHERE id = $1",
                &[&id, &status.as_str()],
            )?;
            let payload = task_status_payload(id, old.status, status);
            journal::append(tx, actor, "task.status", &payload)?;
            get_task(tx, id)
        })
    }

    fn tasks(&self) -> Result<Vec<Task>, CrisisError> {
        Ok(all_tasks(&mut *self.conn()?)?)
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
        crisis_write(self.client.get_mut(), actor, |tx| {
            let old = directory_entry(tx, &row.site_code, &row.service)?;
            tx.execute(
                &pg(DIRECTORY_UPSERT),
                &[
                    &row.site_code,
                    &row.service,
                    &row.site,
                    &row.phone,
                    &row.email,
                    &row.address,
                    &row.hours,
                    &i64::from(row.paper_deposit),
                    &i64::from(row.public),
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
        crisis_write(self.client.get_mut(), actor, |tx| {
            let message = public_message(actor, affected, guaranteed)?;
            tx.execute(
                "INSERT INTO public_messages (affected, guaranteed, updated_at, updated_by)
                 VALUES ($1, $2, $3, $4)",
                &[
                    &message.affected,
                    &message.guaranteed,
                    &message.updated_at.to_string(),
                    &actor,
                ],
            )?;
            journal::append(tx, actor, "public.message", &json!(message))?;
            Ok(message)
        })
    }

    fn public_message(&self) -> Result<Option<PublicMessage>, CrisisError> {
        let row = self.conn()?.query_opt(
            "SELECT affected, guaranteed, updated_at, updated_by FROM public_messages
             ORDER BY id DESC LIMIT 1",
            &[],
        )?;
        let Some(r) = row else {
            return Ok(None);
        };
        Ok(Some(PublicMessage {
            affected: r.try_get(0)?,
            guaranteed: r.try_get(1)?,
            updated_at: timestamp(&r.try_get::<_, String>(2)?)?,
            updated_by: r.try_get(3)?,
        }))
    }
}
