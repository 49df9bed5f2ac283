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

#[cfg(test)]
mod tests {
    use super::*;

    fn status(text: &str) -> Result<VersioningStatus, Error> {
        super::super::from_xml::<VersioningXml>(text, "VersioningConfiguration", "versioning")
            .and_then(VersioningXml::into_model)
    }

    #[test]
    fn only_enabled_and_suspended_are_statuses() {
        let doc = |s: &str| {
            format!("<VersioningConfiguration><Status>{s}</Status></VersioningConfiguration>")
        };
        assert_eq!(
            status(&doc(" suspended ")).unwrap(),
            VersioningStatus::Suspended
        );
        assert_eq!(status(&doc("ENABLED")).unwrap(), VersioningStatus::Enabled);
        assert_eq!(
            status("<VersioningConfiguration/>").unwrap(),
            VersioningStatus::Unversioned
        );
        let e = status(&doc("Paused")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.message().contains("`Paused`"), "{}", e.message());
    }
}
