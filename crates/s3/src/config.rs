//! [`S3ClientBuilder`]: configuration whose setters never fail and whose `build()` validates,
//! and the endpoint [`Profile`]s.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use bucket_admin_core::{Error, ErrorKind, Jurisdiction, Result, RetryPolicy};
use secrecy::SecretString;

use crate::client::{PROVIDER, S3Client, Settings};
use crate::credentials::{ProvideCredentials, S3Credentials, StaticCredentials};

/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole request, body included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap on list-buckets pages, so a server that never stops paging cannot loop forever.
pub const DEFAULT_MAX_LIST_PAGES: usize = 1000;

/// Which S3-compatible service the client talks to. Each profile has its own default
/// endpoint, addressing style and [`Capabilities`](bucket_admin_core::Capabilities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Profile {
    /// Amazon S3: `https://s3.<region>.amazonaws.com`, virtual-host addressing.
    #[default]
    Aws,
    /// Cloudflare R2's S3 endpoint: `https://<account>.r2.cloudflarestorage.com` (with a
    /// jurisdiction, `<account>.<jurisdiction>.r2.cloudflarestorage.com`), region `auto`.
    R2,
    /// Tencent COS's S3 endpoint: `https://cos.<region>.myqcloud.com`, virtual-host addressing.
    Cos,
    /// MinIO: an explicit endpoint, path-style addressing.
    Minio,
    /// Any other S3-compatible server (moto, Ceph, ...): explicit endpoint, path-style.
    Custom,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Profile; 5] = [
        Profile::Aws,
        Profile::R2,
        Profile::Cos,
        Profile::Minio,
        Profile::Custom,
    ];

    /// Lowercase name, as in `s3://bucket?profile=r2`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Profile::Aws => "aws",
            Profile::R2 => "r2",
            Profile::Cos => "cos",
            Profile::Minio => "minio",
            Profile::Custom => "custom",
        }
    }

    /// The addressing style used unless [`S3ClientBuilder::addressing`] says otherwise.
    pub fn default_addressing(&self) -> Addressing {
        match self {
            Profile::Aws | Profile::Cos => Addressing::VirtualHost,
            Profile::R2 | Profile::Minio | Profile::Custom => Addressing::Path,
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Profile {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "aws" | "s3" => Ok(Profile::Aws),
            "r2" => Ok(Profile::R2),
            "cos" => Ok(Profile::Cos),
            "minio" => Ok(Profile::Minio),
            "custom" => Ok(Profile::Custom),
            _ => Err(config_error(format!(
                "`{s}` is not an S3 profile (expected aws, r2, cos, minio or custom)"
            ))),
        }
    }
}

/// How the bucket appears in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Addressing {
    /// `https://endpoint/<bucket>/`.
    Path,
    /// `https://<bucket>.endpoint/`.
    VirtualHost,
}

/// Builds an [`S3Client`].
///
/// Setters never fail; [`build`](Self::build) checks everything and names the offending
/// setting. `Debug` never shows the secret key or the session token.
///
/// ```
/// use bucket_admin_s3::{Profile, S3Client};
///
/// let client = S3Client::builder()
///     .profile(Profile::R2)
///     .account_id("0123456789abcdef0123456789abcdef")
///     .access_key_id("AKIAEXAMPLE")
///     .secret_access_key("example-secret-key")
///     .build()
///     .unwrap();
/// assert_eq!(client.region(), "auto");
/// assert_eq!(client.endpoint(), "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com");
/// assert!(!format!("{client:?}").contains("example-secret-key"));
/// ```
#[derive(Clone, Default)]
pub struct S3ClientBuilder {
    profile: Profile,
    region: Option<String>,
    access_key_id: Option<String>,
    secret_access_key: Option<SecretString>,
    session_token: Option<SecretString>,
    credentials_provider: Option<Arc<dyn ProvideCredentials>>,
    endpoint: Option<String>,
    account_id: Option<String>,
    jurisdiction: Option<Jurisdiction>,
    addressing: Option<Addressing>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry_policy: Option<RetryPolicy>,
    max_list_pages: Option<usize>,
    max_response_bytes: Option<usize>,
    fixed_time: Option<std::time::SystemTime>,
}

impl S3ClientBuilder {
    /// An empty builder for [`Profile::Aws`] (same as [`S3Client::builder`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder configured from the process environment; see [`Self::from_env_vars`].
    pub fn from_env() -> Self {
        Self::from_env_vars(std::env::vars())
    }

