//! R2's S3-compatible endpoint (`https://<account>.r2.cloudflarestorage.com`), served on its
//! own port: path-style `/<bucket>/<key>` objects of the emulator's R2 buckets, with AWS
//! Signature V4 checked by recomputing it with the `aws-sigv4` crate — in the
//! `Authorization` header or in the query of a pre-signed URL (`X-Amz-Signature`).
//!
//! - `PUT`/`GET`/`HEAD`/`DELETE /<bucket>/<key>`, `GET /<bucket>?list-type=2` (ListObjectsV2
//!   with `prefix`, `max-keys`, `continuation-token`/`start-after`), `HEAD /<bucket>`.
//! - `OPTIONS` is the bucket's CORS preflight, unauthenticated, judged by the core evaluator as
//!   on R2's public hosts; every other answer about an existing bucket carries the CORS
//!   headers of the first rule matching the request's `Origin` and method (none when no rule
//!   matches), errors included.
//! - The jurisdiction comes from the `Host`: `<account>.eu.r2.cloudflarestorage.com` is `eu`;
//!   any other host (`127.0.0.1:PORT` included) is the default jurisdiction.
//! - The region in the credential scope must be `auto` (R2 also accepts `us-east-1` and an
//!   empty region), the service `s3`.
//!
//! A wrong secret answers 403 `SignatureDoesNotMatch`; an unknown key 403
//! `InvalidAccessKeyId`; no signature 403 `AccessDenied`; a header-signed request more than
//! 15 minutes off the clock 403 `RequestTimeTooSkewed`; an expired pre-signed URL 403
//! `AccessDenied` ("Request has expired").

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PercentEncodingMode, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use bucket_admin_core::Jurisdiction;
use bucket_admin_core::preflight::{PreflightOutcome, PreflightRequest, evaluate};
use http::{HeaderValue, Method, StatusCode};

use crate::server::{Body, Req, Response, Shared};
use crate::state::StoredObject;

/// The longest a pre-signed URL may be valid (seven days, as S3).
const MAX_EXPIRES: u64 = 604_800;
/// How far a header-signed request's time may be from the server's.
const MAX_SKEW: u64 = 15 * 60;

/// A request's signature, as sent.
#[derive(Debug)]
struct Auth {
    key_id: String,
    scope_date: String,
    region: String,
    service: String,
    signed_headers: Vec<String>,
    signature: String,
    amz_date: String,
    /// `Some(seconds)` for a pre-signed URL.
    expires: Option<u64>,
}

/// Why a request's signature is unusable.
type Refusal = (u16, &'static str, String);

fn parse_credential(credential: &str) -> Option<(String, String, String, String)> {
    let mut parts = credential.split('/');
    let key = parts.next()?.to_owned();
    let date = parts.next()?.to_owned();
    let region = parts.next()?.to_owned();
    let service = parts.next()?.to_owned();
    (parts.next()? == "aws4_request" && parts.next().is_none())
        .then_some((key, date, region, service))
}

fn malformed(what: &str) -> Refusal {
    (
        400,
        "AuthorizationHeaderMalformed",
        format!("The authorization is malformed: {what}."),
    )
}

/// The signature of the request: `Ok(None)` when it has none.
fn parse_auth(req: &Req) -> Result<Option<Auth>, Refusal> {
    if let Some(h) = req.header("authorization") {
        let rest = h
            .strip_prefix("AWS4-HMAC-SHA256 ")
            .ok_or_else(|| malformed("only AWS4-HMAC-SHA256 is supported"))?;
        let (mut credential, mut signed, mut signature) = (None, None, None);
        for part in rest.split(',') {
            let part = part.trim();
            if let Some(v) = part.strip_prefix("Credential=") {
                credential = Some(v);
            } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
                signed = Some(v);
            } else if let Some(v) = part.strip_prefix("Signature=") {
                signature = Some(v);
            }
        }
        let (Some(credential), Some(signed), Some(signature)) = (credential, signed, signature)
        else {
            return Err(malformed(
                "Credential, SignedHeaders and Signature are required",
            ));
        };
        let (key_id, scope_date, region, service) =
            parse_credential(credential).ok_or_else(|| {
                malformed("the Credential is not key/date/region/service/aws4_request")
            })?;
        let amz_date = req
            .header("x-amz-date")
            .ok_or_else(|| malformed("the x-amz-date header is missing"))?
            .to_owned();
        return Ok(Some(Auth {
            key_id,
            scope_date,
            region,
            service,
            signed_headers: signed.split(';').map(str::to_owned).collect(),
            signature: signature.to_owned(),
            amz_date,
            expires: None,
        }));
    }
    let q = req.query_pairs();
    let get = |name: &str| q.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let Some(signature) = get("X-Amz-Signature") else {
        return Ok(None);
    };
    let query_error = |what: &str| {
        (
            400,
            "AuthorizationQueryParametersError",
            format!("Query-string authentication requires {what}."),
        )
    };
    if get("X-Amz-Algorithm").as_deref() != Some("AWS4-HMAC-SHA256") {
        return Err(query_error("X-Amz-Algorithm=AWS4-HMAC-SHA256"));
    }
    let credential = get("X-Amz-Credential").ok_or_else(|| query_error("X-Amz-Credential"))?;
    let (key_id, scope_date, region, service) = parse_credential(&credential).ok_or_else(|| {
        query_error("an X-Amz-Credential of key/date/region/service/aws4_request")
    })?;
    let expires: u64 = get("X-Amz-Expires")
        .and_then(|e| e.parse().ok())
        .ok_or_else(|| query_error("X-Amz-Expires as a number of seconds"))?;
    if expires > MAX_EXPIRES {
        return Err(query_error("X-Amz-Expires of at most 604800 seconds"));
    }
    Ok(Some(Auth {
        key_id,
        scope_date,
        region,
        service,
        signed_headers: get("X-Amz-SignedHeaders")
            .ok_or_else(|| query_error("X-Amz-SignedHeaders"))?
            .split(';')
            .map(str::to_owned)
            .collect(),
        signature,
        amz_date: get("X-Amz-Date").ok_or_else(|| query_error("X-Amz-Date"))?,
        expires: Some(expires),
    }))
}

