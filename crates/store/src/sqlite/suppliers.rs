//! Supplier runs in SQLite (see [`crate::suppliers`] for the invariants the schema enforces):
//! the invoices ready to mandate, read with their supplier and steps; the run's mandats and
//! summary; the suppliers' bank details as approved.

pub(crate) mod prepare;

pub(crate) use prepare::{free_claims, mark_mandated};

use super::bank::masked;
use super::decode::{corrupt, date};
use super::invoices::steps_of;
use super::{SqliteStore, journal, users};
use crate::StoreError;
use crate::runs::{Each, Prepared, RunStoreError};
use crate::suppliers::{PrepareSuppliers, SupplierBankWaiting, SupplierRunStore};
use relais_core::Cents;
use relais_core::ids::{Bic, Iban, Siret};
use relais_core::invoices::lifecycle::Step;
use relais_core::invoices::mandate::{
    SupplierFacts, SupplierMandate, SupplierRunSummary, ToMandate,
};
use relais_core::records::{Extra, LegalForm};
use relais_core::roles::Role;
use relais_core::run::RunId;
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};
use serde_json::json;

/// Whether the supplier's IBAN is the snapshot's or one approved since: a supplier never seen
/// by an import since migration 27 has no row yet, and its details are the snapshot's.
pub(crate) const APPROVED: &str =
    "(NOT EXISTS (SELECT 1 FROM supplier_banks b WHERE b.siret = s.siret)
     OR EXISTS (SELECT 1 FROM supplier_banks b WHERE b.siret = s.siret AND b.iban = s.iban))";

/// Liquidated, and neither paid, nor mandated (unless the accountant rejected that mandat,
/// `relais pes retour`), nor claimed by a run.
pub(crate) const READY: &str =
    "EXISTS (SELECT 1 FROM invoice_steps st WHERE st.invoice = ?1 AND st.kind = 'liquidee')
     AND NOT EXISTS (SELECT 1 FROM invoice_steps st WHERE st.invoice = ?1 AND st.kind = 'payee')
     AND NOT EXISTS (SELECT 1 FROM invoice_steps st WHERE st.invoice = ?1 AND st.kind = 'mandatee'
         AND NOT EXISTS (SELECT 1 FROM invoice_steps r WHERE r.invoice = ?1
             AND r.kind = 'mandat_rejete' AND r.id > st.id))
     AND NOT EXISTS (SELECT 1 FROM supplier_claims c WHERE c.invoice = ?1 AND c.kind = 'facture')";

