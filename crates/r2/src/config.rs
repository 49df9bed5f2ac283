//! [`R2ClientBuilder`]: setters that never fail, and a `build()` that validates everything.

use std::fmt;
use std::time::Duration;

use bucket_admin_core::{Error, ErrorKind, Jurisdiction, Provider, RetryPolicy};
use secrecy::SecretString;

use crate::auth::{BearerToken, REDACTED};
use crate::client::R2Client;
use crate::pacing::Pacing;

/// The Cloudflare API v4 base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.cloudflare.com/client/v4";
/// Default timeout of a whole request (as the COS provider).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default timeout of connection establishment (as the COS provider).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default longest silence while a response is read (a stalled body fails after it).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Default largest response body read (16 MiB); R2 answers are far smaller.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// Default most pages one bucket listing follows (a million buckets at 1000 a page).
pub const DEFAULT_MAX_LIST_PAGES: usize = 1000;
/// Default most buckets one listing returns (Cloudflare's account limit is a million).
pub const DEFAULT_MAX_LISTED_BUCKETS: usize = 1_000_000;

/// Bounds on what one call may read, so a broken or hostile server cannot make it grow
/// without end.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_response_bytes: usize,
    pub(crate) max_list_pages: usize,
    pub(crate) max_listed_buckets: usize,
}

/// Builds an [`R2Client`].
///
/// Setters never fail; [`build`](Self::build) checks every setting and names the one that is
/// wrong in an [`ErrorKind::Config`] error.
///
/// ```
/// use std::time::Duration;
/// use bucket_admin_core::Jurisdiction;
/// use bucket_admin_r2::{Pacing, R2Client};
///
/// let client = R2Client::builder()
///     .account_id("023e105f4ecef8ad9ca31a8372d0c353")
///     .api_token("an-api-token")
///     .jurisdiction(Jurisdiction::Eu)
///     .timeout(Duration::from_secs(30))
///     .pacing(Some(Pacing::cloudflare_default()))
///     .build()
///     .unwrap();
/// assert_eq!(client.jurisdiction(), Jurisdiction::Eu);
/// assert!(!format!("{client:?}").contains("an-api-token"));
/// ```
#[derive(Clone)]
#[must_use = "a builder does nothing until `build()` is called"]
pub struct R2ClientBuilder {
    pub(crate) account_id: Option<String>,
    pub(crate) api_token: Option<SecretString>,
    pub(crate) jurisdiction: Jurisdiction,
    pub(crate) base_url: String,
    pub(crate) allow_http: bool,
    pub(crate) timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) read_timeout: Duration,
    pub(crate) max_response_bytes: usize,
    pub(crate) max_list_pages: usize,
    pub(crate) max_listed_buckets: usize,
    pub(crate) retry_policy: RetryPolicy,
    pub(crate) pacing: Option<Pacing>,
    pub(crate) http_client: Option<reqwest::Client>,
    /// A problem found while reading the environment, reported by `build()`.
    pub(crate) deferred: Option<(&'static str, String)>,
}

impl Default for R2ClientBuilder {
    fn default() -> Self {
        Self {
            account_id: None,
            api_token: None,
            jurisdiction: Jurisdiction::Default,
            base_url: DEFAULT_BASE_URL.to_owned(),
            allow_http: false,
            timeout: Some(DEFAULT_TIMEOUT),
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            read_timeout: DEFAULT_READ_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_list_pages: DEFAULT_MAX_LIST_PAGES,
            max_listed_buckets: DEFAULT_MAX_LISTED_BUCKETS,
            retry_policy: RetryPolicy::default(),
            pacing: Some(Pacing::cloudflare_default()),
            http_client: None,
            deferred: None,
        }
    }
}

impl fmt::Debug for R2ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("R2ClientBuilder")
            .field("account_id", &self.account_id)
            .field("api_token", &self.api_token.as_ref().map(|_| REDACTED))
            .field("jurisdiction", &self.jurisdiction)
            .field("base_url", &self.base_url)
            .field("allow_http", &self.allow_http)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_list_pages", &self.max_list_pages)
            .field("max_listed_buckets", &self.max_listed_buckets)
            .field("retry_policy", &self.retry_policy)
            .field("pacing", &self.pacing)
            .field("http_client", &self.http_client.as_ref().map(|_| "custom"))
            .finish()
    }
}

