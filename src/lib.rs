//! # bucket-admin
//!
//! Administer object-storage buckets the same way on Tencent Cloud COS and Cloudflare R2:
//! CORS, lifecycle, versioning, replication and bucket policy behind one
//! [`BucketAdmin`] trait, with typed errors, a shared retry policy, offline CORS preflight
//! evaluation and migration loss reports.
//!
//! This crate is a facade: it re-exports [`bucket_admin_core`] and, behind the default-on
//! features `cos` and `r2`, the provider crates as [`cos`] (start at
//! [`cos::CosClientBuilder`]) and [`r2`] (start at [`r2::R2ClientBuilder`]).
//!
//! Code against the trait and pick the provider at start-up:
//!
//! ```no_run
//! # #[cfg(all(feature = "cos", feature = "r2"))]
//! # async fn run() -> bucket_admin::Result<()> {
//! use bucket_admin::{BucketAdmin, CorsConfiguration, CorsMethod, CorsRule};
//!
//! let admin: Box<dyn BucketAdmin> = if std::env::var("COS_SECRET_ID").is_ok() {
//!     Box::new(bucket_admin::cos::CosClientBuilder::from_env().build()?)
//! } else {
//!     Box::new(bucket_admin::r2::R2Client::from_env().build()?)
//! };
//! let cors = CorsConfiguration::new(vec![
//!     CorsRule::new(["https://example.com"], [CorsMethod::Get]).with_max_age_seconds(600),
//! ]);
//! admin.put_cors("assets-1250000000", &cors).await?;
//! // "Not configured" is Ok(None), never an error, and never a guess.
//! let now = admin.get_cors("assets-1250000000").await?;
//! assert_eq!(now, Some(cors));
//! # Ok(())
//! # }
//! ```
//!
//! Or name the bucket with a URL (`cos://`, `r2://` or `s3://`) and take the credentials from
//! the environment:
//!
//! ```no_run
//! # async fn run() -> bucket_admin::Result<()> {
//! let (admin, bucket) = bucket_admin::from_url("r2://assets?jurisdiction=eu")?;
//! println!("{:?}", admin.get_lifecycle(&bucket).await?);
//! # Ok(()) }
//! ```
//!
//! Features: `cos` and `r2` (the providers, both default), `formats` (default: the file shapes
//! of AWS, COS and R2 tools, as [`formats`]) and the TLS backend, `rustls` (default) or
//! `native-tls`. Plain `http://` needs `allow_http(true)` on the builders except
//! to loopback addresses (an emulator on this machine).
//!
//! Before migrating, ask the target what it can hold: [`convert::cors_for`] and
//! [`convert::lifecycle_for`] fit a configuration to a provider's [`Capabilities`] and list
//! every change (dropped rules, rounded ages, dates moved between COS's `+08:00` and R2's UTC).
#![doc = concat!("\n\n## What each provider supports\n\n", include_str!("../docs/capabilities.md"))]
#![deny(missing_docs)]

#[doc(inline)]
pub use bucket_admin_core::*;

mod url;
pub use url::{
    BucketUrl, ClientBuilder, FromUrlError, Scheme, client_builder, from_url, from_url_with_vars,
};

/// Tencent Cloud COS provider (feature `cos`).
#[cfg(feature = "cos")]
#[doc(inline)]
pub use bucket_admin_cos as cos;

/// Cloudflare R2 provider (feature `r2`).
#[cfg(feature = "r2")]
#[doc(inline)]
pub use bucket_admin_r2 as r2;

/// S3-compatible provider (feature `s3`): AWS S3, R2's and COS's S3 endpoints, MinIO.
#[cfg(feature = "s3")]
#[doc(inline)]
pub use bucket_admin_s3 as s3;

/// Bucket configuration as code (feature `estate`): the estate file, validation and the pure
/// planner behind `bucket-admin export/plan/apply/drift`.
#[cfg(feature = "estate")]
#[doc(inline)]
pub use bucket_admin_estate as estate;

/// The CORS, lifecycle, replication and policy file shapes in circulation (AWS JSON, COS SDK
/// dicts, COS/S3 XML, wrangler/R2 JSON), read into and written from the neutral models: what the
/// `bucket-admin` command line reads and writes (feature `formats`).
#[cfg(feature = "formats")]
#[doc(inline)]
pub use bucket_admin_formats as formats;

/// The README's Rust snippets, compiled and run as doctests so they cannot rot.
#[cfg(all(doctest, feature = "cos", feature = "r2"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
