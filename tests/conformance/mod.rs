//! The one conformance suite every provider runs.
//!
//! It takes any `&dyn BucketAdmin` plus its [`Capabilities`] and checks the contract of the
//! trait: bucket lifecycle, configuration round trips where a capability is on, `Unsupported`
//! with zero requests sent where it is off, not-found mapping, and (when the backend can inject
//! faults) retries. `tests/conformance_emulator.rs` runs it against both providers on the
//! emulator; `tests/conformance_live.rs` runs it against the real clouds when credentials are
//! set.

#![allow(dead_code)]

use std::time::Duration;

use bucket_admin::{
    Age, BucketAdmin, BucketPolicy, Capabilities, CorsConfiguration, CorsMethod, CorsRule,
    CreateBucketOptions, ErrorKind, Expiration, LifecycleConfiguration, LifecycleFilter,
    LifecycleRule, ReplicationConfiguration, ReplicationDestination, ReplicationRule, StorageClass,
    Transition, VersioningStatus,
};

/// What the suite can observe or control besides the trait (the emulator can do all of it; a
/// real cloud none of it).
pub trait Backend: Send + Sync {
    /// Requests the backend has received so far, when it can count them.
    fn request_count(&self) -> Option<usize>;
    /// Makes the next `times` requests answer with a retryable server error (503); false when
    /// the backend cannot inject faults.
    fn inject_unavailable(&self, times: usize) -> bool;
    /// Makes the next request answer 429 with `retry-after: 1`; false when unsupported.
    fn inject_rate_limited(&self) -> bool;
    /// Puts an object into the bucket so it is not empty; false when unsupported.
    fn make_non_empty(&self, bucket: &str) -> bool;
}

/// Everything a conformance run needs.
pub struct Subject<'a> {
    /// The client under test.
    pub admin: &'a dyn BucketAdmin,
    /// A client with wrong credentials for the same backend.
    pub wrong_credentials: &'a dyn BucketAdmin,
    /// The backend probe.
    pub backend: &'a dyn Backend,
    /// Turns a short unique stem into a valid bucket name for this provider.
    pub bucket_name: &'a (dyn Fn(&str) -> String + Send + Sync),
    /// A replication destination valid for this provider.
    pub replication_destination: String,
}

impl Subject<'_> {
    fn caps(&self) -> &Capabilities {
        self.admin.capabilities()
    }

    async fn fresh_bucket(&self, stem: &str) -> String {
        let name = (self.bucket_name)(stem);
        self.admin
            .create_bucket(&name, &CreateBucketOptions::default())
            .await
            .unwrap_or_else(|e| panic!("create {name}: {e}"));
        name
    }

    /// Runs `f` and asserts it sent no request (when the backend can count).
    async fn assert_no_request<T, F>(&self, what: &str, f: F) -> T
    where
        F: std::future::Future<Output = T>,
    {
        let before = self.backend.request_count();
        let out = f.await;
        if let (Some(before), Some(after)) = (before, self.backend.request_count()) {
            assert_eq!(before, after, "{what} must not send any request");
        }
        out
    }
}

pub fn sample_cors() -> CorsConfiguration {
    CorsConfiguration::new(vec![
        CorsRule::new(["https://example.com"], CorsMethod::ALL)
            .with_id("uploads")
            .with_allowed_headers(["content-md5", "content-type", "x-cos-meta-*"])
            .with_expose_headers(["Content-Length", "ETag"])
            .with_max_age_seconds(600),
        CorsRule::new(["*"], [CorsMethod::Get, CorsMethod::Head]).with_max_age_seconds(3600),
    ])
}

pub fn sample_lifecycle(caps: &Capabilities) -> LifecycleConfiguration {
    let mut rule = LifecycleRule::new()
        .with_id("expire-logs")
        .with_filter(LifecycleFilter::default().with_prefix("logs/"))
        .with_expiration(Expiration::After(Age::days(200)))
        .with_abort_incomplete_multipart_upload(Age::days(7));
    if caps
        .lifecycle_transition_classes
        .contains(&StorageClass::InfrequentAccess)
    {
        rule.transitions.push(Transition::after(
            Age::days(30),
            StorageClass::InfrequentAccess,
        ));
    }
    LifecycleConfiguration::new(vec![rule])
}

pub fn sample_policy(bucket: &str) -> BucketPolicy {
    serde_json::from_value(serde_json::json!({
        "version": "2.0",
        "statements": [{
            "effect": "allow",
            "principal": {"qcs": ["qcs::cam::uin/100000000001:uin/100000000011"]},
            "actions": ["name/cos:GetObject"],
            "resources": [format!("qcs::cos:ap-beijing:uid/1250000000:{bucket}/*")]
        }]
    }))
    .expect("valid policy")
}

