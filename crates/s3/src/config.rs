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
use crate::shared_config::{SharedConfigFiles, SharedProfile};

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
    allow_http: bool,
    account_id: Option<String>,
    jurisdiction: Option<Jurisdiction>,
    addressing: Option<Addressing>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry_policy: Option<RetryPolicy>,
    max_list_pages: Option<usize>,
    max_response_bytes: Option<usize>,
    fixed_time: Option<std::time::SystemTime>,
    /// What `from_env_vars` found: below the setters, above the shared files.
    env: EnvLayer,
    /// `aws_profile(..)`: a shared-config profile asked for explicitly.
    aws_profile: Option<String>,
    /// The shared files to read at `build()` (`None`: none).
    shared_files: Option<SharedConfigFiles>,
}

/// The `AWS_*` variables `from_env_vars` read.
#[derive(Clone, Default)]
struct EnvLayer {
    access_key_id: Option<String>,
    secret_access_key: Option<SecretString>,
    session_token: Option<SecretString>,
    region: Option<String>,
    endpoint: Option<String>,
    profile: Option<String>,
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

    /// A builder configured from the given variables and the AWS shared config files they
    /// point at (testable without touching the real environment or home: pass `HOME` or the
    /// file variables pointing at test files).
    ///
    /// | setting | variables, first found wins | then the shared files |
    /// | --- | --- | --- |
    /// | access key id | `AWS_ACCESS_KEY_ID` | `aws_access_key_id` |
    /// | secret access key | `AWS_SECRET_ACCESS_KEY` | `aws_secret_access_key` |
    /// | session token | `AWS_SESSION_TOKEN` | `aws_session_token` |
    /// | region | `AWS_REGION`, `AWS_DEFAULT_REGION` | `region` |
    /// | endpoint | `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL` | `endpoint_url` |
    ///
    /// The files are `AWS_SHARED_CREDENTIALS_FILE` (default `$HOME/.aws/credentials`, sections
    /// `[name]`) and `AWS_CONFIG_FILE` (default `$HOME/.aws/config`, sections `[default]` and
    /// `[profile name]`), profile `AWS_PROFILE` (default `default`); see
    /// [`SharedConfigFiles`]. Precedence is the AWS CLI's: values given to the setters, then
    /// the variables, then the files. The key id, secret and token are taken as one set: the
    /// variables' set when `AWS_ACCESS_KEY_ID` or `AWS_SECRET_ACCESS_KEY` is present, else the
    /// profile's. The files are read by [`build`](Self::build), which fails naming the
    /// profile and the file when `AWS_PROFILE` names a profile neither file has.
    ///
    /// Empty values are ignored.
    ///
    /// ```
    /// use bucket_admin_s3::{Profile, S3ClientBuilder};
    ///
    /// let dir = std::env::temp_dir().join(format!("doc-aws-{}", std::process::id()));
    /// std::fs::create_dir_all(dir.join(".aws")).unwrap();
    /// std::fs::write(dir.join(".aws/credentials"), "[prod]\naws_access_key_id = AKIAPROD\naws_secret_access_key = s\n").unwrap();
    /// std::fs::write(dir.join(".aws/config"), "[profile prod]\nregion = eu-west-1\n").unwrap();
    /// let vars = [("HOME", dir.to_str().unwrap()), ("AWS_PROFILE", "prod")]
    ///     .map(|(k, v)| (k.to_owned(), v.to_owned()));
    /// let client = S3ClientBuilder::from_env_vars(vars).build().unwrap();
    /// assert_eq!(client.region(), "eu-west-1");
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
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
        let env = EnvLayer {
            access_key_id: get(&["AWS_ACCESS_KEY_ID"]),
            secret_access_key: get(&["AWS_SECRET_ACCESS_KEY"]).map(SecretString::from),
            session_token: get(&["AWS_SESSION_TOKEN"]).map(SecretString::from),
            region: get(&["AWS_REGION", "AWS_DEFAULT_REGION"]),
            endpoint: get(&["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]),
            profile: get(&["AWS_PROFILE"]).map(|p| p.trim().to_owned()),
        };
        Self {
            env,
            shared_files: Some(SharedConfigFiles::from_env_vars(
                vars.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            )),
            ..Self::new()
        }
    }

    /// Reads credentials, region and endpoint from this profile of the shared config files
    /// (the AWS CLI's `--profile`). As there, a profile named explicitly replaces the
    /// `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN` variables (region and
    /// endpoint variables still come first), and [`build`](Self::build) fails naming the
    /// profile and the files when neither has it. The files are those of
    /// [`from_env_vars`](Self::from_env_vars), or [`shared_config_files`](Self::shared_config_files).
    pub fn aws_profile(mut self, name: impl Into<String>) -> Self {
        self.aws_profile = Some(name.into());
        self
    }

    /// The shared config files to read (default: none for [`new`](Self::new), the usual ones
    /// for [`from_env_vars`](Self::from_env_vars)).
    pub fn shared_config_files(mut self, files: SharedConfigFiles) -> Self {
        self.shared_files = Some(files);
        self
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
    /// The service endpoint, `https://host[:port]` (`http://` only for a loopback host, or
    /// with [`allow_http`](Self::allow_http)). Required for [`Profile::Minio`] and
    /// [`Profile::Custom`]; overrides the profile's default otherwise.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }
    /// Allow a plain `http://` endpoint other than a loopback one (a MinIO on the network):
    /// requests, signatures and session tokens then travel unencrypted. Off by default, as for
    /// COS and R2; `http://127.0.0.1:…`, `http://[::1]:…` and `http://localhost:…` need no
    /// opt-in.
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
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
        let shared = self.shared_profile()?;
        let env = self.env;
        let credentials: Arc<dyn ProvideCredentials> = match self.credentials_provider {
            Some(provider) => {
                if self.access_key_id.is_some() || self.secret_access_key.is_some() {
                    return Err(config_error(
                        "set either static keys or a credentials_provider, not both",
                    ));
                }
                provider
            }
            None => {
                // The variables' keys as a set, unless a profile was named explicitly.
                let env_keys = self.aws_profile.is_none()
                    && (env.access_key_id.is_some() || env.secret_access_key.is_some());
                let (id, secret, token) = if env_keys {
                    (env.access_key_id, env.secret_access_key, env.session_token)
                } else {
                    (
                        shared.access_key_id,
                        shared.secret_access_key,
                        shared.session_token,
                    )
                };
                Arc::new(StaticCredentials(static_credentials(
                    self.access_key_id.or(id),
                    self.secret_access_key.or(secret),
                    self.session_token.or(token),
                )?))
            }
        };
        // R2 signs for `auto` whatever AWS_REGION or a profile's region says; only a region
        // given to the builder is checked there.
        let region = match profile {
            Profile::R2 => self.region,
            _ => self.region.or(env.region).or(shared.region),
        }
        .map(|r| r.trim().to_owned());
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
        let endpoint = match (
            self.endpoint.or(env.endpoint).or(shared.endpoint_url),
            profile,
        ) {
            (Some(raw), _) => parse_endpoint(&raw, self.allow_http)?,
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

impl S3ClientBuilder {
    /// The shared-config profile in effect, read from the files (empty without files).
    fn shared_profile(&self) -> Result<SharedProfile> {
        let no_files = SharedConfigFiles::default();
        let files = self.shared_files.as_ref().unwrap_or(&no_files);
        match (&self.aws_profile, &self.env.profile) {
            (Some(name), _) | (None, Some(name)) => files.load_profile(name.trim(), true),
            (None, None) if self.shared_files.is_some() => files.load_profile("default", false),
            (None, None) => Ok(SharedProfile::default()),
        }
    }
}

fn static_credentials(
    access_key_id: Option<String>,
    secret_access_key: Option<SecretString>,
    session_token: Option<SecretString>,
) -> Result<S3Credentials> {
    let access_key_id = access_key_id
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| config_error("access_key_id is required (set it, AWS_ACCESS_KEY_ID or aws_access_key_id in the shared credentials file)"))?;
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
fn parse_endpoint(raw: &str, allow_http: bool) -> Result<String> {
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
    if url.scheme() == "http" && !allow_http && !bucket_admin_core::is_loopback_host(host) {
        return Err(config_error(format!(
            "endpoint `{raw}` uses plain http to a host that is not loopback; call allow_http(true) to permit it"
        )));
    }
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
            .field("allow_http", &self.allow_http)
            .field("account_id", &self.account_id)
            .field("jurisdiction", &self.jurisdiction)
            .field("addressing", &self.addressing)
            .field(
                "aws_profile",
                &self.aws_profile.as_ref().or(self.env.profile.as_ref()),
            )
            .field("shared_files", &self.shared_files)
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

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// A home directory with `.aws/credentials` and `.aws/config`.
    fn home(credentials: &str, config: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".aws")).unwrap();
        std::fs::write(dir.path().join(".aws/credentials"), credentials).unwrap();
        std::fs::write(dir.path().join(".aws/config"), config).unwrap();
        dir
    }

    const CREDS: &str = "[default]\naws_access_key_id = AKIAFILEDEFAULT\naws_secret_access_key = filesecret\n\
                         [prod]\naws_access_key_id = AKIAFILEPROD\naws_secret_access_key = prodsecret\naws_session_token = prodtoken\n";
    const CONFIG: &str = "[default]\nregion = us-west-2\n[profile prod]\nregion = eu-central-1\nendpoint_url = http://127.0.0.1:9000\n";

    #[tokio::test]
    async fn shared_files_fill_what_variables_and_setters_leave_out() {
        let dir = home(CREDS, CONFIG);
        let h = dir.path().to_str().unwrap();
        // Files only: the default profile.
        let c = S3ClientBuilder::from_env_vars(vars(&[("HOME", h)]))
            .build()
            .unwrap();
        assert_eq!(c.region(), "us-west-2");
        assert_eq!(
            c.credentials().await.unwrap().access_key_id(),
            "AKIAFILEDEFAULT"
        );
        // AWS_PROFILE picks the profile, its region and endpoint.
        let c = S3ClientBuilder::from_env_vars(vars(&[("HOME", h), ("AWS_PROFILE", "prod")]))
            .profile(Profile::Custom)
            .build()
            .unwrap();
        assert_eq!(c.region(), "eu-central-1");
        assert_eq!(c.endpoint(), "http://127.0.0.1:9000");
        let creds = c.credentials().await.unwrap();
        assert_eq!(creds.access_key_id(), "AKIAFILEPROD");
        assert!(creds.session_token.is_some());
        // Variables beat the files, as a set of keys.
        let env = vars(&[
            ("HOME", h),
            ("AWS_PROFILE", "prod"),
            ("AWS_ACCESS_KEY_ID", "AKIAENVVARIABLE"),
            ("AWS_SECRET_ACCESS_KEY", "envsecret"),
            ("AWS_REGION", "ap-south-1"),
        ]);
        let c = S3ClientBuilder::from_env_vars(env.clone())
            .profile(Profile::Custom)
            .build()
            .unwrap();
        assert_eq!(c.region(), "ap-south-1");
        let creds = c.credentials().await.unwrap();
        assert_eq!(creds.access_key_id(), "AKIAENVVARIABLE");
        assert!(
            creds.session_token.is_none(),
            "the file's token is not mixed in"
        );
        // Setters beat both.
        let c = S3ClientBuilder::from_env_vars(env.clone())
            .profile(Profile::Custom)
            .region("sa-east-1")
            .access_key_id("AKIASETTER")
            .secret_access_key("x")
            .endpoint("http://127.0.0.1:1")
            .build()
            .unwrap();
        assert_eq!(c.region(), "sa-east-1");
        assert_eq!(c.endpoint(), "http://127.0.0.1:1");
        assert_eq!(c.credentials().await.unwrap().access_key_id(), "AKIASETTER");
        // A profile named explicitly replaces the variables' keys (the CLI's --profile),
        // but AWS_REGION still comes first.
        let c = S3ClientBuilder::from_env_vars(env)
            .aws_profile("default")
            .build()
            .unwrap();
        assert_eq!(
            c.credentials().await.unwrap().access_key_id(),
            "AKIAFILEDEFAULT"
        );
        assert_eq!(c.region(), "ap-south-1");
        // R2 signs for `auto` whatever the profile's region says.
        let c = S3ClientBuilder::from_env_vars(vars(&[("HOME", h)]))
            .profile(Profile::R2)
            .account_id("abc")
            .build()
            .unwrap();
        assert_eq!(c.region(), "auto");
    }

    #[test]
    fn missing_profiles_are_named_with_their_files() {
        let dir = home(CREDS, CONFIG);
        let h = dir.path().to_str().unwrap();
        let err = |b: S3ClientBuilder| {
            let e = b.build().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config);
            e.message().to_owned()
        };
        let m = err(S3ClientBuilder::from_env_vars(vars(&[
            ("HOME", h),
            ("AWS_PROFILE", "staging"),
        ])));
        let file = dir.path().join(".aws/credentials").display().to_string();
        assert!(
            m.contains("profile `staging` not found in") && m.contains(&file),
            "{m}"
        );
        let m = err(S3ClientBuilder::from_env_vars(vars(&[("HOME", h)])).aws_profile("qa"));
        assert!(m.contains("profile `qa`"), "{m}");
        // No files at all: an explicit profile cannot be found; the implicit default is fine.
        let m = err(base(Profile::Aws).region("eu-west-1").aws_profile("prod"));
        assert!(m.contains("profile `prod` not found"), "{m}");
        assert!(
            S3ClientBuilder::from_env_vars(vars(&[
                ("AWS_ACCESS_KEY_ID", "AKIAX"),
                ("AWS_SECRET_ACCESS_KEY", "y"),
                ("AWS_REGION", "eu-west-1"),
            ]))
            .build()
            .is_ok()
        );
        // A malformed file names the file, never its content.
        let bad = home("[default]\nprodsecretline\n", "");
        let m = err(S3ClientBuilder::from_env_vars(vars(&[(
            "HOME",
            bad.path().to_str().unwrap(),
        )])));
        assert!(
            m.contains("credentials line 2") && !m.contains("prodsecretline"),
            "{m}"
        );
        // Secrets from the files never show in Debug.
        let b = S3ClientBuilder::from_env_vars(vars(&[("HOME", h), ("AWS_PROFILE", "prod")]));
        let shown = format!("{b:?}");
        assert!(
            !shown.contains("prodsecret") && !shown.contains("prodtoken"),
            "{shown}"
        );
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
    fn plain_http_needs_a_loopback_host_or_the_opt_in() {
        let b = || {
            S3ClientBuilder::new()
                .profile(Profile::Minio)
                .region("us-east-1")
                .access_key_id("AKIDEXAMPLE")
                .secret_access_key("secret")
        };
        let e = b()
            .endpoint("http://minio.internal:9000")
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(
            e.message()
                .contains("plain http to a host that is not loopback"),
            "{e}"
        );
        let c = b()
            .endpoint("http://minio.internal:9000")
            .allow_http(true)
            .build()
            .unwrap();
        assert_eq!(c.endpoint(), "http://minio.internal:9000");
        for local in [
            "http://127.0.0.1:9000",
            "http://localhost:9000",
            "http://[::1]:9000",
        ] {
            assert!(b().endpoint(local).build().is_ok(), "{local}");
        }
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
