//! The exercices' PES numbering in SQLite (see [`crate::numbering`]; table `numbering`,
//! migration 15). The numbers a run takes at validation are given by [`take`], inside the
//! validation's transaction.

use super::{SqliteStore, journal, users};
use crate::StoreError;
use crate::numbering::{
    ExerciceNumbering, HistoryInExercice, NumberingError, NumberingStore, SetNumbering,
};
use relais_core::Cents;
use relais_core::journal::Entry;
use relais_core::roles::Role;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde_json::json;

pub(crate) const SELECT: &str =
    "SELECT exercice, confirmed_bordereau, confirmed_mandate, confirmed_cumul,
    confirmed_by, confirmed_at, reason, last_bordereau, last_mandate, cumul FROM numbering";

fn number(r: &Row<'_>, i: usize) -> rusqlite::Result<u32> {
    let v: i64 = r.get(i)?;
    u32::try_from(v).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Integer, Box::new(e))
    })
}

fn read(r: &Row<'_>) -> rusqlite::Result<ExerciceNumbering> {
    let exercice: i64 = r.get(0)?;
    Ok(ExerciceNumbering {
        exercice: i16::try_from(exercice).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Integer,
                Box::new(e),
            )
        })?,
        confirmed_bordereau: number(r, 1)?,
        confirmed_mandate: number(r, 2)?,
        confirmed_cumul: Cents(r.get(3)?),
        confirmed_by: r.get(4)?,
        confirmed_at: r.get(5)?,
        reason: r.get(6)?,
        last_bordereau: number(r, 7)?,
        last_mandate: number(r, 8)?,
        cumul: Cents(r.get(9)?),
    })
}

pub(super) fn get(
    conn: &Connection,
    exercice: i16,
) -> Result<Option<ExerciceNumbering>, rusqlite::Error> {
    conn.query_row(&format!("{SELECT} WHERE exercice = ?1"), [exercice], read)
        .optional()
}

/// The numbers a validated run takes: its first `IdBord` and `IdPce`, and the exercice's
/// `MtCumulAnnuel` before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Taken {
    pub first_bordereau: u32,
    pub first_mandate: u32,
    pub cumul_before: Cents,
}

/// Takes `bordereaux` bordereau numbers and `mandates` mandate numbers of `exercice`, and adds
/// `amount` to its cumulative total, in the caller's transaction. `None` when the exercice's
/// numbering was never confirmed; an error when its numbers would run out.
pub(super) fn take(
    conn: &Connection,
    exercice: i16,
    bordereaux: u32,
    mandates: u32,
    amount: Cents,
) -> Result<Option<Taken>, StoreError> {
    let Some(n) = get(conn, exercice)? else {
        return Ok(None);
    };
    let (taken, after) = advance(&n, bordereaux, mandates, amount)?;
    conn.execute(
        "UPDATE numbering SET last_bordereau = ?2, last_mandate = ?3, cumul = ?4
         WHERE exercice = ?1",
        params![
            exercice,
            after.last_bordereau,
            after.last_mandate,
            after.cumul.0
        ],
    )?;
    Ok(Some(taken))
}

/// An exercice's last numbers and cumul once a take is counted (see [`advance`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Advanced {
    pub last_bordereau: u32,
    pub last_mandate: u32,
    pub cumul: Cents,
}

/// What taking `bordereaux` bordereau and `mandates` mandate numbers and `amount` does to
/// numbering `n` — both backends' rule: an error when the numbers would run out.
pub(crate) fn advance(
    n: &ExerciceNumbering,
    bordereaux: u32,
    mandates: u32,
    amount: Cents,
) -> Result<(Taken, Advanced), StoreError> {
    let exercice = n.exercice;
    let first_bordereau = n.last_bordereau.saturating_add(1);
    let first_mandate = n.last_mandate.saturating_add(1);
    let last_bordereau = u64::from(n.last_bordereau) + u64::from(bordereaux);
    let last_mandate = u64::from(n.last_mandate) + u64::from(mandates);
    let exhausted = || {
        StoreError::Corrupt(format!(
            "exercice {exercice}: bordereau or mandate numbers exhausted ({last_bordereau}, {last_mandate})"
        ))
    };
    if last_bordereau > u64::from(crate::numbering::MAX_BORDEREAU)
        || last_mandate > u64::from(crate::numbering::MAX_MANDATE)
    {
        return Err(exhausted());
    }
    let cumul = n
        .cumul
        .checked_add(amount)
        .ok_or_else(|| StoreError::Corrupt(format!("exercice {exercice}: cumul overflow")))?;
    Ok((
        Taken {
            first_bordereau,
            first_mandate,
            cumul_before: n.cumul,
        },
        Advanced {
            last_bordereau: u32::try_from(last_bordereau).map_err(|_| exhausted())?,
            last_mandate: u32::try_from(last_mandate).map_err(|_| exhausted())?,
            cumul,
        },
    ))
}

