//! S3 limits, checked before anything is sent, on top of the provider-neutral checks of the
//! core models. Limits that differ between profiles come from their
//! [`Capabilities`].

use bucket_admin_core::{
    Capabilities, CorsConfiguration, LifecycleConfiguration, ReplicationConfiguration, Violations,
};

use crate::config::Addressing;

/// Most CORS rules S3 accepts.
pub const MAX_CORS_RULES: usize = 100;
/// Largest CORS body S3 accepts, in bytes.
pub const MAX_CORS_BODY_BYTES: usize = 64 * 1024;
/// Most lifecycle rules S3 accepts.
pub const MAX_LIFECYCLE_RULES: usize = 1000;
/// Most replication rules S3 accepts.
pub const MAX_REPLICATION_RULES: usize = 1000;

/// Checks a bucket name against the S3 naming rules: 3 to 63 characters, lowercase letters,
/// digits, '-' and '.', starting and ending with a letter or digit. With virtual-host
/// addressing a '.' is refused too, since the name becomes a TLS host label.
pub fn bucket_name(bucket: &str, addressing: Addressing) -> Violations {
    let mut v = Violations::new();
    let field = || "bucket".to_owned();
    let len = bucket.len();
    v.check(
        (3..=63).contains(&len),
        field,
        "must be 3 to 63 characters long",
    );
    v.check(
        bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'),
        field,
        "only lowercase letters, digits, '-' and '.' are allowed",
    );
    let edge_ok = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    v.check(
        edge_ok(bucket.bytes().next()) && edge_ok(bucket.bytes().last()),
        field,
        "must start and end with a letter or digit",
    );
    v.check(!bucket.contains(".."), field, "must not contain '..'");
    if addressing == Addressing::VirtualHost {
        v.check(
            !bucket.contains('.'),
            field,
            "a '.' breaks TLS with virtual-host addressing; use path-style addressing",
        );
    }
    v
}

fn count(v: &mut Violations, field: &str, n: usize, max: Option<usize>, what: &str) {
    if let Some(max) = max {
        v.check(
            n <= max,
            || field.to_owned(),
            format!("at most {max} {what} are allowed, got {n}"),
        );
    }
}

/// Checks a CORS configuration against the profile's limits.
pub fn cors(cfg: &CorsConfiguration, caps: &Capabilities) -> Violations {
    let mut v = cfg.validate();
    count(
        &mut v,
        "rules",
        cfg.rules.len(),
        caps.max_cors_rules,
        "CORS rules",
    );
    for (i, rule) in cfg.rules.iter().enumerate() {
        if let (Some(max), Some(age)) = (caps.max_cors_max_age_seconds, rule.max_age_seconds) {
            v.check(
                age <= max,
                || format!("rules[{i}].max_age_seconds"),
                format!("at most {max}"),
            );
        }
        if !caps.cors_expose_header_wildcard {
            for (j, h) in rule.expose_headers.iter().enumerate() {
                v.check(
                    !h.contains('*'),
                    || format!("rules[{i}].expose_headers[{j}]"),
                    "`*` is not accepted in expose headers here",
                );
            }
        }
    }
    v
}

/// Checks a lifecycle configuration against the profile's features.
pub fn lifecycle(cfg: &LifecycleConfiguration, caps: &Capabilities) -> Violations {
    let mut v = cfg.validate();
    count(
        &mut v,
        "rules",
        cfg.rules.len(),
        caps.max_lifecycle_rules,
        "lifecycle rules",
    );
    for (i, rule) in cfg.rules.iter().enumerate() {
        let at = format!("rules[{i}]");
        if !caps.lifecycle_tags {
            v.check(
                rule.filter.tags.is_empty(),
                || format!("{at}.filter.tags"),
                "tag filters are not supported by this profile",
            );
        }
        if !caps.lifecycle_noncurrent_versions {
            v.check(
                rule.noncurrent_version_expiration_days.is_none()
                    && rule.noncurrent_version_transitions.is_empty(),
                || format!("{at}.noncurrent_version_expiration_days"),
                "noncurrent-version actions are not supported by this profile",
            );
        }
        if !caps.lifecycle_expired_object_delete_marker {
            v.check(
                !matches!(
                    rule.expiration,
                    Some(bucket_admin_core::Expiration::ExpiredObjectDeleteMarker)
                ),
                || format!("{at}.expiration"),
                "ExpiredObjectDeleteMarker is not supported by this profile",
            );
        }
        for (j, t) in rule.transitions.iter().enumerate() {
            v.check(
                caps.lifecycle_transition_classes.contains(&t.storage_class),
                || format!("{at}.transitions[{j}].storage_class"),
                format!(
                    "this profile cannot transition to {}",
                    t.storage_class.as_str()
                ),
            );
        }
    }
    v
}

/// Checks a replication configuration: S3 needs a role and at most the rule limit.
pub fn replication(cfg: &ReplicationConfiguration, caps: &Capabilities) -> Violations {
    let mut v = cfg.validate();
    count(
        &mut v,
        "rules",
        cfg.rules.len(),
        caps.max_replication_rules,
        "replication rules",
    );
    v.check(
        cfg.role.as_deref().is_some_and(|r| !r.trim().is_empty()),
        || "role".to_owned(),
        "S3 replication needs the IAM role it replicates as",
    );
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names() {
        assert!(bucket_name("my-bucket.logs", Addressing::Path).is_empty());
        let fields = |b: &str, a| bucket_name(b, a).into_vec().len();
        assert_eq!(fields("ab", Addressing::Path), 1);
        assert_eq!(fields("My_Bucket", Addressing::Path), 2); // characters and first letter
        assert_eq!(fields("-bucket", Addressing::Path), 1);
        assert_eq!(fields("a..b", Addressing::Path), 1);
        assert_eq!(fields("my.bucket", Addressing::VirtualHost), 1);
    }
}
