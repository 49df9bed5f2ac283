//! `ListAllMyBucketsResult` and `CreateBucketConfiguration`.

use bucket_admin_core::{BucketInfo, Error, ErrorKind};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::non_empty;

#[derive(Debug, Default, Deserialize)]
#[serde(rename = "ListAllMyBucketsResult")]
pub(crate) struct ListBucketsXml {
    #[serde(rename = "Buckets", default)]
    buckets: Option<BucketsXml>,
    /// Present when more pages follow (`ListBuckets` with `max-buckets`).
    #[serde(rename = "ContinuationToken", default)]
    continuation_token: Option<String>,
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
    #[serde(rename = "CreationDate", default)]
    creation_date: Option<String>,
    #[serde(rename = "BucketRegion", default)]
    bucket_region: Option<String>,
}

impl ListBucketsXml {
    /// The token of the next page, when there is one.
    pub(crate) fn continuation_token(&self) -> Option<String> {
        non_empty(self.continuation_token.clone())
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
                            ErrorKind::Decode,
                            format!(
                                "the server returned bucket `{}` with CreationDate `{text}`, not an RFC 3339 time",
                                b.name
                            ),
                        )
                    })?),
                };
                let mut info = BucketInfo::named(b.name);
                info.region = non_empty(b.bucket_region);
                info.created = created;
                Ok(info)
            })
            .collect()
    }
}

#[derive(Debug, Default, Serialize)]
#[serde(rename = "CreateBucketConfiguration")]
pub(crate) struct CreateBucketXml {
    #[serde(rename = "LocationConstraint")]
    pub(crate) location_constraint: String,
}
