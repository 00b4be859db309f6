//! A run's regularisation (see [`crate::regularisation`]; table `run_regularisations`,
//! migration 32): the numbers taken from the exercice's numbering, the row and the journal
//! entry `run_regularise` in one transaction.
//!
//! The steps are the same on every backend ([`record_in`], over a [`RegularisationTx`]);
//! SQLite's reads and writes are here, PostgreSQL's in `postgres/regularisation.rs`.

use super::read::load;
use super::{authorize, corrupt};
use crate::StoreError;
use crate::numbering::ExerciceNumbering;
use crate::regularisation::{RecordRegularisation, RegularisationError, RunRegularisation};
use crate::runs::{RunRecord, RunStoreError};
use crate::sqlite::numbering::Taken;
use crate::sqlite::{journal, numbering};
use relais_core::Cents;
use relais_core::journal::Entry;
use relais_core::roles::Role;
use relais_core::run::{RunId, RunStatus};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::json;

/// The reads and writes of a regularisation's transaction, in a backend's SQL (begun as a
/// writer).
pub(crate) trait RegularisationTx {
    fn require(&mut self, actor: &str, roles: &[Role]) -> Result<(), StoreError>;
    fn run(&mut self, id: RunId) -> Result<Option<RunRecord>, RunStoreError>;
    fn regularisation(
        &mut self,
        id: RunId,
    ) -> Result<Option<RunRegularisation>, RegularisationError>;
    fn exported(&mut self, id: RunId) -> Result<bool, RegularisationError>;
    fn numbering(&mut self, exercice: i16) -> Result<Option<ExerciceNumbering>, StoreError>;
    fn take(
        &mut self,
        exercice: i16,
        bordereaux: u32,
        mandates: u32,
        amount: Cents,
    ) -> Result<Option<Taken>, StoreError>;
    fn append(
        &mut self,
        actor: &str,
        kind: &str,
        payload: &serde_json::Value,
    ) -> Result<Entry, StoreError>;
    /// Inserts the row of [`INSERT`] (the journal entry's `seq`).
    fn insert(&mut self, req: &RecordRegularisation<'_>, seq: u64) -> Result<(), StoreError>;
}

/// A run's regularisation, with the run's id for its placeholder (`?1` or `$1`).
pub(crate) const SELECT: &str = "
SELECT exercice, bordereau, last_bordereau, first_mandate, last_mandate, sha256, journal_seq,
       regularised_by, regularised_at
FROM run_regularisations WHERE run_id = ";

/// The columns of the row, in their placeholders' order (`?1`… or `$1`…).
pub(crate) const INSERT: &str = "INSERT INTO run_regularisations (run_id, exercice, bordereau,
    last_bordereau, first_mandate, last_mandate, sha256, journal_seq, regularised_by,
    regularised_at)";

/// A row of [`SELECT`], as read.
pub(crate) type RawRegularisation = (i64, [i64; 4], String, i64, String, String);

fn from_run(e: RunStoreError, id: RunId) -> RegularisationError {
    match e {
        RunStoreError::Store(e) => RegularisationError::Store(e),
        RunStoreError::NotFound(_) => RegularisationError::NotFound(id),
        other => RegularisationError::Store(crate::StoreError::Corrupt(other.to_string())),
    }
}

fn number(v: i64, what: &str) -> Result<u32, RegularisationError> {
    u32::try_from(v).map_err(|_| RegularisationError::Store(corrupt(what, &v.to_string())))
}

pub(crate) fn regularisation_of(
    id: RunId,
    raw: RawRegularisation,
) -> Result<RunRegularisation, RegularisationError> {
    let (exercice, [b, lb, fm, lm], sha256, seq, by, at) = raw;
    Ok(RunRegularisation {
        run: id,
        exercice: i16::try_from(exercice)
            .map_err(|_| corrupt("regularisation exercice", &exercice.to_string()))?,
        bordereau: number(b, "regularisation bordereau")?,
        last_bordereau: number(lb, "regularisation bordereau")?,
        first_mandate: number(fm, "regularisation mandate")?,
        last_mandate: number(lm, "regularisation mandate")?,
        sha256,
        journal_seq: u64::try_from(seq)
            .map_err(|_| corrupt("regularisation journal seq", &seq.to_string()))?,
        by,
        at,
    })
}

pub(super) fn get(
    conn: &Connection,
    id: RunId,
) -> Result<Option<RunRegularisation>, RegularisationError> {
    let row = conn
        .query_row(&format!("{SELECT}?1"), [id.to_string()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                [r.get::<_, i64>(1)?, r.get(2)?, r.get(3)?, r.get(4)?],
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
            ))
        })
        .optional()
        .map_err(crate::StoreError::from)?;
    row.map(|raw| regularisation_of(id, raw)).transpose()
}

