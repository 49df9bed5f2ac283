//! Client behaviour against a local server: clock skew, errors, validation, preflight,
//! configuration and secrets.

mod common;

use bucket_admin_core::preflight::{DenialReason, PreflightOutcome, PreflightRequest};
use bucket_admin_core::{
    Age, BucketAdmin, BucketPolicy, CorsConfiguration, CorsMethod, CorsRule, CreateBucketOptions,
    ErrorKind, Expiration, Jurisdiction, LifecycleConfiguration, LifecycleRule,
    ReplicationConfiguration, ReplicationDestination, ReplicationRule, RetryPolicy, Retryable,
    StorageClass, VersioningStatus,
};
use bucket_admin_cos::{CosClient, CosClientBuilder};
use common::{Canned, PINNED_NOW, serve};

const BUCKET: &str = "examplebucket-1250000000";

fn error_body(code: &str, message: &str) -> String {
    format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>{code}</Code><Message>{message}</Message><Resource>r</Resource><RequestId>rid-body</RequestId><TraceId>trace-1</TraceId></Error>"
    )
}

#[tokio::test]
async fn clock_skew_is_corrected_once_and_remembered() {
    let server_time =
        std::time::UNIX_EPOCH + std::time::Duration::from_secs((PINNED_NOW + 3600) as u64);
    let date = httpdate::fmt_http_date(server_time);
    let server = serve(vec![
        Canned::new(
            403,
            &error_body(
                "RequestTimeTooSkewed",
                "The difference between the request time and the server's time is too large.",
            ),
        )
        .header("Date", &date),
        Canned::new(
            200,
            "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
        ),
    ])
    .await;
    let client = common::client(&server).build().unwrap();
    assert_eq!(
        client.get_versioning(BUCKET).await.unwrap(),
        VersioningStatus::Enabled
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "exactly one corrective retry");
    assert_eq!(
        reqs[0].auth_field("q-sign-time").unwrap(),
        format!("{};{}", PINNED_NOW - 60, PINNED_NOW + 10_000)
    );
    let corrected = PINNED_NOW + 3600;
    assert_eq!(
        reqs[1].auth_field("q-sign-time").unwrap(),
        format!("{};{}", corrected - 60, corrected + 10_000)
    );
    assert_eq!(client.clock_offset_seconds(), 3600);

    // A later call starts from the corrected clock.
    client.get_versioning(BUCKET).await.unwrap();
    assert_eq!(
        server.requests()[2].auth_field("q-key-time").unwrap(),
        format!("{};{}", corrected - 60, corrected + 10_000)
    );
}

#[tokio::test]
async fn clock_skew_is_retried_only_once() {
    let date = httpdate::fmt_http_date(
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(PINNED_NOW as u64 + 7200),
    );
    let server = serve(vec![
        Canned::new(403, &error_body("AccessDenied", "Request has expired")).header("Date", &date),
    ])
    .await;
    let client = common::client(&server).build().unwrap();
    let err = client.get_versioning(BUCKET).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn error_mapping_table() {
    let cases: Vec<(u16, &str, ErrorKind)> = vec![
        (404, "NoSuchBucket", ErrorKind::NotFound),
        (409, "BucketAlreadyExists", ErrorKind::AlreadyExists),
        (409, "bucketalreadyownedbyyou", ErrorKind::AlreadyExists),
        (409, "BucketNotEmpty", ErrorKind::NotEmpty),
        (403, "SignatureDoesNotMatch", ErrorKind::Unauthenticated),
        (403, "InvalidAccessKeyId", ErrorKind::Unauthenticated),
        (401, "AccessDenied", ErrorKind::Unauthenticated),
        (400, "ExpiredToken", ErrorKind::Unauthenticated),
        (403, "InvalidSecretId", ErrorKind::Unauthenticated),
        (403, "AccessDenied", ErrorKind::PermissionDenied),
        (400, "InvalidArgument", ErrorKind::InvalidInput),
        (400, "MalformedXML", ErrorKind::InvalidInput),
        (400, "InvalidBucketName", ErrorKind::InvalidInput),
        (400, "BucketNameTooLong", ErrorKind::InvalidInput),
        (400, "InvalidDigest", ErrorKind::InvalidInput),
        (400, "TooManyBuckets", ErrorKind::InvalidInput),
        (503, "SlowDown", ErrorKind::RateLimited),
        (503, "ServiceUnavailable", ErrorKind::Unavailable),
        (500, "InternalError", ErrorKind::Unavailable),
        (429, "TooManyRequests", ErrorKind::RateLimited),
    ];
    for (status, code, kind) in cases {
        let server = serve(vec![
            Canned::new(status, &error_body(code, "msg"))
                .header("x-cos-request-id", "rid-header")
                .header("Retry-After", "2"),
        ])
        .await;
        let client = common::client(&server).build().unwrap();
        let err = client.delete_bucket(BUCKET).await.unwrap_err();
        assert_eq!(err.kind(), kind, "{status} {code}");
        assert_eq!(err.code(), Some(code));
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.request_id(), Some("rid-header"));
        assert_eq!(err.detail("trace_id"), Some("trace-1"));
        assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(2)));
        if kind == ErrorKind::RateLimited {
            assert_eq!(err.retryable(), Retryable::Always);
        }
    }
}

