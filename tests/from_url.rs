//! `bucket_admin::from_url` against the emulator, and its typed errors.
#![cfg(all(feature = "cos", feature = "r2", feature = "s3"))]

#[path = "support/moto.rs"]
#[allow(dead_code)]
mod moto;

use bucket_admin::{BucketAdmin, CorsConfiguration, CorsMethod, CorsRule, FromUrlError};
use bucket_admin_emulator::Emulator;

fn cos_vars(emu: &Emulator) -> Vec<(String, String)> {
    let c = emu.cos_credentials();
    vec![
        ("COS_SECRET_ID".into(), c.secret_id.clone()),
        ("COS_SECRET_KEY".into(), c.secret_key.clone()),
        // Loopback http: no allow_http needed.
        ("COS_ENDPOINT".into(), emu.cos_endpoint()),
    ]
}

fn r2_vars(emu: &Emulator) -> Vec<(String, String)> {
    let c = emu.r2_credentials();
    vec![
        ("CLOUDFLARE_API_TOKEN".into(), c.api_token.clone()),
        ("CLOUDFLARE_ACCOUNT_ID".into(), c.account_id.clone()),
        ("CLOUDFLARE_BASE_URL".into(), emu.r2_base_url()),
    ]
}

fn cors() -> CorsConfiguration {
    CorsConfiguration::new(vec![
        CorsRule::new(["https://example.com"], [CorsMethod::Get]).with_max_age_seconds(600),
    ])
}

async fn round_trip(admin: &dyn BucketAdmin, bucket: &str) {
    admin
        .create_bucket(bucket, &Default::default())
        .await
        .unwrap();
    admin.put_cors(bucket, &cors()).await.unwrap();
    assert_eq!(admin.get_cors(bucket).await.unwrap(), Some(cors()));
}

#[tokio::test]
async fn cos_and_r2_urls_make_working_clients_from_the_environment() {
    let emu = Emulator::start().await.unwrap();
    let (cos, bucket) =
        bucket_admin::from_url_with_vars("cos://web-1250000000?region=ap-beijing", cos_vars(&emu))
            .unwrap();
    assert_eq!(bucket, "web-1250000000");
    assert_eq!(cos.capabilities().provider, bucket_admin::Provider::Cos);
    round_trip(cos.as_ref(), &bucket).await;

    let (r2, bucket) =
        bucket_admin::from_url_with_vars("r2://assets?jurisdiction=eu", r2_vars(&emu)).unwrap();
    assert_eq!(bucket, "assets");
    assert_eq!(r2.capabilities().provider, bucket_admin::Provider::R2);
    round_trip(r2.as_ref(), &bucket).await;
    let listed = r2.list_buckets().await.unwrap();
    assert_eq!(listed[0].jurisdiction, Some(bucket_admin::Jurisdiction::Eu));
}

#[test]
fn the_region_can_come_from_the_environment_and_the_url_wins() {
    let mut vars = vec![
        ("COS_SECRET_ID".to_owned(), "AKIDexampleexample".to_owned()),
        ("COS_SECRET_KEY".to_owned(), "secret".to_owned()),
        ("COS_REGION".to_owned(), "ap-guangzhou".to_owned()),
    ];
    assert!(bucket_admin::from_url_with_vars("cos://web-1250000000", vars.clone()).is_ok());
    vars.pop();
    assert!(matches!(
        bucket_admin::from_url_with_vars("cos://web-1250000000", vars.clone()),
        Err(FromUrlError::MissingRegion)
    ));
}

fn err(url: &str, vars: Vec<(&str, &str)>) -> FromUrlError {
    match bucket_admin::from_url_with_vars(url, vars) {
        Ok(_) => panic!("{url} should fail"),
        Err(e) => e,
    }
}

