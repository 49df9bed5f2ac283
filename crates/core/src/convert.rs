//! Conversions for migrations: fit a configuration to a target provider and report every loss.
//!
//! [`cors_for`] and [`lifecycle_for`] take a neutral configuration and the target's
//! [`Capabilities`] and return what the target can hold plus a [`Change`] for every field that
//! was dropped, rounded or rewritten. Nothing is dropped silently: a migration either applies a
//! lossless result or shows the user the list.
//!
//! Where keeping a weakened rule would widen its effect (a lifecycle rule whose tag filter the
//! target cannot express would then delete *every* object under its prefix), the whole rule is
//! dropped rather than broadened.
//!
//! ```
//! use bucket_admin_core::{Capabilities, CorsConfiguration, CorsMethod, CorsRule, Provider};
//! use bucket_admin_core::convert::cors_for;
//!
//! let mut cfg = CorsConfiguration::new(vec![CorsRule::new(["*"], [CorsMethod::Get])]);
//! cfg.extras.cos_response_vary = Some(true);
//! let mut r2 = Capabilities::none(Provider::R2);
//! r2.cors = true;
//! let plan = cors_for(&cfg, &r2).unwrap();
//! assert_eq!(plan.value.rules.len(), 1);
//! assert_eq!(plan.changes.len(), 1); // ResponseVary does not exist on R2
//! assert!(!plan.is_lossless());
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::capabilities::{AgeUnit, Capabilities};
use crate::error::{Error, Operation};
use crate::models::{
    Age, CorsConfiguration, Expiration, LifecycleConfiguration, LifecycleDate, LifecycleRule,
    Trigger,
};

/// What happened to a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeKind {
    /// Removed: the target cannot hold it.
    Dropped,
    /// A number changed to the nearest value the target accepts.
    Rounded,
    /// Rewritten into an equivalent or nearest form.
    Changed,
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChangeKind::Dropped => "dropped",
            ChangeKind::Rounded => "rounded",
            ChangeKind::Changed => "changed",
        })
    }
}

/// One loss or change made to fit the target.
///
/// Non-exhaustive: build it with [`Change::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Change {
    /// Path of the field in the *source* configuration, e.g. `rules[3].max_age_seconds`.
    pub path: String,
    /// What happened.
    pub kind: ChangeKind,
    /// Why, in words a user can act on.
    pub detail: String,
}

impl Change {
    /// `kind` happened to the field at `path`, because of `detail`.
    pub fn new(path: impl Into<String>, kind: ChangeKind, detail: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            kind,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.path, self.kind, self.detail)
    }
}

/// A converted value and everything that changed on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[must_use = "a conversion plan lists what changed; apply its value and report its changes"]
#[non_exhaustive]
pub struct Converted<T> {
    /// What the target can hold.
    pub value: T,
    /// Every loss or change, in source order.
    pub changes: Vec<Change>,
}

impl<T> Converted<T> {
    /// `value`, reached with `changes`.
    pub fn new(value: T, changes: Vec<Change>) -> Self {
        Self { value, changes }
    }

    /// `value`, unchanged.
    pub fn lossless(value: T) -> Self {
        Self::new(value, Vec::new())
    }

    /// Whether nothing was lost or changed.
    pub fn is_lossless(&self) -> bool {
        self.changes.is_empty()
    }
}

struct Report(Vec<Change>);

impl Report {
    fn add(&mut self, path: impl Into<String>, kind: ChangeKind, detail: impl Into<String>) {
        self.0.push(Change {
            path: path.into(),
            kind,
            detail: detail.into(),
        });
    }
}

