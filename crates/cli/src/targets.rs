//! Provider construction: turns a [`TargetUrl`] into an [`Endpoint`] (a `BucketAdmin` client
//! or a file). This is the only module that knows the provider crates' builders.
//!
//! The general part — which builder, configured from the URL's parameters and the
//! environment's variables — is the library's [`bucket_admin::client_builder`]; this module
//! adds the CLI's own concerns: the emulator's credentials and `--endpoint` (as variables
//! handed to it), `--allow-http`, `--timeout`, `--retries`, `--r2-pacing`, caching, and
//! messages in CLI terms.
//!
//! Clients are cached per COS region and per R2 jurisdiction, so a bulk run over hundreds of
//! buckets shares one connection pool, and one R2 pacing limiter, per account.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bucket_admin::{BucketUrl, ClientBuilder, FromUrlError, Scheme};
use bucket_admin_core::{BucketAdmin, BucketInfo, Jurisdiction, RetryPolicy};
use bucket_admin_cos::CosClient;
use bucket_admin_r2::{Pacing, R2Client};
use bucket_admin_s3::{Profile, S3Client, SharedConfigFiles};

use crate::bulk::EndpointFactory;
use crate::endpoint::Endpoint;
use crate::exit::CliError;
use crate::formats::CorsFormat;
use crate::url::{TargetUrl, UrlDefaults};

/// Credentials of an in-process emulator (emulator-only values, never real secrets).
#[derive(Clone)]
pub struct EmulatorAccess {
    /// COS endpoint (`http://127.0.0.1:PORT`).
    pub cos_endpoint: String,
    /// R2 base URL (`http://127.0.0.1:PORT/client/v4`).
    pub r2_base_url: String,
    /// COS SecretId.
    pub cos_secret_id: String,
    /// COS SecretKey.
    pub cos_secret_key: String,
    /// COS default region.
    pub cos_region: String,
    /// COS APPID (bucket names end in `-<appid>`).
    pub cos_appid: String,
    /// R2 account id.
    pub r2_account_id: String,
    /// R2 API token.
    pub r2_api_token: String,
}

impl fmt::Debug for EmulatorAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Even emulator credentials stay out of logs, so a log line never trains anyone to
        // expect a key there.
        f.debug_struct("EmulatorAccess")
            .field("cos_endpoint", &self.cos_endpoint)
            .field("r2_base_url", &self.r2_base_url)
            .finish_non_exhaustive()
    }
}

/// How provider clients are built.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `--endpoint`: a running emulator's base URL.
    pub endpoint: Option<String>,
    /// `--emulator`: an in-process emulator.
    pub emulator: Option<EmulatorAccess>,
    /// `--allow-http`.
    pub allow_http: bool,
    /// `--retries`: attempts per request.
    pub retries: Option<u32>,
    /// `--timeout`.
    pub timeout: Option<Duration>,
    /// `--r2-pacing` as given.
    pub r2_pacing: Option<String>,
    /// `--region`: the COS region of URLs that name none.
    pub region: Option<String>,
    /// `-J/--jurisdiction`: the R2 jurisdiction of URLs that name none.
    pub jurisdiction: Option<Jurisdiction>,
}

/// Parses `--r2-pacing`: `off`, or `REQUESTS/SECONDS`.
pub fn parse_pacing(s: &str) -> Result<Option<Pacing>, CliError> {
    if s.eq_ignore_ascii_case("off") || s == "0" {
        return Ok(None);
    }
    let bad = || {
        CliError::usage(format!(
            "--r2-pacing `{s}`: expected REQUESTS/SECONDS such as 1200/300, or off"
        ))
    };
    let (n, secs) = s.split_once('/').ok_or_else(bad)?;
    let n: u32 = n.trim().parse().map_err(|_| bad())?;
    let secs: u64 = secs.trim().parse().map_err(|_| bad())?;
    if n == 0 || secs == 0 {
        return Err(bad());
    }
    Ok(Some(Pacing::new(n, Duration::from_secs(secs))))
}

