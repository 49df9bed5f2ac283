//! Public models of R2-only features, used by the inherent methods of
//! [`R2Client`](crate::R2Client): the managed r2.dev domain, custom domains and bucket lock rules.
//!
//! These are small typed structs of this crate; the JSON shapes Cloudflare uses stay private.

use time::Date;

/// The bucket's managed public domain (`<hash>.r2.dev`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedDomain {
    /// Bucket id Cloudflare assigned.
    pub bucket_id: String,
    /// The r2.dev host name.
    pub domain: String,
    /// Whether public access through it is enabled.
    pub enabled: bool,
}

/// A custom domain connected to a bucket.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CustomDomain {
    /// The domain name.
    pub domain: String,
    /// Whether the bucket is publicly reachable through it.
    pub enabled: bool,
    /// Zone id the domain lives in, when reported.
    pub zone_id: Option<String>,
    /// Zone name the domain lives in, when reported.
    pub zone_name: Option<String>,
    /// Minimum TLS version (`1.0` ... `1.3`), when reported.
    pub min_tls: Option<String>,
    /// Allowed TLS ciphers (BoringSSL names); empty when not reported.
    pub ciphers: Vec<String>,
    /// Ownership verification status (`pending`, `active`, ...), when reported.
    pub ownership_status: Option<String>,
    /// Certificate status (`initializing`, `pending`, `active`, ...), when reported.
    pub ssl_status: Option<String>,
}

/// A custom domain to connect to a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCustomDomain {
    /// The domain name, in a zone of the same account.
    pub domain: String,
    /// Id of the zone the domain belongs to.
    pub zone_id: String,
    /// Whether to enable public access through it right away.
    pub enabled: bool,
    /// Minimum TLS version (`1.0` ... `1.3`).
    pub min_tls: Option<String>,
    /// Allowed TLS ciphers (BoringSSL names); empty sends none.
    pub ciphers: Vec<String>,
}

impl NewCustomDomain {
    /// An enabled domain in `zone_id`, with default TLS settings.
    pub fn new(domain: impl Into<String>, zone_id: impl Into<String>) -> Self {
        Self {
            domain: domain.into(),
            zone_id: zone_id.into(),
            enabled: true,
            min_tls: None,
            ciphers: Vec::new(),
        }
    }
}

/// Changes to a connected custom domain; `None` leaves a setting as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CustomDomainUpdate {
    /// Enable or disable public access.
    pub enabled: Option<bool>,
    /// Minimum TLS version.
    pub min_tls: Option<String>,
    /// Allowed TLS ciphers.
    pub ciphers: Option<Vec<String>>,
}

/// How long a bucket lock rule keeps objects from being deleted or overwritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockCondition {
    /// For this many seconds after the object was written.
    Age {
        /// Retention in seconds.
        max_age_seconds: u64,
    },
    /// Until this date (UTC midnight).
    Date(Date),
    /// Until the rule is removed.
    Indefinite,
}

/// A bucket lock (object retention) rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockRule {
    /// Unique id of the rule (required by R2).
    pub id: String,
    /// Whether the rule is in effect.
    pub enabled: bool,
    /// Objects whose key starts with this prefix; `None` means every object.
    pub prefix: Option<String>,
    /// How long objects are locked.
    pub condition: LockCondition,
}
