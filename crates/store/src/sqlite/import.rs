//! Replacing the imported data in one transaction: all of an import lands, or none of it.

use super::{journal, migrations::IMPORT_INDEXES};
use crate::{ImportSession, StoreError};
use relais_core::journal::Entry;
use relais_core::records::{Extra, Record};
use relais_formats::extract::RejectedRow;
use rusqlite::{Connection, params};

/// Children before parents, so that foreign keys hold at every step.
const TABLES_TO_EMPTY: &[&str] = &[
    "past_payments",
    "rights",
    "invoices",
    "beneficiaries",
    "payees",
    "agents",
    "suppliers",
    "directory",
    "pending_rows",
];

pub(crate) struct SqliteImport<'c> {
    conn: &'c Connection,
    done: bool,
}

impl<'c> SqliteImport<'c> {
    pub(crate) fn begin(conn: &'c Connection) -> Result<SqliteImport<'c>, StoreError> {
        // IMMEDIATE: take the write lock now, so a concurrent writer waits instead of failing
        // halfway through the import.
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let session = SqliteImport { conn, done: false };
        for (name, _) in IMPORT_INDEXES {
            conn.execute_batch(&format!("DROP INDEX IF EXISTS {name}"))?;
        }
        for table in TABLES_TO_EMPTY {
            conn.execute_batch(&format!("DELETE FROM {table}"))?;
        }
        Ok(session)
    }
}

fn extra(extra: &Extra) -> Option<String> {
    (!extra.is_empty()).then(|| {
        serde_json::Value::from(
            extra
                .iter()
                .map(|(k, v)| serde_json::json!([k, v]))
                .collect::<Vec<_>>(),
        )
        .to_string()
    })
}

fn date(d: &jiff::civil::Date) -> String {
    d.to_string()
}

impl ImportSession for SqliteImport<'_> {
    fn insert(&mut self, record: &Record) -> Result<(), StoreError> {
        let c = self.conn;
        match record {
            Record::DirectoryEntry(d) => {
                c.prepare_cached(
                    "INSERT INTO directory (site_code, service, site, phone, email, address, hours, paper_deposit, public, extra)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?
                .execute(params![d.site_code, d.service, d.site, d.phone, d.email, d.address, d.hours, d.paper_deposit, d.public, extra(&d.extra)])?;
            }
            Record::Beneficiary(b) => {
                c.prepare_cached(
                    "INSERT INTO beneficiaries (dossier, nir, last_name, first_name, birth_date, address, postal_code, city, phone, site, death_date, extra)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )?
                .execute(params![
                    b.dossier,
                    b.nir.as_ref().map(|n| n.as_str()),
                    b.last_name,
                    b.first_name,
                    date(&b.birth_date),
                    b.address,
                    b.postal_code,
                    b.city,
                    b.phone,
                    b.site,
                    b.death_date.as_ref().map(date),
                    extra(&b.extra)
                ])?;
            }
            Record::Payee(p) => {
                c.prepare_cached(
                    "INSERT INTO payees (id, kind, name, siret, iban, bic, holder, address, postal_code, city, iban_changed_on, extra)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )?
                .execute(params![
                    p.id,
                    p.kind.code(),
                    p.name,
                    p.siret.as_ref().map(|s| s.as_str()),
                    p.iban.as_str(),
                    p.bic.as_str(),
                    p.holder,
                    p.address,
                    p.postal_code,
                    p.city,
                    p.iban_changed_on.as_ref().map(date),
                    extra(&p.extra)
                ])?;
            }
            Record::Right(r) => {
                c.prepare_cached(
                    "INSERT INTO rights (id, dossier, benefit, monthly_amount, start_date, end_date, status, payee_id, imputation, extra)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?
                .execute(params![
                    r.id,
                    r.dossier,
                    r.benefit.code(),
                    r.monthly_amount.0,
                    date(&r.start),
                    date(&r.end),
                    r.status.code(),
                    r.payee_id,
                    r.imputation,
                    extra(&r.extra)
                ])?;
            }
            Record::PastPayment(p) => {
                c.prepare_cached(
                    "INSERT INTO past_payments (right_id, month, amount, paid_on, reference, extra) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![p.right_id, p.month.to_string(), p.amount.0, date(&p.paid_on), p.reference, extra(&p.extra)])?;
            }
            Record::Agent(a) => {
                c.prepare_cached(
                    "INSERT INTO agents (matricule, last_name, first_name, nir, iban, bic, net_monthly, variables, entry_date, exit_date, service, extra)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )?
                .execute(params![
                    a.matricule,
                    a.last_name,
                    a.first_name,
                    a.nir.as_str(),
                    a.iban.as_str(),
                    a.bic.as_str(),
                    a.net_monthly.0,
                    a.variables.0,
                    date(&a.entry_date),
                    a.exit_date.as_ref().map(date),
                    a.service,
                    extra(&a.extra)
                ])?;
            }
            Record::Supplier(s) => {
                c.prepare_cached(
                    "INSERT INTO suppliers (siret, name, iban, bic, address, postal_code, city, extra) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![s.siret.as_str(), s.name, s.iban.as_str(), s.bic.as_str(), s.address, s.postal_code, s.city, extra(&s.extra)])?;
            }
            Record::Invoice(i) => {
                c.prepare_cached(
                    "INSERT INTO invoices (id, siret, number, invoice_date, received_on, amount_incl_tax, commitment, status, extra)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(params![
                    i.id,
                    i.siret.as_str(),
                    i.number,
                    date(&i.invoice_date),
                    date(&i.received_on),
                    i.amount_incl_tax.0,
                    i.commitment,
                    i.status,
                    extra(&i.extra)
                ])?;
            }
        }
        Ok(())
    }

    fn reject(&mut self, row: &RejectedRow) -> Result<(), StoreError> {
        let raw =
            serde_json::to_string(&row.raw).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let problems: Vec<(&str, &str, &str)> = row
            .problems
            .iter()
            .map(|p| (p.field.as_str(), p.code.as_str(), p.message_fr.as_str()))
            .collect();
        let problems =
            serde_json::to_string(&problems).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.conn
            .prepare_cached("INSERT INTO pending_rows (entity, file, line, key, raw, problems) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
            .execute(params![row.entity.name(), row.file, row.line as i64, row.key, raw, problems])?;
        Ok(())
    }

    fn commit(
        mut self: Box<Self>,
        actor: &str,
        payload: serde_json::Value,
    ) -> Result<Entry, StoreError> {
        for (_, create) in IMPORT_INDEXES {
            self.conn.execute_batch(create)?;
        }
        let entry = journal::append(self.conn, actor, "import", &payload)?;
        self.conn.execute_batch("COMMIT")?;
        self.done = true;
        Ok(entry)
    }
}

impl Drop for SqliteImport<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Nothing of an unfinished import may remain. A failure here leaves the transaction
            // open on a connection that is being dropped, which SQLite rolls back as well.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}
