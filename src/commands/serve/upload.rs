//! An uploaded recording, written as it arrives to a `.part` file of its
//! own in the takes folder (never one that exists), and removed again
//! when it is cut off, too large, or not wanted.

use std::path::Path;
use std::time::Duration;

use axum::body::Body;
use axum::http::StatusCode;
use http_body_util::BodyExt;
use tempfile::NamedTempFile;
use tokio::io::AsyncWriteExt;

use super::reply::ApiError;

/// Uploads being received are `.vmcoach-RANDOM.upload.part` in the takes folder.
const PREFIX: &str = ".vmcoach-";
const SUFFIX: &str = ".upload.part";

/// An upload that sends nothing for this long is dropped, so it does not
/// hold a place in the line for ever.
const IDLE: Duration = Duration::from_secs(30);

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the upload is larger than {} MB (the server's --max-upload-mb)",
            limit / 1_000_000
        ),
    )
}

/// Refuses at once a body whose declared length is over `limit` bytes.
pub fn check_declared_length(declared: Option<u64>, limit: u64) -> Result<(), ApiError> {
    match declared {
        Some(n) if n > limit => Err(too_large(limit)),
        _ => Ok(()),
    }
}

/// Writes `body` to a new `.part` file in `dir`, at most `limit` bytes.
/// The file is removed when what is returned is dropped, unless it is
/// persisted (renamed) first.
pub async fn receive(body: Body, dir: &Path, limit: u64) -> Result<NamedTempFile, ApiError> {
    let io = |e: std::io::Error| ApiError::internal(format!("{}: {e}", dir.display()));
    let part = vmcoach::files::temp_beside(&dir.join("upload"), SUFFIX).map_err(io)?;
    let mut file = tokio::fs::File::from_std(part.as_file().try_clone().map_err(io)?);
    let mut body = body;
    let mut written: u64 = 0;
    loop {
        let next = tokio::time::timeout(IDLE, body.frame())
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    format!("the upload stalled: nothing came for {} s", IDLE.as_secs()),
                )
            })?;
        let Some(frame) = next else {
            break;
        };
        let frame = frame.map_err(|e| {
            ApiError::bad_request(format!("the upload was cut off before its end ({e})"))
        })?;
        let Some(data) = frame.data_ref() else {
            continue;
        };
        written += data.len() as u64;
        if written > limit {
            return Err(too_large(limit));
        }
        file.write_all(data).await.map_err(io)?;
    }
    file.flush().await.map_err(io)?;
    if written == 0 {
        return Err(ApiError::bad_request(
            "the request has no body: send the recording as the body",
        ));
    }
    Ok(part)
}

/// Removes uploads that a stopped server left half received.
pub fn remove_leftovers(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(PREFIX) && name.ends_with(SUFFIX) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
