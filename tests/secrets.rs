//! No secret ever leaves the process in text: every config, client and error is formatted with
//! `{:?}` and `{}`, and tracing output at TRACE is captured for full request cycles (success,
//! provider errors, signature mismatches, retries), and none of it contains a secret.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bucket_admin::cos::{CosClient, CosClientBuilder};
use bucket_admin::r2::{R2Client, R2ClientBuilder};
use bucket_admin::{
    BucketAdmin, CorsConfiguration, CorsMethod, CorsRule, CreateBucketOptions, RetryPolicy,
};
use bucket_admin_emulator::{Emulator, Fault, FaultRule};

const COS_SECRET_ID: &str = "AKIDsecretIdVisibleIsFine000000000000";
const COS_SECRET_KEY: &str = "COS-SECRET-KEY-must-never-print-7f3a9";
const COS_TOKEN: &str = "COS-SESSION-TOKEN-must-never-print-99e0";
const WRONG_KEY: &str = "WRONG-COS-KEY-must-never-print-5d2e1";
const R2_TOKEN: &str = "R2-API-TOKEN-must-never-print-0c44f";
const WRONG_TOKEN: &str = "WRONG-R2-TOKEN-must-never-print-61aa";
const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";

const SECRETS: &[&str] = &[COS_SECRET_KEY, COS_TOKEN, WRONG_KEY, R2_TOKEN, WRONG_TOKEN];

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The temporary SecretKey the emulator generates for the session token.
static TEMP_KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Signatures and bearer values are credentials too: a logged `Authorization` can be replayed.
const CREDENTIAL_MARKERS: &[&str] = &[
    "q-signature=",
    "Bearer ",
    "q-ak=AKIDsecretIdVisibleIsFine000000000000&q-sign-time",
];

/// No secret and no signature: for everything but the signing outputs themselves.
fn assert_clean(what: &str, text: &str) {
    for marker in CREDENTIAL_MARKERS {
        assert!(
            !text.contains(marker),
            "{what} contains an Authorization value ({marker}):\n{text}"
        );
    }
    assert_no_secret(what, text);
}

/// No secret key or token: what a presigned URL or `get_auth` may contain is a signature.
fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS
        .iter()
        .copied()
        .chain(TEMP_KEY.get().map(String::as_str))
    {
        assert!(
            !text.contains(secret),
            "{what} contains a secret ({secret}):\n{text}"
        );
    }
}

fn shown<T: std::fmt::Debug>(what: &str, value: &T, out: &mut String) {
    let text = format!("{value:?}");
    assert_clean(what, &text);
    out.push_str(&text);
}

fn quick() -> RetryPolicy {
    RetryPolicy::default().with_initial_backoff(Duration::from_millis(5))
}

async fn full_cycle(
    emulator: &Emulator,
    temp: &bucket_admin_emulator::CosTemporaryCredentials,
    formatted: &mut String,
) {
    let cos_builder = || {
        CosClient::builder()
            .region("ap-beijing")
            .secret_id(COS_SECRET_ID)
            .secret_key(COS_SECRET_KEY)
            .endpoint(emulator.cos_endpoint())
            .allow_http(true)
            .retry_policy(quick())
    };
    shown("COS builder", &cos_builder(), formatted);
    let cos = cos_builder().build().expect("cos");
    shown("COS client", &cos, formatted);
    let temp = CosClient::builder()
        .region("ap-beijing")
        .secret_id(temp.secret_id.clone())
        .secret_key(temp.secret_key.clone())
        .session_token(COS_TOKEN)
        .endpoint(emulator.cos_endpoint())
        .allow_http(true)
        .build()
        .expect("temporary credentials");
    shown("COS client with token", &temp, formatted);
    let wrong = cos_builder().secret_key(WRONG_KEY).build().expect("wrong");

    let r2_builder = || {
        R2Client::builder()
            .account_id(ACCOUNT)
            .api_token(R2_TOKEN)
            .base_url(emulator.r2_base_url())
            .allow_http(true)
            .pacing(None)
            .retry_policy(quick())
    };
    shown("R2 builder", &r2_builder(), formatted);
    let r2 = r2_builder().build().expect("r2");
    shown("R2 client", &r2, formatted);
    let r2_wrong = r2_builder()
        .api_token(WRONG_TOKEN)
        .build()
        .expect("r2 wrong");

    let cors = CorsConfiguration::new(vec![CorsRule::new(["*"], [CorsMethod::Get])]);
    let bucket = "secrets-1250000000";
    cos.create_bucket(bucket, &CreateBucketOptions::default())
        .await
        .expect("create");
    cos.put_cors(bucket, &cors).await.expect("put");
    temp.get_cors(bucket)
        .await
        .expect("temporary credentials work");
    emulator
        .faults()
        .push(FaultRule::new(Fault::SlowDown).times(1));
    cos.get_cors(bucket).await.expect("retried");
    let url = cos.presigned_url("GET", bucket, "a.txt", &[], Duration::from_secs(60));
    assert!(url.contains("q-signature="), "{url}");
    assert_no_secret("presigned URL", &url);
    let auth = temp.get_auth("PUT", bucket, "a.txt", &[], &[], Duration::from_secs(60));
    assert!(auth.contains("q-signature="), "{auth}");
    assert_no_secret("get_auth", &auth);

    r2.create_bucket("secrets", &CreateBucketOptions::default())
        .await
        .expect("r2 create");
    r2.put_cors("secrets", &cors).await.expect("r2 put");

    let errors = vec![
        wrong.list_buckets().await.expect_err("signature mismatch"),
        cos.get_cors("missing-1250000000")
            .await
            .expect_err("missing"),
        r2_wrong.list_buckets().await.expect_err("bad token"),
        r2.get_cors("missing").await.expect_err("missing"),
        CosClientBuilder::new()
            .secret_id(COS_SECRET_ID)
            .secret_key(COS_SECRET_KEY)
            .build()
            .expect_err("no region"),
        R2ClientBuilder::new()
            .account_id("not-hex")
            .api_token(R2_TOKEN)
            .build()
            .expect_err("bad account"),
    ];
    assert!(
        errors[0].detail("string_to_sign").is_some(),
        "the mismatch carries the server's StringToSign"
    );
    for err in &errors {
        shown("error (Debug)", err, formatted);
        let text = err.to_string();
        assert_clean("error (Display)", &text);
        formatted.push_str(&text);
    }
}

#[test]
fn no_secret_in_debug_display_errors_or_trace_logs() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let mut formatted = String::new();
    tracing::subscriber::with_default(subscriber, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let emulator = Emulator::builder()
                .cos_account("1250000000", COS_SECRET_ID, COS_SECRET_KEY)
                .cos_session_token(COS_TOKEN)
                .r2_account(ACCOUNT, R2_TOKEN)
                .start()
                .await
                .expect("emulator");
            // The temporary pair the emulator accepts with the token.
            let temp = emulator
                .cos_temporary_credentials()
                .expect("temporary credentials configured")
                .clone();
            assert_eq!(temp.token, COS_TOKEN);
            TEMP_KEY.set(temp.secret_key.clone()).expect("set once");
            full_cycle(&emulator, &temp, &mut formatted).await;
        });
    });
    let logs = String::from_utf8(capture.0.lock().expect("lock").clone()).expect("utf8");
    assert!(
        logs.lines().count() > 10,
        "TRACE logging captured the request cycle:\n{logs}"
    );
    assert_clean("TRACE logs", &logs);
    assert!(formatted.len() > 500, "everything was formatted");
}
