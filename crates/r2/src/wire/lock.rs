//! Bucket lock rules: `{"rules":[{id, enabled, prefix?, condition: {type: Age, maxAgeSeconds}
//! | {type: Date, date} | {type: Indefinite}}]}`.

use bucket_admin_core::{Error, Violations};
use serde::{Deserialize, Serialize};
use serde_json::Number;

use super::{date_from_wire, date_to_wire, decode, exact_uint};
use crate::extras::{LockCondition, LockRule};

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WireLock {
    #[serde(default)]
    pub(crate) rules: Option<Vec<WireLockRule>>,
}

impl super::Listed for WireLock {
    fn has_list(&self) -> bool {
        self.rules.is_some()
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WireLockRule {
    id: String,
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prefix: Option<String>,
    condition: WireLockCondition,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type")]
enum WireLockCondition {
    Age {
        #[serde(rename = "maxAgeSeconds")]
        max_age_seconds: Number,
    },
    Date {
        date: String,
    },
    Indefinite,
}

pub(crate) fn to_wire(rules: &[LockRule]) -> Result<WireLock, Error> {
    let mut v = Violations::new();
    for (i, r) in rules.iter().enumerate() {
        v.check(
            !r.id.is_empty(),
            || format!("rules[{i}].id"),
            "must not be empty",
        );
        let dup = rules[..i].iter().any(|o| o.id == r.id);
        v.check(!dup, || format!("rules[{i}].id"), "ids must be unique");
    }
    v.into_result()?;
    Ok(WireLock {
        rules: Some(
            rules
                .iter()
                .map(|r| WireLockRule {
                    id: r.id.clone(),
                    enabled: r.enabled,
                    prefix: r.prefix.clone(),
                    condition: match r.condition {
                        LockCondition::Age { max_age_seconds } => WireLockCondition::Age {
                            max_age_seconds: Number::from(max_age_seconds),
                        },
                        LockCondition::Date(d) => WireLockCondition::Date {
                            date: date_to_wire(d),
                        },
                        LockCondition::Indefinite => WireLockCondition::Indefinite,
                    },
                })
                .collect(),
        ),
    })
}

pub(crate) fn from_wire(wire: WireLock) -> Result<Vec<LockRule>, Error> {
    let mut out = Vec::new();
    for (i, r) in wire.rules.unwrap_or_default().into_iter().enumerate() {
        let at = format!("rules[{i}] (id `{}`)", r.id);
        let condition = match &r.condition {
            WireLockCondition::Age { max_age_seconds } => LockCondition::Age {
                max_age_seconds: exact_uint(max_age_seconds, u64::MAX)
                    .map_err(|why| decode(format!("lock {at}: maxAgeSeconds {why}")))?,
            },
            WireLockCondition::Date { date } => LockCondition::Date(
                date_from_wire(date).map_err(|why| decode(format!("lock {at}: date {why}")))?,
            ),
            WireLockCondition::Indefinite => LockCondition::Indefinite,
        };
        out.push(LockRule {
            id: r.id,
            enabled: r.enabled,
            prefix: r.prefix.filter(|p| !p.is_empty()),
            condition,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::date;

    use super::*;

    #[test]
    fn a_lock_rule_without_enabled_is_enabled() {
        let wire = json!({"rules": [{"id": "r", "condition": {"type": "Indefinite"}}]});
        let rules = from_wire(serde_json::from_value(wire).unwrap()).unwrap();
        assert!(rules[0].enabled);
    }

    #[test]
    fn lock_rules_round_trip() {
        let rules = vec![
            LockRule {
                id: "a".into(),
                enabled: true,
                prefix: Some("x/".into()),
                condition: LockCondition::Age {
                    max_age_seconds: 86400,
                },
            },
            LockRule {
                id: "d".into(),
                enabled: false,
                prefix: None,
                condition: LockCondition::Date(date!(2030 - 01 - 01)),
            },
            LockRule {
                id: "i".into(),
                enabled: true,
                prefix: None,
                condition: LockCondition::Indefinite,
            },
        ];
        let v = serde_json::to_value(to_wire(&rules).unwrap()).unwrap();
        assert_eq!(
            v["rules"][0]["condition"],
            json!({"type": "Age", "maxAgeSeconds": 86400})
        );
        assert_eq!(
            v["rules"][1]["condition"],
            json!({"type": "Date", "date": "2030-01-01T00:00:00Z"})
        );
        assert_eq!(v["rules"][2]["condition"], json!({"type": "Indefinite"}));
        assert_eq!(
            from_wire(serde_json::from_value(v).unwrap()).unwrap(),
            rules
        );
        let dup = vec![rules[0].clone(), rules[0].clone()];
        assert!(to_wire(&dup).is_err());
    }
}
