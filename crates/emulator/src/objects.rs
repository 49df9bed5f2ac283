//! What the COS and R2 object APIs share: storing an object within the budget, listing, and
//! the CORS headers of actual (non-preflight) responses.

use std::collections::BTreeMap;

use bucket_admin_core::CorsConfiguration;
use bucket_admin_core::preflight::{PreflightOutcome, PreflightRequest, evaluate};
use http::HeaderValue;
use md5::{Digest, Md5};

use crate::server::{Req, Response};
use crate::state::StoredObject;

/// A new object from a request body: its ETag, the request's `Content-Type` (or
/// `application/octet-stream`) and the user metadata headers starting with `meta_prefix`.
pub(crate) fn from_request(req: &Req, meta_prefix: &str, now: i64) -> StoredObject {
    let meta = req
        .headers
        .iter()
        .filter(|(k, _)| k.as_str().starts_with(meta_prefix))
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    StoredObject {
        data: req.body.to_vec(),
        content_type: req
            .header("content-type")
            .unwrap_or("application/octet-stream")
            .to_owned(),
        etag: format!("\"{}\"", hex::encode(Md5::digest(&req.body))),
        last_modified: now,
        meta,
    }
}

/// An `application/octet-stream` object without metadata.
pub(crate) fn stored(data: &[u8], now: i64) -> StoredObject {
    StoredObject {
        data: data.to_vec(),
        content_type: "application/octet-stream".into(),
        etag: format!("\"{}\"", hex::encode(Md5::digest(data))),
        last_modified: now,
        meta: Vec::new(),
    }
}

/// The object headers of a GET/HEAD answer.
pub(crate) fn object_headers(resp: &mut Response, o: &StoredObject) {
    let date = httpdate::fmt_http_date(
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(o.last_modified.max(0) as u64),
    );
    let h = resp.headers_mut();
    for (k, v) in [
        ("content-type", o.content_type.as_str()),
        ("etag", o.etag.as_str()),
        ("last-modified", date.as_str()),
    ] {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(k, v);
        }
    }
    h.insert("content-length", HeaderValue::from(o.data.len()));
    for (k, v) in &o.meta {
        if let (Ok(k), Ok(v)) = (
            http::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            h.insert(k, v);
        }
    }
}

/// One page of keys after `marker` starting with `prefix`: the entries and whether more follow.
pub(crate) fn page<'a>(
    objects: &'a BTreeMap<String, StoredObject>,
    prefix: &str,
    marker: &str,
    max: usize,
) -> (Vec<(&'a String, &'a StoredObject)>, bool) {
    let mut matching = objects
        .iter()
        .filter(|(k, _)| k.starts_with(prefix) && k.as_str() > marker);
    let page: Vec<_> = matching.by_ref().take(max).collect();
    let truncated = matching.next().is_some();
    (page, truncated)
}

/// The CORS headers of an actual response to a request from `origin` with `method`: the
/// first rule matching origin and method (the preflight's matching, without requested
/// headers, since an actual request's headers were already allowed by its preflight) gives
/// `Access-Control-Allow-Origin`, `-Credentials` and `-Expose-Headers`, with `Vary: Origin`.
/// No rule matching (or no `Origin`): no CORS headers at all.
pub(crate) fn actual_cors(
    cors: Option<&CorsConfiguration>,
    origin: Option<&str>,
    method: &str,
) -> Vec<(&'static str, String)> {
    let Some(origin) = origin.filter(|o| !o.is_empty()) else {
        return Vec::new();
    };
    match evaluate(cors, &PreflightRequest::new(origin, method)) {
        PreflightOutcome::Allowed(a) => {
            let mut h = vec![("access-control-allow-origin", a.allow_origin.clone())];
            if a.allow_credentials {
                h.push(("access-control-allow-credentials", "true".into()));
            }
            if !a.expose_headers.is_empty() {
                h.push(("access-control-expose-headers", a.expose_headers.join(",")));
            }
            h.push(("vary", "Origin".into()));
            h
        }
        // Denied, or an outcome the emulator does not know: no CORS headers (fail closed).
        _ => Vec::new(),
    }
}

/// Add `headers` to a response (replacing any of the same name).
pub(crate) fn add_headers(resp: &mut Response, headers: &[(&'static str, String)]) {
    for (k, v) in headers {
        if let Ok(v) = HeaderValue::from_str(v) {
            resp.headers_mut().insert(*k, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bucket_admin_core::{CorsMethod, CorsRule};

    #[test]
    fn actual_headers_come_from_the_first_rule_matching_origin_and_method() {
        let cfg = CorsConfiguration::new(vec![
            CorsRule::new(["https://app.example.com"], [CorsMethod::Put])
                .with_expose_headers(["ETag"]),
            CorsRule::new(["*"], [CorsMethod::Get]).with_expose_headers(["x-cos-meta-a"]),
        ]);
        let get = actual_cors(Some(&cfg), Some("https://app.example.com"), "GET");
        assert_eq!(
            get,
            vec![
                ("access-control-allow-origin", "*".to_owned()),
                ("access-control-expose-headers", "x-cos-meta-a".to_owned()),
                ("vary", "Origin".to_owned()),
            ]
        );
        let put = actual_cors(Some(&cfg), Some("https://app.example.com"), "PUT");
        assert_eq!(
            put,
            vec![
                (
                    "access-control-allow-origin",
                    "https://app.example.com".to_owned()
                ),
                ("access-control-allow-credentials", "true".to_owned()),
                ("access-control-expose-headers", "ETag".to_owned()),
                ("vary", "Origin".to_owned()),
            ]
        );
        assert!(actual_cors(Some(&cfg), Some("https://evil.example"), "PUT").is_empty());
        assert!(actual_cors(Some(&cfg), None, "GET").is_empty());
        assert!(actual_cors(None, Some("https://app.example.com"), "GET").is_empty());
    }

    #[test]
    fn pages_follow_prefix_and_marker() {
        let o = StoredObject {
            data: vec![],
            content_type: "x".into(),
            etag: "\"e\"".into(),
            last_modified: 0,
            meta: vec![],
        };
        let objects: BTreeMap<String, StoredObject> = ["a/1", "a/2", "a/3", "b/1"]
            .iter()
            .map(|k| ((*k).to_owned(), o.clone()))
            .collect();
        let (p, more) = page(&objects, "a/", "", 2);
        assert_eq!(
            p.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["a/1", "a/2"]
        );
        assert!(more);
        let (p, more) = page(&objects, "a/", "a/2", 2);
        assert_eq!(
            p.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["a/3"]
        );
        assert!(!more);
    }
}
