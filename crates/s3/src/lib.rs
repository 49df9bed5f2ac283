//! # bucket-admin-s3
//!
//! The S3-compatible provider of [bucket-admin](https://docs.rs/bucket-admin): one
//! [`BucketAdmin`](bucket_admin_core::BucketAdmin) over the S3 REST API, signed with AWS
//! Signature V4 by the `aws-sigv4` crate, with named endpoint [`Profile`]s — Amazon S3,
//! Cloudflare R2's S3 endpoint, Tencent COS's S3 endpoint, MinIO and any other S3 server —
//! each with its own [`Capabilities`](bucket_admin_core::Capabilities) ([`capabilities`]).
//!
//! ```no_run
//! use bucket_admin_core::{BucketAdmin, CorsConfiguration, CorsMethod, CorsRule};
//! use bucket_admin_s3::S3ClientBuilder;
//!
//! # async fn run() -> bucket_admin_core::Result<()> {
//! // AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION (AWS_SESSION_TOKEN, AWS_ENDPOINT_URL).
//! let s3 = S3ClientBuilder::from_env().build()?;
//! let cors = CorsConfiguration::new(vec![
//!     CorsRule::new(["https://example.com"], [CorsMethod::Get, CorsMethod::Put])
//!         .with_allowed_headers(["*"])
//!         .with_max_age_seconds(600),
//! ]);
//! s3.put_cors("example-bucket", &cors).await?;
//! assert_eq!(s3.get_cors("example-bucket").await?, Some(cors));
//! # Ok(())
//! # }
//! ```
//!
//! "Not configured" is `Ok(None)` only for a 404 with the sub-resource's own code
//! (`NoSuchCORSConfiguration`, `NoSuchLifecycleConfiguration`, `NoSuchBucketPolicy`,
//! `ReplicationConfigurationNotFoundError`); a missing bucket stays
//! [`ErrorKind::NotFound`](bucket_admin_core::ErrorKind::NotFound). A wrong region
//! (`PermanentRedirect`, `AuthorizationHeaderMalformed`) is an
//! [`ErrorKind::Config`](bucket_admin_core::ErrorKind::Config) error naming the right region.
#![deny(missing_docs)]

mod client;
pub mod codec;
mod config;
mod credentials;
mod shared_config;
pub mod validate;
mod wire;

pub use client::{PROVIDER, S3Client, capabilities, capabilities_table, classify};
pub use config::{
    Addressing, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_LIST_PAGES, DEFAULT_TIMEOUT, Profile,
    S3ClientBuilder,
};
pub use credentials::{ProvideCredentials, S3Credentials};
pub use shared_config::{SharedConfigFiles, SharedProfile};
