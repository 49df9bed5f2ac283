//! [`CosClient`]: HTTP, signing, retries, error mapping and the [`BucketAdmin`] implementation.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use bucket_admin_core::preflight::{
    DenialReason, PreflightAllowed, PreflightDenied, PreflightOutcome, PreflightRequest,
};
use bucket_admin_core::{
    AgeUnit, BucketAdmin, BucketInfo, BucketPolicy, Capabilities, CorsConfiguration,
    CreateBucketOptions, Error, ErrorKind, GrantPermission, LifecycleConfiguration, Operation,
    Provider, ReplicationConfiguration, Result, RetryPolicy, Retryable, StorageClass,
    VersioningStatus, Violations, async_trait,
};
use md5::{Digest as _, Md5};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::ExposeSecret;

use crate::codec;
use crate::config::{Clock, CosClientBuilder, REGIONAL_SERVICE_DOMAIN, config_error, mask_id};
use crate::credentials::{CredentialProvider, Credentials};
use crate::list::{BucketPage, BucketPages, ListBucketsOptions};
use crate::sign::{self, KeyTime};
use crate::validate;
use crate::wire::{self, bucket::*, error::ErrorXml, lifecycle::LifecycleXml};
use crate::wire::{replication::ReplicationXml, versioning::VersioningXml};

/// How long request signatures stay valid, as in the official SDK.
const SIGN_EXPIRES_SECONDS: i64 = 10_000;
/// Page size of list-buckets, the most COS returns.
const LIST_PAGE_SIZE: &str = "2000";
/// Safety stop for a service that keeps saying "truncated".
const MAX_LIST_PAGES: usize = 10_000;
/// Largest clock correction taken from a server's `Date` header (24 h).
const MAX_CLOCK_CORRECTION_SECONDS: u64 = 24 * 3600;
const USER_AGENT: &str = concat!("bucket-admin-cos/", env!("CARGO_PKG_VERSION"));
/// The request id COS puts on every answer, looked up as a parsed name (not parsed per call).
const REQUEST_ID: HeaderName = HeaderName::from_static("x-cos-request-id");

/// The validated settings a client runs with.
pub(crate) struct Settings {
    pub(crate) region: String,
    pub(crate) credentials: CredentialSource,
    pub(crate) bucket_scheme: String,
    pub(crate) domain_template: String,
    pub(crate) service_scheme: String,
    pub(crate) service_domain: String,
    pub(crate) endpoint: Option<String>,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Duration,
    pub(crate) max_response_bytes: usize,
    pub(crate) retry_policy: RetryPolicy,
    pub(crate) clock: Option<Clock>,
    pub(crate) http_client: Option<reqwest::Client>,
}

/// Where the keys come from: fixed at build time, or a provider whose answer is cached.
pub(crate) enum CredentialSource {
    Static(Arc<Credentials>),
    Provider(Arc<dyn CredentialProvider>),
}

/// The COS provider: administers buckets through the COS XML API.
///
/// Cheap to clone (the state is shared behind an [`Arc`]); `Debug` never shows a secret.
/// Build one with [`CosClient::builder`] or [`CosClientBuilder::from_env`].
#[derive(Clone)]
pub struct CosClient {
    inner: Arc<Inner>,
}

struct Inner {
    settings: Settings,
    http: reqwest::Client,
    /// The provider's last answer; read without waiting by the synchronous signers.
    cached: std::sync::RwLock<Option<Arc<Credentials>>>,
    /// Held while the provider is asked, so concurrent requests ask it once.
    refreshing: tokio::sync::Mutex<()>,
    /// Seconds to add to the local clock, learnt from a `RequestTimeTooSkewed` answer.
    clock_offset: AtomicI64,
    capabilities: Capabilities,
    /// The configured endpoint, parsed once (each request clones it and sets path and query).
    endpoint_url: Option<reqwest::Url>,
    /// Hosts already seen: bucket name -> its validated host, and host -> `scheme://host`
    /// parsed, so a call neither recomputes, revalidates nor re-parses them.
    hosts: std::sync::RwLock<HostCache>,
    /// The signing key of the last key time, and the credentials it was derived from: the key
    /// time moves once a second, so requests in between skip one of the signature's HMACs.
    signing_key: std::sync::Mutex<Option<CachedSigningKey>>,
}

/// A [`sign::SigningKey`] with the credentials it belongs to (rotated credentials, even
/// with the same SecretId, never reuse it).
struct CachedSigningKey {
    secret_id: String,
    secret_key: secrecy::SecretString,
    key: Arc<sign::SigningKey>,
}

/// What [`Inner::hosts`] remembers; cleared whenever it reaches [`HOST_CACHE_ENTRIES`], so a
/// client addressing many buckets keeps a bounded amount of memory.
#[derive(Default)]
struct HostCache {
    /// Names that passed [`validate::bucket_name`], with their host.
    buckets: std::collections::HashMap<String, String>,
    /// `scheme://host` parsed, by host.
    urls: std::collections::HashMap<String, reqwest::Url>,
}

/// Entries each map of [`HostCache`] holds at most.
const HOST_CACHE_ENTRIES: usize = 1024;

/// Inserts into a bounded cache map.
fn remember<V>(map: &mut std::collections::HashMap<String, V>, key: &str, value: V) {
    if map.len() >= HOST_CACHE_ENTRIES {
        map.clear();
    }
    map.insert(key.to_owned(), value);
}

fn settings_endpoint_url(endpoint: &Option<String>) -> Option<reqwest::Url> {
    endpoint
        .as_deref()
        .and_then(|e| reqwest::Url::parse(e).ok())
        .filter(|u| u.path() == "/" && u.query().is_none())
}

pub(crate) fn build_client(settings: Settings) -> Result<CosClient> {
    let http = match &settings.http_client {
        Some(client) => client.clone(),
        None => reqwest::Client::builder()
            .user_agent(USER_AGENT)
            // The Host header is set by hand; a redirect would carry it to another server.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.timeout)
            .connect_timeout(settings.connect_timeout)
            .read_timeout(settings.read_timeout)
            .build()
            .map_err(|e| config_error(format!("cannot build the HTTP client: {e}")))?,
    };
    let cached = match &settings.credentials {
        CredentialSource::Static(creds) => Some(creds.clone()),
        CredentialSource::Provider(_) => None,
    };
    let endpoint = settings.endpoint.clone();
    Ok(CosClient {
        inner: Arc::new(Inner {
            settings,
            http,
            cached: std::sync::RwLock::new(cached),
            refreshing: tokio::sync::Mutex::new(()),
            clock_offset: AtomicI64::new(0),
            capabilities: cos_capabilities(),
            // Validated by the builder (scheme://host[:port]); a failure here would only
            // make each request parse it and report why.
            endpoint_url: settings_endpoint_url(&endpoint),
            hosts: std::sync::RwLock::new(HostCache::default()),
            signing_key: std::sync::Mutex::new(None),
        }),
    })
}

/// What COS supports, as a [`Capabilities`] value (also used to generate documentation).
pub fn cos_capabilities() -> Capabilities {
    let mut c = Capabilities::none(Provider::Cos);
    c.cors = true;
    c.max_cors_rules = Some(validate::MAX_CORS_RULES);
    c.cors_expose_header_wildcard = false;
    c.cors_response_vary = true;
    c.cors_live_preflight = true;
    c.lifecycle = true;
    c.max_lifecycle_rules = Some(validate::MAX_LIFECYCLE_RULES);
    c.lifecycle_age_unit = AgeUnit::Days;
    c.lifecycle_dates = true;
    c.lifecycle_date_offset = bucket_admin_core::CHINA_STANDARD_TIME;
    c.lifecycle_tags = true;
    c.lifecycle_noncurrent_versions = true;
    c.lifecycle_expired_object_delete_marker = true;
    c.lifecycle_abort_multipart = true;
    c.lifecycle_requires_rule_id = false;
    c.lifecycle_transition_classes = vec![
        StorageClass::InfrequentAccess,
        StorageClass::Archive,
        StorageClass::DeepArchive,
        StorageClass::IntelligentTiering,
    ];
    c.versioning = true;
    c.replication = true;
    c.max_replication_rules = Some(validate::MAX_REPLICATION_RULES);
    c.policy = true;
    c.create_acl = true;
    c.create_tags = true;
    c.multi_az = true;
    c
}

