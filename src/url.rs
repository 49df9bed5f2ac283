//! [`from_url`]: a [`BucketAdmin`] and a bucket name from one `cos://`, `r2://` or `s3://`
//! URL and the environment's credentials, like `object_store::parse_url`; [`BucketUrl`]: the
//! same URLs taken apart, for tools that add their own rules (the `bucket-admin` CLI parses
//! its targets with it).

use std::fmt;
use std::str::FromStr;

use bucket_admin_core::{BucketAdmin, Error, ErrorKind};

/// Why [`from_url`] could not make a client. Each variant says what to change.
#[derive(Debug)]
#[non_exhaustive]
pub enum FromUrlError {
    /// The text is not `scheme://bucket[?key=value&...]`.
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The scheme is none of `cos`, `r2` and `s3`.
    UnknownScheme {
        /// The scheme found.
        scheme: String,
    },
    /// The scheme is known but its provider was compiled out.
    FeatureDisabled {
        /// `cos`, `r2` or `s3`.
        scheme: String,
    },
    /// A query parameter this scheme does not have.
    UnknownParameter {
        /// `cos`, `r2` or `s3`.
        scheme: String,
        /// The parameter's name.
        name: String,
    },
    /// A query parameter with a value that cannot be used.
    InvalidParameter {
        /// The parameter's name.
        name: String,
        /// Why its value is refused.
        reason: String,
    },
    /// A COS URL without `?region=` while `COS_REGION` is not set either.
    MissingRegion,
    /// Credentials missing from the environment: every variable to set.
    MissingCredentials {
        /// The provider's scheme, `cos`, `r2` or `s3`.
        scheme: String,
        /// Each missing variable (with its alternative name, where there is one).
        variables: Vec<&'static str>,
    },
    /// The provider's builder refused the settings (see the error's message).
    Build(Error),
}

impl fmt::Display for FromUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidUrl { url, reason } => write!(
                f,
                "`{url}` is not a bucket URL ({reason}); expected cos://<bucket>-<appid>?region=<region>, r2://<bucket> or s3://<bucket>"
            ),
            Self::UnknownScheme { scheme } => write!(
                f,
                "unknown bucket URL scheme `{scheme}`: use cos:// (Tencent Cloud COS), r2:// (Cloudflare R2) or s3:// (an S3-compatible service)"
            ),
            Self::FeatureDisabled { scheme } => write!(
                f,
                "`{scheme}://` needs the `{scheme}` feature of bucket-admin, which this build lacks"
            ),
            Self::UnknownParameter { scheme, name } => {
                let known = match scheme.as_str() {
                    "cos" => "region, endpoint",
                    "s3" => "profile, region, endpoint, aws_profile",
                    _ => "jurisdiction, account_id",
                };
                write!(
                    f,
                    "`{scheme}://` URLs have no parameter `{name}` (known: {known})"
                )
            }
            Self::InvalidParameter { name, reason } => {
                write!(f, "invalid URL parameter `{name}`: {reason}")
            }
            Self::MissingRegion => f.write_str(
                "a COS URL needs a region: add ?region=<region> (e.g. ap-beijing) or set COS_REGION",
            ),
            Self::MissingCredentials { scheme, variables } => write!(
                f,
                "missing {} credentials: set {}",
                scheme.to_ascii_uppercase(),
                variables.join(", ")
            ),
            Self::Build(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for FromUrlError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Build(e) => Some(e),
            _ => None,
        }
    }
}

impl From<FromUrlError> for Error {
    /// A [`ErrorKind::Config`] error with the same message (a `Build` error is returned as is).
    fn from(e: FromUrlError) -> Self {
        match e {
            FromUrlError::Build(inner) => inner,
            other => Error::new(ErrorKind::Config, other.to_string()),
        }
    }
}

