//! [`S3Client`]: HTTP, SigV4 signing, retries, error mapping and the [`BucketAdmin`]
//! implementation.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningInstructions,
    SigningSettings, UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use base64::Engine as _;
use bucket_admin_core::{
    AgeUnit, BucketAdmin, BucketInfo, BucketPolicy, Capabilities, CorsConfiguration,
    CreateBucketOptions, Error, ErrorKind, GrantPermission, LifecycleConfiguration, Operation,
    Provider, ReplicationConfiguration, Result, RetryPolicy, Retryable, StorageClass,
    VersioningStatus, Violations, async_trait,
};
use md5::{Digest as _, Md5};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::ExposeSecret;

use crate::codec;
use crate::config::{Addressing, Profile, S3ClientBuilder};
use crate::credentials::{ProvideCredentials, S3Credentials};
use crate::validate;
use crate::wire::{self, bucket::*, cors::CorsXml, error::ErrorXml, lifecycle::LifecycleXml};
use crate::wire::{replication::ReplicationXml, versioning::VersioningXml};

/// The provider every S3 profile reports.
pub const PROVIDER: Provider = Provider::Other("s3");
const USER_AGENT: &str = concat!("bucket-admin-s3/", env!("CARGO_PKG_VERSION"));

/// RFC 3986 unreserved characters stay as they are; everything else is escaped, as SigV4 wants.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// An object key in a URL path: like [`QUERY`], with `/` kept.
const KEY: &AsciiSet = &QUERY.remove(b'/');

/// The validated settings a client runs with.
pub(crate) struct Settings {
    pub(crate) profile: Profile,
    pub(crate) region: String,
    pub(crate) credentials: Arc<dyn ProvideCredentials>,
    pub(crate) endpoint: String,
    pub(crate) addressing: Addressing,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) retry_policy: RetryPolicy,
    pub(crate) max_list_pages: usize,
    pub(crate) max_response_bytes: usize,
    pub(crate) fixed_time: Option<SystemTime>,
}

/// The S3-compatible provider: administers buckets through the S3 REST API, signed with AWS
/// Signature V4.
///
/// Cheap to clone (the state is shared behind an [`Arc`]); `Debug` never shows a secret.
/// Build one with [`S3Client::builder`] or [`S3ClientBuilder::from_env`].
#[derive(Clone)]
pub struct S3Client {
    inner: Arc<Inner>,
}

struct Inner {
    settings: Settings,
    http: reqwest::Client,
    capabilities: Capabilities,
}

/// Signs `signable` with `creds` for the client's region and clock: the one place the SigV4
/// identity and parameters are made, for header and pre-signed query signatures alike.
fn sign_with(
    s: &Settings,
    creds: &S3Credentials,
    settings: SigningSettings,
    signable: SignableRequest<'_>,
    what: &str,
) -> Result<SigningInstructions> {
    let identity = Credentials::new(
        creds.access_key_id.clone(),
        creds.secret_access_key.expose_secret().to_owned(),
        creds
            .session_token
            .as_ref()
            .map(|t| t.expose_secret().to_owned()),
        None,
        "bucket-admin",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&s.region)
        .name("s3")
        .time(s.fixed_time.unwrap_or_else(SystemTime::now))
        .settings(settings)
        .build()
        .map_err(|e| Error::new(ErrorKind::Config, format!("cannot sign: {e}")))?
        .into();
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| Error::new(ErrorKind::Config, format!("cannot sign {what}: {e}")))?
        .into_parts();
    Ok(instructions)
}

pub(crate) fn build_client(settings: Settings) -> Result<S3Client> {
    let http = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        // A redirect would be followed unsigned and to another region; S3's 301 is reported.
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .connect_timeout(settings.connect_timeout)
        .build()
        .map_err(|e| crate::config::config_error(format!("cannot build the HTTP client: {e}")))?;
    Ok(S3Client {
        inner: Arc::new(Inner {
            capabilities: capabilities(settings.profile),
            settings,
            http,
        }),
    })
}

/// What a profile supports, as a [`Capabilities`] value (also used to generate documentation).
pub fn capabilities(profile: Profile) -> Capabilities {
    let mut c = Capabilities::none(PROVIDER);
    c.cors = true;
    c.cors_expose_header_wildcard = false;
    c.lifecycle = true;
    c.lifecycle_age_unit = AgeUnit::Days;
    c.lifecycle_dates = true;
    c.lifecycle_date_offset = time::UtcOffset::UTC;
    c.lifecycle_abort_multipart = true;
    match profile {
        Profile::Aws | Profile::Custom | Profile::Minio => {
            c.max_cors_rules = Some(validate::MAX_CORS_RULES);
            c.max_lifecycle_rules = Some(validate::MAX_LIFECYCLE_RULES);
            c.lifecycle_tags = true;
            c.lifecycle_noncurrent_versions = true;
            c.lifecycle_expired_object_delete_marker = true;
            c.lifecycle_transition_classes = if profile == Profile::Minio {
                // MinIO transitions go to named remote tiers, not AWS classes.
                Vec::new()
            } else {
                vec![
                    StorageClass::InfrequentAccess,
                    StorageClass::Archive,
                    StorageClass::DeepArchive,
                    StorageClass::IntelligentTiering,
                ]
            };
            c.versioning = true;
            c.replication = true;
            c.max_replication_rules = Some(validate::MAX_REPLICATION_RULES);
            c.policy = true;
            c.create_acl = profile != Profile::Minio;
            // `x-amz-bucket-object-lock-enabled` on CreateBucket (MinIO and moto honour it).
            c.create_object_lock = true;
        }
        Profile::R2 => {
            // R2's S3 API: no versioning, replication or policy; transitions only to
            // InfrequentAccess; no tag filters or noncurrent versions.
            c.max_lifecycle_rules = Some(validate::MAX_LIFECYCLE_RULES);
            c.lifecycle_transition_classes = vec![StorageClass::InfrequentAccess];
        }
        Profile::Cos => {
            c.max_cors_rules = Some(validate::MAX_CORS_RULES);
            c.max_lifecycle_rules = Some(validate::MAX_LIFECYCLE_RULES);
            c.lifecycle_tags = true;
            c.lifecycle_noncurrent_versions = true;
            c.lifecycle_expired_object_delete_marker = true;
            // COS counts lifecycle dates in China Standard Time on its S3 endpoint too.
            c.lifecycle_date_offset = bucket_admin_core::CHINA_STANDARD_TIME;
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
        }
    }
    c
}

