//! Target URLs: `cos://<bucket>-<appid>?region=..`, `r2://<bucket>?jurisdiction=..`,
//! `s3://<bucket>?profile=..&region=..&endpoint=..`, `file://path.json`.
//!
//! A URL without a bucket (`cos://?region=ap-beijing`, `r2://`) names an account, for
//! `buckets list` and `--match-names`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use bucket_admin_core::Jurisdiction;
use bucket_admin_s3::Profile;

use crate::exit::CliError;

/// A parsed target URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TargetUrl {
    /// A COS bucket (or, without a bucket, a COS account in a region).
    Cos {
        /// `<name>-<appid>`, as COS spells bucket names.
        bucket: Option<String>,
        /// Region such as `ap-beijing`; `None` falls back to the environment.
        region: Option<String>,
    },
    /// An R2 bucket (or, without a bucket, the R2 account).
    R2 {
        /// Bucket name.
        bucket: Option<String>,
        /// Jurisdiction; `None` falls back to the environment, then `default`.
        jurisdiction: Option<Jurisdiction>,
    },
    /// A bucket on an S3-compatible service (AWS, R2's or COS's S3 endpoint, MinIO, moto...).
    S3 {
        /// Bucket name.
        bucket: Option<String>,
        /// `?profile=`; `None` means `aws`.
        profile: Option<Profile>,
        /// `?region=`; `None` falls back to `AWS_REGION`, then `AWS_DEFAULT_REGION`.
        region: Option<String>,
        /// `?endpoint=` (`scheme://host[:port]`); `None` falls back to `AWS_ENDPOINT_URL_S3`,
        /// then `AWS_ENDPOINT_URL`, then the profile's own endpoint.
        endpoint: Option<String>,
        /// `?aws_profile=`: the profile of the AWS shared config files (`~/.aws/credentials`,
        /// `~/.aws/config`) to take credentials, region and endpoint from, as the AWS CLI's
        /// `--profile`; `None` falls back to `AWS_PROFILE`, then `default`. Not to be confused
        /// with `profile`, the kind of S3 service.
        aws_profile: Option<String>,
    },
    /// A configuration file.
    File {
        /// Path as given (relative to the working directory unless absolute).
        path: PathBuf,
    },
}

const EXAMPLES: &str = "examples: cos://mybucket-1250000000?region=ap-beijing, r2://mybucket?jurisdiction=eu, s3://mybucket?region=us-east-1, s3://mybucket?profile=minio&endpoint=http://127.0.0.1:9000, file://cors.json, file:///abs/path/cors.xml";

impl TargetUrl {
    /// The bucket, when the URL names one.
    pub fn bucket(&self) -> Option<&str> {
        match self {
            TargetUrl::Cos { bucket, .. }
            | TargetUrl::R2 { bucket, .. }
            | TargetUrl::S3 { bucket, .. } => bucket.as_deref(),
            TargetUrl::File { .. } => None,
        }
    }

    /// Whether the URL is a file.
    pub fn is_file(&self) -> bool {
        matches!(self, TargetUrl::File { .. })
    }

    /// The same account with `bucket` set (for `--match-names`).
    pub fn with_bucket(&self, name: &str) -> TargetUrl {
        match self {
            TargetUrl::Cos { region, .. } => TargetUrl::Cos {
                bucket: Some(name.to_owned()),
                region: region.clone(),
            },
            TargetUrl::R2 { jurisdiction, .. } => TargetUrl::R2 {
                bucket: Some(name.to_owned()),
                jurisdiction: *jurisdiction,
            },
            TargetUrl::S3 {
                profile,
                region,
                endpoint,
                aws_profile,
                ..
            } => TargetUrl::S3 {
                bucket: Some(name.to_owned()),
                profile: *profile,
                region: region.clone(),
                endpoint: endpoint.clone(),
                aws_profile: aws_profile.clone(),
            },
            TargetUrl::File { path } => TargetUrl::File { path: path.clone() },
        }
    }

    /// Fails unless the URL names a bucket (not an account, not a file).
    pub fn require_bucket(&self, what: &str) -> Result<&str, CliError> {
        match self {
            TargetUrl::File { .. } => Err(CliError::usage(format!(
                "{what} needs a bucket, but `{self}` is a file"
            ))
            .with_hint(EXAMPLES)),
            _ => self.bucket().ok_or_else(|| {
                CliError::usage(format!(
                    "{what} needs a bucket, but `{self}` names a whole account"
                ))
                .with_hint(EXAMPLES)
            }),
        }
    }

