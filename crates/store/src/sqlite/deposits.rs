//! The register of deposits in SQLite: the counter, the deposit and its journal entry in one
//! `BEGIN IMMEDIATE` transaction. The steps themselves are PostgreSQL's too
//! (`deposit_steps.rs`); here, SQLite's SQL.

use super::deposit_steps::{
    DepositRow, DepositWriter, INSERT_COLUMNS, INSERT_COMMITMENT, MARK_CANCELLED, SELECT,
    cancel_in, cancel_reason, filter_sql, read, register_in,
};
use super::{SqliteStore, journal, users};
use crate::deposits::{DepositFilter, DepositStore, DepositStoreError, Seal};
use crate::{StoreError, User};
use jiff::tz::TimeZone;
use relais_core::deposits::{ChronoNumber, Deposit, NewDeposit, ServiceContact};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

/// The file number as the extracts write it, whatever the case typed: exact first (the
/// index), then upper and lower case (the index again), then any case (a scan, only for a
/// number with mixed case).
fn known_dossier(
    tx: &rusqlite::Transaction<'_>,
    typed: &str,
) -> Result<Option<String>, DepositStoreError> {
    let mut stmt = tx.prepare_cached("SELECT dossier FROM beneficiaries WHERE dossier = ?1")?;
    for candidate in [typed.to_owned(), typed.to_uppercase(), typed.to_lowercase()] {
        if let Some(found) = stmt
            .query_row([&candidate], |r| r.get::<_, String>(0))
            .optional()?
        {
            return Ok(Some(found));
        }
    }
    Ok(tx
        .query_row(
            "SELECT dossier FROM beneficiaries WHERE dossier = ?1 COLLATE NOCASE LIMIT 1",
            [typed],
            |r| r.get(0),
        )
        .optional()?)
}

impl DepositWriter for rusqlite::Transaction<'_> {
    fn user(&mut self, login: &str) -> Result<Option<User>, StoreError> {
        users::get(self, login)
    }

    fn known_dossier(&mut self, typed: &str) -> Result<Option<String>, DepositStoreError> {
        known_dossier(self, typed)
    }

    fn deposit(&mut self, number: ChronoNumber) -> Result<Option<Deposit>, DepositStoreError> {
        get(self, number)
    }

    fn step_counter(&mut self, year: i16) -> Result<i64, DepositStoreError> {
        Ok(self.query_row(
            "INSERT INTO chrono_counters (year, last) VALUES (?1, 1)
             ON CONFLICT (year) DO UPDATE SET last = last + 1
             RETURNING last",
            [year],
            |r| r.get(0),
        )?)
    }

    fn insert(&mut self, r: &DepositRow<'_>) -> Result<(), DepositStoreError> {
        self.execute(
            &format!(
                "INSERT INTO deposits ({INSERT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                 ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)"
            ),
            params![
                r.number,
                r.year,
                r.seq,
                r.received_at,
                r.received_on,
                r.kind,
                r.depositor,
                r.address,
                r.subject,
                r.pages,
                r.siret,
                r.invoice_number,
                r.amount,
                r.invoice_date,
                r.bid_deadline,
                r.registered_by,
                r.receipt_code,
                r.dossier,
                r.registered_at,
                r.backdate_reason,
                r.missing,
                r.missing_deadline,
                r.completes,
            ],
        )?;
        Ok(())
    }

    fn insert_commitment(
        &mut self,
        number: &str,
        commitment: &str,
    ) -> Result<(), DepositStoreError> {
        self.execute(INSERT_COMMITMENT, params![number, commitment])?;
        Ok(())
    }

    fn mark_cancelled(
        &mut self,
        number: &str,
        at: &str,
        actor: &str,
        reason: &str,
    ) -> Result<(), DepositStoreError> {
        self.execute(MARK_CANCELLED, params![number, at, actor, reason])?;
        Ok(())
    }

    fn journal(
        &mut self,
        actor: &str,
        kind: &str,
        payload: &serde_json::Value,
        at: String,
    ) -> Result<(), StoreError> {
        journal::append_at(self, actor, kind, payload, at).map(|_| ())
    }
}

fn register(
    conn: &mut Connection,
    actor: &str,
    new: &NewDeposit,
    tz: &TimeZone,
    seal: Seal<'_>,
) -> Result<Deposit, DepositStoreError> {
    let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let deposit = register_in(&mut tx, actor, new, tz, seal)?;
    tx.commit()?;
    Ok(deposit)
}

fn cancel(
    conn: &mut Connection,
    actor: &str,
    number: ChronoNumber,
    reason: &str,
) -> Result<Deposit, DepositStoreError> {
    let reason = cancel_reason(reason)?;
    let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let deposit = cancel_in(&mut tx, actor, number, reason)?;
    tx.commit()?;
    Ok(deposit)
}

fn get(conn: &Connection, number: ChronoNumber) -> Result<Option<Deposit>, DepositStoreError> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE d.number = ?1"))?;
    let mut rows = stmt.query([number.to_string()])?;
    match rows.next()? {
        Some(row) => Ok(Some(read(row)?)),
        None => Ok(None),
    }
}

fn list(conn: &Connection, filter: &DepositFilter) -> Result<Vec<Deposit>, DepositStoreError> {
    let (filter_sql, args) = filter_sql(filter, |_| "?".to_owned());
    let mut stmt = conn.prepare_cached(&format!("{SELECT} {filter_sql} ORDER BY d.year, d.seq"))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(read(row)?);
    }
    Ok(out)
}

impl DepositStore for SqliteStore {
    fn register_deposit(
        &mut self,
        actor: &str,
        deposit: &NewDeposit,
        tz: &TimeZone,
        seal: Seal<'_>,
    ) -> Result<Deposit, DepositStoreError> {
        register(&mut self.conn, actor, deposit, tz, seal)
    }

    fn cancel_deposit(
        &mut self,
        actor: &str,
        number: ChronoNumber,
        reason: &str,
    ) -> Result<Deposit, DepositStoreError> {
        cancel(&mut self.conn, actor, number, reason)
    }

    fn deposit(&self, number: ChronoNumber) -> Result<Option<Deposit>, DepositStoreError> {
        get(&self.conn, number)
    }

    fn deposits(&self, filter: &DepositFilter) -> Result<Vec<Deposit>, DepositStoreError> {
        list(&self.conn, filter)
    }

    fn directory_contact(
        &self,
        site_code: &str,
    ) -> Result<Option<ServiceContact>, DepositStoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT service, address, email, phone FROM directory WHERE site_code = ?1
                 ORDER BY service LIMIT 1",
                [site_code],
                |r| {
                    Ok(ServiceContact {
                        name: r.get(0)?,
                        address: r.get(1)?,
                        email: r.get(2)?,
                        phone: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }
}
