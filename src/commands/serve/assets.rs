//! The page's own files, built into the binary: nothing is loaded from
//! anywhere else.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::reply::ApiError;

const INDEX: &str = include_str!("web/index.html");

/// (name, content type, bytes) of everything under `/assets/`.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("web/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("web/app.js"),
    ),
    (
        "api.js",
        "text/javascript; charset=utf-8",
        include_bytes!("web/api.js"),
    ),
    (
        "recorder.js",
        "text/javascript; charset=utf-8",
        include_bytes!("web/recorder.js"),
    ),
    (
        "views.js",
        "text/javascript; charset=utf-8",
        include_bytes!("web/views.js"),
    ),
    (
        "tap-worklet.js",
        "text/javascript; charset=utf-8",
        include_bytes!("web/tap-worklet.js"),
    ),
];

/// The page's policy: its own files only, no inline script, no framing by
/// others; the take's report is shown in a frame from this server.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
connect-src 'self'; img-src 'self' data:; media-src 'self' blob: data:; frame-src 'self'; \
form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/// A take's report page carries its own inline script, style and recording.
pub const REPORT_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; \
style-src 'unsafe-inline'; img-src data:; media-src data:; form-action 'none'; \
base-uri 'none'; frame-ancestors 'self'";

pub async fn index() -> Response {
    let mut response =
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], INDEX).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    response
}

pub async fn asset(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, kind, bytes)) => ([(header::CONTENT_TYPE, *kind)], *bytes).into_response(),
        None => ApiError::new(StatusCode::NOT_FOUND, format!("/assets/{name}: not found"))
            .into_response(),
    }
}