    /// Fails unless the URL names an account (no bucket).
    pub fn require_account(&self, what: &str) -> Result<(), CliError> {
        match self {
            TargetUrl::File { .. } => Err(CliError::usage(format!(
                "{what} needs an account URL such as cos://?region=ap-beijing or r2://, not a file"
            ))),
            _ if self.bucket().is_some() => Err(CliError::usage(format!(
                "{what} needs an account URL (without a bucket), got `{self}`"
            ))
            .with_hint("examples: cos://?region=ap-beijing, r2://, r2://?jurisdiction=eu")),
            _ => Ok(()),
        }
    }
}

/// What a URL that leaves something out falls back to (the environment's choices).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlDefaults {
    /// The COS region of `cos://bucket` without `?region=` (`COS_REGION`).
    pub cos_region: Option<String>,
    /// The R2 jurisdiction of `r2://bucket` without `?jurisdiction=` (`R2_JURISDICTION`).
    pub r2_jurisdiction: Jurisdiction,
    /// `COS_APPID`: `cos://web` then means `cos://web-<appid>`.
    pub cos_appid: Option<String>,
    /// `--region`: the region of every `cos://` URL that names none, account URLs too.
    pub forced_region: Option<String>,
    /// `-J/--jurisdiction`: the jurisdiction of every `r2://` URL that names none.
    pub forced_jurisdiction: Option<Jurisdiction>,
    /// The region of `s3://bucket` without `?region=` (`AWS_REGION`, `AWS_DEFAULT_REGION`).
    pub s3_region: Option<String>,
    /// The endpoint of `s3://bucket` without `?endpoint=` (`AWS_ENDPOINT_URL_S3`,
    /// `AWS_ENDPOINT_URL`).
    pub s3_endpoint: Option<String>,
}

/// Parses a URL the user gave and returns its canonical form: `COS_APPID` completes a COS
/// bucket name without one, `--region` and `-J` fill in what the URL leaves out, then
/// [`TargetUrl::canonical`].
pub fn parse_with(s: &str, defaults: &UrlDefaults) -> Result<TargetUrl, CliError> {
    let url = match s.parse::<TargetUrl>() {
        Ok(u) => u,
        Err(e) => match with_appid(s, defaults.cos_appid.as_deref()) {
            Some(completed) => completed.parse::<TargetUrl>().map_err(|_| e)?,
            None => return Err(e),
        },
    };
    let url = match url {
        TargetUrl::Cos {
            bucket,
            region: None,
        } => TargetUrl::Cos {
            bucket,
            region: defaults.forced_region.clone(),
        },
        TargetUrl::R2 {
            bucket,
            jurisdiction: None,
        } => TargetUrl::R2 {
            bucket,
            jurisdiction: defaults.forced_jurisdiction,
        },
        other => other,
    };
    Ok(url.canonical(defaults))
}

/// `cos://web?..` with `-<appid>` appended to the bucket, when an APPID is known.
fn with_appid(s: &str, appid: Option<&str>) -> Option<String> {
    let appid = appid?;
    let (scheme, rest) = s.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("cos") {
        return None;
    }
    let (bucket, query) = match rest.split_once('?') {
        Some((b, q)) => (b.trim_end_matches('/'), format!("?{q}")),
        None => (rest.trim_end_matches('/'), String::new()),
    };
    (!bucket.is_empty()).then(|| format!("{scheme}://{bucket}-{appid}{query}"))
}

