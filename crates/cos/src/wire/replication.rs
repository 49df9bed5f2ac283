//! `ReplicationConfiguration`.

use bucket_admin_core::{
    Error, ErrorKind, ReplicationConfiguration, ReplicationDestination, ReplicationRule,
};
use serde::{Deserialize, Serialize};

use super::{
    non_empty, status_from_wire, status_to_wire, storage_class_from_wire, storage_class_to_wire,
};

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename = "ReplicationConfiguration")]
pub(crate) struct ReplicationXml {
    #[serde(rename = "Role", default, skip_serializing_if = "Option::is_none")]
    role: Option<String>,
    #[serde(rename = "Rule", default)]
    rules: Vec<RuleXml>,
}

// Field order is the element order of the SDK's documented examples.
#[derive(Debug, Default, Serialize, Deserialize)]
struct RuleXml {
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(rename = "Status", default)]
    status: String,
    #[serde(rename = "Priority", default, skip_serializing_if = "Option::is_none")]
    priority: Option<String>,
    #[serde(rename = "Prefix", default, skip_serializing_if = "Option::is_none")]
    prefix: Option<String>,
    // Read only: some answers nest the prefix in a filter.
    #[serde(rename = "Filter", default, skip_serializing)]
    filter: Option<FilterXml>,
    #[serde(rename = "Destination", default)]
    destination: DestinationXml,
    #[serde(
        rename = "DeleteMarkerReplication",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    delete_marker_replication: Option<StatusXml>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct FilterXml {
    #[serde(rename = "Prefix", default)]
    prefix: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct DestinationXml {
    #[serde(rename = "Bucket", default)]
    bucket: String,
    #[serde(
        rename = "StorageClass",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    storage_class: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct StatusXml {
    #[serde(rename = "Status", default)]
    status: String,
}

impl ReplicationXml {
    pub(crate) fn from_model(cfg: &ReplicationConfiguration) -> Self {
        Self {
            role: cfg.role.clone(),
            rules: cfg
                .rules
                .iter()
                .map(|r| RuleXml {
                    id: r.id.clone(),
                    status: status_to_wire(r.enabled).to_owned(),
                    priority: r.priority.map(|p| p.to_string()),
                    prefix: r.prefix.clone(),
                    filter: None,
                    destination: DestinationXml {
                        bucket: r.destination.bucket.clone(),
                        storage_class: r
                            .destination
                            .storage_class
                            .as_ref()
                            .map(|class| storage_class_to_wire(class).to_owned()),
                    },
                    delete_marker_replication: r.delete_marker_replication.map(|on| StatusXml {
                        status: status_to_wire(on).to_owned(),
                    }),
                })
                .collect(),
        }
    }

    pub(crate) fn into_model(self) -> Result<ReplicationConfiguration, Error> {
        let mut rules = Vec::with_capacity(self.rules.len());
        for (i, r) in self.rules.into_iter().enumerate() {
            let priority = match r.priority.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(p) => Some(p.parse::<u32>().map_err(|_| {
                    Error::new(
                        ErrorKind::Decode,
                        format!("COS returned replication rule {i} with Priority `{p}`"),
                    )
                })?),
            };
            let prefix = non_empty(r.prefix).or_else(|| r.filter.and_then(|f| non_empty(f.prefix)));
            let delete_marker_replication = match r.delete_marker_replication {
                None => None,
                Some(s) => Some(status_from_wire(
                    &s.status,
                    format_args!("replication rule {i} DeleteMarkerReplication"),
                )?),
            };
            let enabled = status_from_wire(&r.status, format_args!("replication rule {i}"))?;
            let mut destination =
                ReplicationDestination::new(r.destination.bucket.trim().to_owned());
            destination.storage_class =
                non_empty(r.destination.storage_class).map(|c| storage_class_from_wire(&c));
            let mut rule = ReplicationRule::new(destination).with_enabled(enabled);
            rule.id = non_empty(r.id);
            rule.priority = priority;
            rule.prefix = prefix;
            rule.delete_marker_replication = delete_marker_replication;
            rules.push(rule);
        }
        let mut config = ReplicationConfiguration::new(rules);
        config.role = non_empty(self.role);
        Ok(config)
    }
}
