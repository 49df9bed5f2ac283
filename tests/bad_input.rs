//! Bad input, per provider: invalid bucket names, CORS rules, lifecycle rules, policies and
//! versioning states are each rejected before any request is sent, with an error that names
//! the field and the rule it broke.

use bucket_admin::cos::CosClient;
use bucket_admin::r2::R2Client;
use bucket_admin::{
    Age, BucketAdmin, BucketPolicy, CorsConfiguration, CorsMethod, CorsRule, CreateBucketOptions,
    Error, ErrorKind, Expiration, LifecycleConfiguration, LifecycleFilter, LifecycleRule,
    StorageClass, Tag, Transition, VersioningStatus,
};
use bucket_admin_emulator::Emulator;

async fn cos() -> (Emulator, CosClient) {
    let emulator = Emulator::start().await.expect("emulator");
    let c = emulator.cos_credentials().clone();
    let client = CosClient::builder()
        .region(c.region)
        .secret_id(c.secret_id)
        .secret_key(c.secret_key)
        .endpoint(emulator.cos_endpoint())
        .allow_http(true)
        .build()
        .expect("client");
    (emulator, client)
}

async fn r2() -> (Emulator, R2Client) {
    let emulator = Emulator::start().await.expect("emulator");
    let c = emulator.r2_credentials().clone();
    let client = R2Client::builder()
        .account_id(c.account_id)
        .api_token(c.api_token)
        .base_url(emulator.r2_base_url())
        .allow_http(true)
        .pacing(None)
        .build()
        .expect("client");
    (emulator, client)
}

/// The error is invalid input (or unsupported) and names `field` with a rule mentioning
/// `rule_words` (case-insensitive).
fn assert_names(case: &str, err: &Error, field: &str, rule_words: &str) {
    assert!(
        matches!(err.kind(), ErrorKind::InvalidInput | ErrorKind::Unsupported),
        "{case}: {err}"
    );
    let text = format!("{err} {:?}", err.violations());
    let by_field = err.violations().iter().find(|v| v.field == field);
    match by_field {
        Some(v) => assert!(
            v.rule.to_lowercase().contains(&rule_words.to_lowercase()),
            "{case}: rule for {field} was `{}`, expected it to mention `{rule_words}`",
            v.rule
        ),
        None => assert!(
            text.contains(field) && text.to_lowercase().contains(&rule_words.to_lowercase()),
            "{case}: expected field `{field}` and `{rule_words}` in: {text}"
        ),
    }
}

fn cors(rule: CorsRule) -> CorsConfiguration {
    CorsConfiguration::new(vec![rule])
}

fn get() -> CorsRule {
    CorsRule::new(["https://example.com"], [CorsMethod::Get])
}

fn lifecycle(rule: LifecycleRule) -> LifecycleConfiguration {
    LifecycleConfiguration::new(vec![rule])
}

fn expiring(id: &str) -> LifecycleRule {
    LifecycleRule::new()
        .with_id(id)
        .with_expiration(Expiration::After(Age::days(30)))
}

fn policy(actions: &[&str], resources: &[&str]) -> BucketPolicy {
    serde_json::from_value(serde_json::json!({
        "statements": [{"effect": "allow", "actions": actions, "resources": resources}]
    }))
    .expect("policy")
}

/// CORS cases both providers reject: (case, config, field, rule words).
fn common_cors_cases() -> Vec<(&'static str, CorsConfiguration, &'static str, &'static str)> {
    vec![
        (
            "no rules",
            CorsConfiguration::default(),
            "rules",
            "at least one",
        ),
        (
            "two stars",
            cors(CorsRule::new(
                ["https://*.*.example.com"],
                [CorsMethod::Get],
            )),
            "rules[0].allowed_origins[0]",
            "one '*'",
        ),
        (
            "origin without scheme",
            cors(CorsRule::new(["example.com"], [CorsMethod::Get])),
            "rules[0].allowed_origins[0]",
            "scheme",
        ),
        (
            "origin with path",
            cors(CorsRule::new(
                ["https://example.com/app"],
                [CorsMethod::Get],
            )),
            "rules[0].allowed_origins[0]",
            "path",
        ),
        (
            "no methods",
            cors(CorsRule::new(["https://example.com"], [])),
            "rules[0].allowed_methods",
            "at least one",
        ),
        (
            "header with space",
            cors(get().with_allowed_headers(["x bad"])),
            "rules[0].allowed_headers[0]",
            "header",
        ),
        (
            "star in expose headers",
            cors(get().with_expose_headers(["*"])),
            "rules[0].expose_headers[0]",
            "*",
        ),
    ]
}