#[tokio::test]
async fn not_configured_is_none_and_head_404_is_clean() {
    // Each getter answers `None` for its own code only; another sub-resource's code is an
    // error, never "not configured".
    let codes = [
        ("NoSuchCORSConfiguration", "cors"),
        ("NOSUCHLIFECYCLECONFIGURATION", "lifecycle"),
        ("NoSuchReplicationConfiguration", "replication"),
        ("replicationconfigurationnotfounderror", "replication"),
        ("NoSuchBucketPolicy", "policy"),
    ];
    for (code, owner) in codes {
        let server = serve(vec![Canned::new(404, &error_body(code, "none"))]).await;
        let client = common::client(&server).build().unwrap();
        let results = [
            ("cors", client.get_cors(BUCKET).await.map(|c| c.is_none())),
            (
                "lifecycle",
                client.get_lifecycle(BUCKET).await.map(|c| c.is_none()),
            ),
            (
                "replication",
                client.get_replication(BUCKET).await.map(|c| c.is_none()),
            ),
            (
                "policy",
                client.get_policy(BUCKET).await.map(|c| c.is_none()),
            ),
        ];
        for (sub, result) in results {
            if sub == owner {
                assert!(result.unwrap(), "{code} on ?{sub}");
            } else {
                let err = result.unwrap_err();
                assert_eq!(err.kind(), ErrorKind::NotFound, "{code} on ?{sub}");
                assert_eq!(err.code(), Some(code), "{code} on ?{sub}");
            }
        }
    }
    let server = serve(vec![Canned::new(
        404,
        &error_body("ResourceNotFound", "Policy Not Found"),
    )])
    .await;
    let client = common::client(&server).build().unwrap();
    assert!(client.get_policy(BUCKET).await.unwrap().is_none());

    // NoSuchBucket stays an error.
    let server = serve(vec![Canned::new(404, &error_body("NoSuchBucket", "gone"))]).await;
    let client = common::client(&server).build().unwrap();
    assert_eq!(
        client.get_cors(BUCKET).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );

    let server = serve(vec![Canned::new(404, "").header("x-cos-request-id", "rid")]).await;
    let client = common::client(&server).build().unwrap();
    let err = client.head_bucket(BUCKET).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.request_id(), Some("rid"));
    assert!(!client.bucket_exists(BUCKET).await.unwrap());

    let server = serve(vec![Canned::new(403, "")]).await;
    let client = common::client(&server).build().unwrap();
    assert_eq!(
        client.bucket_exists(BUCKET).await.unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
}

#[tokio::test]
async fn malformed_xml_is_decode_and_transport_errors_are_classified() {
    let server = serve(vec![Canned::new(
        200,
        "<CORSConfiguration><CORSRule><MaxAgeSeconds>soon</MaxAgeSeconds>",
    )])
    .await;
    let client = common::client(&server).build().unwrap();
    assert_eq!(
        client.get_cors(BUCKET).await.unwrap_err().kind(),
        ErrorKind::Decode
    );

    // Nothing listens on this port.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = CosClient::builder()
        .region("ap-beijing")
        .secret_id("id")
        .secret_key("key")
        .endpoint(url)
        .allow_http(true)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let err = client.delete_bucket(BUCKET).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert_eq!(err.retryable(), Retryable::Always);
}

