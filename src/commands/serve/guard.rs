//! Who may use the server. Every request is checked, in this order:
//!
//! 1. the Host header must be this server's address (127.0.0.1:PORT or
//!    localhost:PORT), so a web page on a name that a DNS server points at
//!    127.0.0.1 (DNS rebinding) gets 403;
//! 2. a request that changes something (anything but GET and HEAD) that
//!    carries an Origin header must come from this server's own origin,
//!    else 403;
//! 3. the token, as `Authorization: Bearer TOKEN` or `?token=TOKEN`, else
//!    401; only the page's own script and style files (`/assets/`), the same
//!    for everyone, are served without it.
//!
//! No CORS header is ever sent, so no other origin may read an answer.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::reply::ApiError;

/// Random bytes from the operating system's CSPRNG, as hex.
pub fn random_hex(bytes: usize) -> Result<String, String> {
    let mut random = vec![0u8; bytes];
    getrandom::fill(&mut random).map_err(|e| format!("no random numbers from the system: {e}"))?;
    Ok(random.iter().map(|b| format!("{b:02x}")).collect())
}

/// Bytes of randomness in a token: 256 bits.
pub const TOKEN_BYTES: usize = 32;

pub struct Access {
    /// The token's SHA-256: tokens are compared as digests, so the time a
    /// comparison takes says nothing about the token.
    token_digest: [u8; 32],
    /// Host headers accepted (lowercase); None: any (`--allow-remote`).
    hosts: Option<Vec<String>>,
}

impl Access {
    pub fn new(token: &str, port: u16, remote: bool) -> Access {
        Access {
            token_digest: Sha256::digest(token.as_bytes()).into(),
            hosts: (!remote).then(|| {
                vec![
                    format!("127.0.0.1:{port}"),
                    format!("localhost:{port}"),
                    format!("[::1]:{port}"),
                ]
            }),
        }
    }

    fn host_ok(&self, host: &str) -> bool {
        match &self.hosts {
            Some(hosts) => hosts.iter().any(|h| h.eq_ignore_ascii_case(host)),
            None => !host.is_empty(),
        }
    }

    fn token_ok(&self, token: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        digest == self.token_digest
    }
}

/// The token a request carries, from its Authorization header or its query.
fn token_of(req: &Request) -> Option<String> {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let (scheme, token) = value.split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_string());
    }
    let Query(mut query) = Query::<HashMap<String, String>>::try_from_uri(req.uri()).ok()?;
    query.remove("token")
}

fn refuse(status: StatusCode, message: String) -> Response {
    let mut response = ApiError::new(status, message).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    response
}

pub async fn check(State(access): State<Arc<Access>>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_string();
    if !access.host_ok(&host) {
        return refuse(
            StatusCode::FORBIDDEN,
            format!("the Host header ({host:?}) is not this server's address; open the address `vmcoach serve` printed"),
        );
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        if let Some(origin) = req.headers().get(header::ORIGIN) {
            let own = format!("http://{host}");
            if !origin.to_str().is_ok_and(|o| o.eq_ignore_ascii_case(&own)) {
                return refuse(
                    StatusCode::FORBIDDEN,
                    format!("requests from another origin ({origin:?}) are refused"),
                );
            }
        }
    }
    if req.uri().path().starts_with("/assets/") {
        return next.run(req).await;
    }
    match token_of(&req) {
        Some(token) if access.token_ok(&token) => next.run(req).await,
        Some(_) => refuse(
            StatusCode::UNAUTHORIZED,
            "the token is not this server's; open the address `vmcoach serve` printed (a new token each start)".into(),
        ),
        None => refuse(
            StatusCode::UNAUTHORIZED,
            "a token is needed: open the address `vmcoach serve` printed, or send Authorization: Bearer TOKEN".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_fresh() {
        let a = random_hex(TOKEN_BYTES).unwrap();
        let b = random_hex(TOKEN_BYTES).unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn only_this_servers_hosts_pass() {
        let access = Access::new("t", 8123, false);
        assert!(access.host_ok("127.0.0.1:8123"));
        assert!(access.host_ok("LOCALHOST:8123"));
        for bad in [
            "127.0.0.1",
            "127.0.0.1:8124",
            "evil.example:8123",
            "",
            "localhost.evil:8123",
        ] {
            assert!(!access.host_ok(bad), "{bad}");
        }
        assert!(Access::new("t", 8123, true).host_ok("192.168.1.5:8123"));
        assert!(access.token_ok("t") && !access.token_ok("u") && !access.token_ok(""));
    }
}
