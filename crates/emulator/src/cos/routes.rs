//! COS request routing: host -> service or bucket, auth, then the operation.

use base64::Engine;
use bucket_admin_core::VersioningStatus;
use bucket_admin_core::preflight::{PreflightOutcome, PreflightRequest, evaluate};
use http::{HeaderValue, Method};
use md5::{Digest, Md5};

use super::auth::{self, AuthError, KeyEntry, SignedRequest};
use super::xml::{self, BodyError};
use super::{Target, empty, error, error_with, parse_host, xml_response};
use crate::server::{Req, Response, Shared, percent_decode};
use crate::state::CosBucket;

const CORS_DENIED: &str = "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Requet-Headers are not whitelisted by the resource's CORS spec";
/// COS refuses CORS bodies above 64 KB.
const MAX_CORS_BODY: usize = 64 * 1024;

const SUBRESOURCES: [&str; 5] = ["cors", "lifecycle", "versioning", "replication", "policy"];

/// Bucket sub-resources COS has and the emulator does not implement. They answer 501 rather
/// than falling through to create-bucket (PUT) or the object listing (GET), which would hand
/// an SDK a well-formed answer to a question it did not ask.
const UNIMPLEMENTED_SUBRESOURCES: [&str; 16] = [
    "acl",
    "location",
    "tagging",
    "website",
    "logging",
    "inventory",
    "domain",
    "referer",
    "encryption",
    "accelerate",
    "intelligenttiering",
    "object-lock",
    "origin",
    "uploads",
    "versions",
    "notification",
];

/// Handle one COS request.
pub(crate) fn handle(sh: &Shared, req: &Req) -> Response {
    let host = req
        .header("host")
        .unwrap_or_default()
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let resp = route(sh, req);
    match parse_host(&host) {
        Some(target) => with_cors(sh, req, &target, resp),
        None => resp,
    }
}

fn route(sh: &Shared, req: &Req) -> Response {
    let host = req
        .header("host")
        .unwrap_or_default()
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let Some(target) = parse_host(&host) else {
        return error(
            sh,
            req,
            400,
            "InvalidURI",
            "The Host header does not name a COS endpoint (<bucket>-<appid>.cos.<region>.myqcloud.com or service.cos.myqcloud.com).",
        );
    };
    // Preflights are sent by browsers and are never signed.
    if req.method == Method::OPTIONS {
        return preflight(sh, req, &target);
    }
    if let Some(resp) = authenticate(sh, req) {
        return resp;
    }
    match target {
        Target::Service { region } => {
            if req.method == Method::GET && req.path == "/" {
                list_buckets(sh, req, region.as_deref())
            } else {
                error(
                    sh,
                    req,
                    405,
                    "MethodNotAllowed",
                    "The specified method is not allowed against this resource.",
                )
            }
        }
        Target::Bucket {
            full,
            appid,
            region,
        } => {
            // Host names are case-insensitive and COS lower-cases uppercase letters in a
            // bucket name on create (seed 004), so `MyBucket-…` and `mybucket-…` are one
            // bucket, stored in lower case.
            bucket_op(sh, req, &full, &appid, &region)
        }
    }
}

/// Every answer on a bucket host to a request with an `Origin` carries the CORS headers of
/// the bucket's first rule matching origin and method, and none when no rule matches.
fn with_cors(sh: &Shared, req: &Req, target: &Target, mut resp: Response) -> Response {
    if let Target::Bucket { full, region, .. } = target
        && req.method != Method::OPTIONS
        && let Some(origin) = req.header("origin")
    {
        let cors = sh.store.read(|s| {
            s.cos
                .get(full)
                .filter(|b| &b.region == region)
                .and_then(|b| b.cors.clone())
        });
        let headers = crate::objects::actual_cors(cors.as_ref(), Some(origin), req.method.as_str());
        crate::objects::add_headers(&mut resp, &headers);
    }
    resp
}

/// Whether the request is one COS limits to 50 QPS per APPID: list buckets (GET Service),
/// create bucket or delete bucket.
pub(crate) fn is_bucket_management(req: &Req) -> bool {
    let host = req.header("host").unwrap_or_default().to_ascii_lowercase();
    let host = host.split(':').next().unwrap_or_default();
    let no_subresource = || {
        !req.query_pairs().iter().any(|(k, _)| {
            SUBRESOURCES.contains(&k.as_str()) || UNIMPLEMENTED_SUBRESOURCES.contains(&k.as_str())
        })
    };
    match parse_host(host) {
        Some(Target::Service { .. }) => req.method == Method::GET,
        Some(Target::Bucket { .. }) => {
            req.path == "/"
                && (req.method == Method::PUT || req.method == Method::DELETE)
                && no_subresource()
        }
        None => false,
    }
}