pub async fn bucket_lifecycle(s: &Subject<'_>) {
    let a = s.fresh_bucket("life-a").await;
    let b = s.fresh_bucket("life-b").await;
    let c = s.fresh_bucket("life-c").await;
    assert!(s.admin.bucket_exists(&a).await.expect("exists"));
    let info = s.admin.head_bucket(&a).await.expect("head");
    assert_eq!(info.name, a);

    let before = s.backend.request_count();
    let listed: Vec<String> = s
        .admin
        .list_buckets()
        .await
        .expect("list")
        .into_iter()
        .map(|b| b.name)
        .collect();
    if let (Some(before), Some(after)) = (before, s.backend.request_count()) {
        // The emulator serves pages of two: three buckets take at least two pages.
        assert!(after - before >= 2, "list followed more than one page");
    }
    for name in [&a, &b, &c] {
        assert!(listed.contains(name), "{name} missing from {listed:?}");
    }
    let mut unique = listed.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), listed.len(), "list returned duplicates");

    let err = s
        .admin
        .create_bucket(&a, &CreateBucketOptions::default())
        .await
        .expect_err("second create of the same bucket");
    assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{err}");

    if s.backend.make_non_empty(&c) {
        let err = s
            .admin
            .delete_bucket(&c)
            .await
            .expect_err("delete non-empty");
        assert_eq!(err.kind(), ErrorKind::NotEmpty, "{err}");
    }

    s.admin.delete_bucket(&b).await.expect("delete");
    assert!(
        !s.admin
            .bucket_exists(&b)
            .await
            .expect("exists after delete")
    );
    let err = s.admin.head_bucket(&b).await.expect_err("head deleted");
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
}

pub async fn not_found_mapping(s: &Subject<'_>) {
    let missing = (s.bucket_name)("never-created");
    assert!(!s.admin.bucket_exists(&missing).await.expect("exists"));
    let err = s
        .admin
        .head_bucket(&missing)
        .await
        .expect_err("head missing");
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    let err = s
        .admin
        .get_cors(&missing)
        .await
        .expect_err("cors of missing bucket");
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert!(
        err.to_string().contains(&missing),
        "error names the bucket: {err}"
    );

    let bucket = s.fresh_bucket("notconf").await;
    assert_eq!(s.admin.get_cors(&bucket).await.expect("get cors"), None);
    if s.caps().replication {
        assert_eq!(s.admin.get_replication(&bucket).await.expect("repl"), None);
    }
    if s.caps().policy {
        assert_eq!(s.admin.get_policy(&bucket).await.expect("policy"), None);
    }
    if s.caps().versioning {
        assert_eq!(
            s.admin.get_versioning(&bucket).await.expect("versioning"),
            VersioningStatus::Unversioned
        );
    }
}

pub async fn cors_round_trip(s: &Subject<'_>) {
    let bucket = s.fresh_bucket("cors").await;
    if !s.caps().cors {
        let err = s
            .assert_no_request("put_cors", s.admin.put_cors(&bucket, &sample_cors()))
            .await
            .expect_err("unsupported");
        assert_eq!(err.kind(), ErrorKind::Unsupported);
        return;
    }
    let cfg = sample_cors();
    s.admin.put_cors(&bucket, &cfg).await.expect("put cors");
    assert_eq!(s.admin.get_cors(&bucket).await.expect("get"), Some(cfg));
    s.admin.delete_cors(&bucket).await.expect("delete cors");
    assert_eq!(
        s.admin.get_cors(&bucket).await.expect("get after delete"),
        None
    );

    // Invalid input is rejected before sending anything.
    let mut bad = sample_cors();
    bad.rules[0].allowed_origins = vec!["https://*.*.example.com".into()];
    let err = s
        .assert_no_request("invalid put_cors", s.admin.put_cors(&bucket, &bad))
        .await
        .expect_err("invalid");
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.violations()
            .iter()
            .any(|v| v.field == "rules[0].allowed_origins[0]"),
        "{err:?}"
    );
}

pub async fn lifecycle_round_trip(s: &Subject<'_>) {
    let bucket = s.fresh_bucket("lifecycle").await;
    let cfg = sample_lifecycle(s.caps());
    if !s.caps().lifecycle {
        let err = s
            .assert_no_request("put_lifecycle", s.admin.put_lifecycle(&bucket, &cfg))
            .await
            .expect_err("unsupported");
        assert_eq!(err.kind(), ErrorKind::Unsupported);
        return;
    }
    s.admin
        .put_lifecycle(&bucket, &cfg)
        .await
        .expect("put lifecycle");
    assert_eq!(
        s.admin.get_lifecycle(&bucket).await.expect("get"),
        Some(cfg)
    );
    s.admin.delete_lifecycle(&bucket).await.expect("delete");
    assert_eq!(
        s.admin
            .get_lifecycle(&bucket)
            .await
            .expect("get after delete"),
        None
    );
}

