//! `relais user add|disable|list`: only an administrator manages users.

use super::EXIT_OK;
use crate::args::UserCommand;
use crate::data::DataDir;
use crate::passwords;
use anyhow::{Result, bail};
use relais_core::roles::{Role, format_roles, parse_roles};
use relais_store::{NewUser, Store};

pub fn run(command: UserCommand) -> Result<u8> {
    match command {
        UserCommand::Add(a) => {
            let mut store = DataDir::new(&a.data.data).open_store()?;
            store.authorize(&a.actor, Role::Admin)?;
            let roles =
                parse_roles(&a.role).map_err(|bad| anyhow::anyhow!("rôle inconnu : « {bad} »"))?;
            if roles.is_empty() {
                bail!("--role est vide");
            }
            if a.login.trim().is_empty()
                || a.login.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                bail!(
                    "identifiant invalide : « {} » (ni vide, ni espaces)",
                    a.login
                );
            }
            let password = passwords::read_password_file(&a.password_file)?;
            let user = NewUser {
                login: a.login.clone(),
                roles,
                site: a.site,
                password_hash: passwords::hash(&password)?,
            };
            let entry = store.add_user(&a.actor, &user)?;
            println!(
                "Utilisateur {} créé ({}), journal n° {}.",
                a.login,
                format_roles(&user.roles),
                entry.seq
            );
        }
        UserCommand::Disable(a) => {
            let mut store = DataDir::new(&a.data.data).open_store()?;
            store.authorize(&a.actor, Role::Admin)?;
            let entry = store.set_user_disabled(&a.actor, &a.login, true)?;
            println!(
                "Utilisateur {} désactivé, journal n° {}.",
                a.login, entry.seq
            );
        }
        UserCommand::List(d) => {
            let store = DataDir::new(&d.data).open_store()?;
            for u in store.users()? {
                let state = if u.disabled { "désactivé" } else { "actif" };
                println!(
                    "{}\t{}\t{}\t{state}",
                    u.login,
                    format_roles(&u.roles),
                    u.site.unwrap_or_default()
                );
            }
        }
    }
    Ok(EXIT_OK)
}