impl fmt::Debug for CosClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.inner.settings;
        let mut d = f.debug_struct("CosClient");
        d.field("region", &s.region);
        match &s.credentials {
            CredentialSource::Static(creds) => d.field("credentials", creds),
            CredentialSource::Provider(p) => d.field("credentials_provider", p),
        };
        d.field("domain_template", &s.domain_template)
            .field("service_domain", &s.service_domain)
            .field("endpoint", &s.endpoint)
            .field(
                "clock_offset_seconds",
                &self.inner.clock_offset.load(Ordering::Relaxed),
            )
            .finish_non_exhaustive()
    }
}

/// A request body with its content type.
struct Body {
    bytes: Vec<u8>,
    content_type: &'static str,
    md5: bool,
}

/// One COS request, described independently of time so that every attempt signs anew.
struct Request {
    op: Operation,
    bucket: Option<String>,
    method: Method,
    scheme: String,
    host: String,
    /// Decoded path, as signed.
    path: String,
    query: Vec<(String, String)>,
    sign_query: bool,
    headers: Vec<(String, String)>,
    body: Option<Body>,
    signed: bool,
}

/// A response read to the end.
struct Response {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
    /// The attempt (1-based) that produced it, for errors raised while decoding it.
    attempts: u32,
}

/// Reads a body of at most `limit` bytes: a larger `Content-Length` is refused before
/// anything is read, and a body without one is read chunk by chunk and abandoned at the
/// limit, so a hostile or broken server can never make the client buffer more. `true` in the
/// answer means the limit was hit and the body is incomplete (empty).
async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
    head: bool,
) -> std::result::Result<(Vec<u8>, bool), reqwest::Error> {
    // A HEAD answer's Content-Length describes a body that is never sent.
    if !head && response.content_length().is_some_and(|n| n > limit as u64) {
        return Ok((Vec::new(), true));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Ok((Vec::new(), true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}

/// A decoding error about `resp`: its status, request id and the attempts it took.
fn response_context(e: Error, resp: &Response) -> Error {
    let e = e.with_status(resp.status).with_attempts(resp.attempts);
    match resp.header("x-cos-request-id") {
        Some(id) => e.with_request_id(id),
        None => e,
    }
}

/// `err` with `message` instead of its own, everything else kept.
fn rebuild_message(err: Error, message: String) -> Error {
    let mut out = Error::new(err.kind(), message).with_retryable(err.retryable());
    if let Some(status) = err.status() {
        out = out.with_status(status);
    }
    if let Some(code) = err.code() {
        out = out.with_code(code);
    }
    if let Some(id) = err.request_id() {
        out = out.with_request_id(id);
    }
    if let Some(after) = err.retry_after() {
        out = out.with_retry_after(after);
    }
    for (name, value) in err.details() {
        out = out.with_detail(name, value.clone());
    }
    out
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    fn text(&self) -> Result<&str> {
        std::str::from_utf8(&self.body)
            .map_err(|_| Error::new(ErrorKind::Decode, "COS returned a body that is not UTF-8"))
    }
}

/// `k=v&k=v` with every name and value encoded as the signer encodes them.
fn encoded_query(query: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in query.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&sign::encode(k));
        out.push('=');
        out.push_str(&sign::encode(v));
    }
    out
}

/// A header name; the ones the client always sends are constants (no parsing, no copy).
fn header_name(name: &str) -> std::result::Result<HeaderName, reqwest::header::InvalidHeaderName> {
    use reqwest::header;
    Ok(match name {
        "Host" => header::HOST,
        "Authorization" => header::AUTHORIZATION,
        "Content-Type" => header::CONTENT_TYPE,
        "Content-Length" => header::CONTENT_LENGTH,
        "Content-MD5" => HeaderName::from_static("content-md5"),
        "x-cos-sdk-retry" => HeaderName::from_static("x-cos-sdk-retry"),
        "x-cos-security-token" => HeaderName::from_static("x-cos-security-token"),
        other => HeaderName::from_bytes(other.as_bytes())?,
    })
}

fn subresource(name: &str) -> Vec<(String, String)> {
    vec![(name.to_owned(), String::new())]
}

/// Maps a COS error code and HTTP status to an [`ErrorKind`]. Codes compare case-insensitively.
fn classify(status: u16, code: Option<&str>) -> ErrorKind {
    let code = code.unwrap_or("").trim().to_ascii_lowercase();
    match code.as_str() {
        "nosuchbucket"
        | "nosuchkey"
        | "nosuchresource"
        | "nosuchcorsconfiguration"
        | "nosuchlifecycleconfiguration"
        | "nosuchreplicationconfiguration"
        | "replicationconfigurationnotfounderror"
        | "nosuchbucketpolicy"
            // A "no such ..." code on another status (a 403 from a gateway, a 503 while
            // overloaded) is classified by that status: it is not proof of absence.
            if status == 404 =>
        {
            ErrorKind::NotFound
        }
        "bucketalreadyexists" | "bucketalreadyownedbyyou" => ErrorKind::AlreadyExists,
        "bucketnotempty" => ErrorKind::NotEmpty,
        "signaturedoesnotmatch"
        | "invalidaccesskeyid"
        | "expiredtoken"
        | "invalidsecretid"
        | "invalidtoken"
        | "requesttimetooskewed"
        | "missingsecurityheader" => ErrorKind::Unauthenticated,
        "accessdenied" if status == 401 => ErrorKind::Unauthenticated,
        "accessdenied" | "accessforbidden" => ErrorKind::PermissionDenied,
        "invalidargument" | "malformedxml" | "invalidbucketname" | "buckettoolong"
        | "bucketnametoolong" | "invaliddigest" | "toomanybuckets" | "invalidrequest"
        | "entitytoolarge" => ErrorKind::InvalidInput,
        "slowdown" | "toomanyrequests" | "requestlimitexceeded" => ErrorKind::RateLimited,
        _ => match status {
            401 => ErrorKind::Unauthenticated,
            403 => ErrorKind::PermissionDenied,
            404 => ErrorKind::NotFound,
            400 | 411 | 413 | 414 => ErrorKind::InvalidInput,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Unavailable,
            _ => ErrorKind::Other,
        },
    }
}

/// The error codes with which COS says that the configuration `sub` (`cors`, `lifecycle`,
/// `replication`, `policy`) is not set.
fn not_configured_codes(sub: &str) -> &'static [&'static str] {
    match sub {
        "cors" => &["NoSuchCORSConfiguration"],
        "lifecycle" => &["NoSuchLifecycleConfiguration"],
        "replication" => &[
            "NoSuchReplicationConfiguration",
            "ReplicationConfigurationnotFoundError",
        ],
        "policy" => &["NoSuchBucketPolicy"],
        _ => &[],
    }
}

/// Whether `err` is COS saying that the configuration `sub` is not set: an HTTP 404 with that
/// sub-resource's own code. The same code on another status (a 403 from a proxy, a 503 while
/// overloaded) or another sub-resource's code is a failure: reading it as "not configured"
/// would let a caller overwrite a configuration it never saw.
fn is_not_configured(err: &Error, sub: &str) -> bool {
    if err.status() != Some(404) {
        return false;
    }
    let code = err.code().unwrap_or("");
    if not_configured_codes(sub)
        .iter()
        .any(|c| c.eq_ignore_ascii_case(code))
    {
        return true;
    }
    // Some COS front ends answer a missing policy with a generic code and this message; a
    // code that names something else (a missing bucket, another configuration) still wins.
    sub == "policy"
        && !code.to_ascii_lowercase().starts_with("nosuch")
        && !code.eq_ignore_ascii_case("ReplicationConfigurationnotFoundError")
        && err
            .message()
            .to_ascii_lowercase()
            .contains("policy not found")
}

fn is_clock_skew(code: Option<&str>, message: &str) -> bool {
    code.is_some_and(|c| c.eq_ignore_ascii_case("RequestTimeTooSkewed"))
        || message.to_ascii_lowercase().contains("request has expired")
}