    /// A builder configured from the given variables (testable without touching the real
    /// environment).
    ///
    /// | setting | variables, first found wins |
    /// | --- | --- |
    /// | access key id | `AWS_ACCESS_KEY_ID` |
    /// | secret access key | `AWS_SECRET_ACCESS_KEY` |
    /// | session token | `AWS_SESSION_TOKEN` |
    /// | region | `AWS_REGION`, `AWS_DEFAULT_REGION` |
    /// | endpoint | `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL` |
    ///
    /// Empty values are ignored.
    pub fn from_env_vars(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        let vars: Vec<(String, String)> = vars
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .collect();
        let get = |names: &[&str]| -> Option<String> {
            names.iter().find_map(|name| {
                vars.iter()
                    .rev()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            })
        };
        let mut b = Self::new();
        if let Some(v) = get(&["AWS_ACCESS_KEY_ID"]) {
            b = b.access_key_id(v);
        }
        if let Some(v) = get(&["AWS_SECRET_ACCESS_KEY"]) {
            b = b.secret_access_key(v);
        }
        if let Some(v) = get(&["AWS_SESSION_TOKEN"]) {
            b = b.session_token(v);
        }
        if let Some(v) = get(&["AWS_REGION", "AWS_DEFAULT_REGION"]) {
            b = b.region(v);
        }
        if let Some(v) = get(&["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]) {
            b = b.endpoint(v);
        }
        b
    }

    /// The service profile (default [`Profile::Aws`]).
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }
    /// Signing region, e.g. `eu-west-1`. R2 always signs for `auto` (empty and `us-east-1`
    /// are accepted as aliases); MinIO and custom servers default to `us-east-1`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }
    /// Access key id (required).
    pub fn access_key_id(mut self, id: impl Into<String>) -> Self {
        self.access_key_id = Some(id.into());
        self
    }
    /// Secret access key (required).
    pub fn secret_access_key(mut self, key: impl Into<String>) -> Self {
        self.secret_access_key = Some(SecretString::from(key.into()));
        self
    }
    /// Session token of temporary credentials (sent as `x-amz-security-token`).
    pub fn session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(SecretString::from(token.into()));
        self
    }
    /// An async credentials source asked before every attempt, instead of static keys.
    pub fn credentials_provider(mut self, provider: Arc<dyn ProvideCredentials>) -> Self {
        self.credentials_provider = Some(provider);
        self
    }
    /// The service endpoint, `https://host[:port]` (`http://` is accepted for local servers).
    /// Required for [`Profile::Minio`] and [`Profile::Custom`]; overrides the profile's default
    /// otherwise.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }
    /// Cloudflare account id ([`Profile::R2`], required there unless an endpoint is given).
    pub fn account_id(mut self, id: impl Into<String>) -> Self {
        self.account_id = Some(id.into());
        self
    }
    /// R2 jurisdiction ([`Profile::R2`]): picks `<account>.<jurisdiction>.r2.cloudflarestorage.com`.
    pub fn jurisdiction(mut self, jurisdiction: Jurisdiction) -> Self {
        self.jurisdiction = Some(jurisdiction);
        self
    }
    /// Path-style or virtual-host addressing (default: the profile's).
    pub fn addressing(mut self, addressing: Addressing) -> Self {
        self.addressing = Some(addressing);
        self
    }
    /// Whole-request timeout (default [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
    /// Connect timeout (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }
    /// Retry policy (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }
    /// Most list-buckets pages followed (default [`DEFAULT_MAX_LIST_PAGES`]).
    pub fn max_list_pages(mut self, pages: usize) -> Self {
        self.max_list_pages = Some(pages);
        self
    }
    /// Largest response body read, in bytes (default 16 MiB); a larger answer is a
    /// [`ErrorKind::Decode`] error rather than unbounded memory use.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = Some(bytes);
        self
    }
    /// Signs every request at this time instead of the clock (for reproducible tests).
    pub fn fixed_time(mut self, time: std::time::SystemTime) -> Self {
        self.fixed_time = Some(time);
        self
    }

    /// Validates the settings and builds the client.
    ///
    /// Fails with [`ErrorKind::Config`] naming the setting when credentials are missing, the
    /// endpoint is not an `http(s)` URL without path or query, a profile's required setting
    /// is absent, or R2 is given a region other than `auto`.
    pub fn build(self) -> Result<S3Client> {
        let profile = self.profile;
        let credentials: Arc<dyn ProvideCredentials> = match self.credentials_provider {
            Some(provider) => {
                if self.access_key_id.is_some() || self.secret_access_key.is_some() {
                    return Err(config_error(
                        "set either static keys or a credentials_provider, not both",
                    ));
                }
                provider
            }
            None => Arc::new(StaticCredentials(static_credentials(
                self.access_key_id,
                self.secret_access_key,
                self.session_token,
            )?)),
        };
        let region = self.region.map(|r| r.trim().to_owned());
        let region = match profile {
            Profile::R2 => match region.as_deref() {
                None | Some("") | Some("auto") | Some("us-east-1") => "auto".to_owned(),
                Some(other) => {
                    return Err(config_error(format!(
                        "R2 signs every request for region `auto`; region `{other}` is not valid there (leave it empty, `auto` or `us-east-1`)"
                    )));
                }
            },
            Profile::Aws | Profile::Cos => match region {
                Some(r) if !r.is_empty() => r,
                _ => {
                    return Err(config_error(format!(
                        "region is required for the {profile} profile (set it or AWS_REGION)"
                    )));
                }
            },
            Profile::Minio | Profile::Custom => region
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| "us-east-1".to_owned()),
        };
        if !region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(config_error(format!(
                "region `{region}` may only hold letters, digits and '-'"
            )));
        }
        if self.jurisdiction.is_some() && profile != Profile::R2 {
            return Err(config_error("jurisdiction only applies to the r2 profile"));
        }
        let endpoint = match (self.endpoint, profile) {
            (Some(raw), _) => parse_endpoint(&raw)?,
            (None, Profile::Aws) => format!("https://s3.{region}.amazonaws.com"),
            (None, Profile::Cos) => format!("https://cos.{region}.myqcloud.com"),
            (None, Profile::R2) => {
                let account = self
                    .account_id
                    .filter(|a| !a.trim().is_empty())
                    .ok_or_else(|| {
                        config_error(
                            "account_id is required for the r2 profile (or give an endpoint)",
                        )
                    })?;
                if !account.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(config_error("account_id may only hold letters and digits"));
                }
                match self.jurisdiction.unwrap_or_default() {
                    Jurisdiction::Default => format!("https://{account}.r2.cloudflarestorage.com"),
                    j => format!("https://{account}.{}.r2.cloudflarestorage.com", j.as_str()),
                }
            }
            (None, Profile::Minio | Profile::Custom) => {
                return Err(config_error(format!(
                    "endpoint is required for the {profile} profile (set it or AWS_ENDPOINT_URL)"
                )));
            }
        };
        let addressing = self
            .addressing
            .unwrap_or_else(|| profile.default_addressing());
        if addressing == Addressing::VirtualHost {
            let host = endpoint_host(&endpoint);
            if host.parse::<std::net::IpAddr>().is_ok()
                || host.starts_with('[')
                || host == "localhost"
            {
                return Err(config_error(format!(
                    "virtual-host addressing needs a DNS name; endpoint `{endpoint}` is an IP address or localhost (use path-style addressing)"
                )));
            }
        }
        let max_list_pages = self.max_list_pages.unwrap_or(DEFAULT_MAX_LIST_PAGES);
        if max_list_pages == 0 {
            return Err(config_error("max_list_pages must be at least 1"));
        }
        crate::client::build_client(Settings {
            profile,
            region,
            credentials,
            endpoint,
            addressing,
            timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
            connect_timeout: self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            retry_policy: self.retry_policy.unwrap_or_default(),
            max_list_pages,
            max_response_bytes: self.max_response_bytes.unwrap_or(16 * 1024 * 1024),
            fixed_time: self.fixed_time,
        })
    }
}

