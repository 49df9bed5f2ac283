//! boto3 is the oracle for the wire: the requests the client sends for each operation are
//! compared with the ones boto3 sent (recorded by tools/s3/record.py into
//! tests/data/boto3_recorded.json): method, path, query, signed headers and the body as an
//! XML tree (JSON value for the policy).
//!
//! Integrity header: boto3 1.36+ sends `x-amz-checksum-crc32` (signed) where this client
//! sends `Content-MD5`; S3 accepts either on these operations, so both count as "the body's
//! checksum" in the comparison.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use bucket_admin_core::*;
use bucket_admin_s3::{Profile, S3Client};
use quick_xml::events::Event;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    signed: BTreeSet<String>,
    /// The operation's own `x-amz-*` headers (as tools/s3/record.py keeps them).
    amz: std::collections::BTreeMap<String, String>,
    body: String,
}

fn operation_header(name: &str) -> bool {
    name.starts_with("x-amz-")
        && !matches!(
            name,
            "x-amz-date"
                | "x-amz-content-sha256"
                | "x-amz-security-token"
                | "x-amz-sdk-checksum-algorithm"
        )
        && !name.starts_with("x-amz-checksum-")
}

const CHECKSUM: &str = "<body checksum>";

fn normalise_signed(names: impl IntoIterator<Item = String>) -> BTreeSet<String> {
    names
        .into_iter()
        .map(|n| match n.as_str() {
            "content-md5" | "x-amz-checksum-crc32" | "x-amz-sdk-checksum-algorithm" => {
                CHECKSUM.to_owned()
            }
            _ => n,
        })
        // boto3 leaves content-type unsigned; signing it is allowed and harmless.
        .filter(|n| n != "content-type")
        .collect()
}

async fn serve(listener: tokio::net::TcpListener, seen: Arc<Mutex<Vec<Seen>>>) {
    loop {
        let Ok((mut sock, _)) = listener.accept().await else {
            return;
        };
        let seen = seen.clone();
        tokio::spawn(async move {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head, body) = loop {
                let n = sock.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..i]).into_owned();
                    let len: usize = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse().ok())?
                        })
                        .unwrap_or(0);
                    while buf.len() < i + 4 + len {
                        let n = sock.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    let body = String::from_utf8_lossy(&buf[i + 4..]).into_owned();
                    break (head, body);
                }
            };
            let mut lines = head.lines();
            let request_line = lines.next().unwrap_or_default().to_owned();
            let mut parts = request_line.split(' ');
            let method = parts.next().unwrap_or_default().to_owned();
            let target = parts.next().unwrap_or_default().to_owned();
            let (path, query) = target.split_once('?').unwrap_or((&target, ""));
            let mut q: Vec<(String, String)> = url_pairs(query);
            q.sort();
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                .collect();
            let amz = headers
                .iter()
                .filter(|(k, _)| operation_header(k))
                .cloned()
                .collect();
            let auth = headers
                .iter()
                .find(|(k, _)| k == "authorization")
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default();
            let signed = auth
                .split("SignedHeaders=")
                .nth(1)
                .and_then(|s| s.split(',').next())
                .unwrap_or_default()
                .split(';')
                .map(str::to_owned)
                .collect::<Vec<_>>();
            let sub = q.first().map(|(k, _)| k.clone()).unwrap_or_default();
            let answer = match (method.as_str(), sub.as_str()) {
                ("GET", "") => {
                    "<ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>"
                }
                ("GET", "cors") => {
                    "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>"
                }
                ("GET", "lifecycle") => "<LifecycleConfiguration></LifecycleConfiguration>",
                ("GET", "versioning") => "<VersioningConfiguration></VersioningConfiguration>",
                ("GET", "replication") => "<ReplicationConfiguration></ReplicationConfiguration>",
                ("GET", "policy") => "{\"Statement\":[]}",
                _ => "",
            };
            seen.lock().unwrap().push(Seen {
                method,
                path: path.to_owned(),
                query: q,
                signed: normalise_signed(signed),
                amz,
                body,
            });
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = sock.write_all(reply.as_bytes()).await;
        });
    }
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

/// An order-insensitive XML tree: each element as `name{attrs}[text](sorted children)`.
fn xml_tree(xml: &str) -> String {
    fn element(reader: &mut quick_xml::Reader<&[u8]>, name: String) -> String {
        let mut children = Vec::new();
        let mut text = String::new();
        loop {
            match reader.read_event().expect("xml") {
                Event::Start(e) => {
                    let n = e.name().as_ref().to_owned();
                    children.push(element(reader, n));
                }
                Event::Empty(e) => children.push(format!("{}[]()", e.name().as_ref())),
                Event::Text(t) => text.push_str(t.into_inner().trim()),
                Event::End(_) | Event::Eof => break,
                _ => {}
            }
        }
        children.sort();
        format!("{name}[{text}]({})", children.join(","))
    }
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event().expect("xml") {
            Event::Start(e) => {
                let mut name = e.name().as_ref().to_owned();
                for a in e.attributes().flatten() {
                    name.push_str(&format!("{{{}={}}}", a.key.as_ref(), a.value));
                }
                return element(&mut reader, name);
            }
            Event::Eof => return String::new(),
            _ => {}
        }
    }
}

fn body_form(body: &str) -> String {
    if body.trim_start().starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(body).expect("json body");
        v.to_string()
    } else if body.is_empty() {
        String::new()
    } else {
        xml_tree(body)
    }
}

