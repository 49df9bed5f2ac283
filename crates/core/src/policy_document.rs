//! The bucket policy document: the JSON policy language COS, S3 and S3-compatible services
//! share, read and written in one place.
//!
//! Reading accepts any letter case of the keys (`Statement`/`statement`, `Effect`, `Principal`,
//! `Action`, `Resource`, `Condition`, `Version`), `Action`/`Resource` as a string or a list,
//! and keeps every other key in `extra`. A JSON object without a `Statement` is an error, not
//! an empty policy: it is some other document. Writing follows the provider's spelling
//! ([`PolicyDialect`]).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind};
use crate::models::{BucketPolicy, Effect, PolicyStatement, Principal};

/// How a provider spells a policy document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyDialect {
    /// COS: `version`, `condition`, effects `allow`/`deny` (the COS documentation's spelling).
    Cos,
    /// AWS IAM and S3-compatible services: `Version`, `Condition`, effects `Allow`/`Deny`.
    Iam,
}

impl PolicyDialect {
    fn version_key(self) -> &'static str {
        match self {
            PolicyDialect::Cos => "version",
            PolicyDialect::Iam => "Version",
        }
    }

    fn condition_key(self) -> &'static str {
        match self {
            PolicyDialect::Cos => "condition",
            PolicyDialect::Iam => "Condition",
        }
    }

    fn effect(self, effect: Effect) -> &'static str {
        match (self, effect) {
            (PolicyDialect::Cos, e) => e.as_str(),
            (PolicyDialect::Iam, Effect::Allow) => "Allow",
            (PolicyDialect::Iam, Effect::Deny) => "Deny",
        }
    }
}

fn decode(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Decode, msg.into())
}

/// The JSON document of a neutral policy, spelled as `dialect` spells it.
pub fn to_document(policy: &BucketPolicy, dialect: PolicyDialect) -> Result<String, Error> {
    let mut root = Map::new();
    let statements: Vec<Value> = policy
        .statements
        .iter()
        .map(|st| statement_to_wire(st, dialect))
        .collect();
    root.insert("Statement".into(), Value::Array(statements));
    if let Some(version) = &policy.version {
        root.insert(dialect.version_key().into(), Value::String(version.clone()));
    }
    for (k, v) in &policy.extra {
        root.entry(k.clone()).or_insert_with(|| v.clone());
    }
    serde_json::to_string(&Value::Object(root)).map_err(|e| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("cannot write the policy JSON: {e}"),
        )
    })
}

fn statement_to_wire(st: &PolicyStatement, dialect: PolicyDialect) -> Value {
    let mut m = Map::new();
    if let Some(sid) = &st.sid {
        m.insert("Sid".into(), Value::String(sid.clone()));
    }
    if let Some(principal) = &st.principal {
        let value = match principal {
            Principal::Everyone => Value::String("*".into()),
            Principal::Ids(ids) => Value::Object(
                ids.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            Value::Array(v.iter().cloned().map(Value::String).collect()),
                        )
                    })
                    .collect(),
            ),
        };
        m.insert("Principal".into(), value);
    }
    m.insert(
        "Effect".into(),
        Value::String(dialect.effect(st.effect).into()),
    );
    m.insert(
        "Action".into(),
        Value::Array(st.actions.iter().cloned().map(Value::String).collect()),
    );
    m.insert(
        "Resource".into(),
        Value::Array(st.resources.iter().cloned().map(Value::String).collect()),
    );
    if let Some(conditions) = &st.conditions {
        m.insert(
            dialect.condition_key().into(),
            Value::Object(conditions.clone().into_iter().collect()),
        );
    }
    for (k, v) in &st.extra {
        m.entry(k.clone()).or_insert_with(|| v.clone());
    }
    Value::Object(m)
}

/// Parses a policy document in any dialect (whatever its content type said). `source` names
/// who sent it in error messages (`COS`, `the server`).
pub fn from_document(body: &str, source: &str) -> Result<BucketPolicy, Error> {
    let value: Value = serde_json::from_str(body.trim()).map_err(|e| {
        decode(format!(
            "cannot parse the policy JSON returned by {source}: {e}"
        ))
    })?;
    let Value::Object(root) = value else {
        return Err(decode(format!(
            "{source} returned a policy that is not a JSON object"
        )));
    };
    let mut version = None;
    let mut statements = Vec::new();
    let mut extra = BTreeMap::new();
    let mut saw_statement = false;
    for (key, value) in root {
        match key.to_ascii_lowercase().as_str() {
            "version" => match value {
                Value::String(s) => version = Some(s),
                other => version = Some(other.to_string()),
            },
            "statement" => {
                saw_statement = true;
                let list = match value {
                    Value::Array(list) => list,
                    one @ Value::Object(_) => vec![one],
                    _ => {
                        return Err(decode(format!(
                            "{source} returned a policy whose Statement is not a list"
                        )));
                    }
                };
                for (i, st) in list.into_iter().enumerate() {
                    statements.push(statement_from_wire(st, i)?);
                }
            }
            _ => {
                extra.insert(key, value);
            }
        }
    }
    // Another JSON document (an error object, a different configuration) is not an empty
    // policy: reading it as one would hide what the server really said.
    if !saw_statement {
        return Err(decode(format!(
            "{source} returned a JSON object without a `Statement`, which is not a bucket policy"
        )));
    }
    Ok(BucketPolicy {
        version,
        statements,
        extra,
    })
}

