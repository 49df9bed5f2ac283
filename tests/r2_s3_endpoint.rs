//! The emulator's R2 S3 endpoint: objects of R2 buckets over path-style S3 with SigV4 checked
//! by recomputing it (aws-sigv4), pre-signed URLs from `S3Client::presigned_url`, and R2's
//! CORS on preflights and actual answers. boto3 (installed with moto) signs the header-auth
//! requests in the second test, so the check is not only against our own signer.

use std::time::{Duration, SystemTime};

use bucket_admin::r2::{R2Client, R2ClientBuilder};
use bucket_admin::s3::{Profile, S3Client};
use bucket_admin::{BucketAdmin, CorsConfiguration, CorsMethod, CorsRule, Jurisdiction};
use bucket_admin_emulator::Emulator;

const ORIGIN: &str = "https://app.example.com";

async fn setup() -> (Emulator, R2Client) {
    let emu = Emulator::start().await.expect("emulator");
    let r = emu.r2_credentials().clone();
    let r2 = R2ClientBuilder::new()
        .account_id(r.account_id)
        .api_token(r.api_token)
        .base_url(emu.r2_base_url())
        .allow_http(true)
        .pacing(None)
        .build()
        .unwrap();
    r2.create_bucket("web", &Default::default()).await.unwrap();
    let cors = CorsConfiguration::new(vec![
        CorsRule::new([ORIGIN], [CorsMethod::Get, CorsMethod::Put])
            .with_allowed_headers(["content-type"])
            .with_expose_headers(["ETag"])
            .with_max_age_seconds(600),
    ]);
    r2.put_cors("web", &cors).await.unwrap();
    (emu, r2)
}