/// Whether the request names this emulator's key (checked on the head, before the body is
/// read; the signature itself is checked once the body is in).
pub(crate) fn names_our_key(sh: &Shared, req: &Req) -> bool {
    matches!(parse_auth(req), Ok(Some(a)) if a.key_id == sh.r2_s3.access_key_id)
}

fn parse_amz_date(s: &str) -> Option<SystemTime> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let t = time::PrimitiveDateTime::parse(s, format).ok()?.assume_utc();
    let secs = u64::try_from(t.unix_timestamp()).ok()?;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

/// Recomputes the request's signature with `aws-sigv4` and compares.
fn verify(sh: &Shared, req: &Req) -> Result<(), Refusal> {
    let Some(auth) = parse_auth(req)? else {
        return Err((403, "AccessDenied", "Access Denied".into()));
    };
    if auth.key_id != sh.r2_s3.access_key_id {
        return Err((
            403,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.".into(),
        ));
    }
    if !matches!(auth.region.as_str(), "auto" | "us-east-1" | "") {
        return Err(malformed(&format!(
            "region '{}' is wrong; expecting 'auto'",
            auth.region
        )));
    }
    if auth.service != "s3" {
        return Err(malformed("the service must be 's3'"));
    }
    let time = parse_amz_date(&auth.amz_date)
        .filter(|_| auth.amz_date.get(..8) == Some(auth.scope_date.as_str()))
        .ok_or_else(|| malformed("X-Amz-Date must be YYYYMMDDTHHMMSSZ of the credential's date"))?;
    let now = sh.now();
    match auth.expires {
        Some(expires) => {
            if now > time + Duration::from_secs(expires) {
                return Err((403, "AccessDenied", "Request has expired".into()));
            }
        }
        None => {
            let skew = now
                .duration_since(time)
                .or_else(|_| time.duration_since(now))
                .unwrap_or_default();
            if skew.as_secs() > MAX_SKEW {
                return Err((
                    403,
                    "RequestTimeTooSkewed",
                    "The difference between the request time and the current time is too large."
                        .into(),
                ));
            }
        }
    }
    let host = req.header("host").unwrap_or_default();
    let query = match auth.expires {
        // The signing adds the X-Amz-* parameters back itself.
        Some(_) => req
            .query
            .split('&')
            .filter(|p| {
                let name = p.split('=').next().unwrap_or_default();
                !matches!(
                    name,
                    "X-Amz-Algorithm"
                        | "X-Amz-Credential"
                        | "X-Amz-Date"
                        | "X-Amz-Expires"
                        | "X-Amz-SignedHeaders"
                        | "X-Amz-Signature"
                        | "X-Amz-Security-Token"
                )
            })
            .collect::<Vec<_>>()
            .join("&"),
        None => req.query.clone(),
    };
    let url = if query.is_empty() {
        format!("http://{host}{}", req.path)
    } else {
        format!("http://{host}{}?{query}", req.path)
    };
    let headers: Vec<(String, String)> = auth
        .signed_headers
        .iter()
        .map(|name| {
            let values: Vec<&str> = req
                .headers
                .get_all(name.as_str())
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            (name.clone(), values.join(","))
        })
        .collect();
    let body = match (auth.expires, req.header("x-amz-content-sha256")) {
        (Some(_), _) | (None, Some("UNSIGNED-PAYLOAD")) => SignableBody::UnsignedPayload,
        (None, Some(h)) if h.starts_with("STREAMING-") => {
            return Err((
                501,
                "NotImplemented",
                "Streaming (chunked) signatures are not supported by the emulator.".into(),
            ));
        }
        // The hash of what arrived, so a body that does not match its signed hash fails.
        _ => SignableBody::Bytes(&req.body),
    };
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    if let Some(expires) = auth.expires {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(expires));
    }
    let identity = Credentials::new(
        sh.r2_s3.access_key_id.clone(),
        sh.r2_s3.secret_access_key.clone(),
        None,
        None,
        "emulator",
    )
    .into();
    let internal = |e: String| (500, "InternalError", e);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&auth.region)
        .name("s3")
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| internal(e.to_string()))?
        .into();
    let signable = SignableRequest::new(
        req.method.as_str(),
        url.as_str(),
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        body,
    )
    .map_err(|_| malformed("the request cannot be put in canonical form"))?;
    let expected = sign(signable, &params)
        .map_err(|_| malformed("the request cannot be put in canonical form"))?
        .signature()
        .to_owned();
    let same = expected.len() == auth.signature.len()
        && expected
            .bytes()
            .zip(auth.signature.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return Err((
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your secret access key and signing method."
                .into(),
        ));
    }
    Ok(())
}

