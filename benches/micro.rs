//! Micro-benchmarks: COS signing, codecs, preflight evaluation.
//!
//! `cargo bench --bench micro`; results and targets are in `docs/benchmarks.md`.

use std::hint::black_box;

use bucket_admin::preflight::{PreflightRequest, evaluate};
use bucket_admin::{CorsConfiguration, CorsMethod, CorsRule};
use criterion::{Criterion, criterion_group, criterion_main};

/// 100 rules, none of which matches the benchmark's request: the evaluator's worst case.
fn hundred_rules() -> CorsConfiguration {
    CorsConfiguration::new(
        (0..100)
            .map(|i| {
                CorsRule::new(
                    [format!("https://*.tenant{i}.example.com"), format!("https://app{i}.example.org")],
                    [CorsMethod::Get, CorsMethod::Put, CorsMethod::Post],
                )
                .with_id(format!("rule-{i}"))
                .with_allowed_headers(["content-type", "content-md5", "x-cos-meta-*"])
                .with_expose_headers(["ETag", "Content-Length"])
                .with_max_age_seconds(600)
            })
            .collect(),
    )
}

fn preflight(c: &mut Criterion) {
    let cfg = hundred_rules();
    let miss = PreflightRequest::new("https://evil.example.net", "PUT")
        .with_headers(["content-type,x-cos-meta-author"]);
    let hit_last = PreflightRequest::new("https://app99.example.org", "PUT")
        .with_headers(["content-type,x-cos-meta-author"]);
    c.bench_function("preflight/100 rules/no match", |b| {
        b.iter(|| evaluate(Some(black_box(&cfg)), black_box(&miss)))
    });
    c.bench_function("preflight/100 rules/last rule matches", |b| {
        b.iter(|| evaluate(Some(black_box(&cfg)), black_box(&hit_last)))
    });
}

criterion_group!(benches, preflight);
criterion_main!(benches);
