//! The steps of the register of deposits, the same on every backend: who may register, the
//! instants, the completed application, the number, the seal, the journal entry, the
//! decoding of a row. Each backend gives only its SQL, through [`DepositWriter`] and
//! [`Columns`] (`sqlite/deposits.rs`, `postgres/deposits.rs`), so that a receipt's code and a
//! journal entry are the same on both.

use super::decode::Columns;
use crate::deposits::{DepositFilter, DepositStoreError, Seal};
use crate::{StoreError, User};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use relais_core::Cents;
use relais_core::deposits::{
    Cancellation, ChronoNumber, Completion, Deposit, DepositKind, InvoiceFacts, MAX_REASON,
    NewDeposit, chrono_year,
};
use relais_core::ids::Siret;
use relais_core::roles::Role;
use serde_json::json;

/// A deposit's commitment (the hash its receipt's code signs), on either backend.
pub(crate) const INSERT_COMMITMENT: &str =
    "INSERT INTO deposit_commitments (number, commitment) VALUES (?1, ?2)";

/// A deposit marked cancelled (number, instant, who, why), on either backend.
pub(crate) const MARK_CANCELLED: &str =
    "UPDATE deposits SET cancelled_at = ?2, cancelled_by = ?3, cancel_reason = ?4
     WHERE number = ?1";

/// The instant as stored: UTC, to the millisecond.
pub(crate) fn stamp(ts: Timestamp) -> String {
    ts.round(jiff::Unit::Millisecond).unwrap_or(ts).to_string()
}

/// What registering and cancelling a deposit ask of a backend's writing transaction (the
/// write lock already taken).
pub(crate) trait DepositWriter {
    fn user(&mut self, login: &str) -> Result<Option<User>, StoreError>;
    /// The file number as the extracts write it, whatever the case typed.
    fn known_dossier(&mut self, typed: &str) -> Result<Option<String>, DepositStoreError>;
    fn deposit(&mut self, number: ChronoNumber) -> Result<Option<Deposit>, DepositStoreError>;
    /// Steps the counter of `year` (created at 1) and gives the number it now holds.
    fn step_counter(&mut self, year: i16) -> Result<i64, DepositStoreError>;
    fn insert(&mut self, row: &DepositRow<'_>) -> Result<(), DepositStoreError>;
    fn insert_commitment(
        &mut self,
        number: &str,
        commitment: &str,
    ) -> Result<(), DepositStoreError>;
    fn mark_cancelled(
        &mut self,
        number: &str,
        at: &str,
        actor: &str,
        reason: &str,
    ) -> Result<(), DepositStoreError>;
    fn journal(
        &mut self,
        actor: &str,
        kind: &str,
        payload: &serde_json::Value,
        at: String,
    ) -> Result<(), StoreError>;
}

/// A `deposits` row as written, in the columns' order and types.
pub(crate) struct DepositRow<'a> {
    pub number: String,
    pub year: i64,
    pub seq: i64,
    pub received_at: String,
    pub received_on: String,
    pub kind: &'static str,
    pub depositor: &'a str,
    pub address: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub pages: i64,
    pub siret: Option<String>,
    pub invoice_number: Option<&'a str>,
    pub amount: Option<i64>,
    pub invoice_date: Option<String>,
    pub bid_deadline: Option<String>,
    pub registered_by: &'a str,
    pub receipt_code: &'a str,
    pub dossier: Option<&'a str>,
    pub registered_at: String,
    pub backdate_reason: Option<&'a str>,
    pub missing: Option<String>,
    pub missing_deadline: Option<String>,
    pub completes: Option<String>,
}

/// The columns `INSERT INTO deposits` names, in [`DepositRow`]'s order.
pub(crate) const INSERT_COLUMNS: &str = "number, year, seq, received_at, received_on, kind,
    depositor, address, subject, pages, siret, invoice_number, amount, invoice_date,
    bid_deadline, registered_by, receipt_code, dossier, registered_at, backdate_reason, missing,
    missing_deadline, completes";