fn xml(status: u16, body: String) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/xml"));
    resp.headers_mut()
        .insert("server", HeaderValue::from_static("cloudflare"));
    resp
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An S3 error document.
pub(crate) fn error(status: u16, code: &str, message: &str) -> Response {
    xml(
        status,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{}</Message></Error>",
            escape(message)
        ),
    )
}

fn empty(status: u16) -> Response {
    let mut resp = xml(status, String::new());
    resp.headers_mut().remove("content-type");
    resp
}

/// The jurisdiction named by an `<account>.<jurisdiction>.r2.cloudflarestorage.com` host.
fn jurisdiction(req: &Req) -> Jurisdiction {
    let host = req
        .header("host")
        .unwrap_or_default()
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    host.strip_suffix(".r2.cloudflarestorage.com")
        .and_then(|h| h.split('.').nth(1))
        .and_then(|j| j.parse().ok())
        .unwrap_or(Jurisdiction::Default)
}

/// Handle one request on the R2 S3 port (the body has been read when the key was ours).
pub(crate) fn handle(sh: &Shared, req: &Req, too_large: bool) -> Response {
    let j = jurisdiction(req);
    let path = req.path.strip_prefix('/').unwrap_or(&req.path);
    let (bucket, key) = match path.split_once('/') {
        Some((b, k)) => (b.to_owned(), crate::server::percent_decode(k)),
        None => (path.to_owned(), String::new()),
    };
    if bucket.is_empty() {
        if let Err((status, code, message)) = verify(sh, req) {
            return error(status, code, &message);
        }
        return error(
            501,
            "NotImplemented",
            "ListBuckets is not served by the emulator's R2 S3 endpoint; use the R2 REST API.",
        );
    }
    let Some(cors) = sh.store.read(|s| {
        s.r2.get(&j)
            .and_then(|m| m.get(&bucket))
            .map(|b| b.cors.clone())
    }) else {
        let mut resp = error(404, "NoSuchBucket", "The specified bucket does not exist.");
        if req.method == Method::HEAD {
            *resp.body_mut() = Body::empty();
        }
        return resp;
    };
    if req.method == Method::OPTIONS {
        let pre = PreflightRequest::new(
            req.header("origin").unwrap_or_default(),
            req.header("access-control-request-method")
                .unwrap_or_default(),
        )
        .with_headers(req.header("access-control-request-headers"));
        return match evaluate(cors.as_ref(), &pre) {
            PreflightOutcome::Allowed(a) => {
                let mut resp = empty(200);
                let headers: Vec<(&'static str, String)> = a
                    .response_headers()
                    .into_iter()
                    .chain([("Vary", "Origin".to_owned())])
                    .collect();
                crate::objects::add_headers(&mut resp, &headers);
                resp
            }
            // Denied, or an outcome the emulator does not know: fail closed.
            _ => error(
                403,
                "AccessDenied",
                "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
            ),
        };
    }
    let mut resp = match verify(sh, req) {
        Err((status, code, message)) => error(status, code, &message),
        Ok(()) if too_large => error(
            400,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed object size.",
        ),
        Ok(()) if key.is_empty() => bucket_level(sh, req, j, &bucket),
        Ok(()) => object(sh, req, j, &bucket, &key),
    };
    if req.method == Method::HEAD {
        *resp.body_mut() = Body::empty();
    }
    let headers =
        crate::objects::actual_cors(cors.as_ref(), req.header("origin"), req.method.as_str());
    crate::objects::add_headers(&mut resp, &headers);
    resp
}

fn bucket_level(sh: &Shared, req: &Req, j: Jurisdiction, bucket: &str) -> Response {
    if req.method == Method::HEAD {
        return empty(200);
    }
    let q = req.query_pairs();
    let get = |name: &str| q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if req.method != Method::GET || get("list-type") != Some("2") {
        return error(
            501,
            "NotImplemented",
            "The emulator's R2 S3 endpoint serves objects and ListObjectsV2 (list-type=2) only.",
        );
    }
    let prefix = get("prefix").unwrap_or_default().to_owned();
    let after = get("continuation-token")
        .or_else(|| get("start-after"))
        .unwrap_or_default()
        .to_owned();
    let max = get("max-keys")
        .and_then(|m| m.parse::<usize>().ok())
        .unwrap_or(1000)
        .min(1000);
    let body = sh.store.read(|s| {
        let objects = &s.r2.get(&j)?.get(bucket)?.objects;
        let (page, truncated) = crate::objects::page(objects, &prefix, &after, max);
        let mut out = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>{}</Name><Prefix>{}</Prefix><KeyCount>{}</KeyCount><MaxKeys>{max}</MaxKeys><IsTruncated>{truncated}</IsTruncated>",
            escape(bucket),
            escape(&prefix),
            page.len()
        );
        for (k, o) in &page {
            out += &format!(
                "<Contents><Key>{}</Key><LastModified>{}</LastModified><ETag>{}</ETag><Size>{}</Size><StorageClass>STANDARD</StorageClass></Contents>",
                escape(k),
                rfc3339(o),
                escape(&o.etag),
                o.data.len()
            );
        }
        if truncated && let Some((last, _)) = page.last() {
            out += &format!(
                "<NextContinuationToken>{}</NextContinuationToken>",
                escape(last)
            );
        }
        out += "</ListBucketResult>";
        Some(out)
    });
    match body {
        Some(b) => xml(200, b),
        None => error(404, "NoSuchBucket", "The specified bucket does not exist."),
    }
}

