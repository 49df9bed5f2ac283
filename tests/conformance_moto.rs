//! The shared conformance suite against moto's S3 server with SigV4 verification on.
//!
//! Runs when `moto_server` was on PATH when the tests were built (`pip install "moto[server]"`);
//! otherwise the test shows as ignored. The test starts its own server on a free loopback
//! port, creates an IAM user with an access key through moto's IAM API while moto still
//! accepts unsigned requests, then turns authentication on (`/moto-api/reset-auth` with 0, the
//! server-side `INITIAL_NO_AUTH_ACTION_COUNT`), so every request after that must be signed
//! with the user's key.

mod conformance;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bucket_admin::s3::{Profile, S3Client};
use bucket_admin::{
    BucketAdmin, CreateBucketOptions, ErrorKind, ReplicationConfiguration, ReplicationDestination,
    ReplicationRule, RetryPolicy, StorageClass, VersioningStatus,
};
use conformance::{Backend, Subject};

/// moto cannot count requests or inject faults.
struct Moto;

impl Backend for Moto {
    fn request_count(&self) -> Option<usize> {
        None
    }
    fn inject_unavailable(&self, _times: usize) -> bool {
        false
    }
    fn inject_rate_limited(&self) -> bool {
        false
    }
    fn make_non_empty(&self, _bucket: &str) -> bool {
        false
    }
}

/// Kills the server when the test ends, panics included.
struct Server {
    child: Child,
    endpoint: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_moto() -> Server {
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
async fn iam_user(endpoint: &str) -> (String, String) {
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

fn client(endpoint: &str, id: &str, secret: &str) -> S3Client {
    S3Client::builder()
        .profile(Profile::Custom)
        .endpoint(endpoint)
        .region("eu-west-1")
        .access_key_id(id)
        .secret_access_key(secret)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client")
}

#[tokio::test]
#[cfg_attr(
    not(moto),
    ignore = "needs moto_server on PATH at build time (pip install \"moto[server]\")"
)]
async fn moto_conformance_with_signatures_checked() {
    let server = start_moto();
    let (id, secret) = iam_user(&server.endpoint).await;
    let admin = client(&server.endpoint, &id, &secret);
    let wrong = client(&server.endpoint, &id, "not-the-secret-key");

    // A wrong secret is refused by moto's signature check, with the server's strings.
    let err = wrong.list_buckets().await.expect_err("wrong secret");
    assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{err:?}");
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"), "{err:?}");
    assert_eq!(err.status(), Some(403));

    let run = std::process::id();
    let namer = move |stem: &str| format!("ba-{stem}-{run}");
    let subject = Subject {
        admin: &admin,
        wrong_credentials: &wrong,
        backend: &Moto,
        bucket_name: &namer,
        replication_destination: "arn:aws:s3:::ba-replica-destination".into(),
    };
    conformance::not_found_mapping(&subject).await;
    conformance::bucket_lifecycle(&subject).await;
    conformance::cors_round_trip(&subject).await;
    conformance::lifecycle_round_trip(&subject).await;
    conformance::versioning_round_trip(&subject).await;
    // moto rewrites every replication rule into a V2 rule (priority 1, delete-marker
    // replication off) and drops its prefix, so the shared round trip (a V1 rule with a
    // prefix) cannot pass there; a V2 rule without a prefix round-trips.
    replication_v2_round_trip(&admin, &namer("repl")).await;
    conformance::policy_round_trip(&subject).await;
    conformance::wrong_credentials(&subject).await;
    drop(server);
}

async fn replication_v2_round_trip(admin: &S3Client, bucket: &str) {
    admin
        .create_bucket(bucket, &CreateBucketOptions::default())
        .await
        .expect("create");
    assert_eq!(admin.get_replication(bucket).await.expect("get"), None);
    admin
        .put_versioning(bucket, VersioningStatus::Enabled)
        .await
        .expect("replication needs versioning");
    let cfg = ReplicationConfiguration {
        role: Some("arn:aws:iam::123456789012:role/replication".into()),
        rules: vec![ReplicationRule {
            id: Some("to-backup".into()),
            enabled: true,
            priority: Some(1),
            prefix: None,
            destination: ReplicationDestination {
                bucket: "arn:aws:s3:::ba-replica-destination".into(),
                storage_class: Some(StorageClass::Standard),
            },
            delete_marker_replication: Some(false),
        }],
    };
    admin.put_replication(bucket, &cfg).await.expect("put");
    assert_eq!(admin.get_replication(bucket).await.expect("get"), Some(cfg));
    admin.delete_replication(bucket).await.expect("delete");
    assert_eq!(
        admin
            .get_replication(bucket)
            .await
            .expect("get after delete"),
        None
    );
}
