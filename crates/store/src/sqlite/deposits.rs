//! The register of deposits in SQLite: the counter, the deposit and its journal entry in one
//! `BEGIN IMMEDIATE` transaction.

use super::{SqliteStore, journal, users};
use crate::StoreError;
use crate::deposits::{DepositFilter, DepositStore, DepositStoreError, Seal};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use relais_core::Cents;
use relais_core::deposits::{
    Cancellation, ChronoNumber, Deposit, DepositKind, InvoiceFacts, NewDeposit, ServiceContact,
    chrono_year,
};
use relais_core::ids::Siret;
use relais_core::roles::Role;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::json;

/// The instant as stored: UTC, to the millisecond.
fn stamp(ts: Timestamp) -> String {
    ts.round(jiff::Unit::Millisecond).unwrap_or(ts).to_string()
}

fn check_desk_agent(conn: &Connection, actor: &str) -> Result<(), DepositStoreError> {
    let user = users::get(conn, actor)?.ok_or_else(|| StoreError::UnknownUser(actor.to_owned()))?;
    if user.disabled {
        return Err(StoreError::DisabledUser(actor.to_owned()).into());
    }
    if !user
        .roles
        .iter()
        .any(|r| matches!(r, Role::Courrier | Role::Accueil))
    {
        return Err(DepositStoreError::NotDeskAgent(actor.to_owned()));
    }
    Ok(())
}

fn register(
    conn: &mut Connection,
    actor: &str,
    new: &NewDeposit,
    tz: &TimeZone,
    seal: Seal<'_>,
) -> Result<Deposit, DepositStoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    check_desk_agent(&tx, actor)?;
    if let Some(dossier) = &new.dossier {
        let known: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM beneficiaries WHERE dossier = ?1",
                [dossier],
                |r| r.get(0),
            )
            .optional()?;
        if known.is_none() {
            return Err(DepositStoreError::UnknownDossier(dossier.clone()));
        }
    }
    // Read under the write lock, so that numbers and instants of receipt rise together.
    let received_at = new
        .received_at
        .unwrap_or_else(Timestamp::now)
        .round(jiff::Unit::Millisecond)
        .unwrap_or_else(|_| Timestamp::now());
    let year = chrono_year(received_at, tz);
    let seq: i64 = tx.query_row(
        "INSERT INTO chrono_counters (year, last) VALUES (?1, 1)
         ON CONFLICT (year) DO UPDATE SET last = last + 1
         RETURNING last",
        [year],
        |r| r.get(0),
    )?;
    let number = u32::try_from(seq)
        .ok()
        .and_then(|s| ChronoNumber::new(year, s))
        .ok_or(DepositStoreError::Exhausted(year))?;
    let mut deposit = Deposit {
        number,
        received_at,
        registered_by: actor.to_owned(),
        facts: NewDeposit {
            received_at: None,
            ..new.clone()
        },
        receipt_code: String::new(),
        cancellation: None,
    };
    deposit.receipt_code = seal(&deposit).map_err(DepositStoreError::Seal)?;
    let f = &deposit.facts;
    let inv = f.invoice.as_ref();
    tx.execute(
        "INSERT INTO deposits (number, year, seq, received_at, received_on, kind, depositor,
             address, subject, pages, siret, invoice_number, amount, invoice_date, bid_deadline,
             registered_by, receipt_code, dossier)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        params![
            number.to_string(),
            year,
            seq,
            stamp(received_at),
            received_at.to_zoned(tz.clone()).date().to_string(),
            f.kind.as_str(),
            f.depositor,
            f.address,
            f.subject,
            f.pages,
            inv.map(|i| i.siret.to_string()),
            inv.map(|i| i.number.clone()),
            inv.map(|i| i.amount.0),
            inv.and_then(|i| i.date).map(|d| d.to_string()),
            f.bid_deadline.map(stamp),
            actor,
            deposit.receipt_code,
            f.dossier,
        ],
    )?;
    journal::append(
        &tx,
        actor,
        "deposit.register",
        &json!({
            "number": number.to_string(),
            "received_at": stamp(received_at),
            "kind": f.kind.as_str(),
            "depositor": f.depositor,
            "pages": f.pages,
            "amount": inv.map(|i| i.amount.0),
            "receipt_code": deposit.receipt_code,
            "dossier": f.dossier,
        }),
    )?;
    tx.commit()?;
    Ok(deposit)
}