/// A client and the bucket a URL names, with credentials from the process environment.
///
/// | URL | provider | parameters |
/// | --- | --- | --- |
/// | `cos://<bucket>-<appid>?region=ap-beijing` | COS | `region` (else `COS_REGION`), `endpoint` (else `COS_ENDPOINT`) |
/// | `r2://<bucket>?jurisdiction=eu` | R2 | `jurisdiction` (else `R2_JURISDICTION`, else `default`), `account_id` (else `CLOUDFLARE_ACCOUNT_ID`) |
/// | `s3://<bucket>?region=eu-west-1` | S3-compatible | `profile` (`aws`, `r2`, `cos`, `minio`, `custom`; default `aws`), `region` (else `AWS_REGION`, `AWS_DEFAULT_REGION`, the shared config), `endpoint` (else `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, the shared config), `aws_profile` (else `AWS_PROFILE`, else `default`) |
///
/// Credentials are read as [`cos::CosClientBuilder::from_env`](crate::cos::CosClientBuilder::from_env),
/// [`r2::R2ClientBuilder::from_env`](crate::r2::R2ClientBuilder::from_env) and
/// [`s3::S3ClientBuilder::from_env`](crate::s3::S3ClientBuilder::from_env) (the `AWS_*`
/// variables, else the AWS shared config files) read them; a URL parameter wins over its
/// variable. `s3://` with the `r2` profile and no endpoint takes its account from
/// `CLOUDFLARE_ACCOUNT_ID`. A plain `http://` S3 endpoint is accepted on this machine only
/// (an emulator, MinIO or moto on loopback).
///
/// ```no_run
/// # async fn run() -> bucket_admin::Result<()> {
/// let (admin, bucket) = bucket_admin::from_url("cos://web-1250000000?region=ap-beijing")?;
/// println!("{:?}", admin.get_cors(&bucket).await?);
/// # Ok(()) }
/// ```
pub fn from_url(url: &str) -> Result<(Box<dyn BucketAdmin>, String), FromUrlError> {
    from_url_with_vars(url, std::env::vars())
}

/// [`from_url`] over the given variables instead of the process environment (for tests and
/// for configuration read from elsewhere).
pub fn from_url_with_vars<I, K, V>(
    url: &str,
    vars: I,
) -> Result<(Box<dyn BucketAdmin>, String), FromUrlError>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: Into<String>,
{
    let parsed = check(&BucketUrl::parse(url.trim())?, url)?;
    if parsed.bucket.is_empty() {
        return Err(FromUrlError::InvalidUrl {
            url: url.to_owned(),
            reason: "no bucket name".into(),
        });
    }
    let bucket = parsed.bucket.clone();
    Ok((configure(parsed, &vars_of(vars), true)?.build()?, bucket))
}

/// The client builder a bucket or account URL (`r2://`, `cos://?region=..`) names, configured
/// from `vars` as [`from_url`] configures it but not built, so a tool can add its own settings
/// (timeouts, retries, pacing, `allow_http`) and keep the concrete client type. The checks are
/// [`from_url`]'s, except that a bucket is optional and an `s3://` endpoint over plain `http://`
/// is left to the caller ([`s3::S3ClientBuilder`](crate::s3::S3ClientBuilder) accepts one).
///
/// ```
/// # #[cfg(feature = "cos")] {
/// use bucket_admin::{BucketUrl, ClientBuilder, Scheme};
///
/// let url = BucketUrl::new(Scheme::Cos, None::<String>).with_param("region", "ap-beijing");
/// let vars = [("COS_SECRET_ID", "AKIDexample"), ("COS_SECRET_KEY", "secret")];
/// let ClientBuilder::Cos(builder) = bucket_admin::client_builder(&url, vars).unwrap() else {
///     unreachable!()
/// };
/// let client = builder.timeout(std::time::Duration::from_secs(5)).build().unwrap();
/// # let _ = client; }
/// ```
pub fn client_builder<I, K, V>(url: &BucketUrl, vars: I) -> Result<ClientBuilder, FromUrlError>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: Into<String>,
{
    let text = url.to_string();
    configure(check(url, &text)?, &vars_of(vars), false)
}

fn vars_of<I, K, V>(vars: I) -> Vec<(String, String)>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: Into<String>,
{
    vars.into_iter()
        .map(|(k, v)| (k.as_ref().to_owned(), v.into()))
        .filter(|(_, v)| !v.trim().is_empty())
        .collect()
}

