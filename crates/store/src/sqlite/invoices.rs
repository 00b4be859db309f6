//! An invoice's steps in SQLite (see [`crate::invoices`]).

use super::decode::{corrupt, date};
use super::{SqliteStore, journal, users};
use crate::StoreError;
use crate::invoices::{InvoiceError, InvoiceParty, InvoiceStore};
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::invoices::lifecycle::{InvoiceEvent, Step, StepRequest, check, fold, resolve};
use relais_core::roles::Role;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::json;
use std::collections::BTreeMap;

/// An imported invoice's amount, by its id.
pub(crate) const IMPORTED_AMOUNT: &str = "SELECT amount_incl_tax FROM invoices WHERE id = ?1";
/// A courrier deposit of an invoice's amount (not cancelled), by its chrono number.
pub(crate) const DEPOSITED_AMOUNT: &str = "SELECT amount FROM deposits
     WHERE number = ?1 AND kind = 'facture' AND cancelled_at IS NULL";

/// The invoice's amount: an imported invoice by its id, else a courrier deposit of an invoice
/// (not cancelled) by its chrono number.
pub(super) fn amount_of(conn: &Connection, invoice: &str) -> Result<Option<Cents>, StoreError> {
    let imported: Option<i64> = conn
        .prepare_cached(IMPORTED_AMOUNT)?
        .query_row([invoice], |r| r.get(0))
        .optional()?;
    if imported.is_some() {
        return Ok(imported.map(Cents));
    }
    let deposited: Option<Option<i64>> = conn
        .prepare_cached(DEPOSITED_AMOUNT)?
        .query_row([invoice], |r| r.get(0))
        .optional()?;
    Ok(deposited.flatten().map(Cents))
}

/// Another invoice with the same supplier SIRET, number and amount (in the extracts or at the
/// courrier) that was liquidated and not rejected since: the same invoice, received twice.
pub(crate) const LIQUIDATED_TWIN: &str = "
        WITH me AS (
            SELECT siret, number, amount_incl_tax AS amount FROM invoices WHERE id = ?1
            UNION ALL
            SELECT siret, invoice_number, amount FROM deposits
            WHERE number = ?1 AND kind = 'facture' AND cancelled_at IS NULL
        ),
        twins AS (
            SELECT i.id AS ref FROM invoices i, me
            WHERE i.id <> ?1 AND i.siret = me.siret AND i.number = me.number
              AND i.amount_incl_tax = me.amount
            UNION
            SELECT d.number FROM deposits d, me
            WHERE d.number <> ?1 AND d.kind = 'facture' AND d.cancelled_at IS NULL
              AND d.siret = me.siret AND d.invoice_number = me.number AND d.amount = me.amount
        )
        SELECT t.ref FROM twins t
        WHERE (SELECT kind FROM invoice_steps s WHERE s.invoice = t.ref
               AND s.kind IN ('liquidee', 'rejetee') ORDER BY s.id DESC LIMIT 1) = 'liquidee'
        LIMIT 1";

/// An invoice's steps, in order.
pub(crate) const STEPS_OF: &str =
    "SELECT step, actor, on_date FROM invoice_steps WHERE invoice = ?1 ORDER BY id";

pub(super) fn steps_of(conn: &Connection, invoice: &str) -> Result<Vec<Step>, StoreError> {
    let mut stmt = conn.prepare_cached(STEPS_OF)?;
    let mut rows = stmt.query([invoice])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(step_of(r.get(0)?, r.get(1)?, &r.get::<_, String>(2)?)?);
    }
    Ok(out)
}

pub(crate) fn step_of(step: String, actor: String, on: &str) -> Result<Step, StoreError> {
    Ok(Step {
        event: serde_json::from_str(&step).map_err(|e| corrupt("invoice step", &e.to_string()))?,
        actor,
        on: date("invoice step day", on)?,
    })
}

