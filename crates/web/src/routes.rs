//! The routes, who may use each, and their handlers.

use crate::courrier::{self, COURRIER};
use crate::crise::{self, CRISE};
use crate::desk;
use crate::login::{login, login_form, logout};
use crate::pages::{Annuaire, Failure, Head, render};
use crate::paiements;
use crate::rib;
use crate::{App, Shared};
use axum::extract::{Query, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Router, middleware};
use relais_core::roles::Role;
use relais_store::desk::DeskStore;
use relais_store::sessions::Session;
use serde::Deserialize;
use std::sync::Arc;

pub(crate) use crate::login::{CsrfForm, form_session, page_session};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// A signed-in user holding one of these roles.
    AnyOf(&'static [Role]),
}

pub const DESK: &[Role] = &[Role::Accueil, Role::Instruction, Role::Crise];
pub const PAYMENTS: &[Role] = &[Role::Liquidation, Role::Ordonnateur];
pub const REJECTS: &[Role] = &[Role::Instruction, Role::Admin];
/// Who asks for a change of bank details, and who decides one (never the same person): the
/// rule of `relais_core::bank_change`, which the store applies.
pub const BANK_ASK: &[Role] = relais_core::bank_change::ASK;
pub const BANK_DECIDE: &[Role] = relais_core::bank_change::DECIDE;
/// Who applies a crisis decision renewing rights.
pub const RENEW: &[Role] = &[Role::Instruction, Role::Liquidation, Role::Admin];

