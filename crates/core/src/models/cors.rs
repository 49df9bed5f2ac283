//! CORS configuration: the neutral model both providers convert to and from.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::validate::Violations;

/// An HTTP method a CORS rule can allow. Both COS and R2 accept exactly these five.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum CorsMethod {
    /// `GET`
    Get,
    /// `PUT`
    Put,
    /// `POST`
    Post,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
}

impl CorsMethod {
    /// Every method, in the order COS documents them.
    pub const ALL: [CorsMethod; 5] = [
        CorsMethod::Put,
        CorsMethod::Get,
        CorsMethod::Post,
        CorsMethod::Delete,
        CorsMethod::Head,
    ];

    /// The uppercase wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            CorsMethod::Get => "GET",
            CorsMethod::Put => "PUT",
            CorsMethod::Post => "POST",
            CorsMethod::Delete => "DELETE",
            CorsMethod::Head => "HEAD",
        }
    }
}

impl fmt::Display for CorsMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error from parsing a [`CorsMethod`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a CORS method (expected GET, PUT, POST, DELETE or HEAD)")]
pub struct ParseCorsMethodError(pub String);

impl FromStr for CorsMethod {
    type Err = ParseCorsMethodError;

    /// Parses a method name. Case-sensitive, like both providers: `get` is rejected.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "GET" => Ok(CorsMethod::Get),
            "PUT" => Ok(CorsMethod::Put),
            "POST" => Ok(CorsMethod::Post),
            "DELETE" => Ok(CorsMethod::Delete),
            "HEAD" => Ok(CorsMethod::Head),
            other => Err(ParseCorsMethodError(other.to_owned())),
        }
    }
}

/// One CORS rule.
///
/// JSON (stable): `{"id": "...", "allowed_origins": [...], "allowed_methods": ["GET"],
/// "allowed_headers": [...], "expose_headers": [...], "max_age_seconds": 600}`; empty lists and
/// absent options may be omitted.
///
/// Non-exhaustive: providers keep adding rule fields, so build a rule with [`CorsRule::new`] and
/// the `with_*` setters; the fields stay public for reading and changing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CorsRule {
    /// Optional rule identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Allowed origins: `*`, or `scheme://host[:port]` with at most one `*`.
    pub allowed_origins: Vec<String>,
    /// Allowed methods.
    pub allowed_methods: Vec<CorsMethod>,
    /// Request headers a preflight may ask for; `*` allows any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_headers: Vec<String>,
    /// Response headers the browser may expose to scripts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expose_headers: Vec<String>,
    /// How long a browser may cache the preflight answer, in whole seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_seconds: Option<u32>,
}

impl CorsRule {
    /// A rule allowing `methods` from `origins`, with no headers and no max-age.
    pub fn new(
        origins: impl IntoIterator<Item = impl Into<String>>,
        methods: impl IntoIterator<Item = CorsMethod>,
    ) -> Self {
        Self {
            allowed_origins: origins.into_iter().map(Into::into).collect(),
            allowed_methods: methods.into_iter().collect(),
            ..Self::default()
        }
    }
    /// Set the allowed origins.
    #[must_use]
    pub fn with_allowed_origins(
        mut self,
        origins: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.allowed_origins = origins.into_iter().map(Into::into).collect();
        self
    }
    /// Set the allowed methods.
    #[must_use]
    pub fn with_allowed_methods(mut self, methods: impl IntoIterator<Item = CorsMethod>) -> Self {
        self.allowed_methods = methods.into_iter().collect();
        self
    }
    /// Set the id.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
    /// Set the allowed request headers.
    #[must_use]
    pub fn with_allowed_headers(
        mut self,
        headers: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.allowed_headers = headers.into_iter().map(Into::into).collect();
        self
    }
    /// Set the exposed response headers.
    #[must_use]
    pub fn with_expose_headers(
        mut self,
        headers: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.expose_headers = headers.into_iter().map(Into::into).collect();
        self
    }
    /// Set the max-age.
    #[must_use]
    pub fn with_max_age_seconds(mut self, seconds: u32) -> Self {
        self.max_age_seconds = Some(seconds);
        self
    }
}

/// Provider-specific CORS settings that have no equivalent elsewhere.
///
/// They live in the neutral model, typed and documented, so a get -> put round trip on the same
/// provider never loses them, and a migration to a provider without them reports the loss
/// (see [`crate::convert`]).
///
/// Non-exhaustive: each new provider setting is a new field. Start from
/// [`CorsExtras::default`] and the `with_*` setters.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CorsExtras {
    /// COS `ResponseVary`: whether COS adds `Vary: Origin, Access-Control-Request-*` to answers.
    /// COS only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cos_response_vary: Option<bool>,
}

