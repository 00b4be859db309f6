//! What the store holds of a journal entry beyond its payload (see `sqlite/handback/detail.rs`,
//! whose payload-only details and statuses are shared): the full bank details a payload
//! masks, the state an entry replaced.

use crate::StoreError;
use crate::handback::Detail;
use crate::sqlite::handback::detail::{bank_change_status, payload_detail};
use postgres::GenericClient;
use relais_core::journal::Entry;
use serde_json::{Value, json};

pub(super) fn detail(
    c: &mut impl GenericClient,
    e: &Entry,
    p: &Value,
) -> Result<Detail, StoreError> {
    let text = |name: &str| p[name].as_str().map(str::to_owned);
    Ok(match e.kind.as_str() {
        "bank_change_request" | "bank_change_approve" | "bank_change_refuse" => {
            let Some(request) = p["request"].as_i64() else {
                return Ok(Detail::default());
            };
            let Some(r) = c.query_opt(
                "SELECT payee_id, dossier, iban, bic, holder, proof FROM bank_change_requests
                 WHERE id = $1",
                &[&request],
            )?
            else {
                return Ok(Detail::default());
            };
            let mut after = json!({
                "request": request,
                "payee": r.try_get::<_, String>(0)?,
                "dossier": r.try_get::<_, String>(1)?,
                "iban": r.try_get::<_, String>(2)?,
                "bic": r.try_get::<_, String>(3)?,
                "holder": r.try_get::<_, String>(4)?,
                "proof": r.try_get::<_, String>(5)?,
            });
            after["status"] = bank_change_status(&e.kind).into();
            let before = match (e.kind.as_str(), after["payee"].as_str()) {
                // The approval this one replaced, when the store holds one.
                ("bank_change_approve", Some(payee)) => {
                    previous_approval(c, payee, "request_id = $2", request)?
                }
                _ => None,
            };
            Detail {
                before,
                after: Some(after),
            }
        }
        "bank_approve" => {
            let Some(payee) = text("payee") else {
                return Ok(Detail::default());
            };
            let Some(r) = c.query_opt(
                "SELECT id, iban, changed_on FROM bank_approval_log
                 WHERE payee_id = $1 AND approved_at <= $2 ORDER BY id DESC LIMIT 1",
                &[&payee, &e.at],
            )?
            else {
                return Ok(Detail::default());
            };
            let (id, iban, changed_on): (i64, String, Option<String>) =
                (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            Detail {
                before: previous_approval(c, &payee, "id = $2", id)?,
                after: Some(json!({ "payee": payee, "iban": iban, "changed_on": changed_on })),
            }
        }
        "invoice_step" => {
            let Some(invoice) = text("invoice") else {
                return Ok(Detail::default());
            };
            // The step before this one (the latest recorded at or before the entry's instant
            // is this one).
            let before = c
                .query_opt(
                    "SELECT step, on_date FROM invoice_steps WHERE invoice = $1 AND at <= $2
                     ORDER BY id DESC LIMIT 1 OFFSET 1",
                    &[&invoice, &e.at],
                )?
                .map(|r| -> Result<Value, StoreError> {
                    Ok(
                        json!({ "invoice": invoice, "step": r.try_get::<_, String>(0)?,
                               "on": r.try_get::<_, String>(1)? }),
                    )
                })
                .transpose()?;
            Detail {
                before,
                after: None,
            }
        }
        _ => payload_detail(&e.kind, p),
    })
}

/// The payee's approval logged before the one `which` names (`$2`), as `{iban, approved_at}`.
fn previous_approval(
    c: &mut impl GenericClient,
    payee: &str,
    which: &str,
    key: i64,
) -> Result<Option<Value>, StoreError> {
    c.query_opt(
        &format!(
            "SELECT iban, approved_at FROM bank_approval_log
             WHERE payee_id = $1 AND id < (SELECT id FROM bank_approval_log WHERE {which})
             ORDER BY id DESC LIMIT 1"
        ),
        &[&payee, &key],
    )?
    .map(|r| {
        Ok(json!({ "iban": r.try_get::<_, String>(0)?,
                   "approved_at": r.try_get::<_, String>(1)? }))
    })
    .transpose()
}
