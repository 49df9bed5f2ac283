//! Cross-region / cross-bucket replication configuration.

use serde::{Deserialize, Serialize};

use crate::models::StorageClass;
use crate::validate::Violations;

/// Where a replication rule copies objects to.
///
/// Non-exhaustive: build it with [`ReplicationDestination::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReplicationDestination {
    /// Destination bucket in the provider's resource format
    /// (COS: `qcs::cos:<region>::<BucketName-APPID>`).
    pub bucket: String,
    /// Storage class of the copies; `None` keeps the source class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<StorageClass>,
}

/// One replication rule.
///
/// Non-exhaustive: build it with [`ReplicationRule::new`] and the `with_*` setters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReplicationRule {
    /// Rule id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Whether the rule is active.
    pub enabled: bool,
    /// Priority among overlapping rules (higher wins), when the provider supports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    /// Key prefix the rule applies to; `None` or empty means every object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Where copies go.
    pub destination: ReplicationDestination,
    /// Whether delete markers are replicated, when the provider exposes the switch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_marker_replication: Option<bool>,
}

/// A bucket's replication configuration.
///
/// Non-exhaustive: build it with [`ReplicationConfiguration::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReplicationConfiguration {
    /// The identity replication acts as (COS: `qcs::cam::uin/<owner>:uin/<sub>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The rules.
    pub rules: Vec<ReplicationRule>,
}

impl ReplicationDestination {
    /// Replicate into `bucket` (COS: `qcs::cos:<region>::<bucket>`).
    pub fn new(bucket: impl Into<String>) -> Self {
        Self {
            bucket: bucket.into(),
            storage_class: None,
        }
    }

    /// Set the storage class of the replicas.
    #[must_use]
    pub fn with_storage_class(mut self, class: StorageClass) -> Self {
        self.storage_class = Some(class);
        self
    }
}

impl ReplicationRule {
    /// An enabled rule replicating every object to `destination`.
    pub fn new(destination: ReplicationDestination) -> Self {
        Self {
            id: None,
            enabled: true,
            priority: None,
            prefix: None,
            destination,
            delete_marker_replication: None,
        }
    }

    /// Set the id.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Enable or disable the rule.
    #[must_use]
    pub fn with_enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// Set the priority.
    #[must_use]
    pub fn with_priority(mut self, priority: u32) -> Self {
        self.priority = Some(priority);
        self
    }

    /// Replicate only keys with this prefix.
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Set whether delete markers are replicated.
    #[must_use]
    pub fn with_delete_marker_replication(mut self, replicate: bool) -> Self {
        self.delete_marker_replication = Some(replicate);
        self
    }
}

impl ReplicationConfiguration {
    /// A configuration holding `rules`, with no role.
    pub fn new(rules: Vec<ReplicationRule>) -> Self {
        Self { role: None, rules }
    }

    /// Set the role the provider replicates as.
    #[must_use]
    pub fn with_role(mut self, role: impl Into<String>) -> Self {
        self.role = Some(role.into());
        self
    }

    /// Checks what holds for every provider: at least one and at most 1000 rules, unique ids,
    /// non-empty destinations, no two enabled rules with overlapping prefixes. Returns every
    /// problem found.
    pub fn validate(&self) -> Violations {
        let mut v = Violations::new();
        v.check(
            !self.rules.is_empty(),
            || "rules".into(),
            "at least one rule is required",
        );
        v.check(
            self.rules.len() <= 1000,
            || "rules".into(),
            "at most 1000 rules",
        );
        for (i, rule) in self.rules.iter().enumerate() {
            let at = format!("rules[{i}]");
            v.check(
                !rule.destination.bucket.trim().is_empty(),
                || format!("{at}.destination.bucket"),
                "must not be empty",
            );
            if let Some(id) = &rule.id {
                let dup = self.rules[..i]
                    .iter()
                    .any(|r| r.id.as_deref() == Some(id.as_str()));
                v.check(!dup, || format!("{at}.id"), "ids must be unique");
            }
            let prefix = rule.prefix.as_deref().unwrap_or("");
            let overlaps = self.rules[..i].iter().any(|other| {
                let p = other.prefix.as_deref().unwrap_or("");
                p.starts_with(prefix) || prefix.starts_with(p)
            });
            v.check(
                !overlaps,
                || format!("{at}.prefix"),
                "prefixes of replication rules must not overlap",
            );
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str, prefix: &str) -> ReplicationRule {
        ReplicationRule {
            id: Some(id.into()),
            enabled: true,
            priority: None,
            prefix: Some(prefix.into()),
            destination: ReplicationDestination {
                bucket: "qcs::cos:ap-shanghai::destinationbucket-1250000000".into(),
                storage_class: Some(StorageClass::Standard),
            },
            delete_marker_replication: None,
        }
    }

    #[test]
    fn overlapping_prefixes_and_duplicate_ids_are_reported() {
        let cfg = ReplicationConfiguration {
            role: Some("qcs::cam::uin/100000000001:uin/100000000001".into()),
            rules: vec![
                rule("a", "logs/"),
                rule("a", "logs/2024/"),
                rule("c", "img/"),
            ],
        };
        let v = cfg.validate().into_vec();
        assert_eq!(v.len(), 2, "{v:?}");
        assert_eq!(v[0].field, "rules[1].id");
        assert_eq!(v[1].field, "rules[1].prefix");
    }

    #[test]
    fn json_round_trip() {
        let cfg = ReplicationConfiguration {
            role: None,
            rules: vec![rule("a", "")],
        };
        let json = serde_json::to_string(&cfg).unwrap();
        assert!(json.contains("\"storage_class\":\"standard\""), "{json}");
        assert_eq!(
            serde_json::from_str::<ReplicationConfiguration>(&json).unwrap(),
            cfg
        );
        assert!(cfg.validate().is_empty());
    }
}
