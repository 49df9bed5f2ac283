//! CORS: `{"rules":[{"id"?, "allowed":{"origins","methods","headers"?}, "exposeHeaders"?,
//! "maxAgeSeconds"?}]}`.

use bucket_admin_core::{CorsConfiguration, CorsMethod, CorsRule, Error, Operation, Provider};
use serde::{Deserialize, Serialize};
use serde_json::Number;

use super::{decode, exact_uint};

#[derive(Debug, Deserialize)]
pub(crate) struct WireCors {
    #[serde(default)]
    pub(crate) rules: Option<Vec<WireCorsRule>>,
}

impl super::Listed for WireCors {
    fn has_list(&self) -> bool {
        self.rules.is_some()
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireCorsRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    allowed: WireAllowed,
    // Empty lists are omitted: R2 and terraform have rejected `[]` (terraform #5260).
    #[serde(
        rename = "exposeHeaders",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    expose_headers: Option<Vec<String>>,
    // A JSON number, typed as float by the SDKs: read as `Number` and checked exactly.
    #[serde(
        rename = "maxAgeSeconds",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    max_age_seconds: Option<Number>,
}

#[derive(Debug, Deserialize)]
struct WireAllowed {
    #[serde(default)]
    origins: Vec<String>,
    #[serde(default)]
    methods: Vec<WireMethod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    headers: Option<Vec<String>>,
}

/// A method as read: parsed from the borrowed text (no string kept), or the unknown name,
/// reported by [`from_wire`] with the rule it is in.
#[derive(Debug)]
struct WireMethod(Result<CorsMethod, String>);

impl<'de> Deserialize<'de> for WireMethod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = WireMethod;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an HTTP method name")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<WireMethod, E> {
                Ok(WireMethod(s.parse().map_err(|_| s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// What a PUT sends: [`WireCors`]'s shape, borrowing from the neutral configuration (nothing
/// is copied to be serialized once).
#[derive(Debug, Serialize)]
pub(crate) struct WireCorsOut<'a> {
    rules: Vec<WireCorsRuleOut<'a>>,
}

#[derive(Debug, Serialize)]
struct WireCorsRuleOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    allowed: WireAllowedOut<'a>,
    // Empty lists are omitted: R2 and terraform have rejected `[]` (terraform #5260).
    #[serde(rename = "exposeHeaders", skip_serializing_if = "<[String]>::is_empty")]
    expose_headers: &'a [String],
    #[serde(rename = "maxAgeSeconds", skip_serializing_if = "Option::is_none")]
    max_age_seconds: Option<u32>,
}

#[derive(Debug, Serialize)]
struct WireAllowedOut<'a> {
    origins: &'a [String],
    methods: Methods<'a>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    headers: &'a [String],
}

/// Methods as their wire names.
#[derive(Debug)]
struct Methods<'a>(&'a [CorsMethod]);

impl Serialize for Methods<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|m| m.as_str()))
    }
}

/// Largest `maxAgeSeconds` R2 accepts (its OpenAPI schema's maximum).
pub(crate) const MAX_AGE_SECONDS: u32 = 86_400;

/// What R2 rejects in an allowed origin beyond the neutral checks (which already refuse more
/// than one `*`): a `*` in the port (`http://localhost:*` answers 400 MalformedXML on R2's S3
/// API).
fn origin_problem(origin: &str) -> Option<String> {
    // `split_once("://")` without a substring searcher built per origin.
    let authority = origin
        .match_indices(':')
        .find(|&(at, _)| origin[at..].starts_with("://"))
        .map_or(origin, |(at, _)| &origin[at + 3..]);
    let authority = authority.split('/').next().unwrap_or(authority);
    // The port follows the last ':' unless that ':' is inside an IPv6 literal.
    if let Some((host, port)) = authority.rsplit_once(':')
        && !port.contains(']')
        && port.contains('*')
        && !host.is_empty()
    {
        return Some(format!(
            "R2 does not accept a wildcard port; `{origin}` must name the port (or leave it out)"
        ));
    }
    None
}

