//! The months already paid, by the imported history or by a validated run: what decides
//! which month a run may pay (relais_core::month_guard) and the first month not yet paid.

use super::decode::corrupt;
use crate::StoreError;
use relais_core::calendar::Month;
use relais_core::month_guard;
use rusqlite::Connection;

/// The first and latest months paid, by the imported history or by a validated run (one row
/// of two nullable texts; the same SQL on every backend).
pub(crate) const HISTORY_MONTHS: &str = "SELECT min(m), max(m) FROM (
     SELECT min(month) AS m FROM past_payments UNION ALL SELECT max(month) FROM past_payments
     UNION ALL SELECT min(month) FROM runs WHERE status = 'validated'
     UNION ALL SELECT max(month) FROM runs WHERE status = 'validated') AS paid";

/// The first and latest months paid: by the imported history, or by a validated run.
pub(crate) fn history_months(
    conn: &Connection,
) -> Result<Option<month_guard::History>, StoreError> {
    let (first, latest): (Option<String>, Option<String>) =
        conn.query_row(HISTORY_MONTHS, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    history(first, latest)
}

/// [`HISTORY_MONTHS`]'s row read back: no history when nothing was paid yet.
pub(crate) fn history(
    first: Option<String>,
    latest: Option<String>,
) -> Result<Option<month_guard::History>, StoreError> {
    let month = |m: &str| Month::parse(m).map_err(|_| corrupt("month", m));
    Ok(match (first, latest) {
        (Some(f), Some(l)) => Some(month_guard::History {
            first: month(&f)?,
            latest: month(&l)?,
        }),
        _ => None,
    })
}