/// Every route: method, path (as axum matches it), access. The authorisation matrix test
/// walks this table, so a route missing here is a route without a test.
pub const ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/login", Access::Public),
    ("POST", "/login", Access::Public),
    ("GET", "/static/relais.css", Access::Public),
    ("GET", HTMX_PATH, Access::Public),
    ("GET", "/aide", Access::Public),
    ("GET", "/aide/img/{image}", Access::Public),
    ("POST", "/logout", Access::SignedIn),
    ("GET", crate::compte::PASSWORD_PATH, Access::SignedIn),
    ("POST", crate::compte::PASSWORD_PATH, Access::SignedIn),
    ("GET", "/", Access::SignedIn),
    ("GET", "/annuaire", Access::SignedIn),
    ("GET", "/courrier", Access::AnyOf(COURRIER)),
    ("POST", "/courrier", Access::AnyOf(COURRIER)),
    ("GET", "/courrier/{number}", Access::AnyOf(COURRIER)),
    (
        "GET",
        "/courrier/{number}/recepisse.pdf",
        Access::AnyOf(COURRIER),
    ),
    ("GET", "/courrier/{number}/annuler", Access::AnyOf(COURRIER)),
    (
        "POST",
        "/courrier/{number}/annuler",
        Access::AnyOf(COURRIER),
    ),
    ("GET", "/accueil", Access::AnyOf(DESK)),
    ("POST", "/accueil", Access::AnyOf(DESK)),
    ("GET", "/personne/{dossier}", Access::AnyOf(DESK)),
    (
        "GET",
        "/personne/{dossier}/attestation.pdf",
        Access::AnyOf(DESK),
    ),
    ("POST", "/personne/{dossier}/rib", Access::AnyOf(BANK_ASK)),
    (
        "POST",
        "/personne/{dossier}/contact",
        Access::AnyOf(BANK_ASK),
    ),
    ("GET", "/tiers/{id}", Access::AnyOf(crate::rib::PAYEE_VIEW)),
    ("POST", "/tiers/{id}/rib", Access::AnyOf(BANK_ASK)),
    ("GET", "/rib", Access::AnyOf(BANK_DECIDE)),
    (
        "POST",
        "/tiers/{id}/approbation",
        Access::AnyOf(BANK_DECIDE),
    ),
    ("GET", "/rib/{id}", Access::AnyOf(BANK_DECIDE)),
    ("POST", "/rib/{id}/decision", Access::AnyOf(BANK_DECIDE)),
    ("GET", "/paiements", Access::AnyOf(PAYMENTS)),
    (
        "POST",
        "/paiements/preparer",
        Access::AnyOf(&[Role::Liquidation]),
    ),
    ("GET", "/paiements/{run}", Access::AnyOf(PAYMENTS)),
    (
        "GET",
        "/paiements/{run}/valider",
        Access::AnyOf(&[Role::Ordonnateur]),
    ),
    (
        "POST",
        "/paiements/{run}/valider",
        Access::AnyOf(&[Role::Ordonnateur]),
    ),
    ("POST", "/paiements/{run}/annuler", Access::AnyOf(PAYMENTS)),
    ("POST", "/paiements/{run}/exporter", Access::AnyOf(PAYMENTS)),
    ("POST", "/paiements/{run}/rapport", Access::AnyOf(PAYMENTS)),
    (
        "GET",
        "/paiements/{run}/controle/{name}",
        Access::AnyOf(PAYMENTS),
    ),
    (
        "GET",
        "/paiements/{run}/fichiers/{name}",
        Access::AnyOf(PAYMENTS),
    ),
    (
        "GET",
        "/paiements/{run}/fichiers.zip",
        Access::AnyOf(PAYMENTS),
    ),
    ("GET", "/renouvellement", Access::AnyOf(RENEW)),
    ("POST", "/renouvellement", Access::AnyOf(RENEW)),
    ("GET", "/renouvellement/confirmer", Access::AnyOf(RENEW)),
    ("GET", "/crise", Access::AnyOf(CRISE)),
    ("GET", "/crise/horloge", Access::AnyOf(CRISE)),
    ("GET", "/crise/courante", Access::AnyOf(CRISE)),
    ("POST", "/crise/courante", Access::AnyOf(CRISE)),
    ("GET", "/crise/courante.csv", Access::AnyOf(CRISE)),
    ("GET", "/crise/courante.pdf", Access::AnyOf(CRISE)),
    ("GET", "/crise/incident", Access::AnyOf(CRISE)),
    ("POST", "/crise/incident/fait", Access::AnyOf(CRISE)),
    ("POST", "/crise/incident/cnil", Access::AnyOf(CRISE)),
    ("GET", "/crise/incident.pdf", Access::AnyOf(CRISE)),
    ("GET", "/crise/systemes", Access::SignedIn),
    ("POST", "/crise/systemes/{id}/statut", Access::AnyOf(CRISE)),
    ("GET", "/crise/systemes/{id}/statut", Access::AnyOf(CRISE)),
    ("GET", "/crise/taches", Access::SignedIn),
    ("POST", "/crise/taches", Access::AnyOf(CRISE)),
    ("POST", "/crise/taches/{id}/statut", Access::AnyOf(CRISE)),
    ("GET", "/crise/public", Access::SignedIn),
    ("POST", "/crise/public/message", Access::AnyOf(CRISE)),
    ("GET", "/crise/public/apercu", Access::SignedIn),
    ("GET", "/crise/public/relais-public.css", Access::Public),
    ("GET", "/annuaire/modifier", Access::AnyOf(CRISE)),
    ("POST", "/annuaire", Access::AnyOf(CRISE)),
    ("GET", "/dossiers", Access::AnyOf(REJECTS)),
    ("GET", "/dossiers/{id}", Access::AnyOf(REJECTS)),
    ("POST", "/dossiers/{id}", Access::AnyOf(REJECTS)),
];

const STYLESHEET: &str = include_str!("../assets/relais.css");
/// htmx (0BSD licence), for partial updates; its version is in its name, so browsers may keep
/// it. Pages work without it (every form is a plain form).
const HTMX: &str = include_str!("../assets/htmx-2.0.4.min.js");
pub const HTMX_PATH: &str = "/static/htmx-2.0.4.min.js";

