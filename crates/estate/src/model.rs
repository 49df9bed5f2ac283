//! The estate file: parsing (TOML or JSON), shared rule sets, whole-file validation with field
//! paths, and rendering back to TOML (what `export` writes).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use bucket_admin_core::{
    BucketPolicy, CannedAcl, CorsConfiguration, CreateBucketOptions, Jurisdiction,
    LifecycleConfiguration, ReplicationConfiguration, StorageClass, Tag, VersioningStatus,
    Violation, Violations,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The sections an estate manages per bucket.
///
/// Exhaustive on purpose: whoever applies a plan must handle every section, so a new section
/// is a breaking change by design rather than one an older applier skips silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionName {
    /// CORS rules.
    Cors,
    /// Lifecycle rules.
    Lifecycle,
    /// Versioning status.
    Versioning,
    /// Replication rules.
    Replication,
    /// Bucket policy.
    Policy,
}

impl SectionName {
    /// Every section, in file order.
    pub const ALL: [SectionName; 5] = [
        SectionName::Cors,
        SectionName::Lifecycle,
        SectionName::Versioning,
        SectionName::Replication,
        SectionName::Policy,
    ];

    /// The key in the file (`cors`, `lifecycle`, ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            SectionName::Cors => "cors",
            SectionName::Lifecycle => "lifecycle",
            SectionName::Versioning => "versioning",
            SectionName::Replication => "replication",
            SectionName::Policy => "policy",
        }
    }

    /// Parses a section key.
    pub fn parse(s: &str) -> Option<SectionName> {
        SectionName::ALL.into_iter().find(|n| n.as_str() == s)
    }
}

impl fmt::Display for SectionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the estate says about one section of one bucket.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Desired<T> {
    /// The section is absent from the file: whatever the bucket holds is left alone.
    #[default]
    Unmanaged,
    /// `cors = []` or `"delete"`: the bucket must have none.
    Absent,
    /// The bucket must hold exactly this.
    Present(T),
}

impl<T> Desired<T> {
    /// Whether the file manages this section.
    pub fn is_managed(&self) -> bool {
        !matches!(self, Desired::Unmanaged)
    }
}

/// Options used to create a bucket that does not exist yet.
///
/// Non-exhaustive (it follows [`CreateBucketOptions`]): start from [`CreateSpec::default`] and
/// the `with_*` setters.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CreateSpec {
    /// Location hint (R2 `wnam`, `weur`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Default storage class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<StorageClass>,
    /// Canned ACL (COS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<CannedAcl>,
    /// Bucket tags.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Multi-AZ (COS).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multi_az: bool,
    /// Jurisdiction (R2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<Jurisdiction>,
}

impl CreateSpec {
    /// Set the location hint.
    #[must_use]
    pub fn with_location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// Set the default storage class.
    #[must_use]
    pub fn with_storage_class(mut self, storage_class: StorageClass) -> Self {
        self.storage_class = Some(storage_class);
        self
    }

    /// Set the canned ACL.
    #[must_use]
    pub fn with_acl(mut self, acl: CannedAcl) -> Self {
        self.acl = Some(acl);
        self
    }

    /// Add a bucket tag.
    #[must_use]
    pub fn with_tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.insert(key.into(), value.into());
        self
    }

    /// Ask for a multi-AZ bucket.
    #[must_use]
    pub fn with_multi_az(mut self, multi_az: bool) -> Self {
        self.multi_az = multi_az;
        self
    }

    /// Set the jurisdiction.
    #[must_use]
    pub fn with_jurisdiction(mut self, jurisdiction: Jurisdiction) -> Self {
        self.jurisdiction = Some(jurisdiction);
        self
    }

    /// The provider-neutral create options.
    pub fn to_options(&self) -> CreateBucketOptions {
        let mut options = CreateBucketOptions::new()
            .with_tags(
                self.tags
                    .iter()
                    .map(|(k, v)| Tag::new(k.clone(), v.clone())),
            )
            .with_multi_az(self.multi_az);
        options.acl = self.acl;
        options.location_hint = self.location.clone();
        options.storage_class = self.storage_class.clone();
        options.jurisdiction = self.jurisdiction;
        options
    }
}

