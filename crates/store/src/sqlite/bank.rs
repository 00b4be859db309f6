//! Bank-detail change requests in SQLite (see [`crate::bank`]).

use super::{SqliteStore, journal, users};
use crate::StoreError;
use crate::bank::{
    BankChange, BankChangeError, BankChangeReview, BankChangeStore, BankDetails, HeldBankDetails,
    Impact, NewBankChange, PAYEE_PAGE_RIGHTS, PaidRight, PayeePage,
};
use relais_core::bank_change::{self, ASK};
use relais_core::ids::Iban;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde_json::json;

/// An IBAN as the journal and the screens show it: its first and last four characters.
pub(crate) fn masked(iban: &str) -> String {
    relais_core::ids::mask_iban(iban)
}

/// A request's columns as [`BankChange`] shows them (`c`, with its payee `p` joined).
pub(crate) const COLUMNS: &str =
    "c.id, c.payee_id, coalesce(p.name, ''), c.dossier, c.iban, c.holder, c.proof,
    c.requested_by, c.requested_at, c.status, c.decided_by";

/// The person's page a request was asked from: none when stored empty (asked from the
/// payee's own page).
pub(crate) fn asked_from(dossier: String) -> Option<String> {
    (!dossier.is_empty()).then_some(dossier)
}

fn change(r: &Row<'_>) -> rusqlite::Result<BankChange> {
    Ok(BankChange {
        id: r.get(0)?,
        payee_id: r.get(1)?,
        payee_name: r.get(2)?,
        dossier: asked_from(r.get(3)?),
        iban_masked: masked(&r.get::<_, String>(4)?),
        holder: r.get(5)?,
        proof: r.get(6)?,
        requested_by: r.get(7)?,
        requested_at: r.get(8)?,
        status: r.get(9)?,
        decided_by: r.get(10)?,
    })
}

fn one(conn: &Connection, id: i64) -> Result<Option<BankChange>, BankChangeError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM bank_change_requests c
                 LEFT JOIN payees p ON p.id = c.payee_id WHERE c.id = ?1"
            ),
            [id],
            change,
        )
        .optional()?)
}

/// The one rule ([`bank_change::may_decide`]) against `actor`'s roles as the store knows them,
/// in the caller's transaction.
fn may_decide(
    conn: &Connection,
    actor: &str,
    id: i64,
    requester: Option<&str>,
) -> Result<(), BankChangeError> {
    decides(users::get(conn, actor)?, actor, id, requester)
}

/// [`bank_change::may_decide`] for `user`, the store's record of `actor`.
pub(crate) fn decides(
    user: Option<crate::User>,
    actor: &str,
    id: i64,
    requester: Option<&str>,
) -> Result<(), BankChangeError> {
    let user = user.ok_or_else(|| StoreError::UnknownUser(actor.into()))?;
    if user.disabled {
        return Err(StoreError::DisabledUser(actor.into()).into());
    }
    bank_change::may_decide(&user.roles, actor, requester)
        .map_err(|why| BankChangeError::Decision(id, why))
}

/// What a request must say before anything is read: the proof seen and the holder.
pub(crate) fn check_request(c: &NewBankChange) -> Result<(), BankChangeError> {
    if c.proof.trim().is_empty() {
        return Err(BankChangeError::NoProof);
    }
    if c.holder.trim().is_empty() {
        return Err(BankChangeError::NoHolder);
    }
    Ok(())
}

/// The journal's record of request `id` (the IBAN masked: the journal is read more widely
/// than the payee file).
pub(crate) fn request_payload(id: i64, c: &NewBankChange) -> serde_json::Value {
    json!({ "request": id, "payee": c.payee_id, "dossier": c.dossier,
            "iban": masked(c.iban.as_str()), "proof": c.proof.trim() })
}

/// A decision's status, journal kind and payload.
pub(crate) fn decision(
    approve: bool,
    id: i64,
    payee: &str,
    iban: &str,
) -> (&'static str, &'static str, serde_json::Value) {
    let payload = json!({ "request": id, "payee": payee, "iban": masked(iban) });
    if approve {
        ("approved", "bank_change_approve", payload)
    } else {
        ("refused", "bank_change_refuse", payload)
    }
}

