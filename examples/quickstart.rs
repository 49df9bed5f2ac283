//! The README's main command: `cargo run --example quickstart`.
//!
//! Evaluates the seed CORS rules offline and plans a COS -> R2 copy with the loss report.

use bucket_admin::convert::cors_for;
use bucket_admin::preflight::{PreflightRequest, evaluate};
use bucket_admin::{AgeUnit, Capabilities, CorsConfiguration, CorsMethod, CorsRule, Provider};

fn main() {
    let mut cors = CorsConfiguration::new(vec![
        CorsRule::new(["https://example.com"], CorsMethod::ALL)
            .with_id("uploads")
            .with_allowed_headers(["content-md5", "content-type", "x-cos-meta-*"])
            .with_expose_headers(["Content-Length", "ETag", "x-cos-meta-author"])
            .with_max_age_seconds(600),
    ]);
    cors.extras.cos_response_vary = Some(true);

    let req = PreflightRequest::new("https://example.com", "PUT").with_headers(["content-type"]);
    println!("preflight PUT from https://example.com: {}", evaluate(Some(&cors), &req));

    let mut r2 = Capabilities::none(Provider::R2);
    r2.cors = true;
    r2.lifecycle_age_unit = AgeUnit::Seconds;
    let plan = cors_for(&cors, &r2).expect("R2 supports CORS");
    println!("copy to R2 keeps {} rule(s); changes:", plan.value.rules.len());
    for change in &plan.changes {
        println!("  - {change}");
    }
}
