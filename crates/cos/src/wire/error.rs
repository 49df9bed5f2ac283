//! The COS `<Error>` body.

use serde::Deserialize;

/// Every field COS puts in an error body; all optional because proxies and HEAD answers
/// send none.
#[derive(Debug, Default, Deserialize)]
#[serde(rename = "Error")]
pub(crate) struct ErrorXml {
    #[serde(rename = "Code", default)]
    pub(crate) code: Option<String>,
    #[serde(rename = "Message", default)]
    pub(crate) message: Option<String>,
    #[serde(rename = "Resource", default)]
    pub(crate) resource: Option<String>,
    #[serde(rename = "RequestId", default)]
    pub(crate) request_id: Option<String>,
    #[serde(rename = "TraceId", default)]
    pub(crate) trace_id: Option<String>,
    #[serde(rename = "StringToSign", default)]
    pub(crate) string_to_sign: Option<String>,
    #[serde(rename = "FormatString", default)]
    pub(crate) format_string: Option<String>,
}

impl ErrorXml {
    /// Parses an error body; `None` when it is not a COS `<Error>` document.
    pub(crate) fn parse(body: &str) -> Option<Self> {
        let trimmed = body.trim_start();
        if !trimmed.starts_with('<') || !trimmed.contains("<Error") {
            return None;
        }
        let mut parsed = quick_xml::de::from_str::<Self>(body).ok()?;
        // The deserializer trims text; these two are compared with local strings byte for
        // byte, trailing newline included, so they are read raw.
        parsed.string_to_sign = raw_element(body, "StringToSign").or(parsed.string_to_sign);
        parsed.format_string = raw_element(body, "FormatString").or(parsed.format_string);
        Some(parsed)
    }
}

fn raw_element(body: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = body.find(&open)? + open.len();
    let len = body[start..].find(&close)?;
    let raw = &body[start..start + len];
    Some(
        quick_xml::escape::unescape(raw)
            .map(|s| s.into_owned())
            .unwrap_or_else(|_| raw.to_owned()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_error_document_parses() {
        assert!(ErrorXml::parse("<html><body><h1>502</h1></body></html>").is_none());
        assert!(ErrorXml::parse("upstream said <Error> once").is_none());
        assert!(ErrorXml::parse("").is_none());
        let e = ErrorXml::parse(
            "\n <Error><Code>NoSuchBucket</Code><RequestId>r-1</RequestId></Error>",
        )
        .unwrap();
        assert_eq!(e.code.as_deref(), Some("NoSuchBucket"));
        assert_eq!(e.request_id.as_deref(), Some("r-1"));
    }

    #[test]
    fn the_signed_strings_are_read_raw_with_their_newlines() {
        let body = "<Error><Code>SignatureDoesNotMatch</Code><StringToSign>sha1\n1;2\nab&amp;c\n</StringToSign><FormatString>get\n/\n\nhost=h\n</FormatString></Error>";
        let e = ErrorXml::parse(body).unwrap();
        assert_eq!(e.string_to_sign.as_deref(), Some("sha1\n1;2\nab&c\n"));
        assert_eq!(e.format_string.as_deref(), Some("get\n/\n\nhost=h\n"));
        assert_eq!(raw_element("<A>x</A>", "B"), None);
        assert_eq!(raw_element("<A>x", "A"), None);
        // Text that does not unescape is kept as sent.
        assert_eq!(
            raw_element("<A>a &bogus; b</A>", "A").as_deref(),
            Some("a &bogus; b")
        );
    }
}
