//! The CAF's statements in SQLite (see [`crate::caf`]): `caf_statements` and
//! `caf_statement_rows` (migration 16). [`statement_total`] and [`latest_before`] take a
//! connection, so that a payment run's preparation reads them inside its own transaction.

use super::caf_merge::{
    FoundRow, RSA_RIGHTS, RsaRight, STATEMENT_ROWS, found_row, merge, rsa_right,
};
use super::decode::corrupt;
use super::{SqliteStore, journal, users};
use crate::StoreError;
use crate::caf::{
    CafComparison, CafDiscrepancy, CafError, CafImportSession, CafImported, CafStatement, CafStore,
};
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::ids::Nir;
use relais_core::journal::Entry;
use relais_core::records::Benefit;
use relais_core::roles::Role;
use relais_formats::caf::CafRow;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde_json::json;

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

/// What an import counted so far, whatever backend holds its transaction.
pub(crate) struct ImportTally {
    pub actor: String,
    pub month: Month,
    pub month_text: String,
    pub rows: u64,
    pub total: Cents,
    pub replaced: Option<CafStatement>,
}

impl ImportTally {
    pub(crate) fn new(actor: &str, month: Month, replaced: Option<CafStatement>) -> ImportTally {
        ImportTally {
            actor: actor.to_owned(),
            month,
            month_text: month.to_string(),
            rows: 0,
            total: Cents::ZERO,
            replaced,
        }
    }

    /// Counts a row inserted.
    pub(crate) fn add(&mut self, row: &CafRow) -> Result<(), CafError> {
        self.rows += 1;
        self.total = self
            .total
            .checked_add(row.amount)
            .ok_or(CafError::TotalTooLarge(self.month))?;
        Ok(())
    }

    /// Whether the statement may be committed: no row rejected by the reader, and a row.
    pub(crate) fn may_commit(&self, rejected: u64) -> Result<(), CafError> {
        if rejected > 0 {
            return Err(CafError::RejectedRows {
                month: self.month,
                rejected,
            });
        }
        if self.rows == 0 {
            return Err(CafError::Empty(self.month));
        }
        Ok(())
    }

    /// The statement's row count as stored.
    pub(crate) fn stored_rows(&self) -> i64 {
        i64::try_from(self.rows).unwrap_or(i64::MAX)
    }

    /// The journal's record of the import. No NIR here: the journal is read by more people
    /// than the statement.
    pub(crate) fn payload(&self, file_sha256: &str, rejected: u64) -> serde_json::Value {
        json!({
            "month": self.month_text,
            "sha256": file_sha256,
            "rows": self.rows,
            "total": self.total.0,
            "rejected": rejected,
            "replaces": self.replaced.as_ref().map(|r| r.file_sha256.as_str()),
        })
    }

    /// What the committed import did.
    pub(crate) fn imported(
        self,
        file_sha256: &str,
        imported_at: String,
        prepared_runs: Vec<String>,
        entry: Entry,
    ) -> CafImported {
        CafImported {
            statement: CafStatement {
                month: self.month,
                file_sha256: file_sha256.to_owned(),
                rows: self.rows,
                total: self.total,
                imported_by: self.actor,
                imported_at,
            },
            replaced: self.replaced,
            prepared_runs,
            entry,
        }
    }
}

/// An import in progress: the transaction holds the write lock from the start.
pub(crate) struct SqliteCafImport<'c> {
    tx: Transaction<'c>,
    tally: ImportTally,
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
            tally: ImportTally::new(actor, month, replaced),
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
            self.tally.month_text,
            i64::try_from(row.line).unwrap_or(i64::MAX),
            row.allocataire,
            row.nir.as_ref().map(Nir::as_str),
            row.dossier,
            row.amount.0
        ])?;
        self.tally.add(row)
    }

    fn commit(self: Box<Self>, file_sha256: &str, rejected: u64) -> Result<CafImported, CafError> {
        let SqliteCafImport { tx, tally } = *self;
        tally.may_commit(rejected)?;
        let imported_at = super::now();
        tx.execute(
            "INSERT INTO caf_statements (month, file_sha256, rows, total_cents, imported_by,
                 imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                tally.month_text,
                file_sha256,
                tally.stored_rows(),
                tally.total.0,
                tally.actor,
                imported_at
            ],
        )?;
        let entry = journal::append(
            &tx,
            &tally.actor,
            "caf_statement_import",
            &tally.payload(file_sha256, rejected),
        )?;
        let prepared_runs = {
            let mut runs = tx.prepare(
                "SELECT id FROM runs WHERE month = ?1 AND status = 'prepared' ORDER BY id",
            )?;
            let ids = runs.query_map([&tally.month_text], |r| r.get(0))?;
            ids.collect::<Result<Vec<String>, _>>()?
        };
        tx.commit()?;
        Ok(tally.imported(file_sha256, imported_at, prepared_runs, entry))
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
    let mut statement_rows = conn.prepare(STATEMENT_ROWS)?;
    let mut rows = statement_rows.query([month.to_string()])?;
    let statement_rows = std::iter::from_fn(|| {
        let read = |r: &rusqlite::Row<'_>| -> Result<FoundRow, StoreError> {
            found_row(
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            )
        };
        rows.next()
            .map_err(StoreError::from)
            .transpose()
            .map(|r| r.and_then(read))
    });
    let mut rights = conn.prepare(RSA_RIGHTS)?;
    let mut rights = rights.query([Benefit::Rsa.code()])?;
    let rsa_rights = std::iter::from_fn(|| {
        let read = |r: &rusqlite::Row<'_>| -> Result<RsaRight, StoreError> {
            let dates: (String, String) = (r.get(3)?, r.get(4)?);
            rsa_right(
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                (&dates.0, &dates.1),
                &r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?.as_deref(),
            )
        };
        rights
            .next()
            .map_err(StoreError::from)
            .transpose()
            .map(|r| r.and_then(read))
    });
    merge(&header, threshold, statement_rows, rsa_rights, each).map(Some)
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
