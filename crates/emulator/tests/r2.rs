//! R2 side: envelope, auth, jurisdictions, pagination and every route.

mod common;

use bucket_admin_emulator::Emulator;
use common::*;
use serde_json::json;

#[tokio::test]
async fn auth_and_envelope() {
    let emu = Emulator::start().await.unwrap();
    let base = format!(
        "{}/accounts/{}/r2/buckets",
        emu.r2_base_url(),
        emu.r2_credentials().account_id
    );
    let r = client().get(&base).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("cf-ray"));
    let v: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(v["success"], false);
    assert_eq!(v["errors"][0]["code"], 10002);
    let r = client()
        .get(&base)
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let other = format!(
        "{}/accounts/{}/r2/buckets",
        emu.r2_base_url(),
        "f".repeat(32)
    );
    let r = client()
        .get(&other)
        .bearer_auth(&emu.r2_credentials().api_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (status, headers, v) = r2(&emu, "GET", "", None, None).await;
    assert_eq!(status, 200);
    assert!(headers.contains_key("cf-ray"));
    assert_eq!(v["success"], true);
    assert_eq!(v["errors"], json!([]));
    assert_eq!(v["result"]["buckets"], json!([]));
    let (status, _, v) = r2(&emu, "GET", "/x/unknown-route", None, None).await;
    assert_eq!((status, r2_code(&v)), (404, 7003));
}

