//! The public API added for issue 12: paged listing with every option, the bucket answered by
//! create and storage-class edits, a caller's own `reqwest::Client`, loopback http.

mod common;

use bucket_admin_core::{BucketAdmin, CreateBucketOptions, ErrorKind, StorageClass};
use bucket_admin_r2::{ListBucketsOptions, ListDirection, R2Client, R2ClientBuilder};
use common::{ACCOUNT, Canned, Server, TOKEN, path};
use serde_json::json;

fn bucket_json(name: &str) -> serde_json::Value {
    json!({"name": name, "creation_date": "2024-01-02T03:04:05.678Z", "location": "ENAM"})
}

#[tokio::test]
async fn a_page_sends_every_option_and_next_keeps_the_filters() {
    let server = Server::sequence(vec![
        Canned::json(
            200,
            json!({"success": true, "errors": [], "result": {"buckets": [bucket_json("logs-b"), bucket_json("logs-a")]},
                   "result_info": {"cursor": "c-2", "per_page": 2}}),
        ),
        Canned::json(
            200,
            json!({"success": true, "errors": [], "result": {"buckets": [bucket_json("logs-0")]},
                   "result_info": {"per_page": 2}}),
        ),
    ])
    .await;
    let client = server.client();
    let opts = ListBucketsOptions::new()
        .name_contains("logs")
        .per_page(2)
        .start_after("m")
        .order("name")
        .direction(ListDirection::Desc);
    let page = client.list_buckets_page(&opts).await.unwrap();
    let names: Vec<_> = page.buckets.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["logs-b", "logs-a"]);
    let next = page.next.clone().expect("a cursor: a next page");
    assert_eq!(next.cursor.as_deref(), Some("c-2"));
    assert_eq!(next.start_after, None, "the cursor replaces start_after");
    assert_eq!(next.name_contains.as_deref(), Some("logs"));
    assert_eq!(next.direction, Some(ListDirection::Desc));
    let last = client.list_buckets_page(&next).await.unwrap();
    assert_eq!(last.buckets.len(), 1);
    assert_eq!(
        last.next, None,
        "shorter than per_page and no cursor: the end"
    );

    let reqs = server.requests();
    assert_eq!(reqs[0].path, path(""));
    for (k, v) in [
        ("name_contains", "logs"),
        ("per_page", "2"),
        ("start_after", "m"),
        ("order", "name"),
        ("direction", "desc"),
    ] {
        assert_eq!(reqs[0].query_param(k), Some(v), "{k}");
    }
    assert_eq!(reqs[0].query_param("cursor"), None);
    assert_eq!(reqs[1].query_param("cursor"), Some("c-2"));
    assert_eq!(reqs[1].query_param("start_after"), None);
    assert_eq!(reqs[1].query_param("name_contains"), Some("logs"));
}

#[tokio::test]
async fn the_pager_walks_the_pages_and_refuses_a_repeated_cursor() {
    let server = Server::sequence(vec![
        Canned::json(
            200,
            json!({"success": true, "errors": [], "result": {"buckets": [bucket_json("a")]}, "result_info": {"cursor": "x", "per_page": 1}}),
        ),
        Canned::json(
            200,
            json!({"success": true, "errors": [], "result": {"buckets": [bucket_json("b")]}, "result_info": {"per_page": 1}}),
        ),
        Canned::json(
            200,
            json!({"success": true, "errors": [], "result": {"buckets": []}, "result_info": {"per_page": 1}}),
        ),
    ])
    .await;
    let mut pages = server
        .client()
        .bucket_pages(ListBucketsOptions::new().per_page(1));
    let mut seen = Vec::new();
    while let Some(buckets) = pages.next_page().await.unwrap() {
        seen.extend(buckets.into_iter().map(|b| b.name));
    }
    assert_eq!(seen, ["a", "b"]);
    assert_eq!(
        server.count(),
        3,
        "a full page asks once more, and the empty one ends it"
    );

    let looping = Server::always(Canned::json(
        200,
        json!({"success": true, "errors": [], "result": {"buckets": [bucket_json("a")]}, "result_info": {"cursor": "same"}}),
    ))
    .await;
    let mut pages = looping.client().bucket_pages(ListBucketsOptions::new());
    pages.next_page().await.unwrap();
    let err = pages.next_page().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("same"), "{err}");

    let err = looping
        .client()
        .list_buckets_page(&ListBucketsOptions::new().per_page(0))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(looping.count(), 2, "an invalid page size sends nothing");
}

#[tokio::test]
async fn create_and_storage_class_edits_return_the_answered_bucket() {
    let answered = json!({"name": "new-b", "creation_date": "2025-03-04T05:06:07Z", "location": "WEUR", "storage_class": "InfrequentAccess"});
    let server = Server::always(Canned::ok(answered)).await;
    let client = server.client();
    let info = client
        .create_bucket_info("new-b", &CreateBucketOptions::default())
        .await
        .unwrap();
    assert_eq!(info.name, "new-b");
    assert_eq!(info.region.as_deref(), Some("weur"));
    assert_eq!(info.storage_class, Some(StorageClass::InfrequentAccess));
    assert!(info.created.is_some());
    let info = client
        .update_storage_class("new-b", StorageClass::InfrequentAccess)
        .await
        .unwrap();
    assert_eq!(info.storage_class, Some(StorageClass::InfrequentAccess));
    let reqs = server.requests();
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(reqs[1].method, "PATCH");
    assert_eq!(
        reqs[1].header("cf-r2-storage-class"),
        Some("InfrequentAccess")
    );
    // The trait's create still succeeds without looking at the answer.
    client
        .create_bucket("new-b", &CreateBucketOptions::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_callers_reqwest_client_sends_the_requests() {
    let server = Server::always(Canned::ok(json!({"rules": []}))).await;
    let http = reqwest::Client::builder()
        .user_agent("my-own-client/2.0")
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let client = server.builder().http_client(http).build().unwrap();
    client.get_cors("b-1").await.unwrap();
    assert_eq!(
        server.requests()[0].header("user-agent"),
        Some("my-own-client/2.0")
    );
}

#[tokio::test]
async fn loopback_http_needs_no_allow_http() {
    let server = Server::always(Canned::ok(json!({"rules": []}))).await;
    let client = R2Client::builder()
        .account_id(ACCOUNT)
        .api_token(TOKEN.to_owned())
        .base_url(server.base_url())
        .pacing(None)
        .build()
        .unwrap();
    assert_eq!(client.get_cors("b-1").await.unwrap(), None);
    let err = R2Client::builder()
        .account_id(ACCOUNT)
        .api_token(TOKEN)
        .base_url("http://203.0.113.7/client/v4")
        .build()
        .unwrap_err();
    assert!(err.message().contains("allow_http"), "{err}");
}

#[test]
fn both_from_env_spellings_and_the_timeout_defaults_match_cos() {
    let _: R2ClientBuilder = R2Client::from_env();
    let _: R2ClientBuilder = R2ClientBuilder::from_env();
    assert_eq!(
        bucket_admin_r2::DEFAULT_TIMEOUT,
        std::time::Duration::from_secs(60)
    );
    assert_eq!(
        bucket_admin_r2::DEFAULT_CONNECT_TIMEOUT,
        std::time::Duration::from_secs(10)
    );
    let owned = vec![
        ("CLOUDFLARE_API_TOKEN".to_owned(), TOKEN.to_owned()),
        ("CLOUDFLARE_ACCOUNT_ID".to_owned(), ACCOUNT.to_owned()),
    ];
    assert!(R2ClientBuilder::from_env_vars(owned).build().is_ok());
}