/// COS bucket names are lower case, and COS itself lower-cases the name of a bucket created
/// with capitals (seed 004: "the COS backend will automatically convert uppercase letters
/// ... to lowercase"). Every call does the same, so `ExampleBucket-1250000000` addresses the
/// bucket COS created for it, and says so in the log.
fn normalize_bucket(bucket: &str) -> std::borrow::Cow<'_, str> {
    if bucket.bytes().any(|b| b.is_ascii_uppercase()) {
        let lower = bucket.to_ascii_lowercase();
        tracing::info!(
            requested = bucket,
            bucket = %lower,
            "COS bucket names are lower case; using the lower-case name, as COS does"
        );
        std::borrow::Cow::Owned(lower)
    } else {
        std::borrow::Cow::Borrowed(bucket)
    }
}

fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// Whether COS rejected the credentials in a way a refresh of temporary ones can cure.
fn is_expired_credentials(code: Option<&str>) -> bool {
    code.is_some_and(|c| {
        [
            "ExpiredToken",
            "InvalidAccessKeyId",
            "InvalidToken",
            "TokenExpired",
        ]
        .iter()
        .any(|k| c.eq_ignore_ascii_case(k))
    })
}

impl CosClient {
    /// A new [`CosClientBuilder`].
    pub fn builder() -> CosClientBuilder {
        CosClientBuilder::new()
    }

    /// A builder configured from the process environment (same as
    /// [`CosClientBuilder::from_env`], as [`R2Client::from_env`] is on the R2 side).
    ///
    /// [`R2Client::from_env`]: https://docs.rs/bucket-admin-r2/latest/bucket_admin_r2/struct.R2Client.html#method.from_env
    pub fn from_env() -> CosClientBuilder {
        CosClientBuilder::from_env()
    }

    /// The configured region.
    pub fn region(&self) -> &str {
        &self.inner.settings.region
    }

    /// The seconds added to the local clock after COS reported clock skew (0 until then).
    pub fn clock_offset_seconds(&self) -> i64 {
        self.inner.clock_offset.load(Ordering::Relaxed)
    }

    /// The virtual host of a bucket, from the domain template.
    /// An upper-case letter in `bucket` is lower-cased, as COS does with bucket names.
    pub fn bucket_host(&self, bucket: &str) -> String {
        let s = &self.inner.settings;
        s.domain_template
            .replace("{bucket}", &bucket.to_ascii_lowercase())
            .replace("{region}", &s.region)
    }

    fn service_host(&self, region: Option<&str>) -> String {
        let s = &self.inner.settings;
        match region {
            None => s.service_domain.replace("{region}", &s.region),
            Some(r) if s.service_domain.contains("{region}") => {
                s.service_domain.replace("{region}", r)
            }
            Some(r) => REGIONAL_SERVICE_DOMAIN.replace("{region}", r),
        }
    }

    fn system_time(&self) -> SystemTime {
        match &self.inner.settings.clock {
            Some(clock) => clock(),
            None => SystemTime::now(),
        }
    }

    fn local_now(&self) -> i64 {
        unix_seconds(self.system_time())
    }

    /// The credentials to sign with now: the cached ones, or the provider's fresh answer
    /// when nothing is cached, the cache is about to expire, or `force` (COS rejected them).
    async fn credentials(&self, force: bool) -> Result<Arc<Credentials>> {
        let CredentialSource::Provider(provider) = &self.inner.settings.credentials else {
            return Ok(self.cached_credentials().unwrap_or_else(|| {
                // Unreachable: a static source is cached at build time.
                Arc::new(Credentials::new("", ""))
            }));
        };
        let stale = |c: &Option<Arc<Credentials>>| match c {
            None => true,
            Some(c) => c.needs_refresh(self.system_time()),
        };
        let before = self.cached_credentials();
        if !force && !stale(&before) {
            return Ok(before.unwrap_or_else(|| Arc::new(Credentials::new("", ""))));
        }
        let _guard = self.inner.refreshing.lock().await;
        // Another request may have refreshed while this one waited.
        let now_cached = self.cached_credentials();
        let refreshed_meanwhile = match (&before, &now_cached) {
            (Some(a), Some(b)) => !Arc::ptr_eq(a, b),
            (None, Some(_)) => true,
            _ => false,
        };
        if let Some(c) = &now_cached
            && refreshed_meanwhile
            && !stale(&now_cached)
        {
            return Ok(c.clone());
        }
        let fresh = provider
            .credentials()
            .await
            .map_err(|e| e.with_provider(Provider::Cos))?;
        fresh.check("the credentials provider")?;
        tracing::debug!(
            secret_id = %mask_id(fresh.secret_id()),
            expires_at = ?fresh.expires_at(),
            "COS credentials refreshed"
        );
        let fresh = Arc::new(fresh);
        if let Ok(mut slot) = self.inner.cached.write() {
            *slot = Some(fresh.clone());
        }
        Ok(fresh)
    }

    fn cached_credentials(&self) -> Option<Arc<Credentials>> {
        self.inner.cached.read().ok().and_then(|c| c.clone())
    }

    /// Asks the credentials provider now (nothing happens with fixed keys), e.g. before
    /// [`get_auth`](Self::get_auth) or [`presigned_url`](Self::presigned_url), which sign with
    /// the credentials of the latest request.
    pub async fn refresh_credentials(&self) -> Result<()> {
        self.credentials(true).await.map(|_| ())
    }

    /// The signing key of `key_time` for `creds`: the cached one when both match.
    fn signing_key(&self, creds: &Credentials, key_time: KeyTime) -> Arc<sign::SigningKey> {
        let mut slot = self
            .inner
            .signing_key
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(cached) = slot.as_ref()
            && cached.key.key_time() == key_time
            && cached.secret_id == creds.secret_id
            && cached.secret_key.expose_secret() == creds.secret_key.expose_secret()
        {
            return cached.key.clone();
        }
        let key = Arc::new(sign::SigningKey::new(
            creds.secret_key.expose_secret(),
            key_time,
        ));
        *slot = Some(CachedSigningKey {
            secret_id: creds.secret_id.clone(),
            secret_key: creds.secret_key.clone(),
            key: key.clone(),
        });
        key
    }

    fn now(&self) -> i64 {
        self.local_now()
            .saturating_add(self.inner.clock_offset.load(Ordering::Relaxed))
    }

    fn bucket_request(&self, op: Operation, method: Method, bucket: &str) -> Request {
        Request {
            op,
            bucket: Some(bucket.to_owned()),
            method,
            scheme: self.inner.settings.bucket_scheme.clone(),
            host: self.cached_bucket_host(bucket),
            path: "/".to_owned(),
            query: Vec::new(),
            sign_query: true,
            headers: Vec::new(),
            body: None,
            signed: true,
        }
    }

    fn with_context(&self, err: Error, op: Operation, bucket: Option<&str>) -> Error {
        let err = err.with_provider(Provider::Cos).with_operation(op);
        match bucket {
            Some(b) => err.with_bucket(b),
            None => err,
        }
    }

    /// [`bucket_host`](Self::bucket_host), from the cache when the bucket was seen before.
    fn cached_bucket_host(&self, bucket: &str) -> String {
        if let Ok(cache) = self.inner.hosts.read()
            && let Some(host) = cache.buckets.get(bucket)
        {
            return host.clone();
        }
        self.bucket_host(bucket)
    }

    /// Validates a bucket name against its host; a name that passed once is remembered (the
    /// check depends only on the name and the client's fixed settings).
    fn check_bucket(&self, op: Operation, bucket: &str) -> Result<()> {
        if let Ok(cache) = self.inner.hosts.read()
            && cache.buckets.contains_key(bucket)
        {
            return Ok(());
        }
        let host = self.bucket_host(bucket);
        validate::bucket_name(bucket, &host)
            .into_result()
            .map_err(|e| self.with_context(e, op, Some(bucket)))?;
        if let Ok(mut cache) = self.inner.hosts.write() {
            remember(&mut cache.buckets, bucket, host);
        }
        Ok(())
    }

