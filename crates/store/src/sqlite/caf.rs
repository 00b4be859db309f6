//! The CAF's statements in SQLite (see [`crate::caf`]): `caf_statements` and
//! `caf_statement_rows` (migration 16). [`statement_total`] and [`latest_before`] take a
//! connection, so that a payment run's preparation reads them inside its own transaction.

use super::decode::{corrupt, date};
use super::{SqliteStore, journal, users};
use crate::StoreError;
use crate::caf::{
    CafComparison, CafDiscrepancy, CafError, CafImportSession, CafImported, CafStatement, CafStore,
    Tally,
};
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::ids::Nir;
use relais_core::payment::{self, RightTerms};
use relais_core::records::{Benefit, RightStatus};
use relais_core::roles::Role;
use relais_formats::caf::CafRow;
use rusqlite::{Connection, OptionalExtension, Rows, Transaction, TransactionBehavior, params};
use serde_json::json;
use std::cmp::Ordering;

/// The imported statement of `month`, without its rows.
pub(crate) fn statement(
    conn: &Connection,
    month: Month,
) -> Result<Option<CafStatement>, StoreError> {
    let found = conn
        .query_row(
            "SELECT file_sha256, rows, total_cents, imported_by, imported_at
             FROM caf_statements WHERE month = ?1",
            [month.to_string()],
            |r| {
                Ok(CafStatement {
                    month,
                    file_sha256: r.get(0)?,
                    rows: r.get::<_, i64>(1)?.unsigned_abs(),
                    total: Cents(r.get(2)?),
                    imported_by: r.get(3)?,
                    imported_at: r.get(4)?,
                })
            },
        )
        .optional()?;
    Ok(found)
}

/// The imported statement's total for `month`.
pub(crate) fn statement_total(
    conn: &Connection,
    month: Month,
) -> Result<Option<Cents>, StoreError> {
    let total: Option<i64> = conn
        .query_row(
            "SELECT total_cents FROM caf_statements WHERE month = ?1",
            [month.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    Ok(total.map(Cents))
}

/// The latest month before `month` with a statement, and its total. `YYYY-MM` texts sort as
/// their months do.
pub(crate) fn latest_before(
    conn: &Connection,
    month: Month,
) -> Result<Option<(Month, Cents)>, StoreError> {
    let found: Option<(String, i64)> = conn
        .query_row(
            "SELECT month, total_cents FROM caf_statements WHERE month < ?1
             ORDER BY month DESC LIMIT 1",
            [month.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    found
        .map(|(text, total)| {
            let m = Month::parse(&text).map_err(|_| corrupt("caf statement month", &text))?;
            Ok((m, Cents(total)))
        })
        .transpose()
}

fn validated_run(conn: &Connection, month: Month) -> Result<bool, StoreError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM runs WHERE month = ?1 AND status = 'validated')",
        [month.to_string()],
        |r| r.get(0),
    )?)
}

/// An import in progress: the transaction holds the write lock from the start.
pub(crate) struct SqliteCafImport<'c> {
    tx: Transaction<'c>,
    actor: String,
    month: Month,
    month_text: String,
    rows: u64,
    total: Cents,
    replaced: Option<CafStatement>,
}

impl<'c> SqliteCafImport<'c> {
    fn begin(
        conn: &'c mut Connection,
        actor: &str,
        month: Month,
    ) -> Result<SqliteCafImport<'c>, CafError> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        users::require_any(&tx, actor, &[Role::Liquidation, Role::Ordonnateur])?;
        let month_text = month.to_string();
        let replaced = statement(&tx, month)?;
        if replaced.is_some() {
            // A validated run's CAF piece was mandated from this statement (triggers of
            // migration 16 refuse the deletion too).
            if validated_run(&tx, month)? {
                return Err(CafError::RunValidated(month));
            }
            tx.execute(
                "DELETE FROM caf_statement_rows WHERE month = ?1",
                [&month_text],
            )?;
            tx.execute("DELETE FROM caf_statements WHERE month = ?1", [&month_text])?;
        }
        Ok(SqliteCafImport {
            tx,
            actor: actor.to_owned(),
            month,
            month_text,
            rows: 0,
            total: Cents::ZERO,
            replaced,
        })
    }
}