/// The builder for a checked URL; `strict_http`: refuse an `s3://` endpoint over plain http
/// to another machine (COS's and R2's builders refuse one themselves).
fn configure(
    parsed: Parsed,
    vars: &[(String, String)],
    strict_http: bool,
) -> Result<ClientBuilder, FromUrlError> {
    let has = |names: &[&str]| names.iter().any(|n| vars.iter().any(|(k, _)| k == n));
    match parsed.scheme.as_str() {
        "cos" => cos(parsed, vars, has),
        "r2" => r2(parsed, vars, has),
        "s3" => s3(parsed, vars, has, strict_http),
        _ => Err(FromUrlError::UnknownScheme {
            scheme: parsed.scheme,
        }),
    }
}

#[cfg(any(feature = "cos", feature = "r2", feature = "s3"))]
fn boxed<C: BucketAdmin + 'static>(
    built: bucket_admin_core::Result<C>,
) -> Result<Box<dyn BucketAdmin>, FromUrlError> {
    built
        .map(|c| Box::new(c) as Box<dyn BucketAdmin>)
        .map_err(FromUrlError::Build)
}

/// A provider's client builder, configured by [`client_builder`] from a URL and variables.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientBuilder {
    /// Tencent Cloud COS (`cos://`).
    #[cfg(feature = "cos")]
    Cos(crate::cos::CosClientBuilder),
    /// Cloudflare R2's REST API (`r2://`).
    #[cfg(feature = "r2")]
    R2(crate::r2::R2ClientBuilder),
    /// An S3-compatible service (`s3://`).
    #[cfg(feature = "s3")]
    S3(crate::s3::S3ClientBuilder),
}

impl ClientBuilder {
    /// Builds the client ([`FromUrlError::Build`] when the builder refuses its settings).
    pub fn build(self) -> Result<Box<dyn BucketAdmin>, FromUrlError> {
        match self {
            #[cfg(feature = "cos")]
            ClientBuilder::Cos(b) => boxed(b.build()),
            #[cfg(feature = "r2")]
            ClientBuilder::R2(b) => boxed(b.build()),
            #[cfg(feature = "s3")]
            ClientBuilder::S3(b) => boxed(b.build()),
        }
    }
}

/// The provider a bucket URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// `cos://`: Tencent Cloud COS.
    Cos,
    /// `r2://`: Cloudflare R2 (its REST API).
    R2,
    /// `s3://`: an S3-compatible service.
    S3,
}

impl Scheme {
    /// The scheme as written in a URL, lower case (`cos`, `r2`, `s3`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Scheme::Cos => "cos",
            Scheme::R2 => "r2",
            Scheme::S3 => "s3",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A bucket URL taken apart: `cos://`, `r2://` or `s3://`, then an optional bucket, then
/// `?name=value&...`; or a COS virtual-host address as the COS console and SDK logs print it
/// (`https://<bucket>-<appid>.cos.<region>.myqcloud.com`, also `.tencentcos.cn`), which reads
/// as `cos://<bucket>-<appid>?region=<region>`.
///
/// Nothing is checked beyond the shape: the parts are kept as written (not percent-decoded),
/// so each tool applies its own rules and words its own messages. [`from_url`] is one such
/// tool: it needs a bucket and no path, decodes the parts, refuses repeated and unknown
/// parameters.
///
/// ```
/// use bucket_admin::{BucketUrl, Scheme};
///
/// let url: BucketUrl = "r2://assets?jurisdiction=eu".parse().unwrap();
/// assert_eq!(url.scheme, Scheme::R2);
/// assert_eq!(url.bucket.as_deref(), Some("assets"));
/// assert_eq!(url.param("jurisdiction"), Some("eu"));
///
/// let host = BucketUrl::parse("https://web-1250000000.cos.ap-beijing.myqcloud.com").unwrap();
/// assert_eq!((host.scheme, host.param("region")), (Scheme::Cos, Some("ap-beijing")));
///
/// // An account URL has no bucket; a path after the bucket is reported, not dropped.
/// assert_eq!(BucketUrl::parse("cos://?region=ap-beijing").unwrap().bucket, None);
/// assert_eq!(BucketUrl::parse("s3://logs/2024/").unwrap().path.as_deref(), Some("2024"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct BucketUrl {
    /// The provider.
    pub scheme: Scheme,
    /// The bucket as written; `None` for an account URL (`r2://`, `cos://?region=..`).
    pub bucket: Option<String>,
    /// What follows the bucket after a `/`, trailing slashes removed; `None` when nothing
    /// does. Bucket URLs name buckets, so a tool normally refuses a path.
    pub path: Option<String>,
    /// The query's `name=value` pairs as written, in order (a name without `=` has the value
    /// `""`); empty pairs (`&&`) are skipped.
    pub params: Vec<(String, String)>,
    /// Whether the URL was a COS virtual-host address (its query, if any, is not read).
    pub host_style: bool,
}

