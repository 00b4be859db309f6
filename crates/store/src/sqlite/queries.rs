//! Read-only queries for payment readiness (`relais drill`) and the payment runs to come.
//! Rows are streamed to a callback, one at a time: a million rights never sit in memory.
//! Text read back from the database is parsed into its domain type; text that does not parse
//! means the database was changed outside Relais ([`StoreError::Corrupt`]).

use super::decode::{Columns, corrupt, date};
use crate::{FlaggedCount, FlaggedRecord, OpenInvoice, PaymentRight, Payroll, StoreError};
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::records::{Benefit, PayeeKind, RightStatus};
use rusqlite::Connection;

fn opt_date(what: &str, value: Option<String>) -> Result<Option<Date>, StoreError> {
    value.map(|v| date(what, &v)).transpose()
}

/// Every right with its person's death date and its payee, ordered by dossier. LEFT JOINs: a
/// right without its person or payee is a broken store, to be reported, not silently left
/// out of a payment run ([`payment_right`]). Ordered by dossier through `rights_by_dossier`.
pub(crate) const PAYMENT_RIGHTS: &str =
    "SELECT r.id, r.dossier, r.benefit, r.monthly_amount, r.start_date, r.end_date, r.status,
            r.payee_id, p.kind, p.iban_changed_on, b.dossier IS NOT NULL, b.death_date,
            r.imputation
     FROM rights r
     LEFT JOIN beneficiaries b ON b.dossier = r.dossier
     LEFT JOIN payees p ON p.id = r.payee_id
     ORDER BY r.dossier";

/// A row of [`PAYMENT_RIGHTS`], on either backend.
pub(crate) fn payment_right(row: &impl Columns) -> Result<PaymentRight, StoreError> {
    let text = |i: usize, what: &str| -> Result<String, StoreError> {
        row.text(i)?.ok_or_else(|| corrupt(what, "NULL"))
    };
    let right_id = text(0, "right id")?;
    let benefit = text(2, "benefit")?;
    let status = text(6, "status")?;
    if row.boolean(10)? != Some(true) {
        return Err(corrupt("right without its person", &right_id));
    }
    let kind = row
        .text(8)?
        .ok_or_else(|| corrupt("right without its payee", &right_id))?;
    Ok(PaymentRight {
        dossier: text(1, "dossier")?,
        benefit: Benefit::parse(&benefit).ok_or_else(|| corrupt("benefit", &benefit))?,
        monthly_amount: Cents(
            row.int(3)?
                .ok_or_else(|| corrupt("monthly_amount", "NULL"))?,
        ),
        start: date("start_date", &text(4, "start_date")?)?,
        end: date("end_date", &text(5, "end_date")?)?,
        status: RightStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        payee_id: text(7, "payee_id")?,
        payee_kind: PayeeKind::parse(&kind).ok_or_else(|| corrupt("payee kind", &kind))?,
        iban_changed_on: opt_date("iban_changed_on", row.text(9)?)?,
        death_date: opt_date("death_date", row.text(11)?)?,
        imputation: row.text(12)?,
        right_id,
    })
}

pub(crate) fn each_payment_right(
    conn: &Connection,
    each: &mut dyn FnMut(&PaymentRight),
) -> Result<u64, StoreError> {
    let mut stmt = conn.prepare(PAYMENT_RIGHTS)?;
    let mut rows = stmt.query([])?;
    let mut n = 0u64;
    while let Some(row) = rows.next()? {
        let right = payment_right(row)?;
        each(&right);
        n += 1;
    }
    Ok(n)
}