fn row_of<'a>(d: &'a Deposit, year: i16, seq: i64, tz: &TimeZone) -> DepositRow<'a> {
    let f = &d.facts;
    let inv = f.invoice.as_ref();
    DepositRow {
        number: d.number.to_string(),
        year: i64::from(year),
        seq,
        received_at: stamp(d.received_at),
        received_on: d.received_at.to_zoned(tz.clone()).date().to_string(),
        kind: f.kind.as_str(),
        depositor: &f.depositor,
        address: f.address.as_deref(),
        subject: f.subject.as_deref(),
        pages: i64::from(f.pages),
        siret: inv.map(|i| i.siret.to_string()),
        invoice_number: inv.map(|i| i.number.as_str()),
        amount: inv.map(|i| i.amount.0),
        invoice_date: inv.and_then(|i| i.date).map(|d| d.to_string()),
        bid_deadline: f.bid_deadline.map(stamp),
        registered_by: &d.registered_by,
        receipt_code: &d.receipt_code,
        dossier: f.dossier.as_deref(),
        registered_at: stamp(d.registered_at),
        backdate_reason: f.backdate_reason.as_deref(),
        missing: (!f.missing.is_empty()).then(|| json!(f.missing).to_string()),
        missing_deadline: f.missing_deadline.map(|d| d.to_string()),
        completes: f.completes.map(|n| n.to_string()),
    }
}

fn check_desk_agent(w: &mut impl DepositWriter, actor: &str) -> Result<(), DepositStoreError> {
    let user = w
        .user(actor)?
        .ok_or_else(|| StoreError::UnknownUser(actor.to_owned()))?;
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
    w: &mut impl DepositWriter,
    number: ChronoNumber,
    docs: &NewDeposit,
    received_at: Timestamp,
) -> Result<Option<String>, DepositStoreError> {
    let first = w
        .deposit(number)?
        .ok_or(DepositStoreError::CompletedUnknown(number))?;
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

/// Registers `new` in the writing transaction `w` (see [`DepositStore::register_deposit`]);
/// the caller commits.
pub(crate) fn register_in(
    w: &mut impl DepositWriter,
    actor: &str,
    new: &NewDeposit,
    tz: &TimeZone,
    seal: Seal<'_>,
) -> Result<Deposit, DepositStoreError> {
    check_desk_agent(w, actor)?;
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
            w.known_dossier(typed)?
                .ok_or_else(|| DepositStoreError::UnknownDossier(typed.clone()))?,
        );
    }
    if let Some(first) = new.completes {
        let docs = NewDeposit {
            dossier: facts.dossier.clone(),
            ..new.clone()
        };
        facts.dossier = check_completes(w, first, &docs, received_at)?;
    }
    let year = chrono_year(received_at, tz);
    let seq = w.step_counter(year)?;
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
    w.insert(&row_of(&deposit, year, seq, tz))?;
    let f = &deposit.facts;
    let inv = f.invoice.as_ref();
    if let Some(commitment) = inv.and_then(|i| i.commitment.as_deref()) {
        w.insert_commitment(&number.to_string(), commitment)?;
    }
    // The entry's instant is the registration's: a store migrated from before registered_at
    // existed reads it back from this entry (migration 22).
    w.journal(
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
    Ok(deposit)
}

/// The reason of a cancellation, trimmed, or why it is refused (before any transaction).
pub(crate) fn cancel_reason(reason: &str) -> Result<&str, DepositStoreError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(DepositStoreError::EmptyReason);
    }
    if reason.chars().count() > MAX_REASON || reason.chars().any(char::is_control) {
        return Err(DepositStoreError::BadReason(MAX_REASON));
    }
    Ok(reason)
}

