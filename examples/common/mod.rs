//! Shared by the examples: connect to the real clouds when credentials are in the
//! environment, otherwise to an in-process emulator, so every example runs on a fresh machine.

#![allow(dead_code)]

use bucket_admin::cos::{CosClient, CosClientBuilder};
use bucket_admin::r2::R2Client;
use bucket_admin_emulator::Emulator;

/// A COS client, the bucket to use, and the emulator keeping the client's server alive.
pub struct Cos {
    /// The client.
    pub client: CosClient,
    /// The bucket the example works on (`<name>-<appid>`).
    pub bucket: String,
    /// Whether the example may create and delete the bucket (only on the emulator).
    pub owns_bucket: bool,
    _emulator: Option<Emulator>,
}

/// An R2 client, the bucket to use, and the emulator keeping the client's server alive.
pub struct R2 {
    /// The client.
    pub client: R2Client,
    /// The bucket the example works on.
    pub bucket: String,
    /// Whether the example may create and delete the bucket (only on the emulator).
    pub owns_bucket: bool,
    _emulator: Option<Emulator>,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// COS from `COS_SECRET_ID`/`COS_SECRET_KEY`/`COS_REGION` and the bucket in `COS_BUCKET`, or
/// the emulator with a bucket named `<stem>-<appid>`.
pub async fn cos(stem: &str) -> Result<Cos, Box<dyn std::error::Error>> {
    if var("COS_SECRET_ID").is_some() || var("TENCENTCLOUD_SECRET_ID").is_some() {
        let bucket = var("COS_BUCKET")
            .ok_or("COS credentials are set: name an existing bucket in COS_BUCKET")?;
        println!("using Tencent COS (credentials from the environment), bucket {bucket}");
        return Ok(Cos {
            client: CosClientBuilder::from_env().build()?,
            bucket,
            owns_bucket: false,
            _emulator: None,
        });
    }
    let emulator = Emulator::start().await?;
    let creds = emulator.cos_credentials().clone();
    println!(
        "no COS credentials in the environment: using the built-in emulator at {}",
        emulator.cos_endpoint()
    );
    let client = CosClient::builder()
        .region(creds.region)
        .secret_id(creds.secret_id)
        .secret_key(creds.secret_key)
        .endpoint(emulator.cos_endpoint())
        .allow_http(true)
        .build()?;
    Ok(Cos {
        client,
        bucket: format!("{stem}-{}", creds.appid),
        owns_bucket: true,
        _emulator: Some(emulator),
    })
}

/// R2 from `CLOUDFLARE_API_TOKEN`/`CLOUDFLARE_ACCOUNT_ID` and the bucket in `R2_BUCKET`, or
/// the emulator with a bucket named `stem`.
pub async fn r2(stem: &str) -> Result<R2, Box<dyn std::error::Error>> {
    if var("CLOUDFLARE_API_TOKEN").is_some() {
        let bucket = var("R2_BUCKET")
            .ok_or("Cloudflare credentials are set: name an existing bucket in R2_BUCKET")?;
        println!("using Cloudflare R2 (credentials from the environment), bucket {bucket}");
        return Ok(R2 {
            client: R2Client::from_env().build()?,
            bucket,
            owns_bucket: false,
            _emulator: None,
        });
    }
    let emulator = Emulator::start().await?;
    let creds = emulator.r2_credentials().clone();
    println!(
        "no Cloudflare credentials in the environment: using the built-in emulator at {}",
        emulator.r2_base_url()
    );
    let client = R2Client::builder()
        .account_id(creds.account_id)
        .api_token(creds.api_token)
        .base_url(emulator.r2_base_url())
        .allow_http(true)
        .pacing(None)
        .build()?;
    Ok(R2 {
        client,
        bucket: stem.to_owned(),
        owns_bucket: true,
        _emulator: Some(emulator),
    })
}
