//! Client behaviour against a scripted local HTTP server: `Ok(None)` only for the right 404,
//! pagination and its cap, body limits, trailing content, region hints, credentials
//! providers and capability checks before sending.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bucket_admin_core::*;
use bucket_admin_s3::{Profile, ProvideCredentials, S3Client, S3Credentials};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One request as the server saw it: request line target and lower-cased headers.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
}

type Script = dyn Fn(&Seen) -> (u16, Vec<(&'static str, String)>, String) + Send + Sync;

struct Server {
    endpoint: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn server(script: Arc<Script>) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let script = script.clone();
            let log = log.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let head = loop {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break String::from_utf8_lossy(&buf[..i]).into_owned();
                    }
                };
                let mut lines = head.lines();
                let mut first = lines.next().unwrap_or_default().split(' ');
                let seen = Seen {
                    method: first.next().unwrap_or_default().to_owned(),
                    target: first.next().unwrap_or_default().to_owned(),
                    headers: lines
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                        .collect(),
                };
                let (status, headers, body) = script(&seen);
                log.lock().unwrap().push(seen);
                let mut reply = format!("HTTP/1.1 {status} X\r\nconnection: close\r\n");
                for (k, v) in headers {
                    reply.push_str(&format!("{k}: {v}\r\n"));
                }
                reply.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
                let _ = sock.write_all(reply.as_bytes()).await;
            });
        }
    });
    Server { endpoint, seen }
}

fn client(endpoint: &str) -> bucket_admin_s3::S3ClientBuilder {
    S3Client::builder()
        .profile(Profile::Custom)
        .endpoint(endpoint)
        .access_key_id("AKIAIOSFODNN7EXAMPLE")
        .secret_access_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        .retry_policy(RetryPolicy::disabled())
}

fn error_body(code: &str) -> String {
    format!("<Error><Code>{code}</Code><Message>m</Message><RequestId>R</RequestId></Error>")
}

#[tokio::test]
async fn none_only_for_the_sub_resources_own_404() {
    let s = server(Arc::new(|seen: &Seen| {
        let code = match seen.target.as_str() {
            "/notset?cors" => "NoSuchCORSConfiguration",
            "/wrongcode?cors" => "NoSuchLifecycleConfiguration",
            _ => "NoSuchBucket",
        };
        (
            404,
            vec![("x-amz-request-id", "REQ1".into())],
            error_body(code),
        )
    }))
    .await;
    let c = client(&s.endpoint).build().unwrap();
    assert_eq!(c.get_cors("notset").await.unwrap(), None);
    let e = c.get_cors("wrongcode").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.code(), Some("NoSuchLifecycleConfiguration"));
    let e = c.get_cors("missing").await.unwrap_err();
    assert_eq!(e.code(), Some("NoSuchBucket"));
    assert_eq!(e.request_id(), Some("REQ1"));
    assert_eq!(e.bucket(), Some("missing"));
}

#[tokio::test]
async fn list_follows_continuation_tokens_up_to_the_cap() {
    let s = server(Arc::new(|seen: &Seen| {
        let body = match seen.target.as_str() {
            "/" => "<ListAllMyBucketsResult><Buckets><Bucket><Name>aaa</Name><CreationDate>2024-01-02T03:04:05.000Z</CreationDate></Bucket></Buckets><ContinuationToken>t1</ContinuationToken></ListAllMyBucketsResult>",
            "/?continuation-token=t1" => "<ListAllMyBucketsResult><Buckets><Bucket><Name>bbb</Name><BucketRegion>eu-west-1</BucketRegion></Bucket></Buckets></ListAllMyBucketsResult>",
            _ => "<ListAllMyBucketsResult><Buckets></Buckets><ContinuationToken>again</ContinuationToken></ListAllMyBucketsResult>",
        };
        (200, vec![], body.to_owned())
    }))
    .await;
    let c = client(&s.endpoint).build().unwrap();
    let names: Vec<_> = c
        .list_buckets()
        .await
        .unwrap()
        .into_iter()
        .map(|b| (b.name, b.region))
        .collect();
    assert_eq!(
        names,
        [
            ("aaa".to_owned(), None),
            ("bbb".to_owned(), Some("eu-west-1".to_owned()))
        ]
    );
    let capped = client(&s.endpoint).max_list_pages(1).build().unwrap();
    let e = capped.list_buckets().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.message().contains("1 pages"), "{e}");
}