impl BucketUrl {
    /// Takes `url` apart. Fails only when it has no `scheme://` ([`FromUrlError::InvalidUrl`])
    /// or a scheme other than `cos`, `r2` and `s3` that is not a COS virtual-host address
    /// ([`FromUrlError::UnknownScheme`], with the scheme in lower case).
    pub fn parse(url: &str) -> Result<BucketUrl, FromUrlError> {
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(FromUrlError::InvalidUrl {
                url: url.to_owned(),
                reason: "no scheme".into(),
            });
        };
        let web = scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http");
        if web || scheme.eq_ignore_ascii_case("cos") {
            let authority = rest.split('?').next().unwrap_or("");
            if let Some((bucket, region)) = cos_host(authority) {
                return Ok(BucketUrl {
                    scheme: Scheme::Cos,
                    bucket: Some(bucket),
                    path: None,
                    params: vec![("region".into(), region)],
                    host_style: true,
                });
            }
        }
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "cos" => Scheme::Cos,
            "r2" => Scheme::R2,
            "s3" => Scheme::S3,
            other => {
                return Err(FromUrlError::UnknownScheme {
                    scheme: other.to_owned(),
                });
            }
        };
        let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (bucket, path) = location.split_once('/').unwrap_or((location, ""));
        let path = path.trim_end_matches('/');
        let params = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect();
        Ok(BucketUrl {
            scheme,
            bucket: (!bucket.is_empty()).then(|| bucket.to_owned()),
            path: (!path.is_empty()).then(|| path.to_owned()),
            params,
            host_style: false,
        })
    }

    /// A URL of `scheme` naming `bucket` (`None`: the account), without parameters; add them
    /// with [`with_param`](Self::with_param).
    pub fn new(scheme: Scheme, bucket: Option<impl Into<String>>) -> BucketUrl {
        BucketUrl {
            scheme,
            bucket: bucket.map(Into::into),
            path: None,
            params: Vec::new(),
            host_style: false,
        }
    }

    /// The same URL with `name=value` appended to its parameters (kept as written: a `%` in
    /// `value` is read as percent-encoding by [`from_url`] and [`client_builder`]).
    #[must_use]
    pub fn with_param(mut self, name: impl Into<String>, value: impl Into<String>) -> BucketUrl {
        self.params.push((name.into(), value.into()));
        self
    }

    /// The value of the first parameter called `name`, as written.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Display for BucketUrl {
    /// `scheme://bucket[/path][?name=value&...]`, parts as written (a COS virtual host is
    /// written as the `cos://` URL it reads as).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}://{}",
            self.scheme,
            self.bucket.as_deref().unwrap_or("")
        )?;
        if let Some(path) = &self.path {
            write!(f, "/{path}")?;
        }
        for (i, (k, v)) in self.params.iter().enumerate() {
            let sep = if i == 0 { '?' } else { '&' };
            write!(f, "{sep}{k}={v}")?;
        }
        Ok(())
    }
}

impl FromStr for BucketUrl {
    type Err = FromUrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BucketUrl::parse(s)
    }
}

/// `<bucket>-<appid>.cos.<region>.myqcloud.com` (or `.tencentcos.cn`, optionally with a
/// path of `/`): the bucket and region a COS virtual host names.
fn cos_host(authority: &str) -> Option<(String, String)> {
    let host = authority.trim_end_matches('/');
    let base = host
        .strip_suffix(".myqcloud.com")
        .or_else(|| host.strip_suffix(".tencentcos.cn"))?;
    let (bucket, region) = base.split_once(".cos.")?;
    let region_ok = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    (region_ok && !bucket.is_empty() && !bucket.contains('.'))
        .then(|| (bucket.to_owned(), region.to_owned()))
}

// Without a provider feature every URL is refused before its bucket and parameters are read.
#[cfg_attr(
    not(any(feature = "cos", feature = "r2", feature = "s3")),
    allow(dead_code)
)]
struct Parsed {
    scheme: String,
    bucket: String,
    params: Vec<(String, String)>,
}

