//! # bucket-admin-core
//!
//! The provider-neutral half of [bucket-admin](https://docs.rs/bucket-admin): models, the
//! [`BucketAdmin`] trait, [`Capabilities`], the [`Error`] type, the shared [`RetryPolicy`], the
//! offline CORS [`preflight`] evaluator and the migration [`convert`]ers.
//!
//! Provider crates (`bucket-admin-cos`, `bucket-admin-r2`) implement [`BucketAdmin`] using only
//! the public items of this crate; a third-party provider can do the same.
//!
//! ```
//! use bucket_admin_core::{CorsConfiguration, CorsMethod, CorsRule};
//!
//! let cors = CorsConfiguration::new(vec![
//!     CorsRule::new(["https://example.com"], [CorsMethod::Get, CorsMethod::Put])
//!         .with_allowed_headers(["content-type"])
//!         .with_max_age_seconds(600),
//! ]);
//! assert!(cors.validate().is_empty());
//! ```
#![deny(missing_docs)]

mod admin;
mod capabilities;
pub mod convert;
mod error;
pub mod models;
mod net;
pub mod policy_document;
pub mod preflight;
mod retry;
pub mod validate;

pub use admin::BucketAdmin;
pub use capabilities::{AgeUnit, Capabilities};
pub use error::{Error, ErrorKind, Operation, Provider, Result, Retryable};
pub use models::*;
pub use net::is_loopback_host;
pub use retry::{RetryPolicy, parse_retry_after};
pub use validate::{Violation, Violations};

/// Re-exported so providers and users share one `async_trait` version.
pub use async_trait::async_trait;