/// Whether the request head is correctly signed (the body is not needed: COS signs the
/// method, path, listed query parameters and headers). Preflights are never signed.
pub(crate) fn is_authenticated(sh: &Shared, req: &Req) -> bool {
    req.method != Method::OPTIONS && authenticate(sh, req).is_none()
}

/// `Some(error response)` when the request is not correctly signed.
fn authenticate(sh: &Shared, req: &Req) -> Option<Response> {
    let decoded_path = percent_decode(&req.path);
    let query = req.query_pairs();
    let headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut keys = vec![KeyEntry {
        secret_id: &sh.cos.secret_id,
        secret_key: &sh.cos.secret_key,
        token: None,
    }];
    if let Some(t) = &sh.cos_temp {
        keys.push(KeyEntry {
            secret_id: &t.secret_id,
            secret_key: &t.secret_key,
            token: Some(&t.token),
        });
    }
    let signed = SignedRequest {
        method: req.method.as_str(),
        decoded_path: &decoded_path,
        query: &query,
        headers: &headers,
    };
    let mut e = auth::verify(&signed, &keys, sh.now_unix()).err()?;
    // A browser sends the emulator's port in `Host`; a URL pre-signed for the service's own
    // host (no port) is still the same request, so it is checked once more without the port.
    if matches!(e, AuthError::Mismatch { .. })
        && let Some(host) = req.header("host")
        && let Some((bare, _port)) = host.rsplit_once(':')
    {
        let without_port: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| {
                if k.eq_ignore_ascii_case("host") {
                    (k.clone(), bare.to_owned())
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect();
        let retry = SignedRequest {
            headers: &without_port,
            ..signed
        };
        match auth::verify(&retry, &keys, sh.now_unix()) {
            Ok(()) => return None,
            Err(_) => e = auth::verify(&signed, &keys, sh.now_unix()).err()?,
        }
    }
    Some(match e {
        AuthError::Missing => error(sh, req, 403, "AccessDenied", "Access Denied."),
        AuthError::Malformed(why) => error(
            sh,
            req,
            403,
            "AccessDenied",
            &format!("The Authorization header is malformed: {why}."),
        ),
        AuthError::UnknownKey => error(
            sh,
            req,
            403,
            "InvalidAccessKeyId",
            "The Access Key Id you provided does not exist in our records.",
        ),
        AuthError::MissingToken => error(
            sh,
            req,
            403,
            "AccessDenied",
            "Request has no x-cos-security-token but uses a temporary SecretId.",
        ),
        AuthError::BadToken => error(
            sh,
            req,
            403,
            "InvalidToken",
            "The provided token is malformed or otherwise invalid.",
        ),
        AuthError::Expired => error(sh, req, 403, "AccessDenied", "Request has expired"),
        AuthError::Skewed => error(
            sh,
            req,
            403,
            "RequestTimeTooSkewed",
            "The difference between the request time and the server's time is too large.",
        ),
        AuthError::HostNotSigned => error(
            sh,
            req,
            403,
            "AccessDenied",
            "The host header must be signed (q-header-list).",
        ),
        AuthError::Mismatch {
            string_to_sign,
            format_string,
        } => error_with(
            sh,
            req,
            403,
            "SignatureDoesNotMatch",
            "The Signature you specified is invalid.",
            &[
                ("StringToSign", &string_to_sign),
                ("FormatString", &format_string),
            ],
        ),
    })
}

fn bad_body(sh: &Shared, req: &Req, e: BodyError) -> Response {
    error(sh, req, 400, e.code, &e.message)
}

/// `Content-MD5`, when sent, must match the body; `Some(error response)` when it does not.
fn check_md5(sh: &Shared, req: &Req) -> Option<Response> {
    let sent = req.header("content-md5")?;
    let actual = base64::engine::general_purpose::STANDARD.encode(Md5::digest(&req.body));
    if sent.trim() == actual {
        None
    } else {
        Some(error(
            sh,
            req,
            400,
            "InvalidDigest",
            "The Content-MD5 you specified is not valid.",
        ))
    }
}

fn list_buckets(sh: &Shared, req: &Req, host_region: Option<&str>) -> Response {
    let q = req.query_pairs();
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let marker = get("marker").unwrap_or("");
    let max_keys = match get("max-keys").filter(|s| !s.is_empty()) {
        None => 2000,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=2000).contains(&n) => n,
            _ => {
                return error(
                    sh,
                    req,
                    400,
                    "InvalidArgument",
                    "max-keys must be an integer between 1 and 2000.",
                );
            }
        },
    };
    let region = get("region").filter(|s| !s.is_empty()).or(host_region);
    let tag = get("tagkey")
        .filter(|s| !s.is_empty())
        .map(|k| (k, get("tagvalue").unwrap_or("")));
    let created_filter = match (get("create-time").filter(|s| !s.is_empty()), get("range")) {
        (Some(t), range) => match t.parse::<i64>() {
            Ok(t) => Some((t, range.unwrap_or("gt").to_owned())),
            Err(_) => {
                return error(
                    sh,
                    req,
                    400,
                    "InvalidArgument",
                    "create-time must be Unix seconds.",
                );
            }
        },
        (None, _) => None,
    };
    let buckets: Vec<CosBucket> = sh.store.read(|s| s.cos.values().cloned().collect());
    let matching: Vec<&CosBucket> = buckets
        .iter()
        .filter(|b| region.is_none_or(|r| b.region == r))
        .filter(|b| tag.is_none_or(|(k, v)| b.tags.iter().any(|(tk, tv)| tk == k && tv == v)))
        .filter(|b| match &created_filter {
            None => true,
            Some((t, range)) => match range.as_str() {
                "lt" => b.created < *t,
                "lte" => b.created <= *t,
                "gte" => b.created >= *t,
                _ => b.created > *t,
            },
        })
        .filter(|b| marker.is_empty() || b.name.as_str() > marker)
        .collect();
    let max_keys = sh
        .limits
        .max_page_size
        .map_or(max_keys, |cap| max_keys.min(cap.max(1)));
    let truncated = matching.len() > max_keys;
    let page = &matching[..matching.len().min(max_keys)];
    let uin = &sh.cos.owner_uin;
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyBucketsResult>\n\t<Owner>\n\t\t<ID>qcs::cam::uin/{uin}:uin/{uin}</ID>\n\t\t<DisplayName>{uin}</DisplayName>\n\t</Owner>\n"
    );
    if page.is_empty() {
        s += "\t<Buckets/>\n";
    } else {
        s += "\t<Buckets>\n";
        for b in page {
            let created = time::OffsetDateTime::from_unix_timestamp(b.created)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
            s += &format!(
                "\t\t<Bucket>\n\t\t\t<Name>{}</Name>\n\t\t\t<Location>{}</Location>\n\t\t\t<CreationDate>{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z</CreationDate>\n\t\t\t<BucketType>{}</BucketType>\n\t\t</Bucket>\n",
                quick_xml::escape::escape(b.name.as_str()),
                quick_xml::escape::escape(b.region.as_str()),
                created.year(),
                u8::from(created.month()),
                created.day(),
                created.hour(),
                created.minute(),
                created.second(),
                if b.arch.is_some() { "ofs" } else { "cos" }
            );
        }
        s += "\t</Buckets>\n";
    }
    let next = if truncated {
        page.last().map(|b| b.name.as_str()).unwrap_or("")
    } else {
        ""
    };
    s += &format!(
        "\t<Marker>{}</Marker>\n\t<NextMarker>{}</NextMarker>\n\t<IsTruncated>{truncated}</IsTruncated>\n</ListAllMyBucketsResult>",
        quick_xml::escape::escape(marker),
        quick_xml::escape::escape(next)
    );
    xml_response(sh, 200, s)
}

