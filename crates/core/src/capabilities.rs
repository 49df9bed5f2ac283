//! What a provider can do, stated up front.
//!
//! Every [`BucketAdmin`](crate::BucketAdmin) returns a [`Capabilities`] value. Callers use it to
//! decide before calling; providers use it to fail with [`ErrorKind::Unsupported`](crate::ErrorKind)
//! before sending anything; [`crate::convert`] uses it to plan migrations; the README's feature
//! table is generated from it, so the documentation cannot drift from the code.

use crate::error::Provider;
use crate::models::StorageClass;

/// The unit a provider counts lifecycle ages in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AgeUnit {
    /// Whole days (COS `Days`).
    Days,
    /// Seconds (R2 `maxAge`).
    Seconds,
}

/// A plain description of a provider's features and limits. Start from
/// [`Capabilities::none`] (everything off) and switch on what the provider supports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// Which provider this describes.
    pub provider: Provider,

    /// CORS get/put/delete.
    pub cors: bool,
    /// Maximum number of CORS rules, when the provider documents one.
    pub max_cors_rules: Option<usize>,
    /// Largest accepted `max_age_seconds`, when the provider documents one.
    pub max_cors_max_age_seconds: Option<u32>,
    /// Whether `*` is accepted in expose headers.
    pub cors_expose_header_wildcard: bool,
    /// Whether the COS `ResponseVary` extra is supported.
    pub cors_response_vary: bool,
    /// Whether the client can send a live, unsigned CORS preflight (`OPTIONS`).
    pub cors_live_preflight: bool,

    /// Lifecycle get/put/delete.
    pub lifecycle: bool,
    /// Maximum number of lifecycle rules.
    pub max_lifecycle_rules: Option<usize>,
    /// Unit of lifecycle ages on the wire.
    pub lifecycle_age_unit: AgeUnit,
    /// Whether actions can trigger on a date.
    pub lifecycle_dates: bool,
    /// The zone lifecycle dates are midnights in (COS `+08:00`, R2 UTC).
    pub lifecycle_date_offset: time::UtcOffset,
    /// Whether rules can filter on object tags.
    pub lifecycle_tags: bool,
    /// Whether rules can act on noncurrent versions.
    pub lifecycle_noncurrent_versions: bool,
    /// Whether `ExpiredObjectDeleteMarker` is supported.
    pub lifecycle_expired_object_delete_marker: bool,
    /// Whether incomplete multipart uploads can be aborted by age.
    pub lifecycle_abort_multipart: bool,
    /// Whether every rule must carry an id.
    pub lifecycle_requires_rule_id: bool,
    /// Storage classes lifecycle transitions can target.
    pub lifecycle_transition_classes: Vec<StorageClass>,

    /// Versioning get/put.
    pub versioning: bool,
    /// Replication get/put/delete.
    pub replication: bool,
    /// Maximum number of replication rules.
    pub max_replication_rules: Option<usize>,
    /// Bucket policy get/put/delete.
    pub policy: bool,

    /// Canned ACL and grants at creation.
    pub create_acl: bool,
    /// Tags at creation.
    pub create_tags: bool,
    /// Multi-AZ buckets.
    pub multi_az: bool,
    /// Location hints at creation.
    pub location_hint: bool,
    /// Default storage class at creation.
    pub create_storage_class: bool,
    /// Jurisdictions.
    pub jurisdictions: bool,
    /// Object Lock switched on at creation
    /// ([`CreateBucketOptions::object_lock_enabled`](crate::CreateBucketOptions::object_lock_enabled)).
    pub create_object_lock: bool,
}

impl Capabilities {
    /// A provider that supports nothing; switch features on field by field.
    pub fn none(provider: Provider) -> Self {
        Self {
            provider,
            cors: false,
            max_cors_rules: None,
            max_cors_max_age_seconds: None,
            cors_expose_header_wildcard: false,
            cors_response_vary: false,
            cors_live_preflight: false,
            lifecycle: false,
            max_lifecycle_rules: None,
            lifecycle_age_unit: AgeUnit::Days,
            lifecycle_dates: false,
            lifecycle_date_offset: time::UtcOffset::UTC,
            lifecycle_tags: false,
            lifecycle_noncurrent_versions: false,
            lifecycle_expired_object_delete_marker: false,
            lifecycle_abort_multipart: false,
            lifecycle_requires_rule_id: false,
            lifecycle_transition_classes: Vec::new(),
            versioning: false,
            replication: false,
            max_replication_rules: None,
            policy: false,
            create_acl: false,
            create_tags: false,
            multi_az: false,
            location_hint: false,
            create_storage_class: false,
            jurisdictions: false,
            create_object_lock: false,
        }
    }

