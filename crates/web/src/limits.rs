//! How much a form may carry: every field typed by a person has a length limit, stated in the
//! form (`maxlength`, and for long texts a hint) and checked here, on the server, for every
//! form of every route before its handler runs — a browser that ignores `maxlength`, or a
//! script, gets a 422 page that names the field, never a 2 MB public message. A body larger
//! than any form needs is refused before it is read whole (413).
//!
//! The table is the one place of these limits; a test reads every template and checks that
//! each typed field declares a `maxlength` no larger than its limit here.

use crate::app::Shared;
use crate::pages::{ErrorPage, Head, render};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// The largest body any form of Relais sends (a crisis notification: eight fields of 4,000
/// characters, percent-encoded), with room.
pub const BODY_MAX: usize = 256 * 1024;

/// A field not in [`FIELDS`] (a long free text).
pub const DEFAULT_MAX: usize = 4000;

/// Field name, its limit in characters, and how the form labels it (for the error).
pub const FIELDS: &[(&str, usize, &str)] = &[
    ("login", 100, "Identifiant"),
    ("password", 1024, "Mot de passe"),
    ("actuel", 1024, "Mot de passe actuel"),
    // As `compte::MAX_CHARS`.
    ("nouveau", 256, "Nouveau mot de passe"),
    (
        "confirmation",
        256,
        "Nouveau mot de passe, une seconde fois",
    ),
    ("q", 200, "Recherche"),
    ("note", 2000, "Note"),
    ("affected", 2000, "Ce qui est touché"),
    ("guaranteed", 2000, "Ce qui est garanti"),
    // SEPA: a name of at most 70 characters (EPC Implementation Guidelines, Nm).
    ("holder", 70, "Titulaire du compte"),
    ("proof", 300, "Pièce présentée"),
    ("iban", 50, "IBAN"),
    ("bic", 20, "BIC"),
    ("motif", 500, "Motif"),
    ("reason", 500, "Motif"),
    ("legal_reference", 300, "Référence de la décision"),
    ("decided_by", 300, "Décidée par"),
    ("title", 300, "Intitulé"),
    ("owner", 100, "Responsable"),
    ("system", 200, "Système"),
    ("site", 200, "Site"),
    ("site_code", 30, "Code du site"),
    ("service", 200, "Service"),
    ("phone", 40, "Téléphone"),
    ("email", 254, "Courriel"),
    ("address", 500, "Adresse"),
    ("hours", 300, "Horaires"),
    ("place", 300, "Lieu"),
    ("reference", 200, "Référence"),
    ("document", 300, "Document"),
    ("dossier", 30, "Numéro de dossier"),
    ("depositor", 200, "Déposant"),
    ("subject", 300, "Objet"),
    ("invoice_number", 60, "Numéro de facture"),
    ("siret", 20, "SIRET"),
    ("pages", 10, "Nombre de pages"),
    ("people_count", 30, "Nombre de personnes"),
    ("record_count", 30, "Nombre d'enregistrements"),
    ("people_categories", 2000, "Catégories de personnes"),
    ("record_categories", 2000, "Catégories d'enregistrements"),
    ("dpo_contact", 500, "Contact du délégué"),
    (
        "missing",
        relais_core::deposits::MAX_MISSING_TEXT,
        "Pièces manquantes",
    ),
    (
        "backdate_reason",
        relais_core::deposits::MAX_REASON,
        "Motif de l'enregistrement différé",
    ),
    ("completes", 20, "Complète la demande n°"),
    ("delay_reasons", 4000, "Motifs du retard"),
    // Dates typed JJ/MM/AAAA (HH:MM).
    ("month", 20, "Mois"),
    ("du", 20, "Du"),
    ("au", 20, "Au"),
    ("at", 20, "Date et heure"),
    ("sent_at", 20, "Envoyée le"),
    ("due", 20, "Échéance"),
    ("received_at", 20, "Reçu le"),
    ("invoice_date", 20, "Date de la facture"),
    ("missing_deadline", 20, "À produire au plus tard le"),
    ("deadline", 20, "Date limite de la consultation"),
    ("paye_le", 20, "Payée le"),
    ("source", 200, "Selon"),
];

