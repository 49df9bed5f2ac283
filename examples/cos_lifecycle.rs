//! COS lifecycle (seed: `put_bucket_lifecycle`, `get_bucket_lifecycle`,
//! `delete_bucket_lifecycle`), with the seed's full-parameter rule.
//!
//! `cargo run --example cos_lifecycle`

mod common;

use bucket_admin::{
    Age, BucketAdmin, CreateBucketOptions, Expiration, LifecycleConfiguration, LifecycleFilter,
    LifecycleRule, NoncurrentTransition, StorageClass, Tag, Transition,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cos = common::cos("examplebucket").await?;
    if cos.owns_bucket {
        cos.client
            .create_bucket(&cos.bucket, &CreateBucketOptions::default())
            .await?;
    }

    let lifecycle = LifecycleConfiguration::new(vec![
        // The seed's simple example: expire after 200 days, STANDARD_IA after 100, abort
        // incomplete multipart uploads after 7.
        LifecycleRule::new()
            .with_id("Rule-1")
            .with_expiration(Expiration::After(Age::days(200)))
            .with_transitions([Transition::after(
                Age::days(100),
                StorageClass::InfrequentAccess,
            )])
            .with_abort_incomplete_multipart_upload(Age::days(7)),
        // The seed's full example: prefix + tag filter, archive, noncurrent versions.
        LifecycleRule::new()
            .with_id("Rule-2")
            .with_filter(
                LifecycleFilter::default()
                    .with_prefix("logs/")
                    .with_tags([Tag::new("team", "data")]),
            )
            .with_expiration(Expiration::After(Age::days(100)))
            .with_transitions([Transition::after(Age::days(60), StorageClass::Archive)])
            .with_noncurrent_version_expiration_days(100)
            .with_noncurrent_version_transitions([NoncurrentTransition::new(
                60,
                StorageClass::InfrequentAccess,
            )]),
    ]);
    cos.client.put_lifecycle(&cos.bucket, &lifecycle).await?;

    let back = cos.client.get_lifecycle(&cos.bucket).await?;
    println!("{}", serde_json::to_string_pretty(&back)?);
    println!("read back equal: {}", back.as_ref() == Some(&lifecycle));

    cos.client.delete_lifecycle(&cos.bucket).await?;
    println!(
        "after delete: {:?}",
        cos.client.get_lifecycle(&cos.bucket).await?
    );
    if cos.owns_bucket {
        cos.client.delete_bucket(&cos.bucket).await?;
    }
    Ok(())
}
