//! The documents the codec benchmarks read and write, shared by `micro` (criterion, wall
//! time) and `instructions` (callgrind, instruction counts).

use bucket_admin::{
    Age, CorsConfiguration, CorsMethod, CorsRule, Expiration, LifecycleConfiguration,
    LifecycleFilter, LifecycleRule, StorageClass, Transition,
};

/// 100 rules, none of which matches the benchmark's request: the evaluator's worst case.
pub fn hundred_rules() -> CorsConfiguration {
    CorsConfiguration::new(
        (0..100)
            .map(|i| {
                CorsRule::new(
                    [
                        format!("https://*.tenant{i}.example.com"),
                        format!("https://app{i}.example.org"),
                    ],
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

/// A 1000-rule lifecycle configuration both providers can hold.
pub fn thousand_lifecycle_rules() -> LifecycleConfiguration {
    LifecycleConfiguration::new(
        (0..1000)
            .map(|i| {
                LifecycleRule::new()
                    .with_id(format!("rule-{i}"))
                    .with_enabled(i % 2 == 0)
                    .with_filter(LifecycleFilter::default().with_prefix(format!("logs/{i}/")))
                    .with_expiration(Expiration::After(Age::days(365)))
                    .with_transitions([Transition::after(
                        Age::days(30),
                        StorageClass::InfrequentAccess,
                    )])
                    .with_abort_incomplete_multipart_upload(Age::days(7))
            })
            .collect(),
    )
}

/// Reads every quick-xml event of `xml` (as the COS pull decoder's reader is set up) and
/// counts them: what the tokenizer costs before any decoding.
pub fn xml_events(xml: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut events = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => return events,
            Ok(_) => events += 1,
            Err(e) => panic!("the benchmark document is well formed: {e}"),
        }
    }
}

/// `xml` (written by the codec, one line) indented as COS indents its answers: a line break and
/// tabs between elements. The fixtures have no empty values, which this would change.
pub fn indented(xml: &str) -> String {
    xml.replace("><", ">\n\t\t<")
}
