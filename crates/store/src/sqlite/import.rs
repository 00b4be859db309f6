//! Replacing the imported data in one transaction: all of an import lands, or none of it.

use super::journal;
use crate::{ImportSession, StoreError};
use relais_core::journal::Entry;
use relais_core::records::{Extra, Record};
use relais_formats::extract::FlaggedRow;
use rusqlite::{Connection, Statement, params};

/// Secondary indexes of imported data: dropped before a bulk import and built again after it,
/// in the same transaction, which is several times faster than maintaining them row by row.
pub(crate) const IMPORT_INDEXES: &[(&str, &str)] = &[
    (
        "rights_by_dossier",
        "CREATE INDEX rights_by_dossier ON rights (dossier)",
    ),
    (
        "rights_by_payee",
        "CREATE INDEX rights_by_payee ON rights (payee_id)",
    ),
    // The history's first and latest months, which decide which month a run may pay
    // (relais_core::month_guard), without reading the whole history.
    (
        "past_payments_by_month",
        "CREATE INDEX past_payments_by_month ON past_payments (month)",
    ),
    (
        "invoices_by_siret",
        "CREATE INDEX invoices_by_siret ON invoices (siret)",
    ),
];

/// Page cache during an import, in KiB (the default is 2 MiB). 16 MiB is as fast as 64 MiB on
/// the 1,000,000-person set and keeps `snapshot open`'s peak memory flat (76 MB at 1M and 2M).
const IMPORT_CACHE_KIB: i64 = 16 * 1024;

/// Children before parents, so that foreign keys hold at every step.
const TABLES_TO_EMPTY: &[&str] = &[
    "person_names",
    "past_payments",
    "rights",
    "invoices",
    "beneficiaries",
    "payees",
    "pay_lines",
    "agents",
    "suppliers",
    "directory",
    "pending_rows",
];

/// The insert statements, prepared once per import (not looked up per row).
struct Statements<'c> {
    directory: Statement<'c>,
    beneficiary: Statement<'c>,
    person_name: Statement<'c>,
    payee: Statement<'c>,
    right: Statement<'c>,
    past_payment: Statement<'c>,
    agent: Statement<'c>,
    pay_line: Statement<'c>,
    supplier: Statement<'c>,
    invoice: Statement<'c>,
    pending: Statement<'c>,
}

