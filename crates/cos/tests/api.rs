//! The public API of the builder: credential providers that refresh, loopback `http`, a
//! caller's own `reqwest::Client`, the clock option and `from_env` on both types.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bucket_admin_core::{BucketAdmin, ErrorKind, Result, RetryPolicy, async_trait};
use bucket_admin_cos::{CosClient, CosClientBuilder, CredentialProvider, Credentials};
use common::{Canned, PINNED_NOW, SECRET_ID, SECRET_KEY, serve};

const BUCKET: &str = "examplebucket-1250000000";
const CORS: &str = "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";

fn pinned() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(PINNED_NOW as u64)
}

fn expired_token() -> Canned {
    Canned::new(
        400,
        "<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message><RequestId>rid</RequestId></Error>",
    )
}

/// Hands out `token-1`, `token-2`, … each valid for `valid_for` from the pinned clock.
#[derive(Debug)]
struct CountingSts {
    calls: Arc<AtomicU32>,
    valid_for: Duration,
}

#[async_trait]
impl CredentialProvider for CountingSts {
    async fn credentials(&self) -> Result<Credentials> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(
            Credentials::new(format!("AKIDtemporary{n}xxxxxx"), SECRET_KEY)
                .with_session_token(format!("token-{n}"))
                .with_expires_at(pinned() + self.valid_for),
        )
    }
}

fn sts_client(url: &str, calls: &Arc<AtomicU32>, valid_for: Duration) -> CosClient {
    CosClient::builder()
        .region("ap-beijing")
        .credentials_provider(CountingSts {
            calls: calls.clone(),
            valid_for,
        })
        .endpoint(url)
        .clock(pinned)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap()
}

#[tokio::test]
async fn expired_token_is_refreshed_and_the_request_retried_once() {
    let server = serve(vec![expired_token(), Canned::new(200, CORS)]).await;
    let calls = Arc::new(AtomicU32::new(0));
    let client = sts_client(&server.url, &calls, Duration::from_secs(3600));
    let cors = client.get_cors(BUCKET).await.unwrap().unwrap();
    assert_eq!(cors.rules.len(), 1);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "asked once, then once more"
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].header("x-cos-security-token"), Some("token-1"));
    assert_eq!(reqs[1].header("x-cos-security-token"), Some("token-2"));
    assert_eq!(
        reqs[1].auth_field("q-ak").as_deref(),
        Some("AKIDtemporary2xxxxxx")
    );
    // The refreshed credentials stay cached: the next call asks nobody.
    client.get_cors(BUCKET).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_second_expired_answer_stands() {
    let server = serve(vec![expired_token()]).await;
    let calls = Arc::new(AtomicU32::new(0));
    let client = sts_client(&server.url, &calls, Duration::from_secs(3600));
    let err = client.get_cors(BUCKET).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    assert_eq!(err.code(), Some("ExpiredToken"));
    assert_eq!(server.requests().len(), 2, "one resend, not a loop");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn credentials_near_expiry_are_refreshed_before_sending() {
    let server = serve(vec![Canned::new(200, CORS)]).await;
    let calls = Arc::new(AtomicU32::new(0));
    // Valid for 2 minutes: inside the 5-minute margin, so every request asks again.
    let client = sts_client(&server.url, &calls, Duration::from_secs(120));
    client.get_cors(BUCKET).await.unwrap();
    client.get_cors(BUCKET).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let reqs = server.requests();
    assert_eq!(reqs[1].header("x-cos-security-token"), Some("token-2"));
}

#[tokio::test]
async fn fixed_keys_do_not_retry_an_expired_token() {
    let server = serve(vec![expired_token(), Canned::new(200, CORS)]).await;
    let client = common::client(&server)
        .session_token("fixed")
        .build()
        .unwrap();
    let err = client.get_cors(BUCKET).await.unwrap_err();
    assert_eq!(err.code(), Some("ExpiredToken"));
    assert_eq!(server.requests().len(), 1);
}

#[derive(Debug)]
struct Broken;

#[async_trait]
impl CredentialProvider for Broken {
    async fn credentials(&self) -> Result<Credentials> {
        Ok(Credentials::new("", "key"))
    }
}

#[tokio::test]
async fn a_provider_answer_without_secret_id_is_a_config_error_and_nothing_is_sent() {
    let server = serve(vec![Canned::new(200, CORS)]).await;
    let client = CosClient::builder()
        .region("ap-beijing")
        .credentials_provider(Broken)
        .endpoint(&server.url)
        .build()
        .unwrap();
    let err = client.get_cors(BUCKET).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.message().contains("SecretId"), "{err}");
    assert!(server.requests().is_empty());
}

