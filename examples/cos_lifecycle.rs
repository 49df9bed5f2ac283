//! COS lifecycle (seed: `put_bucket_lifecycle`, `get_bucket_lifecycle`,
//! `delete_bucket_lifecycle`), with the seed's full-parameter rule.
//!
//! `cargo run --example cos_lifecycle`

mod common;

use bucket_admin::{
    Age, BucketAdmin, CreateBucketOptions, Expiration, LifecycleConfiguration, LifecycleFilter,
    LifecycleRule, NoncurrentTransition, StorageClass, Tag, Transition, Trigger,
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
        LifecycleRule {
            id: Some("Rule-1".into()),
            enabled: true,
            expiration: Some(Expiration::After(Age::days(200))),
            transitions: vec![Transition {
                trigger: Trigger::After(Age::days(100)),
                storage_class: StorageClass::InfrequentAccess,
            }],
            abort_incomplete_multipart_upload: Some(Age::days(7)),
            ..LifecycleRule::default()
        },
        // The seed's full example: prefix + tag filter, archive, noncurrent versions.
        LifecycleRule {
            id: Some("Rule-2".into()),
            enabled: true,
            filter: LifecycleFilter {
                prefix: Some("logs/".into()),
                tags: vec![Tag::new("team", "data")],
            },
            expiration: Some(Expiration::After(Age::days(100))),
            transitions: vec![Transition {
                trigger: Trigger::After(Age::days(60)),
                storage_class: StorageClass::Archive,
            }],
            noncurrent_version_expiration_days: Some(100),
            noncurrent_version_transitions: vec![NoncurrentTransition {
                noncurrent_days: 60,
                storage_class: StorageClass::InfrequentAccess,
            }],
            ..LifecycleRule::default()
        },
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