fn valid_bucket_name(full: &str, appid: &str) -> Result<(), (&'static str, &'static str)> {
    let name = &full[..full.len() - appid.len() - 1];
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !appid.is_empty()
        && appid.bytes().all(|b| b.is_ascii_digit());
    if !ok {
        return Err(("InvalidBucketName", "The specified bucket is not valid."));
    }
    if full.len() > 50 {
        return Err((
            "BucketNameTooLong",
            "The specified bucket name is too long (BucketName-APPID is at most 50 characters).",
        ));
    }
    Ok(())
}

fn subresource(req: &Req) -> Result<Option<&'static str>, String> {
    let q = req.query_pairs();
    let found: Vec<&'static str> = SUBRESOURCES
        .iter()
        .copied()
        .filter(|s| q.iter().any(|(k, _)| k == s))
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => Err("only one sub-resource may be addressed per request".into()),
    }
}

fn bucket_op(sh: &Shared, req: &Req, full: &str, appid: &str, region: &str) -> Response {
    if req.path != "/" {
        return object_op(sh, req, full, appid, region);
    }
    let sub = match subresource(req) {
        Ok(s) => s,
        Err(m) => return error(sh, req, 400, "InvalidArgument", &m),
    };
    let query = req.query_pairs();
    if let Some(other) = UNIMPLEMENTED_SUBRESOURCES
        .iter()
        .find(|name| query.iter().any(|(k, _)| k == *name))
    {
        return error(
            sh,
            req,
            501,
            "NotImplemented",
            &format!("The emulator does not implement the `{other}` sub-resource."),
        );
    }
    if appid != sh.cos.appid {
        return error(sh, req, 403, "AccessDenied", "Access Denied.");
    }
    if req.method == Method::PUT && sub.is_none() {
        return create_bucket(sh, req, full, appid, region);
    }
    // Every other operation needs the bucket, in the region the host names.
    let exists = sh
        .store
        .read(|s| s.cos.get(full).map(|b| b.region == region));
    if exists != Some(true) {
        return error(
            sh,
            req,
            404,
            "NoSuchBucket",
            "The specified bucket does not exist.",
        );
    }
    let m = &req.method;
    match sub {
        None if *m == Method::HEAD => head_bucket(sh, full),
        None if *m == Method::DELETE => delete_bucket(sh, req, full),
        None if *m == Method::GET => list_objects(sh, req, full),
        Some("cors") => cors(sh, req, full),
        Some("lifecycle") => lifecycle(sh, req, full),
        Some("versioning") => versioning(sh, req, full),
        Some("replication") => replication(sh, req, full),
        Some("policy") => policy(sh, req, full),
        _ => not_allowed(sh, req),
    }
}

