//! Bucket policy JSON: the shared policy document in COS spelling (`version`, `condition`,
//! `allow`/`deny`); see [`bucket_admin_core::policy_document`].

use bucket_admin_core::policy_document::{PolicyDialect, from_document, to_document};
use bucket_admin_core::{BucketPolicy, Error};

/// The policy document sent on a put.
pub(crate) fn to_wire(policy: &BucketPolicy) -> Result<String, Error> {
    to_document(policy, PolicyDialect::Cos)
}

/// Parses a policy body (whatever its content type said).
pub(crate) fn from_wire(body: &str) -> Result<BucketPolicy, Error> {
    from_document(body, "COS")
}
