//! Lifecycle configuration.
//!
//! Ages are an explicit [`Age`] type: COS counts in days, R2 in seconds, and the conversion
//! between them is a method call that says what it does ([`Age::whole_days`] fails on a
//! fractional day, [`Age::days_rounded_up`] rounds and the loss report says so). Nothing
//! converts silently.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, OffsetDateTime, Time, UtcOffset};

use crate::models::StorageClass;
use crate::validate::Violations;

const SECONDS_PER_DAY: u64 = 86_400;

/// A lifecycle age: how long after creation (or after becoming noncurrent) an action applies.
///
/// Stored as seconds. JSON is `{"days": N}` when the age is a whole number of days, otherwise
/// `{"seconds": N}`; both forms are accepted on input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Age {
    seconds: u64,
}

impl Age {
    /// An age of `days` whole days.
    pub const fn days(days: u32) -> Self {
        Self {
            seconds: days as u64 * SECONDS_PER_DAY,
        }
    }
    /// An age of `seconds` seconds (R2 accepts any number of seconds).
    pub const fn seconds(seconds: u64) -> Self {
        Self { seconds }
    }
    /// The age in seconds.
    pub const fn as_seconds(&self) -> u64 {
        self.seconds
    }
    /// The age in days when it is a whole number of days that fits in `u32`, else `None`.
    pub fn whole_days(&self) -> Option<u32> {
        if self.seconds.is_multiple_of(SECONDS_PER_DAY) {
            u32::try_from(self.seconds / SECONDS_PER_DAY).ok()
        } else {
            None
        }
    }
    /// The age in days, rounded up to the next whole day (saturating at `u32::MAX`).
    /// Use it only where the rounding is reported to the user.
    pub fn days_rounded_up(&self) -> u32 {
        u32::try_from(self.seconds.div_ceil(SECONDS_PER_DAY)).unwrap_or(u32::MAX)
    }
}

impl fmt::Display for Age {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.whole_days() {
            Some(1) => f.write_str("1 day"),
            Some(d) => write!(f, "{d} days"),
            None => write!(f, "{} seconds", self.seconds),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgeRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seconds: Option<u64>,
}

impl Serialize for Age {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.whole_days() {
            Some(days) => AgeRepr {
                days: Some(days),
                seconds: None,
            },
            None => AgeRepr {
                days: None,
                seconds: Some(self.seconds),
            },
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Age {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match AgeRepr::deserialize(d)? {
            AgeRepr {
                days: Some(days),
                seconds: None,
            } => Ok(Age::days(days)),
            AgeRepr {
                days: None,
                seconds: Some(seconds),
            } => Ok(Age::seconds(seconds)),
            _ => Err(serde::de::Error::custom(
                "an age is exactly one of {\"days\": N} or {\"seconds\": N}",
            )),
        }
    }
}

/// A lifecycle date: midnight of a calendar day in a given UTC offset.
///
/// Providers disagree on the zone: COS dates are midnight China time (`+08:00`), R2's are
/// midnight UTC. The offset is kept so the instant is never lost: a COS date read back is
/// `2031-04-20T00:00:00+08:00`, which is 16:00 UTC the day before. Converting a configuration
/// to a provider with another zone ([`convert::lifecycle_for`](crate::convert::lifecycle_for))
/// keeps the calendar day and reports the shift; a provider refuses a date in a zone it cannot
/// hold instead of moving it silently.
///
/// JSON is an RFC 3339 midnight (`"2031-04-20T00:00:00+08:00"`); a bare `"2031-04-20"` is
/// accepted on input and means midnight UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LifecycleDate {
    date: Date,
    offset: UtcOffset,
}

/// COS's lifecycle zone: China Standard Time, `+08:00`.
pub const CHINA_STANDARD_TIME: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

impl LifecycleDate {
    /// Midnight of `date` at `offset`.
    pub const fn new(date: Date, offset: UtcOffset) -> Self {
        Self { date, offset }
    }

    /// Midnight UTC of `date` (R2's zone).
    pub const fn utc(date: Date) -> Self {
        Self::new(date, UtcOffset::UTC)
    }

    /// Midnight China time of `date` (COS's zone).
    pub const fn china(date: Date) -> Self {
        Self::new(date, CHINA_STANDARD_TIME)
    }

