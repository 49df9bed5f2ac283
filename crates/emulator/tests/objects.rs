//! Objects on both providers: the COS object API (header and pre-signed query signatures),
//! list objects, R2's object route and public host, CORS on actual answers, the storage
//! budget, and durability under a data directory.

mod common;

use bucket_admin_emulator::{Emulator, Jurisdiction, Limits};
use common::*;
use serde_json::json;

const CORS: &[u8] = b"<CORSConfiguration><CORSRule><AllowedOrigin>https://app.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><ExposeHeader>x-cos-meta-author</ExposeHeader></CORSRule><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";

#[tokio::test]
async fn cos_objects_round_trip_and_list_pages() {
    let emu = Emulator::start().await.unwrap();
    let cos = Cos::new(&emu);
    cos.create("files").await;
    let host = bucket_host(&emu, "files");
    for key in ["a/1.txt", "a/2.txt", "a/3.txt", "b/1.txt"] {
        let r = cos
            .send(
                "PUT",
                &host,
                &format!("/{key}"),
                &[],
                &[("content-type", "text/plain"), ("x-cos-meta-author", "ann")],
                key.as_bytes(),
            )
            .await;
        assert_eq!(r.status(), 200);
        assert!(r.headers()["etag"].to_str().unwrap().starts_with('"'));
    }
    let r = cos.send("GET", &host, "/a/2.txt", &[], &[], b"").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/plain");
    assert_eq!(r.headers()["x-cos-meta-author"], "ann");
    assert_eq!(r.text().await.unwrap(), "a/2.txt");
    let r = cos.send("HEAD", &host, "/a/2.txt", &[], &[], b"").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-length"], "7");

    let r = cos
        .send(
            "GET",
            &host,
            "/",
            &[("prefix", "a/"), ("max-keys", "2")],
            &[],
            b"",
        )
        .await;
    let body = r.text().await.unwrap();
    assert_eq!(tag(&body, "IsTruncated"), "true");
    assert_eq!(tag(&body, "NextMarker"), "a/2.txt");
    assert_eq!(body.matches("<Contents>").count(), 2);
    let r = cos
        .send(
            "GET",
            &host,
            "/",
            &[("prefix", "a/"), ("marker", "a/2.txt")],
            &[],
            b"",
        )
        .await;
    let body = r.text().await.unwrap();
    assert_eq!(tag(&body, "Key"), "a/3.txt");
    assert_eq!(tag(&body, "IsTruncated"), "false");
    assert_eq!(tag(&body, "Size"), "7");

    assert_eq!(cos.bucket("DELETE", "files", None, b"").await.status(), 409);
    for key in ["a/1.txt", "a/2.txt", "a/3.txt", "b/1.txt"] {
        let r = cos
            .send("DELETE", &host, &format!("/{key}"), &[], &[], b"")
            .await;
        assert_eq!(r.status(), 204);
    }
    let r = cos.send("GET", &host, "/a/2.txt", &[], &[], b"").await;
    assert_eq!(
        (r.status().as_u16(), code(&r.text().await.unwrap())),
        (404, "NoSuchKey".into())
    );
    assert_eq!(cos.bucket("DELETE", "files", None, b"").await.status(), 204);
}

/// A URL signed in the query for the portless service host works when sent with the
/// emulator's port in `Host` (what a browser does), and a changed key is refused.
#[tokio::test]
async fn cos_presigned_query_signature_allows_put_and_get() {
    let emu = Emulator::start().await.unwrap();
    let cos = Cos::new(&emu);
    cos.create("up").await;
    let host = bucket_host(&emu, "up");
    let c = emu.cos_credentials();
    let kt = format!("{};{}", now() - 60, now() + 600);
    let auth = sign(
        &c.secret_id,
        &c.secret_key,
        "PUT",
        "/photo.jpg",
        &[],
        &[("host", &host)],
        (now() - 60, now() + 600),
    );
    assert!(auth.contains(&kt));
    let query = auth.replace(';', "%3B");
    let port = emu.cos_endpoint().rsplit(':').next().unwrap().to_owned();
    let url = format!("{}/photo.jpg?{query}", emu.cos_endpoint());
    let r = client()
        .put(&url)
        .header("host", format!("{host}:{port}"))
        .body("jpeg")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(
        emu.cos_object_keys(&bucket_full(&emu, "up")),
        Some(vec!["photo.jpg".into()])
    );
    let wrong = format!("{}/other.jpg?{query}", emu.cos_endpoint());
    let r = client()
        .put(&wrong)
        .header("host", format!("{host}:{port}"))
        .body("jpeg")
        .send()
        .await
        .unwrap();
    assert_eq!(code(&r.text().await.unwrap()), "SignatureDoesNotMatch");
}

