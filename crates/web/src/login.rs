//! Signing in and out, and the session of each request.
//!
//! A password is checked only after its try is reserved (`throttle`), through the bounded
//! hasher (`hasher`), always with Argon2 (against a dummy hash when the login is unknown or
//! disabled: the answer and its time do not tell who exists). The login form's token is
//! bound to a server-side pre-session (`presession`).

use crate::auth;
use crate::hasher::Busy;
use crate::pages::{Failure, LoginPage, render};
use crate::routes::Access;
use crate::{App, Shared};
use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::{self, HeaderValue};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use relais_store::sessions::{Session, SessionStore};
use relais_store::{Store, User};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};

/// The address of the client, when the server knows it (not in handler tests).
pub struct ClientAddr(pub Option<IpAddr>);

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

/// The address as the throttle counts it: an IPv6 client holds a whole /64, so the /64.
fn address_key(addr: Option<IpAddr>) -> String {
    match addr.map(|a| a.to_canonical()) {
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(v4) => v4.to_string(),
        None => "-".to_owned(),
    }
}

/// The session of the request, if any and still open. Read on a reading connection; the
/// writer is only asked to record its use once a minute, or to forget it once expired.
pub(crate) async fn session_of(
    app: &Shared,
    headers: &HeaderMap,
) -> Result<Option<Session>, Failure> {
    let Some(token) = auth::cookie(headers, app.cookies().session) else {
        return Ok(None);
    };
    let hash = auth::token_hash(token);
    let now = app.now();
    let lifetime = app.lifetime();
    let peek = hash.clone();
    let seen = app
        .with_reader(move |s| s.peek_session(&peek, now, lifetime))
        .await?;
    match seen {
        Some((session, last_seen)) if now - last_seen < relais_store::sessions::TOUCH_SECONDS => {
            Ok(Some(session))
        }
        _ => {
            app.with_store(move |s| s.session(&hash, now, lifetime))
                .await
        }
    }
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

/// What checking a password gave.
pub(crate) enum Checked {
    Right(User),
    Wrong,
    /// Too many tries: the next one at this instant.
    Wait(i64),
    /// The server hashes all it can: try again in a few seconds.
    Busy,
    Failed(Failure),
}

/// Checks `password` of `login` from `addr`, within the throttle and the hasher's room.
pub(crate) async fn check_password(
    app: &Shared,
    login: &str,
    addr: Option<IpAddr>,
    password: String,
) -> Checked {
    let limits = app.config.login_limits;
    let address = address_key(addr);
    let reserved = match app.throttle.lock() {
        Ok(mut t) => t.reserve(login, &address, app.now(), &limits),
        Err(_) => return Checked::Failed(Failure::Internal),
    };
    let ticket = match reserved {
        Ok(ticket) => ticket,
        Err(until) => return Checked::Wait(until),
    };
    let give_back = |app: &App| {
        if let Ok(mut t) = app.throttle.lock() {
            t.release(&ticket, app.now(), &limits);
        }
    };
    let who = login.to_owned();
    let user = match app.with_reader(move |s| s.user(&who)).await {
        Ok(u) => u,
        Err(f) => {
            give_back(app);
            return Checked::Failed(f);
        }
    };
    let hash = user
        .as_ref()
        .filter(|u| !u.disabled)
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| app.dummy_hash.clone());
    let verified = match app.hasher.verify(password, hash).await {
        Ok(v) => v,
        Err(Busy) => {
            give_back(app);
            return Checked::Busy;
        }
    };
    let known = user.is_some();
    match user.filter(|u| verified && !u.disabled) {
        Some(user) => {
            if let Ok(mut t) = app.throttle.lock() {
                t.succeed(&ticket, app.now(), &limits);
            }
            Checked::Right(user)
        }
        None => {
            // One line when a burst begins, not one per try; a login is named only when it
            // is an account (what is typed there may be a password).
            let shown = if known { login } else { "unknown login" };
            if ticket.pauses_login {
                tracing::warn!(login = %shown, %address, "repeated login failures: tries now wait");
            }
            if ticket.pauses_address {
                tracing::warn!(%address, "repeated login failures from one address: tries now wait");
            }
            Checked::Wrong
        }
    }
}

