//! The HTTP client: requests, the Cloudflare envelope, retries, error mapping, pagination and the
//! [`BucketAdmin`] implementation.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bucket_admin_core::{
    AgeUnit, BucketAdmin, BucketInfo, BucketPolicy, Capabilities, CorsConfiguration,
    CreateBucketOptions, Error, ErrorKind, Jurisdiction, LifecycleConfiguration, Operation,
    Provider, ReplicationConfiguration, Result, RetryPolicy, Retryable, StorageClass,
    VersioningStatus, Violations, async_trait,
};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, RETRY_AFTER};
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::auth::BearerToken;
use crate::config::{Limits, R2ClientBuilder};
use crate::extras::{CustomDomain, CustomDomainUpdate, LockRule, ManagedDomain, NewCustomDomain};
use crate::list::{BucketPage, BucketPages, ListBucketsOptions, ListDirection};
use crate::pacing::{Pacer, Pacing, PacingStatus};
use crate::wire::bucket::{
    LOCATIONS, WireBucket, WireBucketList, WireCreateBucket, storage_class_to_wire,
};
use crate::wire::domains::{
    WireCustom, WireCustomCreate, WireCustomList, WireCustomUpdate, WireManaged, WireManagedUpdate,
};
use crate::wire::{
    ApiMessage, Envelope, cors, decode, from_raw, from_raw_list, lifecycle, lock, raw_text,
    require_list,
};

/// Header carrying the jurisdiction of the bucket a request addresses.
const JURISDICTION_HEADER: &str = "cf-r2-jurisdiction";
// Response headers looked up by name on every answer: parsed once here, not per lookup.
/// Cloudflare's request id.
const CF_RAY: HeaderName = HeaderName::from_static("cf-ray");
/// `false` when Cloudflare says a retry cannot help.
const SHOULD_RETRY: HeaderName = HeaderName::from_static("x-should-retry");
/// Cloudflare's millisecond form of `Retry-After`.
const RETRY_AFTER_MS: HeaderName = HeaderName::from_static("retry-after-ms");
/// Header carrying the new default storage class on `PATCH /{bucket}`.
const STORAGE_CLASS_HEADER: &str = "cf-r2-storage-class";
/// Largest page the list endpoint accepts.
const PER_PAGE: u64 = 1000;
/// The list endpoint's default page size, which a server ignoring `per_page` falls back to.
const SERVER_DEFAULT_PER_PAGE: u64 = 20;

/// Characters escaped in a path segment: everything but unreserved characters, so a bucket or
/// domain name can never add a path segment or a query.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|')
    .add(b'[')
    .add(b']')
    .add(b';')
    .add(b'=')
    .add(b'&')
    .add(b'+')
    .add(b':')
    .add(b'@')
    .add(b'$')
    .add(b',')
    .add(b'\'');

/// Which jurisdictions [`R2Client::list_buckets_in`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JurisdictionScope {
    /// One jurisdiction.
    One(Jurisdiction),
    /// Every jurisdiction, one listing each ([`Jurisdiction::ALL`]).
    All,
}

impl From<Jurisdiction> for JurisdictionScope {
    fn from(j: Jurisdiction) -> Self {
        JurisdictionScope::One(j)
    }
}

/// What R2's REST API supports, for [`BucketAdmin::capabilities`] and migration planning.
pub fn r2_capabilities() -> Capabilities {
    let mut c = Capabilities::none(Provider::R2);
    c.cors = true;
    // No documented rule-count limit; the OpenAPI schema caps maxAgeSeconds at one day.
    c.max_cors_rules = None;
    c.max_cors_max_age_seconds = Some(cors::MAX_AGE_SECONDS);
    c.cors_expose_header_wildcard = false;
    c.cors_response_vary = false;
    // The REST API administers configuration; preflights go to the S3 endpoint or a domain.
    c.cors_live_preflight = false;
    c.lifecycle = true;
    c.max_lifecycle_rules = Some(lifecycle::MAX_RULES);
    c.lifecycle_age_unit = AgeUnit::Seconds;
    c.lifecycle_dates = true;
    c.lifecycle_tags = false;
    c.lifecycle_noncurrent_versions = false;
    c.lifecycle_expired_object_delete_marker = false;
    c.lifecycle_abort_multipart = true;
    c.lifecycle_requires_rule_id = true;
    c.lifecycle_transition_classes = vec![StorageClass::InfrequentAccess];
    c.versioning = false;
    c.replication = false;
    c.policy = false;
    c.create_acl = false;
    c.create_tags = false;
    c.multi_az = false;
    c.location_hint = true;
    c.create_storage_class = true;
    c.jurisdictions = true;
    c
}

/// A Cloudflare R2 bucket-administration client.
///
/// Cheap to clone (the HTTP connection pool, settings and pacing limiter are shared). Every
/// handle addresses one [`Jurisdiction`]; [`with_jurisdiction`](Self::with_jurisdiction) gives
/// a handle for another one sharing everything else. `Debug` never shows the token.
#[derive(Clone)]
pub struct R2Client {
    inner: Arc<Inner>,
    jurisdiction: Jurisdiction,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    account_id: String,
    token: BearerToken,
    retry: RetryPolicy,
    pacer: Option<Pacer>,
    pacing: Option<Pacing>,
    limits: Limits,
    capabilities: Capabilities,
    /// `{base_url}/accounts/{account_id}/r2/buckets`, parsed once: each call clones it and
    /// sets its path instead of formatting, encoding and parsing the whole URL. `None` when
    /// it does not parse, so that [`R2Client::url`] reports why on the first call.
    buckets_url: Option<reqwest::Url>,
}

/// The root every R2 call's URL starts from, before it is parsed.
fn buckets_root(base_url: &str, account_id: &str) -> String {
    format!(
        "{base_url}/accounts/{}/r2/buckets",
        utf8_percent_encode(account_id, SEGMENT)
    )
}

impl fmt::Debug for R2Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("R2Client")
            .field("account_id", &self.inner.account_id)
            .field("base_url", &self.inner.base_url)
            .field("jurisdiction", &self.jurisdiction)
            .field("api_token", &self.inner.token)
            .field("retry", &self.inner.retry)
            .field("pacing", &self.inner.pacing)
            .finish()
    }
}

/// The error for a listing server that sent the same next-page position twice.
pub(crate) fn repeated_page(next: &ListBucketsOptions, page_no: usize) -> Error {
    let what = match (&next.cursor, &next.start_after) {
        (Some(c), _) => format!("list cursor `{c}`"),
        (None, Some(s)) => format!("bucket `{s}` as the last of a page"),
        (None, None) => "a page".to_owned(),
    };
    decode(format!("the server repeated {what} on page {page_no}"))
        .with_provider(Provider::R2)
        .with_operation(Operation::ListBuckets)
}

/// One request to send (possibly several times).
struct Call<'a> {
    op: Operation,
    bucket: Option<&'a str>,
    method: Method,
    /// Path segments after `/accounts/{id}/r2/buckets`, escaped when the URL is built.
    path: Vec<&'a str>,
    query: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    jurisdiction: Jurisdiction,
    storage_class: Option<&'static str>,
}

impl<'a> Call<'a> {
    fn new(op: Operation, method: Method, jurisdiction: Jurisdiction) -> Self {
        Self {
            op,
            bucket: None,
            method,
            path: Vec::new(),
            query: Vec::new(),
            body: None,
            jurisdiction,
            storage_class: None,
        }
    }

    fn bucket(mut self, bucket: &'a str) -> Self {
        self.bucket = Some(bucket);
        self.path.push(bucket);
        self
    }