    /// The feature table rows: `(feature, value)` in a fixed order. Used to generate the README
    /// table and the CLI's `capabilities` output.
    pub fn feature_rows(&self) -> Vec<(&'static str, String)> {
        fn yes(b: bool) -> String {
            if b { "yes".into() } else { "no".into() }
        }
        fn limit(l: Option<usize>) -> String {
            l.map_or_else(|| "no documented limit".into(), |n| n.to_string())
        }
        vec![
            ("CORS", yes(self.cors)),
            ("max CORS rules", limit(self.max_cors_rules)),
            (
                "`*` in CORS expose headers",
                yes(self.cors_expose_header_wildcard),
            ),
            ("CORS `ResponseVary`", yes(self.cors_response_vary)),
            ("live preflight (`OPTIONS`)", yes(self.cors_live_preflight)),
            ("lifecycle", yes(self.lifecycle)),
            ("max lifecycle rules", limit(self.max_lifecycle_rules)),
            (
                "lifecycle age unit",
                match self.lifecycle_age_unit {
                    AgeUnit::Days => "days".into(),
                    AgeUnit::Seconds => "seconds".into(),
                },
            ),
            (
                "lifecycle dates",
                if self.lifecycle_dates {
                    format!("yes (midnight {})", zone_name(self.lifecycle_date_offset))
                } else {
                    "no".into()
                },
            ),
            ("lifecycle tag filters", yes(self.lifecycle_tags)),
            (
                "lifecycle noncurrent versions",
                yes(self.lifecycle_noncurrent_versions),
            ),
            (
                "lifecycle abort multipart",
                yes(self.lifecycle_abort_multipart),
            ),
            (
                "lifecycle transition classes",
                if self.lifecycle_transition_classes.is_empty() {
                    "none".into()
                } else {
                    self.lifecycle_transition_classes
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            ),
            ("versioning", yes(self.versioning)),
            ("replication", yes(self.replication)),
            ("bucket policy", yes(self.policy)),
            ("ACL / grants on create", yes(self.create_acl)),
            ("tags on create", yes(self.create_tags)),
            ("multi-AZ buckets", yes(self.multi_az)),
            ("location hint", yes(self.location_hint)),
            ("storage class on create", yes(self.create_storage_class)),
            ("jurisdictions", yes(self.jurisdictions)),
            ("object lock on create", yes(self.create_object_lock)),
        ]
    }

    /// A Markdown table with one column per provider, generated from [`Self::feature_rows`].
    pub fn markdown_table(providers: &[Capabilities]) -> String {
        let mut out = String::from("| feature |");
        for p in providers {
            out.push_str(&format!(" {} |", p.provider));
        }
        out.push_str("\n| --- |");
        for _ in providers {
            out.push_str(" --- |");
        }
        out.push('\n');
        let columns: Vec<_> = providers.iter().map(Capabilities::feature_rows).collect();
        if let Some(first) = columns.first() {
            for (row, (feature, _)) in first.iter().enumerate() {
                out.push_str(&format!("| {feature} |"));
                for col in &columns {
                    out.push_str(&format!(" {} |", col[row].1));
                }
                out.push('\n');
            }
        }
        out
    }
}

/// `UTC` or `+08:00`.
pub(crate) fn zone_name(offset: time::UtcOffset) -> String {
    if offset == time::UtcOffset::UTC {
        return "UTC".into();
    }
    let (h, m, _) = offset.as_hms();
    let sign = if offset.is_negative() { '-' } else { '+' };
    format!("{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_supports_nothing_and_table_has_a_column_per_provider() {
        let mut cos = Capabilities::none(Provider::Cos);
        cos.cors = true;
        cos.max_cors_rules = Some(100);
        let r2 = Capabilities::none(Provider::R2);
        let table = Capabilities::markdown_table(&[cos, r2]);
        let lines: Vec<_> = table.lines().collect();
        assert_eq!(lines[0], "| feature | COS | R2 |");
        assert_eq!(lines[2], "| CORS | yes | no |");
        assert_eq!(lines[3], "| max CORS rules | 100 | no documented limit |");
        assert!(lines.iter().all(|l| l.matches('|').count() == 4));
    }
}