#[tokio::test]
async fn cos_rejects_bad_input_before_sending() {
    let (emulator, client) = cos().await;
    let good = "examplebucket-1250000000";

    for (case, name) in [
        ("no appid", "examplebucket"),
        ("appid not digits", "examplebucket-12a"),
        ("leading dash", "-example-1250000000"),
        ("underscore", "example_bucket-1250000000"),
        (
            "too long",
            "a-very-long-bucket-name-that-cannot-fit-in-a-host-1250000000",
        ),
        ("empty", ""),
    ] {
        let err = client
            .create_bucket(name, &CreateBucketOptions::default())
            .await
            .expect_err(case);
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{case}: {err}");
        assert!(err.to_string().contains("bucket"), "{case}: {err}");
    }

    let too_many = CorsConfiguration::new((0..101).map(|_| get()).collect());
    let mut cases = common_cors_cases();
    cases.push(("101 rules", too_many, "rules", "100"));
    for (case, cfg, field, words) in cases {
        let err = client.put_cors(good, &cfg).await.expect_err(case);
        assert_names(case, &err, field, words);
    }

    let mut both = expiring("both");
    both.filter = LifecycleFilter::default()
        .with_prefix("logs/")
        .with_tags([Tag::new("", "x")]);
    let fractional =
        expiring("fractional").with_expiration(Expiration::After(Age::seconds(90_000)));
    let thousand_and_one =
        LifecycleConfiguration::new((0..1001).map(|i| expiring(&format!("r{i}"))).collect());
    let lifecycle_cases = vec![
        (
            "no rules",
            LifecycleConfiguration::default(),
            "rules",
            "at least one",
        ),
        (
            "no action",
            lifecycle(LifecycleRule::new().with_id("x")),
            "rules[0]",
            "action",
        ),
        (
            "empty tag key",
            lifecycle(both),
            "rules[0].filter.tags[0].key",
            "empty",
        ),
        (
            "fractional days",
            lifecycle(fractional),
            "rules[0].expiration",
            "day",
        ),
        (
            "id too long",
            lifecycle(expiring(&"x".repeat(256))),
            "rules[0].id",
            "255",
        ),
        ("1001 rules", thousand_and_one, "rules", "1000"),
    ];
    for (case, cfg, field, words) in lifecycle_cases {
        let err = client.put_lifecycle(good, &cfg).await.expect_err(case);
        assert_names(case, &err, field, words);
    }

    for (case, p, field, words) in [
        (
            "no actions",
            policy(&[], &["qcs::cos:ap-beijing:uid/1250000000:b-1250000000/*"]),
            "statements[0].actions",
            "at least one",
        ),
        (
            "blank resource",
            policy(&["name/cos:GetObject"], &[" "]),
            "statements[0].resources[0]",
            "empty",
        ),
    ] {
        let err = client.put_policy(good, &p).await.expect_err(case);
        assert_names(case, &err, field, words);
    }

    let err = client
        .put_versioning(good, VersioningStatus::Unversioned)
        .await
        .expect_err("unversioned");
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");

    let err = client
        .create_bucket(good, &CreateBucketOptions::new().with_location_hint("weur"))
        .await
        .expect_err("R2-only option");
    assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
    assert!(err.to_string().contains("location_hint"), "{err}");

    assert_eq!(emulator.request_count(), 0, "nothing was sent");
}

#[tokio::test]
async fn r2_rejects_bad_input_before_sending() {
    let (emulator, client) = r2().await;
    let good = "example-bucket";

    for (case, name) in [
        ("uppercase", "Example"),
        ("too short", "ab"),
        ("too long", &"a".repeat(64)),
        ("leading dash", "-bucket"),
        ("trailing dash", "bucket-"),
        ("underscore", "my_bucket"),
        ("dot", "my.bucket"),
    ] {
        let err = client
            .create_bucket(name, &CreateBucketOptions::default())
            .await
            .expect_err(case);
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{case}: {err}");
    }

    // Every bucket call, not only create, refuses a name R2 can never hold.
    for err in [
        client.get_cors("Bad_Name").await.expect_err("get"),
        client.head_bucket("ab").await.expect_err("head"),
        client.delete_bucket("-x-").await.expect_err("delete"),
    ] {
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert_names("bucket name", &err, "bucket", "3-63 characters");
    }

    for (case, cfg, field, words) in common_cors_cases() {
        let err = client.put_cors(good, &cfg).await.expect_err(case);
        assert_names(case, &err, field, words);
    }

    let tagged = expiring("tagged")
        .with_filter(LifecycleFilter::default().with_tags([Tag::new("tmp", "1")]));
    let noncurrent = expiring("noncurrent").with_noncurrent_version_expiration_days(5);
    let archive = expiring("archive")
        .with_transitions([Transition::after(Age::days(30), StorageClass::Archive)]);
    let mut no_id = expiring("x");
    no_id.id = None;
    let delete_marker = expiring("markers").with_expiration(Expiration::ExpiredObjectDeleteMarker);
    for (case, cfg, field, words) in [
        (
            "tag filter",
            lifecycle(tagged),
            "rules[0].filter.tags",
            "tag",
        ),
        (
            "noncurrent versions",
            lifecycle(noncurrent),
            "rules[0].noncurrent_version_expiration_days",
            "noncurrent",
        ),
        (
            "archive class",
            lifecycle(archive),
            "rules[0].transitions[0]",
            "infrequent_access",
        ),
        ("missing id", lifecycle(no_id), "rules[0].id", "id"),
        (
            "expired delete markers",
            lifecycle(delete_marker),
            "rules[0].expiration",
            "delete marker",
        ),
    ] {
        let err = client.put_lifecycle(good, &cfg).await.expect_err(case);
        assert_names(case, &err, field, words);
    }

    for (case, options, field) in [
        (
            "acl",
            CreateBucketOptions::new().with_acl(bucket_admin::CannedAcl::PublicRead),
            "acl",
        ),
        (
            "tags",
            CreateBucketOptions::new().with_tags([Tag::new("a", "b")]),
            "tags",
        ),
        (
            "multi-AZ",
            CreateBucketOptions::new().with_multi_az(true),
            "multi_az",
        ),
    ] {
        let err = client.create_bucket(good, &options).await.expect_err(case);
        assert_eq!(err.kind(), ErrorKind::Unsupported, "{case}: {err}");
        assert!(err.to_string().contains(field), "{case}: {err}");
    }

    for err in [
        client
            .put_policy(good, &policy(&["a"], &["b"]))
            .await
            .expect_err("policy"),
        client
            .put_versioning(good, VersioningStatus::Enabled)
            .await
            .expect_err("versioning"),
    ] {
        assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
    }

    assert_eq!(emulator.request_count(), 0, "nothing was sent");
}
