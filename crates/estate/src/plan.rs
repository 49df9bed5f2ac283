//! The pure planner: an [`Estate`], what the buckets hold now ([`FetchedState`]) and what each
//! provider can hold ([`Capabilities`]) in, a [`Plan`] out. No I/O: the CLI fetches, this
//! decides, the CLI applies.

use std::collections::BTreeMap;

use bucket_admin_core::convert::{self, Change, ChangeKind, Converted};
use bucket_admin_core::{
    BucketPolicy, Capabilities, CorsConfiguration, CreateBucketOptions, LifecycleConfiguration,
    ReplicationConfiguration, VersioningStatus,
};
use serde::Serialize;

use crate::model::{Desired, Estate, SectionName};

/// What one bucket holds now, as read by the caller.
///
/// Non-exhaustive (each new section is a field): build it with [`BucketState::missing`] or
/// [`BucketState::existing`] and the `with_*` setters.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[non_exhaustive]
pub struct BucketState {
    /// Whether the bucket exists.
    pub exists: bool,
    /// CORS (`None`: none set).
    pub cors: Option<CorsConfiguration>,
    /// Lifecycle.
    pub lifecycle: Option<LifecycleConfiguration>,
    /// Versioning.
    pub versioning: VersioningStatus,
    /// Replication.
    pub replication: Option<ReplicationConfiguration>,
    /// Policy.
    pub policy: Option<BucketPolicy>,
}

impl BucketState {
    /// A bucket that does not exist.
    pub fn missing() -> Self {
        Self::default()
    }

    /// A bucket that exists and holds nothing yet (add what it holds with the setters).
    pub fn existing() -> Self {
        Self {
            exists: true,
            ..Self::default()
        }
    }

    /// Set whether the bucket exists.
    #[must_use]
    pub fn with_exists(mut self, exists: bool) -> Self {
        self.exists = exists;
        self
    }

    /// Set its CORS configuration.
    #[must_use]
    pub fn with_cors(mut self, cors: CorsConfiguration) -> Self {
        self.cors = Some(cors);
        self
    }

    /// Set its lifecycle configuration.
    #[must_use]
    pub fn with_lifecycle(mut self, lifecycle: LifecycleConfiguration) -> Self {
        self.lifecycle = Some(lifecycle);
        self
    }

    /// Set its versioning status.
    #[must_use]
    pub fn with_versioning(mut self, versioning: VersioningStatus) -> Self {
        self.versioning = versioning;
        self
    }

    /// Set its replication configuration.
    #[must_use]
    pub fn with_replication(mut self, replication: ReplicationConfiguration) -> Self {
        self.replication = Some(replication);
        self
    }

    /// Set its policy.
    #[must_use]
    pub fn with_policy(mut self, policy: BucketPolicy) -> Self {
        self.policy = Some(policy);
        self
    }
}

/// The state of every bucket of an estate, by the estate's URL.
pub type FetchedState = BTreeMap<String, BucketState>;

/// The capabilities of every bucket's provider, by the estate's URL.
pub type CapabilityMap = BTreeMap<String, Capabilities>;

/// A section's configuration, typed.
///
/// Exhaustive on purpose, like [`SectionName`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SectionValue {
    /// CORS.
    Cors(CorsConfiguration),
    /// Lifecycle.
    Lifecycle(LifecycleConfiguration),
    /// Versioning.
    Versioning(VersioningStatus),
    /// Replication.
    Replication(ReplicationConfiguration),
    /// Policy.
    Policy(BucketPolicy),
}

/// What happens to one section.
///
/// Exhaustive on purpose: an applier that did not know an action would skip it silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The bucket already holds it.
    Unchanged,
    /// Write the planned configuration.
    Put,
    /// Remove what the bucket holds.
    Delete,
    /// The provider cannot hold this section at all; nothing can be written (lossy).
    Unsupported,
}

/// The plan for one section of one bucket.
///
/// Non-exhaustive: made by [`plan`], read by the caller.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SectionPlan {
    /// Which section.
    pub section: SectionName,
    /// What happens.
    pub action: Action,
    /// What the bucket holds now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<SectionValue>,
    /// What it will hold (after conversion to the provider), for `put`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planned: Option<SectionValue>,
    /// Every loss or change the conversion to the provider makes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    /// Unified diff of current against planned (empty when unchanged).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub diff: String,
}

impl SectionPlan {
    /// Whether applying changes something.
    pub fn is_change(&self) -> bool {
        !matches!(self.action, Action::Unchanged)
    }

    /// Whether the provider cannot hold the plan exactly.
    pub fn is_lossy(&self) -> bool {
        !self.changes.is_empty()
    }
}

