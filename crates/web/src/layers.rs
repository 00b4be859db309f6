//! What the router does to every response: the error pages written with the authority's name,
//! the security headers, HSTS behind TLS; and the answer to an address that is no route.

use crate::app::Shared;
use crate::error::{Unwritten, WebError};
use crate::pages::{ErrorPage, Head, render};
use axum::extract::State;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};

/// Writes the page of a [`WebError`] (left unwritten by its `into_response`, which does not
/// know the authority), with its status.
pub(crate) async fn error_pages(State(app): State<Shared>, response: Response) -> Response {
    let Some(page) = response.extensions().get::<Unwritten>().cloned() else {
        return response;
    };
    let page = ErrorPage {
        head: Head::new(&app.config.authority, page.title, None, ""),
        message: page.message,
    };
    let mut written = render(response.status(), &page);
    written
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    written
}

/// Behind TLS, browsers are told to come back only over HTTPS for a year (the session
/// cookie is never sent in clear after a first visit).
pub(crate) async fn strict_transport(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000"),
    );
    response
}

/// The same headers on every response.
pub(crate) async fn security_headers(mut response: Response) -> Response {
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

/// An address that is no route.
pub(crate) async fn not_found() -> Response {
    WebError::NotFound.into_response()
}