/// What [`from_url`] and [`client_builder`] require of a parsed URL: no path, no fragment, no
/// credentials or port, parameters decoded and named once (the bucket may be absent).
fn check(parts: &BucketUrl, url: &str) -> Result<Parsed, FromUrlError> {
    let invalid = |reason: &str| FromUrlError::InvalidUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let bucket = parts.bucket.clone().unwrap_or_default();
    let in_params = parts
        .params
        .iter()
        .any(|(k, v)| k.contains('#') || v.contains('#'));
    if bucket.contains('#') || parts.path.as_deref().is_some_and(|p| p.contains('#')) || in_params {
        return Err(invalid("a fragment (#) has no meaning here"));
    }
    if parts.path.is_some() {
        return Err(invalid(
            "a path after the bucket name (object keys and prefixes are not used)",
        ));
    }
    if bucket.contains('@') || bucket.contains(':') {
        return Err(invalid(
            "credentials or a port in the URL (credentials come from the environment)",
        ));
    }
    let mut params = Vec::new();
    for (k, v) in &parts.params {
        let k = decode(k).ok_or_else(|| invalid("a parameter name is not valid UTF-8"))?;
        let v = decode(v).ok_or_else(|| invalid("a parameter value is not valid UTF-8"))?;
        if params.iter().any(|(seen, _): &(String, String)| *seen == k) {
            return Err(FromUrlError::InvalidParameter {
                name: k,
                reason: "given twice".into(),
            });
        }
        params.push((k, v));
    }
    Ok(Parsed {
        scheme: parts.scheme.as_str().to_owned(),
        bucket: decode(&bucket).ok_or_else(|| invalid("the bucket name is not valid UTF-8"))?,
        params,
    })
}

/// Percent-decodes (`+` stays `+`), or `None` when the bytes are not UTF-8.
fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg_attr(
    not(any(feature = "cos", feature = "r2", feature = "s3")),
    allow(dead_code)
)]
fn take_params(parsed: &Parsed, known: &[&str]) -> Result<Vec<(String, String)>, FromUrlError> {
    for (name, value) in &parsed.params {
        if !known.contains(&name.as_str()) {
            return Err(FromUrlError::UnknownParameter {
                scheme: parsed.scheme.clone(),
                name: name.clone(),
            });
        }
        if value.trim().is_empty() {
            return Err(FromUrlError::InvalidParameter {
                name: name.clone(),
                reason: "empty value".into(),
            });
        }
    }
    Ok(parsed.params.clone())
}

#[cfg(feature = "cos")]
fn cos(
    parsed: Parsed,
    vars: &[(String, String)],
    has: impl Fn(&[&str]) -> bool,
) -> Result<ClientBuilder, FromUrlError> {
    let params = take_params(&parsed, &["region", "endpoint"])?;
    let param = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let mut missing = Vec::new();
    if !has(&["COS_SECRET_ID", "TENCENTCLOUD_SECRET_ID"]) {
        missing.push("COS_SECRET_ID (or TENCENTCLOUD_SECRET_ID)");
    }
    if !has(&["COS_SECRET_KEY", "TENCENTCLOUD_SECRET_KEY"]) {
        missing.push("COS_SECRET_KEY (or TENCENTCLOUD_SECRET_KEY)");
    }
    if !missing.is_empty() {
        return Err(FromUrlError::MissingCredentials {
            scheme: "cos".into(),
            variables: missing,
        });
    }
    let region = param("region");
    if region.is_none() && !has(&["COS_REGION"]) {
        return Err(FromUrlError::MissingRegion);
    }
    let mut builder = crate::cos::CosClientBuilder::from_env_vars(vars.iter().cloned());
    if let Some(r) = region {
        builder = builder.region(r);
    }
    if let Some(e) = param("endpoint") {
        builder = builder.endpoint(e);
    }
    Ok(ClientBuilder::Cos(builder))
}

#[cfg(not(feature = "cos"))]
fn cos(
    parsed: Parsed,
    _: &[(String, String)],
    _: impl Fn(&[&str]) -> bool,
) -> Result<ClientBuilder, FromUrlError> {
    Err(FromUrlError::FeatureDisabled {
        scheme: parsed.scheme,
    })
}