    /// The calendar day.
    pub const fn date(&self) -> Date {
        self.date
    }

    /// The zone the day starts in.
    pub const fn offset(&self) -> UtcOffset {
        self.offset
    }

    /// The same calendar day at midnight in another zone (a different instant unless the
    /// offsets are equal).
    pub const fn with_offset(self, offset: UtcOffset) -> Self {
        Self::new(self.date, offset)
    }

    /// The instant this date stands for.
    pub fn instant(&self) -> OffsetDateTime {
        self.date
            .with_time(Time::MIDNIGHT)
            .assume_offset(self.offset)
    }

    /// Parses `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time that is a midnight
    /// (`YYYY-MM-DDT00:00:00+08:00`, `…Z`). A time of day other than midnight is an error: no
    /// provider stores one, and dropping it would move the instant.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let day_format = time::macros::format_description!("[year]-[month]-[day]");
        if raw.len() == 10 {
            return Date::parse(raw, &day_format)
                .map(Self::utc)
                .map_err(|_| format!("`{raw}` is not a date (expected YYYY-MM-DD)"));
        }
        let at = OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339)
            .map_err(|_| {
                format!("`{raw}` is not a date (expected YYYY-MM-DD or YYYY-MM-DDT00:00:00+08:00)")
            })?;
        if at.time() != Time::MIDNIGHT {
            return Err(format!(
                "`{raw}` has a time of day; lifecycle dates are midnights"
            ));
        }
        Ok(Self::new(at.date(), at.offset()))
    }
}

impl fmt::Display for LifecycleDate {
    /// RFC 3339 midnight, `2031-04-20T00:00:00+08:00` (`Z` for UTC).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = (
            self.date.year(),
            u8::from(self.date.month()),
            self.date.day(),
        );
        write!(f, "{y:04}-{m:02}-{d:02}T00:00:00")?;
        if self.offset == UtcOffset::UTC {
            return f.write_str("Z");
        }
        let (h, mi, _) = self.offset.as_hms();
        let sign = if self.offset.is_negative() { '-' } else { '+' };
        write!(f, "{sign}{:02}:{:02}", h.unsigned_abs(), mi.unsigned_abs())
    }
}

impl Serialize for LifecycleDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LifecycleDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = std::borrow::Cow::<'de, str>::deserialize(d)?;
        LifecycleDate::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// When an action applies: an age, or a fixed date.
///
/// Exhaustive on purpose, like [`Expiration`]: every provider's encoder matches it without a
/// catch-all, so a new kind of trigger cannot be dropped silently by a provider that was not
/// taught it. Adding one is a breaking change by design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// After the object reaches this age.
    After(Age),
    /// On this date (midnight in the date's zone).
    On(LifecycleDate),
}

/// What happens to current object versions at the end of their life.
///
/// Exhaustive on purpose (see [`Trigger`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expiration {
    /// Delete objects at this age.
    After(Age),
    /// Delete objects on this date (midnight in the date's zone).
    On(LifecycleDate),
    /// Remove delete markers that have no noncurrent versions left (COS/S3
    /// `ExpiredObjectDeleteMarker`).
    ExpiredObjectDeleteMarker,
}

/// Move current versions to another storage class.
///
/// Non-exhaustive (providers add per-transition options): build it with [`Transition::new`],
/// [`Transition::after`] or [`Transition::on`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Transition {
    /// When.
    pub trigger: Trigger,
    /// Target class.
    pub storage_class: StorageClass,
}

/// Move noncurrent versions to another storage class.
///
/// Non-exhaustive (S3 already has `NewerNoncurrentVersions`): build it with
/// [`NoncurrentTransition::new`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct NoncurrentTransition {
    /// Days after the version became noncurrent.
    pub noncurrent_days: u32,
    /// Target class.
    pub storage_class: StorageClass,
}

impl Transition {
    /// Move current versions to `storage_class` on `trigger`.
    pub fn new(trigger: Trigger, storage_class: StorageClass) -> Self {
        Self {
            trigger,
            storage_class,
        }
    }

    /// Move current versions to `storage_class` once they are `age` old.
    pub fn after(age: Age, storage_class: StorageClass) -> Self {
        Self::new(Trigger::After(age), storage_class)
    }

