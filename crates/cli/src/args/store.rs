//! A data folder and its store: `relais init` (on SQLite or a PostgreSQL database), `relais
//! migrate` (a SQLite folder to PostgreSQL) and the desk search's measure on either backend
//! (`relais bench search`).

use super::{DataArg, UserArg};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Nom de la collectivité, par ex. « Département de Seine-et-Marne ».
    #[arg(long)]
    pub authority: String,
    /// SIRET de la collectivité.
    #[arg(long)]
    pub siret: String,
    /// Fuseau horaire IANA (Europe/Paris, America/Martinique, Indian/Reunion…).
    #[arg(long, default_value = "Europe/Paris")]
    pub time_zone: String,
    /// Jours fériés : metropole, alsace-moselle, guadeloupe, martinique, guyane, reunion, mayotte, saint-martin.
    #[arg(long, default_value = "metropole")]
    pub holiday_zone: String,
    /// Identifiant du premier administrateur.
    #[arg(long, default_value = "admin")]
    pub admin: String,
    /// Fichier contenant son mot de passe (jamais en argument).
    #[arg(long)]
    pub password_file: PathBuf,
    /// Base PostgreSQL partagée par plusieurs postes ou sites (postgres://utilisateur@hôte/base,
    /// sans mot de passe) ; sans elle, la base SQLite du dossier.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// Fichier du mot de passe de la base PostgreSQL (sinon RELAIS_PG_PASSWORD_FILE ou PGPASSWORD).
    #[arg(long, requires = "database")]
    pub database_password_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Dossier de données dont la base SQLite est copiée.
    #[arg(long, value_name = "DATA")]
    pub from: PathBuf,
    /// Base PostgreSQL de destination, vide (postgres://utilisateur@hôte/base, sans mot de passe).
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// Fichier du mot de passe de la base PostgreSQL (sinon RELAIS_PG_PASSWORD_FILE ou PGPASSWORD).
    #[arg(long)]
    pub database_password_file: Option<PathBuf>,
    #[command(flatten)]
    pub user: UserArg,
}

#[derive(Debug, Args)]
pub struct BenchSearchArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Fichier des recherches, une par ligne (tirées au hasard).
    #[arg(long)]
    pub queries: PathBuf,
    /// Connexions simultanées, une par fil.
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
    /// Durée de la mesure, en secondes.
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
}
