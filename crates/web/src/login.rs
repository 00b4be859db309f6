//! Signing in and out (the session of each request is `session.rs`'s).
//!
//! A password is checked only after its try is reserved (`throttle`), through the bounded
//! hasher (`hasher`), always with Argon2 (against a dummy hash when the login is unknown or
//! disabled: the answer and its time do not tell who exists). The login form's token is
//! bound to a server-side pre-session (`presession`).

use crate::app::{App, Shared};
use crate::auth;
use crate::error::WebError;
use crate::hasher::Busy;
use crate::pages::{Head, render};
use crate::session::{CsrfForm, SignedForm};
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::{self, HeaderValue};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use relais_store::User;
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};

#[derive(Template)]
#[template(path = "login.html")]
pub(crate) struct LoginPage {
    pub head: Head,
    pub csrf: String,
    pub login: String,
    pub error: Option<String>,
}

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

/// What checking a password gave.
pub(crate) enum Checked {
    Right(User),
    Wrong,
    /// Too many tries: the next one at this instant.
    Wait(i64),
    /// The server hashes all it can: try again in a few seconds.
    Busy,
    Failed(WebError),
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
        Err(_) => return Checked::Failed(WebError::internal("login throttle", "lock poisoned")),
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
        return WebError::internal("login pre-sessions", "lock poisoned").into_response();
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

pub(crate) async fn login_form(
    State(app): State<Shared>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    Ok(match crate::session::current(&app, &headers).await? {
        Some(_) => Redirect::to("/").into_response(),
        None => login_page(&app, StatusCode::OK, "", None),
    })
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
) -> Result<Response, WebError> {
    let names = app.cookies();
    let id = auth::cookie(&headers, names.login).unwrap_or("");
    let now = app.now();
    let consumed = app
        .presessions
        .lock()
        .map(|mut p| p.consume(id, &form.csrf_token, now))
        .map_err(|_| WebError::internal("login pre-sessions", "lock poisoned"))?;
    if !consumed {
        return Ok(login_page(
            &app,
            StatusCode::FORBIDDEN,
            &form.login,
            Some(EXPIRED),
        ));
    }
    let login: String = form.login.trim().chars().take(200).collect();
    let user = match check_password(&app, &login, addr, form.password).await {
        Checked::Right(user) => user,
        Checked::Wrong => {
            return Ok(login_page(
                &app,
                StatusCode::UNAUTHORIZED,
                &login,
                Some(WRONG),
            ));
        }
        Checked::Wait(until) => {
            let page = login_page(
                &app,
                StatusCode::TOO_MANY_REQUESTS,
                &login,
                Some(&wait_message(&app, until)),
            );
            return Ok(retry_after(page, until - app.now()));
        }
        Checked::Busy => {
            let page = login_page(&app, StatusCode::SERVICE_UNAVAILABLE, &login, Some(BUSY));
            return Ok(retry_after(page, BUSY_RETRY));
        }
        Checked::Failed(f) => return Err(f),
    };
    let token = auth::random_token();
    let hash = auth::token_hash(&token);
    let csrf = auth::random_token();
    let name = user.login.clone();
    app.with_store(move |s| s.open_session(&hash, &name, &csrf, now))
        .await?;
    let secure = app.config.secure_cookies;
    let mut response = Redirect::to("/").into_response();
    set_cookie(&mut response, names.session, &token, secure);
    set_cookie(&mut response, names.login, "", secure);
    Ok(response)
}

pub(crate) async fn logout(
    State(app): State<Shared>,
    headers: HeaderMap,
    SignedForm(_, CsrfForm { .. }): SignedForm<CsrfForm>,
) -> Result<Response, WebError> {
    let names = app.cookies();
    let hash = auth::cookie(&headers, names.session)
        .map(auth::token_hash)
        .unwrap_or_default();
    app.with_store(move |s| s.close_session(&hash)).await?;
    let mut response = Redirect::to("/login").into_response();
    set_cookie(&mut response, names.session, "", app.config.secure_cookies);
    Ok(response)
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
