//! Users and their passwords.

use clap::{Args, Subcommand};
use std::path::PathBuf;

use super::{DataArg, UserArg};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Ajoute un utilisateur.
    Add(UserAddArgs),
    /// Désactive un utilisateur.
    Disable(UserLoginArgs),
    /// Réactive un utilisateur désactivé.
    Enable(UserLoginArgs),
    /// Change son propre mot de passe (authentifié par l'ancien) ou, administrateur, remplace
    /// celui d'un autre (--login).
    Passwd(UserPasswdArgs),
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
    /// Fichier contenant le mot de passe de l'administrateur --user ; sans ce fichier, il est
    /// demandé au terminal, sans écho. (--password-file est celui du nouvel utilisateur.)
    #[arg(long = "user-password-file", env = "RELAIS_PASSWORD_FILE")]
    pub actor_password_file: Option<PathBuf>,
    #[arg(long)]
    pub login: String,
    /// Rôle(s), séparés par des virgules : accueil, courrier, instruction, liquidation, ordonnateur, crise, admin.
    #[arg(long)]
    pub role: String,
    /// Site de rattachement (code de l'annuaire).
    #[arg(long)]
    pub site: Option<String>,
    /// Fichier contenant le mot de passe du nouvel utilisateur (jamais en argument).
    #[arg(long)]
    pub password_file: PathBuf,
}

#[derive(Debug, Args)]
pub struct UserLoginArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// L'administrateur.
    #[command(flatten)]
    pub user: UserArg,
    /// L'utilisateur concerné.
    pub login: String,
}

#[derive(Debug, Args)]
pub struct UserPasswdArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// L'utilisateur dont le mot de passe change : par défaut --user lui-même ; un autre,
    /// seulement par un administrateur.
    #[arg(long)]
    pub login: Option<String>,
    /// Fichier contenant le nouveau mot de passe (12 caractères au moins).
    #[arg(long)]
    pub new_password_file: PathBuf,
}
