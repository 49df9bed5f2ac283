//! Sets the `moto` cfg when moto's S3 server is on PATH, so the end-to-end S3 test
//! (tests/s3_moto.rs) runs then and shows as ignored otherwise.

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
}
