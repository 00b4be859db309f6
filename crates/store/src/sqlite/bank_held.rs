//! The bank details that wait for an ordonnateur (see [`crate::bank::HeldBankDetails`]):
//! pending requests, and changes the extracts made that nobody approved. Read-only.

use super::paid_months::history_months;
use crate::bank::{BankChangeError, HeldBankDetails, Impact, ShownDetails, mask_pair};
use relais_core::calendar::Month;
use relais_core::month_guard;
use rusqlite::{Connection, params};

/// The rights in payment a payee receives, RSA aside (the CAF pays it, never the payee).
const IMPACT: &str = "(SELECT count(DISTINCT r.dossier) FROM rights r
     WHERE r.payee_id = p.id AND r.status = 'en_paiement' AND r.benefit <> 'RSA'),
    (SELECT coalesce(sum(r.monthly_amount), 0) FROM rights r
     WHERE r.payee_id = p.id AND r.status = 'en_paiement' AND r.benefit <> 'RSA')";

pub(super) fn held(
    conn: &Connection,
    today: jiff::civil::Date,
    window_days: u16,
) -> Result<Vec<HeldBankDetails>, BankChangeError> {
    let mut held = Vec::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT c.id, c.payee_id, p.name, p.kind, c.requested_by, p.iban, p.bic, p.holder,
                c.iban, c.bic, c.holder, c.requested_at, {IMPACT}
         FROM bank_change_requests c JOIN payees p ON p.id = c.payee_id
         WHERE c.status = 'pending' ORDER BY c.id"
    ))?;
    let rows = stmt.query_map([], |r| {
        let (old_iban, new_iban): (String, String) = (r.get(5)?, r.get(8)?);
        let (old_masked, new_masked) = mask_pair(&old_iban, &new_iban);
        Ok(HeldBankDetails {
            request: Some(r.get(0)?),
            payee_id: r.get(1)?,
            payee_name: r.get(2)?,
            payee_kind: r.get(3)?,
            requested_by: Some(r.get(4)?),
            old: Some(ShownDetails {
                iban_masked: old_masked,
                bic: r.get(6)?,
                holder: r.get(7)?,
            }),
            new: ShownDetails {
                iban_masked: new_masked,
                bic: r.get(9)?,
                holder: r.get(10)?,
            },
            since: r.get(11)?,
            impact: Impact {
                people: r.get(12)?,
                monthly_cents: r.get(13)?,
            },
        })
    })?;
    for row in rows {
        held.push(row?);
    }
    // The runs' own window and rule (`sqlite/runs/prepare.rs`): changed on a day in
    // [today − window, today], and no approval of the details as they are now; only payees
    // with a right in payment a run would hold back (RSA is the CAF's).
    let start = today
        .checked_sub(jiff::Span::new().days(i64::from(window_days)))
        .unwrap_or(jiff::civil::Date::MIN);
    let mut stmt = conn.prepare(&format!(
        "SELECT p.id, p.name, p.kind, p.iban, p.bic, p.holder, p.iban_changed_on, {IMPACT}
         FROM payees p
         WHERE p.iban_changed_on >= ?1 AND p.iban_changed_on <= ?2
           AND NOT EXISTS (SELECT 1 FROM bank_approvals_current a
                           WHERE a.payee_id = p.id AND a.iban = p.iban)
           AND EXISTS (SELECT 1 FROM rights r WHERE r.payee_id = p.id
                       AND r.status = 'en_paiement' AND r.benefit <> 'RSA')
         ORDER BY p.iban_changed_on, p.id"
    ))?;
    let rows = stmt.query_map(params![start.to_string(), today.to_string()], |r| {
        let iban: String = r.get(3)?;
        Ok(HeldBankDetails {
            request: None,
            payee_id: r.get(0)?,
            payee_name: r.get(1)?,
            payee_kind: r.get(2)?,
            requested_by: None,
            old: None,
            new: ShownDetails {
                iban_masked: relais_core::ids::mask_iban(&iban),
                bic: r.get(4)?,
                holder: r.get(5)?,
            },
            since: r.get(6)?,
            impact: Impact {
                people: r.get(7)?,
                monthly_cents: r.get(8)?,
            },
        })
    })?;
    for row in rows {
        held.push(row?);
    }
    Ok(held)
}

pub(super) fn first_unpaid(
    conn: &Connection,
    today: jiff::civil::Date,
) -> Result<Month, BankChangeError> {
    Ok(month_guard::first_unpaid(
        Month::of(today),
        history_months(conn)?,
    ))
}
