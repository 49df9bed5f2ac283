//! Offline CORS preflight evaluation.
//!
//! Given a [`CorsConfiguration`] and a preflight request (origin, method, requested headers),
//! [`evaluate`] returns exactly what COS answers: the `Access-Control-*` headers of the first
//! rule that matches origin, method *and* every requested header, or a denial saying, rule by
//! rule, what failed. The emulator answers `OPTIONS` with it and the CLI's `cors check` prints
//! it; the COS client's live preflight returns the same [`PreflightOutcome`] type so the two can
//! be compared with [`PreflightOutcome::same_answer`].
//!
//! Matching rules (COS doc 8288, the same as S3):
//! - an origin pattern is `*` or holds at most one `*`, matched as prefix + suffix, case-sensitive;
//! - the method must be one of the rule's methods, exactly;
//! - requested headers are split on `,`, trimmed, and each must match one allowed header
//!   case-insensitively (allowed headers may hold one `*`; `*` alone allows all).
//!
//! ```
//! use bucket_admin_core::{CorsConfiguration, CorsMethod, CorsRule};
//! use bucket_admin_core::preflight::{evaluate, PreflightRequest};
//!
//! let cfg = CorsConfiguration::new(vec![
//!     CorsRule::new(["https://*.example.com"], [CorsMethod::Get]),
//! ]);
//! let ok = evaluate(Some(&cfg), &PreflightRequest::new("https://app.example.com", "GET"));
//! assert!(ok.is_allowed());
//! let no = evaluate(Some(&cfg), &PreflightRequest::new("https://example.com.evil", "GET"));
//! assert!(!no.is_allowed());
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::models::{CorsConfiguration, CorsRule};

/// A CORS preflight request, as a browser sends it.
///
/// Non-exhaustive (private-network access adds request headers): build it with
/// [`PreflightRequest::new`] and [`PreflightRequest::with_headers`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PreflightRequest {
    /// `Origin` header.
    pub origin: String,
    /// `Access-Control-Request-Method` header, verbatim.
    pub method: String,
    /// `Access-Control-Request-Headers`, one entry per header name.
    #[serde(default)]
    pub request_headers: Vec<String>,
}

impl PreflightRequest {
    /// A preflight for `method` from `origin` with no requested headers.
    pub fn new(origin: impl Into<String>, method: impl Into<String>) -> Self {
        Self {
            origin: origin.into(),
            method: method.into(),
            request_headers: Vec::new(),
        }
    }

    /// Add requested headers; each item may itself be a comma-separated list, as in the
    /// `Access-Control-Request-Headers` header.
    #[must_use]
    pub fn with_headers(mut self, headers: impl IntoIterator<Item = impl AsRef<str>>) -> Self {
        for h in headers {
            self.request_headers.extend(split_header_list(h.as_ref()));
        }
        self
    }
}

/// Splits an `Access-Control-Request-Headers` value on `,`, trimming and dropping empty items.
pub fn split_header_list(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
}

/// The headers of an allowed preflight answer.
///
/// Non-exhaustive (more `Access-Control-*` headers exist): build it with
/// [`PreflightAllowed::new`] and the `with_*` setters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PreflightAllowed {
    /// Index of the matching rule (`None` for a live answer from a provider).
    pub rule_index: Option<usize>,
    /// Id of the matching rule, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<String>,
    /// `Access-Control-Allow-Origin`.
    pub allow_origin: String,
    /// `Access-Control-Allow-Credentials: true` present.
    pub allow_credentials: bool,
    /// `Access-Control-Allow-Methods`, in the rule's order.
    pub allow_methods: Vec<String>,
    /// `Access-Control-Allow-Headers`.
    pub allow_headers: Vec<String>,
    /// `Access-Control-Expose-Headers`.
    pub expose_headers: Vec<String>,
    /// `Access-Control-Max-Age`.
    pub max_age_seconds: Option<u32>,
}

