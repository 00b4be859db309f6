//! The control report's lists that preparation makes by queries once the lines are written:
//! rights rejected at import, accounts shared by several payees.

use super::writer::{AnomalyRow, Writer};
use crate::StoreError;
use crate::sqlite::{ibans, queries};
use crate::unpayable::{self, Unpayable};
use relais_core::calendar::Month;
use relais_core::records::Benefit;
use relais_core::run::ExcludedRight;
use rusqlite::Connection;
use std::collections::{HashMap, HashSet};

/// Rights rejected at import: listed with the reason, valued as the run would have paid them.
pub(super) fn rejected_rights(
    conn: &Connection,
    w: &mut Writer<'_>,
    month: Month,
    benefits: &[Benefit],
) -> Result<(), StoreError> {
    rejected_rights_from(w, month, benefits, &mut |entity, each| {
        queries::each_flagged_row(conn, entity, each)
    })
}

/// The rows the import flagged for an entity (`tiers`, `droits`), each given to the callback.
pub(crate) type EachFlagged<'a> =
    &'a mut dyn FnMut(&str, &mut dyn FnMut(&crate::FlaggedRecord)) -> Result<u64, StoreError>;

/// [`rejected_rights`] from the flagged rows `flagged` reads.
pub(crate) fn rejected_rights_from(
    w: &mut Writer<'_>,
    month: Month,
    benefits: &[Benefit],
    flagged: EachFlagged<'_>,
) -> Result<(), StoreError> {
    let mut payees = HashMap::new();
    flagged("tiers", &mut |row| {
        unpayable::add_rejected_payee(&mut payees, row)
    })?;
    let mut seen: HashSet<String> = HashSet::new();
    let mut failure: Option<StoreError> = None;
    flagged("droits", &mut |row| {
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
    add_flags(w, ibans::flagged(conn, &w.run)?)
}

/// Each flagged account an anomaly on its payee's first line.
pub(crate) fn add_flags(w: &mut Writer<'_>, flags: Vec<ibans::Flag>) -> Result<(), StoreError> {
    for flag in flags {
        let line = &flag.line;
        w.anomaly_row(&AnomalyRow {
            kind: flag.kind,
            right_id: &line.right_id,
            dossier: &line.dossier,
            payee_id: &flag.payee_id,
            payee_name: &flag.payee_name,
            benefit: line.benefit.code(),
            amount: line.amount.0,
            detail: &flag.detail,
        })?;
    }
    Ok(())
}
