//! `LifecycleConfiguration`.
//!
//! S3 counts ages in whole days: a neutral [`Age`] that is not a whole number of days is
//! rejected (naming the field) rather than rounded. Dates are written the way the SDK's
//! `get_date` writes them, midnight China Standard Time (`2021-04-20T00:00:00+08:00`), and read
//! back as the calendar date they name.

use bucket_admin_core::{
    Age, Error, ErrorKind, Expiration, LifecycleConfiguration, LifecycleDate, LifecycleFilter,
    LifecycleRule, NoncurrentTransition, Tag, Transition, Trigger, Violations,
};
use serde::{Deserialize, Serialize};

use super::{
    non_empty, status_from_wire, status_to_wire, storage_class_from_wire, storage_class_to_wire,
};

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename = "LifecycleConfiguration")]
pub(crate) struct LifecycleXml {
    #[serde(rename = "Rule", default)]
    rules: Vec<RuleXml>,
}

// Field order is the member order of the S3 `LifecycleRule` shape, which boto3 follows.
#[derive(Debug, Default, Serialize, Deserialize)]
struct RuleXml {
    #[serde(
        rename = "Expiration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    expiration: Option<ExpirationXml>,
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    // Older rules carry a rule-level prefix instead of a filter; read, never written.
    #[serde(rename = "Prefix", default, skip_serializing)]
    prefix: Option<String>,
    #[serde(rename = "Filter", default, skip_serializing_if = "Option::is_none")]
    filter: Option<FilterXml>,
    #[serde(rename = "Status", default)]
    status: String,
    #[serde(rename = "Transition", default)]
    transitions: Vec<TransitionXml>,
    #[serde(rename = "NoncurrentVersionTransition", default)]
    noncurrent_transitions: Vec<NoncurrentTransitionXml>,
    #[serde(
        rename = "NoncurrentVersionExpiration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    noncurrent_expiration: Option<NoncurrentExpirationXml>,
    #[serde(
        rename = "AbortIncompleteMultipartUpload",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    abort: Option<AbortXml>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct FilterXml {
    #[serde(rename = "Prefix", default, skip_serializing_if = "Option::is_none")]
    prefix: Option<String>,
    #[serde(rename = "Tag", default)]
    tags: Vec<TagXml>,
    #[serde(rename = "And", default, skip_serializing_if = "Option::is_none")]
    and: Option<AndXml>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct AndXml {
    #[serde(rename = "Prefix", default, skip_serializing_if = "Option::is_none")]
    prefix: Option<String>,
    #[serde(rename = "Tag", default)]
    tags: Vec<TagXml>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct TagXml {
    #[serde(rename = "Key", default)]
    key: String,
    #[serde(rename = "Value", default)]
    value: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ExpirationXml {
    #[serde(rename = "Date", default, skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(rename = "Days", default, skip_serializing_if = "Option::is_none")]
    days: Option<String>,
    #[serde(
        rename = "ExpiredObjectDeleteMarker",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    expired_object_delete_marker: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct TransitionXml {
    #[serde(rename = "Date", default, skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(rename = "Days", default, skip_serializing_if = "Option::is_none")]
    days: Option<String>,
    #[serde(rename = "StorageClass", default)]
    storage_class: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct NoncurrentExpirationXml {
    #[serde(rename = "NoncurrentDays", default)]
    noncurrent_days: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct NoncurrentTransitionXml {
    #[serde(rename = "NoncurrentDays", default)]
    noncurrent_days: String,
    #[serde(rename = "StorageClass", default)]
    storage_class: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct AbortXml {
    #[serde(rename = "DaysAfterInitiation", default)]
    days_after_initiation: String,
}

/// `2021-04-20T00:00:00Z`: S3 dates are midnight UTC.
pub(crate) fn date_to_wire(date: LifecycleDate) -> String {
    date.to_string()
}

/// S3 only accepts midnight UTC (COS's endpoint midnight +08:00): a date in another zone is reported, not shifted silently
/// (`bucket_admin_core::convert::lifecycle_for` does the shifting with a loss report).
fn check_zone(date: LifecycleDate, zone: time::UtcOffset, field: String, v: &mut Violations) {
    if date.offset() != zone {
        v.push(
            field,
            format!(
                "lifecycle dates here are midnights at {zone}; {date} is midnight in another zone"
            ),
        );
    }
}

/// Reads an ISO 8601 midnight, keeping its offset so the instant is not lost.
pub(crate) fn date_from_wire(text: &str) -> Result<LifecycleDate, String> {
    LifecycleDate::parse(text.trim())
}

fn whole_days(age: &Age, field: String, v: &mut Violations) -> String {
    match age.whole_days() {
        Some(days) => days.to_string(),
        None => {
            v.push(
                field,
                format!("S3 counts ages in whole days; {age} is not a whole number of days"),
            );
            String::new()
        }
    }
}

fn tags_to_wire(tags: &[Tag]) -> Vec<TagXml> {
    tags.iter()
        .map(|t| TagXml {
            key: t.key.clone(),
            value: t.value.clone(),
        })
        .collect()
}

fn filter_to_wire(filter: &LifecycleFilter) -> FilterXml {
    let prefix = filter.prefix.clone().unwrap_or_default();
    match (prefix.is_empty(), filter.tags.len()) {
        (_, 0) => FilterXml {
            prefix: Some(prefix),
            ..FilterXml::default()
        },
        (true, 1) => FilterXml {
            tags: tags_to_wire(&filter.tags),
            ..FilterXml::default()
        },
        _ => FilterXml {
            and: Some(AndXml {
                prefix: (!prefix.is_empty()).then_some(prefix),
                tags: tags_to_wire(&filter.tags),
            }),
            ..FilterXml::default()
        },
    }
}

impl LifecycleXml {
    /// Converts the neutral model; every age that is not whole days is reported.
    pub(crate) fn from_model(
        cfg: &LifecycleConfiguration,
        zone: time::UtcOffset,
    ) -> Result<Self, Violations> {
        let mut v = Violations::new();
        let mut rules = Vec::with_capacity(cfg.rules.len());
        for (i, rule) in cfg.rules.iter().enumerate() {
            let at = format!("rules[{i}]");
            let expiration = rule.expiration.as_ref().map(|e| match e {
                Expiration::After(age) => ExpirationXml {
                    days: Some(whole_days(age, format!("{at}.expiration.after"), &mut v)),
                    ..ExpirationXml::default()
                },
                Expiration::On(date) => ExpirationXml {
                    date: Some({
                        check_zone(*date, zone, format!("{at}.expiration.on"), &mut v);
                        date_to_wire(*date)
                    }),
                    ..ExpirationXml::default()
                },
                Expiration::ExpiredObjectDeleteMarker => ExpirationXml {
                    expired_object_delete_marker: Some("true".into()),
                    ..ExpirationXml::default()
                },
            });
            let transitions = rule
                .transitions
                .iter()
                .enumerate()
                .map(|(j, t)| {
                    let (days, date) = match &t.trigger {
                        Trigger::After(age) => (
                            Some(whole_days(
                                age,
                                format!("{at}.transitions[{j}].trigger.after"),
                                &mut v,
                            )),
                            None,
                        ),
                        Trigger::On(date) => {
                            check_zone(
                                *date,
                                zone,
                                format!("{at}.transitions[{j}].trigger.on"),
                                &mut v,
                            );
                            (None, Some(date_to_wire(*date)))
                        }
                    };
                    TransitionXml {
                        days,
                        date,
                        storage_class: storage_class_to_wire(&t.storage_class),
                    }
                })
                .collect();
            let abort = rule
                .abort_incomplete_multipart_upload
                .as_ref()
                .map(|age| AbortXml {
                    days_after_initiation: whole_days(
                        age,
                        format!("{at}.abort_incomplete_multipart_upload"),
                        &mut v,
                    ),
                });
            rules.push(RuleXml {
                id: rule.id.clone(),
                filter: Some(filter_to_wire(&rule.filter)),
                prefix: None,
                status: status_to_wire(rule.enabled),
                expiration,
                transitions,
                noncurrent_expiration: rule.noncurrent_version_expiration_days.map(|d| {
                    NoncurrentExpirationXml {
                        noncurrent_days: d.to_string(),
                    }
                }),
                noncurrent_transitions: rule
                    .noncurrent_version_transitions
                    .iter()
                    .map(|t| NoncurrentTransitionXml {
                        noncurrent_days: t.noncurrent_days.to_string(),
                        storage_class: storage_class_to_wire(&t.storage_class),
                    })
                    .collect(),
                abort,
            });
        }
        if v.is_empty() {
            Ok(Self { rules })
        } else {
            Err(v)
        }
    }

    pub(crate) fn into_model(self) -> Result<LifecycleConfiguration, Error> {
        let mut rules = Vec::with_capacity(self.rules.len());
        for (i, r) in self.rules.into_iter().enumerate() {
            let ctx = |what: &str| format!("lifecycle rule {i} {what}");
            let mut filter = LifecycleFilter::default();
            let mut prefix = non_empty(r.prefix);
            let mut tags = Vec::new();
            if let Some(f) = r.filter {
                prefix = non_empty(f.prefix).or(prefix);
                tags.extend(f.tags);
                if let Some(and) = f.and {
                    prefix = non_empty(and.prefix).or(prefix);
                    tags.extend(and.tags);
                }
            }
            filter.prefix = prefix;
            filter.tags = tags.into_iter().map(|t| Tag::new(t.key, t.value)).collect();

            let expiration = match r.expiration {
                None => None,
                Some(e) => {
                    if let Some(days) = parse_days(e.days, &ctx("Expiration.Days"))? {
                        Some(Expiration::After(Age::days(days)))
                    } else if let Some(date) = non_empty(e.date) {
                        Some(Expiration::On(parse_date(&date, &ctx("Expiration.Date"))?))
                    } else if e
                        .expired_object_delete_marker
                        .as_deref()
                        .and_then(super::parse_bool)
                        == Some(true)
                    {
                        Some(Expiration::ExpiredObjectDeleteMarker)
                    } else {
                        None
                    }
                }
            };
            let mut transitions = Vec::with_capacity(r.transitions.len());
            for t in r.transitions {
                let trigger = if let Some(days) = parse_days(t.days, &ctx("Transition.Days"))? {
                    Trigger::After(Age::days(days))
                } else if let Some(date) = non_empty(t.date) {
                    Trigger::On(parse_date(&date, &ctx("Transition.Date"))?)
                } else {
                    return Err(decode(format!(
                        "{} has neither Days nor Date",
                        ctx("Transition")
                    )));
                };
                transitions.push(Transition::new(
                    trigger,
                    storage_class_from_wire(&t.storage_class),
                ));
            }
            let noncurrent_version_expiration_days = match r.noncurrent_expiration {
                None => None,
                Some(n) => parse_days(
                    Some(n.noncurrent_days),
                    &ctx("NoncurrentVersionExpiration.NoncurrentDays"),
                )?,
            };
            let mut noncurrent_version_transitions = Vec::new();
            for t in r.noncurrent_transitions {
                let days = parse_days(
                    Some(t.noncurrent_days),
                    &ctx("NoncurrentVersionTransition.NoncurrentDays"),
                )?
                .unwrap_or(0);
                noncurrent_version_transitions.push(NoncurrentTransition::new(
                    days,
                    storage_class_from_wire(&t.storage_class),
                ));
            }
            let abort_incomplete_multipart_upload = match r.abort {
                None => None,
                Some(a) => parse_days(
                    Some(a.days_after_initiation),
                    &ctx("AbortIncompleteMultipartUpload.DaysAfterInitiation"),
                )?
                .map(Age::days),
            };
            let mut lifecycle_rule = LifecycleRule::new()
                .with_enabled(status_from_wire(&r.status, &ctx("Status"))?)
                .with_filter(filter)
                .with_transitions(transitions)
                .with_noncurrent_version_transitions(noncurrent_version_transitions);
            lifecycle_rule.id = non_empty(r.id);
            lifecycle_rule.expiration = expiration;
            lifecycle_rule.abort_incomplete_multipart_upload = abort_incomplete_multipart_upload;
            lifecycle_rule.noncurrent_version_expiration_days = noncurrent_version_expiration_days;
            rules.push(lifecycle_rule);
        }
        Ok(LifecycleConfiguration::new(rules))
    }
}

fn decode(msg: String) -> Error {
    Error::new(ErrorKind::Decode, format!("the server returned {msg}"))
}

fn parse_days(text: Option<String>, what: &str) -> Result<Option<u32>, Error> {
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => t
            .parse::<u32>()
            .map(Some)
            .map_err(|_| decode(format!("{what} `{t}`, not a number of days"))),
    }
}

fn parse_date(text: &str, what: &str) -> Result<LifecycleDate, Error> {
    date_from_wire(text).map_err(|why| decode(format!("{what}: {why}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates_are_utc_midnights() {
        let utc = LifecycleDate::utc(date!(2021 - 04 - 20));
        assert_eq!(date_to_wire(utc), "2021-04-20T00:00:00Z");
        assert_eq!(date_from_wire("2021-04-20T00:00:00.000Z"), Ok(utc));
        let cfg = LifecycleConfiguration::new(vec![
            LifecycleRule::new()
                .with_expiration(Expiration::On(LifecycleDate::china(date!(2021 - 04 - 20)))),
        ]);
        let v = LifecycleXml::from_model(&cfg, time::UtcOffset::UTC)
            .unwrap_err()
            .into_vec();
        assert_eq!(v[0].field, "rules[0].expiration.on");
    }

    #[test]
    fn fractional_days_are_rejected_with_the_field() {
        let cfg = LifecycleConfiguration::new(vec![
            LifecycleRule::new()
                .with_expiration(Expiration::After(Age::seconds(3600)))
                .with_transitions([Transition::after(
                    Age::seconds(90_000),
                    bucket_admin_core::StorageClass::Archive,
                )])
                .with_abort_incomplete_multipart_upload(Age::seconds(10)),
        ]);
        let v = LifecycleXml::from_model(&cfg, time::UtcOffset::UTC)
            .unwrap_err()
            .into_vec();
        let fields: Vec<_> = v.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "rules[0].expiration.after",
                "rules[0].transitions[0].trigger.after",
                "rules[0].abort_incomplete_multipart_upload"
            ]
        );
    }
}
