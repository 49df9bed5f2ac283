//! Property tests of the neutral models, the preflight evaluator and the migration converters.

use bucket_admin_core::convert::{ChangeKind, cors_for, lifecycle_for};
use bucket_admin_core::preflight::{PreflightOutcome, PreflightRequest, evaluate};
use bucket_admin_core::{
    Age, AgeUnit, Capabilities, CorsConfiguration, CorsMethod, CorsRule, Expiration,
    LifecycleConfiguration, LifecycleDate, LifecycleFilter, LifecycleRule, Provider, StorageClass,
    Tag, Transition, Trigger,
};
use proptest::prelude::*;
use time::Date;

fn method() -> impl Strategy<Value = CorsMethod> {
    prop::sample::select(CorsMethod::ALL.to_vec())
}

fn origin() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("*".to_string()),
        "[a-z]{1,8}".prop_map(|h| format!("https://{h}.example.com")),
        "[a-z]{1,8}".prop_map(|h| format!("https://*.{h}.com")),
        (1u16..65535).prop_map(|p| format!("http://localhost:{p}")),
    ]
}

fn header() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9-]{0,15}",
        "x-cos-meta-[a-z]{0,5}\\*",
        Just("*".to_string())
    ]
}

prop_compose! {
    fn cors_rule()(
        id in proptest::option::of("[A-Za-z0-9 _-]{1,20}"),
        origins in prop::collection::vec(origin(), 1..4),
        methods in prop::collection::vec(method(), 1..5),
        allowed_headers in prop::collection::vec(header(), 0..4),
        expose_headers in prop::collection::vec("[A-Za-z][A-Za-z0-9-]{0,15}", 0..4),
        max_age_seconds in proptest::option::of(0u32..200_000),
    ) -> CorsRule {
        let mut rule = CorsRule::new(origins, methods)
            .with_allowed_headers(allowed_headers)
            .with_expose_headers(expose_headers);
        rule.id = id;
        rule.max_age_seconds = max_age_seconds;
        rule
    }
}

fn cors_config() -> impl Strategy<Value = CorsConfiguration> {
    (
        prop::collection::vec(cors_rule(), 1..12),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(rules, vary)| {
            let mut c = CorsConfiguration::new(rules);
            c.extras.cos_response_vary = vary;
            c
        })
}

fn age() -> impl Strategy<Value = Age> {
    prop_oneof![
        (1u32..5000).prop_map(Age::days),
        (1u64..10_000_000).prop_map(Age::seconds)
    ]
}

/// Dates in UTC, the zone of the test targets (the zone shift has its own unit test).
fn date() -> impl Strategy<Value = LifecycleDate> {
    (2000i32..2100, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| {
        LifecycleDate::utc(
            Date::from_calendar_date(y, time::Month::try_from(m).expect("month"), d).expect("date"),
        )
    })
}

fn storage_class() -> impl Strategy<Value = StorageClass> {
    prop_oneof![
        Just(StorageClass::InfrequentAccess),
        Just(StorageClass::Archive),
        Just(StorageClass::DeepArchive),
        Just(StorageClass::Other("MAZ_STANDARD_IA".into())),
    ]
}

prop_compose! {
    fn lifecycle_rule()(
        id in proptest::option::of("[a-z0-9-]{1,20}"),
        enabled in any::<bool>(),
        prefix in proptest::option::of("[a-z/]{1,10}"),
        tags in prop::collection::vec(("[a-z]{1,5}", "[a-z]{0,5}").prop_map(|(k, v)| Tag::new(k, v)), 0..2),
        expiration in proptest::option::of(prop_oneof![
            age().prop_map(Expiration::After),
            date().prop_map(Expiration::On),
            Just(Expiration::ExpiredObjectDeleteMarker),
        ]),
        transitions in prop::collection::vec((prop_oneof![age().prop_map(Trigger::After), date().prop_map(Trigger::On)], storage_class())
            .prop_map(|(trigger, storage_class)| Transition::new(trigger, storage_class)), 0..3),
        abort in proptest::option::of(age()),
        noncurrent in proptest::option::of(1u32..1000),
    ) -> LifecycleRule {
        let mut filter = LifecycleFilter::default().with_tags(tags);
        filter.prefix = prefix;
        let mut rule = LifecycleRule::new()
            .with_enabled(enabled)
            .with_filter(filter)
            .with_transitions(transitions);
        rule.id = id;
        rule.expiration = expiration;
        rule.abort_incomplete_multipart_upload = abort;
        rule.noncurrent_version_expiration_days = noncurrent;
        rule
    }
}