impl R2ClientBuilder {
    /// A builder with defaults: the public API base URL, the `default` jurisdiction, a 60 s
    /// request timeout, 10 s connect timeout, [`RetryPolicy::default`] and
    /// [`Pacing::cloudflare_default`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads `CLOUDFLARE_API_TOKEN`, `CLOUDFLARE_ACCOUNT_ID`, `CLOUDFLARE_BASE_URL` (the name the
    /// official SDK uses) and `R2_JURISDICTION` from the process environment.
    pub fn from_env() -> Self {
        Self::from_env_vars(std::env::vars())
    }

    /// Like [`from_env`](Self::from_env) over the given variables, so tests never touch the
    /// real environment. Unset or empty variables leave the default; an unparsable
    /// `R2_JURISDICTION` is reported by [`build`](Self::build).
    pub fn from_env_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        let mut builder = Self::new();
        for (key, value) in vars {
            let value: String = value.into();
            if value.is_empty() {
                continue;
            }
            match key.as_ref() {
                "CLOUDFLARE_API_TOKEN" => builder = builder.api_token(value),
                "CLOUDFLARE_ACCOUNT_ID" => builder = builder.account_id(value),
                "CLOUDFLARE_BASE_URL" => builder = builder.base_url(value),
                "R2_JURISDICTION" => match value.parse::<Jurisdiction>() {
                    Ok(j) => builder = builder.jurisdiction(j),
                    Err(e) => builder.deferred = Some(("R2_JURISDICTION", e.to_string())),
                },
                _ => {}
            }
        }
        builder
    }

    /// The 32-hex-character Cloudflare account id.
    pub fn account_id(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = Some(account_id.into());
        self
    }

    /// The API token, sent as `Authorization: Bearer <token>`. It needs `Workers R2 Storage
    /// Write` (or `Read` for read-only use). A `String` or `&str` converts into the
    /// [`SecretString`], as for the COS secret key.
    pub fn api_token(mut self, token: impl Into<SecretString>) -> Self {
        self.api_token = Some(token.into());
        self
    }

    /// The jurisdiction every bucket call of the built handle uses (default: `default`).
    pub fn jurisdiction(mut self, jurisdiction: Jurisdiction) -> Self {
        self.jurisdiction = jurisdiction;
        self
    }

    /// The API base URL, up to and including `/client/v4` (for an emulator or a proxy, e.g.
    /// `http://127.0.0.1:8787/client/v4`). Plain `http` also needs [`allow_http`](Self::allow_http).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Whether a plain-`http` base URL to a host other than loopback is accepted (a proxy on
    /// the network). `http://127.0.0.1:…`, `http://[::1]:…` and `http://localhost:…` (an
    /// emulator on this machine) need no opt-in.
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Timeout of a whole request, per attempt (default [`DEFAULT_TIMEOUT`], 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Timeout of establishing a connection (default [`DEFAULT_CONNECT_TIMEOUT`], 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Longest wait for the next bytes of a response (default 30 s): a server that stops
    /// sending mid-body fails with [`ErrorKind::Timeout`] instead of holding the call.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Largest response body read (default [`DEFAULT_MAX_RESPONSE_BYTES`], 16 MiB). A larger
    /// answer, announced by `Content-Length` or found while streaming, fails naming the limit
    /// without being buffered.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Most pages one bucket listing follows (default [`DEFAULT_MAX_LIST_PAGES`]); a listing
    /// that goes on fails with [`ErrorKind::Decode`] naming the limit.
    pub fn max_list_pages(mut self, pages: usize) -> Self {
        self.max_list_pages = pages;
        self
    }

    /// Most buckets one listing returns (default [`DEFAULT_MAX_LISTED_BUCKETS`]); more fails
    /// with [`ErrorKind::Decode`] naming the limit.
    pub fn max_listed_buckets(mut self, buckets: usize) -> Self {
        self.max_listed_buckets = buckets;
        self
    }

    /// How failed requests are retried. `retry-after` / `retry-after-ms` on a 429 are honoured
    /// through it.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// Client-side pacing shared by every clone of the client; `None` disables it.
    pub fn pacing(mut self, pacing: Option<Pacing>) -> Self {
        self.pacing = pacing;
        self
    }

    /// Sends every request through `client` (proxies, extra root certificates, custom DNS)
    /// instead of one the builder makes.
    ///
    /// The client's own settings apply: [`timeout`](Self::timeout),
    /// [`connect_timeout`](Self::connect_timeout) and [`read_timeout`](Self::read_timeout)
    /// are then not used (the response-size limit still is). Configure it with
    /// `redirect(reqwest::redirect::Policy::none())`: a redirect would resend the bearer token
    /// to wherever the server points.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Validates the settings and builds the client.
    ///
    /// Fails with [`ErrorKind::Config`] naming the setting when the account id is not 32 hex
    /// characters, the token is missing or unusable, or the base URL is invalid (or plain
    /// `http` without [`allow_http`](Self::allow_http)).
    pub fn build(self) -> Result<R2Client, Error> {
        if let Some((setting, problem)) = &self.deferred {
            return Err(config_error(setting, problem));
        }
        let account_id = match self.account_id.as_deref().map(str::trim) {
            None | Some("") => {
                return Err(config_error(
                    "account_id",
                    "is required (CLOUDFLARE_ACCOUNT_ID)",
                ));
            }
            Some(id) if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) => {
                id.to_ascii_lowercase()
            }
            Some(id) => {
                return Err(config_error(
                    "account_id",
                    &format!("`{id}` is not 32 hexadecimal characters"),
                ));
            }
        };
        let token = match self.api_token.clone() {
            None => {
                return Err(config_error(
                    "api_token",
                    "is required (CLOUDFLARE_API_TOKEN)",
                ));
            }
            Some(t) => BearerToken::new(t).map_err(|why| config_error("api_token", why))?,
        };
        let base_url = parse_base_url(&self.base_url, self.allow_http)?;
        for (value, setting) in [
            (self.timeout, "timeout"),
            (self.connect_timeout, "connect_timeout"),
            (Some(self.read_timeout), "read_timeout"),
        ] {
            if value.is_some_and(|t| t.is_zero()) {
                // A zero timeout fails every request; "no timeout" is never what it means.
                return Err(config_error(setting, "must be greater than zero"));
            }
        }
        for (value, setting) in [
            (self.max_response_bytes, "max_response_bytes"),
            (self.max_list_pages, "max_list_pages"),
            (self.max_listed_buckets, "max_listed_buckets"),
        ] {
            if value == 0 {
                return Err(config_error(setting, "must be greater than zero"));
            }
        }
        let http = match &self.http_client {
            Some(client) => client.clone(),
            None => {
                let mut http = reqwest::Client::builder()
                    .user_agent(concat!("bucket-admin-r2/", env!("CARGO_PKG_VERSION")))
                    // Redirects would resend the bearer token to wherever the server points.
                    .redirect(reqwest::redirect::Policy::none())
                    .read_timeout(self.read_timeout);
                if let Some(t) = self.timeout {
                    http = http.timeout(t);
                }
                if let Some(t) = self.connect_timeout {
                    http = http.connect_timeout(t);
                }
                http.build().map_err(|e| {
                    Error::new(
                        ErrorKind::Config,
                        format!("could not build the HTTP client: {e}"),
                    )
                    .with_provider(Provider::R2)
                })?
            }
        };
        Ok(R2Client::from_parts(
            http,
            base_url,
            account_id,
            token,
            self.jurisdiction,
            self.retry_policy,
            self.pacing,
            Limits {
                max_response_bytes: self.max_response_bytes,
                max_list_pages: self.max_list_pages,
                max_listed_buckets: self.max_listed_buckets,
            },
        ))
    }
}

