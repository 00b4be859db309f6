//! Store errors: French for agents (`Display`), the cause kept for logs. No driver type
//! appears here: a backend converts its own errors (SQLite's in `sqlite/errors.rs`) into the
//! kinds callers tell apart — a conflict with what is stored, a busy database, a row not
//! found — and any other failure, each keeping the driver's error as its source.

use relais_core::journal::ChainError;
use relais_core::roles::Role;

/// A backend's own error, kept whole for logs; its `Display` is the driver's message.
pub type BackendError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed for a reason callers do not tell apart.
    #[error("base de données : {0}")]
    Backend(#[source] BackendError),
    /// A write conflicts with what is stored (a unique key already taken).
    #[error("base de données : {0}")]
    Conflict(#[source] BackendError),
    /// The database is busy or locked by another writer beyond the wait allowed.
    #[error("base de données : {0}")]
    Busy(#[source] BackendError),
    /// A row that had to be there is not.
    #[error("base de données : {0}")]
    NotFound(#[source] BackendError),
    #[error("journal altéré : {0}")]
    Journal(#[from] ChainError),
    #[error("utilisateur inconnu : « {0} »")]
    UnknownUser(String),
    #[error("l'utilisateur « {0} » est désactivé")]
    DisabledUser(String),
    #[error("l'utilisateur « {login} » n'a pas le rôle « {role} » nécessaire")]
    Forbidden { login: String, role: Role },
    #[error("l'utilisateur « {0} » existe déjà")]
    UserExists(String),
    #[error(
        "la base a été créée par une version plus récente de Relais (schéma {found}, connu jusqu'à {known})"
    )]
    FutureSchema { found: i64, known: i64 },
    /// A table no longer matches the journal events it was written with.
    #[error("{0}")]
    Tampered(String),
    #[error("donnée enregistrée illisible ({0})")]
    Corrupt(String),
    /// A temporary file (the sort of a payment run's lines).
    #[error("fichier temporaire : {0}")]
    Io(#[from] std::io::Error),
    /// The database's file or folder could not be created with its permissions.
    #[error("création de {path} : {source}")]
    Files {
        path: String,
        source: std::io::Error,
    },
}
