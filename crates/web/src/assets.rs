//! The stylesheet and htmx, embedded in the binary (no request ever leaves the machine).

use axum::http::header;
use axum::response::{IntoResponse, Response};

const STYLESHEET: &str = include_str!("../assets/relais.css");
/// htmx (0BSD licence), for partial updates; its version is in its name, so browsers may keep
/// it. Pages work without it (every form is a plain form).
const HTMX: &str = include_str!("../assets/htmx-2.0.4.min.js");
pub const HTMX_PATH: &str = "/static/htmx-2.0.4.min.js";

pub(crate) async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

pub(crate) async fn htmx() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=86400, immutable"),
        ],
        HTMX,
    )
        .into_response()
}