    /// Move current versions to `storage_class` on `date`.
    pub fn on(date: LifecycleDate, storage_class: StorageClass) -> Self {
        Self::new(Trigger::On(date), storage_class)
    }
}

impl NoncurrentTransition {
    /// Move versions to `storage_class` `noncurrent_days` after they became noncurrent.
    pub fn new(noncurrent_days: u32, storage_class: StorageClass) -> Self {
        Self {
            noncurrent_days,
            storage_class,
        }
    }
}

/// An object tag `key=value` used in filters and on bucket creation.
///
/// Deliberately exhaustive: a tag is a key and a value on every provider and can never grow,
/// so `Tag { key, value }` stays a valid literal and pattern downstream.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    /// Tag key.
    pub key: String,
    /// Tag value.
    pub value: String,
}

impl Tag {
    /// A tag.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// Which objects a rule applies to. Empty means every object in the bucket.
///
/// Non-exhaustive (S3 filters by object size too): build it with [`LifecycleFilter::prefix`],
/// [`LifecycleFilter::default`] and the `with_*` setters.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LifecycleFilter {
    /// Key prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Objects must carry every one of these tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl LifecycleFilter {
    /// A filter on a key prefix.
    pub fn prefix(prefix: impl Into<String>) -> Self {
        Self::default().with_prefix(prefix)
    }

    /// Set the key prefix.
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Add a tag every matching object must carry.
    #[must_use]
    pub fn with_tag(mut self, tag: Tag) -> Self {
        self.tags.push(tag);
        self
    }

    /// Set the tags every matching object must carry.
    #[must_use]
    pub fn with_tags(mut self, tags: impl IntoIterator<Item = Tag>) -> Self {
        self.tags = tags.into_iter().collect();
        self
    }

    /// Whether the filter matches every object.
    pub fn is_empty(&self) -> bool {
        self.prefix.as_deref().unwrap_or("").is_empty() && self.tags.is_empty()
    }
}

/// One lifecycle rule.
///
/// Non-exhaustive: build it with [`LifecycleRule::new`] (an enabled rule for every object, with
/// no action yet) and the `with_*` setters. [`LifecycleRule::default`] is a *disabled* rule.
///
/// ```
/// use bucket_admin_core::{Age, LifecycleFilter, LifecycleRule, StorageClass, Transition};
///
/// let rule = LifecycleRule::new()
///     .with_id("archive-logs")
///     .with_filter(LifecycleFilter::prefix("logs/"))
///     .with_transition(Transition::after(Age::days(30), StorageClass::Archive));
/// assert!(rule.enabled && !rule.has_no_action());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LifecycleRule {
    /// Rule id (at most 255 characters; R2 requires one, COS generates one when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Whether the rule is active.
    pub enabled: bool,
    /// Which objects the rule applies to.
    #[serde(default, skip_serializing_if = "LifecycleFilter::is_empty")]
    pub filter: LifecycleFilter,
    /// Expiration of current versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<Expiration>,
    /// Storage-class transitions of current versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transitions: Vec<Transition>,
    /// Abort multipart uploads still incomplete after this age.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort_incomplete_multipart_upload: Option<Age>,
    /// Delete noncurrent versions this many days after they became noncurrent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_version_expiration_days: Option<u32>,
    /// Storage-class transitions of noncurrent versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub noncurrent_version_transitions: Vec<NoncurrentTransition>,
}

impl LifecycleRule {
    /// An enabled rule for every object, with no action yet (add at least one).
    pub fn new() -> Self {
        Self {
            enabled: true,
            ..Self::default()
        }
    }

    /// Set the id.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Enable or disable the rule.
    #[must_use]
    pub fn with_enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// Set which objects the rule applies to.
    #[must_use]
    pub fn with_filter(mut self, filter: LifecycleFilter) -> Self {
        self.filter = filter;
        self
    }

    /// Set the expiration of current versions.
    #[must_use]
    pub fn with_expiration(mut self, expiration: Expiration) -> Self {
        self.expiration = Some(expiration);
        self
    }

    /// Add a transition of current versions.
    #[must_use]
    pub fn with_transition(mut self, transition: Transition) -> Self {
        self.transitions.push(transition);
        self
    }