    fn segment(mut self, segment: &'a str) -> Self {
        self.path.push(segment);
        self
    }

    fn json(mut self, body: &impl Serialize) -> Result<Self> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("could not encode the request: {e}"),
            )
        })?;
        self.body = Some(bytes);
        Ok(self)
    }
}

/// A successful answer.
struct Answer {
    /// The raw `result` JSON, decoded by the operation into its own wire struct.
    result: Option<Box<RawValue>>,
    result_info: Option<Box<RawValue>>,
    meta: Meta,
}

/// Where an answer came from, for errors found while decoding it.
#[derive(Debug, Clone, Default)]
struct Meta {
    status: u16,
    request_id: Option<String>,
    attempts: u32,
}

impl Meta {
    fn attach(&self, e: Error) -> Error {
        let e = e.with_status(self.status).with_attempts(self.attempts);
        match &self.request_id {
            Some(id) => e.with_request_id(id.clone()),
            None => e,
        }
    }
}

/// Reads a body of at most `limit` bytes: a larger `Content-Length` is refused before
/// anything is read, and a body without one is read chunk by chunk and abandoned at the
/// limit, so a server can never make the client buffer more. `None` means the limit was hit.
async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> std::result::Result<Option<Vec<u8>>, reqwest::Error> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Ok(None);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// What an error is about, for [`map_error`].
pub(crate) struct ErrorContext<'a> {
    pub(crate) op: Operation,
    pub(crate) bucket: Option<&'a str>,
    pub(crate) jurisdiction: Jurisdiction,
    pub(crate) request_id: Option<String>,
    pub(crate) retry_after: Option<Duration>,
}

/// Maps an error answer (HTTP status + envelope `errors`) to an [`Error`].
pub(crate) fn map_error(status: u16, errors: &[ApiMessage], ctx: &ErrorContext<'_>) -> Error {
    let code = errors.iter().find_map(|e| e.code);
    let mut message = errors
        .iter()
        .map(|e| e.message.trim())
        .filter(|m| !m.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    if message.is_empty() {
        message = format!("HTTP {status} without an error message");
    }
    let by_status = match status {
        400 => ErrorKind::InvalidInput,
        401 => ErrorKind::Unauthenticated,
        403 => ErrorKind::PermissionDenied,
        404 => ErrorKind::NotFound,
        409 if ctx.op == Operation::CreateBucket => ErrorKind::AlreadyExists,
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::Unavailable,
        _ => ErrorKind::Other,
    };
    let kind = match code {
        // "Does not exist" codes mean that only on a 404: the same code on a 403 or a 5xx is
        // that failure, never a missing bucket or configuration (exit "not found" in the CLI).
        Some(10006 | 10059) if status == 404 => ErrorKind::NotFound,
        Some(10006 | 10059) => by_status,
        Some(10004 | 10073) => ErrorKind::AlreadyExists,
        Some(10008) => ErrorKind::NotEmpty,
        Some(10002) => ErrorKind::Unauthenticated,
        Some(10003) => ErrorKind::PermissionDenied,
        Some(10005 | 10009 | 10040 | 10062) => ErrorKind::InvalidInput,
        Some(10058) => ErrorKind::RateLimited,
        Some(10001 | 10043) => ErrorKind::Unavailable,
        Some(7003 | 10015) => ErrorKind::NotFound,
        _ => by_status,
    };
    match code {
        Some(10006) if ctx.bucket.is_some() => {
            if ctx.jurisdiction == Jurisdiction::Default {
                message.push_str(
                    " (looked in the `default` jurisdiction; the bucket may exist in another \
                     jurisdiction (`eu`, `fedramp`, `fedramp-high`, `us`): select it with \
                     `R2Client::with_jurisdiction(Jurisdiction::Eu)`, the builder's \
                     `jurisdiction(...)` or `R2_JURISDICTION=eu`)",
                );
            } else {
                message.push_str(&format!(
                    " (looked in the `{}` jurisdiction)",
                    ctx.jurisdiction
                ));
            }
        }
        Some(10040) => message.push_str(
            " (the REST API expects `{\"rules\":[{\"allowed\":{\"origins\":[..],\"methods\":[..]}}]}`; \
             S3-shaped CORS JSON such as `AllowedOrigins` / `CORSRules` is not accepted)",
        ),
        Some(7003 | 10015) => {
            message.push_str(" (no such API route: check the account id and the base URL)")
        }
        _ => {}
    }
    let mut err = Error::new(kind, message)
        .with_provider(Provider::R2)
        .with_operation(ctx.op)
        .with_status(status);
    if let Some(bucket) = ctx.bucket {
        err = err.with_bucket(bucket);
    }
    if let Some(code) = code {
        err = err.with_code(code.to_string());
    }
    if let Some(id) = &ctx.request_id {
        err = err.with_request_id(id.clone());
    }
    if let Some(after) = ctx.retry_after {
        err = err.with_retry_after(after);
    }
    // A conflict is a statement about the bucket's state: repeating the request cannot change
    // it, and a repeated create would only turn success into "already exists".
    if status == 409 {
        err = err.with_retryable(Retryable::Never);
    }
    err
}

/// The wait the server asked for: `retry-after-ms` (milliseconds, fractional allowed) wins
/// over `retry-after` (seconds or an HTTP date). A value that cannot be read is not ignored,
/// which would retry at once: it counts as an endless wait, so the retry policy refuses it and
/// reports it; the second value describes it for the error's `retry_after` detail.
fn retry_after(headers: &HeaderMap) -> (Option<Duration>, Option<String>) {
    let raw = |name: &HeaderName| -> Option<String> {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned())
    };
    let unreadable = |name: &str, value: &str| {
        let shown: String = value.chars().take(64).collect();
        (
            Some(Duration::MAX),
            Some(format!("unreadable {name} `{shown}`")),
        )
    };
    if let Some(ms) = raw(&RETRY_AFTER_MS) {
        return match ms.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => (
                Some(Duration::try_from_secs_f64(v / 1000.0).unwrap_or(Duration::MAX)),
                None,
            ),
            _ => unreadable("retry-after-ms", &ms),
        };
    }
    match raw(&RETRY_AFTER) {
        None => (None, None),
        Some(value) => {
            match bucket_admin_core::parse_retry_after(&value, std::time::SystemTime::now()) {
                Some(after) => (Some(after), None),
                None => unreadable("retry-after", &value),
            }
        }
    }
}

fn validate_bucket_name(bucket: &str) -> Result<()> {
    let mut v = Violations::new();
    let ok_chars = bucket
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let ends_ok = !bucket.starts_with('-') && !bucket.ends_with('-');
    v.check(
        (3..=63).contains(&bucket.len()) && ok_chars && ends_ok,
        || "bucket".into(),
        "R2 bucket names are 3-63 characters of a-z, 0-9 and '-', not starting or ending with '-'",
    );
    v.into_result()
}

/// A custom domain is a DNS host name: 1-253 characters of dot-separated labels, each 1-63
/// characters of letters, digits and '-' not at either end. An empty name would address the
/// domain collection instead of one domain, so it is never sent.
fn domain_violations(domain: &str, field: &str) -> Violations {
    let mut v = Violations::new();
    let labels_ok = domain.split('.').all(|label| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    });
    v.check(
        !domain.is_empty() && domain.len() <= 253 && labels_ok,
        || field.to_owned(),
        "must be a host name such as assets.example.com (labels of letters, digits and '-', separated by '.')",
    );
    v
}

