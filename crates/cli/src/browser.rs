//! `cors check --browser`: the check run in a real Chromium.
//!
//! The user's rules (read from their bucket or file, nothing else is touched there) are put on
//! a scratch bucket of an in-process emulator, and a page served from the user's `--origin`
//! `fetch()`es an object of that bucket with the method and headers asked about. Whether the
//! browser let the script see the answer is its decision, shown beside the offline evaluator's.
//!
//! Chromium is driven by Playwright for Python with the system Chromium (never
//! `playwright install`), through the script the repository's browser CORS suite uses
//! ([`DRIVER`], embedded in the binary).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bucket_admin_core::preflight::PreflightRequest;
use bucket_admin_core::{BucketAdmin, CorsConfiguration, CreateBucketOptions, Jurisdiction};
use bucket_admin_cos::CosClient;
use bucket_admin_emulator::Emulator;
use bucket_admin_r2::R2Client;
use bucket_admin_r2::extras::NewCustomDomain;
use serde::Serialize;

use crate::exit::CliError;

/// The Playwright driver (`crates/cli/browser/cors_browser.py`), shared with the browser
/// CORS suite (`tests/browser_cors.rs` at the repository root). Its docstring describes the
/// case file it reads.
pub const DRIVER: &str = include_str!("../browser/cors_browser.py");

/// The longest a browser run may take before it is stopped.
const RUN_LIMIT: Duration = Duration::from_secs(120);

/// Which emulated service the scratch bucket is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    /// The emulator's COS endpoint, reached with a pre-signed URL (also used for S3 and file
    /// rules: COS follows S3's CORS rules).
    Cos,
    /// The emulator's R2, reached on a public custom domain of the bucket.
    R2,
}

impl Service {
    /// `COS` or `R2`.
    pub fn name(self) -> &'static str {
        match self {
            Service::Cos => "COS",
            Service::R2 => "R2",
        }
    }
}

/// The programs a browser check needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tools {
    /// The Chromium binary.
    pub chromium: PathBuf,
    /// A Python that imports Playwright.
    pub python: OsString,
}

/// Finds Chromium (`BUCKET_ADMIN_CHROMIUM`, else `chromium` or `chromium-browser` on `PATH`,
/// else `/usr/bin/chromium`) and a Python with Playwright (`BUCKET_ADMIN_BROWSER_PYTHON`,
/// else `python3`), or says what to install.
pub fn find_tools() -> Result<Tools, CliError> {
    let chromium = match std::env::var_os("BUCKET_ADMIN_CHROMIUM").filter(|v| !v.is_empty()) {
        Some(path) => Some(PathBuf::from(path)).filter(|p| p.is_file()),
        None => on_path(&["chromium", "chromium-browser"])
            .or_else(|| Some(PathBuf::from("/usr/bin/chromium")).filter(|p| p.is_file())),
    };
    let Some(chromium) = chromium else {
        return Err(CliError::usage("--browser needs Chromium, which was not found").with_hint(
            "install it (Debian/Ubuntu: `apt-get install chromium`), or set BUCKET_ADMIN_CHROMIUM to its path",
        ));
    };
    let python = std::env::var_os("BUCKET_ADMIN_BROWSER_PYTHON")
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "python3".into());
    let imports = Command::new(&python)
        .args(["-c", "import playwright.sync_api"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !imports {
        return Err(CliError::usage(format!(
            "--browser needs Playwright for Python, which `{}` cannot import",
            python.to_string_lossy()
        ))
        .with_hint(
            "install it with `pip install playwright` (the system Chromium is used: `playwright install` is not needed), or set BUCKET_ADMIN_BROWSER_PYTHON to a Python that has it",
        ));
    }
    Ok(Tools { chromium, python })
}

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// What Chromium decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrowserAnswer {
    /// The emulated service the request went to.
    pub service: Service,
    /// Whether the browser let the page's script see the answer.
    pub allowed: bool,
    /// The HTTP status the script saw (allowed requests only).
    pub status: Option<u16>,
    /// The script's error when the browser blocked the request.
    pub error: Option<String>,
    /// The method and request headers the page's `fetch()` sent.
    pub method: String,
    /// Request headers with the values used.
    pub headers: BTreeMap<String, String>,
}

/// A value for a requested header that the browser does not count as CORS-safelisted, so
/// the header is part of the preflight as it is in the offline evaluation.
pub fn header_value(name: &str) -> &'static str {
    match name.to_ascii_lowercase().as_str() {
        "content-type" => "application/json",
        // `@` is not allowed in a safelisted value of these.
        "accept" | "accept-language" | "content-language" => "x@y",
        _ => "1",
    }
}

