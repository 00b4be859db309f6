//! The bank details that wait for an ordonnateur (see [`crate::bank::HeldBankDetails`]):
//! pending requests, and changes the extracts made that nobody approved. Read-only.

use super::paid_months::history_months;
use crate::bank::{BankChangeError, BankDetails, HeldBankDetails, Impact, ShownDetails, mask_pair};
use relais_core::calendar::Month;
use relais_core::month_guard;
use rusqlite::{Connection, params};

/// The rights in payment a payee receives, RSA aside (the CAF pays it, never the payee). The
/// sum is cast to an integer for backends whose sum of integers is not one (PostgreSQL's
/// NUMERIC).
pub(crate) const IMPACT: &str = "(SELECT count(DISTINCT r.dossier) FROM rights r
     WHERE r.payee_id = p.id AND r.status = 'en_paiement' AND r.benefit <> 'RSA'),
    (SELECT CAST(coalesce(sum(r.monthly_amount), 0) AS BIGINT) FROM rights r
     WHERE r.payee_id = p.id AND r.status = 'en_paiement' AND r.benefit <> 'RSA')";

/// A payee's details as they are now.
pub(crate) struct PayeeNow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub details: BankDetails,
}

/// A pending request `id` by `by` since `since`, for `payee`'s details to become `new`.
pub(crate) fn requested(
    id: i64,
    by: String,
    payee: PayeeNow,
    new: BankDetails,
    since: String,
    impact: Impact,
) -> HeldBankDetails {
    let (old_masked, new_masked) = mask_pair(&payee.details.iban, &new.iban);
    HeldBankDetails {
        request: Some(id),
        payee_id: payee.id,
        payee_name: payee.name,
        payee_kind: payee.kind,
        requested_by: Some(by),
        old: Some(ShownDetails {
            iban_masked: old_masked,
            bic: payee.details.bic,
            holder: payee.details.holder,
        }),
        new: ShownDetails {
            iban_masked: new_masked,
            bic: new.bic,
            holder: new.holder,
        },
        since,
        impact,
    }
}

/// `payee`'s details as the extracts changed them on `since`, approved by nobody.
pub(crate) fn imported(payee: PayeeNow, since: String, impact: Impact) -> HeldBankDetails {
    HeldBankDetails {
        request: None,
        payee_id: payee.id,
        payee_name: payee.name,
        payee_kind: payee.kind,
        requested_by: None,
        old: None,
        new: ShownDetails {
            iban_masked: relais_core::ids::mask_iban(&payee.details.iban),
            bic: payee.details.bic,
            holder: payee.details.holder,
        },
        since,
        impact,
    }
}

/// The first day of the runs' window (`sqlite/runs/prepare.rs`) ending `today`: changes
/// made on a day in [start, today] are held.
pub(crate) fn window_start(today: jiff::civil::Date, window_days: u16) -> jiff::civil::Date {
    today
        .checked_sub(jiff::Span::new().days(i64::from(window_days)))
        .unwrap_or(jiff::civil::Date::MIN)
}

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
        let payee = PayeeNow {
            id: r.get(1)?,
            name: r.get(2)?,
            kind: r.get(3)?,
            details: BankDetails {
                iban: r.get(5)?,
                bic: r.get(6)?,
                holder: r.get(7)?,
            },
        };
        let new = BankDetails {
            iban: r.get(8)?,
            bic: r.get(9)?,
            holder: r.get(10)?,
        };
        let impact = Impact {
            people: r.get(12)?,
            monthly_cents: r.get(13)?,
        };
        Ok(requested(
            r.get(0)?,
            r.get(4)?,
            payee,
            new,
            r.get(11)?,
            impact,
        ))
    })?;
    for row in rows {
        held.push(row?);
    }
    // The runs' own window and rule (`sqlite/runs/prepare.rs`): changed on a day in
    // [today − window, today], and no approval of the details as they are now; only payees
    // with a right in payment a run would hold back (RSA is the CAF's).
    let start = window_start(today, window_days);
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
        let payee = PayeeNow {
            id: r.get(0)?,
            name: r.get(1)?,
            kind: r.get(2)?,
            details: BankDetails {
                iban: r.get(3)?,
                bic: r.get(4)?,
                holder: r.get(5)?,
            },
        };
        let impact = Impact {
            people: r.get(7)?,
            monthly_cents: r.get(8)?,
        };
        Ok(imported(payee, r.get(6)?, impact))
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
