//! Public models of R2-only features, used by the inherent methods of
//! [`R2Client`](crate::R2Client): the managed r2.dev domain, custom domains and bucket lock rules.
//!
//! These are small typed structs of this crate; the JSON shapes Cloudflare uses stay private.

use time::Date;

/// The bucket's managed public domain (`<hash>.r2.dev`).
///
/// Non-exhaustive (Cloudflare reports more over time): build one with [`ManagedDomain::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ManagedDomain {
    /// Bucket id Cloudflare assigned.
    pub bucket_id: String,
    /// The r2.dev host name.
    pub domain: String,
    /// Whether public access through it is enabled.
    pub enabled: bool,
}

impl ManagedDomain {
    /// The managed domain `domain` of bucket `bucket_id`, enabled or not.
    pub fn new(bucket_id: impl Into<String>, domain: impl Into<String>, enabled: bool) -> Self {
        Self {
            bucket_id: bucket_id.into(),
            domain: domain.into(),
            enabled,
        }
    }
}

/// A custom domain connected to a bucket.
///
/// Non-exhaustive (Cloudflare reports more over time): build one with [`CustomDomain::new`] and
/// the `with_*` setters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
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

impl CustomDomain {
    /// A disabled domain with nothing else reported.
    pub fn new(domain: impl Into<String>) -> Self {
        Self {
            domain: domain.into(),
            ..Self::default()
        }
    }

    /// Set whether the bucket is publicly reachable through it.
    #[must_use]
    pub fn with_enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }
    /// Set the zone id.
    #[must_use]
    pub fn with_zone_id(mut self, zone_id: impl Into<String>) -> Self {
        self.zone_id = Some(zone_id.into());
        self
    }
    /// Set the zone name.
    #[must_use]
    pub fn with_zone_name(mut self, zone_name: impl Into<String>) -> Self {
        self.zone_name = Some(zone_name.into());
        self
    }
    /// Set the minimum TLS version.
    #[must_use]
    pub fn with_min_tls(mut self, min_tls: impl Into<String>) -> Self {
        self.min_tls = Some(min_tls.into());
        self
    }
    /// Set the allowed TLS ciphers.
    #[must_use]
    pub fn with_ciphers(mut self, ciphers: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.ciphers = ciphers.into_iter().map(Into::into).collect();
        self
    }
    /// Set the ownership verification status.
    #[must_use]
    pub fn with_ownership_status(mut self, ownership_status: impl Into<String>) -> Self {
        self.ownership_status = Some(ownership_status.into());
        self
    }
    /// Set the certificate status.
    #[must_use]
    pub fn with_ssl_status(mut self, ssl_status: impl Into<String>) -> Self {
        self.ssl_status = Some(ssl_status.into());
        self
    }
}

/// A custom domain to connect to a bucket.
///
/// Non-exhaustive (Cloudflare adds settings): build one with [`NewCustomDomain::new`] and the
/// `with_*` setters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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

    /// Set whether public access is enabled right away.
    #[must_use]
    pub fn with_enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }
    /// Set the minimum TLS version.
    #[must_use]
    pub fn with_min_tls(mut self, min_tls: impl Into<String>) -> Self {
        self.min_tls = Some(min_tls.into());
        self
    }
    /// Set the allowed TLS ciphers.
    #[must_use]
    pub fn with_ciphers(mut self, ciphers: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.ciphers = ciphers.into_iter().map(Into::into).collect();
        self
    }
}

/// Changes to a connected custom domain; `None` leaves a setting as it is.
///
/// Non-exhaustive (Cloudflare adds settings): start from [`CustomDomainUpdate::default`] and the
/// `with_*` setters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CustomDomainUpdate {
    /// Enable or disable public access.
    pub enabled: Option<bool>,
    /// Minimum TLS version.
    pub min_tls: Option<String>,
    /// Allowed TLS ciphers.
    pub ciphers: Option<Vec<String>>,
}

impl CustomDomainUpdate {
    /// Enable or disable public access.
    #[must_use]
    pub fn with_enabled(mut self, enabled: bool) -> Self {
        self.enabled = Some(enabled);
        self
    }
    /// Change the minimum TLS version.
    #[must_use]
    pub fn with_min_tls(mut self, min_tls: impl Into<String>) -> Self {
        self.min_tls = Some(min_tls.into());
        self
    }
    /// Change the allowed TLS ciphers.
    #[must_use]
    pub fn with_ciphers(mut self, ciphers: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.ciphers = Some(ciphers.into_iter().map(Into::into).collect());
        self
    }
}

/// How long a bucket lock rule keeps objects from being deleted or overwritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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
///
/// Non-exhaustive (room for more conditions' settings): build one with [`LockRule::new`] and the
/// `with_*` setters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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

impl LockRule {
    /// An enabled rule `id` locking every object under `condition`.
    pub fn new(id: impl Into<String>, condition: LockCondition) -> Self {
        Self {
            id: id.into(),
            enabled: true,
            prefix: None,
            condition,
        }
    }

    /// Enable or disable the rule.
    #[must_use]
    pub fn with_enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }
    /// Lock only keys with this prefix.
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }
}
