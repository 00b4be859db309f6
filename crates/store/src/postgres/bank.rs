//! Bank-detail change requests on PostgreSQL (see [`crate::bank`]), as on SQLite
//! (`sqlite/bank.rs`, `sqlite/bank_held.rs`): the same rules, journal kinds and payloads, shared
//! from there; the schema's triggers (`bank_change_requests_decided_once`,
//! `bank_approvals_latest`…) and its CHECK that the decider is not the requester hold whatever
//! client writes.

use super::{PgStore, journal, users, write};
use crate::StoreError;
use crate::bank::{
    BankChange, BankChangeError, BankChangeReview, BankChangeStore, BankDetails, HeldBankDetails,
    Impact, NewBankChange, PAYEE_PAGE_RIGHTS, PaidRight, PayeePage,
};
use crate::sqlite::bank::{
    COLUMNS, ReviewParts, asked_from, check_request, decides, decision, iban_end, imported_payload,
    masked, own, request_payload, review,
};
use crate::sqlite::bank_held::{IMPACT, PayeeNow, imported, requested, window_start};
use crate::sqlite::paid_months::{HISTORY_MONTHS, history};
use postgres::{GenericClient, Row};
use relais_core::bank_change::{self, ASK};
use relais_core::calendar::Month;
use relais_core::month_guard;

fn change(r: &Row) -> Result<BankChange, StoreError> {
    Ok(BankChange {
        id: r.try_get(0)?,
        payee_id: r.try_get(1)?,
        payee_name: r.try_get(2)?,
        dossier: asked_from(r.try_get(3)?),
        iban_masked: masked(r.try_get(4)?),
        holder: r.try_get(5)?,
        proof: r.try_get(6)?,
        requested_by: r.try_get(7)?,
        requested_at: r.try_get(8)?,
        status: r.try_get(9)?,
        decided_by: r.try_get(10)?,
    })
}

fn one(c: &mut impl GenericClient, id: i64) -> Result<Option<BankChange>, BankChangeError> {
    Ok(c.query_opt(
        &format!(
            "SELECT {COLUMNS} FROM bank_change_requests c
             LEFT JOIN payees p ON p.id = c.payee_id WHERE c.id = $1"
        ),
        &[&id],
    )?
    .as_ref()
    .map(change)
    .transpose()?)
}

/// A count read back from a BIGINT.
fn count(n: i64) -> u64 {
    n.unsigned_abs()
}

/// The people whose rights in payment a payee receives, and their monthly total (the sum
/// cast back from NUMERIC).
fn impact(c: &mut impl GenericClient, payee: &str) -> Result<Impact, BankChangeError> {
    let r = c.query_one(
        "SELECT count(DISTINCT dossier), coalesce(sum(monthly_amount), 0)::BIGINT FROM rights
         WHERE payee_id = $1 AND status = 'en_paiement'",
        &[&payee],
    )?;
    Ok(Impact {
        people: count(r.try_get(0)?),
        monthly_cents: r.try_get(1)?,
    })
}

/// Replaces the payee's approval by one for its details now (the trigger
/// `bank_approvals_latest` keeps every approval in `bank_approval_log`).
fn approve_now(
    c: &mut impl GenericClient,
    payee: &str,
    iban: &str,
    request: Option<i64>,
    actor: &str,
) -> Result<(), BankChangeError> {
    c.execute("DELETE FROM bank_approvals WHERE payee_id = $1", &[&payee])?;
    c.execute(
        "INSERT INTO bank_approvals (payee_id, iban, approved_by, approved_at, changed_on,
             request_id)
         SELECT id, $2, $3, $4, iban_changed_on, $5 FROM payees WHERE id = $1",
        &[&payee, &iban, &actor, &crate::now(), &request],
    )?;
    Ok(())
}

/// Whether `payee` pays a right of a person of `site` (of `dossier`, when given).
fn pays_someone_of(
    c: &mut impl GenericClient,
    payee: &str,
    dossier: Option<&str>,
    site: &str,
) -> Result<bool, StoreError> {
    Ok(c.query_one(
        "SELECT EXISTS (SELECT 1 FROM rights r JOIN beneficiaries b ON b.dossier = r.dossier
                        WHERE r.payee_id = $1 AND b.site = $2
                          AND ($3::TEXT IS NULL OR r.dossier = $3))",
        &[&payee, &site, &dossier],
    )?
    .try_get(0)?)
}

