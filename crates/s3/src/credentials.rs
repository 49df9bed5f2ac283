//! Credentials: static keys, or an async [`ProvideCredentials`] asked before every attempt
//! (so refreshed temporary credentials are picked up, and a retried request is signed with
//! the current ones).

use std::fmt;

use bucket_admin_core::{Result, async_trait};
use secrecy::SecretString;

use crate::config::mask_id;

/// One set of AWS credentials. `Debug` masks the key id and never shows the secret or token.
#[derive(Clone)]
pub struct S3Credentials {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: SecretString,
    pub(crate) session_token: Option<SecretString>,
}

impl S3Credentials {
    /// Long-term keys.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: SecretString::from(secret_access_key.into()),
            session_token: None,
        }
    }

    /// Adds the session token of temporary credentials (`x-amz-security-token`).
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(SecretString::from(token.into()));
        self
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }
}

impl fmt::Debug for S3Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Credentials")
            .field("access_key_id", &mask_id(&self.access_key_id))
            .field("secret_access_key", &"[REDACTED]")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "[REDACTED]"),
            )
            .finish()
    }
}

/// A source of credentials, asked before every request attempt (STS, a vault, a file that is
/// rotated...). Implementations cache and refresh as they see fit.
///
/// ```
/// use bucket_admin_core::{Result, async_trait};
/// use bucket_admin_s3::{ProvideCredentials, S3Credentials};
///
/// #[derive(Debug)]
/// struct FromVault;
///
/// #[async_trait]
/// impl ProvideCredentials for FromVault {
///     async fn credentials(&self) -> Result<S3Credentials> {
///         Ok(S3Credentials::new("AKIAEXAMPLE", "secret").with_session_token("token"))
///     }
/// }
/// ```
#[async_trait]
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// The credentials to sign the next request with.
    async fn credentials(&self) -> Result<S3Credentials>;
}

/// Fixed keys from the builder or the environment.
#[derive(Debug)]
pub(crate) struct StaticCredentials(pub(crate) S3Credentials);

#[async_trait]
impl ProvideCredentials for StaticCredentials {
    async fn credentials(&self) -> Result<S3Credentials> {
        Ok(self.0.clone())
    }
}
