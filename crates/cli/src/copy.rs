//! The copy planner: read, convert, diff, decide, back up, write, read back, verify.
//!
//! [`decide`] is the pure decision; [`copy_one`] runs the whole sequence for one
//! source/target pair and never returns an error: every failure becomes a [`CopyReport`] with
//! [`Outcome::Failed`], so the bulk engine can keep going and report it.

use std::path::PathBuf;

use bucket_admin_core::convert::{Change, Converted};
use serde::{Deserialize, Serialize};

use crate::diff;
use crate::endpoint::{self, Endpoint, Section};
use crate::exit::{CliError, Exit};

/// How a copy behaves.
#[derive(Debug, Clone)]
pub struct CopyOptions {
    /// Apply even when the conversion lost or changed something.
    pub allow_lossy: bool,
    /// Plan and report only; write nothing.
    pub dry_run: bool,
    /// Where the target's previous configuration is saved before it is overwritten
    /// (`None`: `--no-backup`).
    pub backup_dir: Option<PathBuf>,
}

/// What happened to one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Written, read back and verified.
    Applied,
    /// The target already holds the planned configuration; nothing written.
    Unchanged,
    /// `--dry-run`: would be written.
    Planned,
    /// The conversion is lossy and `--allow-lossy` was not given; nothing written.
    LossyRefused,
    /// The source has no configuration; the target was left as it is.
    SourceEmpty,
    /// Written, but what was read back differs from what was planned.
    Mismatch,
    /// An operation failed; see the error.
    Failed,
    /// Bulk rerun: already verified in the state file, not touched again.
    AlreadyDone,
}

impl Outcome {
    /// The label shown in tables.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Unchanged => "unchanged",
            Outcome::Planned => "planned (dry run)",
            Outcome::LossyRefused => "lossy-refused",
            Outcome::SourceEmpty => "source-empty",
            Outcome::Mismatch => "verify-mismatch",
            Outcome::Failed => "failed",
            Outcome::AlreadyDone => "already-done",
        }
    }

    /// The key in JSON output (summaries and reports alike): the snake_case serde name.
    pub fn key(&self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Unchanged => "unchanged",
            Outcome::Planned => "planned",
            Outcome::LossyRefused => "lossy_refused",
            Outcome::SourceEmpty => "source_empty",
            Outcome::Mismatch => "mismatch",
            Outcome::Failed => "failed",
            Outcome::AlreadyDone => "already_done",
        }
    }

    /// The exit code this outcome contributes.
    pub fn exit(&self) -> Exit {
        match self {
            Outcome::Applied
            | Outcome::Unchanged
            | Outcome::Planned
            | Outcome::SourceEmpty
            | Outcome::AlreadyDone => Exit::Ok,
            Outcome::LossyRefused => Exit::LossyRefused,
            Outcome::Mismatch => Exit::Mismatch,
            Outcome::Failed => Exit::Failed,
        }
    }

    /// Whether the target is verified to hold the planned configuration (recorded in the
    /// bulk state file, skipped on a rerun).
    pub fn is_verified(&self) -> bool {
        matches!(self, Outcome::Applied | Outcome::Unchanged)
    }
}

/// The result of copying one configuration.
#[derive(Debug, Clone, Serialize)]
pub struct CopyReport {
    /// Section copied (`cors`, `lifecycle`).
    pub section: &'static str,
    /// Source URL.
    pub source: String,
    /// Target URL.
    pub target: String,
    /// What happened.
    pub outcome: Outcome,
    /// Every loss or change the conversion made.
    pub changes: Vec<Change>,
    /// Diff of the target's current configuration against the plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// Where the previous configuration was saved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<PathBuf>,
    /// Why it failed or mismatched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// [`plan_hash`] of the planned configuration (recorded in the bulk state file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_sha1: Option<String>,
}

impl CopyReport {
    fn new<S: Section>(source: &str, target: &str, outcome: Outcome) -> Self {
        Self {
            section: S::NAME,
            source: source.to_owned(),
            target: target.to_owned(),
            outcome,
            changes: Vec::new(),
            diff: None,
            backup: None,
            error: None,
            plan_sha1: None,
        }
    }

    /// A failure report.
    pub fn failed<S: Section>(source: &str, target: &str, error: impl ToString) -> Self {
        let mut r = Self::new::<S>(source, target, Outcome::Failed);
        r.error = Some(error.to_string());
        r
    }

