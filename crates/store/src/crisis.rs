//! The crisis cell's store: the main courante (append-only), the incident's facts and CNIL
//! notifications (every revision kept), the systems' inventory and their remediation
//! status, tasks, edits of the directory and the message to the public. Writing needs the
//! role `crise` or `admin`, checked in the transaction that writes; every change commits with
//! its journal entry.

use crate::StoreError;
use jiff::Timestamp;
use relais_core::crisis::{
    Entry, FactKind, Incident, InputError, NewEntry, NewFact, NewSystem, Notification,
    PublicMessage, StatusChange, System, SystemStatus, SystemsSummary, Task, TaskStatus,
    TransitionError,
};
use relais_core::directory::DirectoryRow;

/// Why a crisis operation is refused. French, for the agent.
#[derive(Debug, thiserror::Error)]
pub enum CrisisError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("entrée n° {0} de la main courante introuvable")]
    UnknownEntry(i64),
    #[error("système « {0} » introuvable dans l'inventaire")]
    UnknownSystem(String),
    #[error("site « {0} » introuvable dans l'annuaire")]
    UnknownSite(String),
    #[error("tâche n° {0} introuvable")]
    UnknownTask(i64),
    #[error("la tâche n° {0} a déjà ce statut")]
    SameTaskStatus(i64),
    #[error(
        "une notification complémentaire complète une notification initiale : aucune n'est enregistrée"
    )]
    NoInitialNotification,
    #[error(
        "motifs du retard : la notification part {hours} h après la prise de connaissance, au-delà des 72 h ; le RGPD (art. 33.1) demande d'en donner les motifs"
    )]
    LateWithoutReasons { hours: i64 },
}

/// A new task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub title: String,
    pub owner: String,
    pub due: Option<Timestamp>,
}

/// A directory entry changed: what it was (`None` for a new one) and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryChange {
    pub old: Option<DirectoryRow>,
    pub new: DirectoryRow,
}

/// What an import of the inventory did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SystemsImported {
    pub added: u64,
    pub updated: u64,
}

pub trait CrisisStore {
    /// Appends an entry to the main courante by `actor`; a correction names an existing entry,
    /// a system one of the inventory, a site one of the directory.
    fn add_entry(&mut self, actor: &str, entry: &NewEntry) -> Result<Entry, CrisisError>;
    /// The main courante, in order, with each entry's journal event.
    fn entries(&self) -> Result<Vec<Entry>, CrisisError>;

    /// Records a revision of a fact of the incident.
    fn record_fact(
        &mut self,
        actor: &str,
        kind: FactKind,
        fact: &NewFact,
    ) -> Result<i64, CrisisError>;
    /// Records a notification sent to the CNIL.
    fn record_notification(
        &mut self,
        actor: &str,
        notification: &Notification,
    ) -> Result<i64, CrisisError>;
    /// Every fact's revisions and the notifications, in the order they were recorded.
    fn incident(&self) -> Result<Incident, CrisisError>;

    /// Adds the systems not yet known and describes again the others (their status stays),
    /// in one transaction.
    fn import_systems(
        &mut self,
        actor: &str,
        systems: &[NewSystem],
    ) -> Result<SystemsImported, CrisisError>;
    /// Moves a system to `to` if the workflow allows it, with a main courante entry (action)
    /// that says so, linked to the system.
    fn set_system_status(
        &mut self,
        actor: &str,
        system: &str,
        to: SystemStatus,
        note: Option<&str>,
    ) -> Result<StatusChange, CrisisError>;
    /// The inventory, by id.
    fn systems(&self) -> Result<Vec<System>, CrisisError>;
    /// A system's changes of status, oldest first.
    fn status_history(&self, system: &str) -> Result<Vec<StatusChange>, CrisisError>;
    /// Counts per status and the critical systems not restored.
    fn systems_summary(&self) -> Result<SystemsSummary, CrisisError>;

    fn add_task(&mut self, actor: &str, task: &NewTask) -> Result<Task, CrisisError>;
    fn set_task_status(
        &mut self,
        actor: &str,
        id: i64,
        status: TaskStatus,
    ) -> Result<Task, CrisisError>;
    /// Every task, by due time (those without one last).
    fn tasks(&self) -> Result<Vec<Task>, CrisisError>;
    /// The open tasks whose due time has passed at `now`.
    fn overdue_tasks(&self, now: Timestamp) -> Result<Vec<Task>, CrisisError>;

    /// Adds a directory entry, or changes the one with the same site code and service;
    /// journaled with the old and new values.
    fn set_directory_entry(
        &mut self,
        actor: &str,
        row: &DirectoryRow,
    ) -> Result<DirectoryChange, CrisisError>;
    /// Replaces the message to the public (the previous ones are kept).
    fn set_public_message(
        &mut self,
        actor: &str,
        affected: &str,
        guaranteed: &str,
    ) -> Result<PublicMessage, CrisisError>;
    /// The current message to the public.
    fn public_message(&self) -> Result<Option<PublicMessage>, CrisisError>;
}