#[tokio::test]
async fn create_get_patch_delete() {
    let emu = Emulator::start().await.unwrap();
    let (s, _, v) = r2(
        &emu,
        "POST",
        "",
        None,
        Some(json!({"name": "photos", "locationHint": "weur", "storageClass": "InfrequentAccess"})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["result"]["name"], "photos");
    assert_eq!(v["result"]["location"], "WEUR");
    assert_eq!(v["result"]["storage_class"], "InfrequentAccess");
    assert!(
        v["result"]["creation_date"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    let (s, _, v) = r2(&emu, "POST", "", None, Some(json!({"name": "photos"}))).await;
    assert_eq!((s, r2_code(&v)), (409, 10004));
    let (s, _, v) = r2(&emu, "POST", "", None, Some(json!({"name": "Bad_Name"}))).await;
    assert_eq!((s, r2_code(&v)), (400, 10005));
    let (s, _, v) = r2(
        &emu,
        "POST",
        "",
        None,
        Some(json!({"name": "ok-name", "storageClass": "Glacier"})),
    )
    .await;
    assert_eq!((s, r2_code(&v)), (400, 10062));
    let (s, _, v) = r2(&emu, "POST", "", None, Some(json!({"bucket": "x"}))).await;
    assert_eq!((s, r2_code(&v)), (400, 10040));

    let (s, _, v) = r2(&emu, "GET", "/photos", None, None).await;
    assert_eq!(s, 200);
    assert_eq!(v["result"]["name"], "photos");
    let (s, _, v) = r2(&emu, "GET", "/missing", None, None).await;
    assert_eq!((s, r2_code(&v)), (404, 10006));

    let url = format!(
        "{}/accounts/{}/r2/buckets/photos",
        emu.r2_base_url(),
        emu.r2_credentials().account_id
    );
    let r = client()
        .patch(&url)
        .bearer_auth(&emu.r2_credentials().api_token)
        .header("cf-r2-storage-class", "Standard")
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(v["result"]["storage_class"], "Standard");
    let (s, _, v) = r2(&emu, "PATCH", "/photos", None, None).await;
    assert_eq!((s, r2_code(&v)), (400, 10062));

    let (s, _, v) = r2(
        &emu,
        "PUT",
        "/photos/objects/a/b.txt",
        None,
        Some(json!("x")),
    )
    .await;
    assert_eq!((s, v["result"]["key"].as_str()), (200, Some("a/b.txt")));
    let (s, _, v) = r2(&emu, "DELETE", "/photos", None, None).await;
    assert_eq!((s, r2_code(&v)), (409, 10008));
    r2(&emu, "POST", "", None, Some(json!({"name": "empty"}))).await;
    let (s, _, v) = r2(&emu, "DELETE", "/empty", None, None).await;
    assert_eq!(s, 200);
    assert_eq!(v["success"], true);
    let (s, _, _) = r2(&emu, "DELETE", "/empty", None, None).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn jurisdictions_are_separate_namespaces() {
    let emu = Emulator::start().await.unwrap();
    let (s, _, v) = r2(&emu, "POST", "", Some("eu"), Some(json!({"name": "gdpr"}))).await;
    assert_eq!(s, 200);
    assert_eq!(v["result"]["jurisdiction"], "eu");
    let (_, _, v) = r2(&emu, "GET", "", None, None).await;
    assert_eq!(v["result"]["buckets"], json!([]));
    let (s, _, v) = r2(&emu, "GET", "/gdpr", None, None).await;
    assert_eq!((s, r2_code(&v)), (404, 10006));
    let (s, _, v) = r2(&emu, "GET", "/gdpr/cors", None, None).await;
    assert_eq!((s, r2_code(&v)), (404, 10006));
    let (s, _, _) = r2(&emu, "GET", "/gdpr", Some("eu"), None).await;
    assert_eq!(s, 200);
    // The same name may exist once per jurisdiction.
    let (s, _, _) = r2(&emu, "POST", "", None, Some(json!({"name": "gdpr"}))).await;
    assert_eq!(s, 200);
    let (_, _, v) = r2(&emu, "GET", "", Some("eu"), None).await;
    assert_eq!(v["result"]["buckets"].as_array().unwrap().len(), 1);
    let (s, _, _) = r2(&emu, "GET", "", Some("mars"), None).await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn pagination() {
    let emu = Emulator::start().await.unwrap();
    for i in 0..45 {
        r2(
            &emu,
            "POST",
            "",
            None,
            Some(json!({"name": format!("bucket-{i:03}")})),
        )
        .await;
    }
    r2(&emu, "POST", "", None, Some(json!({"name": "other"}))).await;
    let (_, _, v) = r2(&emu, "GET", "", None, None).await;
    assert_eq!(
        v["result"]["buckets"].as_array().unwrap().len(),
        20,
        "default per_page"
    );
    assert_eq!(v["result_info"]["per_page"], 20);
    // Follow the cursor.
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("?per_page=10&cursor={c}&name_contains=bucket"),
            None => "?per_page=10&name_contains=bucket".into(),
        };
        let (_, _, v) = r2(&emu, "GET", &q, None, None).await;
        for b in v["result"]["buckets"].as_array().unwrap() {
            names.push(b["name"].as_str().unwrap().to_owned());
        }
        match v["result_info"]["cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(names.len(), 45);
    assert!(names.windows(2).all(|w| w[0] < w[1]));
    // start_after + desc.
    let (_, _, v) = r2(
        &emu,
        "GET",
        "?order=name&direction=desc&start_after=bucket-002&per_page=5",
        None,
        None,
    )
    .await;
    let got: Vec<_> = v["result"]["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, ["bucket-001", "bucket-000"]);
    let (_, _, v) = r2(
        &emu,
        "GET",
        "?order=name&start_after=bucket-043",
        None,
        None,
    )
    .await;
    assert_eq!(v["result"]["buckets"].as_array().unwrap().len(), 2);
    for bad in [
        "?per_page=0",
        "?per_page=1001",
        "?direction=up",
        "?cursor=%%%",
    ] {
        let (s, _, _) = r2(&emu, "GET", bad, None, None).await;
        assert_eq!(s, 400, "{bad}");
    }
}

#[tokio::test]
async fn cors_routes() {
    let emu = Emulator::start().await.unwrap();
    r2(&emu, "POST", "", None, Some(json!({"name": "web"}))).await;
    let (s, _, v) = r2(&emu, "GET", "/web/cors", None, None).await;
    assert_eq!((s, r2_code(&v)), (404, 10059));
    let (s, _, v) = r2(
        &emu,
        "PUT",
        "/web/cors",
        None,
        Some(json!({"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]})),
    )
    .await;
    assert_eq!((s, r2_code(&v)), (400, 10040));
    assert_eq!(
        v["errors"][0]["message"],
        "The JSON you provided was not well formed."
    );
    let (s, _, _) = r2(
        &emu,
        "PUT",
        "/web/cors",
        None,
        Some(json!({"rules": [{"allowed": {"origins": ["*"], "methods": ["PATCH"]}}]})),
    )
    .await;
    assert_eq!(s, 400);
    let rules = json!({"rules": [{"id": "r1", "allowed": {"origins": ["https://example.com"], "methods": ["GET", "PUT"], "headers": ["content-type"]}, "exposeHeaders": ["ETag"], "maxAgeSeconds": 3600}]});
    let (s, _, v) = r2(&emu, "PUT", "/web/cors", None, Some(rules.clone())).await;
    assert_eq!(s, 200, "{v}");
    let (_, _, v) = r2(&emu, "GET", "/web/cors", None, None).await;
    assert_eq!(
        v["result"]["rules"][0]["allowed"]["origins"],
        json!(["https://example.com"])
    );
    assert_eq!(v["result"]["rules"][0]["maxAgeSeconds"], 3600);
    assert_eq!(v["result"]["rules"][0]["exposeHeaders"], json!(["ETag"]));
    let (s, _, _) = r2(&emu, "DELETE", "/web/cors", None, None).await;
    assert_eq!(s, 200);
    let (s, _, _) = r2(&emu, "GET", "/web/cors", None, None).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn lifecycle_lock_and_domains() {
    let emu = Emulator::start().await.unwrap();
    r2(&emu, "POST", "", None, Some(json!({"name": "data"}))).await;
    let (_, _, v) = r2(&emu, "GET", "/data/lifecycle", None, None).await;
    let rules = v["result"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 1, "new buckets carry the default abort rule");
    assert_eq!(
        rules[0]["abortMultipartUploadsTransition"]["condition"],
        json!({"type": "Age", "maxAge": 604800})
    );
    let lc = json!({"rules": [{"id": "expire", "enabled": true, "conditions": {"prefix": "tmp/"}, "deleteObjectsTransition": {"condition": {"type": "Age", "maxAge": 2592000}}}]});
    let (s, _, _) = r2(&emu, "PUT", "/data/lifecycle", None, Some(lc)).await;
    assert_eq!(s, 200);
    let (_, _, v) = r2(&emu, "GET", "/data/lifecycle", None, None).await;
    assert_eq!(
        v["result"]["rules"][0]["deleteObjectsTransition"]["condition"]["maxAge"],
        2592000
    );
    let (s, _, _) = r2(&emu, "PUT", "/data/lifecycle", None, Some(json!({"rules": [{"id": "x", "enabled": true, "conditions": {"prefix": ""}, "storageClassTransitions": [{"condition": {"type": "Age", "maxAge": 1}, "storageClass": "Glacier"}]}]}))).await;
    assert_eq!(s, 400);
    let (s, _, _) = r2(
        &emu,
        "PUT",
        "/data/lifecycle",
        None,
        Some(json!({"rules": []})),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _, _) = r2(&emu, "DELETE", "/data/lifecycle", None, None).await;
    assert_eq!(s, 405, "there is no DELETE lifecycle");

    let (_, _, v) = r2(&emu, "GET", "/data/lock", None, None).await;
    assert_eq!(v["result"]["rules"], json!([]));
    let lock = json!({"rules": [{"id": "keep", "enabled": true, "prefix": "legal/", "condition": {"type": "Age", "maxAgeSeconds": 86400}}, {"id": "forever", "enabled": true, "condition": {"type": "Indefinite"}}]});
    assert_eq!(
        r2(&emu, "PUT", "/data/lock", None, Some(lock.clone()))
            .await
            .0,
        200
    );
    let (_, _, v) = r2(&emu, "GET", "/data/lock", None, None).await;
    assert_eq!(v["result"], lock);

    let (_, _, v) = r2(&emu, "GET", "/data/domains/managed", None, None).await;
    assert_eq!(v["result"]["enabled"], false);
    assert!(v["result"]["domain"].as_str().unwrap().ends_with(".r2.dev"));
    let (_, _, v) = r2(
        &emu,
        "PUT",
        "/data/domains/managed",
        None,
        Some(json!({"enabled": true})),
    )
    .await;
    assert_eq!(v["result"]["enabled"], true);

    let (s, _, v) = r2(
        &emu,
        "POST",
        "/data/domains/custom",
        None,
        Some(
            json!({"domain": "cdn.example.com", "zoneId": "z1", "enabled": true, "minTLS": "1.2"}),
        ),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, _, _) = r2(
        &emu,
        "POST",
        "/data/domains/custom",
        None,
        Some(json!({"domain": "cdn.example.com", "zoneId": "z1", "enabled": true})),
    )
    .await;
    assert_eq!(s, 409);
    let (_, _, v) = r2(&emu, "GET", "/data/domains/custom", None, None).await;
    assert_eq!(v["result"]["domains"][0]["zoneName"], "example.com");
    let (_, _, v) = r2(
        &emu,
        "PUT",
        "/data/domains/custom/cdn.example.com",
        None,
        Some(json!({"enabled": false})),
    )
    .await;
    assert_eq!(v["result"]["enabled"], false);
    let (_, _, v) = r2(
        &emu,
        "GET",
        "/data/domains/custom/cdn.example.com",
        None,
        None,
    )
    .await;
    assert_eq!(v["result"]["minTLS"], "1.2");
    let (s, _, _) = r2(
        &emu,
        "DELETE",
        "/data/domains/custom/cdn.example.com",
        None,
        None,
    )
    .await;
    assert_eq!(s, 200);
    let (s, _, _) = r2(
        &emu,
        "GET",
        "/data/domains/custom/cdn.example.com",
        None,
        None,
    )
    .await;
    assert_eq!(s, 404);
}
