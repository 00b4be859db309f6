//! What every web test does the same way: send a request through the real router, read the
//! answer, sign in through the login form as an agent would (pre-session cookie and its CSRF
//! token, then the session's own token).
#![allow(dead_code)] // each test file uses its own share of these

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use relais_web::{Shared, router};
use std::sync::Arc;
use tower::ServiceExt;

/// Every test account's password.
pub const PASSWORD: &str = "une-phrase-de-passe-solide";

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Answer {
    /// Where a redirect sends the agent.
    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }
}

pub async fn send(app: &Shared, req: Request<Body>) -> Answer {
    let response = router(Arc::clone(app)).oneshot(req).await.expect("respond");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request")
}

pub fn post(path: &str, cookie: &str, form: &str) -> Request<Body> {
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .expect("request")
}

/// The value of the input `name` in a page (`name="…" value="…"`).
pub fn input_value(body: &str, name: &str) -> String {
    body.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

/// The value of `name="csrf_token" value="…"` in a page.
pub fn csrf_in(body: &str) -> String {
    input_value(body, "csrf_token")
}

/// `name=value` of the Set-Cookie for `name`.
pub fn set_cookie(a: &Answer, name: &str) -> Option<String> {
    a.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|kv| kv.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The same, when the answer must set it.
pub fn cookie(a: &Answer, name: &str) -> String {
    set_cookie(a, name).expect("cookie")
}

/// Posts the login form as a browser does: its pre-session cookie and token first.
pub async fn try_login(app: &Shared, login: &str, password: &str) -> Answer {
    let form = send(app, get("/login", "")).await;
    let pre = set_cookie(&form, "relais_login").expect("login cookie");
    let token = csrf_in(&form.body);
    send(
        app,
        post(
            "/login",
            &pre,
            &format!("login={login}&password={password}&csrf_token={token}"),
        ),
    )
    .await
}

/// Signs in: (session cookie, the session's CSRF token).
pub async fn login(app: &Shared, login: &str) -> (String, String) {
    let a = try_login(app, login, PASSWORD).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let cookie = set_cookie(&a, "relais_session").expect("session cookie");
    let home = send(app, get("/", &cookie)).await;
    (cookie, csrf_in(&home.body))
}