    /// The URL of one request: the parsed endpoint or `scheme://host` (parsed once per host)
    /// with the encoded path and query set on it, the URL parsing the whole string gives.
    fn request_url(&self, req: &Request) -> Result<reqwest::Url> {
        let invalid = |e: String| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("cannot build a URL for host `{}`: {e}", req.host),
            )
        };
        let mut url = match &self.inner.endpoint_url {
            Some(endpoint) => endpoint.clone(),
            None if self.inner.settings.endpoint.is_some() => return self.request_url_slow(req),
            None => {
                let cached = self.inner.hosts.read().ok().and_then(|c| {
                    c.urls
                        .get(&req.host)
                        .filter(|u| u.scheme() == req.scheme)
                        .cloned()
                });
                match cached {
                    Some(url) => url,
                    None => {
                        let url = reqwest::Url::parse(&format!("{}://{}", req.scheme, req.host))
                            .map_err(|e| invalid(e.to_string()))?;
                        // A host holding a path, query or user would not survive set_path.
                        if url.path() != "/" || url.query().is_some() || url.username() != "" {
                            return self.request_url_slow(req);
                        }
                        if let Ok(mut cache) = self.inner.hosts.write() {
                            remember(&mut cache.urls, &req.host, url.clone());
                        }
                        url
                    }
                }
            }
        };
        url.set_path(&sign::object_path(&req.path));
        if !req.query.is_empty() {
            url.set_query(Some(&encoded_query(&req.query)));
        }
        Ok(url)
    }

    /// The URL as one string parsed whole: for what [`request_url`](Self::request_url) cannot
    /// assemble from parts (and the reference it is tested against).
    fn request_url_slow(&self, req: &Request) -> Result<reqwest::Url> {
        let mut url = match &self.inner.settings.endpoint {
            Some(endpoint) => endpoint.clone(),
            None => format!("{}://{}", req.scheme, req.host),
        };
        url.push_str(&sign::object_path(&req.path));
        if !req.query.is_empty() {
            url.push('?');
            url.push_str(&encoded_query(&req.query));
        }
        reqwest::Url::parse(&url).map_err(|e| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("cannot build a URL for host `{}`: {e}", req.host),
            )
        })
    }

    fn invalid(&self, v: Violations, op: Operation, bucket: &str) -> Result<()> {
        v.into_result()
            .map_err(|e| self.with_context(e, op, Some(bucket)))
    }

    fn xml_body<T: serde::Serialize>(
        &self,
        value: &T,
        op: Operation,
        bucket: &str,
    ) -> Result<Body> {
        let xml = wire::to_xml(value).map_err(|e| self.with_context(e, op, Some(bucket)))?;
        Ok(Body {
            bytes: xml.into_bytes(),
            content_type: "application/xml",
            md5: true,
        })
    }

    /// Builds the wire request of one attempt: URL, headers (Host, Content-*, token,
    /// Authorization) and body, signed with the current (skew-corrected) time.
    fn prepare(
        &self,
        req: &Request,
        attempt: u32,
        creds: &Credentials,
    ) -> Result<reqwest::Request> {
        // Headers are borrowed, signed and copied once into the header map: nothing is
        // rebuilt as owned pairs first.
        let mut md5 = None;
        let length;
        let mut headers: Vec<(&str, &str)> = Vec::with_capacity(req.headers.len() + 7);
        headers.push(("Host", req.host.as_str()));
        headers.extend(req.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if attempt > 1 {
            // What the SDK adds (and signs) on every retry, so COS can tell retries apart.
            headers.push(("x-cos-sdk-retry", "true"));
        }
        if let Some(body) = &req.body {
            if body.md5 {
                md5 = Some(
                    base64::engine::general_purpose::STANDARD.encode(Md5::digest(&body.bytes)),
                );
            }
            length = body.bytes.len().to_string();
        } else {
            length = String::new();
        }
        if let Some(body) = &req.body {
            headers.push(("Content-Type", body.content_type));
            if let Some(md5) = &md5 {
                headers.push(("Content-MD5", md5.as_str()));
            }
            headers.push(("Content-Length", length.as_str()));
        } else if req.method != Method::GET && req.method != Method::HEAD {
            // What the SDK (through `requests`) sends and signs for a body-less PUT/DELETE.
            headers.push(("Content-Length", "0"));
        }
        let mut authorization = None;
        if req.signed {
            if let Some(token) = &creds.session_token {
                headers.push(("x-cos-security-token", token.expose_secret()));
            }
            let query: Vec<(&str, &str)> = if req.sign_query {
                req.query
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect()
            } else {
                Vec::new()
            };
            let key = self.signing_key(creds, KeyTime::around(self.now(), SIGN_EXPIRES_SECONDS));
            let signature = sign::sign_with_key(
                sign::HeaderSelection::Sdk,
                &creds.secret_id,
                &key,
                req.method.as_str(),
                &req.path,
                &query,
                &headers,
            );
            authorization = Some(signature);
        }
        let url = self.request_url(req)?;

        let mut map = HeaderMap::with_capacity(headers.len() + 1);
        let auth = authorization
            .as_ref()
            .map(|s| ("Authorization", s.authorization()));
        for (name, value) in headers.iter().copied().chain(auth) {
            let header_name = header_name(name).map_err(|_| {
                Error::new(
                    ErrorKind::InvalidInput,
                    format!("invalid header name `{name}`"),
                )
            })?;
            let mut header_value = HeaderValue::from_str(value).map_err(|_| {
                // The value may be a credential: name the header, never echo the value.
                Error::new(
                    ErrorKind::InvalidInput,
                    format!("the value of header `{name}` is not valid in HTTP"),
                )
            })?;
            if name == "Authorization" || name == "x-cos-security-token" {
                header_value.set_sensitive(true);
            }
            map.insert(header_name, header_value);
        }
        let mut request = reqwest::Request::new(req.method.clone(), url);
        *request.headers_mut() = map;
        if let Some(body) = &req.body {
            *request.body_mut() = Some(body.bytes.clone().into());
        }
        Ok(request)
    }

    async fn send_once(
        &self,
        req: &Request,
        attempt: u32,
        creds: &Credentials,
    ) -> Result<Response> {
        let request = self.prepare(req, attempt, creds)?;
        tracing::debug!(
            operation = %req.op,
            method = %req.method,
            host = %req.host,
            path = %req.path,
            "sending COS request"
        );
        let mut response = self
            .inner
            .http
            .execute(request)
            .await
            .map_err(transport_error)?;
        let status = response.status().as_u16();
        // Taken, not cloned: the body is read without them (its length comes from the body).
        let headers = std::mem::take(response.headers_mut());
        let request_id = headers
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let limit = self.inner.settings.max_response_bytes;
        let with_ids = |e: Error| {
            let e = e.with_status(status);
            match &request_id {
                Some(id) => e.with_request_id(id.clone()),
                None => e,
            }
        };
        let (body, overflowed) = read_limited(response, limit, req.method == Method::HEAD)
            .await
            .map_err(|e| {
                let kind = if e.is_timeout() {
                    ErrorKind::Timeout
                } else {
                    ErrorKind::Transport
                };
                with_ids(Error::new(
                    kind,
                    format!(
                        "reading the COS response body (HTTP {status}) failed: {}",
                        error_chain(&e)
                    ),
                ))
            })?;
        tracing::debug!(
            operation = %req.op,
            status,
            request_id = request_id.as_deref().unwrap_or(""),
            "COS response"
        );
        if overflowed {
            let what = format!(
                "COS answered HTTP {status} with a body larger than the client's limit of {limit} bytes (CosClientBuilder::max_response_bytes); it was not read"
            );
            if (200..300).contains(&status) {
                return Err(with_ids(Error::new(ErrorKind::Decode, what)));
            }
            // An error status still means what it says; only its oversized body is dropped.
            let resp = Response {
                status,
                headers,
                body: Vec::new(),
                attempts: 1,
            };
            let err = response_error(&resp, None);
            let message = format!("{} ({what})", err.message());
            return Err(rebuild_message(err, message));
        }
        Ok(Response {
            status,
            headers,
            body,
            attempts: 1,
        })
    }

    /// One attempt: send, and on a clock-skew answer correct the clock and send once more.
    /// Statuses `accept` lets through are returned as responses, not errors.
    async fn attempt(
        &self,
        req: &Request,
        accept: fn(u16) -> bool,
        attempt: u32,
    ) -> Result<Response> {
        let mut corrected = false;
        let mut reread = false;
        let mut creds = if req.signed {
            self.credentials(false).await?
        } else {
            Arc::new(Credentials::new("", ""))
        };
        loop {
            let mut resp = self.send_once(req, attempt, &creds).await?;
            resp.attempts = attempt;
            if (200..300).contains(&resp.status) || accept(resp.status) {
                return Ok(resp);
            }
            let parsed = if req.method == Method::HEAD {
                None
            } else {
                std::str::from_utf8(&resp.body)
                    .ok()
                    .and_then(ErrorXml::parse)
            };
            let skewed = parsed.as_ref().is_some_and(|p| {
                is_clock_skew(p.code.as_deref(), p.message.as_deref().unwrap_or(""))
            });
            let expired = parsed
                .as_ref()
                .is_some_and(|p| is_expired_credentials(p.code.as_deref()));
            if expired
                && !reread
                && req.signed
                && matches!(
                    self.inner.settings.credentials,
                    CredentialSource::Provider(_)
                )
            {
                // Temporary keys can lapse early (revoked, or a clock ahead of STS's):
                // ask the provider once and resend once; a second rejection stands.
                reread = true;
                tracing::debug!("COS rejected the credentials as expired; refreshing them");
                creds = self.credentials(true).await?;
                continue;
            }
            let mut refused_skew = None;
            if skewed
                && !corrected
                && req.signed
                && let Some(server) = resp
                    .header("date")
                    .and_then(|d| httpdate::parse_http_date(d).ok())
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .and_then(|d| i64::try_from(d.as_secs()).ok())
            {
                let offset = server - self.local_now();
                if offset.unsigned_abs() <= MAX_CLOCK_CORRECTION_SECONDS {
                    self.inner.clock_offset.store(offset, Ordering::Relaxed);
                    tracing::debug!(
                        offset,
                        "COS reported clock skew; retrying with a corrected key time"
                    );
                    corrected = true;
                    continue;
                }
                // A server (or a proxy) that far off is more likely wrong than the
                // local clock; adopting its time would sign every later request with it.
                refused_skew = Some(offset);
            }
            let err = response_error(&resp, parsed);
            return Err(match refused_skew {
                None => err,
                Some(offset) => {
                    let message = format!(
                        "{} (the server's Date header is {} h off the local clock; a difference over {} h is not trusted as a clock correction: check the local clock)",
                        err.message(),
                        offset / 3600,
                        MAX_CLOCK_CORRECTION_SECONDS / 3600
                    );
                    rebuild_message(err, message)
                        .with_detail("clock_offset_seconds", offset.to_string())
                }
            });
        }
    }

    async fn execute_with(&self, req: Request, accept: fn(u16) -> bool) -> Result<Response> {
        let op = req.op;
        let result = self
            .inner
            .settings
            .retry_policy
            .run(op, |n| self.attempt(&req, accept, n))
            .await;
        result.map_err(|e| self.with_context(e, op, req.bucket.as_deref()))
    }

    async fn execute(&self, req: Request) -> Result<Response> {
        self.execute_with(req, |_| false).await
    }

    /// Runs a GET of the configuration sub-resource `sub`: `Ok(None)` when COS says it is not
    /// set (see [`is_not_configured`]).
    async fn get_config(&self, req: Request, sub: &str) -> Result<Option<Response>> {
        match self.execute(req).await {
            Ok(resp) => Ok(Some(resp)),
            Err(e) if is_not_configured(&e, sub) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// GET of a configuration sub-resource decoded with the matching [`codec`] function;
    /// `Ok(None)` when COS says it is not set.
    async fn get_xml_config<T>(
        &self,
        op: Operation,
        bucket: &str,
        sub: &str,
        decode: fn(&str) -> Result<T>,
    ) -> Result<Option<T>> {
        self.check_bucket(op, bucket)?;
        let mut req = self.bucket_request(op, Method::GET, bucket);
        req.query = subresource(sub);
        let Some(resp) = self.get_config(req, sub).await? else {
            return Ok(None);
        };
        resp.text()
            .and_then(decode)
            .map(Some)
            .map_err(|e| self.decode_err(e, op, bucket, &resp))
    }

    fn decode_err(&self, e: Error, op: Operation, bucket: &str, resp: &Response) -> Error {
        self.with_context(response_context(e, resp), op, Some(bucket))
    }

    /// Every bucket of the account in one region, following every page (GET Service on
    /// `cos.<region>.myqcloud.com`, or on the configured `service_domain` when it holds
    /// `{region}`).
    pub async fn list_buckets_in_region(&self, region: &str) -> Result<Vec<BucketInfo>> {
        self.list_all(Some(region)).await
    }

    /// One page of the bucket list with `options` (GET Service with `marker`, `max-keys`,
    /// `tagkey`/`tagvalue` and `region`). Follow [`BucketPage::next`] for the rest; memory
    /// stays one page whatever the account's size.
    ///
    /// `region`, when given, is also sent as the `region` parameter (as the SDK's
    /// `list_buckets(Region=...)` does), so the answer is restricted to it even where the
    /// host alone would not be (a proxy, a private endpoint).
    pub async fn list_buckets_page(&self, options: &ListBucketsOptions) -> Result<BucketPage> {
        let op = Operation::ListBuckets;
        if let Some(n) = options.max_keys
            && !(1..=2000).contains(&n)
        {
            return Err(self.with_context(
                Error::invalid_input(vec![bucket_admin_core::Violation::new(
                    "max_keys",
                    format!("{n} is not between 1 and 2000"),
                )]),
                op,
                None,
            ));
        }
        let region = options.region.as_deref().filter(|r| !r.is_empty());
        let mut query = vec![
            ("marker".into(), options.marker.clone().unwrap_or_default()),
            (
                "max-keys".into(),
                options
                    .max_keys
                    .map_or_else(|| LIST_PAGE_SIZE.to_owned(), |n| n.to_string()),
            ),
        ];
        if let Some(r) = region {
            query.push(("region".into(), r.to_owned()));
        }
        if let Some(k) = &options.tag_key {
            query.push(("tagkey".into(), k.clone()));
        }
        if let Some(v) = &options.tag_value {
            query.push(("tagvalue".into(), v.clone()));
        }
        let req = Request {
            op,
            bucket: None,
            method: Method::GET,
            scheme: self.inner.settings.service_scheme.clone(),
            host: self.service_host(region),
            path: "/".into(),
            query,
            // The SDK does not sign list-buckets parameters; COS accepts either.
            sign_query: false,
            headers: Vec::new(),
            body: None,
            signed: true,
        };
        let resp = self.execute(req).await?;
        let ctx = |e: Error| self.with_context(response_context(e, &resp), op, None);
        let page: ListBucketsXml = resp
            .text()
            .and_then(|t| wire::from_xml(t, "ListAllMyBucketsResult", "bucket list"))
            .map_err(ctx)?;
        let truncated = page.is_truncated().map_err(ctx)?;
        let next_marker = page.next_marker().filter(|_| truncated);
        let buckets = page.into_buckets().map_err(ctx)?;
        let next = match (truncated, next_marker, buckets.last()) {
            (false, _, _) => None,
            (true, Some(next), _) => Some(next),
            (true, None, Some(last)) => Some(last.name.clone()),
            (true, None, None) => None,
        };
        let next = match next {
            None => None,
            Some(next) if Some(&next) == options.marker.as_ref() => {
                return Err(ctx(Error::new(
                    ErrorKind::Decode,
                    "COS said the bucket list is truncated but the next marker did not advance",
                )));
            }
            Some(next) => Some(ListBucketsOptions {
                marker: Some(next),
                ..options.clone()
            }),
        };
        Ok(BucketPage { buckets, next })
    }

    /// A pager over the bucket list from `options`, one page in memory at a time:
    ///
    /// ```no_run
    /// # async fn run(client: bucket_admin_cos::CosClient) -> bucket_admin_core::Result<()> {
    /// use bucket_admin_cos::ListBucketsOptions;
    /// let mut pages = client.bucket_pages(ListBucketsOptions::new().region("ap-beijing"));
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
        }
    }

    /// A page, after checking that `done` pages have not reached the safety stop.
    pub(crate) async fn list_page_checked(
        &self,
        options: &ListBucketsOptions,
        done: usize,
    ) -> Result<BucketPage> {
        if done >= MAX_LIST_PAGES {
            return Err(self.with_context(
                Error::new(
                    ErrorKind::Decode,
                    format!("the bucket list did not end after {MAX_LIST_PAGES} pages"),
                ),
                Operation::ListBuckets,
                None,
            ));
        }
        self.list_buckets_page(options).await
    }

    async fn list_all(&self, region: Option<&str>) -> Result<Vec<BucketInfo>> {
        let mut pages = self.bucket_pages(ListBucketsOptions {
            region: region.map(str::to_owned),
            ..ListBucketsOptions::default()
        });
        let mut out = Vec::new();
        while let Some(buckets) = pages.next_page().await? {
            out.extend(buckets);
        }
        Ok(out)
    }

    /// Sends a live, unsigned CORS preflight (`OPTIONS /<key>`) and reports COS's answer.
    ///
    /// HTTP 200 gives [`PreflightOutcome::Allowed`] built from the `Access-Control-*` response
    /// headers (`rule_index` is `None`: COS does not say which rule matched); HTTP 403 gives
    /// [`PreflightOutcome::Denied`] with [`DenialReason::ProviderRejected`]. Other failures are
    /// errors.
    pub async fn preflight(
        &self,
        bucket: &str,
        key: &str,
        request: &PreflightRequest,
    ) -> Result<PreflightOutcome> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        let op = Operation::Preflight;
        self.check_bucket(op, bucket)?;
        let mut req = self.bucket_request(op, Method::OPTIONS, bucket);
        req.signed = false;
        req.path = format!("/{}", key.strip_prefix('/').unwrap_or(key));
        req.headers.push(("Origin".into(), request.origin.clone()));
        req.headers.push((
            "Access-Control-Request-Method".into(),
            request.method.clone(),
        ));
        if !request.request_headers.is_empty() {
            req.headers.push((
                "Access-Control-Request-Headers".into(),
                request.request_headers.join(", "),
            ));
        }
        let resp = self.execute_with(req, |status| status == 403).await?;
        if resp.status == 403 {
            let parsed = std::str::from_utf8(&resp.body)
                .ok()
                .and_then(ErrorXml::parse)
                .unwrap_or_default();
            return Ok(PreflightOutcome::Denied(PreflightDenied::new(
                DenialReason::ProviderRejected {
                    status: resp.status,
                    code: parsed.code,
                    message: parsed.message,
                },
            )));
        }
        let list = |name: &str| -> Vec<String> {
            resp.header(name)
                .map(|v| bucket_admin_core::preflight::split_header_list(v).collect())
                .unwrap_or_default()
        };
        let allowed = PreflightAllowed::new(
            resp.header("access-control-allow-origin").unwrap_or(""),
            list("access-control-allow-methods"),
        )
        .with_allow_credentials(
            resp.header("access-control-allow-credentials")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
        )
        .with_allow_headers(list("access-control-allow-headers"))
        .with_expose_headers(list("access-control-expose-headers"))
        .with_max_age_seconds(
            resp.header("access-control-max-age")
                .and_then(|v| v.trim().parse().ok()),
        );
        Ok(PreflightOutcome::Allowed(allowed))
    }

    /// The `Authorization` value for a request you send yourself (the SDK's `get_auth`):
    /// signs `method` on `/<key>` of `bucket` with `params` and `headers` (plus `host`),
    /// valid for `expires` from now.
    pub fn get_auth(
        &self,
        method: &str,
        bucket: &str,
        key: &str,
        params: &[(&str, &str)],
        headers: &[(&str, &str)],
        expires: Duration,
    ) -> String {
        self.sign_for(method, bucket, key, params, headers, expires)
            .authorization()
            .to_owned()
    }

    /// A pre-signed URL (the SDK's `get_presigned_url`) on the bucket's virtual host, valid
    /// for `expires` from now. With temporary credentials the session token is added as the
    /// signed `x-cos-security-token` parameter (the SDK leaves that to the caller).
    pub fn presigned_url(
        &self,
        method: &str,
        bucket: &str,
        key: &str,
        params: &[(&str, &str)],
        expires: Duration,
    ) -> String {
        let s = &self.inner.settings;
        let token = self.cached_credentials().and_then(|c| {
            c.session_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned())
        });
        let mut all: Vec<(&str, &str)> = params.to_vec();
        if let Some(token) = &token {
            all.push(("x-cos-security-token", token));
        }
        let signature = self.sign_for(method, bucket, key, &all, &[], expires);
        let object_url = format!(
            "{}://{}{}",
            s.bucket_scheme,
            self.bucket_host(bucket),
            sign::object_path(key)
        );
        sign::presigned_url(&object_url, &signature, &all)
    }

    fn sign_for(
        &self,
        method: &str,
        bucket: &str,
        key: &str,
        params: &[(&str, &str)],
        headers: &[(&str, &str)],
        expires: Duration,
    ) -> sign::Signature {
        let creds = self
            .cached_credentials()
            .unwrap_or_else(|| Arc::new(Credentials::new("", "")));
        let host = self.bucket_host(bucket);
        let mut all: Vec<(&str, &str)> = Vec::with_capacity(headers.len() + 1);
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            all.push(("host", &host));
        }
        all.extend_from_slice(headers);
        let expires = i64::try_from(expires.as_secs()).unwrap_or(i64::MAX / 2);
        sign::sign(
            &creds.secret_id,
            creds.secret_key.expose_secret(),
            method,
            &format!("/{}", key.strip_prefix('/').unwrap_or(key)),
            params,
            &all,
            KeyTime::around(self.now(), expires),
        )
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