#[cfg(feature = "r2")]
fn r2(
    parsed: Parsed,
    vars: &[(String, String)],
    has: impl Fn(&[&str]) -> bool,
) -> Result<ClientBuilder, FromUrlError> {
    let params = take_params(&parsed, &["jurisdiction", "account_id"])?;
    let param = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let mut missing = Vec::new();
    if !has(&["CLOUDFLARE_API_TOKEN"]) {
        missing.push("CLOUDFLARE_API_TOKEN");
    }
    let account = param("account_id");
    if account.is_none() && !has(&["CLOUDFLARE_ACCOUNT_ID"]) {
        missing.push("CLOUDFLARE_ACCOUNT_ID");
    }
    if !missing.is_empty() {
        return Err(FromUrlError::MissingCredentials {
            scheme: "r2".into(),
            variables: missing,
        });
    }
    let mut builder = crate::r2::R2ClientBuilder::from_env_vars(vars.iter().cloned());
    if let Some(j) = param("jurisdiction") {
        let j = j.parse::<bucket_admin_core::Jurisdiction>().map_err(|e| {
            FromUrlError::InvalidParameter {
                name: "jurisdiction".into(),
                reason: e.to_string(),
            }
        })?;
        builder = builder.jurisdiction(j);
    }
    if let Some(a) = account {
        builder = builder.account_id(a);
    }
    Ok(ClientBuilder::R2(builder))
}

#[cfg(not(feature = "r2"))]
fn r2(
    parsed: Parsed,
    _: &[(String, String)],
    _: impl Fn(&[&str]) -> bool,
) -> Result<ClientBuilder, FromUrlError> {
    Err(FromUrlError::FeatureDisabled {
        scheme: parsed.scheme,
    })
}

