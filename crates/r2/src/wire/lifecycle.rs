//! Lifecycle: `{"rules":[{id, enabled, conditions:{prefix}, deleteObjectsTransition?,
//! abortMultipartUploadsTransition?, storageClassTransitions?}]}`. Ages are seconds.

use bucket_admin_core::{
    Age, Error, Expiration, LifecycleConfiguration, LifecycleDate, LifecycleFilter, LifecycleRule,
    Operation, Provider, StorageClass, Transition, Trigger, Violations,
};
use serde::{Deserialize, Serialize};
use serde_json::Number;

use super::bucket::storage_class_from_wire;
use super::{date_from_wire, decode, exact_uint, lifecycle_date_to_wire};

/// R2's documented maximum number of lifecycle rules per bucket.
pub(crate) const MAX_RULES: usize = 1000;

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WireLifecycle {
    #[serde(default)]
    pub(crate) rules: Option<Vec<WireRule>>,
}

impl super::Listed for WireLifecycle {
    fn has_list(&self) -> bool {
        self.rules.is_some()
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WireRule {
    #[serde(default)]
    id: Option<String>,
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default)]
    conditions: WireConditions,
    #[serde(
        rename = "deleteObjectsTransition",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    delete: Option<WireTransition>,
    #[serde(
        rename = "abortMultipartUploadsTransition",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    abort: Option<WireTransition>,
    #[serde(
        rename = "storageClassTransitions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    transitions: Option<Vec<WireClassTransition>>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct WireConditions {
    #[serde(default)]
    prefix: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireTransition {
    condition: WireCondition,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireClassTransition {
    condition: WireCondition,
    #[serde(rename = "storageClass")]
    storage_class: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type")]
enum WireCondition {
    Age {
        #[serde(rename = "maxAge")]
        max_age: Number,
    },
    Date {
        date: String,
    },
}

impl WireCondition {
    fn age(age: Age) -> Self {
        WireCondition::Age {
            max_age: Number::from(age.as_seconds()),
        }
    }

    fn trigger(&self, at: &str) -> Result<Trigger, Error> {
        match self {
            WireCondition::Age { max_age } => exact_uint(max_age, u64::MAX)
                .map(|s| Trigger::After(Age::seconds(s)))
                .map_err(|why| decode(format!("lifecycle {at}: maxAge {why}"))),
            WireCondition::Date { date } => date_from_wire(date)
                .map(|d| Trigger::On(LifecycleDate::utc(d)))
                .map_err(|why| decode(format!("lifecycle {at}: date {why}"))),
        }
    }
}

fn trigger_to_wire(trigger: Trigger) -> WireCondition {
    match trigger {
        Trigger::After(age) => WireCondition::age(age),
        Trigger::On(date) => WireCondition::Date {
            date: lifecycle_date_to_wire(date),
        },
    }
}

/// What R2 cannot express at all, named by field: [`ErrorKind::Unsupported`] before sending.
///
/// [`ErrorKind::Unsupported`]: bucket_admin_core::ErrorKind::Unsupported
fn check_supported(config: &LifecycleConfiguration) -> Result<(), Error> {
    let unsupported = |what: String| {
        Err(Error::unsupported(
            Provider::R2,
            Operation::PutLifecycle,
            what,
        ))
    };
    for (i, rule) in config.rules.iter().enumerate() {
        let at = format!("rules[{i}]");
        if !rule.filter.tags.is_empty() {
            return unsupported(format!("lifecycle tag filters ({at}.filter.tags)"));
        }
        if rule.noncurrent_version_expiration_days.is_some() {
            return unsupported(format!(
                "noncurrent-version expiration ({at}.noncurrent_version_expiration_days): R2 has no object versions"
            ));
        }
        if !rule.noncurrent_version_transitions.is_empty() {
            return unsupported(format!(
                "noncurrent-version transitions ({at}.noncurrent_version_transitions): R2 has no object versions"
            ));
        }
        if rule.expiration == Some(Expiration::ExpiredObjectDeleteMarker) {
            return unsupported(format!(
                "ExpiredObjectDeleteMarker ({at}.expiration): R2 has no delete markers"
            ));
        }
        for (j, t) in rule.transitions.iter().enumerate() {
            if t.storage_class != StorageClass::InfrequentAccess {
                return unsupported(format!(
                    "lifecycle transitions to storage class `{}` ({at}.transitions[{j}].storage_class); only infrequent_access",
                    t.storage_class
                ));
            }
        }
    }
    Ok(())
}

/// The wire form of a neutral configuration, after checking everything R2 needs.
pub(crate) fn to_wire(config: &LifecycleConfiguration) -> Result<WireLifecycle, Error> {
    check_supported(config)?;
    let mut v = config.validate();
    let mut r2 = Violations::new();
    r2.check(
        config.rules.len() <= MAX_RULES,
        || "rules".into(),
        format!("R2 accepts at most {MAX_RULES} lifecycle rules"),
    );
    // R2 reads every date as midnight UTC: a date from another zone (a COS date is midnight
    // +08:00) would move by hours, so it must be converted knowingly first.
    let utc_only = |date: &LifecycleDate| date.offset() == time::UtcOffset::UTC;
    let rule_text = |date: &LifecycleDate| {
        format!(
            "R2 lifecycle dates are midnight UTC but {date} is midnight in another zone; convert the configuration with bucket_admin_core::convert::lifecycle_for, which reports the shift"
        )
    };
    for (i, rule) in config.rules.iter().enumerate() {
        r2.check(
            rule.id.is_some(),
            || format!("rules[{i}].id"),
            "R2 requires an id on every lifecycle rule",
        );
        if let Some(Expiration::On(date)) = &rule.expiration {
            r2.check(
                utc_only(date),
                || format!("rules[{i}].expiration.on"),
                rule_text(date),
            );
        }
        for (j, t) in rule.transitions.iter().enumerate() {
            if let Trigger::On(date) = &t.trigger {
                r2.check(
                    utc_only(date),
                    || format!("rules[{i}].transitions[{j}].trigger.on"),
                    rule_text(date),
                );
            }
        }
    }
    v.extend(r2);
    v.into_result()?;
    Ok(WireLifecycle {
        rules: Some(config.rules.iter().map(rule_to_wire).collect()),
    })
}

fn rule_to_wire(rule: &LifecycleRule) -> WireRule {
    let delete = match rule.expiration {
        Some(Expiration::After(age)) => Some(WireTransition {
            condition: WireCondition::age(age),
        }),
        Some(Expiration::On(date)) => Some(WireTransition {
            condition: WireCondition::Date {
                date: lifecycle_date_to_wire(date),
            },
        }),
        // Rejected by check_supported before we get here.
        Some(Expiration::ExpiredObjectDeleteMarker) | None => None,
    };
    let transitions: Vec<_> = rule
        .transitions
        .iter()
        .map(|t| WireClassTransition {
            condition: trigger_to_wire(t.trigger),
            storage_class: "InfrequentAccess".to_owned(),
        })
        .collect();
    WireRule {
        id: rule.id.clone(),
        enabled: rule.enabled,
        conditions: WireConditions {
            prefix: rule.filter.prefix.clone().unwrap_or_default(),
        },
        delete,
        abort: rule
            .abort_incomplete_multipart_upload
            .map(|age| WireTransition {
                condition: WireCondition::age(age),
            }),
        transitions: (!transitions.is_empty()).then_some(transitions),
    }
}

/// The neutral configuration, or `None` when there are no rules.
pub(crate) fn from_wire(wire: WireLifecycle) -> Result<Option<LifecycleConfiguration>, Error> {
    let rules = wire.rules.unwrap_or_default();
    if rules.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(rules.len());
    for (i, rule) in rules.into_iter().enumerate() {
        let at = match &rule.id {
            Some(id) => format!("rules[{i}] (id `{id}`)"),
            None => format!("rules[{i}]"),
        };
        let expiration = match &rule.delete {
            None => None,
            Some(t) => Some(
                match t
                    .condition
                    .trigger(&format!("{at}.deleteObjectsTransition"))?
                {
                    Trigger::After(age) => Expiration::After(age),
                    Trigger::On(date) => Expiration::On(date),
                },
            ),
        };
        let abort = match &rule.abort {
            None => None,
            Some(t) => match t
                .condition
                .trigger(&format!("{at}.abortMultipartUploadsTransition"))?
            {
                Trigger::After(age) => Some(age),
                Trigger::On(_) => {
                    return Err(decode(format!(
                        "lifecycle {at}.abortMultipartUploadsTransition: a Date condition cannot be represented (only Age)"
                    )));
                }
            },
        };
        let mut transitions = Vec::new();
        for (j, t) in rule.transitions.iter().flatten().enumerate() {
            transitions.push(Transition::new(
                t.condition
                    .trigger(&format!("{at}.storageClassTransitions[{j}]"))?,
                storage_class_from_wire(&t.storage_class),
            ));
        }
        let filter = match rule.conditions.prefix {
            p if p.is_empty() => LifecycleFilter::default(),
            p => LifecycleFilter::prefix(p),
        };
        let mut neutral = LifecycleRule::new()
            .with_enabled(rule.enabled)
            .with_filter(filter)
            .with_transitions(transitions);
        neutral.id = rule.id;
        neutral.expiration = expiration;
        neutral.abort_incomplete_multipart_upload = abort;
        out.push(neutral);
    }
    Ok(Some(LifecycleConfiguration::new(out)))
}

#[cfg(test)]
mod tests {
    use bucket_admin_core::{ErrorKind, NoncurrentTransition, Tag};
    use serde_json::json;
    use time::macros::date;

    use super::*;

    fn rule(id: &str) -> LifecycleRule {
        LifecycleRule::new()
            .with_id(id)
            .with_filter(LifecycleFilter::default().with_prefix("logs/"))
            .with_expiration(Expiration::After(Age::days(30)))
            .with_transitions([Transition::on(
                LifecycleDate::utc(date!(2031 - 04 - 20)),
                StorageClass::InfrequentAccess,
            )])
            .with_abort_incomplete_multipart_upload(Age::seconds(3600))
    }

    #[test]
    fn a_rule_without_enabled_is_enabled() {
        let wire = json!({"rules": [{
            "id": "r", "conditions": {"prefix": ""},
            "deleteObjectsTransition": {"condition": {"type": "Age", "maxAge": 86400}}
        }]});
        let cfg = from_wire(serde_json::from_value(wire).unwrap())
            .unwrap()
            .unwrap();
        assert!(cfg.rules[0].enabled);
    }

    #[test]
    fn full_rule_to_wire_and_back() {
        let cfg = LifecycleConfiguration::new(vec![rule("r1")]);
        let wire = serde_json::to_value(to_wire(&cfg).unwrap()).unwrap();
        assert_eq!(
            wire,
            json!({"rules": [{
                "id": "r1", "enabled": true, "conditions": {"prefix": "logs/"},
                "deleteObjectsTransition": {"condition": {"type": "Age", "maxAge": 2_592_000}},
                "abortMultipartUploadsTransition": {"condition": {"type": "Age", "maxAge": 3600}},
                "storageClassTransitions": [{"condition": {"type": "Date", "date": "2031-04-20T00:00:00Z"}, "storageClass": "InfrequentAccess"}]
            }]})
        );
        let back = from_wire(serde_json::from_value(wire).unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(back, cfg);
        assert_eq!(
            back.rules[0].expiration.unwrap(),
            Expiration::After(Age::days(30)),
            "whole days come back as days"
        );
    }

    #[test]
    fn server_default_rule_parses() {
        let got = from_wire(
            serde_json::from_value(json!({"rules": [{
                "id": "Default Multipart Abort Rule", "enabled": true, "conditions": {"prefix": ""},
                "abortMultipartUploadsTransition": {"condition": {"type": "Age", "maxAge": 604800}}
            }]}))
            .unwrap(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(got.rules[0].filter.prefix, None);
        assert_eq!(
            got.rules[0].abort_incomplete_multipart_upload,
            Some(Age::days(7))
        );
    }

    #[test]
    fn decode_errors_are_not_truncations() {
        let bad_time = json!({"rules": [{"id": "d", "enabled": true, "conditions": {"prefix": ""},
            "deleteObjectsTransition": {"condition": {"type": "Date", "date": "2031-04-20T06:00:00Z"}}}]});
        let err = from_wire(serde_json::from_value(bad_time).unwrap()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert!(err.message().contains("rules[0] (id `d`)"));
        let frac = json!({"rules": [{"id": "f", "enabled": true, "conditions": {"prefix": ""},
            "deleteObjectsTransition": {"condition": {"type": "Age", "maxAge": 10.5}}}]});
        assert_eq!(
            from_wire(serde_json::from_value(frac).unwrap())
                .unwrap_err()
                .kind(),
            ErrorKind::Decode
        );
        assert!(
            from_wire(serde_json::from_value(json!({"rules": []})).unwrap())
                .unwrap()
                .is_none()
        );
    }

    type Mutation = Box<dyn Fn(&mut LifecycleRule)>;

    #[test]
    fn what_r2_cannot_express_is_rejected_naming_the_field() {
        let cases: Vec<(Mutation, &str, ErrorKind)> = vec![
            (
                Box::new(|r| r.filter.tags.push(Tag::new("k", "v"))),
                "rules[0].filter.tags",
                ErrorKind::Unsupported,
            ),
            (
                Box::new(|r| r.noncurrent_version_expiration_days = Some(3)),
                "rules[0].noncurrent_version_expiration_days",
                ErrorKind::Unsupported,
            ),
            (
                Box::new(|r| {
                    r.noncurrent_version_transitions
                        .push(NoncurrentTransition::new(1, StorageClass::InfrequentAccess))
                }),
                "rules[0].noncurrent_version_transitions",
                ErrorKind::Unsupported,
            ),
            (
                Box::new(|r| r.expiration = Some(Expiration::ExpiredObjectDeleteMarker)),
                "rules[0].expiration",
                ErrorKind::Unsupported,
            ),
            (
                Box::new(|r| r.transitions[0].storage_class = StorageClass::Archive),
                "rules[0].transitions[0].storage_class",
                ErrorKind::Unsupported,
            ),
            (
                Box::new(|r| r.id = None),
                "rules[0].id",
                ErrorKind::InvalidInput,
            ),
        ];
        for (mutate, field, kind) in cases {
            let mut r = rule("r");
            mutate(&mut r);
            let err = to_wire(&LifecycleConfiguration::new(vec![r])).unwrap_err();
            assert_eq!(err.kind(), kind, "{field}");
            assert!(
                err.message().contains(field) || err.violations().iter().any(|v| v.field == field),
                "{field}: {err}"
            );
        }
        let too_many =
            LifecycleConfiguration::new((0..1001).map(|i| rule(&format!("r{i}"))).collect());
        let err = to_wire(&too_many).unwrap_err();
        assert!(err.violations().iter().any(|v| v.field == "rules"));
        let mut disabled = rule("off");
        disabled.enabled = false;
        let wire =
            serde_json::to_value(to_wire(&LifecycleConfiguration::new(vec![disabled])).unwrap())
                .unwrap();
        assert_eq!(wire["rules"][0]["enabled"], json!(false));
    }
}
