//! `LifecycleConfiguration`.
//!
//! COS counts ages in whole days: a neutral [`Age`] that is not a whole number of days is
//! rejected (naming the field) rather than rounded. Dates are written the way the SDK's
//! `get_date` writes them, midnight China Standard Time (`2021-04-20T00:00:00+08:00`), and read
//! back as the calendar date they name.

use std::borrow::Cow;

use bucket_admin_core::{
    Age, Error, ErrorKind, Expiration, LifecycleConfiguration, LifecycleDate, LifecycleFilter,
    LifecycleRule, NoncurrentTransition, Tag, Transition, Trigger, Violations,
};
use serde::{Deserialize, Serialize};

use super::{
    non_empty, status_from_wire, status_to_wire, storage_class_from_wire, storage_class_to_wire,
};

use super::pull::{FromPull, Pull, element, once, once_read, push_read};

/// Text as read: borrowed from the document until the model keeps it (most of it, a status or
/// a day count, is only parsed), or owned when written from the model.
type Text<'a> = Cow<'a, str>;

/// Sets a required text field once (a second occurrence is an error, as in the serde path).
fn once_str<'a>(
    slot: &mut Text<'a>,
    seen: &mut bool,
    name: &str,
    value: Text<'a>,
) -> Result<(), Error> {
    if *seen {
        return Err(Error::new(
            ErrorKind::Decode,
            format!("cannot parse the lifecycle XML returned by COS: duplicate field `{name}`"),
        ));
    }
    *seen = true;
    *slot = value;
    Ok(())
}