/// The Markdown feature table with one column per profile (`S3 (aws)`, `S3 (r2)`, ...), for
/// the README next to the COS and R2 columns.
pub fn capabilities_table() -> String {
    let all: Vec<Capabilities> = Profile::ALL.iter().map(|p| capabilities(*p)).collect();
    let table = Capabilities::markdown_table(&all);
    let mut header = String::from("| feature |");
    for p in Profile::ALL {
        header.push_str(&format!(" S3 ({p}) |"));
    }
    let mut lines: Vec<String> = table.lines().map(str::to_owned).collect();
    if let Some(first) = lines.first_mut() {
        *first = header;
    }
    lines.join("\n") + "\n"
}

impl fmt::Debug for S3Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.inner.settings;
        f.debug_struct("S3Client")
            .field("profile", &s.profile)
            .field("region", &s.region)
            .field("endpoint", &s.endpoint)
            .field("addressing", &s.addressing)
            .field("credentials", &s.credentials)
            .finish_non_exhaustive()
    }
}

/// A request body.
struct Body {
    bytes: Vec<u8>,
    content_type: &'static str,
    md5: bool,
}

/// One S3 request, described independently of time so that every attempt signs anew.
struct Request {
    op: Operation,
    bucket: Option<String>,
    method: Method,
    query: Vec<(String, Option<String>)>,
    headers: Vec<(String, String)>,
    body: Option<Body>,
}

/// A response read to the end.
struct Response {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    fn text(&self) -> Result<&str> {
        std::str::from_utf8(&self.body).map_err(|_| {
            Error::new(
                ErrorKind::Decode,
                "the server returned a body that is not UTF-8",
            )
        })
    }
}

/// Maps an S3 error code and HTTP status to an [`ErrorKind`].
#[doc(hidden)]
pub fn classify(status: u16, code: Option<&str>) -> ErrorKind {
    match code.unwrap_or("").trim() {
        "NoSuchBucket"
        | "NoSuchKey"
        | "NoSuchCORSConfiguration"
        | "NoSuchLifecycleConfiguration"
        | "ReplicationConfigurationNotFoundError"
        | "NoSuchBucketPolicy" => ErrorKind::NotFound,
        "BucketAlreadyExists" | "BucketAlreadyOwnedByYou" => ErrorKind::AlreadyExists,
        "BucketNotEmpty" => ErrorKind::NotEmpty,
        "SignatureDoesNotMatch"
        | "InvalidAccessKeyId"
        | "ExpiredToken"
        | "InvalidToken"
        | "TokenRefreshRequired"
        | "RequestTimeTooSkewed"
        | "MissingSecurityHeader"
        | "AuthorizationQueryParametersError" => ErrorKind::Unauthenticated,
        "AccessDenied" | "AllAccessDisabled" | "AccountProblem" => ErrorKind::PermissionDenied,
        "PermanentRedirect"
        | "TemporaryRedirect"
        | "AuthorizationHeaderMalformed"
        | "IllegalLocationConstraintException" => ErrorKind::Config,
        "InvalidArgument"
        | "MalformedXML"
        | "MalformedPolicy"
        | "InvalidBucketName"
        | "InvalidDigest"
        | "BadDigest"
        | "TooManyBuckets"
        | "InvalidRequest"
        | "InvalidLocationConstraint"
        | "EntityTooLarge"
        | "InvalidStorageClass"
        | "InvalidPolicyDocument"
        | "InvalidBucketState" => ErrorKind::InvalidInput,
        "NotImplemented" => ErrorKind::Unsupported,
        "SlowDown" | "TooManyRequests" | "RequestLimitExceeded" | "Throttling" => {
            ErrorKind::RateLimited
        }
        "RequestTimeout" => ErrorKind::Timeout,
        _ => match status {
            301 | 307 => ErrorKind::Config,
            401 => ErrorKind::Unauthenticated,
            403 => ErrorKind::PermissionDenied,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Other,
            400 | 411 | 413 | 414 => ErrorKind::InvalidInput,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Unavailable,
            _ => ErrorKind::Other,
        },
    }
}

impl S3Client {
    /// A new [`S3ClientBuilder`].
    pub fn builder() -> S3ClientBuilder {
        S3ClientBuilder::new()
    }

    /// The profile.
    pub fn profile(&self) -> Profile {
        self.inner.settings.profile
    }

    /// The signing region (`auto` on R2).
    pub fn region(&self) -> &str {
        &self.inner.settings.region
    }

    /// The service endpoint, `scheme://host[:port]`.
    pub fn endpoint(&self) -> &str {
        &self.inner.settings.endpoint
    }