fn r2_like() -> Capabilities {
    let mut c = Capabilities::none(Provider::R2);
    c.cors = true;
    c.lifecycle = true;
    c.lifecycle_age_unit = AgeUnit::Seconds;
    c.lifecycle_dates = true;
    c.lifecycle_abort_multipart = true;
    c.lifecycle_requires_rule_id = true;
    c.max_lifecycle_rules = Some(1000);
    c.lifecycle_transition_classes = vec![StorageClass::InfrequentAccess];
    c
}

/// A days-based target with tags and noncurrent versions but no delete-marker cleanup and a
/// short list of transition classes, so every kind of change can happen.
fn cos_like() -> Capabilities {
    let mut c = Capabilities::none(Provider::Cos);
    c.lifecycle = true;
    c.lifecycle_age_unit = AgeUnit::Days;
    c.lifecycle_dates = true;
    c.lifecycle_tags = true;
    c.lifecycle_noncurrent_versions = true;
    c.lifecycle_abort_multipart = true;
    c.max_lifecycle_rules = Some(4);
    c.lifecycle_transition_classes = vec![StorageClass::Archive, StorageClass::DeepArchive];
    c
}

/// Every field of every kept rule that differs from its source has a change naming it, and a
/// rule that is not kept has a change naming the whole rule.
fn assert_every_difference_is_reported(
    source: &LifecycleConfiguration,
    plan: &bucket_admin_core::convert::Converted<LifecycleConfiguration>,
) -> Result<(), TestCaseError> {
    let reported = |field: &str| {
        plan.changes.iter().any(|c| {
            c.path == field
                || c.path.starts_with(&format!("{field}."))
                || c.path.starts_with(&format!("{field}["))
        })
    };
    let mut kept = plan.value.rules.iter();
    for (i, src) in source.rules.iter().enumerate() {
        let at = format!("rules[{i}]");
        let whole_rule_dropped = plan
            .changes
            .iter()
            .any(|c| c.path == at && c.kind == ChangeKind::Dropped);
        if whole_rule_dropped {
            continue;
        }
        let out = kept
            .next()
            .ok_or_else(|| TestCaseError::fail(format!("{at} vanished without a change")))?;
        prop_assert_eq!(out.enabled, src.enabled, "{} enabled", at);
        prop_assert_eq!(&out.filter, &src.filter, "{} filter", at);
        if out.id != src.id {
            prop_assert!(reported(&format!("{at}.id")), "{at}.id differs silently");
        }
        if out.expiration != src.expiration {
            prop_assert!(
                reported(&format!("{at}.expiration")),
                "{at}.expiration differs silently: {:?} -> {:?}",
                src.expiration,
                out.expiration
            );
        }
        if out.abort_incomplete_multipart_upload != src.abort_incomplete_multipart_upload {
            prop_assert!(
                reported(&format!("{at}.abort_incomplete_multipart_upload")),
                "{at}.abort differs silently"
            );
        }
        if out.noncurrent_version_expiration_days != src.noncurrent_version_expiration_days {
            prop_assert!(
                reported(&format!("{at}.noncurrent_version_expiration_days")),
                "{at} noncurrent differs silently"
            );
        }
        // Transitions keep their order; each source transition is either carried over
        // unchanged or has a change naming it.
        let mut out_transitions = out.transitions.iter();
        for (j, t) in src.transitions.iter().enumerate() {
            let tat = format!("{at}.transitions[{j}]");
            let dropped = plan
                .changes
                .iter()
                .any(|c| c.path == tat && c.kind == ChangeKind::Dropped);
            if dropped {
                continue;
            }
            let o = out_transitions
                .next()
                .ok_or_else(|| TestCaseError::fail(format!("{tat} vanished without a change")))?;
            if o != t {
                prop_assert!(reported(&tat), "{tat} differs silently: {t:?} -> {o:?}");
            }
        }
        prop_assert!(out_transitions.next().is_none(), "{at} gained a transition");
    }
    prop_assert!(
        kept.next().is_none(),
        "the plan has more rules than the source"
    );
    Ok(())
}

fn everything() -> Capabilities {
    let mut c = Capabilities::none(Provider::Other("all"));
    c.cors = true;
    c.cors_expose_header_wildcard = true;
    c.cors_response_vary = true;
    c.lifecycle = true;
    c.lifecycle_age_unit = AgeUnit::Seconds;
    c.lifecycle_dates = true;
    c.lifecycle_tags = true;
    c.lifecycle_noncurrent_versions = true;
    c.lifecycle_expired_object_delete_marker = true;
    c.lifecycle_abort_multipart = true;
    c.lifecycle_transition_classes = vec![
        StorageClass::InfrequentAccess,
        StorageClass::Archive,
        StorageClass::DeepArchive,
        StorageClass::Other("MAZ_STANDARD_IA".into()),
    ];
    c
}