#[tokio::test]
async fn validation_rejects_everything_before_sending() {
    let server = serve(vec![Canned::new(200, "")]).await;
    let client = common::client(&server).build().unwrap();

    let mut rules: Vec<CorsRule> = (0..101)
        .map(|_| CorsRule::new(["*"], [CorsMethod::Get]))
        .collect();
    rules[0].expose_headers = vec!["*".into()];
    let err = client
        .put_cors(BUCKET, &CorsConfiguration::new(rules))
        .await
        .unwrap_err();
    let fields: Vec<_> = err.violations().iter().map(|v| v.field.as_str()).collect();
    assert_eq!(fields, ["rules", "rules[0].expose_headers[0]"]);

    let lifecycle = LifecycleConfiguration::new(vec![
        LifecycleRule::new()
            .with_id("x".repeat(256))
            .with_expiration(Expiration::After(Age::seconds(3600))),
    ]);
    let err = client.put_lifecycle(BUCKET, &lifecycle).await.unwrap_err();
    let fields: Vec<_> = err.violations().iter().map(|v| v.field.as_str()).collect();
    assert_eq!(fields, ["rules[0].id", "rules[0].expiration.after"]);
    assert_eq!(err.kind(), ErrorKind::InvalidInput);

    let err = client
        .put_versioning(BUCKET, VersioningStatus::Unversioned)
        .await
        .unwrap_err();
    assert_eq!(err.violations()[0].field, "status");

    let replication = ReplicationConfiguration::new(vec![
        ReplicationRule::new(
            ReplicationDestination::new("destinationbucket-1250000000")
                .with_storage_class(StorageClass::Standard),
        )
        .with_id("r"),
    ]);
    let err = client
        .put_replication(BUCKET, &replication)
        .await
        .unwrap_err();
    assert_eq!(err.violations()[0].field, "rules[0].destination.bucket");

    let policy = BucketPolicy::new(vec![]);
    let err = client.put_policy(BUCKET, &policy).await.unwrap_err();
    assert_eq!(err.violations()[0].field, "statements");

    // Upper case is lower-cased, not rejected (seed 004; see `uppercase_bucket_names_...`).
    for bad in ["noappid", "-x-1250000000", "a_b-1250000000"] {
        let err = client.delete_bucket(bad).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}");
        assert_eq!(err.violations()[0].field, "bucket");
    }

    for (opts, field) in [
        (
            CreateBucketOptions::new().with_location_hint("weur"),
            "location_hint",
        ),
        (
            CreateBucketOptions::new().with_storage_class(StorageClass::InfrequentAccess),
            "storage_class",
        ),
        (
            CreateBucketOptions::new().with_jurisdiction(Jurisdiction::Eu),
            "jurisdiction",
        ),
    ] {
        let err = client.create_bucket(BUCKET, &opts).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unsupported);
        assert!(err.message().contains(field), "{}", err.message());
    }
    let locked = CreateBucketOptions::new().with_object_lock_enabled(true);
    let err = client.create_bucket(BUCKET, &locked).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert!(
        err.message().contains("object_lock_enabled"),
        "{}",
        err.message()
    );
    assert!(!client.capabilities().create_object_lock);
    assert!(
        server.requests().is_empty(),
        "no request may reach the server"
    );
}

#[tokio::test]
async fn create_sends_tags_and_preflight_is_unsigned() {
    let server = serve(vec![Canned::new(200, "")]).await;
    let client = common::client(&server).build().unwrap();
    let opts =
        CreateBucketOptions::new().with_tags([bucket_admin_core::Tag::new("team", "data ops")]);
    client.create_bucket(BUCKET, &opts).await.unwrap();
    let req = &server.requests()[0];
    assert_eq!(req.header("x-cos-tagging"), Some("team=data%20ops"));
    assert!(
        req.auth_field("q-header-list")
            .unwrap()
            .contains("x-cos-tagging")
    );

    let server = serve(vec![
        Canned::new(200, "")
            .header("Access-Control-Allow-Origin", "https://example.com")
            .header("Access-Control-Allow-Credentials", "true")
            .header("Access-Control-Allow-Methods", "GET,PUT")
            .header("Access-Control-Allow-Headers", "content-type")
            .header("Access-Control-Expose-Headers", "ETag")
            .header("Access-Control-Max-Age", "600"),
    ])
    .await;
    let client = common::client(&server).build().unwrap();
    let pre = PreflightRequest::new("https://example.com", "PUT").with_headers(["content-type"]);
    let PreflightOutcome::Allowed(a) = client.preflight(BUCKET, "dir/a b.txt", &pre).await.unwrap()
    else {
        panic!("denied");
    };
    assert_eq!(a.rule_index, None);
    assert_eq!(a.allow_methods, ["GET", "PUT"]);
    assert_eq!(a.max_age_seconds, Some(600));
    assert!(a.allow_credentials);
    let req = &server.requests()[0];
    assert_eq!(req.method, "OPTIONS");
    assert_eq!(req.path, "/dir/a%20b.txt");
    assert!(req.header("authorization").is_none());
    assert_eq!(req.header("origin"), Some("https://example.com"));
    assert_eq!(req.header("access-control-request-method"), Some("PUT"));
    assert_eq!(
        req.header("access-control-request-headers"),
        Some("content-type")
    );

    let server = serve(vec![Canned::new(
        403,
        &error_body(
            "AccessForbidden",
            "CORSResponse: This CORS request is not allowed.",
        ),
    )])
    .await;
    let client = common::client(&server).build().unwrap();
    let PreflightOutcome::Denied(d) = client.preflight(BUCKET, "k", &pre).await.unwrap() else {
        panic!("allowed");
    };
    assert_eq!(
        d.reason,
        DenialReason::ProviderRejected {
            status: 403,
            code: Some("AccessForbidden".into()),
            message: Some("CORSResponse: This CORS request is not allowed.".into()),
        }
    );
}

