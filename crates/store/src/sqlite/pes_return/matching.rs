//! A returned piece matched with the mandat Relais issued: the validated run of its exercice
//! whose numbers hold its `IdPce` (a run's mandats are numbered from `first_mandate`,
//! [`MANDATES_PER_BORDEREAU`] a bordereau from `bordereau`), and the `IdBord` that mandat was
//! sent in.

use super::ReturnTx;
use crate::StoreError;
use crate::pes_return::MandateOf;
use crate::runs::MANDATES_PER_BORDEREAU;
use relais_formats::pes_return::ReturnedPiece;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The mandat a piece is.
#[derive(Debug, Clone)]
pub(crate) struct Matched {
    pub(crate) run: String,
    pub(crate) of: MandateOf,
    /// Its number in the run, from 1.
    pub(crate) k: u32,
    /// The run's month (`AAAA-MM`): a benefit run's claims are of it.
    pub(crate) month: String,
}

/// The validated run of the piece's exercice with the highest first mandate at most the
/// piece's `IdPce` (and first bordereau at most its `IdBord`), as a backend reads it.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub(crate) run: String,
    pub(crate) bordereau: u32,
    pub(crate) first_mandate: u32,
    /// How many mandats the run issued (its summary's `mandates`).
    pub(crate) mandates: u64,
    pub(crate) month: String,
    pub(crate) supplier: bool,
    pub(crate) payroll: bool,
}

/// The mandat `piece` is, when Relais issued it.
pub(super) fn match_piece(
    tx: &mut impl ReturnTx,
    piece: &ReturnedPiece,
) -> Result<Option<Matched>, StoreError> {
    let Ok(id) = u32::try_from(piece.id) else {
        return Ok(None);
    };
    let Some(c) = tx.candidate(piece.bordereau.exercice, id, piece.bordereau.id)? else {
        return Ok(None);
    };
    let Some(index) = id.checked_sub(c.first_mandate) else {
        return Ok(None);
    };
    if u64::from(index) >= c.mandates {
        return Ok(None);
    }
    if u64::from(c.bordereau) + u64::from(index / MANDATES_PER_BORDEREAU)
        != u64::from(piece.bordereau.id)
    {
        return Ok(None);
    }
    let of = if c.supplier {
        MandateOf::Suppliers
    } else if c.payroll {
        MandateOf::Payroll
    } else {
        MandateOf::Benefits
    };
    Ok(Some(Matched {
        run: c.run,
        of,
        k: index + 1,
        month: c.month,
    }))
}

/// The rights paid by mandats `wanted` (their numbers in each run), read in one pass over
/// each run's lines.
pub(super) fn rights_of_mandates(
    tx: &mut impl ReturnTx,
    wanted: &BTreeMap<String, BTreeSet<u32>>,
) -> Result<HashMap<(String, u32), Vec<String>>, StoreError> {
    let mut out: HashMap<(String, u32), Vec<String>> = HashMap::new();
    for (run, mandates) in wanted {
        tx.each_run_line(run, &mut |line| {
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