pub(crate) fn payroll(conn: &Connection, month: Month) -> Result<Payroll, StoreError> {
    // ISO dates compare as text. In post for at least one day of the month: entered by its
    // last day and not left before its first.
    let (agents, net, variables): (i64, i64, i64) = conn.query_row(
        "SELECT count(*), coalesce(sum(net_monthly), 0), coalesce(sum(variables), 0)
         FROM agents
         WHERE entry_date <= ?2 AND (exit_date IS NULL OR exit_date >= ?1)",
        [month.first_day().to_string(), month.last_day().to_string()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    // Each agent in post's latest month of lines, summed.
    let (with_lines, lines_off): (i64, i64) = conn.query_row(
        "WITH latest AS (SELECT matricule, max(month) AS month FROM pay_lines GROUP BY matricule),
              sums AS (SELECT l.matricule, sum(l.employee) AS total FROM pay_lines l
                       JOIN latest USING (matricule, month) GROUP BY l.matricule)
         SELECT count(*), coalesce(sum(s.total <> a.net_monthly), 0)
         FROM agents a JOIN sums s ON s.matricule = a.matricule
         WHERE a.entry_date <= ?2 AND (a.exit_date IS NULL OR a.exit_date >= ?1)",
        [month.first_day().to_string(), month.last_day().to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut stmt = conn.prepare(
        "SELECT DISTINCT creditor FROM pay_lines WHERE creditor <> 'AGENT' ORDER BY creditor",
    )?;
    let creditors = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Payroll {
        agents: agents as u64,
        net_total: Cents(net),
        variables_total: Cents(variables),
        with_lines: with_lines as u64,
        lines_off: lines_off as u64,
        creditors,
    })
}

pub(crate) fn each_open_invoice(
    conn: &Connection,
    each: &mut dyn FnMut(&OpenInvoice),
) -> Result<u64, StoreError> {
    // `factures.csv` lists the invoices not yet paid: every invoice of the store is open.
    let mut stmt = conn.prepare(
        "SELECT i.id, i.siret, coalesce(s.name, ''), i.number, i.invoice_date, i.received_on,
                i.amount_incl_tax, i.status
         FROM invoices i
         LEFT JOIN suppliers s ON s.siret = i.siret
         ORDER BY i.received_on, i.id",
    )?;
    let mut rows = stmt.query([])?;
    let mut n = 0u64;
    while let Some(row) = rows.next()? {
        let invoice = OpenInvoice {
            id: row.get(0)?,
            siret: {
                let text: String = row.get(1)?;
                relais_core::ids::Siret::parse(&text)
                    .map_err(|_| corrupt("invoice SIRET", &text))?
            },
            supplier: row.get(2)?,
            number: row.get(3)?,
            invoice_date: date("invoice_date", &row.get::<_, String>(4)?)?,
            received_on: date("received_on", &row.get::<_, String>(5)?)?,
            amount_incl_tax: Cents(row.get(6)?),
            status: row.get(7)?,
        };
        each(&invoice);
        n += 1;
    }
    Ok(n)
}

pub(crate) fn flagged_counts(conn: &Connection) -> Result<Vec<FlaggedCount>, StoreError> {
    // `problems` is a JSON array of [field, code, message]; a row counts once per code.
    let mut stmt = conn.prepare(
        "SELECT p.entity, p.file, json_extract(j.value, '$[1]') AS code, count(DISTINCT p.id)
         FROM pending_rows p, json_each(p.problems) j
         WHERE p.severity = 'rejet'
         GROUP BY p.entity, p.file, code
         ORDER BY p.file, code",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(FlaggedCount {
            entity: r.get(0)?,
            file: r.get(1)?,
            code: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            rows: r.get::<_, i64>(3)? as u64,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub(crate) fn each_flagged_row(
    conn: &Connection,
    entity: &str,
    each: &mut dyn FnMut(&FlaggedRecord),
) -> Result<u64, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, file, line, key, raw, problems FROM pending_rows
         WHERE entity = ?1 AND severity = 'rejet' ORDER BY id",
    )?;
    let mut rows = stmt.query([entity])?;
    let mut n = 0u64;
    while let Some(row) = rows.next()? {
        let raw: String = row.get(4)?;
        let problems: String = row.get(5)?;
        let pending = FlaggedRecord {
            id: row.get(0)?,
            severity: relais_formats::extract::Severity::Reject,
            file: row.get(1)?,
            line: row.get::<_, i64>(2)? as u64,
            key: row.get(3)?,
            raw: serde_json::from_str(&raw).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            problems: serde_json::from_str(&problems)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        };
        each(&pending);
        n += 1;
    }
    Ok(n)
}
