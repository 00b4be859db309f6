//! Web sessions in SQLite (see [`crate::sessions`]).

use super::{SqliteStore, journal};
use crate::StoreError;
use crate::sessions::{Session, SessionStore, TOUCH_SECONDS};
use relais_core::roles::parse_roles;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde_json::json;

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
        idle_seconds: i64,
    ) -> Result<Option<Session>, StoreError> {
        let Some((session, last_seen)) = self.peek_session(token_hash, now, idle_seconds)? else {
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
        idle_seconds: i64,
    ) -> Result<Option<(Session, i64)>, StoreError> {
        let found: Option<(String, String, i64, String, Option<String>, bool)> = self
            .conn
            .query_row(
                "SELECT s.login, s.csrf, s.last_seen_at, u.roles, u.site, u.disabled
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
                    ))
                },
            )
            .optional()?;
        let Some((login, csrf, last_seen, roles, site, disabled)) = found else {
            return Ok(None);
        };
        if disabled || now.saturating_sub(last_seen) >= idle_seconds || now < last_seen {
            return Ok(None);
        }
        let roles =
            parse_roles(&roles).map_err(|bad| StoreError::Corrupt(format!("role {bad}")))?;
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
}