fn config_error(setting: &str, problem: &str) -> Error {
    Error::new(
        ErrorKind::Config,
        format!("invalid R2 setting `{setting}`: {problem}"),
    )
    .with_provider(Provider::R2)
}

/// Checks the base URL and returns it without a trailing slash.
fn parse_base_url(raw: &str, allow_http: bool) -> Result<String, Error> {
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|e| config_error("base_url", &format!("`{raw}` is not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http"
            if allow_http
                || url
                    .host_str()
                    .is_some_and(bucket_admin_core::is_loopback_host) => {}
        "http" => {
            return Err(config_error(
                "base_url",
                "plain http to a host that is not loopback is refused unless allow_http(true) is set",
            ));
        }
        other => {
            return Err(config_error(
                "base_url",
                &format!("scheme `{other}` is not http or https"),
            ));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(config_error("base_url", "has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(config_error(
            "base_url",
            "must not carry a query, fragment or credentials",
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";

    fn ok() -> R2ClientBuilder {
        R2Client::builder()
            .account_id(ACCOUNT)
            .api_token("secret-token-value")
    }

    fn config_err(b: R2ClientBuilder) -> Error {
        let err = b.build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        err
    }

    #[test]
    fn build_validates_and_names_the_setting() {
        assert!(ok().build().is_ok());
        assert!(
            config_err(R2Client::builder().api_token("t"))
                .message()
                .contains("account_id")
        );
        assert!(
            config_err(ok().account_id("xyz"))
                .message()
                .contains("account_id")
        );
        assert!(
            config_err(ok().account_id("g23e105f4ecef8ad9ca31a8372d0c353"))
                .message()
                .contains("account_id")
        );
        assert!(
            config_err(R2Client::builder().account_id(ACCOUNT))
                .message()
                .contains("api_token")
        );
        assert!(
            config_err(ok().base_url("not a url"))
                .message()
                .contains("base_url")
        );
        assert!(
            config_err(ok().base_url("ftp://x/client/v4"))
                .message()
                .contains("base_url")
        );
        let http = config_err(ok().base_url("http://10.1.2.3:1/client/v4"));
        assert!(http.message().contains("allow_http"));
        assert!(
            ok().base_url("http://10.1.2.3:1/client/v4/")
                .allow_http(true)
                .build()
                .is_ok()
        );
    }

    #[test]
    fn loopback_http_needs_no_opt_in() {
        for url in [
            "http://127.0.0.1:8787/client/v4",
            "http://127.9.0.1:1/client/v4",
            "http://localhost:8787/client/v4",
            "http://[::1]:8787/client/v4",
        ] {
            assert!(ok().base_url(url).build().is_ok(), "{url}");
        }
        for url in [
            "http://192.168.1.2/client/v4",
            "http://api.cloudflare.com/client/v4",
            "http://localhost.example.com/client/v4",
        ] {
            assert!(
                config_err(ok().base_url(url))
                    .message()
                    .contains("allow_http"),
                "{url}"
            );
        }
    }

    #[test]
    fn token_never_shows_in_config_errors_or_debug() {
        let err = config_err(ok().api_token("bad token\n"));
        assert!(err.message().contains("api_token"));
        assert!(!format!("{err} {err:?}").contains("bad token"));
        let b = ok();
        assert!(!format!("{b:?}").contains("secret-token-value"));
        assert!(format!("{b:?}").contains(REDACTED));
    }

    #[test]
    fn from_env_vars_reads_the_sdk_names() {
        let client = R2ClientBuilder::from_env_vars([
            ("CLOUDFLARE_API_TOKEN", "t0k"),
            ("CLOUDFLARE_ACCOUNT_ID", ACCOUNT),
            ("CLOUDFLARE_BASE_URL", "https://proxy.example/client/v4"),
            ("R2_JURISDICTION", "EU"),
            ("UNRELATED", "x"),
        ])
        .build()
        .unwrap();
        assert_eq!(client.jurisdiction(), Jurisdiction::Eu);
        assert_eq!(client.base_url(), "https://proxy.example/client/v4");
        let err = config_err(R2ClientBuilder::from_env_vars([
            ("CLOUDFLARE_API_TOKEN", "t0k"),
            ("CLOUDFLARE_ACCOUNT_ID", ACCOUNT),
            ("R2_JURISDICTION", "mars"),
        ]));
        assert!(err.message().contains("R2_JURISDICTION"));
        let missing = config_err(R2ClientBuilder::from_env_vars(
            Vec::<(String, String)>::new(),
        ));
        assert!(missing.message().contains("CLOUDFLARE_ACCOUNT_ID"));
    }
}