/// The headers the page sends: every requested one, with [`header_value`]s.
fn request_headers(request: &PreflightRequest) -> BTreeMap<String, String> {
    request
        .request_headers
        .iter()
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(|h| (h.to_owned(), header_value(h).to_owned()))
        .collect()
}

/// The case for the driver: a `fetch()` of `url` from `request`'s origin.
fn case(request: &PreflightRequest, url: &str) -> serde_json::Value {
    let headers = request_headers(request);
    let body = matches!(request.method.as_str(), "PUT" | "POST").then_some("bucket-admin");
    serde_json::json!({
        "id": "check",
        "origin": request.origin,
        "url": url,
        "method": request.method,
        "headers": headers,
        "credentials": "omit",
        "body": body,
        "read_header": "content-type",
    })
}

fn emulator_error(e: impl std::fmt::Display) -> CliError {
    CliError::failed(format!(
        "--browser: preparing the scratch bucket failed: {e}"
    ))
}

/// The object key the page requests: the object the scratch bucket holds for reads, another
/// key for writes so nothing else is disturbed.
fn key_for(method: &str) -> &'static str {
    match method {
        "GET" | "HEAD" => "cors-check-object",
        _ => "cors-check-write",
    }
}

/// A scratch bucket with `cfg` on a fresh emulator; returns the URL the page fetches, the
/// resolver rule that sends its host to the emulator and the origin to treat as secure (so an
/// https page may call the emulator's http).
async fn prepare(
    emu: &Emulator,
    service: Service,
    cfg: Option<&CorsConfiguration>,
    method: &str,
) -> Result<(String, String, String), CliError> {
    let port = emu.addr().port();
    let key = key_for(method);
    match service {
        Service::Cos => {
            let c = emu.cos_credentials();
            let client = CosClient::builder()
                .region(c.region.clone())
                .secret_id(c.secret_id.clone())
                .secret_key(c.secret_key.clone())
                .endpoint(emu.cos_endpoint())
                .allow_http(true)
                .build()
                .map_err(emulator_error)?;
            let bucket = format!("cors-check-{}", c.appid);
            client
                .create_bucket(&bucket, &CreateBucketOptions::default())
                .await
                .map_err(emulator_error)?;
            if let Some(cfg) = cfg {
                client
                    .put_cors(&bucket, cfg)
                    .await
                    .map_err(|e| rules_refused(service, e))?;
            }
            if !emu.put_cos_object(&bucket, key_for("GET"), b"bucket-admin") {
                return Err(emulator_error("the object was not stored"));
            }
            let url = client
                .presigned_url(method, &bucket, key, &[], Duration::from_secs(600))
                .replacen("https://", "http://", 1);
            let host = client.bucket_host(&bucket);
            Ok((
                url,
                format!("MAP *.myqcloud.com 127.0.0.1:{port}"),
                format!("http://{host}"),
            ))
        }
        Service::R2 => {
            let c = emu.r2_credentials();
            let client = R2Client::builder()
                .account_id(c.account_id.clone())
                .api_token(c.api_token.clone())
                .base_url(emu.r2_base_url())
                .allow_http(true)
                .pacing(None)
                .build()
                .map_err(emulator_error)?;
            let bucket = "cors-check";
            client
                .create_bucket(bucket, &CreateBucketOptions::default())
                .await
                .map_err(emulator_error)?;
            if let Some(cfg) = cfg {
                client
                    .put_cors(bucket, cfg)
                    .await
                    .map_err(|e| rules_refused(service, e))?;
            }
            // A custom domain rather than `pub-<id>.r2.dev`: `.dev` is on Chromium's HSTS
            // preload list, so the browser would only ever ask it over https.
            let domain = "cors-check.r2-bucket.test";
            client
                .add_custom_domain(
                    bucket,
                    &NewCustomDomain::new(domain, "0123456789abcdef0123456789abcdef"),
                )
                .await
                .map_err(emulator_error)?;
            if !emu.put_r2_object(
                Jurisdiction::Default,
                bucket,
                key_for("GET"),
                b"bucket-admin",
            ) {
                return Err(emulator_error("the object was not stored"));
            }
            Ok((
                format!("http://{domain}:{port}/{key}"),
                format!("MAP {domain} 127.0.0.1"),
                format!("http://{domain}:{port}"),
            ))
        }
    }
}

fn rules_refused(service: Service, e: bucket_admin_core::Error) -> CliError {
    CliError::failed(format!(
        "--browser: the emulated {} refused the rules: {e}",
        service.name()
    ))
}

