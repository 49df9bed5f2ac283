//! COS-specific limits, checked before anything is sent (cos-protocol §4).
//!
//! Each function returns every problem found, on top of the provider-neutral checks of the
//! core models.

use bucket_admin_core::{
    BucketPolicy, CorsConfiguration, LifecycleConfiguration, ReplicationConfiguration, Violations,
};

/// Most CORS rules COS accepts.
pub const MAX_CORS_RULES: usize = 100;
/// Largest CORS body COS accepts, in bytes.
pub const MAX_CORS_BODY_BYTES: usize = 64 * 1024;
/// Most lifecycle rules COS accepts.
pub const MAX_LIFECYCLE_RULES: usize = 1000;
/// Most replication rules COS accepts.
pub const MAX_REPLICATION_RULES: usize = 1000;
/// Longest bucket host name (`<BucketName-APPID>.cos.<region>.myqcloud.com`) COS accepts.
pub const MAX_BUCKET_HOST_LEN: usize = 60;
/// Longest user-chosen part of a bucket name.
pub const MAX_BUCKET_NAME_LEN: usize = 50;

/// Checks a bucket name `<name>-<APPID>` and the length of the host it gives.
pub fn bucket_name(bucket: &str, host: &str) -> Violations {
    let mut v = Violations::new();
    let field = || "bucket".to_owned();
    if bucket.is_empty() {
        v.push(field(), "must not be empty");
        return v;
    }
    v.check(
        bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        field,
        "only lowercase letters, digits and '-' are allowed",
    );
    v.check(
        !bucket.starts_with('-') && !bucket.ends_with('-'),
        field,
        "must not start or end with '-'",
    );
    match bucket.rsplit_once('-') {
        Some((name, appid)) if !name.is_empty() && !appid.is_empty() => {
            v.check(
                appid.bytes().all(|b| b.is_ascii_digit()),
                field,
                "must end with -<APPID>, the APPID being digits (e.g. examplebucket-1250000000)",
            );
            v.check(
                name.len() <= MAX_BUCKET_NAME_LEN,
                field,
                format!("the name before -<APPID> is at most {MAX_BUCKET_NAME_LEN} characters"),
            );
        }
        _ => v.push(
            field(),
            "must be <name>-<APPID> (e.g. examplebucket-1250000000)",
        ),
    }
    v.check(
        host.len() <= MAX_BUCKET_HOST_LEN,
        field,
        format!(
            "the bucket host `{host}` is {} characters; COS allows at most {MAX_BUCKET_HOST_LEN}",
            host.len()
        ),
    );
    v
}

/// Core CORS checks plus the COS limits: at most 100 rules, no `*` in expose headers.
pub fn cors(cfg: &CorsConfiguration) -> Violations {
    let mut v = cfg.validate();
    v.check(
        cfg.rules.len() <= MAX_CORS_RULES,
        || "rules".into(),
        format!("COS accepts at most {MAX_CORS_RULES} CORS rules"),
    );
    for (i, rule) in cfg.rules.iter().enumerate() {
        for (j, h) in rule.expose_headers.iter().enumerate() {
            v.check(
                !h.contains('*'),
                || format!("rules[{i}].expose_headers[{j}]"),
                "COS does not accept '*' in expose headers",
            );
        }
    }
    v
}

/// Core lifecycle checks plus the COS limit of 1000 rules. (Ages that are not whole days are
/// reported by the conversion to the wire format.)
pub fn lifecycle(cfg: &LifecycleConfiguration) -> Violations {
    let mut v = cfg.validate();
    v.check(
        cfg.rules.len() <= MAX_LIFECYCLE_RULES,
        || "rules".into(),
        format!("COS accepts at most {MAX_LIFECYCLE_RULES} lifecycle rules"),
    );
    // COS reads every date as midnight China time: a date from another zone would be sent
    // as a different instant (or rejected), so it must be converted knowingly first.
    let zone = bucket_admin_core::CHINA_STANDARD_TIME;
    let mut check_date = |date: &bucket_admin_core::LifecycleDate, field: String| {
        v.check(
            date.offset() == zone,
            || field,
            format!(
                "COS lifecycle dates are midnight China Standard Time (+08:00) but {date} is midnight in another zone; convert the configuration with bucket_admin_core::convert::lifecycle_for, which reports the shift"
            ),
        );
    };
    for (i, rule) in cfg.rules.iter().enumerate() {
        if let Some(bucket_admin_core::Expiration::On(date)) = &rule.expiration {
            check_date(date, format!("rules[{i}].expiration.on"));
        }
        for (j, t) in rule.transitions.iter().enumerate() {
            if let bucket_admin_core::Trigger::On(date) = &t.trigger {
                check_date(date, format!("rules[{i}].transitions[{j}].trigger.on"));
            }
        }
    }
    v
}

/// Core replication checks plus the COS destination format
/// `qcs::cos:<region>::<BucketName-APPID>`.
pub fn replication(cfg: &ReplicationConfiguration) -> Violations {
    let mut v = cfg.validate();
    v.check(
        cfg.rules.len() <= MAX_REPLICATION_RULES,
        || "rules".into(),
        format!("COS accepts at most {MAX_REPLICATION_RULES} replication rules"),
    );
    for (i, rule) in cfg.rules.iter().enumerate() {
        let dest = rule.destination.bucket.trim();
        if dest.is_empty() {
            continue; // reported by the core checks
        }
        let ok = dest
            .strip_prefix("qcs::cos:")
            .and_then(|rest| rest.split_once("::"))
            .is_some_and(|(region, bucket)| {
                !region.is_empty()
                    && region
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && bucket_name(bucket, "").is_empty()
            });
        v.check(
            ok,
            || format!("rules[{i}].destination.bucket"),
            "must be qcs::cos:<region>::<BucketName-APPID>, e.g. qcs::cos:ap-shanghai::destinationbucket-1250000000",
        );
    }
    v
}

/// Core policy checks.
pub fn policy(policy: &BucketPolicy) -> Violations {
    policy.validate()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(v: Violations) -> Vec<String> {
        v.into_vec().into_iter().map(|x| x.rule).collect()
    }

    #[test]
    fn bucket_names() {
        let host = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com";
        assert!(bucket_name("examplebucket-1250000000", host).is_empty());
        for bad in [
            "Invalid-Name-1250000000",
            "-lead-1250000000",
            "examplebucket",
            "examplebucket-12500x",
            "under_score-1250000000",
            "",
        ] {
            assert!(!bucket_name(bad, "h").is_empty(), "{bad} accepted");
        }
        let long = format!("{}-1250000000", "a".repeat(40));
        let long_host = format!("{long}.cos.ap-beijing.myqcloud.com");
        assert!(fields(bucket_name(&long, &long_host))[0].contains("at most 60"));
    }
}