/// The roles that may record `event`.
pub(crate) fn roles_for(event: &InvoiceEvent) -> &'static [Role] {
    match event {
        InvoiceEvent::ServiceDone { .. } => &[Role::Instruction],
        InvoiceEvent::Liquidated { .. } => &[Role::Liquidation],
        _ => &[Role::Liquidation, Role::Ordonnateur],
    }
}

/// What checking and recording a step reads and writes, in the writing transaction of a
/// backend: SQLite's and PostgreSQL's each, so that both check a step the same way.
pub(crate) trait StepTx {
    /// The invoice's amount (see [`amount_of`]).
    fn amount(&mut self, invoice: &str) -> Result<Option<Cents>, StoreError>;
    /// The invoice's steps so far, in order.
    fn steps(&mut self, invoice: &str) -> Result<Vec<Step>, StoreError>;
    /// `actor` holds one of `roles`.
    fn require(&mut self, actor: &str, roles: &[Role]) -> Result<(), StoreError>;
    /// The first text answer to `sql`, one of this module's queries (`?1`, the invoice).
    fn text(&mut self, sql: &'static str, invoice: &str) -> Result<Option<String>, StoreError>;
    /// Inserts the step ([`INSERT_STEP`]) and appends its journal entry ([`step_payload`]).
    fn insert(
        &mut self,
        invoice: &str,
        event: &InvoiceEvent,
        actor: &str,
        on: Date,
    ) -> Result<(), StoreError>;
}

impl StepTx for &Connection {
    fn amount(&mut self, invoice: &str) -> Result<Option<Cents>, StoreError> {
        amount_of(self, invoice)
    }

    fn steps(&mut self, invoice: &str) -> Result<Vec<Step>, StoreError> {
        steps_of(self, invoice)
    }

    fn require(&mut self, actor: &str, roles: &[Role]) -> Result<(), StoreError> {
        users::require_any(self, actor, roles).map(|_| ())
    }

    fn text(&mut self, sql: &'static str, invoice: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .prepare_cached(sql)?
            .query_row([invoice], |r| r.get(0))
            .optional()?)
    }

    fn insert(
        &mut self,
        invoice: &str,
        event: &InvoiceEvent,
        actor: &str,
        on: Date,
    ) -> Result<(), StoreError> {
        self.prepare_cached(INSERT_STEP)?.execute(params![
            invoice,
            event.code(),
            step_text(event)?,
            actor,
            on.to_string(),
            super::now()
        ])?;
        journal::append(
            self,
            actor,
            "invoice_step",
            &step_payload(invoice, event, on),
        )?;
        Ok(())
    }
}

/// Checks `event` for `invoice` after its steps so far (`steps`) and records it in `tx`, with
/// its journal entry; the acting user's role is checked by the caller.
fn record(
    tx: &mut impl StepTx,
    invoice: &str,
    steps: &[Step],
    amount: Cents,
    event: &InvoiceEvent,
    actor: &str,
    on: Date,
) -> Result<(), InvoiceError> {
    if matches!(event, InvoiceEvent::Mandated { .. }) {
        return Err(InvoiceError::MandatedByValidation);
    }
    if let Some(run) = tx.text(IN_PREPARED_RUN, invoice)? {
        return Err(InvoiceError::InPreparedRun(run));
    }
    check(&fold(steps), event, actor, amount)?;
    if matches!(event, InvoiceEvent::Liquidated { .. }) {
        if let Some(twin) = tx.text(LIQUIDATED_TWIN, invoice)? {
            return Err(InvoiceError::AlreadyLiquidated(twin));
        }
        // A courrier's invoice names its supplier by SIRET: one the finance system does not
        // know (no bank details) cannot be paid.
        if let Some(siret) = tx.text(UNKNOWN_SUPPLIER, invoice)? {
            return Err(InvoiceError::UnknownSupplier(siret));
        }
    }
    tx.insert(invoice, event, actor, on)?;
    Ok(())
}

