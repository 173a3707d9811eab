//! A `vmcoach serve` process for one test, and plain HTTP/1.1 requests to it
//! over a TCP socket (so a test can send any Host, Origin or a body cut off).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::common::model;

pub struct Server {
    child: Child,
    pub port: u16,
    pub token: String,
    pub url: String,
    pub takes: tempfile::TempDir,
}

impl Server {
    /// Starts `vmcoach serve --no-open` with a fresh takes folder and
    /// `extra` options; returns once it printed its address.
    pub fn start(extra: &[&str]) -> Server {
        let takes = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_vmcoach"))
            .arg("--model")
            .arg(model())
            .args(["serve", "--no-open", "--takes"])
            .arg(takes.path())
            .args(extra)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("vmcoach starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        if line.is_empty() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("vmcoach serve printed no address: {err}");
        }
        let url = line.trim().to_string();
        let rest = url.strip_prefix("http://127.0.0.1:").expect(&url);
        let (port, token) = rest.split_once("/?token=").expect(&url);
        Server {
            child,
            port: port.parse().unwrap(),
            token: token.to_string(),
            url: url.clone(),
            takes,
        }
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// A request with the token (as a header) and this server's Host.
    pub fn send(&self, method: &str, path: &str, body: &[u8]) -> Reply {
        let auth = self.bearer();
        self.request(method, path, &[("Authorization", &auth)], body)
    }

    /// A request with exactly these headers, plus Host (unless given),
    /// Content-Length and Connection: close.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        let mut head = format!("{method} {path} HTTP/1.1\r\n");
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            head += &format!("Host: {}\r\n", self.host());
        }
        for (k, v) in headers {
            head += &format!("{k}: {v}\r\n");
        }
        head += &format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body);
        self.raw(&bytes)
    }

    /// Sends `bytes` as they are (in another thread, so a server that answers
    /// before reading them all is heard) and reads the answer.
    pub fn raw(&self, bytes: &[u8]) -> Reply {
        let mut stream = self.connect();
        let mut writer = stream.try_clone().unwrap();
        let bytes = bytes.to_vec();
        let sender = std::thread::spawn(move || {
            let _ = writer.write_all(&bytes);
        });
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let _ = sender.join();
        Reply::parse(&answer)
    }

    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(300)))
            .unwrap();
        stream
    }

    /// Fails the test when anything (a take, a `.part`) is in the takes folder.
    pub fn assert_no_takes(&self) {
        let files = self.takes_files();
        assert!(files.is_empty(), "{files:?}");
    }

    /// The files in the takes folder, sorted, hidden ones included.
    pub fn takes_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.takes.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Half a request: the head and part of the body, then the socket is
/// closed for writing.
pub fn cut_off(stream: &mut TcpStream, head: &str, part: &[u8]) {
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(part).unwrap();
    stream.flush().unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    fn parse(bytes: &[u8]) -> Reply {
        let end = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no HTTP answer: {:?}", String::from_utf8_lossy(bytes)));
        let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
            .collect();
        let reply = Reply {
            status,
            headers,
            body: bytes[end + 4..].to_vec(),
        };
        assert_ne!(
            reply.header("transfer-encoding"),
            Some("chunked"),
            "not read here"
        );
        reply
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    /// The JSON of a 200 answer; any other status fails the test.
    pub fn ok_json(&self) -> Value {
        assert_eq!(self.status, 200, "{}", String::from_utf8_lossy(&self.body));
        self.json()
    }

    pub fn error(&self) -> String {
        self.json()["error"]
            .as_str()
            .expect("an error message")
            .to_string()
    }
}