fn transport_error(e: reqwest::Error) -> Error {
    let detail = error_chain(&e);
    if e.is_timeout() {
        Error::new(
            ErrorKind::Timeout,
            format!("the request to COS timed out: {detail}"),
        )
    } else if e.is_connect() {
        // Nothing reached the server, so even a non-idempotent request may be repeated.
        Error::new(
            ErrorKind::Transport,
            format!("cannot connect to COS: {detail}"),
        )
        .with_retryable(Retryable::Always)
    } else {
        Error::new(
            ErrorKind::Transport,
            format!("the request to COS failed: {detail}"),
        )
    }
}

/// Builds the error of a failed response from its status, headers and `<Error>` body.
fn response_error(resp: &Response, parsed: Option<ErrorXml>) -> Error {
    let status = resp.status;
    let parsed = parsed.unwrap_or_default();
    let code = parsed
        .code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let kind = classify(status, code);
    let mut message = parsed
        .message
        .clone()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| {
            if resp.body.is_empty() {
                match status {
                    404 => "the bucket or resource does not exist".to_owned(),
                    _ => format!("COS answered HTTP {status} without an error body"),
                }
            } else {
                let text = String::from_utf8_lossy(&resp.body);
                let snippet: String = text.chars().take(200).collect();
                format!("COS answered HTTP {status}: {}", snippet.trim())
            }
        });
    let signature_mismatch = code.is_some_and(|c| c.eq_ignore_ascii_case("SignatureDoesNotMatch"));
    if signature_mismatch && (parsed.string_to_sign.is_some() || parsed.format_string.is_some()) {
        message.push_str(
            " (the error details `string_to_sign` and `format_string` hold what COS computed; compare them with the local signing strings)",
        );
    }
    let mut err = Error::new(kind, message).with_status(status);
    if let Some(code) = code {
        err = err.with_code(code);
    }
    let request_id = resp
        .header("x-cos-request-id")
        .map(str::to_owned)
        .or(parsed.request_id.clone());
    if let Some(id) = request_id {
        err = err.with_request_id(id);
    }
    if let Some(trace) = parsed
        .trace_id
        .clone()
        .or_else(|| resp.header("x-cos-trace-id").map(str::to_owned))
    {
        err = err.with_detail("trace_id", trace);
    }
    if let Some(resource) = parsed.resource.clone() {
        err = err.with_detail("resource", resource);
    }
    if signature_mismatch {
        if let Some(sts) = parsed.string_to_sign {
            err = err.with_detail("string_to_sign", sts);
        }
        if let Some(fs) = parsed.format_string {
            err = err.with_detail("format_string", fs);
        }
    }
    if let Some(raw) = resp.header("retry-after") {
        err = with_retry_after(err, raw);
    }
    err
}