/// The journal's record of an approval of the details the extracts changed.
pub(crate) fn imported_payload(
    payee: &str,
    iban: &str,
    changed: Option<&str>,
) -> serde_json::Value {
    json!({ "payee": payee, "iban": masked(iban), "changed_on": changed })
}

/// The payees of a person (id, name, kind) whose details may be changed from their page.
pub(crate) fn own(
    payees: impl IntoIterator<Item = (String, String, String)>,
) -> Vec<(String, String)> {
    payees
        .into_iter()
        .filter(|(id, _, kind)| bank_change::may_ask_from_person(id, kind, true).is_ok())
        .map(|(id, name, _)| (id, name))
        .collect()
}

/// The request's review from what was read: the new IBAN's country is told here.
pub(crate) struct ReviewParts {
    pub change: BankChange,
    pub new_iban: String,
    pub new_bic: String,
    pub decided_at: Option<String>,
    pub kind: String,
    pub old: BankDetails,
    pub shared_with: Vec<(String, String, String)>,
    pub impact: Impact,
}

pub(crate) fn review(p: ReviewParts) -> BankChangeReview {
    let (country, abroad) = match Iban::parse(&p.new_iban) {
        Ok(iban) => bank_change::bank_country(&iban),
        Err(_) => ("IBAN illisible", true),
    };
    BankChangeReview {
        new: BankDetails {
            iban: p.new_iban,
            bic: p.new_bic,
            holder: p.change.holder.clone(),
        },
        change: p.change,
        payee_kind: p.kind,
        decided_at: p.decided_at,
        old: p.old,
        country,
        abroad,
        shared_with: p.shared_with,
        impact: p.impact,
    }
}

/// An IBAN with all but its last four characters hidden.
pub(crate) fn iban_end(iban: &str) -> String {
    iban.get(iban.len().saturating_sub(4)..)
        .unwrap_or("")
        .to_owned()
}

/// The people whose rights in payment a payee receives, and their monthly total.
fn impact(conn: &Connection, payee: &str) -> Result<Impact, BankChangeError> {
    Ok(conn.query_row(
        "SELECT count(DISTINCT dossier), coalesce(sum(monthly_amount), 0) FROM rights
         WHERE payee_id = ?1 AND status = 'en_paiement'",
        [payee],
        |r| {
            Ok(Impact {
                people: r.get(0)?,
                monthly_cents: r.get(1)?,
            })
        },
    )?)
}

/// Replaces the payee's approval by one for its details now (the trigger of migration 20
/// keeps every approval in `bank_approval_log`).
fn approve_now(
    conn: &Connection,
    payee: &str,
    iban: &str,
    request: Option<i64>,
    actor: &str,
) -> Result<(), BankChangeError> {
    conn.execute("DELETE FROM bank_approvals WHERE payee_id = ?1", [payee])?;
    conn.execute(
        "INSERT INTO bank_approvals (payee_id, iban, approved_by, approved_at, changed_on,
             request_id)
         SELECT id, ?2, ?3, ?4, iban_changed_on, ?5 FROM payees WHERE id = ?1",
        params![payee, iban, actor, super::now(), request],
    )?;
    Ok(())
}

