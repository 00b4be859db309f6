//! The CAF's statements on PostgreSQL (see [`crate::caf`]), as on SQLite (`sqlite/caf.rs`):
//! an import is one writing transaction with its journal entry, counted and journaled by the
//! same [`ImportTally`]; the comparison streams the same SQL through two portals of one
//! read-only snapshot and merges them with the same [`merge`], a few hundred rows in memory
//! at a time whatever the number of rights. [`statement_total`] and [`latest_before`] take a
//! client, so that a payment run's preparation reads them inside its own transaction.

use super::{PgStore, journal, users, write};
use crate::StoreError;
use crate::caf::{
    CafComparison, CafDiscrepancy, CafError, CafImportSession, CafImported, CafStatement, CafStore,
};
use crate::sqlite::caf::ImportTally;
use crate::sqlite::caf_merge::{RSA_RIGHTS, STATEMENT_ROWS, found_row, merge, rsa_right};
use crate::sqlite::decode::corrupt;
use postgres::{Client, GenericClient, IsolationLevel, Portal, Row, Statement, Transaction};
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::ids::Nir;
use relais_core::records::Benefit;
use relais_core::roles::Role;
use relais_formats::caf::CafRow;
use std::cell::RefCell;
use std::collections::VecDeque;

/// The imported statement of `month`, without its rows.
pub(crate) fn statement(
    c: &mut impl GenericClient,
    month: Month,
) -> Result<Option<CafStatement>, StoreError> {
    c.query_opt(
        "SELECT file_sha256, rows, total_cents, imported_by, imported_at
         FROM caf_statements WHERE month = $1",
        &[&month.to_string()],
    )?
    .map(|r| {
        Ok(CafStatement {
            month,
            file_sha256: r.try_get(0)?,
            rows: r.try_get::<_, i64>(1)?.unsigned_abs(),
            total: Cents(r.try_get(2)?),
            imported_by: r.try_get(3)?,
            imported_at: r.try_get(4)?,
        })
    })
    .transpose()
}

/// The imported statement's total for `month`.
pub(crate) fn statement_total(
    c: &mut impl GenericClient,
    month: Month,
) -> Result<Option<Cents>, StoreError> {
    c.query_opt(
        "SELECT total_cents FROM caf_statements WHERE month = $1",
        &[&month.to_string()],
    )?
    .map(|r| Ok(Cents(r.try_get(0)?)))
    .transpose()
}

/// The latest month before `month` with a statement, and its total. `YYYY-MM` texts sort as
/// their months do (the database's collation is C).
pub(crate) fn latest_before(
    c: &mut impl GenericClient,
    month: Month,
) -> Result<Option<(Month, Cents)>, StoreError> {
    c.query_opt(
        "SELECT month, total_cents FROM caf_statements WHERE month < $1
         ORDER BY month DESC LIMIT 1",
        &[&month.to_string()],
    )?
    .map(|r| {
        let text: &str = r.try_get(0)?;
        let m = Month::parse(text).map_err(|_| corrupt("caf statement month", text))?;
        Ok((m, Cents(r.try_get(1)?)))
    })
    .transpose()
}

fn validated_run(c: &mut impl GenericClient, month: &str) -> Result<bool, StoreError> {
    Ok(c.query_one(
        "SELECT EXISTS (SELECT 1 FROM runs WHERE month = $1 AND status = 'validated')",
        &[&month],
    )?
    .try_get(0)?)
}

/// An import in progress: the transaction holds the writers' lock from the start.
struct PgCafImport<'c> {
    tx: Transaction<'c>,
    insert: Statement,
    tally: ImportTally,
}

impl<'c> PgCafImport<'c> {
    fn begin(client: &'c mut Client, actor: &str, month: Month) -> Result<Self, CafError> {
        let mut tx = write(client)?;
        users::require_any(&mut tx, actor, &[Role::Liquidation, Role::Ordonnateur])?;
        let tally = ImportTally::new(actor, month, statement(&mut tx, month)?);
        if tally.replaced.is_some() {
            // A validated run's CAF piece was mandated from this statement (the schema's
            // triggers refuse the deletion too).
            if validated_run(&mut tx, &tally.month_text)? {
                return Err(CafError::RunValidated(month));
            }
            tx.execute(
                "DELETE FROM caf_statement_rows WHERE month = $1",
                &[&tally.month_text],
            )?;
            tx.execute(
                "DELETE FROM caf_statements WHERE month = $1",
                &[&tally.month_text],
            )?;
        }
        let insert = tx.prepare(
            "INSERT INTO caf_statement_rows (month, line, allocataire, nir, dossier, amount)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )?;
        Ok(PgCafImport { tx, insert, tally })
    }
}

impl CafImportSession for PgCafImport<'_> {
    fn insert(&mut self, row: &CafRow) -> Result<(), CafError> {
        self.tx.execute(
            &self.insert,
            &[
                &self.tally.month_text,
                &i64::try_from(row.line).unwrap_or(i64::MAX),
                &row.allocataire,
                &row.nir.as_ref().map(Nir::as_str),
                &row.dossier,
                &row.amount.0,
            ],
        )?;
        self.tally.add(row)
    }

