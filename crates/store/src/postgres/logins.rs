//! Failed command-line logins on PostgreSQL (see [`crate::logins`]), as on SQLite
//! (`sqlite/logins.rs`): the same rules, shared; not journaled. The turns are taken under the
//! writers' lock, so attempts from several processes wait one after another.

use super::{PgStore, write};
use crate::StoreError;
use crate::logins::{Backoff, LoginThrottle};
use crate::sqlite::logins::{one_more_failure, still_recent};
use postgres::GenericClient;

/// Recent failures of `login` and when the next attempt may be checked, or `None` when there
/// are none (or they are forgotten).
fn recent(
    tx: &mut impl GenericClient,
    login: &str,
    now_ms: i64,
    backoff: &Backoff,
) -> Result<Option<(u32, i64)>, StoreError> {
    let row = tx
        .query_opt(
            "SELECT failures, last_failure_ms, not_before_ms FROM login_failures WHERE login = $1",
            &[&login],
        )?
        .map(|r| -> Result<(i64, i64, i64), postgres::Error> {
            Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
        })
        .transpose()?;
    Ok(still_recent(row, now_ms, backoff))
}

impl LoginThrottle for PgStore {
    fn login_turn(
        &mut self,
        login: &str,
        now_ms: i64,
        backoff: &Backoff,
    ) -> Result<i64, StoreError> {
        let mut tx = write(self.client.get_mut())?;
        let Some((failures, not_before)) = recent(&mut tx, login, now_ms, backoff)? else {
            return Ok(0);
        };
        let start = now_ms.max(not_before);
        // The next attempt, even one already running beside this one, waits after this one.
        tx.execute(
            "UPDATE login_failures SET not_before_ms = $2 WHERE login = $1",
            &[&login, &start.saturating_add(backoff.delay_ms(failures))],
        )?;
        tx.commit()?;
        Ok(start - now_ms)
    }

    fn login_failed(
        &mut self,
        login: &str,
        now_ms: i64,
        backoff: &Backoff,
    ) -> Result<u32, StoreError> {
        let mut tx = write(self.client.get_mut())?;
        let recent = recent(&mut tx, login, now_ms, backoff)?;
        let (failures, not_before) = one_more_failure(recent, now_ms, backoff);
        // Logins nobody has used for long are dropped, so guessed names do not pile up.
        tx.execute(
            "DELETE FROM login_failures WHERE last_failure_ms < $1",
            &[&now_ms.saturating_sub(backoff.forget_after_ms)],
        )?;
        tx.execute(
            "INSERT INTO login_failures (login, failures, last_failure_ms, not_before_ms)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (login) DO UPDATE SET failures = excluded.failures,
                last_failure_ms = excluded.last_failure_ms, not_before_ms = excluded.not_before_ms",
            &[&login, &i64::from(failures), &now_ms, &not_before],
        )?;
        tx.commit()?;
        Ok(failures)
    }

    fn login_succeeded(&mut self, login: &str) -> Result<(), StoreError> {
        let mut tx = write(self.client.get_mut())?;
        tx.execute("DELETE FROM login_failures WHERE login = $1", &[&login])?;
        tx.commit()?;
        Ok(())
    }
}
