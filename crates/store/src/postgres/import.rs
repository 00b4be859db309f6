//! Replacing the imported data in one transaction on PostgreSQL, as `sqlite/import.rs` does:
//! all of an import lands, or none of it.
//!
//! Speed: a million people are some six million rows. One INSERT per row would be one round
//! trip each; rows are instead encoded as they come in COPY's binary format, per table, and
//! sent a few megabytes at a time (`COPY … FROM STDIN BINARY`).
//!
//! As SQLite's import drops its secondary indexes and sets foreign keys aside for the load, the
//! tables are emptied by TRUNCATE, and their foreign keys and secondary indexes are dropped,
//! then made again at commit: built and checked once over the whole table, which is several
//! times faster than row by row (at 100,000 people, 4 s per re-import instead of 13 s;
//! SQLite: 2.7 s). The price: from the first statement to the commit, other sessions wait to read these tables
//! (TRUNCATE and ALTER TABLE lock them), where DELETE would have let them read the previous
//! data meanwhile. A failed check at commit rolls the whole import back.

use super::desk::search::{spaced, word_pairs};
use super::journal;
use crate::sqlite::import::{date, extra, pending_json};
use crate::{ImportSession, StoreError};
use postgres::{Client, Statement, Transaction};
use relais_core::journal::Entry;
use relais_core::records::Record;
use relais_formats::extract::FlaggedRow;
use std::io::Write;

/// Emptied together in one TRUNCATE (tables that refer to one another must be).
/// `pending_outcomes` and `supplier_banks` are kept: what agents decided outlives the data it
/// was about.
const TABLES_TO_EMPTY: &[&str] = &[
    "person_words",
    "person_word_pairs",
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

/// Rows of one table are sent once this many bytes of them wait: large enough that the
/// per-COPY overhead vanishes, small enough that ten tables' worth stays a few tens of MB.
const FLUSH_BYTES: usize = 4 << 20;

/// The tables filled by COPY.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Table {
    Beneficiaries,
    PersonWords,
    PersonWordPairs,
    Payees,
    Rights,
    PastPayments,
    Agents,
    PayLines,
    Suppliers,
    Invoices,
    Pending,
}

impl Table {
    const ALL: [Table; 11] = [
        Table::Beneficiaries,
        Table::PersonWords,
        Table::PersonWordPairs,
        Table::Payees,
        Table::Rights,
        Table::PastPayments,
        Table::Agents,
        Table::PayLines,
        Table::Suppliers,
        Table::Invoices,
        Table::Pending,
    ];

    /// The table and the columns its rows give, in order.
    fn columns(self) -> &'static str {
        match self {
            Table::Beneficiaries => {
                "beneficiaries (dossier, nir, last_name, first_name, birth_date, address,
                     postal_code, city, phone, site, death_date, extra, civility)"
            }
            Table::PersonWords => "person_words (dossier, word)",
            Table::PersonWordPairs => "person_word_pairs (head, second, first, dossier, words)",
            Table::Payees => {
                "payees (id, kind, name, siret, iban, bic, holder, address, postal_code,
                     city, iban_changed_on, extra, legal_form)"
            }
            Table::Rights => {
                "rights (id, dossier, benefit, monthly_amount, start_date, end_date, status,
                     payee_id, imputation, extra)"
            }
            Table::PastPayments => {
                "past_payments (right_id, month, amount, paid_on, reference, extra)"
            }
            Table::Agents => {
                "agents (matricule, last_name, first_name, nir, iban, bic, net_monthly,
                     variables, entry_date, exit_date, service, extra)"
            }
            Table::PayLines => {
                "pay_lines (matricule, month, code, label, base, rate, employee, employer,
                     account, employer_account, function, creditor, extra)"
            }
            Table::Suppliers => {
                "suppliers (siret, name, iban, bic, address, postal_code, city, extra)"
            }
            Table::Invoices => {
                "invoices (id, siret, number, invoice_date, received_on, amount_incl_tax,
                     commitment, status, extra)"
            }
            Table::Pending => "pending_rows (entity, file, line, key, raw, problems, severity)",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// COPY's binary format: a signature, flags and an empty header extension.
const COPY_HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
/// The end of the rows: a tuple of -1 fields.
const COPY_TRAILER: &[u8] = &[0xff, 0xff];

/// The rows of one table waiting to be copied, already in COPY's binary format.
struct Rows {
    data: Vec<u8>,
    count: usize,
    /// A value longer than the format can say (2 GiB): refused at the next flush.
    too_long: bool,
}

