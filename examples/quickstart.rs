//! The README's main command: `cargo run --example quickstart`.
//!
//! With no cloud credentials in the environment it starts the emulator in-process; with
//! credentials it runs the same steps against the real clouds on the buckets named in
//! `COS_BUCKET` and `R2_BUCKET` (which must exist: the quickstart never creates or deletes a
//! real bucket). Steps: create a COS bucket and an R2 bucket (emulator only), apply the CORS
//! rules from the COS seed documentation to COS, copy them to R2 with the loss report, and
//! check a browser preflight against both. When moto's S3 server is there (`MOTO_ENDPOINT`, or
//! `moto_server` on PATH, which the quickstart then starts on a free loopback port), a last
//! step copies an S3 bucket's CORS and lifecycle rules to R2 and prints the loss report.

mod common;

use bucket_admin::convert::{cors_for, lifecycle_for};
use bucket_admin::preflight::{PreflightRequest, evaluate};
use bucket_admin::s3::{Profile, S3Client};
use bucket_admin::{
    Age, BucketAdmin, CorsConfiguration, CorsMethod, CorsRule, CreateBucketOptions, Expiration,
    LifecycleConfiguration, LifecycleRule, RetryPolicy, Tag,
};

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

    println!("\n6. S3 -> R2 (on moto's S3 server)");
    match moto_endpoint() {
        None => println!(
            "   skipped: set MOTO_ENDPOINT or put moto_server on PATH (pip install \"moto[server]\")"
        ),
        Some((endpoint, _server)) => s3_to_r2(&endpoint, &r2).await?,
    }

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

/// Kills the moto server the quickstart started.
struct Moto(std::process::Child);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `MOTO_ENDPOINT`, or a `moto_server` started here (waited for up to 30 s).
fn moto_endpoint() -> Option<(String, Option<Moto>)> {
    if let Some(e) = std::env::var("MOTO_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())
    {
        return Some((e, None));
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .ok()?
        .port();
    let child = std::process::Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let server = Moto(child);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if std::time::Instant::now() > deadline {
            println!("   moto_server did not start listening on {port}");
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Some((format!("http://127.0.0.1:{port}"), Some(server)))
}

/// An S3 bucket with CORS and lifecycle rules, fitted to R2 with the loss report; written to
/// R2 only on the emulator (the quickstart never adds buckets to a real account).
async fn s3_to_r2(endpoint: &str, r2: &common::R2) -> Result<(), Box<dyn std::error::Error>> {
    // moto without IAM enforcement accepts any key; the requests are signed all the same.
    let s3 = S3Client::builder()
        .profile(Profile::Custom)
        .endpoint(endpoint)
        .region("us-east-1")
        .access_key_id("AKIAQUICKSTART")
        .secret_access_key("quickstart-secret")
        .retry_policy(RetryPolicy::disabled())
        .build()?;
    let bucket = "quickstart-s3";
    s3.create_bucket(bucket, &CreateBucketOptions::default())
        .await?;
    let cors = CorsConfiguration::new(vec![
        CorsRule::new(["https://example.com"], [CorsMethod::Get, CorsMethod::Put])
            .with_id("uploads")
            .with_allowed_headers(["content-type"])
            .with_expose_headers(["ETag"])
            .with_max_age_seconds(600),
    ]);
    s3.put_cors(bucket, &cors).await?;
    let mut logs = LifecycleRule::default();
    logs.id = Some("expire-logs".into());
    logs.enabled = true;
    logs.filter.prefix = Some("logs/".into());
    logs.expiration = Some(Expiration::After(Age::days(30)));
    let mut tagged = LifecycleRule::default();
    tagged.id = Some("tmp-tagged".into());
    tagged.enabled = true;
    tagged.filter.prefix = Some("tmp/".into());
    tagged.filter.tags = vec![Tag::new("retention", "short")];
    tagged.expiration = Some(Expiration::After(Age::days(7)));
    tagged.noncurrent_version_expiration_days = Some(3);
    s3.put_lifecycle(bucket, &LifecycleConfiguration::new(vec![logs, tagged]))
        .await?;
    println!("   S3 bucket {bucket} on {endpoint}: 1 CORS rule, 2 lifecycle rules");
    let on_s3_cors = s3
        .get_cors(bucket)
        .await?
        .ok_or("moto lost the CORS rules")?;
    let on_s3_lifecycle = s3
        .get_lifecycle(bucket)
        .await?
        .ok_or("moto lost the lifecycle rules")?;
    let caps = r2.client.capabilities();
    let cors_plan = cors_for(&on_s3_cors, caps)?;
    let lifecycle_plan = lifecycle_for(&on_s3_lifecycle, caps)?;
    println!("   loss report, S3 -> R2:");
    for (what, changes) in [
        ("CORS", &cors_plan.changes),
        ("lifecycle", &lifecycle_plan.changes),
    ] {
        if changes.is_empty() {
            println!("   {what}: lossless");
        }
        for change in changes.iter() {
            println!("   {what}: {change}");
        }
    }
    if r2.owns_bucket {
        let target = "quickstart-from-s3";
        r2.client
            .create_bucket(target, &CreateBucketOptions::default())
            .await?;
        r2.client.put_cors(target, &cors_plan.value).await?;
        r2.client
            .put_lifecycle(target, &lifecycle_plan.value)
            .await?;
        let back = r2.client.get_lifecycle(target).await?;
        println!(
            "   written to R2 bucket {target}; lifecycle read back equals the plan: {}",
            back.as_ref() == Some(&lifecycle_plan.value)
        );
        r2.client.delete_lifecycle(target).await?;
        r2.client.delete_cors(target).await?;
        r2.client.delete_bucket(target).await?;
    } else {
        println!(
            "   not written: on a real R2 account the quickstart only changes R2_BUCKET (step 3)"
        );
    }
    s3.delete_lifecycle(bucket).await?;
    s3.delete_cors(bucket).await?;
    s3.delete_bucket(bucket).await?;
    Ok(())
}

fn indent(text: &str) -> String {
    text.replace('\n', "\n   ")
}
