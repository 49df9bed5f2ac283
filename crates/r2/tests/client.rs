//! Behaviour of the R2 client against a local server: requests sent, answers understood.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bucket_admin_core::{
    Age, BucketAdmin, BucketPolicy, CannedAcl, CorsConfiguration, CorsMethod, CorsRule,
    CreateBucketOptions, ErrorKind, Expiration, Jurisdiction, LifecycleConfiguration,
    LifecycleRule, ReplicationConfiguration, RetryPolicy, StorageClass, Tag, VersioningStatus,
};
use bucket_admin_r2::extras::{CustomDomainUpdate, LockCondition, LockRule, NewCustomDomain};
use bucket_admin_r2::{JurisdictionScope, Pacing};
use common::{ACCOUNT, Canned, Server, TOKEN, path};
use serde_json::{Value, json};

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("bucket-{i:05}")).collect()
}

fn bucket_json(name: &str) -> Value {
    json!({"name": name, "creation_date": "2024-01-02T03:04:05.678Z", "location": "ENAM"})
}

/// A listing server over `all` names: `page_size(per_page_asked)` decides how many it returns,
/// `info` whether it reports `result_info`.
async fn list_server(all: Vec<String>, page_size: fn(usize) -> usize, report: bool) -> Server {
    Server::start(move |req| {
        let asked: usize = req
            .query_param("per_page")
            .and_then(|v| v.parse().ok())
            .unwrap_or(20);
        let size = page_size(asked);
        let start = match req.query_param("start_after") {
            Some(after) => all
                .iter()
                .position(|n| n.as_str() > after)
                .unwrap_or(all.len()),
            None => 0,
        };
        let page: Vec<Value> = all[start..]
            .iter()
            .take(size)
            .map(|n| bucket_json(n))
            .collect();
        let mut body =
            json!({"success": true, "errors": [], "messages": [], "result": {"buckets": page}});
        if report {
            body["result_info"] = json!({"per_page": size});
        }
        Canned::json(200, body)
    })
    .await
}

#[tokio::test]
async fn list_follows_every_page_with_the_documented_query() {
    let all = names(2500);
    let server = list_server(all.clone(), |asked| asked.min(1000), false).await;
    let got = server.client().list_buckets().await.unwrap();
    assert_eq!(got.iter().map(|b| b.name.clone()).collect::<Vec<_>>(), all);
    assert_eq!(got[0].region.as_deref(), Some("enam"));
    assert_eq!(got[0].jurisdiction, Some(Jurisdiction::Default));
    let reqs = server.requests();
    assert_eq!(
        reqs.len(),
        3,
        "1000 + 1000 + 500: the short page ends the listing"
    );
    for (i, r) in reqs.iter().enumerate() {
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, path(""));
        assert_eq!(r.query_param("per_page"), Some("1000"));
        assert_eq!(r.query_param("order"), Some("name"));
        assert_eq!(r.query_param("direction"), Some("asc"));
        assert_eq!(r.header("cf-r2-jurisdiction"), None);
        let expected_after = (i > 0).then(|| all[i * 1000 - 1].as_str());
        assert_eq!(r.query_param("start_after"), expected_after);
    }
}

#[tokio::test]
async fn list_survives_a_server_that_ignores_per_page() {
    // 20 per page regardless of per_page, without result_info: a 20-item first page is not
    // mistaken for the last one.
    let all = names(45);
    let server = list_server(all.clone(), |_| 20, false).await;
    let got = server.client().list_buckets().await.unwrap();
    assert_eq!(got.len(), 45);
    assert_eq!(server.count(), 3);

    // Exactly 40: two full pages then an empty one.
    let server = list_server(names(40), |_| 20, false).await;
    assert_eq!(server.client().list_buckets().await.unwrap().len(), 40);
    assert_eq!(server.count(), 3);

    // Reporting its real page size.
    let server = list_server(names(45), |_| 20, true).await;
    assert_eq!(server.client().list_buckets().await.unwrap().len(), 45);
    assert_eq!(server.count(), 3);

    // Odd page sizes with result_info.
    let server = list_server(names(100), |_| 7, true).await;
    assert_eq!(server.client().list_buckets().await.unwrap().len(), 100);
    assert_eq!(server.count(), 15);
}

#[tokio::test]
async fn list_follows_result_info_cursor() {
    let all = names(25);
    let pages: Vec<Vec<String>> = all.chunks(10).map(<[String]>::to_vec).collect();
    let server = Server::start(move |req| {
        let idx: usize = req.query_param("cursor").map(|c| c.trim_start_matches('c').parse().unwrap()).unwrap_or(0);
        let page: Vec<Value> = pages[idx].iter().map(|n| bucket_json(n)).collect();
        let mut info = json!({"per_page": 1000});
        if idx + 1 < pages.len() {
            info["cursor"] = json!(format!("c{}", idx + 1));
        }
        Canned::json(200, json!({"success": true, "errors": [], "result": {"buckets": page}, "result_info": info}))
    })
    .await;
    let got = server.client().list_buckets().await.unwrap();
    assert_eq!(got.len(), 25);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[1].query_param("cursor"), Some("c1"));
    assert_eq!(reqs[2].query_param("cursor"), Some("c2"));
}