#[test]
fn builder_validates_and_names_the_setting() {
    let ok = || {
        CosClient::builder()
            .region("ap-beijing")
            .secret_id("id")
            .secret_key("key")
    };
    assert!(ok().build().is_ok());
    for (b, needle) in [
        (
            CosClient::builder().secret_id("id").secret_key("key"),
            "region",
        ),
        (
            CosClient::builder().region("ap-beijing").secret_key("key"),
            "secret_id",
        ),
        (
            CosClient::builder().region("ap-beijing").secret_id("id"),
            "secret_key",
        ),
        // Loopback http needs no opt-in (see tests/api.rs); another host does.
        (ok().endpoint("http://10.0.0.1:9000"), "allow_http"),
        (ok().endpoint("ftp://x"), "scheme"),
        (ok().domain_template("cos.example.com"), "{bucket}"),
        (
            ok().domain_template("http://{bucket}.cos.internal"),
            "allow_http",
        ),
    ] {
        let err = b.build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(
            err.message().contains(needle),
            "{needle}: {}",
            err.message()
        );
    }
    assert!(
        ok().endpoint("http://127.0.0.1:9000")
            .allow_http(true)
            .build()
            .is_ok()
    );
    let c = ok()
        .domain_template(bucket_admin_cos::ACCELERATE_DOMAIN_TEMPLATE)
        .build()
        .unwrap();
    assert_eq!(
        c.bucket_host(BUCKET),
        "examplebucket-1250000000.cos.accelerate.myqcloud.com"
    );
    let c = ok()
        .domain_template(bucket_admin_cos::TENCENTCOS_DOMAIN_TEMPLATE)
        .build()
        .unwrap();
    assert_eq!(
        c.bucket_host(BUCKET),
        "examplebucket-1250000000.cos.ap-beijing.tencentcos.cn"
    );
}

#[test]
fn from_env_vars_prefers_cos_variables() {
    let vars = |list: &[(&str, &str)]| {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    };
    let b = CosClientBuilder::from_env_vars(vars(&[
        ("TENCENTCLOUD_SECRET_ID", "tc-id-000000"),
        ("COS_SECRET_ID", "cos-id-000000"),
        ("TENCENTCLOUD_SECRET_KEY", "tc-key"),
        ("TENCENTCLOUD_SECURITY_TOKEN", "tc-token"),
        ("COS_REGION", "ap-guangzhou"),
    ]));
    let client = b.build().unwrap();
    assert_eq!(client.region(), "ap-guangzhou");
    let shown = format!("{client:?}");
    assert!(shown.contains("cos-"), "{shown}");
    assert!(!shown.contains("tc-id"));
    assert!(!shown.contains("tc-key") && !shown.contains("tc-token"));

    let err = CosClientBuilder::from_env_vars(vars(&[("COS_SECRET_ID", "x")]))
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    let b = CosClientBuilder::from_env_vars(vars(&[
        ("COS_SECRET_ID", "i"),
        ("COS_SECRET_KEY", "k"),
        ("COS_REGION", "ap-beijing"),
        ("COS_ENDPOINT", "http://10.0.0.1:1"),
    ]));
    assert!(b.build().unwrap_err().message().contains("allow_http"));
}

#[tokio::test]
async fn secrets_never_show() {
    const KEY: &str = "SuperSecretKeyValue0123456789";
    const TOKEN: &str = "SessionTokenValue987654321";
    let server = serve(vec![Canned::new(
        403,
        &error_body("SignatureDoesNotMatch", "bad"),
    )])
    .await;
    let builder = common::client(&server).secret_key(KEY).session_token(TOKEN);
    let client = builder.clone().build().unwrap();
    let err = client.get_versioning(BUCKET).await.unwrap_err();
    let auth = server.requests()[0]
        .header("authorization")
        .unwrap()
        .to_owned();
    let signature = common::auth_field(&auth, "q-signature").unwrap();
    for shown in [
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{err:?}"),
        format!("{err}"),
    ] {
        assert!(!shown.contains(KEY), "{shown}");
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(!shown.contains(&signature), "{shown}");
    }
    // The token is sent and signed.
    assert_eq!(
        server.requests()[0].header("x-cos-security-token"),
        Some(TOKEN)
    );
    assert!(auth.contains("x-cos-security-token"));
}

#[test]
fn capabilities_describe_cos() {
    let c = bucket_admin_cos::cos_capabilities();
    assert_eq!(c.provider, bucket_admin_core::Provider::Cos);
    assert!(
        c.cors && c.cors_response_vary && c.cors_live_preflight && !c.cors_expose_header_wildcard
    );
    assert_eq!(c.max_cors_rules, Some(100));
    assert_eq!(c.max_lifecycle_rules, Some(1000));
    assert_eq!(c.max_replication_rules, Some(1000));
    assert!(c.lifecycle_dates && c.lifecycle_tags && c.lifecycle_noncurrent_versions);
    assert!(
        c.versioning && c.replication && c.policy && c.create_acl && c.create_tags && c.multi_az
    );
    assert!(!c.location_hint && !c.jurisdictions && !c.create_storage_class);
    let client = CosClient::builder()
        .region("ap-beijing")
        .secret_id("i")
        .secret_key("k")
        .build()
        .unwrap();
    assert_eq!(client.capabilities(), &c);
}

