//! The README's provider table is generated from the providers' `Capabilities`; this test fails
//! (and docs/capabilities.md, shown on the facade's docs page) when they disagree.
//! `UPDATE_README=1 cargo test --test readme` rewrites both.

use bucket_admin::Capabilities;
use bucket_admin::cos::cos_capabilities;
use bucket_admin::r2::r2_capabilities;
use bucket_admin::s3::{Profile, capabilities as s3_capabilities};

const START: &str = "<!-- capabilities:start -->\n";
const END: &str = "<!-- capabilities:end -->";

/// The feature table with one named column per provider (the S3 profiles share a provider).
fn table(columns: &[(String, Capabilities)]) -> String {
    let mut out = String::from("| feature |");
    for (name, _) in columns {
        out.push_str(&format!(" {name} |"));
    }
    out.push_str("\n| --- |");
    out.push_str(&" --- |".repeat(columns.len()));
    out.push('\n');
    let rows: Vec<_> = columns.iter().map(|(_, c)| c.feature_rows()).collect();
    for (i, (feature, _)) in rows[0].iter().enumerate() {
        out.push_str(&format!("| {feature} |"));
        for column in &rows {
            out.push_str(&format!(" {} |", column[i].1));
        }
        out.push('\n');
    }
    out
}

#[test]
fn readme_capability_table_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let start = readme.find(START).expect("start marker") + START.len();
    let end = readme.find(END).expect("end marker");
    let mut columns = vec![
        ("COS".to_owned(), cos_capabilities()),
        ("R2".to_owned(), r2_capabilities()),
    ];
    for profile in Profile::ALL {
        columns.push((format!("S3 ({profile})"), s3_capabilities(profile)));
    }
    let table = table(&columns);
    // The same table is the facade's rustdoc landing page section.
    let docs_path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/capabilities.md");
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{table}{}", &readme[..start], &readme[end..]);
        std::fs::write(path, updated).expect("write README.md");
        std::fs::write(docs_path, &table).expect("write docs/capabilities.md");
        return;
    }
    assert_eq!(
        std::fs::read_to_string(docs_path).unwrap_or_default(),
        table,
        "docs/capabilities.md is stale: run `UPDATE_README=1 cargo test --test readme`"
    );
    assert_eq!(
        &readme[start..end],
        table,
        "README table is stale: run `UPDATE_README=1 cargo test --test readme`"
    );
}

#[test]
fn readme_starts_with_the_two_commands_ci_runs() {
    let readme = include_str!("../README.md");
    let ci = include_str!("../.ci/run");
    let first_block: Vec<&str> = readme
        .split("```sh\n")
        .nth(1)
        .expect("a sh block")
        .split("```")
        .next()
        .expect("closed")
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .collect();
    assert_eq!(
        first_block,
        ["cargo run --example quickstart", "cargo test --workspace"]
    );
    for command in first_block {
        assert!(ci.contains(command), ".ci/run must run `{command}`");
    }
}