/// The plan for one bucket.
///
/// Non-exhaustive: made by [`plan`], read by the caller.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct BucketPlan {
    /// The bucket's URL (as in the estate).
    pub url: String,
    /// `Some` when the bucket does not exist and will be created with these options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create: Option<CreateBucketOptions>,
    /// One entry per managed section.
    pub sections: Vec<SectionPlan>,
}

impl BucketPlan {
    /// Whether applying changes anything on this bucket.
    pub fn is_change(&self) -> bool {
        self.create.is_some() || self.sections.iter().any(SectionPlan::is_change)
    }
}

/// The whole plan: inspectable, serialisable.
///
/// Non-exhaustive: made by [`plan`], read by the caller.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Plan {
    /// One entry per bucket of the estate, in URL order.
    pub buckets: Vec<BucketPlan>,
}

impl Plan {
    /// Whether anything would change.
    pub fn has_changes(&self) -> bool {
        self.buckets.iter().any(BucketPlan::is_change)
    }

    /// Whether a change loses or alters something the estate asks for.
    pub fn is_lossy(&self) -> bool {
        self.buckets
            .iter()
            .flat_map(|b| &b.sections)
            .any(|s| s.is_change() && s.is_lossy())
    }

    /// One line per drifted bucket and section: `r2://assets cors: put`.
    pub fn drift_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for b in &self.buckets {
            if b.create.is_some() {
                out.push(format!("{} bucket: create (does not exist)", b.url));
            }
            for s in b.sections.iter().filter(|s| s.is_change()) {
                out.push(format!(
                    "{} {}: {}",
                    b.url,
                    s.section,
                    action_word(s.action)
                ));
            }
        }
        out
    }

    /// The plan as text: per bucket and section the action, the diff and the loss report.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for b in &self.buckets {
            out.push_str(&format!("{}\n", b.url));
            if let Some(opts) = &b.create {
                out.push_str(&format!(
                    "  bucket: create{}\n",
                    serde_json::to_string(opts)
                        .ok()
                        .filter(|s| s != "{}")
                        .map(|s| format!(" {s}"))
                        .unwrap_or_default()
                ));
            }
            for s in &b.sections {
                out.push_str(&format!("  {}: {}\n", s.section, action_word(s.action)));
                for line in s.diff.lines() {
                    out.push_str(&format!("    {line}\n"));
                }
                for c in &s.changes {
                    out.push_str(&format!("    loss: {c}\n"));
                }
            }
        }
        out
    }
}

fn action_word(a: Action) -> &'static str {
    match a {
        Action::Unchanged => "unchanged",
        Action::Put => "put",
        Action::Delete => "delete",
        Action::Unsupported => "unsupported by the provider",
    }
}

fn pretty<T: Serialize>(v: Option<&T>) -> String {
    match v {
        None => String::new(),
        Some(v) => {
            let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
            s.push('\n');
            s
        }
    }
}

fn diff_text<T: Serialize>(current: Option<&T>, planned: Option<&T>) -> String {
    let (a, b) = (pretty(current), pretty(planned));
    if a == b {
        return String::new();
    }
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(3)
        .header("current", "planned")
        .to_string()
}

/// Whether `actual` holds `planned`, lenient only where providers fill in values themselves
/// (a rule id where the plan has none; COS `ResponseVary: false` when unset). The same
/// leniency as the CLI's read-back verification, so a verified apply plans unchanged.
fn same_rules<R: Clone + PartialEq>(
    planned: &[R],
    actual: &[R],
    clear_id: impl Fn(&R, &mut R),
) -> bool {
    planned.len() == actual.len()
        && planned.iter().zip(actual).all(|(p, a)| {
            let mut a = a.clone();
            clear_id(p, &mut a);
            *p == a
        })
}

fn same_cors(p: &CorsConfiguration, a: &CorsConfiguration) -> bool {
    let vary_ok = match p.extras.cos_response_vary {
        None => a.extras.cos_response_vary != Some(true),
        some => some == a.extras.cos_response_vary,
    };
    vary_ok
        && same_rules(&p.rules, &a.rules, |p, a| {
            if p.id.is_none() {
                a.id = None
            }
        })
}

fn same_lifecycle(p: &LifecycleConfiguration, a: &LifecycleConfiguration) -> bool {
    same_rules(&p.rules, &a.rules, |p, a| {
        if p.id.is_none() {
            a.id = None
        }
    })
}

fn same_replication(p: &ReplicationConfiguration, a: &ReplicationConfiguration) -> bool {
    (p.role.is_none() || p.role == a.role)
        && same_rules(&p.rules, &a.rules, |p, a| {
            if p.id.is_none() {
                a.id = None
            }
        })
}

fn unsupported(section: SectionName, caps: &Capabilities) -> Change {
    Change::new(
        section.as_str(),
        ChangeKind::Dropped,
        format!(
            "{} has no {section} configuration; nothing can be written",
            caps.provider
        ),
    )
}