#[test]
fn presigned_urls_and_get_auth() {
    let client = CosClient::builder()
        .region("ap-beijing")
        .secret_id("AKIDEXAMPLEexampleEXAMPLEexample1234")
        .secret_key("SecretKeyExample0123456789abcdef")
        .clock(|| std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000))
        .build()
        .unwrap();
    // presign-get-basic from presign_vectors.json.
    let url = client.presigned_url(
        "GET",
        BUCKET,
        "exampleobject.txt",
        &[],
        std::time::Duration::from_secs(300),
    );
    assert_eq!(
        url,
        "https://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/exampleobject.txt?q-sign-algorithm=sha1&q-ak=AKIDEXAMPLEexampleEXAMPLEexample1234&q-sign-time=1699999940%3B1700000300&q-key-time=1699999940%3B1700000300&q-header-list=host&q-url-param-list=&q-signature=4b0a4492faf387d789a1e010005d53de579abe33"
    );
    let auth = client.get_auth(
        "GET",
        BUCKET,
        "exampleobject.txt",
        &[],
        &[],
        std::time::Duration::from_secs(300),
    );
    assert!(auth.ends_with("q-signature=4b0a4492faf387d789a1e010005d53de579abe33"));
}

// ---------------------------------------------------------------------------------------
// Hostile and broken answers (issue 17): nothing else is ever read as "not configured".

async fn decode_error_of(status: u16, body: &str) -> Vec<(&'static str, bucket_admin_core::Error)> {
    let server = serve(vec![
        Canned::new(status, body).header("x-cos-request-id", "rid-200"),
    ])
    .await;
    let client = common::client(&server).build().unwrap();
    vec![
        ("cors", client.get_cors(BUCKET).await.map(drop).unwrap_err()),
        (
            "lifecycle",
            client.get_lifecycle(BUCKET).await.map(drop).unwrap_err(),
        ),
        (
            "replication",
            client.get_replication(BUCKET).await.map(drop).unwrap_err(),
        ),
        (
            "versioning",
            client.get_versioning(BUCKET).await.map(drop).unwrap_err(),
        ),
        (
            "policy",
            client.get_policy(BUCKET).await.map(drop).unwrap_err(),
        ),
        ("list", client.list_buckets().await.map(drop).unwrap_err()),
    ]
}

#[tokio::test]
async fn an_ok_answer_that_is_not_the_document_asked_for_is_a_decode_error() {
    let bodies = [
        error_body("NoSuchCORSConfiguration", "none"),
        "<!DOCTYPE html><html><head><title>502</title></head><body>Bad gateway</body></html>"
            .to_owned(),
        "<?xml version=\"1.0\"?><OtherConfiguration><Rule/></OtherConfiguration>".to_owned(),
        String::new(),
        "not xml at all".to_owned(),
    ];
    for body in bodies {
        for (what, err) in decode_error_of(200, &body).await {
            assert_eq!(err.kind(), ErrorKind::Decode, "{what} <- {body}: {err}");
            assert_eq!(err.status(), Some(200), "{what} <- {body}");
            assert_eq!(err.request_id(), Some("rid-200"), "{what} <- {body}");
            assert_eq!(err.attempts(), 1, "{what} <- {body}");
        }
    }
}

#[tokio::test]
async fn another_configuration_or_trailing_content_is_rejected_naming_the_root() {
    let lifecycle = "<LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>";
    let server = serve(vec![Canned::new(200, lifecycle)]).await;
    let client = common::client(&server).build().unwrap();
    let err = client.get_cors(BUCKET).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("<CORSConfiguration>"), "{err}");
    assert!(err.message().contains("<LifecycleConfiguration>"), "{err}");

    let cors = "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";
    let trailing = format!("{cors}<Error><Code>InternalError</Code></Error>");
    let err = bucket_admin_cos::codec::decode_cors(&trailing).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("second element <Error>"), "{err}");
    let err = bucket_admin_cos::codec::decode_cors(&format!("{cors} trailing")).unwrap_err();
    assert!(err.message().contains("outside the root"), "{err}");
    // The real thing, with prolog and whitespace, still decodes.
    let ok = format!("<?xml version='1.0' encoding='utf-8' ?>\n{cors}\n");
    assert_eq!(
        bucket_admin_cos::codec::decode_cors(&ok)
            .unwrap()
            .rules
            .len(),
        1
    );

    let err = bucket_admin_cos::codec::decode_policy(r#"{"error":"gateway"}"#).unwrap_err();
    assert!(err.message().contains("Statement"), "{err}");

    let error_doc = error_body("AccessDenied", "go away");
    let err = bucket_admin_cos::codec::decode_lifecycle(&error_doc).unwrap_err();
    assert!(err.message().contains("<Error> document"), "{err}");
    assert!(err.message().contains("AccessDenied"), "{err}");
}

