//! The conformance suite against both providers on the in-process emulator.

mod conformance;

use std::time::Duration;

use bucket_admin::cos::CosClient;
use bucket_admin::r2::R2Client;
use bucket_admin::{BucketAdmin, Jurisdiction, RetryPolicy};
use bucket_admin_emulator::{Api, Emulator, Fault, FaultRule, Limits};
use conformance::{Backend, Subject};

/// Fast retries so the fault tests do not wait on the default backoff.
fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
}

struct EmulatorBackend {
    emulator: Emulator,
    api: Api,
}

impl Backend for EmulatorBackend {
    fn request_count(&self) -> Option<usize> {
        Some(self.emulator.request_count())
    }
    fn inject_unavailable(&self, times: usize) -> bool {
        self.emulator
            .faults()
            .push(FaultRule::new(Fault::SlowDown).api(self.api).times(times));
        true
    }
    fn inject_rate_limited(&self) -> bool {
        self.emulator.faults().push(
            FaultRule::new(Fault::TooManyRequests {
                retry_after_secs: 1,
            })
            .api(self.api)
            .times(1),
        );
        true
    }
    fn make_non_empty(&self, bucket: &str) -> bool {
        match self.api {
            Api::Cos => self
                .emulator
                .put_cos_object(bucket, "keep.txt", b"not empty"),
            Api::R2 => {
                self.emulator
                    .put_r2_object(Jurisdiction::Default, bucket, "keep.txt", b"not empty")
            }
        }
    }
}

struct Setup {
    backend: EmulatorBackend,
    admin: Box<dyn BucketAdmin>,
    wrong: Box<dyn BucketAdmin>,
    appid: Option<String>,
    destination: String,
}

/// Pages of two buckets, so listing three buckets has to follow the pagination.
async fn paginating_emulator() -> Emulator {
    Emulator::builder()
        .limits(Limits {
            max_page_size: Some(2),
            ..Limits::default()
        })
        .start()
        .await
        .expect("emulator starts")
}

async fn cos_setup() -> Setup {
    let emulator = paginating_emulator().await;
    let creds = emulator.cos_credentials().clone();
    let build = |secret_key: &str| {
        CosClient::builder()
            .region(creds.region.clone())
            .secret_id(creds.secret_id.clone())
            .secret_key(secret_key.to_owned())
            .endpoint(emulator.cos_endpoint())
            .allow_http(true)
            .retry_policy(quick_retries())
            .build()
            .expect("COS client builds")
    };
    let admin = Box::new(build(&creds.secret_key));
    let wrong = Box::new(build("not-the-secret-key"));
    Setup {
        destination: format!("qcs::cos:ap-shanghai::backup-{}", creds.appid),
        appid: Some(creds.appid.clone()),
        backend: EmulatorBackend {
            emulator,
            api: Api::Cos,
        },
        admin,
        wrong,
    }
}

async fn r2_setup() -> Setup {
    let emulator = paginating_emulator().await;
    let creds = emulator.r2_credentials().clone();
    let build = |token: &str| {
        R2Client::builder()
            .account_id(creds.account_id.clone())
            .api_token(token.to_owned())
            .base_url(emulator.r2_base_url())
            .allow_http(true)
            .pacing(None)
            .retry_policy(quick_retries())
            .build()
            .expect("R2 client builds")
    };
    let admin = Box::new(build(&creds.api_token));
    let wrong = Box::new(build("wrong-token"));
    Setup {
        destination: "backup-bucket".into(),
        appid: None,
        backend: EmulatorBackend {
            emulator,
            api: Api::R2,
        },
        admin,
        wrong,
    }
}

macro_rules! conformance_tests {
    ($provider:ident, $setup:ident) => {
        mod $provider {
            use super::*;

            async fn run<F>(check: F)
            where
                F: for<'a> AsyncFnOnce(&'a Subject<'a>),
            {
                let setup = $setup().await;
                let appid = setup.appid.clone();
                let namer = move |stem: &str| match &appid {
                    Some(appid) => format!("{stem}-{appid}"),
                    None => stem.to_owned(),
                };
                let subject = Subject {
                    admin: setup.admin.as_ref(),
                    wrong_credentials: setup.wrong.as_ref(),
                    backend: &setup.backend,
                    bucket_name: &namer,
                    replication_destination: setup.destination.clone(),
                };
                check(&subject).await;
            }

            #[tokio::test]
            async fn bucket_lifecycle() {
                run(async |s| conformance::bucket_lifecycle(s).await).await;
            }
            #[tokio::test]
            async fn not_found_mapping() {
                run(async |s| conformance::not_found_mapping(s).await).await;
            }
            #[tokio::test]
            async fn cors_round_trip() {
                run(async |s| conformance::cors_round_trip(s).await).await;
            }
            #[tokio::test]
            async fn lifecycle_round_trip() {
                run(async |s| conformance::lifecycle_round_trip(s).await).await;
            }
            #[tokio::test]
            async fn versioning_round_trip() {
                run(async |s| conformance::versioning_round_trip(s).await).await;
            }
            #[tokio::test]
            async fn replication_round_trip() {
                run(async |s| conformance::replication_round_trip(s).await).await;
            }
            #[tokio::test]
            async fn policy_round_trip() {
                run(async |s| conformance::policy_round_trip(s).await).await;
            }
            #[tokio::test]
            async fn wrong_credentials() {
                run(async |s| conformance::wrong_credentials(s).await).await;
            }
            #[tokio::test]
            async fn retries_injected_faults() {
                run(async |s| conformance::retries_injected_faults(s).await).await;
            }
        }
    };
}

conformance_tests!(cos, cos_setup);
conformance_tests!(r2, r2_setup);