#[tokio::test]
async fn cos_actual_answers_carry_the_first_matching_rules_cors_headers() {
    let emu = Emulator::start().await.unwrap();
    let cos = Cos::new(&emu);
    cos.create("web").await;
    assert_eq!(
        cos.bucket("PUT", "web", Some("cors"), CORS).await.status(),
        200
    );
    let host = bucket_host(&emu, "web");
    let put = cos
        .send(
            "PUT",
            &host,
            "/k",
            &[],
            &[("origin", "https://app.example.com")],
            b"v",
        )
        .await;
    let h = put.headers();
    assert_eq!(h["access-control-allow-origin"], "https://app.example.com");
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert_eq!(h["access-control-expose-headers"], "ETag,x-cos-meta-author");
    assert_eq!(h["vary"], "Origin");
    let get = cos
        .send(
            "GET",
            &host,
            "/k",
            &[],
            &[("origin", "https://other.example")],
            b"",
        )
        .await;
    assert_eq!(get.headers()["access-control-allow-origin"], "*");
    assert!(
        !get.headers()
            .contains_key("access-control-allow-credentials")
    );
    let del = cos
        .send(
            "DELETE",
            &host,
            "/k",
            &[],
            &[("origin", "https://other.example")],
            b"",
        )
        .await;
    assert_eq!(del.status(), 204);
    assert!(!del.headers().contains_key("access-control-allow-origin"));
    // Errors carry them too, so a page can read why its upload failed.
    let missing = cos
        .send(
            "GET",
            &host,
            "/none",
            &[],
            &[("origin", "https://app.example.com")],
            b"",
        )
        .await;
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
}

#[tokio::test]
async fn r2_objects_on_the_api_and_public_host_with_cors() {
    let emu = Emulator::start().await.unwrap();
    r2(&emu, "POST", "", None, Some(json!({"name": "site"}))).await;
    let url = format!(
        "{}/accounts/{}/r2/buckets/site/objects/dir/index.html",
        emu.r2_base_url(),
        emu.r2_credentials().account_id
    );
    let r = client()
        .put(&url)
        .bearer_auth(&emu.r2_credentials().api_token)
        .header("content-type", "text/html")
        .body("<p>hi</p>")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client().put(&url).body("x").send().await.unwrap();
    assert_eq!(r.status(), 401, "the object API needs the token");
    let (_, _, v) = r2(
        &emu,
        "PUT",
        "/site/domains/managed",
        None,
        Some(json!({"enabled": true})),
    )
    .await;
    let domain = v["result"]["domain"].as_str().unwrap().to_owned();
    let public = |path: &str| format!("{}{path}", emu.cos_endpoint());
    let r = client()
        .get(public("/dir/index.html"))
        .header("host", &domain)
        .header("origin", "https://app.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        !r.headers().contains_key("access-control-allow-origin"),
        "no CORS policy yet"
    );
    assert_eq!(r.headers()["content-type"], "text/html");
    assert_eq!(r.text().await.unwrap(), "<p>hi</p>");
    let rules = json!({"rules": [{"allowed": {"origins": ["https://app.example.com"], "methods": ["GET"]}, "exposeHeaders": ["ETag"]}]});
    let (s, _, _) = r2(&emu, "PUT", "/site/cors", None, Some(rules)).await;
    assert_eq!(s, 200);
    let r = client()
        .get(public("/dir/index.html"))
        .header("host", &domain)
        .header("origin", "https://app.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert_eq!(r.headers()["access-control-expose-headers"], "ETag");
    let pre = client()
        .request(reqwest::Method::OPTIONS, public("/dir/index.html"))
        .header("host", &domain)
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(pre.status(), 403);
    assert!(!pre.headers().contains_key("access-control-allow-origin"));
    let put = client()
        .put(public("/dir/index.html"))
        .header("host", &domain)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 405, "public hosts are read-only");
    let (s, _, v) = r2(&emu, "DELETE", "/site", None, None).await;
    assert_eq!((s, r2_code(&v)), (409, 10008));
}

