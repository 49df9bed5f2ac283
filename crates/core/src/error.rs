//! The one error type every provider returns.
//!
//! An [`Error`] carries what a user needs to act on a failure: its [`ErrorKind`], the [`Provider`]
//! and [`Operation`] that failed, the bucket, the HTTP status, the provider's own error code and
//! message, the request id to quote to support, and whether retrying can help. It never carries a
//! secret: providers build it from response data and validated input only.

use std::fmt;
use std::time::Duration;

use crate::validate::Violation;

/// Which backend produced a value or an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Provider {
    /// Tencent Cloud Object Storage (COS XML API).
    Cos,
    /// Cloudflare R2 (Cloudflare API v4).
    R2,
    /// A provider implemented outside this project; the string is its short name.
    Other(&'static str),
}

impl Provider {
    /// Short lowercase name, as used in URLs such as `cos://` and `r2://`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Provider::Cos => "cos",
            Provider::R2 => "r2",
            Provider::Other(name) => name,
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Provider::Cos => "COS",
            Provider::R2 => "R2",
            Provider::Other(name) => name,
        })
    }
}

/// The administrative operation an error or a request belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// List every bucket of the account.
    ListBuckets,
    /// Create a bucket.
    CreateBucket,
    /// Read a bucket's metadata (HEAD / GET bucket).
    HeadBucket,
    /// Delete an empty bucket.
    DeleteBucket,
    /// Read the CORS configuration.
    GetCors,
    /// Replace the CORS configuration.
    PutCors,
    /// Remove the CORS configuration.
    DeleteCors,
    /// Read the lifecycle configuration.
    GetLifecycle,
    /// Replace the lifecycle configuration.
    PutLifecycle,
    /// Remove the lifecycle configuration.
    DeleteLifecycle,
    /// Read the versioning status.
    GetVersioning,
    /// Change the versioning status.
    PutVersioning,
    /// Read the replication configuration.
    GetReplication,
    /// Replace the replication configuration.
    PutReplication,
    /// Remove the replication configuration.
    DeleteReplication,
    /// Read the bucket policy.
    GetPolicy,
    /// Replace the bucket policy.
    PutPolicy,
    /// Remove the bucket policy.
    DeletePolicy,
    /// Send a CORS preflight (`OPTIONS`).
    Preflight,
    /// A provider-specific operation outside the [`BucketAdmin`](crate::BucketAdmin) trait,
    /// named by the provider (for example `"put_managed_domain"`), with its idempotency.
    Other {
        /// Operation name, snake_case.
        name: &'static str,
        /// Whether repeating the request has the same effect as sending it once.
        idempotent: bool,
    },
}

impl Operation {
    /// Whether sending the request twice has the same effect as sending it once.
    ///
    /// Only bucket creation is not: a retried create that already succeeded answers
    /// "already exists", so the retry policy never repeats it after the request may have
    /// reached the server.
    pub fn is_idempotent(&self) -> bool {
        match self {
            Operation::CreateBucket => false,
            Operation::Other { idempotent, .. } => *idempotent,
            _ => true,
        }
    }

