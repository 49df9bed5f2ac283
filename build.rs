//! Sets `live_cos` / `live_r2` when real-cloud credentials are in the build environment, so the
//! live conformance tests (tests/conformance_live.rs) run then and show as ignored otherwise;
//! `moto` when moto's S3 server is on PATH (tests/conformance_moto.rs).

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

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(live_cos)");
    println!("cargo::rustc-check-cfg=cfg(live_r2)");
    if all_set(COS) {
        println!("cargo::rustc-cfg=live_cos");
    }
    if all_set(R2) {
        println!("cargo::rustc-cfg=live_r2");
    }
    // tests/conformance_moto.rs runs when moto's S3 server can be started.
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rustc-check-cfg=cfg(moto)");
    let moto = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| dir.join("moto_server").is_file())
    });
    if moto {
        println!("cargo::rustc-cfg=moto");
    }
}