impl PreflightAllowed {
    /// An answer allowing `allow_origin` with `allow_methods`, not tied to a rule, with no
    /// credentials, headers or max-age.
    pub fn new(
        allow_origin: impl Into<String>,
        allow_methods: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            rule_index: None,
            rule_id: None,
            allow_origin: allow_origin.into(),
            allow_credentials: false,
            allow_methods: allow_methods.into_iter().map(Into::into).collect(),
            allow_headers: Vec::new(),
            expose_headers: Vec::new(),
            max_age_seconds: None,
        }
    }

    /// Say which rule matched.
    #[must_use]
    pub fn with_rule(mut self, index: usize, id: Option<String>) -> Self {
        self.rule_index = Some(index);
        self.rule_id = id;
        self
    }

    /// Set `Access-Control-Allow-Credentials`.
    #[must_use]
    pub fn with_allow_credentials(mut self, allow: bool) -> Self {
        self.allow_credentials = allow;
        self
    }

    /// Set `Access-Control-Allow-Headers`.
    #[must_use]
    pub fn with_allow_headers(
        mut self,
        headers: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.allow_headers = headers.into_iter().map(Into::into).collect();
        self
    }

    /// Set `Access-Control-Expose-Headers`.
    #[must_use]
    pub fn with_expose_headers(
        mut self,
        headers: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.expose_headers = headers.into_iter().map(Into::into).collect();
        self
    }

    /// Set `Access-Control-Max-Age`.
    #[must_use]
    pub fn with_max_age_seconds(mut self, seconds: Option<u32>) -> Self {
        self.max_age_seconds = seconds;
        self
    }

    /// The response headers COS sends for this answer, in wire form.
    pub fn response_headers(&self) -> Vec<(&'static str, String)> {
        let mut h = vec![("Access-Control-Allow-Origin", self.allow_origin.clone())];
        if self.allow_credentials {
            h.push(("Access-Control-Allow-Credentials", "true".into()));
        }
        h.push(("Access-Control-Allow-Methods", self.allow_methods.join(",")));
        if !self.allow_headers.is_empty() {
            h.push(("Access-Control-Allow-Headers", self.allow_headers.join(",")));
        }
        if !self.expose_headers.is_empty() {
            h.push((
                "Access-Control-Expose-Headers",
                self.expose_headers.join(","),
            ));
        }
        if let Some(age) = self.max_age_seconds {
            h.push(("Access-Control-Max-Age", age.to_string()));
        }
        h
    }
}

/// Which part of a rule failed to match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Mismatch {
    /// No allowed origin matches the request's origin.
    Origin,
    /// The method is not among the rule's methods.
    Method,
    /// This requested header is not allowed.
    Header(String),
}

/// Why one rule did not match.
///
/// Non-exhaustive: build it with [`RuleMismatch::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RuleMismatch {
    /// Index of the rule.
    pub rule_index: usize,
    /// Id of the rule, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<String>,
    /// The first check that failed (origin, then method, then headers).
    pub failed: Mismatch,
}

/// Why a preflight was denied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DenialReason {
    /// The bucket has no CORS configuration.
    NoConfiguration,
    /// No rule matched; `mismatches` says why for each rule.
    NoMatchingRule,
    /// The request itself is not a valid preflight (missing origin or method).
    InvalidRequest(String),
    /// A live answer from the provider refused the request.
    ProviderRejected {
        /// HTTP status.
        status: u16,
        /// Provider error code, e.g. `AccessForbidden`.
        code: Option<String>,
        /// Provider message.
        message: Option<String>,
    },
}

impl RuleMismatch {
    /// Rule `rule_index` (with `rule_id`) failed the `failed` check.
    pub fn new(rule_index: usize, rule_id: Option<String>, failed: Mismatch) -> Self {
        Self {
            rule_index,
            rule_id,
            failed,
        }
    }
}

/// A denied preflight.
///
/// Non-exhaustive: build it with [`PreflightDenied::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PreflightDenied {
    /// Why.
    pub reason: DenialReason,
    /// For [`DenialReason::NoMatchingRule`], what failed in each rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mismatches: Vec<RuleMismatch>,
}

impl PreflightDenied {
    /// A denial for `reason`, with no per-rule mismatches.
    pub fn new(reason: DenialReason) -> Self {
        Self {
            reason,
            mismatches: Vec::new(),
        }
    }

    /// Set what failed in each rule.
    #[must_use]
    pub fn with_mismatches(mut self, mismatches: Vec<RuleMismatch>) -> Self {
        self.mismatches = mismatches;
        self
    }
}

