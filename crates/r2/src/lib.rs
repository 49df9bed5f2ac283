//! # bucket-admin-r2
//!
//! The Cloudflare R2 provider of [bucket-admin](https://docs.rs/bucket-admin): bucket
//! administration through the Cloudflare API v4 (`/accounts/{account_id}/r2/buckets`) with an
//! API token, implementing [`BucketAdmin`](bucket_admin_core::BucketAdmin).
//!
//! What R2 has and other providers lack is available as inherent methods on [`R2Client`]:
//! jurisdictions ([`R2Client::with_jurisdiction`], [`R2Client::list_buckets_in`]), the default
//! storage class ([`R2Client::set_storage_class`]), public r2.dev and custom domains, and bucket
//! lock rules (see [`extras`]). What R2's REST API cannot do (versioning, replication, bucket
//! policies) returns [`ErrorKind::Unsupported`](bucket_admin_core::ErrorKind::Unsupported)
//! without sending anything, and [`r2_capabilities`] says so up front.
//!
//! ```no_run
//! use bucket_admin_core::{BucketAdmin, CorsConfiguration, CorsMethod, CorsRule, Jurisdiction};
//! use bucket_admin_r2::R2Client;
//!
//! # async fn example() -> bucket_admin_core::Result<()> {
//! // CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID, optionally CLOUDFLARE_BASE_URL and
//! // R2_JURISDICTION.
//! let client = R2Client::from_env().build()?;
//! let cors = CorsConfiguration::new(vec![
//!     CorsRule::new(["https://example.com"], [CorsMethod::Get]).with_max_age_seconds(3600),
//! ]);
//! client.put_cors("my-bucket", &cors).await?;
//!
//! // Buckets in the EU jurisdiction are a separate namespace: use a handle for it.
//! let eu = client.with_jurisdiction(Jurisdiction::Eu);
//! println!("{:?}", eu.get_cors("my-eu-bucket").await?);
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod auth;
mod client;
pub mod codec;
mod config;
pub mod extras;
mod pacing;
mod wire;

pub use client::{JurisdictionScope, R2Client, r2_capabilities};
pub use config::{DEFAULT_BASE_URL, R2ClientBuilder};
pub use pacing::Pacing;