/// Everything the estate says about one bucket, shared rule sets resolved.
///
/// Non-exhaustive (each new section is a field): start from [`BucketSpec::default`] (nothing
/// managed) and the `with_*` setters.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct BucketSpec {
    /// Create options (`None`: defaults, when the bucket has to be created).
    pub create: Option<CreateSpec>,
    /// CORS.
    pub cors: Desired<CorsConfiguration>,
    /// Lifecycle.
    pub lifecycle: Desired<LifecycleConfiguration>,
    /// Versioning (`Absent` is not allowed: versioning cannot be removed, only suspended).
    pub versioning: Desired<VersioningStatus>,
    /// Replication.
    pub replication: Desired<ReplicationConfiguration>,
    /// Policy.
    pub policy: Desired<BucketPolicy>,
}

impl BucketSpec {
    /// Set the create options.
    #[must_use]
    pub fn with_create(mut self, create: CreateSpec) -> Self {
        self.create = Some(create);
        self
    }

    /// Set the desired CORS.
    #[must_use]
    pub fn with_cors(mut self, cors: Desired<CorsConfiguration>) -> Self {
        self.cors = cors;
        self
    }

    /// Set the desired lifecycle.
    #[must_use]
    pub fn with_lifecycle(mut self, lifecycle: Desired<LifecycleConfiguration>) -> Self {
        self.lifecycle = lifecycle;
        self
    }

    /// Set the desired versioning.
    #[must_use]
    pub fn with_versioning(mut self, versioning: Desired<VersioningStatus>) -> Self {
        self.versioning = versioning;
        self
    }

    /// Set the desired replication.
    #[must_use]
    pub fn with_replication(mut self, replication: Desired<ReplicationConfiguration>) -> Self {
        self.replication = replication;
        self
    }

    /// Set the desired policy.
    #[must_use]
    pub fn with_policy(mut self, policy: Desired<BucketPolicy>) -> Self {
        self.policy = policy;
        self
    }

    /// Whether `section` is managed.
    pub fn manages(&self, section: SectionName) -> bool {
        match section {
            SectionName::Cors => self.cors.is_managed(),
            SectionName::Lifecycle => self.lifecycle.is_managed(),
            SectionName::Versioning => self.versioning.is_managed(),
            SectionName::Replication => self.replication.is_managed(),
            SectionName::Policy => self.policy.is_managed(),
        }
    }
}

/// A parsed, validated estate: bucket URL → what it must hold.
///
/// Non-exhaustive (room for estate-wide settings): parse one, or start from
/// [`Estate::default`] and add buckets with [`Estate::with_bucket`].
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Estate {
    /// The buckets, by target URL (`cos://assets-1250000000?region=ap-beijing`, `r2://assets`).
    pub buckets: BTreeMap<String, BucketSpec>,
}

impl Estate {
    /// Add (or replace) the bucket at `url`.
    #[must_use]
    pub fn with_bucket(mut self, url: impl Into<String>, spec: BucketSpec) -> Self {
        self.buckets.insert(url.into(), spec);
        self
    }
}

/// An estate file that does not validate: every problem, each with its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidEstate(pub Vec<Violation>);

