//! The comparison of a CAF statement with the RSA rights (see [`crate::caf::CafStore`]),
//! written once for every backend: each streams [`STATEMENT_ROWS`] and [`RSA_RIGHTS`] (the
//! same SQL) in dossier order, decodes their columns with [`found_row`] and [`rsa_right`],
//! and [`merge`] compares them household by household, memory bounded by one household.

use super::decode::{corrupt, date};
use crate::StoreError;
use crate::caf::{CafComparison, CafDiscrepancy, CafStatement, Tally};
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::ids::Nir;
use relais_core::payment::{self, RightTerms};
use relais_core::records::{Benefit, RightStatus};
use relais_formats::caf::CafRow;
use std::cmp::Ordering;

/// The statement's rows with the person each one finds: by its dossier when the store knows
/// it, else by its NIR (the first dossier of that NIR, should two people share one). Rows of
/// no known person (NULL) come first, then by dossier. `$1` is the month (the one parameter:
/// SQLite numbers it 1 too), the same SQL on every backend.
pub(crate) const STATEMENT_ROWS: &str = "
    SELECT s.line, s.allocataire, s.nir, s.dossier, s.amount,
           coalesce(bd.dossier, bn.dossier) AS person
    FROM caf_statement_rows s
    LEFT JOIN beneficiaries bd ON bd.dossier = s.dossier
    LEFT JOIN (SELECT nir, min(dossier) AS dossier FROM beneficiaries
               WHERE nir IS NOT NULL GROUP BY nir) bn ON bn.nir = s.nir
    WHERE s.month = $1
    ORDER BY person NULLS FIRST, s.line";

/// The RSA rights with their person's death date, by dossier; `$1` is RSA's code.
pub(crate) const RSA_RIGHTS: &str = "
    SELECT r.id, r.dossier, r.monthly_amount, r.start_date, r.end_date, r.status, b.death_date
    FROM rights r JOIN beneficiaries b ON b.dossier = r.dossier
    WHERE r.benefit = $1
    ORDER BY r.dossier, r.id";

/// A row of [`STATEMENT_ROWS`] read back: the person it finds (`None`: unknown), the row.
pub(crate) type FoundRow = (Option<String>, CafRow);

/// A row of [`STATEMENT_ROWS`] from its columns.
pub(crate) fn found_row(
    line: i64,
    allocataire: String,
    nir: Option<String>,
    dossier: Option<String>,
    amount: i64,
    person: Option<String>,
) -> Result<FoundRow, StoreError> {
    let nir = nir
        .map(|n| Nir::parse(&n).map_err(|_| corrupt("caf statement nir", "…")))
        .transpose()?;
    let row = CafRow {
        line: line.unsigned_abs(),
        allocataire,
        nir,
        dossier,
        amount: Cents(amount),
    };
    Ok((person, row))
}

/// A row of [`RSA_RIGHTS`] read back.
pub(crate) struct RsaRight {
    pub id: String,
    pub dossier: String,
    pub terms: RightTerms,
    pub death: Option<jiff::civil::Date>,
}

/// A row of [`RSA_RIGHTS`] from its columns: right, dossier, amount, start, end, status, death.
pub(crate) fn rsa_right(
    id: String,
    dossier: String,
    monthly_amount: i64,
    dates: (&str, &str),
    status: &str,
    death: Option<&str>,
) -> Result<RsaRight, StoreError> {
    Ok(RsaRight {
        id,
        dossier,
        terms: RightTerms {
            benefit: Benefit::Rsa,
            monthly_amount: Cents(monthly_amount),
            start: date("start_date", dates.0)?,
            end: date("end_date", dates.1)?,
            status: RightStatus::parse(status).ok_or_else(|| corrupt("status", status))?,
        },
        death: death.map(|d| date("death_date", d)).transpose()?,
    })
}

