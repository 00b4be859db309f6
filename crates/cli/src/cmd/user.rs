//! `relais user add|disable|enable|passwd|list`: only an administrator manages users; each
//! user changes their own password. The acting user has given their password before any of
//! these runs (`crate::auth`).

use super::EXIT_OK;
use crate::args::UserCommand;
use crate::data::DataDir;
use crate::passwords;
use anyhow::{Result, bail};
use relais_core::journal::Entry;
use relais_core::roles::{Role, format_roles, parse_roles};
use relais_store::NewUser;

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
            say_if_shown(&entry);
        }
        UserCommand::Disable(a) => set_disabled(a, true)?,
        UserCommand::Enable(a) => set_disabled(a, false)?,
        UserCommand::Passwd(a) => passwd(a)?,
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

fn set_disabled(a: crate::args::UserLoginArgs, disable: bool) -> Result<()> {
    let mut store = DataDir::new(&a.data.data).open_store()?;
    let actor = &a.user.user;
    store.authorize(actor, Role::Admin)?;
    let entry = store.set_user_disabled(actor, &a.login, disable)?;
    let done = if disable { "désactivé" } else { "réactivé" };
    println!("Utilisateur {} {done}, journal n° {}.", a.login, entry.seq);
    say_if_shown(&entry);
    Ok(())
}

/// `relais user passwd`: the acting user's own password (they gave the old one), or, by an
/// administrator, another's.
fn passwd(a: crate::args::UserPasswdArgs) -> Result<()> {
    let mut store = DataDir::new(&a.data.data).open_store()?;
    let actor = &a.user.user;
    let login = a.login.as_deref().unwrap_or(actor);
    if login != actor {
        store.authorize(actor, Role::Admin)?;
    }
    let password = passwords::read_password_file(&a.new_password_file)?;
    let entry = store.set_user_password(actor, login, &passwords::hash(&password)?)?;
    // Failures against the old password say nothing about the new one.
    store.login_succeeded(login)?;
    println!(
        "Mot de passe de {login} {}, journal n° {}.",
        if login == actor {
            "changé"
        } else {
            "remplacé"
        },
        entry.seq
    );
    say_if_shown(&entry);
    Ok(())
}

/// A change of an account that moves money is shown to every ordonnateur: the admin is told.
fn say_if_shown(entry: &Entry) {
    if entry.kind.starts_with("privileged_account_") {
        println!(
            "Ce compte peut préparer ou valider des paiements : la modification est signalée à \
             chaque ordonnateur pendant 7 jours."
        );
    }
}