/// Plans one rule-like section.
#[allow(clippy::too_many_arguments)]
fn plan_section<T: Clone + Serialize>(
    section: SectionName,
    desired: &Desired<T>,
    current: Option<&T>,
    supported: bool,
    caps: &Capabilities,
    convert: impl Fn(&T) -> Result<Converted<T>, String>,
    same: impl Fn(&T, &T) -> bool,
    wrap: impl Fn(T) -> SectionValue,
) -> Option<SectionPlan> {
    let mut p = SectionPlan {
        section,
        action: Action::Unchanged,
        current: current.cloned().map(&wrap),
        planned: None,
        changes: Vec::new(),
        diff: String::new(),
    };
    match desired {
        Desired::Unmanaged => return None,
        Desired::Absent => {
            if current.is_some() {
                p.action = Action::Delete;
                p.diff = diff_text(current, None);
            }
        }
        Desired::Present(want) => {
            if !supported {
                p.action = Action::Unsupported;
                p.changes.push(unsupported(section, caps));
                return Some(p);
            }
            let converted = match convert(want) {
                Ok(c) => c,
                Err(e) => {
                    p.action = Action::Unsupported;
                    p.changes
                        .push(Change::new(section.as_str(), ChangeKind::Dropped, e));
                    return Some(p);
                }
            };
            p.changes = converted
                .changes
                .into_iter()
                .map(|mut c| {
                    c.path = format!("{section}.{}", c.path);
                    c
                })
                .collect();
            if !current.is_some_and(|c| same(&converted.value, c)) {
                p.action = Action::Put;
                p.diff = diff_text(current, Some(&converted.value));
            }
            p.planned = Some(wrap(converted.value));
        }
    }
    Some(p)
}

/// Fits CORS to a provider the way copies do: `ResponseVary: false` (the COS default) asks for
/// what a provider without the setting does anyway, so dropping it is no loss.
fn convert_cors(
    c: &CorsConfiguration,
    caps: &Capabilities,
) -> Result<Converted<CorsConfiguration>, String> {
    let mut c = c.clone();
    if c.extras.cos_response_vary == Some(false) && !caps.cors_response_vary {
        c.extras.cos_response_vary = None;
    }
    convert::cors_for(&c, caps).map_err(|e| e.to_string())
}

/// Plans the estate against what the buckets hold. A bucket missing from `state` is treated as
/// not existing; one missing from `caps` cannot be planned and gets an `unsupported` entry for
/// every managed section.
pub fn plan(estate: &Estate, state: &FetchedState, caps: &CapabilityMap) -> Plan {
    let empty = BucketState::default();
    let mut buckets = Vec::new();
    for (url, spec) in &estate.buckets {
        let st = state.get(url).unwrap_or(&empty);
        let fallback = Capabilities::none(bucket_admin_core::Provider::Other("unknown"));
        let c = caps.get(url).unwrap_or(&fallback);
        let create = (!st.exists).then(|| spec.create.clone().unwrap_or_default().to_options());
        let mut sections = Vec::new();
        sections.extend(plan_section(
            SectionName::Cors,
            &spec.cors,
            st.cors.as_ref(),
            c.cors,
            c,
            |v| convert_cors(v, c),
            same_cors,
            SectionValue::Cors,
        ));
        sections.extend(plan_section(
            SectionName::Lifecycle,
            &spec.lifecycle,
            st.lifecycle.as_ref(),
            c.lifecycle,
            c,
            |v| convert::lifecycle_for(v, c).map_err(|e| e.to_string()),
            same_lifecycle,
            SectionValue::Lifecycle,
        ));
        let versioning_now =
            (st.versioning != VersioningStatus::Unversioned).then_some(st.versioning);
        sections.extend(plan_section(
            SectionName::Versioning,
            &spec.versioning,
            versioning_now.as_ref(),
            c.versioning,
            c,
            |v| Ok(Converted::lossless(*v)),
            |a, b| a == b,
            SectionValue::Versioning,
        ));
        sections.extend(plan_section(
            SectionName::Replication,
            &spec.replication,
            st.replication.as_ref(),
            c.replication,
            c,
            |v| Ok(Converted::lossless(v.clone())),
            same_replication,
            SectionValue::Replication,
        ));
        sections.extend(plan_section(
            SectionName::Policy,
            &spec.policy,
            st.policy.as_ref(),
            c.policy,
            c,
            |v| Ok(Converted::lossless(v.clone())),
            |a, b| a == b,
            SectionValue::Policy,
        ));
        buckets.push(BucketPlan {
            url: url.clone(),
            create,
            sections,
        });
    }
    Plan { buckets }
}
