//! `CORSConfiguration`.

use bucket_admin_core::{CorsConfiguration, CorsExtras, CorsMethod, CorsRule, Error, ErrorKind};
#[cfg(test)]
use serde::{Deserialize, Serialize};

use super::parse_bool;

use super::pull::{FromPull, Pull, element, once};

#[cfg(test)]
impl<'doc> FromPull<'doc> for CorsXml {
    fn field(&mut self, name: &[u8], p: &mut impl Pull<'doc>, empty: bool) -> Result<bool, Error> {
        match name {
            b"CORSRule" => self.rules.push(p.read(empty)?),
            b"ResponseVary" => once(&mut self.response_vary, "ResponseVary", p.text(empty)?)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

#[cfg(test)]
impl<'doc> FromPull<'doc> for CorsRuleXml {
    fn field(&mut self, name: &[u8], p: &mut impl Pull<'doc>, empty: bool) -> Result<bool, Error> {
        match name {
            b"ID" => once(&mut self.id, "ID", p.text(empty)?)?,
            b"MaxAgeSeconds" => once(
                &mut self.max_age_seconds,
                "MaxAgeSeconds",
                Seconds::read(&p.value(empty)?),
            )?,
            b"AllowedOrigin" => self.allowed_origins.push(p.text(empty)?),
            b"AllowedMethod" => self.allowed_methods.push(Method::read(&p.value(empty)?)),
            b"AllowedHeader" => self.allowed_headers.push(p.text(empty)?),
            b"ExposeHeader" => self.expose_headers.push(p.text(empty)?),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// The `PUT /?cors` body, written directly: the bytes the serde path wrote (the SDK's
/// element order, `<`, `>` and `&` escaped), without the intermediate wire structs.
pub(crate) fn encode(cfg: &CorsConfiguration) -> String {
    let mut out = String::with_capacity(96 + cfg.rules.len() * 320);
    out.push_str(super::XML_PROLOG);
    out.push_str("<CORSConfiguration>");
    let mut number = String::new();
    for r in &cfg.rules {
        out.push_str("<CORSRule>");
        if let Some(id) = &r.id {
            element(&mut out, "ID", id);
        }
        if let Some(age) = r.max_age_seconds {
            use std::fmt::Write as _;
            number.clear();
            let _ = write!(number, "{age}");
            element(&mut out, "MaxAgeSeconds", &number);
        }
        for o in &r.allowed_origins {
            element(&mut out, "AllowedOrigin", o);
        }
        for m in &r.allowed_methods {
            element(&mut out, "AllowedMethod", m.as_str());
        }
        for h in &r.allowed_headers {
            element(&mut out, "AllowedHeader", h);
        }
        for h in &r.expose_headers {
            element(&mut out, "ExposeHeader", h);
        }
        out.push_str("</CORSRule>");
    }
    if let Some(v) = cfg.extras.cos_response_vary {
        element(&mut out, "ResponseVary", if v { "true" } else { "false" });
    }
    out.push_str("</CORSConfiguration>");
    out
}

/// Parses a `<CORSConfiguration>` document in one pass.
pub(crate) fn decode_document(xml: &str) -> Result<CorsConfiguration, Error> {
    let doc: Document = super::pull::decode(xml, "CORSConfiguration", "CORS")?;
    configuration(doc.rules, doc.response_vary.as_deref())
}

/// The configuration of converted `rules` and the `ResponseVary` text (absent or blank:
/// unset).
fn configuration(
    rules: Vec<CorsRule>,
    response_vary: Option<&str>,
) -> Result<CorsConfiguration, Error> {
    let cos_response_vary = match response_vary.map(str::trim) {
        None | Some("") => None,
        Some(v) => Some(parse_bool(v).ok_or_else(|| {
            Error::new(
                ErrorKind::Decode,
                format!("COS returned ResponseVary `{v}` (expected true or false)"),
            )
        })?),
    };
    let mut extras = CorsExtras::default();
    extras.cos_response_vary = cos_response_vary;
    Ok(CorsConfiguration::new(rules).with_extras(extras))
}

/// What [`decode_document`] reads into: each rule converted to the model as soon as it is
/// read (a rule that does not convert ends the read; a malformed document is still reported
/// as malformed, since [`super::pull::decode`] checks the whole document first).
#[derive(Debug, Default)]
struct Document {
    rules: Vec<CorsRule>,
    response_vary: Option<String>,
}

impl<'doc> FromPull<'doc> for Document {
    fn field(&mut self, name: &[u8], p: &mut impl Pull<'doc>, empty: bool) -> Result<bool, Error> {
        match name {
            b"CORSRule" => {
                let rule: RuleRead = p.read(empty)?;
                self.rules.push(rule.into_model(self.rules.len())?);
            }
            b"ResponseVary" => once(&mut self.response_vary, "ResponseVary", p.text(empty)?)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// A `<CORSRule>` as read: the model's own lists, filled in place, and what is checked once
/// the rule is complete (an unknown method, the max age).
#[derive(Debug, Default)]
struct RuleRead {
    rule: CorsRule,
    max_age_seconds: Option<Seconds>,
    /// The first method that names none, reported with its rule.
    unknown_method: Option<String>,
}

impl<'doc> FromPull<'doc> for RuleRead {
    fn field(&mut self, name: &[u8], p: &mut impl Pull<'doc>, empty: bool) -> Result<bool, Error> {
        let rule = &mut self.rule;
        match name {
            b"ID" => once(&mut rule.id, "ID", p.text(empty)?)?,
            b"MaxAgeSeconds" => once(
                &mut self.max_age_seconds,
                "MaxAgeSeconds",
                Seconds::read(&p.value(empty)?),
            )?,
            b"AllowedOrigin" => rule.allowed_origins.push(p.text(empty)?),
            b"AllowedMethod" => self.method(Method::read(&p.value(empty)?)),
            b"AllowedHeader" => rule.allowed_headers.push(p.text(empty)?),
            b"ExposeHeader" => rule.expose_headers.push(p.text(empty)?),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl RuleRead {
    /// Adds a method as read, or keeps the first that names none.
    fn method(&mut self, method: Method) {
        match method.0 {
            Ok(method) => self.rule.allowed_methods.push(method),
            Err(unknown) => {
                self.unknown_method.get_or_insert(unknown);
            }
        }
    }

    /// The neutral rule; `i` is its position in the document, for errors.
    fn into_model(self, i: usize) -> Result<CorsRule, Error> {
        let decode = |msg: String| Error::new(ErrorKind::Decode, msg);
        if let Some(raw) = self.unknown_method {
            // Only a bad name pays for an uppercase copy (the error shows it so).
            let e = raw
                .to_ascii_uppercase()
                .parse::<CorsMethod>()
                .err()
                .map_or_else(|| format!("unknown method `{raw}`"), |e| e.to_string());
            return Err(decode(format!(
                "COS returned CORS rule {i} with a bad method: {e}"
            )));
        }
        let mut rule = self.rule;
        rule.max_age_seconds = match self.max_age_seconds.map(|s| s.0) {
            None | Some(Ok(None)) => None,
            Some(Ok(Some(seconds))) => Some(seconds),
            Some(Err(v)) => {
                return Err(decode(format!(
                    "COS returned CORS rule {i} with MaxAgeSeconds `{v}`, not a number of seconds"
                )));
            }
        };
        rule.id = super::non_empty(rule.id);
        Ok(rule)
    }
}

/// The serde form of the document: the reference the direct encoder and the pull decoder are
/// tested against.
#[cfg(test)]
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename = "CORSConfiguration")]
pub(crate) struct CorsXml {
    #[serde(rename = "CORSRule", default)]
    rules: Vec<CorsRuleXml>,
    #[serde(
        rename = "ResponseVary",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    response_vary: Option<String>,
}

// Field order is the element order the SDK's documented example sends.
#[cfg(test)]
#[derive(Debug, Default, Serialize, Deserialize)]
struct CorsRuleXml {
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(
        rename = "MaxAgeSeconds",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    max_age_seconds: Option<Seconds>,
    #[serde(rename = "AllowedOrigin", default)]
    allowed_origins: Vec<String>,
    #[serde(rename = "AllowedMethod", default)]
    allowed_methods: Vec<Method>,
    #[serde(rename = "AllowedHeader", default)]
    allowed_headers: Vec<String>,
    #[serde(rename = "ExposeHeader", default)]
    expose_headers: Vec<String>,
}

/// An `AllowedMethod` as read: the method, parsed from the borrowed text without a copy, or
/// the (trimmed) text that names none, which [`RuleRead::into_model`] reports with its rule.
#[derive(Debug)]
struct Method(Result<CorsMethod, String>);

impl Method {
    fn read(text: &str) -> Self {
        let text = super::trim(text);
        Self(
            CorsMethod::ALL
                .into_iter()
                .find(|known| text.eq_ignore_ascii_case(known.as_str()))
                .ok_or_else(|| text.to_owned()),
        )
    }
}

/// A `MaxAgeSeconds` as read: blank (no max age), a number of seconds, or the (trimmed) text
/// that is neither.
#[derive(Debug)]
struct Seconds(Result<Option<u32>, String>);

impl Seconds {
    fn read(text: &str) -> Self {
        let text = super::trim(text);
        Self(match text {
            "" => Ok(None),
            _ => text.parse().map(Some).map_err(|_| text.to_owned()),
        })
    }
}

/// Both as the text they were read from (the serde path, kept as the reference in tests).
#[cfg(test)]
impl<'de> Deserialize<'de> for Method {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|text| Self::read(&text))
    }
}

#[cfg(test)]
impl Serialize for Method {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Ok(method) => s.serialize_str(method.as_str()),
            Err(text) => s.serialize_str(text),
        }
    }
}

#[cfg(test)]
impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|text| Self::read(&text))
    }
}

#[cfg(test)]
impl Serialize for Seconds {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Ok(Some(seconds)) => s.serialize_str(&seconds.to_string()),
            Ok(None) => s.serialize_str(""),
            Err(text) => s.serialize_str(text),
        }
    }
}

#[cfg(test)]
impl CorsXml {
    /// The serde form of `cfg` (the reference the direct encoder is tested against).
    pub(crate) fn from_model(cfg: &CorsConfiguration) -> Self {
        Self {
            rules: cfg
                .rules
                .iter()
                .map(|r| CorsRuleXml {
                    id: r.id.clone(),
                    max_age_seconds: r.max_age_seconds.map(|s| Seconds(Ok(Some(s)))),
                    allowed_origins: r.allowed_origins.clone(),
                    allowed_methods: r.allowed_methods.iter().map(|&m| Method(Ok(m))).collect(),
                    allowed_headers: r.allowed_headers.clone(),
                    expose_headers: r.expose_headers.clone(),
                })
                .collect(),
            response_vary: cfg
                .extras
                .cos_response_vary
                .map(|v| if v { "true" } else { "false" }.to_owned()),
        }
    }

    /// The model, through the same per-rule conversion as [`decode_document`].
    pub(crate) fn into_model(self) -> Result<CorsConfiguration, Error> {
        let mut rules = Vec::with_capacity(self.rules.len());
        for (i, r) in self.rules.into_iter().enumerate() {
            let mut read = RuleRead {
                max_age_seconds: r.max_age_seconds,
                ..RuleRead::default()
            };
            for m in r.allowed_methods {
                read.method(m);
            }
            read.rule.id = r.id;
            read.rule.allowed_origins = r.allowed_origins;
            read.rule.allowed_headers = r.allowed_headers;
            read.rule.expose_headers = r.expose_headers;
            rules.push(read.into_model(i)?);
        }
        configuration(rules, self.response_vary.as_deref())
    }
}

#[cfg(test)]
mod pull_tests {
    use super::*;

    fn serde_decode(xml: &str) -> Result<CorsConfiguration, Error> {
        super::super::from_xml::<CorsXml>(xml, "CORSConfiguration", "CORS")
            .and_then(CorsXml::into_model)
    }

    #[test]
    fn the_direct_encoder_writes_the_serde_bytes() {
        let configs = [
            CorsConfiguration::new(vec![]),
            CorsConfiguration::new(vec![
                CorsRule::new(["*"], [CorsMethod::Get]),
                CorsRule::new(
                    ["https://a.example?x=<1>&y='2'\""],
                    [CorsMethod::Put, CorsMethod::Delete, CorsMethod::Head],
                )
                .with_id("")
                .with_max_age_seconds(0)
                .with_allowed_headers(["x-cos-meta-*", "a&b"])
                .with_expose_headers(["ETag", "é ü 腾讯"]),
            ]),
            CorsConfiguration::new(vec![CorsRule::new(["*"], [CorsMethod::Post]).with_id("r")])
                .with_extras(CorsExtras::default().with_cos_response_vary(true)),
            CorsConfiguration::new(vec![])
                .with_extras(CorsExtras::default().with_cos_response_vary(false)),
        ];
        for cfg in &configs {
            let serde = super::super::to_xml(&CorsXml::from_model(cfg)).unwrap();
            assert_eq!(encode(cfg), serde);
            assert_eq!(
                decode_document(&serde).unwrap(),
                serde_decode(&serde).unwrap(),
                "{serde}"
            );
        }
    }

    #[test]
    fn the_pull_decoder_reads_what_the_serde_decoder_read() {
        let docs = [
            // Repeated elements interleaved with others.
            "<CORSConfiguration><CORSRule><AllowedOrigin>a</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedOrigin>b</AllowedOrigin><ID>x</ID><AllowedMethod>put</AllowedMethod></CORSRule><ResponseVary>true</ResponseVary><CORSRule><AllowedOrigin>c</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule></CORSConfiguration>",
            // Pretty-printed, with a prolog, comments, entities, CDATA and unknown elements.
            "<?xml version='1.0' encoding='utf-8' ?>\n<!-- c -->\n<CORSConfiguration>\n  <CORSRule>\n    <AllowedOrigin>https://a&amp;b.example</AllowedOrigin>\n    <AllowedOrigin>  https://spaced.example  </AllowedOrigin>\n    <AllowedMethod><![CDATA[GET]]></AllowedMethod>\n    <Unknown><Deep>1</Deep></Unknown>\n    <AllowedHeader>&#x41;&#66;</AllowedHeader>\n    <MaxAgeSeconds> 30 </MaxAgeSeconds>\n    <ExposeHeader/>\n    <ExposeHeader>   </ExposeHeader>\n  </CORSRule>\n  <Owner><ID>1</ID></Owner>\n</CORSConfiguration>\n",
            "<CORSConfiguration/>",
            "<CORSConfiguration></CORSConfiguration>",
            "<CORSConfiguration><CORSRule/></CORSConfiguration>",
            "\u{feff}<CORSConfiguration><CORSRule><ID/><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
        ];
        for doc in docs {
            assert_eq!(
                decode_document(doc).unwrap(),
                serde_decode(doc).unwrap(),
                "{doc}"
            );
        }
        // Text is kept as sent, around a reference too.
        let spaced = "<CORSConfiguration><CORSRule><AllowedOrigin> a&amp;b </AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";
        assert_eq!(
            decode_document(spaced).unwrap().rules[0].allowed_origins,
            [" a&b "]
        );
        assert_eq!(
            decode_document(spaced).unwrap(),
            serde_decode(spaced).unwrap()
        );
        let bad = [
            "<CORSConfiguration><CORSRule><ID>a</ID><ID>b</ID></CORSRule></CORSConfiguration>",
            "<CORSConfiguration><CORSRule><AllowedMethod>FETCH</AllowedMethod></CORSRule></CORSConfiguration>",
            "<CORSConfiguration><CORSRule><MaxAgeSeconds>soon</MaxAgeSeconds></CORSRule></CORSConfiguration>",
            "<CORSConfiguration><CORSRule><AllowedOrigin><b>x</b></AllowedOrigin></CORSRule></CORSConfiguration>",
            "<LifecycleConfiguration/>",
            "<CORSConfiguration></CORSConfiguration><CORSConfiguration/>",
            "<CORSConfiguration><CORSRule>",
            "<Error><Code>AccessDenied</Code></Error>",
        ];
        for doc in bad {
            let ours = decode_document(doc).unwrap_err();
            assert_eq!(ours.kind(), ErrorKind::Decode, "{doc}");
            assert!(
                serde_decode(doc).is_err(),
                "the serde path refused it too: {doc}"
            );
        }
    }

    #[test]
    fn response_vary_is_read_as_the_boolean_it_names() {
        let doc = |vary: &str| {
            format!(
                "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>{vary}</CORSConfiguration>"
            )
        };
        let read = |vary: &str| decode_document(&doc(vary)).map(|c| c.extras.cos_response_vary);
        assert_eq!(
            read("<ResponseVary>true</ResponseVary>").unwrap(),
            Some(true)
        );
        assert_eq!(
            read("<ResponseVary> False </ResponseVary>").unwrap(),
            Some(false)
        );
        assert_eq!(read("<ResponseVary></ResponseVary>").unwrap(), None);
        assert_eq!(read("").unwrap(), None);
        let e = read("<ResponseVary>sometimes</ResponseVary>").unwrap_err();
        assert!(
            e.message().contains("ResponseVary `sometimes`"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn an_element_inside_a_text_value_or_a_document_ending_inside_one_is_refused() {
        // `<b/>` inside a value would otherwise vanish and the rest read as the value.
        let nested = "<CORSConfiguration><CORSRule><AllowedOrigin><b/>x</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";
        let e = decode_document(nested).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(
            e.message().contains("element <b> where text was expected"),
            "{}",
            e.message()
        );
        let truncated = "<CORSConfiguration><CORSRule><AllowedOrigin>https://a.example";
        let e = decode_document(truncated).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
    }

    #[test]
    fn comments_may_follow_the_root_but_text_may_not_precede_it() {
        assert_eq!(
            decode_document("<CORSConfiguration/>\n<!-- saved by hand --><?pi x?>\n").unwrap(),
            CorsConfiguration::new(vec![])
        );
        let e = decode_document("junk<CORSConfiguration/>").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(
            e.message().contains("text `junk` outside the root element"),
            "{}",
            e.message()
        );
    }
}
