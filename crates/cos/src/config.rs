//! [`CosClientBuilder`]: configuration whose setters never fail and whose `build()` validates.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bucket_admin_core::{Error, ErrorKind, Provider, Result, RetryPolicy};
use secrecy::{ExposeSecret, SecretString};

use crate::client::CosClient;
use crate::credentials::{CredentialProvider, Credentials};

/// The client's source of the current time (see [`CosClientBuilder::clock`]).
pub(crate) type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Default bucket host template.
pub const DEFAULT_DOMAIN_TEMPLATE: &str = "{bucket}.cos.{region}.myqcloud.com";
/// Bucket host template of the newer `tencentcos.cn` suffix.
pub const TENCENTCOS_DOMAIN_TEMPLATE: &str = "{bucket}.cos.{region}.tencentcos.cn";
/// Bucket host template of global acceleration.
pub const ACCELERATE_DOMAIN_TEMPLATE: &str = "{bucket}.cos.accelerate.myqcloud.com";
/// Default host of the list-buckets (GET Service) call.
pub const DEFAULT_SERVICE_DOMAIN: &str = "service.cos.myqcloud.com";
/// Host of the list-buckets call restricted to one region.
pub const REGIONAL_SERVICE_DOMAIN: &str = "cos.{region}.myqcloud.com";
/// Default timeout of a whole request (as the R2 provider).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default timeout of connection establishment.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default longest silence while a response is read (a stalled body fails after it).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Default largest response body read (16 MiB); COS configurations are far smaller.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Builds a [`CosClient`].
///
/// Setters never fail; [`build`](Self::build) checks everything and names the offending
/// setting. `Debug` never shows the secret key or the session token.
///
/// ```
/// use std::time::Duration;
/// use bucket_admin_cos::CosClient;
///
/// let client = CosClient::builder()
///     .region("ap-beijing")
///     .secret_id("AKIDexample")
///     .secret_key("example-secret-key")
///     .timeout(Duration::from_secs(30))
///     .build()
///     .unwrap();
/// assert!(!format!("{client:?}").contains("example-secret-key"));
/// ```
#[derive(Clone, Default)]
#[must_use = "a builder does nothing until `build()` is called"]
pub struct CosClientBuilder {
    pub(crate) region: Option<String>,
    pub(crate) secret_id: Option<String>,
    pub(crate) secret_key: Option<SecretString>,
    pub(crate) session_token: Option<SecretString>,
    pub(crate) allow_http: bool,
    pub(crate) domain_template: Option<String>,
    pub(crate) service_domain: Option<String>,
    pub(crate) endpoint: Option<String>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) max_response_bytes: Option<usize>,
    pub(crate) retry_policy: Option<RetryPolicy>,
    pub(crate) clock: Option<Clock>,
    pub(crate) credentials_provider: Option<Arc<dyn CredentialProvider>>,
    pub(crate) http_client: Option<reqwest::Client>,
}

