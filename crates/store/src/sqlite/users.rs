//! Users and their roles. Passwords arrive hashed; the hash is never journaled.

use super::journal;
use crate::{NewUser, StoreError, User};
use relais_core::journal::Entry;
use relais_core::roles::{Role, format_roles, parse_roles};
use rusqlite::{Connection, OptionalExtension};
use serde_json::json;

pub(crate) fn add(conn: &mut Connection, actor: &str, user: &NewUser) -> Result<Entry, StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM users WHERE login = ?1)",
        [&user.login],
        |r| r.get(0),
    )?;
    if exists {
        return Err(StoreError::UserExists(user.login.clone()));
    }
    tx.execute(
        "INSERT INTO users (login, password_hash, roles, site, disabled) VALUES (?1, ?2, ?3, ?4, 0)",
        rusqlite::params![user.login, user.password_hash, format_roles(&user.roles), user.site],
    )?;
    let kind = if moves_money(&user.roles) {
        PRIVILEGED_CREATED
    } else {
        "user.add"
    };
    let entry = journal::append(
        &tx,
        actor,
        kind,
        &json!({
            "login": user.login,
            "roles": format_roles(&user.roles),
            "site": user.site,
            "actor": actor,
        }),
    )?;
    tx.commit()?;
    Ok(entry)
}

/// The journal kinds of an account created, or changed (re-enabled, its password reset by
/// someone else), that holds a role moving money (`Role::moves_money`).
pub(crate) const PRIVILEGED_CREATED: &str = "privileged_account_created";
pub(crate) const PRIVILEGED_CHANGED: &str = "privileged_account_changed";

pub(crate) fn moves_money(roles: &[Role]) -> bool {
    roles.iter().any(|r| r.moves_money())
}

/// Replaces the password hash of `login`. Changed by its holder (`actor == login`, who gave
/// the old one), journaled `user.password`; reset by another for an account that moves
/// money, [`PRIVILEGED_CHANGED`]. Never the hash in the journal.
pub(crate) fn set_password(
    conn: &mut Connection,
    actor: &str,
    login: &str,
    password_hash: &str,
) -> Result<Entry, StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let user = get(&tx, login)?.ok_or_else(|| StoreError::UnknownUser(login.to_owned()))?;
    tx.execute(
        "UPDATE users SET password_hash = ?2 WHERE login = ?1",
        rusqlite::params![login, password_hash],
    )?;
    let by_holder = actor == login;
    let kind = if !by_holder && moves_money(&user.roles) {
        PRIVILEGED_CHANGED
    } else {
        "user.password"
    };
    let change = if by_holder {
        "password_changed"
    } else {
        "password_reset"
    };
    let entry = journal::append(
        &tx,
        actor,
        kind,
        &json!({
            "login": login,
            "roles": format_roles(&user.roles),
            "change": change,
            "actor": actor,
        }),
    )?;
    tx.commit()?;
    Ok(entry)
}

pub(crate) fn set_disabled(
    conn: &mut Connection,
    actor: &str,
    login: &str,
    disabled: bool,
) -> Result<Entry, StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let user = get(&tx, login)?.ok_or_else(|| StoreError::UnknownUser(login.to_owned()))?;
    tx.execute(
        "UPDATE users SET disabled = ?2 WHERE login = ?1",
        rusqlite::params![login, disabled],
    )?;
    let entry = if disabled {
        journal::append(&tx, actor, "user.disable", &json!({ "login": login }))?
    } else if moves_money(&user.roles) {
        let payload = json!({
            "login": login,
            "roles": format_roles(&user.roles),
            "change": "enabled",
            "actor": actor,
        });
        journal::append(&tx, actor, PRIVILEGED_CHANGED, &payload)?
    } else {
        journal::append(&tx, actor, "user.enable", &json!({ "login": login }))?
    };
    tx.commit()?;
    Ok(entry)
}

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, String, Option<String>, bool)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn to_user(
    (login, password_hash, roles, site, disabled): (String, String, String, Option<String>, bool),
) -> Result<User, StoreError> {
    let roles = parse_roles(&roles)
        .map_err(|bad| StoreError::Corrupt(format!("user {login}: unknown role {bad:?}")))?;
    Ok(User {
        login,
        roles,
        site,
        disabled,
        password_hash,
    })
}

const SELECT: &str = "SELECT login, password_hash, roles, site, disabled FROM users";

/// `actor` exists, is enabled and holds one of `roles` (checked inside the caller's
/// transaction, so that a change of roles cannot slip between the check and the write).
pub(crate) fn require_any(
    conn: &Connection,
    actor: &str,
    roles: &[relais_core::roles::Role],
) -> Result<(), StoreError> {
    let user = get(conn, actor)?.ok_or_else(|| StoreError::UnknownUser(actor.to_owned()))?;
    if user.disabled {
        return Err(StoreError::DisabledUser(actor.to_owned()));
    }
    if roles.iter().any(|r| user.roles.contains(r)) {
        return Ok(());
    }
    Err(StoreError::Forbidden {
        login: actor.to_owned(),
        role: roles
            .first()
            .copied()
            .unwrap_or(relais_core::roles::Role::Admin),
    })
}

/// The site `actor` is bound to (`user add --site`), if any: such an agent sees and changes
/// only the people of that site.
pub(crate) fn site_of(conn: &Connection, actor: &str) -> Result<Option<String>, StoreError> {
    Ok(get(conn, actor)?.and_then(|u| u.site))
}

pub(crate) fn get(conn: &Connection, login: &str) -> Result<Option<User>, StoreError> {
    conn.query_row(&format!("{SELECT} WHERE login = ?1"), [login], read)
        .optional()?
        .map(to_user)
        .transpose()
}

pub(crate) fn list(conn: &Connection) -> Result<Vec<User>, StoreError> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY login"))?;
    let rows = stmt.query_map([], read)?;
    rows.map(|r| to_user(r?)).collect()
}