    /// A pre-signed URL for `method` (`GET`, `PUT`, `HEAD` or `DELETE`) on object `key` of
    /// `bucket`, with the extra query `params` signed in (e.g. `response-content-type`), valid for `expires_in` (1 second to 7 days) from now (or from
    /// [`fixed_time`](S3ClientBuilder::fixed_time)): SigV4 in the query
    /// (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
    /// `X-Amz-SignedHeaders=host`, `X-Amz-Signature`, and `X-Amz-Security-Token` with temporary
    /// credentials), signed by `aws-sigv4` with an unsigned payload, so a browser can `PUT` any
    /// body to it. Nothing is sent.
    ///
    /// Fails with [`ErrorKind::InvalidInput`] for another method, an empty key, a bad bucket
    /// name or an expiry out of range.
    ///
    /// ```
    /// # async fn run() -> bucket_admin_core::Result<()> {
    /// use std::time::Duration;
    /// use bucket_admin_s3::{Profile, S3Client};
    ///
    /// let s3 = S3Client::builder()
    ///     .profile(Profile::R2)
    ///     .account_id("0123456789abcdef0123456789abcdef")
    ///     .access_key_id("AKIAEXAMPLE")
    ///     .secret_access_key("example-secret")
    ///     .build()?;
    /// let url = s3.presigned_url("PUT", "uploads", "photos/cat 1.jpg", &[], Duration::from_secs(600)).await?;
    /// assert!(url.starts_with("https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com/uploads/photos/cat%201.jpg?"));
    /// assert!(url.contains("X-Amz-Expires=600") && url.contains("X-Amz-Signature="));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn presigned_url(
        &self,
        method: &str,
        bucket: &str,
        key: &str,
        params: &[(&str, &str)],
        expires_in: Duration,
    ) -> Result<String> {
        let mut v = validate::bucket_name(bucket, self.inner.settings.addressing);
        let method = method.to_ascii_uppercase();
        v.check(
            matches!(method.as_str(), "GET" | "PUT" | "HEAD" | "DELETE"),
            || "method".to_owned(),
            "GET, PUT, HEAD or DELETE",
        );
        v.check(
            !key.is_empty(),
            || "key".to_owned(),
            "an object key is required",
        );
        v.check(
            (1..=604_800).contains(&expires_in.as_secs()),
            || "expires_in".to_owned(),
            "from 1 second to 7 days (604800 seconds)",
        );
        v.into_result()
            .map_err(|e| e.with_provider(PROVIDER).with_bucket(bucket))?;
        let s = &self.inner.settings;
        let base = self.bucket_url(bucket);
        let mut url = format!(
            "{}/{}",
            base.trim_end_matches('/'),
            utf8_percent_encode(key, KEY)
        );
        let extra: Vec<String> = params
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    utf8_percent_encode(k, QUERY),
                    utf8_percent_encode(v, QUERY)
                )
            })
            .collect();
        if !extra.is_empty() {
            url = format!("{url}?{}", extra.join("&"));
        }
        let creds = s.credentials.credentials().await?;
        let mut settings = SigningSettings::default();
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.signature_location = aws_sigv4::http_request::SignatureLocation::QueryParams;
        settings.expires_in = Some(expires_in);
        let no_headers: [(&str, &str); 0] = [];
        let signable = SignableRequest::new(
            &method,
            url.as_str(),
            no_headers.into_iter(),
            SignableBody::UnsignedPayload,
        )
        .map_err(|e| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("cannot sign a request to `{url}`: {e}"),
            )
        })?;
        let instructions = sign_with(s, &creds, settings, signable, "the URL")?;
        let (_headers, query) = instructions.into_parts();
        let query: Vec<String> = query
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    utf8_percent_encode(k, QUERY),
                    utf8_percent_encode(v, QUERY)
                )
            })
            .collect();
        let sep = if extra.is_empty() { '?' } else { '&' };
        Ok(format!("{url}{sep}{}", query.join("&")))
    }

    /// The credentials the next request would be signed with.
    #[cfg(test)]
    pub(crate) async fn credentials(&self) -> Result<S3Credentials> {
        self.inner.settings.credentials.credentials().await
    }

    /// The URL of a bucket's root, with the configured addressing style.
    pub fn bucket_url(&self, bucket: &str) -> String {
        let s = &self.inner.settings;
        match s.addressing {
            // As boto3: no trailing slash after the bucket.
            Addressing::Path => format!("{}/{}", s.endpoint, bucket),
            Addressing::VirtualHost => {
                let (scheme, rest) = s.endpoint.split_once("://").unwrap_or(("https", ""));
                format!("{scheme}://{bucket}.{rest}/")
            }
        }
    }

    fn with_context(&self, err: Error, op: Operation, bucket: Option<&str>) -> Error {
        let err = err.with_provider(PROVIDER).with_operation(op);
        match bucket {
            Some(b) => err.with_bucket(b),
            None => err,
        }
    }

    fn check_bucket(&self, op: Operation, bucket: &str) -> Result<()> {
        let v = validate::bucket_name(bucket, self.inner.settings.addressing);
        self.invalid(v, op, bucket)
    }

    fn invalid(&self, v: Violations, op: Operation, bucket: &str) -> Result<()> {
        v.into_result()
            .map_err(|e| self.with_context(e, op, Some(bucket)))
    }

    fn unsupported(&self, op: Operation, bucket: &str, what: &str) -> Error {
        Error::unsupported(
            PROVIDER,
            op,
            format_args!("{what} with the {} profile", self.profile()),
        )
        .with_bucket(bucket)
    }

    fn xml_body(&self, xml: String) -> Body {
        Body {
            bytes: xml.into_bytes(),
            content_type: "application/xml",
            md5: true,
        }
    }

    fn bucket_request(&self, op: Operation, method: Method, bucket: &str) -> Request {
        Request {
            op,
            bucket: Some(bucket.to_owned()),
            method,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    fn url(&self, req: &Request) -> String {
        let mut url = match &req.bucket {
            Some(b) => self.bucket_url(b),
            None => format!("{}/", self.inner.settings.endpoint),
        };
        for (i, (k, v)) in req.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.extend(utf8_percent_encode(k, QUERY));
            if let Some(v) = v {
                url.push('=');
                url.extend(utf8_percent_encode(v, QUERY));
            }
        }
        url
    }

    /// Builds and signs the wire request of one attempt.
    fn prepare(&self, req: &Request, creds: &S3Credentials) -> Result<reqwest::Request> {
        let s = &self.inner.settings;
        let url = self.url(req);
        let mut headers: Vec<(String, String)> = req.headers.clone();
        if let Some(body) = &req.body {
            headers.push(("content-type".into(), body.content_type.to_owned()));
            if body.md5 {
                let digest = Md5::digest(&body.bytes);
                headers.push((
                    "content-md5".into(),
                    base64::engine::general_purpose::STANDARD.encode(digest),
                ));
            }
        }
        let empty: &[u8] = &[];
        let body_bytes = req.body.as_ref().map_or(empty, |b| b.bytes.as_slice());
        let mut settings = SigningSettings::default();
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        let signable = SignableRequest::new(
            req.method.as_str(),
            url.as_str(),
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(body_bytes),
        )
        .map_err(|e| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("cannot sign a request to `{url}`: {e}"),
            )
        })?;
        let instructions = sign_with(s, creds, settings, signable, "the request")?;
        let (signed_headers, _params) = instructions.into_parts();

        let parsed = reqwest::Url::parse(&url).map_err(|e| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("cannot build a URL from `{url}`: {e}"),
            )
        })?;
        let mut map = HeaderMap::with_capacity(headers.len() + signed_headers.len());
        let all = headers.into_iter().chain(
            signed_headers
                .iter()
                .map(|h| (h.name().to_owned(), h.value().to_owned())),
        );
        for (name, value) in all {
            let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::new(
                    ErrorKind::InvalidInput,
                    format!("invalid header name `{name}`"),
                )
            })?;
            let mut header_value = HeaderValue::from_str(&value).map_err(|_| {
                // The value may be a credential: name the header, never echo the value.
                Error::new(
                    ErrorKind::InvalidInput,
                    format!("the value of header `{name}` is not valid in HTTP"),
                )
            })?;
            if name.eq_ignore_ascii_case("authorization")
                || name.eq_ignore_ascii_case("x-amz-security-token")
            {
                header_value.set_sensitive(true);
            }
            map.insert(header_name, header_value);
        }
        let mut request = reqwest::Request::new(req.method.clone(), parsed);
        *request.headers_mut() = map;
        if let Some(body) = &req.body {
            *request.body_mut() = Some(body.bytes.clone().into());
        }
        Ok(request)
    }

    async fn send_once(&self, req: &Request) -> Result<Response> {
        let creds = self.inner.settings.credentials.credentials().await?;
        let request = self.prepare(req, &creds)?;
        tracing::debug!(operation = %req.op, method = %req.method, url = %request.url(), "sending S3 request");
        let mut response = self
            .inner
            .http
            .execute(request)
            .await
            .map_err(transport_error)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let limit = self.inner.settings.max_response_bytes;
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > limit {
                        return Err(Error::new(
                            ErrorKind::Decode,
                            format!("the response body is larger than the {limit}-byte limit"),
                        )
                        .with_status(status));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    let kind = if e.is_timeout() {
                        ErrorKind::Timeout
                    } else {
                        ErrorKind::Transport
                    };
                    return Err(Error::new(
                        kind,
                        format!("reading the response body failed: {}", error_chain(&e)),
                    )
                    .with_status(status));
                }
            }
        }
        tracing::debug!(
            operation = %req.op,
            status,
            request_id = headers.get("x-amz-request-id").and_then(|v| v.to_str().ok()).unwrap_or(""),
            "S3 response"
        );
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    async fn attempt(&self, req: &Request) -> Result<Response> {
        let resp = self.send_once(req).await?;
        if (200..300).contains(&resp.status) {
            return Ok(resp);
        }
        let parsed = if req.method == Method::HEAD {
            None
        } else {
            std::str::from_utf8(&resp.body)
                .ok()
                .and_then(ErrorXml::parse)
        };
        Err(response_error(&resp, parsed, self.region()))
    }

    async fn execute(&self, req: Request) -> Result<Response> {
        let op = req.op;
        let result = self
            .inner
            .settings
            .retry_policy
            .run(op, |_| self.attempt(&req))
            .await;
        result.map_err(|e| self.with_context(e, op, req.bucket.as_deref()))
    }

    fn decode_err(&self, e: Error, op: Operation, bucket: Option<&str>, resp: &Response) -> Error {
        let e = match resp.header("x-amz-request-id") {
            Some(id) => e.with_request_id(id),
            None => e,
        };
        self.with_context(e.with_status(resp.status), op, bucket)
    }

    /// GET of a sub-resource: `Ok(None)` only for a 404 carrying `not_set_code`.
    async fn get_sub(
        &self,
        op: Operation,
        bucket: &str,
        sub: &str,
        not_set_code: &str,
    ) -> Result<Option<Response>> {
        self.check_bucket(op, bucket)?;
        let mut req = self.bucket_request(op, Method::GET, bucket);
        req.query = vec![(sub.to_owned(), None)];
        match self.execute(req).await {
            Ok(resp) => Ok(Some(resp)),
            Err(e) if e.status() == Some(404) && e.code() == Some(not_set_code) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn get_xml_sub<T>(
        &self,
        op: Operation,
        bucket: &str,
        sub: &str,
        not_set_code: &str,
        decode: fn(&str) -> Result<T>,
    ) -> Result<Option<T>> {
        let Some(resp) = self.get_sub(op, bucket, sub, not_set_code).await? else {
            return Ok(None);
        };
        resp.text()
            .and_then(decode)
            .map(Some)
            .map_err(|e| self.decode_err(e, op, Some(bucket), &resp))
    }

    async fn put_sub(&self, op: Operation, bucket: &str, sub: &str, body: Body) -> Result<()> {
        let mut req = self.bucket_request(op, Method::PUT, bucket);
        req.query = vec![(sub.to_owned(), None)];
        req.body = Some(body);
        self.execute(req).await.map(drop)
    }

    async fn delete_sub(&self, op: Operation, bucket: &str, sub: &str) -> Result<()> {
        self.check_bucket(op, bucket)?;
        let mut req = self.bucket_request(op, Method::DELETE, bucket);
        req.query = vec![(sub.to_owned(), None)];
        self.execute(req).await.map(drop)
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
            format!("the request timed out: {detail}"),
        )
    } else if e.is_connect() {
        // Nothing reached the server, so even a non-idempotent request may be repeated.
        Error::new(
            ErrorKind::Transport,
            format!("cannot connect to the S3 endpoint: {detail}"),
        )
        .with_retryable(Retryable::Always)
    } else {
        Error::new(
            ErrorKind::Transport,
            format!("the request failed: {detail}"),
        )
    }
}

