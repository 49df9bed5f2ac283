//! R2 JSON wire formats (camelCase rules, snake_case bucket objects) and their conversion to
//! and from the core models. Request types deny unknown fields: R2 rejects the S3-shaped
//! `{"CORSRules": ...}` with 10040, and so do we.

use bucket_admin_core::{
    Age, CorsConfiguration, CorsMethod, CorsRule, Expiration, LifecycleConfiguration,
    LifecycleFilter, LifecycleRule, StorageClass, Transition, Trigger,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

/// A request-body problem (always answered 400 with this code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonError {
    pub code: u32,
    pub message: String,
}

pub(crate) const NOT_WELL_FORMED: &str = "The JSON you provided was not well formed.";

pub(crate) fn not_well_formed() -> JsonError {
    JsonError {
        code: 10040,
        message: NOT_WELL_FORMED.into(),
    }
}

fn invalid(message: impl Into<String>) -> JsonError {
    JsonError {
        code: 10040,
        message: message.into(),
    }
}

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, JsonError> {
    serde_json::from_slice(body).map_err(|_| not_well_formed())
}

// ---------------------------------------------------------------- CORS

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CorsPut {
    rules: Vec<CorsRuleJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CorsRuleJson {
    #[serde(default)]
    id: Option<String>,
    allowed: AllowedJson,
    #[serde(default)]
    expose_headers: Option<Vec<String>>,
    #[serde(default)]
    max_age_seconds: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowedJson {
    origins: Vec<String>,
    methods: Vec<String>,
    #[serde(default)]
    headers: Option<Vec<String>>,
}

/// Parse and validate `PUT /cors`.
pub(crate) fn parse_cors(body: &[u8]) -> Result<CorsConfiguration, JsonError> {
    let put: CorsPut = parse(body)?;
    let mut rules = Vec::new();
    for (i, r) in put.rules.into_iter().enumerate() {
        let mut methods = Vec::new();
        for m in &r.allowed.methods {
            methods.push(m.parse::<CorsMethod>().map_err(|_| {
                invalid(format!(
                    "rules[{i}].allowed.methods: `{m}` is not one of GET, PUT, POST, DELETE, HEAD"
                ))
            })?);
        }
        let max_age = match r.max_age_seconds {
            None => None,
            Some(v) if v.is_finite() && v >= 0.0 && v <= f64::from(u32::MAX) => {
                Some(v.round() as u32)
            }
            Some(_) => {
                return Err(invalid(format!(
                    "rules[{i}].maxAgeSeconds must be a non-negative number"
                )));
            }
        };
        let mut cors_rule = CorsRule::new(r.allowed.origins, methods)
            .with_allowed_headers(r.allowed.headers.unwrap_or_default())
            .with_expose_headers(r.expose_headers.unwrap_or_default());
        cors_rule.id = r.id;
        cors_rule.max_age_seconds = max_age;
        rules.push(cors_rule);
    }
    let cfg = CorsConfiguration::new(rules);
    if !cfg.rules.is_empty()
        && let Some(v) = cfg.validate().as_slice().first()
    {
        return Err(invalid(format!("{}: {}", v.field, v.rule)));
    }
    Ok(cfg)
}

/// `{rules: [...]}` as `GET /cors` returns it.
pub(crate) fn render_cors(cfg: &CorsConfiguration) -> Value {
    let rules: Vec<Value> = cfg
        .rules
        .iter()
        .map(|r| {
            let mut allowed = json!({
                "methods": r.allowed_methods.iter().map(CorsMethod::as_str).collect::<Vec<_>>(),
                "origins": r.allowed_origins,
            });
            if !r.allowed_headers.is_empty() {
                allowed["headers"] = json!(r.allowed_headers);
            }
            let mut rule = json!({"allowed": allowed});
            if let Some(id) = &r.id {
                rule["id"] = json!(id);
            }
            if !r.expose_headers.is_empty() {
                rule["exposeHeaders"] = json!(r.expose_headers);
            }
            if let Some(age) = r.max_age_seconds {
                rule["maxAgeSeconds"] = json!(age);
            }
            rule
        })
        .collect();
    json!({ "rules": rules })
}

// ---------------------------------------------------------------- lifecycle

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LifecyclePut {
    rules: Vec<LcRuleJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct LcRuleJson {
    id: String,
    enabled: bool,
    conditions: ConditionsJson,
    #[serde(default)]
    delete_objects_transition: Option<TransitionJson>,
    #[serde(default)]
    abort_multipart_uploads_transition: Option<TransitionJson>,
    #[serde(default)]
    storage_class_transitions: Option<Vec<ScTransitionJson>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConditionsJson {
    prefix: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransitionJson {
    condition: CondJson,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ScTransitionJson {
    condition: CondJson,
    storage_class: String,
}

#[derive(Deserialize)]
#[serde(tag = "type")]
enum CondJson {
    Age {
        #[serde(rename = "maxAge")]
        max_age: u64,
    },
    Date {
        date: String,
    },
}

fn cond_trigger(c: &CondJson, at: &str) -> Result<Trigger, JsonError> {
    match c {
        CondJson::Age { max_age: 0 } => Err(invalid(format!("{at}.maxAge must be positive"))),
        CondJson::Age { max_age } => Ok(Trigger::After(Age::seconds(*max_age))),
        CondJson::Date { date } => time::OffsetDateTime::parse(date, &Rfc3339)
            .map(|d| {
                Trigger::On(bucket_admin_core::LifecycleDate::utc(
                    d.to_offset(time::UtcOffset::UTC).date(),
                ))
            })
            .map_err(|_| invalid(format!("{at}.date must be RFC 3339"))),
    }
}

/// The rule every new bucket carries (r2-protocol.md §4).
pub(crate) fn default_lifecycle() -> LifecycleConfiguration {
    LifecycleConfiguration::new(vec![
        LifecycleRule::new()
            .with_id("Default Multipart Abort Rule")
            .with_abort_incomplete_multipart_upload(Age::days(7)),
    ])
}

/// Parse and validate `PUT /lifecycle`: ≤ 1000 rules, unique non-empty ids, positive ages,
/// RFC 3339 dates, `InfrequentAccess` transitions only, abort conditions by age only.
pub(crate) fn parse_lifecycle(body: &[u8]) -> Result<LifecycleConfiguration, JsonError> {
    let put: LifecyclePut = parse(body)?;
    if put.rules.len() > 1000 {
        return Err(invalid("at most 1000 lifecycle rules are allowed"));
    }
    let mut rules: Vec<LifecycleRule> = Vec::new();
    for (i, r) in put.rules.into_iter().enumerate() {
        let at = format!("rules[{i}]");
        if r.id.is_empty() || r.id.len() > 255 {
            return Err(invalid(format!("{at}.id must be 1 to 255 characters")));
        }
        if rules.iter().any(|o| o.id.as_deref() == Some(r.id.as_str())) {
            return Err(invalid(format!("{at}.id `{}` is duplicated", r.id)));
        }
        let expiration = match &r.delete_objects_transition {
            None => None,
            Some(t) => Some(
                match cond_trigger(
                    &t.condition,
                    &format!("{at}.deleteObjectsTransition.condition"),
                )? {
                    Trigger::After(a) => Expiration::After(a),
                    Trigger::On(d) => Expiration::On(d),
                },
            ),
        };
        let abort = match &r.abort_multipart_uploads_transition {
            None => None,
            Some(t) => match cond_trigger(
                &t.condition,
                &format!("{at}.abortMultipartUploadsTransition.condition"),
            )? {
                Trigger::After(a) => Some(a),
                Trigger::On(_) => {
                    return Err(invalid(format!(
                        "{at}.abortMultipartUploadsTransition.condition must be of type Age"
                    )));
                }
            },
        };
        let mut transitions = Vec::new();
        for (j, t) in r.storage_class_transitions.iter().flatten().enumerate() {
            if t.storage_class != "InfrequentAccess" {
                return Err(JsonError {
                    code: 10062,
                    message: format!(
                        "{at}.storageClassTransitions[{j}].storageClass must be InfrequentAccess"
                    ),
                });
            }
            transitions.push(Transition::new(
                cond_trigger(
                    &t.condition,
                    &format!("{at}.storageClassTransitions[{j}].condition"),
                )?,
                StorageClass::InfrequentAccess,
            ));
        }
        let filter = match r.conditions.prefix {
            p if p.is_empty() => LifecycleFilter::default(),
            p => LifecycleFilter::prefix(p),
        };
        let mut rule = LifecycleRule::new()
            .with_id(r.id)
            .with_enabled(r.enabled)
            .with_filter(filter)
            .with_transitions(transitions);
        rule.expiration = expiration;
        rule.abort_incomplete_multipart_upload = abort;
        rules.push(rule);
    }
    Ok(LifecycleConfiguration::new(rules))
}

fn render_cond(t: &Trigger) -> Value {
    match t {
        Trigger::After(a) => json!({"type": "Age", "maxAge": a.as_seconds()}),
        Trigger::On(d) => json!({
            "type": "Date",
            "date": format!("{:04}-{:02}-{:02}T00:00:00.000Z", d.date().year(), u8::from(d.date().month()), d.date().day())
        }),
    }
}

/// `{rules: [...]}` as `GET /lifecycle` returns it.
pub(crate) fn render_lifecycle(cfg: &LifecycleConfiguration) -> Value {
    let rules: Vec<Value> = cfg
        .rules
        .iter()
        .map(|r| {
            let mut rule = json!({
                "id": r.id.clone().unwrap_or_default(),
                "enabled": r.enabled,
                "conditions": {"prefix": r.filter.prefix.clone().unwrap_or_default()},
            });
            match &r.expiration {
                Some(Expiration::After(a)) => {
                    rule["deleteObjectsTransition"] = json!({"condition": render_cond(&Trigger::After(*a))});
                }
                Some(Expiration::On(d)) => {
                    rule["deleteObjectsTransition"] = json!({"condition": render_cond(&Trigger::On(*d))});
                }
                _ => {}
            }
            if let Some(a) = r.abort_incomplete_multipart_upload {
                rule["abortMultipartUploadsTransition"] =
                    json!({"condition": render_cond(&Trigger::After(a))});
            }
            if !r.transitions.is_empty() {
                rule["storageClassTransitions"] = r
                    .transitions
                    .iter()
                    .map(|t| json!({"condition": render_cond(&t.trigger), "storageClass": "InfrequentAccess"}))
                    .collect();
            }
            rule
        })
        .collect();
    json!({ "rules": rules })
}

// ---------------------------------------------------------------- lock

/// One bucket-lock rule, stored as sent (it has no core model).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct LockRule {
    pub id: String,
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    pub condition: LockCondition,
}

/// How long objects are locked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub(crate) enum LockCondition {
    /// For this many seconds after upload.
    Age {
        #[serde(rename = "maxAgeSeconds")]
        max_age_seconds: u64,
    },
    /// Until this date.
    Date { date: String },
    /// Forever.
    Indefinite,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LockPut {
    rules: Vec<LockRule>,
}

/// Parse and validate `PUT /lock`.
pub(crate) fn parse_lock(body: &[u8]) -> Result<Vec<LockRule>, JsonError> {
    let put: LockPut = parse(body)?;
    if put.rules.len() > 1000 {
        return Err(invalid("at most 1000 lock rules are allowed"));
    }
    for (i, r) in put.rules.iter().enumerate() {
        if r.id.is_empty() {
            return Err(invalid(format!("rules[{i}].id must not be empty")));
        }
        if put.rules[..i].iter().any(|o| o.id == r.id) {
            return Err(invalid(format!("rules[{i}].id `{}` is duplicated", r.id)));
        }
        if let LockCondition::Date { date } = &r.condition
            && time::OffsetDateTime::parse(date, &Rfc3339).is_err()
        {
            return Err(invalid(format!(
                "rules[{i}].condition.date must be RFC 3339"
            )));
        }
    }
    Ok(put.rules)
}

// ---------------------------------------------------------------- domains

/// A custom domain attached to a bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CustomDomain {
    pub domain: String,
    pub enabled: bool,
    pub zone_id: String,
    pub zone_name: String,
    #[serde(rename = "minTLS")]
    pub min_tls: String,
    pub ciphers: Vec<String>,
}

impl CustomDomain {
    /// The object `GET .../custom` lists.
    pub fn render(&self) -> Value {
        json!({
            "domain": self.domain,
            "enabled": self.enabled,
            "status": {"ownership": "active", "ssl": "active"},
            "minTLS": self.min_tls,
            "zoneId": self.zone_id,
            "zoneName": self.zone_name,
            "ciphers": self.ciphers,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct CustomDomainPost {
    pub domain: String,
    pub zone_id: String,
    pub enabled: bool,
    #[serde(default, rename = "minTLS")]
    pub min_tls: Option<String>,
    #[serde(default)]
    pub ciphers: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct CustomDomainPut {
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default, rename = "minTLS")]
    pub min_tls: Option<String>,
    #[serde(default)]
    pub ciphers: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ManagedPut {
    pub enabled: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct CreateBucket {
    pub name: String,
    #[serde(default)]
    pub location_hint: Option<String>,
    #[serde(default)]
    pub storage_class: Option<String>,
}

/// Parse a request body into `T`, mapping any failure to 10040.
pub(crate) fn parse_body<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, JsonError> {
    parse(body)
}

/// Validate a TLS version for custom domains.
pub(crate) fn valid_min_tls(v: &str) -> bool {
    ["1.0", "1.1", "1.2", "1.3"].contains(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_shaped_cors_is_rejected_like_r2() {
        let e = parse_cors(br#"{"CORSRules":[{"AllowedOrigins":["*"],"AllowedMethods":["GET"]}]}"#)
            .unwrap_err();
        assert_eq!(e, not_well_formed());
        let e = parse_cors(
            br#"{"rules":[{"allowed":{"origins":["https://a.com/"],"methods":["GET"]}}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.code, 10040);
        assert!(e.message.contains("trailing slash"), "{}", e.message);
    }

    #[test]
    fn cors_round_trip() {
        let body = br#"{"rules":[{"id":"r","allowed":{"origins":["https://a.com"],"methods":["GET","PUT"],"headers":["x-a"]},"exposeHeaders":["ETag"],"maxAgeSeconds":3600}]}"#;
        let cfg = parse_cors(body).unwrap();
        let back = parse_cors(render_cors(&cfg).to_string().as_bytes()).unwrap();
        assert_eq!(cfg, back);
    }

    #[test]
    fn lifecycle_round_trip_in_seconds() {
        let body = br#"{"rules":[{"id":"a","enabled":true,"conditions":{"prefix":"logs/"},"deleteObjectsTransition":{"condition":{"type":"Age","maxAge":90000}},"abortMultipartUploadsTransition":{"condition":{"type":"Age","maxAge":86400}},"storageClassTransitions":[{"condition":{"type":"Date","date":"2030-01-01T00:00:00Z"},"storageClass":"InfrequentAccess"}]}]}"#;
        let cfg = parse_lifecycle(body).unwrap();
        assert_eq!(
            cfg.rules[0].expiration,
            Some(Expiration::After(Age::seconds(90000)))
        );
        let back = parse_lifecycle(render_lifecycle(&cfg).to_string().as_bytes()).unwrap();
        assert_eq!(cfg, back);
        let default = render_lifecycle(&default_lifecycle());
        assert_eq!(
            default["rules"][0]["abortMultipartUploadsTransition"]["condition"]["maxAge"],
            604800
        );
    }
}
