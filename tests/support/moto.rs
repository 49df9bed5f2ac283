//! moto's S3 server for tests: started on a free loopback port, killed when dropped, with an
//! IAM user whose key every later request must be signed with. Shared by
//! tests/conformance_moto.rs and crates/cli/tests/s3_moto.rs (included with `#[path]`).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the server when the test ends, panics included.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `moto_server` and waits (bounded) until it listens.
pub fn start_moto() -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server was on PATH at build time but does not start");
    let server = Server {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "moto_server did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let start = text.find(open).map(|i| i + open.len()).expect(open);
    let len = text[start..].find(close).expect(close);
    &text[start..start + len]
}

/// Creates an IAM user allowed everything and returns its access key, then enforces
/// authentication for every later request.
pub async fn iam_user(endpoint: &str) -> (String, String) {
    let http = reqwest::Client::new();
    // moto routes by the credential scope's service; the signature is not checked yet.
    let iam_auth = "AWS4-HMAC-SHA256 Credential=AKIASETUP/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0";
    let call = |form: Vec<(&'static str, String)>| {
        let http = http.clone();
        async move {
            let resp = http
                .post(format!("{endpoint}/"))
                .header("authorization", iam_auth)
                .form(&form)
                .send()
                .await
                .expect("IAM call");
            let status = resp.status();
            let text = resp.text().await.expect("IAM body");
            assert!(status.is_success(), "IAM call failed: {status} {text}");
            text
        }
    };
    let v = || ("Version", "2010-05-08".to_owned());
    call(vec![
        ("Action", "CreateUser".into()),
        ("UserName", "bucket-admin".into()),
        v(),
    ])
    .await;
    call(vec![
        ("Action", "PutUserPolicy".into()),
        ("UserName", "bucket-admin".into()),
        ("PolicyName", "all".into()),
        (
            "PolicyDocument",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#.into(),
        ),
        v(),
    ])
    .await;
    let key = call(vec![
        ("Action", "CreateAccessKey".into()),
        ("UserName", "bucket-admin".into()),
        v(),
    ])
    .await;
    let id = between(&key, "<AccessKeyId>", "</AccessKeyId>").to_owned();
    let secret = between(&key, "<SecretAccessKey>", "</SecretAccessKey>").to_owned();
    let reset = http
        .post(format!("{endpoint}/moto-api/reset-auth"))
        .body("0")
        .send()
        .await
        .expect("reset-auth");
    assert!(
        reset.status().is_success(),
        "reset-auth: {}",
        reset.status()
    );
    (id, secret)
}
