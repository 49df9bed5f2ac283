//! `bucket-admin cors check --browser` end to end: the real binary reads the user's rules from
//! a bucket (of an emulator standing in for the user's account) or a file, and Chromium
//! decides on a scratch bucket of the binary's own in-process emulator.
//!
//! The browser cases run when `build.rs` finds Chromium and Playwright for Python (cfg
//! `browser`) and show as ignored otherwise; the missing-tool error is checked always.

use std::path::Path;

use bucket_admin_core::Jurisdiction;
use bucket_admin_emulator::Emulator;

const BIN: &str = env!("CARGO_BIN_EXE_bucket-admin");

const RULES: &str = r#"{"CORSRules":[{"AllowedOrigins":["https://app.example.com"],"AllowedMethods":["GET","PUT"],"AllowedHeaders":["content-type"],"ExposeHeaders":["ETag"],"MaxAgeSeconds":600}]}"#;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Run {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self:?}"))
    }
}

/// The environment a user would export after `bucket-admin emulator`, plus what the browser
/// needs (HOME for Playwright, the browser overrides when set).
fn env_for(emu: &Emulator) -> Vec<(String, String)> {
    let c = emu.cos_credentials();
    let r = emu.r2_credentials();
    let mut env = vec![
        ("COS_SECRET_ID".into(), c.secret_id.clone()),
        ("COS_SECRET_KEY".into(), c.secret_key.clone()),
        ("COS_REGION".into(), c.region.clone()),
        ("COS_ENDPOINT".into(), emu.cos_endpoint()),
        ("CLOUDFLARE_API_TOKEN".into(), r.api_token.clone()),
        ("CLOUDFLARE_ACCOUNT_ID".into(), r.account_id.clone()),
        ("CLOUDFLARE_BASE_URL".into(), emu.r2_base_url()),
    ];
    for name in [
        "HOME",
        "BUCKET_ADMIN_CHROMIUM",
        "BUCKET_ADMIN_BROWSER_PYTHON",
        "PYTHONPATH",
    ] {
        if let Ok(v) = std::env::var(name) {
            env.push((name.into(), v));
        }
    }
    env
}

async fn run_in(dir: &Path, env: &[(String, String)], args: &[&str]) -> Run {
    let (dir, env) = (dir.to_owned(), env.to_owned());
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    // Blocking wait on a worker thread, so the emulator keeps serving on the runtime.
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(BIN)
            .args(&args)
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(env)
            .output()
            .expect("run bucket-admin")
    })
    .await
    .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Only the user's rules are read: no request other than the CORS read reaches the user's
