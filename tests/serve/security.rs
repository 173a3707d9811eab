//! The security list: token, Host, Origin, CORS, limits, take ids, the
//! queue, cut-off uploads, remote addresses.

use std::process::Command;

use crate::common::{fixture, model};
use crate::http::{cut_off, Server};

#[test]
fn every_request_needs_this_starts_token() {
    let server = Server::start(&[]);
    assert_eq!(server.token.len(), 64, "256 bits as hex");
    assert!(server.token.bytes().all(|b| b.is_ascii_hexdigit()));
    for path in ["/", "/api/takes", "/api/takes/x.wav", "/nothing"] {
        let reply = server.request("GET", path, &[], b"");
        assert_eq!(reply.status, 401, "{path}");
        assert!(reply.error().contains("token"), "{path}");
        assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    }
    let wrong = format!("Bearer {}", "0".repeat(64));
    assert_eq!(
        server
            .request("GET", "/", &[("Authorization", &wrong)], b"")
            .status,
        401
    );
    assert_eq!(server.request("GET", "/?token=abc", &[], b"").status, 401);
    assert_eq!(
        server
            .request("POST", "/api/check", &[], b"Hi, this is Dana.")
            .status,
        401
    );

    let page = server.request("GET", &format!("/?token={}", server.token), &[], b"");
    assert_eq!(page.status, 200);
    assert!(String::from_utf8_lossy(&page.body).contains("Record a take"));
    assert!(page
        .header("content-security-policy")
        .unwrap()
        .contains("default-src 'none'"));
    assert_eq!(server.send("GET", "/api/takes", b"").status, 200);
    // the page's own files are the same for everyone
    assert_eq!(
        server.request("GET", "/assets/app.js", &[], b"").status,
        200
    );

    let again = Server::start(&[]);
    assert_ne!(again.token, server.token, "a fresh token each start");
    let old = format!("Bearer {}", server.token);
    assert_eq!(
        again
            .request("GET", "/api/takes", &[("Authorization", &old)], b"")
            .status,
        401
    );
}

#[test]
fn a_host_that_is_not_this_server_is_refused() {
    let server = Server::start(&[]);
    let auth = server.bearer();
    let other_port = format!("127.0.0.1:{}", server.port + 1);
    for host in [
        "evil.example",
        "evil.example:80",
        &other_port,
        "127.0.0.1",
        "localhost.evil.example",
    ] {
        let reply = server.request(
            "GET",
            "/api/takes",
            &[("Host", host), ("Authorization", &auth)],
            b"",
        );
        assert_eq!(reply.status, 403, "{host}");
        assert!(reply.error().contains("Host"), "{host}");
    }
    let localhost = format!("localhost:{}", server.port);
    let reply = server.request(
        "GET",
        "/api/takes",
        &[("Host", &localhost), ("Authorization", &auth)],
        b"",
    );
    assert_eq!(reply.status, 200);
}

#[test]
fn a_post_from_another_origin_is_refused_and_no_cors_is_offered() {
    let server = Server::start(&[]);
    let auth = server.bearer();
    let script = b"Hi, this is Dana Whitfield, my number is 612 555 0147.";
    for origin in [
        "http://evil.example",
        "null",
        &format!("http://localhost:{}", server.port + 1),
    ] {
        let reply = server.request(
            "POST",
            "/api/check",
            &[("Origin", origin), ("Authorization", &auth)],
            script,
        );
        assert_eq!(reply.status, 403, "{origin}");
        assert!(reply.error().contains("origin"), "{origin}");
    }
    let own = format!("http://127.0.0.1:{}", server.port);
    let reply = server.request(
        "POST",
        "/api/check",
        &[("Origin", &own), ("Authorization", &auth)],
        script,
    );
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );

    let preflight = server.request(
        "OPTIONS",
        "/api/analyze",
        &[
            ("Origin", "http://evil.example"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "authorization"),
        ],
        b"",
    );
    assert!(preflight.status >= 400, "{}", preflight.status);
    let get = server.request(
        "GET",
        "/api/takes",
        &[("Origin", "http://evil.example"), ("Authorization", &auth)],
        b"",
    );
    for reply in [&preflight, &get, &reply] {
        assert!(
            !reply
                .headers
                .iter()
                .any(|(k, _)| k.starts_with("access-control-")),
            "{:?}",
            reply.headers
        );
    }
}