fn static_credentials(
    access_key_id: Option<String>,
    secret_access_key: Option<SecretString>,
    session_token: Option<SecretString>,
) -> Result<S3Credentials> {
    let access_key_id = access_key_id
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| config_error("access_key_id is required (set it or AWS_ACCESS_KEY_ID)"))?;
    if access_key_id
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(config_error(
            "access_key_id must not contain whitespace or control characters",
        ));
    }
    let secret_access_key = secret_access_key.ok_or_else(|| {
        config_error("secret_access_key is required (set it or AWS_SECRET_ACCESS_KEY)")
    })?;
    Ok(S3Credentials {
        access_key_id,
        secret_access_key,
        session_token,
    })
}

pub(crate) fn config_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Config, message).with_provider(PROVIDER)
}

/// `scheme://host[:port]` without a trailing slash.
fn parse_endpoint(raw: &str) -> Result<String> {
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|e| config_error(format!("endpoint `{raw}` is not a URL: {e}")))?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(config_error(format!(
            "endpoint `{raw}` must start with https:// (or http:// for a local server)"
        )));
    }
    let Some(host) = url.host_str() else {
        return Err(config_error(format!("endpoint `{raw}` has no host")));
    };
    if url.path() != "/" || url.query().is_some() || !url.username().is_empty() {
        return Err(config_error(format!(
            "endpoint `{raw}` must be only scheme, host and port (no path, query or user)"
        )));
    }
    Ok(match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    })
}