fn require_domain(op: Operation, bucket: &str, domain: &str) -> Result<()> {
    domain_violations(domain, "domain")
        .into_result()
        .map_err(|e| {
            e.with_provider(Provider::R2)
                .with_operation(op)
                .with_bucket(bucket)
        })
}

/// Every bucket call names a valid bucket: a name R2 can never hold (or an empty one, which
/// would address the collection instead) is rejected before anything is sent.
fn require_bucket(op: Operation, bucket: &str) -> Result<()> {
    validate_bucket_name(bucket).map_err(|e| {
        e.with_provider(Provider::R2)
            .with_operation(op)
            .with_bucket(bucket)
    })
}

impl R2Client {
    /// A builder with defaults.
    pub fn builder() -> R2ClientBuilder {
        R2ClientBuilder::new()
    }

    /// A builder reading `CLOUDFLARE_API_TOKEN`, `CLOUDFLARE_ACCOUNT_ID`,
    /// `CLOUDFLARE_BASE_URL` and `R2_JURISDICTION`.
    pub fn from_env() -> R2ClientBuilder {
        R2ClientBuilder::from_env()
    }

    // Called once, by the builder, with every validated setting.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_parts(
        http: reqwest::Client,
        base_url: String,
        account_id: String,
        token: BearerToken,
        jurisdiction: Jurisdiction,
        retry: RetryPolicy,
        pacing: Option<Pacing>,
        limits: Limits,
    ) -> Self {
        let buckets_url = reqwest::Url::parse(&buckets_root(&base_url, &account_id)).ok();
        Self {
            inner: Arc::new(Inner {
                buckets_url,
                http,
                base_url,
                account_id,
                token,
                retry,
                pacer: pacing.and_then(Pacer::new),
                pacing,
                limits,
                capabilities: r2_capabilities(),
            }),
            jurisdiction,
        }
    }

    /// A handle for `jurisdiction`, sharing connections, settings and pacing with this one.
    pub fn with_jurisdiction(&self, jurisdiction: Jurisdiction) -> R2Client {
        R2Client {
            inner: self.inner.clone(),
            jurisdiction,
        }
    }

    /// What the pacing limiter shared by this client's clones is doing: requests in the
    /// current window, how many wait and for how long, the delay imposed so far. `None` when
    /// pacing is off. Cheap (a short lock, no request), so a progress bar can call it on every
    /// redraw.
    ///
    /// ```
    /// use bucket_admin_r2::{Pacing, R2Client};
    ///
    /// let paced = R2Client::builder()
    ///     .account_id("0123456789abcdef0123456789abcdef")
    ///     .api_token("token")
    ///     .build()
    ///     .unwrap();
    /// let status = paced.pacing_status().unwrap();
    /// assert_eq!(status.pacing, Pacing::cloudflare_default());
    /// assert_eq!(status.requests_in_window, 0);
    /// assert!(!status.is_delaying());
    ///
    /// let unpaced = R2Client::builder()
    ///     .account_id("0123456789abcdef0123456789abcdef")
    ///     .api_token("token")
    ///     .pacing(None)
    ///     .build()
    ///     .unwrap();
    /// assert!(unpaced.pacing_status().is_none());
    /// ```
    pub fn pacing_status(&self) -> Option<PacingStatus> {
        self.inner.pacer.as_ref().map(Pacer::status)
    }

    /// The jurisdiction this handle addresses.
    pub fn jurisdiction(&self) -> Jurisdiction {
        self.jurisdiction
    }

    /// The account id.
    pub fn account_id(&self) -> &str {
        &self.inner.account_id
    }

    /// The API base URL (without a trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    fn url(&self, call: &Call<'_>) -> Result<reqwest::Url> {
        let invalid = |e: String| {
            Error::new(ErrorKind::Config, format!("invalid request URL: {e}"))
                .with_provider(Provider::R2)
                .with_operation(call.op)
        };
        let mut url = match &self.inner.buckets_url {
            Some(root) => {
                let mut url = root.clone();
                if !call.path.is_empty() {
                    let extra: usize = call.path.iter().map(|seg| seg.len() + 1).sum();
                    let mut path = String::with_capacity(root.path().len() + extra);
                    path.push_str(root.path());
                    for seg in &call.path {
                        path.push('/');
                        // Every byte `set_path` would escape is already escaped here, so the
                        // URL is the one parsing the whole string gave.
                        path.extend(utf8_percent_encode(seg, SEGMENT));
                    }
                    url.set_path(&path);
                }
                url
            }
            None => {
                let root = buckets_root(&self.inner.base_url, &self.inner.account_id);
                let why = reqwest::Url::parse(&root)
                    .err()
                    .map_or_else(|| "it did not parse".to_owned(), |e| e.to_string());
                return Err(invalid(why));
            }
        };
        if !call.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &call.query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }

    /// Sends `call` under the retry policy.
    async fn send(&self, call: &Call<'_>) -> Result<Answer> {
        let url = self.url(call)?;
        self.inner
            .retry
            .run(call.op, |attempt| self.attempt(call, &url, attempt))
            .await
    }

    async fn attempt(&self, call: &Call<'_>, url: &reqwest::Url, attempt: u32) -> Result<Answer> {
        if let Some(pacer) = &self.inner.pacer {
            pacer.acquire().await;
        }
        tracing::debug!(op = %call.op, method = %call.method, path = url.path(), attempt, "R2 request");
        let mut req = self
            .inner
            .http
            .request(call.method.clone(), url.clone())
            .header(AUTHORIZATION, self.inner.token.header_value());
        if call.jurisdiction != Jurisdiction::Default {
            req = req.header(JURISDICTION_HEADER, call.jurisdiction.as_str());
        }
        if let Some(class) = call.storage_class {
            req = req.header(STORAGE_CLASS_HEADER, class);
        }
        if let Some(body) = &call.body {
            req = req
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let transport = |e: reqwest::Error| {
            let (kind, retryable) = if e.is_timeout() {
                (ErrorKind::Timeout, Retryable::IfIdempotent)
            } else if e.is_connect() {
                // No connection means the request never reached the server.
                (ErrorKind::Transport, Retryable::Always)
            } else {
                (ErrorKind::Transport, Retryable::IfIdempotent)
            };
            let mut err = Error::new(kind, e.to_string())
                .with_provider(Provider::R2)
                .with_operation(call.op)
                .with_retryable(retryable)
                .with_source(e);
            if let Some(b) = call.bucket {
                err = err.with_bucket(b);
            }
            err
        };
        let mut resp = req.send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        // Taken, not cloned: the body is read without them (its length comes from the body).
        let headers = std::mem::take(resp.headers_mut());
        let request_id = headers
            .get(&CF_RAY)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let meta = Meta {
            status,
            request_id: request_id.clone(),
            attempts: attempt,
        };
        let limit = self.inner.limits.max_response_bytes;
        let body = read_limited(resp, limit)
            .await
            .map_err(|e| meta.attach(transport(e)))?;
        let (retry_after, retry_after_note) = retry_after(&headers);
        let ctx = ErrorContext {
            op: call.op,
            bucket: call.bucket,
            jurisdiction: call.jurisdiction,
            request_id,
            retry_after,
        };
        // Cloudflare's `x-should-retry: false` says a retry cannot help (the official SDK
        // obeys it too).
        let no_retry = headers
            .get(&SHOULD_RETRY)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("false"));
        let with_note = |err: Error| {
            let err = match &retry_after_note {
                Some(note) => err.with_detail("retry_after", note.clone()),
                None => err,
            };
            if no_retry {
                err.with_retryable(Retryable::Never)
            } else {
                err
            }
        };
        let context = |err: Error| {
            let err = meta
                .attach(err)
                .with_provider(Provider::R2)
                .with_operation(call.op);
            match call.bucket {
                Some(b) => err.with_bucket(b),
                None => err,
            }
        };
        let Some(body) = body else {
            let what = format!(
                "R2 answered HTTP {status} with a body larger than the client's limit of {limit} bytes (R2ClientBuilder::max_response_bytes); it was not read"
            );
            if (200..300).contains(&status) {
                return Err(context(decode(what)));
            }
            // An error status still means what it says; only its oversized body is dropped.
            let note = ApiMessage {
                code: None,
                message: what,
            };
            return Err(with_note(map_error(status, &[note], &ctx)));
        };
        let envelope = match serde_json::from_slice::<Envelope>(&body) {
            Ok(env) => env,
            Err(e) => {
                // Edge errors (HTML 502 pages, plain-text 429s) still mean what their status
                // says; anything else that is not the envelope is undecodable.
                if matches!(status, 401 | 403 | 429 | 500..=599) {
                    return Err(with_note(map_error(status, &[], &ctx)));
                }
                let snippet: String = String::from_utf8_lossy(&body).chars().take(200).collect();
                return Err(context(decode(format!(
                    "the response is not a Cloudflare API envelope ({e}): {snippet:?}"
                ))));
            }
        };
        if (200..300).contains(&status) && envelope.success != Some(false) {
            // "Success" that also reports errors is contradictory; acting on it could treat a
            // failed write as done, so it is refused rather than guessed.
            if !envelope.errors.is_empty() {
                let listed = envelope
                    .errors
                    .iter()
                    .map(|e| match e.code {
                        Some(code) => format!("{code}: {}", e.message.trim()),
                        None => e.message.trim().to_owned(),
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                return Err(context(decode(format!(
                    "R2 answered HTTP {status} with success but also with errors ({listed})"
                ))));
            }
            return Ok(Answer {
                result: envelope.result,
                result_info: envelope.result_info,
                meta,
            });
        }
        Err(with_note(map_error(status, &envelope.errors, &ctx)))
    }

    /// Adds what a decoding error about `meta`'s answer is about.
    fn decoded_after<T>(
        &self,
        meta: &Meta,
        op: Operation,
        bucket: Option<&str>,
        r: Result<T>,
    ) -> Result<T> {
        self.decoded(op, bucket, r).map_err(|e| meta.attach(e))
    }

    /// Adds what a decoding error is about.
    fn decoded<T>(&self, op: Operation, bucket: Option<&str>, r: Result<T>) -> Result<T> {
        r.map_err(|e| {
            let e = e.with_provider(Provider::R2).with_operation(op);
            match bucket {
                Some(b) => e.with_bucket(b),
                None => e,
            }
        })
    }

    fn unsupported(&self, op: Operation, bucket: &str, what: &str) -> Error {
        Error::unsupported(Provider::R2, op, format!("{what} through its REST API"))
            .with_bucket(bucket)
    }

    /// One page of the bucket list with `options` (`name_contains`, `per_page`, `cursor`,
    /// `start_after`, `order`, `direction`) in this handle's jurisdiction. Follow
    /// [`BucketPage::next`] for the rest; memory stays one page whatever the account's size.
    pub async fn list_buckets_page(&self, options: &ListBucketsOptions) -> Result<BucketPage> {
        self.page_in(self.jurisdiction, options).await
    }

    /// A pager over the bucket list from `options`, one page in memory at a time:
    ///
    /// ```no_run
    /// # async fn run(client: bucket_admin_r2::R2Client) -> bucket_admin_core::Result<()> {
    /// use bucket_admin_r2::ListBucketsOptions;
    /// let mut pages = client.bucket_pages(ListBucketsOptions::new().name_contains("logs"));
    /// while let Some(buckets) = pages.next_page().await? {
    ///     for b in buckets {
    ///         println!("{}", b.name);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn bucket_pages(&self, options: ListBucketsOptions) -> BucketPages {
        BucketPages {
            client: self.clone(),
            next: Some(options),
            pages: 0,
            seen: HashSet::new(),
        }
    }

    /// A page, after checking that `done` pages have not reached the page limit.
    pub(crate) async fn list_page_checked(
        &self,
        options: &ListBucketsOptions,
        done: usize,
    ) -> Result<BucketPage> {
        let limit = self.inner.limits.max_list_pages;
        if done >= limit {
            // A server that never ends the list would otherwise grow it without bound.
            return Err(decode(format!(
                "the bucket list did not end after {limit} pages; the limit is R2ClientBuilder::max_list_pages"
            ))
            .with_provider(Provider::R2)
            .with_operation(Operation::ListBuckets));
        }
        self.list_buckets_page(options).await
    }

    async fn page_in(
        &self,
        jurisdiction: Jurisdiction,
        options: &ListBucketsOptions,
    ) -> Result<BucketPage> {
        self.page_with_meta(jurisdiction, options)
            .await
            .map(|(page, _)| page)
    }

    /// A page and where its answer came from (for errors found in it later).
    async fn page_with_meta(
        &self,
        jurisdiction: Jurisdiction,
        options: &ListBucketsOptions,
    ) -> Result<(BucketPage, Meta)> {
        let op = Operation::ListBuckets;
        if let Some(n) = options.per_page
            && !(1..=1000).contains(&n)
        {
            return Err(Error::invalid_input(vec![bucket_admin_core::Violation::new(
                "per_page",
                format!("{n} is not between 1 and 1000"),
            )])
            .with_provider(Provider::R2)
            .with_operation(op));
        }
        let requested = options.per_page.map_or(PER_PAGE, u64::from);
        let mut call = Call::new(op, Method::GET, jurisdiction);
        call.query = vec![
            ("per_page", requested.to_string()),
            (
                "order",
                options.order.clone().unwrap_or_else(|| "name".into()),
            ),
            (
                "direction",
                options
                    .direction
                    .unwrap_or(ListDirection::Asc)
                    .as_str()
                    .into(),
            ),
        ];
        if let Some(text) = &options.name_contains {
            call.query.push(("name_contains", text.clone()));
        }
        if let Some(c) = &options.cursor {
            call.query.push(("cursor", c.clone()));
        } else if let Some(s) = &options.start_after {
            call.query.push(("start_after", s.clone()));
        }
        let answer = self.send(&call).await?;
        let page: WireBucketList = self.decoded_after(
            &answer.meta,
            op,
            None,
            require_list(answer.result.as_deref(), "buckets", "bucket list")
                .and_then(|()| from_raw(answer.result.as_deref(), "bucket list")),
        )?;
        // Read leniently (a field of another type is ignored); the page info is small and
        // only on list answers.
        let info: Value =
            serde_json::from_str(raw_text(answer.result_info.as_deref())).unwrap_or(Value::Null);
        let reported_per_page = info
            .get("per_page")
            .and_then(Value::as_u64)
            .filter(|n| *n > 0);
        let next_cursor = info
            .get("cursor")
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        let n = page.buckets.len() as u64;
        let mut buckets = Vec::with_capacity(page.buckets.len());
        for bucket in page.buckets {
            let name = bucket.name.clone();
            buckets.push(self.decoded_after(
                &answer.meta,
                op,
                Some(&name),
                bucket.into_info(jurisdiction),
            )?);
        }
        let next = if n == 0 {
            None
        } else if let Some(c) = next_cursor {
            Some(ListBucketsOptions {
                cursor: Some(c),
                start_after: None,
                ..options.clone()
            })
        } else {
            // A page shorter than the page size the server used is the last one. When the
            // server does not report its page size, a page of exactly its default size (20)
            // may come from a server that ignored per_page, so it is not trusted as the end.
            let page_size = reported_per_page.unwrap_or(requested);
            let ambiguous = reported_per_page.is_none() && n == SERVER_DEFAULT_PER_PAGE;
            (n >= page_size || ambiguous).then(|| ListBucketsOptions {
                cursor: None,
                start_after: buckets.last().map(|b: &BucketInfo| b.name.clone()),
                ..options.clone()
            })
        };
        Ok((BucketPage { buckets, next }, answer.meta))
    }

    /// Every bucket in one jurisdiction, following every page.
    async fn list_in(&self, jurisdiction: Jurisdiction) -> Result<Vec<BucketInfo>> {
        let op = Operation::ListBuckets;
        let limits = self.inner.limits;
        let mut out: Vec<BucketInfo> = Vec::new();
        let mut seen_names = HashSet::new();
        let mut seen_positions = HashSet::new();
        let mut options = ListBucketsOptions::new();
        for page_no in 1usize.. {
            if page_no > limits.max_list_pages {
                // A server that never ends the list would otherwise grow it without bound.
                return Err(decode(format!(
                    "the bucket list did not end after {} pages ({} buckets so far); the limit is R2ClientBuilder::max_list_pages",
                    limits.max_list_pages,
                    out.len()
                ))
                .with_provider(Provider::R2)
                .with_operation(op));
            }
            let (page, meta) = self.page_with_meta(jurisdiction, &options).await?;
            for bucket in page.buckets {
                if !seen_names.insert(bucket.name.clone()) {
                    // A server that ignores start_after/cursor would otherwise be listed forever.
                    return Err(meta.attach(
                        decode(format!(
                            "the server repeated bucket `{}` on page {page_no}; stopping rather than looping or returning a partial list",
                            bucket.name
                        ))
                        .with_provider(Provider::R2)
                        .with_operation(op),
                    ));
                }
                if out.len() >= limits.max_listed_buckets {
                    return Err(meta.attach(
                        decode(format!(
                            "the bucket list holds more than {} buckets, the limit of R2ClientBuilder::max_listed_buckets",
                            limits.max_listed_buckets
                        ))
                        .with_provider(Provider::R2)
                        .with_operation(op),
                    ));
                }
                out.push(bucket);
            }
            let Some(next) = page.next else {
                break;
            };
            if let Some(c) = &next.cursor
                && !seen_positions.insert(c.clone())
            {
                return Err(meta.attach(repeated_page(&next, page_no)));
            }
            options = next;
        }
        Ok(out)
    }

    /// Every bucket in `scope`, each tagged with its jurisdiction. With
    /// [`JurisdictionScope::All`] the jurisdictions are listed one after another (a bucket
    /// name may appear once per jurisdiction).
    pub async fn list_buckets_in(&self, scope: JurisdictionScope) -> Result<Vec<BucketInfo>> {
        let jurisdictions: Vec<Jurisdiction> = match scope {
            JurisdictionScope::One(j) => vec![j],
            JurisdictionScope::All => Jurisdiction::ALL.to_vec(),
        };
        let mut out = Vec::new();
        for j in jurisdictions {
            for mut b in self.list_in(j).await? {
                b.jurisdiction = Some(j);
                out.push(b);
            }
        }
        Ok(out)
    }

    /// Changes the default storage class of new objects (`PATCH` with `cf-r2-storage-class`).
    /// R2 has `Standard` and `InfrequentAccess`; anything else is
    /// [`ErrorKind::Unsupported`] before sending.
    pub async fn set_storage_class(&self, bucket: &str, class: StorageClass) -> Result<()> {
        self.storage_class_call(bucket, class).await.map(drop)
    }

    /// [`set_storage_class`](Self::set_storage_class), returning the bucket as R2 answers
    /// with it (its new default storage class included).
    pub async fn update_storage_class(
        &self,
        bucket: &str,
        class: StorageClass,
    ) -> Result<BucketInfo> {
        let op = Operation::Other {
            name: "set_storage_class",
            idempotent: true,
        };
        let answer = self.storage_class_call(bucket, class).await?;
        self.bucket_from_answer(answer, op, bucket, self.jurisdiction)
    }

    async fn storage_class_call(&self, bucket: &str, class: StorageClass) -> Result<Answer> {
        let op = Operation::Other {
            name: "set_storage_class",
            idempotent: true,
        };
        require_bucket(op, bucket)?;
        let Some(wire) = storage_class_to_wire(&class) else {
            return Err(Error::unsupported(
                Provider::R2,
                op,
                format!(
                    "storage class `{class}` (storage_class); use standard or infrequent_access"
                ),
            )
            .with_bucket(bucket));
        };
        let mut call = Call::new(op, Method::PATCH, self.jurisdiction).bucket(bucket);
        call.storage_class = Some(wire);
        self.send(&call).await
    }

    /// The bucket object an answer holds.
    fn bucket_from_answer(
        &self,
        answer: Answer,
        op: Operation,
        bucket: &str,
        jurisdiction: Jurisdiction,
    ) -> Result<BucketInfo> {
        let wire: WireBucket = self.decoded_after(
            &answer.meta,
            op,
            Some(bucket),
            from_raw(answer.result.as_deref(), "bucket"),
        )?;
        self.decoded_after(&answer.meta, op, Some(bucket), wire.into_info(jurisdiction))
    }

    /// [`create_bucket`](BucketAdmin::create_bucket), returning the bucket as R2 answers with
    /// it (creation time, location, jurisdiction, storage class).
    pub async fn create_bucket_info(
        &self,
        bucket: &str,
        options: &CreateBucketOptions,
    ) -> Result<BucketInfo> {
        let (answer, jurisdiction) = self.create_call(bucket, options).await?;
        self.bucket_from_answer(answer, Operation::CreateBucket, bucket, jurisdiction)
    }

    /// Sends a create-bucket call; the answer and the jurisdiction it was made in.
    async fn create_call(
        &self,
        bucket: &str,
        options: &CreateBucketOptions,
    ) -> Result<(Answer, Jurisdiction)> {
        let op = Operation::CreateBucket;
        let unsupported = |field: &str, what: &str| {
            Err(
                Error::unsupported(Provider::R2, op, format!("{what} ({field})"))
                    .with_bucket(bucket),
            )
        };
        if options.acl.is_some() {
            return unsupported(
                "acl",
                "canned ACLs; use API tokens and public domains instead",
            );
        }
        if !options.grants.is_empty() {
            return unsupported("grants", "grants on bucket creation");
        }
        if !options.tags.is_empty() {
            return unsupported("tags", "bucket tags");
        }
        if options.multi_az {
            return unsupported("multi_az", "multi-AZ buckets");
        }
        if options.object_lock_enabled {
            return unsupported(
                "object_lock_enabled",
                "S3 Object Lock on creation; R2 retains objects with bucket lock rules instead",
            );
        }
        let storage_class = match &options.storage_class {
            None => None,
            Some(class) => match storage_class_to_wire(class) {
                Some(w) => Some(w),
                None => {
                    return unsupported(
                        "storage_class",
                        &format!("storage class `{class}`; use standard or infrequent_access"),
                    );
                }
            },
        };
        let mut v = Violations::new();
        if let Err(e) = validate_bucket_name(bucket) {
            v.extend_from(e);
        }
        let location_hint = options
            .location_hint
            .as_ref()
            .map(|l| l.to_ascii_lowercase());
        if let Some(l) = &location_hint {
            v.check(
                LOCATIONS.contains(&l.as_str()),
                || "location_hint".into(),
                format!("must be one of {}", LOCATIONS.join(", ")),
            );
        }
        v.into_result().map_err(|e| {
            e.with_provider(Provider::R2)
                .with_operation(op)
                .with_bucket(bucket)
        })?;
        let jurisdiction = options.jurisdiction.unwrap_or(self.jurisdiction);
        let mut call = Call::new(op, Method::POST, jurisdiction).json(&WireCreateBucket {
            name: bucket,
            location_hint,
            storage_class,
        })?;
        call.bucket = Some(bucket);
        Ok((self.send(&call).await?, jurisdiction))
    }

    /// The bucket's managed `r2.dev` domain.
    pub async fn get_managed_domain(&self, bucket: &str) -> Result<ManagedDomain> {
        let op = Operation::Other {
            name: "get_managed_domain",
            idempotent: true,
        };
        require_bucket(op, bucket)?;
        let call = Call::new(op, Method::GET, self.jurisdiction)
            .bucket(bucket)
            .segment("domains")
            .segment("managed");
        let answer = self.send(&call).await?;
        let wire: WireManaged = self.decoded_after(
            &answer.meta,
            op,
            Some(bucket),
            from_raw(answer.result.as_deref(), "managed domain"),
        )?;
        Ok(wire.into())
    }

    /// Enables or disables public access through the managed `r2.dev` domain.
    pub async fn put_managed_domain(&self, bucket: &str, enabled: bool) -> Result<ManagedDomain> {
        let op = Operation::Other {
            name: "put_managed_domain",
            idempotent: true,
        };
        require_bucket(op, bucket)?;
        let call = Call::new(op, Method::PUT, self.jurisdiction)
            .bucket(bucket)
            .segment("domains")
            .segment("managed")
            .json(&WireManagedUpdate { enabled })?;
        let answer = self.send(&call).await?;
        let wire: WireManaged = self.decoded_after(
            &answer.meta,
            op,
            Some(bucket),
            from_raw(answer.result.as_deref(), "managed domain"),
        )?;
        Ok(wire.into())
    }

    /// The custom domains connected to the bucket.
    pub async fn list_custom_domains(&self, bucket: &str) -> Result<Vec<CustomDomain>> {
        let op = Operation::Other {
            name: "list_custom_domains",
            idempotent: true,
        };
        require_bucket(op, bucket)?;
        let call = Call::new(op, Method::GET, self.jurisdiction)
            .bucket(bucket)
            .segment("domains")
            .segment("custom");
        let answer = self.send(&call).await?;
        let wire: WireCustomList = self.decoded_after(
            &answer.meta,
            op,
            Some(bucket),
            require_list(answer.result.as_deref(), "domains", "custom domain list")
                .and_then(|()| from_raw(answer.result.as_deref(), "custom domain list")),
        )?;
        Ok(wire.domains.into_iter().map(Into::into).collect())
    }

    /// Connects a custom domain to the bucket. Not retried after an ambiguous failure (a
    /// repeated add would answer "already exists").
    pub async fn add_custom_domain(
        &self,
        bucket: &str,
        domain: &NewCustomDomain,
    ) -> Result<CustomDomain> {
        let op = Operation::Other {
            name: "add_custom_domain",
            idempotent: false,
        };
        require_bucket(op, bucket)?;
        let mut v = domain_violations(&domain.domain, "domain");
        v.check(
            !domain.zone_id.is_empty(),
            || "zone_id".into(),
            "must not be empty",
        );
        v.into_result().map_err(|e| {
            e.with_provider(Provider::R2)
                .with_operation(op)
                .with_bucket(bucket)
        })?;
        let call = Call::new(op, Method::POST, self.jurisdiction)
            .bucket(bucket)
            .segment("domains")
            .segment("custom")
            .json(&WireCustomCreate::from(domain))?;
        let answer = self.send(&call).await?;
        let wire: WireCustom = self.decoded_after(
            &answer.meta,
            op,
            Some(bucket),
            from_raw(answer.result.as_deref(), "custom domain"),
        )?;
        Ok(wire.into())
    }

    /// One custom domain of the bucket.
    pub async fn get_custom_domain(&self, bucket: &str, domain: &str) -> Result<CustomDomain> {
        let op = Operation::Other {
            name: "get_custom_domain",
            idempotent: true,
        };
        require_bucket(op, bucket)?;
        require_domain(op, bucket, domain)?;
        let call = Call::new(op, Method::GET, self.jurisdiction)
            .bucket(bucket)
            .segment("domains")
            .segment("custom")
            .segment(domain);
        let answer = self.send(&call).await?;
        let wire: WireCustom = self.decoded_after(
            &answer.meta,
            op,
            Some(bucket),
            from_raw(answer.result.as_deref(), "custom domain"),
        )?;
        Ok(wire.into())
    }

    /// Changes a connected custom domain's settings. Returns what the API reports back
    /// (typically the domain, `enabled` and `min_tls` only).
    pub async fn update_custom_domain(
        &self,
        bucket: &str,
        domain: &str,
        update: &CustomDomainUpdate,
    ) -> Result<CustomDomain> {
        let op = Operation::Other {
            name: "update_custom_domain",
            idempotent: true,
        };
        require_bucket(op, bucket)?;
        require_domain(op, bucket, domain)?;
        let call = Call::new(op, Method::PUT, self.jurisdiction)
            .bucket(bucket)
            .segment("domains")
            .segment("custom")
            .segment(domain)
            .json(&WireCustomUpdate::from(update))?;
        let answer = self.send(&call).await?;
        let wire: WireCustom = self.decoded_after(
            &answer.meta,
            op,
            Some(bucket),
            from_raw(answer.result.as_deref(), "custom domain"),
        )?;
        Ok(wire.into())
    }

    /// Disconnects a custom domain from the bucket.
    pub async fn remove_custom_domain(&self, bucket: &str, domain: &str) -> Result<()> {
        let op = Operation::Other {
            name: "remove_custom_domain",
            idempotent: true,
        };
        require_bucket(op, bucket)?;
        require_domain(op, bucket, domain)?;
        let call = Call::new(op, Method::DELETE, self.jurisdiction)
            .bucket(bucket)
            .segment("domains")
            .segment("custom")
            .segment(domain);
        self.send(&call).await.map(drop)
    }

    /// The bucket lock rules (empty when none are set).
    pub async fn get_lock_rules(&self, bucket: &str) -> Result<Vec<LockRule>> {
        let op = Operation::Other {
            name: "get_lock_rules",
            idempotent: true,
        };
        require_bucket(op, bucket)?;
        let call = Call::new(op, Method::GET, self.jurisdiction)
            .bucket(bucket)
            .segment("lock");
        let answer = self.send(&call).await?;
        let wire = self.decoded_after(
            &answer.meta,
            op,
            Some(bucket),
            from_raw_list(answer.result.as_deref(), "rules", "lock rules"),
        )?;
        self.decoded_after(&answer.meta, op, Some(bucket), lock::from_wire(wire))
    }

    /// Replaces the bucket lock rules (an empty slice removes them all).
    pub async fn put_lock_rules(&self, bucket: &str, rules: &[LockRule]) -> Result<()> {
        let op = Operation::Other {
            name: "put_lock_rules",
            idempotent: true,
        };
        require_bucket(op, bucket)?;
        let wire = self.decoded(op, Some(bucket), lock::to_wire(rules))?;
        let call = Call::new(op, Method::PUT, self.jurisdiction)
            .bucket(bucket)
            .segment("lock")
            .json(&wire)?;
        self.send(&call).await.map(drop)
    }
}