fn s3(emu: &Emulator, secret: &str) -> S3Client {
    S3Client::builder()
        .profile(Profile::R2)
        .endpoint(emu.r2_s3_endpoint())
        .access_key_id(&emu.r2_s3_credentials().access_key_id)
        .secret_access_key(secret)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presigned_put_and_get_with_cors_and_signature_checks() {
    let (emu, _r2) = setup().await;
    let creds = emu.r2_s3_credentials().clone();
    let client = s3(&emu, &creds.secret_access_key);
    let http = reqwest::Client::new();
    let ten_min = Duration::from_secs(600);

    let put = client
        .presigned_url("PUT", "web", "up/a b.txt", &[], ten_min)
        .await
        .unwrap();
    let resp = http
        .put(&put)
        .header("origin", ORIGIN)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let h = resp.headers();
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    assert_eq!(h["access-control-expose-headers"], "ETag");
    assert_eq!(h["etag"], "\"5d41402abc4b2a76b9719d911017c592\"");
    assert_eq!(
        emu.r2_object_keys(Jurisdiction::Default, "web"),
        Some(vec!["up/a b.txt".to_owned()])
    );

    let get = client
        .presigned_url("GET", "web", "up/a b.txt", &[], ten_min)
        .await
        .unwrap();
    let resp = http
        .get(&get)
        .header("origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/plain");
    assert_eq!(resp.headers()["access-control-allow-origin"], ORIGIN);
    assert_eq!(resp.text().await.unwrap(), "hello");
    // An origin no rule allows gets the object but no CORS headers.
    let resp = http
        .get(&get)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().get("access-control-allow-origin").is_none());

    // The URL is signed for GET: another method, a changed path or a wrong secret fail.
    let resp = http.delete(&get).send().await.unwrap();
    assert_eq!(resp.status(), 403);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("<Code>SignatureDoesNotMatch</Code>")
    );
    let other_key = get.replace("a%20b.txt", "other.txt");
    let resp = http.get(&other_key).send().await.unwrap();
    assert_eq!(resp.status(), 403);
    let wrong = s3(&emu, "not-the-secret")
        .presigned_url("GET", "web", "up/a b.txt", &[], ten_min)
        .await
        .unwrap();
    let resp = http
        .get(&wrong)
        .header("origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        ORIGIN,
        "CORS headers on errors too"
    );
    let body = resp.text().await.unwrap();
    assert!(
        body.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{body}"
    );
    assert!(!body.contains(&creds.secret_access_key));

    // Expired, unknown key, unsigned.
    let old = S3Client::builder()
        .profile(Profile::R2)
        .endpoint(emu.r2_s3_endpoint())
        .access_key_id(&creds.access_key_id)
        .secret_access_key(&creds.secret_access_key)
        .fixed_time(SystemTime::now() - Duration::from_secs(7200))
        .build()
        .unwrap()
        .presigned_url("GET", "web", "up/a b.txt", &[], Duration::from_secs(60))
        .await
        .unwrap();
    let body = http.get(&old).send().await.unwrap().text().await.unwrap();
    assert!(body.contains("Request has expired"), "{body}");
    let stranger = S3Client::builder()
        .profile(Profile::R2)
        .endpoint(emu.r2_s3_endpoint())
        .access_key_id("0123456789abcdef0123456789abcdef")
        .secret_access_key("x")
        .build()
        .unwrap()
        .presigned_url("GET", "web", "up/a b.txt", &[], ten_min)
        .await
        .unwrap();
    let body = http
        .get(&stranger)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("<Code>InvalidAccessKeyId</Code>"), "{body}");
    let unsigned = format!("{}/web/up/a%20b.txt", emu.r2_s3_endpoint());
    let resp = http.get(&unsigned).send().await.unwrap();
    assert_eq!(resp.status(), 403);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("<Code>AccessDenied</Code>")
    );

    // Preflights: R2's rules, no signature needed.
    let preflight = |origin: &'static str, headers: &'static str| {
        http.request(reqwest::Method::OPTIONS, &unsigned)
            .header("origin", origin)
            .header("access-control-request-method", "PUT")
            .header("access-control-request-headers", headers)
            .send()
    };
    let ok = preflight(ORIGIN, "content-type").await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["access-control-allow-origin"], ORIGIN);
    assert_eq!(ok.headers()["access-control-max-age"], "600");
    assert_eq!(preflight(ORIGIN, "x-custom").await.unwrap().status(), 403);
    assert_eq!(
        preflight("https://evil.example", "content-type")
            .await
            .unwrap()
            .status(),
        403
    );

    // Header-signed (our client's HEAD bucket), right and wrong secret.
    client.head_bucket("web").await.expect("header-signed HEAD");
    let e = s3(&emu, "not-the-secret")
        .head_bucket("web")
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(403), "{e}");

    // Presigned DELETE removes the object.
    let del = client
        .presigned_url("DELETE", "web", "up/a b.txt", &[], ten_min)
        .await
        .unwrap();
    assert_eq!(http.delete(&del).send().await.unwrap().status(), 204);
    assert_eq!(
        emu.r2_object_keys(Jurisdiction::Default, "web"),
        Some(vec![])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(moto),
    ignore = "needs boto3 (installed with moto: pip install \"moto[server]\")"
)]
async fn boto3_signs_objects_and_lists_against_the_endpoint() {
    let (emu, _r2) = setup().await;
    let creds = emu.r2_s3_credentials().clone();
    let script = r#"
import sys, boto3
from botocore.config import Config
endpoint, key, secret = sys.argv[1:4]
def client(secret):
    return boto3.client("s3", endpoint_url=endpoint, region_name="auto", aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
s3 = client(secret)
s3.put_object(Bucket="web", Key="docs/one.txt", Body=b"one", ContentType="text/plain")
s3.put_object(Bucket="web", Key="docs/two.txt", Body=b"two two")
s3.put_object(Bucket="web", Key="other", Body=b"x")
print("get", s3.get_object(Bucket="web", Key="docs/one.txt")["Body"].read().decode())
print("head", s3.head_object(Bucket="web", Key="docs/two.txt")["ContentLength"])
page = s3.list_objects_v2(Bucket="web", Prefix="docs/", MaxKeys=1)
print("page1", [o["Key"] for o in page["Contents"]], page["IsTruncated"])
page = s3.list_objects_v2(Bucket="web", Prefix="docs/", ContinuationToken=page["NextContinuationToken"])
print("page2", [o["Key"] for o in page["Contents"]], page["IsTruncated"])
s3.delete_object(Bucket="web", Key="other")
try:
    client("not-the-secret").put_object(Bucket="web", Key="bad", Body=b"x")
except s3.exceptions.ClientError as e:
    print("wrong", e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
"#;
    let endpoint = emu.r2_s3_endpoint();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .args([
                "-c",
                script,
                &endpoint,
                &creds.access_key_id,
                &creds.secret_access_key,
            ])
            .output()
            .expect("python3")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "get one",
            "head 7",
            "page1 ['docs/one.txt'] True",
            "page2 ['docs/two.txt'] False",
            "wrong SignatureDoesNotMatch 403",
        ]
    );
    assert_eq!(
        emu.r2_object_keys(Jurisdiction::Default, "web"),
        Some(vec!["docs/one.txt".to_owned(), "docs/two.txt".to_owned()])
    );
}
