//! Each benefit's total paid per month from the imported payment history, for the payments
//! page's chart (the validated runs' totals are in their summaries). Read through the index of
//! the history by month: only the months asked are read, each row's right found by its key.

use crate::StoreError;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::records::Benefit;
use rusqlite::Connection;

/// `RunStore::history_totals`.
pub(super) fn history_totals(
    conn: &Connection,
    from: Month,
    to: Month,
) -> Result<Vec<(Benefit, Month, Cents)>, StoreError> {
    {
        let mut stmt = conn.prepare(
            "SELECT r.benefit, p.month, sum(p.amount)
             FROM past_payments p JOIN rights r ON r.id = p.right_id
             WHERE p.month >= ?1 AND p.month <= ?2
             GROUP BY r.benefit, p.month
             ORDER BY r.benefit, p.month",
        )?;
        let mut rows = stmt.query([from.to_string(), to.to_string()])?;
        let mut totals = Vec::new();
        while let Some(r) = rows.next()? {
            let benefit: String = r.get(0)?;
            let month: String = r.get(1)?;
            let benefit = Benefit::parse(&benefit)
                .ok_or_else(|| StoreError::Corrupt(format!("benefit {benefit:?}")))?;
            let month = Month::parse(&month)
                .map_err(|_| StoreError::Corrupt(format!("history month {month:?}")))?;
            totals.push((benefit, month, Cents(r.get(2)?)));
        }
        Ok(totals)
    }
}
