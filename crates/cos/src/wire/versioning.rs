//! `VersioningConfiguration`.

use bucket_admin_core::{Error, ErrorKind, VersioningStatus};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename = "VersioningConfiguration")]
pub(crate) struct VersioningXml {
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
}

impl VersioningXml {
    /// `None` for [`VersioningStatus::Unversioned`], which cannot be put.
    pub(crate) fn from_model(status: VersioningStatus) -> Option<Self> {
        let status = match status {
            VersioningStatus::Enabled => "Enabled",
            VersioningStatus::Suspended => "Suspended",
            // Unversioned, or a status newer than this crate: nothing COS can be told.
            _ => return None,
        };
        Some(Self {
            status: Some(status.to_owned()),
        })
    }

    pub(crate) fn into_model(self) -> Result<VersioningStatus, Error> {
        match self.status.as_deref().map(str::trim) {
            // `<VersioningConfiguration/>`: never configured.
            None | Some("") => Ok(VersioningStatus::Unversioned),
            Some(s) if s.eq_ignore_ascii_case("enabled") => Ok(VersioningStatus::Enabled),
            Some(s) if s.eq_ignore_ascii_case("suspended") => Ok(VersioningStatus::Suspended),
            Some(s) => Err(Error::new(
                ErrorKind::Decode,
                format!("COS returned versioning status `{s}` (expected Enabled or Suspended)"),
            )),
        }
    }
}
