//! The session of each request, and the extractors that give it to handlers.
//!
//! The route table (`routes.rs`) puts [`check_access`] before every handler of a route that
//! is not public: no session is the login page, a role the route does not admit is 403, before
//! the handler reads anything. The handler then takes the checked session with [`SignedIn`],
//! or with [`SignedForm`] for a form, which also checks that the form carries the session's
//! CSRF token (403 otherwise).

use crate::access::Access;
use crate::app::Shared;
use crate::auth;
use crate::error::WebError;
use crate::fields::field;
use axum::Form;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use relais_store::sessions::Session;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// The session of the request, if any and still open. Read on a reading connection; the
/// writer is only asked to record its use once a minute, or to forget it once expired.
pub(crate) async fn current(
    app: &Shared,
    headers: &HeaderMap,
) -> Result<Option<Session>, WebError> {
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

/// The session, if it may use a route of `access`.
async fn admitted(app: &Shared, headers: &HeaderMap, access: Access) -> Result<Session, WebError> {
    let session = current(app, headers).await?.ok_or(WebError::Login)?;
    if access.admits(&session) {
        Ok(session)
    } else {
        Err(WebError::Forbidden)
    }
}

/// Middleware of every route that is not public: the session, if it may use the route's
/// `access`, goes on to the handler in the request's extensions; else the refusal.
pub(crate) async fn check_access(
    State((app, access)): State<(Shared, Access)>,
    mut request: Request,
    next: Next,
) -> Response {
    match admitted(&app, request.headers(), access).await {
        Ok(session) => {
            request.extensions_mut().insert(session);
            next.run(request).await
        }
        Err(refused) => refused.into_response(),
    }
}

/// The session that [`check_access`] admitted.
fn checked(extensions: &axum::http::Extensions, path: &str) -> Result<Session, WebError> {
    extensions
        .get::<Session>()
        .cloned()
        .ok_or_else(|| WebError::internal("a handler asks for a session on a public route", path))
}

/// The signed-in session of a screen (its route's access already checked).
pub struct SignedIn(pub Session);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, WebError> {
        checked(&parts.extensions, parts.uri.path()).map(SignedIn)
    }
}

/// A form that carries its session's CSRF token (`csrf_token`).
pub trait CsrfToken {
    fn csrf_token(&self) -> &str;
}

/// A form of nothing but its token (a button).
#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub(crate) csrf_token: String,
}

impl CsrfToken for CsrfForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// A form read as pairs (repeated checkboxes keep every value).
impl CsrfToken for Vec<(String, String)> {
    fn csrf_token(&self) -> &str {
        field(self, "csrf_token")
    }
}

/// A form sent by the signed-in session (its route's access already checked), read, and
/// refused unless it carries the session's CSRF token.
pub struct SignedForm<F>(pub Session, pub F);

impl<S, F> FromRequest<S> for SignedForm<F>
where
    S: Send + Sync,
    F: DeserializeOwned + CsrfToken + Send,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let path = request.uri().path().to_owned();
        let session = checked(request.extensions(), &path);
        let Form(form) = Form::<F>::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let session = session.map_err(IntoResponse::into_response)?;
        if !auth::same_token(&session.csrf, form.csrf_token()) {
            return Err(WebError::Csrf.into_response());
        }
        Ok(SignedForm(session, form))
    }
}