impl fmt::Display for InvalidEstate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the estate file has {} problem(s):", self.0.len())?;
        for v in &self.0 {
            writeln!(f, "  {v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InvalidEstate {}

/// `buckets."r2://assets"`: a TOML-style path segment for a key that needs quoting.
fn key(k: &str) -> String {
    if !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        k.to_owned()
    } else {
        format!("{k:?}")
    }
}

/// Joins a section's path with a path from a model (`rules[2].allowed_origins[0]`). A section
/// written as a bare rule list addresses its rules directly (`cors[2]`).
fn join(base: &str, inner: &str, bare_list: bool) -> String {
    let inner = inner.trim_start_matches('.');
    if inner.is_empty() {
        return base.to_owned();
    }
    if bare_list && let Some(rest) = inner.strip_prefix("rules") {
        return format!("{base}{rest}");
    }
    if inner.starts_with('[') {
        format!("{base}{inner}")
    } else {
        format!("{base}.{inner}")
    }
}

fn typed<T: DeserializeOwned>(
    value: Value,
    base: &str,
    bare: bool,
    v: &mut Violations,
) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(t) => Some(t),
        Err(e) => {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { path };
            v.push(join(base, &path, bare), e.into_inner().to_string());
            None
        }
    }
}

/// Turns a TOML document into JSON-shaped values (TOML dates become strings).
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// Parses and validates an estate file (TOML; JSON when it starts with `{`). Every problem of
/// the whole file is reported at once, each with its path.
pub fn parse(text: &str) -> Result<Estate, InvalidEstate> {
    let text = text.trim_start_matches('\u{feff}');
    let doc = if text.trim_start().starts_with('{') {
        serde_json::from_str::<Value>(text).map_err(|e| {
            InvalidEstate(vec![Violation::new(
                "(file)",
                format!("not valid JSON: {e}"),
            )])
        })?
    } else {
        toml_to_json(
            text.parse::<toml::Table>()
                .map(toml::Value::Table)
                .map_err(|e| {
                    InvalidEstate(vec![Violation::new(
                        "(file)",
                        format!("not valid TOML: {}", e.to_string().trim()),
                    )])
                })?,
        )
    };
    from_value(doc)
}

/// Validates an already-parsed document (see [`parse`]).
pub fn from_value(doc: Value) -> Result<Estate, InvalidEstate> {
    let mut v = Violations::new();
    let Value::Object(mut top) = doc else {
        return Err(InvalidEstate(vec![Violation::new(
            "(file)",
            "must be a table",
        )]));
    };
    if let Some(version) = top.remove("version")
        && version != 1
    {
        v.push("version", "only version 1 is understood");
    }
    let shared = match top.remove("shared") {
        None => Map::new(),
        Some(Value::Object(m)) => m,
        Some(_) => {
            v.push("shared", "must be a table of rule sets per section");
            Map::new()
        }
    };
    for (section, sets) in &shared {
        if !matches!(
            SectionName::parse(section),
            Some(
                SectionName::Cors
                    | SectionName::Lifecycle
                    | SectionName::Replication
                    | SectionName::Policy
            )
        ) {
            v.push(
                format!("shared.{}", key(section)),
                "unknown section; shared rule sets exist for cors, lifecycle, replication, policy",
            );
        } else if !sets.is_object() {
            v.push(
                format!("shared.{}", key(section)),
                "must be a table of named rule sets",
            );
        }
    }
    let buckets = match top.remove("buckets") {
        None => Map::new(),
        Some(Value::Object(m)) => m,
        Some(_) => {
            v.push("buckets", "must be a table keyed by bucket URL");
            Map::new()
        }
    };
    for k in top.keys() {
        v.push(key(k), "unknown key; expected version, shared, buckets");
    }
    let mut estate = Estate::default();
    let mut reported = BTreeSet::new();
    for (url, body) in buckets {
        let base = format!("buckets.{}", key(&url));
        if let Some(problem) = url_problem(&url) {
            v.push(base.clone(), problem);
        }
        let Value::Object(body) = body else {
            v.push(base, "must be a table of sections");
            continue;
        };
        let mut spec = BucketSpec::default();
        for (name, value) in body {
            let at = format!("{base}.{}", key(&name));
            if name == "create" {
                spec.create = typed(value, &at, false, &mut v);
                continue;
            }
            let Some(section) = SectionName::parse(&name) else {
                v.push(at, "unknown section; expected cors, lifecycle, versioning, replication, policy, create");
                continue;
            };
            let mut sv = Violations::new();
            resolve_into(&mut spec, section, value, &at, &shared, &mut sv);
            // A shared set referenced by several buckets reports its problems once.
            for violation in sv.into_vec() {
                if reported.insert((violation.field.clone(), violation.rule.clone())) {
                    v.push(violation.field, violation.rule);
                }
            }
        }
        estate.buckets.insert(url, spec);
    }
    let all = v.into_vec();
    if all.is_empty() {
        Ok(estate)
    } else {
        Err(InvalidEstate(all))
    }
}

