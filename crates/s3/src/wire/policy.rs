//! Bucket policy JSON.
//!
//! Written with the IAM spelling (`Version`, `Statement`, `Sid`, `Effect` as `Allow`/`Deny`,
//! `Principal`, `Action`, `Resource`, `Condition`); reading accepts any letter case of those keys,
//! `Action`/`Resource` as a string or a list, and keeps every other key in `extra`.

use std::collections::BTreeMap;

use bucket_admin_core::{BucketPolicy, Effect, Error, ErrorKind, PolicyStatement, Principal};
use serde_json::{Map, Value};

fn decode(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Decode, msg.into())
}

/// The IAM JSON document of a neutral policy.
pub(crate) fn to_wire(policy: &BucketPolicy) -> Result<String, Error> {
    let mut root = Map::new();
    let statements: Vec<Value> = policy.statements.iter().map(statement_to_wire).collect();
    root.insert("Statement".into(), Value::Array(statements));
    if let Some(version) = &policy.version {
        root.insert("Version".into(), Value::String(version.clone()));
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

fn statement_to_wire(st: &PolicyStatement) -> Value {
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
    let effect = match st.effect {
        Effect::Allow => "Allow",
        Effect::Deny => "Deny",
    };
    m.insert("Effect".into(), Value::String(effect.into()));
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
            "Condition".into(),
            Value::Object(conditions.clone().into_iter().collect()),
        );
    }
    for (k, v) in &st.extra {
        m.entry(k.clone()).or_insert_with(|| v.clone());
    }
    Value::Object(m)
}

/// Parses a policy body (whatever its content type said).
pub(crate) fn from_wire(body: &str) -> Result<BucketPolicy, Error> {
    let value: Value = serde_json::from_str(body.trim()).map_err(|e| {
        decode(format!(
            "cannot parse the policy JSON returned by the server: {e}"
        ))
    })?;
    let Value::Object(root) = value else {
        return Err(decode(
            "the server returned a policy that is not a JSON object",
        ));
    };
    let mut version = None;
    let mut statements = Vec::new();
    let mut extra = BTreeMap::new();
    for (key, value) in root {
        match key.to_ascii_lowercase().as_str() {
            "version" => match value {
                Value::String(s) => version = Some(s),
                other => version = Some(other.to_string()),
            },
            "statement" => {
                let list = match value {
                    Value::Array(list) => list,
                    one @ Value::Object(_) => vec![one],
                    _ => {
                        return Err(decode(
                            "the server returned a policy whose Statement is not a list",
                        ));
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
        let p = from_wire(body).unwrap();
        assert_eq!(p.version.as_deref(), Some("2.0"));
        assert_eq!(p.extra["id"], "p1");
        let st = &p.statements[0];
        assert_eq!(st.effect, Effect::Deny);
        assert_eq!(st.principal, Some(Principal::Everyone));
        assert_eq!(st.actions, ["name/cos:GetObject"]);
        assert_eq!(st.resources, ["a", "b"]);
        assert!(st.conditions.as_ref().unwrap().contains_key("ip_equal"));
        assert_eq!(st.extra["future"], 1);
        let again = from_wire(&to_wire(&p).unwrap()).unwrap();
        assert_eq!(again, p);
    }

    #[test]
    fn rejects_non_json() {
        assert_eq!(from_wire("<xml/>").unwrap_err().kind(), ErrorKind::Decode);
        assert_eq!(from_wire("[]").unwrap_err().kind(), ErrorKind::Decode);
    }
}