fn keyed() -> CosClientBuilder {
    CosClient::builder()
        .region("ap-beijing")
        .secret_id(SECRET_ID)
        .secret_key(SECRET_KEY.to_owned())
}

#[test]
fn loopback_http_needs_no_opt_in_but_other_http_does() {
    for ok in [
        "http://127.0.0.1:9000",
        "http://127.8.9.10:1",
        "http://localhost:9000",
        "http://[::1]:9000",
    ] {
        assert!(keyed().endpoint(ok).build().is_ok(), "{ok}");
    }
    assert!(
        keyed()
            .service_domain("http://127.0.0.1:9000")
            .build()
            .is_ok()
    );
    for refused in ["http://10.0.0.5:9000", "http://cos.internal.example"] {
        let err = keyed().endpoint(refused).build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.message().contains("allow_http"), "{err}");
        assert!(keyed().endpoint(refused).allow_http(true).build().is_ok());
    }
    let err = keyed()
        .domain_template("http://{bucket}.cos.internal.example")
        .build()
        .unwrap_err();
    assert!(err.message().contains("allow_http"), "{err}");
}

#[tokio::test]
async fn a_callers_reqwest_client_sends_the_requests() {
    let server = serve(vec![Canned::new(200, CORS)]).await;
    let http = reqwest::Client::builder()
        .user_agent("my-own-client/1.0")
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let client = common::client(&server).http_client(http).build().unwrap();
    client.get_cors(BUCKET).await.unwrap();
    assert_eq!(
        server.requests()[0].header("user-agent"),
        Some("my-own-client/1.0")
    );
}

#[test]
fn from_env_is_on_both_types_and_takes_str_pairs() {
    let vars = [
        ("COS_SECRET_ID", SECRET_ID),
        ("COS_SECRET_KEY", SECRET_KEY),
        ("COS_REGION", "ap-guangzhou"),
    ];
    let client = CosClientBuilder::from_env_vars(vars).build().unwrap();
    assert_eq!(client.region(), "ap-guangzhou");
    let owned: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert!(CosClientBuilder::from_env_vars(owned).build().is_ok());
    // Both spellings exist (they read the real environment; only their type is checked).
    let _: CosClientBuilder = CosClient::from_env();
    let _: CosClientBuilder = CosClientBuilder::from_env();
}

#[tokio::test]
async fn the_clock_option_pins_the_signature_time() {
    let server = serve(vec![Canned::new(200, CORS)]).await;
    let client = common::client(&server).build().unwrap();
    client.get_cors(BUCKET).await.unwrap();
    let key_time = server.requests()[0].auth_field("q-sign-time").unwrap();
    // The key time opens a minute early (as the SDK's does) and lasts 10,000 s.
    assert_eq!(
        key_time,
        format!("{};{}", PINNED_NOW - 60, PINNED_NOW + 10_000)
    );
}

fn bucket_list(names: &[&str], next: Option<&str>) -> String {
    let buckets: String = names
        .iter()
        .map(|n| format!("<Bucket><Name>{n}</Name><Location>ap-beijing</Location><CreationDate>2024-01-01T00:00:00Z</CreationDate></Bucket>"))
        .collect();
    let tail = match next {
        Some(m) => format!("<IsTruncated>true</IsTruncated><NextMarker>{m}</NextMarker>"),
        None => "<IsTruncated>false</IsTruncated>".to_owned(),
    };
    format!("<ListAllMyBucketsResult><Buckets>{buckets}</Buckets>{tail}</ListAllMyBucketsResult>")
}

#[tokio::test]
async fn paged_listing_sends_every_option_and_keeps_the_filters_on_the_next_page() {
    use bucket_admin_cos::ListBucketsOptions;
    let server = serve(vec![
        Canned::new(
            200,
            &bucket_list(&["a-1250000000", "b-1250000000"], Some("b-1250000000")),
        ),
        Canned::new(200, &bucket_list(&["c-1250000000"], None)),
    ])
    .await;
    let client = common::client(&server).build().unwrap();
    let opts = ListBucketsOptions::new()
        .max_keys(2)
        .tag("team", "web")
        .region("ap-guangzhou")
        .marker("0-start");
    let page = client.list_buckets_page(&opts).await.unwrap();
    let names: Vec<_> = page.buckets.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["a-1250000000", "b-1250000000"]);
    let next = page.next.clone().expect("truncated: a next page");
    assert_eq!(next.marker.as_deref(), Some("b-1250000000"));
    assert_eq!(next.tag_key.as_deref(), Some("team"));
    assert_eq!(next.region.as_deref(), Some("ap-guangzhou"));
    let last = client.list_buckets_page(&next).await.unwrap();
    assert_eq!(last.buckets.len(), 1);
    assert_eq!(last.next, None);

    let reqs = server.requests();
    assert_eq!(
        reqs[0].header("host"),
        Some("cos.ap-guangzhou.myqcloud.com")
    );
    for want in [
        "marker=0-start",
        "max-keys=2",
        "tagkey=team",
        "tagvalue=web",
        "region=ap-guangzhou",
    ] {
        assert!(reqs[0].query.contains(want), "{want} in {}", reqs[0].query);
    }
    assert!(
        reqs[1].query.contains("marker=b-1250000000"),
        "{}",
        reqs[1].query
    );
    assert!(reqs[1].query.contains("tagvalue=web"), "{}", reqs[1].query);
}

