//! Where a [`CosClient`](crate::CosClient) gets its keys: fixed ones, the environment, or your
//! own (async) source of temporary STS credentials that expire.
//!
//! The client asks its [`CredentialProvider`] for [`Credentials`] before the first request,
//! keeps them, and asks again when they are within [`REFRESH_BEFORE_EXPIRY`] of their
//! [`expires_at`](Credentials::expires_at). When COS still answers `ExpiredToken` (or
//! `InvalidAccessKeyId` / `InvalidToken`, what it says once a temporary key is gone), the client
//! asks the provider once more and resends the request once with the new keys.
//!
//! ```no_run
//! use std::time::{Duration, SystemTime};
//! use bucket_admin_core::{async_trait, Result};
//! use bucket_admin_cos::{CosClient, CredentialProvider, Credentials};
//!
//! /// Asks your STS broker for a temporary key (here: a stand-in).
//! #[derive(Debug)]
//! struct Sts;
//!
//! #[async_trait]
//! impl CredentialProvider for Sts {
//!     async fn credentials(&self) -> Result<Credentials> {
//!         Ok(Credentials::new("AKIDtemporary", "temporary-secret-key")
//!             .with_session_token("token-from-sts")
//!             .with_expires_at(SystemTime::now() + Duration::from_secs(1800)))
//!     }
//! }
//!
//! # fn main() -> Result<()> {
//! let client = CosClient::builder()
//!     .region("ap-beijing")
//!     .credentials_provider(Sts)
//!     .build()?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::time::{Duration, SystemTime};

use bucket_admin_core::{Error, ErrorKind, Provider, Result, async_trait};
use secrecy::{ExposeSecret, SecretString};

use crate::config::mask_id;

/// How long before their expiry cached credentials are replaced (5 minutes, like the
/// official SDKs' STS helpers), so that a request is never signed with a key about to lapse.
pub const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(300);

/// A SecretId / SecretKey pair, with the session token and expiry of temporary credentials.
///
/// `Debug` shows the SecretId masked and never the key or the token.
#[derive(Clone)]
pub struct Credentials {
    pub(crate) secret_id: String,
    pub(crate) secret_key: SecretString,
    pub(crate) session_token: Option<SecretString>,
    pub(crate) expires_at: Option<SystemTime>,
}

impl Credentials {
    /// Permanent credentials.
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<SecretString>) -> Self {
        Self {
            secret_id: secret_id.into(),
            secret_key: secret_key.into(),
            session_token: None,
            expires_at: None,
        }
    }
    /// The session token of temporary credentials (sent, and signed, as
    /// `x-cos-security-token`).
    #[must_use]
    pub fn with_session_token(mut self, token: impl Into<SecretString>) -> Self {
        self.session_token = Some(token.into());
        self
    }
    /// When temporary credentials expire; the client refreshes them
    /// [`REFRESH_BEFORE_EXPIRY`] earlier.
    #[must_use]
    pub fn with_expires_at(mut self, at: SystemTime) -> Self {
        self.expires_at = Some(at);
        self
    }
    /// The SecretId.
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }
    /// Whether a session token is set.
    pub fn has_session_token(&self) -> bool {
        self.session_token.is_some()
    }
    /// When these credentials expire (`None`: never).
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// Whether these should be replaced at `now`.
    pub(crate) fn needs_refresh(&self, now: SystemTime) -> bool {
        self.expires_at
            .is_some_and(|at| now + REFRESH_BEFORE_EXPIRY >= at)
    }

    /// Checks what a provider returned, naming the problem without echoing a secret.
    pub(crate) fn check(&self, source: &str) -> Result<()> {
        let bad = |what: &str| {
            Err(Error::new(
                ErrorKind::Config,
                format!("the COS credentials from {source} {what}"),
            )
            .with_provider(Provider::Cos))
        };
        if self.secret_id.trim().is_empty() {
            return bad("have an empty SecretId");
        }
        if self.secret_id.trim() != self.secret_id {
            return bad("have a SecretId with leading or trailing spaces");
        }
        let key = self.secret_key.expose_secret();
        if key.trim().is_empty() {
            return bad("have an empty SecretKey");
        }
        if key.trim() != key {
            return bad("have a SecretKey with leading or trailing spaces");
        }
        Ok(())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &mask_id(&self.secret_id))
            .field("secret_key", &"[REDACTED]")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A source of [`Credentials`], asked before the first request, again before the cached ones
