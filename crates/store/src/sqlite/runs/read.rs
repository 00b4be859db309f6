//! Reading a run: its record, its payees, its lines.

use super::{benefit, corrupt};
use crate::StoreError;
use crate::runs::{
    Each, MANDATES_PER_BORDEREAU, RunLine, RunParams, RunPayee, RunRecord, RunStoreError,
};
use crate::sqlite::blocks::{self};
use relais_core::Cents;
use relais_core::ids::{Bic, Iban, Siret};
use relais_core::records::{LegalForm, PayeeKind};
use relais_core::run::{RunId, RunStatus, RunSummary};
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::cmp::Ordering;
pub(crate) fn load(conn: &Connection, id: RunId) -> Result<Option<RunRecord>, RunStoreError> {
    let row = conn
        .query_row(
            "SELECT status, benefits, params, summary, validated_by, validated_at, cancelled_by,
                    exercice, bordereau, first_mandate, cumul_before,
                    CASE WHEN EXISTS (SELECT 1 FROM payroll_runs p WHERE p.run_id = runs.id)
                         THEN 'paie'
                         WHEN EXISTS (SELECT 1 FROM supplier_runs s WHERE s.run_id = runs.id)
                         THEN 'fournisseurs' ELSE 'aides' END
             FROM runs WHERE id = ?1",
            [id.to_string()],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<i64>>(7)?,
                    r.get::<_, Option<i64>>(8)?,
                    r.get::<_, Option<i64>>(9)?,
                    r.get::<_, Option<i64>>(10)?,
                    r.get::<_, String>(11)?,
                ))
            },
        )
        .optional()?;
    row.map(|r| record_of(id, r)).transpose()
}

/// A run's row as read: status, benefits, params, summary, validated by and at, cancelled
/// by, exercice, bordereau, first mandate, cumul before, kind.
pub(crate) type RunRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    String,
);

/// The run `id` of its row (see [`RunRow`]).
pub(crate) fn record_of(id: RunId, row: RunRow) -> Result<RunRecord, RunStoreError> {
    let (
        status,
        benefits,
        params,
        summary,
        vby,
        vat,
        cby,
        exercice,
        bordereau,
        first_mandate,
        cumul_before,
        kind,
    ) = row;
    let status = RunStatus::parse(&status).ok_or_else(|| corrupt("run status", &status))?;
    let benefits = benefits
        .split(',')
        .filter(|s| !s.is_empty())
        .map(benefit)
        .collect::<Result<Vec<_>, _>>()?;
    let params: RunParams =
        serde_json::from_str(&params).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut summary: RunSummary = serde_json::from_value(
        serde_json::from_str(&summary).map_err(|e| StoreError::Corrupt(e.to_string()))?,
    )
    .map_err(|e: serde_json::Error| StoreError::Corrupt(e.to_string()))?;
    summary.status = status;
    summary.validated_by = vby;
    summary.validated_at = vat;
    summary.cancelled_by = cby;
    let bordereau = match (exercice, bordereau) {
        (Some(e), Some(b)) => Some((
            i16::try_from(e).map_err(|_| corrupt("exercice", &e.to_string()))?,
            u32::try_from(b).map_err(|_| corrupt("bordereau", &b.to_string()))?,
        )),
        _ => None,
    };
    summary.bordereaux = match bordereau {
        Some((e, first)) => (0..bordereau_count(summary.mandates))
            .map(|i| {
                (
                    e,
                    first.saturating_add(u32::try_from(i).unwrap_or(u32::MAX)),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(RunRecord {
        id,
        kind: relais_core::run::RunKind::parse(&kind).ok_or_else(|| corrupt("run kind", &kind))?,
        status,
        benefits,
        params,
        summary,
        bordereau,
        first_mandate: first_mandate
            .map(|m| u32::try_from(m).map_err(|_| corrupt("first mandate", &m.to_string())))
            .transpose()?,
        cumul_before: cumul_before.map(Cents),
    })
}

/// How many bordereaux `mandates` need (at least one).
pub(crate) fn bordereau_count(mandates: u64) -> i64 {
    let per = u64::from(MANDATES_PER_BORDEREAU);
    i64::try_from(mandates.div_ceil(per).max(1)).unwrap_or(i64::MAX)
}

pub(super) fn run_or_not_found(conn: &Connection, id: RunId) -> Result<RunRecord, RunStoreError> {
    load(conn, id)?.ok_or(RunStoreError::NotFound(id))
}

pub(super) fn each_payee(
    conn: &Connection,
    id: RunId,
    each: Each<'_, RunPayee>,
) -> Result<(), RunStoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {PAYEE_COLUMNS} FROM run_payees p WHERE p.run_id = ?1 ORDER BY p.payee_id"
    ))?;
    let mut rows = stmt.query([id.to_string()])?;
    while let Some(r) = rows.next()? {
        each(&payee_of(r, 0)?)?;
    }
    Ok(())
}

pub(super) fn payee_of(r: &Row<'_>, at: usize) -> Result<RunPayee, StoreError> {
    run_payee(RawPayee {
        id: r.get(at)?,
        kind: r.get(at + 1)?,
        name: r.get(at + 2)?,
        siret: r.get(at + 3)?,
        iban: r.get(at + 4)?,
        bic: r.get(at + 5)?,
        holder: r.get(at + 6)?,
        address: r.get(at + 7)?,
        postal_code: r.get(at + 8)?,
        city: r.get(at + 9)?,
        legal_form: r.get(at + 10)?,
    })
}

/// A run's payee as read ([`PAYEE_COLUMNS`]).
pub(crate) struct RawPayee {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) name: String,
    pub(crate) siret: Option<String>,
    pub(crate) iban: String,
    pub(crate) bic: String,
    pub(crate) holder: String,
    pub(crate) address: String,
    pub(crate) postal_code: String,
    pub(crate) city: String,
    pub(crate) legal_form: Option<String>,
}