fn rfc3339(o: &StoredObject) -> String {
    time::OffsetDateTime::from_unix_timestamp(o.last_modified)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn object(sh: &Shared, req: &Req, j: Jurisdiction, bucket: &str, key: &str) -> Response {
    let m = &req.method;
    if *m == Method::PUT {
        let o = crate::objects::from_request(req, "x-amz-meta-", sh.now_unix());
        let etag = o.etag.clone();
        let budget = sh.limits.max_object_bytes;
        return match sh.store.write(|s| {
            let replaced =
                s.r2.get(&j)
                    .and_then(|m| m.get(bucket))
                    .and_then(|b| b.objects.get(key))
                    .map_or(0, |o| o.data.len());
            if s.object_bytes() - replaced + o.data.len() > budget {
                return Some(false);
            }
            s.r2.get_mut(&j)?
                .get_mut(bucket)?
                .objects
                .insert(key.to_owned(), o);
            Some(true)
        }) {
            Ok(Some(true)) => {
                let mut resp = empty(200);
                if let Ok(v) = HeaderValue::from_str(&etag) {
                    resp.headers_mut().insert("etag", v);
                }
                resp
            }
            Ok(Some(false)) => error(
                400,
                "EntityTooLarge",
                "The object exceeds the emulator's object storage budget (--max-object-bytes).",
            ),
            Ok(None) => error(404, "NoSuchBucket", "The specified bucket does not exist."),
            Err(e) => {
                tracing::error!(error = %e, "cannot persist emulator state; the change was rolled back");
                error(
                    500,
                    "InternalError",
                    "The emulator could not save its state.",
                )
            }
        };
    }
    if *m == Method::DELETE {
        return match sh.store.write(|s| {
            s.r2.get_mut(&j)
                .and_then(|m| m.get_mut(bucket))
                .map(|b| b.objects.remove(key))
        }) {
            Ok(_) => empty(204),
            Err(e) => {
                tracing::error!(error = %e, "cannot persist emulator state; the change was rolled back");
                error(
                    500,
                    "InternalError",
                    "The emulator could not save its state.",
                )
            }
        };
    }
    if *m != Method::GET && *m != Method::HEAD {
        return error(
            405,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
        );
    }
    let found = sh.store.read(|s| {
        s.r2.get(&j)
            .and_then(|m| m.get(bucket))
            .and_then(|b| b.objects.get(key))
            .cloned()
    });
    match found {
        Some(o) => {
            let mut resp = empty(200);
            if *m == Method::GET {
                *resp.body_mut() = Body::Full(Some(bytes::Bytes::from(o.data.clone())));
            }
            crate::objects::object_headers(&mut resp, &o);
            resp
        }
        None => error(404, "NoSuchKey", "The specified key does not exist."),
    }
}