fn not_allowed(sh: &Shared, req: &Req) -> Response {
    error(
        sh,
        req,
        405,
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
    )
}

fn create_bucket(sh: &Shared, req: &Req, full: &str, appid: &str, region: &str) -> Response {
    if let Err((code, msg)) = valid_bucket_name(full, appid) {
        return error(sh, req, 400, code, msg);
    }
    if let Some(r) = check_md5(sh, req) {
        return r;
    }
    let (maz, arch) = match xml::parse_create(&req.body) {
        Ok(v) => v,
        Err(e) => return bad_body(sh, req, e),
    };
    let acl = req
        .header("x-cos-acl")
        .unwrap_or("private")
        .trim()
        .to_owned();
    if ![
        "private",
        "public-read",
        "public-read-write",
        "authenticated-read",
    ]
    .contains(&acl.as_str())
    {
        return error(sh, req, 400, "InvalidArgument", "x-cos-acl is invalid.");
    }
    let grants: Vec<(String, String)> = req
        .headers
        .iter()
        .filter_map(|(k, v)| {
            let kind = k.as_str().strip_prefix("x-cos-grant-")?;
            Some((
                kind.to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            ))
        })
        .collect();
    for (kind, _) in &grants {
        if !["read", "write", "read-acp", "write-acp", "full-control"].contains(&kind.as_str()) {
            return error(
                sh,
                req,
                400,
                "InvalidArgument",
                &format!("x-cos-grant-{kind} is not a grant header."),
            );
        }
    }
    let tags = crate::server::decode_query(req.header("x-cos-tagging").unwrap_or(""));
    if tags.len() > 50 || tags.iter().any(|(k, _)| k.is_empty()) {
        return error(
            sh,
            req,
            400,
            "InvalidTag",
            "x-cos-tagging holds an invalid tag set.",
        );
    }
    let now = sh.now_unix();
    let outcome = match sh.store.write(|s| {
        if let Some(b) = s.cos.get(full) {
            return Err(b.region == region);
        }
        if s.cos.len() >= sh.limits.cos_max_buckets {
            return Ok(false);
        }
        s.cos.insert(
            full.to_owned(),
            CosBucket {
                name: full.to_owned(),
                region: region.to_owned(),
                created: now,
                acl,
                grants,
                tags,
                az_type: if maz { "MAZ" } else { "SAZ" }.to_owned(),
                arch,
                cors: None,
                lifecycle: None,
                versioning: VersioningStatus::Unversioned,
                replication: None,
                policy: None,
                objects: Default::default(),
            },
        );
        Ok(true)
    }) {
        Ok(v) => v,
        Err(e) => return super::persist_failed(sh, req, &e),
    };
    match outcome {
        Ok(true) => empty(sh, 200),
        Ok(false) => error(
            sh,
            req,
            400,
            "TooManyBuckets",
            "You have attempted to create more buckets than allowed.",
        ),
        Err(true) => error(
            sh,
            req,
            409,
            "BucketAlreadyOwnedByYou",
            "Your previous request to create the named bucket succeeded and you already own it.",
        ),
        Err(false) => error(
            sh,
            req,
            409,
            "BucketAlreadyExists",
            "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
        ),
    }
}

