//! `bucket_admin::formats` from a migration script's point of view: files in one provider's
//! shape converted to another's without the CLI.

use bucket_admin::formats::{self, LifecycleFormat};
use bucket_admin::{Age, Expiration, StorageClass, Transition};

#[test]
fn an_aws_lifecycle_file_becomes_r2_json() {
    let aws = r#"{"Rules": [{"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
        "Expiration": {"Days": 30},
        "Transitions": [{"Days": 7, "StorageClass": "STANDARD_IA"}]}]}"#;
    let (cfg, which) = formats::parse_lifecycle(aws)
        .expect("an AWS lifecycle file is recognised")
        .expect("and valid");
    assert_eq!(which, "AWS/S3 or COS JSON");
    let rule = &cfg.rules[0];
    assert_eq!(rule.id.as_deref(), Some("logs"));
    assert_eq!(rule.filter.prefix.as_deref(), Some("logs/"));
    assert_eq!(rule.expiration, Some(Expiration::After(Age::days(30))));
    assert_eq!(
        rule.transitions,
        [Transition::after(
            Age::days(7),
            StorageClass::InfrequentAccess
        )]
    );
    let r2 = formats::render_lifecycle(&cfg, LifecycleFormat::R2).unwrap();
    let r2: serde_json::Value = serde_json::from_str(&r2).unwrap();
    assert_eq!(r2["rules"][0]["conditions"]["prefix"], "logs/");
    assert_eq!(
        r2["rules"][0]["deleteObjectsTransition"]["condition"]["maxAge"],
        30 * 86_400
    );
}

#[test]
fn a_file_of_the_wrong_kind_is_refused_with_a_hint() {
    let err = formats::parse_cors(r#"{"Rules": [{"Status": "Enabled"}]}"#, None).unwrap_err();
    assert!(err.message.contains("lifecycle configuration"), "{err}");
    assert_eq!(
        err.hint.as_deref(),
        Some("use `bucket-admin lifecycle put` for lifecycle rules")
    );
}