#[tokio::test]
async fn not_configured_codes_count_only_on_a_404() {
    let cases = [
        (503, "NoSuchCORSConfiguration", ErrorKind::Unavailable),
        (403, "NoSuchCORSConfiguration", ErrorKind::PermissionDenied),
        (409, "NoSuchCORSConfiguration", ErrorKind::Other),
        (429, "NoSuchCORSConfiguration", ErrorKind::RateLimited),
        (500, "NoSuchCORSConfiguration", ErrorKind::Unavailable),
    ];
    for (status, code, kind) in cases {
        let server = serve(vec![Canned::new(status, &error_body(code, "x"))]).await;
        let client = common::client(&server).build().unwrap();
        let err = client.get_cors(BUCKET).await.unwrap_err();
        assert_eq!(err.kind(), kind, "{status} {code}");
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.code(), Some(code));
    }
    for (status, code) in [
        (503, "NoSuchLifecycleConfiguration"),
        (403, "NoSuchReplicationConfiguration"),
        (500, "NoSuchBucketPolicy"),
    ] {
        let server = serve(vec![Canned::new(status, &error_body(code, "x"))]).await;
        let client = common::client(&server).build().unwrap();
        assert!(
            client.get_lifecycle(BUCKET).await.is_err(),
            "{status} {code}"
        );
        assert!(
            client.get_replication(BUCKET).await.is_err(),
            "{status} {code}"
        );
        assert!(client.get_policy(BUCKET).await.is_err(), "{status} {code}");
    }
}

#[test]
fn decoders_never_drop_data_silently() {
    use bucket_admin_cos::codec::{decode_cors, decode_lifecycle};
    let rule = |inner: &str| {
        format!(
            "<LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status>{inner}</Rule></LifecycleConfiguration>"
        )
    };
    let cases = [
        (
            rule("<Expiration><Days>30</Days><Date>2031-04-20T00:00:00+08:00</Date></Expiration>"),
            "Expiration",
        ),
        (
            rule(
                "<Expiration><Days>30</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>",
            ),
            "Expiration",
        ),
        (
            rule(
                "<Expiration><ExpiredObjectDeleteMarker>yes</ExpiredObjectDeleteMarker></Expiration>",
            ),
            "ExpiredObjectDeleteMarker",
        ),
        (
            rule(
                "<Prefix>logs/</Prefix><Filter><Prefix>tmp/</Prefix></Filter><Expiration><Days>3</Days></Expiration>",
            ),
            "Filter.Prefix",
        ),
        (
            rule("<Expiration><Date>2031-04-20T12:00:00+08:00</Date></Expiration>"),
            "Expiration.Date",
        ),
        (
            rule("<Expiration><Days>0</Days></Expiration>"),
            "Expiration.Days",
        ),
        (
            rule(
                "<AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload>",
            ),
            "DaysAfterInitiation",
        ),
        (
            rule(
                "<Transition><Days>30</Days><Date>2031-04-20T00:00:00+08:00</Date><StorageClass>ARCHIVE</StorageClass></Transition>",
            ),
            "Transition",
        ),
    ];
    for (xml, element) in cases {
        let err = decode_lifecycle(&xml).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{xml}");
        assert!(err.message().contains(element), "{element}: {err}");
    }
    // The same prefix twice loses nothing and is accepted.
    let same = decode_lifecycle(&rule(
        "<Prefix>logs/</Prefix><Filter><Prefix>logs/</Prefix></Filter><Expiration><Days>3</Days></Expiration>",
    ))
    .unwrap();
    assert_eq!(same.rules[0].filter.prefix.as_deref(), Some("logs/"));

    let err = decode_cors(
        "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule><ResponseVary>maybe</ResponseVary></CORSConfiguration>",
    )
    .unwrap_err();
    assert!(err.message().contains("ResponseVary `maybe`"), "{err}");
}

#[tokio::test]
async fn is_truncated_other_than_true_or_false_is_an_error() {
    let page = "<ListAllMyBucketsResult><Buckets><Bucket><Name>a-1250000000</Name><Location>ap-beijing</Location><BucketType>cos</BucketType></Bucket></Buckets><IsTruncated>perhaps</IsTruncated></ListAllMyBucketsResult>";
    let server = serve(vec![
        Canned::new(200, page).header("x-cos-request-id", "rid-l"),
    ])
    .await;
    let client = common::client(&server).build().unwrap();
    let err = client.list_buckets().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("IsTruncated `perhaps`"), "{err}");
    assert_eq!(err.request_id(), Some("rid-l"));
}