pub(crate) const WRONG: &str = "Identifiant ou mot de passe incorrect.";
pub(crate) const BUSY: &str =
    "Le serveur vérifie beaucoup de mots de passe en ce moment : réessayez dans quelques secondes.";
const EXPIRED: &str = "Le formulaire de connexion a expiré : saisissez à nouveau vos identifiants.";
/// Seconds a busy server asks to wait.
pub(crate) const BUSY_RETRY: i64 = 5;

/// "Trop d'essais…" with when to try again.
pub(crate) fn wait_message(app: &App, until: i64) -> String {
    let left = (until - app.now()).max(1);
    let when = if left < 120 {
        format!("{left} secondes")
    } else {
        format!("{} minutes", (left + 59) / 60)
    };
    let at = jiff::Timestamp::from_second(until)
        .map(|t| format!(" (à {})", t.to_zoned(app.tz()).strftime("%H:%M:%S")))
        .unwrap_or_default();
    format!("Trop d'essais infructueux : réessayez dans {when}{at}.")
}

/// `Retry-After` on a response.
pub(crate) fn retry_after(mut response: Response, seconds: i64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&seconds.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

fn set_cookie(response: &mut Response, name: &str, value: &str, secure: bool) {
    if let Ok(v) = HeaderValue::from_str(&auth::set_cookie(name, value, secure)) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// The login form, with a new pre-session.
fn login_page(app: &App, status: StatusCode, login: &str, error: Option<&str>) -> Response {
    let opened = app.presessions.lock().map(|mut p| p.open(app.now()));
    let Ok((id, csrf)) = opened else {
        return app.fail(Failure::Internal);
    };
    let page = LoginPage {
        head: app.head("Connexion", None, "/login"),
        csrf,
        login: login.chars().take(200).collect(),
        error: error.map(str::to_owned),
    };
    let mut response = render(status, &page);
    set_cookie(
        &mut response,
        app.cookies().login,
        &id,
        app.config.secure_cookies,
    );
    response
}

pub(crate) async fn login_form(State(app): State<Shared>, headers: HeaderMap) -> Response {
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

pub(crate) async fn login(
    State(app): State<Shared>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let names = app.cookies();
    let id = auth::cookie(&headers, names.login).unwrap_or("");
    let now = app.now();
    match app
        .presessions
        .lock()
        .map(|mut p| p.consume(id, &form.csrf_token, now))
    {
        Ok(true) => {}
        Ok(false) => return login_page(&app, StatusCode::FORBIDDEN, &form.login, Some(EXPIRED)),
        Err(_) => return app.fail(Failure::Internal),
    }
    let login: String = form.login.trim().chars().take(200).collect();
    let user = match check_password(&app, &login, addr, form.password).await {
        Checked::Right(user) => user,
        Checked::Wrong => return login_page(&app, StatusCode::UNAUTHORIZED, &login, Some(WRONG)),
        Checked::Wait(until) => {
            let page = login_page(
                &app,
                StatusCode::TOO_MANY_REQUESTS,
                &login,
                Some(&wait_message(&app, until)),
            );
            return retry_after(page, until - app.now());
        }
        Checked::Busy => {
            let page = login_page(&app, StatusCode::SERVICE_UNAVAILABLE, &login, Some(BUSY));
            return retry_after(page, BUSY_RETRY);
        }
        Checked::Failed(f) => return app.fail(f),
    };
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
    set_cookie(&mut response, names.session, &token, secure);
    set_cookie(&mut response, names.login, "", secure);
    response
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub(crate) csrf_token: String,
}

pub(crate) async fn logout(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(refused) = form_session(&app, &headers, Access::SignedIn, &form.csrf_token).await {
        return refused;
    }
    let names = app.cookies();
    let hash = auth::cookie(&headers, names.session)
        .map(auth::token_hash)
        .unwrap_or_default();
    if let Err(f) = app.with_store(move |s| s.close_session(&hash)).await {
        return app.fail(f);
    }
    let mut response = Redirect::to("/login").into_response();
    set_cookie(&mut response, names.session, "", app.config.secure_cookies);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_client_counts_as_its_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("ip");
        assert_eq!(address_key(Some(a)), address_key(Some(b)));
        assert_eq!(address_key(Some(a)), "2001:db8:1:2::/64");
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().expect("ip");
        assert_eq!(address_key(Some(mapped)), "10.0.0.1");
        assert_eq!(address_key(None), "-");
    }
}
