//! The numbers a run takes at validation on PostgreSQL, for every kind of run (benefits,
//! payroll, suppliers, regularisations): SQLite's rule ([`advance`]) over PostgreSQL's SQL.
//! The confirmation itself is `postgres/numbering.rs`.
//!
//! Gap-free across processes: the caller's transaction began with [`crate::postgres::write`]
//! (the writers' lock), and the exercice's row is read `FOR UPDATE` besides, so that no other
//! transaction can move the counters between the read and the update.

use crate::StoreError;
use crate::sqlite::numbering::{SELECT, advance, read};
use postgres::GenericClient;
use relais_core::Cents;

pub(crate) use crate::sqlite::numbering::Taken;

/// Takes `bordereaux` bordereau numbers and `mandates` mandate numbers of `exercice`, and adds
/// `amount` to its cumulative total, in the caller's writing transaction. `None` when the
/// exercice's numbering was never confirmed; an error when its numbers would run out.
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
