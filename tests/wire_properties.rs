//! Property tests across the providers' wire formats:
//! - every neutral configuration a provider can represent survives neutral -> wire -> neutral
//!   unchanged;
//! - the XML and JSON decoders never panic on arbitrary input: they return a decode error.

use bucket_admin::cos::codec as cos;
use bucket_admin::r2::codec as r2;
use bucket_admin::{
    Age, CorsConfiguration, CorsMethod, CorsRule, ErrorKind, Expiration, LifecycleConfiguration,
    LifecycleFilter, LifecycleRule, NoncurrentTransition, StorageClass, Tag, Transition, Trigger,
};
use proptest::prelude::*;
use time::Date;

fn method() -> impl Strategy<Value = CorsMethod> {
    prop::sample::select(CorsMethod::ALL.to_vec())
}

fn origin() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("*".to_string()),
        "[a-z0-9]{1,10}".prop_map(|h| format!("https://{h}.example.com")),
        "[a-z]{1,8}".prop_map(|h| format!("https://*.{h}.com")),
        (1u16..65535).prop_map(|p| format!("http://localhost:{p}")),
    ]
}

/// Text that is awkward in XML and JSON: markup characters, quotes, non-ASCII.
fn awkward_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9 _.-]{1,20}",
        Just("a<b>&\"'c".to_string()),
        Just("规则-1 ✓".to_string()),
    ]
}

prop_compose! {
    fn cors_rule()(rule in cors_rule_with_max_age(0..=u32::MAX)) -> CorsRule { rule }
}

prop_compose! {
    /// R2 accepts max ages up to a day.
    fn r2_cors_rule()(rule in cors_rule_with_max_age(0u32..=86_400)) -> CorsRule { rule }
}

prop_compose! {
    fn cors_rule_with_max_age(max_age: std::ops::RangeInclusive<u32>)(
        id in proptest::option::of(awkward_text()),
        origins in prop::collection::vec(origin(), 1..4),
        methods in prop::collection::vec(method(), 1..5),
        allowed_headers in prop::collection::vec(prop_oneof!["[a-z][a-z0-9-]{0,15}", Just("*".to_string()), Just("x-cos-meta-*".to_string())], 0..4),
        expose_headers in prop::collection::vec("[A-Za-z][A-Za-z0-9-]{0,15}", 0..4),
        max_age_seconds in proptest::option::of(max_age),
    ) -> CorsRule {
        let mut rule = CorsRule::new(origins, methods)
            .with_allowed_headers(allowed_headers)
            .with_expose_headers(expose_headers);
        rule.id = id;
        rule.max_age_seconds = max_age_seconds;
        rule
    }
}

fn day() -> impl Strategy<Value = Date> {
    (1990i32..2200, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| {
        Date::from_calendar_date(y, time::Month::try_from(m).expect("month"), d).expect("date")
    })
}

/// COS dates are midnights China time.
fn cos_date() -> impl Strategy<Value = bucket_admin::LifecycleDate> {
    day().prop_map(bucket_admin::LifecycleDate::china)
}

/// R2 dates are midnights UTC.
fn r2_date() -> impl Strategy<Value = bucket_admin::LifecycleDate> {
    day().prop_map(bucket_admin::LifecycleDate::utc)
}

fn cos_class() -> impl Strategy<Value = StorageClass> {
    prop_oneof![
        Just(StorageClass::InfrequentAccess),
        Just(StorageClass::Archive),
        Just(StorageClass::DeepArchive),
        Just(StorageClass::IntelligentTiering),
        Just(StorageClass::Other("MAZ_STANDARD_IA".into())),
    ]
}

fn cos_trigger() -> impl Strategy<Value = Trigger> {
    prop_oneof![
        (1u32..10_000).prop_map(|d| Trigger::After(Age::days(d))),
        cos_date().prop_map(Trigger::On)
    ]
}

prop_compose! {
    fn cos_lifecycle_rule()(
        id in proptest::option::of("[A-Za-z0-9_-]{1,30}"),
        enabled in any::<bool>(),
        prefix in proptest::option::of("[a-z0-9/]{1,12}"),
        tags in prop::collection::vec(("[a-z]{1,6}", "[a-z0-9]{1,6}").prop_map(|(k, v)| Tag::new(k, v)), 0..3),
        expiration in proptest::option::of(prop_oneof![
            (1u32..10_000).prop_map(|d| Expiration::After(Age::days(d))),
            cos_date().prop_map(Expiration::On),
            Just(Expiration::ExpiredObjectDeleteMarker),
        ]),
        transitions in prop::collection::vec((cos_trigger(), cos_class()).prop_map(|(trigger, storage_class)| Transition::new(trigger, storage_class)), 0..3),
        abort in proptest::option::of((1u32..1000).prop_map(Age::days)),
        noncurrent in proptest::option::of(1u32..1000),
        noncurrent_transitions in prop::collection::vec((1u32..1000, cos_class()).prop_map(|(noncurrent_days, storage_class)| NoncurrentTransition::new(noncurrent_days, storage_class)), 0..2),
    ) -> LifecycleRule {
        let mut filter = LifecycleFilter::default().with_tags(tags);
        filter.prefix = prefix;
        let mut rule = LifecycleRule::new()
            .with_enabled(enabled)
            .with_filter(filter)
            .with_transitions(transitions)
            .with_noncurrent_version_transitions(noncurrent_transitions);
        rule.id = id;
        rule.expiration = expiration;
        rule.abort_incomplete_multipart_upload = abort;
        rule.noncurrent_version_expiration_days = noncurrent;
        rule
    }
}