/// The host of an endpoint produced by [`parse_endpoint`] or a profile.
pub(crate) fn endpoint_host(endpoint: &str) -> &str {
    let rest = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
    match rest.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => rest,
    }
}

pub(crate) fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 8 {
        return "***".to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}***{tail}")
}

impl fmt::Debug for S3ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3ClientBuilder")
            .field("profile", &self.profile)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id.as_deref().map(mask_id))
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "[REDACTED]"),
            )
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("credentials_provider", &self.credentials_provider)
            .field("endpoint", &self.endpoint)
            .field("account_id", &self.account_id)
            .field("jurisdiction", &self.jurisdiction)
            .field("addressing", &self.addressing)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(profile: Profile) -> S3ClientBuilder {
        S3ClientBuilder::new()
            .profile(profile)
            .access_key_id("AKIAEXAMPLE")
            .secret_access_key("secret")
    }

    #[test]
    fn env_vars_fill_the_builder() {
        let vars = [
            ("AWS_ACCESS_KEY_ID", "AKIAENV"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
            ("AWS_SESSION_TOKEN", ""),
            ("AWS_DEFAULT_REGION", "eu-west-2"),
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        let c = S3ClientBuilder::from_env_vars(vars)
            .profile(Profile::Custom)
            .build()
            .unwrap();
        assert_eq!(c.region(), "eu-west-1");
        assert_eq!(c.endpoint(), "http://127.0.0.1:9000");
    }

    #[test]
    fn profiles_pick_endpoints_and_regions() {
        let aws = base(Profile::Aws).region("eu-west-1").build().unwrap();
        assert_eq!(aws.endpoint(), "https://s3.eu-west-1.amazonaws.com");
        assert_eq!(aws.bucket_url("b"), "https://b.s3.eu-west-1.amazonaws.com/");
        let cos = base(Profile::Cos).region("ap-beijing").build().unwrap();
        assert_eq!(cos.endpoint(), "https://cos.ap-beijing.myqcloud.com");
        let r2 = base(Profile::R2)
            .account_id("abc123")
            .jurisdiction(Jurisdiction::Eu)
            .region("us-east-1")
            .build()
            .unwrap();
        assert_eq!(r2.endpoint(), "https://abc123.eu.r2.cloudflarestorage.com");
        assert_eq!(r2.region(), "auto");
        assert_eq!(
            r2.bucket_url("b"),
            "https://abc123.eu.r2.cloudflarestorage.com/b"
        );
        let r2 = base(Profile::R2)
            .account_id("abc123")
            .region("")
            .build()
            .unwrap();
        assert_eq!(r2.region(), "auto");
        let minio = base(Profile::Minio)
            .endpoint("http://localhost:9000/")
            .build()
            .unwrap();
        assert_eq!(minio.region(), "us-east-1");
        assert_eq!(minio.bucket_url("b"), "http://localhost:9000/b");
    }

    #[test]
    fn build_names_the_bad_setting() {
        let msg = |b: S3ClientBuilder| {
            let e = b.build().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config);
            e.message().to_owned()
        };
        assert!(msg(S3ClientBuilder::new().region("x")).contains("access_key_id"));
        assert!(msg(base(Profile::Aws)).contains("region is required"));
        assert!(msg(base(Profile::R2)).contains("account_id"));
        assert!(msg(base(Profile::R2).account_id("a").region("eu-west-1")).contains("auto"));
        assert!(msg(base(Profile::Minio)).contains("endpoint is required"));
        assert!(msg(base(Profile::Custom).endpoint("ftp://x")).contains("https://"));
        assert!(msg(base(Profile::Custom).endpoint("https://x/path")).contains("no path"));
        assert!(
            msg(base(Profile::Custom)
                .endpoint("http://127.0.0.1:1")
                .addressing(Addressing::VirtualHost))
            .contains("path-style")
        );
        assert!(
            msg(base(Profile::Aws)
                .region("eu-west-1")
                .jurisdiction(Jurisdiction::Eu))
            .contains("r2")
        );
        assert!(msg(base(Profile::Aws).region("eu west")).contains("region"));
    }

    #[test]
    fn profile_names_parse() {
        for p in Profile::ALL {
            assert_eq!(p.as_str().parse::<Profile>().unwrap(), p);
        }
        assert_eq!(
            "nope".parse::<Profile>().unwrap_err().kind(),
            ErrorKind::Config
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let b = base(Profile::Aws).session_token("tok-secret");
        let shown = format!("{b:?}");
        assert!(
            !shown.contains("secret\"") && !shown.contains("tok-secret"),
            "{shown}"
        );
    }
}