pub(super) fn exported(conn: &Connection, id: RunId) -> Result<bool, RegularisationError> {
    // Through the index `journal_by_kind`: a few entries per run.
    let found = conn
        .query_row(
            "SELECT 1 FROM journal
             WHERE kind = 'run_export' AND json_extract(payload, '$.run') = ?1 LIMIT 1",
            [id.to_string()],
            |_| Ok(()),
        )
        .optional()
        .map_err(crate::StoreError::from)?;
    Ok(found.is_some())
}

/// Records `req` in the caller's writing transaction, which the caller commits (see
/// [`crate::regularisation::RegularisationStore::record_regularisation`]).
pub(crate) fn record_in(
    tx: &mut impl RegularisationTx,
    req: &RecordRegularisation<'_>,
) -> Result<(RunRegularisation, bool), RegularisationError> {
    let id = req.run;
    tx.require(req.actor, &[Role::Ordonnateur])?;
    let run = tx
        .run(id)
        .map_err(|e| from_run(e, id))?
        .ok_or(RegularisationError::NotFound(id))?;
    relais_core::regularisation::may_regularise(run.kind)
        .map_err(|reason| RegularisationError::Refused { run: id, reason })?;
    if let Some(done) = tx.regularisation(id)? {
        return Ok((done, false));
    }
    if run.status != RunStatus::Validated {
        return Err(RegularisationError::NotValidated {
            run: id,
            status: run.status,
        });
    }
    if !tx.exported(id)? {
        return Err(RegularisationError::NotExported(id));
    }
    let n = tx
        .numbering(req.exercice)?
        .ok_or(RegularisationError::NoNumbering(req.exercice))?;
    let moved = || RegularisationError::NumberingMoved {
        exercice: req.exercice,
        last_bordereau: n.last_bordereau,
        last_mandate: n.last_mandate,
    };
    if u64::from(n.last_bordereau) + 1 != u64::from(req.bordereau)
        || u64::from(n.last_mandate) + 1 != u64::from(req.first_mandate)
        || req.last_bordereau < req.bordereau
        || req.last_mandate < req.first_mandate
    {
        return Err(moved());
    }
    // The regularised payments were counted in the exercice's total when their run was
    // validated: the cumul does not grow again.
    tx.take(
        req.exercice,
        req.last_bordereau - req.bordereau + 1,
        req.last_mandate - req.first_mandate + 1,
        Cents::ZERO,
    )?
    .ok_or(RegularisationError::NoNumbering(req.exercice))?;
    let entry = tx.append(
        req.actor,
        "run_regularise",
        &json!({
            "run": id.to_string(),
            "exercice": req.exercice,
            "bordereaux": [req.bordereau, req.last_bordereau],
            "mandats": [req.first_mandate, req.last_mandate],
            "type_piece": "05",
            "file": req.file,
            "sha256": req.sha256,
        }),
    )?;
    tx.insert(req, entry.seq)?;
    let done = tx
        .regularisation(id)?
        .ok_or_else(|| corrupt("regularisation", "not written"))?;
    Ok((done, true))
}

/// SQLite's regularisation transaction (begun `IMMEDIATE`).
struct Tx<'a>(&'a Connection);

impl RegularisationTx for Tx<'_> {
    fn require(&mut self, actor: &str, roles: &[Role]) -> Result<(), StoreError> {
        authorize(self.0, actor, roles)
    }

    fn run(&mut self, id: RunId) -> Result<Option<RunRecord>, RunStoreError> {
        load(self.0, id)
    }

    fn regularisation(
        &mut self,
        id: RunId,
    ) -> Result<Option<RunRegularisation>, RegularisationError> {
        get(self.0, id)
    }

    fn exported(&mut self, id: RunId) -> Result<bool, RegularisationError> {
        exported(self.0, id)
    }

    fn numbering(&mut self, exercice: i16) -> Result<Option<ExerciceNumbering>, StoreError> {
        numbering::get(self.0, exercice)
    }

    fn take(
        &mut self,
        exercice: i16,
        bordereaux: u32,
        mandates: u32,
        amount: Cents,
    ) -> Result<Option<Taken>, StoreError> {
        numbering::take(self.0, exercice, bordereaux, mandates, amount)
    }

    fn append(
        &mut self,
        actor: &str,
        kind: &str,
        payload: &serde_json::Value,
    ) -> Result<Entry, StoreError> {
        journal::append(self.0, actor, kind, payload)
    }

    fn insert(&mut self, req: &RecordRegularisation<'_>, seq: u64) -> Result<(), StoreError> {
        self.0.execute(
            &format!("{INSERT} VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
            params![
                req.run.to_string(),
                req.exercice,
                req.bordereau,
                req.last_bordereau,
                req.first_mandate,
                req.last_mandate,
                req.sha256,
                seq,
                req.actor,
                req.local_time,
            ],
        )?;
        Ok(())
    }
}

pub(super) fn record(
    conn: &mut Connection,
    req: &RecordRegularisation<'_>,
) -> Result<(RunRegularisation, bool), RegularisationError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(crate::StoreError::from)?;
    let done = record_in(&mut Tx(&tx), req)?;
    if done.1 {
        tx.commit().map_err(crate::StoreError::from)?;
    }
    Ok(done)
}