fn head_bucket(sh: &Shared, full: &str) -> Response {
    let b = sh.store.read(|s| s.cos.get(full).cloned());
    let mut resp = empty(sh, 200);
    if let Some(b) = b {
        let h = resp.headers_mut();
        for (k, v) in [
            ("x-cos-bucket-region", Some(b.region.as_str())),
            ("x-cos-bucket-az-type", Some(b.az_type.as_str())),
            // The same type list buckets reports (`cos` / `ofs`), in COS's header casing.
            (
                "x-cos-bucket-arch",
                Some(if b.arch.is_some() { "OFS" } else { "COS" }),
            ),
        ] {
            if let Some(v) = v.and_then(|v| HeaderValue::from_str(v).ok()) {
                h.insert(k, v);
            }
        }
    }
    resp
}

fn delete_bucket(sh: &Shared, req: &Req, full: &str) -> Response {
    let r = match sh.store.write(|s| match s.cos.get(full) {
        Some(b) if !b.objects.is_empty() => false,
        _ => {
            s.cos.remove(full);
            true
        }
    }) {
        Ok(v) => v,
        Err(e) => return super::persist_failed(sh, req, &e),
    };
    if r {
        empty(sh, 204)
    } else {
        error(
            sh,
            req,
            409,
            "BucketNotEmpty",
            "The bucket you tried to delete is not empty.",
        )
    }
}

/// COS's `<LastModified>`: ISO 8601 with milliseconds, UTC.
fn iso_time(unix: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// GET Bucket (list objects): `prefix`, `marker`, `max-keys` (1..=1000, default 1000) and
/// `encoding-type=url`; keys in UTF-8 binary order, like COS. `delimiter` is not supported.
fn list_objects(sh: &Shared, req: &Req, full: &str) -> Response {
    let q = req.query_pairs();
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let prefix = get("prefix").unwrap_or("");
    let marker = get("marker").unwrap_or("");
    let max_keys = match get("max-keys").filter(|s| !s.is_empty()) {
        None => 1000,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if n <= 1000 => n,
            _ => {
                return error(
                    sh,
                    req,
                    400,
                    "InvalidArgument",
                    "max-keys must be an integer between 0 and 1000.",
                );
            }
        },
    };
    if get("delimiter").is_some_and(|d| !d.is_empty()) {
        return error(
            sh,
            req,
            501,
            "NotImplemented",
            "The emulator does not implement `delimiter` in list objects.",
        );
    }
    let url = match get("encoding-type") {
        None | Some("") => false,
        Some("url") => true,
        Some(_) => {
            return error(
                sh,
                req,
                400,
                "InvalidArgument",
                "encoding-type must be `url`.",
            );
        }
    };
    let enc = |s: &str| {
        if url {
            auth::encode(s).replace("%2F", "/")
        } else {
            quick_xml::escape::escape(s).into_owned()
        }
    };
    let max = sh
        .limits
        .max_page_size
        .map_or(max_keys, |cap| max_keys.min(cap.max(1)));
    let uin = sh.cos.owner_uin.clone();
    let body = sh.store.read(|s| {
        let objects = s.cos.get(full).map(|b| &b.objects);
        let empty = Default::default();
        let (page, truncated) =
            crate::objects::page(objects.unwrap_or(&empty), prefix, marker, max);
        let mut x = format!(
            "<?xml version='1.0' encoding='utf-8' ?>\n<ListBucketResult>\n\t<Name>{}</Name>\n",
            quick_xml::escape::escape(full)
        );
        if url {
            x += "\t<EncodingType>url</EncodingType>\n";
        }
        x += &format!(
            "\t<Prefix>{}</Prefix>\n\t<Marker>{}</Marker>\n\t<MaxKeys>{max_keys}</MaxKeys>\n\t<IsTruncated>{truncated}</IsTruncated>\n",
            enc(prefix),
            enc(marker)
        );
        if truncated && let Some((last, _)) = page.last() {
            x += &format!("\t<NextMarker>{}</NextMarker>\n", enc(last));
        }
        for (key, o) in &page {
            x += &format!(
                "\t<Contents>\n\t\t<Key>{}</Key>\n\t\t<LastModified>{}</LastModified>\n\t\t<ETag>{}</ETag>\n\t\t<Size>{}</Size>\n\t\t<Owner>\n\t\t\t<ID>{uin}</ID>\n\t\t\t<DisplayName>{uin}</DisplayName>\n\t\t</Owner>\n\t\t<StorageClass>STANDARD</StorageClass>\n\t</Contents>\n",
                enc(key),
                iso_time(o.last_modified),
                quick_xml::escape::escape(&o.etag),
                o.data.len()
            );
        }
        x += "</ListBucketResult>";
        x
    });
    xml_response(sh, 200, body)
}