#[tokio::test]
async fn list_errors_instead_of_looping_on_a_repeating_server() {
    let first: Vec<Value> = names(20).iter().map(|n| bucket_json(n)).collect();
    let server = Server::always(Canned::ok(json!({"buckets": first}))).await;
    let err = server.client().list_buckets().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("repeated"), "{err}");
    assert_eq!(server.count(), 2);

    let server = Server::always(Canned::json(
        200,
        json!({"success": true, "errors": [],
        "result": {"buckets": [bucket_json("a-1")]}, "result_info": {"cursor": "same"}}),
    ))
    .await;
    let err = server.client().list_buckets().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(server.count() <= 2);
}

#[tokio::test]
async fn jurisdiction_header_is_sent_only_when_not_default() {
    let server = Server::always(Canned::ok(json!({"rules": []}))).await;
    let client = server.client();
    client.get_cors("b-1").await.unwrap();
    client
        .with_jurisdiction(Jurisdiction::Eu)
        .get_cors("b-1")
        .await
        .unwrap();
    client
        .with_jurisdiction(Jurisdiction::Fedramp)
        .put_lifecycle(
            "b-1",
            &LifecycleConfiguration::new(vec![
                LifecycleRule::new()
                    .with_id("x")
                    .with_expiration(Expiration::After(Age::days(1))),
            ]),
        )
        .await
        .unwrap();
    let eu_default = server
        .builder()
        .jurisdiction(Jurisdiction::Eu)
        .build()
        .unwrap();
    eu_default.delete_bucket("b-1").await.unwrap();
    eu_default
        .with_jurisdiction(Jurisdiction::Default)
        .delete_bucket("b-1")
        .await
        .unwrap();
    let got: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.header("cf-r2-jurisdiction").map(str::to_owned))
        .collect();
    assert_eq!(
        got,
        [
            None,
            Some("eu".into()),
            Some("fedramp".into()),
            Some("eu".into()),
            None
        ]
    );
    for r in server.requests() {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
}

#[tokio::test]
async fn list_in_all_jurisdictions_tags_each_bucket() {
    let server = Server::start(|req| {
        let j = req.header("cf-r2-jurisdiction").unwrap_or("default").to_owned();
        Canned::ok(json!({"buckets": [{"name": format!("in-{j}"), "creation_date": "2024-01-01T00:00:00Z"}]}))
    })
    .await;
    let got = server
        .client()
        .list_buckets_in(JurisdictionScope::All)
        .await
        .unwrap();
    let tagged: Vec<_> = got
        .iter()
        .map(|b| (b.name.as_str(), b.jurisdiction.unwrap()))
        .collect();
    assert_eq!(
        tagged,
        [
            ("in-default", Jurisdiction::Default),
            ("in-eu", Jurisdiction::Eu),
            ("in-fedramp", Jurisdiction::Fedramp),
            ("in-fedramp-high", Jurisdiction::FedrampHigh),
            ("in-us", Jurisdiction::Us),
        ]
    );
    let one = server
        .client()
        .list_buckets_in(Jurisdiction::Eu.into())
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].jurisdiction, Some(Jurisdiction::Eu));
}

#[tokio::test]
async fn missing_bucket_in_default_mentions_other_jurisdictions() {
    let server = Server::always(
        Canned::err(404, 10006, "The specified bucket does not exist.")
            .with_header("cf-ray", "8f1e2d3c4b5a6978-LHR"),
    )
    .await;
    let client = server.client();
    let err = client.get_cors("eu-only").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.request_id(), Some("8f1e2d3c4b5a6978-LHR"));
    assert_eq!(err.bucket(), Some("eu-only"));
    assert_eq!(err.code(), Some("10006"));
    let shown = err.to_string();
    assert!(
        shown.contains("another jurisdiction")
            && shown.contains("`eu`")
            && shown.contains("fedramp"),
        "{shown}"
    );
    assert!(!client.bucket_exists("eu-only").await.unwrap());
    let eu_err = client
        .with_jurisdiction(Jurisdiction::Eu)
        .head_bucket("x-1")
        .await
        .unwrap_err();
    assert!(!eu_err.message().contains("another jurisdiction"));
}

