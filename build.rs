//! Sets `live_cos` / `live_r2` when real-cloud credentials are in the build environment, so the
//! live conformance tests (tests/conformance_live.rs) run then and show as ignored otherwise;
//! `moto` when moto's S3 server is on PATH (tests/conformance_moto.rs); `browser` when Chromium
//! and Playwright for Python are installed (tests/browser_cors.rs).

const COS: &[&str] = &[
    "COS_SECRET_ID",
    "COS_SECRET_KEY",
    "COS_REGION",
    "BUCKET_ADMIN_LIVE_COS_APPID",
];
const R2: &[&str] = &["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID"];

fn all_set(names: &[&str]) -> bool {
    names.iter().all(|name| {
        println!("cargo::rerun-if-env-changed={name}");
        std::env::var_os(name).is_some_and(|v| !v.is_empty())
    })
}

/// Chromium at `BUCKET_ADMIN_CHROMIUM` (default `/usr/bin/chromium`) and a Python
/// (`BUCKET_ADMIN_BROWSER_PYTHON`, default `python3`) that imports playwright.
fn browser_available() -> bool {
    println!("cargo::rerun-if-env-changed=BUCKET_ADMIN_CHROMIUM");
    println!("cargo::rerun-if-env-changed=BUCKET_ADMIN_BROWSER_PYTHON");
    println!("cargo::rerun-if-env-changed=PATH");
    // Installing or removing the Debian package changes this directory.
    println!("cargo::rerun-if-changed=/usr/bin");
    let chromium =
        std::env::var("BUCKET_ADMIN_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    std::path::Path::new(&chromium).is_file()
        && std::process::Command::new(
            std::env::var("BUCKET_ADMIN_BROWSER_PYTHON").unwrap_or_else(|_| "python3".into()),
        )
        .args(["-c", "import playwright.sync_api"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(browser)");
    if browser_available() {
        println!("cargo::rustc-cfg=browser");
    }
    println!("cargo::rustc-check-cfg=cfg(live_cos)");
    println!("cargo::rustc-check-cfg=cfg(live_r2)");
    if all_set(COS) {
        println!("cargo::rustc-cfg=live_cos");
    }
    if all_set(R2) {
        println!("cargo::rustc-cfg=live_r2");
    }
    // tests/conformance_moto.rs runs when moto's S3 server can be started.
    println!("cargo::rustc-check-cfg=cfg(moto)");
    let moto = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| dir.join("moto_server").is_file())
    });
    if moto {
        println!("cargo::rustc-cfg=moto");
    }
}
