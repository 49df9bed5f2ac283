//! COS basic bucket operations (seed: COS Python SDK "basic bucket operations"):
//! `list_buckets`, `create_bucket` (ACL, grants, multi-AZ), `head_bucket`, `bucket_exists`,
//! `delete_bucket`. Runs on the emulator unless COS credentials are set (then it only lists,
//! heads and checks the bucket named in `COS_BUCKET`).
//!
//! `cargo run --example cos_buckets`

mod common;

use bucket_admin::{BucketAdmin, CannedAcl, CreateBucketOptions, Grant, GrantPermission};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cos = common::cos("examplebucket").await?;
    let client = &cos.client;

    if cos.owns_bucket {
        // create_bucket(Bucket='examplebucket-1250000000', ACL='private', GrantRead=..., BucketAZConfig='MAZ')
        let options = CreateBucketOptions::new()
            .with_acl(CannedAcl::Private)
            .with_grants([Grant::new(GrantPermission::Read, [r#"id="100000000011""#])])
            .with_multi_az(true);
        client.create_bucket(&cos.bucket, &options).await?;
        println!("created {}", cos.bucket);
    }

    // list_buckets()
    for bucket in client.list_buckets().await? {
        println!(
            "listed {} in {} (created {:?})",
            bucket.name,
            bucket.region.as_deref().unwrap_or("?"),
            bucket.created
        );
    }

    // head_bucket(Bucket=...)
    let info = client.head_bucket(&cos.bucket).await?;
    println!(
        "head: region {:?}, multi-AZ {:?}",
        info.region, info.multi_az
    );

    // bucket_exists(Bucket=...)
    println!("exists: {}", client.bucket_exists(&cos.bucket).await?);

    if cos.owns_bucket {
        // delete_bucket(Bucket=...)
        client.delete_bucket(&cos.bucket).await?;
        println!(
            "deleted; exists now: {}",
            client.bucket_exists(&cos.bucket).await?
        );
    }
    Ok(())
}