    /// snake_case name, stable for logs and JSON output.
    pub fn as_str(&self) -> &'static str {
        match self {
            Operation::ListBuckets => "list_buckets",
            Operation::CreateBucket => "create_bucket",
            Operation::HeadBucket => "head_bucket",
            Operation::DeleteBucket => "delete_bucket",
            Operation::GetCors => "get_cors",
            Operation::PutCors => "put_cors",
            Operation::DeleteCors => "delete_cors",
            Operation::GetLifecycle => "get_lifecycle",
            Operation::PutLifecycle => "put_lifecycle",
            Operation::DeleteLifecycle => "delete_lifecycle",
            Operation::GetVersioning => "get_versioning",
            Operation::PutVersioning => "put_versioning",
            Operation::GetReplication => "get_replication",
            Operation::PutReplication => "put_replication",
            Operation::DeleteReplication => "delete_replication",
            Operation::GetPolicy => "get_policy",
            Operation::PutPolicy => "put_policy",
            Operation::DeletePolicy => "delete_policy",
            Operation::Preflight => "preflight",
            Operation::Other { name, .. } => name,
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong, coarsely enough to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The bucket (or the object the request named) does not exist.
    NotFound,
    /// The bucket already exists (owned by you or someone else).
    AlreadyExists,
    /// The bucket still holds objects.
    NotEmpty,
    /// Credentials are missing, wrong, expired, or the signature does not match.
    Unauthenticated,
    /// Credentials are valid but lack the permission.
    PermissionDenied,
    /// The input was rejected, by local validation before sending or by the provider.
    InvalidInput,
    /// The provider cannot do this at all; nothing was sent.
    Unsupported,
    /// The provider throttled the request (HTTP 429, `SlowDown`, ...).
    RateLimited,
    /// The provider answered with a server-side failure (5xx).
    Unavailable,
    /// The request did not complete within the configured timeout.
    Timeout,
    /// The connection failed or broke (refused, reset, TLS, truncated body).
    Transport,
    /// The response could not be understood (malformed XML/JSON, out-of-range values).
    Decode,
    /// The client is misconfigured (missing credentials, bad endpoint); nothing was sent.
    Config,
    /// Any other provider answer.
    Other,
}

impl ErrorKind {
    /// Short lowercase label, stable for JSON output and exit-code mapping.
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::AlreadyExists => "already_exists",
            ErrorKind::NotEmpty => "not_empty",
            ErrorKind::Unauthenticated => "unauthenticated",
            ErrorKind::PermissionDenied => "permission_denied",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Transport => "transport",
            ErrorKind::Decode => "decode",
            ErrorKind::Config => "config",
            ErrorKind::Other => "other",
        }
    }

    /// The default answer to "may this be retried", before the operation's idempotency is
    /// considered. See [`Retryable`].
    pub fn default_retryable(&self) -> Retryable {
        match self {
            // The server refused the request before acting on it.
            ErrorKind::RateLimited => Retryable::Always,
            // The request may have been applied before the failure.
            ErrorKind::Unavailable | ErrorKind::Timeout | ErrorKind::Transport => {
                Retryable::IfIdempotent
            }
            _ => Retryable::Never,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether an error may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Retryable {
    /// Never: retrying gives the same answer.
    Never,
    /// Only when the operation is idempotent: the request may already have been applied.
    IfIdempotent,
    /// Always: the request was certainly not applied (connection refused, throttled).
    Always,
}

/// The error every bucket-admin operation returns.
///
/// Build one with [`Error::new`] and the `with_*` methods. `Display` is a single line a user
/// can act on; `Debug` shows every field. Neither ever contains a credential.
pub struct Error(Box<Inner>);

// Boxed so `Result<T, Error>` stays one pointer wide on the happy path.
struct Inner {
    kind: ErrorKind,
    message: String,
    provider: Option<Provider>,
    operation: Option<Operation>,
    bucket: Option<String>,
    status: Option<u16>,
    code: Option<String>,
    request_id: Option<String>,
    retryable: Retryable,
    retry_after: Option<Duration>,
    violations: Vec<Violation>,
    details: Vec<(&'static str, String)>,
    attempts: u32,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with a human-readable message.
    ///
    /// The retry classification starts from [`ErrorKind::default_retryable`].
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self(Box::new(Inner {
            kind,
            message: message.into(),
            provider: None,
            operation: None,
            bucket: None,
            status: None,
            code: None,
            request_id: None,
            retryable: kind.default_retryable(),
            retry_after: None,
            violations: Vec::new(),
            details: Vec::new(),
            attempts: 0,
            source: None,
        }))
    }

    /// An [`ErrorKind::InvalidInput`] error listing every validation problem found.
    pub fn invalid_input(violations: Vec<Violation>) -> Self {
        let message = match violations.as_slice() {
            [] => "invalid input".to_owned(),
            [one] => one.to_string(),
            [first, rest @ ..] => format!("{first} (and {} more problem(s))", rest.len()),
        };
        let mut err = Self::new(ErrorKind::InvalidInput, message);
        err.0.violations = violations;
        err
    }

    /// An [`ErrorKind::Unsupported`] error for a feature the provider lacks.
    pub fn unsupported(provider: Provider, operation: Operation, what: impl fmt::Display) -> Self {
        Self::new(
            ErrorKind::Unsupported,
            format!("{provider} does not support {what}"),
        )
        .with_provider(provider)
        .with_operation(operation)
    }

    /// Set the provider.
    pub fn with_provider(mut self, provider: Provider) -> Self {
        self.0.provider = Some(provider);
        self
    }
    /// Set the operation.
    pub fn with_operation(mut self, operation: Operation) -> Self {
        self.0.operation = Some(operation);
        self
    }
    /// Set the bucket.
    pub fn with_bucket(mut self, bucket: impl Into<String>) -> Self {
        self.0.bucket = Some(bucket.into());
        self
    }
    /// Set the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.0.status = Some(status);
        self
    }
    /// Set the provider's error code (`NoSuchBucket`, `10006`, ...).
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.0.code = Some(code.into());
        self
    }
    /// Set the provider's request id (`x-cos-request-id`, `cf-ray`).
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.0.request_id = Some(request_id.into());
        self
    }
    /// Override the retry classification.
    pub fn with_retryable(mut self, retryable: Retryable) -> Self {
        self.0.retryable = retryable;
        self
    }
    /// How long the provider asked the client to wait (`Retry-After`).
    pub fn with_retry_after(mut self, delay: Duration) -> Self {
        self.0.retry_after = Some(delay);
        self
    }
    /// Attach a named diagnostic (for example COS `string_to_sign`), shown by `Debug` and
    /// [`Error::details`], never by `Display`.
    pub fn with_detail(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.0.details.push((name, value.into()));
        self
    }
    /// Attach the underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.0.source = Some(Box::new(source));
        self
    }
    /// Record how many attempts were made (set by the retry loop).
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.0.attempts = attempts;
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }
    /// The human-readable message (the provider's message when it sent one).
    pub fn message(&self) -> &str {
        &self.0.message
    }
    /// The provider, when known.
    pub fn provider(&self) -> Option<Provider> {
        self.0.provider
    }
    /// The operation, when known.
    pub fn operation(&self) -> Option<Operation> {
        self.0.operation
    }
    /// The bucket, when known.
    pub fn bucket(&self) -> Option<&str> {
        self.0.bucket.as_deref()
    }
    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        self.0.status
    }
    /// The provider's error code, when it sent one.
    pub fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }
    /// The provider's request id, when it sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
    /// The retry classification.
    pub fn retryable(&self) -> Retryable {
        self.0.retryable
    }
    /// Whether retrying `operation` may succeed.
    pub fn is_retryable_for(&self, operation: Operation) -> bool {
        match self.0.retryable {
            Retryable::Never => false,
            Retryable::IfIdempotent => operation.is_idempotent(),
            Retryable::Always => true,
        }
    }
    /// The delay the provider asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }
    /// Every validation problem, for [`ErrorKind::InvalidInput`] errors raised before sending.
    pub fn violations(&self) -> &[Violation] {
        &self.0.violations
    }
    /// Named diagnostics such as COS `string_to_sign` / `format_string`.
    pub fn details(&self) -> &[(&'static str, String)] {
        &self.0.details
    }
    /// A named diagnostic.
    pub fn detail(&self, name: &str) -> Option<&str> {
        self.0
            .details
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
    /// Number of attempts made before giving up (0 when no request was sent).
    pub fn attempts(&self) -> u32 {
        self.0.attempts
    }
    /// Whether this is [`ErrorKind::NotFound`].
    pub fn is_not_found(&self) -> bool {
        self.0.kind == ErrorKind::NotFound
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line: "<provider> <operation> on bucket `b` failed: <kind>: <message> (HTTP 404, code X, request id Y)".
        match (self.0.provider, self.0.operation) {
            (Some(p), Some(op)) => write!(f, "{p} {op}")?,
            (Some(p), None) => write!(f, "{p}")?,
            (None, Some(op)) => write!(f, "{op}")?,
            (None, None) => f.write_str("bucket-admin")?,
        }
        if let Some(bucket) = &self.0.bucket {
            write!(f, " on bucket `{bucket}`")?;
        }
        write!(f, " failed: {}: {}", self.0.kind, self.0.message)?;
        let mut extras = Vec::new();
        if let Some(status) = self.0.status {
            extras.push(format!("HTTP {status}"));
        }
        if let Some(code) = &self.0.code {
            extras.push(format!("code {code}"));
        }
        if let Some(id) = &self.0.request_id {
            extras.push(format!("request id {id}"));
        }
        if self.0.attempts > 1 {
            extras.push(format!("after {} attempts", self.0.attempts));
        }
        if !extras.is_empty() {
            write!(f, " ({})", extras.join(", "))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.0.kind)
            .field("message", &self.0.message)
            .field("provider", &self.0.provider)
            .field("operation", &self.0.operation)
            .field("bucket", &self.0.bucket)
            .field("status", &self.0.status)
            .field("code", &self.0.code)
            .field("request_id", &self.0.request_id)
            .field("retryable", &self.0.retryable);
        if let Some(after) = self.0.retry_after {
            d.field("retry_after", &after);
        }
        if !self.0.violations.is_empty() {
            d.field("violations", &self.0.violations);
        }
        for (name, value) in &self.0.details {
            d.field(name, value);
        }
        if self.0.attempts > 0 {
            d.field("attempts", &self.0.attempts);
        }
        if let Some(source) = &self.0.source {
            d.field("source", &source.to_string());
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_actionable_line() {
        let err = Error::new(ErrorKind::NotFound, "The specified bucket does not exist")
            .with_provider(Provider::Cos)
            .with_operation(Operation::GetCors)
            .with_bucket("examplebucket-1250000000")
            .with_status(404)
            .with_code("NoSuchBucket")
            .with_request_id("NWYwNzJl");
        let shown = err.to_string();
        assert_eq!(
            shown,
            "COS get_cors on bucket `examplebucket-1250000000` failed: not_found: The specified bucket does not exist (HTTP 404, code NoSuchBucket, request id NWYwNzJl)"
        );
        assert!(!shown.contains('\n'));
    }

    #[test]
    fn retry_classification_depends_on_idempotency() {
        let err = Error::new(ErrorKind::Unavailable, "oops");
        assert!(err.is_retryable_for(Operation::GetCors));
        assert!(!err.is_retryable_for(Operation::CreateBucket));
        let throttled = Error::new(ErrorKind::RateLimited, "slow down");
        assert!(throttled.is_retryable_for(Operation::CreateBucket));
        let missing = Error::new(ErrorKind::NotFound, "gone");
        assert!(!missing.is_retryable_for(Operation::GetCors));
    }

    #[test]
    fn invalid_input_summarises_every_violation() {
        let err = Error::invalid_input(vec![
            Violation::new("rules[0].allowed_origins", "must not be empty"),
            Violation::new("rules[1].allowed_methods", "must not be empty"),
        ]);
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.violations().len(), 2);
        assert!(err.to_string().contains("rules[0].allowed_origins"));
        assert!(err.to_string().contains("1 more problem"));
    }

    #[test]
    fn details_show_in_debug_not_display() {
        let err = Error::new(ErrorKind::Unauthenticated, "signature mismatch")
            .with_detail("string_to_sign", "sha1\n1;2\nabc\n");
        assert_eq!(err.detail("string_to_sign"), Some("sha1\n1;2\nabc\n"));
        assert!(!err.to_string().contains("sha1"));
        assert!(format!("{err:?}").contains("string_to_sign"));
    }

    #[test]
    fn every_accessor_returns_what_was_set() {
        #[derive(Debug)]
        struct Cause;
        impl fmt::Display for Cause {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("connection reset by peer")
            }
        }
        impl std::error::Error for Cause {}

        let err = Error::new(ErrorKind::Unavailable, "We encountered an internal error")
            .with_provider(Provider::R2)
            .with_operation(Operation::PutCors)
            .with_bucket("assets")
            .with_status(503)
            .with_code("10043")
            .with_request_id("8a1b2c3d4e5f-SJC")
            .with_detail("body", "<html>")
            .with_detail("hint", "retry later")
            .with_source(Cause)
            .with_attempts(3);
        assert_eq!(err.message(), "We encountered an internal error");
        assert_eq!(err.provider(), Some(Provider::R2));
        assert_eq!(err.operation(), Some(Operation::PutCors));
        assert_eq!(err.bucket(), Some("assets"));
        assert_eq!(err.status(), Some(503));
        assert_eq!(err.code(), Some("10043"));
        assert_eq!(err.request_id(), Some("8a1b2c3d4e5f-SJC"));
        assert_eq!(
            err.details(),
            &[
                ("body", "<html>".to_owned()),
                ("hint", "retry later".to_owned())
            ]
        );
        assert_eq!(err.attempts(), 3);
        let source = std::error::Error::source(&err).expect("the cause is kept");
        assert_eq!(source.to_string(), "connection reset by peer");
        assert!(!err.is_not_found());
        assert!(Error::new(ErrorKind::NotFound, "gone").is_not_found());

        let bare = Error::new(ErrorKind::Decode, "x");
        assert_eq!(
            (bare.provider(), bare.operation(), bare.bucket()),
            (None, None, None)
        );
        assert_eq!(
            (bare.status(), bare.code(), bare.request_id()),
            (None, None, None)
        );
        assert!(bare.details().is_empty());
        assert!(std::error::Error::source(&bare).is_none());
    }

    #[test]
    fn provider_names_are_stable() {
        assert_eq!(Provider::Cos.as_str(), "cos");
        assert_eq!(Provider::R2.as_str(), "r2");
        assert_eq!(Provider::Other("s3").as_str(), "s3");
        assert_eq!(Provider::Cos.to_string(), "COS");
        assert_eq!(Provider::R2.to_string(), "R2");
    }

    #[test]
    fn custom_operations_declare_their_idempotency() {
        let replace = Operation::Other {
            name: "replace_domain",
            idempotent: true,
        };
        let append = Operation::Other {
            name: "append_rule",
            idempotent: false,
        };
        assert!(replace.is_idempotent());
        assert!(!append.is_idempotent());
        assert!(!Operation::CreateBucket.is_idempotent());
        assert!(Operation::DeleteBucket.is_idempotent());
        let unavailable = Error::new(ErrorKind::Unavailable, "503");
        assert!(unavailable.is_retryable_for(replace));
        assert!(!unavailable.is_retryable_for(append));
    }

    #[test]
    fn attempts_show_in_display_only_after_a_retry_and_in_debug_once_sent() {
        let once = Error::new(ErrorKind::Timeout, "t").with_attempts(1);
        assert!(!once.to_string().contains("attempts"), "{once}");
        assert!(format!("{once:?}").contains("attempts: 1"), "{once:?}");
        let twice = Error::new(ErrorKind::Timeout, "t").with_attempts(2);
        assert!(twice.to_string().ends_with("(after 2 attempts)"), "{twice}");
        let unsent = Error::new(ErrorKind::Timeout, "t");
        assert!(!format!("{unsent:?}").contains("attempts"), "{unsent:?}");
    }

    #[test]
    fn debug_lists_violations_only_when_there_are_some() {
        let plain = Error::new(ErrorKind::Decode, "x");
        assert!(!format!("{plain:?}").contains("violations"));
        let invalid = Error::invalid_input(vec![Violation::new("rules[0]", "bad")]);
        assert!(format!("{invalid:?}").contains("violations"));
    }
}