/// Whether a get-CORS error means "no CORS configuration": HTTP 404 with code 10059, the
/// only answer R2 documents for it. Any other 404 (a missing bucket, a wrong route, a proxy's
/// page) and 10059 on any other status are failures: reading them as "not configured" would
/// let a copy overwrite a configuration it never saw.
fn is_no_cors(err: &Error) -> bool {
    err.status() == Some(404) && err.code() == Some("10059")
}

#[async_trait]
impl BucketAdmin for R2Client {
    fn provider(&self) -> Provider {
        Provider::R2
    }

    fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
    }

    async fn list_buckets(&self) -> Result<Vec<BucketInfo>> {
        self.list_in(self.jurisdiction).await
    }

    async fn create_bucket(&self, bucket: &str, options: &CreateBucketOptions) -> Result<()> {
        self.create_call(bucket, options).await.map(drop)
    }

    async fn head_bucket(&self, bucket: &str) -> Result<BucketInfo> {
        let op = Operation::HeadBucket;
        require_bucket(op, bucket)?;
        let call = Call::new(op, Method::GET, self.jurisdiction).bucket(bucket);
        let answer = self.send(&call).await?;
        let wire: WireBucket = self.decoded_after(
            &answer.meta,
            op,
            Some(bucket),
            from_raw(answer.result.as_deref(), "bucket"),
        )?;
        self.decoded_after(
            &answer.meta,
            op,
            Some(bucket),
            wire.into_info(self.jurisdiction),
        )
    }

    async fn bucket_exists(&self, bucket: &str) -> Result<bool> {
        match self.head_bucket(bucket).await {
            Ok(_) => Ok(true),
            Err(e) if e.code() == Some("10006") || (e.is_not_found() && e.code().is_none()) => {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    async fn delete_bucket(&self, bucket: &str) -> Result<()> {
        let op = Operation::DeleteBucket;
        require_bucket(op, bucket)?;
        let call = Call::new(op, Method::DELETE, self.jurisdiction).bucket(bucket);
        self.send(&call).await.map(drop)
    }

    async fn get_cors(&self, bucket: &str) -> Result<Option<CorsConfiguration>> {
        let op = Operation::GetCors;
        require_bucket(op, bucket)?;
        let call = Call::new(op, Method::GET, self.jurisdiction)
            .bucket(bucket)
            .segment("cors");
        let answer = match self.send(&call).await {
            Ok(a) => a,
            Err(e) if is_no_cors(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        let wire = self.decoded_after(
            &answer.meta,
            op,
            Some(bucket),
            from_raw_list(answer.result.as_deref(), "rules", "CORS policy"),
        )?;
        self.decoded_after(&answer.meta, op, Some(bucket), cors::from_wire(wire))
    }

    async fn put_cors(&self, bucket: &str, config: &CorsConfiguration) -> Result<()> {
        let op = Operation::PutCors;
        require_bucket(op, bucket)?;
        let wire = self.decoded(op, Some(bucket), cors::to_wire(config))?;
        let call = Call::new(op, Method::PUT, self.jurisdiction)
            .bucket(bucket)
            .segment("cors")
            .json(&wire)?;
        self.send(&call).await.map(drop)
    }

    async fn delete_cors(&self, bucket: &str) -> Result<()> {
        let op = Operation::DeleteCors;
        require_bucket(op, bucket)?;
        let call = Call::new(op, Method::DELETE, self.jurisdiction)
            .bucket(bucket)
            .segment("cors");
        match self.send(&call).await {
            // Deleting what is not there is the state the caller asked for.
            Err(e) if is_no_cors(&e) => Ok(()),
            other => other.map(drop),
        }
    }

    async fn get_lifecycle(&self, bucket: &str) -> Result<Option<LifecycleConfiguration>> {
        let op = Operation::GetLifecycle;
        require_bucket(op, bucket)?;
        let call = Call::new(op, Method::GET, self.jurisdiction)
            .bucket(bucket)
            .segment("lifecycle");
        let answer = self.send(&call).await?;
        let wire = self.decoded_after(
            &answer.meta,
            op,
            Some(bucket),
            from_raw_list(answer.result.as_deref(), "rules", "lifecycle rules"),
        )?;
        self.decoded_after(&answer.meta, op, Some(bucket), lifecycle::from_wire(wire))
    }

    async fn put_lifecycle(&self, bucket: &str, config: &LifecycleConfiguration) -> Result<()> {
        let op = Operation::PutLifecycle;
        require_bucket(op, bucket)?;
        let wire = self.decoded(op, Some(bucket), lifecycle::to_wire(config))?;
        let call = Call::new(op, Method::PUT, self.jurisdiction)
            .bucket(bucket)
            .segment("lifecycle")
            .json(&wire)?;
        self.send(&call).await.map(drop)
    }

    async fn delete_lifecycle(&self, bucket: &str) -> Result<()> {
        // R2 has no DELETE for lifecycle: an empty rule list clears it.
        let op = Operation::DeleteLifecycle;
        require_bucket(op, bucket)?;
        let call = Call::new(op, Method::PUT, self.jurisdiction)
            .bucket(bucket)
            .segment("lifecycle")
            .json(&serde_json::json!({"rules": []}))?;
        self.send(&call).await.map(drop)
    }

    async fn get_versioning(&self, bucket: &str) -> Result<VersioningStatus> {
        Err(self.unsupported(Operation::GetVersioning, bucket, "versioning"))
    }

    async fn put_versioning(&self, bucket: &str, _status: VersioningStatus) -> Result<()> {
        Err(self.unsupported(Operation::PutVersioning, bucket, "versioning"))
    }

    async fn get_replication(&self, bucket: &str) -> Result<Option<ReplicationConfiguration>> {
        Err(self.unsupported(Operation::GetReplication, bucket, "bucket replication"))
    }

    async fn put_replication(
        &self,
        bucket: &str,
        _config: &ReplicationConfiguration,
    ) -> Result<()> {
        Err(self.unsupported(Operation::PutReplication, bucket, "bucket replication"))
    }

    async fn delete_replication(&self, bucket: &str) -> Result<()> {
        Err(self.unsupported(Operation::DeleteReplication, bucket, "bucket replication"))
    }

    async fn get_policy(&self, bucket: &str) -> Result<Option<BucketPolicy>> {
        Err(self.unsupported(Operation::GetPolicy, bucket, "bucket policies"))
    }

    async fn put_policy(&self, bucket: &str, _policy: &BucketPolicy) -> Result<()> {
        Err(self.unsupported(Operation::PutPolicy, bucket, "bucket policies"))
    }

    async fn delete_policy(&self, bucket: &str) -> Result<()> {
        Err(self.unsupported(Operation::DeletePolicy, bucket, "bucket policies"))
    }
}

/// Moves the violations of an InvalidInput error into a list being built.
trait ExtendFrom {
    fn extend_from(&mut self, err: Error);
}

impl ExtendFrom for Violations {
    fn extend_from(&mut self, err: Error) {
        for v in err.violations() {
            self.push(v.field.clone(), v.rule.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_the_ones_a_full_parse_gives() {
        let client = R2Client::builder()
            .account_id("0123456789abcdef0123456789abcdef")
            .api_token("t")
            .base_url("http://127.0.0.1:9/client/v4")
            .allow_http(true)
            .build()
            .unwrap();
        let mut call = Call::new(Operation::GetCors, Method::GET, Jurisdiction::Default)
            .bucket("b-1")
            .segment("dom/ain?#%");
        call.query = vec![("cursor", "a b&c".into())];
        let url = client.url(&call).unwrap();
        let old = {
            let mut raw = buckets_root(
                "http://127.0.0.1:9/client/v4",
                "0123456789abcdef0123456789abcdef",
            );
            for seg in &call.path {
                raw.push('/');
                raw.extend(utf8_percent_encode(seg, SEGMENT));
            }
            let mut u = reqwest::Url::parse(&raw).unwrap();
            u.query_pairs_mut().append_pair("cursor", "a b&c");
            u
        };
        assert_eq!(url, old);
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/client/v4/accounts/0123456789abcdef0123456789abcdef/r2/buckets/b-1/dom%2Fain%3F%23%25?cursor=a+b%26c"
        );
        let root = Call::new(Operation::ListBuckets, Method::GET, Jurisdiction::Default);
        assert_eq!(
            client.url(&root).unwrap().as_str(),
            "http://127.0.0.1:9/client/v4/accounts/0123456789abcdef0123456789abcdef/r2/buckets"
        );
    }

    fn msg(code: i64) -> Vec<ApiMessage> {
        vec![ApiMessage {
            code: Some(code),
            message: format!("error {code}"),
        }]
    }

    fn ctx(op: Operation, j: Jurisdiction) -> ErrorContext<'static> {
        ErrorContext {
            op,
            bucket: Some("b"),
            jurisdiction: j,
            request_id: Some("8abc-LHR".into()),
            retry_after: None,
        }
    }

    #[test]
    fn error_mapping_table() {
        use ErrorKind::*;
        let table: &[(u16, Option<i64>, Operation, ErrorKind)] = &[
            (404, Some(10006), Operation::GetCors, NotFound),
            (404, Some(10059), Operation::GetCors, NotFound),
            // A "does not exist" code on another status is that status's failure.
            (403, Some(10059), Operation::GetCors, PermissionDenied),
            (503, Some(10059), Operation::GetCors, Unavailable),
            (403, Some(10006), Operation::GetCors, PermissionDenied),
            (409, Some(10004), Operation::CreateBucket, AlreadyExists),
            (409, Some(10073), Operation::CreateBucket, AlreadyExists),
            (409, Some(10008), Operation::DeleteBucket, NotEmpty),
            (401, Some(10002), Operation::ListBuckets, Unauthenticated),
            (401, None, Operation::ListBuckets, Unauthenticated),
            (403, Some(10003), Operation::GetCors, PermissionDenied),
            (403, None, Operation::GetCors, PermissionDenied),
            (400, Some(10005), Operation::CreateBucket, InvalidInput),
            (400, Some(10040), Operation::PutCors, InvalidInput),
            (400, Some(10062), Operation::CreateBucket, InvalidInput),
            (400, Some(99999), Operation::PutCors, InvalidInput),
            (429, Some(10058), Operation::GetCors, RateLimited),
            (429, None, Operation::GetCors, RateLimited),
            (500, Some(10001), Operation::GetCors, Unavailable),
            (503, Some(10043), Operation::GetCors, Unavailable),
            (502, None, Operation::GetCors, Unavailable),
            (409, None, Operation::CreateBucket, AlreadyExists),
            (418, None, Operation::GetCors, Other),
        ];
        for &(status, code, op, kind) in table {
            let errors = code.map(msg).unwrap_or_default();
            let err = map_error(status, &errors, &ctx(op, Jurisdiction::Default));
            assert_eq!(err.kind(), kind, "{status} {code:?}");
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.request_id(), Some("8abc-LHR"));
            assert_eq!(err.provider(), Some(Provider::R2));
            assert_eq!(err.code(), code.map(|c| c.to_string()).as_deref());
        }
    }

    #[test]
    fn conflicts_are_never_retried_and_create_is_never_repeated_after_5xx() {
        let err = map_error(
            409,
            &msg(10004),
            &ctx(Operation::CreateBucket, Jurisdiction::Default),
        );
        assert_eq!(err.retryable(), Retryable::Never);
        assert!(!err.is_retryable_for(Operation::CreateBucket));
        let err = map_error(
            409,
            &[],
            &ctx(Operation::DeleteBucket, Jurisdiction::Default),
        );
        assert_eq!(err.retryable(), Retryable::Never);
        let err = map_error(
            500,
            &msg(10001),
            &ctx(Operation::CreateBucket, Jurisdiction::Default),
        );
        assert!(!err.is_retryable_for(Operation::CreateBucket));
        assert!(err.is_retryable_for(Operation::GetCors));
    }

    #[test]
    fn missing_bucket_mentions_other_jurisdictions_only_from_default() {
        let err = map_error(
            404,
            &msg(10006),
            &ctx(Operation::GetCors, Jurisdiction::Default),
        );
        assert!(err.message().contains("another jurisdiction"), "{err}");
        assert!(err.message().contains("eu") && err.message().contains("fedramp"));
        assert!(err.message().contains("with_jurisdiction"));
        let eu = map_error(404, &msg(10006), &ctx(Operation::GetCors, Jurisdiction::Eu));
        assert!(!eu.message().contains("another jurisdiction"), "{eu}");
        assert!(eu.message().contains("`eu`"));
    }

    #[test]
    fn s3_shaped_cors_hint() {
        let err = map_error(
            400,
            &msg(10040),
            &ctx(Operation::PutCors, Jurisdiction::Default),
        );
        assert!(err.message().contains("S3-shaped CORS JSON"), "{err}");
    }

    #[test]
    fn retry_after_headers() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), (None, None));
        h.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&h).0, Some(Duration::from_secs(7)));
        h.insert("retry-after-ms", "1500".parse().unwrap());
        assert_eq!(retry_after(&h).0, Some(Duration::from_millis(1500)));
        // Unreadable values are never "absent": an endless wait the policy refuses.
        h.insert("retry-after-ms", "garbage".parse().unwrap());
        let (after, note) = retry_after(&h);
        assert_eq!(after, Some(Duration::MAX));
        assert!(note.unwrap().contains("`garbage`"));
        h.remove("retry-after-ms");
        h.insert("retry-after", "-3".parse().unwrap());
        assert_eq!(retry_after(&h).0, Some(Duration::MAX));
        let later = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(90));
        h.insert("retry-after", later.parse().unwrap());
        let after = retry_after(&h).0.unwrap();
        assert!(
            (Duration::from_secs(80)..=Duration::from_secs(90)).contains(&after),
            "{after:?}"
        );
    }

    #[test]
    fn capabilities_describe_r2() {
        let c = r2_capabilities();
        assert!(c.cors && !c.cors_live_preflight && c.lifecycle && c.lifecycle_dates);
        assert_eq!(c.lifecycle_age_unit, AgeUnit::Seconds);
        assert!(!c.lifecycle_tags && !c.lifecycle_noncurrent_versions);
        assert!(c.lifecycle_abort_multipart && c.lifecycle_requires_rule_id);
        assert_eq!(c.max_lifecycle_rules, Some(1000));
        assert_eq!(
            c.lifecycle_transition_classes,
            [StorageClass::InfrequentAccess]
        );
        assert!(!c.versioning && !c.replication && !c.policy);
        assert!(c.location_hint && c.create_storage_class && c.jurisdictions);
        assert_eq!(c.max_cors_rules, None);
        assert_eq!(c.max_cors_max_age_seconds, Some(86_400));
    }

    #[test]
    fn bucket_names() {
        assert!(validate_bucket_name("my-bucket-1").is_ok());
        for bad in ["ab", "-ab", "ab-", "Upper", "a_b", &"a".repeat(64)] {
            assert!(validate_bucket_name(bad).is_err(), "{bad}");
        }
    }
}