pub async fn versioning_round_trip(s: &Subject<'_>) {
    let bucket = s.fresh_bucket("versioning").await;
    if !s.caps().versioning {
        let err = s
            .assert_no_request(
                "put_versioning",
                s.admin.put_versioning(&bucket, VersioningStatus::Enabled),
            )
            .await
            .expect_err("unsupported");
        assert_eq!(err.kind(), ErrorKind::Unsupported);
        let err = s
            .assert_no_request("get_versioning", s.admin.get_versioning(&bucket))
            .await
            .expect_err("unsupported");
        assert_eq!(err.kind(), ErrorKind::Unsupported);
        return;
    }
    for status in [VersioningStatus::Enabled, VersioningStatus::Suspended] {
        s.admin
            .put_versioning(&bucket, status)
            .await
            .expect("put versioning");
        assert_eq!(s.admin.get_versioning(&bucket).await.expect("get"), status);
    }
    let err = s
        .assert_no_request(
            "put Unversioned",
            s.admin
                .put_versioning(&bucket, VersioningStatus::Unversioned),
        )
        .await
        .expect_err("cannot go back to unversioned");
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

pub async fn replication_round_trip(s: &Subject<'_>) {
    let bucket = s.fresh_bucket("replication").await;
    let cfg = ReplicationConfiguration::new(vec![
        ReplicationRule::new(
            ReplicationDestination::new(s.replication_destination.clone())
                .with_storage_class(StorageClass::Standard),
        )
        .with_id("to-backup")
        .with_prefix("data/"),
    ])
    .with_role("qcs::cam::uin/100000000001:uin/100000000001");
    if !s.caps().replication {
        let err = s
            .assert_no_request("put_replication", s.admin.put_replication(&bucket, &cfg))
            .await
            .expect_err("unsupported");
        assert_eq!(err.kind(), ErrorKind::Unsupported);
        let err = s
            .assert_no_request("get_replication", s.admin.get_replication(&bucket))
            .await
            .expect_err("unsupported");
        assert_eq!(err.kind(), ErrorKind::Unsupported);
        return;
    }
    s.admin
        .put_versioning(&bucket, VersioningStatus::Enabled)
        .await
        .expect("replication needs versioning");
    s.admin
        .put_replication(&bucket, &cfg)
        .await
        .expect("put replication");
    assert_eq!(
        s.admin.get_replication(&bucket).await.expect("get"),
        Some(cfg)
    );
    s.admin.delete_replication(&bucket).await.expect("delete");
    assert_eq!(
        s.admin
            .get_replication(&bucket)
            .await
            .expect("get after delete"),
        None
    );
}

pub async fn policy_round_trip(s: &Subject<'_>) {
    let bucket = s.fresh_bucket("policy").await;
    let policy = sample_policy(&bucket);
    if !s.caps().policy {
        let err = s
            .assert_no_request("put_policy", s.admin.put_policy(&bucket, &policy))
            .await
            .expect_err("unsupported");
        assert_eq!(err.kind(), ErrorKind::Unsupported);
        let err = s
            .assert_no_request("delete_policy", s.admin.delete_policy(&bucket))
            .await
            .expect_err("unsupported");
        assert_eq!(err.kind(), ErrorKind::Unsupported);
        return;
    }
    s.admin
        .put_policy(&bucket, &policy)
        .await
        .expect("put policy");
    assert_eq!(
        s.admin.get_policy(&bucket).await.expect("get"),
        Some(policy)
    );
    s.admin.delete_policy(&bucket).await.expect("delete");
    assert_eq!(
        s.admin.get_policy(&bucket).await.expect("get after delete"),
        None
    );
}

pub async fn wrong_credentials(s: &Subject<'_>) {
    let err = s
        .wrong_credentials
        .list_buckets()
        .await
        .expect_err("wrong credentials");
    assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{err}");
    assert!(err.status().is_some(), "the provider answered: {err:?}");
}

pub async fn retries_injected_faults(s: &Subject<'_>) {
    let bucket = s.fresh_bucket("retry").await;
    let Some(before) = s.backend.request_count() else {
        return;
    };
    if !s.backend.inject_unavailable(2) {
        return;
    }
    // Two 503s, then success: three requests for one call.
    assert!(s.admin.bucket_exists(&bucket).await.expect("retried"));
    let after = s.backend.request_count().expect("count");
    assert_eq!(after - before, 3, "two failures + one success");

    if s.backend.inject_rate_limited() {
        let before = s.backend.request_count().expect("count");
        let start = std::time::Instant::now();
        assert!(s.admin.bucket_exists(&bucket).await.expect("after 429"));
        assert_eq!(s.backend.request_count().expect("count") - before, 2);
        assert!(
            start.elapsed() >= Duration::from_millis(900),
            "retry-after: 1 was honoured"
        );
    }
}
