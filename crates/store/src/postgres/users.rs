//! Users and their roles on PostgreSQL, journaled as on SQLite (`sqlite/users.rs`): the
//! same kinds and payloads, so that a journal reads the same on both backends.

use super::{journal, write};
use crate::sqlite::users::{PRIVILEGED_CHANGED, PRIVILEGED_CREATED, moves_money};
use crate::{NewUser, StoreError, User};
use postgres::{Client, GenericClient};
use relais_core::journal::Entry;
use relais_core::roles::{Role, format_roles, parse_roles};
use serde_json::json;

pub(crate) fn add(client: &mut Client, actor: &str, user: &NewUser) -> Result<Entry, StoreError> {
    let mut tx = write(client)?;
    if get(&mut tx, &user.login)?.is_some() {
        return Err(StoreError::UserExists(user.login.clone()));
    }
    tx.execute(
        "INSERT INTO users (login, password_hash, roles, site, disabled) VALUES ($1, $2, $3, $4, 0)",
        &[&user.login, &user.password_hash, &format_roles(&user.roles), &user.site],
    )?;
    let kind = if moves_money(&user.roles) {
        PRIVILEGED_CREATED
    } else {
        "user.add"
    };
    let payload = json!({
        "login": user.login,
        "roles": format_roles(&user.roles),
        "site": user.site,
        "actor": actor,
    });
    let entry = journal::append(&mut tx, actor, kind, &payload)?;
    tx.commit()?;
    Ok(entry)
}

/// Replaces the password hash of `login`, journaled as on SQLite, never the hash.
pub(crate) fn set_password(
    client: &mut Client,
    actor: &str,
    login: &str,
    password_hash: &str,
) -> Result<Entry, StoreError> {
    let mut tx = write(client)?;
    let user = get(&mut tx, login)?.ok_or_else(|| StoreError::UnknownUser(login.to_owned()))?;
    tx.execute(
        "UPDATE users SET password_hash = $2 WHERE login = $1",
        &[&login, &password_hash],
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
    let payload = json!({
        "login": login,
        "roles": format_roles(&user.roles),
        "change": change,
        "actor": actor,
    });
    let entry = journal::append(&mut tx, actor, kind, &payload)?;
    tx.commit()?;
    Ok(entry)
}

pub(crate) fn set_disabled(
    client: &mut Client,
    actor: &str,
    login: &str,
    disabled: bool,
) -> Result<Entry, StoreError> {
    let mut tx = write(client)?;
    let user = get(&mut tx, login)?.ok_or_else(|| StoreError::UnknownUser(login.to_owned()))?;
    tx.execute(
        "UPDATE users SET disabled = $2 WHERE login = $1",
        &[&login, &i64::from(disabled)],
    )?;
    let (kind, payload) = if disabled {
        ("user.disable", json!({ "login": login }))
    } else if moves_money(&user.roles) {
        let payload = json!({
            "login": login,
            "roles": format_roles(&user.roles),
            "change": "enabled",
            "actor": actor,
        });
        (PRIVILEGED_CHANGED, payload)
    } else {
        ("user.enable", json!({ "login": login }))
    };
    let entry = journal::append(&mut tx, actor, kind, &payload)?;
    tx.commit()?;
    Ok(entry)
}

const SELECT: &str = "SELECT login, password_hash, roles, site, disabled FROM users";

fn to_user(r: &postgres::Row) -> Result<User, StoreError> {
    let login: String = r.try_get(0)?;
    let roles: String = r.try_get(2)?;
    let roles = parse_roles(&roles)
        .map_err(|bad| StoreError::Corrupt(format!("user {login}: unknown role {bad:?}")))?;
    Ok(User {
        password_hash: r.try_get(1)?,
        roles,
        site: r.try_get(3)?,
        disabled: r.try_get::<_, i64>(4)? != 0,
        login,
    })
}

pub(crate) fn get(c: &mut impl GenericClient, login: &str) -> Result<Option<User>, StoreError> {
    // Typed: one round trip (every write checks its actor).
    c.query_typed_opt(
        &format!("{SELECT} WHERE login = $1"),
        &[(&login, postgres::types::Type::TEXT)],
    )?
    .as_ref()
    .map(to_user)
    .transpose()
}

pub(crate) fn list(c: &mut impl GenericClient) -> Result<Vec<User>, StoreError> {
    c.query(&format!("{SELECT} ORDER BY login"), &[])?
        .iter()
        .map(to_user)
        .collect()
}

/// `actor` exists, is enabled and holds one of `roles` (checked in the caller's transaction).
pub(crate) fn require_any(
    c: &mut impl GenericClient,
    actor: &str,
    roles: &[Role],
) -> Result<User, StoreError> {
    let user = get(c, actor)?.ok_or_else(|| StoreError::UnknownUser(actor.to_owned()))?;
    if user.disabled {
        return Err(StoreError::DisabledUser(actor.to_owned()));
    }
    if roles.iter().any(|r| user.roles.contains(r)) {
        return Ok(user);
    }
    Err(StoreError::Forbidden {
        login: actor.to_owned(),
        role: roles.first().copied().unwrap_or(Role::Admin),
    })
}
