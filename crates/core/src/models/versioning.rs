//! Bucket versioning status.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A bucket's versioning status.
///
/// Once enabled, versioning can only be suspended, never returned to
/// [`VersioningStatus::Unversioned`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VersioningStatus {
    /// Versioning was never configured on the bucket.
    #[default]
    Unversioned,
    /// New writes create versions.
    Enabled,
    /// Versioning was enabled and is now suspended.
    Suspended,
}

impl VersioningStatus {
    /// snake_case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            VersioningStatus::Unversioned => "unversioned",
            VersioningStatus::Enabled => "enabled",
            VersioningStatus::Suspended => "suspended",
        }
    }
}

impl fmt::Display for VersioningStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
