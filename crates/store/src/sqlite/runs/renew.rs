//! Bank-detail approvals and rights' renewals.

use super::{authorize, benefit, corrupt, date};
use crate::runs::{RenewalOutcome, RunStoreError};
use crate::sqlite::journal;
use relais_core::Cents;
use relais_core::journal::Entry;
use relais_core::records::RightStatus;
use relais_core::roles::Role;
use relais_core::run::RenewalPolicy;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::json;
// ---------------------------------------------------------------------------------------------
// Bank approvals and renewals

pub(super) fn approve_bank(
    conn: &mut Connection,
    payee_id: &str,
    actor: &str,
) -> Result<Entry, RunStoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    authorize(&tx, actor, &[Role::Ordonnateur])?;
    let payee: Option<(String, Option<String>)> = tx
        .query_row(
            "SELECT iban, iban_changed_on FROM payees WHERE id = ?1",
            [payee_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (iban, changed) = payee.ok_or_else(|| RunStoreError::UnknownPayee(payee_id.to_owned()))?;
    tx.execute(
        "INSERT INTO bank_approvals (payee_id, iban, approved_by, approved_at)
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (payee_id, iban) DO NOTHING",
        params![payee_id, iban, actor, crate::sqlite::now()],
    )?;
    // The IBAN is journaled masked: the journal is read more widely than the payee file.
    let masked = crate::sqlite::bank::masked(&iban);
    let entry = journal::append(
        &tx,
        actor,
        "bank_approve",
        &json!({ "payee": payee_id, "iban": masked, "changed_on": changed }),
    )?;
    tx.commit()?;
    Ok(entry)
}

pub(super) fn renew(
    conn: &mut Connection,
    policy: &RenewalPolicy,
    actor: &str,
    dry_run: bool,
) -> Result<RenewalOutcome, RunStoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    authorize(
        &tx,
        actor,
        &[Role::Instruction, Role::Liquidation, Role::Admin],
    )?;
    let mut outcome = RenewalOutcome::default();
    let mut changed: Vec<serde_json::Value> = Vec::new();
    {
        let mut stmt = tx.prepare(
            "SELECT id, benefit, monthly_amount, end_date, status FROM rights
             WHERE end_date BETWEEN ?1 AND ?2 ORDER BY id",
        )?;
        let mut rows = stmt.query([policy.ends_from.to_string(), policy.ends_to.to_string()])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let b = benefit(&r.get::<_, String>(1)?)?;
            let end = date("end_date", &r.get::<_, String>(3)?)?;
            let status: String = r.get(4)?;
            let status = RightStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?;
            if let Some(new_end) = policy.renews(b, end, status) {
                let e = outcome.per_benefit.entry(b).or_default();
                e.0 += 1;
                e.1 = Cents(e.1.0.saturating_add(r.get(2)?));
                outcome.rights += 1;
                changed.push(json!([id, end.to_string(), new_end.to_string()]));
            }
        }
    }
    if dry_run || outcome.rights == 0 {
        return Ok(outcome);
    }
    {
        let mut update = tx.prepare("UPDATE rights SET end_date = ?2 WHERE id = ?1")?;
        for c in &changed {
            update.execute(params![c[0].as_str(), policy.new_end.to_string()])?;
        }
    }
    let entry = journal::append(
        &tx,
        actor,
        "rights_renew",
        &json!({
            "policy": policy,
            "rights": outcome.rights,
            "changed": changed,
        }),
    )?;
    tx.commit()?;
    outcome.entry = Some(entry);
    Ok(outcome)
}