    /// Set the transitions of current versions.
    #[must_use]
    pub fn with_transitions(mut self, transitions: impl IntoIterator<Item = Transition>) -> Self {
        self.transitions = transitions.into_iter().collect();
        self
    }

    /// Abort incomplete multipart uploads this long after they started.
    #[must_use]
    pub fn with_abort_incomplete_multipart_upload(mut self, after: Age) -> Self {
        self.abort_incomplete_multipart_upload = Some(after);
        self
    }

    /// Expire noncurrent versions this many days after they became noncurrent.
    #[must_use]
    pub fn with_noncurrent_version_expiration_days(mut self, days: u32) -> Self {
        self.noncurrent_version_expiration_days = Some(days);
        self
    }

    /// Add a transition of noncurrent versions.
    #[must_use]
    pub fn with_noncurrent_version_transition(mut self, transition: NoncurrentTransition) -> Self {
        self.noncurrent_version_transitions.push(transition);
        self
    }

    /// Set the transitions of noncurrent versions.
    #[must_use]
    pub fn with_noncurrent_version_transitions(
        mut self,
        transitions: impl IntoIterator<Item = NoncurrentTransition>,
    ) -> Self {
        self.noncurrent_version_transitions = transitions.into_iter().collect();
        self
    }

    /// Whether the rule has no action at all.
    pub fn has_no_action(&self) -> bool {
        self.expiration.is_none()
            && self.transitions.is_empty()
            && self.abort_incomplete_multipart_upload.is_none()
            && self.noncurrent_version_expiration_days.is_none()
            && self.noncurrent_version_transitions.is_empty()
    }
}

/// A bucket's lifecycle configuration. A put replaces every rule.
///
/// Non-exhaustive (room for provider extras, as [`crate::CorsConfiguration`] has): build it
/// with [`LifecycleConfiguration::new`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LifecycleConfiguration {
    /// The rules.
    pub rules: Vec<LifecycleRule>,
}

impl LifecycleConfiguration {
    /// A configuration holding `rules`.
    pub fn new(rules: Vec<LifecycleRule>) -> Self {
        Self { rules }
    }

