//! COS versioning and cross-region replication (seed: `put_bucket_versioning`,
//! `get_bucket_versioning`, `put_bucket_replication`, `get_bucket_replication`,
//! `delete_bucket_replication`).
//!
//! `cargo run --example cos_versioning_replication`

mod common;

use bucket_admin::{
    BucketAdmin, CreateBucketOptions, ReplicationConfiguration, ReplicationDestination,
    ReplicationRule, StorageClass, VersioningStatus,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cos = common::cos("examplebucket").await?;
    if cos.owns_bucket {
        cos.client
            .create_bucket(&cos.bucket, &CreateBucketOptions::default())
            .await?;
    }
    println!(
        "versioning: {}",
        cos.client.get_versioning(&cos.bucket).await?
    );
    cos.client
        .put_versioning(&cos.bucket, VersioningStatus::Enabled)
        .await?;
    println!(
        "versioning: {}",
        cos.client.get_versioning(&cos.bucket).await?
    );

    // Replication requires versioning on the source.
    let appid = cos.bucket.rsplit('-').next().unwrap_or("1250000000");
    let replication = ReplicationConfiguration::new(vec![
        ReplicationRule::new(
            ReplicationDestination::new(format!("qcs::cos:ap-shanghai::destinationbucket-{appid}"))
                .with_storage_class(StorageClass::Standard),
        )
        .with_id("to-shanghai")
        .with_prefix("data/"),
    ])
    .with_role("qcs::cam::uin/100000000001:uin/100000000001");
    cos.client
        .put_replication(&cos.bucket, &replication)
        .await?;
    println!(
        "{}",
        serde_json::to_string_pretty(&cos.client.get_replication(&cos.bucket).await?)?
    );
    cos.client.delete_replication(&cos.bucket).await?;

    cos.client
        .put_versioning(&cos.bucket, VersioningStatus::Suspended)
        .await?;
    println!(
        "versioning: {}",
        cos.client.get_versioning(&cos.bucket).await?
    );
    if cos.owns_bucket {
        cos.client.delete_bucket(&cos.bucket).await?;
    }
    Ok(())
}