#[tokio::test]
async fn unsupported_features_send_nothing() {
    let server = Server::always(Canned::ok(json!({}))).await;
    let client = server.client();
    let admin: &dyn BucketAdmin = &client;
    let caps = admin.capabilities();
    assert!(!caps.versioning && !caps.replication && !caps.policy);
    let errors = vec![
        admin.get_versioning("b-1").await.unwrap_err(),
        admin
            .put_versioning("b-1", VersioningStatus::Enabled)
            .await
            .unwrap_err(),
        admin.get_replication("b-1").await.unwrap_err(),
        admin
            .put_replication("b-1", &ReplicationConfiguration::new(vec![]))
            .await
            .unwrap_err(),
        admin.delete_replication("b-1").await.unwrap_err(),
        admin.get_policy("b-1").await.unwrap_err(),
        admin
            .put_policy("b-1", &BucketPolicy::new(vec![]))
            .await
            .unwrap_err(),
        admin.delete_policy("b-1").await.unwrap_err(),
        admin
            .create_bucket(
                "b-1",
                &CreateBucketOptions::new().with_acl(CannedAcl::PublicRead),
            )
            .await
            .unwrap_err(),
        admin
            .create_bucket(
                "b-1",
                &CreateBucketOptions::new().with_tags([Tag::new("a", "b")]),
            )
            .await
            .unwrap_err(),
        admin
            .create_bucket("b-1", &CreateBucketOptions::new().with_multi_az(true))
            .await
            .unwrap_err(),
        admin
            .create_bucket(
                "b-1",
                &CreateBucketOptions::new().with_storage_class(StorageClass::Archive),
            )
            .await
            .unwrap_err(),
        client
            .set_storage_class("b-1", StorageClass::DeepArchive)
            .await
            .unwrap_err(),
    ];
    for e in &errors {
        assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
        assert_eq!(e.attempts(), 0);
    }
    assert!(errors[8].message().contains("acl"));
    assert!(errors[9].message().contains("tags"));
    assert!(errors[10].message().contains("multi_az"));
    assert!(errors[11].message().contains("storage_class"));
    let locked = CreateBucketOptions::new().with_object_lock_enabled(true);
    let e = admin.create_bucket("b-1", &locked).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert_eq!(e.attempts(), 0);
    assert!(e.message().contains("object_lock_enabled"), "{e}");
    assert!(!admin.capabilities().create_object_lock);
    // Invalid input is also rejected before sending.
    let bad = admin
        .create_bucket(
            "Bad_Name",
            &CreateBucketOptions::new().with_location_hint("mars"),
        )
        .await
        .unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::InvalidInput);
    assert_eq!(bad.violations().len(), 2);
    let no_id = admin
        .put_lifecycle(
            "b-1",
            &LifecycleConfiguration::new(vec![
                LifecycleRule::new().with_expiration(Expiration::After(Age::days(1))),
            ]),
        )
        .await
        .unwrap_err();
    assert_eq!(no_id.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        admin
            .put_cors("b-1", &CorsConfiguration::default())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn create_sends_hint_class_and_jurisdiction_and_is_not_retried_on_conflict() {
    let server = Server::always(Canned::err(
        409,
        10004,
        "The bucket you tried to create already exists.",
    ))
    .await;
    let client = server
        .builder()
        .retry_policy(RetryPolicy::default().with_initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap();
    let err = client
        .create_bucket(
            "new-bucket",
            &CreateBucketOptions::new()
                .with_location_hint("WEUR")
                .with_storage_class(StorageClass::InfrequentAccess)
                .with_jurisdiction(Jurisdiction::Eu),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists);
    assert_eq!(server.count(), 1, "a 409 on create is never retried");
    let req = &server.requests()[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, path(""));
    assert_eq!(req.header("cf-r2-jurisdiction"), Some("eu"));
    assert_eq!(
        req.json().unwrap(),
        json!({"name": "new-bucket", "locationHint": "weur", "storageClass": "InfrequentAccess"})
    );
}

#[tokio::test]
async fn transient_failures_are_retried_for_idempotent_calls_only() {
    let answers = vec![
        Canned::err(500, 10001, "internal"),
        Canned::ok(json!({"rules": []})),
    ];
    let server = Server::sequence(answers.clone()).await;
    let policy = RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(1))
        .with_jitter(false);
    let client = server
        .builder()
        .retry_policy(policy.clone())
        .build()
        .unwrap();
    assert!(client.get_cors("b-1").await.unwrap().is_none());
    assert_eq!(server.count(), 2);

    let server = Server::sequence(answers).await;
    let client = server.builder().retry_policy(policy).build().unwrap();
    let err = client
        .create_bucket("b-1", &CreateBucketOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn rate_limits_honour_retry_after() {
    let server = Server::sequence(vec![
        Canned::err(429, 10058, "Too many requests").with_header("retry-after-ms", "5"),
        Canned::ok(json!({"rules": []})),
    ])
    .await;
    let client = server
        .builder()
        .retry_policy(
            RetryPolicy::default()
                .with_initial_backoff(Duration::from_millis(1))
                .with_jitter(false),
        )
        .build()
        .unwrap();
    assert!(client.get_lifecycle("b-1").await.unwrap().is_none());
    assert_eq!(server.count(), 2);

    // A lockout longer than the policy accepts ends the retries and reports the delay.
    let server = Server::always(
        Canned::err(429, 10058, "Too many requests").with_header("retry-after", "300"),
    )
    .await;
    let client = server
        .builder()
        .retry_policy(RetryPolicy::default())
        .build()
        .unwrap();
    let err = client.get_lifecycle("b-1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(300)));
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn undecodable_bodies() {
    let server = Server::always(Canned {
        status: 200,
        headers: vec![],
        body: "<html>hi</html>".into(),
    })
    .await;
    let err = server.client().head_bucket("b-1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.status(), Some(200));

    let server = Server::always(Canned {
        status: 502,
        headers: vec![],
        body: "<html>Bad gateway</html>".into(),
    })
    .await;
    let err = server.client().head_bucket("b-1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert_eq!(err.status(), Some(502));

    let server = Server::always(Canned::ok(json!({"rules": [{"allowed": {"origins": ["*"], "methods": ["GET"]}, "maxAgeSeconds": 3600.5}]}))).await;
    let err = server.client().get_cors("b-1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("3600.5"));
    assert_eq!(err.bucket(), Some("b-1"));

    let server = Server::always(Canned::ok(json!({"buckets": "nope"}))).await;
    assert_eq!(
        server.client().list_buckets().await.unwrap_err().kind(),
        ErrorKind::Decode
    );
}

#[tokio::test]
async fn cors_round_trip_and_not_configured() {
    let server = Server::start(|req| match req.method.as_str() {
        "GET" => Canned::err(404, 10059, "The CORS configuration does not exist."),
        _ => Canned::ok(json!({})),
    })
    .await;
    let client = server.client();
    assert!(client.get_cors("b-1").await.unwrap().is_none());
    let cfg = CorsConfiguration::new(vec![
        CorsRule::new(["https://example.com"], [CorsMethod::Get, CorsMethod::Put])
            .with_max_age_seconds(3600),
    ]);
    client.put_cors("b-1", &cfg).await.unwrap();
    client.delete_cors("b-1").await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs[1].method, "PUT");
    assert_eq!(reqs[1].path, path("/b-1/cors"));
    assert_eq!(reqs[1].header("content-type"), Some("application/json"));
    assert_eq!(
        reqs[1].json().unwrap(),
        json!({"rules": [{"allowed": {"origins": ["https://example.com"], "methods": ["GET", "PUT"]}, "maxAgeSeconds": 3600}]})
    );
    assert_eq!(
        (reqs[2].method.as_str(), reqs[2].path.as_str()),
        ("DELETE", path("/b-1/cors").as_str())
    );
    assert!(reqs[2].body.is_empty());
}

#[tokio::test]
async fn lifecycle_delete_is_an_empty_put() {
    let server = Server::always(Canned::ok(json!({}))).await;
    server.client().delete_lifecycle("b-1").await.unwrap();
    let r = &server.requests()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("PUT", path("/b-1/lifecycle").as_str())
    );
    assert_eq!(r.json().unwrap(), json!({"rules": []}));
}

#[tokio::test]
async fn storage_class_patch_uses_the_header() {
    let server = Server::always(Canned::ok(json!({"name": "b-1"}))).await;
    server
        .client()
        .set_storage_class("b-1", StorageClass::InfrequentAccess)
        .await
        .unwrap();
    server
        .client()
        .set_storage_class("b-1", StorageClass::Standard)
        .await
        .unwrap();
    let reqs = server.requests();
    assert_eq!(reqs[0].method, "PATCH");
    assert_eq!(
        reqs[0].header("cf-r2-storage-class"),
        Some("InfrequentAccess")
    );
    assert_eq!(reqs[1].header("cf-r2-storage-class"), Some("Standard"));
    assert!(reqs[0].body.is_empty());
}

#[tokio::test]
async fn head_bucket_parses_everything() {
    let server = Server::always(Canned::ok(json!({"name": "b-1", "creation_date": "2024-05-01T10:20:30Z", "location": "Weur", "jurisdiction": "eu", "storage_class": "Standard"}))).await;
    let info = server
        .client()
        .with_jurisdiction(Jurisdiction::Eu)
        .head_bucket("b-1")
        .await
        .unwrap();
    assert_eq!(info.region.as_deref(), Some("weur"));
    assert_eq!(info.jurisdiction, Some(Jurisdiction::Eu));
    assert_eq!(info.storage_class, Some(StorageClass::Standard));
    assert_eq!(info.created.unwrap().unix_timestamp(), 1_714_558_830);
}

#[tokio::test]
async fn extras_domains_and_lock() {
    let server = Server::start(|req| {
        let p = req.path.rsplit("/b-1").next().unwrap_or_default().to_owned();
        match (req.method.as_str(), p.as_str()) {
            (_, "/domains/managed") => Canned::ok(json!({"bucketId": "id1", "domain": "pub-x.r2.dev", "enabled": true})),
            ("GET", "/domains/custom") => Canned::ok(json!({"domains": [{"domain": "cdn.example.com", "enabled": true, "status": {"ownership": "active", "ssl": "active"}, "zoneId": "z"}]})),
            (_, "/lock") if req.method == "GET" => Canned::ok(json!({"rules": [{"id": "keep", "enabled": true, "condition": {"type": "Indefinite"}}]})),
            _ => Canned::ok(json!({"domain": "cdn.example.com", "enabled": false, "minTLS": "1.2"})),
        }
    })
    .await;
    let c = server.client();
    let m = c.put_managed_domain("b-1", true).await.unwrap();
    assert_eq!(m.domain, "pub-x.r2.dev");
    assert!(c.get_managed_domain("b-1").await.unwrap().enabled);
    assert_eq!(
        c.list_custom_domains("b-1").await.unwrap()[0]
            .ssl_status
            .as_deref(),
        Some("active")
    );
    c.add_custom_domain("b-1", &NewCustomDomain::new("cdn.example.com", "z"))
        .await
        .unwrap();
    c.get_custom_domain("b-1", "cdn.example.com").await.unwrap();
    let upd = c
        .update_custom_domain(
            "b-1",
            "cdn.example.com",
            &CustomDomainUpdate::default().with_min_tls("1.2"),
        )
        .await
        .unwrap();
    assert_eq!(upd.min_tls.as_deref(), Some("1.2"));
    c.remove_custom_domain("b-1", "cdn.example.com")
        .await
        .unwrap();
    assert_eq!(
        c.get_lock_rules("b-1").await.unwrap()[0].condition,
        LockCondition::Indefinite
    );
    c.put_lock_rules(
        "b-1",
        &[LockRule::new(
            "a",
            LockCondition::Age {
                max_age_seconds: 60,
            },
        )],
    )
    .await
    .unwrap();
    let reqs = server.requests();
    let seen: Vec<_> = reqs
        .iter()
        .map(|r| {
            (
                r.method.clone(),
                r.path.trim_start_matches(&path("/b-1")).to_owned(),
                r.json(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "PUT".into(),
                "/domains/managed".into(),
                Some(json!({"enabled": true}))
            ),
            ("GET".into(), "/domains/managed".into(), None),
            ("GET".into(), "/domains/custom".into(), None),
            (
                "POST".into(),
                "/domains/custom".into(),
                Some(json!({"domain": "cdn.example.com", "zoneId": "z", "enabled": true}))
            ),
            ("GET".into(), "/domains/custom/cdn.example.com".into(), None),
            (
                "PUT".into(),
                "/domains/custom/cdn.example.com".into(),
                Some(json!({"minTLS": "1.2"}))
            ),
            (
                "DELETE".into(),
                "/domains/custom/cdn.example.com".into(),
                None
            ),
            ("GET".into(), "/lock".into(), None),
            (
                "PUT".into(),
                "/lock".into(),
                Some(
                    json!({"rules": [{"id": "a", "enabled": true, "condition": {"type": "Age", "maxAgeSeconds": 60}}]})
                )
            ),
        ]
    );
}

#[tokio::test]
async fn custom_domain_names_are_validated_before_sending() {
    let server = Server::always(Canned::ok(json!({"domain": "x", "enabled": true}))).await;
    let client = server.client();
    // An empty name would address the collection; a path or query would address something
    // else again. Neither is sent.
    for bad in [
        "",
        "../../evil?x=1",
        "a..b",
        "-a.example.com",
        "cdn.example.com/",
    ] {
        let err = client.get_custom_domain("b-1", bad).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}");
        assert_eq!(err.violations()[0].field, "domain", "{bad:?}");
        let err = client.remove_custom_domain("b-1", bad).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}");
        let err = client
            .update_custom_domain("b-1", bad, &Default::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}");
    }
    assert!(server.requests().is_empty(), "nothing was sent");
    client
        .get_custom_domain("b-1", "CDN.example.com")
        .await
        .unwrap();
    assert!(
        server.requests()[0]
            .path
            .ends_with("/domains/custom/CDN.example.com")
    );
}

#[tokio::test]
async fn secrets_never_leak() {
    let server = Server::always(Canned::err(401, 10002, "Unauthorized")).await;
    let client = server.client();
    let err = client.list_buckets().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    let builder = server.builder();
    for shown in [
        format!("{client:?}"),
        format!("{builder:?}"),
        format!("{err}"),
        format!("{err:?}"),
    ] {
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(!shown.contains("Sn3lZJTBX6kkg7"), "{shown}");
    }
    assert!(format!("{client:?}").contains(ACCOUNT));
    // A connection failure does not carry it either.
    let dead = bucket_admin_r2::R2Client::builder()
        .account_id(ACCOUNT)
        .api_token(TOKEN)
        .base_url("http://127.0.0.1:9/client/v4")
        .allow_http(true)
        .pacing(None)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let err = dead.list_buckets().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(!format!("{err} {err:?}").contains(TOKEN));
}

#[tokio::test(start_paused = true)]
async fn pacing_spaces_requests_shared_by_clones() {
    let server = Server::always(Canned::ok(json!({"rules": []}))).await;
    // 20 per 10 s: a burst of 2, then one request per 10/18 s.
    let pacing = Pacing::new(20, Duration::from_secs(10));
    let client = server
        .builder()
        .pacing(Some(pacing))
        .timeout(Duration::from_secs(3600))
        .connect_timeout(Duration::from_secs(3600))
        .build()
        .unwrap();
    let start = tokio::time::Instant::now();
    let done = Arc::new(Mutex::new(0));
    let mut tasks = Vec::new();
    for i in 0..12 {
        // Half on an EU handle: clones and jurisdiction handles share the limiter.
        let c = if i % 2 == 0 {
            client.clone()
        } else {
            client.with_jurisdiction(Jurisdiction::Eu)
        };
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            c.get_cors("b-1").await.unwrap();
            *done.lock().unwrap() += 1;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(*done.lock().unwrap(), 12);
    assert_eq!(server.count(), 12);
    let expected = pacing.interval() * 10;
    assert!(
        start.elapsed() >= expected,
        "{:?} < {expected:?}",
        start.elapsed()
    );
}

// ---------------------------------------------------------------------------------------
// Hostile and broken answers (issue 17).

#[tokio::test]
async fn no_cors_only_for_a_404_with_code_10059() {
    // The documented answer.
    let server = Server::always(Canned::err(404, 10059, "no CORS")).await;
    assert_eq!(server.client().get_cors("b-1").await.unwrap(), None);
    server.client().delete_cors("b-1").await.unwrap();
    // Anything else is a failure, never "not configured".
    let cases = [
        (404, None, ErrorKind::NotFound),
        // A "does not exist" code on a 5xx is that server failure (and retried as one).
        (500, Some(10059), ErrorKind::Unavailable),
        (503, Some(10059), ErrorKind::Unavailable),
        (403, Some(10059), ErrorKind::PermissionDenied),
        (404, Some(10006), ErrorKind::NotFound),
        (404, Some(7003), ErrorKind::NotFound),
    ];
    for (status, code, kind) in cases {
        let canned = match code {
            Some(code) => Canned::err(status, code, "x"),
            None => Canned::json(
                status,
                json!({"success": false, "errors": [], "result": null}),
            ),
        };
        let server = Server::always(canned).await;
        let err = server.client().get_cors("b-1").await.unwrap_err();
        assert_eq!(err.kind(), kind, "{status} {code:?}");
        assert_eq!(err.status(), Some(status), "{status} {code:?}");
        let err = server.client().delete_cors("b-1").await;
        assert!(err.is_err(), "delete_cors {status} {code:?}");
    }
}

#[tokio::test]
async fn success_with_errors_or_a_result_of_the_wrong_shape_is_a_decode_error() {
    let contradictory = Canned::json(
        200,
        json!({"success": true, "errors": [{"code": 10001, "message": "partial failure"}], "result": {"rules": []}}),
    )
    .with_header("cf-ray", "ray-1");
    let server = Server::always(contradictory).await;
    let client = server.client();
    let err = client.get_cors("b-1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("10001: partial failure"), "{err}");
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.request_id(), Some("ray-1"));
    let err = client
        .put_cors(
            "b-1",
            &CorsConfiguration::new(vec![CorsRule::new(["*"], [CorsMethod::Get])]),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Decode,
        "a write is not reported done"
    );

    // Results that are not the document asked for: never "no rules".
    for result in [
        json!({}),
        json!(null),
        json!([]),
        json!({"buckets": []}),
        json!({"rules": "none"}),
    ] {
        let server =
            Server::always(Canned::ok(result.clone()).with_header("cf-ray", "ray-2")).await;
        let client = server.client();
        let err = client.get_cors("b-1").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "cors <- {result}");
        assert_eq!(err.status(), Some(200), "cors <- {result}");
        assert_eq!(err.request_id(), Some("ray-2"), "cors <- {result}");
        assert_eq!(err.attempts(), 1, "cors <- {result}");
        let err = client.get_lifecycle("b-1").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "lifecycle <- {result}");
        assert_eq!(err.request_id(), Some("ray-2"));
        let err = client.get_lock_rules("b-1").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "lock <- {result}");
        let err = client.list_custom_domains("b-1").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "domains <- {result}");
        let err = client.head_bucket("b-1").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "head <- {result}");
        assert_eq!(err.request_id(), Some("ray-2"));
        let err = client.get_managed_domain("b-1").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "managed <- {result}");
        if result.get("buckets").is_none() {
            let err = client.list_buckets().await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Decode, "list <- {result}");
        }
    }
}

