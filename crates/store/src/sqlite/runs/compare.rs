//! The comparison with the previous month: this run's lines and the previous month's payments,
//! both grouped by person and benefit, merged.

use super::{benefit, corrupt, text};
use crate::StoreError;
use crate::sort;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::records::Benefit;
use rusqlite::Connection;
use std::cmp::Ordering;
use std::collections::HashMap;
/// What the report compares with the previous month, from one pass over the run's lines and
/// one over the previous month's payments, both grouped by person and benefit (each a single
/// sort) and merged here.
pub(crate) struct Comparison {
    /// People whose monthly total for a benefit moved by more than the threshold (listed in
    /// `run_changes`).
    pub(crate) changes: u64,
    /// People mandated, per benefit.
    pub(crate) people: HashMap<Benefit, u64>,
    /// Paid the previous month per benefit, by the imported history or a validated run.
    pub(crate) previous: HashMap<Benefit, Cents>,
}

/// The previous month's payments by person and benefit, by the imported history or a
/// validated run (the RSA lines a run handed to the CAF included: a change is a change).
pub(crate) const PREVIOUS_GROUPS: &str = "
SELECT dossier, benefit, sum(amount) FROM (
    SELECT r.dossier, r.benefit, h.amount FROM past_payments h
    JOIN rights r ON r.id = h.right_id WHERE h.month = ?1
    UNION ALL
    SELECT l.value ->> 3, l.value ->> 7, l.value ->> 8
    FROM runs u JOIN run_line_blocks b ON b.run_id = u.id, json_each(run_lines_json(b.data)) l
    WHERE u.month = ?1 AND u.status = 'validated')
GROUP BY dossier, benefit ORDER BY dossier, benefit";

/// A person's lines for one benefit in this run: dossier, benefit, name, total.
pub(crate) struct PersonGroup {
    pub(crate) dossier: String,
    pub(crate) benefit: String,
    pub(crate) name: String,
    pub(crate) total: i64,
}

/// This run's lines grouped by person and benefit, from their sorted records.
pub(crate) struct PersonGroups {
    pub(crate) sorted: sort::Sorted,
    /// The first record of the next group, read ahead.
    pub(crate) ahead: Option<Vec<u8>>,
}

impl PersonGroups {
    fn next(&mut self) -> Result<Option<PersonGroup>, StoreError> {
        fn decode(record: &[u8]) -> Result<(&str, &str, String, i64), StoreError> {
            let f = &mut sort::fields(record);
            let mut text = || f.text().ok_or_else(|| corrupt("sorted person", "text"));
            let (dossier, benefit) = (text()?, text()?);
            let name = format!("{} {}", text()?, text()?);
            let amount = f.int().ok_or_else(|| corrupt("sorted person", "amount"))?;
            Ok((dossier, benefit, name, amount))
        }
        let first = match self.ahead.take() {
            Some(record) => record,
            None => match self.sorted.next()? {
                Some(record) => record.to_vec(),
                None => return Ok(None),
            },
        };
        let (dossier, benefit, name, mut total) = decode(&first)?;
        while let Some(record) = self.sorted.next()? {
            let (d, b, _, amount) = decode(record)?;
            if (d, b) != (dossier, benefit) {
                self.ahead = Some(record.to_vec());
                break;
            }
            total = total.saturating_add(amount);
        }
        Ok(Some(PersonGroup {
            dossier: dossier.to_owned(),
            benefit: benefit.to_owned(),
            name,
            total,
        }))
    }
}

/// Compares this run's lines by person and benefit (`people`) with the previous month's
/// payments read by `conn`; gives each change above `threshold` to `change`, with the
/// previous amount, in (dossier, benefit) order.
pub(super) fn compare_with_previous(
    conn: &Connection,
    people: sort::Sorted,
    month: Month,
    threshold: Cents,
    change: &mut dyn FnMut(PersonGroup, i64) -> Result<(), StoreError>,
) -> Result<Comparison, StoreError> {
    let mut previous = conn.prepare(PREVIOUS_GROUPS)?;
    let mut prev = previous.query([month.previous().to_string()])?;
    compare_groups(
        people,
        &mut || {
            prev.next()?
                .map(|p| Ok((text(p, 0)?.to_owned(), text(p, 1)?.to_owned(), p.get(2)?)))
                .transpose()
        },
        threshold,
        change,
    )
}

/// The previous month's next group, in (dossier, benefit) byte order: dossier, benefit,
/// total.
pub(crate) type PreviousGroups<'a> =
    &'a mut dyn FnMut() -> Result<Option<(String, String, i64)>, StoreError>;

/// [`compare_with_previous`] with the previous month's groups from `previous`.
pub(crate) fn compare_groups(
    people: sort::Sorted,
    previous: PreviousGroups<'_>,
    threshold: Cents,
    change: &mut dyn FnMut(PersonGroup, i64) -> Result<(), StoreError>,
) -> Result<Comparison, StoreError> {
    let mut out = Comparison {
        changes: 0,
        people: HashMap::new(),
        previous: HashMap::new(),
    };
    let mut cur = PersonGroups {
        sorted: people,
        ahead: None,
    };
    let mut c = cur.next()?;
    let mut p = previous()?;
    // Both in (dossier, benefit) order, compared as bytes (as SQLite does).
    loop {
        let order = match (&c, &p) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(c), Some(p)) => {
                (c.dossier.as_str(), c.benefit.as_str()).cmp(&(p.0.as_str(), p.1.as_str()))
            }
        };
        // A group of this run (its people), of the previous month (its total), or of both
        // (compared); the side(s) it came from then move on.
        if let Some(c) = c.as_ref().filter(|_| order.is_le()) {
            let b = benefit(&c.benefit)?;
            if b != Benefit::Rsa {
                *out.people.entry(b).or_default() += 1;
            }
        }
        if let Some(p) = p.as_ref().filter(|_| order.is_ge()) {
            let b = benefit(&p.1)?;
            let total = out.previous.entry(b).or_insert(Cents::ZERO);
            *total = Cents(total.0.saturating_add(p.2));
        }
        let mut changed = None;
        if let (Some(c), Some(p), Ordering::Equal) = (&c, &p, order) {
            let before = p.2;
            if c.total.abs_diff(before) > threshold.0.unsigned_abs() {
                changed = Some(before);
            }
        }
        if order.is_le() {
            let next = cur.next()?;
            if let (Some(before), Some(group)) = (changed, std::mem::replace(&mut c, next)) {
                out.changes += 1;
                change(group, before)?;
            }
        }
        if order.is_ge() {
            p = previous()?;
        }
    }
    Ok(out)
}