/// Runs `request` in Chromium against a scratch bucket holding `cfg` on an in-process
/// emulator of `service`.
pub async fn check(
    tools: &Tools,
    service: Service,
    cfg: Option<&CorsConfiguration>,
    request: &PreflightRequest,
) -> Result<BrowserAnswer, CliError> {
    let emu = Emulator::builder()
        .start()
        .await
        .map_err(|e| CliError::failed(format!("--browser: the emulator did not start: {e}")))?;
    let prepared = prepare(&emu, service, cfg, &request.method).await;
    let answer = match prepared {
        Ok((url, rule, secure)) => {
            let mut origins = Vec::new();
            let mut page_ports = Vec::new();
            let mut rules = vec![rule];
            if request.origin == "null" {
                // The driver runs an opaque origin in a sandboxed frame of a page on this port.
                page_ports.push(free_port()?);
                rules.push("MAP sandbox.example.test 127.0.0.1".to_owned());
            } else {
                origins.push(request.origin.clone());
            }
            let spec = serde_json::json!({
                "chromium": tools.chromium,
                "resolver_rules": rules.join(", "),
                "page_ports": page_ports,
                "page_origins": origins,
                "chromium_args": [format!("--unsafely-treat-insecure-origin-as-secure={secure}")],
                "cases": [case(request, &url)],
            });
            let tools = tools.clone();
            tokio::task::spawn_blocking(move || run_driver(&tools, &spec))
                .await
                .map_err(|e| CliError::failed(format!("--browser: {e}")))
                .and_then(|r| r)
        }
        Err(e) => Err(e),
    };
    emu.shutdown().await;
    let result = answer?;
    let headers = request_headers(request);
    Ok(BrowserAnswer {
        service,
        allowed: result["allowed"].as_bool().unwrap_or(false),
        status: result["status"]
            .as_u64()
            .and_then(|s| u16::try_from(s).ok()),
        error: result["error"].as_str().map(str::to_owned),
        method: request.method.clone(),
        headers,
    })
}

fn free_port() -> Result<u16, CliError> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| CliError::failed(format!("--browser: no free loopback port: {e}")))
}

/// Writes the driver and the case to a temporary directory, runs the driver (stopped after
/// [`RUN_LIMIT`]) and returns its result for the case.
fn run_driver(tools: &Tools, spec: &serde_json::Value) -> Result<serde_json::Value, CliError> {
    let fail = |what: String| CliError::failed(format!("--browser: {what}"));
    let dir = tempfile::tempdir().map_err(|e| fail(format!("no temporary directory: {e}")))?;
    let script = dir.path().join("cors_browser.py");
    let cases = dir.path().join("cases.json");
    let results = dir.path().join("results.json");
    std::fs::write(&script, DRIVER)
        .and_then(|()| std::fs::write(&cases, spec.to_string()))
        .map_err(|e| fail(format!("cannot write the browser case: {e}")))?;
    let stderr_path = dir.path().join("driver.log");
    let log = std::fs::File::create(&stderr_path)
        .map_err(|e| fail(format!("cannot write the driver log: {e}")))?;
    let mut child = Command::new(&tools.python)
        .arg(&script)
        .arg(&cases)
        .arg(&results)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| {
            fail(format!(
                "cannot run {}: {e}",
                tools.python.to_string_lossy()
            ))
        })?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > RUN_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(fail(format!(
                    "Chromium did not finish within {} s",
                    RUN_LIMIT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(fail(format!("waiting for the driver: {e}"))),
        }
    };
    if !status.success() {
        let log = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(12).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(fail(format!("the browser run failed ({status})")).with_hint(tail.join("\n")));
    }
    let text = std::fs::read_to_string(&results)
        .map_err(|e| fail(format!("no result from the browser: {e}")))?;
    let parsed: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| fail(format!("unreadable result from the browser: {e}")))?;
    parsed
        .as_array()
        .and_then(|a| a.first())
        .cloned()
        .ok_or_else(|| fail("the browser returned no result".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requested_headers_get_values_that_keep_them_in_the_preflight() {
        let request = PreflightRequest::new("https://app.example.com", "PUT")
            .with_headers(["Content-Type, x-custom", "Accept-Language"]);
        let c = case(&request, "http://b.test/k");
        assert_eq!(
            c["headers"],
            serde_json::json!({
                "Content-Type": "application/json",
                "x-custom": "1",
                "Accept-Language": "x@y",
            })
        );
        assert_eq!(c["body"], "bucket-admin");
        assert_eq!(c["credentials"], "omit");
        let get = case(&PreflightRequest::new("null", "GET"), "u");
        assert!(get["body"].is_null());
        assert_eq!(get["headers"], serde_json::json!({}));
    }

    #[test]
    fn reads_and_writes_use_different_keys() {
        assert_eq!(key_for("GET"), key_for("HEAD"));
        assert_ne!(key_for("PUT"), key_for("GET"));
        assert_ne!(key_for("DELETE"), key_for("GET"));
    }

    #[test]
    fn the_driver_is_the_suites_script() {
        assert!(DRIVER.contains("def run(spec)"));
        assert!(DRIVER.contains("page_origins"));
    }
}
