//! The register of deposits in SQLite: the counter, the deposit and its journal entry in one
//! `BEGIN IMMEDIATE` transaction.

use super::{SqliteStore, journal, users};
use crate::StoreError;
use crate::deposits::{DepositFilter, DepositStore, DepositStoreError, Seal};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use relais_core::Cents;
use relais_core::deposits::{
    Cancellation, ChronoNumber, Completion, Deposit, DepositKind, InvoiceFacts, MAX_REASON,
    NewDeposit, ServiceContact, chrono_year,
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

/// Checks that `docs` may complete the application `number`, received before them and still
/// incomplete; gives back the file number the documents concern (theirs, or the
/// application's).
fn check_completes(
    conn: &Connection,
    number: ChronoNumber,
    docs: &NewDeposit,
    received_at: Timestamp,
) -> Result<Option<String>, DepositStoreError> {
    let first = get(conn, number)?.ok_or(DepositStoreError::CompletedUnknown(number))?;
    let refuse = |why| Err(DepositStoreError::NotCompletable(number, why));
    if first.cancellation.is_some() {
        return refuse("il est annulé");
    }
    if !first.facts.kind.is_application() {
        return refuse("ce n'est pas une demande");
    }
    if first.facts.missing.is_empty() {
        return refuse("il était complet à son dépôt (aucune pièce manquante)");
    }
    if let Some(c) = &first.completion {
        return Err(DepositStoreError::AlreadyCompleted(number, c.by));
    }
    if received_at < first.received_at {
        return refuse("les pièces seraient reçues avant la demande");
    }
    match (&docs.dossier, first.facts.dossier) {
        (Some(mine), Some(theirs)) if *mine != theirs => {
            Err(DepositStoreError::OtherDossier(mine.clone(), theirs))
        }
        (Some(mine), _) => Ok(Some(mine.clone())),
        (None, theirs) => Ok(theirs),
    }
}

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

fn register(
    conn: &mut Connection,
    actor: &str,
    new: &NewDeposit,
    tz: &TimeZone,
    seal: Seal<'_>,
) -> Result<Deposit, DepositStoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    check_desk_agent(&tx, actor)?;
    // Read under the write lock, so that numbers and instants of registration rise together.
    let registered_at = Timestamp::now()
        .round(jiff::Unit::Millisecond)
        .unwrap_or_else(|_| Timestamp::now());
    let received_at = match new.received_at {
        None => registered_at,
        Some(at) => at.round(jiff::Unit::Millisecond).unwrap_or(at),
    };
    if received_at > registered_at {
        return Err(DepositStoreError::ReceivedAfterRegistration);
    }
    let mut facts = NewDeposit {
        received_at: None,
        ..new.clone()
    };
    // A file number is matched whatever its case ("d0001234" is D0001234's), and the
    // register keeps the number as the extracts write it.
    if let Some(typed) = &new.dossier {
        facts.dossier = Some(
            known_dossier(&tx, typed)?
                .ok_or_else(|| DepositStoreError::UnknownDossier(typed.clone()))?,
        );
    }
    if let Some(first) = new.completes {
        let docs = NewDeposit {
            dossier: facts.dossier.clone(),
            ..new.clone()
        };
        facts.dossier = check_completes(&tx, first, &docs, received_at)?;
    }
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
        registered_at,
        registered_by: actor.to_owned(),
        facts,
        receipt_code: String::new(),
        cancellation: None,
        completion: None,
    };
    deposit.receipt_code = seal(&deposit).map_err(DepositStoreError::Seal)?;
    let f = &deposit.facts;
    let inv = f.invoice.as_ref();
    let missing = (!f.missing.is_empty()).then(|| json!(f.missing).to_string());
    tx.execute(
        "INSERT INTO deposits (number, year, seq, received_at, received_on, kind, depositor,
             address, subject, pages, siret, invoice_number, amount, invoice_date, bid_deadline,
             registered_by, receipt_code, dossier, registered_at, backdate_reason, missing,
             missing_deadline, completes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
             ?19, ?20, ?21, ?22, ?23)",
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
            stamp(registered_at),
            f.backdate_reason,
            missing,
            f.missing_deadline.map(|d| d.to_string()),
            f.completes.map(|n| n.to_string()),
        ],
    )?;
    if let Some(commitment) = inv.and_then(|i| i.commitment.as_deref()) {
        tx.execute(
            "INSERT INTO deposit_commitments (number, commitment) VALUES (?1, ?2)",
            params![number.to_string(), commitment],
        )?;
    }
    // The entry's instant is the registration's: a store migrated from before registered_at
    // existed reads it back from this entry (migration 22).
    journal::append_at(
        &tx,
        actor,
        "deposit.register",
        &json!({
            "number": number.to_string(),
            "received_at": stamp(received_at),
            "registered_at": stamp(registered_at),
            "backdate_reason": f.backdate_reason,
            "kind": f.kind.as_str(),
            "depositor": f.depositor,
            "pages": f.pages,
            "siret": inv.map(|i| i.siret.to_string()),
            "invoice_number": inv.map(|i| i.number.clone()),
            "amount": inv.map(|i| i.amount.0),
            "bid_deadline": f.bid_deadline.map(stamp),
            "missing": f.missing,
            "missing_deadline": f.missing_deadline.map(|d| d.to_string()),
            "completes": f.completes.map(|n| n.to_string()),
            "receipt_code": deposit.receipt_code,
            "dossier": f.dossier,
        }),
        stamp(registered_at),
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
    if reason.chars().count() > MAX_REASON || reason.chars().any(char::is_control) {
        return Err(DepositStoreError::BadReason(MAX_REASON));
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

/// A deposit and the deposit that completed it, if any (at most one not cancelled: the index
/// `deposits_completed_once`).
const SELECT: &str = "SELECT d.number, d.received_at, d.kind, d.depositor, d.address, d.subject,
    d.pages, d.siret, d.invoice_number, d.amount, d.invoice_date, d.bid_deadline,
    d.registered_by, d.receipt_code, d.cancelled_at, d.cancelled_by, d.cancel_reason, d.dossier,
    d.registered_at, d.backdate_reason, d.missing, d.missing_deadline, d.completes,
    c.number, c.received_at, k.commitment
    FROM deposits d
    LEFT JOIN deposits c ON c.completes = d.number AND c.cancelled_at IS NULL
    LEFT JOIN deposit_commitments k ON k.number = d.number";

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
            commitment: r.get(25)?,
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
    let missing = match r.get::<_, Option<String>>(20)? {
        None => Vec::new(),
        Some(j) => serde_json::from_str(&j).map_err(|_| bad("missing"))?,
    };
    let chrono = |s: String| ChronoNumber::parse(&s).map_err(|_| bad("chrono number"));
    let completion = match (r.get::<_, Option<String>>(23)?, r.get(24)?) {
        (Some(by), Some(at)) => Some(Completion {
            by: chrono(by)?,
            at: ts(at)?,
        }),
        _ => None,
    };
    Ok(Deposit {
        number,
        received_at,
        // Deposits registered before migration 21 whose journal entry was not found.
        registered_at: r
            .get::<_, Option<String>>(18)?
            .map(ts)
            .transpose()?
            .unwrap_or(received_at),
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
            backdate_reason: r.get(19)?,
            dossier: r.get(17)?,
            missing,
            missing_deadline: r
                .get::<_, Option<String>>(21)?
                .map(|d| d.parse().map_err(|_| bad("missing_deadline")))
                .transpose()?,
            completes: r.get::<_, Option<String>>(22)?.map(chrono).transpose()?,
        },
        receipt_code: r.get(13)?,
        cancellation,
        completion,
    })
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
    add("d.kind = ?", filter.kind.map(|k| k.as_str().to_owned()));
    add("d.received_on >= ?", filter.from.map(|d| d.to_string()));
    add("d.received_on <= ?", filter.to.map(|d| d.to_string()));
    add("d.dossier = ?", filter.dossier.clone());
    let filter_sql = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
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
