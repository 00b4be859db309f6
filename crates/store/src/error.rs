//! Store errors: French for agents (`Display`), the cause kept for logs.

use relais_core::journal::ChainError;
use relais_core::roles::Role;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("base de données : {0}")]
    Sqlite(#[from] rusqlite::Error),
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