/// The limit of field `name`, in characters.
pub fn max(name: &str) -> usize {
    FIELDS
        .iter()
        .find(|(n, ..)| *n == name)
        .map_or(DEFAULT_MAX, |(_, max, _)| *max)
}

fn label(name: &str) -> &str {
    FIELDS
        .iter()
        .find(|(n, ..)| *n == name)
        .map_or(name, |(_, _, label)| label)
}

/// The first field of an URL-encoded body over its limit, as the agent reads it.
pub fn check(body: &[u8]) -> Result<(), String> {
    for (name, value) in form_urlencoded::parse(body) {
        let (max, count) = (max(&name), value.chars().count());
        if count > max {
            return Err(format!(
                "le champ « {} » dépasse {} caractères ({} saisis)",
                label(&name),
                relais_documents::french::count(max as u64),
                relais_documents::french::count(count as u64)
            ));
        }
    }
    Ok(())
}

/// Middleware: every URL-encoded POST is checked against [`FIELDS`] before its handler.
pub async fn limit_forms(State(app): State<Shared>, request: Request, next: Next) -> Response {
    let is_form = request.method() == Method::POST
        && request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_MAX).await else {
        return refusal(
            &app,
            StatusCode::PAYLOAD_TOO_LARGE,
            "le formulaire envoyé est trop volumineux",
        );
    };
    if let Err(why) = check(&bytes) {
        tracing::info!(path = %parts.uri.path(), "form refused: a field over its length limit");
        return refusal(&app, StatusCode::UNPROCESSABLE_ENTITY, &why);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn refusal(app: &Shared, status: StatusCode, why: &str) -> Response {
    let page = ErrorPage {
        head: Head::new(&app.config.authority, "Formulaire refusé", None, ""),
        message: format!("Formulaire refusé : {why}. Raccourcissez le texte et recommencez."),
    };
    render(status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_over_its_limit_is_named() {
        assert!(check(b"note=court&csrf_token=abc").is_ok());
        let long = format!("note={}", "é".repeat(2001));
        let why = check(long.as_bytes()).expect_err("too long");
        assert!(
            why.contains("« Note » dépasse 2\u{a0}000 caractères (2\u{a0}001 saisis)"),
            "{why}"
        );
        let unknown = format!("autre={}", "x".repeat(DEFAULT_MAX + 1));
        assert!(check(unknown.as_bytes()).is_err());
        assert_eq!(max("holder"), 70);
    }

    /// Every field a person types, in every template, declares a `maxlength` within the
    /// server's limit.
    #[test]
    fn every_typed_field_of_every_template_states_its_limit() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("templates") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("template");
            for tag in tags(&text) {
                let kind = attribute(tag, "type").unwrap_or("text");
                let typed = tag.starts_with("<textarea")
                    || ["text", "search", "tel", "email", "password", "number"].contains(&kind);
                if !typed {
                    continue;
                }
                let name = attribute(tag, "name").unwrap_or("");
                match attribute(tag, "maxlength").and_then(|m| m.parse::<usize>().ok()) {
                    Some(m) if m <= max(name) => {}
                    _ => missing.push(format!("{}: {name}", path.display())),
                }
            }
        }
        assert!(
            missing.is_empty(),
            "fields without a stated limit: {missing:#?}"
        );
    }

    fn tags(text: &str) -> Vec<&str> {
        let mut found = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find(['<']) {
            rest = &rest[start..];
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            let tag = &rest[..end];
            if tag.starts_with("<input") || tag.starts_with("<textarea") {
                found.push(tag);
            }
            rest = &rest[end.max(1)..];
        }
        found
    }

    fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
        let key = format!(" {name}=\"");
        let start = tag.find(&key)? + key.len();
        tag[start..].find('"').map(|end| &tag[start..start + end])
    }
}
