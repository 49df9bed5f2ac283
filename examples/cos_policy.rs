//! COS bucket policy (seed: `put_bucket_policy`, `get_bucket_policy`, `delete_bucket_policy`).
//!
//! `cargo run --example cos_policy`

mod common;

use bucket_admin::{BucketAdmin, BucketPolicy, CreateBucketOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cos = common::cos("examplebucket").await?;
    if cos.owns_bucket {
        cos.client
            .create_bucket(&cos.bucket, &CreateBucketOptions::default())
            .await?;
    }
    // The seed's policy, in the neutral JSON form (the COS wire form is written by the client).
    let policy: BucketPolicy = serde_json::from_value(serde_json::json!({
        "version": "2.0",
        "statements": [{
            "principal": {"qcs": ["qcs::cam::uin/100000000001:uin/100000000011"]},
            "effect": "allow",
            "actions": ["name/cos:GetBucket"],
            "resources": [format!("qcs::cos:ap-guangzhou:uid/1250000000:{}/*", cos.bucket)],
            "conditions": {"ip_equal": {"qcs:ip": "10.121.2.10/24"}}
        }]
    }))?;
    cos.client.put_policy(&cos.bucket, &policy).await?;
    let back = cos.client.get_policy(&cos.bucket).await?;
    println!("{}", serde_json::to_string_pretty(&back)?);
    cos.client.delete_policy(&cos.bucket).await?;
    println!(
        "after delete: {:?}",
        cos.client.get_policy(&cos.bucket).await?
    );
    if cos.owns_bucket {
        cos.client.delete_bucket(&cos.bucket).await?;
    }
    Ok(())
}