/// Records a `Retry-After` value (seconds or an HTTP date). One that cannot be read is not
/// ignored, which would retry at once: it counts as an endless wait, so the retry policy
/// refuses it and reports it, and the raw value is kept in the `retry_after` detail.
fn with_retry_after(err: Error, raw: &str) -> Error {
    match bucket_admin_core::parse_retry_after(raw, SystemTime::now()) {
        Some(after) => err.with_retry_after(after),
        None => {
            let shown: String = raw.chars().take(64).collect();
            err.with_retry_after(Duration::MAX).with_detail(
                "retry_after",
                format!("unreadable Retry-After `{shown}` (neither seconds nor an HTTP date)"),
            )
        }
    }
}

#[async_trait]
impl BucketAdmin for CosClient {
    fn provider(&self) -> Provider {
        Provider::Cos
    }

    fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
    }

    async fn list_buckets(&self) -> Result<Vec<BucketInfo>> {
        self.list_all(None).await
    }

    async fn create_bucket(&self, bucket: &str, options: &CreateBucketOptions) -> Result<()> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        let op = Operation::CreateBucket;
        let unsupported = |field: &str| {
            Err(Error::unsupported(
                Provider::Cos,
                op,
                format_args!("the create option `{field}` (COS has no equivalent)"),
            )
            .with_bucket(bucket))
        };
        if options.location_hint.is_some() {
            return unsupported("location_hint");
        }
        if options.storage_class.is_some() {
            return unsupported("storage_class");
        }
        if options.jurisdiction.is_some() {
            return unsupported("jurisdiction");
        }
        if options.object_lock_enabled {
            return unsupported("object_lock_enabled");
        }
        let host = self.bucket_host(bucket);
        let mut v = validate::bucket_name(bucket, &host);
        for (i, grant) in options.grants.iter().enumerate() {
            v.check(
                !grant.grantees.is_empty(),
                || format!("grants[{i}].grantees"),
                "at least one grantee is required",
            );
        }
        for (i, tag) in options.tags.iter().enumerate() {
            v.check(
                !tag.key.is_empty(),
                || format!("tags[{i}].key"),
                "must not be empty",
            );
        }
        self.invalid(v, op, bucket)?;

        let mut req = self.bucket_request(op, Method::PUT, bucket);
        if let Some(acl) = options.acl {
            req.headers.push(("x-cos-acl".into(), acl.as_str().into()));
        }
        for grant in &options.grants {
            let name = match grant.permission {
                GrantPermission::Read => "x-cos-grant-read",
                GrantPermission::Write => "x-cos-grant-write",
                GrantPermission::ReadAcp => "x-cos-grant-read-acp",
                GrantPermission::WriteAcp => "x-cos-grant-write-acp",
                GrantPermission::FullControl => "x-cos-grant-full-control",
            };
            req.headers.push((name.into(), grant.grantees.join(",")));
        }
        if !options.tags.is_empty() {
            let tagging = options
                .tags
                .iter()
                .map(|t| format!("{}={}", sign::encode(&t.key), sign::encode(&t.value)))
                .collect::<Vec<_>>()
                .join("&");
            req.headers.push(("x-cos-tagging".into(), tagging));
        }
        if options.multi_az {
            let body = CreateBucketXml {
                az: Some("MAZ".into()),
            };
            req.body = Some(self.xml_body(&body, op, bucket)?);
        }
        self.execute(req).await.map(drop)
    }

    async fn head_bucket(&self, bucket: &str) -> Result<BucketInfo> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        let op = Operation::HeadBucket;
        self.check_bucket(op, bucket)?;
        let resp = self
            .execute(self.bucket_request(op, Method::HEAD, bucket))
            .await?;
        let az = resp.header("x-cos-bucket-az-type");
        Ok({
            let mut bucket_info = BucketInfo::named(bucket.to_owned())
                .with_bucket_type(bucket_type_from_wire(resp.header("x-cos-bucket-arch")));
            bucket_info.region = resp
                .header("x-cos-bucket-region")
                .map(str::to_owned)
                .or_else(|| Some(self.region().to_owned()));
            bucket_info.multi_az = az.map(|t| t.trim().eq_ignore_ascii_case("MAZ"));
            bucket_info
        })
    }

    async fn bucket_exists(&self, bucket: &str) -> Result<bool> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        match self.head_bucket(bucket).await {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() && e.status() == Some(404) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn delete_bucket(&self, bucket: &str) -> Result<()> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        let op = Operation::DeleteBucket;
        self.check_bucket(op, bucket)?;
        self.execute(self.bucket_request(op, Method::DELETE, bucket))
            .await
            .map(drop)
    }

    async fn get_cors(&self, bucket: &str) -> Result<Option<CorsConfiguration>> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        let cfg = self
            .get_xml_config(Operation::GetCors, bucket, "cors", codec::decode_cors)
            .await?;
        Ok(cfg.filter(|c| !c.rules.is_empty()))
    }

    async fn put_cors(&self, bucket: &str, config: &CorsConfiguration) -> Result<()> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        let op = Operation::PutCors;
        let mut v = validate::bucket_name(bucket, &self.bucket_host(bucket));
        v.extend(validate::cors(config));
        self.invalid(v, op, bucket)?;
        let body = Body {
            bytes: wire::cors::encode(config).into_bytes(),
            content_type: "application/xml",
            md5: true,
        };
        if body.bytes.len() > validate::MAX_CORS_BODY_BYTES {
            let mut v = Violations::new();
            v.push(
                "rules",
                format!(
                    "the CORS configuration is {} bytes as XML; COS accepts at most {}",
                    body.bytes.len(),
                    validate::MAX_CORS_BODY_BYTES
                ),
            );
            self.invalid(v, op, bucket)?;
        }
        let mut req = self.bucket_request(op, Method::PUT, bucket);
        req.query = subresource("cors");
        req.body = Some(body);
        self.execute(req).await.map(drop)
    }

    async fn delete_cors(&self, bucket: &str) -> Result<()> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        self.delete_sub(Operation::DeleteCors, bucket, "cors").await
    }

    async fn get_lifecycle(&self, bucket: &str) -> Result<Option<LifecycleConfiguration>> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        let cfg = self
            .get_xml_config(
                Operation::GetLifecycle,
                bucket,
                "lifecycle",
                codec::decode_lifecycle,
            )
            .await?;
        Ok(cfg.filter(|c| !c.rules.is_empty()))
    }

    async fn put_lifecycle(&self, bucket: &str, config: &LifecycleConfiguration) -> Result<()> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        let op = Operation::PutLifecycle;
        let mut v = validate::bucket_name(bucket, &self.bucket_host(bucket));
        v.extend(validate::lifecycle(config));
        let wire = match LifecycleXml::from_model(config) {
            Ok(wire) => Some(wire),
            Err(more) => {
                v.extend(more);
                None
            }
        };
        self.invalid(v, op, bucket)?;
        let Some(wire) = wire else {
            return Ok(()); // unreachable: a failed conversion always adds violations
        };
        let mut req = self.bucket_request(op, Method::PUT, bucket);
        req.query = subresource("lifecycle");
        req.body = Some(Body {
            bytes: wire.encode().into_bytes(),
            content_type: "application/xml",
            md5: true,
        });
        self.execute(req).await.map(drop)
    }

    async fn delete_lifecycle(&self, bucket: &str) -> Result<()> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        self.delete_sub(Operation::DeleteLifecycle, bucket, "lifecycle")
            .await
    }

    async fn get_versioning(&self, bucket: &str) -> Result<VersioningStatus> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        let op = Operation::GetVersioning;
        self.check_bucket(op, bucket)?;
        let mut req = self.bucket_request(op, Method::GET, bucket);
        req.query = subresource("versioning");
        let resp = self.execute(req).await?;
        resp.text()
            .and_then(|t| {
                wire::from_xml::<VersioningXml>(t, "VersioningConfiguration", "versioning")
            })
            .and_then(VersioningXml::into_model)
            .map_err(|e| self.decode_err(e, op, bucket, &resp))
    }

    async fn put_versioning(&self, bucket: &str, status: VersioningStatus) -> Result<()> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        let op = Operation::PutVersioning;
        let mut v = validate::bucket_name(bucket, &self.bucket_host(bucket));
        let wire = VersioningXml::from_model(status);
        if wire.is_none() {
            v.push(
                "status",
                "versioning can only be Enabled or Suspended; a bucket never returns to unversioned",
            );
        }
        self.invalid(v, op, bucket)?;
        let Some(wire) = wire else {
            return Ok(()); // unreachable: reported above
        };
        let mut req = self.bucket_request(op, Method::PUT, bucket);
        req.query = subresource("versioning");
        req.body = Some(self.xml_body(&wire, op, bucket)?);
        self.execute(req).await.map(drop)
    }

    async fn get_replication(&self, bucket: &str) -> Result<Option<ReplicationConfiguration>> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        let cfg = self
            .get_xml_config(
                Operation::GetReplication,
                bucket,
                "replication",
                codec::decode_replication,
            )
            .await?;
        Ok(cfg.filter(|c| !c.rules.is_empty()))
    }

    async fn put_replication(&self, bucket: &str, config: &ReplicationConfiguration) -> Result<()> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        let op = Operation::PutReplication;
        let mut v = validate::bucket_name(bucket, &self.bucket_host(bucket));
        v.extend(validate::replication(config));
        self.invalid(v, op, bucket)?;
        let mut req = self.bucket_request(op, Method::PUT, bucket);
        req.query = subresource("replication");
        req.body = Some(self.xml_body(&ReplicationXml::from_model(config), op, bucket)?);
        self.execute(req).await.map(drop)
    }

    async fn delete_replication(&self, bucket: &str) -> Result<()> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        self.delete_sub(Operation::DeleteReplication, bucket, "replication")
            .await
    }

    async fn get_policy(&self, bucket: &str) -> Result<Option<BucketPolicy>> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        let op = Operation::GetPolicy;
        self.check_bucket(op, bucket)?;
        let mut req = self.bucket_request(op, Method::GET, bucket);
        req.query = subresource("policy");
        let Some(resp) = self.get_config(req, "policy").await? else {
            return Ok(None);
        };
        let text = resp
            .text()
            .map_err(|e| self.decode_err(e, op, bucket, &resp))?;
        // Parsed whatever the Content-Type says: COS sometimes labels the JSON as XML.
        wire::policy::from_wire(text)
            .map(Some)
            .map_err(|e| self.decode_err(e, op, bucket, &resp))
    }

    async fn put_policy(&self, bucket: &str, policy: &BucketPolicy) -> Result<()> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        let op = Operation::PutPolicy;
        let mut v = validate::bucket_name(bucket, &self.bucket_host(bucket));
        v.extend(validate::policy(policy));
        self.invalid(v, op, bucket)?;
        let json =
            wire::policy::to_wire(policy).map_err(|e| self.with_context(e, op, Some(bucket)))?;
        let mut req = self.bucket_request(op, Method::PUT, bucket);
        req.query = subresource("policy");
        // As the SDK: JSON with its content type, no Content-MD5.
        req.body = Some(Body {
            bytes: json.into_bytes(),
            content_type: "application/json",
            md5: false,
        });
        self.execute(req).await.map(drop)
    }

    async fn delete_policy(&self, bucket: &str) -> Result<()> {
        let lowered = normalize_bucket(bucket);
        let bucket: &str = &lowered;
        self.delete_sub(Operation::DeletePolicy, bucket, "policy")
            .await
    }
}