/// What is wrong with a bucket URL key, if anything (the CLI canonicalises it further).
fn url_problem(url: &str) -> Option<String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Some(
            "not a bucket URL; expected cos://<bucket>-<appid>?region=.. or r2://<bucket>".into(),
        );
    };
    if !matches!(scheme, "cos" | "r2" | "s3") {
        return Some(format!(
            "`{scheme}://` buckets cannot be managed; use cos:// or r2://"
        ));
    }
    let bucket = rest.split('?').next().unwrap_or("").trim_end_matches('/');
    bucket
        .is_empty()
        .then(|| "names a whole account; an estate lists buckets".into())
}

fn resolve_into(
    spec: &mut BucketSpec,
    section: SectionName,
    value: Value,
    at: &str,
    shared: &Map<String, Value>,
    v: &mut Violations,
) {
    // `{ use = "name" }` points at `shared.<section>.<name>`; problems inside it are reported
    // at the shared set's path.
    let (value, at) = match &value {
        Value::Object(m) if m.len() == 1 && m.contains_key("use") => {
            let Some(name) = m["use"].as_str() else {
                v.push(format!("{at}.use"), "must name a shared rule set");
                return;
            };
            match shared.get(section.as_str()).and_then(|s| s.get(name)) {
                Some(set) => (
                    set.clone(),
                    format!("shared.{}.{}", section.as_str(), key(name)),
                ),
                None => {
                    v.push(
                        format!("{at}.use"),
                        format!("no shared rule set `shared.{section}.{name}`"),
                    );
                    return;
                }
            }
        }
        _ => (value, at.to_owned()),
    };
    let at = at.as_str();
    if value.as_str() == Some("delete") {
        if section == SectionName::Versioning {
            v.push(
                at,
                "versioning cannot be removed, only suspended: use \"suspended\"",
            );
        } else {
            set_absent(spec, section);
        }
        return;
    }
    match section {
        SectionName::Cors => {
            if let Some(d) = rules_section::<CorsConfiguration>(value, at, v) {
                if let Desired::Present(c) = &d {
                    prefixed(c.validate(), at, true, v);
                }
                spec.cors = d;
            }
        }
        SectionName::Lifecycle => {
            if let Some(d) = rules_section::<LifecycleConfiguration>(value, at, v) {
                if let Desired::Present(c) = &d {
                    prefixed(c.validate(), at, true, v);
                }
                spec.lifecycle = d;
            }
        }
        SectionName::Versioning => match typed::<VersioningStatus>(value, at, false, v) {
            Some(VersioningStatus::Unversioned) => v.push(
                at,
                "use \"enabled\" or \"suspended\" (a bucket cannot be made unversioned)",
            ),
            Some(s) => spec.versioning = Desired::Present(s),
            None => {}
        },
        SectionName::Replication => {
            if let Some(c) = typed::<ReplicationConfiguration>(value, at, false, v) {
                prefixed(c.validate(), at, false, v);
                spec.replication = Desired::Present(c);
            }
        }
        SectionName::Policy => {
            if let Some(c) = typed::<BucketPolicy>(value, at, false, v) {
                prefixed(c.validate(), at, false, v);
                spec.policy = Desired::Present(c);
            }
        }
    }
}