impl<'c> Statements<'c> {
    fn prepare(c: &'c Connection) -> Result<Statements<'c>, StoreError> {
        Ok(Statements {
            directory: c.prepare(
                "INSERT INTO directory (site_code, service, site, phone, email, address, hours, paper_deposit, public, extra)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?,
            beneficiary: c.prepare(
                "INSERT INTO beneficiaries (dossier, nir, last_name, first_name, birth_date, address, postal_code, city, phone, site, death_date, extra, civility)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?,
            person_name: c.prepare("INSERT INTO person_names (words, dossier) VALUES (?1, ?2)")?,
            payee: c.prepare(
                "INSERT INTO payees (id, kind, name, siret, iban, bic, holder, address, postal_code, city, iban_changed_on, extra, legal_form)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?,
            right: c.prepare(
                "INSERT INTO rights (id, dossier, benefit, monthly_amount, start_date, end_date, status, payee_id, imputation, extra)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?,
            past_payment: c.prepare(
                "INSERT INTO past_payments (right_id, month, amount, paid_on, reference, extra) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            agent: c.prepare(
                "INSERT INTO agents (matricule, last_name, first_name, nir, iban, bic, net_monthly, variables, entry_date, exit_date, service, extra)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?,
            pay_line: c.prepare(
                "INSERT INTO pay_lines (matricule, month, code, label, base, rate, employee, employer, account, employer_account, function, creditor, extra)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?,
            supplier: c.prepare(
                "INSERT INTO suppliers (siret, name, iban, bic, address, postal_code, city, extra) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?,
            invoice: c.prepare(
                "INSERT INTO invoices (id, siret, number, invoice_date, received_on, amount_incl_tax, commitment, status, extra)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?,
            pending: c.prepare("INSERT INTO pending_rows (entity, file, line, key, raw, problems, severity) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?,
        })
    }
}

pub(crate) struct SqliteImport<'c> {
    conn: &'c Connection,
    statements: Option<Statements<'c>>,
    done: bool,
}

impl<'c> SqliteImport<'c> {
    pub(crate) fn begin(conn: &'c Connection) -> Result<SqliteImport<'c>, StoreError> {
        // The extract reader has already checked every reference across files (a right's
        // person and payee, a payment's right, an invoice's supplier), so checking foreign
        // keys again row by row would only slow the bulk load (every other write keeps them
        // enforced). The pragma cannot change inside a transaction, hence before BEGIN; it is
        // restored when the session ends.
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        // A bigger page cache for the load: the B-trees of 6 M rows stay mostly in memory.
        conn.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
        // In WAL mode every page of a bulk load is written twice (log, then checkpoint). A
        // rollback journal keeps only the pages that existed before, so a load into an empty
        // store writes its data once, with the same all-or-nothing guarantee. Switching needs
        // the store to ourselves: when another connection is open (the web server), SQLite
        // keeps WAL and the import is merely slower.
        let _: String =
            conn.pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))?;
        // IMMEDIATE: take the write lock now, so a concurrent writer waits instead of failing
        // halfway through the import.
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let mut session = SqliteImport {
            conn,
            statements: None,
            done: false,
        };
        for (name, _) in IMPORT_INDEXES {
            conn.execute_batch(&format!("DROP INDEX IF EXISTS {name}"))?;
        }
        for table in TABLES_TO_EMPTY {
            conn.execute_batch(&format!("DELETE FROM {table}"))?;
        }
        session.statements = Some(Statements::prepare(conn)?);
        Ok(session)
    }
}

/// Extra columns as JSON `[[header, value], …]`, or NULL when there are none.
pub(crate) fn extra(extra: &Extra) -> Option<String> {
    if extra.is_empty() {
        return None;
    }
    serde_json::to_string(extra).ok()
}

pub(crate) fn date(d: &jiff::civil::Date) -> String {
    d.to_string()
}

/// A flagged row's `raw` and `problems` columns: JSON `[[field, value], …]` and
/// `[[field, code, message_fr], …]`.
pub(crate) fn pending_json(row: &FlaggedRow) -> Result<(String, String), StoreError> {
    let raw = serde_json::to_string(&row.raw).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let problems: Vec<(&str, &str, &str)> = row
        .problems
        .iter()
        .map(|p| (p.field.as_str(), p.code.as_str(), p.message_fr.as_str()))
        .collect();
    let problems =
        serde_json::to_string(&problems).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok((raw, problems))
}

impl<'c> SqliteImport<'c> {
    fn statements(&mut self) -> Result<&mut Statements<'c>, StoreError> {
        self.statements
            .as_mut()
            .ok_or_else(|| StoreError::Corrupt("import session already finished".into()))
    }
}

impl ImportSession for SqliteImport<'_> {
    fn insert(&mut self, record: &Record) -> Result<(), StoreError> {
        let st = self.statements()?;
        match record {
            Record::DirectoryEntry(d) => {
                st.directory.execute(params![
                    d.site_code,
                    d.service,
                    d.site,
                    d.phone,
                    d.email,
                    d.address,
                    d.hours,
                    d.paper_deposit,
                    d.public,
                    extra(&d.extra)
                ])?;
            }
            Record::Beneficiary(b) => {
                st.beneficiary.execute(params![
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
                    extra(&b.extra),
                    b.civility
                ])?;
                st.person_name.execute(params![
                    super::desk::name_key(&b.last_name, &b.first_name),
                    b.dossier
                ])?;
            }
            Record::Payee(p) => {
                st.payee.execute(params![
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
                    extra(&p.extra),
                    p.legal_form.map(|f| f.code())
                ])?;
            }
            Record::Right(r) => {
                st.right.execute(params![
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
                st.past_payment.execute(params![
                    p.right_id,
                    p.month.to_string(),
                    p.amount.0,
                    date(&p.paid_on),
                    p.reference,
                    extra(&p.extra)
                ])?;
            }
            Record::Agent(a) => {
                st.agent.execute(params![
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
            Record::PayLine(l) => {
                st.pay_line.execute(params![
                    l.matricule,
                    l.month.to_string(),
                    l.code,
                    l.label,
                    l.base.map(|b| b.0),
                    l.rate.map(|r| r.0),
                    l.employee.0,
                    l.employer.0,
                    l.account,
                    l.employer_account,
                    l.function,
                    l.creditor,
                    extra(&l.extra)
                ])?;
            }
            Record::Supplier(s) => {
                st.supplier.execute(params![
                    s.siret.as_str(),
                    s.name,
                    s.iban.as_str(),
                    s.bic.as_str(),
                    s.address,
                    s.postal_code,
                    s.city,
                    extra(&s.extra)
                ])?;
            }
            Record::Invoice(i) => {
                st.invoice.execute(params![
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

    fn reject(&mut self, row: &FlaggedRow) -> Result<(), StoreError> {
        let (raw, problems) = pending_json(row)?;
        self.statements()?.pending.execute(params![
            row.entity.name(),
            row.file,
            row.line as i64,
            row.key,
            raw,
            problems,
            row.severity().code()
        ])?;
        Ok(())
    }

    fn commit(
        mut self: Box<Self>,
        actor: &str,
        payload: serde_json::Value,
    ) -> Result<Entry, StoreError> {
        // Statements must be finalized before COMMIT can release the database.
        self.statements = None;
        for (_, create) in IMPORT_INDEXES {
            self.conn.execute_batch(create)?;
        }
        super::desk::optimize_person_names(self.conn)?;
        // The suppliers' bank details as first imported (the snapshot's): later details that
        // differ are held until an ordonnateur approves them (`supplier_banks`).
        self.conn.execute(
            "INSERT OR IGNORE INTO supplier_banks (siret, iban, bic, since, approved_by)
             SELECT s.siret, s.iban, s.bic, ?1, NULL FROM suppliers s
             WHERE NOT EXISTS (SELECT 1 FROM supplier_banks b WHERE b.siret = s.siret)",
            [super::now()],
        )?;
        let entry = journal::append(self.conn, actor, "import", &payload)?;
        self.conn.execute_batch("COMMIT")?;
        self.done = true;
        Ok(entry)
    }
}

impl Drop for SqliteImport<'_> {
    fn drop(&mut self) {
        self.statements = None;
        if !self.done {
            // Nothing of an unfinished import may remain. A failure here leaves the transaction
            // open on a connection that is being dropped, which SQLite rolls back as well.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        // Back to the checked, lean, concurrent settings of ordinary work (outside any
        // transaction now).
        let _ = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0));
        let _ = self.conn.pragma_update(None, "foreign_keys", "ON");
        let _ = self.conn.pragma_update(None, "cache_size", -2000);
    }
}
