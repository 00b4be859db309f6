//! The hand-back's journal export (docs/journal-export.md): the schema's name, each event's
//! stable id, and which entity a journal entry changed, read from its kind and payload alone.
//! Pure: the export (relais_app::handback) and the replica (relais_store::replica) both use it.

use serde_json::Value;

/// The schema of `evenements.jsonl`, in its header line. A change that a reader of version 1
/// would misread takes a new number.
pub const SCHEMA: &str = "relais.journal-export/1";

/// An event's id, stable across re-exports and unique across authorities.
pub fn event_id(siret: &str, seq: u64) -> String {
    format!("{siret}-{seq}")
}

/// What an event changed: the entity's type (a French word, as the CSVs say it) and its id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entity {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The entity journal entry `seq` of `kind` changed, from its payload; `None` for a kind
/// this version does not know (it is still exported, with `after` its payload).
pub fn entity(seq: u64, kind: &str, payload: &Value) -> Option<Entity> {
    let field = |name: &str| text(&payload[name]);
    let (entity, id) = match kind {
        "session.open"
        | "session.close"
        | "user.add"
        | "user.enable"
        | "user.disable"
        | "user.password"
        | "password_reset"
        | "privileged_account_created"
        | "privileged_account_changed" => ("utilisateur", field("login")?),
        "payroll_change_ask" | "payroll_change_decide" => ("variable_paie", field("id")?),
        "run_prepare" | "run_validate" | "run_cancel" | "run_export" | "run_regularise" => {
            ("paiement", field("run")?)
        }
        "caf_statement_import" => ("releve_caf", field("month")?),
        "task.add" => ("tache", field("id")?),
        "task.status" => ("tache", field("task")?),
        "directory.set" => (
            "annuaire",
            text(&payload["new"]["site_code"]).or_else(|| text(&payload["old"]["site_code"]))?,
        ),
        "public.message" => ("message_public", "courant".to_owned()),
        "pending_row.handle" => (
            "ligne_a_traiter",
            format!("{}:{}", field("file")?, field("line")?),
        ),
        "pes_return" => (
            "retour_pes",
            field("sha256").unwrap_or_else(|| seq.to_string()),
        ),
        "deposit.register" | "deposit.cancel" => ("depot", field("number")?),
        "payment_certificate" => ("attestation", format!("{}-{seq}", field("dossier")?)),
        "contact_log" => ("contact", field("contact")?),
        "courante.add" => ("main_courante", field("id")?),
        "systems.import" => ("inventaire_systemes", seq.to_string()),
        "system.status" => ("systeme", field("system")?),
        "invoice_step" => ("facture", field("invoice")?),
        "incident.fact" => ("fait_incident", field("id")?),
        "cnil.notification" => ("notification_cnil", field("id")?),
        "run_release_duplicate" => (
            "droit_mois",
            format!("{}/{}", field("right")?, field("month")?),
        ),
        "bank_change_request" | "bank_change_refuse" => ("demande_rib", field("request")?),
        "bank_change_approve" | "bank_approve" => ("rib", field("payee")?),
        "supplier_bank_approve" => ("rib_fournisseur", field("siret")?),
        "rights_renew" => ("renouvellement_droits", seq.to_string()),
        "numbering_set" => ("numerotation", field("exercice")?),
        "order_issued" => ("bon_de_commande", field("number")?),
        "import" => ("import", seq.to_string()),
        "journal_export" => ("export_journal", seq.to_string()),
        "journal_apply" => ("application_journal", seq.to_string()),
        _ => return None,
    };
    Some(Entity {
        kind: entity.to_owned(),
        id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_kind_names_its_entity_and_an_unknown_kind_none() {
        let e = entity(7, "deposit.register", &json!({ "number": "2026-000017" }));
        assert_eq!(
            e,
            Some(Entity {
                kind: "depot".into(),
                id: "2026-000017".into()
            })
        );
        let e = entity(
            9,
            "bank_approve",
            &json!({ "payee": "T001", "iban": "FR76…" }),
        );
        assert_eq!(e.map(|e| e.kind), Some("rib".to_owned()));
        assert_eq!(
            entity(3, "payroll_change_ask", &json!({ "id": 12 })).map(|e| e.id),
            Some("12".to_owned())
        );
        assert_eq!(
            entity(4, "rights_renew", &json!({})).map(|e| e.id),
            Some("4".to_owned())
        );
        assert_eq!(entity(5, "checkpoint.new_kind", &json!({ "x": 1 })), None);
        // A payload that lacks its id is exported without an entity rather than refused.
        assert_eq!(entity(6, "deposit.register", &json!({})), None);
        assert_eq!(event_id("21770001700019", 42), "21770001700019-42");
    }
}
