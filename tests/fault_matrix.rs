//! The retry matrix: every fault the emulator can inject, against both providers.
//!
//! For each case: the outcome (success after retries, or a typed error naming the cause), the
//! number of attempts the server saw, that every attempt carried fresh credentials, and that a
//! non-idempotent call (bucket creation) is not repeated after an ambiguous failure.

use std::time::Duration;

use bucket_admin::cos::CosClient;
use bucket_admin::r2::R2Client;
use bucket_admin::{
    BucketAdmin, CorsConfiguration, CorsMethod, CorsRule, CreateBucketOptions, ErrorKind,
    RetryPolicy,
};
use bucket_admin_emulator::{Api, Emulator, Fault, FaultRule, RecordedRequest};

const BUCKET_STEM: &str = "matrix";

fn policy() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
}

struct Rig {
    emulator: Emulator,
    api: Api,
    admin: Box<dyn BucketAdmin>,
    bucket: String,
}

impl Rig {
    async fn new(api: Api, retry: RetryPolicy, timeout: Duration) -> Rig {
        let emulator = Emulator::start().await.expect("emulator");
        let (admin, bucket): (Box<dyn BucketAdmin>, String) = match api {
            Api::Cos => {
                let c = emulator.cos_credentials().clone();
                let client = CosClient::builder()
                    .region(c.region)
                    .secret_id(c.secret_id)
                    .secret_key(c.secret_key)
                    .endpoint(emulator.cos_endpoint())
                    .allow_http(true)
                    .retry_policy(retry)
                    .timeout(timeout)
                    .build()
                    .expect("cos client");
                (Box::new(client), format!("{BUCKET_STEM}-{}", c.appid))
            }
            Api::R2 => {
                let c = emulator.r2_credentials().clone();
                let client = R2Client::builder()
                    .account_id(c.account_id)
                    .api_token(c.api_token)
                    .base_url(emulator.r2_base_url())
                    .allow_http(true)
                    .pacing(None)
                    .retry_policy(retry)
                    .timeout(timeout)
                    .build()
                    .expect("r2 client");
                (Box::new(client), BUCKET_STEM.to_owned())
            }
        };
        admin
            .create_bucket(&bucket, &CreateBucketOptions::default())
            .await
            .expect("create");
        admin
            .put_cors(&bucket, &rig_cors())
            .await
            .expect("put cors");
        emulator.clear_requests();
        Rig {
            emulator,
            api,
            admin,
            bucket,
        }
    }

    fn inject(&self, fault: Fault, times: usize) {
        self.emulator
            .faults()
            .push(FaultRule::new(fault).api(self.api).times(times));
    }

    fn attempts(&self) -> Vec<RecordedRequest> {
        self.emulator.requests()
    }
}

/// The configuration every rig's bucket holds, so a recovered read can be compared with it.
fn rig_cors() -> CorsConfiguration {
    CorsConfiguration::new(vec![
        CorsRule::new(
            ["https://app.example.com"],
            [CorsMethod::Get, CorsMethod::Put],
        )
        .with_allowed_headers(["content-type"])
        .with_max_age_seconds(600),
    ])
}

fn auth(r: &RecordedRequest) -> String {
    r.header("authorization").unwrap_or_default().to_owned()
}

/// Every attempt carried credentials; for COS the signature is recomputed by the emulator, so
/// an accepted retry proves it was signed for the time it was sent.
fn assert_authenticated(rig: &Rig, requests: &[RecordedRequest]) {
    for r in requests {
        let a = auth(r);
        match rig.api {
            Api::Cos => assert!(a.starts_with("q-sign-algorithm=sha1&"), "{a}"),
            Api::R2 => assert!(a.starts_with("Bearer "), "{a}"),
        }
    }
}

async fn get_cors_with(
    api: Api,
    fault: Fault,
    times: usize,
) -> (Rig, bucket_admin::Result<Option<CorsConfiguration>>) {
    let rig = Rig::new(api, policy(), Duration::from_secs(2)).await;
    rig.inject(fault, times);
    let out = rig.admin.get_cors(&rig.bucket).await;
    (rig, out)
}

async fn recovers(api: Api, fault: Fault, times: usize) {
    let (rig, out) = get_cors_with(api, fault.clone(), times).await;
    let cfg = out.unwrap_or_else(|e| panic!("{api:?} {fault:?}: expected recovery, got {e}"));
    assert_eq!(
        cfg,
        Some(rig_cors()),
        "{api:?} {fault:?}: the configuration that was put came back"
    );
    let seen = rig.attempts();
    assert_eq!(seen.len(), times + 1, "{api:?} {fault:?}: attempts");
    assert_authenticated(&rig, &seen);
}

