//! What the person's page reads beyond identity, rights and contacts: the months already paid
//! or claimed, the runs and what they left out of the person's rights, the changes of bank
//! details waiting for a decision, and the import problems about the person's file. The web
//! crate's `next_payment` turns them into "will I be paid?" without reading anything else.

use crate::StoreError;
use crate::desk::{
    BankRequestRow, ExclusionRow, ImportProblemRow, PAID_MONTHS_KEPT, PersonPage, RUNS_KEPT, RunRow,
};
use rusqlite::Connection;

/// Exclusions read at most, the latest months first (a few rights over a few years).
pub(crate) const EXCLUSIONS_KEPT: i64 = 100;
/// Problems about one file shown at most (the register `/dossiers` has them all).
pub(crate) const IMPORT_PROBLEMS_SHOWN: i64 = 10;

pub(super) fn fill(
    conn: &Connection,
    dossier: &str,
    page: &mut PersonPage,
) -> Result<(), StoreError> {
    // Claims of runs not cancelled (cancelling frees them) and the imported history.
    let mut stmt = conn.prepare_cached(
        "SELECT right_id, month, amount, date, source FROM (
             SELECT c.right_id, u.month, c.amount, c.pay_date AS date,
                    u.id || ' (' || u.status || ')' AS source
             FROM rights r JOIN run_claims c ON c.right_id = r.id
             JOIN runs u ON u.id = c.run_id
             WHERE r.dossier = ?1 AND u.status <> 'cancelled'
             UNION ALL
             SELECT h.right_id, h.month, h.amount, h.paid_on, 'historique'
             FROM past_payments h JOIN rights r ON r.id = h.right_id
             WHERE r.dossier = ?1)
         ORDER BY month DESC, right_id LIMIT ?2",
    )?;
    page.paid_months = stmt
        .query_map(
            rusqlite::params![dossier, PAID_MONTHS_KEPT as i64],
            super::payment_row,
        )?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, month, benefits, status FROM runs WHERE status <> 'cancelled'
         ORDER BY month DESC, seq DESC LIMIT ?1",
    )?;
    page.runs = stmt
        .query_map([RUNS_KEPT as i64], |r| {
            Ok(RunRow {
                id: r.get(0)?,
                month: r.get(1)?,
                benefits: r.get(2)?,
                status: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    // Through `run_exclusions_by_dossier` (migration 24): the person's rows only.
    let mut stmt = conn.prepare_cached(
        "SELECT e.run_id, u.month, e.right_id, e.reason, e.label
         FROM run_exclusions e JOIN runs u ON u.id = e.run_id
         WHERE e.dossier = ?1 AND u.status <> 'cancelled'
         ORDER BY u.month DESC, e.run_id, e.n LIMIT ?2",
    )?;
    page.exclusions = stmt
        .query_map(rusqlite::params![dossier, EXCLUSIONS_KEPT], |r| {
            Ok(ExclusionRow {
                run_id: r.get(0)?,
                month: r.get(1)?,
                right_id: r.get(2)?,
                reason: r.get(3)?,
                label: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    // Asked from the person's page or from the payee's (an establishment, a guardian): any
    // change pending for a payee of the person's rights.
    let mut stmt = conn.prepare_cached(
        "SELECT id, payee_id, iban, requested_by, requested_at FROM bank_change_requests
         WHERE status = 'pending'
           AND payee_id IN (SELECT payee_id FROM rights WHERE dossier = ?1)
         ORDER BY id",
    )?;
    page.bank_requests = stmt
        .query_map([dossier], |r| {
            Ok(BankRequestRow {
                id: r.get(0)?,
                payee_id: r.get(1)?,
                iban_masked: relais_core::ids::mask_iban(&r.get::<_, String>(2)?),
                requested_by: r.get(3)?,
                requested_at: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT rp.run_id, rp.payee_id, substr(rp.iban, -4) FROM run_payees rp
         WHERE rp.run_id IN (SELECT c.run_id FROM rights r JOIN run_claims c ON c.right_id = r.id
                             WHERE r.dossier = ?1)
           AND rp.payee_id IN (SELECT payee_id FROM rights WHERE dossier = ?1)",
    )?;
    page.run_accounts = stmt
        .query_map([dossier], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    page.import_problems = import_problems(conn, dossier)?;
    Ok(())
}

/// Rows kept in `pending_rows` whose key is the file (the person's own row) or that hold it
/// as one of their values (`raw` is a JSON list of `[field, value]`: the quoted value is
/// searched, so `D12` never matches `D123`), without an outcome. Read by scanning the
/// register: it holds the rejected rows only (a few thousand).
fn import_problems(conn: &Connection, dossier: &str) -> Result<Vec<ImportProblemRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.file, p.line, p.severity, p.problems FROM pending_rows p
         WHERE (p.key = ?1 OR instr(p.raw, json_quote(?1)) > 0)
           AND NOT EXISTS (SELECT 1 FROM pending_outcomes o
                           WHERE o.file = p.file AND o.raw = p.raw)
         ORDER BY p.id LIMIT ?2",
    )?;
    let rows = stmt.query_map(rusqlite::params![dossier, IMPORT_PROBLEMS_SHOWN], |r| {
        let problems: String = r.get(4)?;
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, problems))
    })?;
    let mut found = Vec::new();
    for row in rows {
        let (id, file, line, severity, problems): (i64, String, i64, String, String) = row?;
        found.push(ImportProblemRow {
            id,
            file,
            line,
            severity,
            problem: first_problem(&problems)?,
        });
    }
    Ok(found)
}

/// The first of a row's problems (`pending_rows.problems`, a JSON list of `[field, value,
/// message]`) as the person's page shows it: `field : message`.
pub(crate) fn first_problem(problems: &str) -> Result<String, StoreError> {
    let problems: Vec<(String, String, String)> =
        serde_json::from_str(problems).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(problems
        .first()
        .map(|(field, _, message)| format!("{field} : {message}"))
        .unwrap_or_default())
}
