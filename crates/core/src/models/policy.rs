//! Bucket access policy.
//!
//! The neutral model types the parts every policy has (effect, principals, actions, resources,
//! conditions) and keeps every other field in `extra` maps, so a get -> put round trip never
//! loses data the provider returned.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::validate::Violations;

/// Allow or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Grant the actions.
    Allow,
    /// Refuse the actions (wins over any allow).
    Deny,
}

impl Effect {
    /// Lowercase name (`allow` / `deny`), the form COS documents.
    pub fn as_str(&self) -> &'static str {
        match self {
            Effect::Allow => "allow",
            Effect::Deny => "deny",
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Effect {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Effect {
    /// Accepts any case (`Allow`, `allow`, `ALLOW`): providers and hand-written policies differ.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.eq_ignore_ascii_case("allow") {
            Ok(Effect::Allow)
        } else if s.eq_ignore_ascii_case("deny") {
            Ok(Effect::Deny)
        } else {
            Err(serde::de::Error::custom(format!(
                "effect must be allow or deny, got `{s}`"
            )))
        }
    }
}

/// Who a statement applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Principal {
    /// Everyone (`"*"`).
    Everyone,
    /// Identities grouped by type, e.g. `{"qcs": ["qcs::cam::uin/1:uin/2"]}`.
    Ids(BTreeMap<String, Vec<String>>),
}

impl Serialize for Principal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Principal::Everyone => s.serialize_str("*"),
            Principal::Ids(ids) => ids.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Principal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Star(String),
            Ids(BTreeMap<String, OneOrMany>),
        }
        match Repr::deserialize(d)? {
            Repr::Star(s) if s == "*" => Ok(Principal::Everyone),
            Repr::Star(s) => Err(serde::de::Error::custom(format!(
                "principal must be \"*\" or an object of identity lists, got `{s}`"
            ))),
            Repr::Ids(map) => Ok(Principal::Ids(
                map.into_iter()
                    .map(|(k, v)| {
                        let list = match v {
                            OneOrMany::One(one) => vec![one],
                            OneOrMany::Many(many) => many,
                        };
                        (k, list)
                    })
                    .collect(),
            )),
        }
    }
}

/// One policy statement.
///
/// Non-exhaustive: build it with [`PolicyStatement::new`] and the `with_*` setters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PolicyStatement {
    /// Statement id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Allow or deny.
    pub effect: Effect,
    /// Who the statement applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
    /// Actions, e.g. `name/cos:GetObject`. Case-sensitive.
    pub actions: Vec<String>,
    /// Resources, e.g. `qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*`.
    pub resources: Vec<String>,
    /// Conditions, kept verbatim: `{operator: {key: value}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<BTreeMap<String, Value>>,
    /// Any other statement field the provider returned, preserved verbatim.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A bucket policy.
///
/// Non-exhaustive: build it with [`BucketPolicy::new`] and [`BucketPolicy::with_version`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BucketPolicy {
    /// Policy language version (COS `2.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The statements.
    pub statements: Vec<PolicyStatement>,
    /// Any other top-level field the provider returned, preserved verbatim.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl PolicyStatement {
    /// A statement with `effect` on `actions` over `resources`, for no particular principal.
    pub fn new(
        effect: Effect,
        actions: impl IntoIterator<Item = impl Into<String>>,
        resources: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            sid: None,
            effect,
            principal: None,
            actions: actions.into_iter().map(Into::into).collect(),
            resources: resources.into_iter().map(Into::into).collect(),
            conditions: None,
            extra: BTreeMap::new(),
        }
    }

    /// Set the statement id.
    #[must_use]
    pub fn with_sid(mut self, sid: impl Into<String>) -> Self {
        self.sid = Some(sid.into());
        self
    }

    /// Set the principal.
    #[must_use]
    pub fn with_principal(mut self, principal: Principal) -> Self {
        self.principal = Some(principal);
        self
    }

    /// Set the conditions (operator -> key -> value, verbatim).
    #[must_use]
    pub fn with_conditions(mut self, conditions: BTreeMap<String, Value>) -> Self {
        self.conditions = Some(conditions);
        self
    }

    /// Keep a field the model does not type, verbatim.
    #[must_use]
    pub fn with_extra(mut self, key: impl Into<String>, value: Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }
}

