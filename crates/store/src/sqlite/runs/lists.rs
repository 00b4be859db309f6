//! The control report's lists that preparation makes by queries once the lines are written:
//! rights rejected at import, accounts shared by several payees.

use super::writer::Writer;
use crate::StoreError;
use crate::sqlite::{ibans, queries};
use crate::unpayable::{self, Unpayable};
use relais_core::calendar::Month;
use relais_core::records::Benefit;
use relais_core::run::ExcludedRight;
use rusqlite::{Connection, params};
use std::collections::{HashMap, HashSet};

/// Rights rejected at import: listed with the reason, valued as the run would have paid them.
pub(super) fn rejected_rights(
    conn: &Connection,
    w: &mut Writer<'_>,
    month: Month,
    benefits: &[Benefit],
) -> Result<(), StoreError> {
    let mut payees = HashMap::new();
    queries::each_flagged_row(conn, "tiers", &mut |row| {
        unpayable::add_rejected_payee(&mut payees, row)
    })?;
    let mut seen: HashSet<String> = HashSet::new();
    let mut failure: Option<StoreError> = None;
    queries::each_flagged_row(conn, "droits", &mut |row| {
        if failure.is_some() {
            return;
        }
        let key = row.key.clone().unwrap_or_default();
        if !key.is_empty() && !seen.insert(key.clone()) {
            return;
        }
        let b = unpayable::raw(row, "prestation").and_then(Benefit::parse);
        if b.is_some_and(|b| !benefits.contains(&b)) {
            return;
        }
        let Ok(amount) = unpayable::rejected_amount(row, month) else {
            return;
        };
        let why: Unpayable = unpayable::reason(row, &payees);
        let dossier = unpayable::raw(row, "dossier").unwrap_or("").to_owned();
        let label = format!("{} (ligne {} de {})", why.label_fr(), row.line, row.file);
        let excluded = ExcludedRight {
            right_id: key,
            dossier,
            name: String::new(),
            benefit: b,
            reason: why.code().to_owned(),
            reason_fr: label,
            amount,
        };
        if let Err(e) = w.exclude(&excluded) {
            failure = Some(e);
        }
    })?;
    failure.map_or(Ok(()), Err)
}

/// The accounts to review (see [`ibans::flagged`]), each an anomaly on its payee's first line.
pub(super) fn shared_ibans(conn: &Connection, w: &mut Writer<'_>) -> Result<(), StoreError> {
    for flag in ibans::flagged(conn, &w.run)? {
        let line = &flag.line;
        w.tally.anomaly_n += 1;
        *w.tally.anomalies.entry(flag.kind).or_default() += 1;
        w.anomaly.execute(params![
            w.run,
            w.tally.anomaly_n as i64,
            flag.kind.code(),
            line.right_id,
            line.dossier,
            flag.payee_id,
            flag.payee_name,
            line.benefit.code(),
            line.amount.0,
            flag.detail
        ])?;
    }
    Ok(())
}