async fn gives_up(api: Api, fault: Fault, kind: ErrorKind, attempts: usize) {
    let (rig, out) = get_cors_with(api, fault.clone(), 10).await;
    let err = out.expect_err("persistent fault");
    assert_eq!(err.kind(), kind, "{api:?} {fault:?}: {err}");
    assert_eq!(
        rig.attempts().len(),
        attempts,
        "{api:?} {fault:?}: attempts"
    );
    assert_eq!(
        err.attempts() as usize,
        attempts,
        "{api:?} {fault:?}: attempts recorded in the error"
    );
    assert_eq!(err.operation(), Some(bucket_admin::Operation::GetCors));
    assert_eq!(err.bucket(), Some(rig.bucket.as_str()), "{err:?}");
}

/// A well-formed answer to another question: a `Decode` error after one attempt (decoding
/// again would give the same answer), carrying the status and request id, never `Ok(None)`.
async fn hostile(api: Api, fault: Fault) {
    // A page from a proxy in front of the service carries no request id of the service's.
    let from_the_service = fault != Fault::HtmlIn200;
    let (rig, out) = get_cors_with(api, fault.clone(), 1).await;
    let err = out.expect_err("never read as a configuration or as not configured");
    assert_eq!(err.kind(), ErrorKind::Decode, "{api:?} {fault:?}: {err}");
    assert_eq!(err.status(), Some(200), "{api:?} {fault:?}: {err:?}");
    if from_the_service {
        assert!(err.request_id().is_some(), "{api:?} {fault:?}: {err:?}");
    }
    assert_eq!(err.attempts(), 1, "{api:?} {fault:?}");
    assert_eq!(rig.attempts().len(), 1);
}

macro_rules! matrix {
    ($name:ident, $api:expr, $persistent_503:expr) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn slow_down_503_is_retried() {
                recovers($api, Fault::SlowDown, 2).await;
            }
            #[tokio::test]
            async fn internal_error_500_is_retried() {
                recovers($api, Fault::InternalError, 2).await;
            }
            #[tokio::test]
            async fn connection_reset_is_retried() {
                recovers($api, Fault::ResetConnection, 1).await;
            }
            #[tokio::test]
            async fn truncated_body_is_retried() {
                recovers($api, Fault::TruncateBody, 1).await;
            }
            #[tokio::test]
            async fn stall_past_the_timeout_is_retried() {
                recovers($api, Fault::Stall(Duration::from_secs(5)), 1).await;
            }
            #[tokio::test]
            async fn too_many_requests_waits_for_retry_after() {
                let start = std::time::Instant::now();
                recovers(
                    $api,
                    Fault::TooManyRequests {
                        retry_after_secs: 1,
                    },
                    1,
                )
                .await;
                assert!(
                    start.elapsed() >= Duration::from_secs(1),
                    "Retry-After honoured"
                );
            }
            #[tokio::test]
            async fn malformed_body_is_a_decode_error_not_retried() {
                let (rig, out) = get_cors_with($api, Fault::MalformedBody, 1).await;
                let err = out.expect_err("malformed");
                assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
                assert_eq!(rig.attempts().len(), 1);
            }
            #[tokio::test]
            async fn an_error_document_in_a_200_is_a_decode_error_with_its_evidence() {
                hostile($api, Fault::ErrorIn200).await;
            }
            #[tokio::test]
            async fn an_html_page_in_a_200_is_a_decode_error() {
                hostile($api, Fault::HtmlIn200).await;
            }
            #[tokio::test]
            async fn another_document_in_a_200_is_a_decode_error() {
                hostile($api, Fault::WrongRoot).await;
            }
            #[tokio::test]
            async fn a_not_configured_code_with_a_wrong_status_is_never_not_configured() {
                for (status, kinds) in [
                    (403, &[ErrorKind::PermissionDenied][..]),
                    (503, &[ErrorKind::Unavailable, ErrorKind::RateLimited][..]),
                ] {
                    let (rig, out) = get_cors_with($api, Fault::NotConfigured { status }, 10).await;
                    let err = out.expect_err("an error, not Ok(None)");
                    assert!(kinds.contains(&err.kind()), "{status}: {err}");
                    assert_eq!(err.status(), Some(status));
                    assert!(err.request_id().is_some(), "{err:?}");
                    assert!(!rig.attempts().is_empty());
                }
            }
            #[tokio::test]
            async fn endless_list_pages_stop_with_an_error_naming_why() {
                let rig = Rig::new($api, policy(), Duration::from_secs(2)).await;
                rig.emulator.faults().push(
                    FaultRule::new(Fault::EndlessPages)
                        .api($api)
                        .times(usize::MAX),
                );
                let err = rig.admin.list_buckets().await.expect_err("endless pages");
                assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
                assert!(
                    rig.attempts().len() < 50,
                    "stopped early: {} requests",
                    rig.attempts().len()
                );
                let text = err.to_string();
                assert!(
                    ["repeat", "same", "advance"]
                        .iter()
                        .any(|w| text.contains(w)),
                    "names why: {text}"
                );
            }
            #[tokio::test]
            async fn a_huge_body_is_refused_at_the_limit_without_reading_it() {
                let (rig, out) = get_cors_with(
                    $api,
                    Fault::HugeBody {
                        status: 500,
                        bytes: 256 << 20,
                    },
                    10,
                )
                .await;
                let err = out.expect_err("too big");
                assert!(err.to_string().contains("max_response_bytes"), "{err}");
                assert_eq!(err.status(), Some(500));
                assert!(!rig.attempts().is_empty());
            }
            #[tokio::test]
            async fn retry_after_as_an_http_date_is_honoured() {
                let start = std::time::Instant::now();
                recovers(
                    $api,
                    Fault::TooManyRequestsUntil {
                        seconds_from_now: 2,
                    },
                    1,
                )
                .await;
                // The date has one-second resolution: two seconds ahead is at least one away.
                assert!(
                    start.elapsed() >= Duration::from_secs(1),
                    "waited for the date"
                );
            }
            #[tokio::test]
            async fn persistent_503_ends_with_a_typed_error_after_max_attempts() {
                // COS 503 is `SlowDown` (throttling); R2 503 is 10043 "service unavailable".
                gives_up($api, Fault::SlowDown, $persistent_503, 3).await;
            }
            #[tokio::test]
            async fn persistent_500_ends_with_unavailable() {
                gives_up($api, Fault::InternalError, ErrorKind::Unavailable, 3).await;
            }
            #[tokio::test]
            async fn persistent_stall_ends_with_timeout() {
                gives_up(
                    $api,
                    Fault::Stall(Duration::from_secs(5)),
                    ErrorKind::Timeout,
                    3,
                )
                .await;
            }
            #[tokio::test]
            async fn create_is_not_repeated_after_an_ambiguous_failure() {
                for fault in [
                    Fault::InternalError,
                    Fault::ResetConnection,
                    Fault::TruncateBody,
                ] {
                    let rig = Rig::new($api, policy(), Duration::from_secs(2)).await;
                    rig.inject(fault.clone(), 1);
                    let name = rig.bucket.replacen(BUCKET_STEM, "fresh", 1);
                    let err = rig
                        .admin
                        .create_bucket(&name, &CreateBucketOptions::default())
                        .await
                        .expect_err("ambiguous failure");
                    assert!(
                        matches!(err.kind(), ErrorKind::Unavailable | ErrorKind::Transport),
                        "{fault:?}: {err}"
                    );
                    assert_eq!(rig.attempts().len(), 1, "{fault:?}: create sent once");
                }
            }
            #[tokio::test]
            async fn create_is_retried_when_throttled() {
                let rig = Rig::new($api, policy(), Duration::from_secs(2)).await;
                rig.inject(
                    Fault::TooManyRequests {
                        retry_after_secs: 0,
                    },
                    1,
                );
                let name = rig.bucket.replacen(BUCKET_STEM, "fresh", 1);
                rig.admin
                    .create_bucket(&name, &CreateBucketOptions::default())
                    .await
                    .expect("a throttled create was not applied, so it is retried");
                assert_eq!(rig.attempts().len(), 2);
                assert!(rig.admin.bucket_exists(&name).await.expect("exists"));
            }
        }
    };
}