proptest! {
    #[test]
    fn cors_json_round_trips(cfg in cors_config()) {
        let json = serde_json::to_string(&cfg).unwrap();
        prop_assert_eq!(serde_json::from_str::<CorsConfiguration>(&json).unwrap(), cfg);
    }

    #[test]
    fn lifecycle_json_round_trips(rules in prop::collection::vec(lifecycle_rule(), 1..6)) {
        let cfg = LifecycleConfiguration::new(rules);
        let json = serde_json::to_string(&cfg).unwrap();
        prop_assert_eq!(serde_json::from_str::<LifecycleConfiguration>(&json).unwrap(), cfg);
    }

    #[test]
    fn converting_to_a_target_that_supports_everything_is_lossless(
        cors in cors_config(),
        rules in prop::collection::vec(lifecycle_rule(), 1..6),
    ) {
        let all = everything();
        let plan = cors_for(&cors, &all).unwrap();
        prop_assert!(plan.is_lossless());
        prop_assert_eq!(plan.value, cors);
        let mut lifecycle = LifecycleConfiguration::new(rules);
        lifecycle.rules.retain(|r| !r.has_no_action());
        let plan = lifecycle_for(&lifecycle, &all).unwrap();
        prop_assert!(plan.is_lossless(), "{:?}", plan.changes);
        prop_assert_eq!(plan.value, lifecycle);
    }

    #[test]
    fn every_difference_after_conversion_is_reported(
        rules in prop::collection::vec(lifecycle_rule(), 1..6),
    ) {
        let cfg = LifecycleConfiguration::new(rules);
        let plan = lifecycle_for(&cfg, &r2_like()).unwrap();
        // Whatever survives is expressible on the target...
        for rule in &plan.value.rules {
            prop_assert!(rule.filter.tags.is_empty());
            prop_assert!(rule.noncurrent_version_expiration_days.is_none());
            prop_assert!(rule.id.is_some());
            prop_assert!(!rule.has_no_action());
            prop_assert!(rule.transitions.iter().all(|t| t.storage_class == StorageClass::InfrequentAccess));
        }
        // ...and every difference has its own change.
        assert_every_difference_is_reported(&cfg, &plan)?;
        let dropped_rules = plan.changes.iter().filter(|c| c.kind == ChangeKind::Dropped && !c.path.contains('.')).count();
        prop_assert_eq!(plan.value.rules.len() + dropped_rules, cfg.rules.len());
    }

    #[test]
    fn every_difference_is_reported_on_a_days_based_target(
        rules in prop::collection::vec(lifecycle_rule(), 1..7),
    ) {
        let cfg = LifecycleConfiguration::new(rules);
        let plan = lifecycle_for(&cfg, &cos_like()).unwrap();
        for rule in &plan.value.rules {
            // Days-based: every age that survives is a whole number of days.
            if let Some(Expiration::After(age)) = rule.expiration {
                prop_assert!(age.whole_days().is_some(), "{age:?}");
            }
            if let Some(age) = rule.abort_incomplete_multipart_upload {
                prop_assert!(age.whole_days().is_some(), "{age:?}");
            }
            for t in &rule.transitions {
                if let Trigger::After(age) = t.trigger {
                    prop_assert!(age.whole_days().is_some(), "{age:?}");
                }
            }
        }
        prop_assert!(plan.value.rules.len() <= 4);
        assert_every_difference_is_reported(&cfg, &plan)?;
    }

    #[test]
    fn preflight_never_panics_and_allowed_answers_come_from_a_matching_rule(
        cfg in cors_config(),
        origin in "[ -~]{0,40}",
        method in "[A-Z]{0,7}",
        headers in prop::collection::vec("[ -~]{0,12}", 0..4),
    ) {
        let req = PreflightRequest::new(origin.clone(), method.clone()).with_headers(headers.iter());
        match evaluate(Some(&cfg), &req) {
            PreflightOutcome::Allowed(a) => {
                let rule = &cfg.rules[a.rule_index.unwrap()];
                prop_assert!(rule.allowed_methods.iter().any(|m| m.as_str() == method));
                prop_assert!(a.allow_origin == "*" || a.allow_origin == origin);
            }
            PreflightOutcome::Denied(d) => {
                prop_assert!(d.mismatches.len() <= cfg.rules.len());
            }
            other => prop_assert!(false, "evaluate gave an outcome this test does not know: {other}"),
        }
    }

    #[test]
    fn arbitrary_json_never_panics_the_model_decoders(s in "\\PC{0,200}") {
        let _ = serde_json::from_str::<CorsConfiguration>(&s);
        let _ = serde_json::from_str::<LifecycleConfiguration>(&s);
        let _ = serde_json::from_str::<bucket_admin_core::BucketPolicy>(&s);
    }
}