impl CafImportSession for SqliteCafImport<'_> {
    fn insert(&mut self, row: &CafRow) -> Result<(), CafError> {
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO caf_statement_rows (month, line, allocataire, nir, dossier, amount)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        insert.execute(params![
            self.month_text,
            i64::try_from(row.line).unwrap_or(i64::MAX),
            row.allocataire,
            row.nir.as_ref().map(Nir::as_str),
            row.dossier,
            row.amount.0
        ])?;
        self.rows += 1;
        self.total = self
            .total
            .checked_add(row.amount)
            .ok_or(CafError::TotalTooLarge(self.month))?;
        Ok(())
    }

    fn commit(self: Box<Self>, file_sha256: &str, rejected: u64) -> Result<CafImported, CafError> {
        let s = *self;
        if rejected > 0 {
            return Err(CafError::RejectedRows {
                month: s.month,
                rejected,
            });
        }
        if s.rows == 0 {
            return Err(CafError::Empty(s.month));
        }
        let rows = i64::try_from(s.rows).unwrap_or(i64::MAX);
        let imported_at = super::now();
        s.tx.execute(
            "INSERT INTO caf_statements (month, file_sha256, rows, total_cents, imported_by,
                 imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                s.month_text,
                file_sha256,
                rows,
                s.total.0,
                s.actor,
                imported_at
            ],
        )?;
        // No NIR here: the journal is read by more people than the statement.
        let entry = journal::append(
            &s.tx,
            &s.actor,
            "caf_statement_import",
            &json!({
                "month": s.month_text,
                "sha256": file_sha256,
                "rows": s.rows,
                "total": s.total.0,
                "rejected": rejected,
                "replaces": s.replaced.as_ref().map(|r| r.file_sha256.as_str()),
            }),
        )?;
        let prepared_runs = {
            let mut runs = s.tx.prepare(
                "SELECT id FROM runs WHERE month = ?1 AND status = 'prepared' ORDER BY id",
            )?;
            let ids = runs.query_map([&s.month_text], |r| r.get(0))?;
            ids.collect::<Result<Vec<String>, _>>()?
        };
        s.tx.commit()?;
        Ok(CafImported {
            statement: CafStatement {
                month: s.month,
                file_sha256: file_sha256.to_owned(),
                rows: s.rows,
                total: s.total,
                imported_by: s.actor,
                imported_at,
            },
            replaced: s.replaced,
            prepared_runs,
            entry,
        })
    }
}

/// The statement's rows with the person each one finds: by its dossier when the store knows
/// it, else by its NIR (the first dossier of that NIR, should two people share one). Rows of
/// no known person (NULL) come first, then by dossier.
const STATEMENT_ROWS: &str = "
    SELECT s.line, s.allocataire, s.nir, s.dossier, s.amount,
           coalesce(bd.dossier, bn.dossier) AS person
    FROM caf_statement_rows s
    LEFT JOIN beneficiaries bd ON bd.dossier = s.dossier
    LEFT JOIN (SELECT nir, min(dossier) AS dossier FROM beneficiaries
               WHERE nir IS NOT NULL GROUP BY nir) bn ON bn.nir = s.nir
    WHERE s.month = ?1
    ORDER BY person, s.line";

/// The RSA rights with their person's death date, by dossier.
const RSA_RIGHTS: &str = "
    SELECT r.id, r.dossier, r.monthly_amount, r.start_date, r.end_date, r.status, b.death_date
    FROM rights r JOIN beneficiaries b ON b.dossier = r.dossier
    WHERE r.benefit = ?1
    ORDER BY r.dossier, r.id";

/// The statement's side of the merge: its rows grouped by the person they find.
struct StatementSide<'s> {
    rows: Rows<'s>,
    ahead: Option<(String, CafRow)>,
}

