//! Bucket policy JSON: the shared policy document in IAM spelling (`Version`, `Condition`,
//! `Allow`/`Deny`); see [`bucket_admin_core::policy_document`].

use bucket_admin_core::policy_document::{PolicyDialect, from_document, to_document};
use bucket_admin_core::{BucketPolicy, Error};

/// The policy document sent on a put.
pub(crate) fn to_wire(policy: &BucketPolicy) -> Result<String, Error> {
    to_document(policy, PolicyDialect::Iam)
}

/// Parses a policy body (whatever its content type said).
pub(crate) fn from_wire(body: &str) -> Result<BucketPolicy, Error> {
    from_document(body, "the server")
}
