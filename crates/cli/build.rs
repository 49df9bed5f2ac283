//! Sets the `moto` cfg when moto's S3 server is on PATH, so the end-to-end S3 test
//! (tests/s3_moto.rs) runs then and shows as ignored otherwise; `browser` when Chromium and
//! Playwright for Python are installed (tests/cors_browser.rs, `cors check --browser`), found
//! as the repository root's build.rs finds them.

/// Chromium at `BUCKET_ADMIN_CHROMIUM` (default `/usr/bin/chromium`) and a Python
/// (`BUCKET_ADMIN_BROWSER_PYTHON`, default `python3`) that imports playwright.
fn browser_available() -> bool {
    println!("cargo::rerun-if-env-changed=BUCKET_ADMIN_CHROMIUM");
    println!("cargo::rerun-if-env-changed=BUCKET_ADMIN_BROWSER_PYTHON");
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
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rustc-check-cfg=cfg(moto)");
    let moto = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| dir.join("moto_server").is_file())
    });
    if moto {
        println!("cargo::rustc-cfg=moto");
    }
    println!("cargo::rustc-check-cfg=cfg(browser)");
    if browser_available() {
        println!("cargo::rustc-cfg=browser");
    }
}