pub(crate) fn run_payee(r: RawPayee) -> Result<RunPayee, StoreError> {
    Ok(RunPayee {
        kind: PayeeKind::parse(&r.kind).ok_or_else(|| corrupt("payee kind", &r.kind))?,
        id: r.id,
        name: r.name,
        siret: match r.siret {
            Some(s) => Some(Siret::parse(&s).map_err(|_| corrupt("payee siret", &s))?),
            None => None,
        },
        iban: Iban::parse(&r.iban).map_err(|_| corrupt("payee iban", &r.iban))?,
        // Empty for the CAF without a BIC in the settings.
        bic: Bic::parse(&r.bic).ok(),
        holder: r.holder,
        address: r.address,
        postal_code: r.postal_code,
        city: r.city,
        legal_form: match r.legal_form {
            Some(code) => {
                Some(LegalForm::parse(&code).ok_or_else(|| corrupt("legal form", &code))?)
            }
            None => None,
        },
    })
}

pub(crate) const PAYEE_COLUMNS: &str = "p.payee_id, p.kind, p.name, p.siret, p.iban, p.bic, p.holder, p.address, p.postal_code, p.city, p.legal_form";

pub(super) fn each_line(
    conn: &Connection,
    id: RunId,
    each: &mut dyn FnMut(&RunLine, &RunPayee) -> Result<(), RunStoreError>,
) -> Result<(), RunStoreError> {
    let run = id.to_string();
    // Lines were written mandate after mandate, and so in payee order (mandates are numbered
    // by payee). The payees are read beside them in key order, one step when the payee
    // changes, rather than looked up for each of a million lines; a payee out of that order
    // (never written so) is looked up.
    let mut payees = conn.prepare(&format!(
        "SELECT {PAYEE_COLUMNS} FROM run_payees p WHERE p.run_id = ?1 ORDER BY p.payee_id"
    ))?;
    let mut lookup = conn.prepare(&format!(
        "SELECT {PAYEE_COLUMNS} FROM run_payees p WHERE p.run_id = ?1 AND p.payee_id = ?2"
    ))?;
    let mut payee_rows = payees.query([&run])?;
    let mut payee: Option<RunPayee> = None;
    // The payee read ahead, not reached yet by the lines.
    let mut ahead: Option<RunPayee> = None;
    blocks::each_line(conn, &run, false, &mut |line| {
        if payee.as_ref().is_none_or(|p| p.id != line.payee_id) {
            payee = None;
            loop {
                if ahead.is_none() {
                    ahead = payee_rows.next()?.map(|p| payee_of(p, 0)).transpose()?;
                }
                let Some(next) = &ahead else { break };
                match next.id.cmp(&line.payee_id) {
                    Ordering::Less => ahead = None,
                    Ordering::Equal => {
                        payee = ahead.take();
                        break;
                    }
                    Ordering::Greater => break,
                }
            }
            if payee.is_none() {
                payee = lookup
                    .query_row(params![run, line.payee_id], |p| Ok(payee_of(p, 0)))
                    .optional()?
                    .transpose()?;
            }
        }
        let current = payee
            .as_ref()
            .ok_or_else(|| corrupt("run payee", &line.payee_id))?;
        each(line, current)
    })
}

pub(super) fn each_caf(
    conn: &Connection,
    id: RunId,
    each: Each<'_, RunLine>,
) -> Result<(), RunStoreError> {
    blocks::each_line(conn, &id.to_string(), true, each)
}

/// The next run of `month`: its sequence number and identifier (at most 99 runs a month).
pub(crate) fn next_run_id(
    conn: &Connection,
    month: relais_core::calendar::Month,
) -> Result<(i64, RunId), RunStoreError> {
    let seq: i64 = conn.query_row(
        "SELECT coalesce(max(seq), 0) + 1 FROM runs WHERE month = ?1",
        [month.to_string()],
        |r| r.get(0),
    )?;
    let id = u16::try_from(seq)
        .ok()
        .and_then(|s| RunId::new(month, s))
        .ok_or(RunStoreError::TooManyRuns(month))?;
    Ok((seq, id))
}