async fn run_all(c: &S3Client) {
    let b = "example-bucket";
    let _ = c.list_buckets().await.expect("list_buckets");
    c.create_bucket(b, &CreateBucketOptions::default())
        .await
        .expect("create");
    let locked = CreateBucketOptions::new().with_object_lock_enabled(true);
    c.create_bucket(b, &locked)
        .await
        .expect("create with object lock");
    c.head_bucket(b).await.expect("head");
    c.delete_bucket(b).await.expect("delete");
    let cors = CorsConfiguration::new(vec![
        CorsRule::new(["https://example.com"], [CorsMethod::Get, CorsMethod::Put])
            .with_id("uploads")
            .with_allowed_headers(["content-type"])
            .with_expose_headers(["ETag"])
            .with_max_age_seconds(600),
    ]);
    c.put_cors(b, &cors).await.expect("put_cors");
    let _ = c.get_cors(b).await.expect("get_cors");
    c.delete_cors(b).await.expect("delete_cors");
    let lifecycle = LifecycleConfiguration::new(vec![
        LifecycleRule::new()
            .with_id("expire-logs")
            .with_filter(LifecycleFilter::default().with_prefix("logs/"))
            .with_expiration(Expiration::After(Age::days(200)))
            .with_transitions([Transition::after(
                Age::days(30),
                StorageClass::InfrequentAccess,
            )])
            .with_abort_incomplete_multipart_upload(Age::days(7)),
        LifecycleRule::new()
            .with_id("tagged")
            .with_enabled(false)
            .with_filter(
                LifecycleFilter::default()
                    .with_prefix("tmp/")
                    .with_tags([Tag::new("k", "v")]),
            )
            .with_noncurrent_version_expiration_days(10),
    ]);
    c.put_lifecycle(b, &lifecycle).await.expect("put_lifecycle");
    let _ = c.get_lifecycle(b).await.expect("get_lifecycle");
    c.delete_lifecycle(b).await.expect("delete_lifecycle");
    c.put_versioning(b, VersioningStatus::Enabled)
        .await
        .expect("put_versioning");
    let _ = c.get_versioning(b).await.expect("get_versioning");
    let replication = ReplicationConfiguration::new(vec![
        ReplicationRule::new(
            ReplicationDestination::new("arn:aws:s3:::backup")
                .with_storage_class(StorageClass::Standard),
        )
        .with_id("to-backup")
        .with_priority(1)
        .with_prefix("data/")
        .with_delete_marker_replication(false),
    ])
    .with_role("arn:aws:iam::123456789012:role/replication");
    c.put_replication(b, &replication)
        .await
        .expect("put_replication");
    let _ = c.get_replication(b).await.expect("get_replication");
    c.delete_replication(b).await.expect("delete_replication");
    let policy: BucketPolicy = serde_json::from_value(serde_json::json!({
        "version": "2012-10-17",
        "statements": [{
            "effect": "allow",
            "principal": "*",
            "actions": ["s3:GetObject"],
            "resources": ["arn:aws:s3:::example-bucket/*"]
        }]
    }))
    .expect("policy");
    c.put_policy(b, &policy).await.expect("put_policy");
    let _ = c.get_policy(b).await.expect("get_policy");
    c.delete_policy(b).await.expect("delete_policy");
}

#[tokio::test]
async fn requests_match_the_boto3_recording() {
    let recorded: serde_json::Value =
        serde_json::from_str(include_str!("data/boto3_recorded.json")).expect("recording");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    tokio::spawn(serve(listener, seen.clone()));
    let client = S3Client::builder()
        .profile(Profile::Custom)
        .endpoint(format!("http://127.0.0.1:{port}"))
        .region("eu-west-1")
        .access_key_id("AKIAIOSFODNN7EXAMPLE")
        .secret_access_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    run_all(&client).await;
    let seen = seen.lock().unwrap().clone();
    let expected = recorded["requests"].as_array().expect("requests");
    assert_eq!(seen.len(), expected.len(), "one request per operation");
    for (ours, theirs) in seen.iter().zip(expected) {
        let op = theirs["operation"].as_str().unwrap();
        assert_eq!(
            ours.method,
            theirs["method"].as_str().unwrap(),
            "{op}: method"
        );
        assert_eq!(ours.path, theirs["path"].as_str().unwrap(), "{op}: path");
        let query: Vec<(String, String)> = theirs["query"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p[0].as_str().unwrap().to_owned(),
                    p[1].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(ours.query, query, "{op}: query");
        let signed = normalise_signed(
            theirs["signed_headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h.as_str().unwrap().to_owned()),
        );
        assert_eq!(ours.signed, signed, "{op}: signed headers");
        let amz: std::collections::BTreeMap<String, String> = theirs["amz_headers"]
            .as_object()
            .expect("amz_headers (re-record with tools/s3/record.py)")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        assert_eq!(ours.amz, amz, "{op}: x-amz-* headers");
        assert_eq!(
            body_form(&ours.body),
            body_form(theirs["body"].as_str().unwrap()),
            "{op}: body\nours:   {}\nboto3:  {}",
            ours.body,
            theirs["body"]
        );
    }
}

#[test]
fn xml_trees_ignore_sibling_order_but_not_content() {
    assert_eq!(
        xml_tree("<A><B>1</B><C>2</C></A>"),
        xml_tree("<A><C>2</C><B>1</B></A>")
    );
    assert_ne!(xml_tree("<A><B>1</B></A>"), xml_tree("<A><B>2</B></A>"));
}
