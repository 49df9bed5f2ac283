//! The conformance suite against the real clouds. Runs only when credentials are in the
//! environment when the tests are built (the facade's `build.rs` sets `live_cos` / `live_r2`);
//! otherwise each test shows as ignored, with the variables it needs.
//!
//! - COS: `COS_SECRET_ID`, `COS_SECRET_KEY`, `COS_REGION` and `BUCKET_ADMIN_LIVE_COS_APPID`
//!   (the APPID the test buckets are created under).
//! - R2: `CLOUDFLARE_API_TOKEN`, `CLOUDFLARE_ACCOUNT_ID`.
//!
//! The suite creates and deletes buckets named `bucket-admin-conformance-*`.

mod conformance;

use bucket_admin::BucketAdmin;
use bucket_admin::cos::CosClientBuilder;
use bucket_admin::r2::R2Client;
use conformance::{Backend, Subject};

/// A real cloud: nothing can be counted or injected.
struct Cloud;

impl Backend for Cloud {
    fn request_count(&self) -> Option<usize> {
        None
    }
    fn inject_unavailable(&self, _times: usize) -> bool {
        false
    }
    fn inject_rate_limited(&self) -> bool {
        false
    }
    fn make_non_empty(&self, _bucket: &str) -> bool {
        false
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

struct Live {
    admin: Box<dyn BucketAdmin>,
    wrong: Box<dyn BucketAdmin>,
    suffix: String,
    destination: String,
}

fn cos_live() -> Option<Live> {
    let appid = var("BUCKET_ADMIN_LIVE_COS_APPID")?;
    let admin = CosClientBuilder::from_env()
        .build()
        .expect("COS credentials are set but the client does not build");
    let wrong = CosClientBuilder::from_env()
        .secret_key("not-the-secret-key".to_owned())
        .build()
        .expect("client with wrong key");
    let region = var("COS_REGION")?;
    Some(Live {
        admin: Box::new(admin),
        wrong: Box::new(wrong),
        destination: format!("qcs::cos:{region}::bucket-admin-conformance-dst-{appid}"),
        suffix: format!("-{appid}"),
    })
}

fn r2_live() -> Option<Live> {
    var("CLOUDFLARE_API_TOKEN")?;
    let admin = R2Client::from_env()
        .build()
        .expect("R2 credentials are set but the client does not build");
    let wrong = R2Client::from_env()
        .api_token("not-a-real-token".to_owned())
        .build()
        .expect("client with wrong token");
    Some(Live {
        admin: Box::new(admin),
        wrong: Box::new(wrong),
        destination: String::new(),
        suffix: String::new(),
    })
}

async fn run_suite(name: &str, live: Option<Live>) {
    let live = live.unwrap_or_else(|| {
        panic!("{name} credentials were set when the tests were built but are missing now (see tests/conformance_live.rs)")
    });
    let run = std::process::id();
    let suffix = live.suffix.clone();
    let namer = move |stem: &str| format!("bucket-admin-conformance-{stem}-{run}{suffix}");
    let subject = Subject {
        admin: live.admin.as_ref(),
        wrong_credentials: live.wrong.as_ref(),
        backend: &Cloud,
        bucket_name: &namer,
        replication_destination: live.destination.clone(),
    };
    conformance::not_found_mapping(&subject).await;
    conformance::bucket_lifecycle(&subject).await;
    conformance::cors_round_trip(&subject).await;
    conformance::lifecycle_round_trip(&subject).await;
    conformance::versioning_round_trip(&subject).await;
    conformance::policy_round_trip(&subject).await;
    conformance::wrong_credentials(&subject).await;
}

#[tokio::test]
#[cfg_attr(
    not(live_cos),
    ignore = "needs COS_SECRET_ID, COS_SECRET_KEY, COS_REGION and BUCKET_ADMIN_LIVE_COS_APPID"
)]
async fn cos_live_conformance() {
    run_suite("COS", cos_live()).await;
}

#[tokio::test]
#[cfg_attr(
    not(live_r2),
    ignore = "needs CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID"
)]
async fn r2_live_conformance() {
    run_suite("R2", r2_live()).await;
}