impl BankChangeStore for PgStore {
    fn request_bank_change(
        &mut self,
        actor: &str,
        c: &NewBankChange,
    ) -> Result<i64, BankChangeError> {
        check_request(c)?;
        let mut tx = write(self.client.get_mut())?;
        let user = users::require_any(&mut tx, actor, ASK)?;
        let kind: Option<String> = tx
            .query_opt("SELECT kind FROM payees WHERE id = $1", &[&c.payee_id])?
            .map(|r| r.try_get(0))
            .transpose()?;
        let kind = kind.ok_or_else(|| BankChangeError::UnknownPayee(c.payee_id.clone()))?;
        // An agent bound to a site asks only for the people of that site: a payee that pays
        // none of them, or a person of another site, does not exist for them.
        if let Some(site) = &user.site
            && !pays_someone_of(&mut tx, &c.payee_id, c.dossier.as_deref(), site)?
        {
            return Err(BankChangeError::UnknownPayee(c.payee_id.clone()));
        }
        if let Some(dossier) = &c.dossier {
            let paid: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM rights WHERE dossier = $1 AND payee_id = $2)",
                    &[dossier, &c.payee_id],
                )?
                .try_get(0)?;
            bank_change::may_ask_from_person(&c.payee_id, &kind, paid)?;
        }
        let dossier = c.dossier.clone().unwrap_or_default();
        let id: i64 = tx
            .query_one(
                "INSERT INTO bank_change_requests (payee_id, dossier, iban, bic, holder, proof,
                     requested_by, requested_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &[
                    &c.payee_id,
                    &dossier,
                    &c.iban.as_str(),
                    &c.bic.as_str(),
                    &c.holder.trim(),
                    &c.proof.trim(),
                    &actor,
                    &crate::now(),
                ],
            )?
            .try_get(0)?;
        journal::append(
            &mut tx,
            actor,
            "bank_change_request",
            &request_payload(id, c),
        )?;
        tx.commit()?;
        Ok(id)
    }

    fn decide_bank_change(
        &mut self,
        actor: &str,
        id: i64,
        approve: bool,
        today: &str,
    ) -> Result<BankChange, BankChangeError> {
        let mut tx = write(self.client.get_mut())?;
        let request = tx.query_opt(
            "SELECT payee_id, iban, bic, holder, requested_by, status
             FROM bank_change_requests WHERE id = $1",
            &[&id],
        )?;
        let r = request.ok_or(BankChangeError::NotFound(id))?;
        let (payee, iban, bic, holder, by, status): (
            String,
            String,
            String,
            String,
            String,
            String,
        ) = (
            r.try_get(0)?,
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            r.try_get(4)?,
            r.try_get(5)?,
        );
        decides(users::get(&mut tx, actor)?, actor, id, Some(&by))?;
        if status != "pending" {
            return Err(BankChangeError::AlreadyDecided(id));
        }
        let (decision, kind, payload) = decision(approve, id, &payee, &iban);
        tx.execute(
            "UPDATE bank_change_requests SET status = $2, decided_by = $3, decided_at = $4
             WHERE id = $1",
            &[&id, &decision, &actor, &crate::now()],
        )?;
        if approve {
            tx.execute(
                "UPDATE payees SET iban = $2, bic = $3, holder = $4, iban_changed_on = $5
                 WHERE id = $1",
                &[&payee, &iban, &bic, &holder, &today],
            )?;
            approve_now(&mut tx, &payee, &iban, Some(id), actor)?;
        }
        journal::append(&mut tx, actor, kind, &payload)?;
        let decided = one(&mut tx, id)?.ok_or(BankChangeError::NotFound(id))?;
        tx.commit()?;
        Ok(decided)
    }

    fn approve_imported_change(
        &mut self,
        actor: &str,
        payee_id: &str,
    ) -> Result<u64, BankChangeError> {
        let mut tx = write(self.client.get_mut())?;
        decides(users::get(&mut tx, actor)?, actor, 0, None)?;
        let payee = tx.query_opt(
            "SELECT iban, iban_changed_on FROM payees WHERE id = $1",
            &[&payee_id],
        )?;
        let r = payee.ok_or_else(|| BankChangeError::UnknownPayee(payee_id.to_owned()))?;
        let (iban, changed): (String, Option<String>) = (r.try_get(0)?, r.try_get(1)?);
        if changed.is_none() {
            return Err(BankChangeError::NothingToApprove(payee_id.to_owned()));
        }
        approve_now(&mut tx, payee_id, &iban, None, actor)?;
        let entry = journal::append(
            &mut tx,
            actor,
            "bank_approve",
            &imported_payload(payee_id, &iban, changed.as_deref()),
        )?;
        tx.commit()?;
        Ok(entry.seq)
    }

    fn pending_bank_changes(&self) -> Result<Vec<BankChange>, BankChangeError> {
        let rows = self.conn()?.query(
            &format!(
                "SELECT {COLUMNS} FROM bank_change_requests c
                 LEFT JOIN payees p ON p.id = c.payee_id
                 WHERE c.status = 'pending' ORDER BY c.id"
            ),
            &[],
        )?;
        Ok(rows.iter().map(change).collect::<Result<_, _>>()?)
    }

    fn held_bank_details(
        &self,
        today: jiff::civil::Date,
        window_days: u16,
    ) -> Result<Vec<HeldBankDetails>, BankChangeError> {
        held(&mut *self.conn()?, today, window_days)
    }

    fn first_unpaid_month(&self, today: jiff::civil::Date) -> Result<Month, BankChangeError> {
        let r = self.conn()?.query_one(HISTORY_MONTHS, &[])?;
        let paid = history(r.try_get(0)?, r.try_get(1)?)?;
        Ok(month_guard::first_unpaid(Month::of(today), paid))
    }

    fn bank_change_review(&self, id: i64) -> Result<Option<BankChangeReview>, BankChangeError> {
        let c = &mut *self.conn()?;
        let Some(change) = one(c, id)? else {
            return Ok(None);
        };
        let r = c.query_one(
            "SELECT iban, bic, decided_at FROM bank_change_requests WHERE id = $1",
            &[&id],
        )?;
        let (new_iban, new_bic, decided_at) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        let payee = c
            .query_opt(
                "SELECT kind, iban, bic, holder FROM payees WHERE id = $1",
                &[&change.payee_id],
            )?
            .ok_or_else(|| BankChangeError::UnknownPayee(change.payee_id.clone()))?;
        let old = BankDetails {
            iban: payee.try_get(1)?,
            bic: payee.try_get(2)?,
            holder: payee.try_get(3)?,
        };
        let shared_with = c
            .query(
                "SELECT id, name, kind FROM payees WHERE iban = $1 AND id <> $2
                 ORDER BY id LIMIT 50",
                &[&new_iban, &change.payee_id],
            )?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<_, StoreError>>()?;
        let impact = impact(c, &change.payee_id)?;
        Ok(Some(review(ReviewParts {
            change,
            new_iban,
            new_bic,
            decided_at,
            kind: payee.try_get(0)?,
            old,
            shared_with,
            impact,
        })))
    }

    fn own_payees(&self, dossier: &str) -> Result<Vec<(String, String)>, BankChangeError> {
        let rows = self.conn()?.query(
            "SELECT DISTINCT p.id, p.name, p.kind FROM rights r JOIN payees p ON p.id = r.payee_id
             WHERE r.dossier = $1 ORDER BY p.id",
            &[&dossier],
        )?;
        let rows = rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(own(rows))
    }

    fn payee_page(
        &self,
        payee_id: &str,
        site: Option<&str>,
    ) -> Result<Option<PayeePage>, BankChangeError> {
        let c = &mut *self.conn()?;
        if let Some(site) = site
            && !pays_someone_of(c, payee_id, None, site)?
        {
            return Ok(None);
        }
        let Some(head) = c.query_opt(
            "SELECT kind, name, holder, iban, iban_changed_on FROM payees WHERE id = $1",
            &[&payee_id],
        )?
        else {
            return Ok(None);
        };
        let limit = PAYEE_PAGE_RIGHTS as i64;
        let rights = c
            .query(
                "SELECT r.dossier, coalesce(b.last_name || ' ' || b.first_name, ''), r.id,
                        r.benefit, r.status, r.monthly_amount
                 FROM rights r LEFT JOIN beneficiaries b ON b.dossier = r.dossier
                 WHERE r.payee_id = $1 AND ($3::TEXT IS NULL OR b.site = $3)
                 ORDER BY r.status <> 'en_paiement', r.dossier, r.id LIMIT $2",
                &[&payee_id, &limit, &site],
            )?
            .iter()
            .map(|r| {
                Ok(PaidRight {
                    dossier: r.try_get(0)?,
                    name: r.try_get(1)?,
                    right_id: r.try_get(2)?,
                    benefit: r.try_get(3)?,
                    status: r.try_get(4)?,
                    monthly_cents: r.try_get(5)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let requests = c
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM bank_change_requests c
                     LEFT JOIN payees p ON p.id = c.payee_id
                     WHERE c.payee_id = $1 ORDER BY c.id DESC LIMIT 50"
                ),
                &[&payee_id],
            )?
            .iter()
            .map(change)
            .collect::<Result<_, _>>()?;
        let iban: String = head.try_get(3)?;
        Ok(Some(PayeePage {
            id: payee_id.to_owned(),
            kind: head.try_get(0)?,
            name: head.try_get(1)?,
            holder: head.try_get(2)?,
            iban_end: iban_end(&iban),
            iban_changed_on: head.try_get(4)?,
            rights,
            impact: impact(c, payee_id)?,
            requests,
        }))
    }
}

/// The rights in payment a payee receives, RSA aside, as BIGINTs (see `sqlite/bank_held.rs`).
fn impact_of(r: &Row, at: usize) -> Result<Impact, StoreError> {
    Ok(Impact {
        people: count(r.try_get(at)?),
        monthly_cents: r.try_get::<_, i64>(at + 1)?,
    })
}

/// Pending requests, then the changes the extracts made within the runs' window that nobody
/// approved (see `sqlite/bank_held.rs`, whose rule and window these are).
fn held(
    c: &mut impl GenericClient,
    today: jiff::civil::Date,
    window_days: u16,
) -> Result<Vec<HeldBankDetails>, BankChangeError> {
    let mut held = Vec::new();
    for r in c.query(
        &format!(
            "SELECT c.id, c.payee_id, p.name, p.kind, c.requested_by, p.iban, p.bic, p.holder,
                    c.iban, c.bic, c.holder, c.requested_at, {IMPACT}
             FROM bank_change_requests c JOIN payees p ON p.id = c.payee_id
             WHERE c.status = 'pending' ORDER BY c.id"
        ),
        &[],
    )? {
        let payee = PayeeNow {
            id: r.try_get(1)?,
            name: r.try_get(2)?,
            kind: r.try_get(3)?,
            details: BankDetails {
                iban: r.try_get(5)?,
                bic: r.try_get(6)?,
                holder: r.try_get(7)?,
            },
        };
        let new = BankDetails {
            iban: r.try_get(8)?,
            bic: r.try_get(9)?,
            holder: r.try_get(10)?,
        };
        let impact = impact_of(&r, 12)?;
        held.push(requested(
            r.try_get(0)?,
            r.try_get(4)?,
            payee,
            new,
            r.try_get(11)?,
            impact,
        ));
    }
    let start = window_start(today, window_days).to_string();
    for r in c.query(
        &format!(
            "SELECT p.id, p.name, p.kind, p.iban, p.bic, p.holder, p.iban_changed_on, {IMPACT}
             FROM payees p
             WHERE p.iban_changed_on >= $1 AND p.iban_changed_on <= $2
               AND NOT EXISTS (SELECT 1 FROM bank_approvals_current a
                               WHERE a.payee_id = p.id AND a.iban = p.iban)
               AND EXISTS (SELECT 1 FROM rights r WHERE r.payee_id = p.id
                           AND r.status = 'en_paiement' AND r.benefit <> 'RSA')
             ORDER BY p.iban_changed_on, p.id"
        ),
        &[&start, &today.to_string()],
    )? {
        let payee = PayeeNow {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            kind: r.try_get(2)?,
            details: BankDetails {
                iban: r.try_get(3)?,
                bic: r.try_get(4)?,
                holder: r.try_get(5)?,
            },
        };
        let impact = impact_of(&r, 7)?;
        held.push(imported(payee, r.try_get(6)?, impact));
    }
    Ok(held)
}
