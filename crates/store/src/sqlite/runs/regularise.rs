//! A run's regularisation in SQLite (see [`crate::regularisation`]; table
//! `run_regularisations`, migration 32): the numbers taken from the exercice's numbering, the
//! row and the journal entry `run_regularise` in one transaction.

use super::read::load;
use super::{authorize, corrupt};
use crate::regularisation::{RecordRegularisation, RegularisationError, RunRegularisation};
use crate::runs::RunStoreError;
use crate::sqlite::{journal, numbering};
use relais_core::Cents;
use relais_core::roles::Role;
use relais_core::run::{RunId, RunStatus};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::json;

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

pub(super) fn get(
    conn: &Connection,
    id: RunId,
) -> Result<Option<RunRegularisation>, RegularisationError> {
    let row = conn
        .query_row(
            "SELECT exercice, bordereau, last_bordereau, first_mandate, last_mandate, sha256,
                    journal_seq, regularised_by, regularised_at
             FROM run_regularisations WHERE run_id = ?1",
            [id.to_string()],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    [r.get::<_, i64>(1)?, r.get(2)?, r.get(3)?, r.get(4)?],
                    r.get::<_, String>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                ))
            },
        )
        .optional()
        .map_err(crate::StoreError::from)?;
    let Some((exercice, [b, lb, fm, lm], sha256, seq, by, at)) = row else {
        return Ok(None);
    };
    Ok(Some(RunRegularisation {
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
    }))
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

pub(super) fn record(
    conn: &mut Connection,
    req: &RecordRegularisation<'_>,
) -> Result<(RunRegularisation, bool), RegularisationError> {
    let id = req.run;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(crate::StoreError::from)?;
    authorize(&tx, req.actor, &[Role::Ordonnateur])?;
    let run = load(&tx, id)
        .map_err(|e| from_run(e, id))?
        .ok_or(RegularisationError::NotFound(id))?;
    relais_core::regularisation::may_regularise(run.kind)
        .map_err(|reason| RegularisationError::Refused { run: id, reason })?;
    if let Some(done) = get(&tx, id)? {
        return Ok((done, false));
    }
    if run.status != RunStatus::Validated {
        return Err(RegularisationError::NotValidated {
            run: id,
            status: run.status,
        });
    }
    if !exported(&tx, id)? {
        return Err(RegularisationError::NotExported(id));
    }
    let n =
        numbering::get(&tx, req.exercice)?.ok_or(RegularisationError::NoNumbering(req.exercice))?;
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
    numbering::take(
        &tx,
        req.exercice,
        req.last_bordereau - req.bordereau + 1,
        req.last_mandate - req.first_mandate + 1,
        Cents::ZERO,
    )?
    .ok_or(RegularisationError::NoNumbering(req.exercice))?;
    let entry = journal::append(
        &tx,
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
    tx.execute(
        "INSERT INTO run_regularisations (run_id, exercice, bordereau, last_bordereau,
             first_mandate, last_mandate, sha256, journal_seq, regularised_by, regularised_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id.to_string(),
            req.exercice,
            req.bordereau,
            req.last_bordereau,
            req.first_mandate,
            req.last_mandate,
            req.sha256,
            entry.seq,
            req.actor,
            req.local_time,
        ],
    )
    .map_err(crate::StoreError::from)?;
    let done = get(&tx, id)?.ok_or_else(|| corrupt("regularisation", "not written"))?;
    tx.commit().map_err(crate::StoreError::from)?;
    Ok((done, true))
}
