//! Exit codes and the CLI error type.
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | success |
//! | 1 | an operation failed (provider error, network, I/O); in bulk mode: at least one bucket failed |
//! | 2 | usage error or invalid input (bad flag, bad URL, unreadable or invalid file, missing credentials) |
//! | 3 | a lossy copy was refused (rerun with `--allow-lossy` after reading the loss report) |
//! | 4 | verification mismatch: what was read back differs from what was written, or `cors check --live` disagrees with the offline answer |
//! | 5 | a negative answer: `buckets exists` (no such bucket), `cors check` (preflight denied), `cors diff` (configurations differ) |
//! | 6 | not found: the bucket or the file named does not exist (distinct from 1, so scripts can tell "wrong name" from "network down") |

use std::fmt;

use bucket_admin_core::{Error, ErrorKind, Provider};

use crate::formats::FormatError;

/// A process exit code with a documented meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Exit {
    /// 0: success.
    Ok,
    /// 1: an operation failed.
    Failed,
    /// 2: usage error or invalid input.
    Usage,
    /// 3: a lossy copy was refused.
    LossyRefused,
    /// 4: read-back verification (or live preflight comparison) found a mismatch.
    Mismatch,
    /// 5: the answer is "no" (bucket missing, preflight denied, configurations differ).
    Negative,
    /// 6: the bucket or file named does not exist.
    NotFound,
}

