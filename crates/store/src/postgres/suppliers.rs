//! Supplier runs on PostgreSQL, as on SQLite (`sqlite/suppliers.rs`; the invariants are the
//! schema's): the same queries and the same reading of their rows, SQLite's code; the
//! preparation is in `suppliers/prepare.rs`.

mod prepare;

use super::invoices::steps_of;
use super::pg;
use super::{PgStore, journal, users, write};
use crate::StoreError;
use crate::runs::{Each, Prepared, RunStoreError};
use crate::sqlite::suppliers::{
    INSERT_BANK, MANDATES, READY, SUMMARY, ToMandateRow, approve_payload, approved_now, bank_query,
    banks_waiting_query, from_json, supplier_facts, to_mandate, to_mandate_queries, waiting,
};
use crate::suppliers::{PrepareSuppliers, SupplierBankWaiting, SupplierRunStore};
use relais_core::invoices::lifecycle::Step;
use relais_core::invoices::mandate::{
    SupplierFacts, SupplierMandate, SupplierRunSummary, ToMandate,
};
use relais_core::roles::Role;
use relais_core::run::RunId;

/// The supplier of columns 7 to 15 of a row (`None` when the join found none).
fn supplier_of(r: &postgres::Row) -> Result<Option<SupplierFacts>, StoreError> {
    let Some(siret) = r.try_get::<_, Option<String>>(7)? else {
        return Ok(None);
    };
    Ok(Some(supplier_facts(
        siret,
        [
            r.try_get(8)?,
            r.try_get(9)?,
            r.try_get(10)?,
            r.try_get(11)?,
            r.try_get(12)?,
            r.try_get(13)?,
        ],
        r.try_get(14)?,
        r.try_get(15)?,
    )?))
}

impl SupplierRunStore for PgStore {
    fn invoices_to_mandate(
        &self,
        tz: &jiff::tz::TimeZone,
    ) -> Result<Vec<(ToMandate, Vec<Step>)>, RunStoreError> {
        let mut c = self.conn()?;
        let ready = c.prepare(&pg(&format!("SELECT {READY}")))?;
        let mut out = Vec::new();
        for (sql, from_deposit) in to_mandate_queries() {
            for r in c.query(&sql, &[])? {
                let invoice: String = r.try_get(0)?;
                if !c.query_one(&ready, &[&invoice])?.try_get::<_, bool>(0)? {
                    continue;
                }
                let row = ToMandateRow {
                    invoice: invoice.clone(),
                    siret: r.try_get(1)?,
                    number: r.try_get(2)?,
                    amount: r.try_get(3)?,
                    received: r.try_get(4)?,
                    commitment: r.try_get(5)?,
                    extra: r.try_get(6)?,
                };
                let item = to_mandate(row, from_deposit, tz, supplier_of(&r)?)?;
                out.push((item, steps_of(&mut *c, &invoice)?));
            }
        }
        Ok(out)
    }

    fn prepare_supplier_run(
        &mut self,
        req: &PrepareSuppliers<'_>,
    ) -> Result<Prepared, RunStoreError> {
        prepare::prepare(self.client.get_mut(), req)
    }

    fn supplier_run_summary(&self, run: RunId) -> Result<SupplierRunSummary, RunStoreError> {
        let row = self.conn()?.query_opt(&pg(SUMMARY), &[&run.to_string()])?;
        let row = row.ok_or(RunStoreError::NotFound(run))?;
        let text: &str = row.try_get(0)?;
        Ok(from_json("supplier run summary", text)?)
    }

    fn each_supplier_mandate(
        &self,
        run: RunId,
        each: Each<'_, SupplierMandate>,
    ) -> Result<(), RunStoreError> {
        // Read first, then handed out: `each` may call the store again.
        let rows = self.conn()?.query(&pg(MANDATES), &[&run.to_string()])?;
        for r in rows {
            let text: &str = r.try_get(0)?;
            each(&from_json("supplier mandate", text)?)?;
        }
        Ok(())
    }

    fn supplier_banks_waiting(&self) -> Result<Vec<SupplierBankWaiting>, RunStoreError> {
        let rows = self.conn()?.query(&banks_waiting_query(), &[])?;
        let read = |r: &postgres::Row| -> Result<SupplierBankWaiting, StoreError> {
            Ok(waiting(
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
            ))
        };
        Ok(rows.iter().map(read).collect::<Result<_, _>>()?)
    }

    fn approve_supplier_bank(
        &mut self,
        siret: &str,
        actor: &str,
        local_time: &str,
    ) -> Result<SupplierBankWaiting, RunStoreError> {
        let mut tx = write(self.client.get_mut())?;
        users::require_any(&mut tx, actor, &[Role::Ordonnateur])?;
        let siret = siret.split_whitespace().collect::<String>();
        let row = tx
            .query_opt(&pg(&bank_query()), &[&siret])?
            .ok_or_else(|| RunStoreError::UnknownSupplier(siret.clone()))?;
        let (name, iban, bic, approved): (String, String, String, bool) = (
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            row.try_get(3)?,
        );
        if approved {
            return Err(RunStoreError::SupplierBankApproved(siret));
        }
        tx.execute(
            &pg(INSERT_BANK),
            &[&siret, &iban, &bic, &local_time, &actor],
        )?;
        journal::append(
            &mut tx,
            actor,
            "supplier_bank_approve",
            &approve_payload(&siret, &iban),
        )?;
        tx.commit()?;
        Ok(approved_now(siret, name, &iban))
    }
}