pub fn router(app: Shared) -> Router {
    let secure = app.config.secure_cookies;
    let routes = Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route(
            crate::compte::PASSWORD_PATH,
            get(crate::compte::form).post(crate::compte::change),
        )
        .route("/static/relais.css", get(stylesheet))
        .route(HTMX_PATH, get(htmx))
        .route("/aide", get(crate::aide::aide))
        .route("/aide/img/{image}", get(crate::aide::image))
        .route("/", get(crate::dashboard::dashboard))
        .route("/annuaire", get(annuaire).post(crise::set_directory))
        .route(
            "/courrier",
            get(courrier::courrier).post(courrier::register),
        )
        .route("/courrier/{number}", get(courrier::depot))
        .route("/courrier/{number}/recepisse.pdf", get(courrier::receipt))
        .route(
            "/courrier/{number}/annuler",
            get(courrier::cancel_confirm).post(courrier::cancel),
        )
        .route("/accueil", get(desk::accueil).post(desk::search))
        .route("/personne/{dossier}", get(desk::personne))
        .route(
            "/personne/{dossier}/attestation.pdf",
            get(desk::attestation),
        )
        .route("/personne/{dossier}/rib", post(rib::request_from_person))
        .route("/personne/{dossier}/contact", post(desk::log_contact))
        .route("/tiers/{id}", get(rib::tiers))
        .route("/tiers/{id}/rib", post(rib::request_from_payee))
        .route("/rib", get(rib::list))
        .route("/tiers/{id}/approbation", post(rib::approve_imported))
        .route("/rib/{id}", get(rib::review))
        .route("/rib/{id}/decision", post(rib::decide))
        .route("/paiements", get(paiements::paiements))
        .route("/paiements/preparer", post(paiements::prepare_run))
        .route("/paiements/{run}", get(paiements::paiement))
        .route(
            "/paiements/{run}/valider",
            get(paiements::confirm_validation).post(paiements::validate_run),
        )
        .route("/paiements/{run}/annuler", post(paiements::cancel_run))
        .route("/paiements/{run}/exporter", post(paiements::export_run))
        .route("/paiements/{run}/fichiers/{name}", get(paiements::download))
        .route(
            "/paiements/{run}/fichiers.zip",
            get(paiements::download_all),
        )
        .route("/paiements/{run}/rapport", post(paiements::write_report))
        .route(
            "/paiements/{run}/controle/{name}",
            get(paiements::download_report),
        )
        .route(
            "/renouvellement",
            get(paiements::renewal_form).post(paiements::renew),
        )
        .route("/renouvellement/confirmer", get(paiements::confirm_renewal))
        .route("/crise", get(crise::home))
        .route("/crise/horloge", get(crise::clock))
        .route(
            "/crise/courante",
            get(crise::courante).post(crise::add_entry),
        )
        .route("/crise/courante.csv", get(crise::courante_csv))
        .route("/crise/courante.pdf", get(crise::courante_pdf))
        .route("/crise/incident", get(crise::incident))
        .route("/crise/incident/fait", post(crise::record_fact))
        .route("/crise/incident/cnil", post(crise::notify_cnil))
        .route("/crise/incident.pdf", get(crise::incident_pdf))
        .route("/crise/systemes", get(crise::systemes))
        .route(
            "/crise/systemes/{id}/statut",
            get(crise::confirm_system_status).post(crise::set_system_status),
        )
        .route("/crise/taches", get(crise::taches).post(crise::add_task))
        .route("/crise/taches/{id}/statut", post(crise::set_task_status))
        .route("/crise/public", get(crise::public_screen))
        .route("/crise/public/message", post(crise::set_message))
        .route("/crise/public/apercu", get(crise::preview))
        .route("/crise/public/relais-public.css", get(crise::preview_css))
        .route("/annuaire/modifier", get(crise::directory_form))
        .route("/dossiers", get(crate::dossiers::list))
        .route(
            "/dossiers/{id}",
            get(crate::dossiers::detail).post(crate::dossiers::handle),
        )
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&app),
            crate::limits::limit_forms,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::limits::BODY_MAX,
        ))
        .layer(middleware::map_response(security_headers));
    let routes = if secure {
        routes.layer(middleware::map_response(strict_transport))
    } else {
        routes
    };
    routes.with_state(app)
}