fn cancel(
    conn: &mut Connection,
    actor: &str,
    number: ChronoNumber,
    reason: &str,
) -> Result<Deposit, DepositStoreError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(DepositStoreError::EmptyReason);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    check_desk_agent(&tx, actor)?;
    let existing = get(&tx, number)?.ok_or(DepositStoreError::NotFound(number))?;
    if existing.cancellation.is_some() {
        return Err(DepositStoreError::AlreadyCancelled(number));
    }
    let at = Timestamp::now();
    tx.execute(
        "UPDATE deposits SET cancelled_at = ?2, cancelled_by = ?3, cancel_reason = ?4
         WHERE number = ?1",
        params![number.to_string(), stamp(at), actor, reason],
    )?;
    journal::append(
        &tx,
        actor,
        "deposit.cancel",
        &json!({ "number": number.to_string(), "reason": reason }),
    )?;
    tx.commit()?;
    Ok(Deposit {
        cancellation: Some(Cancellation {
            at,
            by: actor.to_owned(),
            reason: reason.to_owned(),
        }),
        ..existing
    })
}

const SELECT: &str = "SELECT number, received_at, kind, depositor, address, subject, pages,
    siret, invoice_number, amount, invoice_date, bid_deadline, registered_by, receipt_code,
    cancelled_at, cancelled_by, cancel_reason, dossier FROM deposits";

fn corrupt(number: &str, what: &str) -> DepositStoreError {
    StoreError::Corrupt(format!("deposit {number}: {what}")).into()
}

fn read(r: &rusqlite::Row<'_>) -> Result<Deposit, DepositStoreError> {
    let number_text: String = r.get(0)?;
    let bad = |what: &str| corrupt(&number_text, what);
    let number = ChronoNumber::parse(&number_text).map_err(|_| bad("number"))?;
    let ts = |s: String| s.parse::<Timestamp>().map_err(|_| bad("timestamp"));
    let received_at = ts(r.get(1)?)?;
    let kind = DepositKind::parse(&r.get::<_, String>(2)?).ok_or_else(|| bad("kind"))?;
    let siret: Option<String> = r.get(7)?;
    let invoice = match siret {
        None => None,
        Some(s) => Some(InvoiceFacts {
            siret: Siret::parse(&s).map_err(|_| bad("siret"))?,
            number: r.get::<_, Option<String>>(8)?.unwrap_or_default(),
            amount: Cents(r.get::<_, Option<i64>>(9)?.unwrap_or(0)),
            date: r
                .get::<_, Option<String>>(10)?
                .map(|d| d.parse().map_err(|_| bad("invoice_date")))
                .transpose()?,
        }),
    };
    let cancellation = match r.get::<_, Option<String>>(14)? {
        None => None,
        Some(at) => Some(Cancellation {
            at: ts(at)?,
            by: r.get::<_, Option<String>>(15)?.unwrap_or_default(),
            reason: r.get::<_, Option<String>>(16)?.unwrap_or_default(),
        }),
    };
    Ok(Deposit {
        number,
        received_at,
        registered_by: r.get(12)?,
        facts: NewDeposit {
            kind,
            depositor: r.get(3)?,
            address: r.get(4)?,
            subject: r.get(5)?,
            pages: r.get(6)?,
            invoice,
            bid_deadline: r.get::<_, Option<String>>(11)?.map(ts).transpose()?,
            received_at: None,
            dossier: r.get(17)?,
        },
        receipt_code: r.get(13)?,
        cancellation,
    })
}

fn get(conn: &Connection, number: ChronoNumber) -> Result<Option<Deposit>, DepositStoreError> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE number = ?1"))?;
    let mut rows = stmt.query([number.to_string()])?;
    match rows.next()? {
        Some(row) => Ok(Some(read(row)?)),
        None => Ok(None),
    }
}

fn list(conn: &Connection, filter: &DepositFilter) -> Result<Vec<Deposit>, DepositStoreError> {
    // Only the conditions asked for, so that each can use its index (`?1 IS NULL OR …`
    // would make SQLite read the whole register).
    let mut conditions: Vec<&str> = Vec::new();
    let mut args: Vec<String> = Vec::new();
    let mut add = |condition: &'static str, value: Option<String>| {
        if let Some(v) = value {
            conditions.push(condition);
            args.push(v);
        }
    };
    add("kind = ?", filter.kind.map(|k| k.as_str().to_owned()));
    add("received_on >= ?", filter.from.map(|d| d.to_string()));
    add("received_on <= ?", filter.to.map(|d| d.to_string()));
    add("dossier = ?", filter.dossier.clone());
    let filter_sql = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let mut stmt = conn.prepare_cached(&format!("{SELECT} {filter_sql} ORDER BY year, seq"))?;
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