/// Builds the error of a failed response from its status, headers and `<Error>` body.
fn response_error(resp: &Response, parsed: Option<ErrorXml>, client_region: &str) -> Error {
    let status = resp.status;
    let parsed = parsed.unwrap_or_default();
    let code = parsed
        .code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .or_else(|| match status {
            // HEAD answers carry no body: name the usual code so callers can match on it.
            301 => Some("PermanentRedirect".to_owned()),
            404 if resp.body.is_empty() => Some("NoSuchBucket".to_owned()),
            _ => None,
        });
    let kind = classify(status, code.as_deref());
    let mut message = parsed
        .message
        .clone()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| {
            if resp.body.is_empty() {
                match status {
                    404 => "the bucket does not exist".to_owned(),
                    _ => format!("the server answered HTTP {status} without an error body"),
                }
            } else {
                let text = String::from_utf8_lossy(&resp.body);
                let snippet: String = text.chars().take(200).collect();
                format!("the server answered HTTP {status}: {}", snippet.trim())
            }
        });
    let right_region = resp
        .header("x-amz-bucket-region")
        .map(str::to_owned)
        .or(parsed.region.clone())
        .filter(|r| !r.trim().is_empty());
    if kind == ErrorKind::Config {
        match &right_region {
            Some(region) if region != client_region => message.push_str(&format!(
                " (the bucket is in region `{region}`, this client signs for `{client_region}`: set region(\"{region}\") or AWS_REGION={region})"
            )),
            _ => message.push_str(&format!(
                " (this client signs for region `{client_region}`; the bucket lives in another region or behind another endpoint)"
            )),
        }
    }
    let signature_mismatch = code.as_deref() == Some("SignatureDoesNotMatch");
    if signature_mismatch && (parsed.canonical_request.is_some() || parsed.string_to_sign.is_some())
    {
        message.push_str(
            " (the error details `canonical_request` and `string_to_sign` hold what the server computed; compare them with the local signing strings)",
        );
    }
    let mut err = Error::new(kind, message).with_status(status);
    if let Some(code) = code {
        err = err.with_code(code);
    }
    let request_id = resp
        .header("x-amz-request-id")
        .map(str::to_owned)
        .or(parsed.request_id.clone());
    if let Some(id) = request_id {
        err = err.with_request_id(id);
    }
    if let Some(id2) = resp
        .header("x-amz-id-2")
        .map(str::to_owned)
        .or(parsed.host_id.clone())
    {
        err = err.with_detail("x_amz_id_2", id2);
    }
    if let Some(region) = right_region {
        err = err.with_detail("bucket_region", region);
    }
    if let Some(endpoint) = parsed.endpoint.clone() {
        err = err.with_detail("endpoint", endpoint);
    }
    if let Some(resource) = parsed.resource.clone() {
        err = err.with_detail("resource", resource);
    }
    if signature_mismatch {
        if let Some(creq) = parsed.canonical_request {
            err = err.with_detail("canonical_request", creq);
        }
        if let Some(sts) = parsed.string_to_sign {
            err = err.with_detail("string_to_sign", sts);
        }
    }
    if let Some(after) = resp
        .header("retry-after")
        .and_then(|v| bucket_admin_core::parse_retry_after(v, SystemTime::now()))
    {
        err = err.with_retry_after(after);
    }
    err
}

