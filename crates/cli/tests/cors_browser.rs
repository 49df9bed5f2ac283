//! `bucket-admin cors check --browser` end to end: the real binary reads the user's rules from
//! a bucket (of an emulator standing in for the user's account) or a file, and Chromium
//! decides on a scratch bucket of the binary's own in-process emulator.
//!
//! The browser cases run when `build.rs` finds Chromium and Playwright for Python (cfg
//! `browser`) and show as ignored otherwise; the missing-tool error is checked always.

use bucket_admin_core::Jurisdiction;
use bucket_admin_emulator::Emulator;

#[path = "support/run.rs"]
mod run;
use run::{emulator_env, run_in};

const RULES: &str = r#"{"CORSRules":[{"AllowedOrigins":["https://app.example.com"],"AllowedMethods":["GET","PUT"],"AllowedHeaders":["content-type"],"ExposeHeaders":["ETag"],"MaxAgeSeconds":600}]}"#;

/// The environment a user would export after `bucket-admin emulator`, plus what the browser
/// needs (HOME for Playwright, the browser overrides when set).
fn env_for(emu: &Emulator) -> Vec<(String, String)> {
    let mut env = emulator_env(emu);
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
