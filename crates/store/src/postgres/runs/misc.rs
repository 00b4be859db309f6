//! The rest of the payment runs on PostgreSQL (as `sqlite/runs/renew.rs`, `paid.rs`,
//! `person_guard.rs`, `paid_months.rs`, `history_totals.rs`): bank approvals, renewals,
//! releases of a duplicate, the paid claims, the months paid, the history's totals.

use crate::StoreError;
use crate::postgres::{journal, users, write};
use crate::runs::{RenewalOutcome, RunStoreError};
use crate::sqlite::decode::{benefit, corrupt, date};
use postgres::{Client, GenericClient};
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::journal::Entry;
use relais_core::month_guard;
use relais_core::reconcile::PaidClaim;
use relais_core::records::{Benefit, RightStatus};
use relais_core::roles::Role;
use relais_core::run::RenewalPolicy;
use serde_json::json;

/// The first and latest months paid: by the imported history, or by a validated run.
pub(crate) fn history_months(
    c: &mut impl GenericClient,
) -> Result<Option<month_guard::History>, StoreError> {
    let r = c.query_one(
        "SELECT min(m), max(m) FROM (
             SELECT min(month) AS m FROM past_payments UNION ALL SELECT max(month) FROM past_payments
             UNION ALL SELECT min(month) FROM runs WHERE status = 'validated'
             UNION ALL SELECT max(month) FROM runs WHERE status = 'validated') t",
        &[],
    )?;
    let (first, latest): (Option<&str>, Option<&str>) = (r.try_get(0)?, r.try_get(1)?);
    let month = |m: &str| Month::parse(m).map_err(|_| corrupt("month", m));
    Ok(match (first, latest) {
        (Some(f), Some(l)) => Some(month_guard::History {
            first: month(f)?,
            latest: month(l)?,
        }),
        _ => None,
    })
}

pub(crate) fn history_totals(
    c: &mut impl GenericClient,
    from: Month,
    to: Month,
) -> Result<Vec<(Benefit, Month, Cents)>, StoreError> {
    let rows = c.query(
        "SELECT r.benefit, p.month, sum(p.amount)::BIGINT
         FROM past_payments p JOIN rights r ON r.id = p.right_id
         WHERE p.month >= $1 AND p.month <= $2
         GROUP BY r.benefit, p.month
         ORDER BY r.benefit COLLATE \"C\", p.month",
        &[&from.to_string(), &to.to_string()],
    )?;
    rows.iter()
        .map(|r| {
            let month: &str = r.try_get(1)?;
            Ok((
                benefit(r.try_get(0)?)?,
                Month::parse(month).map_err(|_| corrupt("history month", month))?,
                Cents(r.try_get(2)?),
            ))
        })
        .collect()
}

pub(crate) fn approve_bank(
    client: &mut Client,
    payee_id: &str,
    actor: &str,
) -> Result<Entry, RunStoreError> {
    let mut tx = write(client)?;
    users::require_any(&mut tx, actor, &[Role::Ordonnateur])?;
    let payee = tx.query_opt(
        "SELECT iban, iban_changed_on FROM payees WHERE id = $1",
        &[&payee_id],
    )?;
    let r = payee.ok_or_else(|| RunStoreError::UnknownPayee(payee_id.to_owned()))?;
    let (iban, changed): (String, Option<String>) = (r.try_get(0)?, r.try_get(1)?);
    tx.execute(
        "INSERT INTO bank_approvals (payee_id, iban, approved_by, approved_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (payee_id, iban) DO NOTHING",
        &[&payee_id, &iban, &actor, &crate::now()],
    )?;
    // The IBAN is journaled masked: the journal is read more widely than the payee file.
    let masked = crate::sqlite::bank::masked(&iban);
    let entry = journal::append(
        &mut tx,
        actor,
        "bank_approve",
        &json!({ "payee": payee_id, "iban": masked, "changed_on": changed }),
    )?;
    tx.commit()?;
    Ok(entry)
}

pub(crate) fn renew(
    client: &mut Client,
    policy: &RenewalPolicy,
    actor: &str,
    dry_run: bool,
) -> Result<RenewalOutcome, RunStoreError> {
    let mut tx = write(client)?;
    users::require_any(
        &mut tx,
        actor,
        &[Role::Instruction, Role::Liquidation, Role::Admin],
    )?;
    let mut outcome = RenewalOutcome::default();
    let mut changed: Vec<serde_json::Value> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for r in tx.query(
        "SELECT id, benefit, monthly_amount, end_date, status FROM rights
         WHERE end_date BETWEEN $1 AND $2 ORDER BY id COLLATE \"C\"",
        &[&policy.ends_from.to_string(), &policy.ends_to.to_string()],
    )? {
        let id: String = r.try_get(0)?;
        let b = benefit(r.try_get(1)?)?;
        let end = date("end_date", r.try_get(3)?)?;
        let status: &str = r.try_get(4)?;
        let status = RightStatus::parse(status).ok_or_else(|| corrupt("status", status))?;
        if let Some(new_end) = policy.renews(b, end, status) {
            let e = outcome.per_benefit.entry(b).or_default();
            e.0 += 1;
            e.1 = Cents(e.1.0.saturating_add(r.try_get(2)?));
            outcome.rights += 1;
            changed.push(json!([id, end.to_string(), new_end.to_string()]));
            ids.push(id);
        }
    }
    if dry_run || outcome.rights == 0 {
        return Ok(outcome);
    }
    tx.execute(
        "UPDATE rights SET end_date = $2 WHERE id = ANY($1)",
        &[&ids, &policy.new_end.to_string()],
    )?;
    let entry = journal::append(
        &mut tx,
        actor,
        "rights_renew",
        &json!({ "policy": policy, "rights": outcome.rights, "changed": changed }),
    )?;
    tx.commit()?;
    outcome.entry = Some(entry);
    Ok(outcome)
}