#[tokio::test]
async fn decode_errors_after_retries_carry_status_request_id_and_attempts() {
    let server = Server::sequence(vec![
        Canned::err(503, 10043, "busy"),
        Canned::ok(json!({"rules": [{"allowed": {"origins": ["*"], "methods": ["FETCH"]}}]}))
            .with_header("cf-ray", "ray-3"),
    ])
    .await;
    let client = server
        .builder()
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1))
                .with_jitter(false),
        )
        .build()
        .unwrap();
    let err = client.get_cors("b-1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.request_id(), Some("ray-3"));
    assert_eq!(err.attempts(), 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured_and_garbage_is_not_ignored() {
    let soon = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    let server = Server::sequence(vec![
        Canned::err(429, 10058, "slow down").with_header("retry-after", &soon),
        Canned::ok(json!({"rules": []})),
    ])
    .await;
    let client = server
        .builder()
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(1))
                .with_jitter(false),
        )
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    assert_eq!(client.get_cors("b-1").await.unwrap(), None);
    // The date is at most 2 s away and HTTP dates have whole seconds: at least ~1 s waited,
    // not the 1 ms backoff.
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.count(), 2);

    let server =
        Server::always(Canned::err(429, 10058, "slow down").with_header("retry-after", "whenever"))
            .await;
    let client = server
        .builder()
        .retry_policy(RetryPolicy::default().with_max_attempts(3))
        .build()
        .unwrap();
    let err = client.get_cors("b-1").await.unwrap_err();
    assert_eq!(
        server.count(),
        1,
        "an unreadable wait is refused, not skipped"
    );
    assert!(err.detail("retry_after").unwrap().contains("`whenever`"));
    assert!(err.detail("retry_after_refused").is_some());
}