#[tokio::test]
async fn lifecycle_dates_outside_china_time_are_rejected_before_sending() {
    use bucket_admin_core::{LifecycleDate, Transition, Trigger};
    let server = serve(vec![Canned::new(200, "")]).await;
    let client = common::client(&server).build().unwrap();
    let day = time::macros::date!(2031 - 04 - 20);
    let cfg = LifecycleConfiguration::new(vec![
        LifecycleRule::new()
            .with_id("r")
            .with_expiration(Expiration::On(LifecycleDate::utc(day)))
            .with_transitions([Transition::on(
                LifecycleDate::utc(day),
                StorageClass::Archive,
            )]),
    ]);
    let err = client.put_lifecycle(BUCKET, &cfg).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let fields: Vec<_> = err.violations().iter().map(|v| v.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "rules[0].expiration.on",
            "rules[0].transitions[0].trigger.on"
        ]
    );
    assert!(err.violations()[0].rule.contains("lifecycle_for"), "{err}");
    assert!(server.requests().is_empty(), "nothing is sent");

    // Midnight China time goes through.
    let mut ok = cfg.clone();
    ok.rules[0].expiration = Some(Expiration::On(LifecycleDate::china(day)));
    ok.rules[0].transitions[0].trigger = Trigger::On(LifecycleDate::china(day));
    client.put_lifecycle(BUCKET, &ok).await.unwrap();
    assert!(
        server.requests()[0]
            .body
            .contains("<Date>2031-04-20T00:00:00+08:00</Date>")
    );
}

#[tokio::test]
async fn uppercase_bucket_names_are_lower_cased_like_cos_does() {
    let server = serve(vec![Canned::new(200, "")]).await;
    let client = common::client(&server).build().unwrap();
    client
        .create_bucket("ExampleBucket-1250000000", &CreateBucketOptions::default())
        .await
        .unwrap();
    client
        .delete_bucket("EXAMPLEBUCKET-1250000000")
        .await
        .unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    for req in reqs {
        assert_eq!(
            req.header("host"),
            Some("examplebucket-1250000000.cos.ap-beijing.myqcloud.com")
        );
    }
}

#[tokio::test]
async fn head_bucket_reports_the_bucket_type_list_buckets_reports() {
    let list = "<ListAllMyBucketsResult><Buckets><Bucket><Name>examplebucket-1250000000</Name><Location>ap-beijing</Location><BucketType>cos</BucketType></Bucket><Bucket><Name>ofsbucket-1250000000</Name><Location>ap-beijing</Location><BucketType>ofs</BucketType></Bucket></Buckets><IsTruncated>false</IsTruncated></ListAllMyBucketsResult>";
    let server = serve(vec![
        Canned::new(200, list),
        Canned::new(200, "").header("x-cos-bucket-region", "ap-beijing"),
        Canned::new(200, "").header("x-cos-bucket-arch", "NORMAL"),
        Canned::new(200, "").header("x-cos-bucket-arch", "OFS"),
    ])
    .await;
    let client = common::client(&server).build().unwrap();
    let listed = client.list_buckets().await.unwrap();
    assert_eq!(listed[0].bucket_type.as_deref(), Some("cos"));
    assert_eq!(listed[1].bucket_type.as_deref(), Some("ofs"));
    for expected in ["cos", "cos", "ofs"] {
        let head = client.head_bucket(BUCKET).await.unwrap();
        assert_eq!(head.bucket_type.as_deref(), Some(expected));
    }
}

/// A server that sends `head` (status line and headers), then each of `chunks` after its
/// delay, then keeps the connection open for `hold`.
async fn raw_server(
    head: &'static str,
    chunks: Vec<(u64, Vec<u8>)>,
    hold: std::time::Duration,
) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let chunks = chunks.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 8192];
                let _ = sock.read(&mut buf).await;
                let _ = sock.write_all(head.as_bytes()).await;
                for (delay, chunk) in chunks {
                    tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
                    if sock.write_all(&chunk).await.is_err() {
                        return;
                    }
                }
                tokio::time::sleep(hold).await;
            });
        }
    });
    format!("http://{addr}")
}

fn raw_client(url: &str) -> CosClientBuilder {
    CosClient::builder()
        .region("ap-beijing")
        .secret_id(common::SECRET_ID)
        .secret_key(common::SECRET_KEY)
        .endpoint(url)
        .allow_http(true)
        .clock(|| std::time::UNIX_EPOCH + std::time::Duration::from_secs(PINNED_NOW as u64))
        .retry_policy(RetryPolicy::disabled())
}

fn chunk(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

#[tokio::test]
async fn response_bodies_are_read_with_a_limit() {
    // Announced too large: refused from Content-Length, the body is never read.
    let url = raw_server(
        "HTTP/1.1 200 OK\r\nx-cos-request-id: rid-big\r\nContent-Length: 268435456\r\n\r\n",
        vec![(0, vec![b'<'; 1024])],
        std::time::Duration::from_secs(5),
    )
    .await;
    let client = raw_client(&url).max_response_bytes(4096).build().unwrap();
    let err = client.get_cors(BUCKET).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("4096 bytes"), "{err}");
    assert!(err.message().contains("max_response_bytes"), "{err}");
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.request_id(), Some("rid-big"));

    // Not announced (chunked): streaming stops at the limit. An error status keeps its kind.
    let url = raw_server(
        "HTTP/1.1 500 Internal\r\nTransfer-Encoding: chunked\r\n\r\n",
        (0..64).map(|_| (0, chunk(&[b'x'; 1024]))).collect(),
        std::time::Duration::from_secs(5),
    )
    .await;
    let client = raw_client(&url).max_response_bytes(8192).build().unwrap();
    let err = client.get_cors(BUCKET).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
    assert_eq!(err.status(), Some(500));
    assert!(err.message().contains("8192 bytes"), "{err}");

    let err = raw_client(&url).max_response_bytes(0).build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
}

