//! An invoice's steps on PostgreSQL, as on SQLite (`sqlite/invoices.rs`): the same queries,
//! and the same checks — SQLite's, run over this backend's transaction ([`StepTx`]).

use super::{PgStore, journal, pg, users, write};
use crate::StoreError;
use crate::invoices::{InvoiceError, InvoiceParty, InvoiceStore};
use crate::sqlite::invoices::{
    ALL_STEPS, DEPOSITED_AMOUNT, IMPORTED_AMOUNT, INSERT_STEP, PARTY_DEPOSITED, PARTY_IMPORTED,
    PartyRow, STEPS_OF, StepTx, party_of, record_batch, record_step, step_of, step_payload,
    step_text,
};
use jiff::civil::Date;
use postgres::{GenericClient, Transaction};
use relais_core::Cents;
use relais_core::invoices::lifecycle::{InvoiceEvent, Step, StepRequest};
use relais_core::roles::Role;
use std::collections::BTreeMap;

/// The invoice's amount: an imported invoice by its id, else a courrier deposit of an invoice
/// (not cancelled) by its chrono number.
pub(super) fn amount_of(
    c: &mut impl GenericClient,
    invoice: &str,
) -> Result<Option<Cents>, StoreError> {
    if let Some(r) = c.query_opt(&pg(IMPORTED_AMOUNT), &[&invoice])? {
        return Ok(Some(Cents(r.try_get(0)?)));
    }
    let deposited = c.query_opt(&pg(DEPOSITED_AMOUNT), &[&invoice])?;
    Ok(deposited
        .map(|r| r.try_get::<_, Option<i64>>(0))
        .transpose()?
        .flatten()
        .map(Cents))
}

pub(super) fn steps_of(c: &mut impl GenericClient, invoice: &str) -> Result<Vec<Step>, StoreError> {
    c.query(&pg(STEPS_OF), &[&invoice])?
        .iter()
        .map(|r| step_of(r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
        .collect()
}

impl StepTx for Transaction<'_> {
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
            .query_opt(&pg(sql), &[&invoice])?
            .map(|r| r.try_get(0))
            .transpose()?)
    }

    fn insert(
        &mut self,
        invoice: &str,
        event: &InvoiceEvent,
        actor: &str,
        on: Date,
    ) -> Result<(), StoreError> {
        self.execute(
            &pg(INSERT_STEP),
            &[
                &invoice,
                &event.code(),
                &step_text(event)?,
                &actor,
                &on.to_string(),
                &crate::now(),
            ],
        )?;
        journal::append(
            self,
            actor,
            "invoice_step",
            &step_payload(invoice, event, on),
        )?;
        Ok(())
    }
}

fn party_row(r: &postgres::Row) -> Result<PartyRow, StoreError> {
    Ok((
        r.try_get(0)?,
        [r.try_get(1)?, r.try_get(2)?, r.try_get(3)?],
        r.try_get(4)?,
        r.try_get(5)?,
        r.try_get(6)?,
        r.try_get(7)?,
    ))
}

impl InvoiceStore for PgStore {
    fn record_invoice_step(
        &mut self,
        invoice: &str,
        event: &InvoiceEvent,
        actor: &str,
        on: Date,
    ) -> Result<Vec<Step>, InvoiceError> {
        let mut tx = write(self.client.get_mut())?;
        let steps = record_step(&mut tx, invoice, event, actor, on)?;
        tx.commit()?;
        Ok(steps)
    }

    fn record_invoice_steps(
        &mut self,
        steps: &[(String, StepRequest)],
        actor: &str,
        on: Date,
    ) -> Result<usize, InvoiceError> {
        let mut tx = write(self.client.get_mut())?;
        let n = record_batch(&mut tx, steps, actor, on)?;
        tx.commit()?;
        Ok(n)
    }

    fn steps_of_invoice(&self, invoice: &str) -> Result<Vec<Step>, InvoiceError> {
        Ok(steps_of(&mut *self.conn()?, invoice.trim())?)
    }

    fn invoice_amount(&self, invoice: &str) -> Result<Option<Cents>, InvoiceError> {
        Ok(amount_of(&mut *self.conn()?, invoice)?)
    }

    fn invoice_party(&self, invoice: &str) -> Result<Option<InvoiceParty>, InvoiceError> {
        let mut c = self.conn()?;
        let found = match c.query_opt(&pg(PARTY_IMPORTED), &[&invoice])? {
            Some(found) => Some(found),
            None => c.query_opt(&pg(PARTY_DEPOSITED), &[&invoice])?,
        };
        Ok(found
            .map(|r| party_of(invoice, party_row(&r)?))
            .transpose()?)
    }

    fn invoice_steps(&self) -> Result<BTreeMap<String, Vec<Step>>, InvoiceError> {
        let mut out: BTreeMap<String, Vec<Step>> = BTreeMap::new();
        for r in self.conn()?.query(ALL_STEPS, &[])? {
            let step = step_of(r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)?;
            out.entry(r.try_get(0)?).or_default().push(step);
        }
        Ok(out)
    }
}
