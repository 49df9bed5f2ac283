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
pub(crate) mod pull;
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

/// Parses a wire type whose root element must be `root`; anything else is a
/// [`ErrorKind::Decode`] error.
///
/// The deserializer alone ignores the root element's name and stops at its end, so an
/// `<Error>` document, an HTML page or another configuration (a `<LifecycleConfiguration>`
/// answering `GET ?cors`) would decode as an empty configuration and read as "not
/// configured". [`check_root`] rules those out first.
pub(crate) fn from_xml<T: DeserializeOwned>(
    body: &str,
    root: &str,
    what: &str,
) -> Result<T, Error> {
    // A byte-order mark is not content.
    let body = body.strip_prefix('\u{feff}').unwrap_or(body);
    check_root(body, root, what)?;
    quick_xml::de::from_str(body).map_err(|e| {
        Error::new(
            ErrorKind::Decode,
            format!("cannot parse the {what} XML returned by COS: {e}"),
        )
    })
}

/// Checks that `body` is one well-formed XML document whose root element is `root`, with
/// nothing but whitespace, comments and processing instructions around it.
pub(crate) fn check_root(body: &str, root: &str, what: &str) -> Result<(), Error> {
    use quick_xml::events::Event;
    let fail = |why: String| {
        Error::new(
            ErrorKind::Decode,
            format!("COS returned a {what} answer that is not a <{root}> document: {why}"),
        )
    };
    let mut reader = quick_xml::Reader::from_str(body);
    let mut depth = 0usize;
    let mut closed = false;
    let mut found: Option<String> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| fail(format!("malformed XML ({e})")))?;
        match event {
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::DocType(_) if found.is_none() => {}
            Event::Start(ref e) | Event::Empty(ref e) if depth == 0 => {
                let name = e.name().into_inner().to_owned();
                if closed {
                    return Err(fail(format!(
                        "a second element <{name}> follows the root element"
                    )));
                }
                if name != root {
                    return Err(fail(wrong_root(&name, body)));
                }
                found = Some(name);
                if matches!(event, Event::Start(_)) {
                    depth = 1;
                } else {
                    closed = true;
                }
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    closed = true;
                }
            }
            Event::Text(t) if depth == 0 => {
                let text: &str = t.as_ref();
                if !text.trim().is_empty() {
                    let snippet: String = text.trim().chars().take(60).collect();
                    return Err(fail(format!("text `{snippet}` outside the root element")));
                }
            }
            _ if depth == 0 => {
                return Err(fail("content outside the root element".to_owned()));
            }
            _ => {}
        }
    }
    match (found, closed) {
        (Some(_), true) => Ok(()),
        (Some(_), false) => Err(fail("the document ends inside the root element".to_owned())),
        (None, _) if body.trim().is_empty() => Err(fail("the body is empty".to_owned())),
        (None, _) => {
            let snippet: String = body.trim().chars().take(60).collect();
            Err(fail(format!("no XML element in `{snippet}`")))
        }
    }
}

fn wrong_root(name: &str, body: &str) -> String {
    if name == "Error" {
        let parsed = error::ErrorXml::parse(body).unwrap_or_default();
        let code = parsed.code.unwrap_or_default();
        let message = parsed.message.unwrap_or_default();
        format!("it is an <Error> document (code `{code}`: {message})")
    } else if name.eq_ignore_ascii_case("html") {
        "it is an HTML page (a proxy or gateway answered instead of COS)".to_owned()
    } else {
        format!("its root element is <{name}>")
    }
}

/// The COS name of a storage class.
pub(crate) fn storage_class_to_wire(class: &StorageClass) -> &str {
    match class {
        StorageClass::Standard => "STANDARD",
        StorageClass::InfrequentAccess => "STANDARD_IA",
        StorageClass::Archive => "ARCHIVE",
        StorageClass::DeepArchive => "DEEP_ARCHIVE",
        StorageClass::IntelligentTiering => "INTELLIGENT_TIERING",
        StorageClass::Other(name) => name,
        // A class added to the neutral model after this code: send its name rather than
        // guess a mapping; COS rejects a name it does not know, so nothing is lost silently.
        other => other.as_str(),
    }
}