#[tokio::test]
async fn endless_listings_stop_at_the_page_and_bucket_limits() {
    // Every page is full and new: a server that never ends the list.
    let counter = Arc::new(Mutex::new(0usize));
    let seen = counter.clone();
    let server = Server::start(move |_| {
        let mut n = seen.lock().unwrap();
        *n += 1;
        let page: Vec<Value> = (0..1000)
            .map(|i| bucket_json(&format!("b-{:06}-{i:04}", *n)))
            .collect();
        Canned::ok(json!({"buckets": page}))
    })
    .await;
    let err = server
        .builder()
        .max_list_pages(3)
        .build()
        .unwrap()
        .list_buckets()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("3 pages"), "{err}");
    assert!(err.message().contains("max_list_pages"), "{err}");
    assert_eq!(server.count(), 3);

    let err = server
        .builder()
        .max_listed_buckets(2500)
        .build()
        .unwrap()
        .list_buckets()
        .await
        .unwrap_err();
    assert!(err.message().contains("2500 buckets"), "{err}");
    assert!(err.message().contains("max_listed_buckets"), "{err}");
    assert_eq!(err.status(), Some(200));

    // A cursor that comes back is a loop.
    let server = Server::start(|_| {
        Canned::json(
            200,
            json!({"success": true, "errors": [], "result": {"buckets": [bucket_json("b-0")]}, "result_info": {"cursor": "same", "per_page": 1000}}),
        )
    })
    .await;
    let err = server.client().list_buckets().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
}

