//! Purchase orders in SQLite (see [`crate::orders`]): migration 28's `orders` and
//! `order_counters`.

use super::decode::{Columns, corrupt, date};
use super::{SqliteStore, journal, users};
use crate::StoreError;
use crate::orders::{Order, OrderError, OrderInvoice, OrderStore};
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::ids::Siret;
use relais_core::orders::{NewOrder, OrderNumber};
use relais_core::roles::Role;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::json;

impl From<rusqlite::Error> for OrderError {
    fn from(e: rusqlite::Error) -> OrderError {
        OrderError::Store(StoreError::from(e))
    }
}

pub(crate) const SELECT: &str = "SELECT exercice, seq, service, siret, supplier,
    supplier_address, object, amount, commitment, delivery_on, issued_by, issued_on FROM orders";

/// The columns an order is inserted with, in the order both backends bind them.
pub(crate) const INSERT_COLUMNS: &str = "number, exercice, seq, service, siret, supplier,
    supplier_address, object, amount, commitment, delivery_on, issued_by, issued_on, issued_at";

/// A supplier's address lines as an order prints them: the street, then postal code and city.
pub(crate) fn address_lines(street: &str, postal: &str, city: &str) -> Vec<String> {
    let town = format!("{} {}", postal.trim(), city.trim());
    [street.trim().to_owned(), town.trim().to_owned()]
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect()
}

/// The supplier `siret` as `fournisseurs.csv` gave it: name and address lines.
fn supplier(conn: &Connection, siret: &Siret) -> Result<Option<(String, Vec<String>)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT name, address, postal_code, city FROM suppliers WHERE siret = ?1",
            [siret.as_str()],
            |r| {
                let (name, street, postal, city): (String, String, String, String) =
                    (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
                Ok((name, address_lines(&street, &postal, &city)))
            },
        )
        .optional()?)
}

/// An order from a row of [`SELECT`] (either backend's): text that does not parse means the
/// database was changed outside Relais.
pub(crate) fn read(r: &impl Columns) -> Result<Order, StoreError> {
    let int = |i: usize| {
        r.int(i)?
            .ok_or_else(|| corrupt("order column", &i.to_string()))
    };
    let text = |i: usize| {
        r.text(i)?
            .ok_or_else(|| corrupt("order column", &i.to_string()))
    };
    let (exercice, seq) = (int(0)?, int(1)?);
    let number = i16::try_from(exercice)
        .ok()
        .zip(u32::try_from(seq).ok())
        .and_then(|(e, s)| OrderNumber::new(e, s))
        .ok_or_else(|| corrupt("order number", &format!("{exercice}-{seq}")))?;
    let siret = text(3)?;
    Ok(Order {
        number,
        service: text(2)?,
        siret: Siret::parse(&siret).map_err(|_| corrupt("order siret", &siret))?,
        supplier: text(4)?,
        address: text(5)?.lines().map(str::to_owned).collect(),
        object: text(6)?,
        amount: Cents(int(7)?),
        commitment: r.text(8)?,
        delivery: r.text(9)?.map(|d| date("order delivery", &d)).transpose()?,
        issued_by: text(10)?,
        issued_on: date("order issued on", &text(11)?)?,
    })
}

/// The number the counter's `seq` gives in `exercice`; beyond six digits the transaction is
/// dropped, so the counter does not move.
pub(crate) fn order_number(exercice: i16, seq: i64) -> Result<OrderNumber, OrderError> {
    u32::try_from(seq)
        .ok()
        .and_then(|s| OrderNumber::new(exercice, s))
        .ok_or(OrderError::Exhausted(exercice))
}

/// The order `new` issued by `actor` on `on` under `number`, to the supplier as known then.
pub(crate) fn issued(
    number: OrderNumber,
    new: &NewOrder,
    (supplier, address): (String, Vec<String>),
    actor: &str,
    on: Date,
) -> Order {
    Order {
        number,
        service: new.service.clone(),
        siret: new.siret.clone(),
        supplier,
        address,
        object: new.object.clone(),
        amount: new.amount,
        commitment: new.commitment.clone(),
        delivery: new.delivery,
        issued_by: actor.to_owned(),
        issued_on: on,
    }
}

/// The journal entry of an issued order.
pub(crate) fn issued_entry(o: &Order) -> serde_json::Value {
    json!({
        "number": o.number.to_string(),
        "service": o.service,
        "siret": o.siret.as_str(),
        "supplier": o.supplier,
        "object": o.object,
        "amount": o.amount.0,
        "commitment": o.commitment,
        "delivery": o.delivery.map(|d| d.to_string()),
        "on": o.issued_on.to_string(),
    })
}

