//! Buckets: what a listing or a head returns, and what creation accepts.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::models::{StorageClass, Tag};

/// An R2 jurisdiction: where a bucket's data is guaranteed to stay. Part of an R2 bucket's
/// identity: the same name can exist once per jurisdiction.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Jurisdiction {
    /// No restriction (the default namespace).
    #[default]
    Default,
    /// European Union.
    Eu,
    /// FedRAMP Moderate (`fedramp`).
    Fedramp,
    /// FedRAMP High (`fedramp-high`).
    FedrampHigh,
    /// United States (`us`; S3 endpoint `<account>.us.r2.cloudflarestorage.com`).
    Us,
}

impl Jurisdiction {
    /// Every jurisdiction.
    pub const ALL: [Jurisdiction; 5] = [
        Jurisdiction::Default,
        Jurisdiction::Eu,
        Jurisdiction::Fedramp,
        Jurisdiction::FedrampHigh,
        Jurisdiction::Us,
    ];

    /// The wire value of the `cf-r2-jurisdiction` header.
    pub fn as_str(&self) -> &'static str {
        match self {
            Jurisdiction::Default => "default",
            Jurisdiction::Eu => "eu",
            Jurisdiction::Fedramp => "fedramp",
            Jurisdiction::FedrampHigh => "fedramp-high",
            Jurisdiction::Us => "us",
        }
    }
}

impl fmt::Display for Jurisdiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error from parsing a [`Jurisdiction`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a jurisdiction (expected default, eu, us, fedramp or fedramp-high)")]
pub struct ParseJurisdictionError(pub String);

impl FromStr for Jurisdiction {
    type Err = ParseJurisdictionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "default" => Ok(Jurisdiction::Default),
            "eu" => Ok(Jurisdiction::Eu),
            "fedramp" => Ok(Jurisdiction::Fedramp),
            "fedramp-high" | "fedramp_high" => Ok(Jurisdiction::FedrampHigh),
            "us" => Ok(Jurisdiction::Us),
            _ => Err(ParseJurisdictionError(s.to_owned())),
        }
    }
}

/// What a provider reports about a bucket.
///
/// Non-exhaustive: providers report more over time. Build it with [`BucketInfo::named`] and
/// the `with_*` setters.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BucketInfo {
    /// Bucket name (COS: `<name>-<appid>`).
    pub name: String,
    /// Region (COS `ap-beijing`) or location (R2 `weur`, lowercased).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Creation time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub created: Option<OffsetDateTime>,
    /// R2 jurisdiction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<Jurisdiction>,
    /// Default storage class of new objects (R2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<StorageClass>,
    /// Whether the bucket spans several availability zones (COS MAZ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_az: Option<bool>,
    /// Provider bucket type (COS `cos` / `ofs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_type: Option<String>,
}

impl BucketInfo {
    /// Bucket info with only a name.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Set the region or location.
    #[must_use]
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Set the creation time.
    #[must_use]
    pub fn with_created(mut self, created: OffsetDateTime) -> Self {
        self.created = Some(created);
        self
    }

    /// Set the R2 jurisdiction.
    #[must_use]
    pub fn with_jurisdiction(mut self, jurisdiction: Jurisdiction) -> Self {
        self.jurisdiction = Some(jurisdiction);
        self
    }

    /// Set the default storage class.
    #[must_use]
    pub fn with_storage_class(mut self, class: StorageClass) -> Self {
        self.storage_class = Some(class);
        self
    }

    /// Set whether the bucket spans several availability zones.
    #[must_use]
    pub fn with_multi_az(mut self, multi_az: bool) -> Self {
        self.multi_az = Some(multi_az);
        self
    }

    /// Set the provider bucket type.
    #[must_use]
    pub fn with_bucket_type(mut self, bucket_type: impl Into<String>) -> Self {
        self.bucket_type = Some(bucket_type.into());
        self
    }
}

/// A canned ACL applied at creation (COS `x-cos-acl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum CannedAcl {
    /// Owner only.
    Private,
    /// Anyone may read.
    PublicRead,
    /// Anyone may read and write.
    PublicReadWrite,
    /// Any authenticated user may read.
    AuthenticatedRead,
}

impl CannedAcl {
    /// Wire value (`private`, `public-read`, ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            CannedAcl::Private => "private",
            CannedAcl::PublicRead => "public-read",
            CannedAcl::PublicReadWrite => "public-read-write",
            CannedAcl::AuthenticatedRead => "authenticated-read",
        }
    }
}

/// A permission granted at creation (COS `x-cos-grant-*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantPermission {
    /// `x-cos-grant-read`
    Read,
    /// `x-cos-grant-write`
    Write,
    /// `x-cos-grant-read-acp`
    ReadAcp,
    /// `x-cos-grant-write-acp`
    WriteAcp,
    /// `x-cos-grant-full-control`
    FullControl,
}

