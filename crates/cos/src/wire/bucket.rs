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
    /// Whether the listing says it is truncated; `IsTruncated` other than true/false is an
    /// error (guessing "false" would return a partial list as the whole).
    pub(crate) fn is_truncated(&self) -> Result<bool, Error> {
        match self.is_truncated.as_deref().map(str::trim) {
            None | Some("") => Ok(false),
            Some(v) => super::parse_bool(v).ok_or_else(|| {
                Error::new(
                    bucket_admin_core::ErrorKind::Decode,
                    format!(
                        "COS returned IsTruncated `{v}` in the bucket list (expected true or false)"
                    ),
                )
            }),
        }
    }

    /// The marker of the next page, when there is one.
    pub(crate) fn next_marker(&self) -> Option<String> {
        non_empty(self.next_marker.clone())
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
                let mut info = BucketInfo::named(b.name)
                    .with_bucket_type(bucket_type_from_wire(b.bucket_type.as_deref()));
                info.region = non_empty(b.location);
                info.created = created;
                Ok(info)
            })
            .collect()
    }
}

/// The bucket type both list-buckets and head-bucket report, in list-buckets' vocabulary:
/// `cos` for an ordinary bucket, `ofs` for a metadata-accelerated one.
///
/// The wire differs between the two calls: the list says `<BucketType>cos</BucketType>` or
/// `ofs`, while HEAD sends `x-cos-bucket-arch: OFS` for an accelerated bucket and either no
/// header or `NORMAL` for an ordinary one. Both map here so that the same bucket never has two
/// types. Unknown values are kept, lower-cased.
pub(crate) fn bucket_type_from_wire(raw: Option<&str>) -> String {
    let value = raw.map(str::trim).unwrap_or("").to_ascii_lowercase();
    match value.as_str() {
        "" | "cos" | "normal" => "cos".to_owned(),
        _ => value,
    }
}

#[derive(Debug, Default, Serialize)]
#[serde(rename = "CreateBucketConfiguration")]
pub(crate) struct CreateBucketXml {
    #[serde(rename = "BucketAZConfig", skip_serializing_if = "Option::is_none")]
    pub(crate) az: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(body: &str) -> ListBucketsXml {
        super::super::from_xml(body, "ListAllMyBucketsResult", "bucket list").unwrap()
    }

    #[test]
    fn the_next_marker_is_the_one_cos_sent() {
        let page = list(
            "<ListAllMyBucketsResult><Buckets><Bucket><Name>a-1</Name></Bucket></Buckets><NextMarker>m-2</NextMarker><IsTruncated>true</IsTruncated></ListAllMyBucketsResult>",
        );
        assert_eq!(page.next_marker().as_deref(), Some("m-2"));
        assert!(page.is_truncated().unwrap());
        let last = list(
            "<ListAllMyBucketsResult><NextMarker></NextMarker><IsTruncated>false</IsTruncated></ListAllMyBucketsResult>",
        );
        assert_eq!(last.next_marker(), None);
        assert!(!last.is_truncated().unwrap());
    }
}
