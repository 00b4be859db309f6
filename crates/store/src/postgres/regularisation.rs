//! A run's regularisation on PostgreSQL (see [`crate::regularisation`]): SQLite's steps
//! (`sqlite/runs/regularise.rs`, [`record_in`]) in one writing transaction, the numbers taken
//! by the runs' own [`take`] (the exercice's row locked, after the writers' lock).

use super::numbering::get as numbering_of;
use super::runs::load_run as load;
use super::runs::numbering::{Taken, take};
use super::{PgStore, journal, users, write};
use crate::StoreError;
use crate::numbering::ExerciceNumbering;
use crate::regularisation::{
    RecordRegularisation, RegularisationError, RegularisationStore, RunRegularisation,
};
use crate::runs::{RunRecord, RunStoreError};
use crate::sqlite::runs::regularise::{
    INSERT, RegularisationTx, SELECT, record_in, regularisation_of,
};
use postgres::{GenericClient, Transaction};
use relais_core::Cents;
use relais_core::journal::Entry;
use relais_core::roles::Role;
use relais_core::run::RunId;

fn get(
    c: &mut impl GenericClient,
    id: RunId,
) -> Result<Option<RunRegularisation>, RegularisationError> {
    let Some(r) = c.query_opt(&format!("{SELECT}$1"), &[&id.to_string()])? else {
        return Ok(None);
    };
    let raw = (
        r.try_get(0)?,
        [r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?],
        r.try_get(5)?,
        r.try_get(6)?,
        r.try_get(7)?,
        r.try_get(8)?,
    );
    regularisation_of(id, raw).map(Some)
}

fn exported(c: &mut impl GenericClient, id: RunId) -> Result<bool, RegularisationError> {
    // Through the index `journal_by_kind`: a few entries per run; the payload is JSON text.
    Ok(c.query_opt(
        "SELECT 1 FROM journal
         WHERE kind = 'run_export' AND payload::jsonb ->> 'run' = $1 LIMIT 1",
        &[&id.to_string()],
    )?
    .is_some())
}

impl RegularisationTx for Transaction<'_> {
    fn require(&mut self, actor: &str, roles: &[Role]) -> Result<(), StoreError> {
        users::require_any(self, actor, roles).map(|_| ())
    }

    fn run(&mut self, id: RunId) -> Result<Option<RunRecord>, RunStoreError> {
        load(self, id)
    }

    fn regularisation(
        &mut self,
        id: RunId,
    ) -> Result<Option<RunRegularisation>, RegularisationError> {
        get(self, id)
    }

    fn exported(&mut self, id: RunId) -> Result<bool, RegularisationError> {
        exported(self, id)
    }

    fn numbering(&mut self, exercice: i16) -> Result<Option<ExerciceNumbering>, StoreError> {
        numbering_of(self, exercice)
    }

    fn take(
        &mut self,
        exercice: i16,
        bordereaux: u32,
        mandates: u32,
        amount: Cents,
    ) -> Result<Option<Taken>, StoreError> {
        take(self, exercice, bordereaux, mandates, amount)
    }

    fn append(
        &mut self,
        actor: &str,
        kind: &str,
        payload: &serde_json::Value,
    ) -> Result<Entry, StoreError> {
        journal::append(self, actor, kind, payload)
    }

    fn insert(&mut self, req: &RecordRegularisation<'_>, seq: u64) -> Result<(), StoreError> {
        self.execute(
            &format!("{INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),
            &[
                &req.run.to_string(),
                &i64::from(req.exercice),
                &i64::from(req.bordereau),
                &i64::from(req.last_bordereau),
                &i64::from(req.first_mandate),
                &i64::from(req.last_mandate),
                &req.sha256,
                &i64::try_from(seq).unwrap_or(i64::MAX),
                &req.actor,
                &req.local_time,
            ],
        )?;
        Ok(())
    }
}

impl RegularisationStore for PgStore {
    fn regularisation(&self, run: RunId) -> Result<Option<RunRegularisation>, RegularisationError> {
        get(&mut *self.conn()?, run)
    }

    fn run_exported(&self, run: RunId) -> Result<bool, RegularisationError> {
        exported(&mut *self.conn()?, run)
    }

    fn record_regularisation(
        &mut self,
        req: &RecordRegularisation<'_>,
    ) -> Result<(RunRegularisation, bool), RegularisationError> {
        let mut tx = write(self.client.get_mut())?;
        let done = record_in(&mut tx, req)?;
        if done.1 {
            tx.commit()?;
        }
        Ok(done)
    }
}