#[tokio::test]
async fn response_bodies_are_read_with_a_limit() {
    let big = "x".repeat(64 * 1024);
    let server = Server::always(
        Canned::ok(json!({"rules": [], "padding": big})).with_header("cf-ray", "ray-big"),
    )
    .await;
    let client = server.builder().max_response_bytes(4096).build().unwrap();
    let err = client.get_cors("b-1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("4096 bytes"), "{err}");
    assert!(err.message().contains("max_response_bytes"), "{err}");
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.request_id(), Some("ray-big"));

    // An oversized error answer keeps the meaning of its status.
    let server = Server::always(Canned::json(500, json!({"padding": big}))).await;
    let client = server.builder().max_response_bytes(4096).build().unwrap();
    let err = client.get_cors("b-1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert!(err.message().contains("4096 bytes"), "{err}");

    for builder in [
        server.builder().max_response_bytes(0),
        server.builder().max_list_pages(0),
        server.builder().read_timeout(Duration::ZERO),
        server.builder().timeout(Duration::ZERO),
    ] {
        assert_eq!(builder.build().unwrap_err().kind(), ErrorKind::Config);
    }
}

#[tokio::test]
async fn a_stalled_body_times_out() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 8192];
                let _ = sock.read(&mut buf).await;
                let _ = sock
                    .write_all(b"HTTP/1.1 200 OK\r\ncf-ray: ray-stall\r\ncontent-length: 500\r\n\r\n{\"success\":")
                    .await;
                tokio::time::sleep(Duration::from_secs(30)).await;
            });
        }
    });
    let client = bucket_admin_r2::R2Client::builder()
        .account_id(ACCOUNT)
        .api_token(TOKEN)
        .base_url(format!("http://{addr}/client/v4"))
        .allow_http(true)
        .pacing(None)
        .retry_policy(RetryPolicy::disabled())
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client.get_cors("b-1").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.request_id(), Some("ray-stall"));
}

