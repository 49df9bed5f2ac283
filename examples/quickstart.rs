//! The README's main command: `cargo run --example quickstart`.
//!
//! With no cloud credentials in the environment it starts the emulator in-process; with
//! credentials it runs the same steps against the real clouds on the buckets named in
//! `COS_BUCKET` and `R2_BUCKET` (which must exist: the quickstart never creates or deletes a
//! real bucket). Steps: create a COS bucket and an R2 bucket (emulator only), apply the CORS
//! rules from the COS seed documentation to COS, copy them to R2 with the loss report, and
//! check a browser preflight against both.

mod common;

use bucket_admin::convert::cors_for;
use bucket_admin::preflight::{PreflightRequest, evaluate};
use bucket_admin::{BucketAdmin, CorsConfiguration, CorsMethod, CorsRule, CreateBucketOptions};

/// The CORS rules behind the COS `OPTIONS Object` documentation's examples: uploads from
/// https://example.com, reads from anywhere. `ResponseVary` is a COS-only setting, included to
/// show what a migration reports.
fn seed_cors() -> CorsConfiguration {
    let mut cors = CorsConfiguration::new(vec![
        CorsRule::new(["https://example.com"], CorsMethod::ALL)
            .with_id("uploads")
            .with_allowed_headers(["content-md5", "content-type", "x-cos-meta-*"])
            .with_expose_headers(["Content-Length", "ETag", "x-cos-meta-author"])
            .with_max_age_seconds(600),
        CorsRule::new(["*"], [CorsMethod::Get, CorsMethod::Head])
            .with_id("public-read")
            .with_allowed_headers(["*"])
            .with_expose_headers(["Content-Length", "ETag"])
            .with_max_age_seconds(600),
    ]);
    cors.extras.cos_response_vary = Some(true);
    cors
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cos = common::cos("quickstart").await?;
    let r2 = common::r2("quickstart").await?;

    println!("\n1. Buckets");
    if cos.owns_bucket {
        cos.client
            .create_bucket(&cos.bucket, &CreateBucketOptions::default())
            .await?;
        println!("   created COS bucket {}", cos.bucket);
    }
    if r2.owns_bucket {
        r2.client
            .create_bucket(&r2.bucket, &CreateBucketOptions::default())
            .await?;
        println!("   created R2 bucket {}", r2.bucket);
    }

    println!("\n2. Apply the seed CORS rules to COS");
    let cors = seed_cors();
    cos.client.put_cors(&cos.bucket, &cors).await?;
    let on_cos = cos
        .client
        .get_cors(&cos.bucket)
        .await?
        .ok_or("COS returned no CORS configuration right after the put")?;
    println!(
        "   COS now holds {} rule(s); read back equal to what was put: {}",
        on_cos.rules.len(),
        on_cos == cors
    );

    println!("\n3. Copy them to R2");
    let plan = cors_for(&on_cos, r2.client.capabilities())?;
    if plan.is_lossless() {
        println!("   lossless: R2 can hold everything");
    } else {
        println!("   what does not survive the trip:");
        for change in &plan.changes {
            println!("   - {change}");
        }
    }
    r2.client.put_cors(&r2.bucket, &plan.value).await?;
    let on_r2 = r2.client.get_cors(&r2.bucket).await?;
    println!(
        "   R2 read back equals the plan: {}",
        on_r2.as_ref() == Some(&plan.value)
    );

    println!("\n4. Browser preflight: PUT from https://example.com with content-type");
    let request =
        PreflightRequest::new("https://example.com", "PUT").with_headers(["content-type"]);
    let offline = evaluate(Some(&on_cos), &request);
    let live = cos
        .client
        .preflight(&cos.bucket, "uploads/photo.jpg", &request)
        .await?;
    println!(
        "   COS, evaluated offline: {}",
        indent(&offline.to_string())
    );
    println!("   COS, live OPTIONS:      {}", indent(&live.to_string()));
    println!("   same answer: {}", offline.same_answer(&live));
    let on_r2 = evaluate(on_r2.as_ref(), &request);
    println!(
        "   R2, evaluated offline (its REST API has no OPTIONS): {}",
        indent(&on_r2.to_string())
    );

    let denied = PreflightRequest::new("https://evil.example.net", "PUT");
    println!("\n5. And from an origin the rules do not allow:");
    println!(
        "   {}",
        indent(&evaluate(Some(&on_cos), &denied).to_string())
    );

    if cos.owns_bucket {
        cos.client.delete_cors(&cos.bucket).await?;
        cos.client.delete_bucket(&cos.bucket).await?;
    }
    if r2.owns_bucket {
        r2.client.delete_cors(&r2.bucket).await?;
        r2.client.delete_bucket(&r2.bucket).await?;
    }
    println!("\nDone. Next: `cargo run -p bucket-admin-cli -- --help`, or see README.md.");
    Ok(())
}

fn indent(text: &str) -> String {
    text.replace('\n', "\n   ")
}
