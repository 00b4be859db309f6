//! What the store holds of a journal entry beyond its payload, for the export's `before` and
//! `after`: the full bank details a payload masks, the state an entry replaced.

use crate::StoreError;
use crate::handback::Detail;
use relais_core::journal::Entry;
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Value, json};

pub(super) fn detail(conn: &Connection, e: &Entry, p: &Value) -> Result<Detail, StoreError> {
    let text = |name: &str| p[name].as_str().map(str::to_owned);
    Ok(match e.kind.as_str() {
        "bank_change_request" | "bank_change_approve" | "bank_change_refuse" => {
            let Some(request) = p["request"].as_i64() else {
                return Ok(Detail::default());
            };
            let asked = conn
                .prepare_cached(
                    "SELECT payee_id, dossier, iban, bic, holder, proof FROM bank_change_requests
                     WHERE id = ?1",
                )?
                .query_row([request], |r| {
                    Ok(json!({
                        "request": request,
                        "payee": r.get::<_, String>(0)?,
                        "dossier": r.get::<_, String>(1)?,
                        "iban": r.get::<_, String>(2)?,
                        "bic": r.get::<_, String>(3)?,
                        "holder": r.get::<_, String>(4)?,
                        "proof": r.get::<_, String>(5)?,
                    }))
                })
                .optional()?;
            let Some(mut after) = asked else {
                return Ok(Detail::default());
            };
            after["status"] = bank_change_status(&e.kind).into();
            let before = match (e.kind.as_str(), after["payee"].as_str()) {
                // The approval this one replaced, when the store holds one.
                ("bank_change_approve", Some(payee)) => previous_approval(
                    conn,
                    payee,
                    "request_id = ?2",
                    rusqlite::types::Value::Integer(request),
                )?,
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
            let this: Option<(i64, String, Option<String>)> = conn
                .prepare_cached(
                    "SELECT id, iban, changed_on FROM bank_approval_log
                     WHERE payee_id = ?1 AND approved_at <= ?2 ORDER BY id DESC LIMIT 1",
                )?
                .query_row([&payee, &e.at], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let Some((id, iban, changed_on)) = this else {
                return Ok(Detail::default());
            };
            Detail {
                before: previous_approval(
                    conn,
                    &payee,
                    "id = ?2",
                    rusqlite::types::Value::Integer(id),
                )?,
                after: Some(json!({ "payee": payee, "iban": iban, "changed_on": changed_on })),
            }
        }
        "invoice_step" => {
            let Some(invoice) = text("invoice") else {
                return Ok(Detail::default());
            };
            // The step before this one (the latest recorded at or before the entry's instant
            // is this one).
            let before = conn
                .prepare_cached(
                    "SELECT step, on_date FROM invoice_steps WHERE invoice = ?1 AND at <= ?2
                     ORDER BY id DESC LIMIT 1 OFFSET 1",
                )?
                .query_row([&invoice, &e.at], |r| {
                    Ok(json!({ "invoice": invoice, "step": r.get::<_, String>(0)?,
                               "on": r.get::<_, String>(1)? }))
                })
                .optional()?;
            Detail {
                before,
                after: None,
            }
        }
        _ => payload_detail(&e.kind, p),
    })
}

/// The status a bank change request has after an entry of `kind` (one of the three
/// `bank_change_*`).
pub(crate) fn bank_change_status(kind: &str) -> &'static str {
    match kind {
        "bank_change_request" => "pending",
        "bank_change_approve" => "approved",
        _ => "refused",
    }
}

/// The details the payload itself carries (what changed from what), for the kinds whose
/// detail needs no table.
pub(crate) fn payload_detail(kind: &str, p: &Value) -> Detail {
    match kind {
        "task.status" => Detail {
            before: Some(json!({ "status": p["from"] })),
            after: Some(json!({ "id": p["task"], "status": p["to"] })),
        },
        "system.status" => Detail {
            before: Some(json!({ "status": p["from"] })),
            after: Some(json!({ "id": p["system"], "status": p["to"], "note": p["note"] })),
        },
        "directory.set" => Detail {
            before: Some(p["old"].clone()).filter(|v| !v.is_null()),
            after: Some(p["new"].clone()),
        },
        _ => Detail::default(),
    }
}

/// The payee's approval logged before the one `which` names (`?2`), as `{iban, approved_at}`.
fn previous_approval(
    conn: &Connection,
    payee: &str,
    which: &str,
    key: rusqlite::types::Value,
) -> Result<Option<Value>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT iban, approved_at FROM bank_approval_log
             WHERE payee_id = ?1 AND id < (SELECT id FROM bank_approval_log WHERE {which})
             ORDER BY id DESC LIMIT 1"
        ))?
        .query_row(rusqlite::params![payee, key], |r| {
            Ok(json!({ "iban": r.get::<_, String>(0)?, "approved_at": r.get::<_, String>(1)? }))
        })
        .optional()?)
}
