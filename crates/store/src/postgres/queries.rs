//! The readiness queries on PostgreSQL, as `sqlite/queries.rs`: rows are streamed to a
//! callback one at a time (`query_raw`: the driver reads the server's rows as they are
//! consumed, so a million rights never sit in memory). Text that does not parse means the
//! database was changed outside Relais ([`StoreError::Corrupt`]).

use crate::sqlite::decode::{corrupt, date};
use crate::sqlite::flagged::severity;
use crate::sqlite::queries::{PAYMENT_RIGHTS, payment_right};
use crate::{FlaggedCount, FlaggedRecord, OpenInvoice, PaymentRight, Payroll, StoreError};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, GenericClient, Row};
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_formats::extract::Severity;

fn no_params() -> std::iter::Empty<&'static (dyn ToSql + Sync)> {
    std::iter::empty()
}

/// The columns [`flagged_record`] reads, from `pending_rows` as `p`.
pub(crate) const FLAGGED_COLUMNS: &str = "p.id, p.file, p.line, p.key, p.raw, p.problems";

/// A pending row from [`FLAGGED_COLUMNS`], of `severity`.
pub(crate) fn flagged_record(r: &Row, severity: Severity) -> Result<FlaggedRecord, StoreError> {
    let json = |e: serde_json::Error| StoreError::Corrupt(e.to_string());
    let line: i64 = r.try_get(2)?;
    let raw: String = r.try_get(4)?;
    let problems: String = r.try_get(5)?;
    Ok(FlaggedRecord {
        id: r.try_get(0)?,
        severity,
        file: r.try_get(1)?,
        line: u64::try_from(line).unwrap_or(0),
        key: r.try_get(3)?,
        raw: serde_json::from_str(&raw).map_err(json)?,
        problems: serde_json::from_str(&problems).map_err(json)?,
    })
}

pub(crate) fn flagged_rows(
    c: &mut impl GenericClient,
    offset: u64,
    limit: u64,
) -> Result<Vec<FlaggedRecord>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let offset = i64::try_from(offset).unwrap_or(i64::MAX);
    let rows = c.query(
        &format!(
            "SELECT {FLAGGED_COLUMNS}, p.severity FROM pending_rows p
             ORDER BY p.id LIMIT $1 OFFSET $2"
        ),
        &[&limit, &offset],
    )?;
    rows.iter()
        .map(|r| flagged_record(r, severity(&r.try_get::<_, String>(6)?)?))
        .collect()
}

pub(crate) fn each_payment_right(
    c: &mut Client,
    each: &mut dyn FnMut(&PaymentRight),
) -> Result<u64, StoreError> {
    let mut rows = c.query_raw(PAYMENT_RIGHTS, no_params())?;
    let mut n = 0u64;
    while let Some(row) = rows.next()? {
        let right = payment_right(&row)?;
        each(&right);
        n += 1;
    }
    Ok(n)
}