/// Fits a CORS configuration to `target`.
///
/// Fails with [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) when the target has no
/// CORS at all.
pub fn cors_for(
    config: &CorsConfiguration,
    target: &Capabilities,
) -> Result<Converted<CorsConfiguration>, Error> {
    if !target.cors {
        return Err(Error::unsupported(
            target.provider,
            Operation::PutCors,
            "CORS",
        ));
    }
    let mut report = Report(Vec::new());
    let mut out = CorsConfiguration::default();
    if config.extras.cos_response_vary.is_some() && !target.cors_response_vary {
        report.add(
            "extras.cos_response_vary",
            ChangeKind::Dropped,
            format!("{} has no ResponseVary setting", target.provider),
        );
    } else {
        out.extras.cos_response_vary = config.extras.cos_response_vary;
    }
    for (i, rule) in config.rules.iter().enumerate() {
        let at = format!("rules[{i}]");
        if let Some(max) = target.max_cors_rules
            && out.rules.len() >= max
        {
            report.add(
                at,
                ChangeKind::Dropped,
                format!("{} accepts at most {max} CORS rules", target.provider),
            );
            continue;
        }
        let mut rule = rule.clone();
        if !target.cors_expose_header_wildcard {
            let before = rule.expose_headers.len();
            let mut kept = Vec::with_capacity(before);
            for (j, h) in rule.expose_headers.drain(..).enumerate() {
                if h.contains('*') {
                    report.add(
                        format!("{at}.expose_headers[{j}]"),
                        ChangeKind::Dropped,
                        format!("{} does not accept `*` in expose headers", target.provider),
                    );
                } else {
                    kept.push(h);
                }
            }
            rule.expose_headers = kept;
        }
        if let (Some(age), Some(max)) = (rule.max_age_seconds, target.max_cors_max_age_seconds)
            && age > max
        {
            report.add(
                format!("{at}.max_age_seconds"),
                ChangeKind::Rounded,
                format!(
                    "{age} lowered to {max}, the largest {} accepts",
                    target.provider
                ),
            );
            rule.max_age_seconds = Some(max);
        }
        out.rules.push(rule);
    }
    Ok(Converted {
        value: out,
        changes: report.0,
    })
}

/// Moves a date into the target's zone, keeping the calendar day, and reports the shift: a
/// lifecycle date is a midnight, so the same instant cannot be written in another zone.
fn fit_date(
    date: LifecycleDate,
    target: &Capabilities,
    at: &str,
    report: &mut Report,
) -> LifecycleDate {
    let zone = target.lifecycle_date_offset;
    if date.offset() == zone {
        return date;
    }
    let moved = date.with_offset(zone);
    let shift = (moved.instant() - date.instant()).whole_minutes();
    let (hours, minutes) = (shift.unsigned_abs() / 60, shift.unsigned_abs() % 60);
    let amount = if minutes == 0 {
        format!("{hours} hour(s)")
    } else {
        format!("{hours} h {minutes} min")
    };
    report.add(
        at.to_owned(),
        ChangeKind::Changed,
        format!(
            "{} dates are midnight {}: {date} becomes {moved}, {amount} {}",
            target.provider,
            crate::capabilities::zone_name(zone),
            if shift > 0 { "later" } else { "earlier" }
        ),
    );
    moved
}

