//! A tiny HTTP/1.1 server that records every request and answers with canned responses.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Captured {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Captured {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// A field of the Authorization header, e.g. `q-header-list`.
    pub fn auth_field(&self, field: &str) -> Option<String> {
        auth_field(self.header("authorization")?, field)
    }
}

pub fn auth_field(auth: &str, field: &str) -> Option<String> {
    auth.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == field).then(|| v.to_owned())
    })
}

/// A canned answer.
#[derive(Debug, Clone)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Canned {
    pub fn new(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.to_owned(),
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.to_owned(), v.to_owned()));
        self
    }
    /// From a recording's `response` object.
    pub fn from_recorded(resp: &serde_json::Value) -> Self {
        Self {
            status: resp["status"].as_u64().unwrap() as u16,
            headers: resp["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    (
                        h[0].as_str().unwrap().to_owned(),
                        h[1].as_str().unwrap().to_owned(),
                    )
                })
                .collect(),
            body: resp["body"].as_str().unwrap_or("").to_owned(),
        }
    }
}

pub struct Server {
    pub url: String,
    captured: Arc<Mutex<Vec<Captured>>>,
}

impl Server {
    pub fn requests(&self) -> Vec<Captured> {
        self.captured.lock().unwrap().clone()
    }
}

/// Serves `responses` in order (the last one repeats).
pub async fn serve(responses: Vec<Canned>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let captured = Arc::new(Mutex::new(Vec::new()));
    let seen = captured.clone();
    tokio::spawn(async move {
        let mut n = 0usize;
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let Some(req) = read_request(&mut sock).await else {
                continue;
            };
            let resp = responses[n.min(responses.len() - 1)].clone();
            n += 1;
            let head_only = req.method == "HEAD";
            seen.lock().unwrap().push(req);
            let mut out = format!("HTTP/1.1 {} X\r\n", resp.status);
            for (k, v) in &resp.headers {
                if k.eq_ignore_ascii_case("content-length") || k.eq_ignore_ascii_case("connection")
                {
                    continue;
                }
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                resp.body.len()
            ));
            if !head_only {
                out.push_str(&resp.body);
            }
            let _ = sock.write_all(out.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    Server {
        url: format!("http://{addr}"),
        captured,
    }
}

async fn read_request(sock: &mut tokio::net::TcpStream) -> Option<Captured> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (target, String::new()),
    };
    Some(Captured {
        method,
        path,
        query,
        headers,
        body: String::from_utf8_lossy(&body).to_string(),
    })
}

pub const SECRET_ID: &str = "AKIDEXAMPLEexampleEXAMPLEexample1234";
pub const SECRET_KEY: &str = "SecretKeyExample0123456789abcdef";
pub const PINNED_NOW: i64 = 1_700_000_000;

/// A client pointed at `server`, clock pinned like the recordings, no retries.
pub fn client(server: &Server) -> bucket_admin_cos::CosClientBuilder {
    bucket_admin_cos::CosClient::builder()
        .region("ap-beijing")
        .secret_id(SECRET_ID)
        .secret_key(SECRET_KEY)
        .endpoint(&server.url)
        .allow_http(true)
        .clock(|| std::time::UNIX_EPOCH + std::time::Duration::from_secs(PINNED_NOW as u64))
        .retry_policy(bucket_admin_core::RetryPolicy::disabled())
}

pub fn load(name: &str) -> serde_json::Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}