/// expire, and once more when COS rejects them as expired.
///
/// Implement it for your STS client. An error it returns fails the request with that error.
#[async_trait]
pub trait CredentialProvider: Send + Sync + fmt::Debug {
    /// Fresh credentials.
    async fn credentials(&self) -> Result<Credentials>;
}

/// Fixed credentials (what [`CosClientBuilder::secret_id`](crate::CosClientBuilder::secret_id)
/// and [`secret_key`](crate::CosClientBuilder::secret_key) amount to).
#[derive(Debug, Clone)]
pub struct StaticCredentials(Credentials);

impl StaticCredentials {
    /// Always answers `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        Self(credentials)
    }
}

#[async_trait]
impl CredentialProvider for StaticCredentials {
    async fn credentials(&self) -> Result<Credentials> {
        Ok(self.0.clone())
    }
}

/// Reads the process environment on every refresh, so a rotated `COS_SESSION_TOKEN` (written by
/// a sidecar, say) is picked up: `COS_SECRET_ID` / `TENCENTCLOUD_SECRET_ID`, `COS_SECRET_KEY` /
/// `TENCENTCLOUD_SECRET_KEY`, `COS_SESSION_TOKEN` / `TENCENTCLOUD_SECURITY_TOKEN`.
#[derive(Debug, Clone, Default)]
pub struct EnvCredentials {
    _private: (),
}

impl EnvCredentials {
    /// Reads `std::env` whenever asked.
    pub fn new() -> Self {
        Self::default()
    }

    /// The credentials in `vars` (first found of each pair of names wins), or an error naming
    /// every missing variable.
    pub fn from_vars<K: AsRef<str>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Credentials> {
        let vars: Vec<(String, String)> = vars
            .into_iter()
            .map(|(k, v)| (k.as_ref().to_owned(), v.into()))
            .filter(|(_, v)| !v.trim().is_empty())
            .collect();
        let get = |names: &[&str]| {
            names.iter().find_map(|name| {
                vars.iter()
                    .rev()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            })
        };
        let id = get(&["COS_SECRET_ID", "TENCENTCLOUD_SECRET_ID"]);
        let key = get(&["COS_SECRET_KEY", "TENCENTCLOUD_SECRET_KEY"]);
        let (Some(id), Some(key)) = (&id, key.clone()) else {
            let mut missing = Vec::new();
            if id.is_none() {
                missing.push("COS_SECRET_ID (or TENCENTCLOUD_SECRET_ID)");
            }
            if key.is_none() {
                missing.push("COS_SECRET_KEY (or TENCENTCLOUD_SECRET_KEY)");
            }
            return Err(Error::new(
                ErrorKind::Config,
                format!("missing COS credentials: set {}", missing.join(" and ")),
            )
            .with_provider(Provider::Cos));
        };
        let mut creds = Credentials::new(id.clone(), key);
        if let Some(token) = get(&["COS_SESSION_TOKEN", "TENCENTCLOUD_SECURITY_TOKEN"]) {
            creds = creds.with_session_token(token);
        }
        Ok(creds)
    }
}

#[async_trait]
impl CredentialProvider for EnvCredentials {
    async fn credentials(&self) -> Result<Credentials> {
        Self::from_vars(std::env::vars())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_every_missing_variable_and_debug_redacts() {
        let err = EnvCredentials::from_vars(Vec::<(String, String)>::new()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.message().contains("COS_SECRET_ID"), "{err}");
        assert!(err.message().contains("COS_SECRET_KEY"), "{err}");
        let creds = EnvCredentials::from_vars([
            ("TENCENTCLOUD_SECRET_ID", "AKIDfromTencentcloud"),
            ("COS_SECRET_KEY", "the-secret-key"),
            ("COS_SESSION_TOKEN", "the-token"),
        ])
        .unwrap();
        assert_eq!(creds.secret_id(), "AKIDfromTencentcloud");
        assert!(creds.has_session_token());
        let shown = format!("{creds:?}");
        assert!(!shown.contains("the-secret-key") && !shown.contains("the-token"));
    }

    #[test]
    fn refresh_is_due_five_minutes_before_expiry() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let creds = Credentials::new("id", "key");
        assert!(!creds.needs_refresh(now));
        let later = creds
            .clone()
            .with_expires_at(now + Duration::from_secs(301));
        assert!(!later.needs_refresh(now));
        let soon = creds.with_expires_at(now + Duration::from_secs(299));
        assert!(soon.needs_refresh(now));
    }
}
