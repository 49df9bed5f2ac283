//! R2 jurisdictions: an EU bucket is a separate namespace, invisible to a default-jurisdiction
//! handle, exactly as in production. Runs on the emulator unless Cloudflare credentials are set
//! (then it only lists buckets in every jurisdiction).
//!
//! `cargo run --example r2_jurisdiction`

mod common;

use bucket_admin::r2::JurisdictionScope;
use bucket_admin::{BucketAdmin, CreateBucketOptions, ErrorKind, Jurisdiction};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let r2 = common::r2("eu-data").await?;
    if r2.owns_bucket {
        let eu = r2.client.with_jurisdiction(Jurisdiction::Eu);
        eu.create_bucket(&r2.bucket, &CreateBucketOptions::default())
            .await?;
        println!("created {} in the eu jurisdiction", r2.bucket);

        match r2.client.head_bucket(&r2.bucket).await {
            Err(e) if e.kind() == ErrorKind::NotFound => {
                println!("a default-jurisdiction handle cannot see it:\n  {e}")
            }
            other => println!("unexpected: {other:?}"),
        }
        println!("the eu handle can: {:?}", eu.head_bucket(&r2.bucket).await?);
    }

    for bucket in r2.client.list_buckets_in(JurisdictionScope::All).await? {
        println!(
            "{} ({})",
            bucket.name,
            bucket.jurisdiction.unwrap_or_default()
        );
    }
    if r2.owns_bucket {
        r2.client
            .with_jurisdiction(Jurisdiction::Eu)
            .delete_bucket(&r2.bucket)
            .await?;
    }
    Ok(())
}
