//! Purchase orders in SQLite (see [`crate::orders`]): migration 28's `orders` and
//! `order_counters`.

use super::decode::{corrupt, date};
use super::{SqliteStore, journal, users};
use crate::StoreError;
use crate::orders::{Order, OrderError, OrderInvoice, OrderStore};
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::ids::Siret;
use relais_core::orders::{NewOrder, OrderNumber};
use relais_core::roles::Role;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde_json::json;

impl From<rusqlite::Error> for OrderError {
    fn from(e: rusqlite::Error) -> OrderError {
        OrderError::Store(StoreError::from(e))
    }
}

const SELECT: &str = "SELECT exercice, seq, service, siret, supplier, supplier_address, object,
    amount, commitment, delivery_on, issued_by, issued_on FROM orders";

/// The supplier `siret` as `fournisseurs.csv` gave it: name and address lines.
fn supplier(conn: &Connection, siret: &Siret) -> Result<Option<(String, Vec<String>)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT name, address, postal_code, city FROM suppliers WHERE siret = ?1",
            [siret.as_str()],
            |r| {
                let (name, street, postal, city): (String, String, String, String) =
                    (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
                let town = format!("{} {}", postal.trim(), city.trim());
                let lines = [street.trim().to_owned(), town.trim().to_owned()]
                    .into_iter()
                    .filter(|l| !l.is_empty())
                    .collect();
                Ok((name, lines))
            },
        )
        .optional()?)
}

/// An `orders` row as SQLite gives it.
struct RawOrder {
    exercice: i64,
    seq: i64,
    service: String,
    siret: String,
    supplier: String,
    address: String,
    object: String,
    amount: i64,
    commitment: Option<String>,
    delivery: Option<String>,
    issued_by: String,
    issued_on: String,
}

fn read(r: &Row<'_>) -> rusqlite::Result<RawOrder> {
    Ok(RawOrder {
        exercice: r.get(0)?,
        seq: r.get(1)?,
        service: r.get(2)?,
        siret: r.get(3)?,
        supplier: r.get(4)?,
        address: r.get(5)?,
        object: r.get(6)?,
        amount: r.get(7)?,
        commitment: r.get(8)?,
        delivery: r.get(9)?,
        issued_by: r.get(10)?,
        issued_on: r.get(11)?,
    })
}

/// A row read back: text that does not parse means the file was changed outside Relais.
fn to_order(row: RawOrder) -> Result<Order, StoreError> {
    let number = i16::try_from(row.exercice)
        .ok()
        .zip(u32::try_from(row.seq).ok())
        .and_then(|(e, s)| OrderNumber::new(e, s))
        .ok_or_else(|| corrupt("order number", &format!("{}-{}", row.exercice, row.seq)))?;
    Ok(Order {
        number,
        service: row.service,
        siret: Siret::parse(&row.siret).map_err(|_| corrupt("order siret", &row.siret))?,
        supplier: row.supplier,
        address: row.address.lines().map(str::to_owned).collect(),
        object: row.object,
        amount: Cents(row.amount),
        commitment: row.commitment,
        delivery: row
            .delivery
            .map(|d| date("order delivery", &d))
            .transpose()?,
        issued_by: row.issued_by,
        issued_on: date("order issued on", &row.issued_on)?,
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
    let (name, address) =
        supplier(&tx, &new.siret)?.ok_or_else(|| OrderError::UnknownSupplier(new.siret.clone()))?;
    let exercice = on.year();
    let seq: i64 = tx.query_row(
        "INSERT INTO order_counters (exercice, last) VALUES (?1, 1)
         ON CONFLICT (exercice) DO UPDATE SET last = last + 1
         RETURNING last",
        [exercice],
        |r| r.get(0),
    )?;
    // Beyond six digits the transaction is dropped, so the counter does not move.
    let number = u32::try_from(seq)
        .ok()
        .and_then(|s| OrderNumber::new(exercice, s))
        .ok_or(OrderError::Exhausted(exercice))?;
    let at = super::now();
    tx.execute(
        "INSERT INTO orders (number, exercice, seq, service, siret, supplier, supplier_address,
             object, amount, commitment, delivery_on, issued_by, issued_on, issued_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            number.to_string(),
            exercice,
            seq,
            new.service,
            new.siret.as_str(),
            name,
            address.join("\n"),
            new.object,
            new.amount.0,
            new.commitment,
            new.delivery.map(|d| d.to_string()),
            actor,
            on.to_string(),
            at,
        ],
    )?;
    journal::append_at(
        &tx,
        actor,
        "order_issued",
        &json!({
            "number": number.to_string(),
            "service": new.service,
            "siret": new.siret.as_str(),
            "supplier": name,
            "object": new.object,
            "amount": new.amount.0,
            "commitment": new.commitment,
            "delivery": new.delivery.map(|d| d.to_string()),
            "on": on.to_string(),
        }),
        at,
    )?;
    tx.commit()?;
    Ok(Order {
        number,
        service: new.service.clone(),
        siret: new.siret.clone(),
        supplier: name,
        address,
        object: new.object.clone(),
        amount: new.amount,
        commitment: new.commitment.clone(),
        delivery: new.delivery,
        issued_by: actor.to_owned(),
        issued_on: on,
    })
}

/// SQL: whether the last step of the invoice `id` (a column) is its rejection.
fn rejected(id: &str) -> String {
    format!(
        "coalesce((SELECT s.kind FROM invoice_steps s WHERE s.invoice = {id}
            ORDER BY s.id DESC LIMIT 1) = 'rejetee', 0)"
    )
}

fn invoices(conn: &Connection) -> Result<Vec<OrderInvoice>, StoreError> {
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
    let mut out = Vec::new();
    for (source, sql) in [("extraction", imported), ("courrier", deposited)] {
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            out.push(OrderInvoice {
                id: r.get(0)?,
                source,
                siret: r.get(1)?,
                supplier: r.get(2)?,
                number: r.get(3)?,
                amount: Cents(r.get(4)?),
                commitment: r
                    .get::<_, Option<String>>(5)?
                    .filter(|c| !c.trim().is_empty()),
                rejected: r.get(6)?,
            });
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
        let rows = stmt.query_map([], read)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(to_order(row?)?);
        }
        Ok(out)
    }

    fn order(&self, number: OrderNumber) -> Result<Option<Order>, OrderError> {
        let row = self
            .conn
            .query_row(
                &format!("{SELECT} WHERE number = ?1"),
                [number.to_string()],
                read,
            )
            .optional()?;
        Ok(row.map(to_order).transpose()?)
    }

    fn order_invoices(&self) -> Result<Vec<OrderInvoice>, OrderError> {
        Ok(invoices(&self.conn)?)
    }
}