    /// Checks what holds for every provider: at least one rule, ids unique and at most 255
    /// characters, every rule has an action, ages are positive, tag keys non-empty. Returns every
    /// problem found.
    pub fn validate(&self) -> Violations {
        let mut v = Violations::new();
        v.check(
            !self.rules.is_empty(),
            || "rules".into(),
            "at least one rule is required (delete the configuration instead)",
        );
        // A set, not a scan of the earlier rules: 1000-rule configurations are common.
        let mut seen_ids = std::collections::HashSet::with_capacity(self.rules.len());
        for (i, rule) in self.rules.iter().enumerate() {
            let at = format!("rules[{i}]");
            if let Some(id) = &rule.id {
                v.check(
                    !id.is_empty() && id.len() <= 255,
                    || format!("{at}.id"),
                    "1 to 255 characters",
                );
                let unique = seen_ids.insert(id.as_str());
                v.check(unique, || format!("{at}.id"), "ids must be unique");
            }
            v.check(
                !rule.has_no_action(),
                || at.clone(),
                "a rule needs at least one action (expiration, transition, abort multipart, noncurrent)",
            );
            if let Some(Expiration::After(age)) = &rule.expiration {
                v.check(
                    age.as_seconds() > 0,
                    || format!("{at}.expiration.after"),
                    "must be greater than zero",
                );
            }
            if let Some(age) = &rule.abort_incomplete_multipart_upload {
                v.check(
                    age.as_seconds() > 0,
                    || format!("{at}.abort_incomplete_multipart_upload"),
                    "must be greater than zero",
                );
            }
            for (j, tag) in rule.filter.tags.iter().enumerate() {
                v.check(
                    !tag.key.is_empty(),
                    || format!("{at}.filter.tags[{j}].key"),
                    "must not be empty",
                );
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn full_rule() -> LifecycleRule {
        LifecycleRule {
            id: Some("archive-logs".into()),
            enabled: true,
            filter: LifecycleFilter {
                prefix: Some("logs/".into()),
                tags: vec![Tag::new("team", "data")],
            },
            expiration: Some(Expiration::On(LifecycleDate::china(date!(2031 - 04 - 20)))),
            transitions: vec![Transition {
                trigger: Trigger::After(Age::days(60)),
                storage_class: StorageClass::Archive,
            }],
            abort_incomplete_multipart_upload: Some(Age::days(7)),
            noncurrent_version_expiration_days: Some(100),
            noncurrent_version_transitions: vec![NoncurrentTransition {
                noncurrent_days: 30,
                storage_class: StorageClass::InfrequentAccess,
            }],
        }
    }

    #[test]
    fn age_conversions_are_explicit() {
        assert_eq!(Age::days(2).as_seconds(), 172_800);
        assert_eq!(Age::seconds(172_800).whole_days(), Some(2));
        assert_eq!(Age::seconds(90_000).whole_days(), None);
        assert_eq!(Age::seconds(90_000).days_rounded_up(), 2);
        assert_eq!(Age::seconds(1).days_rounded_up(), 1);
        assert_eq!(Age::seconds(u64::MAX).days_rounded_up(), u32::MAX);
    }

    #[test]
    fn age_json_prefers_days() {
        assert_eq!(
            serde_json::to_string(&Age::days(7)).unwrap(),
            r#"{"days":7}"#
        );
        assert_eq!(
            serde_json::to_string(&Age::seconds(3600)).unwrap(),
            r#"{"seconds":3600}"#
        );
        assert_eq!(
            serde_json::from_str::<Age>(r#"{"seconds":86400}"#).unwrap(),
            Age::days(1)
        );
        assert!(serde_json::from_str::<Age>(r#"{"days":1,"seconds":5}"#).is_err());
        assert!(serde_json::from_str::<Age>(r#"{}"#).is_err());
    }

    #[test]
    fn dates_keep_their_zone_and_reject_times_of_day() {
        let day = time::macros::date!(2031 - 04 - 20);
        let china: LifecycleDate = serde_json::from_str(r#""2031-04-20T00:00:00+08:00""#).unwrap();
        assert_eq!(china, LifecycleDate::china(day));
        assert_eq!(
            serde_json::from_str::<LifecycleDate>(r#""2031-04-20""#).unwrap(),
            LifecycleDate::utc(day)
        );
        assert_eq!(
            china.instant(),
            time::macros::datetime!(2031-04-19 16:00 UTC),
            "midnight in Beijing is 16:00 UTC the day before"
        );
        assert_eq!(LifecycleDate::utc(day).to_string(), "2031-04-20T00:00:00Z");
        assert_eq!(
            LifecycleDate::new(day, time::macros::offset!(-05:30)).to_string(),
            "2031-04-20T00:00:00-05:30"
        );
        let err = serde_json::from_str::<LifecycleDate>(r#""2031-04-20T08:00:00+08:00""#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("time of day"), "{err}");
    }

    #[test]
    fn full_rule_round_trips_through_json() {
        let cfg = LifecycleConfiguration::new(vec![full_rule()]);
        let json = serde_json::to_value(&cfg).unwrap();
        assert_eq!(
            json["rules"][0]["expiration"],
            serde_json::json!({"on": "2031-04-20T00:00:00+08:00"})
        );
        assert_eq!(
            json["rules"][0]["transitions"][0]["trigger"],
            serde_json::json!({"after": {"days": 60}})
        );
        let back: LifecycleConfiguration = serde_json::from_value(json).unwrap();
        assert_eq!(back, cfg);
        assert!(cfg.validate().is_empty(), "{:?}", cfg.validate());
    }

    #[test]
    fn validation_collects_every_problem() {
        let mut no_action = LifecycleRule {
            id: Some("archive-logs".into()),
            enabled: true,
            ..Default::default()
        };
        no_action.filter.tags.push(Tag::new("", "x"));
        let mut zero = full_rule();
        zero.id = Some("z".repeat(256));
        zero.expiration = Some(Expiration::After(Age::days(0)));
        let cfg = LifecycleConfiguration::new(vec![full_rule(), no_action, zero]);
        let fields: Vec<_> = cfg
            .validate()
            .into_vec()
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(
            fields,
            [
                "rules[1].id",
                "rules[1]",
                "rules[1].filter.tags[0].key",
                "rules[2].id",
                "rules[2].expiration.after",
            ]
        );
    }
}
