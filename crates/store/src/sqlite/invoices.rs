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

/// The invoice's amount: an imported invoice by its id, else a courrier deposit of an invoice
/// (not cancelled) by its chrono number.
pub(super) fn amount_of(conn: &Connection, invoice: &str) -> Result<Option<Cents>, StoreError> {
    let imported: Option<i64> = conn
        .prepare_cached("SELECT amount_incl_tax FROM invoices WHERE id = ?1")?
        .query_row([invoice], |r| r.get(0))
        .optional()?;
    if imported.is_some() {
        return Ok(imported.map(Cents));
    }
    let deposited: Option<Option<i64>> = conn
        .prepare_cached(
            "SELECT amount FROM deposits
             WHERE number = ?1 AND kind = 'facture' AND cancelled_at IS NULL",
        )?
        .query_row([invoice], |r| r.get(0))
        .optional()?;
    Ok(deposited.flatten().map(Cents))
}

/// Another invoice with the same supplier SIRET, number and amount (in the extracts or at the
/// courrier) that was liquidated and not rejected since: the same invoice, received twice.
fn liquidated_twin(conn: &Connection, invoice: &str) -> Result<Option<String>, StoreError> {
    const SAME: &str = "
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
    Ok(conn
        .prepare_cached(SAME)?
        .query_row([invoice], |r| r.get(0))
        .optional()?)
}

pub(super) fn steps_of(conn: &Connection, invoice: &str) -> Result<Vec<Step>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT step, actor, on_date FROM invoice_steps WHERE invoice = ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query([invoice])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(step_of(r.get(0)?, r.get(1)?, &r.get::<_, String>(2)?)?);
    }
    Ok(out)
}

fn step_of(step: String, actor: String, on: &str) -> Result<Step, StoreError> {
    Ok(Step {
        event: serde_json::from_str(&step).map_err(|e| corrupt("invoice step", &e.to_string()))?,
        actor,
        on: date("invoice step day", on)?,
    })
}

/// The roles that may record `event`.
fn roles_for(event: &InvoiceEvent) -> &'static [Role] {
    match event {
        InvoiceEvent::ServiceDone { .. } => &[Role::Instruction],
        InvoiceEvent::Liquidated { .. } => &[Role::Liquidation],
        _ => &[Role::Liquidation, Role::Ordonnateur],
    }
}

