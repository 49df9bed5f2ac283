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
