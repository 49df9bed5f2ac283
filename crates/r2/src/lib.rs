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
//!
//! ## What an answer must be
//!
//! "No CORS configuration" is only HTTP 404 with code 10059; any other 404, and 10059 on any
//! other status, is an error. A 200 with `success: true` that also lists `errors`, or whose
//! `result` is not the document asked for (no `rules`/`buckets`/`domains` list), is
//! [`ErrorKind::Decode`](bucket_admin_core::ErrorKind::Decode) carrying the status, the
//! `cf-ray` request id and the attempt count.
//!
//! ## Limits
//!
//! Requests time out after 60 s, connections after 10 s, a body that stops arriving after 30 s
//! ([`R2ClientBuilder::read_timeout`]). Bodies are read up to 16 MiB
//! ([`R2ClientBuilder::max_response_bytes`]); bucket listings stop with an error after 1000
//! pages or a million buckets ([`R2ClientBuilder::max_list_pages`],
//! [`R2ClientBuilder::max_listed_buckets`]) or when a cursor repeats. `Retry-After` is read as
//! seconds or an HTTP date; an unreadable value makes the retry policy refuse to retry instead
//! of retrying at once.
//!
//! ## Cargo features and HTTP
//!
//! - `rustls` (default): TLS through rustls with the webpki root certificates.
//! - `native-tls`: TLS through the platform's library (OpenSSL on Linux) and its root store.
//!
//! To add root certificates (a private deployment), a proxy or your own DNS, build a
//! `reqwest::Client` and hand it to [`R2ClientBuilder::http_client`]. Plain `http://` is accepted
//! without [`R2ClientBuilder::allow_http`] only to loopback addresses (`127.0.0.0/8`, `::1`,
//! `localhost`).
#![deny(missing_docs)]

mod auth;
mod client;
pub mod codec;
mod config;
pub mod extras;
mod list;
mod pacing;
mod wire;

pub use client::{JurisdictionScope, R2Client, r2_capabilities};
pub use config::{
    DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_LIST_PAGES, DEFAULT_MAX_LISTED_BUCKETS,
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_READ_TIMEOUT, DEFAULT_TIMEOUT, R2ClientBuilder,
};
pub use list::{BucketPage, BucketPages, ListBucketsOptions, ListDirection};
pub use pacing::{Pacing, PacingStatus};
/// The type secrets are kept in ([`R2ClientBuilder::api_token`] takes anything that converts
/// into it, such as a `String` or `&str`).
pub use secrecy::SecretString;