#[tokio::test]
async fn the_pager_walks_every_page_and_then_ends() {
    use bucket_admin_cos::ListBucketsOptions;
    let server = serve(vec![
        Canned::new(200, &bucket_list(&["a-1250000000"], Some("a-1250000000"))),
        Canned::new(200, &bucket_list(&["b-1250000000"], None)),
    ])
    .await;
    let client = common::client(&server).build().unwrap();
    let mut pages = client.bucket_pages(ListBucketsOptions::new().max_keys(1));
    let mut seen = Vec::new();
    while let Some(buckets) = pages.next_page().await.unwrap() {
        seen.push(buckets.len());
    }
    assert_eq!(seen, [1, 1]);
    assert_eq!(pages.next_page().await.unwrap(), None, "stays ended");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_marker_that_does_not_advance_is_an_error_and_max_keys_is_checked() {
    use bucket_admin_cos::ListBucketsOptions;
    let server = serve(vec![Canned::new(
        200,
        &bucket_list(&["a-1250000000"], Some("a-1250000000")),
    )])
    .await;
    let client = common::client(&server).build().unwrap();
    let mut pages = client.bucket_pages(ListBucketsOptions::new());
    pages.next_page().await.unwrap();
    let err = pages.next_page().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("did not advance"), "{err}");

    let err = client
        .list_buckets_page(&ListBucketsOptions::new().max_keys(5000))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(format!("{err}").contains("max_keys"), "{err}");
}

/// Keeps the SecretId and rotates the SecretKey on every call (`secret-1`, `secret-2`, …).
#[derive(Debug)]
struct RotatingKey {
    calls: Arc<AtomicU32>,
}

#[async_trait]
impl CredentialProvider for RotatingKey {
    async fn credentials(&self) -> Result<Credentials> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        // Inside the refresh margin, so every request asks again.
        Ok(Credentials::new(SECRET_ID, format!("secret-{n}"))
            .with_expires_at(pinned() + Duration::from_secs(120)))
    }
}

#[tokio::test]
async fn a_rotated_secret_key_is_signed_with_even_within_the_same_second() {
    // The client reuses the signing key of one key time; the clock is pinned, so both requests
    // share a key time and a SecretId, and only the new SecretKey tells them apart.
    let server = serve(vec![Canned::new(200, CORS)]).await;
    let calls = Arc::new(AtomicU32::new(0));
    let client = CosClient::builder()
        .region("ap-beijing")
        .credentials_provider(RotatingKey {
            calls: calls.clone(),
        })
        .endpoint(&server.url)
        .clock(pinned)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    client.get_cors(BUCKET).await.unwrap();
    client.get_cors(BUCKET).await.unwrap();
    client.get_cors(BUCKET).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    let reqs = server.requests();
    let signatures: Vec<_> = reqs
        .iter()
        .map(|r| r.auth_field("q-signature").unwrap())
        .collect();
    assert_eq!(
        reqs[0].auth_field("q-key-time"),
        reqs[2].auth_field("q-key-time")
    );
    assert_ne!(
        signatures[0], signatures[1],
        "the second key signed the second request"
    );
    assert_ne!(signatures[1], signatures[2]);
    // And each is the signature of its own key, byte for byte.
    for (i, req) in reqs.iter().enumerate() {
        let key_time =
            bucket_admin_cos::sign::KeyTime::parse(&req.auth_field("q-key-time").unwrap()).unwrap();
        let host = req.header("host").unwrap();
        let expected = bucket_admin_cos::sign::sign(
            SECRET_ID,
            &format!("secret-{}", i + 1),
            "GET",
            "/",
            &[("cors", "")],
            &[("Host", host)],
            key_time,
        );
        assert_eq!(signatures[i], expected.signature(), "request {i}");
    }
}