    /// A report for a pair skipped because the state file records this very plan (same
    /// hash) as verified.
    pub fn already_done<S: Section>(source: &str, target: &str, plan_sha1: &str) -> Self {
        let mut r = Self::new::<S>(source, target, Outcome::AlreadyDone);
        r.plan_sha1 = Some(plan_sha1.to_owned());
        r
    }
}

/// The decision for one copy, before anything is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The source has nothing to copy.
    SourceEmpty,
    /// The target already holds the plan.
    Unchanged,
    /// Lossy, and not allowed.
    LossyRefused,
    /// Write the plan.
    Apply,
}

/// Decides what to do. Unchanged wins over lossy: nothing would be written, so there is
/// nothing to refuse (the loss report is still shown).
pub fn decide<S: Section>(
    planned: Option<&Converted<S::Config>>,
    current: Option<&S::Config>,
    allow_lossy: bool,
) -> Decision {
    let Some(planned) = planned else {
        return Decision::SourceEmpty;
    };
    if current.is_some_and(|c| S::same(&planned.value, c)) {
        Decision::Unchanged
    } else if !planned.is_lossless() && !allow_lossy {
        Decision::LossyRefused
    } else {
        Decision::Apply
    }
}

/// A canonical hash of a planned configuration: SHA-1 over its JSON with object keys sorted
/// (through `serde_json::Value`, whose maps are ordered), as lowercase hex. Stable across runs
/// and machines, so a state file records exactly what was verified.
pub fn plan_hash<T: Serialize>(value: &T) -> String {
    use sha1::{Digest, Sha1};
    let canonical = serde_json::to_value(value)
        .and_then(|v| serde_json::to_vec(&v))
        .unwrap_or_default();
    hex::encode(Sha1::digest(&canonical))
}

/// Reads the source and fits it to the target: `None` when the source has no configuration.
pub async fn plan<S: Section>(
    source: &Endpoint,
    target: &Endpoint,
) -> Result<Option<Converted<S::Config>>, CliError> {
    let Some(cfg) = endpoint::get::<S>(source).await? else {
        return Ok(None);
    };
    Ok(Some(match target.capabilities() {
        Some(caps) => S::convert(&cfg, caps)?,
        None => Converted::lossless(cfg),
    }))
}

/// Copies `S`'s configuration from `source` to `target`. Never fails: failures are reported in
/// the returned [`CopyReport`].
pub async fn copy_one<S: Section>(
    source: &Endpoint,
    target: &Endpoint,
    opts: &CopyOptions,
) -> CopyReport {
    match plan::<S>(source, target).await {
        Ok(planned) => apply::<S>(source.url(), target, planned, opts).await,
        Err(e) => CopyReport::failed::<S>(source.url(), target.url(), e),
    }
}