fn set_absent(spec: &mut BucketSpec, section: SectionName) {
    match section {
        SectionName::Cors => spec.cors = Desired::Absent,
        SectionName::Lifecycle => spec.lifecycle = Desired::Absent,
        SectionName::Replication => spec.replication = Desired::Absent,
        SectionName::Policy => spec.policy = Desired::Absent,
        SectionName::Versioning => {}
    }
}

/// A rule section: a bare list of rules (`[]` means none), or the neutral configuration table.
fn rules_section<T: DeserializeOwned>(
    value: Value,
    at: &str,
    v: &mut Violations,
) -> Option<Desired<T>> {
    let (value, bare) = match value {
        Value::Array(a) if a.is_empty() => return Some(Desired::Absent),
        Value::Array(a) => {
            let mut m = Map::new();
            m.insert("rules".into(), Value::Array(a));
            (Value::Object(m), true)
        }
        other => (other, false),
    };
    // Remember the shape for paths: a bare list has no `rules` level.
    let mut local = Violations::new();
    let parsed = typed::<T>(value, at, bare, &mut local);
    v.extend(local);
    parsed.map(Desired::Present)
}

fn prefixed(found: Violations, at: &str, bare: bool, v: &mut Violations) {
    for f in found.into_vec() {
        v.push(join(at, &f.field, bare), f.rule);
    }
}

/// Renders an estate as TOML in the file format [`parse`] reads (rule lists bare, `"delete"`
/// for sections that must be empty).
pub fn to_toml(estate: &Estate) -> String {
    let value = to_value(estate);
    let table = match json_to_toml(value) {
        Some(toml::Value::Table(t)) => t,
        _ => toml::Table::new(),
    };
    toml::to_string_pretty(&table).unwrap_or_default()
}

fn json_to_toml(value: Value) -> Option<toml::Value> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) => toml::Value::Boolean(b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => toml::Value::String(s),
        Value::Array(a) => toml::Value::Array(a.into_iter().filter_map(json_to_toml).collect()),
        Value::Object(m) => toml::Value::Table(
            m.into_iter()
                .filter_map(|(k, v)| json_to_toml(v).map(|v| (k, v)))
                .collect(),
        ),
    })
}

/// The estate as a JSON document in the file format (what `--json` export would write).
pub fn to_value(estate: &Estate) -> Value {
    let mut buckets = Map::new();
    for (url, spec) in &estate.buckets {
        let mut b = Map::new();
        if let Some(c) = &spec.create {
            b.insert("create".into(), serde_json::to_value(c).unwrap_or_default());
        }
        let rules = |present: Value| match present {
            // A configuration with only rules is written as the bare list.
            Value::Object(m) if m.len() == 1 && m.contains_key("rules") => m["rules"].clone(),
            other => other,
        };
        put(&mut b, "cors", &spec.cors, rules);
        put(&mut b, "lifecycle", &spec.lifecycle, rules);
        put(&mut b, "versioning", &spec.versioning, |v| v);
        put(&mut b, "replication", &spec.replication, |v| v);
        put(&mut b, "policy", &spec.policy, |v| v);
        buckets.insert(url.clone(), Value::Object(b));
    }
    let mut top = Map::new();
    top.insert("version".into(), Value::from(1));
    top.insert("buckets".into(), Value::Object(buckets));
    Value::Object(top)
}

fn put<T: Serialize>(
    b: &mut Map<String, Value>,
    name: &str,
    d: &Desired<T>,
    shape: impl Fn(Value) -> Value,
) {
    match d {
        Desired::Unmanaged => {}
        Desired::Absent => {
            b.insert(name.into(), Value::from("delete"));
        }
        Desired::Present(c) => {
            b.insert(
                name.into(),
                shape(serde_json::to_value(c).unwrap_or_default()),
            );
        }
    }
}
