//! TEMPORARY: reading a run until the runs' port (branch pgruns) brings its own; removed then.

use crate::StoreError;
use crate::runs::{MANDATES_PER_BORDEREAU, RunParams, RunRecord, RunStoreError};
use crate::sqlite::decode::{benefit, corrupt};
use postgres::GenericClient;
use relais_core::Cents;
use relais_core::run::{RunId, RunStatus, RunSummary};

pub(crate) fn load_run(
    c: &mut impl GenericClient,
    id: RunId,
) -> Result<Option<RunRecord>, RunStoreError> {
    let Some(r) = c.query_opt(
        "SELECT status, benefits, params, summary, validated_by, validated_at, cancelled_by,
                exercice, bordereau, first_mandate, cumul_before,
                CASE WHEN EXISTS (SELECT 1 FROM payroll_runs p WHERE p.run_id = runs.id)
                     THEN 'paie'
                     WHEN EXISTS (SELECT 1 FROM supplier_runs s WHERE s.run_id = runs.id)
                     THEN 'fournisseurs' ELSE 'aides' END
         FROM runs WHERE id = $1",
        &[&id.to_string()],
    )?
    else {
        return Ok(None);
    };
    let status: String = r.try_get(0)?;
    let status = RunStatus::parse(&status).ok_or_else(|| corrupt("run status", &status))?;
    let benefits = r
        .try_get::<_, String>(1)?
        .split(',')
        .filter(|s| !s.is_empty())
        .map(benefit)
        .collect::<Result<Vec<_>, _>>()?;
    let params: RunParams = serde_json::from_str(&r.try_get::<_, String>(2)?)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut summary: RunSummary = serde_json::from_str(&r.try_get::<_, String>(3)?)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    summary.status = status;
    summary.validated_by = r.try_get(4)?;
    summary.validated_at = r.try_get(5)?;
    summary.cancelled_by = r.try_get(6)?;
    let exercice: Option<i64> = r.try_get(7)?;
    let bordereau: Option<i64> = r.try_get(8)?;
    let bordereau = match (exercice, bordereau) {
        (Some(e), Some(b)) => Some((
            i16::try_from(e).map_err(|_| corrupt("exercice", &e.to_string()))?,
            u32::try_from(b).map_err(|_| corrupt("bordereau", &b.to_string()))?,
        )),
        _ => None,
    };
    let per = u64::from(MANDATES_PER_BORDEREAU);
    summary.bordereaux = match bordereau {
        Some((e, first)) => (0..summary.mandates.div_ceil(per).max(1))
            .map(|i| {
                (
                    e,
                    first.saturating_add(u32::try_from(i).unwrap_or(u32::MAX)),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let kind: String = r.try_get(11)?;
    let first_mandate: Option<i64> = r.try_get(9)?;
    Ok(Some(RunRecord {
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
        cumul_before: r.try_get::<_, Option<i64>>(10)?.map(Cents),
    }))
}

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
        .and_then(|s| relais_core::run::RunId::new(month, s))
        .ok_or(RunStoreError::TooManyRuns(month))?;
    Ok((seq, id))
}
