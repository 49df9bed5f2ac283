//! Micro-benchmarks: COS signing, codecs, preflight evaluation.
//!
//! `cargo bench --bench micro`; results and targets are in `docs/benchmarks.md`.

use std::hint::black_box;

use bucket_admin::CorsConfiguration;
use bucket_admin::cos::codec as cos_codec;
use bucket_admin::cos::sign::{HeaderSelection, KeyTime, SigningKey, sign, sign_with_key};
use bucket_admin::preflight::{PreflightRequest, evaluate};
use bucket_admin::r2::codec as r2_codec;
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "fixtures.rs"]
mod fixtures;
use fixtures::{hundred_rules, indented, thousand_lifecycle_rules, xml_events};

const SECRET_ID: &str = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q";
const SECRET_KEY: &str = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz";

fn signing(c: &mut Criterion) {
    let key_time = KeyTime::new(1_557_989_151, 1_557_996_351);
    let typical_headers = [
        (
            "Host",
            "examplebucket-1250000000.cos.ap-beijing.myqcloud.com",
        ),
        ("Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="),
        ("Content-Type", "application/xml"),
        ("Content-Length", "312"),
    ];
    c.bench_function("sign/typical bucket request", |b| {
        b.iter(|| {
            sign(
                SECRET_ID,
                black_box(SECRET_KEY),
                "PUT",
                "/",
                &[("cors", "")],
                black_box(&typical_headers),
                key_time,
            )
        })
    });
    // What the client does between two key times: the signing key derived once.
    let key = SigningKey::new(SECRET_KEY, key_time);
    c.bench_function("sign/typical bucket request, signing key reused", |b| {
        b.iter(|| {
            sign_with_key(
                HeaderSelection::Sdk,
                SECRET_ID,
                black_box(&key),
                "PUT",
                "/",
                &[("cors", "")],
                black_box(&typical_headers),
            )
        })
    });
    let names: Vec<(String, String)> = (0..10)
        .map(|i| {
            (
                format!("x-cos-meta-field-{i}"),
                format!("value {i}/with spaces+plus"),
            )
        })
        .collect();
    let params: Vec<(String, String)> = (0..10)
        .map(|i| (format!("Param-{i}"), format!("v/{i} ü")))
        .collect();
    let headers: Vec<(&str, &str)> = names
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let query: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.bench_function("sign/10 headers + 10 params", |b| {
        b.iter(|| {
            sign(
                SECRET_ID,
                black_box(SECRET_KEY),
                "GET",
                "/exampleobject(腾讯云)",
                black_box(&query),
                black_box(&headers),
                key_time,
            )
        })
    });
}

fn codecs(c: &mut Criterion) {
    let cors = hundred_rules();
    let cos_xml = cos_codec::encode_cors(&cors).expect("encode");
    let r2_json = r2_codec::encode_cors(&cors).expect("encode");
    c.bench_function("codec/cors 100 rules/COS XML encode", |b| {
        b.iter(|| cos_codec::encode_cors(black_box(&cors)))
    });
    c.bench_function("codec/cors 100 rules/COS XML decode", |b| {
        b.iter(|| cos_codec::decode_cors(black_box(&cos_xml)))
    });
    // The issue-16 row: one PUT body written and one GET answer read.
    // The tokenizer alone: every event of the same document read and dropped. The decoder
    // cannot be faster than this floor (docs/benchmarks.md, issue 16).
    c.bench_function("codec/cors 100 rules/quick-xml events only", |b| {
        b.iter(|| xml_events(black_box(&cos_xml)))
    });
    c.bench_function("codec/cors 100 rules/COS XML encode + decode", |b| {
        b.iter(|| {
            let xml = cos_codec::encode_cors(black_box(&cors)).expect("encode");
            cos_codec::decode_cors(&xml)
        })
    });
    c.bench_function("codec/cors 100 rules/R2 JSON encode", |b| {
        b.iter(|| r2_codec::encode_cors(black_box(&cors)))
    });
    c.bench_function("codec/cors 100 rules/R2 JSON decode", |b| {
        b.iter(|| r2_codec::decode_cors(black_box(&r2_json)))
    });
    c.bench_function("codec/cors 100 rules/R2 JSON encode + decode", |b| {
        b.iter(|| {
            let json = r2_codec::encode_cors(black_box(&cors)).expect("encode");
            r2_codec::decode_cors(&json)
        })
    });
    // The allocation floor of any decoder that returns the model: the same configuration
    // copied and dropped (every string, list and rule allocated and freed once, nothing read).
    c.bench_function(
        "codec/cors 100 rules/model clone + drop (allocation floor)",
        |b| b.iter(|| black_box(&cors).clone()),
    );
    // What every get_cors decodes: a one-rule document.
    let one = CorsConfiguration::new(hundred_rules().rules.into_iter().take(1).collect());
    let cos_one = cos_codec::encode_cors(&one).expect("encode");
    let r2_one = r2_codec::encode_cors(&one).expect("encode");
    c.bench_function("codec/cors 1 rule/COS XML decode", |b| {
        b.iter(|| cos_codec::decode_cors(black_box(&cos_one)))
    });
    let cos_one_indented = indented(&cos_one);
    c.bench_function(
        "codec/cors 1 rule/COS XML decode, indented as COS sends it",
        |b| b.iter(|| cos_codec::decode_cors(black_box(&cos_one_indented))),
    );
    c.bench_function("codec/cors 1 rule/R2 JSON decode", |b| {
        b.iter(|| r2_codec::decode_cors(black_box(&r2_one)))
    });
    let lifecycle = thousand_lifecycle_rules();
    let cos_xml = cos_codec::encode_lifecycle(&lifecycle).expect("encode");
    let r2_json = r2_codec::encode_lifecycle(&lifecycle).expect("encode");
    c.bench_function("codec/lifecycle 1000 rules/COS XML encode", |b| {
        b.iter(|| cos_codec::encode_lifecycle(black_box(&lifecycle)))
    });
    c.bench_function("codec/lifecycle 1000 rules/COS XML decode", |b| {
        b.iter(|| cos_codec::decode_lifecycle(black_box(&cos_xml)))
    });
    c.bench_function("codec/lifecycle 1000 rules/quick-xml events only", |b| {
        b.iter(|| xml_events(black_box(&cos_xml)))
    });
    c.bench_function("codec/lifecycle 1000 rules/R2 JSON encode", |b| {
        b.iter(|| r2_codec::encode_lifecycle(black_box(&lifecycle)))
    });
    c.bench_function("codec/lifecycle 1000 rules/R2 JSON decode", |b| {
        b.iter(|| r2_codec::decode_lifecycle(black_box(&r2_json)))
    });
    c.bench_function(
        "codec/lifecycle 1000 rules/model clone + drop (allocation floor)",
        |b| b.iter(|| black_box(&lifecycle).clone()),
    );
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

criterion_group!(benches, signing, codecs, preflight);
criterion_main!(benches);
