//! R2 wire bodies as pure functions: encode a neutral configuration to the exact JSON the
//! client sends (the `rules` object of a PUT), or decode the `result` object R2 returns (or a
//! wrangler-style JSON file with the same shape).
//!
//! The client uses the same code; these functions exist for tools that read and write R2 JSON
//! files (the CLI's `--format r2`), for benchmarks and for property tests. Encoding checks what
//! R2 cannot express (it fails before anything is sent), exactly as `put_cors` /
//! `put_lifecycle` do.
//!
//! ```
//! use bucket_admin_core::{CorsConfiguration, CorsMethod, CorsRule};
//! use bucket_admin_r2::codec;
//!
//! let cfg = CorsConfiguration::new(vec![
//!     CorsRule::new(["http://localhost:3000"], [CorsMethod::Get]).with_max_age_seconds(3600),
//! ]);
//! let json = codec::encode_cors(&cfg)?;
//! assert_eq!(json, r#"{"rules":[{"allowed":{"origins":["http://localhost:3000"],"methods":["GET"]},"maxAgeSeconds":3600}]}"#);
//! assert_eq!(codec::decode_cors(&json)?, Some(cfg.clone()));
//! assert_eq!(codec::decode_cors_config(&json)?, cfg);
//! assert!(codec::decode_cors_config(r#"{"rules":[]}"#)?.rules.is_empty());
//! # Ok::<(), bucket_admin_core::Error>(())
//! ```
//!
//! Both providers' codecs have `decode_cors_config` / `decode_lifecycle_config` returning the
//! configuration itself (empty when the document holds no rule); R2's `decode_cors` /
//! `decode_lifecycle` return an `Option` (`None` for no rule), as its client reports them.

use bucket_admin_core::{CorsConfiguration, Error, ErrorKind, LifecycleConfiguration};
use serde::Serialize;

use crate::wire::{cors, lifecycle};

fn to_json(value: &impl Serialize) -> Result<String, Error> {
    serde_json::to_string(value)
        .map_err(|e| Error::new(ErrorKind::InvalidInput, format!("cannot write JSON: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(json: &str, what: &str) -> Result<T, Error> {
    serde_json::from_str(json).map_err(|e| {
        Error::new(
            ErrorKind::Decode,
            format!("cannot parse the R2 {what} JSON: {e}"),
        )
    })
}

/// The `PUT /cors` body.
pub fn encode_cors(config: &CorsConfiguration) -> Result<String, Error> {
    to_json(&cors::to_wire(config)?)
}

/// Parses a `{"rules": [...]}` CORS object; `None` when it holds no rule (what `get_cors`
/// reports as "not configured"). For a file, [`decode_cors_config`] has the same shape as
/// `bucket_admin_cos::codec::decode_cors_config`.
pub fn decode_cors(json: &str) -> Result<Option<CorsConfiguration>, Error> {
    cors::from_wire(from_json(json, "CORS")?)
}

/// Parses a `{"rules": [...]}` CORS object into a configuration, empty when it holds no rule:
/// the same signature as the COS codec's `decode_cors_config`, so code handling both
/// providers' files treats them alike.
pub fn decode_cors_config(json: &str) -> Result<CorsConfiguration, Error> {
    decode_cors(json).map(Option::unwrap_or_default)
}

/// The `PUT /lifecycle` body.
pub fn encode_lifecycle(config: &LifecycleConfiguration) -> Result<String, Error> {
    to_json(&lifecycle::to_wire(config)?)
}

/// Parses a `{"rules": [...]}` lifecycle object; `None` when it holds no rule. See
/// [`decode_lifecycle_config`] for the shape both providers' codecs share.
pub fn decode_lifecycle(json: &str) -> Result<Option<LifecycleConfiguration>, Error> {
    lifecycle::from_wire(from_json(json, "lifecycle")?)
}

/// Parses a `{"rules": [...]}` lifecycle object into a configuration, empty when it holds no
/// rule (the same signature as the COS codec's `decode_lifecycle_config`).
pub fn decode_lifecycle_config(json: &str) -> Result<LifecycleConfiguration, Error> {
    decode_lifecycle(json).map(Option::unwrap_or_default)
}
