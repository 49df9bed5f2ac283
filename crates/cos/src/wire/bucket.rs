//! `ListAllMyBucketsResult` and `CreateBucketConfiguration`.

use bucket_admin_core::{BucketInfo, Error};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::non_empty;

#[derive(Debug, Default, Deserialize)]
#[serde(rename = "ListAllMyBucketsResult")]
pub(crate) struct ListBucketsXml {
    #[serde(rename = "Buckets", default)]
    buckets: Option<BucketsXml>,
    #[serde(rename = "NextMarker", default)]
    next_marker: Option<String>,
    #[serde(rename = "IsTruncated", default)]
    is_truncated: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct BucketsXml {
    #[serde(rename = "Bucket", default)]
    buckets: Vec<BucketXml>,
}

#[derive(Debug, Default, Deserialize)]
struct BucketXml {
    #[serde(rename = "Name", default)]
    name: String,
    #[serde(rename = "Location", default)]
    location: Option<String>,
    #[serde(rename = "CreationDate", default)]
    creation_date: Option<String>,
    #[serde(rename = "BucketType", default)]
    bucket_type: Option<String>,
}

impl ListBucketsXml {
    /// The marker of the next page, when the listing is truncated.
    pub(crate) fn next_marker(&self) -> Option<String> {
        let truncated = self
            .is_truncated
            .as_deref()
            .and_then(super::parse_bool)
            .unwrap_or(false);
        if truncated {
            non_empty(self.next_marker.clone())
        } else {
            None
        }
    }

    /// Whether the listing says it is truncated.
    pub(crate) fn is_truncated(&self) -> bool {
        self.is_truncated
            .as_deref()
            .and_then(super::parse_bool)
            .unwrap_or(false)
    }

    pub(crate) fn into_buckets(self) -> Result<Vec<BucketInfo>, Error> {
        let Some(list) = self.buckets else {
            return Ok(Vec::new());
        };
        list.buckets
            .into_iter()
            .map(|b| {
                let created = match non_empty(b.creation_date) {
                    None => None,
                    Some(text) => Some(OffsetDateTime::parse(text.trim(), &Rfc3339).map_err(|_| {
                        Error::new(
                            bucket_admin_core::ErrorKind::Decode,
                            format!(
                                "COS returned bucket `{}` with CreationDate `{text}`, not an RFC 3339 time",
                                b.name
                            ),
                        )
                    })?),
                };
                Ok(BucketInfo {
                    name: b.name,
                    region: non_empty(b.location),
                    created,
                    bucket_type: non_empty(b.bucket_type),
                    ..BucketInfo::default()
                })
            })
            .collect()
    }
}

#[derive(Debug, Default, Serialize)]
#[serde(rename = "CreateBucketConfiguration")]
pub(crate) struct CreateBucketXml {
    #[serde(rename = "BucketAZConfig", skip_serializing_if = "Option::is_none")]
    pub(crate) az: Option<String>,
}
