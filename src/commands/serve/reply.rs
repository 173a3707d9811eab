//! What the API answers when something is wrong: a status and
//! `{"error": MESSAGE}`, the message as the command line would print it.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, format!("{what}: no such take"))
    }
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(serde_json::json!({ "error": self.message }));
        (self.status, body).into_response()
    }
}

/// The message `analyze` prints for a recording it cannot use, with the
/// status the API gives it: 413 past `--max-seconds`, else 400. `name` is
/// the upload's name as the client gave it (never a path on this machine).
pub fn audio_error(name: &str, error: &vmcoach::Error) -> ApiError {
    match error {
        vmcoach::Error::BadAudio { reason, .. } => {
            let status = if reason.contains(TOO_LONG_HINT) {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::BAD_REQUEST
            };
            ApiError::new(status, format!("{name}: {reason}"))
        }
        other => ApiError::internal(other.to_string()),
    }
}

/// What the decoder's message for a recording over the length limit says.
const TOO_LONG_HINT: &str = "use --max-seconds";
