//! The routes, who may use each, and their handlers.

use crate::auth::{self, LOGIN_COOKIE, SESSION_COOKIE};
use crate::courrier::{self, COURRIER};
use crate::crise::{self, CRISE};
use crate::desk;
use crate::pages::{Annuaire, Failure, Head, LoginPage, render};
use crate::paiements;
use crate::rib;
use crate::{App, Shared};
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::header::{self, HeaderValue};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router, middleware};
use relais_core::roles::Role;
use relais_store::Store;
use relais_store::desk::DeskStore;
use relais_store::sessions::{Session, SessionStore};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

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
    ("POST", "/logout", Access::SignedIn),
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
    (
        "POST",
        "/courrier/{number}/annuler",
        Access::AnyOf(COURRIER),
    ),
    ("GET", "/accueil", Access::AnyOf(DESK)),
    ("POST", "/accueil", Access::AnyOf(DESK)),
    ("GET", "/personne/{dossier}", Access::AnyOf(DESK)),
    ("POST", "/personne/{dossier}/rib", Access::AnyOf(BANK_ASK)),
    (
        "POST",
        "/personne/{dossier}/contact",
        Access::AnyOf(BANK_ASK),
    ),
    ("GET", "/tiers/{id}", Access::AnyOf(crate::rib::PAYEE_VIEW)),
    ("POST", "/tiers/{id}/rib", Access::AnyOf(BANK_ASK)),
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
    ("GET", "/renouvellement", Access::AnyOf(RENEW)),
    ("POST", "/renouvellement", Access::AnyOf(RENEW)),
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
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/static/relais.css", get(stylesheet))
        .route(HTMX_PATH, get(htmx))
        .route("/", get(crate::dashboard::dashboard))
        .route("/annuaire", get(annuaire).post(crise::set_directory))
        .route(
            "/courrier",
            get(courrier::courrier).post(courrier::register),
        )
        .route("/courrier/{number}", get(courrier::depot))
        .route("/courrier/{number}/recepisse.pdf", get(courrier::receipt))
        .route("/courrier/{number}/annuler", post(courrier::cancel))
        .route("/accueil", get(desk::accueil).post(desk::search))
        .route("/personne/{dossier}", get(desk::personne))
        .route("/personne/{dossier}/rib", post(rib::request_from_person))
        .route("/personne/{dossier}/contact", post(desk::log_contact))
        .route("/tiers/{id}", get(rib::tiers))
        .route("/tiers/{id}/rib", post(rib::request_from_payee))
        .route("/rib/{id}", get(rib::review))
        .route("/rib/{id}/decision", post(rib::decide))
        .route("/paiements", get(paiements::paiements))
        .route("/paiements/preparer", post(paiements::prepare_run))
        .route("/paiements/{run}", get(paiements::paiement))
        .route("/paiements/{run}/valider", post(paiements::validate_run))
        .route("/paiements/{run}/annuler", post(paiements::cancel_run))
        .route("/paiements/{run}/exporter", post(paiements::export_run))
        .route("/paiements/{run}/fichiers/{name}", get(paiements::download))
        .route("/paiements/{run}/rapport", post(paiements::write_report))
        .route(
            "/paiements/{run}/controle/{name}",
            get(paiements::download_report),
        )
        .route(
            "/renouvellement",
            get(paiements::renewal_form).post(paiements::renew),
        )
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
            post(crise::set_system_status),
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
        .layer(middleware::map_response(security_headers))
        .with_state(app)
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