impl TargetUrl {
    /// The one spelling of the bucket this URL addresses: defaults filled in, COS names in
    /// lower case (COS lower-cases them), a file path without a leading `./`.
    ///
    /// `r2://t`, `r2://t/` and `r2://t?jurisdiction=default` are one bucket and give one
    /// canonical URL, so duplicate detection, state keys and messages agree on it. The
    /// default jurisdiction is left implicit unless the environment picks another one.
    ///
    /// An account URL (no bucket) is kept as given: `cos://` means every region, not the
    /// default one.
    pub fn canonical(&self, defaults: &UrlDefaults) -> TargetUrl {
        match self {
            TargetUrl::Cos { bucket: None, .. } | TargetUrl::R2 { bucket: None, .. } => {
                self.clone()
            }
            TargetUrl::S3 {
                bucket,
                profile,
                region,
                endpoint,
                aws_profile,
            } => {
                let profile = profile.filter(|p| *p != Profile::Aws);
                // R2 signs everything for `auto`: the AWS region of the environment does not
                // apply, and naming another spelling of `auto` would split one bucket into
                // several URLs.
                let region = match profile {
                    Some(Profile::R2) => region.clone().filter(|r| r != "auto" && r != "us-east-1"),
                    _ => region.clone().or_else(|| defaults.s3_region.clone()),
                };
                TargetUrl::S3 {
                    bucket: bucket.clone(),
                    profile,
                    region,
                    endpoint: endpoint
                        .clone()
                        .or_else(|| defaults.s3_endpoint.clone())
                        .map(|e| canonical_endpoint(&e)),
                    aws_profile: aws_profile.clone(),
                }
            }
            TargetUrl::Cos { bucket, region } => TargetUrl::Cos {
                bucket: bucket.as_ref().map(|b| b.to_ascii_lowercase()),
                region: region
                    .clone()
                    .or_else(|| defaults.forced_region.clone())
                    .or_else(|| defaults.cos_region.clone()),
            },
            TargetUrl::R2 {
                bucket,
                jurisdiction,
            } => {
                let fallback = defaults
                    .forced_jurisdiction
                    .unwrap_or(defaults.r2_jurisdiction);
                let effective = jurisdiction.unwrap_or(fallback);
                let implicit =
                    effective == Jurisdiction::Default && fallback == Jurisdiction::Default;
                TargetUrl::R2 {
                    bucket: bucket.clone(),
                    jurisdiction: (!implicit).then_some(effective),
                }
            }
            TargetUrl::File { path } => {
                let mut p = path.as_path();
                while let Ok(rest) = p.strip_prefix(".") {
                    if rest.as_os_str().is_empty() {
                        break;
                    }
                    p = rest;
                }
                TargetUrl::File { path: p.to_owned() }
            }
        }
    }
}

/// `HTTP://Host:9000/` and `http://host:9000` are one endpoint.
fn canonical_endpoint(endpoint: &str) -> String {
    let e = endpoint.trim().trim_end_matches('/');
    match e.split_once("://") {
        Some((scheme, rest)) => format!(
            "{}://{}",
            scheme.to_ascii_lowercase(),
            rest.to_ascii_lowercase()
        ),
        None => e.to_ascii_lowercase(),
    }
}

/// `%3A` and friends in a query value, so `endpoint=http%3A%2F%2Fhost` works as well as the
/// raw spelling.
fn percent_decode(v: &str) -> Option<String> {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn valid_s3_bucket(bucket: &str) -> Result<(), String> {
    let ok_chars = bucket
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    let edge_ok = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !(3..=63).contains(&bucket.len())
        || !ok_chars
        || !edge_ok(bucket.bytes().next())
        || !edge_ok(bucket.bytes().last())
        || bucket.contains("..")
    {
        return Err(format!(
            "S3 bucket name `{bucket}` is invalid: 3 to 63 lowercase letters, digits, `-` or `.`, starting and ending with a letter or digit"
        ));
    }
    Ok(())
}

/// The bucket name without the COS `-<appid>` suffix, used to pair buckets across providers.
pub fn strip_appid(bucket: &str) -> &str {
    match bucket.rsplit_once('-') {
        Some((name, appid))
            if !name.is_empty()
                && appid.len() >= 5
                && appid.bytes().all(|b| b.is_ascii_digit()) =>
        {
            name
        }
        _ => bucket,
    }
}

fn valid_cos_bucket(bucket: &str) -> Result<(), String> {
    let Some((name, appid)) = bucket.rsplit_once('-') else {
        return Err(format!(
            "COS bucket `{bucket}` lacks its APPID suffix: COS names buckets `<name>-<appid>`, e.g. cos://{bucket}-1250000000?region=ap-beijing (or set COS_APPID)"
        ));
    };
    if appid.is_empty() || !appid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "COS bucket `{bucket}` lacks its APPID suffix: COS names buckets `<name>-<appid>` with a numeric APPID, e.g. cos://{bucket}-1250000000?region=ap-beijing"
        ));
    }
    // Upper-case letters are accepted: COS lower-cases them (seed 004), and so does
    // `TargetUrl::canonical`.
    if name.is_empty()
        || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        || name.starts_with('-')
    {
        return Err(format!(
            "COS bucket name `{name}` may only hold letters, digits and `-` (COS stores it in lower case)"
        ));
    }
    Ok(())
}