/// The answer to a preflight: allowed with headers, or denied with the reason.
///
/// Non-exhaustive: a later version may tell more outcomes apart (for example a request that is
/// not a preflight at all). Treat an outcome you do not know as not allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
#[must_use = "an outcome says whether the browser request would be allowed"]
#[non_exhaustive]
pub enum PreflightOutcome {
    /// The preflight succeeds (HTTP 200 with these headers).
    Allowed(PreflightAllowed),
    /// The preflight fails (COS: HTTP 403 `AccessForbidden`).
    Denied(PreflightDenied),
}

impl PreflightOutcome {
    /// Whether the preflight is allowed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, PreflightOutcome::Allowed(_))
    }

    /// Whether two outcomes give the browser the same answer: both denied, or both allowed
    /// with the same headers (header lists compared case-insensitively). Which rule matched
    /// and why a denial happened are not compared, since a live provider does not say.
    pub fn same_answer(&self, other: &PreflightOutcome) -> bool {
        fn norm(v: &[String]) -> Vec<String> {
            v.iter().map(|s| s.to_ascii_lowercase()).collect()
        }
        match (self, other) {
            (PreflightOutcome::Denied(_), PreflightOutcome::Denied(_)) => true,
            (PreflightOutcome::Allowed(a), PreflightOutcome::Allowed(b)) => {
                a.allow_origin == b.allow_origin
                    && a.allow_credentials == b.allow_credentials
                    && a.allow_methods == b.allow_methods
                    && norm(&a.allow_headers) == norm(&b.allow_headers)
                    && norm(&a.expose_headers) == norm(&b.expose_headers)
                    && a.max_age_seconds == b.max_age_seconds
            }
            _ => false,
        }
    }
}

impl fmt::Display for PreflightOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PreflightOutcome::Allowed(a) => {
                match (a.rule_index, &a.rule_id) {
                    (Some(i), Some(id)) => write!(f, "allowed by rule #{i} ({id})")?,
                    (Some(i), None) => write!(f, "allowed by rule #{i}")?,
                    _ => f.write_str("allowed")?,
                }
                for (name, value) in a.response_headers() {
                    write!(f, "\n  {name}: {value}")?;
                }
                Ok(())
            }
            PreflightOutcome::Denied(d) => {
                match &d.reason {
                    DenialReason::NoConfiguration => {
                        f.write_str("denied: the bucket has no CORS configuration")?
                    }
                    DenialReason::NoMatchingRule => f.write_str("denied: no rule matched")?,
                    DenialReason::InvalidRequest(why) => write!(f, "denied: {why}")?,
                    DenialReason::ProviderRejected {
                        status,
                        code,
                        message,
                    } => {
                        write!(f, "denied by the provider: HTTP {status}")?;
                        if let Some(code) = code {
                            write!(f, " {code}")?;
                        }
                        if let Some(message) = message {
                            write!(f, ": {message}")?;
                        }
                    }
                }
                for m in &d.mismatches {
                    write!(f, "\n  rule #{}", m.rule_index)?;
                    if let Some(id) = &m.rule_id {
                        write!(f, " ({id})")?;
                    }
                    match &m.failed {
                        Mismatch::Origin => f.write_str(": origin not allowed")?,
                        Mismatch::Method => f.write_str(": method not allowed")?,
                        Mismatch::Header(h) => write!(f, ": header `{h}` not allowed")?,
                    }
                }
                Ok(())
            }
        }
    }
}

/// Matches `value` against a pattern holding at most one `*` (prefix + suffix).
fn wildcard_match(pattern: &str, value: &str, ignore_case: bool) -> bool {
    let eq_prefix = |a: &str, b: &str| {
        if ignore_case {
            a.len() <= b.len() && b.as_bytes()[..a.len()].eq_ignore_ascii_case(a.as_bytes())
        } else {
            b.starts_with(a)
        }
    };
    let eq_suffix = |a: &str, b: &str| {
        if ignore_case {
            a.len() <= b.len()
                && b.as_bytes()[b.len() - a.len()..].eq_ignore_ascii_case(a.as_bytes())
        } else {
            b.ends_with(a)
        }
    };
    match pattern.split_once('*') {
        None => {
            if ignore_case {
                pattern.eq_ignore_ascii_case(value)
            } else {
                pattern == value
            }
        }
        Some((prefix, suffix)) => {
            value.len() >= prefix.len() + suffix.len()
                && eq_prefix(prefix, value)
                && eq_suffix(suffix, value)
        }
    }
}