/// Whether a URL points at this machine, where plain http is acceptable (emulators).
pub fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
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

/// Every missing variable at once, so a first run is fixed in one go.
fn missing_settings(provider: &str, missing: &[&str]) -> CliError {
    CliError::usage(format!(
        "{provider} needs settings that are not set: {}",
        missing.join(", ")
    ))
    .with_hint(
        "export them in the environment (`bucket-admin emulator` prints a working set for the local emulator, or use --emulator)",
    )
}

/// The process environment with `overrides` appended (the builders take the last value).
fn vars_with(overrides: Vec<(&str, String)>) -> Vec<(String, String)> {
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.extend(overrides.into_iter().map(|(k, v)| (k.to_owned(), v)));
    vars
}

/// The library's builder for `url` from `vars`: its refusal in CLI terms, with `hint`.
fn library_builder(
    url: &BucketUrl,
    vars: Vec<(String, String)>,
    hint: &str,
) -> Result<ClientBuilder, CliError> {
    bucket_admin::client_builder(url, vars)
        .map_err(|e: FromUrlError| CliError::from(bucket_admin::Error::from(e)).with_hint(hint))
}

/// A builder of another provider than the URL's scheme: a bug here, never the user's input.
fn wrong_builder(scheme: Scheme) -> CliError {
    CliError::from(bucket_admin::Error::new(
        bucket_admin::ErrorKind::Config,
        format!("internal error: no {scheme} client builder for a {scheme}:// URL"),
    ))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Builds and caches provider clients.
pub struct Connector {
    settings: Settings,
    cos: Mutex<HashMap<Option<String>, CosClient>>,
    r2: Mutex<Option<R2Client>>,
    s3: Mutex<HashMap<S3Key, S3Client>>,
}

const S3_HINT: &str = "s3:// takes ?profile=aws|r2|cos|minio|custom, ?region=, ?endpoint= and ?aws_profile=; credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, else the AWS shared config files (AWS_PROFILE)";

/// One S3 client per profile, region, endpoint and shared-config profile.
type S3Key = (Profile, Option<String>, Option<String>, Option<String>);

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connector")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Connector {
    /// A connector with these settings; nothing is built until first use.
    pub fn new(settings: Settings) -> Self {
        Self {
            settings,
            cos: Mutex::new(HashMap::new()),
            r2: Mutex::new(None),
            s3: Mutex::new(HashMap::new()),
        }
    }

    fn retry_policy(&self) -> Option<RetryPolicy> {
        self.settings.retries.map(|n| {
            if n <= 1 {
                RetryPolicy::disabled()
            } else {
                RetryPolicy::default().with_max_attempts(n)
            }
        })
    }

    fn cos_endpoint(&self) -> Option<String> {
        if let Some(emu) = &self.settings.emulator {
            return Some(emu.cos_endpoint.clone());
        }
        self.settings
            .endpoint
            .clone()
            .or_else(|| env("COS_ENDPOINT"))
    }

    fn r2_base_url(&self) -> Option<String> {
        if let Some(emu) = &self.settings.emulator {
            return Some(emu.r2_base_url.clone());
        }
        match &self.settings.endpoint {
            Some(e) => Some(format!("{}/client/v4", e.trim_end_matches('/'))),
            None => env("CLOUDFLARE_BASE_URL"),
        }
    }

    /// A COS client for `region` (`None`: `COS_REGION`).
    pub fn cos(&self, region: Option<&str>) -> Result<CosClient, CliError> {
        let key = region.map(str::to_owned);
        let mut cache = self.cos.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.get(&key) {
            return Ok(c.clone());
        }
        if self.settings.emulator.is_none() {
            let mut missing = Vec::new();
            if env("COS_SECRET_ID")
                .or_else(|| env("TENCENTCLOUD_SECRET_ID"))
                .is_none()
            {
                missing.push("COS_SECRET_ID");
            }
            if env("COS_SECRET_KEY")
                .or_else(|| env("TENCENTCLOUD_SECRET_KEY"))
                .is_none()
            {
                missing.push("COS_SECRET_KEY");
            }
            if region.is_none() && self.settings.region.is_none() && env("COS_REGION").is_none() {
                missing.push("COS_REGION (or ?region= in the URL, or --region)");
            }
            if !missing.is_empty() {
                return Err(missing_settings("COS", &missing));
            }
        }
        const COS_HINT: &str =
            "set COS_SECRET_ID, COS_SECRET_KEY and a region (?region= in the URL or COS_REGION)";
        let mut overrides = Vec::new();
        if let Some(emu) = &self.settings.emulator {
            overrides.push(("COS_SECRET_ID", emu.cos_secret_id.clone()));
            overrides.push(("COS_SECRET_KEY", emu.cos_secret_key.clone()));
            overrides.push(("COS_REGION", emu.cos_region.clone()));
        }
        let endpoint = self.cos_endpoint();
        if let Some(e) = &endpoint {
            overrides.push(("COS_ENDPOINT", e.clone()));
        }
        let mut url = BucketUrl::new(Scheme::Cos, None::<String>);
        if let Some(r) = region {
            url = url.with_param("region", r);
        }
        let ClientBuilder::Cos(mut b) = library_builder(&url, vars_with(overrides), COS_HINT)?
        else {
            return Err(wrong_builder(Scheme::Cos));
        };
        if let Some(endpoint) = &endpoint {
            b = b.allow_http(self.settings.allow_http || is_loopback(endpoint));
        }
        if let Some(p) = self.retry_policy() {
            b = b.retry_policy(p);
        }
        if let Some(t) = self.settings.timeout {
            b = b.timeout(t);
        }
        let client = b
            .build()
            .map_err(|e| CliError::from(e).with_hint(COS_HINT))?;
        cache.insert(key, client.clone());
        Ok(client)
    }

    /// What the R2 client's pacing limiter is doing, for the progress bar: `None` before any
    /// R2 client was built, or when pacing is off.
    pub fn r2_pacing_status(&self) -> Option<bucket_admin_r2::PacingStatus> {
        let cache = self.r2.lock().unwrap_or_else(|p| p.into_inner());
        cache.as_ref().and_then(R2Client::pacing_status)
    }

    /// An R2 client for `jurisdiction` (`None`: `R2_JURISDICTION`, then `default`).
    pub fn r2(&self, jurisdiction: Option<Jurisdiction>) -> Result<R2Client, CliError> {
        let mut cache = self.r2.lock().unwrap_or_else(|p| p.into_inner());
        if cache.is_none() {
            if self.settings.emulator.is_none() {
                let missing: Vec<&str> = ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID"]
                    .into_iter()
                    .filter(|v| env(v).is_none())
                    .collect();
                if !missing.is_empty() {
                    return Err(missing_settings("R2", &missing));
                }
            }
            const R2_HINT: &str = "set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID";
            let mut overrides = Vec::new();
            if let Some(emu) = &self.settings.emulator {
                overrides.push(("CLOUDFLARE_ACCOUNT_ID", emu.r2_account_id.clone()));
                overrides.push(("CLOUDFLARE_API_TOKEN", emu.r2_api_token.clone()));
            }
            let url = BucketUrl::new(Scheme::R2, None::<String>);
            let ClientBuilder::R2(mut b) = library_builder(&url, vars_with(overrides), R2_HINT)?
            else {
                return Err(wrong_builder(Scheme::R2));
            };
            let base = self.r2_base_url();
            let local = base.as_deref().is_some_and(is_loopback);
            if let Some(base) = &base {
                b = b
                    .base_url(base.clone())
                    .allow_http(self.settings.allow_http || local);
            }
            // Cloudflare's API limit does not apply to a local emulator; pacing against it
            // would only make bulk runs slow.
            let pacing = match &self.settings.r2_pacing {
                Some(s) => parse_pacing(s)?,
                None if local => None,
                None => Some(Pacing::cloudflare_default()),
            };
            b = b.pacing(pacing);
            if let Some(p) = self.retry_policy() {
                b = b.retry_policy(p);
            }
            if let Some(t) = self.settings.timeout {
                b = b.timeout(t);
            }
            let client = b
                .build()
                .map_err(|e| CliError::from(e).with_hint(R2_HINT))?;
            *cache = Some(client);
        }
        let base = cache.as_ref().expect("built above");
        Ok(match jurisdiction {
            Some(j) => base.with_jurisdiction(j),
            None => base.clone(),
        })
    }

    /// An S3 client for a profile, region, endpoint and shared-config profile (each `None`:
    /// the `AWS_*` variables, then the AWS shared config files, then the profile's defaults).
    /// Credentials come from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
    /// `AWS_SESSION_TOKEN`, else from the shared files' profile (`aws_profile`, else
    /// `AWS_PROFILE`, else `default`; an `aws_profile` replaces the variables' keys, as the
    /// AWS CLI's `--profile`); the R2 profile without an endpoint takes its account from
    /// `CLOUDFLARE_ACCOUNT_ID`.
    pub fn s3(
        &self,
        profile: Option<Profile>,
        region: Option<&str>,
        endpoint: Option<&str>,
        aws_profile: Option<&str>,
    ) -> Result<S3Client, CliError> {
        let profile = profile.unwrap_or(Profile::Aws);
        let key = (
            profile,
            region.map(str::to_owned),
            endpoint.map(str::to_owned),
            aws_profile.map(str::to_owned),
        );
        let mut cache = self.s3.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.get(&key) {
            return Ok(c.clone());
        }
        // The shared files' profile, read here to name only what is really missing.
        let files = SharedConfigFiles::from_env_vars(
            std::env::vars()
                .collect::<Vec<_>>()
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
        let shared = match aws_profile.map(str::to_owned).or_else(|| env("AWS_PROFILE")) {
            Some(name) => files.load_profile(name.trim(), true),
            None => files.load_profile("default", false),
        }
        .map_err(|e| {
            CliError::from(e).with_hint(
                "s3://bucket?aws_profile=NAME or AWS_PROFILE picks a section of ~/.aws/credentials ([NAME]) or ~/.aws/config ([profile NAME])",
            )
        })?;
        let endpoint = endpoint
            .map(str::to_owned)
            .or_else(|| env("AWS_ENDPOINT_URL_S3"))
            .or_else(|| env("AWS_ENDPOINT_URL"))
            .or_else(|| shared.endpoint_url().map(str::to_owned));
        let env_keys = aws_profile.is_none()
            && (env("AWS_ACCESS_KEY_ID").is_some() || env("AWS_SECRET_ACCESS_KEY").is_some());
        let mut missing: Vec<&str> = if env_keys {
            ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
                .into_iter()
                .filter(|v| env(v).is_none())
                .collect()
        } else {
            let mut m = Vec::new();
            if shared.access_key_id().is_none() {
                m.push("AWS_ACCESS_KEY_ID");
            }
            if !shared.has_secret_access_key() {
                m.push("AWS_SECRET_ACCESS_KEY");
            }
            m
        };
        let region = match profile {
            // R2 signs for `auto` whatever AWS_REGION says.
            Profile::R2 => Some("auto".to_owned()),
            _ => region
                .map(str::to_owned)
                .or_else(|| env("AWS_REGION"))
                .or_else(|| env("AWS_DEFAULT_REGION"))
                .or_else(|| shared.region().map(str::to_owned)),
        };
        if region.is_none() && matches!(profile, Profile::Aws | Profile::Cos) {
            missing.push("AWS_REGION (or ?region= in the URL)");
        }
        if endpoint.is_none() && matches!(profile, Profile::Minio | Profile::Custom) {
            missing.push("AWS_ENDPOINT_URL (or ?endpoint= in the URL)");
        }
        let account = env("CLOUDFLARE_ACCOUNT_ID");
        if endpoint.is_none() && profile == Profile::R2 && account.is_none() {
            missing.push("CLOUDFLARE_ACCOUNT_ID (or ?endpoint= in the URL)");
        }
        if !missing.is_empty() {
            return Err(missing_settings(&format!("S3 ({profile})"), &missing));
        }
        if let Some(e) = &endpoint
            && e.to_ascii_lowercase().starts_with("http://")
            && !self.settings.allow_http
            && !is_loopback(e)
        {
            return Err(CliError::usage(format!(
                "endpoint `{e}` is plain http on another machine: requests and their signatures would travel unencrypted"
            ))
            .with_hint("use https://, or pass --allow-http if you really mean it"));
        }
        // The URL's own parameters: the library's builder falls back to the variables and the
        // shared files as the checks above did.
        let mut url =
            BucketUrl::new(Scheme::S3, None::<String>).with_param("profile", profile.as_str());
        // R2 signs for `auto` whatever region the URL names (as before the library did this).
        let url_region = key.1.as_deref().filter(|_| profile != Profile::R2);
        for (name, value) in [
            ("region", url_region),
            ("endpoint", key.2.as_deref()),
            ("aws_profile", aws_profile),
        ] {
            if let Some(v) = value {
                url = url.with_param(name, v);
            }
        }
        let ClientBuilder::S3(mut b) = library_builder(&url, vars_with(Vec::new()), S3_HINT)?
        else {
            return Err(wrong_builder(Scheme::S3));
        };
        // The plain-http check above speaks in CLI terms; `--allow-http` reaches the library's.
        b = b.allow_http(self.settings.allow_http);
        if let Some(p) = self.retry_policy() {
            b = b.retry_policy(p);
        }
        if let Some(t) = self.settings.timeout {
            b = b.timeout(t);
        }
        let client = b
            .build()
            .map_err(|e| CliError::from(e).with_hint(S3_HINT))?;
        cache.insert(key, client.clone());
        Ok(client)
    }

    /// What URLs without a region or jurisdiction mean here: the in-process emulator's
    /// region, else `COS_REGION`; `R2_JURISDICTION`, else `default`.
    pub fn url_defaults(&self) -> UrlDefaults {
        let (cos_region, cos_appid) = match &self.settings.emulator {
            Some(emu) => (Some(emu.cos_region.clone()), Some(emu.cos_appid.clone())),
            None => (env("COS_REGION"), env("COS_APPID")),
        };
        let r2_jurisdiction = env("R2_JURISDICTION")
            .and_then(|j| j.trim().to_ascii_lowercase().parse().ok())
            .unwrap_or(Jurisdiction::Default);
        UrlDefaults {
            cos_region,
            r2_jurisdiction,
            // Only digits can end a bucket name; anything else would build a bad one.
            cos_appid: cos_appid
                .map(|a| a.trim().to_owned())
                .filter(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit())),
            forced_region: self.settings.region.clone(),
            forced_jurisdiction: self.settings.jurisdiction,
            s3_region: env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")),
            s3_endpoint: env("AWS_ENDPOINT_URL_S3").or_else(|| env("AWS_ENDPOINT_URL")),
        }
    }

    /// Parses `url` into its canonical form (see [`TargetUrl::canonical`]).
    pub fn canonical(&self, url: &str) -> Result<TargetUrl, CliError> {
        crate::url::parse_with(url, &self.url_defaults())
    }

    /// The buckets of an account URL. A COS account URL that names a region lists that
    /// region only (the list-buckets call takes the region); without one, every region.
    pub async fn list_buckets(&self, account: &TargetUrl) -> Result<Vec<BucketInfo>, CliError> {
        let list = match account {
            TargetUrl::Cos {
                region: Some(region),
                ..
            } => {
                self.cos(Some(region))?
                    .list_buckets_in_region(region)
                    .await?
            }
            _ => self.admin(account)?.list_buckets().await?,
        };
        // A server that ignores the region must not make us address buckets in the wrong one.
        Ok(match account {
            TargetUrl::Cos {
                region: Some(region),
                ..
            } => list
                .into_iter()
                .filter(|b| b.region.as_deref().is_none_or(|r| r == region))
                .collect(),
            _ => list,
        })
    }

    /// The canonical URL of a listed bucket: in the region (COS) or jurisdiction (R2) the
    /// listing says it is in, which an account URL spanning several may not name.
    pub fn bucket_url(&self, account: &TargetUrl, info: &BucketInfo) -> TargetUrl {
        let url = match account {
            TargetUrl::Cos { region, .. } => TargetUrl::Cos {
                bucket: Some(info.name.clone()),
                region: info.region.clone().or_else(|| region.clone()),
            },
            TargetUrl::R2 { jurisdiction, .. } => TargetUrl::R2 {
                bucket: Some(info.name.clone()),
                jurisdiction: info.jurisdiction.or(*jurisdiction),
            },
            TargetUrl::S3 { .. } => account.with_bucket(&info.name),
            TargetUrl::File { .. } => account.with_bucket(&info.name),
        };
        url.canonical(&self.url_defaults())
    }

    /// The provider client for a bucket or account URL.
    pub fn admin(&self, url: &TargetUrl) -> Result<Arc<dyn BucketAdmin>, CliError> {
        Ok(match url {
            TargetUrl::Cos { region, .. } => Arc::new(self.cos(region.as_deref())?),
            TargetUrl::R2 { jurisdiction, .. } => Arc::new(self.r2(*jurisdiction)?),
            TargetUrl::S3 {
                profile,
                region,
                endpoint,
                aws_profile,
                ..
            } => Arc::new(self.s3(
                *profile,
                region.as_deref(),
                endpoint.as_deref(),
                aws_profile.as_deref(),
            )?),
            TargetUrl::File { .. } => {
                return Err(CliError::usage(format!(
                    "`{url}` is a file; this command needs a bucket"
                )));
            }
        })
    }

    /// The endpoint for a bucket or file URL. `format` is the CORS format of a file.
    pub fn endpoint_for(
        &self,
        url: &TargetUrl,
        format: Option<CorsFormat>,
    ) -> Result<Endpoint, CliError> {
        // Every endpoint addresses, and is named in messages, by its canonical URL.
        let url = &url.canonical(&self.url_defaults());
        match url {
            TargetUrl::File { path } => Ok(Endpoint::File {
                path: path.clone(),
                format,
                url: url.to_string(),
            }),
            _ => {
                let bucket = url.require_bucket("this command")?.to_owned();
                Ok(Endpoint::Bucket {
                    admin: self.admin(url)?,
                    bucket,
                    url: url.to_string(),
                })
            }
        }
    }
}

impl EndpointFactory for Connector {
    fn endpoint(&self, url: &str) -> Result<Endpoint, CliError> {
        self.endpoint_for(&self.canonical(url)?, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_detection() {
        assert!(is_loopback("http://127.0.0.1:9000"));
        assert!(is_loopback("http://localhost:9000/client/v4"));
        assert!(is_loopback("http://[::1]:9000"));
        assert!(!is_loopback("http://10.0.0.1:9000"));
        assert!(!is_loopback("http://127.0.0.1.evil.com"));
    }

    #[test]
    fn pacing_parses() {
        assert_eq!(parse_pacing("off").unwrap(), None);
        assert_eq!(
            parse_pacing("1200/300").unwrap(),
            Some(Pacing::new(1200, Duration::from_secs(300)))
        );
        assert!(parse_pacing("fast").is_err());
        assert!(parse_pacing("0/10").is_err());
    }
}