/// A value of the extra columns, by its header (compared as headers are).
pub(crate) fn extra_value(extra: Option<String>, header: &str) -> Option<String> {
    let extra: Extra = serde_json::from_str(&extra?).ok()?;
    extra
        .into_iter()
        .find(|(h, _)| relais_core::text::header_key(h) == header)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The supplier of columns 7 to 15 of a row (`None` when the join found none).
fn supplier_of(r: &Row<'_>) -> Result<Option<SupplierFacts>, StoreError> {
    let Some(siret) = r.get::<_, Option<String>>(7)? else {
        return Ok(None);
    };
    let text = |i: usize| -> Result<String, StoreError> { Ok(r.get::<_, String>(i)?) };
    Ok(Some(supplier_facts(
        siret,
        [
            text(8)?,
            text(9)?,
            text(10)?,
            text(11)?,
            text(12)?,
            text(13)?,
        ],
        r.get(14)?,
        r.get(15)?,
    )?))
}

/// A supplier as [`TO_MANDATE_COLUMNS`] read it: its SIRET, then its name, address, postal
/// code, city, IBAN and BIC, its extra columns and whether its bank details are approved.
pub(crate) fn supplier_facts(
    siret: String,
    [name, address, postal_code, city, iban, bic]: [String; 6],
    extra: Option<String>,
    bank_approved: bool,
) -> Result<SupplierFacts, StoreError> {
    let form = extra_value(extra, "forme_juridique")
        .and_then(|f| LegalForm::parse(&f))
        .unwrap_or(LegalForm::Societe);
    Ok(SupplierFacts {
        siret: Siret::parse(&siret).map_err(|_| corrupt("supplier SIRET", &siret))?,
        name,
        address,
        postal_code,
        city,
        iban: Iban::parse(&iban).map_err(|_| corrupt("supplier IBAN", &siret))?,
        bic: Bic::parse(&bic).map_err(|_| corrupt("supplier BIC", &siret))?,
        form,
        bank_approved,
    })
}

/// The day an invoice was received: an imported invoice's date, or a courrier deposit's
/// instant in `tz`.
pub(crate) fn received_day(
    received: &str,
    from_deposit: bool,
    tz: &jiff::tz::TimeZone,
) -> Result<jiff::civil::Date, StoreError> {
    if from_deposit {
        let at: jiff::Timestamp = received
            .parse()
            .map_err(|_| corrupt("deposit time", received))?;
        Ok(relais_core::calendar::local_date(at, tz))
    } else {
        date("invoice receipt", received)
    }
}

/// The queries of the invoices liquidated (imported, then deposited at the courrier), each
/// with whether it reads deposits: columns invoice, SIRET, number, amount, received, commitment,
/// extra, then the supplier's ([`supplier_facts`]).
pub(crate) fn to_mandate_queries() -> [(String, bool); 2] {
    let supplier_columns = format!(
        "s.siret, s.name, s.address, s.postal_code, s.city, s.iban, s.bic, s.extra, {APPROVED}"
    );
    let imported = format!(
        "SELECT i.id, i.siret, i.number, i.amount_incl_tax, i.received_on, i.commitment,
                i.extra, {supplier_columns}
         FROM invoices i LEFT JOIN suppliers s ON s.siret = i.siret
         WHERE i.id IN (SELECT invoice FROM invoice_steps WHERE kind = 'liquidee')
         ORDER BY i.id"
    );
    let deposited = format!(
        "SELECT d.number, d.siret, d.invoice_number, d.amount, d.received_at, k.commitment,
                NULL,
                {supplier_columns}
         FROM deposits d LEFT JOIN suppliers s ON s.siret = d.siret
         LEFT JOIN deposit_commitments k ON k.number = d.number
         WHERE d.kind = 'facture' AND d.cancelled_at IS NULL
           AND d.number IN (SELECT invoice FROM invoice_steps WHERE kind = 'liquidee')
         ORDER BY d.number"
    );
    [(imported, false), (deposited, true)]
}

/// The facts of an invoice to mandate read by a [`to_mandate_queries`] row, but its supplier.
pub(crate) struct ToMandateRow {
    pub invoice: String,
    pub siret: Option<String>,
    pub number: Option<String>,
    pub amount: Option<i64>,
    pub received: String,
    pub commitment: Option<String>,
    pub extra: Option<String>,
}

pub(crate) fn to_mandate(
    row: ToMandateRow,
    from_deposit: bool,
    tz: &jiff::tz::TimeZone,
    supplier: Option<SupplierFacts>,
) -> Result<ToMandate, StoreError> {
    Ok(ToMandate {
        siret: row.siret.unwrap_or_default(),
        number: row.number.unwrap_or_default(),
        invoice_amount: Cents(row.amount.unwrap_or(0)),
        received: received_day(&row.received, from_deposit, tz)?,
        commitment: row.commitment.filter(|c| !c.trim().is_empty()),
        market: extra_value(row.extra, "marche"),
        supplier,
        invoice: row.invoice,
    })
}

/// The suppliers whose bank details wait: SIRET, name, IBAN, the IBAN approved last.
pub(crate) fn banks_waiting_query() -> String {
    format!(
        "SELECT s.siret, s.name, s.iban,
                (SELECT b.iban FROM supplier_banks b WHERE b.siret = s.siret
                 ORDER BY b.since DESC LIMIT 1)
         FROM suppliers s WHERE NOT {APPROVED} ORDER BY s.name, s.siret"
    )
}

/// A supplier's name, IBAN, BIC and whether they are approved, by SIRET (`?1`).
pub(crate) fn bank_query() -> String {
    format!("SELECT s.name, s.iban, s.bic, {APPROVED} FROM suppliers s WHERE s.siret = ?1")
}

pub(crate) const INSERT_BANK: &str =
    "INSERT INTO supplier_banks (siret, iban, bic, since, approved_by)
     VALUES (?1, ?2, ?3, ?4, ?5)";
/// A supplier run's summary, by run id (`?1`).
pub(crate) const SUMMARY: &str = "SELECT summary FROM supplier_runs WHERE run_id = ?1";
/// A supplier run's mandats in order, by run id (`?1`).
pub(crate) const MANDATES: &str =
    "SELECT mandate FROM supplier_mandates WHERE run_id = ?1 ORDER BY n";

/// The approval's journal entry: the IBAN masked, the journal being read more widely than
/// the supplier file.
pub(crate) fn approve_payload(siret: &str, iban: &str) -> serde_json::Value {
    json!({ "siret": siret, "iban": masked(iban) })
}

/// A supplier whose bank details were just approved: nothing previous waits.
pub(crate) fn approved_now(siret: String, name: String, iban: &str) -> SupplierBankWaiting {
    SupplierBankWaiting {
        siret,
        name,
        iban_masked: masked(iban),
        previous_masked: String::new(),
    }
}

pub(crate) fn waiting(
    siret: String,
    name: String,
    iban: &str,
    previous: Option<String>,
) -> SupplierBankWaiting {
    SupplierBankWaiting {
        siret,
        name,
        iban_masked: masked(iban),
        previous_masked: masked(&previous.unwrap_or_default()),
    }
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    what: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(what, &e.to_string()))
}