#[test]
fn typed_errors_say_what_to_change() {
    let e = err("gs://bucket", vec![]);
    assert!(
        matches!(&e, FromUrlError::UnknownScheme { scheme } if scheme == "gs"),
        "{e}"
    );
    assert!(
        e.to_string().contains("cos://") && e.to_string().contains("s3://"),
        "{e}"
    );

    let e = err("cos://web-1250000000?region=ap-beijing", vec![]);
    match &e {
        FromUrlError::MissingCredentials { scheme, variables } => {
            assert_eq!(scheme, "cos");
            assert_eq!(variables.len(), 2);
        }
        other => panic!("{other:?}"),
    }
    let text = e.to_string();
    assert!(
        text.contains("COS_SECRET_ID") && text.contains("COS_SECRET_KEY"),
        "{text}"
    );

    let e = err("r2://assets", vec![("CLOUDFLARE_ACCOUNT_ID", "x")]);
    assert!(
        matches!(&e, FromUrlError::MissingCredentials { variables, .. } if variables == &vec!["CLOUDFLARE_API_TOKEN"]),
        "{e}"
    );
    let e = err("r2://assets", vec![]);
    assert!(
        e.to_string()
            .contains("CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID"),
        "{e}"
    );

    let keys = vec![
        ("COS_SECRET_ID", "AKIDexampleexample"),
        ("COS_SECRET_KEY", "k"),
    ];
    let e = err("cos://web-1250000000", keys.clone());
    assert!(matches!(e, FromUrlError::MissingRegion), "{e}");
    assert!(e.to_string().contains("?region="), "{e}");

    let e = err(
        "cos://web-1250000000?region=ap-beijing&colour=red",
        keys.clone(),
    );
    assert!(
        matches!(&e, FromUrlError::UnknownParameter { name, .. } if name == "colour"),
        "{e}"
    );
    let e = err(
        "cos://web-1250000000/some/key?region=ap-beijing",
        keys.clone(),
    );
    assert!(matches!(e, FromUrlError::InvalidUrl { .. }), "{e}");
    let e = err("cos://?region=ap-beijing", keys.clone());
    assert!(matches!(e, FromUrlError::InvalidUrl { .. }), "{e}");
    let e = err("web-1250000000", keys.clone());
    assert!(matches!(e, FromUrlError::InvalidUrl { .. }), "{e}");

    let r2_keys = vec![
        ("CLOUDFLARE_API_TOKEN", "token"),
        ("CLOUDFLARE_ACCOUNT_ID", "023e105f4ecef8ad9ca31a8372d0c353"),
    ];
    let e = err("r2://assets?jurisdiction=mars", r2_keys.clone());
    assert!(
        matches!(&e, FromUrlError::InvalidParameter { name, .. } if name == "jurisdiction"),
        "{e}"
    );
    // A builder refusal keeps the provider's typed error, and converts into the crate's Error.
    let e = err("cos://web-1250000000?region=AP_BEIJING", keys);
    assert!(matches!(e, FromUrlError::Build(_)), "{e}");
    let as_error: bucket_admin::Error = e.into();
    assert_eq!(as_error.kind(), bucket_admin::ErrorKind::Config);
    let as_error: bucket_admin::Error = err("ftp://x", vec![]).into();
    assert_eq!(as_error.kind(), bucket_admin::ErrorKind::Config);
    assert!(!format!("{as_error}").is_empty());
}

/// A directory of AWS shared config files, removed when dropped.
struct AwsDir(std::path::PathBuf);

