//! Web sessions on PostgreSQL, as on SQLite (`sqlite/sessions.rs`): the same rule of expiry,
//! the same journal kinds and payloads.

use super::{PgStore, journal, write};
use crate::StoreError;
use crate::sessions::{Lifetime, Session, SessionStore, TOUCH_SECONDS};
use crate::sqlite::sessions::{StoredSession, still_open};
use relais_core::journal::Entry;
use serde_json::json;

impl SessionStore for PgStore {
    fn open_session(
        &mut self,
        token_hash: &str,
        login: &str,
        csrf: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = write(self.client.get_mut())?;
        tx.execute(
            "INSERT INTO sessions (token_hash, login, csrf, opened_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $4)",
            &[&token_hash, &login, &csrf, &now],
        )?;
        journal::append(&mut tx, login, "session.open", &json!({ "login": login }))?;
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
            let mut tx = write(self.client.get_mut())?;
            tx.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])?;
            tx.commit()?;
            return Ok(None);
        };
        // Touch at most once a minute: a page of requests costs one write, not one each.
        if now - last_seen >= TOUCH_SECONDS {
            let mut tx = write(self.client.get_mut())?;
            tx.execute(
                "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1",
                &[&token_hash, &now],
            )?;
            tx.commit()?;
        }
        Ok(Some(session))
    }

    fn peek_session(
        &self,
        token_hash: &str,
        now: i64,
        lifetime: Lifetime,
    ) -> Result<Option<(Session, i64)>, StoreError> {
        let row = self.conn()?.query_opt(
            "SELECT s.login, s.csrf, s.opened_at, s.last_seen_at, u.roles, u.site, u.disabled
             FROM sessions s JOIN users u ON u.login = s.login WHERE s.token_hash = $1",
            &[&token_hash],
        )?;
        let Some(r) = row else {
            return Ok(None);
        };
        let stored: StoredSession = (
            r.try_get(0)?,
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            r.try_get(4)?,
            r.try_get(5)?,
            r.try_get::<_, i64>(6)? != 0,
        );
        still_open(stored, now, lifetime)
    }

    fn close_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        let mut tx = write(self.client.get_mut())?;
        let login: Option<String> = tx
            .query_opt(
                "DELETE FROM sessions WHERE token_hash = $1 RETURNING login",
                &[&token_hash],
            )?
            .map(|r| r.try_get(0))
            .transpose()?;
        if let Some(login) = login {
            journal::append(&mut tx, &login, "session.close", &json!({ "login": login }))?;
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
        let mut tx = write(self.client.get_mut())?;
        let changed = tx.execute(
            "UPDATE users SET password_hash = $2 WHERE login = $1 AND disabled = 0",
            &[&login, &password_hash],
        )?;
        if changed == 0 {
            return Err(StoreError::UnknownUser(login.to_owned()));
        }
        let closed = tx.execute(
            "DELETE FROM sessions WHERE login = $1 AND token_hash <> $2",
            &[&login, &keep_token_hash],
        )?;
        let entry = journal::append(
            &mut tx,
            login,
            "user.password",
            &json!({ "login": login, "sessions_closed": closed }),
        )?;
        tx.commit()?;
        Ok(entry)
    }
}
