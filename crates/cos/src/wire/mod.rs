//! Private COS wire formats and their conversions to and from the neutral core models.
//!
//! Every XML body is written with the prolog the official SDK sends
//! (`<?xml version="1.0" encoding="utf-8"?>` and a newline), no other whitespace, empty
//! elements written `<X></X>`, and elements in the order the SDK's documented examples use.

pub(crate) mod bucket;
pub(crate) mod cors;
pub(crate) mod error;
pub(crate) mod lifecycle;
pub(crate) mod policy;
pub(crate) mod replication;
pub(crate) mod versioning;

use bucket_admin_core::{Error, ErrorKind, StorageClass};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The prolog the SDK puts in front of every XML body.
pub(crate) const XML_PROLOG: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

/// Serialises a wire type (its serde name is the root element) after the prolog.
pub(crate) fn to_xml<T: Serialize>(value: &T) -> Result<String, Error> {
    let mut out = String::from(XML_PROLOG);
    let mut ser = quick_xml::se::Serializer::new(&mut out);
    ser.expand_empty_elements(true);
    value.serialize(ser).map_err(|e| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("cannot write the request XML: {e}"),
        )
    })?;
    Ok(out)
}

/// Parses a wire type; a malformed body is a [`ErrorKind::Decode`] error.
pub(crate) fn from_xml<T: DeserializeOwned>(body: &str, what: &str) -> Result<T, Error> {
    quick_xml::de::from_str(body).map_err(|e| {
        Error::new(
            ErrorKind::Decode,
            format!("cannot parse the {what} XML returned by COS: {e}"),
        )
    })
}

/// The COS name of a storage class.
pub(crate) fn storage_class_to_wire(class: &StorageClass) -> String {
    match class {
        StorageClass::Standard => "STANDARD".into(),
        StorageClass::InfrequentAccess => "STANDARD_IA".into(),
        StorageClass::Archive => "ARCHIVE".into(),
        StorageClass::DeepArchive => "DEEP_ARCHIVE".into(),
        StorageClass::IntelligentTiering => "INTELLIGENT_TIERING".into(),
        StorageClass::Other(name) => name.clone(),
    }
}

/// Parses a COS storage class name, accepting the SDK docs' mixed-case spellings
/// (`Standard_IA`, `Archive`); unknown names are kept verbatim.
pub(crate) fn storage_class_from_wire(name: &str) -> StorageClass {
    let name = name.trim();
    match name.to_ascii_uppercase().as_str() {
        "STANDARD" => StorageClass::Standard,
        "STANDARD_IA" => StorageClass::InfrequentAccess,
        "ARCHIVE" => StorageClass::Archive,
        "DEEP_ARCHIVE" => StorageClass::DeepArchive,
        "INTELLIGENT_TIERING" => StorageClass::IntelligentTiering,
        _ => StorageClass::Other(name.to_owned()),
    }
}

/// `Enabled` / `Disabled` (case-insensitive on input).
pub(crate) fn status_to_wire(enabled: bool) -> String {
    if enabled { "Enabled" } else { "Disabled" }.to_owned()
}

pub(crate) fn status_from_wire(status: &str, what: &str) -> Result<bool, Error> {
    let s = status.trim();
    if s.eq_ignore_ascii_case("enabled") {
        Ok(true)
    } else if s.eq_ignore_ascii_case("disabled") {
        Ok(false)
    } else {
        Err(Error::new(
            ErrorKind::Decode,
            format!("COS returned {what} status `{s}` (expected Enabled or Disabled)"),
        ))
    }
}

/// `None` for absent or blank text (the SDK turns `<Prefix/>` into `None` too).
pub(crate) fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

pub(crate) fn parse_bool(value: &str) -> Option<bool> {
    let v = value.trim();
    if v.eq_ignore_ascii_case("true") {
        Some(true)
    } else if v.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_classes_accept_seed_spellings() {
        assert_eq!(
            storage_class_from_wire("Standard_IA"),
            StorageClass::InfrequentAccess
        );
        assert_eq!(storage_class_from_wire("Archive"), StorageClass::Archive);
        assert_eq!(
            storage_class_from_wire("MAZ_STANDARD"),
            StorageClass::Other("MAZ_STANDARD".into())
        );
        for class in [
            StorageClass::Standard,
            StorageClass::InfrequentAccess,
            StorageClass::Archive,
            StorageClass::DeepArchive,
            StorageClass::IntelligentTiering,
        ] {
            assert_eq!(
                storage_class_from_wire(&storage_class_to_wire(&class)),
                class
            );
        }
    }
}
