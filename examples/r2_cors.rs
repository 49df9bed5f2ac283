//! R2 CORS, mirroring the seed "Get Bucket CORS Policy": get the CORS rules of a bucket and
//! print them. On the emulator it first puts the seed's example rule.
//!
//! `cargo run --example r2_cors`

mod common;

use bucket_admin::{BucketAdmin, CorsConfiguration, CorsMethod, CorsRule, CreateBucketOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let r2 = common::r2("example-bucket").await?;
    if r2.owns_bucket {
        r2.client
            .create_bucket(&r2.bucket, &CreateBucketOptions::default())
            .await?;
        let seed = CorsConfiguration::new(vec![
            CorsRule::new(["http://localhost:3000"], [CorsMethod::Get])
                .with_id("Allow Local Development")
                .with_allowed_headers(["x-requested-by"])
                .with_expose_headers(["Content-Encoding"])
                .with_max_age_seconds(3600),
        ]);
        r2.client.put_cors(&r2.bucket, &seed).await?;
    }

    // cors = client.r2.buckets.cors.get(bucket_name=..., account_id=...); print(cors.rules)
    match r2.client.get_cors(&r2.bucket).await? {
        Some(cors) => {
            for rule in &cors.rules {
                println!(
                    "{}: origins {:?}, methods {:?}, headers {:?}, expose {:?}, max age {:?}",
                    rule.id.as_deref().unwrap_or("(no id)"),
                    rule.allowed_origins,
                    rule.allowed_methods,
                    rule.allowed_headers,
                    rule.expose_headers,
                    rule.max_age_seconds
                );
            }
        }
        None => println!("{} has no CORS configuration", r2.bucket),
    }
    if r2.owns_bucket {
        r2.client.delete_cors(&r2.bucket).await?;
        r2.client.delete_bucket(&r2.bucket).await?;
    }
    Ok(())
}
