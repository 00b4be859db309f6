//! The register of deposits on PostgreSQL: the steps of `sqlite/deposit_steps.rs` (the same
//! checks, numbers, seal and journal entry), over PostgreSQL's SQL.
//!
//! A chrono number is gap-free whatever the number of processes writing: the transaction
//! takes the writers' lock ([`super::write`]), then locks its year's counter row (`FOR
//! UPDATE`), steps it, and records the deposit and its journal entry before committing — a
//! number seen was committed, and a failure (the seal, a refused fact) rolls the counter back.

use super::{PgStore, journal, pg, users, write};
use crate::deposits::{DepositFilter, DepositStore, DepositStoreError, Seal};
use crate::sqlite::deposit_steps::{
    DepositRow, DepositWriter, INSERT_COLUMNS, INSERT_COMMITMENT, MARK_CANCELLED, SELECT,
    cancel_in, cancel_reason, filter_sql, read, register_in,
};
use crate::{StoreError, User};
use jiff::tz::TimeZone;
use postgres::types::{ToSql, Type};
use postgres::{GenericClient, Transaction};
use relais_core::deposits::{ChronoNumber, Deposit, NewDeposit, ServiceContact};

fn get(
    c: &mut impl GenericClient,
    number: ChronoNumber,
) -> Result<Option<Deposit>, DepositStoreError> {
    c.query_opt(
        &format!("{SELECT} WHERE d.number = $1"),
        &[&number.to_string()],
    )?
    .as_ref()
    .map(read)
    .transpose()
}

impl DepositWriter for Transaction<'_> {
    fn user(&mut self, login: &str) -> Result<Option<User>, StoreError> {
        users::get(self, login)
    }

    /// As on SQLite: exact first, then upper and lower case (the primary key's index each),
    /// then any case (a scan, only for a number with mixed case).
    fn known_dossier(&mut self, typed: &str) -> Result<Option<String>, DepositStoreError> {
        let stmt = self.prepare("SELECT dossier FROM beneficiaries WHERE dossier = $1")?;
        for candidate in [typed.to_owned(), typed.to_uppercase(), typed.to_lowercase()] {
            if let Some(row) = self.query_opt(&stmt, &[&candidate])? {
                return Ok(Some(row.try_get(0)?));
            }
        }
        // SQLite's NOCASE folds ASCII letters only; so does this.
        Ok(self
            .query_opt(
                "SELECT dossier FROM beneficiaries
                 WHERE translate(dossier, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')
                     = translate($1, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')
                 LIMIT 1",
                &[&typed],
            )?
            .map(|r| r.try_get(0))
            .transpose()?)
    }

    fn deposit(&mut self, number: ChronoNumber) -> Result<Option<Deposit>, DepositStoreError> {
        get(self, number)
    }

    /// The counter row stepped and locked until commit in one statement (the upsert takes the
    /// row's lock as `SELECT … FOR UPDATE` would): no other transaction reads it meanwhile,
    /// even one that did not take the writers' lock.
    fn step_counter(&mut self, year: i16) -> Result<i64, DepositStoreError> {
        Ok(self
            .query_typed_one(
                "INSERT INTO chrono_counters (year, last) VALUES ($1, 1)
                 ON CONFLICT (year) DO UPDATE SET last = chrono_counters.last + 1
                 RETURNING last",
                &[(&i64::from(year), Type::INT8)],
            )?
            .try_get(0)?)
    }

    fn insert(&mut self, r: &DepositRow<'_>) -> Result<(), DepositStoreError> {
        let values: [&(dyn ToSql + Sync); 23] = [
            &r.number,
            &r.year,
            &r.seq,
            &r.received_at,
            &r.received_on,
            &r.kind,
            &r.depositor,
            &r.address,
            &r.subject,
            &r.pages,
            &r.siret,
            &r.invoice_number,
            &r.amount,
            &r.invoice_date,
            &r.bid_deadline,
            &r.registered_by,
            &r.receipt_code,
            &r.dossier,
            &r.registered_at,
            &r.backdate_reason,
            &r.missing,
            &r.missing_deadline,
            &r.completes,
        ];
        // Typed: one round trip under the writers' lock (an untyped statement is prepared
        // first, a second one). Year, number, pages and amount are integers, the rest text.
        let typed: Vec<(&(dyn ToSql + Sync), Type)> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let t = if matches!(i, 1 | 2 | 9 | 12) {
                    Type::INT8
                } else {
                    Type::TEXT
                };
                (*v, t)
            })
            .collect();
        let placeholders: Vec<String> = (1..=values.len()).map(|i| format!("${i}")).collect();
        self.execute_typed(
            &format!(
                "INSERT INTO deposits ({INSERT_COLUMNS}) VALUES ({})",
                placeholders.join(", ")
            ),
            &typed,
        )?;
        Ok(())
    }

    fn insert_commitment(
        &mut self,
        number: &str,
        commitment: &str,
    ) -> Result<(), DepositStoreError> {
        self.execute(&pg(INSERT_COMMITMENT), &[&number, &commitment])?;
        Ok(())
    }

    fn mark_cancelled(
        &mut self,
        number: &str,
        at: &str,
        actor: &str,
        reason: &str,
    ) -> Result<(), DepositStoreError> {
        self.execute(&pg(MARK_CANCELLED), &[&number, &at, &actor, &reason])?;
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

impl DepositStore for PgStore {
    fn register_deposit(
        &mut self,
        actor: &str,
        deposit: &NewDeposit,
        tz: &TimeZone,
        seal: Seal<'_>,
    ) -> Result<Deposit, DepositStoreError> {
        let mut tx = write(self.client.get_mut())?;
        let deposit = register_in(&mut tx, actor, deposit, tz, seal)?;
        tx.commit()?;
        Ok(deposit)
    }

    fn cancel_deposit(
        &mut self,
        actor: &str,
        number: ChronoNumber,
        reason: &str,
    ) -> Result<Deposit, DepositStoreError> {
        let reason = cancel_reason(reason)?;
        let mut tx = write(self.client.get_mut())?;
        let deposit = cancel_in(&mut tx, actor, number, reason)?;
        tx.commit()?;
        Ok(deposit)
    }

    fn deposit(&self, number: ChronoNumber) -> Result<Option<Deposit>, DepositStoreError> {
        get(&mut *self.conn()?, number)
    }

    fn deposits(&self, filter: &DepositFilter) -> Result<Vec<Deposit>, DepositStoreError> {
        let (filter_sql, args) = filter_sql(filter, |i| format!("${i}"));
        let args: Vec<&(dyn ToSql + Sync)> =
            args.iter().map(|a| a as &(dyn ToSql + Sync)).collect();
        self.conn()?
            .query(
                &format!("{SELECT} {filter_sql} ORDER BY d.year, d.seq"),
                &args,
            )?
            .iter()
            .map(read)
            .collect()
    }

    fn directory_contact(
        &self,
        site_code: &str,
    ) -> Result<Option<ServiceContact>, DepositStoreError> {
        let row = self.conn()?.query_opt(
            "SELECT service, address, email, phone FROM directory WHERE site_code = $1
             ORDER BY service LIMIT 1",
            &[&site_code],
        )?;
        Ok(row
            .map(|r| -> Result<_, StoreError> {
                Ok(ServiceContact {
                    name: r.try_get(0)?,
                    address: r.try_get(1)?,
                    email: r.try_get(2)?,
                    phone: r.try_get(3)?,
                })
            })
            .transpose()?)
    }
}
