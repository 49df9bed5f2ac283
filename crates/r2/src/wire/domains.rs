//! Managed (`r2.dev`) and custom domains.

use serde::{Deserialize, Serialize};

use crate::extras::{CustomDomain, CustomDomainUpdate, ManagedDomain, NewCustomDomain};

#[derive(Debug, Deserialize)]
pub(crate) struct WireManaged {
    #[serde(rename = "bucketId", default)]
    bucket_id: String,
    #[serde(default)]
    domain: String,
    enabled: bool,
}

impl From<WireManaged> for ManagedDomain {
    fn from(w: WireManaged) -> Self {
        ManagedDomain {
            bucket_id: w.bucket_id,
            domain: w.domain,
            enabled: w.enabled,
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct WireManagedUpdate {
    pub(crate) enabled: bool,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireCustomList {
    #[serde(default)]
    pub(crate) domains: Vec<WireCustom>,
}

#[derive(Debug, Default, Deserialize)]
struct WireStatus {
    #[serde(default)]
    ownership: Option<String>,
    #[serde(default)]
    ssl: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireCustom {
    domain: String,
    #[serde(default)]
    enabled: bool,
    #[serde(default)]
    status: Option<WireStatus>,
    #[serde(default)]
    ciphers: Option<Vec<String>>,
    #[serde(rename = "minTLS", default)]
    min_tls: Option<String>,
    #[serde(rename = "zoneId", default)]
    zone_id: Option<String>,
    #[serde(rename = "zoneName", default)]
    zone_name: Option<String>,
}

impl From<WireCustom> for CustomDomain {
    fn from(w: WireCustom) -> Self {
        let status = w.status.unwrap_or_default();
        CustomDomain {
            domain: w.domain,
            enabled: w.enabled,
            zone_id: w.zone_id,
            zone_name: w.zone_name,
            min_tls: w.min_tls,
            ciphers: w.ciphers.unwrap_or_default(),
            ownership_status: status.ownership,
            ssl_status: status.ssl,
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct WireCustomCreate<'a> {
    domain: &'a str,
    #[serde(rename = "zoneId")]
    zone_id: &'a str,
    enabled: bool,
    #[serde(rename = "minTLS", skip_serializing_if = "Option::is_none")]
    min_tls: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    ciphers: &'a [String],
}

impl<'a> From<&'a NewCustomDomain> for WireCustomCreate<'a> {
    fn from(d: &'a NewCustomDomain) -> Self {
        WireCustomCreate {
            domain: &d.domain,
            zone_id: &d.zone_id,
            enabled: d.enabled,
            min_tls: d.min_tls.as_deref(),
            ciphers: &d.ciphers,
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct WireCustomUpdate<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    enabled: Option<bool>,
    #[serde(rename = "minTLS", skip_serializing_if = "Option::is_none")]
    min_tls: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ciphers: Option<&'a [String]>,
}

impl<'a> From<&'a CustomDomainUpdate> for WireCustomUpdate<'a> {
    fn from(u: &'a CustomDomainUpdate) -> Self {
        WireCustomUpdate {
            enabled: u.enabled,
            min_tls: u.min_tls.as_deref(),
            ciphers: u.ciphers.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn custom_domain_shapes() {
        let wire: WireCustomList = serde_json::from_value(json!({"domains": [{
            "domain": "cdn.example.com", "enabled": true,
            "status": {"ownership": "active", "ssl": "pending"},
            "minTLS": "1.2", "zoneId": "z1", "zoneName": "example.com"
        }]}))
        .unwrap();
        let d: CustomDomain = wire.domains.into_iter().next().unwrap().into();
        assert_eq!(d.ssl_status.as_deref(), Some("pending"));
        assert_eq!(d.min_tls.as_deref(), Some("1.2"));
        let new = NewCustomDomain::new("cdn.example.com", "z1");
        assert_eq!(
            serde_json::to_value(WireCustomCreate::from(&new)).unwrap(),
            json!({"domain": "cdn.example.com", "zoneId": "z1", "enabled": true})
        );
        let upd = CustomDomainUpdate {
            enabled: Some(false),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(WireCustomUpdate::from(&upd)).unwrap(),
            json!({"enabled": false})
        );
    }
}
