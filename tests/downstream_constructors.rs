//! The core models are `#[non_exhaustive]`: a crate outside `bucket-admin-core` cannot write
//! their struct literals. This integration test is such a crate; it builds every value a user
//! needs through the constructors and `with_*` setters, and checks the JSON shape did not change.

use bucket_admin::{
    Age, CannedAcl, CorsConfiguration, CorsExtras, CorsMethod, CorsRule, CreateBucketOptions,
    Expiration, Grant, GrantPermission, Jurisdiction, LifecycleConfiguration, LifecycleFilter,
    LifecycleRule, NoncurrentTransition, StorageClass, Tag, Transition,
};
use serde_json::json;

#[test]
fn a_cors_rule_is_built_without_a_struct_literal() {
    let cors = CorsConfiguration::new(vec![
        CorsRule::new(
            ["https://app.example.com"],
            [CorsMethod::Get, CorsMethod::Put],
        )
        .with_id("web")
        .with_allowed_headers(["content-type"])
        .with_expose_headers(["ETag"])
        .with_max_age_seconds(600),
    ])
    .with_extras(CorsExtras::default().with_cos_response_vary(true));
    assert!(cors.validate().is_empty());
    assert_eq!(
        serde_json::to_value(&cors).unwrap(),
        json!({
            "rules": [{
                "id": "web",
                "allowed_origins": ["https://app.example.com"],
                "allowed_methods": ["GET", "PUT"],
                "allowed_headers": ["content-type"],
                "expose_headers": ["ETag"],
                "max_age_seconds": 600
            }],
            "extras": {"cos_response_vary": true}
        })
    );
}

#[test]
fn a_lifecycle_rule_with_a_filter_and_a_transition_is_built_without_a_struct_literal() {
    let rule = LifecycleRule::new()
        .with_id("archive-logs")
        .with_filter(LifecycleFilter::prefix("logs/").with_tag(Tag::new("team", "data")))
        .with_transition(Transition::after(Age::days(30), StorageClass::Archive))
        .with_noncurrent_version_transition(NoncurrentTransition::new(
            7,
            StorageClass::InfrequentAccess,
        ))
        .with_expiration(Expiration::After(Age::days(365)));
    let cfg = LifecycleConfiguration::new(vec![rule.clone()]);
    assert!(cfg.validate().is_empty(), "{:?}", cfg.validate());
    assert_eq!(
        serde_json::to_value(&rule).unwrap(),
        json!({
            "id": "archive-logs",
            "enabled": true,
            "filter": {"prefix": "logs/", "tags": [{"key": "team", "value": "data"}]},
            "expiration": {"after": {"days": 365}},
            "transitions": [{"trigger": {"after": {"days": 30}}, "storage_class": "archive"}],
            "noncurrent_version_transitions": [
                {"noncurrent_days": 7, "storage_class": "infrequent_access"}
            ]
        })
    );
    // `new` is enabled; `default` stays the disabled, empty rule it always was.
    assert!(!LifecycleRule::default().enabled);
    assert!(!rule.clone().with_enabled(false).enabled);
}

#[test]
fn create_bucket_options_are_built_without_a_struct_literal() {
    let cos = CreateBucketOptions::new()
        .with_acl(CannedAcl::Private)
        .with_grant(Grant::new(GrantPermission::Read, [r#"id="100000000011""#]))
        .with_tag(Tag::new("team", "web"))
        .with_multi_az(true);
    assert_eq!(
        serde_json::to_value(&cos).unwrap(),
        json!({
            "acl": "private",
            "grants": [{"permission": "read", "grantees": ["id=\"100000000011\""]}],
            "tags": [{"key": "team", "value": "web"}],
            "multi_az": true
        })
    );
    let r2 = CreateBucketOptions::new()
        .with_location_hint("weur")
        .with_storage_class(StorageClass::InfrequentAccess)
        .with_jurisdiction(Jurisdiction::Eu);
    assert_eq!(
        serde_json::to_value(&r2).unwrap(),
        json!({"location_hint": "weur", "storage_class": "infrequent_access", "jurisdiction": "eu"})
    );
    assert_eq!(CreateBucketOptions::new(), CreateBucketOptions::default());
}
