//! The exercices' PES numbering on PostgreSQL (see [`crate::numbering`], `sqlite/numbering.rs`):
//! the confirmation by an ordonnateur, and the numbers every kind of run (benefits, payroll,
//! suppliers, regularisations) takes at validation through [`take`], in its transaction.
//!
//! Gap-free across processes: the caller's transaction began with [`super::super::write`]
//! (the writers' lock), and the exercice's row is read `FOR UPDATE` besides, so that no other
//! transaction can move the counters between the read and the update.

use super::super::{PgStore, journal, users, write};
use crate::StoreError;
use crate::numbering::{
    ExerciceNumbering, HistoryInExercice, NumberingError, NumberingStore, SetNumbering,
};
use crate::sqlite::numbering::{SELECT, advance, refuse_given, set_payload};
use postgres::{GenericClient, Row};
use relais_core::Cents;
use relais_core::journal::Entry;
use relais_core::roles::Role;

pub(crate) use crate::sqlite::numbering::Taken;

fn number(r: &Row, i: usize) -> Result<u32, StoreError> {
    let v: i64 = r.try_get(i)?;
    u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("numbering: {v} out of range")))
}

fn read(r: &Row) -> Result<ExerciceNumbering, StoreError> {
    let exercice: i64 = r.try_get(0)?;
    Ok(ExerciceNumbering {
        exercice: i16::try_from(exercice)
            .map_err(|_| StoreError::Corrupt(format!("numbering: exercice {exercice}")))?,
        confirmed_bordereau: number(r, 1)?,
        confirmed_mandate: number(r, 2)?,
        confirmed_cumul: Cents(r.try_get(3)?),
        confirmed_by: r.try_get(4)?,
        confirmed_at: r.try_get(5)?,
        reason: r.try_get(6)?,
        last_bordereau: number(r, 7)?,
        last_mandate: number(r, 8)?,
        cumul: Cents(r.try_get(9)?),
    })
}

/// The numbering of `exercice`, if confirmed.
pub(crate) fn get(
    c: &mut impl GenericClient,
    exercice: i16,
) -> Result<Option<ExerciceNumbering>, StoreError> {
    c.query_opt(
        &format!("{SELECT} WHERE exercice = $1"),
        &[&i64::from(exercice)],
    )?
    .map(|r| read(&r))
    .transpose()
}

/// Takes `bordereaux` bordereau numbers and `mandates` mandate numbers of `exercice`, and adds
/// `amount` to its cumulative total, in the caller's writing transaction (begun by
/// [`write`]). `None` when the exercice's numbering was never confirmed; an error when its
/// numbers would run out.
pub(crate) fn take(
    tx: &mut impl GenericClient,
    exercice: i16,
    bordereaux: u32,
    mandates: u32,
    amount: Cents,
) -> Result<Option<Taken>, StoreError> {
    let Some(row) = tx.query_opt(
        &format!("{SELECT} WHERE exercice = $1 FOR UPDATE"),
        &[&i64::from(exercice)],
    )?
    else {
        return Ok(None);
    };
    let (taken, after) = advance(&read(&row)?, bordereaux, mandates, amount)?;
    tx.execute(
        "UPDATE numbering SET last_bordereau = $2, last_mandate = $3, cumul = $4
         WHERE exercice = $1",
        &[
            &i64::from(exercice),
            &i64::from(after.last_bordereau),
            &i64::from(after.last_mandate),
            &after.cumul.0,
        ],
    )?;
    Ok(Some(taken))
}

fn set(
    client: &mut postgres::Client,
    req: &SetNumbering<'_>,
) -> Result<(ExerciceNumbering, Entry), NumberingError> {
    req.check()?;
    let mut tx = write(client)?;
    users::require_any(&mut tx, req.actor, &[Role::Ordonnateur])?;
    let exercice = i64::from(req.exercice);
    let before = get(&mut tx, req.exercice)?;
    // Runs validated before numberings existed (bordereaux from 1) gave numbers too.
    let validated: Option<i64> = tx
        .query_opt(
            "SELECT max(bordereau) FROM runs
             WHERE exercice = $1 AND status = 'validated' HAVING count(*) > 0",
            &[&exercice],
        )?
        .map(|r| r.try_get(0))
        .transpose()?;
    refuse_given(req.exercice, before.as_ref(), validated)?;
    tx.execute(
        "INSERT INTO numbering (exercice, confirmed_bordereau, confirmed_mandate, confirmed_cumul,
             confirmed_by, confirmed_at, reason, last_bordereau, last_mandate, cumul)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $2, $3, $4)
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
        &[
            &exercice,
            &i64::from(req.last_bordereau),
            &i64::from(req.last_mandate),
            &req.cumul.0,
            &req.actor,
            &req.local_time,
            &req.reason.trim(),
        ],
    )?;
    let entry = journal::append(
        &mut tx,
        req.actor,
        "numbering_set",
        &set_payload(req, before.as_ref()),
    )?;
    let now = get(&mut tx, req.exercice)?
        .ok_or_else(|| StoreError::Corrupt(format!("numbering {} not written", req.exercice)))?;
    tx.commit()?;
    Ok((now, entry))
}

impl NumberingStore for PgStore {
    fn set_numbering(
        &mut self,
        req: &SetNumbering<'_>,
    ) -> Result<(ExerciceNumbering, Entry), NumberingError> {
        set(self.client.get_mut(), req)
    }

    fn numberings(&self) -> Result<Vec<ExerciceNumbering>, NumberingError> {
        let rows = self
            .conn()?
            .query(&format!("{SELECT} ORDER BY exercice DESC"), &[])?;
        Ok(rows.iter().map(read).collect::<Result<Vec<_>, _>>()?)
    }

    fn numbering(&self, exercice: i16) -> Result<Option<ExerciceNumbering>, NumberingError> {
        Ok(get(&mut *self.conn()?, exercice)?)
    }

    fn history_in_exercice(&self, exercice: i16) -> Result<HistoryInExercice, NumberingError> {
        let row = self.conn()?.query_one(
            "SELECT count(DISTINCT paid_on), count(*), coalesce(sum(amount), 0)::BIGINT
                 FROM past_payments WHERE substr(paid_on, 1, 4) = $1",
            &[&format!("{exercice:04}")],
        )?;
        let (dates, payments, total): (i64, i64, i64) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        Ok(HistoryInExercice {
            pay_dates: u32::try_from(dates).unwrap_or(u32::MAX),
            payments: u64::try_from(payments).unwrap_or(0),
            total: Cents(total),
        })
    }
}
