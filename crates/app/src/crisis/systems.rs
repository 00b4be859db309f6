//! The systems' inventory and their remediation status, and the crisis cell's tasks.

use crate::error::{AppError, IoAction};
use relais_core::crisis::{StatusChange, SystemStatus, Task, TaskStatus};
use relais_store::Backend;
use relais_store::crisis::{NewTask, SystemsImported};
use std::path::Path;

/// Imports the inventory in the CSV file `csv` by `actor`: the systems not yet known added,
/// the others described again (their status stays). An inventory with errors is
/// [`AppError::Inventory`], every error with its file:line:column, and nothing is imported.
pub fn import(
    store: &mut dyn Backend,
    actor: &str,
    csv: &Path,
) -> Result<SystemsImported, AppError> {
    let file = std::fs::File::open(csv).map_err(|e| AppError::io(IoAction::Read, csv, e))?;
    let systems = relais_formats::systems::read_systems(
        std::io::BufReader::new(file),
        &csv.display().to_string(),
    )
    .map_err(AppError::Inventory)?;
    store
        .import_systems(actor, &systems)
        .map_err(AppError::Crisis)
}

/// Moves `system` to `to` by `actor`, if the workflow allows it; the main courante notes it.
pub fn set_status(
    store: &mut dyn Backend,
    actor: &str,
    system: &str,
    to: SystemStatus,
    note: Option<&str>,
) -> Result<StatusChange, AppError> {
    store
        .set_system_status(actor, system, to, note)
        .map_err(AppError::Crisis)
}

/// Adds a task by `actor`.
pub fn add_task(store: &mut dyn Backend, actor: &str, task: &NewTask) -> Result<Task, AppError> {
    store.add_task(actor, task).map_err(AppError::Crisis)
}

/// Gives task `id` the status `status`, by `actor`.
pub fn set_task_status(
    store: &mut dyn Backend,
    actor: &str,
    id: i64,
    status: TaskStatus,
) -> Result<Task, AppError> {
    store
        .set_task_status(actor, id, status)
        .map_err(AppError::Crisis)
}
