//! Bearer-token authentication and redaction.
//!
//! The token lives in a [`SecretString`] from the builder to the moment a request is built; the
//! `Authorization` header value is marked sensitive so `reqwest`/`hyper` never print it, and every
//! `Debug` of a type holding it is written by hand.

use std::fmt;

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

/// What stands in for a secret in `Debug` output.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// An API token, validated to be usable as a header value.
#[derive(Clone)]
pub(crate) struct BearerToken(SecretString);

impl BearerToken {
    /// Wraps `token`, or says why it cannot be sent (without echoing it).
    pub(crate) fn new(token: SecretString) -> Result<Self, &'static str> {
        let raw = token.expose_secret();
        if raw.trim().is_empty() {
            return Err("is empty");
        }
        // Visible ASCII only: anything else cannot travel in an HTTP header, and a pasted
        // token with a trailing newline is a common mistake worth catching before sending.
        if !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("contains whitespace or non-ASCII characters");
        }
        Ok(Self(token))
    }

    /// The `Authorization` header value, marked sensitive so HTTP-layer logging redacts it.
    pub(crate) fn header_value(&self) -> HeaderValue {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", self.0.expose_secret()))
            // Unreachable: `new` admits visible ASCII only, which is always a valid header value.
            .unwrap_or_else(|_| HeaderValue::from_static("Bearer"));
        value.set_sensitive(true);
        value
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_bearer_and_sensitive_and_debug_redacts() {
        let token = BearerToken::new(SecretString::from("tok-123")).unwrap();
        let header = token.header_value();
        assert!(header.is_sensitive());
        assert_eq!(header.to_str().unwrap(), "Bearer tok-123");
        assert_eq!(format!("{token:?}"), REDACTED);
        assert!(!format!("{header:?}").contains("tok-123"));
    }

    #[test]
    fn unusable_tokens_are_rejected_without_echo() {
        assert!(BearerToken::new(SecretString::from("")).is_err());
        let err = BearerToken::new(SecretString::from("abc\n")).unwrap_err();
        assert!(!err.contains("abc"));
    }
}
