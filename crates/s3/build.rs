//! Sets `moto` when `moto_server` is on PATH at build time, so the moto tests
//! (tests/conformance_moto.rs) run then and show as ignored otherwise.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rustc-check-cfg=cfg(moto)");
    let found = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| dir.join("moto_server").is_file())
    });
    if found {
        println!("cargo::rustc-cfg=moto");
    }
}