/// Parses a COS storage class name, accepting the SDK docs' mixed-case spellings
/// (`Standard_IA`, `Archive`); unknown names are kept verbatim.
pub(crate) fn storage_class_from_wire(name: &str) -> StorageClass {
    let name = trim(name);
    // Compared without an uppercase copy: this runs for every transition of a document.
    let is = |wire: &str| name.eq_ignore_ascii_case(wire);
    if is("STANDARD") {
        StorageClass::Standard
    } else if is("STANDARD_IA") {
        StorageClass::InfrequentAccess
    } else if is("ARCHIVE") {
        StorageClass::Archive
    } else if is("DEEP_ARCHIVE") {
        StorageClass::DeepArchive
    } else if is("INTELLIGENT_TIERING") {
        StorageClass::IntelligentTiering
    } else {
        StorageClass::Other(name.to_owned())
    }
}

/// `Enabled` / `Disabled` (case-insensitive on input).
pub(crate) fn status_to_wire(enabled: bool) -> &'static str {
    if enabled { "Enabled" } else { "Disabled" }
}

pub(crate) fn status_from_wire(status: &str, what: impl std::fmt::Display) -> Result<bool, Error> {
    let s = trim(status);
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

/// `text` without the whitespace around it, exactly as [`str::trim`] trims it, but without
/// decoding a character at either end when the first and last bytes are visible ASCII (a
/// value as COS sends it): every value of a document passes through here (issue 16).
pub(crate) fn trim(text: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_graphic());
    let bytes = text.as_bytes();
    if visible(bytes.first()) && visible(bytes.last()) {
        text
    } else {
        text.trim()
    }
}

/// `None` for absent or blank text (the SDK turns `<Prefix/>` into `None` too).
pub(crate) fn non_empty<T: AsRef<str>>(value: Option<T>) -> Option<T> {
    value.filter(|v| !v.as_ref().is_empty())
}

pub(crate) fn parse_bool(value: &str) -> Option<bool> {
    let v = trim(value);
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
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn trim_trims_as_str_trim_does(text in "[ \t\r\n\u{85}\u{a0}\u{3000}\u{7f}aZ9é_-]{0,8}") {
            prop_assert_eq!(trim(&text), text.trim());
        }
    }

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
                storage_class_from_wire(storage_class_to_wire(&class)),
                class
            );
        }
    }

    fn root_error(body: &str) -> String {
        check_root(body, "VersioningConfiguration", "versioning")
            .unwrap_err()
            .message()
            .to_owned()
    }

    #[test]
    fn a_doctype_may_only_come_before_the_root() {
        let doc = "<!DOCTYPE VersioningConfiguration><VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>";
        assert_eq!(
            check_root(doc, "VersioningConfiguration", "versioning").map_err(|e| e.to_string()),
            Ok(())
        );
        let parsed: versioning::VersioningXml =
            from_xml(doc, "VersioningConfiguration", "versioning").unwrap();
        assert_eq!(
            parsed.into_model().unwrap(),
            bucket_admin_core::VersioningStatus::Enabled
        );
        let after = "<VersioningConfiguration></VersioningConfiguration><!DOCTYPE x>";
        assert!(
            root_error(after).contains("content outside the root element"),
            "{}",
            root_error(after)
        );
    }

    #[test]
    fn nothing_but_blanks_comments_and_declarations_surrounds_the_root() {
        for outside in ["<![CDATA[x]]>", "<![CDATA[]]>"] {
            let before = format!("{outside}<VersioningConfiguration/>");
            assert!(
                root_error(&before).contains("content outside the root element"),
                "{before}: {}",
                root_error(&before)
            );
        }
        assert_eq!(
            check_root(
                "<?xml version=\"1.0\"?>\n<!-- c --><?pi x?> <VersioningConfiguration/>\n<!-- d -->",
                "VersioningConfiguration",
                "versioning"
            )
            .map_err(|e| e.to_string()),
            Ok(())
        );
    }

    #[test]
    fn an_answer_without_an_element_says_whether_it_was_empty() {
        assert!(
            root_error(" \n").ends_with("the body is empty"),
            "{}",
            root_error(" \n")
        );
        assert!(root_error("").ends_with("the body is empty"));
        let comment = root_error("<!-- nothing -->");
        assert!(
            comment.ends_with("no XML element in `<!-- nothing -->`"),
            "{comment}"
        );
    }
}