impl Rows {
    fn new() -> Rows {
        Rows {
            data: COPY_HEADER.to_vec(),
            count: 0,
            too_long: false,
        }
    }

    fn row(&mut self, fields: i16) -> &mut Rows {
        self.count += 1;
        self.data.extend_from_slice(&fields.to_be_bytes());
        self
    }

    fn text(&mut self, value: &str) -> &mut Rows {
        match i32::try_from(value.len()) {
            Ok(len) => {
                self.data.extend_from_slice(&len.to_be_bytes());
                self.data.extend_from_slice(value.as_bytes());
            }
            Err(_) => {
                self.too_long = true;
                self.data.extend_from_slice(&0i32.to_be_bytes());
            }
        }
        self
    }

    fn opt_text(&mut self, value: Option<&str>) -> &mut Rows {
        match value {
            Some(v) => self.text(v),
            None => self.null(),
        }
    }

    /// A BIGINT column.
    fn int(&mut self, value: i64) -> &mut Rows {
        self.data.extend_from_slice(&8i32.to_be_bytes());
        self.data.extend_from_slice(&value.to_be_bytes());
        self
    }

    fn opt_int(&mut self, value: Option<i64>) -> &mut Rows {
        match value {
            Some(v) => self.int(v),
            None => self.null(),
        }
    }

    fn null(&mut self) -> &mut Rows {
        self.data.extend_from_slice(&(-1i32).to_be_bytes());
        self
    }
}

/// The foreign keys and secondary indexes of the imported tables, dropped for the load and
/// made again at commit, as the database defines them (read from its catalog, so that they
/// come back exactly as the schema has them).
struct SetAside {
    /// (table, constraint, definition).
    foreign_keys: Vec<(String, String, String)>,
    /// `CREATE INDEX …` statements.
    indexes: Vec<String>,
}

impl SetAside {
    fn take(tx: &mut Transaction<'_>) -> Result<SetAside, StoreError> {
        let tables: Vec<&str> = TABLES_TO_EMPTY.to_vec();
        let foreign_keys = tx
            .query(
                "SELECT c.conrelid::regclass::text, c.conname::text, pg_get_constraintdef(c.oid)
                 FROM pg_constraint c
                 WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY($1)
                 ORDER BY c.conname",
                &[&tables],
            )?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<Vec<(String, String, String)>, StoreError>>()?;
        // Unique indexes stay: they refuse a duplicate as it comes.
        let indexes = tx.query(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
             FROM pg_index i
             WHERE i.indrelid::regclass::text = ANY($1) AND NOT i.indisunique
             ORDER BY 1",
            &[&tables],
        )?;
        for (table, name, _) in &foreign_keys {
            tx.batch_execute(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))?;
        }
        let mut creates = Vec::with_capacity(indexes.len());
        for r in &indexes {
            let name: String = r.try_get(0)?;
            tx.batch_execute(&format!("DROP INDEX {name}"))?;
            creates.push(r.try_get(1)?);
        }
        Ok(SetAside {
            foreign_keys,
            indexes: creates,
        })
    }

    fn restore(self, tx: &mut Transaction<'_>) -> Result<(), StoreError> {
        // Room to sort in memory while building the indexes (for this transaction only).
        tx.batch_execute("SET LOCAL maintenance_work_mem = '256MB'")?;
        for create in &self.indexes {
            tx.batch_execute(create)?;
        }
        for (table, name, definition) in &self.foreign_keys {
            tx.batch_execute(&format!(
                "ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
            ))?;
        }
        Ok(())
    }
}

pub(crate) struct PgImport<'c> {
    /// Rolled back when dropped without [`ImportSession::commit`].
    tx: Transaction<'c>,
    rows: Vec<Rows>,
    directory: Statement,
    set_aside: SetAside,
}

impl<'c> PgImport<'c> {
    pub(crate) fn begin(client: &'c mut Client) -> Result<PgImport<'c>, StoreError> {
        // The writers' lock now, for the whole import: a concurrent writer waits instead of
        // interleaving with it.
        let mut tx = super::write(client)?;
        let set_aside = SetAside::take(&mut tx)?;
        tx.batch_execute(&format!("TRUNCATE {}", TABLES_TO_EMPTY.join(", ")))?;
        // The directory is a few dozen sites: row by row, so that a duplicate is named at its
        // row.
        let directory = tx.prepare(
            "INSERT INTO directory (site_code, service, site, phone, email, address, hours,
                 paper_deposit, public, extra)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )?;
        Ok(PgImport {
            tx,
            rows: Table::ALL.iter().map(|_| Rows::new()).collect(),
            directory,
            set_aside,
        })
    }