fn issue(
    conn: &mut Connection,
    actor: &str,
    new: &NewOrder,
    on: Date,
) -> Result<Order, OrderError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    users::require_any(&tx, actor, &[Role::Liquidation, Role::Ordonnateur])?;
    let known =
        supplier(&tx, &new.siret)?.ok_or_else(|| OrderError::UnknownSupplier(new.siret.clone()))?;
    let exercice = on.year();
    let seq: i64 = tx.query_row(
        "INSERT INTO order_counters (exercice, last) VALUES (?1, 1)
         ON CONFLICT (exercice) DO UPDATE SET last = last + 1
         RETURNING last",
        [exercice],
        |r| r.get(0),
    )?;
    let order = issued(order_number(exercice, seq)?, new, known, actor, on);
    let at = super::now();
    tx.execute(
        &format!(
            "INSERT INTO orders ({INSERT_COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
        ),
        params![
            order.number.to_string(),
            exercice,
            seq,
            order.service,
            order.siret.as_str(),
            order.supplier,
            order.address.join("\n"),
            order.object,
            order.amount.0,
            order.commitment,
            order.delivery.map(|d| d.to_string()),
            actor,
            on.to_string(),
            at,
        ],
    )?;
    journal::append_at(&tx, actor, "order_issued", &issued_entry(&order), at)?;
    tx.commit()?;
    Ok(order)
}

/// SQL: whether the last step of the invoice `id` (a column) is its rejection.
fn rejected(id: &str) -> String {
    format!(
        "coalesce((SELECT s.kind FROM invoice_steps s WHERE s.invoice = {id}
            ORDER BY s.id DESC LIMIT 1) = 'rejetee', FALSE)"
    )
}

/// The queries of the invoices held (either backend's SQL), each with its source: id, siret,
/// supplier, number, amount, commitment, rejected.
pub(crate) fn invoice_queries() -> [(&'static str, String); 2] {
    let imported = format!(
        "SELECT i.id, i.siret, coalesce(s.name, i.siret), i.number, i.amount_incl_tax,
                i.commitment, {}
         FROM invoices i LEFT JOIN suppliers s ON s.siret = i.siret ORDER BY i.id",
        rejected("i.id")
    );
    let deposited = format!(
        "SELECT d.number, coalesce(d.siret, ''), coalesce(s.name, d.depositor),
                coalesce(d.invoice_number, ''), coalesce(d.amount, 0), k.commitment, {}
         FROM deposits d LEFT JOIN suppliers s ON s.siret = d.siret
         LEFT JOIN deposit_commitments k ON k.number = d.number
         WHERE d.kind = 'facture' AND d.cancelled_at IS NULL ORDER BY d.year, d.seq",
        rejected("d.number")
    );
    [("extraction", imported), ("courrier", deposited)]
}

/// An invoice from a row of one of [`invoice_queries`].
pub(crate) fn read_invoice(
    r: &impl Columns,
    source: &'static str,
) -> Result<OrderInvoice, StoreError> {
    let text = |i: usize| {
        r.text(i)?
            .ok_or_else(|| corrupt("invoice column", &i.to_string()))
    };
    Ok(OrderInvoice {
        id: text(0)?,
        source,
        siret: text(1)?,
        supplier: text(2)?,
        number: text(3)?,
        amount: Cents(r.int(4)?.unwrap_or(0)),
        commitment: r.text(5)?.filter(|c| !c.trim().is_empty()),
        rejected: r.boolean(6)?.unwrap_or(false),
    })
}

fn invoices(conn: &Connection) -> Result<Vec<OrderInvoice>, StoreError> {
    let mut out = Vec::new();
    for (source, sql) in invoice_queries() {
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            out.push(read_invoice(r, source)?);
        }
    }
    Ok(out)
}

impl OrderStore for SqliteStore {
    fn issue_order(
        &mut self,
        actor: &str,
        order: &NewOrder,
        on: Date,
    ) -> Result<Order, OrderError> {
        issue(&mut self.conn, actor, order, on)
    }

    fn orders(&self) -> Result<Vec<Order>, OrderError> {
        let mut stmt = self
            .conn
            .prepare(&format!("{SELECT} ORDER BY exercice, seq"))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(read(row)?);
        }
        Ok(out)
    }

    fn order(&self, number: OrderNumber) -> Result<Option<Order>, OrderError> {
        let mut stmt = self.conn.prepare(&format!("{SELECT} WHERE number = ?1"))?;
        let mut rows = stmt.query([number.to_string()])?;
        Ok(rows.next()?.map(read).transpose()?)
    }

    fn order_invoices(&self) -> Result<Vec<OrderInvoice>, OrderError> {
        Ok(invoices(&self.conn)?)
    }
}