impl AwsDir {
    fn new(tag: &str, credentials: &str, config: &str) -> AwsDir {
        let dir = std::env::temp_dir().join(format!("from-url-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("credentials"), credentials).unwrap();
        std::fs::write(dir.join("config"), config).unwrap();
        AwsDir(dir)
    }
    fn vars(&self) -> Vec<(String, String)> {
        vec![
            (
                "AWS_SHARED_CREDENTIALS_FILE".into(),
                self.0.join("credentials").display().to_string(),
            ),
            (
                "AWS_CONFIG_FILE".into(),
                self.0.join("config").display().to_string(),
            ),
        ]
    }
}

impl Drop for AwsDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn pairs(vars: &[(&str, &str)]) -> Vec<(String, String)> {
    vars.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
#[cfg_attr(
    not(moto),
    ignore = "needs moto_server on PATH at build time (pip install \"moto[server]\")"
)]
async fn s3_urls_make_working_clients_against_moto() {
    let server = moto::start_moto();
    let (id, secret) = moto::iam_user(&server.endpoint).await;
    let bucket = format!("ba-from-url-{}", std::process::id());

    // Keys from the AWS_* variables, everything else from the URL.
    let url = format!(
        "s3://{bucket}?profile=custom&region=eu-west-1&endpoint={}",
        server.endpoint
    );
    let vars = pairs(&[
        ("AWS_ACCESS_KEY_ID", &id),
        ("AWS_SECRET_ACCESS_KEY", &secret),
    ]);
    let (admin, named) = bucket_admin::from_url_with_vars(&url, vars).unwrap();
    assert_eq!(named, bucket);
    assert_eq!(admin.capabilities().provider, bucket_admin::s3::PROVIDER);
    round_trip(admin.as_ref(), &bucket).await;

    // ?aws_profile= takes the keys, region and endpoint from the shared files and replaces
    // the variables' (wrong) keys, as the AWS CLI's --profile does: moto checks the signature.
    let files = AwsDir::new(
        "moto",
        &format!("[moto]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n"),
        &format!(
            "[profile moto]\nregion = eu-west-1\nendpoint_url = {}\n",
            server.endpoint
        ),
    );
    let mut vars = files.vars();
    vars.extend(pairs(&[
        ("AWS_ACCESS_KEY_ID", &id),
        ("AWS_SECRET_ACCESS_KEY", "not-the-secret-key"),
    ]));
    let (admin, _) = bucket_admin::from_url_with_vars(
        &format!("s3://{bucket}?profile=custom&aws_profile=moto"),
        vars.clone(),
    )
    .unwrap();
    assert_eq!(admin.get_cors(&bucket).await.unwrap(), Some(cors()));

    // Without ?aws_profile= the variables' keys are used, and moto refuses the wrong secret.
    vars.push(("AWS_ENDPOINT_URL".into(), server.endpoint.clone()));
    let (wrong, _) =
        bucket_admin::from_url_with_vars(&format!("s3://{bucket}?profile=custom"), vars).unwrap();
    let e = wrong.get_cors(&bucket).await.expect_err("wrong secret");
    assert_eq!(e.code(), Some("SignatureDoesNotMatch"), "{e:?}");
}

#[test]
fn s3_url_errors_name_what_to_change() {
    let keys = pairs(&[
        ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
    ]);
    let fails = |url: &str, vars: &[(String, String)]| match bucket_admin::from_url_with_vars(
        url,
        vars.to_vec(),
    ) {
        Ok(_) => panic!("{url} should fail"),
        Err(e) => e,
    };

    let e = fails("s3://logs?region=eu-west-1&colour=red", &keys);
    assert!(
        matches!(&e, FromUrlError::UnknownParameter { scheme, name } if scheme == "s3" && name == "colour"),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "`s3://` URLs have no parameter `colour` (known: profile, region, endpoint, aws_profile)"
    );

    let e = fails("s3://logs?profile=gcs", &keys);
    assert!(
        matches!(&e, FromUrlError::InvalidParameter { name, .. } if name == "profile"),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "invalid URL parameter `profile`: `gcs` is not an S3 profile (expected aws, r2, cos, minio or custom)"
    );

    // A shared-config profile neither file has, named with the files looked in.
    let files = AwsDir::new("errors", "[other]\naws_access_key_id = A\n", "");
    let e = fails("s3://logs?aws_profile=prod&region=eu-west-1", &files.vars());
    assert!(
        matches!(&e, FromUrlError::InvalidParameter { name, .. } if name == "aws_profile"),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "invalid URL parameter `aws_profile`: profile `prod` not found in {} or {}",
            files.0.join("credentials").display(),
            files.0.join("config").display()
        )
    );

    // Missing keys are named before anything is built; a profile without a secret counts.
    let e = fails("s3://logs?region=eu-west-1", &[]);
    assert_eq!(
        e.to_string(),
        "missing S3 credentials: set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY"
    );
    let e = fails(
        "s3://logs?aws_profile=other&region=eu-west-1",
        &files.vars(),
    );
    assert!(
        matches!(&e, FromUrlError::MissingCredentials { scheme, variables } if scheme == "s3" && variables == &vec!["AWS_SECRET_ACCESS_KEY"]),
        "{e:?}"
    );

