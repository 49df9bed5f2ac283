//! [`from_url`]: a [`BucketAdmin`] and a bucket name from one URL and the environment's
//! credentials, like `object_store::parse_url`.

use std::fmt;

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
    /// The scheme is neither `cos` nor `r2`.
    UnknownScheme {
        /// The scheme found.
        scheme: String,
    },
    /// The scheme is known but its provider was compiled out.
    FeatureDisabled {
        /// `cos` or `r2`.
        scheme: String,
    },
    /// A query parameter this scheme does not have.
    UnknownParameter {
        /// `cos` or `r2`.
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
        /// The provider's scheme, `cos` or `r2`.
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
                "`{url}` is not a bucket URL ({reason}); expected cos://<bucket>-<appid>?region=<region> or r2://<bucket>"
            ),
            Self::UnknownScheme { scheme } => write!(
                f,
                "unknown bucket URL scheme `{scheme}`: use cos:// (Tencent Cloud COS) or r2:// (Cloudflare R2)"
            ),
            Self::FeatureDisabled { scheme } => write!(
                f,
                "`{scheme}://` needs the `{scheme}` feature of bucket-admin, which this build lacks"
            ),
            Self::UnknownParameter { scheme, name } => {
                let known = match scheme.as_str() {
                    "cos" => "region, endpoint",
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
                if scheme == "cos" { "COS" } else { "R2" },
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
///
/// Credentials are read as [`cos::CosClientBuilder::from_env`](crate::cos::CosClientBuilder::from_env)
/// and [`r2::R2ClientBuilder::from_env`](crate::r2::R2ClientBuilder::from_env) read them;
/// a URL parameter wins over its variable.
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
    let parsed = parse(url)?;
    let vars: Vec<(String, String)> = vars
        .into_iter()
        .map(|(k, v)| (k.as_ref().to_owned(), v.into()))
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    let has = |names: &[&str]| names.iter().any(|n| vars.iter().any(|(k, _)| k == n));
    match parsed.scheme.as_str() {
        "cos" => cos(parsed, &vars, has),
        "r2" => r2(parsed, &vars, has),
        _ => Err(FromUrlError::UnknownScheme {
            scheme: parsed.scheme,
        }),
    }
}

// Without a provider feature every URL is refused before its bucket and parameters are read.
#[cfg_attr(not(any(feature = "cos", feature = "r2")), allow(dead_code))]
struct Parsed {
    scheme: String,
    bucket: String,
    params: Vec<(String, String)>,
}

fn parse(url: &str) -> Result<Parsed, FromUrlError> {
    let invalid = |reason: &str| FromUrlError::InvalidUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let trimmed = url.trim();
    let Some((scheme, rest)) = trimmed.split_once("://") else {
        return Err(invalid("no scheme"));
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "cos" && scheme != "r2" {
        return Err(FromUrlError::UnknownScheme { scheme });
    }
    let (location, query) = match rest.split_once('?') {
        Some((l, q)) => (l, Some(q)),
        None => (rest, None),
    };
    if location.contains('#') || query.is_some_and(|q| q.contains('#')) {
        return Err(invalid("a fragment (#) has no meaning here"));
    }
    let bucket = location.strip_suffix('/').unwrap_or(location);
    if bucket.is_empty() {
        return Err(invalid("no bucket name"));
    }
    if bucket.contains('/') {
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
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
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
        scheme,
        bucket: decode(bucket).ok_or_else(|| invalid("the bucket name is not valid UTF-8"))?,
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

#[cfg_attr(not(any(feature = "cos", feature = "r2")), allow(dead_code))]
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
) -> Result<(Box<dyn BucketAdmin>, String), FromUrlError> {
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
    let client = builder.build().map_err(FromUrlError::Build)?;
    Ok((Box::new(client), parsed.bucket))
}

#[cfg(not(feature = "cos"))]
fn cos(
    parsed: Parsed,
    _: &[(String, String)],
    _: impl Fn(&[&str]) -> bool,
) -> Result<(Box<dyn BucketAdmin>, String), FromUrlError> {
    Err(FromUrlError::FeatureDisabled {
        scheme: parsed.scheme,
    })
}

#[cfg(feature = "r2")]
fn r2(
    parsed: Parsed,
    vars: &[(String, String)],
    has: impl Fn(&[&str]) -> bool,
) -> Result<(Box<dyn BucketAdmin>, String), FromUrlError> {
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
    let client = builder.build().map_err(FromUrlError::Build)?;
    Ok((Box::new(client), parsed.bucket))
}

#[cfg(not(feature = "r2"))]
fn r2(
    parsed: Parsed,
    _: &[(String, String)],
    _: impl Fn(&[&str]) -> bool,
) -> Result<(Box<dyn BucketAdmin>, String), FromUrlError> {
    Err(FromUrlError::FeatureDisabled {
        scheme: parsed.scheme,
    })
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn percent_decoding() {
        assert_eq!(decode("ap%2Dbeijing").as_deref(), Some("ap-beijing"));
        assert_eq!(decode("50%").as_deref(), Some("50%"));
        assert_eq!(decode("%zz").as_deref(), Some("%zz"));
        assert_eq!(decode("%C3%A9").as_deref(), Some("é"));
        assert_eq!(decode("%FF"), None);
    }
}
