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

/// `{"type": "Age", "maxAge": seconds}` or `{"type": "Date", "date": "..."}`.
///
/// Written by serde's internally tagged form; read by [`WireCondition::deserialize`] in one
/// pass when `type` comes first (as R2 and this encoder write it), and by serde's form
/// ([`TaggedCondition`]) otherwise, so what is accepted and what is refused stays serde's.
#[derive(Debug, Serialize)]
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

/// [`WireCondition`] as serde's internally tagged derive reads it (the tag anywhere in the
/// object, or first in an array): the reference the one-pass read falls back to.
#[derive(Debug, Deserialize)]
#[serde(tag = "type")]
enum TaggedCondition {
    Age {
        #[serde(rename = "maxAge")]
        max_age: Number,
    },
    Date {
        date: String,
    },
}

impl From<TaggedCondition> for WireCondition {
    fn from(c: TaggedCondition) -> Self {
        match c {
            TaggedCondition::Age { max_age } => WireCondition::Age { max_age },
            TaggedCondition::Date { date } => WireCondition::Date { date },
        }
    }
}

/// The variant a condition's `type` names: a string, as serde's tag is read.
enum ConditionKind {
    Age,
    Date,
}

impl<'de> Deserialize<'de> for ConditionKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = ConditionKind;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("variant identifier")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<ConditionKind, E> {
                match s {
                    "Age" => Ok(ConditionKind::Age),
                    "Date" => Ok(ConditionKind::Date),
                    other => Err(E::unknown_variant(other, &["Age", "Date"])),
                }
            }
        }
        d.deserialize_identifier(V)
    }
}

/// A key of a condition object, borrowed when it can be.
struct ConditionKey<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for ConditionKey<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ConditionKey<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(ConditionKey(s.into()))
            }
            fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
                Ok(ConditionKey(s.to_owned().into()))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for WireCondition {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};

        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = WireCondition;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("internally tagged enum WireCondition")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<serde_json::Value>()? {
                    items.push(item);
                }
                tagged(serde_json::Value::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let Some(first) = map.next_key::<ConditionKey<'de>>()? else {
                    return Err(A::Error::missing_field("type"));
                };
                if first.0 != "type" {
                    // Not the order R2 writes: read it all (duplicate keys kept, as serde
                    // keeps them to refuse them), then as serde reads it.
                    let mut entries = vec![(first.0.into_owned(), map.next_value()?)];
                    while let Some(entry) = map.next_entry::<String, serde_json::Value>()? {
                        entries.push(entry);
                    }
                    return TaggedCondition::deserialize(serde::de::value::MapDeserializer::new(
                        entries.into_iter(),
                    ))
                    .map(WireCondition::from)
                    .map_err(A::Error::custom);
                }
                let kind: ConditionKind = map.next_value()?;
                let (mut max_age, mut date) = (None::<Number>, None::<String>);
                while let Some(key) = map.next_key::<ConditionKey<'de>>()? {
                    match (&kind, &*key.0) {
                        (_, "type") => return Err(A::Error::duplicate_field("type")),
                        (ConditionKind::Age, "maxAge") if max_age.is_some() => {
                            return Err(A::Error::duplicate_field("maxAge"));
                        }
                        (ConditionKind::Age, "maxAge") => max_age = Some(map.next_value()?),
                        (ConditionKind::Date, "date") if date.is_some() => {
                            return Err(A::Error::duplicate_field("date"));
                        }
                        (ConditionKind::Date, "date") => date = Some(map.next_value()?),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                match kind {
                    ConditionKind::Age => max_age
                        .map(|max_age| WireCondition::Age { max_age })
                        .ok_or_else(|| A::Error::missing_field("maxAge")),
                    ConditionKind::Date => date
                        .map(|date| WireCondition::Date { date })
                        .ok_or_else(|| A::Error::missing_field("date")),
                }
            }
        }

        /// Read by serde's internally tagged form, errors and all.
        fn tagged<E: serde::de::Error>(value: serde_json::Value) -> Result<WireCondition, E> {
            TaggedCondition::deserialize(value)
                .map(WireCondition::from)
                .map_err(E::custom)
        }

        d.deserialize_any(V)
    }
}

impl WireCondition {
    fn age(age: Age) -> Self {
        WireCondition::Age {
            max_age: Number::from(age.as_seconds()),
        }
    }

