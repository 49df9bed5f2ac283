//! The CLI's readers (CORS files in every format, lifecycle and policy files, mapping files,
//! target URLs) never panic on arbitrary input: they answer with an error.

use bucket_admin_cli::bulk::parse_mapping;
use bucket_admin_cli::endpoint::parse_neutral;
use bucket_admin_cli::formats::{CorsFormat, detect, parse_cors, render_cors};
use bucket_admin_cli::url::TargetUrl;
use bucket_admin_core::{BucketPolicy, CorsConfiguration, LifecycleConfiguration};
use proptest::prelude::*;

/// Text that looks like the formats the readers expect, broken in random places.
fn near_miss() -> impl Strategy<Value = String> {
    let docs = vec![
        r#"{"rules":[{"allowed_origins":["*"],"allowed_methods":["GET"]}]}"#,
        r#"{"CORSRules":[{"AllowedOrigins":["*"],"AllowedMethods":["GET"],"MaxAgeSeconds":5}]}"#,
        r#"{"CORSRule":[{"AllowedOrigin":"*","AllowedMethod":"GET","MaxAgeSeconds":"5"}]}"#,
        r#"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>"#,
        r#"{"rules":[{"allowed":{"origins":["*"],"methods":["GET"]},"maxAgeSeconds":3600.5}]}"#,
        "cos://a-1250000000?region=ap-beijing,r2://a?jurisdiction=eu",
        r#"{"Rules":[{"ID":"a","Status":"Enabled","Filter":{"Prefix":"x/"},"Expiration":{"Days":30}}]}"#,
        r#"<LifecycleConfiguration><Rule><ID>a</ID><Status>Enabled</Status><Filter><Prefix/></Filter><Expiration><Days>3</Days></Expiration></Rule></LifecycleConfiguration>"#,
        r#"{"rules":[{"id":"r","enabled":true,"conditions":{"prefix":"x/"},"deleteObjectsTransition":{"condition":{"type":"Age","maxAge":86400}}}]}"#,
    ];
    (prop::sample::select(docs), 0usize..200, "[\\PC]{0,6}").prop_map(|(doc, at, junk)| {
        let at = doc
            .char_indices()
            .map(|(i, _)| i)
            .nth(at % doc.chars().count())
            .unwrap_or(0);
        format!("{}{junk}{}", &doc[..at], &doc[at..])
    })
}

fn read_everything(text: &str) {
    let _ = detect(text);
    let _ = parse_cors(text, None);
    for format in CorsFormat::ALL {
        if let Ok(parsed) = parse_cors(text, Some(format)) {
            // Whatever was read can be written back in every format.
            for out in CorsFormat::ALL {
                let _ = render_cors(&parsed.config, out);
            }
        }
    }
    let _ = parse_neutral::<CorsConfiguration>(text, "CORS configuration");
    let _ = parse_neutral::<LifecycleConfiguration>(text, "lifecycle configuration");
    if let Some(Ok((cfg, _))) = bucket_admin_cli::formats::parse_lifecycle(text) {
        for f in [
            bucket_admin_cli::formats::LifecycleFormat::Neutral,
            bucket_admin_cli::formats::LifecycleFormat::CosXml,
            bucket_admin_cli::formats::LifecycleFormat::R2,
        ] {
            let _ = bucket_admin_cli::formats::render_lifecycle(&cfg, f);
        }
    }
    let _ = parse_neutral::<BucketPolicy>(text, "bucket policy");
    let _ = parse_mapping(text);
    for line in text.lines().take(4) {
        let _ = line.parse::<TargetUrl>();
    }
    let _ = text.parse::<TargetUrl>();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_text_never_panics_a_reader(text in "\\PC{0,300}") {
        read_everything(&text);
    }

    #[test]
    fn mangled_documents_never_panic_a_reader(text in near_miss()) {
        read_everything(&text);
    }
}

#[test]
fn a_non_integral_max_age_is_an_error_not_a_truncation() {
    let err = parse_cors(
        r#"{"rules":[{"allowed":{"origins":["*"],"methods":["GET"]},"maxAgeSeconds":3600.5}]}"#,
        None,
    );
    let err = err.unwrap_err();
    assert!(err.message.contains("maxAgeSeconds"), "{err:?}");
    assert!(err.message.contains("3600.5"), "{err:?}");
}

/// An invalid value is named by its field path in every format, and a file is never
/// described as a server answer.
#[test]
fn invalid_values_are_named_by_their_field_in_every_format() {
    let cases = [
        (
            r#"{"rules":[{"allowed_origins":["*"],"allowed_methods":["GET"],"max_age_seconds":-5}]}"#,
            "rules[0].max_age_seconds",
        ),
        (
            r#"{"CORSRules":[{"AllowedOrigins":["*"],"AllowedMethods":["GET"],"MaxAgeSeconds":-5}]}"#,
            "CORSRules[0].MaxAgeSeconds",
        ),
        (
            r#"{"CORSRule":[{"AllowedOrigin":["*"],"AllowedMethod":["GET"],"MaxAgeSeconds":-5}]}"#,
            "CORSRule[0].MaxAgeSeconds",
        ),
        (
            r#"{"CORSRule":{"AllowedOrigin":"*","AllowedMethod":"GET","MaxAgeSeconds":"x"}}"#,
            "CORSRule[0].MaxAgeSeconds",
        ),
        (
            r#"{"rules":[{"allowed":{"origins":["*"],"methods":["GET"]},"maxAgeSeconds":-5}]}"#,
            "maxAgeSeconds",
        ),
    ];
    for (text, field) in cases {
        let err = parse_cors(text, None).unwrap_err();
        assert!(err.message.contains(field), "{field}: {}", err.message);
        assert!(
            err.message.contains("-5") || err.message.contains("`x`"),
            "{}",
            err.message
        );
    }
    let xml = "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>-5</MaxAgeSeconds></CORSRule></CORSConfiguration>";
    let err = parse_cors(xml, None).unwrap_err();
    assert!(err.message.contains("MaxAgeSeconds"), "{}", err.message);
    assert!(!err.message.contains("COS returned"), "{}", err.message);
    let lifecycle = parse_neutral::<LifecycleConfiguration>(
        r#"{"rules":[{"id":"x","enabled":true,"expiration":{"after":{"days":-3}}}]}"#,
        "lifecycle configuration",
    )
    .unwrap_err();
    assert!(
        lifecycle.message.contains("rules[0].expiration.after.days"),
        "{}",
        lifecycle.message
    );
}