#[cfg(feature = "s3")]
fn s3(
    parsed: Parsed,
    vars: &[(String, String)],
    has: impl Fn(&[&str]) -> bool,
    strict_http: bool,
) -> Result<ClientBuilder, FromUrlError> {
    use crate::s3::{Profile, S3ClientBuilder, SharedConfigFiles};

    let params = take_params(&parsed, &["profile", "region", "endpoint", "aws_profile"])?;
    let param = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let var = |n: &str| {
        vars.iter()
            .rev()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
    };
    let profile = match param("profile") {
        Some(p) => p
            .parse::<Profile>()
            .map_err(|e| FromUrlError::InvalidParameter {
                name: "profile".into(),
                reason: e.message().to_owned(),
            })?,
        None => Profile::Aws,
    };
    let aws_profile = param("aws_profile");
    // The shared files' profile, read here to name exactly what is missing before building.
    let files =
        SharedConfigFiles::from_env_vars(vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let shared = match aws_profile.clone().or_else(|| var("AWS_PROFILE")) {
        Some(name) => files.load_profile(name.trim(), true),
        None => files.load_profile("default", false),
    }
    .map_err(|e| match &aws_profile {
        Some(_) => FromUrlError::InvalidParameter {
            name: "aws_profile".into(),
            reason: e.message().to_owned(),
        },
        None => FromUrlError::Build(e),
    })?;
    let env_keys = aws_profile.is_none() && has(&["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
    let mut missing = Vec::new();
    let (has_id, has_secret) = if env_keys {
        (has(&["AWS_ACCESS_KEY_ID"]), has(&["AWS_SECRET_ACCESS_KEY"]))
    } else {
        (
            shared.access_key_id().is_some(),
            shared.has_secret_access_key(),
        )
    };
    if !has_id {
        missing.push("AWS_ACCESS_KEY_ID");
    }
    if !has_secret {
        missing.push("AWS_SECRET_ACCESS_KEY");
    }
    if !missing.is_empty() {
        return Err(FromUrlError::MissingCredentials {
            scheme: "s3".into(),
            variables: missing,
        });
    }
    let endpoint = param("endpoint");
    let effective_endpoint = endpoint
        .clone()
        .or_else(|| var("AWS_ENDPOINT_URL_S3"))
        .or_else(|| var("AWS_ENDPOINT_URL"))
        .or_else(|| shared.endpoint_url().map(str::to_owned));
    if let Some(e) = &effective_endpoint
        && strict_http
        && e.trim().to_ascii_lowercase().starts_with("http://")
        && !is_loopback(e)
    {
        return Err(FromUrlError::InvalidParameter {
            name: "endpoint".into(),
            reason: format!(
                "`{e}` is plain http on another machine (requests and their signatures would travel unencrypted); use https://"
            ),
        });
    }
    let mut builder = S3ClientBuilder::from_env_vars(vars.iter().cloned()).profile(profile);
    if let Some(p) = aws_profile {
        builder = builder.aws_profile(p);
    }
    if let Some(r) = param("region") {
        builder = builder.region(r);
    }
    if let Some(e) = endpoint {
        builder = builder.endpoint(e);
    } else if let (Profile::R2, None, Some(account)) =
        (profile, &effective_endpoint, var("CLOUDFLARE_ACCOUNT_ID"))
    {
        builder = builder.account_id(account);
    }
    Ok(ClientBuilder::S3(builder))
}

/// Whether an endpoint's host is this machine (`localhost`, `127.0.0.0/8`, `::1`).
#[cfg(feature = "s3")]
fn is_loopback(url: &str) -> bool {
    let rest = url.trim().split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or("");
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    host.eq_ignore_ascii_case("localhost")
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(not(feature = "s3"))]
fn s3(
    parsed: Parsed,
    _: &[(String, String)],
    _: impl Fn(&[&str]) -> bool,
    _: bool,
) -> Result<ClientBuilder, FromUrlError> {
    Err(FromUrlError::FeatureDisabled {
        scheme: parsed.scheme,
    })
}

#[cfg(test)]
mod tests {
    use super::{BucketUrl, FromUrlError, Scheme, decode};

    #[test]
    fn bucket_urls_are_taken_apart_as_written() {
        let u = BucketUrl::parse("S3://logs/?profile=minio&endpoint=http%3A%2F%2Fh:9000&&flag")
            .unwrap();
        assert_eq!(u.scheme, Scheme::S3);
        assert_eq!(u.bucket.as_deref(), Some("logs"));
        assert_eq!(u.path, None, "a trailing slash is not a path");
        assert_eq!(
            u.params,
            [
                ("profile".to_owned(), "minio".to_owned()),
                ("endpoint".to_owned(), "http%3A%2F%2Fh:9000".to_owned()),
                ("flag".to_owned(), String::new()),
            ]
        );
        assert!(!u.host_style);
        let u = BucketUrl::parse("r2://a//b/c//").unwrap();
        assert_eq!(
            (u.bucket.as_deref(), u.path.as_deref()),
            (Some("a"), Some("/b/c"))
        );
        assert_eq!(BucketUrl::parse("r2://").unwrap().bucket, None);
        assert_eq!(BucketUrl::parse("r2://a//").unwrap().path, None);
    }

    #[test]
    fn cos_virtual_hosts_read_as_cos_urls() {
        for url in [
            "https://web-1250000000.cos.ap-beijing.myqcloud.com",
            "http://web-1250000000.cos.ap-beijing.myqcloud.com/",
            "cos://web-1250000000.cos.ap-beijing.tencentcos.cn?ignored=1",
        ] {
            let u = BucketUrl::parse(url).unwrap();
            assert!(u.host_style, "{url}");
            assert_eq!(u.scheme, Scheme::Cos);
            assert_eq!(u.bucket.as_deref(), Some("web-1250000000"));
            assert_eq!(u.params, [("region".to_owned(), "ap-beijing".to_owned())]);
        }
        // Not a COS host: an unknown scheme, named in lower case.
        assert!(matches!(
            BucketUrl::parse("HTTPS://example.com"),
            Err(FromUrlError::UnknownScheme { scheme }) if scheme == "https"
        ));
        assert!(matches!(
            BucketUrl::parse("web-1250000000"),
            Err(FromUrlError::InvalidUrl { .. })
        ));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(decode("ap%2Dbeijing").as_deref(), Some("ap-beijing"));
        assert_eq!(decode("50%").as_deref(), Some("50%"));
        assert_eq!(decode("%zz").as_deref(), Some("%zz"));
        assert_eq!(decode("%C3%A9").as_deref(), Some("é"));
        assert_eq!(decode("%FF"), None);
    }
}
