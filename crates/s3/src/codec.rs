//! S3 wire bodies as pure functions: encode a neutral configuration to the exact body the
//! client sends, or decode a body S3 returns (or a file saved from `aws s3api`).
//!
//! Decoders check the root element and reject trailing content. Encoding does not validate
//! against S3 limits: use [`crate::validate`] for that.
//!
//! ```
//! use bucket_admin_core::{CorsConfiguration, CorsMethod, CorsRule};
//! use bucket_admin_s3::codec;
//!
//! let cfg = CorsConfiguration::new(vec![CorsRule::new(["*"], [CorsMethod::Get])]);
//! let xml = codec::encode_cors(&cfg)?;
//! assert!(xml.contains("<AllowedMethod>GET</AllowedMethod>"));
//! assert_eq!(codec::decode_cors(&xml)?, cfg);
//! assert!(codec::decode_cors("<LifecycleConfiguration/>").is_err());
//! # Ok::<(), bucket_admin_core::Error>(())
//! ```

use bucket_admin_core::{
    BucketPolicy, CorsConfiguration, Error, LifecycleConfiguration, ReplicationConfiguration,
    VersioningStatus,
};

use crate::wire::{
    self, cors::CorsXml, lifecycle::LifecycleXml, replication::ReplicationXml,
    versioning::VersioningXml,
};

/// The `PUT /?cors` body.
pub fn encode_cors(config: &CorsConfiguration) -> Result<String, Error> {
    wire::to_xml(&CorsXml::from_model(config))
}

/// Parses a `<CORSConfiguration>` document.
pub fn decode_cors(xml: &str) -> Result<CorsConfiguration, Error> {
    wire::from_xml::<CorsXml>(xml, &["CORSConfiguration", "GetBucketCorsResponse"], "CORS")
        .and_then(CorsXml::into_model)
}

/// The `PUT /?lifecycle` body. Ages that are not whole days and dates that are not midnight
/// UTC are invalid input; the error lists every such field.
pub fn encode_lifecycle(config: &LifecycleConfiguration) -> Result<String, Error> {
    let body = LifecycleXml::from_model(config, time::UtcOffset::UTC)
        .map_err(|v| Error::invalid_input(v.into_vec()))?;
    wire::to_xml(&body)
}

/// Parses a `<LifecycleConfiguration>` document.
pub fn decode_lifecycle(xml: &str) -> Result<LifecycleConfiguration, Error> {
    wire::from_xml::<LifecycleXml>(
        xml,
        &[
            "LifecycleConfiguration",
            "GetBucketLifecycleConfigurationResponse",
        ],
        "lifecycle",
    )
    .and_then(LifecycleXml::into_model)
}

/// The `PUT /?replication` body.
pub fn encode_replication(config: &ReplicationConfiguration) -> Result<String, Error> {
    wire::to_xml(&ReplicationXml::from_model(config))
}

/// Parses a `<ReplicationConfiguration>` document.
pub fn decode_replication(xml: &str) -> Result<ReplicationConfiguration, Error> {
    wire::from_xml::<ReplicationXml>(
        xml,
        &["ReplicationConfiguration", "GetBucketReplicationResponse"],
        "replication",
    )
    .and_then(ReplicationXml::into_model)
}

/// Parses a `<VersioningConfiguration>` document; no `Status` means never enabled.
pub fn decode_versioning(xml: &str) -> Result<VersioningStatus, Error> {
    wire::from_xml::<VersioningXml>(
        xml,
        &["VersioningConfiguration", "GetBucketVersioningResponse"],
        "versioning",
    )
    .and_then(VersioningXml::into_model)
}

/// The `PUT /?policy` JSON body (IAM spelling: `Version`, `Statement`, `Effect`: `Allow`).
pub fn encode_policy(policy: &BucketPolicy) -> Result<String, Error> {
    wire::policy::to_wire(policy)
}

/// Parses a policy document (keys in any letter case).
pub fn decode_policy(json: &str) -> Result<BucketPolicy, Error> {
    wire::policy::from_wire(json)
}