#[test]
fn bodies_over_the_limits_get_413() {
    let server = Server::start(&["--max-upload-mb", "1", "--max-seconds", "5"]);
    let auth = server.bearer();
    let big = vec![0u8; 1_500_000];
    let declared = server.request("POST", "/api/analyze", &[("Authorization", &auth)], &big);
    assert_eq!(declared.status, 413);
    assert!(declared.error().contains("1 MB"), "{}", declared.error());

    // no declared length: refused once the limit is passed
    let mut chunked = format!(
        "POST /api/analyze HTTP/1.1\r\nHost: {}\r\nAuthorization: {auth}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        server.host()
    )
    .into_bytes();
    for _ in 0..30 {
        chunked.extend_from_slice(format!("{:x}\r\n", 65536).as_bytes());
        chunked.extend_from_slice(&[1u8; 65536]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let streamed = server.raw(&chunked);
    assert_eq!(streamed.status, 413);

    // audio longer than --max-seconds: 413 with analyze's message
    let audio = std::fs::read(fixture("networking-second-attempt-hts-22k.wav")).unwrap();
    let long = server.request(
        "POST",
        "/api/analyze?name=long.wav",
        &[("Authorization", &auth)],
        &audio,
    );
    assert_eq!(long.status, 413);
    assert_eq!(
        long.error(),
        "long.wav: is 14.6 s long; the limit is 5.0 s (use --max-seconds to change it)"
    );
    // the script check has a limit too
    let script = vec![b'a'; 3_000_000];
    assert_eq!(server.send("POST", "/api/check", &script).status, 413);
    server.assert_no_takes();
}

#[test]
fn a_body_that_is_not_audio_gets_analyzes_message_as_json() {
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let text = b"Dear hiring manager, here are my notes.\n";
    std::fs::write(dir.path().join("notes.txt"), text).unwrap();
    let cli = Command::new(env!("CARGO_BIN_EXE_vmcoach"))
        .current_dir(dir.path())
        .arg("--model")
        .arg(model())
        .args(["analyze", "notes.txt"])
        .output()
        .unwrap();
    assert_eq!(cli.status.code(), Some(1));
    let message = String::from_utf8_lossy(&cli.stderr)
        .trim()
        .strip_prefix("vmcoach: error: ")
        .expect("analyze's error line")
        .to_string();

    let reply = server.send("POST", "/api/analyze?name=notes.txt", text);
    assert_eq!(reply.status, 400);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.error(), message);
    let unnamed = server.send("POST", "/api/analyze", text);
    assert_eq!(unnamed.status, 400);
    assert!(
        unnamed.error().starts_with("the upload: is a text file"),
        "{}",
        unnamed.error()
    );
    assert_eq!(server.send("POST", "/api/analyze", b"").status, 400);
    server.assert_no_takes();
}

#[test]
fn take_ids_are_checked_and_paths_never_come_from_the_client() {
    let server = Server::start(&[]);
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(outside.path(), b"secret").unwrap();
    std::os::unix::fs::symlink(outside.path(), server.takes.path().join("link.wav")).unwrap();
    std::fs::write(server.takes.path().join(".hidden.wav"), b"RIFF").unwrap();
    for path in [
        "/api/takes/link.wav",
        "/api/takes/.hidden.wav",
        "/api/takes/..%2f..%2fetc%2fpasswd",
        "/api/takes/%2e%2e%2fhistory.jsonl",
        "/api/takes/../../etc/passwd",
        "/api/takes/no-such-take.html",
        "/api/takes/history.jsonl",
    ] {
        let reply = server.send("GET", path, b"");
        assert_eq!(
            reply.status,
            404,
            "{path}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        assert!(!String::from_utf8_lossy(&reply.body).contains("secret"));
    }
}

#[test]
fn with_the_line_full_another_analysis_gets_503() {
    let server = Server::start(&["--queue", "0"]);
    // an upload that has begun holds the only place
    let mut first = server.connect();
    let head = format!(
        "POST /api/analyze HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\nContent-Length: 100000\r\n\r\n",
        server.host(),
        server.bearer()
    );
    std::io::Write::write_all(&mut first, head.as_bytes()).unwrap();
    std::io::Write::write_all(&mut first, &[0u8; 1000]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let second = server.send("POST", "/api/analyze", b"RIFF");
    assert_eq!(
        second.status,
        503,
        "{}",
        String::from_utf8_lossy(&second.body)
    );
    assert!(second.error().contains("busy"));
    // the check of a script needs no place in the line
    assert_eq!(
        server.send("POST", "/api/check", b"Hi, it's Dana.").status,
        200
    );
    drop(first);
    wait_until(|| server.send("POST", "/api/analyze", b"hello").status == 400);
}

#[test]
fn a_cut_off_upload_leaves_nothing_behind() {
    let server = Server::start(&[]);
    let audio = std::fs::read(fixture("networking-second-attempt-hts-22k.wav")).unwrap();
    let mut stream = server.connect();
    let head = format!(
        "POST /api/analyze HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\nContent-Length: {}\r\n\r\n",
        server.host(),
        server.bearer(),
        audio.len()
    );
    cut_off(&mut stream, &head, &audio[..audio.len() / 3]);
    let mut answer = String::new();
    let _ = std::io::Read::read_to_string(&mut stream, &mut answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 400"),
        "{answer}"
    );
    wait_until(|| server.takes_files().is_empty());
    let listing = server.send("GET", "/api/takes", b"").json();
    assert_eq!(listing["takes"].as_array().unwrap().len(), 0);
}

#[test]
fn a_remote_address_needs_allow_remote() {
    let out = Command::new(env!("CARGO_BIN_EXE_vmcoach"))
        .args(["serve", "--no-open", "--host", "0.0.0.0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--allow-remote"), "{stderr}");
    assert!(out.stdout.is_empty());
}

fn wait_until(mut ready: impl FnMut() -> bool) {
    for _ in 0..100 {
        if ready() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("not so after 5 s");
}