/// The address of the client, when the server knows it (not in handler tests).
pub struct ClientAddr(Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
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

/// The session of the request, if any and still open. Read on a reading connection; the
/// writer is only asked to record its use once a minute, or to forget it once expired.
async fn session_of(app: &Shared, headers: &HeaderMap) -> Result<Option<Session>, Failure> {
    let Some(token) = auth::cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let hash = auth::token_hash(token);
    let now = app.now();
    let idle = app.config.idle_seconds;
    let peek = hash.clone();
    let seen = app
        .with_reader(move |s| s.peek_session(&peek, now, idle))
        .await?;
    match seen {
        Some((session, last_seen)) if now - last_seen < relais_store::sessions::TOUCH_SECONDS => {
            Ok(Some(session))
        }
        _ => app.with_store(move |s| s.session(&hash, now, idle)).await,
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

/// The session of a screen of `access`, or the response that refuses it.
pub(crate) async fn page_session(
    app: &Shared,
    headers: &HeaderMap,
    access: Access,
) -> Result<Session, Response> {
    require(app, headers, access).await.map_err(|f| app.fail(f))
}

/// The session of a form of `access` carrying `token`, or the response that refuses it (no
/// session, wrong role, or a CSRF token that is not this session's).
pub(crate) async fn form_session(
    app: &Shared,
    headers: &HeaderMap,
    access: Access,
    token: &str,
) -> Result<Session, Response> {
    let session = page_session(app, headers, access).await?;
    if auth::same_token(&session.csrf, token) {
        Ok(session)
    } else {
        Err(app.fail(Failure::Csrf))
    }
}

/// The session, if it may use a route of `access`.
async fn require(app: &Shared, headers: &HeaderMap, access: Access) -> Result<Session, Failure> {
    let session = session_of(app, headers).await?.ok_or(Failure::Login)?;
    match access {
        Access::Public | Access::SignedIn => Ok(session),
        Access::AnyOf(roles) if roles.iter().any(|r| session.has(*r)) => Ok(session),
        Access::AnyOf(_) => Err(Failure::Forbidden),
    }
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
// Signing in and out

fn login_page(app: &App, status: StatusCode, login: &str, error: Option<&str>) -> Response {
    // A fresh token for the form, tied to this browser by a cookie (there is no session yet).
    let csrf = auth::random_token();
    let page = LoginPage {
        head: app.head("Connexion", None, "/login"),
        csrf: csrf.clone(),
        login: login.to_owned(),
        error: error.map(str::to_owned),
    };
    let mut response = render(status, &page);
    if let Ok(v) = HeaderValue::from_str(&auth::set_cookie(
        LOGIN_COOKIE,
        &csrf,
        app.config.secure_cookies,
    )) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

async fn login_form(State(app): State<Shared>, headers: HeaderMap) -> Response {
    match session_of(&app, &headers).await {
        Ok(Some(_)) => Redirect::to("/").into_response(),
        Ok(None) => login_page(&app, StatusCode::OK, "", None),
        Err(f) => app.fail(f),
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
}

/// An address may fail this many times more than a login before it is paused.
const ADDRESS_FACTOR: u32 = 4;

const WRONG: &str = "Identifiant ou mot de passe incorrect.";
const PAUSED: &str = "Trop d'essais infructueux : réessayez dans quelques minutes.";

async fn login(
    State(app): State<Shared>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let expected = auth::cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if !auth::same_token(expected, &form.csrf_token) {
        return app.fail(Failure::Csrf);
    }
    let login = form.login.trim().to_owned();
    let now = app.now();
    let (max, window) = (app.config.max_failures, app.config.failure_window_seconds);
    // Per login, and per address with more room (a site's agents share one address).
    let mut keys = vec![(format!("login:{}", login.to_lowercase()), max)];
    if let Some(addr) = addr {
        keys.push((format!("addr:{addr}"), max.saturating_mul(ADDRESS_FACTOR)));
    }
    let paused = match app.throttle.lock() {
        Ok(t) => keys.iter().any(|(k, m)| t.blocked(k, now, *m, window)),
        Err(_) => return app.fail(Failure::Internal),
    };
    if paused {
        tracing::warn!(login = %login, "login paused after repeated failures");
        return login_page(&app, StatusCode::TOO_MANY_REQUESTS, &login, Some(PAUSED));
    }
    let who = login.clone();
    let password = form.password;
    let checker = Arc::clone(&app);
    // Argon2 always runs, against a dummy hash when the login is unknown or disabled: the
    // answer and its time do not tell who exists.
    let user = app.with_store(move |s| s.user(&who)).await;
    let user = match user {
        Ok(u) => u,
        Err(f) => return app.fail(f),
    };
    let hash = user
        .as_ref()
        .filter(|u| !u.disabled)
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| checker.dummy_hash.clone());
    let verified = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    let user = user.filter(|u| verified && !u.disabled);
    let Some(user) = user else {
        if let Ok(mut t) = app.throttle.lock() {
            for (k, _) in &keys {
                t.fail(k, now, window);
            }
        }
        tracing::info!(login = %login, "login refused");
        return login_page(&app, StatusCode::UNAUTHORIZED, &login, Some(WRONG));
    };
    if let (Ok(mut t), Some((k, _))) = (app.throttle.lock(), keys.first()) {
        t.succeed(k);
    }
    let token = auth::random_token();
    let hash = auth::token_hash(&token);
    let csrf = auth::random_token();
    let name = user.login.clone();
    if let Err(f) = app
        .with_store(move |s| s.open_session(&hash, &name, &csrf, now))
        .await
    {
        return app.fail(f);
    }
    let secure = app.config.secure_cookies;
    let mut response = Redirect::to("/").into_response();
    for cookie in [
        auth::set_cookie(SESSION_COOKIE, &token, secure),
        auth::set_cookie(LOGIN_COOKIE, "", secure),
    ] {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub(crate) csrf_token: String,
}

async fn logout(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(refused) = form_session(&app, &headers, Access::SignedIn, &form.csrf_token).await {
        return refused;
    }
    let hash = auth::cookie(&headers, SESSION_COOKIE)
        .map(auth::token_hash)
        .unwrap_or_default();
    if let Err(f) = app.with_store(move |s| s.close_session(&hash)).await {
        return app.fail(f);
    }
    let mut response = Redirect::to("/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&auth::set_cookie(
        SESSION_COOKIE,
        "",
        app.config.secure_cookies,
    )) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

// ---------------------------------------------------------------------------------------------
// Screens

#[derive(Deserialize)]
pub struct Notice {
    #[serde(default)]
    fait: Option<String>,
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
    Query(notice): Query<Notice>,
) -> Response {
    let session = match page_session(&app, &headers, Access::SignedIn).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    match app.with_reader(|s| s.directory()).await {
        Ok(rows) => render(
            StatusCode::OK,
            &Annuaire {
                head: app.head("Annuaire", Some(&session), "/annuaire"),
                rows,
                can_edit: CRISE.iter().any(|r| session.has(*r)),
                notice: notice
                    .fait
                    .map(|_| "Annuaire mis à jour (journal).".to_owned()),
            },
        ),
        Err(f) => app.fail(f),
    }
}
