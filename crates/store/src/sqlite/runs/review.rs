//! What the control report reads back: totals per pay date and bordereau, exclusions,
//! anomalies, changes from the previous month.

use super::{benefit, corrupt};
use crate::runs::{Each, GroupTotal, MANDATES_PER_BORDEREAU, RunStoreError, RunTotals};
use crate::sqlite::blocks::{self};
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::run::{AmountChange, Anomaly, AnomalyKind, ExcludedRight, RunId};
use rusqlite::{Connection, OptionalExtension};
use std::collections::BTreeMap;
pub(super) fn totals(conn: &Connection, id: RunId) -> Result<RunTotals, RunStoreError> {
    // Made as the lines were numbered (since migration 14); summed from the lines else.
    let stored: Option<String> = conn
        .query_row(
            "SELECT totals FROM runs WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    if let Some(stored) = stored {
        return serde_json::from_str(&stored)
            .map_err(|e| RunStoreError::Store(corrupt("run totals", &e.to_string())));
    }
    summed_totals(conn, id)
}

/// [`totals`] summed from the lines.
pub(super) fn summed_totals(conn: &Connection, id: RunId) -> Result<RunTotals, RunStoreError> {
    // Lines are in mandate order (see `number_mandates`): each mandate is summed as its lines
    // go by, without sorting a million lines by mandate. Should a mandate come back after
    // another (never written so), the mandates are summed apart first.
    let mut t = RunTotals::default();
    // The mandate being summed: number, pay date, total.
    let mut open: Option<(u32, Date, i64)> = None;
    let mut in_order = true;
    blocks::each_line(conn, &id.to_string(), false, &mut |line| {
        let Some((mandate, _)) = line.mandate else {
            return Ok(());
        };
        match &mut open {
            Some((m, _, total)) if *m == mandate => *total = total.saturating_add(line.amount.0),
            Some((m, ..)) if *m > mandate => in_order = false,
            _ => {
                if let Some((m, pay_date, total)) = open.take() {
                    add_mandate(&mut t, m, pay_date, total);
                }
                open = Some((mandate, line.pay_date, line.amount.0));
            }
        }
        Ok(())
    })?;
    if !in_order {
        return grouped_totals(conn, id);
    }
    if let Some((m, pay_date, total)) = open {
        add_mandate(&mut t, m, pay_date, total);
    }
    Ok(t)
}

/// [`totals`] whatever the order of the lines: each mandate summed apart first.
pub(super) fn grouped_totals(conn: &Connection, id: RunId) -> Result<RunTotals, RunStoreError> {
    let mut mandates: BTreeMap<u32, (Date, i64)> = BTreeMap::new();
    blocks::each_line(conn, &id.to_string(), false, &mut |line| {
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

/// Counts mandate `m` (from 1), paid on `pay_date`, in its pay date's and its bordereau's
/// totals.
pub(crate) fn add_mandate(t: &mut RunTotals, m: u32, pay_date: Date, total: i64) {
    let index = m.saturating_sub(1) / MANDATES_PER_BORDEREAU;
    for g in [
        t.per_pay_date.entry(pay_date).or_default(),
        t.per_bordereau.entry(index).or_default(),
    ] {
        add_group(g, Cents(total));
    }
}

pub(super) fn add_group(g: &mut GroupTotal, amount: Cents) {
    g.mandates += 1;
    g.total = Cents(g.total.0.saturating_add(amount.0));
}

pub(super) fn each_exclusion(
    conn: &Connection,
    id: RunId,
    each: Each<'_, ExcludedRight>,
) -> Result<(), RunStoreError> {
    let mut stmt = conn.prepare(
        "SELECT right_id, dossier, name, benefit, reason, label, amount
         FROM run_exclusions WHERE run_id = ?1 ORDER BY n",
    )?;
    let mut rows = stmt.query([id.to_string()])?;
    while let Some(r) = rows.next()? {
        let b: Option<String> = r.get(3)?;
        each(&ExcludedRight {
            right_id: r.get(0)?,
            dossier: r.get(1)?,
            name: r.get(2)?,
            benefit: b.as_deref().map(benefit).transpose()?,
            reason: r.get(4)?,
            reason_fr: r.get(5)?,
            amount: r.get::<_, Option<i64>>(6)?.map(Cents),
        })?;
    }
    Ok(())
}

pub(super) fn each_anomaly(
    conn: &Connection,
    id: RunId,
    each: Each<'_, Anomaly>,
) -> Result<(), RunStoreError> {
    let mut stmt = conn.prepare(
        "SELECT kind, right_id, dossier, payee_id, payee_name, benefit, amount, detail
         FROM run_anomalies WHERE run_id = ?1 ORDER BY n",
    )?;
    let mut rows = stmt.query([id.to_string()])?;
    while let Some(r) = rows.next()? {
        let kind: String = r.get(0)?;
        let b: String = r.get(5)?;
        each(&Anomaly {
            kind: AnomalyKind::ALL
                .into_iter()
                .find(|k| k.code() == kind)
                .ok_or_else(|| corrupt("anomaly kind", &kind))?,
            right_id: r.get(1)?,
            dossier: r.get(2)?,
            payee_id: r.get(3)?,
            payee_name: r.get(4)?,
            benefit: benefit(&b)?,
            amount: Cents(r.get(6)?),
            detail: r.get(7)?,
        })?;
    }
    Ok(())
}

pub(super) fn each_change(
    conn: &Connection,
    id: RunId,
    each: Each<'_, AmountChange>,
) -> Result<(), RunStoreError> {
    let mut stmt = conn.prepare(
        "SELECT dossier, name, benefit, previous, current FROM run_changes
         WHERE run_id = ?1 ORDER BY n",
    )?;
    let mut rows = stmt.query([id.to_string()])?;
    while let Some(r) = rows.next()? {
        let b: String = r.get(2)?;
        each(&AmountChange {
            dossier: r.get(0)?,
            name: r.get(1)?,
            benefit: benefit(&b)?,
            previous: Cents(r.get(3)?),
            current: Cents(r.get(4)?),
        })?;
    }
    Ok(())
}