impl CorsExtras {
    /// Set COS `ResponseVary`.
    #[must_use]
    pub fn with_cos_response_vary(mut self, vary: bool) -> Self {
        self.cos_response_vary = Some(vary);
        self
    }

    /// Whether no extra is set.
    pub fn is_empty(&self) -> bool {
        self.cos_response_vary.is_none()
    }
}

/// A bucket's CORS configuration: rules in evaluation order, plus provider extras.
///
/// Non-exhaustive: build it with [`CorsConfiguration::new`] and [`CorsConfiguration::with_extras`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CorsConfiguration {
    /// Rules, evaluated in order; the first match wins.
    pub rules: Vec<CorsRule>,
    /// Provider-specific settings.
    #[serde(default, skip_serializing_if = "CorsExtras::is_empty")]
    pub extras: CorsExtras,
}

impl CorsConfiguration {
    /// A configuration holding `rules`.
    pub fn new(rules: Vec<CorsRule>) -> Self {
        Self {
            rules,
            extras: CorsExtras::default(),
        }
    }

    /// Set the provider extras.
    #[must_use]
    pub fn with_extras(mut self, extras: CorsExtras) -> Self {
        self.extras = extras;
        self
    }

    /// Checks what holds for every provider: at least one rule, each with at least one origin
    /// and one method, origins with at most one `*` and a scheme, no empty header names.
    /// Provider limits (rule counts, `*` in expose headers) are checked by the provider and by
    /// [`crate::convert`]. Returns every problem found.
    pub fn validate(&self) -> Violations {
        let mut v = Violations::new();
        v.check(
            !self.rules.is_empty(),
            || "rules".into(),
            "at least one rule is required (delete the configuration instead of putting an empty one)",
        );
        for (i, rule) in self.rules.iter().enumerate() {
            validate_rule(rule, i, &mut v);
        }
        v
    }
}

/// Checks rule `i`; its field paths (`rules[i]...`) are written only for a violation.
fn validate_rule(rule: &CorsRule, i: usize, v: &mut Violations) {
    if let Some(id) = &rule.id {
        v.check(
            id.len() <= 255,
            || format!("rules[{i}].id"),
            "at most 255 characters",
        );
    }
    v.check(
        !rule.allowed_origins.is_empty(),
        || format!("rules[{i}].allowed_origins"),
        "at least one origin is required",
    );
    for (j, origin) in rule.allowed_origins.iter().enumerate() {
        if let Err(rule_text) = check_origin(origin) {
            v.push(format!("rules[{i}].allowed_origins[{j}]"), rule_text);
        }
    }
    v.check(
        !rule.allowed_methods.is_empty(),
        || format!("rules[{i}].allowed_methods"),
        "at least one method is required",
    );
    for (j, header) in rule.allowed_headers.iter().enumerate() {
        v.check(
            is_header_pattern(header),
            || format!("rules[{i}].allowed_headers[{j}]"),
            "must be a header name (token characters, optionally with '*')",
        );
    }
    for (j, header) in rule.expose_headers.iter().enumerate() {
        v.check(
            is_header_pattern(header),
            || format!("rules[{i}].expose_headers[{j}]"),
            "must be a header name (token characters)",
        );
    }
}

/// Checks one origin pattern; `Err` holds the rule it breaks.
fn check_origin(origin: &str) -> Result<(), &'static str> {
    if origin == "*" {
        return Ok(());
    }
    if origin.is_empty() {
        return Err("must not be empty");
    }
    if origin.matches('*').count() > 1 {
        return Err("at most one '*' per origin");
    }
    // ASCII (nearly every origin) is checked byte by byte: its whitespace and control
    // characters are exactly the bytes up to ' ' and DEL.
    let spaced = if origin.is_ascii() {
        origin.bytes().any(|b| b <= b' ' || b == 0x7f)
    } else {
        origin.chars().any(|c| c.is_whitespace() || c.is_control())
    };
    if spaced {
        return Err("must not contain whitespace");
    }
    let Some((scheme, rest)) = split_scheme(origin) else {
        return Err("must include the scheme, e.g. https://example.com");
    };
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '*')
    {
        return Err("must include the scheme, e.g. https://example.com");
    }
    if rest.is_empty() {
        return Err("must include a host after the scheme");
    }
    if rest.contains('/') {
        return Err("must be scheme://host[:port], without a path or trailing slash");
    }
    Ok(())
}