/// The rest of [`copy_one`] once the plan is known: read the target, decide, back up, write,
/// read back, verify.
pub async fn apply<S: Section>(
    src: &str,
    target: &Endpoint,
    planned: Option<Converted<S::Config>>,
    opts: &CopyOptions,
) -> CopyReport {
    let dst = target.url();
    let current = match endpoint::get_current::<S>(target).await {
        Ok(v) => v,
        Err(e) => return CopyReport::failed::<S>(src, dst, e),
    };
    let decision = decide::<S>(planned.as_ref(), current.as_ref(), opts.allow_lossy);
    let mut report = CopyReport::new::<S>(src, dst, Outcome::Failed);
    let Some(planned) = planned else {
        report.outcome = Outcome::SourceEmpty;
        return report;
    };
    report.plan_sha1 = Some(plan_hash(&planned.value));
    report.changes = planned.changes.clone();
    if decision != Decision::Unchanged {
        // What the target holds and the plan does not is lost by the overwrite: it belongs in
        // the loss report (it is in the backup, so it needs no --allow-lossy).
        if let Some(current) = &current {
            report
                .changes
                .extend(S::removed_from_target(current, &planned.value));
        }
    }
    report.diff = Some(diff::whole_diff(
        current.as_ref(),
        Some(&planned.value),
        &format!("{dst} (current)"),
        &format!("{dst} (planned)"),
    ));
    match decision {
        // Not reached: without a plan we returned above.
        Decision::SourceEmpty => report.outcome = Outcome::SourceEmpty,
        Decision::Unchanged => report.outcome = Outcome::Unchanged,
        Decision::LossyRefused => report.outcome = Outcome::LossyRefused,
        Decision::Apply if opts.dry_run => report.outcome = Outcome::Planned,
        Decision::Apply => {
            if let (Some(previous), Some(dir)) = (&current, &opts.backup_dir) {
                match crate::backup::save(dir, target.url(), S::NAME, previous) {
                    Ok(path) => report.backup = Some(path),
                    Err(e) => {
                        // Never overwrite what we could not save.
                        report.error = Some(e.to_string());
                        return report;
                    }
                }
            }
            if let Err(e) = endpoint::put::<S>(target, &planned.value).await {
                report.error = Some(e.to_string());
                return report;
            }
            match endpoint::get_current::<S>(target).await {
                Err(e) => {
                    report.error = Some(format!("written, but reading it back failed: {e}"));
                }
                Ok(Some(actual)) if S::same(&planned.value, &actual) => {
                    report.outcome = Outcome::Applied;
                }
                Ok(actual) => {
                    report.outcome = Outcome::Mismatch;
                    report.error = Some(format!(
                        "{dst}: the {} configuration read back differs from what was written:\n{}",
                        S::TITLE,
                        diff::config_diff(
                            Some(&planned.value),
                            actual.as_ref(),
                            "written",
                            "read back"
                        )
                    ));
                }
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;
    use std::sync::atomic::Ordering;

    use bucket_admin_core::{CorsConfiguration, CorsMethod, CorsRule, Provider};

    use super::*;
    use crate::endpoint::Cors;
    use crate::fake::FakeAdmin;

    fn cfg(age: u32) -> CorsConfiguration {
        CorsConfiguration::new(vec![
            CorsRule::new(["https://a.com"], [CorsMethod::Get]).with_max_age_seconds(age),
        ])
    }

    fn ep(admin: &Arc<FakeAdmin>, bucket: &str) -> Endpoint {
        Endpoint::Bucket {
            admin: admin.clone(),
            bucket: bucket.into(),
            url: format!("{}://{bucket}", admin.caps.provider.as_str()),
        }
    }

    fn opts(dir: &Path) -> CopyOptions {
        CopyOptions {
            allow_lossy: false,
            dry_run: false,
            backup_dir: Some(dir.to_owned()),
        }
    }

    #[test]
    fn decisions() {
        let lossless = Converted::lossless(cfg(60));
        let lossy = Converted::new(
            cfg(60),
            vec![Change::new(
                "rules[0].max_age_seconds",
                bucket_admin_core::convert::ChangeKind::Rounded,
                "x",
            )],
        );
        assert_eq!(
            decide::<Cors>(None, Some(&cfg(1)), false),
            Decision::SourceEmpty
        );
        assert_eq!(
            decide::<Cors>(Some(&lossless), None, false),
            Decision::Apply
        );
        assert_eq!(
            decide::<Cors>(Some(&lossless), Some(&cfg(1)), false),
            Decision::Apply
        );
        assert_eq!(
            decide::<Cors>(Some(&lossless), Some(&cfg(60)), false),
            Decision::Unchanged
        );
        assert_eq!(
            decide::<Cors>(Some(&lossy), None, false),
            Decision::LossyRefused
        );
        assert_eq!(decide::<Cors>(Some(&lossy), None, true), Decision::Apply);
        assert_eq!(
            decide::<Cors>(Some(&lossy), Some(&cfg(60)), false),
            Decision::Unchanged
        );
    }

    #[tokio::test]
    async fn lossless_copy_backs_up_applies_and_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let cos =
            Arc::new(FakeAdmin::new(Provider::Cos).with_bucket("a-1250000000", Some(cfg(600))));
        let r2 = Arc::new(FakeAdmin::new(Provider::R2).with_bucket("a", Some(cfg(5))));
        let report =
            copy_one::<Cors>(&ep(&cos, "a-1250000000"), &ep(&r2, "a"), &opts(dir.path())).await;
        assert_eq!(report.outcome, Outcome::Applied, "{report:?}");
        assert_eq!(r2.cors("a"), Some(cfg(600)));
        let backup = report.backup.unwrap();
        let saved: CorsConfiguration =
            serde_json::from_str(&std::fs::read_to_string(backup).unwrap()).unwrap();
        assert_eq!(saved, cfg(5));
        // The target's own rule is not in the plan: the overwrite loses it, and says so.
        let lost: Vec<(&str, bucket_admin_core::convert::ChangeKind)> = report
            .changes
            .iter()
            .map(|c| (c.path.as_str(), c.kind))
            .collect();
        assert_eq!(
            lost,
            [(
                "target.rules[0]",
                bucket_admin_core::convert::ChangeKind::Dropped
            )]
        );
        assert!(
            report
                .diff
                .unwrap()
                .contains("+       \"max_age_seconds\": 600")
        );

        // Second run: unchanged, nothing written.
        let before = r2.puts.load(Ordering::SeqCst);
        let again =
            copy_one::<Cors>(&ep(&cos, "a-1250000000"), &ep(&r2, "a"), &opts(dir.path())).await;
        assert_eq!(again.outcome, Outcome::Unchanged);
        assert!(again.changes.is_empty(), "{:?}", again.changes);
        assert_eq!(r2.puts.load(Ordering::SeqCst), before);
    }

    #[tokio::test]
    async fn lossy_copy_is_refused_unless_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let cos =
            Arc::new(FakeAdmin::new(Provider::Cos).with_bucket("a-1250000000", Some(cfg(200_000))));
        let r2 = Arc::new(FakeAdmin::new(Provider::R2).with_bucket("a", None));
        let refused =
            copy_one::<Cors>(&ep(&cos, "a-1250000000"), &ep(&r2, "a"), &opts(dir.path())).await;
        assert_eq!(refused.outcome, Outcome::LossyRefused);
        assert_eq!(refused.outcome.exit(), Exit::LossyRefused);
        assert_eq!(refused.changes.len(), 1);
        assert_eq!(r2.cors("a"), None);

        let mut dry = opts(dir.path());
        dry.allow_lossy = true;
        dry.dry_run = true;
        let planned = copy_one::<Cors>(&ep(&cos, "a-1250000000"), &ep(&r2, "a"), &dry).await;
        assert_eq!(planned.outcome, Outcome::Planned);
        assert_eq!(r2.cors("a"), None);

        dry.dry_run = false;
        let applied = copy_one::<Cors>(&ep(&cos, "a-1250000000"), &ep(&r2, "a"), &dry).await;
        assert_eq!(applied.outcome, Outcome::Applied);
        assert_eq!(r2.cors("a"), Some(cfg(86_400)));
        assert!(applied.backup.is_none(), "nothing to back up");
    }

    #[tokio::test]
    async fn mismatch_failure_and_empty_source_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let cos = Arc::new(
            FakeAdmin::new(Provider::Cos)
                .with_bucket("a-1250000000", Some(cfg(60)))
                .with_bucket("empty-1250000000", None),
        );
        let r2 = Arc::new(
            FakeAdmin::new(Provider::R2)
                .with_bucket("a", None)
                .with_bucket("b", None),
        );
        r2.corrupting.lock().unwrap().insert("a".into());
        r2.failing.lock().unwrap().insert("b".into());
        let o = opts(dir.path());
        let mismatch = copy_one::<Cors>(&ep(&cos, "a-1250000000"), &ep(&r2, "a"), &o).await;
        assert_eq!(mismatch.outcome, Outcome::Mismatch);
        assert!(mismatch.error.unwrap().contains("read back"));
        let failed = copy_one::<Cors>(&ep(&cos, "a-1250000000"), &ep(&r2, "b"), &o).await;
        assert_eq!(failed.outcome, Outcome::Failed);
        let error = failed.error.unwrap();
        assert!(error.contains("R2 get_cors on bucket `b`"), "{error}");
        assert!(error.contains("request id fake-req"), "{error}");
        let empty = copy_one::<Cors>(&ep(&cos, "empty-1250000000"), &ep(&r2, "a"), &o).await;
        assert_eq!(empty.outcome, Outcome::SourceEmpty);
    }

    #[tokio::test]
    async fn file_endpoints_copy_without_conversion() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("in.json");
        std::fs::write(
            &src,
            r#"{"CORSRules":[{"AllowedOrigins":["https://a.com"],"AllowedMethods":["GET"],"MaxAgeSeconds":60}]}"#,
        )
        .unwrap();
        let source = Endpoint::File {
            path: src.clone(),
            format: None,
            url: "file://in.json".into(),
        };
        let out = dir.path().join("out.xml");
        let target = Endpoint::File {
            path: out.clone(),
            format: None,
            url: "file://out.xml".into(),
        };
        let report = copy_one::<Cors>(&source, &target, &opts(dir.path())).await;
        assert_eq!(report.outcome, Outcome::Applied, "{report:?}");
        assert!(
            std::fs::read_to_string(&out)
                .unwrap()
                .contains("<CORSConfiguration>")
        );
        let missing = Endpoint::File {
            path: dir.path().join("nope.json"),
            format: None,
            url: "file://nope.json".into(),
        };
        let r = copy_one::<Cors>(&missing, &target, &opts(dir.path())).await;
        assert_eq!(r.outcome, Outcome::Failed);
        assert!(r.error.unwrap().contains("does not exist"));
    }
}