impl CosClientBuilder {
    /// An empty builder (same as [`CosClient::builder`]).
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
    /// | secret id | `COS_SECRET_ID`, `TENCENTCLOUD_SECRET_ID` |
    /// | secret key | `COS_SECRET_KEY`, `TENCENTCLOUD_SECRET_KEY` |
    /// | session token | `COS_SESSION_TOKEN`, `TENCENTCLOUD_SECURITY_TOKEN` |
    /// | region | `COS_REGION` |
    /// | fixed address ([`endpoint`](Self::endpoint)) | `COS_ENDPOINT` |
    ///
    /// `COS_*` variables win over `TENCENTCLOUD_*` ones. Empty values are ignored.
    pub fn from_env_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        let vars: Vec<(String, String)> = vars
            .into_iter()
            .map(|(k, v)| (k.as_ref().to_owned(), v.into()))
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
        if let Some(v) = get(&["COS_SECRET_ID", "TENCENTCLOUD_SECRET_ID"]) {
            b = b.secret_id(v);
        }
        if let Some(v) = get(&["COS_SECRET_KEY", "TENCENTCLOUD_SECRET_KEY"]) {
            b = b.secret_key(v);
        }
        if let Some(v) = get(&["COS_SESSION_TOKEN", "TENCENTCLOUD_SECURITY_TOKEN"]) {
            b = b.session_token(v);
        }
        if let Some(v) = get(&["COS_REGION"]) {
            b = b.region(v);
        }
        if let Some(v) = get(&["COS_ENDPOINT"]) {
            b = b.endpoint(v);
        }
        b
    }

    /// Region, e.g. `ap-beijing` (required).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }
    /// SecretId (required).
    pub fn secret_id(mut self, secret_id: impl Into<String>) -> Self {
        self.secret_id = Some(secret_id.into());
        self
    }
    /// SecretKey (required unless a [`credentials_provider`](Self::credentials_provider) is
    /// set), kept in a [`SecretString`]. A `String` or `&str` converts, as for the R2 token.
    pub fn secret_key(mut self, secret_key: impl Into<SecretString>) -> Self {
        self.secret_key = Some(secret_key.into());
        self
    }
    /// Session token of temporary credentials, sent (and signed) as `x-cos-security-token`.
    pub fn session_token(mut self, token: impl Into<SecretString>) -> Self {
        self.session_token = Some(token.into());
        self
    }
    /// Where the client gets its keys instead of [`secret_id`](Self::secret_id) /
    /// [`secret_key`](Self::secret_key): asked before the first request and whenever the
    /// cached credentials are about to expire or COS rejects them as expired (see
    /// [`crate::credentials`]). Replaces the fixed keys when both are set.
    pub fn credentials_provider(mut self, provider: impl CredentialProvider + 'static) -> Self {
        self.credentials_provider = Some(Arc::new(provider));
        self
    }
    /// Sends every request through `client` (proxies, extra root certificates for a private
    /// COS deployment, custom DNS) instead of one the builder makes.
    ///
    /// The client's own settings apply: [`timeout`](Self::timeout),
    /// [`connect_timeout`](Self::connect_timeout) and [`read_timeout`](Self::read_timeout)
    /// are then not used (the response-size limit still is). Configure it with
    /// `redirect(reqwest::redirect::Policy::none())`: the `Host` header and signature are made
    /// for one server, and a redirect would carry them to another.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }
    /// Allow plain `http://` addresses other than loopback ones (a private deployment on
    /// the network). Off by default; `http://127.0.0.1:…`, `http://[::1]:…` and
    /// `http://localhost:…` (an emulator on this machine) need no opt-in.
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }
    /// Bucket host template with `{bucket}` and `{region}` placeholders; default
    /// [`DEFAULT_DOMAIN_TEMPLATE`]. See also [`TENCENTCOS_DOMAIN_TEMPLATE`] and
    /// [`ACCELERATE_DOMAIN_TEMPLATE`]. A template may start with `http://` (needs
    /// [`allow_http`](Self::allow_http)) or `https://`.
    pub fn domain_template(mut self, template: impl Into<String>) -> Self {
        self.domain_template = Some(template.into());
        self
    }
    /// Host of the list-buckets call; default [`DEFAULT_SERVICE_DOMAIN`]. May hold `{region}`.
    pub fn service_domain(mut self, domain: impl Into<String>) -> Self {
        self.service_domain = Some(domain.into());
        self
    }
    /// A fixed address to connect to, e.g. `http://127.0.0.1:9000`, for every request. The
    /// `Host` header (and the signed host) stays the virtual host the templates give, like the
    /// Python SDK's `IP`/`Port` settings.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }
    /// Timeout of each whole request (default [`DEFAULT_TIMEOUT`], 60 s). Zero is rejected
    /// by [`build`](Self::build).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
    /// Timeout of connection establishment (default [`DEFAULT_CONNECT_TIMEOUT`], 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }
    /// Longest wait for the next bytes of a response (default [`DEFAULT_READ_TIMEOUT`],
    /// 30 s): a server that stops sending mid-body fails with [`ErrorKind::Timeout`] instead
    /// of holding the call until the whole-request timeout.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }
    /// Largest response body the client reads (default [`DEFAULT_MAX_RESPONSE_BYTES`],
    /// 16 MiB). A larger answer, announced by `Content-Length` or found while streaming, fails
    /// with [`ErrorKind::Decode`] naming the limit, without buffering the rest.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = Some(bytes);
        self
    }
    /// Retry policy; default [`RetryPolicy::default`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }
    /// The clock the client signs with and judges credential expiry by (default
    /// [`SystemTime::now`]). Pin it to get reproducible signatures in your own tests:
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// let pinned = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    /// let builder = bucket_admin_cos::CosClient::builder().clock(move || pinned);
    /// # drop(builder);
    /// ```
    ///
    /// A skew correction learnt from COS is added on top of it.
    pub fn clock(mut self, now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(now));
        self
    }

    /// Validates the configuration and builds the client.
    ///
    /// Fails with [`ErrorKind::Config`] naming the setting when the region or a credential is
    /// missing, a template lacks `{bucket}`, or an address is malformed or plain `http` without
    /// [`allow_http`](Self::allow_http).
    pub fn build(self) -> Result<CosClient> {
        let missing = |what: &str| {
            config_error(format!(
                "{what} is required (set it on the builder or in the environment)"
            ))
        };
        let region = self
            .region
            .clone()
            .filter(|r| !r.trim().is_empty())
            .ok_or_else(|| missing("region (COS_REGION)"))?;
        if !region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(config_error(format!(
                "region `{region}` is not a COS region name such as ap-beijing"
            )));
        }
        let credentials = match &self.credentials_provider {
            Some(provider) => crate::client::CredentialSource::Provider(provider.clone()),
            None => {
                let secret_id = self
                    .secret_id
                    .clone()
                    .filter(|s| !s.trim().is_empty())
                    .ok_or_else(|| missing("secret_id (COS_SECRET_ID)"))?;
                if secret_id.trim() != secret_id {
                    return Err(config_error(
                        "secret_id must not have leading or trailing spaces",
                    ));
                }
                let secret_key = self
                    .secret_key
                    .clone()
                    .filter(|s| !s.expose_secret().trim().is_empty())
                    .ok_or_else(|| missing("secret_key (COS_SECRET_KEY)"))?;
                if secret_key.expose_secret().trim() != secret_key.expose_secret() {
                    return Err(config_error(
                        "secret_key must not have leading or trailing spaces",
                    ));
                }
                let mut creds = Credentials::new(secret_id, secret_key);
                creds.session_token = self.session_token.clone();
                crate::client::CredentialSource::Static(Arc::new(creds))
            }
        };

        let template = self
            .domain_template
            .clone()
            .unwrap_or_else(|| DEFAULT_DOMAIN_TEMPLATE.to_owned());
        let (bucket_scheme, template) = split_scheme(&template, "domain_template")?;
        if !template.contains("{bucket}") {
            return Err(config_error(format!(
                "domain_template `{template}` must contain {{bucket}}"
            )));
        }
        check_host_template(template, "domain_template")?;
        let service = self
            .service_domain
            .clone()
            .unwrap_or_else(|| DEFAULT_SERVICE_DOMAIN.to_owned());
        let (service_scheme, service) = split_scheme(&service, "service_domain")?;
        check_host_template(service, "service_domain")?;
        for (scheme, host, setting) in [
            (bucket_scheme, template, "domain_template"),
            (service_scheme, service, "service_domain"),
        ] {
            if scheme == "http" && !self.allow_http && !bucket_admin_core::is_loopback_host(host) {
                return Err(config_error(format!(
                    "{setting} uses plain http to a host that is not loopback; call allow_http(true) to permit it"
                )));
            }
        }

        let endpoint = match &self.endpoint {
            None => None,
            Some(raw) => Some(parse_endpoint(raw, self.allow_http)?),
        };
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let connect_timeout = self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        let read_timeout = self.read_timeout.unwrap_or(DEFAULT_READ_TIMEOUT);
        for (value, setting) in [
            (timeout, "timeout"),
            (connect_timeout, "connect_timeout"),
            (read_timeout, "read_timeout"),
        ] {
            if value.is_zero() {
                // A zero timeout fails every request; "no timeout" is never what it means.
                return Err(config_error(format!("{setting} must be greater than zero")));
            }
        }
        let max_response_bytes = self
            .max_response_bytes
            .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES);
        if max_response_bytes == 0 {
            return Err(config_error("max_response_bytes must be greater than zero"));
        }

        crate::client::build_client(crate::client::Settings {
            region,
            credentials,
            bucket_scheme: bucket_scheme.to_owned(),
            domain_template: template.to_owned(),
            service_scheme: service_scheme.to_owned(),
            service_domain: service.to_owned(),
            endpoint,
            timeout,
            connect_timeout,
            read_timeout,
            max_response_bytes,
            retry_policy: self.retry_policy.clone().unwrap_or_default(),
            clock: self.clock.clone(),
            http_client: self.http_client.clone(),
        })
    }
}