/// Cancels `number` for the (checked) `reason` in the writing transaction `w`; the caller
/// commits.
pub(crate) fn cancel_in(
    w: &mut impl DepositWriter,
    actor: &str,
    number: ChronoNumber,
    reason: &str,
) -> Result<Deposit, DepositStoreError> {
    check_desk_agent(w, actor)?;
    let existing = w
        .deposit(number)?
        .ok_or(DepositStoreError::NotFound(number))?;
    if existing.cancellation.is_some() {
        return Err(DepositStoreError::AlreadyCancelled(number));
    }
    let at = Timestamp::now();
    w.mark_cancelled(&number.to_string(), &stamp(at), actor, reason)?;
    w.journal(
        actor,
        "deposit.cancel",
        &json!({ "number": number.to_string(), "reason": reason }),
        crate::now(),
    )?;
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
pub(crate) const SELECT: &str = "SELECT d.number, d.received_at, d.kind, d.depositor, d.address,
    d.subject, d.pages, d.siret, d.invoice_number, d.amount, d.invoice_date, d.bid_deadline,
    d.registered_by, d.receipt_code, d.cancelled_at, d.cancelled_by, d.cancel_reason, d.dossier,
    d.registered_at, d.backdate_reason, d.missing, d.missing_deadline, d.completes,
    c.number, c.received_at, k.commitment
    FROM deposits d
    LEFT JOIN deposits c ON c.completes = d.number AND c.cancelled_at IS NULL
    LEFT JOIN deposit_commitments k ON k.number = d.number";

fn corrupt(number: &str, what: &str) -> DepositStoreError {
    StoreError::Corrupt(format!("deposit {number}: {what}")).into()
}

/// A deposit from a row of [`SELECT`].
pub(crate) fn read(r: &impl Columns) -> Result<Deposit, DepositStoreError> {
    let number_text = r.text(0)?.unwrap_or_default();
    let bad = |what: &str| corrupt(&number_text, what);
    let number = ChronoNumber::parse(&number_text).map_err(|_| bad("number"))?;
    let ts = |s: String| s.parse::<Timestamp>().map_err(|_| bad("timestamp"));
    let text = |i: usize, what: &str| r.text(i)?.ok_or_else(|| bad(what));
    let received_at = ts(text(1, "received_at")?)?;
    let kind = DepositKind::parse(&text(2, "kind")?).ok_or_else(|| bad("kind"))?;
    let invoice = match r.text(7)? {
        None => None,
        Some(s) => Some(InvoiceFacts {
            siret: Siret::parse(&s).map_err(|_| bad("siret"))?,
            number: r.text(8)?.unwrap_or_default(),
            amount: Cents(r.int(9)?.unwrap_or(0)),
            date: r
                .text(10)?
                .map(|d| d.parse().map_err(|_| bad("invoice_date")))
                .transpose()?,
            commitment: r.text(25)?,
        }),
    };
    let cancellation = match r.text(14)? {
        None => None,
        Some(at) => Some(Cancellation {
            at: ts(at)?,
            by: r.text(15)?.unwrap_or_default(),
            reason: r.text(16)?.unwrap_or_default(),
        }),
    };
    let missing = match r.text(20)? {
        None => Vec::new(),
        Some(j) => serde_json::from_str(&j).map_err(|_| bad("missing"))?,
    };
    let chrono = |s: String| ChronoNumber::parse(&s).map_err(|_| bad("chrono number"));
    let completion = match (r.text(23)?, r.text(24)?) {
        (Some(by), Some(at)) => Some(Completion {
            by: chrono(by)?,
            at: ts(at)?,
        }),
        _ => None,
    };
    let pages = r.int(6)?.and_then(|p| u32::try_from(p).ok());
    Ok(Deposit {
        number,
        received_at,
        // Deposits registered before migration 21 whose journal entry was not found.
        registered_at: r.text(18)?.map(ts).transpose()?.unwrap_or(received_at),
        registered_by: text(12, "registered_by")?,
        facts: NewDeposit {
            kind,
            depositor: text(3, "depositor")?,
            address: r.text(4)?,
            subject: r.text(5)?,
            pages: pages.ok_or_else(|| bad("pages"))?,
            invoice,
            bid_deadline: r.text(11)?.map(ts).transpose()?,
            received_at: None,
            backdate_reason: r.text(19)?,
            dossier: r.text(17)?,
            missing,
            missing_deadline: r
                .text(21)?
                .map(|d| d.parse().map_err(|_| bad("missing_deadline")))
                .transpose()?,
            completes: r.text(22)?.map(chrono).transpose()?,
        },
        receipt_code: text(13, "receipt_code")?,
        cancellation,
        completion,
    })
}

/// The `WHERE` clause of `filter` (each placeholder written by `placeholder`, from 1) and its
/// values: only the conditions asked for, so that each can use its index (`?1 IS NULL OR …`
/// would make SQLite read the whole register).
pub(crate) fn filter_sql(
    filter: &DepositFilter,
    placeholder: fn(usize) -> String,
) -> (String, Vec<String>) {
    let asked = [
        ("d.kind =", filter.kind.map(|k| k.as_str().to_owned())),
        ("d.received_on >=", filter.from.map(|d| d.to_string())),
        ("d.received_on <=", filter.to.map(|d| d.to_string())),
        ("d.dossier =", filter.dossier.clone()),
    ];
    let mut conditions: Vec<String> = Vec::new();
    let mut args: Vec<String> = Vec::new();
    for (condition, value) in asked {
        if let Some(v) = value {
            args.push(v);
            conditions.push(format!("{condition} {}", placeholder(args.len())));
        }
    }
    if conditions.is_empty() {
        (String::new(), args)
    } else {
        (format!("WHERE {}", conditions.join(" AND ")), args)
    }
}
