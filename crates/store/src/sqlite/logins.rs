//! Failed command-line logins in SQLite (see [`crate::logins`]), table `login_failures`
//! (migration 21). Not journaled: a failure changes no data, and its login is logged.

use super::SqliteStore;
use crate::StoreError;
use crate::logins::{Backoff, LoginThrottle};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

/// Recent failures of `login` and when the next attempt may be checked, or `None` when there
/// are none (or they are forgotten).
fn recent(
    tx: &Transaction<'_>,
    login: &str,
    now_ms: i64,
    backoff: &Backoff,
) -> Result<Option<(u32, i64)>, StoreError> {
    let row: Option<(i64, i64, i64)> = tx
        .query_row(
            "SELECT failures, last_failure_ms, not_before_ms FROM login_failures WHERE login = ?1",
            [login],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(still_recent(row, now_ms, backoff))
}

/// The failures of a stored row (failures, last failure, not before) that still count at
/// `now_ms`, and when the next attempt may be checked (the same rule on every backend).
pub(crate) fn still_recent(
    row: Option<(i64, i64, i64)>,
    now_ms: i64,
    backoff: &Backoff,
) -> Option<(u32, i64)> {
    row.filter(|(_, last, _)| now_ms.saturating_sub(*last) < backoff.forget_after_ms)
        .map(|(failures, _, not_before)| (u32::try_from(failures).unwrap_or(u32::MAX), not_before))
}

/// After the recent failures `recent`, one more at `now_ms`: how many, and from when the
/// next attempt may be checked.
pub(crate) fn one_more_failure(
    recent: Option<(u32, i64)>,
    now_ms: i64,
    backoff: &Backoff,
) -> (u32, i64) {
    let (failures, not_before) = match recent {
        Some((n, not_before)) => (n.saturating_add(1), not_before),
        None => (1, now_ms),
    };
    (
        failures,
        not_before.max(now_ms.saturating_add(backoff.delay_ms(failures))),
    )
}

impl LoginThrottle for SqliteStore {
    fn login_turn(
        &mut self,
        login: &str,
        now_ms: i64,
        backoff: &Backoff,
    ) -> Result<i64, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some((failures, not_before)) = recent(&tx, login, now_ms, backoff)? else {
            return Ok(0);
        };
        let start = now_ms.max(not_before);
        // The next attempt, even one already running beside this one, waits after this one.
        tx.execute(
            "UPDATE login_failures SET not_before_ms = ?2 WHERE login = ?1",
            params![login, start.saturating_add(backoff.delay_ms(failures))],
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
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (failures, not_before) =
            one_more_failure(recent(&tx, login, now_ms, backoff)?, now_ms, backoff);
        // Logins nobody has used for long are dropped, so guessed names do not pile up.
        tx.execute(
            "DELETE FROM login_failures WHERE last_failure_ms < ?1",
            [now_ms.saturating_sub(backoff.forget_after_ms)],
        )?;
        tx.execute(
            "INSERT INTO login_failures (login, failures, last_failure_ms, not_before_ms)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (login) DO UPDATE SET failures = excluded.failures,
                last_failure_ms = excluded.last_failure_ms, not_before_ms = excluded.not_before_ms",
            params![login, i64::from(failures), now_ms, not_before],
        )?;
        tx.commit()?;
        Ok(failures)
    }

    fn login_succeeded(&mut self, login: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM login_failures WHERE login = ?1", [login])?;
        Ok(())
    }
}
