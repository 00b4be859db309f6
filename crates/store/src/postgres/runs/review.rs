//! What the control report reads back on PostgreSQL (as `sqlite/runs/review.rs`): totals per
//! pay date and bordereau, exclusions, anomalies, changes from the previous month.

use super::read::each_block_line_in;
use crate::runs::{Each, RunStoreError, RunTotals};
use crate::sqlite::decode::{benefit, corrupt};
use crate::sqlite::runs::review::add_mandate;
use jiff::civil::Date;
use postgres::Transaction;
use relais_core::Cents;
use relais_core::run::{AmountChange, Anomaly, AnomalyKind, ExcludedRight, RunId};
use std::collections::BTreeMap;

pub(crate) fn totals(tx: &mut Transaction<'_>, id: RunId) -> Result<RunTotals, RunStoreError> {
    // Made as the lines were numbered; summed from the lines else.
    let stored: Option<String> = tx
        .query_opt("SELECT totals FROM runs WHERE id = $1", &[&id.to_string()])?
        .map(|r| r.try_get(0))
        .transpose()?
        .flatten();
    if let Some(stored) = stored {
        return serde_json::from_str(&stored)
            .map_err(|e| RunStoreError::Store(corrupt("run totals", &e.to_string())));
    }
    let mut mandates: BTreeMap<u32, (Date, i64)> = BTreeMap::new();
    each_block_line_in(tx, &id.to_string(), false, &mut |line| {
        if let Some((m, _)) = line.mandate {
            let e = mandates.entry(m).or_insert((line.pay_date, 0));
            e.1 = e.1.saturating_add(line.amount.0);
        }
        Ok(())
    })?;
    let mut t = RunTotals::default();
    for (m, (pay_date, total)) in mandates {
        add_mandate(&mut t, m, pay_date, total);
    }
    Ok(t)
}

pub(crate) fn each_exclusion(
    c: &mut postgres::Client,
    id: RunId,
    each: Each<'_, ExcludedRight>,
) -> Result<(), RunStoreError> {
    let rows = c.query(
        "SELECT right_id, dossier, name, benefit, reason, label, amount
         FROM run_exclusions WHERE run_id = $1 ORDER BY n",
        &[&id.to_string()],
    )?;
    for r in &rows {
        let b: Option<&str> = r.try_get(3)?;
        each(&ExcludedRight {
            right_id: r.try_get(0)?,
            dossier: r.try_get(1)?,
            name: r.try_get(2)?,
            benefit: b.map(benefit).transpose()?,
            reason: r.try_get(4)?,
            reason_fr: r.try_get(5)?,
            amount: r.try_get::<_, Option<i64>>(6)?.map(Cents),
        })?;
    }
    Ok(())
}

pub(crate) fn each_anomaly(
    c: &mut postgres::Client,
    id: RunId,
    each: Each<'_, Anomaly>,
) -> Result<(), RunStoreError> {
    let rows = c.query(
        "SELECT kind, right_id, dossier, payee_id, payee_name, benefit, amount, detail
         FROM run_anomalies WHERE run_id = $1 ORDER BY n",
        &[&id.to_string()],
    )?;
    for r in &rows {
        let kind: &str = r.try_get(0)?;
        each(&Anomaly {
            kind: AnomalyKind::ALL
                .into_iter()
                .find(|k| k.code() == kind)
                .ok_or_else(|| corrupt("anomaly kind", kind))?,
            right_id: r.try_get(1)?,
            dossier: r.try_get(2)?,
            payee_id: r.try_get(3)?,
            payee_name: r.try_get(4)?,
            benefit: benefit(r.try_get(5)?)?,
            amount: Cents(r.try_get(6)?),
            detail: r.try_get(7)?,
        })?;
    }
    Ok(())
}

pub(crate) fn each_change(
    c: &mut postgres::Client,
    id: RunId,
    each: Each<'_, AmountChange>,
) -> Result<(), RunStoreError> {
    let rows = c.query(
        "SELECT dossier, name, benefit, previous, current FROM run_changes
         WHERE run_id = $1 ORDER BY n",
        &[&id.to_string()],
    )?;
    for r in &rows {
        each(&AmountChange {
            dossier: r.try_get(0)?,
            name: r.try_get(1)?,
            benefit: benefit(r.try_get(2)?)?,
            previous: Cents(r.try_get(3)?),
            current: Cents(r.try_get(4)?),
        })?;
    }
    Ok(())
}