impl SupplierRunStore for SqliteStore {
    fn invoices_to_mandate(
        &self,
        tz: &jiff::tz::TimeZone,
    ) -> Result<Vec<(ToMandate, Vec<Step>)>, RunStoreError> {
        let mut ready = self.conn.prepare(&format!("SELECT {READY}"))?;
        let mut out = Vec::new();
        for (sql, from_deposit) in to_mandate_queries() {
            let mut stmt = self.conn.prepare(&sql)?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let invoice: String = r.get(0)?;
                if !ready.query_row([&invoice], |r| r.get::<_, bool>(0))? {
                    continue;
                }
                let row = ToMandateRow {
                    invoice: invoice.clone(),
                    siret: r.get(1)?,
                    number: r.get(2)?,
                    amount: r.get(3)?,
                    received: r.get(4)?,
                    commitment: r.get(5)?,
                    extra: r.get(6)?,
                };
                let item = to_mandate(row, from_deposit, tz, supplier_of(r)?)?;
                out.push((item, steps_of(&self.conn, &invoice)?));
            }
        }
        Ok(out)
    }

    fn prepare_supplier_run(
        &mut self,
        req: &PrepareSuppliers<'_>,
    ) -> Result<Prepared, RunStoreError> {
        prepare::prepare(&mut self.conn, req)
    }

    fn supplier_run_summary(&self, run: RunId) -> Result<SupplierRunSummary, RunStoreError> {
        let text: Option<String> = self
            .conn
            .query_row(SUMMARY, [run.to_string()], |r| r.get(0))
            .optional()?;
        let text = text.ok_or(RunStoreError::NotFound(run))?;
        Ok(from_json("supplier run summary", &text)?)
    }

    fn each_supplier_mandate(
        &self,
        run: RunId,
        each: Each<'_, SupplierMandate>,
    ) -> Result<(), RunStoreError> {
        let mut stmt = self.conn.prepare(MANDATES)?;
        let mut rows = stmt.query([run.to_string()])?;
        while let Some(r) = rows.next()? {
            let text: String = r.get(0)?;
            each(&from_json("supplier mandate", &text)?)?;
        }
        Ok(())
    }

    fn supplier_banks_waiting(&self) -> Result<Vec<SupplierBankWaiting>, RunStoreError> {
        let mut stmt = self.conn.prepare(&banks_waiting_query())?;
        let rows = stmt.query_map([], |r| {
            Ok(waiting(
                r.get(0)?,
                r.get(1)?,
                &r.get::<_, String>(2)?,
                r.get(3)?,
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn approve_supplier_bank(
        &mut self,
        siret: &str,
        actor: &str,
        local_time: &str,
    ) -> Result<SupplierBankWaiting, RunStoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        users::require_any(&tx, actor, &[Role::Ordonnateur])?;
        let siret = siret.split_whitespace().collect::<String>();
        let waiting = {
            let mut stmt = tx.prepare(&bank_query())?;
            stmt.query_row([&siret], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            })
            .optional()?
        };
        let (name, iban, bic, approved) =
            waiting.ok_or_else(|| RunStoreError::UnknownSupplier(siret.clone()))?;
        if approved {
            return Err(RunStoreError::SupplierBankApproved(siret));
        }
        tx.execute(INSERT_BANK, params![siret, iban, bic, local_time, actor])?;
        journal::append(
            &tx,
            actor,
            "supplier_bank_approve",
            &approve_payload(&siret, &iban),
        )?;
        tx.commit()?;
        Ok(approved_now(siret, name, &iban))
    }
}