#[tokio::test]
async fn a_stalled_body_times_out_with_its_status_and_request_id() {
    let url = raw_server(
        "HTTP/1.1 200 OK\r\nx-cos-request-id: rid-stall\r\nContent-Length: 1000\r\n\r\n<CORSConfiguration>",
        vec![],
        std::time::Duration::from_secs(30),
    )
    .await;
    let client = raw_client(&url)
        .read_timeout(std::time::Duration::from_millis(300))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client.get_cors(BUCKET).await.unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.request_id(), Some("rid-stall"));
    assert_eq!(err.attempts(), 1);
}

#[test]
fn zero_timeouts_are_rejected() {
    for builder in [
        common_builder().timeout(std::time::Duration::ZERO),
        common_builder().connect_timeout(std::time::Duration::ZERO),
        common_builder().read_timeout(std::time::Duration::ZERO),
    ] {
        let err = builder.build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.message().contains("greater than zero"), "{err}");
    }
    let debug = format!("{:?}", common_builder());
    assert!(debug.contains("read_timeout"), "{debug}");
}

fn common_builder() -> CosClientBuilder {
    CosClient::builder()
        .region("ap-beijing")
        .secret_id(common::SECRET_ID)
        .secret_key(common::SECRET_KEY)
}

#[tokio::test]
async fn a_server_date_a_day_off_is_not_taken_as_a_clock_correction() {
    let date = httpdate::fmt_http_date(
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(PINNED_NOW as u64 + 3 * 86_400),
    );
    let server = serve(vec![
        Canned::new(403, &error_body("RequestTimeTooSkewed", "too skewed")).header("Date", &date),
    ])
    .await;
    let client = common::client(&server).build().unwrap();
    let err = client.get_cors(BUCKET).await.unwrap_err();
    assert_eq!(server.requests().len(), 1, "no corrected retry");
    assert_eq!(client.clock_offset_seconds(), 0);
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    assert!(err.message().contains("72 h off"), "{err}");
    assert!(err.message().contains("not trusted"), "{err}");
    assert_eq!(err.detail("clock_offset_seconds"), Some("259200"));
}

#[tokio::test]
async fn decode_errors_after_retries_carry_the_attempt_count() {
    let server = serve(vec![
        Canned::new(503, &error_body("ServiceUnavailable", "busy")),
        Canned::new(200, "<html>oops</html>").header("x-cos-request-id", "rid-2"),
    ])
    .await;
    let client = common::client(&server)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_initial_backoff(std::time::Duration::from_millis(1))
                .with_jitter(false),
        )
        .build()
        .unwrap();
    let err = client.get_cors(BUCKET).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.attempts(), 2);
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.request_id(), Some("rid-2"));
    assert!(err.message().contains("HTML page"), "{err}");
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let soon = httpdate::fmt_http_date(
        std::time::SystemTime::now() + std::time::Duration::from_secs(3600),
    );
    let server = serve(vec![
        Canned::new(503, &error_body("SlowDown", "slow")).header("Retry-After", &soon),
    ])
    .await;
    let client = common::client(&server)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_retry_after(true, std::time::Duration::from_secs(60)),
        )
        .build()
        .unwrap();
    let err = client.get_cors(BUCKET).await.unwrap_err();
    // An hour is more than the policy accepts: refused and reported, not retried at once.
    assert_eq!(server.requests().len(), 1);
    let after = err.retry_after().unwrap();
    assert!(after > std::time::Duration::from_secs(3500), "{after:?}");
    assert!(err.detail("retry_after_refused").is_some(), "{err:?}");
}

#[tokio::test]
async fn listing_one_region_sends_the_region() {
    let list = "<ListAllMyBucketsResult><Buckets></Buckets><IsTruncated>false</IsTruncated></ListAllMyBucketsResult>";
    let server = serve(vec![Canned::new(200, list)]).await;
    let client = common::client(&server).build().unwrap();
    client.list_buckets_in_region("ap-shanghai").await.unwrap();
    let req = &server.requests()[0];
    assert_eq!(req.header("host"), Some("cos.ap-shanghai.myqcloud.com"));
    assert!(req.query.contains("region=ap-shanghai"), "{}", req.query);
    client.list_buckets().await.unwrap();
    assert!(!server.requests()[1].query.contains("region="));
}

#[test]
fn a_byte_order_mark_before_the_document_is_not_content() {
    let cors = "\u{feff}<?xml version='1.0' encoding='utf-8' ?>\n<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";
    let cfg = bucket_admin_cos::codec::decode_cors(cors).unwrap();
    assert_eq!(cfg.rules[0].allowed_origins, ["*"]);
}
