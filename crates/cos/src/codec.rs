//! COS wire bodies as pure functions: encode a neutral configuration to the exact body the
//! client sends, or decode a body COS returns (or a file saved from it).
//!
//! The client uses the same code; these functions exist for tools that read and write COS
//! XML files (the CLI's `--format cos-xml`), for benchmarks and for property tests. Encoding
//! does not validate against COS limits: use [`crate::validate`] for that.
//!
//! ```
//! use bucket_admin_core::{CorsConfiguration, CorsMethod, CorsRule};
//! use bucket_admin_cos::codec;
//!
//! let cfg = CorsConfiguration::new(vec![CorsRule::new(["*"], [CorsMethod::Get])]);
//! let xml = codec::encode_cors(&cfg)?;
//! assert!(xml.contains("<AllowedMethod>GET</AllowedMethod>"));
//! assert_eq!(codec::decode_cors(&xml)?, cfg);
//! // The name and signature shared with the R2 codec:
//! assert_eq!(codec::decode_cors_config(&xml)?, cfg);
//! # Ok::<(), bucket_admin_core::Error>(())
//! ```

use bucket_admin_core::{
    BucketPolicy, CorsConfiguration, Error, LifecycleConfiguration, ReplicationConfiguration,
};

use crate::wire::{self, lifecycle::LifecycleXml, replication::ReplicationXml};

/// The `PUT /?cors` body.
pub fn encode_cors(config: &CorsConfiguration) -> Result<String, Error> {
    Ok(wire::cors::encode(config))
}

/// Parses a `<CORSConfiguration>` document.
pub fn decode_cors(xml: &str) -> Result<CorsConfiguration, Error> {
    wire::cors::decode_document(xml)
}

/// The same as [`decode_cors`], under the name (and signature) the R2 codec shares:
/// a configuration, empty when the document holds no rule.
pub fn decode_cors_config(xml: &str) -> Result<CorsConfiguration, Error> {
    decode_cors(xml)
}

/// The `PUT /?lifecycle` body. Ages that are not whole days are invalid input (COS counts
/// days); the error lists every such field.
pub fn encode_lifecycle(config: &LifecycleConfiguration) -> Result<String, Error> {
    let body = LifecycleXml::from_model(config).map_err(|v| Error::invalid_input(v.into_vec()))?;
    Ok(body.encode())
}

/// Parses a `<LifecycleConfiguration>` document.
pub fn decode_lifecycle(xml: &str) -> Result<LifecycleConfiguration, Error> {
    wire::lifecycle::decode_document(xml)
}

/// The same as [`decode_lifecycle`], under the name (and signature) the R2 codec shares.
pub fn decode_lifecycle_config(xml: &str) -> Result<LifecycleConfiguration, Error> {
    decode_lifecycle(xml)
}

/// The `PUT /?replication` body.
pub fn encode_replication(config: &ReplicationConfiguration) -> Result<String, Error> {
    wire::to_xml(&ReplicationXml::from_model(config))
}

/// Parses a `<ReplicationConfiguration>` document.
pub fn decode_replication(xml: &str) -> Result<ReplicationConfiguration, Error> {
    wire::from_xml::<ReplicationXml>(xml, "ReplicationConfiguration", "replication")
        .and_then(ReplicationXml::into_model)
}

/// The `PUT /?policy` JSON body.
pub fn encode_policy(policy: &BucketPolicy) -> Result<String, Error> {
    wire::policy::to_wire(policy)
}

/// Parses a COS policy document (`Statement`, `Effect`, ... in any letter case).
pub fn decode_policy(json: &str) -> Result<BucketPolicy, Error> {
    wire::policy::from_wire(json)
}
