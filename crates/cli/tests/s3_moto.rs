//! End-to-end: the real binary copies between `s3://` (moto's S3 server, signatures checked)
//! and `r2://` (the emulator), with credentials in the `AWS_*` variables as a user sets them.
//!
//! The moto test runs when `moto_server` was on PATH when the tests were built
//! (`pip install "moto[server]"`) and shows as ignored otherwise.

use bucket_admin_core::{BucketAdmin, CorsConfiguration, CorsMethod, CorsRule, RetryPolicy};
use bucket_admin_emulator::Emulator;
use bucket_admin_r2::R2ClientBuilder;
use bucket_admin_s3::{Profile, S3Client};

#[path = "../../../tests/support/moto.rs"]
mod moto;
use moto::{iam_user, start_moto};

#[path = "support/run.rs"]
mod run;
use run::run_in;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_targets_name_every_missing_variable_and_refuse_bad_urls() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(dir.path(), &[], &["cors", "get", "s3://web"]).await;
    assert_eq!(r.code, 2, "{r:?}");
    for var in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"] {
        assert!(r.stderr.contains(var), "{var}: {r:?}");
    }
    let custom = run_in(dir.path(), &[], &["cors", "get", "s3://web?profile=custom"]).await;
    assert!(custom.stderr.contains("AWS_ENDPOINT_URL"), "{custom:?}");
    let bad = run_in(dir.path(), &[], &["cors", "get", "s3://web?profile=gcs"]).await;
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(
        bad.stderr.contains("aws, r2, cos, minio, custom"),
        "{bad:?}"
    );
    // Plain http to another machine would send signed requests in the clear.
    let env = [
        ("AWS_ACCESS_KEY_ID".to_owned(), "AKIAEXAMPLE".to_owned()),
        ("AWS_SECRET_ACCESS_KEY".to_owned(), "example".to_owned()),
    ];
    let http = run_in(
        dir.path(),
        &env,
        &[
            "cors",
            "get",
            "s3://web?profile=minio&endpoint=http://10.1.2.3:9000",
        ],
    )
    .await;
    assert_eq!(http.code, 2, "{http:?}");
    assert!(http.stderr.contains("--allow-http"), "{http:?}");
    assert!(
        !http.stderr.contains("example"),
        "no secret printed: {http:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(
    not(moto),
    ignore = "needs moto_server on PATH at build time (pip install \"moto[server]\")"
)]
async fn cors_copy_from_s3_on_moto_to_r2_on_the_emulator() {
    let moto = start_moto();
    let (id, secret) = iam_user(&moto.endpoint).await;
    let s3 = S3Client::builder()
        .profile(Profile::Custom)
        .endpoint(&moto.endpoint)
        .region("us-east-1")
        .access_key_id(&id)
        .secret_access_key(&secret)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let rule = CorsRule::new(
        ["https://app.example.com"],
        [CorsMethod::Get, CorsMethod::Put],
    )
    .with_id("web")
    .with_allowed_headers(["content-type"])
    .with_expose_headers(["etag"])
    .with_max_age_seconds(600);
    let cors = CorsConfiguration::new(vec![rule.clone()]);
    for b in ["assets", "logs"] {
        s3.create_bucket(b, &Default::default()).await.unwrap();
        s3.put_cors(b, &cors).await.unwrap();
    }

    let emu = Emulator::start().await.expect("emulator");
    let r = emu.r2_credentials();
    let r2 = R2ClientBuilder::new()
        .account_id(r.account_id.clone())
        .api_token(r.api_token.clone())
        .base_url(emu.r2_base_url())
        .allow_http(true)
        .build()
        .unwrap();
    for b in ["assets", "logs"] {
        r2.create_bucket(b, &Default::default()).await.unwrap();
    }
    let mut env = vec![
        ("AWS_ACCESS_KEY_ID".to_owned(), id.clone()),
        ("AWS_SECRET_ACCESS_KEY".to_owned(), secret.clone()),
        ("CLOUDFLARE_API_TOKEN".to_owned(), r.api_token.clone()),
        ("CLOUDFLARE_ACCOUNT_ID".to_owned(), r.account_id.clone()),
        ("CLOUDFLARE_BASE_URL".to_owned(), emu.r2_base_url()),
    ];
    let dir = tempfile::tempdir().unwrap();
    let from = format!(
        "s3://assets?region=us-east-1&endpoint={}&profile=custom",
        moto.endpoint
    );
    let copy = run_in(
        dir.path(),
        &env,
        &[
            "cors",
            "copy",
            "--from",
            &from,
            "--to",
            "r2://assets",
            "--json",
        ],
    )
    .await;
    assert_eq!(copy.code, 0, "{copy:?}");
    let got = r2.get_cors("assets").await.unwrap().expect("copied");
    assert_eq!(got.rules.len(), 1, "{got:?}");
    assert_eq!(got.rules[0].allowed_origins, rule.allowed_origins);
    assert_eq!(got.rules[0].allowed_methods, rule.allowed_methods);
    assert_eq!(got.rules[0].max_age_seconds, Some(600));
    assert!(!copy.stdout.contains(&secret) && !copy.stderr.contains(&secret));

    // Region and endpoint from the environment; the report names the canonical URL.
    env.push(("AWS_REGION".into(), "us-east-1".into()));
    env.push(("AWS_ENDPOINT_URL".into(), moto.endpoint.clone()));
    let get = run_in(
        dir.path(),
        &env,
        &[
            "cors",
            "get",
            "s3://logs?profile=custom",
            "--output-format",
            "s3",
        ],
    )
    .await;
    assert_eq!(get.code, 0, "{get:?}");
    assert!(get.stdout.contains("https://app.example.com"), "{get:?}");

    // Bulk: two spellings of one S3 bucket are one source, caught as a duplicate target...
    let canon = format!(
        "s3://logs?profile=custom&region=us-east-1&endpoint={}",
        moto.endpoint
    );
    std::fs::write(
        dir.path().join("dup.csv"),
        format!("s3://logs?profile=custom,{canon}\nr2://assets,{canon}/\n"),
    )
    .unwrap();
    let dup = run_in(dir.path(), &env, &["cors", "copy", "--mapping", "dup.csv"]).await;
    assert_eq!(dup.code, 2, "{dup:?}");
    assert!(
        dup.stderr.contains("already the target of line 1"),
        "{dup:?}"
    );
    // ...and a bulk copy S3 -> R2 applies.
    std::fs::write(
        dir.path().join("map.csv"),
        "s3://logs?profile=custom,r2://logs\n",
    )
    .unwrap();
    let bulk = run_in(
        dir.path(),
        &env,
        &["cors", "copy", "--mapping", "map.csv", "--json"],
    )
    .await;
    assert_eq!(bulk.code, 0, "{bulk:?}");
    assert!(r2.get_cors("logs").await.unwrap().is_some());

    // A wrong secret is refused by moto's signature check and reported in CLI terms.
    let wrong: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| {
            let v = if k == "AWS_SECRET_ACCESS_KEY" {
                "not-the-secret".to_owned()
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect();
    let denied = run_in(
        dir.path(),
        &wrong,
        &["cors", "get", "s3://logs?profile=custom"],
    )
    .await;
    assert_ne!(denied.code, 0, "{denied:?}");
    assert!(
        denied.stderr.contains("SignatureDoesNotMatch"),
        "{denied:?}"
    );
    assert!(!denied.stderr.contains("not-the-secret"), "{denied:?}");

    // The AWS shared config files: keys and region from `[moto]`, picked by AWS_PROFILE or by
    // `?aws_profile=` (which replaces the wrong keys still in the variables, as the AWS CLI's
    // --profile does); moto checks the signature made with them.
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/credentials"),
        format!(
            "# test keys\n[moto]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        format!(
            "[profile moto]\nregion = us-east-1\nendpoint_url = {}\n",
            moto.endpoint
        ),
    )
    .unwrap();
    let h = home.path().to_str().unwrap().to_owned();
    let files_only = vec![
        ("HOME".to_owned(), h.clone()),
        ("AWS_PROFILE".to_owned(), "moto".to_owned()),
    ];
    let get = run_in(
        dir.path(),
        &files_only,
        &[
            "cors",
            "get",
            "s3://logs?profile=custom",
            "--output-format",
            "s3",
        ],
    )
    .await;
    assert_eq!(get.code, 0, "{get:?}");
    assert!(get.stdout.contains("https://app.example.com"), "{get:?}");
    let mut explicit = wrong.clone();
    explicit.push(("HOME".to_owned(), h.clone()));
    let get = run_in(
        dir.path(),
        &explicit,
        &["cors", "get", "s3://logs?profile=custom&aws_profile=moto"],
    )
    .await;
    assert_eq!(get.code, 0, "{get:?}");
    assert!(!get.stderr.contains(&secret) && !get.stdout.contains(&secret));

    // `buckets create --object-lock` on S3: moto switches versioning on with the lock.
    let create = run_in(
        dir.path(),
        &files_only,
        &[
            "buckets",
            "create",
            "s3://locked?profile=custom",
            "--object-lock",
        ],
    )
    .await;
    assert_eq!(create.code, 0, "{create:?}");
    assert_eq!(
        s3.get_versioning("locked").await.unwrap(),
        bucket_admin_core::VersioningStatus::Enabled
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_lock_is_refused_where_the_target_cannot_honour_it() {
    let dir = tempfile::tempdir().unwrap();
    for url in ["r2://locked", "cos://locked-1250000000?region=ap-beijing"] {
        let r = run_in(
            dir.path(),
            &[],
            &["--emulator", "buckets", "create", url, "--object-lock"],
        )
        .await;
        assert_eq!(r.code, 2, "{url}: {r:?}");
        assert!(r.stderr.contains("cannot switch Object Lock on"), "{r:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_aws_profile_is_named_with_its_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".aws")).unwrap();
    std::fs::write(
        dir.path().join(".aws/credentials"),
        "[default]\naws_access_key_id = AKIADEFAULTKEY\naws_secret_access_key = topsecret\n",
    )
    .unwrap();
    let home = dir.path().to_str().unwrap().to_owned();
    let file = dir.path().join(".aws/credentials").display().to_string();
    for (env, url) in [
        (vec![("AWS_PROFILE", "prod")], "s3://web?region=eu-west-1"),
        (vec![], "s3://web?region=eu-west-1&aws_profile=prod"),
    ] {
        let mut env: Vec<(String, String)> = env
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        env.push(("HOME".to_owned(), home.clone()));
        let r = run_in(dir.path(), &env, &["cors", "get", url]).await;
        assert_eq!(r.code, 2, "{r:?}");
        assert!(
            r.stderr.contains("profile `prod` not found in") && r.stderr.contains(&file),
            "{r:?}"
        );
        assert!(!r.stderr.contains("topsecret"), "{r:?}");
    }
    // The default profile's keys count: only the region is missing.
    let env = vec![("HOME".to_owned(), home.clone())];
    let r = run_in(dir.path(), &env, &["cors", "get", "s3://web"]).await;
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("AWS_REGION"), "{r:?}");
    assert!(!r.stderr.contains("AWS_ACCESS_KEY_ID"), "{r:?}");
}