/// emulator, no bucket or object is added, and its rules stay as they were.
async fn assert_untouched(user: &Emulator, before: usize, reads: usize) {
    let methods: Vec<String> = user
        .requests()
        .into_iter()
        .skip(before)
        .map(|r| r.method)
        .collect();
    assert_eq!(methods.len(), reads, "{methods:?}");
    assert!(methods.iter().all(|m| m == "GET"), "{methods:?}");
    assert_eq!(user.r2_bucket_names(Jurisdiction::Default), ["web"]);
    assert_eq!(
        user.r2_object_keys(Jurisdiction::Default, "web"),
        Some(Vec::new())
    );
    assert_eq!(user.cos_bucket_names(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(
    not(browser),
    ignore = "needs Chromium (/usr/bin/chromium) and Playwright for Python (pip install playwright)"
)]
async fn chromium_decides_an_allowed_and_a_denied_request_on_a_scratch_bucket() {
    let user = Emulator::start().await.expect("start emulator");
    let env = env_for(&user);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cors.json"), RULES).unwrap();
    let setup = run_in(dir.path(), &env, &["buckets", "create", "r2://web"]).await;
    assert_eq!(setup.code, 0, "{setup:?}");
    let put = run_in(
        dir.path(),
        &env,
        &["cors", "put", "r2://web", "--file", "cors.json"],
    )
    .await;
    assert_eq!(put.code, 0, "{put:?}");
    let rules_before = user.requests().len();

    // Allowed: a preflighted PUT from the listed https origin.
    let allowed = run_in(
        dir.path(),
        &env,
        &[
            "cors",
            "check",
            "r2://web",
            "--origin",
            "https://app.example.com",
            "--method",
            "PUT",
            "--header",
            "content-type",
            "--browser",
            "--json",
        ],
    )
    .await;
    assert_eq!(allowed.code, 0, "{allowed:?}");
    let v = allowed.json();
    assert_eq!(v["offline"]["outcome"], "allowed", "{v}");
    assert_eq!(v["browser"]["service"], "r2", "{v}");
    assert_eq!(v["browser"]["allowed"], true, "{v}");
    assert_eq!(
        v["browser"]["headers"]["content-type"], "application/json",
        "{v}"
    );
    assert_eq!(v["browser_agrees"], true, "{v}");

    // Denied: another origin; exit 5 as `cors check` without --browser.
    let denied = run_in(
        dir.path(),
        &env,
        &[
            "cors",
            "check",
            "r2://web",
            "--origin",
            "https://evil.example.com",
            "--method",
            "PUT",
            "--header",
            "content-type",
            "--browser",
        ],
    )
    .await;
    assert_eq!(denied.code, 5, "{denied:?}");
    assert!(
        denied
            .stdout
            .contains("result  denied               denied"),
        "{denied:?}"
    );
    assert!(
        denied
            .stdout
            .contains("the browser agrees with the offline evaluation"),
        "{denied:?}"
    );
    assert!(denied.stdout.contains("emulated R2"), "{denied:?}");
    // Two runs, one CORS read each.
    assert_untouched(&user, rules_before, 2).await;

    // A file's rules run on the emulated COS; a simple GET from the listed origin passes.
    let file = run_in(
        dir.path(),
        &env,
        &[
            "cors",
            "check",
            "file://cors.json",
            "--origin",
            "https://app.example.com",
            "--method",
            "GET",
            "--browser",
        ],
    )
    .await;
    assert_eq!(file.code, 0, "{file:?}");
    assert!(file.stdout.contains("emulated COS"), "{file:?}");
    assert!(file.stdout.contains("allowed (HTTP 200)"), "{file:?}");
    assert!(
        file.stdout
            .contains("the browser agrees with the offline evaluation"),
        "{file:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_chromium_the_error_says_what_to_install_before_anything_is_read() {
    let user = Emulator::start().await.expect("start emulator");
    let dir = tempfile::tempdir().unwrap();
    let mut env = env_for(&user);
    env.retain(|(k, _)| k != "BUCKET_ADMIN_CHROMIUM");
    env.push((
        "BUCKET_ADMIN_CHROMIUM".into(),
        dir.path().join("no-chromium").display().to_string(),
    ));
    let before = user.request_count();
    let r = run_in(
        dir.path(),
        &env,
        &[
            "cors",
            "check",
            "r2://web",
            "--origin",
            "https://app.example.com",
            "--method",
            "GET",
            "--browser",
        ],
    )
    .await;
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--browser needs Chromium"), "{r:?}");
    assert!(r.stderr.contains("apt-get install chromium"), "{r:?}");
    assert!(r.stderr.contains("BUCKET_ADMIN_CHROMIUM"), "{r:?}");
    assert_eq!(user.request_count(), before, "nothing was read");

    // Chromium there but no Playwright: the Python named cannot import it.
    let fake_chromium = dir.path().join("chromium");
    std::fs::write(&fake_chromium, "").unwrap();
    env.retain(|(k, _)| k != "BUCKET_ADMIN_CHROMIUM" && k != "BUCKET_ADMIN_BROWSER_PYTHON");
    env.push((
        "BUCKET_ADMIN_CHROMIUM".into(),
        fake_chromium.display().to_string(),
    ));
    env.push(("BUCKET_ADMIN_BROWSER_PYTHON".into(), "false".into()));
    let r = run_in(
        dir.path(),
        &env,
        &[
            "cors",
            "check",
            "file://nothing.json",
            "--origin",
            "https://app.example.com",
            "--method",
            "GET",
            "--browser",
        ],
    )
    .await;
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("needs Playwright for Python"), "{r:?}");
    assert!(r.stderr.contains("pip install playwright"), "{r:?}");
}