/// `origin.split_once("://")`, without building a substring searcher for every origin.
fn split_scheme(origin: &str) -> Option<(&str, &str)> {
    origin
        .match_indices(':')
        .map(|(at, _)| at)
        .find(|&at| origin[at..].starts_with("://"))
        .map(|at| (&origin[..at], &origin[at + 3..]))
}

fn is_header_pattern(h: &str) -> bool {
    !h.is_empty()
        && h.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_origin_and_header_checks_agree_with_the_plain_ones() {
        for origin in [
            "https://a.example",
            "a:b://c",
            ":://x",
            "https:/x",
            "https:",
            "://",
            "x:y:z://w://v",
            "é://ü",
            "",
        ] {
            assert_eq!(split_scheme(origin), origin.split_once("://"), "{origin}");
        }
        for spaced in [
            "https://a b",
            "https://a\tb",
            "https://a\u{7f}",
            "https://a\u{a0}b",
        ] {
            assert_eq!(
                check_origin(spaced),
                Err("must not contain whitespace"),
                "{spaced:?}"
            );
        }
        assert_eq!(check_origin("https://é.example"), Ok(()));
        for b in 0..=u8::MAX {
            let plain = b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
            let text = [b];
            if let Ok(h) = std::str::from_utf8(&text) {
                assert_eq!(is_header_pattern(h), plain, "{b:#x}");
            }
        }
    }

    fn seed_rule() -> CorsRule {
        CorsRule::new(["https://example.com"], [CorsMethod::Put, CorsMethod::Get])
            .with_id("rule-1")
            .with_allowed_headers(["content-type", "x-cos-meta-*"])
            .with_expose_headers(["ETag"])
            .with_max_age_seconds(600)
    }

    #[test]
    fn valid_configuration_has_no_violations() {
        let cfg = CorsConfiguration::new(vec![seed_rule()]);
        assert!(cfg.validate().is_empty(), "{:?}", cfg.validate());
    }

    #[test]
    fn validation_reports_every_problem_with_its_field() {
        let mut bad = seed_rule();
        bad.allowed_origins = vec![
            "https://*.*.example.com".into(),
            "example.com".into(),
            "https://example.com/".into(),
            String::new(),
        ];
        bad.allowed_methods.clear();
        bad.allowed_headers = vec!["bad header".into()];
        let cfg = CorsConfiguration::new(vec![seed_rule(), bad]);
        let v = cfg.validate().into_vec();
        let fields: Vec<_> = v.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "rules[1].allowed_origins[0]",
                "rules[1].allowed_origins[1]",
                "rules[1].allowed_origins[2]",
                "rules[1].allowed_origins[3]",
                "rules[1].allowed_methods",
                "rules[1].allowed_headers[0]",
            ]
        );
        assert_eq!(v[0].rule, "at most one '*' per origin");
        assert!(v[1].rule.contains("scheme"));
        assert!(v[2].rule.contains("trailing slash"));
    }

    #[test]
    fn empty_configuration_is_rejected() {
        let v = CorsConfiguration::default().validate().into_vec();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].field, "rules");
    }

    #[test]
    fn json_is_snake_case_and_round_trips() {
        let mut cfg = CorsConfiguration::new(vec![seed_rule()]);
        cfg.extras.cos_response_vary = Some(true);
        let json = serde_json::to_value(&cfg).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "rules": [{
                    "id": "rule-1",
                    "allowed_origins": ["https://example.com"],
                    "allowed_methods": ["PUT", "GET"],
                    "allowed_headers": ["content-type", "x-cos-meta-*"],
                    "expose_headers": ["ETag"],
                    "max_age_seconds": 600
                }],
                "extras": {"cos_response_vary": true}
            })
        );
        let back: CorsConfiguration = serde_json::from_value(json).unwrap();
        assert_eq!(back, cfg);
    }

    #[test]
    fn unknown_json_fields_are_rejected_not_dropped() {
        let err = serde_json::from_str::<CorsConfiguration>(
            r#"{"rules":[{"allowed_origins":["*"],"allowed_methods":["GET"],"maxAge":5}]}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("maxAge"), "{err}");
    }

    #[test]
    fn methods_parse_case_sensitively() {
        assert_eq!("DELETE".parse::<CorsMethod>().unwrap(), CorsMethod::Delete);
        assert!("get".parse::<CorsMethod>().is_err());
        assert!("PATCH".parse::<CorsMethod>().is_err());
    }
}
