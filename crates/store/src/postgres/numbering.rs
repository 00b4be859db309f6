//! The exercices' PES numbering on PostgreSQL (see [`crate::numbering`]): SQLite's checks,
//! row decoding and journal entry (`sqlite/numbering.rs`), over PostgreSQL's SQL. The schema's
//! trigger `numbering_forward` keeps the numbers from going back, as on SQLite.

use super::{PgStore, journal, users, write};
use crate::StoreError;
use crate::numbering::{
    ExerciceNumbering, HistoryInExercice, NumberingError, NumberingStore, SetNumbering,
};
use crate::sqlite::numbering::{SELECT, history, read, refuse_given, set_payload};
use postgres::GenericClient;
use relais_core::journal::Entry;
use relais_core::roles::Role;

pub(crate) fn get(
    c: &mut impl GenericClient,
    exercice: i16,
) -> Result<Option<ExerciceNumbering>, StoreError> {
    c.query_opt(
        &format!("{SELECT} WHERE exercice = $1"),
        &[&i64::from(exercice)],
    )?
    .as_ref()
    .map(read)
    .transpose()
}

fn set(
    client: &mut postgres::Client,
    req: &SetNumbering<'_>,
) -> Result<(ExerciceNumbering, Entry), NumberingError> {
    req.check()?;
    let mut tx = write(client)?;
    users::require_any(&mut tx, req.actor, &[Role::Ordonnateur])?;
    // Locked until commit, like every counter a writer steps.
    let before = tx
        .query_opt(
            &format!("{SELECT} WHERE exercice = $1 FOR UPDATE"),
            &[&i64::from(req.exercice)],
        )?
        .as_ref()
        .map(read)
        .transpose()?;
    let validated: Option<i64> = tx
        .query_opt(
            "SELECT max(bordereau) FROM runs
             WHERE exercice = $1 AND status = 'validated' HAVING count(*) > 0",
            &[&i64::from(req.exercice)],
        )?
        .map(|r| r.try_get(0))
        .transpose()?;
    refuse_given(req, before.as_ref(), validated)?;
    tx.execute(
        "INSERT INTO numbering AS n (exercice, confirmed_bordereau, confirmed_mandate,
             confirmed_cumul, confirmed_by, confirmed_at, reason, last_bordereau, last_mandate,
             cumul)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $2, $3, $4)
         ON CONFLICT (exercice) DO UPDATE SET (confirmed_bordereau, confirmed_mandate,
             confirmed_cumul, confirmed_by, confirmed_at, reason, last_bordereau, last_mandate,
             cumul) = (excluded.confirmed_bordereau, excluded.confirmed_mandate,
             excluded.confirmed_cumul, excluded.confirmed_by, excluded.confirmed_at,
             excluded.reason, excluded.last_bordereau, excluded.last_mandate, excluded.cumul)",
        &[
            &i64::from(req.exercice),
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
        &set_payload(req, before),
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
        Ok(self
            .conn()?
            .query(&format!("{SELECT} ORDER BY exercice DESC"), &[])?
            .iter()
            .map(read)
            .collect::<Result<_, _>>()?)
    }

    fn numbering(&self, exercice: i16) -> Result<Option<ExerciceNumbering>, NumberingError> {
        Ok(get(&mut *self.conn()?, exercice)?)
    }

    fn history_in_exercice(&self, exercice: i16) -> Result<HistoryInExercice, NumberingError> {
        let r = self.conn()?.query_one(
            "SELECT count(DISTINCT paid_on), count(*), coalesce(sum(amount), 0)::BIGINT
             FROM past_payments WHERE substr(paid_on, 1, 4) = $1",
            &[&format!("{exercice:04}")],
        )?;
        Ok(history(r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
    }
}
