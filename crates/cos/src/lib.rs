//! # bucket-admin-cos
//!
//! The Tencent Cloud COS provider of [bucket-admin](https://docs.rs/bucket-admin): a
//! [`BucketAdmin`](bucket_admin_core::BucketAdmin) over the COS XML API, with `q-sign`
//! HMAC-SHA1 request signing that matches the official SDK byte for byte ([`sign`]).
//!
//! ```no_run
//! use bucket_admin_core::{BucketAdmin, CorsConfiguration, CorsMethod, CorsRule};
//! use bucket_admin_cos::{CosClient, CosClientBuilder};
//!
//! # async fn run() -> bucket_admin_core::Result<()> {
//! // COS_SECRET_ID, COS_SECRET_KEY and COS_REGION (or the TENCENTCLOUD_* variables).
//! let cos: CosClient = CosClientBuilder::from_env().build()?;
//!
//! let cors = CorsConfiguration::new(vec![
//!     CorsRule::new(["https://example.com"], [CorsMethod::Get, CorsMethod::Put])
//!         .with_allowed_headers(["*"])
//!         .with_max_age_seconds(600),
//! ]);
//! cos.put_cors("examplebucket-1250000000", &cors).await?;
//! assert_eq!(cos.get_cors("examplebucket-1250000000").await?, Some(cors));
//! # Ok(())
//! # }
//! ```
//!
//! ## Addresses
//!
//! Requests go to `https://<bucket>.cos.<region>.myqcloud.com` (see
//! [`CosClientBuilder::domain_template`]) and list-buckets to `service.cos.myqcloud.com`. With
//! [`CosClientBuilder::endpoint`] every request connects to a fixed address instead (an
//! emulator, a proxy, a private IP) while its `Host` header, and the host that is signed, stay
//! the bucket's virtual host.
//!
//! ## Errors
//!
//! Every failure is a [`bucket_admin_core::Error`] carrying the COS code, message, request id
//! and, in its details, the `trace_id`; a `SignatureDoesNotMatch` error also carries the
//! server's `string_to_sign` and `format_string`. Missing configurations are `Ok(None)`.
//! Secrets (the SecretKey, session token, `Authorization` header) never appear in errors,
//! `Debug` output or logs.
#![deny(missing_docs)]

mod client;
pub mod codec;
mod config;
pub mod sign;
pub mod validate;
mod wire;

#[doc(hidden)]
pub use client::classify;
pub use client::{CosClient, cos_capabilities};
pub use config::{
    ACCELERATE_DOMAIN_TEMPLATE, CosClientBuilder, DEFAULT_DOMAIN_TEMPLATE, DEFAULT_SERVICE_DOMAIN,
    REGIONAL_SERVICE_DOMAIN, TENCENTCOS_DOMAIN_TEMPLATE,
};