/// PUT/GET/HEAD/DELETE Object on `/<key>`.
fn object_op(sh: &Shared, req: &Req, full: &str, appid: &str, region: &str) -> Response {
    let query = req.query_pairs();
    if let Some(other) = SUBRESOURCES
        .iter()
        .chain(UNIMPLEMENTED_SUBRESOURCES.iter())
        .chain(["acl", "tagging", "restore", "uploads", "uploadId"].iter())
        .find(|name| query.iter().any(|(k, _)| k == *name))
    {
        return error(
            sh,
            req,
            501,
            "NotImplemented",
            &format!("The emulator does not implement the object `{other}` sub-resource."),
        );
    }
    if appid != sh.cos.appid {
        return error(sh, req, 403, "AccessDenied", "Access Denied.");
    }
    let exists = sh
        .store
        .read(|s| s.cos.get(full).map(|b| b.region == region));
    if exists != Some(true) {
        return error(
            sh,
            req,
            404,
            "NoSuchBucket",
            "The specified bucket does not exist.",
        );
    }
    let key = percent_decode(&req.path[1..]);
    if key.len() > 850 {
        return error(sh, req, 400, "KeyTooLong", "Your key is too long.");
    }
    let m = &req.method;
    if *m == Method::PUT {
        if let Some(r) = check_md5(sh, req) {
            return r;
        }
        let object = crate::objects::from_request(req, "x-cos-meta-", sh.now_unix());
        let etag = object.etag.clone();
        let budget = sh.limits.max_object_bytes;
        let stored = match sh.store.write(|s| {
            let replaced = s
                .cos
                .get(full)
                .and_then(|b| b.objects.get(&key))
                .map_or(0, |o| o.data.len());
            if s.object_bytes() - replaced + object.data.len() > budget {
                return false;
            }
            if let Some(b) = s.cos.get_mut(full) {
                b.objects.insert(key.clone(), object);
            }
            true
        }) {
            Ok(v) => v,
            Err(e) => return super::persist_failed(sh, req, &e),
        };
        if !stored {
            return error(
                sh,
                req,
                400,
                "EntityTooLarge",
                "Your proposed upload exceeds the emulator's object storage budget (--max-object-bytes).",
            );
        }
        let mut resp = empty(sh, 200);
        if let Ok(v) = HeaderValue::from_str(&etag) {
            resp.headers_mut().insert("etag", v);
        }
        return resp;
    }
    if *m == Method::DELETE {
        if let Err(e) = sh.store.write(|s| {
            if let Some(b) = s.cos.get_mut(full) {
                b.objects.remove(&key);
            }
        }) {
            return super::persist_failed(sh, req, &e);
        }
        return empty(sh, 204);
    }
    if *m != Method::GET && *m != Method::HEAD {
        return not_allowed(sh, req);
    }
    let Some(o) = sh
        .store
        .read(|s| s.cos.get(full).and_then(|b| b.objects.get(&key)).cloned())
    else {
        return error(
            sh,
            req,
            404,
            "NoSuchKey",
            "The specified key does not exist.",
        );
    };
    let mut resp = if *m == Method::HEAD {
        empty(sh, 200)
    } else {
        super::response_bytes(sh, 200, o.data.clone())
    };
    crate::objects::object_headers(&mut resp, &o);
    resp
}

