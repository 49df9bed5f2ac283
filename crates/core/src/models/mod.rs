//! Neutral models: provider-independent, serde-serialisable with stable snake_case JSON.
//!
//! Providers convert their wire formats to and from these types inside their own crates; the
//! models are never serialised to a provider directly.

mod bucket;
mod cors;
mod lifecycle;
mod policy;
mod replication;
mod storage_class;
mod versioning;

pub use bucket::{
    BucketInfo, CannedAcl, CreateBucketOptions, Grant, GrantPermission, Jurisdiction,
    ParseJurisdictionError,
};
pub use cors::{CorsConfiguration, CorsExtras, CorsMethod, CorsRule, ParseCorsMethodError};
pub use lifecycle::{
    Age, CHINA_STANDARD_TIME, Expiration, LifecycleConfiguration, LifecycleDate, LifecycleFilter,
    LifecycleRule, NoncurrentTransition, Tag, Transition, Trigger,
};
pub use policy::{BucketPolicy, Effect, PolicyStatement, Principal};
pub use replication::{ReplicationConfiguration, ReplicationDestination, ReplicationRule};
pub use storage_class::StorageClass;
pub use versioning::VersioningStatus;