    fn rows(&mut self, table: Table) -> Result<&mut Rows, StoreError> {
        self.rows
            .get_mut(table.index())
            .ok_or_else(|| StoreError::Corrupt("import buffer missing".into()))
    }

    /// Sends `table`'s waiting rows when they are many enough.
    fn maybe_flush(&mut self, table: Table) -> Result<(), StoreError> {
        if self.rows(table)?.data.len() >= FLUSH_BYTES {
            self.flush(table)?;
        }
        Ok(())
    }

    /// Sends the waiting rows of `table`.
    fn flush(&mut self, table: Table) -> Result<(), StoreError> {
        let rows = std::mem::replace(self.rows(table)?, Rows::new());
        if rows.count == 0 {
            return Ok(());
        }
        if rows.too_long {
            return Err(StoreError::Corrupt(
                "valeur de plus de 2 Gio dans un extrait".into(),
            ));
        }
        let mut data = rows.data;
        data.extend_from_slice(COPY_TRAILER);
        // FREEZE: the table was emptied in this transaction, so its rows are written as seen by
        // all (the visibility map set), and the desk search reads its words from the index
        // alone from the first query on, without waiting for a VACUUM.
        let copy = format!(
            "COPY {} FROM STDIN (FORMAT binary, FREEZE)",
            table.columns()
        );
        let mut writer = self.tx.copy_in(&copy)?;
        writer
            .write_all(&data)
            .map_err(|e| StoreError::Backend(Box::new(e)))?;
        writer.finish()?;
        Ok(())
    }
}

