//! Reading a run on PostgreSQL (as `sqlite/runs/read.rs`): its record, payees, lines; the
//! rows are parsed by the functions SQLite uses.

use crate::StoreError;
use crate::runs::{Each, RunLine, RunPayee, RunRecord, RunStoreError};
use crate::sqlite::blocks::{each_of_block, empty_line};
use crate::sqlite::runs::read::{PAYEE_COLUMNS, RawPayee, record_of, run_payee};
use postgres::{GenericClient, Row};
use relais_core::run::RunId;
use std::collections::HashMap;

pub(crate) fn load(
    c: &mut impl GenericClient,
    id: RunId,
) -> Result<Option<RunRecord>, RunStoreError> {
    let row = c.query_opt(
        "SELECT status, benefits, params, summary, validated_by, validated_at, cancelled_by,
                exercice, bordereau, first_mandate, cumul_before,
                CASE WHEN EXISTS (SELECT 1 FROM payroll_runs p WHERE p.run_id = runs.id)
                     THEN 'paie'
                     WHEN EXISTS (SELECT 1 FROM supplier_runs s WHERE s.run_id = runs.id)
                     THEN 'fournisseurs' ELSE 'aides' END
         FROM runs WHERE id = $1",
        &[&id.to_string()],
    )?;
    let Some(r) = row else { return Ok(None) };
    let raw = (
        r.try_get(0)?,
        r.try_get(1)?,
        r.try_get(2)?,
        r.try_get(3)?,
        r.try_get(4)?,
        r.try_get(5)?,
        r.try_get(6)?,
        r.try_get(7)?,
        r.try_get(8)?,
        r.try_get(9)?,
        r.try_get(10)?,
        r.try_get(11)?,
    );
    record_of(id, raw).map(Some)
}

pub(crate) fn run_or_not_found(
    c: &mut impl GenericClient,
    id: RunId,
) -> Result<RunRecord, RunStoreError> {
    load(c, id)?.ok_or(RunStoreError::NotFound(id))
}

fn payee_of(r: &Row) -> Result<RunPayee, StoreError> {
    run_payee(RawPayee {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        name: r.try_get(2)?,
        siret: r.try_get(3)?,
        iban: r.try_get(4)?,
        bic: r.try_get(5)?,
        holder: r.try_get(6)?,
        address: r.try_get(7)?,
        postal_code: r.try_get(8)?,
        city: r.try_get(9)?,
        legal_form: r.try_get(10)?,
    })
}

pub(crate) fn each_payee(
    c: &mut impl GenericClient,
    id: RunId,
    each: Each<'_, RunPayee>,
) -> Result<(), RunStoreError> {
    let rows = c.query(
        &format!(
            "SELECT {PAYEE_COLUMNS} FROM run_payees p WHERE p.run_id = $1 ORDER BY p.payee_id"
        ),
        &[&id.to_string()],
    )?;
    for r in &rows {
        each(&payee_of(r)?)?;
    }
    Ok(())
}

/// Blocks fetched a few at a time (each up to a thousand lines).
const BLOCKS_PER_FETCH: i32 = 16;

/// Each line of a list of run `run`, in order: the blocks read through a portal, a few at a
/// time, decoded in Rust (no `run_lines_json` on PostgreSQL).
pub(crate) fn each_block_line(
    c: &mut postgres::Client,
    run: &str,
    caf: bool,
    each: &mut dyn FnMut(&RunLine) -> Result<(), RunStoreError>,
) -> Result<(), RunStoreError> {
    let mut tx = c.transaction()?;
    each_block_line_in(&mut tx, run, caf, each)?;
    tx.commit()?;
    Ok(())
}

/// [`each_block_line`] in the caller's transaction.
pub(crate) fn each_block_line_in(
    tx: &mut postgres::Transaction<'_>,
    run: &str,
    caf: bool,
    each: &mut dyn FnMut(&RunLine) -> Result<(), RunStoreError>,
) -> Result<(), RunStoreError> {
    let portal = tx.bind(
        "SELECT data FROM run_line_blocks WHERE run_id = $1 AND caf = $2 ORDER BY n",
        &[&run, &i64::from(caf)],
    )?;
    let (mut position, mut buf, mut line) = (0, Vec::new(), empty_line());
    loop {
        let rows = tx.query_portal(&portal, BLOCKS_PER_FETCH)?;
        for r in &rows {
            let data: &[u8] = r.try_get(0)?;
            each_of_block(data, &mut buf, &mut position, &mut line, each)?;
        }
        if rows.len() < BLOCKS_PER_FETCH as usize {
            return Ok(());
        }
    }
}

/// Each mandated line with its payee. The run's payees are read first (one query).
pub(crate) fn each_line(
    c: &mut postgres::Client,
    id: RunId,
    each: &mut dyn FnMut(&RunLine, &RunPayee) -> Result<(), RunStoreError>,
) -> Result<(), RunStoreError> {
    let mut payees: HashMap<String, RunPayee> = HashMap::new();
    each_payee(c, id, &mut |p| {
        payees.insert(p.id.clone(), p.clone());
        Ok(())
    })?;
    each_block_line(c, &id.to_string(), false, &mut |line| {
        let payee = payees
            .get(&line.payee_id)
            .ok_or_else(|| crate::sqlite::decode::corrupt("run payee", &line.payee_id))?;
        each(line, payee)
    })
}

/// The next run of `month`: its sequence number and identifier (at most 99 runs a month).
pub(crate) fn next_run_id(
    c: &mut impl GenericClient,
    month: relais_core::calendar::Month,
) -> Result<(i64, RunId), RunStoreError> {
    let seq: i64 = c
        .query_one(
            "SELECT coalesce(max(seq), 0) + 1 FROM runs WHERE month = $1",
            &[&month.to_string()],
        )?
        .try_get(0)?;
    let id = u16::try_from(seq)
        .ok()
        .and_then(|s| RunId::new(month, s))
        .ok_or(RunStoreError::TooManyRuns(month))?;
    Ok((seq, id))
}
