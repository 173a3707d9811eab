//! The routes: the page, its files, and the JSON API (docs/serve.md).

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::{QueryRejection, StringRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use clap::ValueEnum;
use serde::Deserialize;
use tower_http::set_header::SetResponseHeaderLayer;
use vmcoach::pipeline::{self, CoachOptions};

use super::guard::{self, Access};
use super::reply::ApiError;
use super::takes::{self, Part};
use super::worker::{Job, Worker};
use super::{assets, upload};
use crate::cli::{KindArg, MessageArgs};

/// What the handlers share.
pub struct App {
    pub worker: Worker,
    pub takes: PathBuf,
    /// The server's `--rules`; never a path from a request.
    pub rules: Option<PathBuf>,
    pub max_seconds: f64,
    /// Largest body accepted, bytes.
    pub max_upload: u64,
}

pub fn router(app: Arc<App>, access: Arc<Access>) -> Router {
    let header =
        |name, value| SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value));
    Router::new()
        .route("/", get(assets::index))
        .route("/assets/{name}", get(assets::asset))
        .route("/api/analyze", post(analyze))
        .route("/api/check", post(check))
        .route("/api/takes", get(list_takes))
        .route("/api/takes/{id}", get(take_file))
        .fallback(not_found)
        .with_state(app)
        .layer(middleware::from_fn_with_state(access, guard::check))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(header(header::CACHE_CONTROL, "no-store"))
}

/// The message options, as query parameters (empty ones count as absent).
#[derive(Debug, Default, Deserialize)]
pub struct MessageQuery {
    kind: Option<String>,
    attempt: Option<String>,
    expect_number: Option<String>,
    expect_name: Option<String>,
    /// The recording's file name, for messages and the report's `source`.
    name: Option<String>,
}

fn given(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

impl App {
    fn options(&self, query: &MessageQuery) -> Result<CoachOptions, ApiError> {
        let kind = match given(&query.kind) {
            None => KindArg::Auto,
            Some(k) => KindArg::from_str(&k, true).map_err(|_| {
                ApiError::bad_request(format!(
                    "kind: expected auto, networking or application, got {k:?}"
                ))
            })?,
        };
        let attempt = match given(&query.attempt) {
            None => 1,
            Some(a) => a.parse().ok().filter(|&n: &u32| n >= 1).ok_or_else(|| {
                ApiError::bad_request(format!("attempt: expected a number from 1, got {a:?}"))
            })?,
        };
        let args = MessageArgs {
            kind,
            attempt,
            expect_number: given(&query.expect_number),
            expect_name: given(&query.expect_name),
            rules: self.rules.clone(),
        };
        super::super::analyze::coach_options(&args, self.max_seconds)
            .map_err(|e| ApiError::internal(e.to_string()))
    }
}

/// The last part of a client's file name, without control characters; at
/// most 100 characters.
fn upload_name(name: &Option<String>) -> Option<String> {
    let name = given(name)?;
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last.chars().filter(|c| !c.is_control()).take(100).collect();
    Some(clean).filter(|c| !c.trim().is_empty())
}

fn query_of(query: Result<Query<MessageQuery>, QueryRejection>) -> Result<MessageQuery, ApiError> {
    query
        .map(|Query(q)| q)
        .map_err(|e| ApiError::bad_request(e.body_text()))
}

async fn analyze(
    State(app): State<Arc<App>>,
    query: Result<Query<MessageQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let query = query_of(query)?;
    let options = app.options(&query)?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse().ok());
    upload::check_declared_length(declared, app.max_upload)?;
    let slot = app.worker.admit()?;
    let upload = upload::receive(body, &app.takes, app.max_upload).await?;
    let job = Job {
        upload,
        name: upload_name(&query.name),
        options,
    };
    let done = app.worker.run(slot, job).await?;
    let mut value =
        serde_json::to_value(&done.report).map_err(|e| ApiError::internal(e.to_string()))?;
    value["take"] = serde_json::json!({
        "id": done.id,
        "audio": format!("/api/takes/{}.wav", done.id),
        "page": format!("/api/takes/{}.html", done.id),
        "changes": done.changes,
    });
    Ok(Json(value).into_response())
}

async fn check(
    State(app): State<Arc<App>>,
    query: Result<Query<MessageQuery>, QueryRejection>,
    body: Result<String, StringRejection>,
) -> Result<Response, ApiError> {
    let options = app.options(&query_of(query)?)?;
    let script = body.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    if script.trim().is_empty() {
        return Err(ApiError::bad_request("script: the script is empty"));
    }
    // The content checks (and, the first time, loading their sentence
    // model) off the server's one thread, which goes on answering meanwhile.
    let report = tokio::task::spawn_blocking(move || {
        options
            .rules
            .load_meaning()
            .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok::<_, ApiError>(pipeline::coach_script("script".into(), &script, &options))
    })
    .await
    .map_err(|e| ApiError::internal(format!("the check stopped: {e}")))??;
    Ok(Json(report).into_response())
}

async fn list_takes(State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    let listing = takes::listing(&app.takes).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(listing).into_response())
}

async fn take_file(
    State(app): State<Arc<App>>,
    Path(segment): Path<String>,
) -> Result<Response, ApiError> {
    let (id, part) = takes::parse(&segment).ok_or_else(|| ApiError::not_found(&segment))?;
    let path =
        takes::existing(&app.takes, &id, part).ok_or_else(|| ApiError::not_found(&segment))?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| ApiError::internal(format!("{}: {e}", path.display())))?;
    let mut response = ([(header::CONTENT_TYPE, part.content_type())], bytes).into_response();
    if part == Part::Page {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(assets::REPORT_POLICY),
        );
    }
    Ok(response)
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::NOT_FOUND,
        format!("{}: not found", uri.path()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_names_are_file_names_only() {
        let name = |s: &str| upload_name(&Some(s.to_string()));
        assert_eq!(name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(name("C:\\Users\\me\\take.mp3").as_deref(), Some("take.mp3"));
        assert_eq!(name("a\u{7}b.wav").as_deref(), Some("ab.wav"));
        assert_eq!(name("dir/"), None);
        assert_eq!(name("  "), None);
        assert_eq!(upload_name(&None), None);
    }
}
