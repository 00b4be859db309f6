//! What Relais paid in the crisis months, for the reconciliation (`RunStore::each_paid_claim`):
//! the claims of validated runs and of the imported history, in the claims' key order (right,
//! month) — a scan of the table as it is stored, no sort. `+month` keeps SQLite from reading
//! through the index by month, which would then sort every claim read.

use crate::StoreError;
use crate::runs::RunStoreError;
use crate::sqlite::decode::{benefit, corrupt};
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::reconcile::PaidClaim;
use relais_core::records::Benefit;
use rusqlite::Connection;

pub(super) fn each_paid_claim(
    conn: &Connection,
    months: &[Month],
    each: &mut dyn FnMut(&PaidClaim) -> Result<(), RunStoreError>,
) -> Result<(), RunStoreError> {
    if months.is_empty() {
        return Ok(());
    }
    let list = months
        .iter()
        .map(|m| format!("'{m}'"))
        .collect::<Vec<_>>()
        .join(",");
    let mut stmt = conn
        .prepare(&format!(
            "SELECT c.right_id, c.month, c.run_id, c.amount, c.dossier, c.benefit
             FROM run_claims c
             WHERE +c.month IN ({list})
               AND (c.run_id IS NULL
                    OR c.run_id IN (SELECT id FROM runs WHERE status = 'validated'))
             ORDER BY c.right_id, c.month"
        ))
        .map_err(StoreError::from)?;
    let mut rows = stmt.query([]).map_err(StoreError::from)?;
    let mut claim = PaidClaim {
        right_id: String::new(),
        month: months[0],
        run: None,
        amount: Cents::ZERO,
        dossier: String::new(),
        benefit: Benefit::ApaDom,
    };
    let mut month_text = String::new();
    while let Some(r) = rows.next().map_err(StoreError::from)? {
        claim.right_id.clear();
        claim.right_id.push_str(super::text(r, 0)?);
        let month = super::text(r, 1)?;
        if month != month_text {
            claim.month = Month::parse(month).map_err(|_| corrupt("claim month", month))?;
            month_text.clear();
            month_text.push_str(month);
        }
        claim.run = r.get(2).map_err(StoreError::from)?;
        claim.amount = Cents(
            r.get::<_, Option<i64>>(3)
                .map_err(StoreError::from)?
                .unwrap_or(0),
        );
        claim.dossier.clear();
        let dossier: Option<&str> = r
            .get_ref(4)
            .map_err(StoreError::from)?
            .as_str_or_null()
            .map_err(|e| StoreError::from(rusqlite::Error::from(e)))?;
        claim.dossier.push_str(dossier.unwrap_or(""));
        let code: Option<&str> = r
            .get_ref(5)
            .map_err(StoreError::from)?
            .as_str_or_null()
            .map_err(|e| StoreError::from(rusqlite::Error::from(e)))?;
        // A claim of a right gone from the store keeps no benefit (migration 19): only the
        // history's claims may be so, and they are not compared.
        claim.benefit = match code {
            Some(code) => benefit(code)?,
            None => Benefit::ApaDom,
        };
        each(&claim)?;
    }
    Ok(())
}