/// An ordonnateur's release of a right paid under another one (see `sqlite/person_guard.rs`).
pub(crate) fn release(
    client: &mut Client,
    actor: &str,
    right: &str,
    month: Month,
    reason: &str,
    at: &str,
) -> Result<String, RunStoreError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(RunStoreError::EmptyReason);
    }
    let mut tx = write(client)?;
    users::require_any(&mut tx, actor, &[Role::Ordonnateur])?;
    let month_text = month.to_string();
    let Some(r) = tx.query_opt(
        "SELECT dossier, benefit FROM rights WHERE id = $1",
        &[&right],
    )?
    else {
        return Err(RunStoreError::UnknownRight(right.to_owned()));
    };
    let (dossier, benefit): (String, String) = (r.try_get(0)?, r.try_get(1)?);
    let other = tx.query_opt(
        "SELECT right_id FROM (
             SELECT right_id FROM run_claims WHERE month = $1 AND dossier = $2 AND benefit = $3
             UNION
             SELECT h.right_id FROM past_payments h JOIN rights r ON r.id = h.right_id
             WHERE h.month = $1 AND r.dossier = $2 AND r.benefit = $3) t
         WHERE right_id <> $4 ORDER BY right_id COLLATE \"C\" LIMIT 1",
        &[&month_text, &dossier, &benefit, &right],
    )?;
    let Some(other) = other else {
        return Err(RunStoreError::NotADuplicate {
            right: right.to_owned(),
            month,
        });
    };
    let other: String = other.try_get(0)?;
    tx.execute(
        "INSERT INTO duplicate_releases (right_id, month, decided_by, decided_at, reason)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        &[&right, &month_text, &actor, &at, &reason],
    )?;
    journal::append(
        &mut tx,
        actor,
        "run_release_duplicate",
        &json!({ "right": right, "month": month_text, "dossier": dossier,
                 "benefit": benefit, "paid_under": other, "reason": reason }),
    )?;
    tx.commit()?;
    Ok(other)
}

/// The claims of validated runs and of the history in `months`, by right (bytes) then month,
/// streamed through a portal.
pub(crate) fn each_paid_claim(
    client: &mut Client,
    months: &[Month],
    each: &mut dyn FnMut(&PaidClaim) -> Result<(), RunStoreError>,
) -> Result<(), RunStoreError> {
    let Some(first) = months.first() else {
        return Ok(());
    };
    let list: Vec<String> = months.iter().map(Month::to_string).collect();
    let mut tx = client.transaction()?;
    let portal = tx.bind(
        "SELECT c.right_id, c.month, c.run_id, c.amount, c.dossier, c.benefit
         FROM run_claims c
         WHERE c.month = ANY($1)
           AND (c.run_id IS NULL
                OR c.run_id IN (SELECT id FROM runs WHERE status = 'validated'))
         ORDER BY c.right_id COLLATE \"C\", c.month COLLATE \"C\"",
        &[&list],
    )?;
    let mut claim = PaidClaim {
        right_id: String::new(),
        month: *first,
        run: None,
        amount: Cents::ZERO,
        dossier: String::new(),
        benefit: Benefit::ApaDom,
    };
    loop {
        let rows = tx.query_portal(&portal, 10_000)?;
        for r in &rows {
            claim.right_id.clear();
            claim.right_id.push_str(r.try_get(0)?);
            let month: &str = r.try_get(1)?;
            claim.month = Month::parse(month).map_err(|_| corrupt("claim month", month))?;
            claim.run = r.try_get(2)?;
            claim.amount = Cents(r.try_get::<_, Option<i64>>(3)?.unwrap_or(0));
            claim.dossier.clear();
            claim
                .dossier
                .push_str(r.try_get::<_, Option<&str>>(4)?.unwrap_or(""));
            // A claim of a right gone from the store keeps no benefit: only the history's.
            claim.benefit = match r.try_get::<_, Option<&str>>(5)? {
                Some(code) => benefit(code)?,
                None => Benefit::ApaDom,
            };
            each(&claim)?;
        }
        if rows.len() < 10_000 {
            break;
        }
    }
    tx.commit()?;
    Ok(())
}