/// Fits a lifecycle configuration to `target`.
///
/// Fails with [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) when the target has no
/// lifecycle at all.
pub fn lifecycle_for(
    config: &LifecycleConfiguration,
    target: &Capabilities,
) -> Result<Converted<LifecycleConfiguration>, Error> {
    if !target.lifecycle {
        return Err(Error::unsupported(
            target.provider,
            Operation::PutLifecycle,
            "lifecycle rules",
        ));
    }
    let p = target.provider;
    let mut report = Report(Vec::new());
    let mut out = LifecycleConfiguration::default();
    for (i, source) in config.rules.iter().enumerate() {
        let at = format!("rules[{i}]");
        if let Some(max) = target.max_lifecycle_rules
            && out.rules.len() >= max
        {
            report.add(
                at,
                ChangeKind::Dropped,
                format!("{p} accepts at most {max} lifecycle rules"),
            );
            continue;
        }
        if !source.filter.tags.is_empty() && !target.lifecycle_tags {
            report.add(
                at.clone(),
                ChangeKind::Dropped,
                format!(
                    "{p} cannot filter lifecycle rules by tag; keeping the rule without its tag filter would apply it to every object under its prefix"
                ),
            );
            continue;
        }
        let mut rule = LifecycleRule {
            id: source.id.clone(),
            enabled: source.enabled,
            filter: source.filter.clone(),
            ..LifecycleRule::default()
        };
        if rule.id.is_none() && target.lifecycle_requires_rule_id {
            let id = format!("rule-{}", i + 1);
            report.add(
                format!("{at}.id"),
                ChangeKind::Changed,
                format!("{p} requires rule ids; generated `{id}`"),
            );
            rule.id = Some(id);
        }
        rule.expiration = match source.expiration {
            Some(Expiration::After(age)) => Some(Expiration::After(fit_age(
                age,
                target,
                &format!("{at}.expiration.after"),
                &mut report,
            ))),
            Some(Expiration::On(date)) if !target.lifecycle_dates => {
                report.add(
                    format!("{at}.expiration"),
                    ChangeKind::Dropped,
                    format!("{p} cannot expire objects on a date ({date})"),
                );
                None
            }
            Some(Expiration::ExpiredObjectDeleteMarker)
                if !target.lifecycle_expired_object_delete_marker =>
            {
                report.add(
                    format!("{at}.expiration"),
                    ChangeKind::Dropped,
                    format!("{p} has no expired-delete-marker cleanup"),
                );
                None
            }
            Some(Expiration::On(date)) => Some(Expiration::On(fit_date(
                date,
                target,
                &format!("{at}.expiration.on"),
                &mut report,
            ))),
            other => other,
        };
        for (j, t) in source.transitions.iter().enumerate() {
            let tat = format!("{at}.transitions[{j}]");
            if !target
                .lifecycle_transition_classes
                .contains(&t.storage_class)
            {
                report.add(
                    tat,
                    ChangeKind::Dropped,
                    format!(
                        "{p} cannot transition objects to storage class `{}`",
                        t.storage_class
                    ),
                );
                continue;
            }
            let trigger = match t.trigger {
                Trigger::After(age) => Trigger::After(fit_age(
                    age,
                    target,
                    &format!("{tat}.trigger.after"),
                    &mut report,
                )),
                Trigger::On(date) if !target.lifecycle_dates => {
                    report.add(
                        tat,
                        ChangeKind::Dropped,
                        format!("{p} cannot transition objects on a date ({date})"),
                    );
                    continue;
                }
                Trigger::On(date) => Trigger::On(fit_date(
                    date,
                    target,
                    &format!("{tat}.trigger.on"),
                    &mut report,
                )),
            };
            rule.transitions.push(crate::models::Transition {
                trigger,
                storage_class: t.storage_class.clone(),
            });
        }
        if let Some(age) = source.abort_incomplete_multipart_upload {
            if target.lifecycle_abort_multipart {
                rule.abort_incomplete_multipart_upload = Some(fit_age(
                    age,
                    target,
                    &format!("{at}.abort_incomplete_multipart_upload"),
                    &mut report,
                ));
            } else {
                report.add(
                    format!("{at}.abort_incomplete_multipart_upload"),
                    ChangeKind::Dropped,
                    format!("{p} cannot abort incomplete multipart uploads by age"),
                );
            }
        }
        if target.lifecycle_noncurrent_versions {
            rule.noncurrent_version_expiration_days = source.noncurrent_version_expiration_days;
            for (j, t) in source.noncurrent_version_transitions.iter().enumerate() {
                if target
                    .lifecycle_transition_classes
                    .contains(&t.storage_class)
                {
                    rule.noncurrent_version_transitions.push(t.clone());
                } else {
                    report.add(
                        format!("{at}.noncurrent_version_transitions[{j}]"),
                        ChangeKind::Dropped,
                        format!(
                            "{p} cannot transition objects to storage class `{}`",
                            t.storage_class
                        ),
                    );
                }
            }
        } else {
            if source.noncurrent_version_expiration_days.is_some() {
                report.add(
                    format!("{at}.noncurrent_version_expiration_days"),
                    ChangeKind::Dropped,
                    format!("{p} has no object versions"),
                );
            }
            if !source.noncurrent_version_transitions.is_empty() {
                report.add(
                    format!("{at}.noncurrent_version_transitions"),
                    ChangeKind::Dropped,
                    format!("{p} has no object versions"),
                );
            }
        }
        if rule.has_no_action() {
            report.add(
                at,
                ChangeKind::Dropped,
                "nothing the rule does survives the conversion",
            );
            continue;
        }
        out.rules.push(rule);
    }
    Ok(Converted {
        value: out,
        changes: report.0,
    })
}

