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
