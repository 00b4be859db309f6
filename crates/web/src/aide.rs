//! `/aide`: the agents' guide, one section per role (docs/guide.md, made HTML at build time by
//! `build.rs`), and its screenshots. Open to everyone, signed in or not: the login page links
//! to it too, and it holds nothing but what the repository already says.

use crate::app::Shared;
use crate::error::WebError;
use crate::pages::{Head, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The guide's HTML (from markdown, raw HTML in it shown as text).
const GUIDE: &str = include_str!(concat!(env!("OUT_DIR"), "/guide.html"));

/// The guide's images: (file name, PNG bytes).
const IMAGES: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/guide_images.rs"));

#[derive(Template)]
#[template(path = "aide.html")]
pub struct AidePage {
    pub head: Head,
    pub guide: &'static str,
}

pub async fn aide(State(app): State<Shared>, headers: HeaderMap) -> Response {
    // Public: the menu when signed in; the guide even when the store fails.
    let session = crate::session::current(&app, &headers).await.ok().flatten();
    let page = AidePage {
        head: app.head("Aide : le guide des agents", session.as_ref(), "/aide"),
        guide: GUIDE,
    };
    render(StatusCode::OK, &page)
}

pub async fn image(Path(name): Path<String>) -> Response {
    match IMAGES.iter().find(|(n, _)| *n == name) {
        Some((_, bytes)) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "private, max-age=3600"),
            ],
            *bytes,
        )
            .into_response(),
        None => WebError::NotFound.into_response(),
    }
}