/// Shared GET/PUT/DELETE of an optional XML sub-resource.
fn xml_subresource<T: Clone>(
    sh: &Shared,
    req: &Req,
    full: &str,
    slot: fn(&mut CosBucket) -> &mut Option<T>,
    parse: fn(&[u8]) -> Result<T, BodyError>,
    render: fn(&T) -> String,
    missing: (&str, &str),
) -> Response {
    match req.method {
        Method::GET => {
            let v = sh
                .store
                .read(|s| s.cos.get(full).cloned())
                .and_then(|mut b| slot(&mut b).clone());
            match v {
                Some(v) => xml_response(sh, 200, render(&v)),
                None => error(sh, req, 404, missing.0, missing.1),
            }
        }
        Method::PUT => {
            if let Some(r) = check_md5(sh, req) {
                return r;
            }
            let v = match parse(&req.body) {
                Ok(v) => v,
                Err(e) => return bad_body(sh, req, e),
            };
            if let Err(e) = sh.store.write(|s| {
                if let Some(b) = s.cos.get_mut(full) {
                    *slot(b) = Some(v);
                }
            }) {
                return super::persist_failed(sh, req, &e);
            }
            empty(sh, 200)
        }
        Method::DELETE => {
            if let Err(e) = sh.store.write(|s| {
                if let Some(b) = s.cos.get_mut(full) {
                    *slot(b) = None;
                }
            }) {
                return super::persist_failed(sh, req, &e);
            }
            empty(sh, 204)
        }
        _ => not_allowed(sh, req),
    }
}

fn cors(sh: &Shared, req: &Req, full: &str) -> Response {
    if req.method == Method::PUT && req.body.len() > MAX_CORS_BODY {
        return error(
            sh,
            req,
            400,
            "EntityTooLarge",
            "The CORS configuration is larger than 64 KB.",
        );
    }
    xml_subresource(
        sh,
        req,
        full,
        |b| &mut b.cors,
        xml::parse_cors,
        xml::render_cors,
        (
            "NoSuchCORSConfiguration",
            "The CORS configuration does not exist.",
        ),
    )
}

fn lifecycle(sh: &Shared, req: &Req, full: &str) -> Response {
    xml_subresource(
        sh,
        req,
        full,
        |b| &mut b.lifecycle,
        xml::parse_lifecycle,
        xml::render_lifecycle,
        (
            "NoSuchLifecycleConfiguration",
            "The lifecycle configuration does not exist.",
        ),
    )
}

fn replication(sh: &Shared, req: &Req, full: &str) -> Response {
    if req.method == Method::PUT {
        let versioning = sh.store.read(|s| s.cos.get(full).map(|b| b.versioning));
        if versioning != Some(VersioningStatus::Enabled) {
            if let Some(r) = check_md5(sh, req) {
                return r;
            }
            return error(
                sh,
                req,
                400,
                "InvalidRequest",
                "Versioning must be 'Enabled' on the bucket to apply a replication configuration.",
            );
        }
    }
    xml_subresource(
        sh,
        req,
        full,
        |b| &mut b.replication,
        xml::parse_replication,
        xml::render_replication,
        (
            "ReplicationConfigurationnotFoundError",
            "The replication configuration was not found.",
        ),
    )
}