impl BankChangeStore for SqliteStore {
    fn request_bank_change(
        &mut self,
        actor: &str,
        c: &NewBankChange,
    ) -> Result<i64, BankChangeError> {
        check_request(c)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        users::require_any(&tx, actor, ASK)?;
        let kind: Option<String> = tx
            .query_row(
                "SELECT kind FROM payees WHERE id = ?1",
                [&c.payee_id],
                |r| r.get(0),
            )
            .optional()?;
        let kind = kind.ok_or_else(|| BankChangeError::UnknownPayee(c.payee_id.clone()))?;
        // An agent bound to a site asks only for the people of that site: a payee that pays
        // none of them, or a person of another site, does not exist for them.
        if let Some(site) = users::site_of(&tx, actor)?
            && !pays_someone_of(&tx, &c.payee_id, c.dossier.as_deref(), &site)?
        {
            return Err(BankChangeError::UnknownPayee(c.payee_id.clone()));
        }
        if let Some(dossier) = &c.dossier {
            let paid: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM rights WHERE dossier = ?1 AND payee_id = ?2)",
                params![dossier, c.payee_id],
                |r| r.get(0),
            )?;
            bank_change::may_ask_from_person(&c.payee_id, &kind, paid)?;
        }
        let dossier = c.dossier.clone().unwrap_or_default();
        tx.execute(
            "INSERT INTO bank_change_requests (payee_id, dossier, iban, bic, holder, proof,
                 requested_by, requested_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                c.payee_id,
                dossier,
                c.iban.as_str(),
                c.bic.as_str(),
                c.holder.trim(),
                c.proof.trim(),
                actor,
                super::now()
            ],
        )?;
        let id = tx.last_insert_rowid();
        journal::append(&tx, actor, "bank_change_request", &request_payload(id, c))?;
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
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let request: Option<(String, String, String, String, String, String)> = tx
            .query_row(
                "SELECT payee_id, iban, bic, holder, requested_by, status
                 FROM bank_change_requests WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )
            .optional()?;
        let (payee, iban, bic, holder, by, status) =
            request.ok_or(BankChangeError::NotFound(id))?;
        may_decide(&tx, actor, id, Some(&by))?;
        if status != "pending" {
            return Err(BankChangeError::AlreadyDecided(id));
        }
        let (decision, kind, payload) = decision(approve, id, &payee, &iban);
        tx.execute(
            "UPDATE bank_change_requests SET status = ?2, decided_by = ?3, decided_at = ?4
             WHERE id = ?1",
            params![id, decision, actor, super::now()],
        )?;
        if approve {
            tx.execute(
                "UPDATE payees SET iban = ?2, bic = ?3, holder = ?4, iban_changed_on = ?5
                 WHERE id = ?1",
                params![payee, iban, bic, holder, today],
            )?;
            approve_now(&tx, &payee, &iban, Some(id), actor)?;
        }
        journal::append(&tx, actor, kind, &payload)?;
        let decided = one(&tx, id)?.ok_or(BankChangeError::NotFound(id))?;
        tx.commit()?;
        Ok(decided)
    }

    fn approve_imported_change(
        &mut self,
        actor: &str,
        payee_id: &str,
    ) -> Result<u64, BankChangeError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        may_decide(&tx, actor, 0, None)?;
        let payee: Option<(String, Option<String>)> = tx
            .query_row(
                "SELECT iban, iban_changed_on FROM payees WHERE id = ?1",
                [payee_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (iban, changed) =
            payee.ok_or_else(|| BankChangeError::UnknownPayee(payee_id.to_owned()))?;
        if changed.is_none() {
            return Err(BankChangeError::NothingToApprove(payee_id.to_owned()));
        }
        approve_now(&tx, payee_id, &iban, None, actor)?;
        let entry = journal::append(
            &tx,
            actor,
            "bank_approve",
            &imported_payload(payee_id, &iban, changed.as_deref()),
        )?;
        tx.commit()?;
        Ok(entry.seq)
    }

    fn pending_bank_changes(&self) -> Result<Vec<BankChange>, BankChangeError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM bank_change_requests c LEFT JOIN payees p ON p.id = c.payee_id
             WHERE c.status = 'pending' ORDER BY c.id"
        ))?;
        let rows = stmt.query_map([], change)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn held_bank_details(
        &self,
        today: jiff::civil::Date,
        window_days: u16,
    ) -> Result<Vec<HeldBankDetails>, BankChangeError> {
        super::bank_held::held(&self.conn, today, window_days)
    }

    fn first_unpaid_month(
        &self,
        today: jiff::civil::Date,
    ) -> Result<relais_core::calendar::Month, BankChangeError> {
        super::bank_held::first_unpaid(&self.conn, today)
    }

    fn bank_change_review(&self, id: i64) -> Result<Option<BankChangeReview>, BankChangeError> {
        let Some(c) = one(&self.conn, id)? else {
            return Ok(None);
        };
        let (new_iban, new_bic, decided_at): (String, String, Option<String>) =
            self.conn.query_row(
                "SELECT iban, bic, decided_at FROM bank_change_requests WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
        let (kind, old) = self
            .conn
            .query_row(
                "SELECT kind, iban, bic, holder FROM payees WHERE id = ?1",
                [&c.payee_id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        BankDetails {
                            iban: r.get(1)?,
                            bic: r.get(2)?,
                            holder: r.get(3)?,
                        },
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| BankChangeError::UnknownPayee(c.payee_id.clone()))?;
        let mut stmt = self.conn.prepare(
            "SELECT id, name, kind FROM payees WHERE iban = ?1 AND id <> ?2 ORDER BY id LIMIT 50",
        )?;
        let shared_with = stmt
            .query_map(params![new_iban, c.payee_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<_, _>>()?;
        let impact = impact(&self.conn, &c.payee_id)?;
        Ok(Some(review(ReviewParts {
            change: c,
            new_iban,
            new_bic,
            decided_at,
            kind,
            old,
            shared_with,
            impact,
        })))
    }

    fn own_payees(&self, dossier: &str) -> Result<Vec<(String, String)>, BankChangeError> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT p.id, p.name, p.kind FROM rights r JOIN payees p ON p.id = r.payee_id
             WHERE r.dossier = ?1 ORDER BY p.id",
        )?;
        let rows = stmt
            .query_map([dossier], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(own(rows))
    }

    fn payee_page(
        &self,
        payee_id: &str,
        site: Option<&str>,
    ) -> Result<Option<PayeePage>, BankChangeError> {
        if let Some(site) = site
            && !pays_someone_of(&self.conn, payee_id, None, site)?
        {
            return Ok(None);
        }
        type Head = (String, String, String, String, Option<String>);
        let head: Option<Head> = self
            .conn
            .query_row(
                "SELECT kind, name, holder, iban, iban_changed_on FROM payees WHERE id = ?1",
                [payee_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let Some((kind, name, holder, iban, iban_changed_on)) = head else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare(
            "SELECT r.dossier, coalesce(b.last_name || ' ' || b.first_name, ''), r.id, r.benefit,
                    r.status, r.monthly_amount
             FROM rights r LEFT JOIN beneficiaries b ON b.dossier = r.dossier
             WHERE r.payee_id = ?1 AND (?3 IS NULL OR b.site = ?3)
             ORDER BY r.status <> 'en_paiement', r.dossier, r.id LIMIT ?2",
        )?;
        let rights = stmt
            .query_map(params![payee_id, PAYEE_PAGE_RIGHTS as i64, site], |r| {
                Ok(PaidRight {
                    dossier: r.get(0)?,
                    name: r.get(1)?,
                    right_id: r.get(2)?,
                    benefit: r.get(3)?,
                    status: r.get(4)?,
                    monthly_cents: r.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM bank_change_requests c LEFT JOIN payees p ON p.id = c.payee_id
             WHERE c.payee_id = ?1 ORDER BY c.id DESC LIMIT 50"
        ))?;
        let requests = stmt
            .query_map([payee_id], change)?
            .collect::<Result<_, _>>()?;
        Ok(Some(PayeePage {
            id: payee_id.to_owned(),
            kind,
            name,
            holder,
            iban_end: iban_end(&iban),
            iban_changed_on,
            rights,
            impact: impact(&self.conn, payee_id)?,
            requests,
        }))
    }
}

/// Whether `payee` pays a right of a person of `site` (of `dossier`, when given).
fn pays_someone_of(
    conn: &Connection,
    payee: &str,
    dossier: Option<&str>,
    site: &str,
) -> Result<bool, StoreError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM rights r JOIN beneficiaries b ON b.dossier = r.dossier
                        WHERE r.payee_id = ?1 AND b.site = ?2 AND (?3 IS NULL OR r.dossier = ?3))",
        params![payee, site, dossier],
        |r| r.get(0),
    )?)
}