pub(crate) fn config_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Config, message).with_provider(Provider::Cos)
}

fn split_scheme<'a>(value: &'a str, setting: &str) -> Result<(&'static str, &'a str)> {
    if let Some(rest) = value.strip_prefix("https://") {
        Ok(("https", rest.trim_end_matches('/')))
    } else if let Some(rest) = value.strip_prefix("http://") {
        Ok(("http", rest.trim_end_matches('/')))
    } else if value.contains("://") {
        Err(config_error(format!(
            "{setting} `{value}` must use http:// or https://"
        )))
    } else {
        Ok(("https", value))
    }
}

fn check_host_template(template: &str, setting: &str) -> Result<()> {
    let stripped = template.replace("{bucket}", "b").replace("{region}", "r");
    let ok = !stripped.is_empty()
        && stripped
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b':');
    if ok {
        Ok(())
    } else {
        Err(config_error(format!(
            "{setting} `{template}` must be a host name, optionally with {{bucket}} and {{region}}"
        )))
    }
}

fn parse_endpoint(raw: &str, allow_http: bool) -> Result<String> {
    let url = reqwest::Url::parse(raw)
        .map_err(|e| config_error(format!("endpoint `{raw}` is not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http"
            if allow_http
                || url
                    .host_str()
                    .is_some_and(bucket_admin_core::is_loopback_host) => {}
        "http" => {
            return Err(config_error(format!(
                "endpoint `{raw}` uses plain http to a host that is not loopback; call allow_http(true) to permit it"
            )));
        }
        other => {
            return Err(config_error(format!(
                "endpoint `{raw}` has unsupported scheme `{other}` (use http or https)"
            )));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(config_error(format!("endpoint `{raw}` has no host")));
    }
    if url.path() != "/" || url.query().is_some() || !url.username().is_empty() {
        return Err(config_error(format!(
            "endpoint `{raw}` must be scheme://host[:port] without path, query or user"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Shows a SecretId's first and last four characters only.
pub(crate) fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 8 {
        return "***".to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}***{tail}")
}

impl fmt::Debug for CosClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CosClientBuilder")
            .field("region", &self.region)
            .field("secret_id", &self.secret_id.as_deref().map(mask_id))
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "[REDACTED]"),
            )
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("allow_http", &self.allow_http)
            .field("domain_template", &self.domain_template)
            .field("service_domain", &self.service_domain)
            .field("endpoint", &self.endpoint)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("retry_policy", &self.retry_policy)
            .field("clock", &self.clock.as_ref().map(|_| "custom"))
            .field("credentials_provider", &self.credentials_provider)
            .field("http_client", &self.http_client.as_ref().map(|_| "custom"))
            .finish()
    }
}