#[async_trait]
impl BucketAdmin for S3Client {
    fn provider(&self) -> Provider {
        PROVIDER
    }

    fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
    }

    async fn list_buckets(&self) -> Result<Vec<BucketInfo>> {
        let op = Operation::ListBuckets;
        let mut token: Option<String> = None;
        let mut out = Vec::new();
        for _ in 0..self.inner.settings.max_list_pages {
            let req = Request {
                op,
                bucket: None,
                method: Method::GET,
                // As boto3: the first page without parameters; later pages by token.
                query: token
                    .iter()
                    .map(|t| ("continuation-token".to_owned(), Some(t.clone())))
                    .collect(),
                headers: Vec::new(),
                body: None,
            };
            let resp = self.execute(req).await?;
            let page: ListBucketsXml = resp
                .text()
                .and_then(|t| {
                    wire::from_xml(
                        t,
                        &["ListAllMyBucketsResult", "ListBucketsResponse"],
                        "bucket list",
                    )
                })
                .map_err(|e| self.decode_err(e, op, None, &resp))?;
            let next = page.continuation_token();
            out.extend(
                page.into_buckets()
                    .map_err(|e| self.decode_err(e, op, None, &resp))?,
            );
            match next {
                None => return Ok(out),
                Some(next) if Some(&next) == token.as_ref() => {
                    return Err(self.decode_err(
                        Error::new(
                            ErrorKind::Decode,
                            "the server returned the same continuation token twice",
                        ),
                        op,
                        None,
                        &resp,
                    ));
                }
                Some(next) => token = Some(next),
            }
        }
        Err(self.with_context(
            Error::new(
                ErrorKind::Decode,
                format!(
                    "the bucket list did not end after {} pages",
                    self.inner.settings.max_list_pages
                ),
            ),
            op,
            None,
        ))
    }

    async fn create_bucket(&self, bucket: &str, options: &CreateBucketOptions) -> Result<()> {
        let op = Operation::CreateBucket;
        let caps = &self.inner.capabilities;
        for (set, field) in [
            (options.location_hint.is_some(), "location_hint"),
            (options.storage_class.is_some(), "storage_class"),
            (options.jurisdiction.is_some(), "jurisdiction"),
            (options.multi_az, "multi_az"),
            (!options.tags.is_empty(), "tags"),
            (
                !caps.create_acl && (options.acl.is_some() || !options.grants.is_empty()),
                "acl",
            ),
            (
                !caps.create_object_lock && options.object_lock_enabled,
                "object_lock_enabled",
            ),
        ] {
            if set {
                return Err(self.unsupported(op, bucket, &format!("the create option `{field}`")));
            }
        }
        let mut v = validate::bucket_name(bucket, self.inner.settings.addressing);
        for (i, grant) in options.grants.iter().enumerate() {
            v.check(
                !grant.grantees.is_empty(),
                || format!("grants[{i}].grantees"),
                "at least one grantee is required",
            );
        }
        self.invalid(v, op, bucket)?;
        let mut req = self.bucket_request(op, Method::PUT, bucket);
        if let Some(acl) = options.acl {
            req.headers.push(("x-amz-acl".into(), acl.as_str().into()));
        }
        for grant in &options.grants {
            let name = match grant.permission {
                GrantPermission::Read => "x-amz-grant-read",
                GrantPermission::Write => "x-amz-grant-write",
                GrantPermission::ReadAcp => "x-amz-grant-read-acp",
                GrantPermission::WriteAcp => "x-amz-grant-write-acp",
                GrantPermission::FullControl => "x-amz-grant-full-control",
            };
            req.headers.push((name.into(), grant.grantees.join(", ")));
        }
        if options.object_lock_enabled {
            req.headers
                .push(("x-amz-bucket-object-lock-enabled".into(), "true".into()));
        }
        let region = self.region();
        // us-east-1 is the default location and must not be named; R2 has no locations.
        if region != "us-east-1" && region != "auto" {
            let body = CreateBucketXml {
                location_constraint: region.to_owned(),
            };
            let xml = wire::to_xml(&body).map_err(|e| self.with_context(e, op, Some(bucket)))?;
            req.body = Some(Body {
                md5: false,
                ..self.xml_body(xml)
            });
        }
        self.execute(req).await.map(drop)
    }

    async fn head_bucket(&self, bucket: &str) -> Result<BucketInfo> {
        let op = Operation::HeadBucket;
        self.check_bucket(op, bucket)?;
        let resp = self
            .execute(self.bucket_request(op, Method::HEAD, bucket))
            .await?;
        Ok({
            let mut bucket_info = BucketInfo::named(bucket.to_owned());
            bucket_info.region = resp
                .header("x-amz-bucket-region")
                .map(str::to_owned)
                .or_else(|| Some(self.region().to_owned()));
            bucket_info
        })
    }

    async fn bucket_exists(&self, bucket: &str) -> Result<bool> {
        match self.head_bucket(bucket).await {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() && e.status() == Some(404) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn delete_bucket(&self, bucket: &str) -> Result<()> {
        let op = Operation::DeleteBucket;
        self.check_bucket(op, bucket)?;
        self.execute(self.bucket_request(op, Method::DELETE, bucket))
            .await
            .map(drop)
    }

    async fn get_cors(&self, bucket: &str) -> Result<Option<CorsConfiguration>> {
        let cfg = self
            .get_xml_sub(
                Operation::GetCors,
                bucket,
                "cors",
                "NoSuchCORSConfiguration",
                codec::decode_cors,
            )
            .await?;
        Ok(cfg.filter(|c| !c.rules.is_empty()))
    }

    async fn put_cors(&self, bucket: &str, config: &CorsConfiguration) -> Result<()> {
        let op = Operation::PutCors;
        let mut v = validate::bucket_name(bucket, self.inner.settings.addressing);
        v.extend(validate::cors(config, &self.inner.capabilities));
        self.invalid(v, op, bucket)?;
        let xml = wire::to_xml(&CorsXml::from_model(config))
            .map_err(|e| self.with_context(e, op, Some(bucket)))?;
        if xml.len() > validate::MAX_CORS_BODY_BYTES {
            let mut v = Violations::new();
            v.push(
                "rules",
                format!(
                    "the CORS configuration is {} bytes as XML; S3 accepts at most {}",
                    xml.len(),
                    validate::MAX_CORS_BODY_BYTES
                ),
            );
            self.invalid(v, op, bucket)?;
        }
        self.put_sub(op, bucket, "cors", self.xml_body(xml)).await
    }

    async fn delete_cors(&self, bucket: &str) -> Result<()> {
        self.delete_sub(Operation::DeleteCors, bucket, "cors").await
    }

    async fn get_lifecycle(&self, bucket: &str) -> Result<Option<LifecycleConfiguration>> {
        let cfg = self
            .get_xml_sub(
                Operation::GetLifecycle,
                bucket,
                "lifecycle",
                "NoSuchLifecycleConfiguration",
                codec::decode_lifecycle,
            )
            .await?;
        Ok(cfg.filter(|c| !c.rules.is_empty()))
    }

    async fn put_lifecycle(&self, bucket: &str, config: &LifecycleConfiguration) -> Result<()> {
        let op = Operation::PutLifecycle;
        let caps = &self.inner.capabilities;
        let mut v = validate::bucket_name(bucket, self.inner.settings.addressing);
        v.extend(validate::lifecycle(config, caps));
        let wire = match LifecycleXml::from_model(config, caps.lifecycle_date_offset) {
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
        let xml = wire::to_xml(&wire).map_err(|e| self.with_context(e, op, Some(bucket)))?;
        self.put_sub(op, bucket, "lifecycle", self.xml_body(xml))
            .await
    }

    async fn delete_lifecycle(&self, bucket: &str) -> Result<()> {
        self.delete_sub(Operation::DeleteLifecycle, bucket, "lifecycle")
            .await
    }

    async fn get_versioning(&self, bucket: &str) -> Result<VersioningStatus> {
        let op = Operation::GetVersioning;
        if !self.inner.capabilities.versioning {
            return Err(self.unsupported(op, bucket, "versioning"));
        }
        self.check_bucket(op, bucket)?;
        let mut req = self.bucket_request(op, Method::GET, bucket);
        req.query = vec![("versioning".into(), None)];
        let resp = self.execute(req).await?;
        resp.text()
            .and_then(codec::decode_versioning)
            .map_err(|e| self.decode_err(e, op, Some(bucket), &resp))
    }

    async fn put_versioning(&self, bucket: &str, status: VersioningStatus) -> Result<()> {
        let op = Operation::PutVersioning;
        if !self.inner.capabilities.versioning {
            return Err(self.unsupported(op, bucket, "versioning"));
        }
        let mut v = validate::bucket_name(bucket, self.inner.settings.addressing);
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
        let xml = wire::to_xml(&wire).map_err(|e| self.with_context(e, op, Some(bucket)))?;
        self.put_sub(op, bucket, "versioning", self.xml_body(xml))
            .await
    }

    async fn get_replication(&self, bucket: &str) -> Result<Option<ReplicationConfiguration>> {
        let op = Operation::GetReplication;
        if !self.inner.capabilities.replication {
            return Err(self.unsupported(op, bucket, "replication"));
        }
        let cfg = self
            .get_xml_sub(
                op,
                bucket,
                "replication",
                "ReplicationConfigurationNotFoundError",
                codec::decode_replication,
            )
            .await?;
        Ok(cfg.filter(|c| !c.rules.is_empty()))
    }

    async fn put_replication(&self, bucket: &str, config: &ReplicationConfiguration) -> Result<()> {
        let op = Operation::PutReplication;
        if !self.inner.capabilities.replication {
            return Err(self.unsupported(op, bucket, "replication"));
        }
        let mut v = validate::bucket_name(bucket, self.inner.settings.addressing);
        v.extend(validate::replication(config, &self.inner.capabilities));
        self.invalid(v, op, bucket)?;
        let xml = wire::to_xml(&ReplicationXml::from_model(config))
            .map_err(|e| self.with_context(e, op, Some(bucket)))?;
        self.put_sub(op, bucket, "replication", self.xml_body(xml))
            .await
    }

    async fn delete_replication(&self, bucket: &str) -> Result<()> {
        let op = Operation::DeleteReplication;
        if !self.inner.capabilities.replication {
            return Err(self.unsupported(op, bucket, "replication"));
        }
        self.delete_sub(op, bucket, "replication").await
    }

    async fn get_policy(&self, bucket: &str) -> Result<Option<BucketPolicy>> {
        let op = Operation::GetPolicy;
        if !self.inner.capabilities.policy {
            return Err(self.unsupported(op, bucket, "bucket policies"));
        }
        let Some(resp) = self
            .get_sub(op, bucket, "policy", "NoSuchBucketPolicy")
            .await?
        else {
            return Ok(None);
        };
        resp.text()
            .and_then(codec::decode_policy)
            .map(Some)
            .map_err(|e| self.decode_err(e, op, Some(bucket), &resp))
    }

    async fn put_policy(&self, bucket: &str, policy: &BucketPolicy) -> Result<()> {
        let op = Operation::PutPolicy;
        if !self.inner.capabilities.policy {
            return Err(self.unsupported(op, bucket, "bucket policies"));
        }
        let mut v = validate::bucket_name(bucket, self.inner.settings.addressing);
        v.extend(policy.validate());
        self.invalid(v, op, bucket)?;
        let json =
            codec::encode_policy(policy).map_err(|e| self.with_context(e, op, Some(bucket)))?;
        let body = Body {
            bytes: json.into_bytes(),
            content_type: "application/json",
            md5: true,
        };
        self.put_sub(op, bucket, "policy", body).await
    }

    async fn delete_policy(&self, bucket: &str) -> Result<()> {
        let op = Operation::DeletePolicy;
        if !self.inner.capabilities.policy {
            return Err(self.unsupported(op, bucket, "bucket policies"));
        }
        self.delete_sub(op, bucket, "policy").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::endpoint_host;

    fn resp(status: u16, headers: &[(&'static str, &str)], body: &str) -> Response {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        Response {
            status,
            headers: map,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn each_profile_has_its_own_capabilities() {
        let aws = capabilities(Profile::Aws);
        assert_eq!(aws.max_cors_rules, Some(100));
        assert!(aws.versioning && aws.replication && aws.policy && aws.lifecycle_tags);
        let r2 = capabilities(Profile::R2);
        assert!(!r2.versioning && !r2.replication && !r2.policy && !r2.lifecycle_tags);
        assert_eq!(
            r2.lifecycle_transition_classes,
            [StorageClass::InfrequentAccess]
        );
        let cos = capabilities(Profile::Cos);
        assert_eq!(
            cos.lifecycle_date_offset,
            bucket_admin_core::CHINA_STANDARD_TIME
        );
        assert!(
            capabilities(Profile::Minio)
                .lifecycle_transition_classes
                .is_empty()
        );
        let table = capabilities_table();
        let first = table.lines().next().unwrap();
        assert_eq!(
            first,
            "| feature | S3 (aws) | S3 (r2) | S3 (cos) | S3 (minio) | S3 (custom) |"
        );
        assert!(
            table.contains("| versioning | yes | no | yes | yes | yes |"),
            "{table}"
        );
    }

    #[test]
    fn classification_table() {
        let cases: &[(u16, Option<&str>, ErrorKind)] = &[
            (404, Some("NoSuchBucket"), ErrorKind::NotFound),
            (404, Some("NoSuchCORSConfiguration"), ErrorKind::NotFound),
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
            (403, Some("AccessDenied"), ErrorKind::PermissionDenied),
            (301, Some("PermanentRedirect"), ErrorKind::Config),
            (400, Some("AuthorizationHeaderMalformed"), ErrorKind::Config),
            (400, Some("MalformedXML"), ErrorKind::InvalidInput),
            (501, Some("NotImplemented"), ErrorKind::Unsupported),
            (503, Some("SlowDown"), ErrorKind::RateLimited),
            (500, Some("InternalError"), ErrorKind::Unavailable),
            (301, None, ErrorKind::Config),
            (404, None, ErrorKind::NotFound),
            (418, Some("Teapot"), ErrorKind::Other),
        ];
        for (status, code, kind) in cases {
            assert_eq!(classify(*status, *code), *kind, "{status} {code:?}");
        }
    }

    #[test]
    fn wrong_region_names_the_right_one() {
        let r = resp(
            301,
            &[
                ("x-amz-bucket-region", "eu-west-1"),
                ("x-amz-request-id", "R1"),
                ("x-amz-id-2", "ID2"),
            ],
            "",
        );
        let e = response_error(&r, None, "us-east-1");
        assert_eq!(e.kind(), ErrorKind::Config);
        assert_eq!(e.code(), Some("PermanentRedirect"));
        assert!(
            e.message().contains("region(\"eu-west-1\")"),
            "{}",
            e.message()
        );
        assert_eq!(e.request_id(), Some("R1"));
        assert_eq!(e.detail("x_amz_id_2"), Some("ID2"));
        let body = "<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'us-east-1' is wrong; expecting 'ap-south-1'</Message><Region>ap-south-1</Region></Error>";
        let e = response_error(&resp(400, &[], body), ErrorXml::parse(body), "us-east-1");
        assert_eq!(e.detail("bucket_region"), Some("ap-south-1"));
        assert!(
            e.message().contains("AWS_REGION=ap-south-1"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn signature_mismatch_carries_the_server_strings() {
        let body = "<Error><Code>SignatureDoesNotMatch</Code><Message>nope</Message><CanonicalRequest>GET\n/\n</CanonicalRequest><StringToSign>AWS4-HMAC-SHA256\nx</StringToSign></Error>";
        let e = response_error(&resp(403, &[], body), ErrorXml::parse(body), "us-east-1");
        assert_eq!(e.kind(), ErrorKind::Unauthenticated);
        assert_eq!(e.detail("canonical_request"), Some("GET\n/\n"));
        assert_eq!(e.detail("string_to_sign"), Some("AWS4-HMAC-SHA256\nx"));
        assert!(
            !e.to_string().contains("AWS4-HMAC"),
            "details stay out of Display"
        );
    }

    /// The pre-signed URL example of the S3 documentation ("Authenticating Requests: Using
    /// Query Parameters", GET /test.txt on examplebucket, 2013-05-24, 86400 s).
    #[tokio::test]
    async fn presigned_url_matches_the_aws_documentation_example() {
        let c = S3Client::builder()
            .profile(Profile::Aws)
            .region("us-east-1")
            .endpoint("https://s3.amazonaws.com")
            .access_key_id("AKIAIOSFODNN7EXAMPLE")
            .secret_access_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
            .fixed_time(SystemTime::UNIX_EPOCH + Duration::from_secs(1_369_353_600))
            .build()
            .unwrap();
        let url = c
            .presigned_url(
                "GET",
                "examplebucket",
                "test.txt",
                &[],
                Duration::from_secs(86400),
            )
            .await
            .unwrap();
        let (base, query) = url.split_once('?').unwrap();
        assert_eq!(base, "https://examplebucket.s3.amazonaws.com/test.txt");
        let mut pairs: Vec<&str> = query.split('&').collect();
        pairs.sort_unstable();
        assert_eq!(
            pairs,
            [
                "X-Amz-Algorithm=AWS4-HMAC-SHA256",
                "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request",
                "X-Amz-Date=20130524T000000Z",
                "X-Amz-Expires=86400",
                "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
                "X-Amz-SignedHeaders=host",
            ]
        );
        // Keys are escaped as S3 wants, `/` kept; the session token is signed in.
        let t = S3Client::builder()
            .profile(Profile::Custom)
            .endpoint("http://127.0.0.1:9000")
            .access_key_id("AKIAEXAMPLE")
            .secret_access_key("s")
            .session_token("tok en")
            .build()
            .unwrap();
        let url = t
            .presigned_url(
                "put",
                "bkt",
                "dir/ä +x.txt",
                &[("response-content-type", "text/plain")],
                Duration::from_secs(60),
            )
            .await
            .unwrap();
        assert!(
            url.starts_with("http://127.0.0.1:9000/bkt/dir/%C3%A4%20%2Bx.txt?"),
            "{url}"
        );
        assert!(url.contains("X-Amz-Security-Token=tok%20en"), "{url}");
        assert!(
            url.contains("?response-content-type=text%2Fplain&"),
            "{url}"
        );
        for (method, key, secs, field) in [
            ("POST", "k", 60, "method"),
            ("GET", "", 60, "key"),
            ("GET", "k", 0, "expires_in"),
            ("GET", "k", 604_801, "expires_in"),
        ] {
            let e = t
                .presigned_url(method, "bkt", key, &[], Duration::from_secs(secs))
                .await
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput);
            assert_eq!(e.violations()[0].field, field, "{e}");
        }
    }

    #[test]
    fn urls_follow_the_addressing_style() {
        let c = S3Client::builder()
            .profile(Profile::Custom)
            .endpoint("http://127.0.0.1:9000")
            .access_key_id("AKIAEXAMPLE")
            .secret_access_key("s")
            .build()
            .unwrap();
        let mut req = c.bucket_request(Operation::GetCors, Method::GET, "b");
        req.query = vec![("cors".into(), None)];
        assert_eq!(c.url(&req), "http://127.0.0.1:9000/b?cors");
        req.bucket = None;
        req.query = vec![("continuation-token".into(), Some("a b/c".into()))];
        assert_eq!(
            c.url(&req),
            "http://127.0.0.1:9000/?continuation-token=a%20b%2Fc"
        );
        assert_eq!(endpoint_host(c.endpoint()), "127.0.0.1");
    }
}