/// Behind TLS, browsers are told to come back only over HTTPS for a year (the session
/// cookie is never sent in clear after a first visit).
async fn strict_transport(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000"),
    );
    response
}

/// The same headers on every response.
async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

impl App {
    pub(crate) fn fail(&self, failure: Failure) -> Response {
        failure.response(&self.config.authority)
    }

    /// A refusal that says why: `403` for a rule of who may do what (separation of duties),
    /// `422` for what was asked (a month unreadable, nothing to pay…).
    pub(crate) fn refuse_with(&self, status: StatusCode, why: &str) -> Response {
        let page = crate::pages::ErrorPage {
            head: self.head("Action refusée", None, ""),
            message: format!("Action refusée : {why}."),
        };
        render(status, &page)
    }

    pub(crate) fn refuse(&self, why: &str) -> Response {
        self.refuse_with(StatusCode::FORBIDDEN, why)
    }

    pub(crate) fn unprocessable(&self, why: &str) -> Response {
        self.refuse_with(StatusCode::UNPROCESSABLE_ENTITY, why)
    }

    pub(crate) fn head(&self, title: &str, session: Option<&Session>, current: &str) -> Head {
        Head::new(&self.config.authority, title, session, current)
    }
}

/// Fields of a form read as pairs (repeated checkboxes keep every value).
pub(crate) fn field<'f>(fields: &'f [(String, String)], name: &str) -> &'f str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

async fn htmx() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=86400, immutable"),
        ],
        HTMX,
    )
        .into_response()
}

/// A request made by htmx for part of a page (not a history restore, which needs all of it).
pub(crate) fn partial(headers: &HeaderMap) -> bool {
    headers.get("hx-request").is_some_and(|v| v == "true")
        && !headers.contains_key("hx-history-restore-request")
}

async fn not_found(State(app): State<Shared>) -> Response {
    app.fail(Failure::NotFound)
}

// ---------------------------------------------------------------------------------------------
// Screens

/// `/annuaire?q=…`: what is searched; `fait` after an edit.
#[derive(Deserialize)]
pub struct DirectoryQuery {
    #[serde(default)]
    fait: Option<String>,
    #[serde(default)]
    q: String,
}

/// A path segment with the characters a URL reserves escaped.
pub(crate) fn url_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn annuaire(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<DirectoryQuery>,
) -> Response {
    let session = match page_session(&app, &headers, Access::SignedIn).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    match app.with_reader(|s| s.directory()).await {
        Ok(all) => {
            let total = all.len();
            let q = query.q.trim().to_owned();
            let rows: Vec<_> = all.into_iter().filter(|r| r.matches(&q)).collect();
            render(
                StatusCode::OK,
                &Annuaire {
                    head: app.head("Annuaire", Some(&session), "/annuaire"),
                    found: found_label(rows.len(), total, &q),
                    rows,
                    q,
                    can_edit: CRISE.iter().any(|r| session.has(*r)),
                    notice: query
                        .fait
                        .map(|_| "Annuaire mis à jour (journal).".to_owned()),
                },
            )
        }
        Err(f) => app.fail(f),
    }
}

/// "3 entrées sur 58 répondent à « meaux »", or nothing when nothing is searched.
fn found_label(found: usize, total: usize, q: &str) -> String {
    use relais_documents::french::count_of;
    if q.is_empty() {
        return String::new();
    }
    match found {
        0 => format!("Aucune entrée ne répond à « {q} »."),
        1 => format!("1 entrée sur {total} répond à « {q} »."),
        n => format!(
            "{} sur {total} répondent à « {q} ».",
            count_of(n as u64, "entrée", "entrées")
        ),
    }
}