    // Plain http is for this machine only.
    let e = fails(
        "s3://logs?profile=minio&endpoint=http://10.0.0.7:9000",
        &keys,
    );
    assert!(
        matches!(&e, FromUrlError::InvalidParameter { name, .. } if name == "endpoint"),
        "{e:?}"
    );
    assert!(
        bucket_admin::from_url_with_vars(
            "s3://logs?profile=minio&endpoint=http://127.0.0.1:9000",
            keys.clone()
        )
        .is_ok()
    );

    // The builder's own checks come through typed: AWS needs a region.
    let e = fails("s3://logs", &keys);
    match &e {
        FromUrlError::Build(inner) => {
            assert_eq!(inner.kind(), bucket_admin::ErrorKind::Config);
            assert!(inner.message().contains("region is required"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    // The region can come from the variables, and R2's account from CLOUDFLARE_ACCOUNT_ID.
    let mut vars = keys.clone();
    vars.push(("AWS_REGION".into(), "eu-west-1".into()));
    assert!(bucket_admin::from_url_with_vars("s3://logs", vars.clone()).is_ok());
    let e = fails("s3://logs?profile=r2", &keys);
    assert!(matches!(e, FromUrlError::Build(_)), "{e:?}");
    vars.push((
        "CLOUDFLARE_ACCOUNT_ID".into(),
        "023e105f4ecef8ad9ca31a8372d0c353".into(),
    ));
    assert!(bucket_admin::from_url_with_vars("s3://logs?profile=r2", vars).is_ok());
}

#[tokio::test]
async fn client_builder_gives_configurable_builders_for_account_urls_too() {
    use bucket_admin::{BucketUrl, ClientBuilder, Scheme};

    let emu = Emulator::start().await.unwrap();
    // An account URL: from_url needs a bucket, client_builder does not.
    let account = BucketUrl::new(Scheme::R2, None::<String>);
    assert!(matches!(
        bucket_admin::from_url_with_vars(&account.to_string(), r2_vars(&emu)),
        Err(FromUrlError::InvalidUrl { .. })
    ));
    let ClientBuilder::R2(builder) = bucket_admin::client_builder(&account, r2_vars(&emu)).unwrap()
    else {
        panic!("r2:// gives the R2 builder")
    };
    // The caller's own settings go on the concrete builder, and the concrete client comes out.
    let r2 = builder.pacing(None).build().unwrap();
    r2.create_bucket("listed", &Default::default())
        .await
        .unwrap();
    let names: Vec<String> = r2
        .with_jurisdiction(bucket_admin::Jurisdiction::Default)
        .list_buckets()
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert_eq!(names, ["listed"]);

    // The same checks as from_url, with the same typed errors.
    let url = BucketUrl::new(Scheme::Cos, Some("web-1250000000")).with_param("colour", "red");
    assert_eq!(url.to_string(), "cos://web-1250000000?colour=red");
    assert!(matches!(
        bucket_admin::client_builder(&url, cos_vars(&emu)),
        Err(FromUrlError::UnknownParameter { name, .. }) if name == "colour"
    ));
    let url =
        BucketUrl::new(Scheme::Cos, Some("web-1250000000")).with_param("region", "ap-beijing");
    let ClientBuilder::Cos(_) = bucket_admin::client_builder(&url, cos_vars(&emu)).unwrap() else {
        panic!("cos:// gives the COS builder")
    };
    let e = bucket_admin::client_builder(&url, Vec::<(String, String)>::new()).unwrap_err();
    assert!(
        matches!(&e, FromUrlError::MissingCredentials { scheme, .. } if scheme == "cos"),
        "{e:?}"
    );
    // A parsed URL prints back as written.
    let text = "s3://logs/x?profile=minio&endpoint=http://127.0.0.1:9000";
    assert_eq!(BucketUrl::parse(text).unwrap().to_string(), text);
}