fn fit_age(age: Age, target: &Capabilities, path: &str, report: &mut Report) -> Age {
    match target.lifecycle_age_unit {
        AgeUnit::Seconds => age,
        AgeUnit::Days => match age.whole_days() {
            Some(_) => age,
            None => {
                let days = age.days_rounded_up();
                report.add(
                    path,
                    ChangeKind::Rounded,
                    format!(
                        "{} seconds rounded up to {days} day(s): {} counts lifecycle ages in whole days",
                        age.as_seconds(),
                        target.provider
                    ),
                );
                Age::days(days)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::error::{ErrorKind, Provider};
    use crate::models::{
        CorsMethod, CorsRule, LifecycleFilter, NoncurrentTransition, StorageClass, Tag, Transition,
    };

    #[test]
    fn dates_moved_to_another_zone_are_reported_with_the_shift() {
        let day = date!(2031 - 04 - 20);
        let cfg = LifecycleConfiguration::new(vec![LifecycleRule {
            id: Some("a".into()),
            enabled: true,
            expiration: Some(Expiration::On(LifecycleDate::china(day))),
            transitions: vec![Transition {
                trigger: Trigger::On(LifecycleDate::china(day)),
                storage_class: StorageClass::InfrequentAccess,
            }],
            ..LifecycleRule::default()
        }]);
        let to_r2 = lifecycle_for(&cfg, &r2_like()).unwrap();
        assert_eq!(
            to_r2.value.rules[0].expiration,
            Some(Expiration::On(LifecycleDate::utc(day)))
        );
        assert_eq!(
            to_r2.value.rules[0].transitions[0].trigger,
            Trigger::On(LifecycleDate::utc(day))
        );
        let fields: Vec<_> = to_r2.changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            fields,
            [
                "rules[0].expiration.on",
                "rules[0].transitions[0].trigger.on"
            ]
        );
        assert!(to_r2.changes.iter().all(|c| c.kind == ChangeKind::Changed));
        assert!(
            to_r2.changes[0].detail.contains("8 hour(s) later"),
            "{}",
            to_r2.changes[0].detail
        );
        let back = lifecycle_for(&to_r2.value, &cos_like()).unwrap();
        assert_eq!(back.value, cfg);
        assert!(back.changes[0].detail.contains("8 hour(s) earlier"));
        assert!(lifecycle_for(&cfg, &cos_like()).unwrap().changes.is_empty());
    }

    fn cos_like() -> Capabilities {
        let mut c = Capabilities::none(Provider::Cos);
        c.cors = true;
        c.max_cors_rules = Some(2);
        c.cors_response_vary = true;
        c.lifecycle = true;
        c.lifecycle_age_unit = AgeUnit::Days;
        c.lifecycle_dates = true;
        c.lifecycle_date_offset = crate::models::CHINA_STANDARD_TIME;
        c.lifecycle_tags = true;
        c.lifecycle_noncurrent_versions = true;
        c.lifecycle_abort_multipart = true;
        c.lifecycle_expired_object_delete_marker = true;
        c.lifecycle_transition_classes = vec![
            StorageClass::InfrequentAccess,
            StorageClass::Archive,
            StorageClass::DeepArchive,
        ];
        c
    }

    fn r2_like() -> Capabilities {
        let mut c = Capabilities::none(Provider::R2);
        c.cors = true;
        c.cors_expose_header_wildcard = false;
        c.max_cors_max_age_seconds = Some(86_400);
        c.lifecycle = true;
        c.lifecycle_age_unit = AgeUnit::Seconds;
        c.lifecycle_dates = true;
        c.lifecycle_abort_multipart = true;
        c.lifecycle_requires_rule_id = true;
        c.lifecycle_transition_classes = vec![StorageClass::InfrequentAccess];
        c
    }

    #[test]
    fn lossless_cors_copy_reports_nothing() {
        let cfg = CorsConfiguration::new(vec![
            CorsRule::new(["https://a.com"], [CorsMethod::Get]).with_max_age_seconds(600),
        ]);
        let plan = cors_for(&cfg, &r2_like()).unwrap();
        assert!(plan.is_lossless());
        assert_eq!(plan.value, cfg);
    }

    #[test]
    fn cors_losses_are_each_reported() {
        let mut cfg = CorsConfiguration::new(vec![
            CorsRule::new(["*"], [CorsMethod::Get])
                .with_expose_headers(["ETag", "*"])
                .with_max_age_seconds(100_000),
            CorsRule::new(["*"], [CorsMethod::Put]),
            CorsRule::new(["*"], [CorsMethod::Head]),
        ]);
        cfg.extras.cos_response_vary = Some(false);
        let to_r2 = cors_for(&cfg, &r2_like()).unwrap();
        let paths: Vec<_> = to_r2
            .changes
            .iter()
            .map(|c| (c.path.as_str(), c.kind))
            .collect();
        assert_eq!(
            paths,
            [
                ("extras.cos_response_vary", ChangeKind::Dropped),
                ("rules[0].expose_headers[1]", ChangeKind::Dropped),
                ("rules[0].max_age_seconds", ChangeKind::Rounded),
            ]
        );
        assert_eq!(to_r2.value.rules[0].expose_headers, ["ETag"]);
        assert_eq!(to_r2.value.rules[0].max_age_seconds, Some(86_400));
        assert_eq!(to_r2.value.rules.len(), 3);

        let to_cos = cors_for(&cfg, &cos_like()).unwrap();
        assert_eq!(to_cos.value.rules.len(), 2);
        assert_eq!(to_cos.value.extras.cos_response_vary, Some(false));
        assert!(
            to_cos
                .changes
                .iter()
                .any(|c| c.path == "rules[2]" && c.detail.contains("at most 2"))
        );
    }

    #[test]
    fn target_without_cors_is_unsupported() {
        let err = cors_for(
            &CorsConfiguration::default(),
            &Capabilities::none(Provider::R2),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unsupported);
    }

    fn cos_rule() -> LifecycleRule {
        LifecycleRule {
            id: None,
            enabled: true,
            filter: LifecycleFilter {
                prefix: Some("logs/".into()),
                tags: vec![],
            },
            expiration: Some(Expiration::After(Age::days(200))),
            transitions: vec![
                Transition {
                    trigger: Trigger::After(Age::days(100)),
                    storage_class: StorageClass::InfrequentAccess,
                },
                Transition {
                    trigger: Trigger::On(LifecycleDate::utc(date!(2031 - 01 - 01))),
                    storage_class: StorageClass::Archive,
                },
            ],
            abort_incomplete_multipart_upload: Some(Age::days(7)),
            noncurrent_version_expiration_days: Some(30),
            noncurrent_version_transitions: vec![NoncurrentTransition {
                noncurrent_days: 10,
                storage_class: StorageClass::InfrequentAccess,
            }],
        }
    }

    #[test]
    fn cos_to_r2_lifecycle_reports_every_loss_and_keeps_what_fits() {
        let mut tagged = cos_rule();
        tagged.id = Some("tagged".into());
        tagged.filter.tags.push(Tag::new("tmp", "1"));
        let cfg = LifecycleConfiguration::new(vec![cos_rule(), tagged]);
        let plan = lifecycle_for(&cfg, &r2_like()).unwrap();
        let paths: Vec<_> = plan
            .changes
            .iter()
            .map(|c| (c.path.as_str(), c.kind))
            .collect();
        assert_eq!(
            paths,
            [
                ("rules[0].id", ChangeKind::Changed),
                ("rules[0].transitions[1]", ChangeKind::Dropped),
                (
                    "rules[0].noncurrent_version_expiration_days",
                    ChangeKind::Dropped
                ),
                (
                    "rules[0].noncurrent_version_transitions",
                    ChangeKind::Dropped
                ),
                ("rules[1]", ChangeKind::Dropped),
            ]
        );
        assert_eq!(plan.value.rules.len(), 1);
        let kept = &plan.value.rules[0];
        assert_eq!(kept.id.as_deref(), Some("rule-1"));
        assert_eq!(kept.expiration, Some(Expiration::After(Age::days(200))));
        assert_eq!(kept.transitions.len(), 1);
        assert_eq!(kept.abort_incomplete_multipart_upload, Some(Age::days(7)));
    }

    #[test]
    fn r2_to_cos_rounds_seconds_up_to_days() {
        let rule = LifecycleRule {
            id: Some("short".into()),
            enabled: true,
            expiration: Some(Expiration::After(Age::seconds(90_000))),
            ..LifecycleRule::default()
        };
        let plan = lifecycle_for(&LifecycleConfiguration::new(vec![rule]), &cos_like()).unwrap();
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(plan.changes[0].kind, ChangeKind::Rounded);
        assert!(
            plan.changes[0]
                .detail
                .contains("90000 seconds rounded up to 2 day(s)")
        );
        assert_eq!(
            plan.value.rules[0].expiration,
            Some(Expiration::After(Age::days(2)))
        );
    }

    #[test]
    fn rule_with_nothing_left_is_dropped_not_kept_empty() {
        let rule = LifecycleRule {
            id: Some("versions-only".into()),
            enabled: true,
            noncurrent_version_expiration_days: Some(5),
            ..LifecycleRule::default()
        };
        let plan = lifecycle_for(&LifecycleConfiguration::new(vec![rule]), &r2_like()).unwrap();
        assert!(plan.value.rules.is_empty());
        assert_eq!(plan.changes.last().unwrap().path, "rules[0]");
    }

    #[test]
    fn changes_display_as_path_kind_and_detail() {
        assert_eq!(ChangeKind::Dropped.to_string(), "dropped");
        assert_eq!(ChangeKind::Rounded.to_string(), "rounded");
        assert_eq!(ChangeKind::Changed.to_string(), "changed");
        let change = Change {
            path: "rules[0].max_age_seconds".into(),
            kind: ChangeKind::Rounded,
            detail: "90000 lowered to 86400".into(),
        };
        assert_eq!(
            change.to_string(),
            "rules[0].max_age_seconds rounded: 90000 lowered to 86400"
        );
    }

    #[test]
    fn a_max_age_equal_to_the_limit_is_kept() {
        let at_limit = CorsConfiguration::new(vec![
            CorsRule::new(["*"], [CorsMethod::Get]).with_max_age_seconds(86_400),
        ]);
        let plan = cors_for(&at_limit, &r2_like()).unwrap();
        assert!(plan.changes.is_empty(), "{:?}", plan.changes);
        let over = CorsConfiguration::new(vec![
            CorsRule::new(["*"], [CorsMethod::Get]).with_max_age_seconds(86_401),
        ]);
        let plan = cors_for(&over, &r2_like()).unwrap();
        assert_eq!(plan.value.rules[0].max_age_seconds, Some(86_400));
        assert_eq!(plan.changes.len(), 1);
    }

    #[test]
    fn the_lifecycle_rule_limit_keeps_exactly_the_first_max_rules() {
        let mut target = r2_like();
        target.max_lifecycle_rules = Some(2);
        let rules = (0..3)
            .map(|i| LifecycleRule {
                id: Some(format!("r{i}")),
                enabled: true,
                expiration: Some(Expiration::After(Age::days(1))),
                ..LifecycleRule::default()
            })
            .collect();
        let plan = lifecycle_for(&LifecycleConfiguration::new(rules), &target).unwrap();
        let kept: Vec<_> = plan
            .value
            .rules
            .iter()
            .map(|r| r.id.clone().unwrap())
            .collect();
        assert_eq!(kept, ["r0", "r1"]);
        let paths: Vec<_> = plan.changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["rules[2]"]);
    }

    #[test]
    fn dates_and_delete_marker_cleanup_are_kept_where_supported_and_dropped_where_not() {
        let day = LifecycleDate::utc(date!(2031 - 01 - 01));
        let rule = |expiration| LifecycleRule {
            id: Some("a".into()),
            enabled: true,
            expiration: Some(expiration),
            transitions: vec![Transition {
                trigger: Trigger::On(day),
                storage_class: StorageClass::InfrequentAccess,
            }],
            // An action every target keeps, so the rule survives losing its dated ones.
            abort_incomplete_multipart_upload: Some(Age::days(7)),
            ..LifecycleRule::default()
        };
        let dated = LifecycleConfiguration::new(vec![rule(Expiration::On(day))]);
        let marker = LifecycleConfiguration::new(vec![rule(Expiration::ExpiredObjectDeleteMarker)]);

        let mut supports = r2_like();
        supports.lifecycle_dates = true;
        supports.lifecycle_expired_object_delete_marker = true;
        let plan = lifecycle_for(&dated, &supports).unwrap();
        assert_eq!(plan.value, dated);
        assert!(plan.changes.is_empty(), "{:?}", plan.changes);
        let plan = lifecycle_for(&marker, &supports).unwrap();
        assert_eq!(plan.value, marker);

        let mut lacks = supports.clone();
        lacks.lifecycle_dates = false;
        lacks.lifecycle_expired_object_delete_marker = false;
        let plan = lifecycle_for(&dated, &lacks).unwrap();
        assert_eq!(plan.value.rules[0].expiration, None);
        assert!(plan.value.rules[0].transitions.is_empty());
        let paths: Vec<_> = plan.changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["rules[0].expiration", "rules[0].transitions[0]"]);
        let plan = lifecycle_for(&marker, &lacks).unwrap();
        assert_eq!(plan.value.rules[0].expiration, None);
        assert_eq!(plan.changes[0].path, "rules[0].expiration");
        assert_eq!(plan.changes[0].kind, ChangeKind::Dropped);
    }
}