pub(crate) fn payroll(c: &mut impl GenericClient, month: Month) -> Result<Payroll, StoreError> {
    let first = month.first_day().to_string();
    let last = month.last_day().to_string();
    // ISO dates compare as text. In post for at least one day of the month: entered by its
    // last day and not left before its first. PostgreSQL sums BIGINTs as NUMERIC: cast back.
    let totals = c.query_one(
        "SELECT count(*), coalesce(sum(net_monthly), 0)::BIGINT, coalesce(sum(variables), 0)::BIGINT
         FROM agents
         WHERE entry_date <= $2 AND (exit_date IS NULL OR exit_date >= $1)",
        &[&first, &last],
    )?;
    // Each agent in post's latest month of lines, summed.
    let lines = c.query_one(
        "WITH latest AS (SELECT matricule, max(month) AS month FROM pay_lines GROUP BY matricule),
              sums AS (SELECT l.matricule, sum(l.employee) AS total FROM pay_lines l
                       JOIN latest USING (matricule, month) GROUP BY l.matricule)
         SELECT count(*), count(*) FILTER (WHERE s.total <> a.net_monthly)
         FROM agents a JOIN sums s ON s.matricule = a.matricule
         WHERE a.entry_date <= $2 AND (a.exit_date IS NULL OR a.exit_date >= $1)",
        &[&first, &last],
    )?;
    let creditors = c
        .query(
            "SELECT DISTINCT creditor FROM pay_lines WHERE creditor <> 'AGENT' ORDER BY creditor",
            &[],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<Vec<String>, _>>()?;
    let count = |r: &Row, i: usize| -> Result<u64, StoreError> {
        Ok(u64::try_from(r.try_get::<_, i64>(i)?).unwrap_or(0))
    };
    Ok(Payroll {
        agents: count(&totals, 0)?,
        net_total: Cents(totals.try_get(1)?),
        variables_total: Cents(totals.try_get(2)?),
        with_lines: count(&lines, 0)?,
        lines_off: count(&lines, 1)?,
        creditors,
    })
}

pub(crate) fn each_open_invoice(
    c: &mut Client,
    each: &mut dyn FnMut(&OpenInvoice),
) -> Result<u64, StoreError> {
    // `factures.csv` lists the invoices not yet paid: every invoice of the store is open.
    let mut rows = c.query_raw(
        "SELECT i.id, i.siret, coalesce(s.name, ''), i.number, i.invoice_date, i.received_on,
                i.amount_incl_tax, i.status
         FROM invoices i
         LEFT JOIN suppliers s ON s.siret = i.siret
         ORDER BY i.received_on, i.id",
        no_params(),
    )?;
    let mut n = 0u64;
    while let Some(row) = rows.next()? {
        let siret: &str = row.try_get(1)?;
        let invoice = OpenInvoice {
            id: row.try_get(0)?,
            siret: relais_core::ids::Siret::parse(siret)
                .map_err(|_| corrupt("invoice SIRET", siret))?,
            supplier: row.try_get(2)?,
            number: row.try_get(3)?,
            invoice_date: date("invoice_date", row.try_get(4)?)?,
            received_on: date("received_on", row.try_get(5)?)?,
            amount_incl_tax: Cents(row.try_get(6)?),
            status: row.try_get(7)?,
        };
        each(&invoice);
        n += 1;
    }
    Ok(n)
}

pub(crate) fn flagged_counts(c: &mut impl GenericClient) -> Result<Vec<FlaggedCount>, StoreError> {
    // `problems` is a JSON array of [field, code, message]; a row counts once per code.
    let rows = c.query(
        "SELECT p.entity, p.file, j.value ->> 1 AS code, count(DISTINCT p.id)
         FROM pending_rows p, jsonb_array_elements(p.problems::jsonb) j
         WHERE p.severity = 'rejet'
         GROUP BY p.entity, p.file, code
         ORDER BY p.file, code",
        &[],
    )?;
    rows.iter()
        .map(|r| {
            Ok(FlaggedCount {
                entity: r.try_get(0)?,
                file: r.try_get(1)?,
                code: r.try_get::<_, Option<String>>(2)?.unwrap_or_default(),
                rows: u64::try_from(r.try_get::<_, i64>(3)?).unwrap_or(0),
            })
        })
        .collect()
}

pub(crate) fn each_flagged_row(
    c: &mut Client,
    entity: &str,
    each: &mut dyn FnMut(&FlaggedRecord),
) -> Result<u64, StoreError> {
    let mut rows = c.query_raw(
        &format!(
            "SELECT {FLAGGED_COLUMNS} FROM pending_rows p
             WHERE p.entity = $1 AND p.severity = 'rejet' ORDER BY p.id"
        ),
        [entity],
    )?;
    let mut n = 0u64;
    while let Some(row) = rows.next()? {
        each(&flagged_record(&row, Severity::Reject)?);
        n += 1;
    }
    Ok(n)
}