// The production decoder reads into [`Rules`]; the wire document is read in tests, against
// the serde path and the encoder.
#[cfg(test)]
impl<'doc> FromPull<'doc> for LifecycleXml<'doc> {
    fn field(&mut self, name: &[u8], p: &mut impl Pull<'doc>, empty: bool) -> Result<bool, Error> {
        match name {
            b"Rule" => push_read(&mut self.rules, p, empty)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl<'doc> FromPull<'doc> for RuleXml<'doc> {
    fn field(&mut self, name: &[u8], p: &mut impl Pull<'doc>, empty: bool) -> Result<bool, Error> {
        match name {
            b"ID" => once(&mut self.id, "ID", p.value(empty)?)?,
            b"Filter" => once_read(&mut self.filter, "Filter", p, empty)?,
            b"Prefix" => once(&mut self.prefix, "Prefix", p.value(empty)?)?,
            b"Status" => {
                let text = p.value(empty)?;
                let mut seen = !self.status.is_empty();
                once_str(&mut self.status, &mut seen, "Status", text)?
            }
            b"Expiration" => once_read(&mut self.expiration, "Expiration", p, empty)?,
            b"Transition" => push_read(&mut self.transitions, p, empty)?,
            b"NoncurrentVersionExpiration" => once_read(
                &mut self.noncurrent_expiration,
                "NoncurrentVersionExpiration",
                p,
                empty,
            )?,
            b"NoncurrentVersionTransition" => {
                push_read(&mut self.noncurrent_transitions, p, empty)?
            }
            b"AbortIncompleteMultipartUpload" => {
                once_read(&mut self.abort, "AbortIncompleteMultipartUpload", p, empty)?
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl<'doc> FromPull<'doc> for FilterXml<'doc> {
    fn field(&mut self, name: &[u8], p: &mut impl Pull<'doc>, empty: bool) -> Result<bool, Error> {
        match name {
            b"Prefix" => once(&mut self.prefix, "Prefix", p.value(empty)?)?,
            b"Tag" => push_read(&mut self.tags, p, empty)?,
            b"And" => once_read(&mut self.and, "And", p, empty)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl<'doc> FromPull<'doc> for AndXml<'doc> {
    fn field(&mut self, name: &[u8], p: &mut impl Pull<'doc>, empty: bool) -> Result<bool, Error> {
        match name {
            b"Prefix" => once(&mut self.prefix, "Prefix", p.value(empty)?)?,
            b"Tag" => push_read(&mut self.tags, p, empty)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl<'doc> FromPull<'doc> for TagXml<'doc> {
    fn field(&mut self, name: &[u8], p: &mut impl Pull<'doc>, empty: bool) -> Result<bool, Error> {
        match name {
            b"Key" => {
                let text = p.value(empty)?;
                let mut seen = !self.key.is_empty();
                once_str(&mut self.key, &mut seen, "Key", text)?
            }
            b"Value" => {
                let text = p.value(empty)?;
                let mut seen = !self.value.is_empty();
                once_str(&mut self.value, &mut seen, "Value", text)?
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl<'doc> FromPull<'doc> for ExpirationXml<'doc> {
    fn field(&mut self, name: &[u8], p: &mut impl Pull<'doc>, empty: bool) -> Result<bool, Error> {
        match name {
            b"Days" => once(&mut self.days, "Days", p.value(empty)?)?,
            b"Date" => once(&mut self.date, "Date", p.value(empty)?)?,
            b"ExpiredObjectDeleteMarker" => once(
                &mut self.expired_object_delete_marker,
                "ExpiredObjectDeleteMarker",
                p.value(empty)?,
            )?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl<'doc> FromPull<'doc> for TransitionXml<'doc> {
    fn field(&mut self, name: &[u8], p: &mut impl Pull<'doc>, empty: bool) -> Result<bool, Error> {
        match name {
            b"Days" => once(&mut self.days, "Days", p.value(empty)?)?,
            b"Date" => once(&mut self.date, "Date", p.value(empty)?)?,
            b"StorageClass" => {
                let text = p.value(empty)?;
                let mut seen = !self.storage_class.is_empty();
                once_str(&mut self.storage_class, &mut seen, "StorageClass", text)?
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl<'doc> FromPull<'doc> for NoncurrentExpirationXml<'doc> {
    fn field(&mut self, name: &[u8], p: &mut impl Pull<'doc>, empty: bool) -> Result<bool, Error> {
        match name {
            b"NoncurrentDays" => {
                let text = p.value(empty)?;
                let mut seen = !self.noncurrent_days.is_empty();
                once_str(&mut self.noncurrent_days, &mut seen, "NoncurrentDays", text)?
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl<'doc> FromPull<'doc> for NoncurrentTransitionXml<'doc> {
    fn field(&mut self, name: &[u8], p: &mut impl Pull<'doc>, empty: bool) -> Result<bool, Error> {
        match name {
            b"NoncurrentDays" => {
                let text = p.value(empty)?;
                let mut seen = !self.noncurrent_days.is_empty();
                once_str(&mut self.noncurrent_days, &mut seen, "NoncurrentDays", text)?
            }
            b"StorageClass" => {
                let text = p.value(empty)?;
                let mut seen = !self.storage_class.is_empty();
                once_str(&mut self.storage_class, &mut seen, "StorageClass", text)?
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl<'doc> FromPull<'doc> for AbortXml<'doc> {
    fn field(&mut self, name: &[u8], p: &mut impl Pull<'doc>, empty: bool) -> Result<bool, Error> {
        match name {
            b"DaysAfterInitiation" => {
                let text = p.value(empty)?;
                let mut seen = !self.days_after_initiation.is_empty();
                once_str(
                    &mut self.days_after_initiation,
                    &mut seen,
                    "DaysAfterInitiation",
                    text,
                )?
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl LifecycleXml<'_> {
    /// The `PUT /?lifecycle` body, written directly: the bytes quick-xml's serializer wrote
    /// for this struct (the field order below, `<`, `>` and `&` escaped, empty elements
    /// expanded), without its per-element name checks and growing buffer (issue 16).
    pub(crate) fn encode(&self) -> String {
        let mut out = String::with_capacity(96 + self.rules.len() * 420);
        out.push_str(super::XML_PROLOG);
        out.push_str("<LifecycleConfiguration>");
        for rule in &self.rules {
            rule.write(&mut out);
        }
        out.push_str("</LifecycleConfiguration>");
        out
    }
}

/// Writes `<name>`, the children `inner` writes, and `</name>`.
fn wrapped(out: &mut String, name: &str, inner: impl FnOnce(&mut String)) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    inner(out);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Writes `<name>text</name>` when there is a value, nothing otherwise (the serde fields'
/// `skip_serializing_if = "Option::is_none"`).
fn optional(out: &mut String, name: &str, text: &Option<Text<'_>>) {
    if let Some(text) = text {
        element(out, name, text);
    }
}

impl RuleXml<'_> {
    fn write(&self, out: &mut String) {
        wrapped(out, "Rule", |out| {
            optional(out, "ID", &self.id);
            if let Some(filter) = &self.filter {
                wrapped(out, "Filter", |out| {
                    optional(out, "Prefix", &filter.prefix);
                    write_tags(out, &filter.tags);
                    if let Some(and) = &filter.and {
                        wrapped(out, "And", |out| {
                            optional(out, "Prefix", &and.prefix);
                            write_tags(out, &and.tags);
                        });
                    }
                });
            }
            // `prefix` (the legacy rule-level prefix) is read, never written.
            element(out, "Status", &self.status);
            if let Some(e) = &self.expiration {
                wrapped(out, "Expiration", |out| {
                    optional(out, "Days", &e.days);
                    optional(out, "Date", &e.date);
                    optional(
                        out,
                        "ExpiredObjectDeleteMarker",
                        &e.expired_object_delete_marker,
                    );
                });
            }
            for t in &self.transitions {
                wrapped(out, "Transition", |out| {
                    optional(out, "Days", &t.days);
                    optional(out, "Date", &t.date);
                    element(out, "StorageClass", &t.storage_class);
                });
            }
            if let Some(n) = &self.noncurrent_expiration {
                wrapped(out, "NoncurrentVersionExpiration", |out| {
                    element(out, "NoncurrentDays", &n.noncurrent_days);
                });
            }
            for t in &self.noncurrent_transitions {
                wrapped(out, "NoncurrentVersionTransition", |out| {
                    element(out, "NoncurrentDays", &t.noncurrent_days);
                    element(out, "StorageClass", &t.storage_class);
                });
            }
            if let Some(a) = &self.abort {
                wrapped(out, "AbortIncompleteMultipartUpload", |out| {
                    element(out, "DaysAfterInitiation", &a.days_after_initiation);
                });
            }
        });
    }
}

fn write_tags(out: &mut String, tags: &[TagXml<'_>]) {
    for tag in tags {
        wrapped(out, "Tag", |out| {
            element(out, "Key", &tag.key);
            element(out, "Value", &tag.value);
        });
    }
}

/// Parses a `<LifecycleConfiguration>` document in one pass.
pub(crate) fn decode_document(xml: &str) -> Result<LifecycleConfiguration, Error> {
    let doc: Rules = super::pull::decode(xml, "LifecycleConfiguration", "lifecycle")?;
    Ok(LifecycleConfiguration::new(doc.rules))
}

/// The decoder's target: each rule turned into the model as soon as it is read, so the wire
/// rules are never stored (1,000 of them were moved twice more, issue 16). A rule that does
/// not convert ends the read; a malformed document is still reported as malformed, since
/// [`super::pull::decode`] checks the whole document before it reports any other error.
#[derive(Default)]
struct Rules<'doc> {
    rules: Vec<LifecycleRule>,
    /// The last rule's vector of wire transitions, emptied, for the next rule: one vector per
    /// rule was a quarter of the decoder's allocations.
    spare: Vec<TransitionXml<'doc>>,
}

impl<'doc> FromPull<'doc> for Rules<'doc> {
    fn field(&mut self, name: &[u8], p: &mut impl Pull<'doc>, empty: bool) -> Result<bool, Error> {
        if name != b"Rule" {
            return Ok(false);
        }
        let mut rule = RuleXml {
            transitions: std::mem::take(&mut self.spare),
            ..RuleXml::default()
        };
        p.read_into(&mut rule, empty)?;
        let i = self.rules.len();
        // Written in place at the end of the list: a rule is not moved out of a result and
        // into the list (a failed rule ends the decode, list and all).
        self.rules.push(LifecycleRule::new());
        rule.into_model(i, &mut self.spare, &mut self.rules[i])?;
        Ok(true)
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename = "LifecycleConfiguration")]
pub(crate) struct LifecycleXml<'a> {
    #[serde(rename = "Rule", default)]
    rules: Vec<RuleXml<'a>>,
}

// Field order is the element order of the SDK's documented all-parameters example.
#[derive(Debug, Default, Serialize, Deserialize)]
struct RuleXml<'a> {
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    id: Option<Text<'a>>,
    #[serde(rename = "Filter", default, skip_serializing_if = "Option::is_none")]
    filter: Option<FilterXml<'a>>,
    // Older rules carry a rule-level prefix instead of a filter; read, never written.
    #[serde(rename = "Prefix", default, skip_serializing)]
    prefix: Option<Text<'a>>,
    #[serde(rename = "Status", default)]
    status: Text<'a>,
    #[serde(
        rename = "Expiration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    expiration: Option<ExpirationXml<'a>>,
    #[serde(rename = "Transition", default)]
    transitions: Vec<TransitionXml<'a>>,
    #[serde(
        rename = "NoncurrentVersionExpiration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    noncurrent_expiration: Option<NoncurrentExpirationXml<'a>>,
    #[serde(rename = "NoncurrentVersionTransition", default)]
    noncurrent_transitions: Vec<NoncurrentTransitionXml<'a>>,
    #[serde(
        rename = "AbortIncompleteMultipartUpload",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    abort: Option<AbortXml<'a>>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct FilterXml<'a> {
    #[serde(rename = "Prefix", default, skip_serializing_if = "Option::is_none")]
    prefix: Option<Text<'a>>,
    #[serde(rename = "Tag", default)]
    tags: Vec<TagXml<'a>>,
    #[serde(rename = "And", default, skip_serializing_if = "Option::is_none")]
    and: Option<AndXml<'a>>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct AndXml<'a> {
    #[serde(rename = "Prefix", default, skip_serializing_if = "Option::is_none")]
    prefix: Option<Text<'a>>,
    #[serde(rename = "Tag", default)]
    tags: Vec<TagXml<'a>>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct TagXml<'a> {
    #[serde(rename = "Key", default)]
    key: Text<'a>,
    #[serde(rename = "Value", default)]
    value: Text<'a>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ExpirationXml<'a> {
    #[serde(rename = "Days", default, skip_serializing_if = "Option::is_none")]
    days: Option<Text<'a>>,
    #[serde(rename = "Date", default, skip_serializing_if = "Option::is_none")]
    date: Option<Text<'a>>,
    #[serde(
        rename = "ExpiredObjectDeleteMarker",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    expired_object_delete_marker: Option<Text<'a>>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct TransitionXml<'a> {
    #[serde(rename = "Days", default, skip_serializing_if = "Option::is_none")]
    days: Option<Text<'a>>,
    #[serde(rename = "Date", default, skip_serializing_if = "Option::is_none")]
    date: Option<Text<'a>>,
    #[serde(rename = "StorageClass", default)]
    storage_class: Text<'a>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct NoncurrentExpirationXml<'a> {
    #[serde(rename = "NoncurrentDays", default)]
    noncurrent_days: Text<'a>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct NoncurrentTransitionXml<'a> {
    #[serde(rename = "NoncurrentDays", default)]
    noncurrent_days: Text<'a>,
    #[serde(rename = "StorageClass", default)]
    storage_class: Text<'a>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct AbortXml<'a> {
    #[serde(rename = "DaysAfterInitiation", default)]
    days_after_initiation: Text<'a>,
}

/// `2021-04-20T00:00:00+08:00`, what the SDK's `get_date` produces for a COS (China time) date.
pub(crate) fn date_to_wire(date: LifecycleDate) -> String {
    date.to_string()
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
                format!("COS counts ages in whole days; {age} is not a whole number of days"),
            );
            String::new()
        }
    }
}

fn tags_to_wire(tags: &[Tag]) -> Vec<TagXml<'_>> {
    tags.iter()
        .map(|t| TagXml {
            key: Cow::Borrowed(&t.key),
            value: Cow::Borrowed(&t.value),
        })
        .collect()
}

fn filter_to_wire(filter: &LifecycleFilter) -> FilterXml<'_> {
    let prefix = Cow::Borrowed(filter.prefix.as_deref().unwrap_or_default());
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

impl<'a> LifecycleXml<'a> {
    /// Converts the neutral model, borrowing its text; every age that is not whole days is
    /// reported.
    pub(crate) fn from_model(cfg: &'a LifecycleConfiguration) -> Result<Self, Violations> {
        let mut v = Violations::new();
        let mut rules = Vec::with_capacity(cfg.rules.len());
        for (i, rule) in cfg.rules.iter().enumerate() {
            let at = format!("rules[{i}]");
            let expiration = rule.expiration.as_ref().map(|e| match e {
                Expiration::After(age) => ExpirationXml {
                    days: Some(whole_days(age, format!("{at}.expiration.after"), &mut v).into()),
                    ..ExpirationXml::default()
                },
                Expiration::On(date) => ExpirationXml {
                    date: Some(date_to_wire(*date).into()),
                    ..ExpirationXml::default()
                },
                Expiration::ExpiredObjectDeleteMarker => ExpirationXml {
                    expired_object_delete_marker: Some(Cow::Borrowed("true")),
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
                            Some(
                                whole_days(
                                    age,
                                    format!("{at}.transitions[{j}].trigger.after"),
                                    &mut v,
                                )
                                .into(),
                            ),
                            None,
                        ),
                        Trigger::On(date) => (None, Some(date_to_wire(*date).into())),
                    };
                    TransitionXml {
                        days,
                        date,
                        storage_class: Cow::Borrowed(storage_class_to_wire(&t.storage_class)),
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
                    )
                    .into(),
                });
            rules.push(RuleXml {
                id: rule.id.as_deref().map(Cow::Borrowed),
                filter: Some(filter_to_wire(&rule.filter)),
                prefix: None,
                status: Cow::Borrowed(status_to_wire(rule.enabled)),
                expiration,
                transitions,
                noncurrent_expiration: rule.noncurrent_version_expiration_days.map(|d| {
                    NoncurrentExpirationXml {
                        noncurrent_days: d.to_string().into(),
                    }
                }),
                noncurrent_transitions: rule
                    .noncurrent_version_transitions
                    .iter()
                    .map(|t| NoncurrentTransitionXml {
                        noncurrent_days: t.noncurrent_days.to_string().into(),
                        storage_class: Cow::Borrowed(storage_class_to_wire(&t.storage_class)),
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

    /// The model of the whole wire document (the serde path's, the reference in tests).
    #[cfg(test)]
    pub(crate) fn into_model(self) -> Result<LifecycleConfiguration, Error> {
        let mut rules = Vec::with_capacity(self.rules.len());
        for (i, r) in self.rules.into_iter().enumerate() {
            rules.push(LifecycleRule::new());
            r.into_model(i, &mut Vec::new(), &mut rules[i])?;
        }
        Ok(LifecycleConfiguration::new(rules))
    }
}

impl<'a> RuleXml<'a> {
    /// The neutral rule, written into `rule` (a new [`LifecycleRule`]); `i` is its position in
    /// the document, for errors. `spare` gets the rule's vector of wire transitions back,
    /// emptied, for the next rule to fill.
    fn into_model(
        mut self,
        i: usize,
        spare: &mut Vec<TransitionXml<'a>>,
        rule: &mut LifecycleRule,
    ) -> Result<(), Error> {
        let mut wire_transitions = std::mem::take(&mut self.transitions);
        let r = self;
        // Only an error shows the context: building it for every field cost more than the
        // field itself.
        let ctx = |what: &'static str| At { rule: i, what };
        let mut filter = LifecycleFilter::default();
        // Old rules carry `Prefix` on the rule, newer ones in `Filter` (or `Filter/And`).
        // Two different prefixes cannot both be honoured: keeping one would silently
        // widen or narrow what the rule deletes.
        let mut prefix = non_empty(r.prefix);
        let mut merge = |more: Option<Text<'a>>, element: &'static str| -> Result<(), Error> {
            match (prefix.as_deref(), non_empty(more)) {
                (_, None) => Ok(()),
                (None, Some(p)) => {
                    prefix = Some(p);
                    Ok(())
                }
                (Some(a), Some(b)) if a == b => Ok(()),
                (Some(a), Some(b)) => Err(decode(format!(
                    "{} `{b}` beside the prefix `{a}`; a rule has one prefix",
                    ctx(element)
                ))),
            }
        };
        let mut tags = Vec::new();
        if let Some(f) = r.filter {
            merge(f.prefix, "Filter.Prefix")?;
            tags.extend(f.tags);
            if let Some(and) = f.and {
                merge(and.prefix, "Filter.And.Prefix")?;
                tags.extend(and.tags);
            }
        }
        filter.prefix = prefix.map(Cow::into_owned);
        filter.tags = tags.into_iter().map(|t| Tag::new(t.key, t.value)).collect();

        let expiration = match r.expiration {
            None => None,
            Some(e) => {
                let days = parse_positive_days(e.days.as_deref(), &ctx("Expiration.Days"))?;
                let date = match non_empty(e.date) {
                    None => None,
                    Some(text) => Some(parse_date(&text, &ctx("Expiration.Date"))?),
                };
                let marker = match e.expired_object_delete_marker.as_deref() {
                    None | Some("") => false,
                    Some(v) => super::parse_bool(v).ok_or_else(|| {
                        decode(format!(
                            "{} `{v}` (expected true or false)",
                            ctx("Expiration.ExpiredObjectDeleteMarker")
                        ))
                    })?,
                };
                match (days, date, marker) {
                    (Some(days), None, false) => Some(Expiration::After(Age::days(days))),
                    (None, Some(date), false) => Some(Expiration::On(date)),
                    (None, None, true) => Some(Expiration::ExpiredObjectDeleteMarker),
                    (None, None, false) => None,
                    _ => {
                        return Err(decode(format!(
                            "{} with more than one of Days, Date and ExpiredObjectDeleteMarker; the rule can only keep one",
                            ctx("Expiration")
                        )));
                    }
                }
            }
        };
        let mut transitions = Vec::with_capacity(wire_transitions.len());
        for t in wire_transitions.drain(..) {
            let days = parse_days(t.days.as_deref(), &ctx("Transition.Days"))?;
            let date = non_empty(t.date);
            let trigger = match (days, date) {
                (Some(days), None) => Trigger::After(Age::days(days)),
                (None, Some(date)) => Trigger::On(parse_date(&date, &ctx("Transition.Date"))?),
                (None, None) => {
                    return Err(decode(format!(
                        "{} has neither Days nor Date",
                        ctx("Transition")
                    )));
                }
                (Some(_), Some(_)) => {
                    return Err(decode(format!(
                        "{} with both Days and Date; the rule can only keep one",
                        ctx("Transition")
                    )));
                }
            };
            transitions.push(Transition::new(
                trigger,
                storage_class_from_wire(&t.storage_class),
            ));
        }
        *spare = wire_transitions;
        let noncurrent_version_expiration_days = match r.noncurrent_expiration {
            None => None,
            Some(n) => parse_positive_days(
                Some(&n.noncurrent_days),
                &ctx("NoncurrentVersionExpiration.NoncurrentDays"),
            )?,
        };
        let mut noncurrent_version_transitions = Vec::new();
        for t in r.noncurrent_transitions {
            let days = parse_days(
                Some(&t.noncurrent_days),
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
            Some(a) => parse_positive_days(
                Some(&a.days_after_initiation),
                &ctx("AbortIncompleteMultipartUpload.DaysAfterInitiation"),
            )?
            .map(Age::days),
        };
        // Fields set in place: each builder call would move the whole rule once more.
        rule.enabled = status_from_wire(&r.status, ctx("Status"))?;
        rule.id = non_empty(r.id).map(Cow::into_owned);
        rule.filter = filter;
        rule.expiration = expiration;
        rule.transitions = transitions;
        rule.abort_incomplete_multipart_upload = abort_incomplete_multipart_upload;
        rule.noncurrent_version_expiration_days = noncurrent_version_expiration_days;
        rule.noncurrent_version_transitions = noncurrent_version_transitions;
        Ok(())
    }
}

/// Where in the document a value was read, written only when an error names it:
/// `lifecycle rule 3 Expiration.Days`.
struct At<'a> {
    rule: usize,
    what: &'a str,
}

impl std::fmt::Display for At<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "lifecycle rule {} {}", self.rule, self.what)
    }
}

fn decode(msg: String) -> Error {
    Error::new(ErrorKind::Decode, format!("COS returned {msg}"))
}

fn parse_days(text: Option<&str>, what: &At<'_>) -> Result<Option<u32>, Error> {
    match text.map(super::trim) {
        None | Some("") => Ok(None),
        Some(t) => t
            .parse::<u32>()
            .map(Some)
            .map_err(|_| decode(format!("{what} `{t}`, not a number of days"))),
    }
}

/// Days of an expiration or an abort: 0 would mean "at once", which COS never stores; reading
/// it as an age of zero would turn into an immediate expiry on a copy.
fn parse_positive_days(text: Option<&str>, what: &At<'_>) -> Result<Option<u32>, Error> {
    match parse_days(text, what)? {
        Some(0) => Err(decode(format!(
            "{what} `0`; an age must be at least one day"
        ))),
        other => Ok(other),
    }
}

fn parse_date(text: &str, what: &At<'_>) -> Result<LifecycleDate, Error> {
    date_from_wire(text).map_err(|why| decode(format!("{what}: {why}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates_round_trip_like_get_date() {
        let china = LifecycleDate::china(date!(2021 - 04 - 20));
        assert_eq!(date_to_wire(china), "2021-04-20T00:00:00+08:00");
        assert_eq!(date_from_wire("2021-04-20T00:00:00+08:00"), Ok(china));
        assert_eq!(
            date_from_wire("2021-04-20T00:00:00.000Z"),
            Ok(LifecycleDate::utc(date!(2021 - 04 - 20)))
        );
        assert_eq!(
            date_from_wire("2021-04-20"),
            Ok(LifecycleDate::utc(date!(2021 - 04 - 20)))
        );
        assert!(date_from_wire("2021-04-2x").is_err());
        assert!(date_from_wire("2021-04-20X").is_err());
        assert!(date_from_wire("日期").is_err());
        let noon = date_from_wire("2021-04-20T12:00:00+08:00").unwrap_err();
        assert!(noon.contains("time of day"), "{noon}");
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
        let v = LifecycleXml::from_model(&cfg).unwrap_err().into_vec();
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

#[cfg(test)]
mod pull_tests {
    use super::*;

    fn serde_decode(xml: &str) -> Result<LifecycleConfiguration, Error> {
        super::super::from_xml::<LifecycleXml>(xml, "LifecycleConfiguration", "lifecycle")
            .and_then(LifecycleXml::into_model)
    }

    #[test]
    fn the_pull_decoder_reads_what_the_serde_decoder_read() {
        let docs = [
            "<LifecycleConfiguration><Rule><ID>r1</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition><Expiration><Days>365</Days></Expiration><Transition><Days>90</Days><StorageClass>ARCHIVE</StorageClass></Transition><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>",
            "<?xml version='1.0'?>\n<LifecycleConfiguration>\n <Rule>\n  <Filter><And><Prefix>a/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag><Tag><Key>k2</Key><Value>v2</Value></Tag></And></Filter>\n  <Status>disabled</Status>\n  <NoncurrentVersionExpiration><NoncurrentDays>10</NoncurrentDays></NoncurrentVersionExpiration>\n  <NoncurrentVersionTransition><NoncurrentDays>5</NoncurrentDays><StorageClass>ARCHIVE</StorageClass></NoncurrentVersionTransition>\n  <Expiration><Date>2021-04-20T00:00:00+08:00</Date></Expiration>\n </Rule>\n <Rule><Prefix>old/</Prefix><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>\n</LifecycleConfiguration>",
            "<LifecycleConfiguration><Rule><Filter><Tag><Key>a&amp;b</Key><Value></Value></Tag></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration><Unknown/></Rule></LifecycleConfiguration>",
            "<LifecycleConfiguration/>",
        ];
        for doc in docs {
            assert_eq!(
                decode_document(doc).unwrap(),
                serde_decode(doc).unwrap(),
                "{doc}"
            );
        }
        for doc in [
            "<LifecycleConfiguration><Rule><Status>Enabled</Status><Status>Disabled</Status></Rule></LifecycleConfiguration>",
            "<LifecycleConfiguration><Rule><Status>Maybe</Status></Rule></LifecycleConfiguration>",
            "<CORSConfiguration/>",
        ] {
            assert_eq!(
                decode_document(doc).unwrap_err().kind(),
                ErrorKind::Decode,
                "{doc}"
            );
            assert!(serde_decode(doc).is_err(), "{doc}");
        }
    }

    #[test]
    fn the_direct_encoder_writes_the_serde_bytes() {
        let docs = [
            "<LifecycleConfiguration><Rule><ID>r1</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition><Expiration><Days>365</Days></Expiration><Transition><Date>2030-01-01T00:00:00+08:00</Date><StorageClass>ARCHIVE</StorageClass></Transition><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>",
            "<LifecycleConfiguration><Rule><Filter><And><Prefix>a/&lt;b&gt;</Prefix><Tag><Key>k&amp;1</Key><Value>v</Value></Tag><Tag><Key>k2</Key><Value></Value></Tag></And></Filter><Status>Disabled</Status><NoncurrentVersionExpiration><NoncurrentDays>10</NoncurrentDays></NoncurrentVersionExpiration><NoncurrentVersionTransition><NoncurrentDays>5</NoncurrentDays><StorageClass>ARCHIVE</StorageClass></NoncurrentVersionTransition><NoncurrentVersionTransition><NoncurrentDays>6</NoncurrentDays><StorageClass>DEEP_ARCHIVE</StorageClass></NoncurrentVersionTransition><Expiration><Date>2021-04-20T00:00:00+08:00</Date><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule><Rule><Prefix>legacy/</Prefix><Filter></Filter><Status>Enabled</Status><Expiration></Expiration></Rule><Rule><Filter><Tag><Key>t</Key><Value>腾讯 é</Value></Tag><And></And></Filter><Status></Status></Rule></LifecycleConfiguration>",
            "<LifecycleConfiguration/>",
        ];
        for doc in docs {
            let wire: LifecycleXml =
                super::super::pull::decode(doc, "LifecycleConfiguration", "lifecycle").unwrap();
            assert_eq!(wire.encode(), super::super::to_xml(&wire).unwrap(), "{doc}");
        }
        // And from the model, as `put_lifecycle` and the codec build it.
        let model = decode_document(docs[0]).unwrap();
        let wire = LifecycleXml::from_model(&model).unwrap();
        let direct = wire.encode();
        assert_eq!(direct, super::super::to_xml(&wire).unwrap());
        assert_eq!(decode_document(&direct).unwrap(), model);
        assert!(direct.contains("<Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>"));
    }

    #[test]
    fn a_rule_that_does_not_convert_is_reported_after_the_document_is_read() {
        let bad_status = "<Rule><Status>Maybe</Status></Rule>";
        let good = "<Rule><Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule>";
        // The first bad rule is named by its position, whatever follows it.
        let doc = format!(
            "<LifecycleConfiguration>{good}{bad_status}<Rule><Status>Disabled</Status><Expiration><Days>x</Days></Expiration></Rule></LifecycleConfiguration>"
        );
        let e = decode_document(&doc).unwrap_err().to_string();
        assert!(e.contains("lifecycle rule 1 Status status `Maybe`"), "{e}");
        assert_eq!(e, serde_decode(&doc).unwrap_err().to_string());
        // A malformed document is reported as malformed, even after a bad rule.
        let doc = format!("<LifecycleConfiguration>{bad_status}<Rule></LifecycleConfiguration>");
        let e = decode_document(&doc).unwrap_err().to_string();
        assert!(!e.contains("Maybe"), "{e}");
        assert!(e.contains("XML"), "{e}");
    }

    #[test]
    fn every_filter_and_expiration_form_is_written_as_cos_reads_it_and_read_back() {
        use bucket_admin_core::StorageClass;
        use time::macros::date;
        let tag = |k: &str, v: &str| Tag::new(k, v);
        let rule = || LifecycleRule::new().with_id("r");
        let cases: [(LifecycleRule, &str); 6] = [
            (
                rule()
                    .with_filter(LifecycleFilter::default().with_prefix("logs/"))
                    .with_expiration(Expiration::After(Age::days(3))),
                "<Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>3</Days></Expiration>",
            ),
            (
                rule()
                    .with_filter(LifecycleFilter::default().with_tags([tag("k", "v")]))
                    .with_expiration(Expiration::On(LifecycleDate::china(date!(2030 - 01 - 02)))),
                "<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><Expiration><Date>2030-01-02T00:00:00+08:00</Date></Expiration>",
            ),
            (
                rule()
                    .with_filter(
                        LifecycleFilter::default()
                            .with_prefix("a/")
                            .with_tags([tag("k", "v")]),
                    )
                    .with_expiration(Expiration::ExpiredObjectDeleteMarker),
                "<Filter><And><Prefix>a/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>",
            ),
            (
                rule()
                    .with_filter(
                        LifecycleFilter::default().with_tags([tag("k", "v"), tag("k2", "")]),
                    )
                    .with_enabled(false)
                    .with_transitions([Transition::after(Age::days(30), StorageClass::Archive)]),
                "<Filter><And><Tag><Key>k</Key><Value>v</Value></Tag><Tag><Key>k2</Key><Value></Value></Tag></And></Filter><Status>Disabled</Status><Transition><Days>30</Days><StorageClass>ARCHIVE</StorageClass></Transition>",
            ),
            (
                rule()
                    .with_filter(LifecycleFilter::default())
                    .with_abort_incomplete_multipart_upload(Age::days(7)),
                "<Filter><Prefix></Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>",
            ),
            (
                rule()
                    .with_filter(LifecycleFilter::default().with_prefix("x"))
                    .with_noncurrent_version_transitions([NoncurrentTransition::new(
                        5,
                        StorageClass::Other("NEW_CLASS".into()),
                    )]),
                "<Filter><Prefix>x</Prefix></Filter><Status>Enabled</Status><NoncurrentVersionTransition><NoncurrentDays>5</NoncurrentDays><StorageClass>NEW_CLASS</StorageClass></NoncurrentVersionTransition>",
            ),
        ];
        for (rule, expected) in cases {
            let cfg = LifecycleConfiguration::new(vec![rule]);
            let xml = LifecycleXml::from_model(&cfg).unwrap().encode();
            assert!(
                xml.contains(&format!("<Rule><ID>r</ID>{expected}</Rule>")),
                "{xml}"
            );
            assert_eq!(decode_document(&xml).unwrap(), cfg, "{xml}");
        }
    }

    #[test]
    fn a_rule_level_prefix_and_a_filter_prefix_must_agree() {
        let doc = |filter: &str| {
            format!(
                "<LifecycleConfiguration><Rule><Prefix>a/</Prefix><Filter><And><Prefix>{filter}</Prefix></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>"
            )
        };
        let same = decode_document(&doc("a/")).unwrap();
        assert_eq!(same.rules[0].filter.prefix.as_deref(), Some("a/"));
        let e = decode_document(&doc("b/")).unwrap_err().to_string();
        assert!(
            e.contains("lifecycle rule 0 Filter.And.Prefix `b/` beside the prefix `a/`"),
            "{e}"
        );
    }

    #[test]
    fn an_empty_expiration_is_no_expiration() {
        let cfg = decode_document(
            "<LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Expiration></Expiration><AbortIncompleteMultipartUpload><DaysAfterInitiation>3</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>",
        )
        .unwrap();
        assert_eq!(cfg.rules[0].expiration, None);
        assert_eq!(
            cfg.rules[0].abort_incomplete_multipart_upload,
            Some(Age::days(3))
        );
    }
}