fn string_list(value: Value, what: &str) -> Result<Vec<String>, Error> {
    match value {
        Value::String(s) => Ok(vec![s]),
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                other => Err(decode(format!(
                    "policy {what} holds a non-string value `{other}`"
                ))),
            })
            .collect(),
        other => Err(decode(format!(
            "policy {what} is neither a string nor a list: `{other}`"
        ))),
    }
}

fn statement_from_wire(value: Value, i: usize) -> Result<PolicyStatement, Error> {
    let Value::Object(map) = value else {
        return Err(decode(format!("policy statement {i} is not a JSON object")));
    };
    let mut sid = None;
    let mut effect = None;
    let mut principal = None;
    let mut actions = Vec::new();
    let mut resources = Vec::new();
    let mut conditions = None;
    let mut extra = BTreeMap::new();
    for (key, value) in map {
        match key.to_ascii_lowercase().as_str() {
            "sid" => {
                sid = value
                    .as_str()
                    .map(str::to_owned)
                    .or(Some(value.to_string()))
            }
            "effect" => {
                effect = Some(
                    serde_json::from_value::<Effect>(value)
                        .map_err(|e| decode(format!("policy statement {i}: {e}")))?,
                )
            }
            "principal" => {
                principal = Some(
                    serde_json::from_value::<Principal>(value)
                        .map_err(|e| decode(format!("policy statement {i} principal: {e}")))?,
                )
            }
            "action" => actions = string_list(value, &format!("statement {i} Action"))?,
            "resource" => resources = string_list(value, &format!("statement {i} Resource"))?,
            "condition" => match value {
                Value::Object(m) => conditions = Some(m.into_iter().collect()),
                Value::Null => {}
                other => {
                    return Err(decode(format!(
                        "policy statement {i} condition is not an object: `{other}`"
                    )));
                }
            },
            _ => {
                extra.insert(key, value);
            }
        }
    }
    let effect = effect.ok_or_else(|| decode(format!("policy statement {i} has no Effect")))?;
    Ok(PolicyStatement {
        sid,
        effect,
        principal,
        actions,
        resources,
        conditions,
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_strings_lists_and_any_key_case_and_keeps_unknown_fields() {
        let body = r#"{"Version":"2.0","id":"p1","statement":{"effect":"Deny","principal":"*",
            "action":"name/cos:GetObject","resource":["a","b"],"Condition":{"ip_equal":{"qcs:ip":"1.2.3.4"}},
            "future":1}}"#;
        let p = from_document(body, "COS").unwrap();
        assert_eq!(p.version.as_deref(), Some("2.0"));
        assert_eq!(p.extra["id"], "p1");
        let st = &p.statements[0];
        assert_eq!(st.effect, Effect::Deny);
        assert_eq!(st.principal, Some(Principal::Everyone));
        assert_eq!(st.actions, ["name/cos:GetObject"]);
        assert_eq!(st.resources, ["a", "b"]);
        assert!(st.conditions.as_ref().unwrap().contains_key("ip_equal"));
        assert_eq!(st.extra["future"], 1);
        for dialect in [PolicyDialect::Cos, PolicyDialect::Iam] {
            let again = from_document(&to_document(&p, dialect).unwrap(), "COS").unwrap();
            assert_eq!(again, p, "{dialect:?}");
        }
    }

    #[test]
    fn each_dialect_has_its_spelling() {
        let p = from_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{}}]}"#,
            "S3",
        )
        .unwrap();
        let iam: Value =
            serde_json::from_str(&to_document(&p, PolicyDialect::Iam).unwrap()).unwrap();
        assert_eq!(iam["Version"], "2012-10-17");
        assert_eq!(iam["Statement"][0]["Effect"], "Allow");
        assert!(iam["Statement"][0].get("Condition").is_some());
        let cos: Value =
            serde_json::from_str(&to_document(&p, PolicyDialect::Cos).unwrap()).unwrap();
        assert_eq!(cos["version"], "2012-10-17");
        assert_eq!(cos["Statement"][0]["Effect"], "allow");
        assert!(cos["Statement"][0].get("condition").is_some());
    }

    #[test]
    fn rejects_non_json_and_documents_without_a_statement() {
        assert_eq!(
            from_document("<xml/>", "COS").unwrap_err().kind(),
            ErrorKind::Decode
        );
        assert_eq!(
            from_document("[]", "COS").unwrap_err().kind(),
            ErrorKind::Decode
        );
        let other = from_document(r#"{"Code":"AccessDenied"}"#, "the server").unwrap_err();
        assert_eq!(other.kind(), ErrorKind::Decode);
        assert!(other.message().contains("the server returned"), "{other}");
    }
}
