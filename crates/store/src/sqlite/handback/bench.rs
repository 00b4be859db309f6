//! A journal of many events, fast, for `bench/journal_export.sh` (`relais bench journal`):
//! entries of the kinds the crisis writes most, each appended as the store appends any entry,
//! so that the chain is valid; one transaction.

use super::super::{SqliteStore, journal};
use crate::StoreError;
use serde_json::json;

impl SqliteStore {
    /// Appends `count` synthetic entries by `actor`; the journal's head after them.
    pub fn append_bench_events(&mut self, actor: &str, count: u64) -> Result<u64, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let start = jiff::Timestamp::now();
        let mut head = 0;
        for i in 0..count {
            let at = start
                .checked_add(jiff::SignedDuration::from_millis(i as i64))
                .unwrap_or(start)
                .to_string();
            let (kind, payload) = match i % 10 {
                0..=3 => (
                    "deposit.register",
                    json!({
                        "number": format!("2026-{:06}", i + 1),
                        "received_at": at, "registered_at": at, "backdate_reason": null,
                        "kind": "aide_sociale", "depositor": format!("Déposant n° {i}"),
                        "pages": 1 + i % 7, "siret": null, "invoice_number": null,
                        "amount": null, "bid_deadline": null, "missing": [],
                        "missing_deadline": null, "completes": null,
                        "receipt_code": format!("R{i:012}"), "dossier": format!("D{:07}", i % 100_000),
                    }),
                ),
                4..=6 => (
                    "courante.add",
                    json!({
                        "id": i + 1, "at": at, "author": actor, "kind": "information",
                        "text": format!("Point de situation n° {i} : paiements assurés, accueil ouvert."),
                        "corrects": null, "system": null, "site": "SIEGE", "document": null,
                    }),
                ),
                7 | 8 => (
                    "invoice_step",
                    json!({ "invoice": format!("F{:07}", i % 50_000), "step": "service_fait",
                            "on": "2026-12-10" }),
                ),
                _ => (
                    "payroll_change_ask",
                    json!({ "id": i + 1, "matricule": format!("M{:05}", i % 5_000),
                            "kind": "heures_sup", "change": { "heures": 4 },
                            "proof": "état signé", "reason": "heures supplémentaires" }),
                ),
            };
            head = journal::append_at(&tx, actor, kind, &payload, at)?.seq;
        }
        tx.commit()?;
        Ok(head)
    }
}