fn versioning(sh: &Shared, req: &Req, full: &str) -> Response {
    match req.method {
        Method::GET => {
            let v = sh.store.read(|s| s.cos.get(full).map(|b| b.versioning));
            let body = match v.unwrap_or_default() {
                VersioningStatus::Unversioned => {
                    "<?xml version='1.0' encoding='utf-8' ?>\n<VersioningConfiguration/>".to_owned()
                }
                st => format!(
                    "<?xml version='1.0' encoding='utf-8' ?>\n<VersioningConfiguration>\n\t<Status>{}</Status>\n</VersioningConfiguration>",
                    if st == VersioningStatus::Enabled {
                        "Enabled"
                    } else {
                        "Suspended"
                    }
                ),
            };
            xml_response(sh, 200, body)
        }
        Method::PUT => {
            if let Some(r) = check_md5(sh, req) {
                return r;
            }
            let enabled = match xml::parse_versioning(&req.body) {
                Ok(v) => v,
                Err(e) => return bad_body(sh, req, e),
            };
            if let Err(e) = sh.store.write(|s| {
                if let Some(b) = s.cos.get_mut(full) {
                    b.versioning = if enabled {
                        VersioningStatus::Enabled
                    } else {
                        VersioningStatus::Suspended
                    };
                }
            }) {
                return super::persist_failed(sh, req, &e);
            }
            empty(sh, 200)
        }
        _ => not_allowed(sh, req),
    }
}

fn policy(sh: &Shared, req: &Req, full: &str) -> Response {
    match req.method {
        Method::GET => match sh
            .store
            .read(|s| s.cos.get(full).and_then(|b| b.policy.clone()))
        {
            Some(p) => super::response(sh, 200, Some("application/json"), p),
            None => error(
                sh,
                req,
                404,
                "NoSuchBucketPolicy",
                "The specified bucket does not have a bucket policy.",
            ),
        },
        Method::PUT => {
            if let Some(r) = check_md5(sh, req) {
                return r;
            }
            let ok = serde_json::from_slice::<serde_json::Value>(&req.body)
                .ok()
                .and_then(|v| {
                    let st = v.get("Statement")?.as_array()?;
                    (!st.is_empty()
                        && st.iter().all(|s| {
                            s.get("Effect").is_some()
                                && s.get("Action").is_some()
                                && s.get("Resource").is_some()
                        }))
                    .then_some(())
                })
                .is_some();
            if !ok {
                return error(
                    sh,
                    req,
                    400,
                    "MalformedPolicy",
                    "The policy is not valid JSON or misses Statement/Effect/Action/Resource.",
                );
            }
            let text = String::from_utf8_lossy(&req.body).into_owned();
            if let Err(e) = sh.store.write(|s| {
                if let Some(b) = s.cos.get_mut(full) {
                    b.policy = Some(text);
                }
            }) {
                return super::persist_failed(sh, req, &e);
            }
            empty(sh, 204)
        }
        Method::DELETE => {
            if let Err(e) = sh.store.write(|s| {
                if let Some(b) = s.cos.get_mut(full) {
                    b.policy = None;
                }
            }) {
                return super::persist_failed(sh, req, &e);
            }
            empty(sh, 204)
        }
        _ => not_allowed(sh, req),
    }
}

fn preflight(sh: &Shared, req: &Req, target: &Target) -> Response {
    let Target::Bucket { full, region, .. } = target else {
        return error(sh, req, 403, "AccessForbidden", CORS_DENIED);
    };
    let Some(bucket) = sh
        .store
        .read(|s| s.cos.get(full).cloned())
        .filter(|b| &b.region == region)
    else {
        return error(
            sh,
            req,
            404,
            "NoSuchBucket",
            "The specified bucket does not exist.",
        );
    };
    let pre = PreflightRequest::new(
        req.header("origin").unwrap_or_default(),
        req.header("access-control-request-method")
            .unwrap_or_default(),
    )
    .with_headers(req.header("access-control-request-headers"));
    match evaluate(bucket.cors.as_ref(), &pre) {
        PreflightOutcome::Allowed(a) => {
            let mut resp = empty(sh, 200);
            let h = resp.headers_mut();
            for (k, v) in a.response_headers() {
                if let Ok(v) = HeaderValue::from_str(&v) {
                    h.insert(k, v);
                }
            }
            if bucket
                .cors
                .as_ref()
                .and_then(|c| c.extras.cos_response_vary)
                == Some(true)
            {
                h.insert(
                    "vary",
                    HeaderValue::from_static(
                        "Origin,Access-Control-Request-Method,Access-Control-Request-Headers",
                    ),
                );
            }
            resp
        }
        // Denied, or an outcome the emulator does not know: fail closed, as COS denies.
        _ => error(sh, req, 403, "AccessForbidden", CORS_DENIED),
    }
}