impl CosClient {
    async fn delete_sub(&self, op: Operation, bucket: &str, sub: &str) -> Result<()> {
        self.check_bucket(op, bucket)?;
        let mut req = self.bucket_request(op, Method::DELETE, bucket);
        req.query = subresource(sub);
        self.execute(req).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_urls_assembled_from_parts_equal_the_whole_string_parsed() {
        let builders = [
            CosClient::builder(),
            CosClient::builder()
                .endpoint("http://127.0.0.1:8080")
                .allow_http(true),
        ];
        for builder in builders {
            let client = builder
                .region("ap-beijing")
                .secret_id("AKIDEXAMPLE")
                .secret_key("secret")
                .build()
                .unwrap();
            for (path, query) in [
                ("/", vec![("cors", "")]),
                ("/", vec![]),
                ("/a b/./c?d#e%f", vec![("x y", "1&2=3"), ("acl", "")]),
                ("/../..", vec![("prefix", "é/~*")]),
            ] {
                for round in 0..2 {
                    let mut req =
                        client.bucket_request(Operation::GetCors, Method::GET, "Demo-1250000000");
                    req.path = path.into();
                    req.query = query
                        .iter()
                        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                        .collect();
                    let fast = client.request_url(&req).unwrap();
                    let slow = client.request_url_slow(&req).unwrap();
                    assert_eq!(fast, slow, "{path} {query:?} round {round}");
                    assert_eq!(fast.as_str(), slow.as_str());
                }
            }
        }
    }

    #[test]
    fn a_bucket_name_is_validated_once_and_its_host_cached() {
        let client = CosClient::builder()
            .region("ap-beijing")
            .secret_id("AKIDEXAMPLE")
            .secret_key("secret")
            .build()
            .unwrap();
        assert!(client.check_bucket(Operation::GetCors, "bad_name").is_err());
        assert!(client.check_bucket(Operation::GetCors, "bad_name").is_err());
        client
            .check_bucket(Operation::GetCors, "demo-1250000000")
            .unwrap();
        let cache = client.inner.hosts.read().unwrap();
        assert_eq!(
            cache.buckets.get("demo-1250000000").map(String::as_str),
            Some("demo-1250000000.cos.ap-beijing.myqcloud.com")
        );
        assert!(!cache.buckets.contains_key("bad_name"));
    }

    #[test]
    fn classification_table() {
        let cases: &[(u16, Option<&str>, ErrorKind)] = &[
            (404, Some("NoSuchBucket"), ErrorKind::NotFound),
            (404, Some("nosuchbucket"), ErrorKind::NotFound),
            (409, Some("BucketAlreadyExists"), ErrorKind::AlreadyExists),
            (
                409,
                Some("BucketAlreadyOwnedByYou"),
                ErrorKind::AlreadyExists,
            ),
            (409, Some("BucketNotEmpty"), ErrorKind::NotEmpty),
            (
                403,
                Some("SignatureDoesNotMatch"),
                ErrorKind::Unauthenticated,
            ),
            (403, Some("InvalidAccessKeyId"), ErrorKind::Unauthenticated),
            (401, Some("AccessDenied"), ErrorKind::Unauthenticated),
            (400, Some("ExpiredToken"), ErrorKind::Unauthenticated),
            (403, Some("InvalidSecretId"), ErrorKind::Unauthenticated),
            (403, Some("AccessDenied"), ErrorKind::PermissionDenied),
            (400, Some("InvalidArgument"), ErrorKind::InvalidInput),
            (400, Some("MalformedXML"), ErrorKind::InvalidInput),
            (400, Some("InvalidBucketName"), ErrorKind::InvalidInput),
            (400, Some("BucketNameTooLong"), ErrorKind::InvalidInput),
            (400, Some("InvalidDigest"), ErrorKind::InvalidInput),
            (400, Some("TooManyBuckets"), ErrorKind::InvalidInput),
            (503, Some("SlowDown"), ErrorKind::RateLimited),
            (503, None, ErrorKind::Unavailable),
            (500, Some("InternalError"), ErrorKind::Unavailable),
            (429, None, ErrorKind::RateLimited),
            (
                404,
                Some("ReplicationConfigurationnotFoundError"),
                ErrorKind::NotFound,
            ),
            (404, None, ErrorKind::NotFound),
            (503, Some("NoSuchCORSConfiguration"), ErrorKind::Unavailable),
            (
                403,
                Some("NoSuchLifecycleConfiguration"),
                ErrorKind::PermissionDenied,
            ),
            (429, Some("NoSuchBucketPolicy"), ErrorKind::RateLimited),
            (409, Some("NoSuchBucket"), ErrorKind::Other),
            (403, None, ErrorKind::PermissionDenied),
            (418, Some("Teapot"), ErrorKind::Other),
        ];
        for (status, code, kind) in cases {
            assert_eq!(classify(*status, *code), *kind, "{status} {code:?}");
        }
    }

    #[test]
    fn retry_after_accepts_seconds_and_dates_and_never_drops_garbage() {
        let err = || Error::new(ErrorKind::RateLimited, "slow down");
        assert_eq!(
            with_retry_after(err(), "7").retry_after(),
            Some(Duration::from_secs(7))
        );
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        let after = with_retry_after(err(), &later).retry_after().unwrap();
        assert!(
            (Duration::from_secs(100)..=Duration::from_secs(120)).contains(&after),
            "{after:?}"
        );
        let garbage = with_retry_after(err(), "soon");
        assert_eq!(garbage.retry_after(), Some(Duration::MAX));
        assert!(garbage.detail("retry_after").unwrap().contains("`soon`"));
    }
}
