//! COS CORS (seed: `put_bucket_cors`, `get_bucket_cors`, `delete_bucket_cors`).
//!
//! `cargo run --example cos_cors`

mod common;

use bucket_admin::{BucketAdmin, CorsConfiguration, CorsMethod, CorsRule, CreateBucketOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cos = common::cos("examplebucket").await?;
    if cos.owns_bucket {
        cos.client
            .create_bucket(&cos.bucket, &CreateBucketOptions::default())
            .await?;
    }

    // put_bucket_cors(Bucket=..., CORSConfiguration={'CORSRule': [{'ID', 'MaxAgeSeconds',
    // 'AllowedOrigin', 'AllowedMethod', 'AllowedHeader', 'ExposeHeader'}]})
    let cors = CorsConfiguration::new(vec![
        CorsRule::new(
            ["https://cloud.tencent.com"],
            [CorsMethod::Get, CorsMethod::Put],
        )
        .with_id("rule-1")
        .with_max_age_seconds(100)
        .with_allowed_headers(["*"])
        .with_expose_headers(["ETag"]),
    ]);
    cos.client.put_cors(&cos.bucket, &cors).await?;

    // get_bucket_cors(Bucket=...)
    match cos.client.get_cors(&cos.bucket).await? {
        Some(cfg) => println!("{}", serde_json::to_string_pretty(&cfg)?),
        None => println!("no CORS configuration"),
    }

    // delete_bucket_cors(Bucket=...)
    cos.client.delete_cors(&cos.bucket).await?;
    println!(
        "after delete: {:?}",
        cos.client.get_cors(&cos.bucket).await?
    );

    if cos.owns_bucket {
        cos.client.delete_bucket(&cos.bucket).await?;
    }
    Ok(())
}