fn rule_mismatch(rule: &CorsRule, req: &PreflightRequest) -> Option<Mismatch> {
    if !rule
        .allowed_origins
        .iter()
        .any(|o| wildcard_match(o, &req.origin, false))
    {
        return Some(Mismatch::Origin);
    }
    if !rule
        .allowed_methods
        .iter()
        .any(|m| m.as_str() == req.method)
    {
        return Some(Mismatch::Method);
    }
    req.request_headers
        .iter()
        .find(|h| {
            !rule
                .allowed_headers
                .iter()
                .any(|allowed| wildcard_match(allowed, h, true))
        })
        .map(|h| Mismatch::Header(h.clone()))
}

/// Evaluates a preflight against a configuration (`None`: the bucket has none).
pub fn evaluate(config: Option<&CorsConfiguration>, req: &PreflightRequest) -> PreflightOutcome {
    let denied =
        |reason, mismatches| PreflightOutcome::Denied(PreflightDenied { reason, mismatches });
    if req.origin.is_empty() {
        return denied(
            DenialReason::InvalidRequest("the Origin header is missing".into()),
            Vec::new(),
        );
    }
    if req.method.is_empty() {
        return denied(
            DenialReason::InvalidRequest(
                "the Access-Control-Request-Method header is missing".into(),
            ),
            Vec::new(),
        );
    }
    let Some(config) = config.filter(|c| !c.rules.is_empty()) else {
        return denied(DenialReason::NoConfiguration, Vec::new());
    };
    let mut mismatches = Vec::with_capacity(config.rules.len());
    for (index, rule) in config.rules.iter().enumerate() {
        match rule_mismatch(rule, req) {
            Some(failed) => mismatches.push(RuleMismatch {
                rule_index: index,
                rule_id: rule.id.clone(),
                failed,
            }),
            None => {
                let any_origin = rule.allowed_origins.iter().any(|o| o == "*");
                return PreflightOutcome::Allowed(PreflightAllowed {
                    rule_index: Some(index),
                    rule_id: rule.id.clone(),
                    allow_origin: if any_origin {
                        "*".into()
                    } else {
                        req.origin.clone()
                    },
                    allow_credentials: !any_origin,
                    allow_methods: rule
                        .allowed_methods
                        .iter()
                        .map(|m| m.as_str().to_owned())
                        .collect(),
                    allow_headers: req.request_headers.clone(),
                    expose_headers: rule.expose_headers.clone(),
                    max_age_seconds: rule.max_age_seconds,
                });
            }
        }
    }
    denied(DenialReason::NoMatchingRule, mismatches)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::CorsMethod::{self, *};

    fn rule(origins: &[&str], methods: &[CorsMethod], headers: &[&str]) -> CorsRule {
        CorsRule::new(origins.iter().copied(), methods.iter().copied())
            .with_allowed_headers(headers.iter().copied())
            .with_expose_headers(["Content-Length", "ETag", "x-cos-meta-author"])
            .with_max_age_seconds(600)
    }

    /// The configuration behind seed doc 001's allowed examples: a specific-origin rule for
    /// uploads first, then an any-origin read rule.
    fn seed_config() -> CorsConfiguration {
        CorsConfiguration::new(vec![
            rule(
                &["https://example.com", "https://bar.com"],
                &[Put, Get, Post, Delete, Head],
                &["content-md5", "content-type", "x-cos-meta-*"],
            ),
            rule(&["*"], &[Get, Head], &["*"]),
        ])
    }

    fn allowed(outcome: PreflightOutcome) -> PreflightAllowed {
        match outcome {
            PreflightOutcome::Allowed(a) => a,
            PreflightOutcome::Denied(d) => panic!("expected allowed, got {d:?}"),
        }
    }

    fn denied(outcome: PreflightOutcome) -> PreflightDenied {
        match outcome {
            PreflightOutcome::Denied(d) => d,
            PreflightOutcome::Allowed(a) => panic!("expected denied, got {a:?}"),
        }
    }

    #[test]
    fn seed_example_1_put_with_headers_echoes_origin_with_credentials() {
        let req = PreflightRequest::new("https://example.com", "PUT")
            .with_headers(["content-md5,content-type,x-cos-meta-author"]);
        let a = allowed(evaluate(Some(&seed_config()), &req));
        let headers = a.response_headers();
        assert_eq!(
            headers,
            vec![
                (
                    "Access-Control-Allow-Origin",
                    "https://example.com".to_string()
                ),
                ("Access-Control-Allow-Credentials", "true".into()),
                (
                    "Access-Control-Allow-Methods",
                    "PUT,GET,POST,DELETE,HEAD".into()
                ),
                (
                    "Access-Control-Allow-Headers",
                    "content-md5,content-type,x-cos-meta-author".into()
                ),
                (
                    "Access-Control-Expose-Headers",
                    "Content-Length,ETag,x-cos-meta-author".into()
                ),
                ("Access-Control-Max-Age", "600".into()),
            ]
        );
        assert_eq!(a.rule_index, Some(0));
    }

    #[test]
    fn seed_example_2_range_header_falls_through_to_the_any_origin_rule() {
        // Rule 0 does not allow `range`, so rule 1 (origin *) answers: Allow-Origin is `*`
        // and no credentials. (Real COS also appends its SSE-C headers to Allow-Headers;
        // the evaluator answers with the requested headers only.)
        let req = PreflightRequest::new("https://example.com", "GET").with_headers(["range"]);
        let a = allowed(evaluate(Some(&seed_config()), &req));
        assert_eq!(a.rule_index, Some(1));
        assert_eq!(a.allow_origin, "*");
        assert!(!a.allow_credentials);
        assert_eq!(a.allow_methods, ["GET", "HEAD"]);
        assert_eq!(a.allow_headers, ["range"]);
    }

    #[test]
    fn seed_example_3_other_listed_origin() {
        let req = PreflightRequest::new("https://bar.com", "PUT")
            .with_headers(["content-md5", "content-type"]);
        let a = allowed(evaluate(Some(&seed_config()), &req));
        assert_eq!(a.allow_origin, "https://bar.com");
        assert!(a.allow_credentials);
        assert_eq!(a.allow_headers, ["content-md5", "content-type"]);
    }

    #[test]
    fn seed_example_4_denied_when_no_rule_allows_put_from_origin() {
        // At the time of example 4 the bucket only had the any-origin read rule.
        let cfg = CorsConfiguration::new(vec![rule(&["*"], &[Get, Head], &["*"])]);
        let d = denied(evaluate(
            Some(&cfg),
            &PreflightRequest::new("https://example.com", "PUT"),
        ));
        assert_eq!(d.reason, DenialReason::NoMatchingRule);
        assert_eq!(
            d.mismatches,
            [RuleMismatch {
                rule_index: 0,
                rule_id: None,
                failed: Mismatch::Method
            }]
        );
    }

    #[test]
    fn table_of_origin_wildcards() {
        let cases: &[(&str, &str, bool)] = &[
            ("https://*.example.com", "https://a.example.com", true),
            ("https://*.example.com", "https://a.b.example.com", true),
            ("https://*.example.com", "https://example.com", false),
            ("https://*.example.com", "https://example.com.evil", false),
            ("https://*.example.com", "https://evil-example.com", false),
            ("https://*.example.com", "http://a.example.com", false),
            ("https://*.example.com", "https://A.example.com", true),
            ("https://*.example.com", "https://a.EXAMPLE.com", false),
            ("http://localhost:*", "http://localhost:3000", true),
            ("http://localhost:*", "http://localhost", false),
            ("*", "null", true),
            ("https://example.com", "https://example.com", true),
            ("https://example.com", "https://example.com:443", false),
            ("https://example.com", "https://Example.com", false),
            ("*.example.com", "https://x.example.com", true),
        ];
        for (pattern, origin, expect) in cases {
            let cfg = CorsConfiguration::new(vec![CorsRule::new([*pattern], [Get])]);
            let got = evaluate(Some(&cfg), &PreflightRequest::new(*origin, "GET")).is_allowed();
            assert_eq!(got, *expect, "pattern {pattern} vs origin {origin}");
        }
    }

    #[test]
    fn table_of_methods_and_headers() {
        let cfg = CorsConfiguration::new(vec![
            CorsRule::new(["https://a.com"], [Put])
                .with_allowed_headers(["Content-Type", "x-cos-meta-*"]),
        ]);
        let cases: &[(&str, &[&str], bool)] = &[
            ("PUT", &[], true),
            ("put", &[], false),
            ("GET", &[], false),
            ("PATCH", &[], false),
            ("PUT", &["content-type"], true),
            ("PUT", &["CONTENT-TYPE"], true),
            ("PUT", &[" content-type , x-cos-meta-a "], true),
            ("PUT", &["x-cos-meta-"], true),
            ("PUT", &["x-cos-acl"], false),
            ("PUT", &["content-type,x-cos-acl"], false),
            ("PUT", &[",,"], true),
        ];
        for (method, headers, expect) in cases {
            let req = PreflightRequest::new("https://a.com", *method).with_headers(headers.iter());
            assert_eq!(
                evaluate(Some(&cfg), &req).is_allowed(),
                *expect,
                "{method} {headers:?}"
            );
        }
    }

    #[test]
    fn first_matching_rule_wins_and_mismatches_name_each_rule() {
        let cfg = CorsConfiguration::new(vec![
            CorsRule::new(["https://a.com"], [Get]).with_id("a"),
            CorsRule::new(["https://b.com"], [Put]).with_id("b"),
            CorsRule::new(["https://b.com"], [Put, Get])
                .with_id("c")
                .with_max_age_seconds(1),
            CorsRule::new(["*"], [Get])
                .with_id("d")
                .with_max_age_seconds(2),
        ]);
        let a = allowed(evaluate(
            Some(&cfg),
            &PreflightRequest::new("https://b.com", "GET"),
        ));
        assert_eq!(a.rule_id.as_deref(), Some("c"));
        assert_eq!(a.max_age_seconds, Some(1));

        let d = denied(evaluate(
            Some(&cfg),
            &PreflightRequest::new("https://b.com", "PUT").with_headers(["x-foo"]),
        ));
        let failed: Vec<_> = d
            .mismatches
            .iter()
            .map(|m| (m.rule_id.as_deref(), m.failed.clone()))
            .collect();
        assert_eq!(
            failed,
            [
                (Some("a"), Mismatch::Origin),
                (Some("b"), Mismatch::Header("x-foo".into())),
                (Some("c"), Mismatch::Header("x-foo".into())),
                (Some("d"), Mismatch::Method),
            ]
        );
        let text = PreflightOutcome::Denied(d).to_string();
        assert!(
            text.contains("rule #1 (b): header `x-foo` not allowed"),
            "{text}"
        );
    }

    #[test]
    fn missing_configuration_and_invalid_requests_are_denied_with_reason() {
        let req = PreflightRequest::new("https://a.com", "GET");
        assert_eq!(
            denied(evaluate(None, &req)).reason,
            DenialReason::NoConfiguration
        );
        assert_eq!(
            denied(evaluate(Some(&CorsConfiguration::default()), &req)).reason,
            DenialReason::NoConfiguration
        );
        let no_origin = PreflightRequest::new("", "GET");
        assert!(matches!(
            denied(evaluate(Some(&seed_config()), &no_origin)).reason,
            DenialReason::InvalidRequest(_)
        ));
    }

    #[test]
    fn same_answer_ignores_rule_index_and_header_case() {
        let req =
            PreflightRequest::new("https://example.com", "PUT").with_headers(["Content-Type"]);
        let offline = evaluate(Some(&seed_config()), &req);
        let mut live = allowed(offline.clone());
        live.rule_index = None;
        live.allow_headers = vec!["content-type".into()];
        assert!(offline.same_answer(&PreflightOutcome::Allowed(live.clone())));
        live.max_age_seconds = Some(5);
        assert!(!offline.same_answer(&PreflightOutcome::Allowed(live)));
    }

    #[test]
    fn wildcards_match_prefix_and_suffix_in_either_case_mode() {
        // Exact.
        assert!(wildcard_match("https://a.com", "https://a.com", false));
        assert!(!wildcard_match("https://a.com", "https://A.com", false));
        assert!(wildcard_match("x-cos-meta-a", "X-COS-META-A", true));
        // Prefix and suffix must both hold, case-sensitively for origins.
        assert!(wildcard_match(
            "https://*.a.com",
            "https://app.a.com",
            false
        ));
        assert!(!wildcard_match(
            "https://*.a.com",
            "http://app.a.com",
            false
        ));
        assert!(!wildcard_match(
            "https://*.a.com",
            "https://app.b.com",
            false
        ));
        // Case-insensitive (headers): a wrong prefix or suffix is still a mismatch.
        assert!(wildcard_match("X-Cos-Meta-*", "x-cos-meta-author", true));
        assert!(!wildcard_match("x-cos-meta-*", "x-amz-meta-author", true));
        assert!(wildcard_match("*-ID", "x-request-id", true));
        assert!(!wildcard_match("*-id", "x-request-ix", true));
        assert!(!wildcard_match("abcdef-*", "abc", true));
        assert!(!wildcard_match("*-abcdef", "abc", true));
        // Prefix and suffix may not overlap in the value.
        assert!(!wildcard_match("ab*ba", "aba", false));
        assert!(!wildcard_match("ab*ba", "aba", true));
        assert!(wildcard_match("ab*ba", "abba", true));
    }

    fn allowed_from(origin: &str) -> PreflightAllowed {
        PreflightAllowed {
            rule_index: Some(0),
            rule_id: None,
            allow_origin: origin.into(),
            allow_credentials: false,
            allow_methods: vec!["GET".into()],
            allow_headers: vec!["Content-Type".into()],
            expose_headers: vec!["ETag".into()],
            max_age_seconds: Some(600),
        }
    }

    #[test]
    fn same_answer_compares_every_header_the_browser_sees() {
        let a = PreflightOutcome::Allowed(allowed_from("https://a.com"));
        let denied = |reason| {
            PreflightOutcome::Denied(PreflightDenied {
                reason,
                mismatches: vec![],
            })
        };
        assert!(
            denied(DenialReason::NoConfiguration)
                .same_answer(&denied(DenialReason::NoMatchingRule))
        );
        assert!(!a.same_answer(&denied(DenialReason::NoMatchingRule)));
        assert!(!denied(DenialReason::NoMatchingRule).same_answer(&a));
        // Header names compare case-insensitively; the rule index is not compared.
        let mut live = allowed_from("https://a.com");
        live.rule_index = None;
        live.allow_headers = vec!["content-type".into()];
        live.expose_headers = vec!["etag".into()];
        assert!(a.same_answer(&PreflightOutcome::Allowed(live.clone())));
        let changes: [fn(&mut PreflightAllowed); 6] = [
            |x| x.allow_origin = "*".into(),
            |x| x.allow_credentials = true,
            |x| x.allow_methods.push("PUT".into()),
            |x| x.allow_headers = vec!["x-other".into()],
            |x| x.expose_headers.clear(),
            |x| x.max_age_seconds = None,
        ];
        for change in changes {
            let mut other = live.clone();
            change(&mut other);
            assert!(
                !a.same_answer(&PreflightOutcome::Allowed(other.clone())),
                "{other:?}"
            );
        }
    }

    #[test]
    fn display_names_the_matching_rule() {
        let mut with_id = allowed_from("https://a.com");
        with_id.rule_index = Some(2);
        with_id.rule_id = Some("uploads".into());
        let shown = PreflightOutcome::Allowed(with_id.clone()).to_string();
        assert!(
            shown.starts_with("allowed by rule #2 (uploads)\n"),
            "{shown}"
        );
        with_id.rule_id = None;
        let shown = PreflightOutcome::Allowed(with_id.clone()).to_string();
        assert!(shown.starts_with("allowed by rule #2\n"), "{shown}");
        with_id.rule_index = None;
        let shown = PreflightOutcome::Allowed(with_id).to_string();
        assert!(
            shown.starts_with("allowed\n  Access-Control-Allow-Origin: https://a.com"),
            "{shown}"
        );
    }
}