/// The statement's side of the merge: its rows grouped by the person they find.
struct StatementSide<I> {
    rows: I,
    ahead: Option<(String, CafRow)>,
}

impl<I: Iterator<Item = Result<FoundRow, StoreError>>> StatementSide<I> {
    /// The next row of a known person; rows of unknown people are reported on the way.
    fn pull(
        &mut self,
        cmp: &mut CafComparison,
        each: &mut dyn FnMut(&CafDiscrepancy),
    ) -> Result<Option<(String, CafRow)>, StoreError> {
        for found in self.rows.by_ref() {
            let (person, row) = found?;
            cmp.statement.add(row.amount);
            match person {
                Some(person) => return Ok(Some((person, row))),
                None => {
                    cmp.unknown.add(row.amount);
                    each(&CafDiscrepancy::UnknownPerson(row));
                }
            }
        }
        Ok(None)
    }

    /// The next household: its dossier and its rows.
    fn group(
        &mut self,
        cmp: &mut CafComparison,
        each: &mut dyn FnMut(&CafDiscrepancy),
    ) -> Result<Option<(String, Vec<CafRow>)>, StoreError> {
        let first = match self.ahead.take() {
            Some(first) => first,
            None => match self.pull(cmp, each)? {
                Some(first) => first,
                None => return Ok(None),
            },
        };
        let (dossier, row) = first;
        let mut rows = vec![row];
        while let Some((next, row)) = self.pull(cmp, each)? {
            if next == dossier {
                rows.push(row);
            } else {
                self.ahead = Some((next, row));
                break;
            }
        }
        Ok(Some((dossier, rows)))
    }
}

/// A person's dossier and their RSA rights payable in the month: (right, amount).
type Payable = (String, Vec<(String, Cents)>);

/// The rights' side of the merge: the RSA rights payable in the month, by person.
struct RightsSide<I> {
    rows: I,
    month: Month,
    ahead: Option<(String, String, Cents)>,
}

impl<I: Iterator<Item = Result<RsaRight, StoreError>>> RightsSide<I> {
    /// The next right worth something this month: (dossier, right, amount).
    fn pull(&mut self) -> Result<Option<(String, String, Cents)>, StoreError> {
        for right in self.rows.by_ref() {
            let right = right?;
            // What the CAF would pay for the month: `due` without the rule that the CAF pays.
            match payment::month_amount(&right.terms, self.month, right.death) {
                Ok(amount) if amount.0 > 0 => return Ok(Some((right.dossier, right.id, amount))),
                _ => {}
            }
        }
        Ok(None)
    }

    /// The next person's payable rights: dossier, (right, amount)s.
    fn group(&mut self) -> Result<Option<Payable>, StoreError> {
        let first = match self.ahead.take() {
            Some(first) => first,
            None => match self.pull()? {
                Some(first) => first,
                None => return Ok(None),
            },
        };
        let (dossier, right, amount) = first;
        let mut rights = vec![(right, amount)];
        while let Some((next, right, amount)) = self.pull()? {
            if next == dossier {
                rights.push((right, amount));
            } else {
                self.ahead = Some((next, right, amount));
                break;
            }
        }
        Ok(Some((dossier, rights)))
    }
}

fn sum(amounts: impl Iterator<Item = Cents>) -> Cents {
    Cents(amounts.fold(0i64, |a, c| a.saturating_add(c.0)))
}

/// Rows of a known person without a payable RSA right.
fn without_right(
    cmp: &mut CafComparison,
    dossier: &str,
    rows: Vec<CafRow>,
    each: &mut dyn FnMut(&CafDiscrepancy),
) {
    for row in rows {
        cmp.without_right.add(row.amount);
        each(&CafDiscrepancy::NoRight {
            dossier: dossier.to_owned(),
            row,
        });
    }
}