matrix!(cos, Api::Cos, ErrorKind::RateLimited);
matrix!(r2, Api::R2, ErrorKind::Unavailable);

#[tokio::test]
async fn cos_clock_skew_is_corrected_and_retried_once_with_a_new_signature() {
    let rig = Rig::new(Api::Cos, RetryPolicy::disabled(), Duration::from_secs(2)).await;
    // The server's clock runs an hour behind: the client's key time starts in the server's
    // future, which COS answers with RequestTimeTooSkewed. Retries are disabled: the skew
    // correction is a re-sign, not a retry of a transient failure, so it still happens.
    rig.emulator.set_clock_skew(-3600);
    let cfg = rig.admin.get_cors(&rig.bucket).await.expect("corrected");
    assert_eq!(cfg, Some(rig_cors()));
    let seen = rig.attempts();
    assert_eq!(seen.len(), 2, "one rejected, one corrected");
    let (first, second) = (auth(&seen[0]), auth(&seen[1]));
    assert_ne!(first, second, "the retry was signed anew");
    let sign_time = |a: &str| -> i64 {
        let t = a.split("q-sign-time=").nth(1).expect("sign time");
        t.split(';').next().expect("start").parse().expect("number")
    };
    let shift = sign_time(&second) - sign_time(&first);
    assert!(
        (-3610..=-3590).contains(&shift),
        "key time moved by the skew: {shift}"
    );
}

#[tokio::test]
async fn cos_retries_are_each_signed_for_their_own_time() {
    // Backoff over a second boundary so a reused signature would show.
    let slow = RetryPolicy::default()
        .with_jitter(false)
        .with_initial_backoff(Duration::from_millis(1100));
    let rig = Rig::new(Api::Cos, slow, Duration::from_secs(2)).await;
    rig.inject(Fault::SlowDown, 1);
    rig.admin.get_cors(&rig.bucket).await.expect("recovers");
    let seen = rig.attempts();
    assert_eq!(seen.len(), 2);
    assert_ne!(auth(&seen[0]), auth(&seen[1]), "each attempt signed anew");
}