fn valid_r2_bucket(bucket: &str) -> Result<(), String> {
    let ok_chars = bucket
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !(3..=63).contains(&bucket.len())
        || !ok_chars
        || bucket.starts_with('-')
        || bucket.ends_with('-')
    {
        return Err(format!(
            "R2 bucket name `{bucket}` is invalid: 3 to 63 lowercase letters, digits or `-`, not starting or ending with `-`"
        ));
    }
    Ok(())
}

impl FromStr for TargetUrl {
    type Err = CliError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |msg: String| CliError::usage(msg).with_hint(EXAMPLES);
        let Some((scheme, rest)) = s.split_once("://") else {
            let hint = if s.ends_with(".json") || s.ends_with(".xml") || s.contains('/') {
                format!("did you mean file://{s}?")
            } else {
                EXAMPLES.to_owned()
            };
            return Err(
                CliError::usage(format!("`{s}` is not a target URL (missing scheme://)"))
                    .with_hint(hint),
            );
        };
        if scheme.eq_ignore_ascii_case("file") {
            if rest.is_empty() {
                return Err(bad("file:// needs a path, e.g. file://cors.json".into()));
            }
            return Ok(TargetUrl::File {
                path: PathBuf::from(rest),
            });
        }
        // The library's parser takes cos://, r2:// and s3:// URLs (and COS virtual hosts, as
        // people copy them from the COS console or SDK logs) apart; the rules and messages
        // below are the CLI's.
        let url = match bucket_admin::BucketUrl::parse(s) {
            Ok(url) => url,
            Err(bucket_admin::FromUrlError::UnknownScheme { scheme }) => {
                return Err(bad(format!(
                    "`{s}`: unknown scheme `{scheme}://` (expected cos://, r2://, s3:// or file://)"
                )));
            }
            Err(e) => return Err(bad(format!("`{s}`: {e}"))),
        };
        if url.host_style {
            let bucket = url.bucket.unwrap_or_default();
            valid_cos_bucket(&bucket).map_err(bad)?;
            return Ok(TargetUrl::Cos {
                bucket: Some(bucket),
                region: url
                    .params
                    .into_iter()
                    .find(|(k, _)| k == "region")
                    .map(|(_, v)| v),
            });
        }
        if url.path.is_some() {
            return Err(bad(format!(
                "`{s}`: a target names a bucket, not an object path"
            )));
        }
        if let Some((k, _)) = url.params.iter().find(|(_, v)| v.is_empty()) {
            return Err(bad(format!("`{s}`: query parameter `{k}` has no value")));
        }
        let bucket = url.bucket;
        let params = url.params;
        match url.scheme {
            bucket_admin::Scheme::S3 => {
                let (mut profile, mut region, mut endpoint) = (None, None, None);
                let mut aws_profile = None;
                for (k, v) in params {
                    let v = percent_decode(&v).ok_or_else(|| {
                        bad(format!(
                            "`{s}`: parameter `{k}` is not valid percent-encoding"
                        ))
                    })?;
                    match k.as_str() {
                        "profile" => {
                            profile = Some(v.parse::<Profile>().map_err(|_| {
                                bad(format!(
                                    "`{s}`: profile `{v}` is not one of aws, r2, cos, minio, custom"
                                ))
                            })?);
                        }
                        "region" => {
                            if !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                                return Err(bad(format!(
                                    "`{s}`: region `{v}` may only hold letters, digits and `-`"
                                )));
                            }
                            region = Some(v);
                        }
                        "endpoint" => {
                            let well_formed = v.split_once("://").is_some_and(|(sc, rest)| {
                                (sc.eq_ignore_ascii_case("http")
                                    || sc.eq_ignore_ascii_case("https"))
                                    && !rest.trim_end_matches('/').is_empty()
                                    && !rest.trim_end_matches('/').contains(['/', '?', '#', '@'])
                            });
                            if !well_formed {
                                return Err(bad(format!(
                                    "`{s}`: endpoint `{v}` must be http(s)://host[:port], without a path"
                                )));
                            }
                            endpoint = Some(v);
                        }
                        "aws_profile" => {
                            if !v
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                            {
                                return Err(bad(format!(
                                    "`{s}`: aws_profile `{v}` may only hold letters, digits, `-`, `_` and `.`"
                                )));
                            }
                            aws_profile = Some(v);
                        }
                        other => {
                            return Err(bad(format!(
                                "`{s}`: unknown parameter `{other}` (s3:// accepts `profile`, `region`, `endpoint` and `aws_profile`)"
                            )));
                        }
                    }
                }
                if let Some(b) = &bucket {
                    valid_s3_bucket(b).map_err(bad)?;
                }
                Ok(TargetUrl::S3 {
                    bucket,
                    profile,
                    region,
                    endpoint,
                    aws_profile,
                })
            }
            bucket_admin::Scheme::Cos => {
                let mut region = None;
                for (k, v) in params {
                    match k.as_str() {
                        "region" => region = Some(v),
                        other => {
                            return Err(bad(format!(
                                "`{s}`: unknown parameter `{other}` (cos:// accepts `region`)"
                            )));
                        }
                    }
                }
                if let Some(b) = &bucket {
                    valid_cos_bucket(b).map_err(bad)?;
                }
                Ok(TargetUrl::Cos { bucket, region })
            }
            bucket_admin::Scheme::R2 => {
                let mut jurisdiction = None;
                for (k, v) in params {
                    match k.as_str() {
                        "jurisdiction" => {
                            jurisdiction = Some(
                                v.parse::<Jurisdiction>()
                                    .map_err(|e| bad(format!("`{s}`: {e}")))?,
                            );
                        }
                        other => {
                            return Err(bad(format!(
                                "`{s}`: unknown parameter `{other}` (r2:// accepts `jurisdiction`)"
                            )));
                        }
                    }
                }
                if let Some(b) = &bucket {
                    valid_r2_bucket(b).map_err(bad)?;
                }
                Ok(TargetUrl::R2 {
                    bucket,
                    jurisdiction,
                })
            }
            // A scheme the library learnt after this CLI.
            other => Err(bad(format!(
                "`{s}`: unknown scheme `{other}://` (expected cos://, r2://, s3:// or file://)"
            ))),
        }
    }
}

