//! Users and their passwords.

use clap::{Args, Subcommand};
use std::path::PathBuf;

use super::DataArg;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Ajoute un utilisateur.
    Add(UserAddArgs),
    /// Désactive un utilisateur.
    Disable(UserLoginArgs),
    /// Liste les utilisateurs.
    List(DataArg),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// L'administrateur qui crée l'utilisateur.
    #[arg(long = "user", env = "RELAIS_USER")]
    pub actor: String,
    #[arg(long)]
    pub login: String,
    /// Rôle(s), séparés par des virgules : accueil, courrier, instruction, liquidation, ordonnateur, crise, admin.
    #[arg(long)]
    pub role: String,
    /// Site de rattachement (code de l'annuaire).
    #[arg(long)]
    pub site: Option<String>,
    /// Fichier contenant le mot de passe (jamais en argument).
    #[arg(long)]
    pub password_file: PathBuf,
}

#[derive(Debug, Args)]
pub struct UserLoginArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[arg(long = "user", env = "RELAIS_USER")]
    pub actor: String,
    /// L'utilisateur à désactiver.
    pub login: String,
}