/// The wire form of a neutral configuration, after R2-specific checks that the neutral
/// validation does not make (R2 has no `ResponseVary`, no `*` in expose headers).
pub(crate) fn to_wire(config: &CorsConfiguration) -> Result<WireCorsOut<'_>, Error> {
    if config.extras.cos_response_vary.is_some() {
        return Err(Error::unsupported(
            Provider::R2,
            Operation::PutCors,
            "the COS ResponseVary setting (extras.cos_response_vary)",
        ));
    }
    // Every problem at once: the neutral checks and R2's own limits.
    let mut violations = config.validate();
    for (i, rule) in config.rules.iter().enumerate() {
        // The message is written only for a violation (formatting it for every rule cost a
        // tenth of encoding a document).
        if let Some(age) = rule.max_age_seconds.filter(|&age| age > MAX_AGE_SECONDS) {
            violations.push(
                format!("rules[{i}].max_age_seconds"),
                format!("R2 accepts at most {MAX_AGE_SECONDS} seconds (one day); {age} is more"),
            );
        }
        for (j, origin) in rule.allowed_origins.iter().enumerate() {
            if let Some(problem) = origin_problem(origin) {
                violations.push(format!("rules[{i}].allowed_origins[{j}]"), problem);
            }
        }
        for (j, h) in rule.expose_headers.iter().enumerate() {
            violations.check(
                h != "*",
                || format!("rules[{i}].expose_headers[{j}]"),
                "R2 does not accept `*` in expose headers; list the header names",
            );
        }
    }
    violations.into_result()?;
    Ok(WireCorsOut {
        rules: config
            .rules
            .iter()
            .map(|rule| WireCorsRuleOut {
                id: rule.id.as_deref(),
                allowed: WireAllowedOut {
                    origins: &rule.allowed_origins,
                    methods: Methods(&rule.allowed_methods),
                    headers: &rule.allowed_headers,
                },
                expose_headers: &rule.expose_headers,
                max_age_seconds: rule.max_age_seconds,
            })
            .collect(),
    })
}

/// The neutral configuration, or `None` when there are no rules.
pub(crate) fn from_wire(wire: WireCors) -> Result<Option<CorsConfiguration>, Error> {
    let rules = wire.rules.unwrap_or_default();
    if rules.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(rules.len());
    for (i, rule) in rules.into_iter().enumerate() {
        // Only an error names the rule: formatting it for every rule cost more than the rest.
        let name = || match &rule.id {
            Some(id) => format!("rules[{i}] (id `{id}`)"),
            None => format!("rules[{i}]"),
        };
        let mut methods = Vec::with_capacity(rule.allowed.methods.len());
        for m in &rule.allowed.methods {
            match &m.0 {
                Ok(method) => methods.push(*method),
                Err(raw) => {
                    let e = raw
                        .parse::<CorsMethod>()
                        .err()
                        .map_or_else(|| format!("unknown method `{raw}`"), |e| e.to_string());
                    return Err(decode(format!("CORS {}: {e}", name())));
                }
            }
        }
        let max_age_seconds = match &rule.max_age_seconds {
            None => None,
            Some(n) => {
                let v = exact_uint(n, u64::from(u32::MAX)).map_err(|why| {
                    decode(format!(
                        "CORS {}: maxAgeSeconds {why}; expected whole seconds 0..={}",
                        name(),
                        u32::MAX
                    ))
                })?;
                // Cannot fail: exact_uint bounded it by u32::MAX.
                Some(u32::try_from(v).unwrap_or(u32::MAX))
            }
        };
        let mut cors_rule = CorsRule::new(rule.allowed.origins, methods)
            .with_allowed_headers(rule.allowed.headers.unwrap_or_default())
            .with_expose_headers(rule.expose_headers.unwrap_or_default());
        cors_rule.id = rule.id;
        cors_rule.max_age_seconds = max_age_seconds;
        out.push(cors_rule);
    }
    Ok(Some(CorsConfiguration::new(out)))
}

#[cfg(test)]
mod tests {
    use bucket_admin_core::ErrorKind;
    use serde_json::json;

    use super::*;

    fn parse(v: serde_json::Value) -> Result<Option<CorsConfiguration>, Error> {
        from_wire(serde_json::from_value(v).unwrap())
    }

    fn with_max_age(raw: &str) -> Result<Option<CorsConfiguration>, Error> {
        let text = format!(
            r#"{{"rules":[{{"id":"r1","allowed":{{"origins":["*"],"methods":["GET"]}},"maxAgeSeconds":{raw}}}]}}"#
        );
        from_wire(serde_json::from_str(&text).unwrap())
    }

    #[test]
    fn wildcard_port_is_found_after_the_scheme_separator() {
        // A short origin: the authority starts right after "://", at its index + 3.
        assert!(origin_problem("https://a:*").is_some());
        assert!(origin_problem("http://localhost:*").is_some());
        assert_eq!(origin_problem("https://a:8080"), None);
        assert_eq!(origin_problem("https://a.example/x:*"), None);
        assert_eq!(origin_problem("http://[::1]:8080"), None);
    }