#[tokio::test]
async fn cors_limits_are_checked_before_sending() {
    let server = Server::always(Canned::ok(json!({}))).await;
    let client = server.client();
    let cfg = CorsConfiguration::new(vec![
        CorsRule::new(["https://*.example.com"], [CorsMethod::Get]).with_max_age_seconds(86_400),
        CorsRule::new(
            [
                "http://localhost:*",
                "https://*.*.example.com",
                "https://ok.example.com",
            ],
            [CorsMethod::Get],
        )
        .with_max_age_seconds(86_401),
    ]);
    let err = client.put_cors("b-1", &cfg).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let fields: Vec<_> = err.violations().iter().map(|v| v.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            // The neutral check: at most one `*` in an origin.
            "rules[1].allowed_origins[1]",
            // R2's own limits.
            "rules[1].max_age_seconds",
            "rules[1].allowed_origins[0]",
        ]
    );
    assert!(err.violations()[1].rule.contains("86400"), "{err}");
    assert!(err.violations()[2].rule.contains("wildcard port"), "{err}");
    assert_eq!(server.count(), 0);
    assert_eq!(
        bucket_admin_r2::r2_capabilities().max_cors_max_age_seconds,
        Some(86_400)
    );
}

#[tokio::test]
async fn lifecycle_dates_outside_utc_are_rejected_before_sending() {
    use bucket_admin_core::{LifecycleDate, Transition, Trigger};
    let server = Server::always(Canned::ok(json!({}))).await;
    let client = server.client();
    let day = time::macros::date!(2031 - 04 - 20);
    let mut cfg = LifecycleConfiguration::new(vec![
        LifecycleRule::new()
            .with_id("r")
            .with_expiration(Expiration::On(LifecycleDate::china(day)))
            .with_transitions([Transition::on(
                LifecycleDate::china(day),
                StorageClass::InfrequentAccess,
            )]),
    ]);
    let err = client.put_lifecycle("b-1", &cfg).await.unwrap_err();
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
    assert_eq!(server.count(), 0);

    cfg.rules[0].expiration = Some(Expiration::On(LifecycleDate::utc(day)));
    cfg.rules[0].transitions[0].trigger = Trigger::On(LifecycleDate::utc(day));
    client.put_lifecycle("b-1", &cfg).await.unwrap();
    let body = server.requests()[0].json().unwrap();
    assert_eq!(
        body["rules"][0]["deleteObjectsTransition"]["condition"]["date"],
        "2031-04-20T00:00:00Z"
    );
}

#[tokio::test]
async fn new_jurisdictions_travel_in_the_header_and_from_the_environment() {
    let server = Server::always(Canned::ok(json!({"rules": []}))).await;
    for (j, wire) in [
        (Jurisdiction::Us, "us"),
        (Jurisdiction::FedrampHigh, "fedramp-high"),
    ] {
        let client = server.client().with_jurisdiction(j);
        client.get_cors("b-1").await.unwrap();
        assert_eq!(
            server
                .requests()
                .last()
                .unwrap()
                .header("cf-r2-jurisdiction"),
            Some(wire)
        );
        let from_env = bucket_admin_r2::R2ClientBuilder::from_env_vars([
            ("CLOUDFLARE_API_TOKEN", TOKEN),
            ("CLOUDFLARE_ACCOUNT_ID", ACCOUNT),
            ("R2_JURISDICTION", wire),
        ])
        .build()
        .unwrap();
        assert_eq!(from_env.jurisdiction(), j);
    }
}
