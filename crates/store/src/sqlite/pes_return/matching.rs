//! A returned piece matched with the mandat Relais issued: the validated run of its exercice
//! whose numbers hold its `IdPce` (a run's mandats are numbered from `first_mandate`,
//! [`MANDATES_PER_BORDEREAU`] a bordereau from `bordereau`), and the `IdBord` that mandat was
//! sent in.

use crate::StoreError;
use crate::pes_return::MandateOf;
use crate::runs::MANDATES_PER_BORDEREAU;
use crate::sqlite::blocks;
use relais_formats::pes_return::ReturnedPiece;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The mandat a piece is.
#[derive(Debug, Clone)]
pub(super) struct Matched {
    pub(super) run: String,
    pub(super) of: MandateOf,
    /// Its number in the run, from 1.
    pub(super) k: u32,
    /// The run's month (`AAAA-MM`): a benefit run's claims are of it.
    pub(super) month: String,
}

/// The mandat `piece` is, when Relais issued it.
pub(super) fn match_piece(
    tx: &Connection,
    piece: &ReturnedPiece,
) -> Result<Option<Matched>, StoreError> {
    let Ok(id) = u32::try_from(piece.id) else {
        return Ok(None);
    };
    let found: Option<(String, u32, u32, u64, String, bool, bool)> = tx
        .prepare_cached(
            "SELECT r.id, r.bordereau, r.first_mandate,
                    coalesce(json_extract(r.summary, '$.mandates'), 0), r.month,
                    EXISTS (SELECT 1 FROM supplier_runs s WHERE s.run_id = r.id),
                    EXISTS (SELECT 1 FROM payroll_runs p WHERE p.run_id = r.id)
             FROM runs r
             WHERE r.exercice = ?1 AND r.status = 'validated' AND r.first_mandate <= ?2
               AND r.bordereau <= ?3
             ORDER BY r.first_mandate DESC LIMIT 1",
        )?
        .query_row(
            params![piece.bordereau.exercice, id, piece.bordereau.id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            },
        )
        .optional()?;
    let Some((run, bordereau, first, mandates, month, supplier, payroll)) = found else {
        return Ok(None);
    };
    let index = id - first;
    if u64::from(index) >= mandates {
        return Ok(None);
    }
    if u64::from(bordereau) + u64::from(index / MANDATES_PER_BORDEREAU)
        != u64::from(piece.bordereau.id)
    {
        return Ok(None);
    }
    let of = if supplier {
        MandateOf::Suppliers
    } else if payroll {
        MandateOf::Payroll
    } else {
        MandateOf::Benefits
    };
    Ok(Some(Matched {
        run,
        of,
        k: index + 1,
        month,
    }))
}

/// The rights paid by mandats `wanted` (their numbers in each run), read in one pass over
/// each run's lines.
pub(super) fn rights_of_mandates(
    tx: &Connection,
    wanted: &BTreeMap<String, BTreeSet<u32>>,
) -> Result<HashMap<(String, u32), Vec<String>>, StoreError> {
    let mut out: HashMap<(String, u32), Vec<String>> = HashMap::new();
    for (run, mandates) in wanted {
        blocks::each_line(tx, run, false, &mut |line| {
            if let Some((k, _)) = line.mandate
                && mandates.contains(&k)
            {
                out.entry((run.clone(), k))
                    .or_default()
                    .push(line.right_id.clone());
            }
            Ok(())
        })
        .map_err(|e| match e {
            crate::runs::RunStoreError::Store(s) => s,
            other => StoreError::Corrupt(other.to_string()),
        })?;
    }
    Ok(out)
}
