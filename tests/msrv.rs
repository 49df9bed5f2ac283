//! The declared minimum supported Rust version is honest: it is at least the highest
//! `rust-version` in the locked dependency tree, so it cannot drift behind a dependency update.

use std::process::Command;

fn parse(version: &str) -> Vec<u64> {
    version
        .split('.')
        .map(|part| part.parse().expect("numeric rust-version"))
        .collect()
}

#[test]
fn workspace_rust_version_covers_every_dependency() {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--manifest-path",
        ])
        .arg(manifest)
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let packages = meta["packages"].as_array().expect("packages");
    let members: Vec<&str> = meta["workspace_members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m.as_str())
        .collect();
    let declared = parse(env!("CARGO_PKG_RUST_VERSION"));
    let mut highest: Option<(Vec<u64>, String)> = None;
    for p in packages {
        let id = p["id"].as_str().unwrap_or_default();
        let Some(rv) = p["rust_version"].as_str() else {
            continue;
        };
        if members.contains(&id) {
            assert_eq!(
                parse(rv),
                declared,
                "{} declares rust-version {rv}; the workspace says {}",
                p["name"],
                env!("CARGO_PKG_RUST_VERSION")
            );
            continue;
        }
        let v = parse(rv);
        if highest.as_ref().is_none_or(|(h, _)| v > *h) {
            highest = Some((v, format!("{} {}", p["name"], p["version"])));
        }
    }
    let (needed, by) = highest.expect("dependencies declare rust-version");
    assert!(
        declared >= needed,
        "rust-version {} is below {needed:?}, needed by {by}",
        env!("CARGO_PKG_RUST_VERSION")
    );
}
