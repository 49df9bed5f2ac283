//! The [`BucketAdmin`] trait: one interface over every provider.

use async_trait::async_trait;

use crate::capabilities::Capabilities;
use crate::error::{Provider, Result};
use crate::models::{
    BucketInfo, BucketPolicy, CorsConfiguration, CreateBucketOptions, LifecycleConfiguration,
    ReplicationConfiguration, VersioningStatus,
};

/// Administer buckets on one provider.
///
/// Object-safe (`Box<dyn BucketAdmin>` / `&dyn BucketAdmin`), `Send + Sync`, and without
/// default method bodies: every provider states what each operation does, including
/// returning [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) before sending anything
/// when [`capabilities`](BucketAdmin::capabilities) says a feature is off.
///
/// "Not configured" is `Ok(None)`, never an error. Input is validated before any request is
/// sent; a rejected input yields [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) with
/// every problem listed.
///
/// ```
/// use bucket_admin_core::{BucketAdmin, CorsConfiguration, Result};
///
/// /// Works the same on COS, R2 or any other implementation.
/// async fn show_cors(admin: &dyn BucketAdmin, bucket: &str) -> Result<()> {
///     match admin.get_cors(bucket).await? {
///         Some(cfg) => println!("{} rule(s) on {}", cfg.rules.len(), admin.provider()),
///         None => println!("no CORS configuration"),
///     }
///     Ok(())
/// }
/// ```
#[async_trait]
pub trait BucketAdmin: Send + Sync {
    /// Which provider this is.
    fn provider(&self) -> Provider;

    /// What this provider supports.
    fn capabilities(&self) -> &Capabilities;

    /// Every bucket visible to the credentials, following every page.
    async fn list_buckets(&self) -> Result<Vec<BucketInfo>>;

    /// Create a bucket. Options the provider cannot honour are rejected before sending.
    async fn create_bucket(&self, bucket: &str, options: &CreateBucketOptions) -> Result<()>;

    /// A bucket's metadata; [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) when missing.
    async fn head_bucket(&self, bucket: &str) -> Result<BucketInfo>;

    /// Whether the bucket exists (and is visible to these credentials).
    async fn bucket_exists(&self, bucket: &str) -> Result<bool>;

    /// Delete an empty bucket.
    async fn delete_bucket(&self, bucket: &str) -> Result<()>;

    /// The CORS configuration, or `None` when none is set.
    async fn get_cors(&self, bucket: &str) -> Result<Option<CorsConfiguration>>;

    /// Replace the CORS configuration.
    async fn put_cors(&self, bucket: &str, config: &CorsConfiguration) -> Result<()>;

    /// Remove the CORS configuration.
    async fn delete_cors(&self, bucket: &str) -> Result<()>;

    /// The lifecycle configuration, or `None` when none is set.
    async fn get_lifecycle(&self, bucket: &str) -> Result<Option<LifecycleConfiguration>>;

    /// Replace the lifecycle configuration.
    async fn put_lifecycle(&self, bucket: &str, config: &LifecycleConfiguration) -> Result<()>;

    /// Remove the lifecycle configuration.
    async fn delete_lifecycle(&self, bucket: &str) -> Result<()>;

    /// The versioning status ([`VersioningStatus::Unversioned`] when never configured).
    async fn get_versioning(&self, bucket: &str) -> Result<VersioningStatus>;

    /// Enable or suspend versioning. [`VersioningStatus::Unversioned`] is invalid input.
    async fn put_versioning(&self, bucket: &str, status: VersioningStatus) -> Result<()>;

    /// The replication configuration, or `None` when none is set.
    async fn get_replication(&self, bucket: &str) -> Result<Option<ReplicationConfiguration>>;

    /// Replace the replication configuration.
    async fn put_replication(&self, bucket: &str, config: &ReplicationConfiguration) -> Result<()>;

    /// Remove the replication configuration.
    async fn delete_replication(&self, bucket: &str) -> Result<()>;

    /// The bucket policy, or `None` when none is set.
    async fn get_policy(&self, bucket: &str) -> Result<Option<BucketPolicy>>;

    /// Replace the bucket policy.
    async fn put_policy(&self, bucket: &str, policy: &BucketPolicy) -> Result<()>;

    /// Remove the bucket policy.
    async fn delete_policy(&self, bucket: &str) -> Result<()>;
}