#[tokio::test]
async fn bodies_are_bounded_and_checked() {
    let s = server(Arc::new(|seen: &Seen| {
        let body = if seen.target.starts_with("/big") {
            format!("<CORSConfiguration>{}</CORSConfiguration>", " ".repeat(500))
        } else {
            "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration><CORSConfiguration/>".to_owned()
        };
        (200, vec![], body)
    }))
    .await;
    let c = client(&s.endpoint).max_response_bytes(100).build().unwrap();
    let e = c.get_cors("big").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.message().contains("100-byte limit"), "{e}");
    let c = client(&s.endpoint).build().unwrap();
    let e = c.get_cors("twice").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.message().contains("after the root element"), "{e}");
}

#[tokio::test]
async fn a_redirect_names_the_buckets_region() {
    let s = server(Arc::new(|_: &Seen| {
        (
            301,
            vec![
                ("x-amz-bucket-region", "ap-southeast-2".into()),
                ("x-amz-id-2", "HOST2".into()),
            ],
            String::new(),
        )
    }))
    .await;
    let c = client(&s.endpoint).region("us-east-1").build().unwrap();
    let e = c.head_bucket("elsewhere").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert_eq!(e.code(), Some("PermanentRedirect"));
    assert!(e.message().contains("ap-southeast-2"), "{e}");
    assert_eq!(e.detail("x_amz_id_2"), Some("HOST2"));
    // Not "does not exist": a wrong region is not a missing bucket.
    assert!(c.bucket_exists("elsewhere").await.is_err());
}

#[derive(Debug, Default)]
struct Counting(AtomicUsize);

#[async_trait]
impl ProvideCredentials for Counting {
    async fn credentials(&self) -> Result<S3Credentials> {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        Ok(S3Credentials::new(format!("AKIATEMP{n}"), "temp-secret")
            .with_session_token(format!("token-{n}")))
    }
}

#[tokio::test]
async fn a_credentials_provider_is_asked_on_every_attempt() {
    let s = server(Arc::new(|seen: &Seen| {
        if seen
            .headers
            .iter()
            .any(|(k, v)| k == "x-amz-security-token" && v == "token-0")
        {
            (503, vec![], error_body("ServiceUnavailable"))
        } else {
            (200, vec![], String::new())
        }
    }))
    .await;
    let provider = Arc::new(Counting::default());
    let c = S3Client::builder()
        .profile(Profile::Custom)
        .endpoint(&s.endpoint)
        .credentials_provider(provider.clone())
        .retry_policy(
            RetryPolicy::default().with_initial_backoff(std::time::Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    c.delete_cors("bucket").await.unwrap();
    assert_eq!(provider.0.load(Ordering::SeqCst), 2, "one ask per attempt");
    let seen = s.seen.lock().unwrap().clone();
    let auth: Vec<_> = seen
        .iter()
        .map(|r| {
            r.headers
                .iter()
                .find(|(k, _)| k == "authorization")
                .unwrap()
                .1
                .clone()
        })
        .collect();
    assert!(auth[0].contains("Credential=AKIATEMP0/"), "{}", auth[0]);
    assert!(auth[1].contains("Credential=AKIATEMP1/"), "{}", auth[1]);
    assert!(
        auth[1].contains("x-amz-security-token"),
        "the token is signed: {}",
        auth[1]
    );
    assert!(!format!("{c:?}").contains("temp-secret"));
}

#[tokio::test]
async fn r2_profile_refuses_versioning_replication_and_policy_without_sending() {
    let s = server(Arc::new(|_: &Seen| (200, vec![], String::new()))).await;
    let c = S3Client::builder()
        .profile(Profile::R2)
        .endpoint(&s.endpoint)
        .access_key_id("AKIAEXAMPLE")
        .secret_access_key("s")
        .build()
        .unwrap();
    assert_eq!(c.region(), "auto");
    let errs = [
        c.put_versioning("bkt", VersioningStatus::Enabled)
            .await
            .unwrap_err(),
        c.get_replication("bkt").await.unwrap_err(),
        c.get_policy("bkt").await.unwrap_err(),
    ];
    for e in errs {
        assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
        assert!(e.message().contains("r2 profile"), "{e}");
    }
    let locked = CreateBucketOptions::new().with_object_lock_enabled(true);
    let e = c.create_bucket("bkt", &locked).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(e.message().contains("object_lock_enabled"), "{e}");
    assert!(s.seen.lock().unwrap().is_empty(), "nothing was sent");
    // R2 creates without a location constraint (region auto).
    c.create_bucket("bkt", &CreateBucketOptions::default())
        .await
        .unwrap();
    let seen = s.seen.lock().unwrap().clone();
    assert_eq!(seen[0].method, "PUT");
    assert!(
        seen[0]
            .headers
            .iter()
            .any(|(k, v)| k == "content-length" && v == "0")
            || !seen[0].headers.iter().any(|(k, _)| k == "content-type")
    );
}