/// A grant: a permission for a list of grantees (COS `id="100000000001"` form, verbatim).
///
/// Non-exhaustive (a grant may gain conditions): build it with [`Grant::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Grant {
    /// The permission.
    pub permission: GrantPermission,
    /// Grantees, e.g. `id="100000000001"` or `id="qcs::cam::uin/1:uin/2"`.
    pub grantees: Vec<String>,
}

impl Grant {
    /// Grant `permission` to `grantees`.
    pub fn new(
        permission: GrantPermission,
        grantees: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            permission,
            grantees: grantees.into_iter().map(Into::into).collect(),
        }
    }
}

/// Options for creating a bucket. Providers reject, before sending, options they cannot honour
/// (for example an ACL on R2), naming the field.
///
/// Non-exhaustive: every provider feature at creation is a new field. Start from
/// [`CreateBucketOptions::new`] (nothing set) and the `with_*` setters.
///
/// ```
/// use bucket_admin_core::{CannedAcl, CreateBucketOptions, Jurisdiction, Tag};
///
/// let cos = CreateBucketOptions::new()
///     .with_acl(CannedAcl::Private)
///     .with_tag(Tag::new("team", "web"));
/// let r2 = CreateBucketOptions::new()
///     .with_location_hint("weur")
///     .with_jurisdiction(Jurisdiction::Eu);
/// assert_ne!(cos, r2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateBucketOptions {
    /// COS canned ACL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<CannedAcl>,
    /// COS grants.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// COS bucket tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// COS multi-AZ bucket.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multi_az: bool,
    /// R2 location hint (`apac`, `eeur`, `enam`, `weur`, `wnam`, `oc`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_hint: Option<String>,
    /// R2 default storage class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<StorageClass>,
    /// R2 jurisdiction (overrides the client default for this bucket).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<Jurisdiction>,
    /// S3 Object Lock at creation (`x-amz-bucket-object-lock-enabled: true`; S3 turns
    /// versioning on with it, and it cannot be switched off later). Default `false`. Only
    /// providers whose [`Capabilities::create_object_lock`](crate::Capabilities::create_object_lock)
    /// is set accept it; the others refuse it with [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)
    /// before any request.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub object_lock_enabled: bool,
}

impl CreateBucketOptions {
    /// No option set: the provider's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the COS canned ACL.
    #[must_use]
    pub fn with_acl(mut self, acl: CannedAcl) -> Self {
        self.acl = Some(acl);
        self
    }

    /// Add a COS grant.
    #[must_use]
    pub fn with_grant(mut self, grant: Grant) -> Self {
        self.grants.push(grant);
        self
    }

    /// Set the COS grants.
    #[must_use]
    pub fn with_grants(mut self, grants: impl IntoIterator<Item = Grant>) -> Self {
        self.grants = grants.into_iter().collect();
        self
    }

    /// Add a COS bucket tag.
    #[must_use]
    pub fn with_tag(mut self, tag: Tag) -> Self {
        self.tags.push(tag);
        self
    }

    /// Set the COS bucket tags.
    #[must_use]
    pub fn with_tags(mut self, tags: impl IntoIterator<Item = Tag>) -> Self {
        self.tags = tags.into_iter().collect();
        self
    }

    /// Ask for a COS multi-AZ bucket.
    #[must_use]
    pub fn with_multi_az(mut self, multi_az: bool) -> Self {
        self.multi_az = multi_az;
        self
    }

    /// Set the R2 location hint.
    #[must_use]
    pub fn with_location_hint(mut self, hint: impl Into<String>) -> Self {
        self.location_hint = Some(hint.into());
        self
    }

    /// Set the R2 default storage class.
    #[must_use]
    pub fn with_storage_class(mut self, class: StorageClass) -> Self {
        self.storage_class = Some(class);
        self
    }

    /// Set the R2 jurisdiction for this bucket.
    #[must_use]
    pub fn with_jurisdiction(mut self, jurisdiction: Jurisdiction) -> Self {
        self.jurisdiction = Some(jurisdiction);
        self
    }

    /// Create the bucket with S3 Object Lock enabled (see
    /// [`Capabilities::create_object_lock`](crate::Capabilities::create_object_lock)).
    #[must_use]
    pub fn with_object_lock_enabled(mut self, enabled: bool) -> Self {
        self.object_lock_enabled = enabled;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn bucket_info_json_uses_rfc3339() {
        let info = BucketInfo {
            name: "examplebucket-1250000000".into(),
            region: Some("ap-beijing".into()),
            created: Some(datetime!(2019-05-16 06:45:51 UTC)),
            ..BucketInfo::default()
        };
        let json = serde_json::to_value(&info).unwrap();
        assert_eq!(json["created"], "2019-05-16T06:45:51Z");
        assert_eq!(serde_json::from_value::<BucketInfo>(json).unwrap(), info);
    }

    #[test]
    fn jurisdiction_parses_case_insensitively() {
        assert_eq!("EU".parse::<Jurisdiction>().unwrap(), Jurisdiction::Eu);
        assert!("mars".parse::<Jurisdiction>().is_err());
    }
}
