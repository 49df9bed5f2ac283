//! Storage classes, neutral across providers, with an escape hatch for provider-only names.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A storage class.
///
/// JSON: the snake_case neutral name (`"standard"`, `"infrequent_access"`, `"archive"`,
/// `"deep_archive"`, `"intelligent_tiering"`), or the provider's own name verbatim for
/// [`StorageClass::Other`] (e.g. `"MAZ_STANDARD_IA"`).
///
/// Provider names: COS `STANDARD` / `STANDARD_IA` / `ARCHIVE` / `DEEP_ARCHIVE` /
/// `INTELLIGENT_TIERING`; R2 `Standard` / `InfrequentAccess`.
///
/// Non-exhaustive: a class that providers share may become a named variant (today it is
/// [`StorageClass::Other`]). Code outside this crate that maps classes to wire names must
/// handle an unknown variant without losing it, e.g. by sending [`StorageClass::as_str`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum StorageClass {
    /// Hot storage (COS `STANDARD`, R2 `Standard`).
    Standard,
    /// Infrequent access (COS `STANDARD_IA`, R2 `InfrequentAccess`).
    InfrequentAccess,
    /// Archive (COS `ARCHIVE`).
    Archive,
    /// Deep archive (COS `DEEP_ARCHIVE`).
    DeepArchive,
    /// Intelligent tiering (COS `INTELLIGENT_TIERING`).
    IntelligentTiering,
    /// A provider-specific class, by the provider's own name.
    Other(String),
}

impl StorageClass {
    /// The neutral snake_case name, or the provider's name for [`StorageClass::Other`].
    pub fn as_str(&self) -> &str {
        match self {
            StorageClass::Standard => "standard",
            StorageClass::InfrequentAccess => "infrequent_access",
            StorageClass::Archive => "archive",
            StorageClass::DeepArchive => "deep_archive",
            StorageClass::IntelligentTiering => "intelligent_tiering",
            StorageClass::Other(name) => name,
        }
    }

    /// Parses a neutral name; anything else becomes [`StorageClass::Other`].
    pub fn from_neutral(name: &str) -> Self {
        match name {
            "standard" => StorageClass::Standard,
            "infrequent_access" => StorageClass::InfrequentAccess,
            "archive" => StorageClass::Archive,
            "deep_archive" => StorageClass::DeepArchive,
            "intelligent_tiering" => StorageClass::IntelligentTiering,
            other => StorageClass::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for StorageClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for StorageClass {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for StorageClass {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Ok(StorageClass::from_neutral(&name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutral_names_round_trip_and_others_are_kept_verbatim() {
        for class in [
            StorageClass::Standard,
            StorageClass::InfrequentAccess,
            StorageClass::Archive,
            StorageClass::DeepArchive,
            StorageClass::IntelligentTiering,
            StorageClass::Other("MAZ_STANDARD_IA".into()),
        ] {
            let json = serde_json::to_string(&class).unwrap();
            assert_eq!(serde_json::from_str::<StorageClass>(&json).unwrap(), class);
        }
        assert_eq!(
            serde_json::to_string(&StorageClass::InfrequentAccess).unwrap(),
            "\"infrequent_access\""
        );
    }
}