    /// The trigger; `at` names the condition, and is written only for an error.
    fn trigger(&self, at: impl FnOnce() -> String) -> Result<Trigger, Error> {
        match self {
            WireCondition::Age { max_age } => exact_uint(max_age, u64::MAX)
                .map(|s| Trigger::After(Age::seconds(s)))
                .map_err(|why| decode(format!("lifecycle {}: maxAge {why}", at()))),
            WireCondition::Date { date } => date_from_wire(date)
                .map(|d| Trigger::On(LifecycleDate::utc(d)))
                .map_err(|why| decode(format!("lifecycle {}: date {why}", at()))),
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
        // Written only for the error that names it.
        let at = || format!("rules[{i}]");
        if !rule.filter.tags.is_empty() {
            return unsupported(format!("lifecycle tag filters ({}.filter.tags)", at()));
        }
        if rule.noncurrent_version_expiration_days.is_some() {
            return unsupported(format!(
                "noncurrent-version expiration ({}.noncurrent_version_expiration_days): R2 has no object versions",
                at()
            ));
        }
        if !rule.noncurrent_version_transitions.is_empty() {
            return unsupported(format!(
                "noncurrent-version transitions ({}.noncurrent_version_transitions): R2 has no object versions",
                at()
            ));
        }
        if rule.expiration == Some(Expiration::ExpiredObjectDeleteMarker) {
            return unsupported(format!(
                "ExpiredObjectDeleteMarker ({}.expiration): R2 has no delete markers",
                at()
            ));
        }
        for (j, t) in rule.transitions.iter().enumerate() {
            if t.storage_class != StorageClass::InfrequentAccess {
                return unsupported(format!(
                    "lifecycle transitions to storage class `{}` ({}.transitions[{j}].storage_class); only infrequent_access",
                    t.storage_class,
                    at()
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
        // Only an error names the rule: formatting it for every rule cost more than the rest.
        let at = || match &rule.id {
            Some(id) => format!("rules[{i}] (id `{id}`)"),
            None => format!("rules[{i}]"),
        };
        let expiration = match &rule.delete {
            None => None,
            Some(t) => Some(
                match t
                    .condition
                    .trigger(|| format!("{}.deleteObjectsTransition", at()))?
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
                .trigger(|| format!("{}.abortMultipartUploadsTransition", at()))?
            {
                Trigger::After(age) => Some(age),
                Trigger::On(_) => {
                    return Err(decode(format!(
                        "lifecycle {}.abortMultipartUploadsTransition: a Date condition cannot be represented (only Age)",
                        at()
                    )));
                }
            },
        };
        let mut transitions = Vec::new();
        for (j, t) in rule.transitions.iter().flatten().enumerate() {
            transitions.push(Transition::new(
                t.condition
                    .trigger(|| format!("{}.storageClassTransitions[{j}]", at()))?,
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
    use proptest::prelude::*;
    use serde_json::json;
    use time::macros::date;

    use super::*;

    /// A condition as its variant and value, to compare the two readings.
    fn shape(c: WireCondition) -> String {
        match c {
            WireCondition::Age { max_age } => format!("Age {max_age}"),
            WireCondition::Date { date } => format!("Date {date}"),
        }
    }

    const KEYS: &[&str] = &["type", "maxAge", "date", "extra"];
    const VALUES: &[&str] = &[
        "\"Age\"",
        "\"Date\"",
        "\"Other\"",
        "86400",
        "10.5",
        "-1",
        "\"2031-04-20T00:00:00Z\"",
        "null",
        "{}",
        "[]",
        "{\"Age\": null}",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]

        /// The one-pass read accepts exactly what serde's internally tagged form accepts, and
        /// reads the same condition from it: objects with any keys in any order (duplicates
        /// included), arrays, and other values.
        #[test]
        fn a_condition_is_read_as_serde_reads_its_tagged_form(
            entries in prop::collection::vec((prop::sample::select(KEYS), prop::sample::select(VALUES)), 0..5),
            kind in prop::sample::select(&["\"Age\"", "\"Date\""][..]),
            form in 0..4u8,
        ) {
            let json = match form {
                // `type` first, as R2 writes it: the one-pass path, repeats included.
                3 => format!(
                    "{{\"type\": {kind}{}}}",
                    entries.iter().map(|(k, v)| format!(", \"{k}\": {v}")).collect::<String>()
                ),
                0 => format!(
                    "{{{}}}",
                    entries.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect::<Vec<_>>().join(", ")
                ),
                1 => format!("[{}]", entries.iter().map(|(_, v)| *v).collect::<Vec<_>>().join(", ")),
                _ => entries.first().map_or("\"Age\"", |(_, v)| *v).to_owned(),
            };
            // The same outcome. A document with two problems may be refused for another one of
            // them (the derive reads everything before it checks a value; the one-pass read
            // checks each value as it comes); the words of single problems are pinned below.
            let one_pass = serde_json::from_str::<WireCondition>(&json).map(shape);
            let tagged = serde_json::from_str::<TaggedCondition>(&json)
                .map(|c| shape(WireCondition::from(c)));
            prop_assert_eq!(one_pass.is_ok(), tagged.is_ok(), "{}: {:?} / {:?}", json, one_pass, tagged);
            if let (Ok(a), Ok(b)) = (one_pass, tagged) {
                prop_assert_eq!(a, b, "{}", json);
            }
        }
    }

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
    fn a_condition_with_one_problem_is_refused_in_the_derives_words() {
        let refused = |json: &str| {
            let err = serde_json::from_str::<WireCondition>(json)
                .map(shape)
                .unwrap_err()
                .to_string();
            let tagged = serde_json::from_str::<TaggedCondition>(json)
                .map(|c| shape(WireCondition::from(c)))
                .unwrap_err()
                .to_string()
                .replace("TaggedCondition", "WireCondition");
            let words = |e: &str| e.split(" at line ").next().unwrap_or_default().to_owned();
            assert_eq!(words(&err), words(&tagged), "{json}");
            words(&err)
        };
        for (json, words) in [
            (
                r#"{"type": "Age", "maxAge": 1, "maxAge": 2}"#,
                "duplicate field `maxAge`",
            ),
            (
                r#"{"type": "Date", "date": "2031-04-20T00:00:00Z", "date": "x"}"#,
                "duplicate field `date`",
            ),
            (
                r#"{"type": "Age", "type": "Date"}"#,
                "duplicate field `type`",
            ),
            (r#"{"type": "Age"}"#, "missing field `maxAge`"),
            (r#"{"type": "Date", "maxAge": 1}"#, "missing field `date`"),
            (
                r#"{"type": "Never", "maxAge": 1}"#,
                "unknown variant `Never`, expected `Age` or `Date`",
            ),
            (
                r#"{"type": 5}"#,
                "invalid type: integer `5`, expected variant identifier",
            ),
            (
                r#""Age""#,
                "invalid type: string \"Age\", expected internally tagged enum WireCondition",
            ),
        ] {
            assert_eq!(refused(json), words, "{json}");
        }
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