prop_compose! {
    fn r2_lifecycle_rule()(
        id in "[A-Za-z0-9_-]{1,30}",
        enabled in any::<bool>(),
        prefix in proptest::option::of("[a-z0-9/]{1,12}"),
        expiration in proptest::option::of(prop_oneof![
            (1u64..100_000_000).prop_map(|s| Expiration::After(Age::seconds(s))),
            r2_date().prop_map(Expiration::On),
        ]),
        transitions in prop::collection::vec(prop_oneof![
            (1u64..100_000_000).prop_map(|s| Trigger::After(Age::seconds(s))),
            r2_date().prop_map(Trigger::On),
        ].prop_map(|trigger| Transition::new(trigger, StorageClass::InfrequentAccess)), 0..2),
        abort in proptest::option::of((1u64..100_000_000).prop_map(Age::seconds)),
    ) -> LifecycleRule {
        let mut filter = LifecycleFilter::default();
        filter.prefix = prefix;
        let mut rule = LifecycleRule::new()
            .with_id(id)
            .with_enabled(enabled)
            .with_filter(filter)
            .with_transitions(transitions);
        rule.expiration = expiration;
        rule.abort_incomplete_multipart_upload = abort;
        rule
    }
}

fn with_actions(mut rules: Vec<LifecycleRule>) -> LifecycleConfiguration {
    rules.retain(|r| !r.has_no_action());
    let mut seen = std::collections::HashSet::new();
    rules.retain(|r| r.id.as_ref().is_none_or(|id| seen.insert(id.clone())));
    LifecycleConfiguration::new(rules)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn cos_cors_survives_the_xml_round_trip(rules in prop::collection::vec(cors_rule(), 1..8), vary in proptest::option::of(any::<bool>())) {
        let mut cfg = CorsConfiguration::new(rules);
        cfg.extras.cos_response_vary = vary;
        let xml = cos::encode_cors(&cfg).unwrap();
        prop_assert_eq!(cos::decode_cors(&xml).unwrap(), cfg);
    }

    #[test]
    fn r2_cors_survives_the_json_round_trip(rules in prop::collection::vec(r2_cors_rule(), 1..8)) {
        let cfg = CorsConfiguration::new(rules);
        let json = r2::encode_cors(&cfg).unwrap();
        prop_assert_eq!(r2::decode_cors(&json).unwrap(), Some(cfg));
    }

    #[test]
    fn cos_lifecycle_survives_the_xml_round_trip(rules in prop::collection::vec(cos_lifecycle_rule(), 1..6)) {
        let cfg = with_actions(rules);
        prop_assume!(!cfg.rules.is_empty());
        let xml = cos::encode_lifecycle(&cfg).unwrap();
        prop_assert_eq!(cos::decode_lifecycle(&xml).unwrap(), cfg, "{}", xml);
    }

    #[test]
    fn r2_lifecycle_survives_the_json_round_trip(rules in prop::collection::vec(r2_lifecycle_rule(), 1..6)) {
        let cfg = with_actions(rules);
        prop_assume!(!cfg.rules.is_empty());
        let json = r2::encode_lifecycle(&cfg).unwrap();
        prop_assert_eq!(r2::decode_lifecycle(&json).unwrap(), Some(cfg), "{}", json);
    }

    #[test]
    fn decoders_never_panic_on_arbitrary_text(s in "\\PC{0,300}") {
        for result in [
            cos::decode_cors(&s).map(|_| ()),
            cos::decode_lifecycle(&s).map(|_| ()),
            cos::decode_replication(&s).map(|_| ()),
            cos::decode_policy(&s).map(|_| ()),
            r2::decode_cors(&s).map(|_| ()),
            r2::decode_lifecycle(&s).map(|_| ()),
        ] {
            if let Err(e) = result {
                prop_assert_eq!(e.kind(), ErrorKind::Decode, "{}", e);
            }
        }
    }

    #[test]
    fn decoders_never_panic_on_mangled_valid_documents(cut in 0usize..400, junk in "[<>&\"{}\\[\\],:a-z0-9 ]{0,8}") {
        let cors = CorsConfiguration::new(vec![CorsRule::new(["https://a.com"], [CorsMethod::Get]).with_max_age_seconds(10)]);
        let docs = [cos::encode_cors(&cors).unwrap(), r2::encode_cors(&cors).unwrap()];
        for doc in &docs {
            let at = doc.char_indices().map(|(i, _)| i).nth(cut % doc.chars().count()).unwrap_or(0);
            let mangled = format!("{}{}{}", &doc[..at], junk, &doc[at..]);
            let _ = cos::decode_cors(&mangled);
            let _ = r2::decode_cors(&mangled);
            let _ = cos::decode_lifecycle(&mangled);
            let _ = r2::decode_lifecycle(&mangled);
        }
    }
}