/// [`InvoiceStore::record_invoice_step`] in `tx`, which the caller commits: the invoice's
/// steps with this one.
pub(crate) fn record_step(
    tx: &mut impl StepTx,
    invoice: &str,
    event: &InvoiceEvent,
    actor: &str,
    on: Date,
) -> Result<Vec<Step>, InvoiceError> {
    tx.require(actor, roles_for(event))?;
    let amount = tx
        .amount(invoice)?
        .ok_or_else(|| InvoiceError::NotFound(invoice.to_owned()))?;
    let mut steps = tx.steps(invoice)?;
    record(tx, invoice, &steps, amount, event, actor, on)?;
    steps.push(Step {
        event: event.clone(),
        actor: actor.to_owned(),
        on,
    });
    Ok(steps)
}

/// [`InvoiceStore::record_invoice_steps`] in `tx`, which the caller commits only on `Ok`.
pub(crate) fn record_batch(
    tx: &mut impl StepTx,
    steps: &[(String, StepRequest)],
    actor: &str,
    on: Date,
) -> Result<usize, InvoiceError> {
    let mut allowed: Vec<&'static [Role]> = Vec::new();
    let mut refused = Vec::new();
    for (i, (invoice, req)) in steps.iter().enumerate() {
        let invoice = invoice.trim();
        let mut one = || -> Result<(), InvoiceError> {
            let amount = tx
                .amount(invoice)?
                .ok_or_else(|| InvoiceError::NotFound(invoice.to_owned()))?;
            let before = tx.steps(invoice)?;
            let event = resolve(req.clone(), amount, &fold(&before));
            let roles = roles_for(&event);
            if !allowed.contains(&roles) {
                tx.require(actor, roles)?;
                allowed.push(roles);
            }
            record(tx, invoice, &before, amount, &event, actor, on)
        };
        match one() {
            // A store failure stops the batch: nothing of it is kept.
            Err(InvoiceError::Store(e)) => return Err(InvoiceError::Store(e)),
            Err(e) => refused.push((i, invoice.to_owned(), e.to_string())),
            Ok(()) => {}
        }
    }
    if !refused.is_empty() {
        // Rolled back by the caller: a batch lands whole or not at all.
        return Err(InvoiceError::Batch(refused));
    }
    Ok(steps.len())
}

/// The supplier run, prepared and not validated, that holds the invoice: its steps wait.
pub(crate) const IN_PREPARED_RUN: &str =
    "SELECT c.run_id FROM supplier_claims c JOIN runs r ON r.id = c.run_id
     WHERE c.invoice = ?1 AND r.status = 'prepared' LIMIT 1";
/// A courrier's invoice whose SIRET no supplier of the extracts has.
pub(crate) const UNKNOWN_SUPPLIER: &str = "SELECT d.siret FROM deposits d
     WHERE d.number = ?1 AND d.kind = 'facture'
       AND NOT EXISTS (SELECT 1 FROM suppliers s WHERE s.siret = d.siret)";
pub(crate) const INSERT_STEP: &str =
    "INSERT INTO invoice_steps (invoice, kind, step, actor, on_date, at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// The journal entry of a step.
pub(crate) fn step_payload(invoice: &str, event: &InvoiceEvent, on: Date) -> serde_json::Value {
    json!({ "invoice": invoice, "step": event, "on": on.to_string() })
}

