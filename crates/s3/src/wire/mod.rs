//! Private S3 wire formats and their conversions to and from the neutral core models.
//!
//! Bodies are written as the AWS SDKs write them: the namespace-free root element, no
//! whitespace, elements in the order of the S3 API reference. Decoding checks the root element
//! and rejects anything but whitespace and comments after it, so a truncated or concatenated
//! answer is a [`ErrorKind::Decode`] error instead of a half-read configuration.

pub(crate) mod bucket;
pub(crate) mod cors;
pub(crate) mod error;
pub(crate) mod lifecycle;
pub(crate) mod policy;
pub(crate) mod replication;
pub(crate) mod versioning;

use bucket_admin_core::{Error, ErrorKind, StorageClass};
use quick_xml::events::Event;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The S3 namespace boto3 puts on every root element.
pub(crate) const S3_NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Serialises a wire type (its serde name is the root element) as boto3 does: no prolog, the
/// S3 namespace on the root.
pub(crate) fn to_xml<T: Serialize>(value: &T) -> Result<String, Error> {
    let mut out = String::new();
    let ser = quick_xml::se::Serializer::new(&mut out);
    value.serialize(ser).map_err(|e| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("cannot write the request XML: {e}"),
        )
    })?;
    if let Some(end) = out.find(['>', '/', ' ']) {
        out.insert_str(end, &format!(" xmlns=\"{S3_NAMESPACE}\""));
    }
    Ok(out)
}

/// Parses a wire type whose root element is one of `roots`: the S3 name first, then the
/// `<Operation>Response` name that servers serialising from the Smithy model (moto) use. A
/// malformed body, another root or trailing content is a [`ErrorKind::Decode`] error.
pub(crate) fn from_xml<T: DeserializeOwned>(
    body: &str,
    roots: &[&str],
    what: &str,
) -> Result<T, Error> {
    let bad = |why: String| {
        Error::new(
            ErrorKind::Decode,
            format!("cannot parse the {what} XML returned by the server: {why}"),
        )
    };
    check_document(body, roots).map_err(bad)?;
    quick_xml::de::from_str(body).map_err(|e| bad(e.to_string()))
}

/// Checks that `body` is one element named one of `roots` with nothing but whitespace,
/// comments or processing instructions around it.
pub(crate) fn check_document(body: &str, roots: &[&str]) -> Result<(), String> {
    let root = roots.first().copied().unwrap_or_default();
    let mut reader = quick_xml::Reader::from_str(body);
    let mut depth = 0usize;
    let mut seen_root = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("malformed XML: {e}"))?;
        let is_start = matches!(event, Event::Start(_));
        match event {
            Event::Start(e) | Event::Empty(e) if depth == 0 => {
                if seen_root {
                    return Err("content after the root element".into());
                }
                let name = e.name();
                let name = name.local_name().into_inner().to_owned();
                if !roots.contains(&name.as_str()) {
                    return Err(format!("root element `{name}`, expected `{root}`"));
                }
                seen_root = true;
                if is_start {
                    depth += 1;
                }
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(t) if depth == 0 => {
                let text = t.into_inner().into_owned();
                if !text.trim().is_empty() {
                    return Err(if seen_root {
                        "content after the root element".into()
                    } else {
                        "text before the root element".into()
                    });
                }
            }
            Event::CData(_) if depth == 0 => {
                return Err("character data outside the root element".into());
            }
            Event::Eof => {
                if depth > 0 {
                    return Err("the document ends inside an element".into());
                }
                return if seen_root {
                    Ok(())
                } else {
                    Err(format!("no `{root}` element"))
                };
            }
            _ => {}
        }
    }
}

/// The S3 name of a storage class. Archive is `GLACIER` (Flexible Retrieval).
pub(crate) fn storage_class_to_wire(class: &StorageClass) -> String {
    match class {
        StorageClass::Standard => "STANDARD".into(),
        StorageClass::InfrequentAccess => "STANDARD_IA".into(),
        StorageClass::Archive => "GLACIER".into(),
        StorageClass::DeepArchive => "DEEP_ARCHIVE".into(),
        StorageClass::IntelligentTiering => "INTELLIGENT_TIERING".into(),
        StorageClass::Other(name) => name.clone(),
        // A class added to the neutral model after this code: send its name rather than
        // guess a mapping; S3 rejects a name it does not know, so nothing is lost silently.
        other => other.as_str().to_owned(),
    }
}

/// Parses an S3 storage class name; unknown names (`GLACIER_IR`, `ONEZONE_IA`) are kept verbatim.
pub(crate) fn storage_class_from_wire(name: &str) -> StorageClass {
    let name = name.trim();
    match name.to_ascii_uppercase().as_str() {
        "STANDARD" => StorageClass::Standard,
        "STANDARD_IA" => StorageClass::InfrequentAccess,
        "GLACIER" => StorageClass::Archive,
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
            format!("the server returned {what} status `{s}` (expected Enabled or Disabled)"),
        ))
    }
}

/// `None` for absent or blank text.
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
    fn documents_need_the_right_root_and_nothing_after_it() {
        assert_eq!(
            check_document("<?xml version=\"1.0\"?>\n<A><B/></A>\n", &["A"]),
            Ok(())
        );
        assert_eq!(check_document("<A/>", &["A"]), Ok(()));
        assert_eq!(
            check_document(
                "<A xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></A>",
                &["A"]
            ),
            Ok(())
        );
        assert!(
            check_document("<B></B>", &["A"])
                .unwrap_err()
                .contains("root element `B`")
        );
        assert!(
            check_document("<A></A><A></A>", &["A"])
                .unwrap_err()
                .contains("after the root")
        );
        assert!(
            check_document("<A/><A/>", &["A"])
                .unwrap_err()
                .contains("after the root")
        );
        assert!(
            check_document("<A></A>junk", &["A"])
                .unwrap_err()
                .contains("after the root")
        );
        assert!(check_document("<A><B>", &["A"]).is_err());
        assert!(check_document("", &["A"]).unwrap_err().contains("no `A`"));
    }

    #[test]
    fn storage_classes_round_trip() {
        assert_eq!(storage_class_from_wire("GLACIER"), StorageClass::Archive);
        assert_eq!(
            storage_class_from_wire("GLACIER_IR"),
            StorageClass::Other("GLACIER_IR".into())
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