impl Exit {
    /// The numeric process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Failed => 1,
            Exit::Usage => 2,
            Exit::LossyRefused => 3,
            Exit::Mismatch => 4,
            Exit::Negative => 5,
            Exit::NotFound => 6,
        }
    }

    /// The most severe of two exit codes, for commands that aggregate many results.
    ///
    /// A failure outranks a mismatch, which outranks a refusal, so a bulk run's exit code points
    /// at the worst thing that happened.
    pub fn worst(self, other: Exit) -> Exit {
        fn rank(e: Exit) -> u8 {
            match e {
                Exit::Ok => 0,
                Exit::Negative => 1,
                Exit::LossyRefused => 2,
                Exit::Mismatch => 3,
                Exit::Usage => 4,
                Exit::NotFound => 5,
                Exit::Failed => 6,
            }
        }
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

/// An error ending a command: the message to print, an optional hint, and the exit code.
#[derive(Debug, Clone, PartialEq)]
pub struct CliError {
    /// Exit code to terminate with.
    pub exit: Exit,
    /// One-line description naming what failed.
    pub message: String,
    /// Extra lines: how to fix it, every validation problem, ...
    pub hint: Option<String>,
    /// The library error's fields (kind, provider, operation, bucket, status, code,
    /// request id, attempts, violations), for `--json` output; `None` for CLI-side errors.
    pub fields: Option<serde_json::Value>,
}

impl CliError {
    /// An error with `exit` and `message`.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            hint: None,
            fields: None,
        }
    }

    /// The bucket or file does not exist (exit 6).
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Exit::NotFound, message)
    }

    /// Usage / invalid input (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    /// Operation failed (exit 1).
    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(Exit::Failed, message)
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Prefixes the message with context such as the file name.
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            for line in hint.lines() {
                write!(f, "\n  {line}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for CliError {}

impl From<Error> for CliError {
    /// Keeps the core `Display` (provider, operation, bucket, code, request id) and lists every
    /// validation problem, since the one-line form only shows the first.
    fn from(err: Error) -> Self {
        let exit = match err.kind() {
            ErrorKind::InvalidInput | ErrorKind::Config => Exit::Usage,
            ErrorKind::NotFound => Exit::NotFound,
            _ => Exit::Failed,
        };
        let fields = serde_json::json!({
            "kind": err.kind().as_str(),
            "provider": err.provider().map(|p| p.as_str()),
            "operation": err.operation().map(|o| o.as_str()),
            "bucket": err.bucket(),
            "status": err.status(),
            "code": err.code(),
            "request_id": err.request_id(),
            "attempts": err.attempts(),
            "violations": err.violations().iter().map(|v| serde_json::json!({
                "field": v.field, "rule": v.rule,
            })).collect::<Vec<_>>(),
        });
        let hint = if err.kind() == ErrorKind::NotFound
            && err.provider() == Some(Provider::R2)
            && err.bucket().is_some()
        {
            // R2 jurisdictions are separate namespaces; the library's hint names Rust APIs.
            Some(format!(
                "if the bucket is in another jurisdiction, address it as r2://{}?jurisdiction=eu or pass -J eu (jurisdictions: default, eu, fedramp, us, fedramp-high)",
                err.bucket().unwrap_or_default()
            ))
        } else if err.code() == Some("SignatureDoesNotMatch") {
            // What COS computed is the fastest way to see which input differs; it holds no
            // secret (a hash of the request and the key time), so -v may show it.
            for (name, value) in err.details() {
                tracing::info!("COS computed {name}: {value:?}");
            }
            Some(
                "COS computed a different signature: check COS_SECRET_KEY (and that COS_SECRET_ID belongs to it) and this machine's clock; -v shows the StringToSign and FormatString COS computed".to_owned(),
            )
        } else if err.kind() == ErrorKind::NotFound
            && err.provider() == Some(Provider::Cos)
            && err.code() == Some("NoSuchBucket")
        {
            // COS addresses buckets per region: the wrong region looks like a missing bucket.
            Some(format!(
                "if the bucket is in another region, address it as cos://{}?region=<region> or pass --region (`bucket-admin buckets list cos://` lists every region's buckets)",
                err.bucket().unwrap_or_default()
            ))
        } else if err.violations().len() > 1 {
            Some(
                err.violations()
                    .iter()
                    .map(|v| format!("- {v}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        } else {
            None
        };
        Self {
            exit,
            message: cli_terms(&err.to_string()),
            hint,
            fields: Some(fields),
        }
    }
}

/// Rewrites the library's advice, which names Rust calls, into the flags and variables of
/// this command line.
pub fn cli_terms(message: &str) -> String {
    const PHRASES: [(&str, &str); 8] = [
        (
            "call allow_http(true) to permit it",
            "pass --allow-http to permit it",
        ),
        (
            "plain http is refused unless allow_http(true) is set",
            "plain http is refused unless --allow-http is given",
        ),
        (
            "select it with `R2Client::with_jurisdiction(Jurisdiction::Eu)`, the builder's `jurisdiction(...)` or `R2_JURISDICTION=eu`",
            "address it as `r2://<bucket>?jurisdiction=eu`, or pass `-J eu`",
        ),
        (
            "(set it on the builder or in the environment)",
            "(set it in the environment)",
        ),
        (
            "invalid R2 setting `base_url`",
            "invalid R2 endpoint (--endpoint or CLOUDFLARE_BASE_URL)",
        ),
        // Pieces of the above, for wordings that differ around them.
        (
            "`R2Client::with_jurisdiction(Jurisdiction::Eu)`",
            "`r2://<bucket>?jurisdiction=eu`",
        ),
        ("the builder's `jurisdiction(...)`", "`-J eu`"),
        ("allow_http(true)", "--allow-http"),
    ];
    let mut out = message.to_owned();
    for (library, cli) in PHRASES {
        out = out.replace(library, cli);
    }
    out
}

impl From<FormatError> for CliError {
    fn from(err: FormatError) -> Self {
        Self {
            exit: Exit::Usage,
            message: err.message,
            hint: err.hint,
            fields: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use bucket_admin_core::{Operation, Violation};

    use super::*;

    #[test]
    fn codes_are_stable() {
        let codes: Vec<u8> = [
            Exit::Ok,
            Exit::Failed,
            Exit::Usage,
            Exit::LossyRefused,
            Exit::Mismatch,
            Exit::Negative,
            Exit::NotFound,
        ]
        .iter()
        .map(|e| e.code())
        .collect();
        assert_eq!(codes, [0, 1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn library_advice_is_said_in_cli_terms() {
        let msg = "endpoint `http://10.0.0.1` uses plain http; call allow_http(true) to permit it";
        assert_eq!(
            cli_terms(msg),
            "endpoint `http://10.0.0.1` uses plain http; pass --allow-http to permit it"
        );
        let r2 = "not found (looked in the `default` jurisdiction; the bucket may exist in another jurisdiction (`eu`, `fedramp`): select it with `R2Client::with_jurisdiction(Jurisdiction::Eu)`, the builder's `jurisdiction(...)` or `R2_JURISDICTION=eu`)";
        let cli = cli_terms(r2);
        assert!(cli.contains("`-J eu`"), "{cli}");
        assert!(!cli.contains("R2Client"), "{cli}");
    }

    #[test]
    fn worst_prefers_failures() {
        assert_eq!(Exit::Ok.worst(Exit::LossyRefused), Exit::LossyRefused);
        assert_eq!(Exit::Failed.worst(Exit::Mismatch), Exit::Failed);
        assert_eq!(Exit::Mismatch.worst(Exit::LossyRefused), Exit::Mismatch);
    }

    #[test]
    fn core_errors_keep_their_context_and_map_to_codes() {
        let err = Error::new(ErrorKind::NotFound, "The specified bucket does not exist")
            .with_provider(Provider::Cos)
            .with_operation(Operation::GetCors)
            .with_bucket("b-1250000000")
            .with_code("NoSuchBucket")
            .with_request_id("req-1");
        let cli = CliError::from(err);
        assert_eq!(cli.exit, Exit::NotFound);
        let fields = cli.fields.clone().unwrap();
        assert_eq!(fields["kind"], "not_found");
        assert_eq!(fields["code"], "NoSuchBucket");
        assert_eq!(fields["request_id"], "req-1");
        assert_eq!(fields["bucket"], "b-1250000000");
        assert!(cli.message.contains("COS get_cors"));
        assert!(cli.message.contains("request id req-1"));
        let invalid = CliError::from(Error::invalid_input(vec![
            Violation::new(
                "rules[0].allowed_origins",
                "at least one origin is required",
            ),
            Violation::new(
                "rules[1].allowed_methods",
                "at least one method is required",
            ),
        ]));
        assert_eq!(invalid.exit, Exit::Usage);
        assert!(invalid.to_string().contains("rules[1].allowed_methods"));
    }
}