    fn commit(self: Box<Self>, file_sha256: &str, rejected: u64) -> Result<CafImported, CafError> {
        let PgCafImport { mut tx, tally, .. } = *self;
        tally.may_commit(rejected)?;
        let imported_at = crate::now();
        tx.execute(
            "INSERT INTO caf_statements (month, file_sha256, rows, total_cents, imported_by,
                 imported_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &tally.month_text,
                &file_sha256,
                &tally.stored_rows(),
                &tally.total.0,
                &tally.actor,
                &imported_at,
            ],
        )?;
        let entry = journal::append(
            &mut tx,
            &tally.actor,
            "caf_statement_import",
            &tally.payload(file_sha256, rejected),
        )?;
        let prepared_runs = tx
            .query(
                "SELECT id FROM runs WHERE month = $1 AND status = 'prepared' ORDER BY id",
                &[&tally.month_text],
            )?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<Vec<String>, _>>()?;
        tx.commit()?;
        Ok(tally.imported(file_sha256, imported_at, prepared_runs, entry))
    }
}

/// Rows fetched from a portal at a time: both sides of the merge are read a chunk ahead.
const CHUNK: i32 = 500;

/// The rows of `portal`, fetched a chunk at a time from the transaction both sides share
/// (one connection runs one query at a time: the sides take turns).
fn chunks<'a>(
    tx: &'a RefCell<Transaction<'_>>,
    portal: &'a Portal,
) -> impl Iterator<Item = Result<Row, StoreError>> + 'a {
    let mut buffer = VecDeque::new();
    let mut done = false;
    std::iter::from_fn(move || {
        if buffer.is_empty() && !done {
            let fetched = tx
                .try_borrow_mut()
                .map_err(|_| StoreError::Busy("connexion PostgreSQL déjà occupée".into()))
                .and_then(|mut tx| Ok(tx.query_portal(portal, CHUNK)?));
            match fetched {
                Ok(rows) => {
                    done = rows.len() < CHUNK as usize;
                    buffer.extend(rows);
                }
                Err(e) => {
                    done = true;
                    return Some(Err(e));
                }
            }
        }
        buffer.pop_front().map(Ok)
    })
}

fn compare(
    client: &mut Client,
    month: Month,
    threshold: Cents,
    each: &mut dyn FnMut(&CafDiscrepancy),
) -> Result<Option<CafComparison>, StoreError> {
    // One snapshot for the header and both sides: an import committing meanwhile is not
    // seen. Nothing is written; the transaction is rolled back when dropped.
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let Some(header) = statement(&mut tx, month)? else {
        return Ok(None);
    };
    let month_text = month.to_string();
    let rows = tx.prepare(STATEMENT_ROWS)?;
    let rows = tx.bind(&rows, &[&month_text])?;
    let rights = tx.prepare(RSA_RIGHTS)?;
    let rights = tx.bind(&rights, &[&Benefit::Rsa.code()])?;
    let tx = RefCell::new(tx);
    let statement_rows = chunks(&tx, &rows).map(|r| {
        let r = r?;
        found_row(
            r.try_get(0)?,
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            r.try_get(4)?,
            r.try_get(5)?,
        )
    });
    let rsa_rights = chunks(&tx, &rights).map(|r| {
        let r = r?;
        rsa_right(
            r.try_get(0)?,
            r.try_get(1)?,
            r.try_get(2)?,
            (r.try_get(3)?, r.try_get(4)?),
            r.try_get(5)?,
            r.try_get(6)?,
        )
    });
    merge(&header, threshold, statement_rows, rsa_rights, each).map(Some)
}

impl CafStore for PgStore {
    fn begin_caf_import(
        &mut self,
        actor: &str,
        month: Month,
    ) -> Result<Box<dyn CafImportSession + '_>, CafError> {
        Ok(Box::new(PgCafImport::begin(
            self.client.get_mut(),
            actor,
            month,
        )?))
    }

    fn caf_statement(&self, month: Month) -> Result<Option<CafStatement>, StoreError> {
        statement(&mut *self.conn()?, month)
    }

    fn caf_statement_total(&self, month: Month) -> Result<Option<Cents>, StoreError> {
        statement_total(&mut *self.conn()?, month)
    }

    fn latest_caf_statement_before(
        &self,
        month: Month,
    ) -> Result<Option<(Month, Cents)>, StoreError> {
        latest_before(&mut *self.conn()?, month)
    }

    fn compare_caf_statement(
        &self,
        month: Month,
        threshold: Cents,
        each: &mut dyn FnMut(&CafDiscrepancy),
    ) -> Result<Option<CafComparison>, StoreError> {
        compare(&mut *self.conn()?, month, threshold, each)
    }
}
