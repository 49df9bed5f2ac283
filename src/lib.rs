//! # bucket-admin
//!
//! Administer object-storage buckets the same way on Tencent Cloud COS and Cloudflare R2:
//! CORS, lifecycle, versioning, replication and bucket policy behind one
//! [`BucketAdmin`] trait, with typed errors, a shared retry policy, offline CORS preflight
//! evaluation and migration loss reports.
//!
//! This crate is a facade: it re-exports [`bucket_admin_core`] and, behind the default-on
//! features `cos` and `r2`, the provider crates as [`cos`] and [`r2`].
#![deny(missing_docs)]

pub use bucket_admin_core::*;

/// Tencent Cloud COS provider (feature `cos`).
#[cfg(feature = "cos")]
pub use bucket_admin_cos as cos;

/// Cloudflare R2 provider (feature `r2`).
#[cfg(feature = "r2")]
pub use bucket_admin_r2 as r2;

/// The README's Rust snippets, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