#[tokio::test]
async fn the_object_budget_refuses_a_put_beyond_it() {
    let emu = Emulator::builder()
        .limits(Limits {
            max_object_bytes: 10,
            ..Limits::default()
        })
        .start()
        .await
        .unwrap();
    let cos = Cos::new(&emu);
    cos.create("small").await;
    let host = bucket_host(&emu, "small");
    assert_eq!(
        cos.send("PUT", &host, "/a", &[], &[], b"12345678")
            .await
            .status(),
        200
    );
    // Replacing the same key counts its new size only.
    assert_eq!(
        cos.send("PUT", &host, "/a", &[], &[], b"1234567890")
            .await
            .status(),
        200
    );
    let r = cos.send("PUT", &host, "/b", &[], &[], b"1").await;
    assert_eq!(code(&r.text().await.unwrap()), "EntityTooLarge");
}

#[tokio::test]
async fn objects_survive_a_restart_on_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let cos = Cos::new(&emu);
    cos.create("keep").await;
    let host = bucket_host(&emu, "keep");
    assert_eq!(
        cos.send("PUT", &host, "/x", &[], &[], b"\x00\xffbytes")
            .await
            .status(),
        200
    );
    r2(&emu, "POST", "", None, Some(json!({"name": "keep-r2"}))).await;
    assert!(emu.put_r2_object(Jurisdiction::Default, "keep-r2", "y", b"r2"));
    emu.shutdown().await;
    let emu = Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let cos = Cos::new(&emu);
    let r = cos
        .send("GET", &bucket_host(&emu, "keep"), "/x", &[], &[], b"")
        .await;
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"\x00\xffbytes");
    assert_eq!(
        emu.r2_object_keys(Jurisdiction::Default, "keep-r2"),
        Some(vec!["y".into()])
    );
}

/// Attaches `cdn.example.com` to `bucket`; the answer's status.
async fn attach_cdn(emu: &Emulator, bucket: &str) -> u16 {
    let domain = json!({"domain": "cdn.example.com", "zoneId": "z1", "enabled": true});
    r2(
        emu,
        "POST",
        &format!("/{bucket}/domains/custom"),
        None,
        Some(domain),
    )
    .await
    .0
}

/// The public-host lookup keeps up with the buckets: a custom domain serves its bucket after a
/// restart, stops serving when detached or when its bucket is deleted, and can then front
/// another bucket (the emulator indexes custom domains instead of scanning every bucket on
/// every request).
#[tokio::test]
async fn a_custom_domain_follows_attach_detach_delete_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let start = || Emulator::builder().data_dir(dir.path()).start();
    let emu = start().await.unwrap();
    for name in ["site", "other"] {
        r2(&emu, "POST", "", None, Some(json!({"name": name}))).await;
    }
    assert!(emu.put_r2_object(Jurisdiction::Default, "site", "page", b"from site"));
    assert!(emu.put_r2_object(Jurisdiction::Default, "other", "page", b"from other"));
    assert_eq!(attach_cdn(&emu, "site").await, 200);
    let public = |emu: &Emulator| {
        let url = format!("{}/page", emu.cos_endpoint());
        async move {
            let r = client()
                .get(url)
                .header("host", "cdn.example.com")
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    assert_eq!(public(&emu).await, (200, "from site".into()));

    // Across a restart: the index is rebuilt from the saved buckets.
    emu.shutdown().await;
    let emu = start().await.unwrap();
    assert_eq!(public(&emu).await, (200, "from site".into()));
    assert_eq!(
        attach_cdn(&emu, "other").await,
        409,
        "the domain still fronts `site`"
    );

    // Detached: the host is no longer public, and another bucket may take it.
    let (s, _, _) = r2(
        &emu,
        "DELETE",
        "/site/domains/custom/cdn.example.com",
        None,
        None,
    )
    .await;
    assert_eq!(s, 200);
    let (status, body) = public(&emu).await;
    assert_ne!(status, 200, "{body}");
    assert_ne!(body, "from site");
    assert_eq!(attach_cdn(&emu, "other").await, 200);
    assert_eq!(public(&emu).await, (200, "from other".into()));

    // Its bucket deleted: the domain is free again.
    let (s, _, _) = r2(&emu, "DELETE", "/other/objects/page", None, None).await;
    assert_eq!(s, 200);
    let (s, _, _) = r2(&emu, "DELETE", "/other", None, None).await;
    assert_eq!(s, 200);
    let (status, _) = public(&emu).await;
    assert_ne!(status, 200);
    assert_eq!(
        attach_cdn(&emu, "site").await,
        200,
        "a deleted bucket's domain can be attached again"
    );
    assert_eq!(public(&emu).await, (200, "from site".into()));
}
