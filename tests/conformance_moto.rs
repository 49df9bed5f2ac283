//! The shared conformance suite against moto's S3 server with SigV4 verification on.
//!
//! Runs when `moto_server` was on PATH when the tests were built (`pip install "moto[server]"`);
//! otherwise the test shows as ignored. The test starts its own server on a free loopback
//! port, creates an IAM user with an access key through moto's IAM API while moto still
//! accepts unsigned requests, then turns authentication on (`/moto-api/reset-auth` with 0, the
//! server-side `INITIAL_NO_AUTH_ACTION_COUNT`), so every request after that must be signed
//! with the user's key.

mod conformance;
#[path = "support/moto.rs"]
mod moto;

use bucket_admin::s3::{Profile, S3Client};
use bucket_admin::{
    BucketAdmin, CreateBucketOptions, ErrorKind, ReplicationConfiguration, ReplicationDestination,
    ReplicationRule, RetryPolicy, StorageClass, VersioningStatus,
};
use conformance::{Backend, Subject};
use moto::{iam_user, start_moto};

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
    object_lock_on_create(&admin, &server.endpoint, &id, &secret, &namer("locked")).await;
    drop(server);
}

/// `object_lock_enabled` sends `x-amz-bucket-object-lock-enabled: true`; moto then reports the
/// lock to boto3's GetObjectLockConfiguration (signed with the same key) and versioning is on.
/// A bucket created without it has no lock configuration.
async fn object_lock_on_create(
    admin: &S3Client,
    endpoint: &str,
    id: &str,
    secret: &str,
    bucket: &str,
) {
    let plain = format!("{bucket}-plain");
    let locked = CreateBucketOptions::new().with_object_lock_enabled(true);
    admin
        .create_bucket(bucket, &locked)
        .await
        .expect("create locked");
    admin
        .create_bucket(&plain, &CreateBucketOptions::default())
        .await
        .expect("create plain");
    assert_eq!(
        admin.get_versioning(bucket).await.expect("versioning"),
        VersioningStatus::Enabled,
        "S3 switches versioning on with object lock"
    );
    let script = r#"
import sys, boto3
from botocore.config import Config
endpoint, key, secret, bucket = sys.argv[1:5]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-1", aws_access_key_id=key,
                  aws_secret_access_key=secret, config=Config(s3={"addressing_style": "path"}))
try:
    cfg = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    print(cfg.get("ObjectLockEnabled", ""))
except s3.exceptions.ClientError as e:
    print(e.response["Error"]["Code"])
"#;
    let ask = |b: String| {
        let (endpoint, id, secret) = (endpoint.to_owned(), id.to_owned(), secret.to_owned());
        let script = script.to_owned();
        async move {
            let out = tokio::task::spawn_blocking(move || {
                std::process::Command::new("python3")
                    .args(["-c", &script, &endpoint, &id, &secret, &b])
                    .output()
                    .expect("python3 with boto3 (installed with moto)")
            })
            .await
            .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        }
    };
    assert_eq!(ask(bucket.to_owned()).await, "Enabled");
    assert_eq!(
        ask(plain.clone()).await,
        "ObjectLockConfigurationNotFoundError"
    );
    for b in [bucket, plain.as_str()] {
        admin.delete_bucket(b).await.expect("delete");
    }
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
    let cfg = ReplicationConfiguration::new(vec![
        ReplicationRule::new(
            ReplicationDestination::new("arn:aws:s3:::ba-replica-destination")
                .with_storage_class(StorageClass::Standard),
        )
        .with_id("to-backup")
        .with_priority(1)
        .with_delete_marker_replication(false),
    ])
    .with_role("arn:aws:iam::123456789012:role/replication");
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
