//! Validation results shared by every model and provider.
//!
//! Validation collects *every* problem it finds, so a user fixes a configuration in one pass.
//! Each [`Violation`] names the field (a path such as `rules[2].allowed_origins[0]`) and the rule
//! it broke.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// One validation problem: which field, and what rule it broke.
///
/// Non-exhaustive (a severity or a provider may follow): build it with [`Violation::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Violation {
    /// Path of the offending field, e.g. `rules[0].max_age_seconds`.
    pub field: String,
    /// The rule that was broken, in words, e.g. `at most one '*' per origin`.
    pub rule: String,
}

impl Violation {
    /// A violation of `rule` by `field`.
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            rule: rule.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.rule)
    }
}

/// Accumulates violations while walking a structure.
#[derive(Debug, Default, Clone)]
pub struct Violations(Vec<Violation>);

impl Violations {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }
    /// Record a violation.
    pub fn push(&mut self, field: impl Into<String>, rule: impl Into<String>) {
        self.0.push(Violation::new(field, rule));
    }
    /// Record a violation when `ok` is false.
    pub fn check(&mut self, ok: bool, field: impl FnOnce() -> String, rule: impl Into<String>) {
        if !ok {
            self.0.push(Violation::new(field(), rule));
        }
    }
    /// Append every violation of `other`.
    pub fn extend(&mut self, other: Violations) {
        self.0.extend(other.0);
    }
    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The recorded violations.
    pub fn as_slice(&self) -> &[Violation] {
        &self.0
    }
    /// `Ok(())` when empty, otherwise an [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)
    /// error listing all of them.
    pub fn into_result(self) -> Result<(), Error> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::invalid_input(self.0))
        }
    }
    /// The recorded violations, by value.
    pub fn into_vec(self) -> Vec<Violation> {
        self.0
    }
}