/// Checks `event` for `invoice` after its steps so far (`steps`) and records it in `tx`, with
/// its journal entry; the acting user's role is checked by the caller.
fn record(
    tx: &Connection,
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
    let in_run: Option<String> = tx
        .prepare_cached(
            "SELECT c.run_id FROM supplier_claims c JOIN runs r ON r.id = c.run_id
             WHERE c.invoice = ?1 AND r.status = 'prepared' LIMIT 1",
        )
        .and_then(|mut stmt| stmt.query_row([invoice], |r| r.get(0)).optional())
        .map_err(StoreError::from)?;
    if let Some(run) = in_run {
        return Err(InvoiceError::InPreparedRun(run));
    }
    check(&fold(steps), event, actor, amount)?;
    if matches!(event, InvoiceEvent::Liquidated { .. }) {
        if let Some(twin) = liquidated_twin(tx, invoice)? {
            return Err(InvoiceError::AlreadyLiquidated(twin));
        }
        // A courrier's invoice names its supplier by SIRET: one the finance system does not
        // know (no bank details) cannot be paid.
        let unknown: Option<String> = tx
            .prepare_cached(
                "SELECT d.siret FROM deposits d
                 WHERE d.number = ?1 AND d.kind = 'facture'
                   AND NOT EXISTS (SELECT 1 FROM suppliers s WHERE s.siret = d.siret)",
            )
            .and_then(|mut stmt| stmt.query_row([invoice], |r| r.get(0)).optional())
            .map_err(StoreError::from)?;
        if let Some(siret) = unknown {
            return Err(InvoiceError::UnknownSupplier(siret));
        }
    }
    let text = serde_json::to_string(event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO invoice_steps (invoice, kind, step, actor, on_date, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            invoice,
            event.code(),
            text,
            actor,
            on.to_string(),
            super::now()
        ])
    })
    .map_err(StoreError::from)?;
    journal::append(
        tx,
        actor,
        "invoice_step",
        &json!({ "invoice": invoice, "step": event, "on": on.to_string() }),
    )?;
    Ok(())
}

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
        users::require_any(&tx, actor, roles_for(event))?;
        let amount =
            amount_of(&tx, invoice)?.ok_or_else(|| InvoiceError::NotFound(invoice.to_owned()))?;
        let mut steps = steps_of(&tx, invoice)?;
        record(&tx, invoice, &steps, amount, event, actor, on)?;
        tx.commit().map_err(StoreError::from)?;
        steps.push(Step {
            event: event.clone(),
            actor: actor.to_owned(),
            on,
        });
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
        let mut allowed: Vec<&'static [Role]> = Vec::new();
        let mut refused = Vec::new();
        for (i, (invoice, req)) in steps.iter().enumerate() {
            let invoice = invoice.trim();
            let done = (|| -> Result<(), InvoiceError> {
                let amount = amount_of(&tx, invoice)?
                    .ok_or_else(|| InvoiceError::NotFound(invoice.to_owned()))?;
                let before = steps_of(&tx, invoice)?;
                let event = resolve(req.clone(), amount, &fold(&before));
                let roles = roles_for(&event);
                if !allowed.contains(&roles) {
                    users::require_any(&tx, actor, roles)?;
                    allowed.push(roles);
                }
                record(&tx, invoice, &before, amount, &event, actor, on)
            })();
            match done {
                // A store failure stops the batch: nothing of it is kept.
                Err(InvoiceError::Store(e)) => return Err(InvoiceError::Store(e)),
                Err(e) => refused.push((i, invoice.to_owned(), e.to_string())),
                Ok(()) => {}
            }
        }
        if !refused.is_empty() {
            // Rolled back: a batch lands whole or not at all.
            return Err(InvoiceError::Batch(refused));
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(steps.len())
    }

    fn steps_of_invoice(&self, invoice: &str) -> Result<Vec<Step>, InvoiceError> {
        Ok(steps_of(&self.conn, invoice.trim())?)
    }

    fn invoice_amount(&self, invoice: &str) -> Result<Option<Cents>, InvoiceError> {
        Ok(amount_of(&self.conn, invoice)?)
    }

    fn invoice_party(&self, invoice: &str) -> Result<Option<InvoiceParty>, InvoiceError> {
        let day = |what: &str, v: Option<String>| v.map(|v| date(what, &v)).transpose();
        let imported = self
            .conn
            .query_row(
                "SELECT coalesce(s.name, i.siret), s.address, s.postal_code, s.city, i.number,
                        i.invoice_date, i.received_on, i.amount_incl_tax
                 FROM invoices i LEFT JOIN suppliers s ON s.siret = i.siret WHERE i.id = ?1",
                [invoice],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        [r.get::<_, Option<String>>(1)?, r.get(2)?, r.get(3)?],
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, i64>(7)?,
                    ))
                },
            )
            .optional()
            .map_err(StoreError::from)?;
        let found = match imported {
            Some(found) => Some(found),
            None => self
                .conn
                .query_row(
                    "SELECT depositor, address, NULL, NULL, coalesce(invoice_number, ''),
                            invoice_date, received_on, coalesce(amount, 0)
                     FROM deposits WHERE number = ?1 AND kind = 'facture' AND cancelled_at IS NULL",
                    [invoice],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            [r.get::<_, Option<String>>(1)?, r.get(2)?, r.get(3)?],
                            r.get::<_, String>(4)?,
                            r.get::<_, Option<String>>(5)?,
                            r.get::<_, Option<String>>(6)?,
                            r.get::<_, i64>(7)?,
                        ))
                    },
                )
                .optional()
                .map_err(StoreError::from)?,
        };
        let Some((supplier, [street, postal, city], number, invoice_date, received, amount)) =
            found
        else {
            return Ok(None);
        };
        let mut address: Vec<String> = street.into_iter().collect();
        let town = [postal, city]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !town.is_empty() {
            address.push(town);
        }
        Ok(Some(InvoiceParty {
            supplier,
            address,
            number,
            invoice_date: day("invoice date", invoice_date)?,
            received_on: day("received on", received)?
                .ok_or_else(|| corrupt("invoice received on", invoice))?,
            amount: Cents(amount),
        }))
    }

    fn invoice_steps(&self) -> Result<BTreeMap<String, Vec<Step>>, InvoiceError> {
        let mut stmt = self
            .conn
            .prepare("SELECT invoice, step, actor, on_date FROM invoice_steps ORDER BY id")
            .map_err(StoreError::from)?;
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