impl fmt::Display for TargetUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetUrl::Cos { bucket, region } => {
                write!(f, "cos://{}", bucket.as_deref().unwrap_or(""))?;
                if let Some(r) = region {
                    write!(f, "?region={r}")?;
                }
                Ok(())
            }
            TargetUrl::R2 {
                bucket,
                jurisdiction,
            } => {
                write!(f, "r2://{}", bucket.as_deref().unwrap_or(""))?;
                if let Some(j) = jurisdiction {
                    write!(f, "?jurisdiction={j}")?;
                }
                Ok(())
            }
            TargetUrl::S3 {
                bucket,
                profile,
                region,
                endpoint,
                aws_profile,
            } => {
                write!(f, "s3://{}", bucket.as_deref().unwrap_or(""))?;
                let mut sep = '?';
                let params = [
                    ("profile", profile.map(|p| p.as_str().to_owned())),
                    ("region", region.clone()),
                    ("endpoint", endpoint.clone()),
                    ("aws_profile", aws_profile.clone()),
                ];
                for (k, v) in params {
                    if let Some(v) = v {
                        write!(f, "{sep}{k}={v}")?;
                        sep = '&';
                    }
                }
                Ok(())
            }
            TargetUrl::File { path } => write!(f, "file://{}", path.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> TargetUrl {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn err(s: &str) -> String {
        s.parse::<TargetUrl>().unwrap_err().to_string()
    }

    #[test]
    fn valid_urls_parse_and_display_back() {
        assert_eq!(
            ok("cos://web-1250000000?region=ap-beijing"),
            TargetUrl::Cos {
                bucket: Some("web-1250000000".into()),
                region: Some("ap-beijing".into())
            }
        );
        assert_eq!(
            ok("r2://web?jurisdiction=eu"),
            TargetUrl::R2 {
                bucket: Some("web".into()),
                jurisdiction: Some(Jurisdiction::Eu)
            }
        );
        assert_eq!(
            ok("r2://"),
            TargetUrl::R2 {
                bucket: None,
                jurisdiction: None
            }
        );
        assert_eq!(
            ok("cos://?region=ap-guangzhou"),
            TargetUrl::Cos {
                bucket: None,
                region: Some("ap-guangzhou".into())
            }
        );
        assert_eq!(
            ok("file://cors.json"),
            TargetUrl::File {
                path: "cors.json".into()
            }
        );
        assert_eq!(
            ok("file:///tmp/a.xml"),
            TargetUrl::File {
                path: "/tmp/a.xml".into()
            }
        );
        for s in [
            "cos://web-1250000000?region=ap-beijing",
            "r2://web?jurisdiction=eu",
            "r2://",
            "file://cors.json",
        ] {
            assert_eq!(ok(s).to_string(), s);
        }
        assert_eq!(ok("r2://web/").bucket(), Some("web"));
    }

    #[test]
    fn invalid_urls_say_what_is_wrong() {
        assert!(err("cors.json").contains("did you mean file://cors.json"));
        assert!(err("gs://bucket").contains("unknown scheme `gs://`"));
        assert!(err("s3://a").contains("3 to 63"));
        assert!(err("s3://web?profile=gcs").contains("gcs"));
        assert!(err("s3://web?endpoint=http://h/p").contains("without a path"));
        assert!(err("s3://web?jurisdiction=eu").contains("unknown parameter `jurisdiction`"));
        assert!(err("cos://web?region=ap-beijing").contains("APPID"));
        assert!(err("cos://web-abc?region=ap-beijing").contains("APPID"));
        assert!(err("cos://we_b-1250000000").contains("letters, digits"));
        assert!(err("r2://a").contains("3 to 63"));
        assert!(err("r2://Bad_Name").contains("invalid"));
        assert!(err("r2://web?jurisdiction=mars").contains("mars"));
        assert!(err("r2://web?region=eu").contains("unknown parameter `region`"));
        assert!(err("cos://web-1250000000?region=").contains("has no value"));
        assert!(err("cos://web-1250000000/key.txt").contains("object path"));
        assert!(err("file://").contains("needs a path"));
    }

    #[test]
    fn bucket_and_account_requirements() {
        assert!(ok("r2://").require_bucket("cors get").is_err());
        assert!(ok("file://x.json").require_bucket("cors delete").is_err());
        assert_eq!(ok("r2://abc").require_bucket("x").unwrap(), "abc");
        assert!(ok("r2://").require_account("list").is_ok());
        assert!(ok("r2://abc").require_account("list").is_err());
        assert_eq!(
            ok("cos://?region=ap-beijing")
                .with_bucket("a-1250000000")
                .to_string(),
            "cos://a-1250000000?region=ap-beijing"
        );
    }

    #[test]
    fn one_bucket_has_one_canonical_url() {
        let d = UrlDefaults {
            cos_region: Some("ap-beijing".into()),
            ..UrlDefaults::default()
        };
        let c = |s: &str| ok(s).canonical(&d).to_string();
        for s in ["r2://ttt", "r2://ttt/", "r2://ttt?jurisdiction=default"] {
            assert_eq!(c(s), "r2://ttt", "{s}");
        }
        assert_eq!(c("r2://ttt?jurisdiction=eu"), "r2://ttt?jurisdiction=eu");
        for s in [
            "cos://Web-1250000000",
            "cos://web-1250000000/",
            "cos://web-1250000000?region=ap-beijing",
        ] {
            assert_eq!(c(s), "cos://web-1250000000?region=ap-beijing", "{s}");
        }
        assert_eq!(c("file://./a/cors.json"), "file://a/cors.json");
        assert_eq!(c("cos://"), "cos://", "an account URL means every region");
        let eu = UrlDefaults {
            r2_jurisdiction: Jurisdiction::Eu,
            ..UrlDefaults::default()
        };
        assert_eq!(
            ok("r2://ttt").canonical(&eu).to_string(),
            "r2://ttt?jurisdiction=eu"
        );
        assert_eq!(
            ok("r2://ttt?jurisdiction=default")
                .canonical(&eu)
                .to_string(),
            "r2://ttt?jurisdiction=default"
        );
    }

    #[test]
    fn appid_region_and_jurisdiction_fill_in_what_a_url_leaves_out() {
        let d = UrlDefaults {
            cos_region: Some("ap-beijing".into()),
            cos_appid: Some("1250000000".into()),
            forced_jurisdiction: Some(Jurisdiction::Eu),
            ..UrlDefaults::default()
        };
        let p = |s: &str| parse_with(s, &d).unwrap().to_string();
        assert_eq!(p("cos://web"), "cos://web-1250000000?region=ap-beijing");
        assert_eq!(
            p("cos://web?region=ap-shanghai"),
            "cos://web-1250000000?region=ap-shanghai"
        );
        assert_eq!(
            p("cos://web-1250000000"),
            "cos://web-1250000000?region=ap-beijing"
        );
        assert_eq!(p("r2://web"), "r2://web?jurisdiction=eu");
        assert_eq!(p("r2://"), "r2://?jurisdiction=eu");
        assert_eq!(
            p("r2://web?jurisdiction=default"),
            "r2://web?jurisdiction=default"
        );
        let none = UrlDefaults::default();
        let err = parse_with("cos://web", &none).unwrap_err();
        assert!(err.to_string().contains("COS_APPID"), "{err}");
    }

    #[test]
    fn cos_virtual_hosts_name_the_bucket_and_region() {
        for s in [
            "cos://web-1250000000.cos.ap-beijing.myqcloud.com",
            "https://web-1250000000.cos.ap-beijing.myqcloud.com",
            "https://web-1250000000.cos.ap-beijing.myqcloud.com/",
            "http://web-1250000000.cos.ap-beijing.tencentcos.cn",
        ] {
            assert_eq!(
                ok(s),
                TargetUrl::Cos {
                    bucket: Some("web-1250000000".into()),
                    region: Some("ap-beijing".into())
                },
                "{s}"
            );
        }
        assert!(err("https://web.cos.ap-beijing.myqcloud.com").contains("APPID"));
        assert!(err("https://example.com/x").contains("unknown scheme"));
    }

    #[test]
    fn s3_urls_parse_and_have_one_canonical_form() {
        assert_eq!(
            ok("s3://web?region=us-east-1&endpoint=http%3A%2F%2F127.0.0.1%3A5000&profile=custom"),
            TargetUrl::S3 {
                bucket: Some("web".into()),
                profile: Some(Profile::Custom),
                region: Some("us-east-1".into()),
                endpoint: Some("http://127.0.0.1:5000".into()),
                aws_profile: None,
            }
        );
        // `aws_profile` (the shared-config profile) is not `profile` (the kind of service).
        assert_eq!(
            ok("s3://web?aws_profile=prod&profile=r2").to_string(),
            "s3://web?profile=r2&aws_profile=prod"
        );
        assert!(err("s3://web?aws_profile=a%20b").contains("aws_profile `a b`"));
        assert!(err("s3://web?profile=prod").contains("aws, r2, cos, minio, custom"));
        let d = UrlDefaults {
            s3_region: Some("eu-west-1".into()),
            ..UrlDefaults::default()
        };
        let c = |s: &str| ok(s).canonical(&d).to_string();
        for s in [
            "s3://web",
            "s3://web/",
            "s3://web?profile=aws",
            "s3://web?region=eu-west-1&profile=AWS",
        ] {
            assert_eq!(c(s), "s3://web?region=eu-west-1", "{s}");
        }
        for s in [
            "s3://web?endpoint=http://LOCALHOST:9000/&profile=minio",
            "s3://web?profile=minio&region=eu-west-1&endpoint=http://localhost:9000",
        ] {
            assert_eq!(
                c(s),
                "s3://web?profile=minio&region=eu-west-1&endpoint=http://localhost:9000",
                "{s}"
            );
        }
        assert_eq!(
            c("s3://web?profile=r2&region=auto"),
            c("s3://web?profile=r2"),
            "R2's region is always auto"
        );
        // The canonical form parses back to itself.
        let canon = c("s3://web?profile=custom&endpoint=http://127.0.0.1:5000");
        assert_eq!(c(&canon), canon);
        assert_eq!(
            ok("s3://?profile=minio").with_bucket("b-1").to_string(),
            "s3://b-1?profile=minio"
        );
    }

    #[test]
    fn appid_is_stripped_for_pairing() {
        assert_eq!(strip_appid("assets-1250000000"), "assets");
        assert_eq!(strip_appid("my-assets-1250000000"), "my-assets");
        assert_eq!(strip_appid("assets"), "assets");
        assert_eq!(strip_appid("assets-v2"), "assets-v2");
        assert_eq!(strip_appid("-1250000000"), "-1250000000");
    }
}