impl StatementSide<'_> {
    /// The next row of a known person; rows of unknown people are reported on the way.
    fn pull(
        &mut self,
        cmp: &mut CafComparison,
        each: &mut dyn FnMut(&CafDiscrepancy),
    ) -> Result<Option<(String, CafRow)>, StoreError> {
        while let Some(r) = self.rows.next()? {
            let nir: Option<String> = r.get(2)?;
            let nir = nir
                .map(|n| Nir::parse(&n).map_err(|_| corrupt("caf statement nir", "…")))
                .transpose()?;
            let row = CafRow {
                line: r.get::<_, i64>(0)?.unsigned_abs(),
                allocataire: r.get(1)?,
                nir,
                dossier: r.get(3)?,
                amount: Cents(r.get(4)?),
            };
            cmp.statement.add(row.amount);
            match r.get::<_, Option<String>>(5)? {
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
struct RightsSide<'s> {
    rows: Rows<'s>,
    month: Month,
    ahead: Option<(String, String, Cents)>,
}

impl RightsSide<'_> {
    /// The next right worth something this month: (dossier, right, amount).
    fn pull(&mut self) -> Result<Option<(String, String, Cents)>, StoreError> {
        while let Some(r) = self.rows.next()? {
            let status: String = r.get(5)?;
            let terms = RightTerms {
                benefit: Benefit::Rsa,
                monthly_amount: Cents(r.get(2)?),
                start: date("start_date", &r.get::<_, String>(3)?)?,
                end: date("end_date", &r.get::<_, String>(4)?)?,
                status: RightStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
            };
            let death = r
                .get::<_, Option<String>>(6)?
                .map(|d| date("death_date", &d))
                .transpose()?;
            // What the CAF would pay for the month: `due` without the rule that the CAF pays.
            match payment::month_amount(&terms, self.month, death) {
                Ok(amount) if amount.0 > 0 => return Ok(Some((r.get(1)?, r.get(0)?, amount))),
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

fn compare(
    conn: &Connection,
    month: Month,
    threshold: Cents,
    each: &mut dyn FnMut(&CafDiscrepancy),
) -> Result<Option<CafComparison>, StoreError> {
    // One snapshot for the header and both sides (WAL: an import committing meanwhile is
    // not seen); nothing is written, the transaction ends with a rollback.
    let tx = conn.unchecked_transaction()?;
    let conn: &Connection = &tx;
    let Some(header) = statement(conn, month)? else {
        return Ok(None);
    };
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
    let mut statement_rows = conn.prepare(STATEMENT_ROWS)?;
    let mut statement_side = StatementSide {
        rows: statement_rows.query([month.to_string()])?,
        ahead: None,
    };
    let mut rights = conn.prepare(RSA_RIGHTS)?;
    let mut rights_side = RightsSide {
        rows: rights.query([Benefit::Rsa.code()])?,
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
    Ok(Some(cmp))
}

impl CafStore for SqliteStore {
    fn begin_caf_import(
        &mut self,
        actor: &str,
        month: Month,
    ) -> Result<Box<dyn CafImportSession + '_>, CafError> {
        Ok(Box::new(SqliteCafImport::begin(
            &mut self.conn,
            actor,
            month,
        )?))
    }

    fn caf_statement(&self, month: Month) -> Result<Option<CafStatement>, StoreError> {
        statement(&self.conn, month)
    }

    fn caf_statement_total(&self, month: Month) -> Result<Option<Cents>, StoreError> {
        statement_total(&self.conn, month)
    }

    fn latest_caf_statement_before(
        &self,
        month: Month,
    ) -> Result<Option<(Month, Cents)>, StoreError> {
        latest_before(&self.conn, month)
    }

    fn compare_caf_statement(
        &self,
        month: Month,
        threshold: Cents,
        each: &mut dyn FnMut(&CafDiscrepancy),
    ) -> Result<Option<CafComparison>, StoreError> {
        compare(&self.conn, month, threshold, each)
    }
}
