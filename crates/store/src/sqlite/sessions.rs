//! Web sessions in SQLite (see [`crate::sessions`]).

use super::{SqliteStore, journal};
use crate::StoreError;
use crate::sessions::{Lifetime, Session, SessionStore, TOUCH_SECONDS};
use relais_core::journal::Entry;
use relais_core::roles::parse_roles;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde_json::json;

/// A session as stored with its user's roles, site and state: (login, csrf, opened_at,
/// last_seen_at, roles, site, disabled).
pub(crate) type StoredSession = (String, String, i64, i64, String, Option<String>, bool);

/// The session of `row` and its last use if it is still open at `now` under `lifetime` (the
/// same rule on every backend).
pub(crate) fn still_open(
    (login, csrf, opened, last_seen, roles, site, disabled): StoredSession,
    now: i64,
    lifetime: Lifetime,
) -> Result<Option<(Session, i64)>, StoreError> {
    let idle = now.saturating_sub(last_seen) >= lifetime.idle_seconds;
    let too_old = now.saturating_sub(opened) >= lifetime.absolute_seconds;
    if disabled || idle || too_old || now < last_seen {
        return Ok(None);
    }
    let roles = parse_roles(&roles).map_err(|bad| StoreError::Corrupt(format!("role {bad}")))?;
    Ok(Some((
        Session {
            login,
            roles,
            site,
            csrf,
        },
        last_seen,
    )))
}

impl SessionStore for SqliteStore {
    fn open_session(
        &mut self,
        token_hash: &str,
        login: &str,
        csrf: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO sessions (token_hash, login, csrf, opened_at, last_seen_at)
             VALUES (?1, ?2, ?3, ?4, ?4)",
            params![token_hash, login, csrf, now],
        )?;
        journal::append(&tx, login, "session.open", &json!({ "login": login }))?;
        tx.commit()?;
        Ok(())
    }

    fn session(
        &mut self,
        token_hash: &str,
        now: i64,
        lifetime: Lifetime,
    ) -> Result<Option<Session>, StoreError> {
        let Some((session, last_seen)) = self.peek_session(token_hash, now, lifetime)? else {
            // Expired, closed or its user disabled: gone for good.
            self.conn
                .execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
            return Ok(None);
        };
        // Touch at most once a minute: a page of requests costs one write, not one each.
        if now - last_seen >= TOUCH_SECONDS {
            self.conn.execute(
                "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1",
                params![token_hash, now],
            )?;
        }
        Ok(Some(session))
    }

    fn peek_session(
        &self,
        token_hash: &str,
        now: i64,
        lifetime: Lifetime,
    ) -> Result<Option<(Session, i64)>, StoreError> {
        let found: Option<StoredSession> = self
            .conn
            .query_row(
                "SELECT s.login, s.csrf, s.opened_at, s.last_seen_at, u.roles, u.site, u.disabled
                 FROM sessions s JOIN users u ON u.login = s.login WHERE s.token_hash = ?1",
                [token_hash],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .optional()?;
        match found {
            Some(row) => still_open(row, now, lifetime),
            None => Ok(None),
        }
    }

    fn close_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let login: Option<String> = tx
            .query_row(
                "DELETE FROM sessions WHERE token_hash = ?1 RETURNING login",
                [token_hash],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(login) = login {
            journal::append(&tx, &login, "session.close", &json!({ "login": login }))?;
        }
        tx.commit()?;
        Ok(())
    }

    fn change_own_password(
        &mut self,
        login: &str,
        password_hash: &str,
        keep_token_hash: &str,
    ) -> Result<Entry, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE users SET password_hash = ?2 WHERE login = ?1 AND disabled = 0",
            params![login, password_hash],
        )?;
        if changed == 0 {
            return Err(StoreError::UnknownUser(login.to_owned()));
        }
        let closed = tx.execute(
            "DELETE FROM sessions WHERE login = ?1 AND token_hash <> ?2",
            params![login, keep_token_hash],
        )?;
        let entry = journal::append(
            &tx,
            login,
            "user.password",
            &json!({ "login": login, "sessions_closed": closed }),
        )?;
        tx.commit()?;
        Ok(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NewUser, Store};

    const DAY: Lifetime = Lifetime {
        idle_seconds: 30 * 60,
        absolute_seconds: 10 * 3600,
    };

    fn store() -> SqliteStore {
        let mut s = SqliteStore::open_in_memory().expect("store");
        s.add_user(
            "system",
            &NewUser {
                login: "agent".into(),
                roles: vec![relais_core::roles::Role::Accueil],
                site: None,
                password_hash: "$argon2id$ancien".into(),
            },
        )
        .expect("user");
        s
    }

    #[test]
    fn a_busy_session_still_ends_after_a_working_day() {
        let mut s = store();
        s.open_session("t", "agent", "c", 1_000).expect("open");
        // Used every 20 minutes: never idle, yet closed 10 hours after it opened.
        let mut now = 1_000;
        while now + 20 * 60 < 1_000 + 10 * 3600 {
            now += 20 * 60;
            assert!(s.session("t", now, DAY).expect("read").is_some(), "{now}");
        }
        assert!(
            s.peek_session("t", 1_000 + 10 * 3600, DAY)
                .expect("peek")
                .is_none()
        );
        assert!(
            s.session("t", 1_000 + 10 * 3600, DAY)
                .expect("read")
                .is_none()
        );
        // Gone for good, even for a clock put back.
        assert!(s.session("t", now, DAY).expect("read").is_none());
    }

    #[test]
    fn changing_ones_password_closes_the_other_sessions_only() {
        let mut s = store();
        s.open_session("ici", "agent", "c1", 1_000).expect("open");
        s.open_session("ailleurs", "agent", "c2", 1_000)
            .expect("open");
        let entry = s
            .change_own_password("agent", "$argon2id$nouveau", "ici")
            .expect("change");
        assert_eq!(entry.kind, "user.password");
        let payload: serde_json::Value = serde_json::from_str(&entry.payload).expect("json");
        assert_eq!(payload["sessions_closed"], 1);
        assert!(!entry.payload.contains("argon2"));
        assert!(s.session("ici", 1_010, DAY).expect("read").is_some());
        assert!(s.session("ailleurs", 1_010, DAY).expect("read").is_none());
        let user = s.user("agent").expect("read").expect("user");
        assert_eq!(user.password_hash, "$argon2id$nouveau");
        assert!(matches!(
            s.change_own_password("personne", "$argon2id$x", "ici"),
            Err(StoreError::UnknownUser(_))
        ));
    }
}