/// A step as `invoice_steps.step` keeps it.
pub(crate) fn step_text(event: &InvoiceEvent) -> Result<String, StoreError> {
    serde_json::to_string(event).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// An imported invoice's party (columns of [`PartyRow`]).
pub(crate) const PARTY_IMPORTED: &str =
    "SELECT coalesce(s.name, i.siret), s.address, s.postal_code, s.city, i.number,
            i.invoice_date, i.received_on, i.amount_incl_tax
     FROM invoices i LEFT JOIN suppliers s ON s.siret = i.siret WHERE i.id = ?1";
/// A courrier's invoice's party (columns of [`PartyRow`]).
pub(crate) const PARTY_DEPOSITED: &str =
    "SELECT depositor, address, NULL, NULL, coalesce(invoice_number, ''),
            invoice_date, received_on, coalesce(amount, 0)
     FROM deposits WHERE number = ?1 AND kind = 'facture' AND cancelled_at IS NULL";

/// A row of [`PARTY_IMPORTED`] or [`PARTY_DEPOSITED`]: the supplier, its street, postal code
/// and city, the invoice's number, date, day of receipt and amount.
pub(crate) type PartyRow = (
    String,
    [Option<String>; 3],
    String,
    Option<String>,
    Option<String>,
    i64,
);

pub(crate) fn party_of(invoice: &str, row: PartyRow) -> Result<InvoiceParty, StoreError> {
    let day = |what: &str, v: Option<String>| v.map(|v| date(what, &v)).transpose();
    let (supplier, [street, postal, city], number, invoice_date, received, amount) = row;
    let mut address: Vec<String> = street.into_iter().collect();
    let town = [postal, city]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !town.is_empty() {
        address.push(town);
    }
    Ok(InvoiceParty {
        supplier,
        address,
        number,
        invoice_date: day("invoice date", invoice_date)?,
        received_on: day("received on", received)?
            .ok_or_else(|| corrupt("invoice received on", invoice))?,
        amount: Cents(amount),
    })
}

/// Every invoice's steps, in order.
pub(crate) const ALL_STEPS: &str =
    "SELECT invoice, step, actor, on_date FROM invoice_steps ORDER BY id";

impl InvoiceStore for SqliteStore {
    fn record_invoice_step(
        &mut self,
        invoice: &str,
        event: &InvoiceEvent,
        actor: &str,
        on: Date,
    ) -> Result<Vec<Step>, InvoiceError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let steps = record_step(&mut &*tx, invoice, event, actor, on)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(steps)
    }

    fn record_invoice_steps(
        &mut self,
        steps: &[(String, StepRequest)],
        actor: &str,
        on: Date,
    ) -> Result<usize, InvoiceError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let n = record_batch(&mut &*tx, steps, actor, on)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(n)
    }

    fn steps_of_invoice(&self, invoice: &str) -> Result<Vec<Step>, InvoiceError> {
        Ok(steps_of(&self.conn, invoice.trim())?)
    }

    fn invoice_amount(&self, invoice: &str) -> Result<Option<Cents>, InvoiceError> {
        Ok(amount_of(&self.conn, invoice)?)
    }

    fn invoice_party(&self, invoice: &str) -> Result<Option<InvoiceParty>, InvoiceError> {
        let read = |sql: &str| {
            self.conn
                .query_row(sql, [invoice], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        [r.get::<_, Option<String>>(1)?, r.get(2)?, r.get(3)?],
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, i64>(7)?,
                    ))
                })
                .optional()
                .map_err(StoreError::from)
        };
        let found = match read(PARTY_IMPORTED)? {
            Some(found) => Some(found),
            None => read(PARTY_DEPOSITED)?,
        };
        Ok(found.map(|row| party_of(invoice, row)).transpose()?)
    }

    fn invoice_steps(&self) -> Result<BTreeMap<String, Vec<Step>>, InvoiceError> {
        let mut stmt = self.conn.prepare(ALL_STEPS).map_err(StoreError::from)?;
        let mut rows = stmt.query([]).map_err(StoreError::from)?;
        let mut out: BTreeMap<String, Vec<Step>> = BTreeMap::new();
        while let Some(r) = rows.next().map_err(StoreError::from)? {
            let invoice: String = r.get(0).map_err(StoreError::from)?;
            let step = step_of(
                r.get(1).map_err(StoreError::from)?,
                r.get(2).map_err(StoreError::from)?,
                &r.get::<_, String>(3).map_err(StoreError::from)?,
            )?;
            out.entry(invoice).or_default().push(step);
        }
        Ok(out)
    }
}