impl BucketPolicy {
    /// A policy holding `statements`, with no version.
    pub fn new(statements: Vec<PolicyStatement>) -> Self {
        Self {
            version: None,
            statements,
            extra: BTreeMap::new(),
        }
    }

    /// Set the policy language version (COS `2.0`, AWS `2012-10-17`).
    #[must_use]
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Keep a top-level field the model does not type, verbatim.
    #[must_use]
    pub fn with_extra(mut self, key: impl Into<String>, value: Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }

    /// Checks what holds for every provider: at least one statement, each with at least one
    /// action and one resource, non-empty strings. Returns every problem found.
    pub fn validate(&self) -> Violations {
        let mut v = Violations::new();
        v.check(
            !self.statements.is_empty(),
            || "statements".into(),
            "at least one statement is required",
        );
        for (i, st) in self.statements.iter().enumerate() {
            let at = format!("statements[{i}]");
            v.check(
                !st.actions.is_empty(),
                || format!("{at}.actions"),
                "at least one action is required",
            );
            v.check(
                !st.resources.is_empty(),
                || format!("{at}.resources"),
                "at least one resource is required",
            );
            for (j, a) in st.actions.iter().enumerate() {
                v.check(
                    !a.trim().is_empty(),
                    || format!("{at}.actions[{j}]"),
                    "must not be empty",
                );
            }
            for (j, r) in st.resources.iter().enumerate() {
                v.check(
                    !r.trim().is_empty(),
                    || format!("{at}.resources[{j}]"),
                    "must not be empty",
                );
            }
            if let Some(Principal::Ids(ids)) = &st.principal {
                v.check(
                    ids.values().any(|l| !l.is_empty()),
                    || format!("{at}.principal"),
                    "must name at least one identity (or be \"*\")",
                );
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEUTRAL: &str = r#"{
        "version": "2.0",
        "statements": [{
            "effect": "allow",
            "principal": {"qcs": ["qcs::cam::uin/100000000001:uin/100000000011"]},
            "actions": ["name/cos:GetBucket"],
            "resources": ["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"],
            "conditions": {"ip_equal": {"qcs:ip": "10.121.2.10/24"}},
            "x_future_field": {"kept": true}
        }],
        "id": "policy-7"
    }"#;

    #[test]
    fn unknown_fields_survive_a_round_trip() {
        let policy: BucketPolicy = serde_json::from_str(NEUTRAL).unwrap();
        assert_eq!(policy.extra["id"], "policy-7");
        assert_eq!(policy.statements[0].extra["x_future_field"]["kept"], true);
        let again: BucketPolicy =
            serde_json::from_str(&serde_json::to_string(&policy).unwrap()).unwrap();
        assert_eq!(again, policy);
        assert!(policy.validate().is_empty());
    }

    #[test]
    fn principal_forms() {
        let p: Principal = serde_json::from_str(r#""*""#).unwrap();
        assert_eq!(p, Principal::Everyone);
        let p: Principal = serde_json::from_str(r#"{"qcs": "one"}"#).unwrap();
        assert_eq!(
            p,
            Principal::Ids([("qcs".into(), vec!["one".into()])].into())
        );
        assert!(serde_json::from_str::<Principal>(r#""bob""#).is_err());
    }

    #[test]
    fn effect_is_case_insensitive_on_input() {
        assert_eq!(
            serde_json::from_str::<Effect>(r#""Deny""#).unwrap(),
            Effect::Deny
        );
        assert!(serde_json::from_str::<Effect>(r#""maybe""#).is_err());
    }

    #[test]
    fn validation_reports_empty_lists() {
        let mut policy: BucketPolicy = serde_json::from_str(NEUTRAL).unwrap();
        policy.statements[0].actions.clear();
        policy.statements[0].resources = vec![" ".into()];
        let fields: Vec<_> = policy
            .validate()
            .into_vec()
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(
            fields,
            ["statements[0].actions", "statements[0].resources[0]"]
        );
    }
}
