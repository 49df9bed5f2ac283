//! `bucket_admin::from_url` against the emulator, and its typed errors.
#![cfg(all(feature = "cos", feature = "r2"))]

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
    let e = err("s3://bucket", vec![]);
    assert!(
        matches!(&e, FromUrlError::UnknownScheme { scheme } if scheme == "s3"),
        "{e}"
    );
    assert!(e.to_string().contains("cos://"), "{e}");

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
