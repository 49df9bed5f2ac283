//! The S3 `<Error>` body.

use serde::Deserialize;

/// Every field S3 puts in an error body; all optional because proxies and HEAD answers send
/// none.
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
    #[serde(rename = "HostId", default)]
    pub(crate) host_id: Option<String>,
    #[serde(rename = "Region", default)]
    pub(crate) region: Option<String>,
    #[serde(rename = "Endpoint", default)]
    pub(crate) endpoint: Option<String>,
    #[serde(rename = "CanonicalRequest", default)]
    pub(crate) canonical_request: Option<String>,
    #[serde(rename = "StringToSign", default)]
    pub(crate) string_to_sign: Option<String>,
}

impl ErrorXml {
    /// Parses an error body; `None` when it is not an `<Error>` document.
    pub(crate) fn parse(body: &str) -> Option<Self> {
        let trimmed = body.trim_start();
        if !trimmed.starts_with('<') || !trimmed.contains("<Error") {
            return None;
        }
        // Some servers wrap the error (`<ErrorResponse><Error>`): read the inner element.
        let start = body.find("<Error>").or_else(|| body.find("<Error "))?;
        let end = body.rfind("</Error>").map(|i| i + "</Error>".len())?;
        let inner = body.get(start..end)?;
        let mut parsed = quick_xml::de::from_str::<Self>(inner).ok()?;
        // Compared byte for byte with the local strings, newlines included, so read raw.
        parsed.canonical_request =
            raw_element(inner, "CanonicalRequest").or(parsed.canonical_request);
        parsed.string_to_sign = raw_element(inner, "StringToSign").or(parsed.string_to_sign);
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
    fn reads_signature_details_raw_and_the_region() {
        let body = "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><Message>m</Message>\
            <CanonicalRequest>GET\n/\n\nhost:x\n</CanonicalRequest><StringToSign>AWS4-HMAC-SHA256\n1</StringToSign>\
            <Region>eu-west-1</Region><RequestId>r1</RequestId><HostId>h1</HostId></Error>";
        let e = ErrorXml::parse(body).unwrap();
        assert_eq!(e.code.as_deref(), Some("SignatureDoesNotMatch"));
        assert_eq!(e.canonical_request.as_deref(), Some("GET\n/\n\nhost:x\n"));
        assert_eq!(e.string_to_sign.as_deref(), Some("AWS4-HMAC-SHA256\n1"));
        assert_eq!(e.region.as_deref(), Some("eu-west-1"));
        assert_eq!(e.host_id.as_deref(), Some("h1"));
        let wrapped = "<ErrorResponse><Error><Code>X</Code></Error></ErrorResponse>";
        assert_eq!(ErrorXml::parse(wrapped).unwrap().code.as_deref(), Some("X"));
        assert!(ErrorXml::parse("not xml").is_none());
    }
}
