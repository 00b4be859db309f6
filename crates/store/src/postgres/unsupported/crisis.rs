//! Not yet on PostgreSQL: every method of this contract answers `StoreError::Unsupported`.

#![allow(unused_imports, unused_variables, clippy::useless_conversion)]

use super::super::PgStore;
use super::unsupported;
use crate::StoreError;
use crate::crisis::*;
use jiff::Timestamp;
use relais_core::crisis::{
    Entry, FactKind, Incident, InputError, NewEntry, NewFact, NewSystem, Notification,
    PublicMessage, StatusChange, System, SystemStatus, SystemsSummary, Task, TaskStatus,
    TransitionError,
};
use relais_core::directory::DirectoryRow;

impl CrisisStore for PgStore {
    fn add_entry(&mut self, actor: &str, entry: &NewEntry) -> Result<Entry, CrisisError> {
        Err(unsupported("add_entry").into())
    }
    fn entries(&self) -> Result<Vec<Entry>, CrisisError> {
        Err(unsupported("entries").into())
    }
    fn record_fact(
        &mut self,
        actor: &str,
        kind: FactKind,
        fact: &NewFact,
    ) -> Result<i64, CrisisError> {
        Err(unsupported("record_fact").into())
    }
    fn record_notification(
        &mut self,
        actor: &str,
        notification: &Notification,
    ) -> Result<i64, CrisisError> {
        Err(unsupported("record_notification").into())
    }
    fn incident(&self) -> Result<Incident, CrisisError> {
        Err(unsupported("incident").into())
    }
    fn import_systems(
        &mut self,
        actor: &str,
        systems: &[NewSystem],
    ) -> Result<SystemsImported, CrisisError> {
        Err(unsupported("import_systems").into())
    }
    fn set_system_status(
        &mut self,
        actor: &str,
        system: &str,
        to: SystemStatus,
        note: Option<&str>,
    ) -> Result<StatusChange, CrisisError> {
        Err(unsupported("set_system_status").into())
    }
    fn systems(&self) -> Result<Vec<System>, CrisisError> {
        Err(unsupported("systems").into())
    }
    fn status_history(&self, system: &str) -> Result<Vec<StatusChange>, CrisisError> {
        Err(unsupported("status_history").into())
    }
    fn systems_summary(&self) -> Result<SystemsSummary, CrisisError> {
        Err(unsupported("systems_summary").into())
    }
    fn add_task(&mut self, actor: &str, task: &NewTask) -> Result<Task, CrisisError> {
        Err(unsupported("add_task").into())
    }
    fn set_task_status(
        &mut self,
        actor: &str,
        id: i64,
        status: TaskStatus,
    ) -> Result<Task, CrisisError> {
        Err(unsupported("set_task_status").into())
    }
    fn tasks(&self) -> Result<Vec<Task>, CrisisError> {
        Err(unsupported("tasks").into())
    }
    fn overdue_tasks(&self, now: Timestamp) -> Result<Vec<Task>, CrisisError> {
        Err(unsupported("overdue_tasks").into())
    }
    fn set_directory_entry(
        &mut self,
        actor: &str,
        row: &DirectoryRow,
    ) -> Result<DirectoryChange, CrisisError> {
        Err(unsupported("set_directory_entry").into())
    }
    fn set_public_message(
        &mut self,
        actor: &str,
        affected: &str,
        guaranteed: &str,
    ) -> Result<PublicMessage, CrisisError> {
        Err(unsupported("set_public_message").into())
    }
    fn public_message(&self) -> Result<Option<PublicMessage>, CrisisError> {
        Err(unsupported("public_message").into())
    }
}
