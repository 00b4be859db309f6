//! Purchase orders on PostgreSQL (see [`crate::orders`]): SQLite's numbering, row decoding,
//! journal entry and invoice queries (`sqlite/orders.rs`), over PostgreSQL's SQL.
//!
//! An exercice's numbers are gap-free whatever the number of processes issuing: the
//! transaction takes the writers' lock ([`super::write`]), then locks the exercice's counter
//! row (`FOR UPDATE`), steps it by one (the trigger `order_counters_step` refuses any other
//! move) and inserts the order under the number it now holds (the trigger
//! `orders_take_the_next_number` refuses any other), with its journal entry, before
//! committing.

use super::{PgStore, journal, users, write};
use crate::StoreError;
use crate::orders::{Order, OrderError, OrderInvoice, OrderStore};
use crate::sqlite::orders::{
    INSERT_COLUMNS, SELECT, address_lines, invoice_queries, issued, issued_entry, order_number,
    read, read_invoice,
};
use jiff::civil::Date;
use postgres::{GenericClient, Transaction};
use relais_core::ids::Siret;
use relais_core::orders::{NewOrder, OrderNumber};
use relais_core::roles::Role;

/// The supplier `siret` as `fournisseurs.csv` gave it: name and address lines.
fn supplier(
    c: &mut impl GenericClient,
    siret: &Siret,
) -> Result<Option<(String, Vec<String>)>, StoreError> {
    let Some(r) = c.query_opt(
        "SELECT name, address, postal_code, city FROM suppliers WHERE siret = $1",
        &[&siret.as_str()],
    )?
    else {
        return Ok(None);
    };
    let (street, postal, city): (String, String, String) =
        (r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
    Ok(Some((
        r.try_get(0)?,
        address_lines(&street, &postal, &city),
    )))
}

/// Steps the counter of `exercice` (created at 1), locked until commit; the number it holds.
fn step_counter(tx: &mut Transaction<'_>, exercice: i64) -> Result<i64, StoreError> {
    let locked = tx.query_opt(
        "SELECT last FROM order_counters WHERE exercice = $1 FOR UPDATE",
        &[&exercice],
    )?;
    if locked.is_none() {
        tx.execute(
            "INSERT INTO order_counters (exercice, last) VALUES ($1, 1)",
            &[&exercice],
        )?;
        return Ok(1);
    }
    Ok(tx
        .query_one(
            "UPDATE order_counters SET last = order_counters.last + 1 WHERE exercice = $1
             RETURNING last",
            &[&exercice],
        )?
        .try_get(0)?)
}

fn issue(
    client: &mut postgres::Client,
    actor: &str,
    new: &NewOrder,
    on: Date,
) -> Result<Order, OrderError> {
    let mut tx = write(client)?;
    users::require_any(&mut tx, actor, &[Role::Liquidation, Role::Ordonnateur])?;
    let known = supplier(&mut tx, &new.siret)?
        .ok_or_else(|| OrderError::UnknownSupplier(new.siret.clone()))?;
    let exercice = on.year();
    let seq = step_counter(&mut tx, i64::from(exercice))?;
    let order = issued(order_number(exercice, seq)?, new, known, actor, on);
    let at = crate::now();
    tx.execute(
        &format!(
            "INSERT INTO orders ({INSERT_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ),
        &[
            &order.number.to_string(),
            &i64::from(exercice),
            &seq,
            &order.service,
            &order.siret.as_str(),
            &order.supplier,
            &order.address.join("\n"),
            &order.object,
            &order.amount.0,
            &order.commitment,
            &order.delivery.map(|d| d.to_string()),
            &actor,
            &on.to_string(),
            &at,
        ],
    )?;
    journal::append_at(&mut tx, actor, "order_issued", &issued_entry(&order), at)?;
    tx.commit()?;
    Ok(order)
}

impl OrderStore for PgStore {
    fn issue_order(
        &mut self,
        actor: &str,
        order: &NewOrder,
        on: Date,
    ) -> Result<Order, OrderError> {
        issue(self.client.get_mut(), actor, order, on)
    }

    fn orders(&self) -> Result<Vec<Order>, OrderError> {
        Ok(self
            .conn()?
            .query(&format!("{SELECT} ORDER BY exercice, seq"), &[])?
            .iter()
            .map(read)
            .collect::<Result<_, _>>()?)
    }

    fn order(&self, number: OrderNumber) -> Result<Option<Order>, OrderError> {
        Ok(self
            .conn()?
            .query_opt(
                &format!("{SELECT} WHERE number = $1"),
                &[&number.to_string()],
            )?
            .as_ref()
            .map(read)
            .transpose()?)
    }

    fn order_invoices(&self) -> Result<Vec<OrderInvoice>, OrderError> {
        let mut c = self.conn()?;
        let mut out = Vec::new();
        for (source, sql) in invoice_queries() {
            for r in c.query(&sql, &[])? {
                out.push(read_invoice(&r, source)?);
            }
        }
        Ok(out)
    }
}