/// Payable RSA rights of a person the statement does not name.
fn missing(
    cmp: &mut CafComparison,
    dossier: &str,
    rights: Vec<(String, Cents)>,
    each: &mut dyn FnMut(&CafDiscrepancy),
) {
    for (right_id, amount) in rights {
        cmp.rights.add(amount);
        cmp.missing.add(amount);
        each(&CafDiscrepancy::MissingRow {
            right_id,
            dossier: dossier.to_owned(),
            amount,
        });
    }
}

/// A household on both sides: reported when the amounts differ by more than the threshold.
fn both(
    cmp: &mut CafComparison,
    dossier: String,
    rows: Vec<CafRow>,
    rights: Vec<(String, Cents)>,
    each: &mut dyn FnMut(&CafDiscrepancy),
) {
    let paid = sum(rows.iter().map(|r| r.amount));
    let worth = sum(rights.iter().map(|r| r.1));
    cmp.matched.add(paid);
    for (_, amount) in &rights {
        cmp.rights.add(*amount);
    }
    let gap = i128::from(paid.0) - i128::from(worth.0);
    if gap.abs() > i128::from(cmp.threshold.0) {
        cmp.differing.add(paid);
        cmp.differing_rights = Cents(cmp.differing_rights.0.saturating_add(worth.0));
        each(&CafDiscrepancy::AmountDiffers {
            dossier,
            rows: rows.into_iter().map(|r| (r.line, r.allocataire)).collect(),
            right_ids: rights.into_iter().map(|r| r.0).collect(),
            statement: paid,
            rights: worth,
        });
    }
}

/// Compares `header`'s statement with the RSA rights, both read in dossier order
/// ([`STATEMENT_ROWS`], [`RSA_RIGHTS`]) and merged, whatever backend streams them.
pub(crate) fn merge(
    header: &CafStatement,
    threshold: Cents,
    statement_rows: impl Iterator<Item = Result<FoundRow, StoreError>>,
    rsa_rights: impl Iterator<Item = Result<RsaRight, StoreError>>,
    each: &mut dyn FnMut(&CafDiscrepancy),
) -> Result<CafComparison, StoreError> {
    let month = header.month;
    let mut cmp = CafComparison {
        month,
        threshold,
        statement: Tally::default(),
        rights: Tally::default(),
        matched: Tally::default(),
        differing: Tally::default(),
        differing_rights: Cents::ZERO,
        unknown: Tally::default(),
        without_right: Tally::default(),
        missing: Tally::default(),
    };
    let mut statement_side = StatementSide {
        rows: statement_rows,
        ahead: None,
    };
    let mut rights_side = RightsSide {
        rows: rsa_rights,
        month,
        ahead: None,
    };
    let mut household = statement_side.group(&mut cmp, each)?;
    let mut payable = rights_side.group()?;
    loop {
        let order = match (&household, &payable) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some((a, _)), Some((b, _))) => a.cmp(b),
        };
        match order {
            Ordering::Less => {
                if let Some((dossier, rows)) = household.take() {
                    without_right(&mut cmp, &dossier, rows, each);
                }
                household = statement_side.group(&mut cmp, each)?;
            }
            Ordering::Greater => {
                if let Some((dossier, rights)) = payable.take() {
                    missing(&mut cmp, &dossier, rights, each);
                }
                payable = rights_side.group()?;
            }
            Ordering::Equal => {
                if let (Some((dossier, rows)), Some((_, rights))) =
                    (household.take(), payable.take())
                {
                    both(&mut cmp, dossier, rows, rights, each);
                }
                household = statement_side.group(&mut cmp, each)?;
                payable = rights_side.group()?;
            }
        }
    }
    if cmp.statement.count != header.rows || cmp.statement.amount != header.total {
        return Err(StoreError::Corrupt(format!(
            "caf statement {month}: {} rows, {} cents, but its header says {} rows, {} cents",
            cmp.statement.count, cmp.statement.amount.0, header.rows, header.total.0
        )));
    }
    Ok(cmp)
}