impl ImportSession for PgImport<'_> {
    fn insert(&mut self, record: &Record) -> Result<(), StoreError> {
        let table = match record {
            Record::DirectoryEntry(d) => {
                self.tx.execute(
                    &self.directory,
                    &[
                        &d.site_code,
                        &d.service,
                        &d.site,
                        &d.phone,
                        &d.email,
                        &d.address,
                        &d.hours,
                        &i64::from(d.paper_deposit),
                        &i64::from(d.public),
                        &extra(&d.extra),
                    ],
                )?;
                return Ok(());
            }
            Record::Beneficiary(b) => {
                self.rows(Table::Beneficiaries)?
                    .row(13)
                    .text(&b.dossier)
                    .opt_text(b.nir.as_ref().map(|n| n.as_str()))
                    .text(&b.last_name)
                    .text(&b.first_name)
                    .text(&date(&b.birth_date))
                    .text(&b.address)
                    .text(&b.postal_code)
                    .text(&b.city)
                    .text(&b.phone)
                    .text(&b.site)
                    .opt_text(b.death_date.as_ref().map(date).as_deref())
                    .opt_text(extra(&b.extra).as_deref())
                    .opt_text(b.civility.as_deref());
                let words = crate::sqlite::desk::name_words(&b.last_name, &b.first_name);
                let rows = self.rows(Table::PersonWords)?;
                for word in &words {
                    rows.row(2).text(&b.dossier).text(word);
                }
                self.maybe_flush(Table::PersonWords)?;
                let (all, rows) = (spaced(&words), self.rows(Table::PersonWordPairs)?);
                for (head, second, first) in word_pairs(&words) {
                    rows.row(5)
                        .text(head)
                        .text(second)
                        .text(first)
                        .text(&b.dossier)
                        .text(&all);
                }
                self.maybe_flush(Table::PersonWordPairs)?;
                Table::Beneficiaries
            }
            Record::Payee(p) => {
                self.rows(Table::Payees)?
                    .row(13)
                    .text(&p.id)
                    .text(p.kind.code())
                    .text(&p.name)
                    .opt_text(p.siret.as_ref().map(|s| s.as_str()))
                    .text(p.iban.as_str())
                    .text(p.bic.as_str())
                    .text(&p.holder)
                    .text(&p.address)
                    .text(&p.postal_code)
                    .text(&p.city)
                    .opt_text(p.iban_changed_on.as_ref().map(date).as_deref())
                    .opt_text(extra(&p.extra).as_deref())
                    .opt_text(p.legal_form.map(|f| f.code()));
                Table::Payees
            }
            Record::Right(r) => {
                self.rows(Table::Rights)?
                    .row(10)
                    .text(&r.id)
                    .text(&r.dossier)
                    .text(r.benefit.code())
                    .int(r.monthly_amount.0)
                    .text(&date(&r.start))
                    .text(&date(&r.end))
                    .text(r.status.code())
                    .text(&r.payee_id)
                    .opt_text(r.imputation.as_deref())
                    .opt_text(extra(&r.extra).as_deref());
                Table::Rights
            }
            Record::PastPayment(p) => {
                self.rows(Table::PastPayments)?
                    .row(6)
                    .text(&p.right_id)
                    .text(&p.month.to_string())
                    .int(p.amount.0)
                    .text(&date(&p.paid_on))
                    .text(&p.reference)
                    .opt_text(extra(&p.extra).as_deref());
                Table::PastPayments
            }
            Record::Agent(a) => {
                self.rows(Table::Agents)?
                    .row(12)
                    .text(&a.matricule)
                    .text(&a.last_name)
                    .text(&a.first_name)
                    .text(a.nir.as_str())
                    .text(a.iban.as_str())
                    .text(a.bic.as_str())
                    .int(a.net_monthly.0)
                    .int(a.variables.0)
                    .text(&date(&a.entry_date))
                    .opt_text(a.exit_date.as_ref().map(date).as_deref())
                    .text(&a.service)
                    .opt_text(extra(&a.extra).as_deref());
                Table::Agents
            }
            Record::PayLine(l) => {
                self.rows(Table::PayLines)?
                    .row(13)
                    .text(&l.matricule)
                    .text(&l.month.to_string())
                    .text(&l.code)
                    .text(&l.label)
                    .opt_int(l.base.map(|b| b.0))
                    .opt_int(l.rate.map(|r| r.0))
                    .int(l.employee.0)
                    .int(l.employer.0)
                    .text(&l.account)
                    .opt_text(l.employer_account.as_deref())
                    .text(&l.function)
                    .text(&l.creditor)
                    .opt_text(extra(&l.extra).as_deref());
                Table::PayLines
            }
            Record::Supplier(s) => {
                self.rows(Table::Suppliers)?
                    .row(8)
                    .text(s.siret.as_str())
                    .text(&s.name)
                    .text(s.iban.as_str())
                    .text(s.bic.as_str())
                    .text(&s.address)
                    .text(&s.postal_code)
                    .text(&s.city)
                    .opt_text(extra(&s.extra).as_deref());
                Table::Suppliers
            }
            Record::Invoice(i) => {
                self.rows(Table::Invoices)?
                    .row(9)
                    .text(&i.id)
                    .text(i.siret.as_str())
                    .text(&i.number)
                    .text(&date(&i.invoice_date))
                    .text(&date(&i.received_on))
                    .int(i.amount_incl_tax.0)
                    .opt_text(i.commitment.as_deref())
                    .text(&i.status)
                    .opt_text(extra(&i.extra).as_deref());
                Table::Invoices
            }
        };
        self.maybe_flush(table)
    }

    fn reject(&mut self, row: &FlaggedRow) -> Result<(), StoreError> {
        let (raw, problems) = pending_json(row)?;
        let line = i64::try_from(row.line).unwrap_or(i64::MAX);
        self.rows(Table::Pending)?
            .row(7)
            .text(row.entity.name())
            .text(&row.file)
            .int(line)
            .opt_text(row.key.as_deref())
            .text(&raw)
            .text(&problems)
            .text(row.severity().code());
        self.maybe_flush(Table::Pending)
    }

    fn commit(
        mut self: Box<Self>,
        actor: &str,
        payload: serde_json::Value,
    ) -> Result<Entry, StoreError> {
        for table in Table::ALL {
            self.flush(table)?;
        }
        let PgImport {
            mut tx, set_aside, ..
        } = *self;
        set_aside.restore(&mut tx)?;
        // The suppliers' bank details as first imported (the snapshot's): later details that
        // differ are held until an ordonnateur approves them (`supplier_banks`).
        tx.execute(
            "INSERT INTO supplier_banks (siret, iban, bic, since, approved_by)
             SELECT s.siret, s.iban, s.bic, $1, NULL FROM suppliers s
             WHERE NOT EXISTS (SELECT 1 FROM supplier_banks b WHERE b.siret = s.siret)
             ON CONFLICT DO NOTHING",
            &[&crate::now()],
        )?;
        let entry = journal::append(&mut tx, actor, "import", &payload)?;
        // Fresh statistics for the planner: the desk search's plan depends on them from the
        // first query on.
        tx.batch_execute("ANALYZE beneficiaries, person_words, person_word_pairs, rights, payees")?;
        tx.commit()?;
        Ok(entry)
    }
}