/// The journal payload of a confirmed numbering (`numbering_set`), replacing `before`.
pub(crate) fn set_payload(
    req: &SetNumbering<'_>,
    before: Option<&ExerciceNumbering>,
) -> serde_json::Value {
    json!({
        "exercice": req.exercice,
        "last_bordereau": req.last_bordereau,
        "last_mandate": req.last_mandate,
        "cumul_cents": req.cumul.0,
        "reason": req.reason.trim(),
        "replaces": before.map(|b| json!({
            "last_bordereau": b.confirmed_bordereau,
            "last_mandate": b.confirmed_mandate,
            "cumul_cents": b.confirmed_cumul.0,
            "confirmed_by": b.confirmed_by,
            "confirmed_at": b.confirmed_at,
        })),
    })
}

/// Refuses a confirmation once Relais gave a number of the exercice (`before`, or validated
/// runs up to bordereau `validated`, from before numberings existed).
pub(crate) fn refuse_given(
    exercice: i16,
    before: Option<&ExerciceNumbering>,
    validated: Option<i64>,
) -> Result<(), NumberingError> {
    if let Some(b) = before
        && b.given()
    {
        return Err(NumberingError::AlreadyGiven {
            exercice,
            last_bordereau: b.last_bordereau,
            last_mandate: b.last_mandate,
        });
    }
    if let Some(last) = validated {
        return Err(NumberingError::AlreadyGiven {
            exercice,
            last_bordereau: u32::try_from(last).unwrap_or(0),
            last_mandate: 0,
        });
    }
    Ok(())
}

fn set(
    conn: &mut Connection,
    req: &SetNumbering<'_>,
) -> Result<(ExerciceNumbering, Entry), NumberingError> {
    req.check()?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    users::require_any(&tx, req.actor, &[Role::Ordonnateur])?;
    let before = get(&tx, req.exercice)?;
    // Runs validated before numberings existed (bordereaux from 1) gave numbers too.
    let validated: Option<i64> = tx
        .query_row(
            "SELECT max(bordereau) FROM runs
             WHERE exercice = ?1 AND status = 'validated' HAVING count(*) > 0",
            [req.exercice],
            |r| r.get(0),
        )
        .optional()?;
    refuse_given(req.exercice, before.as_ref(), validated)?;
    tx.execute(
        "INSERT INTO numbering (exercice, confirmed_bordereau, confirmed_mandate, confirmed_cumul,
             confirmed_by, confirmed_at, reason, last_bordereau, last_mandate, cumul)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?2, ?3, ?4)
         ON CONFLICT (exercice) DO UPDATE SET
             confirmed_bordereau = excluded.confirmed_bordereau,
             confirmed_mandate = excluded.confirmed_mandate,
             confirmed_cumul = excluded.confirmed_cumul,
             confirmed_by = excluded.confirmed_by,
             confirmed_at = excluded.confirmed_at,
             reason = excluded.reason,
             last_bordereau = excluded.last_bordereau,
             last_mandate = excluded.last_mandate,
             cumul = excluded.cumul",
        params![
            req.exercice,
            req.last_bordereau,
            req.last_mandate,
            req.cumul.0,
            req.actor,
            req.local_time,
            req.reason.trim(),
        ],
    )?;
    let entry = journal::append(
        &tx,
        req.actor,
        "numbering_set",
        &set_payload(req, before.as_ref()),
    )?;
    let now = get(&tx, req.exercice)?
        .ok_or_else(|| StoreError::Corrupt(format!("numbering {} not written", req.exercice)))?;
    tx.commit()?;
    Ok((now, entry))
}

impl NumberingStore for SqliteStore {
    fn set_numbering(
        &mut self,
        req: &SetNumbering<'_>,
    ) -> Result<(ExerciceNumbering, Entry), NumberingError> {
        set(&mut self.conn, req)
    }

    fn numberings(&self) -> Result<Vec<ExerciceNumbering>, NumberingError> {
        let mut stmt = self
            .conn
            .prepare(&format!("{SELECT} ORDER BY exercice DESC"))?;
        let rows = stmt.query_map([], read)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn numbering(&self, exercice: i16) -> Result<Option<ExerciceNumbering>, NumberingError> {
        Ok(get(&self.conn, exercice)?)
    }

    fn history_in_exercice(&self, exercice: i16) -> Result<HistoryInExercice, NumberingError> {
        let (dates, payments, total): (i64, i64, i64) = self.conn.query_row(
            "SELECT count(DISTINCT paid_on), count(*), coalesce(sum(amount), 0)
             FROM past_payments WHERE substr(paid_on, 1, 4) = ?1",
            [format!("{exercice:04}")],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(HistoryInExercice {
            pay_dates: u32::try_from(dates).unwrap_or(u32::MAX),
            payments: u64::try_from(payments).unwrap_or(0),
            total: Cents(total),
        })
    }
}
