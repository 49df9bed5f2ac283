//! Bucket objects: `{name, creation_date, location?, jurisdiction?, storage_class?}` (snake_case).

use bucket_admin_core::{BucketInfo, Error, Jurisdiction, StorageClass};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::decode;

/// Location hints R2 accepts.
pub(crate) const LOCATIONS: [&str; 6] = ["apac", "eeur", "enam", "weur", "wnam", "oc"];

#[derive(Debug, Deserialize)]
pub(crate) struct WireBucket {
    pub(crate) name: String,
    #[serde(default)]
    creation_date: Option<String>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    jurisdiction: Option<String>,
    #[serde(default)]
    storage_class: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireBucketList {
    #[serde(default)]
    pub(crate) buckets: Vec<WireBucket>,
}

#[derive(Debug, Serialize)]
pub(crate) struct WireCreateBucket<'a> {
    pub(crate) name: &'a str,
    #[serde(rename = "locationHint", skip_serializing_if = "Option::is_none")]
    pub(crate) location_hint: Option<String>,
    #[serde(rename = "storageClass", skip_serializing_if = "Option::is_none")]
    pub(crate) storage_class: Option<&'static str>,
}

/// R2's name of a storage class, or `None` when R2 has no such class.
pub(crate) fn storage_class_to_wire(class: &StorageClass) -> Option<&'static str> {
    match class {
        StorageClass::Standard => Some("Standard"),
        StorageClass::InfrequentAccess => Some("InfrequentAccess"),
        StorageClass::Other(name) if name == "Standard" => Some("Standard"),
        StorageClass::Other(name) if name == "InfrequentAccess" => Some("InfrequentAccess"),
        _ => None,
    }
}

/// The neutral class for R2's name; unknown names are kept verbatim.
pub(crate) fn storage_class_from_wire(name: &str) -> StorageClass {
    match name {
        "Standard" => StorageClass::Standard,
        "InfrequentAccess" => StorageClass::InfrequentAccess,
        other => StorageClass::Other(other.to_owned()),
    }
}

impl WireBucket {
    /// The neutral info; `fallback` is the jurisdiction the request was made in, used when the
    /// server does not say.
    pub(crate) fn into_info(self, fallback: Jurisdiction) -> Result<BucketInfo, Error> {
        let created = match self.creation_date.as_deref() {
            None | Some("") => None,
            Some(raw) => Some(OffsetDateTime::parse(raw, &Rfc3339).map_err(|e| {
                decode(format!(
                    "bucket `{}` has an invalid creation_date `{raw}`: {e}",
                    self.name
                ))
            })?),
        };
        let jurisdiction = match self.jurisdiction.as_deref() {
            None | Some("") => Some(fallback),
            Some(raw) => match raw.parse::<Jurisdiction>() {
                Ok(j) => Some(j),
                Err(_) => {
                    // A jurisdiction this crate does not know yet: keep the bucket usable.
                    tracing::warn!(bucket = %self.name, jurisdiction = raw, "unknown R2 jurisdiction");
                    None
                }
            },
        };
        Ok({
            let mut bucket_info = BucketInfo::named(self.name);
            bucket_info.region = self
                .location
                .filter(|l| !l.is_empty())
                .map(|l| l.to_ascii_lowercase());
            bucket_info.created = created;
            bucket_info.jurisdiction = jurisdiction;
            bucket_info.storage_class = self.storage_class.as_deref().map(storage_class_from_wire);
            bucket_info
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn only_r2_classes_have_a_wire_name() {
        assert_eq!(
            storage_class_to_wire(&StorageClass::Standard),
            Some("Standard")
        );
        assert_eq!(
            storage_class_to_wire(&StorageClass::InfrequentAccess),
            Some("InfrequentAccess")
        );
        assert_eq!(
            storage_class_to_wire(&StorageClass::Other("Standard".into())),
            Some("Standard")
        );
        assert_eq!(
            storage_class_to_wire(&StorageClass::Other("InfrequentAccess".into())),
            Some("InfrequentAccess")
        );
        assert_eq!(
            storage_class_to_wire(&StorageClass::Other("GLACIER".into())),
            None
        );
        assert_eq!(storage_class_to_wire(&StorageClass::Archive), None);
    }

    #[test]
    fn bucket_parses_location_case_insensitively() {
        let wire: WireBucket = serde_json::from_value(serde_json::json!({
            "name": "logs", "creation_date": "2024-05-01T10:20:30.123Z",
            "location": "WEUR", "jurisdiction": "eu", "storage_class": "InfrequentAccess"
        }))
        .unwrap();
        let info = wire.into_info(Jurisdiction::Default).unwrap();
        assert_eq!(info.region.as_deref(), Some("weur"));
        assert_eq!(info.created, Some(datetime!(2024-05-01 10:20:30.123 UTC)));
        assert_eq!(info.jurisdiction, Some(Jurisdiction::Eu));
        assert_eq!(info.storage_class, Some(StorageClass::InfrequentAccess));
    }

    #[test]
    fn bad_creation_date_is_decode_error() {
        let wire: WireBucket =
            serde_json::from_value(serde_json::json!({"name": "b", "creation_date": "yesterday"}))
                .unwrap();
        let err = wire.into_info(Jurisdiction::Default).unwrap_err();
        assert_eq!(err.kind(), bucket_admin_core::ErrorKind::Decode);
    }
}
