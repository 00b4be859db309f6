//! The first pass's read of a right: what deciding on it needs, borrowed from the row.

use super::{benefit, corrupt, date};
use crate::StoreError;
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::payment::RightTerms;
use relais_core::records::{Benefit, PayeeKind, RightStatus};
use rusqlite::types::ValueRef;

/// One right read for preparation, its texts borrowed from the row (no allocation: two
/// million rights a run).
pub(crate) struct Candidate<'r> {
    pub(crate) right_id: &'r str,
    pub(crate) dossier: &'r str,
    pub(crate) nir: Option<&'r str>,
    pub(crate) civility: Option<&'static str>,
    pub(crate) last_name: &'r str,
    pub(crate) first_name: &'r str,
    pub(crate) benefit: Benefit,
    pub(crate) terms: RightTerms,
    pub(crate) imputation: Option<&'r str>,
    pub(crate) death: Option<Date>,
    pub(crate) payee_id: &'r str,
    pub(crate) payee_kind: PayeeKind,
    pub(crate) payee_name: &'r str,
    pub(crate) iban_changed_on: Option<Date>,
    pub(crate) paid_in_history: bool,
    pub(crate) claimed_by: Option<&'r str>,
    pub(crate) paid_before: bool,
    /// The payee's IBAN now: an approval of a recent change is for that IBAN.
    pub(crate) iban: &'r str,
}

/// The columns of a right read (see [`CANDIDATES`]), whichever backend read them.
pub(crate) trait Cols<'r> {
    fn text_or_null(&self, i: usize) -> Result<Option<&'r str>, StoreError>;
    fn int_or_null(&self, i: usize) -> Result<Option<i64>, StoreError>;
    fn text(&self, i: usize) -> Result<&'r str, StoreError> {
        self.text_or_null(i)?
            .ok_or_else(|| corrupt("right", "NULL"))
    }
}

impl<'r> Cols<'r> for [ValueRef<'r>] {
    fn text_or_null(&self, i: usize) -> Result<Option<&'r str>, StoreError> {
        match self.get(i) {
            Some(ValueRef::Null) => Ok(None),
            Some(ValueRef::Text(t)) => std::str::from_utf8(t)
                .map(Some)
                .map_err(|_| corrupt("right", "not UTF-8")),
            _ => Err(corrupt("right", "not text")),
        }
    }

    fn int_or_null(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.get(i) {
            Some(ValueRef::Null) => Ok(None),
            Some(ValueRef::Integer(n)) => Ok(Some(*n)),
            _ => Err(corrupt("right", "not an integer")),
        }
    }
}

pub(crate) fn candidate<'r>(cols: &(impl Cols<'r> + ?Sized)) -> Result<Candidate<'r>, StoreError> {
    let status = cols.text(6)?;
    let kind = cols.text(13)?;
    let benefit = benefit(cols.text(2)?)?;
    let terms = RightTerms {
        benefit,
        monthly_amount: Cents(
            cols.int_or_null(3)?
                .ok_or_else(|| corrupt("monthly amount", "NULL"))?,
        ),
        start: date("start_date", cols.text(4)?)?,
        end: date("end_date", cols.text(5)?)?,
        status: RightStatus::parse(status).ok_or_else(|| corrupt("status", status))?,
    };
    let death = cols.text_or_null(12)?;
    let changed = cols.text_or_null(15)?;
    // History: NULL when the right was never paid, else whether it was paid this month.
    let history: Option<bool> = cols.int_or_null(18)?.map(|n| n != 0);
    // Claims: NULL when the right was never claimed, else the run that claimed this month
    // ('' when none did).
    let claim = cols.text_or_null(19)?;
    let nir = cols.text_or_null(9)?;
    Ok(Candidate {
        right_id: cols.text(0)?,
        dossier: cols.text(1)?,
        benefit,
        terms,
        imputation: cols.text_or_null(8)?,
        nir,
        // The extract's civility, else the one the NIR's first digit tells.
        civility: cols
            .text_or_null(17)?
            .and_then(relais_core::records::civility)
            .or_else(|| {
                nir.and_then(|n| relais_core::ids::Nir::parse(n).ok())
                    .map(|n| n.civility())
            }),
        last_name: cols.text(10)?,
        first_name: cols.text(11)?,
        death: death.map(|d| date("death_date", d)).transpose()?,
        payee_id: cols.text(7)?,
        payee_kind: PayeeKind::parse(kind).ok_or_else(|| corrupt("payee kind", kind))?,
        payee_name: cols.text(14)?,
        iban_changed_on: changed.map(|d| date("iban_changed_on", d)).transpose()?,
        paid_in_history: history == Some(true),
        claimed_by: claim.filter(|run| !run.is_empty()),
        paid_before: history.is_some() || claim.is_some(),
        iban: cols.text(16)?,
    })
}

/// Every right with what deciding on it needs, a chunk at a time (from right `?2` on, at most
/// `?3`; see [`crate::sqlite::rights::read`]), then its history and claims ([`HISTORY_BY_RIGHT`],
/// [`CLAIMS_BY_RIGHT`]).
pub(crate) const CANDIDATES: &str = "
SELECT r.id, r.dossier, r.benefit, r.monthly_amount, r.start_date, r.end_date, r.status,
       r.payee_id, r.imputation, b.nir, b.last_name, b.first_name, b.death_date,
       p.kind, p.name, p.iban_changed_on, p.iban, b.civility
FROM rights r
JOIN beneficiaries b ON b.dossier = r.dossier
JOIN payees p ON p.id = r.payee_id
WHERE r.id >= ?2
ORDER BY r.id LIMIT ?3";

/// Each right's imported history from right `?2` on, in right order: `max` over its rows
/// says both whether it was ever paid and whether it was for month `?1`. Read beside the
/// rights (both in key order) instead of a seek for each of two million rights: 1.5 s less
/// of the first pass.
pub(crate) const HISTORY_BY_RIGHT: &str = "
SELECT right_id, max(month = ?1) FROM past_payments WHERE right_id >= ?2
GROUP BY right_id ORDER BY right_id";

/// Each right's claims from right `?2` on, in right order: the run that claimed it for month
/// `?1` ('' when none did; NULL when its only claim is the history's of this month).
pub(crate) const CLAIMS_BY_RIGHT: &str = "
SELECT right_id, max(CASE WHEN month = ?1 THEN run_id ELSE '' END) FROM run_claims
WHERE right_id >= ?2 GROUP BY right_id ORDER BY right_id";

/// The imported history's payments of month `?1` as claims of no run (see migration 13).
pub(crate) const HISTORY_CLAIMS: &str = "
INSERT OR IGNORE INTO run_claims (right_id, month, run_id, amount, pay_date, dossier, benefit)
SELECT h.right_id, h.month, NULL, h.amount, h.paid_on, r.dossier, r.benefit
FROM past_payments h JOIN rights r ON r.id = h.right_id WHERE h.month = ?1";