    #[test]
    fn a_method_that_is_not_a_string_says_what_was_expected() {
        let e =
            crate::codec::decode_cors(r#"{"rules":[{"allowed":{"origins":["*"],"methods":[5]}}]}"#)
                .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(
            e.to_string().contains("expected an HTTP method name"),
            "{e}"
        );
    }

    #[test]
    fn seed_example_parses() {
        let cfg = parse(json!({"rules": [{
            "allowed": {"methods": ["GET"], "origins": ["http://localhost:3000"], "headers": ["x-requested-by"]},
            "id": "Allow Local Development",
            "exposeHeaders": ["Content-Encoding"],
            "maxAgeSeconds": 3600
        }]}))
        .unwrap()
        .unwrap();
        assert_eq!(
            cfg.rules,
            [CorsRule::new(["http://localhost:3000"], [CorsMethod::Get])
                .with_id("Allow Local Development")
                .with_allowed_headers(["x-requested-by"])
                .with_expose_headers(["Content-Encoding"])
                .with_max_age_seconds(3600)]
        );
    }

    #[test]
    fn max_age_edge_cases() {
        let age = |raw| with_max_age(raw).unwrap().unwrap().rules[0].max_age_seconds;
        assert_eq!(age("3600"), Some(3600));
        assert_eq!(age("3600.0"), Some(3600));
        assert_eq!(age("0"), Some(0));
        assert_eq!(age("4294967295"), Some(u32::MAX));
        for bad in ["3600.5", "-1", "1e12", "4294967296"] {
            let err = with_max_age(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Decode, "{bad}");
            assert!(
                err.message().contains("rules[0] (id `r1`)"),
                "{}",
                err.message()
            );
            assert!(err.message().contains("maxAgeSeconds"), "{}", err.message());
        }
        assert!(
            with_max_age("3600.5")
                .unwrap_err()
                .message()
                .contains("3600.5")
        );
    }

    #[test]
    fn empty_or_missing_rules_are_not_configured() {
        assert!(parse(json!({"rules": []})).unwrap().is_none());
        assert!(parse(json!({})).unwrap().is_none());
        assert!(parse(json!({"rules": null})).unwrap().is_none());
    }

    #[test]
    fn unknown_method_is_decode_error() {
        let err = parse(json!({"rules": [{"allowed": {"origins": ["*"], "methods": ["PATCH"]}}]}))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        // The rule and the method are named, though the method is no longer kept as text.
        let msg = err.message();
        assert!(msg.contains("rules[0]") && msg.contains("PATCH"), "{msg}");
        let err =
            crate::codec::decode_cors(r#"{"rules":[{"allowed":{"origins":["*"],"methods":[5]}}]}"#)
                .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
    }

    #[test]
    fn empty_header_lists_are_omitted_on_the_wire() {
        let cfg = CorsConfiguration::new(vec![CorsRule::new(
            ["https://a.example"],
            [CorsMethod::Put],
        )]);
        let v = serde_json::to_value(to_wire(&cfg).unwrap()).unwrap();
        assert_eq!(
            v,
            json!({"rules": [{"allowed": {"origins": ["https://a.example"], "methods": ["PUT"]}}]})
        );
        let full = CorsConfiguration::new(vec![
            CorsRule::new(["https://a.example"], [CorsMethod::Get, CorsMethod::Head])
                .with_id("x")
                .with_allowed_headers(["content-type"])
                .with_expose_headers(["ETag"])
                .with_max_age_seconds(600),
        ]);
        let v = serde_json::to_value(to_wire(&full).unwrap()).unwrap();
        assert_eq!(
            v,
            json!({"rules": [{"id": "x", "allowed": {"origins": ["https://a.example"], "methods": ["GET", "HEAD"], "headers": ["content-type"]}, "exposeHeaders": ["ETag"], "maxAgeSeconds": 600}]})
        );
        let back = from_wire(serde_json::from_value(v).unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(back, full);
    }

    #[test]
    fn r2_specific_rejections() {
        let mut cfg = CorsConfiguration::new(vec![
            CorsRule::new(["*"], [CorsMethod::Get]).with_expose_headers(["*"]),
        ]);
        let err = to_wire(&cfg).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.violations()[0].field, "rules[0].expose_headers[0]");
        cfg.rules[0].expose_headers.clear();
        cfg.extras.cos_response_vary = Some(true);
        let err = to_wire(&cfg).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unsupported);
        assert!(err.message().contains("cos_response_vary"));
        let empty = to_wire(&CorsConfiguration::default()).unwrap_err();
        assert_eq!(empty.kind(), ErrorKind::InvalidInput);
    }
}
