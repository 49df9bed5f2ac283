//! `export`, `plan`, `apply` and `drift`: bucket configuration as code.
//!
//! The estate file, its validation and the pure planner live in `bucket-admin-estate`; this
//! module does the I/O around them. Fetching goes through the [`Connector`] (canonical URLs,
//! cached clients, R2 pacing); writing goes through [`copy::apply`] (backup, write, read-back
//! verification) for every section put, and [`backup::before_overwrite`] for deletes, so an
//! estate apply keeps exactly the promises of a copy. Resume uses the bulk [`StateFile`]: a
//! bucket whose whole desired configuration was verified by an earlier run (same hash) is
//! not read or written again.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bucket_admin_core::convert::{Change, Converted};
use bucket_admin_core::{
    BucketAdmin, BucketPolicy, Capabilities, ReplicationConfiguration, Result as CoreResult,
    VersioningStatus,
};
use bucket_admin_estate::{
    self as est, Action, BucketPlan, BucketState, CapabilityMap, Desired, Estate, FetchedState,
    Plan, Retarget, SectionName, SectionValue,
};
use clap::Args;
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::backup;
use crate::bulk::{Pair, Progress, StateFile, StderrProgress};
use crate::cli::BackupArgs;
use crate::copy::{self, CopyOptions, CopyReport, Outcome};
use crate::endpoint::{self, Cors, Endpoint, Lifecycle, Section};
use crate::exit::{CliError, Exit};
use crate::formats::CorsFormat;
use crate::output;
use crate::targets::Connector;
use crate::url::TargetUrl;

/// Options of `export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Bucket or account URLs (`cos://?region=ap-beijing`, `r2://` export every bucket).
    #[arg(required = true)]
    pub urls: Vec<String>,
    /// Sections to export, comma-separated (default: every section the provider has).
    #[arg(long, value_delimiter = ',', value_name = "cors,lifecycle,...", value_parser = parse_section)]
    pub sections: Vec<SectionName>,
    /// Write here instead of stdout (`.json`: JSON, otherwise TOML).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Options shared by `plan`, `apply` and `drift`.
#[derive(Debug, Clone, Args)]
pub struct EstateArgs {
    /// The estate file (TOML, or JSON).
    #[arg(short, long, value_name = "FILE")]
    pub file: PathBuf,
    /// Move the buckets of one account to another without editing the file:
    /// `FROM=TO`, e.g. `cos://?region=ap-beijing=r2://` (repeatable).
    #[arg(long, value_name = "FROM=TO")]
    pub retarget: Vec<String>,
    /// Accept changes the target provider cannot hold exactly.
    #[arg(long)]
    pub allow_lossy: bool,
}

/// Options of `apply`.
#[derive(Debug, Clone, Args)]
pub struct ApplyArgs {
    /// The estate and how to read it.
    #[command(flatten)]
    pub estate: EstateArgs,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Buckets processed at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Backup of every section an apply overwrites or deletes.
    #[command(flatten)]
    pub backup: BackupArgs,
    /// State file for resuming (default: FILE.state.jsonl).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Ignore what the state file says was verified.
    #[arg(long)]
    pub fresh: bool,
}

fn parse_section(s: &str) -> Result<SectionName, String> {
    SectionName::parse(s.trim()).ok_or_else(|| {
        format!("`{s}`: expected one of cors, lifecycle, versioning, replication, policy")
    })
}

/// Versioning as a copyable section (status `unversioned` reads as "none").
#[derive(Debug, Clone, Copy)]
pub struct Versioning;
/// Replication as a copyable section.
#[derive(Debug, Clone, Copy)]
pub struct Replication;
/// The bucket policy as a copyable section.
#[derive(Debug, Clone, Copy)]
pub struct Policy;

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

macro_rules! neutral_section {
    ($ty:ty, $cfg:ty, $name:literal, $title:literal, $get:ident, $put:ident, $same:expr) => {
        impl Section for $ty {
            type Config = $cfg;
            const NAME: &'static str = $name;
            const TITLE: &'static str = $title;
            fn convert(c: &$cfg, _t: &Capabilities) -> CoreResult<Converted<$cfg>> {
                Ok(Converted::lossless(c.clone()))
            }
            fn parse(text: &str, _f: Option<CorsFormat>) -> Result<$cfg, CliError> {
                endpoint::parse_neutral(text, $title)
            }
            fn render(c: &$cfg, _p: &Path, _f: Option<CorsFormat>) -> String {
                endpoint::to_pretty(c)
            }
            fn get_remote<'a>(
                admin: &'a dyn BucketAdmin,
                bucket: &'a str,
            ) -> BoxFuture<'a, CoreResult<Option<$cfg>>> {
                admin.$get(bucket)
            }
            fn put_remote<'a>(
                admin: &'a dyn BucketAdmin,
                bucket: &'a str,
                c: &'a $cfg,
            ) -> BoxFuture<'a, CoreResult<()>> {
                admin.$put(bucket, c)
            }
            fn same(p: &$cfg, a: &$cfg) -> bool {
                ($same)(p, a)
            }
            fn removed_from_target(_c: &$cfg, _p: &$cfg) -> Vec<Change> {
                Vec::new()
            }
        }
    };
}

neutral_section!(
    Replication,
    ReplicationConfiguration,
    "replication",
    "replication configuration",
    get_replication,
    put_replication,
    |p: &ReplicationConfiguration, a: &ReplicationConfiguration| {
        (p.role.is_none() || p.role == a.role)
            && p.rules.len() == a.rules.len()
            && p.rules.iter().zip(&a.rules).all(|(p, a)| {
                let mut a = a.clone();
                if p.id.is_none() {
                    a.id = None;
                }
                *p == a
            })
    }
);
neutral_section!(
    Policy,
    BucketPolicy,
    "policy",
    "bucket policy",
    get_policy,
    put_policy,
    |p: &BucketPolicy, a: &BucketPolicy| p == a
);

impl Section for Versioning {
    type Config = VersioningStatus;
    const NAME: &'static str = "versioning";
    const TITLE: &'static str = "versioning";
    fn convert(c: &VersioningStatus, _t: &Capabilities) -> CoreResult<Converted<VersioningStatus>> {
        Ok(Converted::lossless(*c))
    }
    fn parse(text: &str, _f: Option<CorsFormat>) -> Result<VersioningStatus, CliError> {
        endpoint::parse_neutral(text, "versioning status")
    }
    fn render(c: &VersioningStatus, _p: &Path, _f: Option<CorsFormat>) -> String {
        endpoint::to_pretty(c)
    }
    fn get_remote<'a>(
        admin: &'a dyn BucketAdmin,
        bucket: &'a str,
    ) -> BoxFuture<'a, CoreResult<Option<VersioningStatus>>> {
        Box::pin(async move {
            let s = admin.get_versioning(bucket).await?;
            Ok((s != VersioningStatus::Unversioned).then_some(s))
        })
    }
    fn put_remote<'a>(
        admin: &'a dyn BucketAdmin,
        bucket: &'a str,
        c: &'a VersioningStatus,
    ) -> BoxFuture<'a, CoreResult<()>> {
        admin.put_versioning(bucket, *c)
    }
    fn same(p: &VersioningStatus, a: &VersioningStatus) -> bool {
        p == a
    }
    fn removed_from_target(_c: &VersioningStatus, _p: &VersioningStatus) -> Vec<Change> {
        Vec::new()
    }
}

/// Whether the provider has `section` at all.
fn supports(caps: &Capabilities, section: SectionName) -> bool {
    match section {
        SectionName::Cors => caps.cors,
        SectionName::Lifecycle => caps.lifecycle,
        SectionName::Versioning => caps.versioning,
        SectionName::Replication => caps.replication,
        SectionName::Policy => caps.policy,
    }
}

/// A bucket endpoint and its pieces.
fn bucket_of(ep: &Endpoint) -> (&Arc<dyn BucketAdmin>, &str) {
    match ep {
        Endpoint::Bucket { admin, bucket, .. } => (admin, bucket),
        // `open` only builds bucket endpoints.
        Endpoint::File { .. } => unreachable!("estate endpoints are buckets"),
    }
}

fn open(connector: &Connector, url: &str) -> Result<Endpoint, CliError> {
    let target = connector.canonical(url)?;
    target.require_bucket("an estate")?;
    connector.endpoint_for(&target, None)
}

/// Reads the sections `wanted` of one bucket (those its provider has).
async fn fetch(ep: &Endpoint, wanted: &[SectionName]) -> Result<BucketState, CliError> {
    let (admin, bucket) = bucket_of(ep);
    let mut st = BucketState::missing().with_exists(admin.bucket_exists(bucket).await?);
    if !st.exists {
        return Ok(st);
    }
    let caps = admin.capabilities();
    for &s in wanted.iter().filter(|&&s| supports(caps, s)) {
        match s {
            SectionName::Cors => st.cors = admin.get_cors(bucket).await?,
            SectionName::Lifecycle => st.lifecycle = admin.get_lifecycle(bucket).await?,
            SectionName::Versioning => st.versioning = admin.get_versioning(bucket).await?,
            SectionName::Replication => st.replication = admin.get_replication(bucket).await?,
            SectionName::Policy => st.policy = admin.get_policy(bucket).await?,
        }
    }
    Ok(st)
}

/// Reads, validates, canonicalises and retargets an estate file. Every problem is one
/// usage error (exit 2) listing each with its path.
pub fn load(connector: &Connector, args: &EstateArgs) -> Result<Estate, CliError> {
    let text = endpoint::read_required(&args.file)?;
    let invalid = |problems: Vec<String>| {
        CliError::usage(format!(
            "{} is not a valid estate file ({} problem(s)):\n  {}",
            args.file.display(),
            problems.len(),
            problems.join("\n  ")
        ))
    };
    let parsed =
        est::parse(&text).map_err(|e| invalid(e.0.iter().map(ToString::to_string).collect()))?;
    let mut problems = Vec::new();
    let mut estate = Estate::default();
    for (url, spec) in parsed.buckets {
        match connector.canonical(&url).and_then(|u| {
            u.require_bucket("an estate")?;
            Ok(u)
        }) {
            Ok(u) => {
                if estate.buckets.insert(u.to_string(), spec).is_some() {
                    problems.push(format!(
                        "buckets.{url:?}: names the same bucket as another entry ({u})"
                    ));
                }
            }
            Err(e) => problems.push(format!("buckets.{url:?}: {}", e.message)),
        }
    }
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    if args.retarget.is_empty() {
        return Ok(estate);
    }
    let rules = args
        .retarget
        .iter()
        .map(|r| Retarget::parse(r).map_err(CliError::usage))
        .collect::<Result<Vec<_>, _>>()?;
    let moved = est::retarget(&estate, &rules).map_err(CliError::usage)?;
    // The rewritten URLs are canonicalised like the file's own.
    let mut out = Estate::default();
    for (url, spec) in moved.buckets {
        let u: TargetUrl = connector.canonical(&url)?;
        if out.buckets.insert(u.to_string(), spec).is_some() {
            return Err(CliError::usage(format!(
                "--retarget moves two buckets onto {u}"
            )));
        }
    }
    Ok(out)
}

fn managed(spec: &est::BucketSpec) -> Vec<SectionName> {
    SectionName::ALL
        .into_iter()
        .filter(|&s| spec.manages(s))
        .collect()
}

/// Fetches every bucket of `estate` (at most `concurrency` at once) and plans. A bucket that
/// cannot be read is left out of the plan and returned with its error, so `apply` can still
/// carry out the others.
async fn fetch_and_plan_each(
    connector: &Arc<Connector>,
    estate: &Estate,
    concurrency: usize,
) -> Result<(Plan, BTreeMap<String, CliError>), CliError> {
    let sem = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for (url, spec) in &estate.buckets {
        let (sem, connector, url, wanted) =
            (sem.clone(), connector.clone(), url.clone(), managed(spec));
        tasks.spawn(async move {
            let _permit = sem.acquire_owned().await;
            let read = async {
                let ep = open(&connector, &url)?;
                let caps = bucket_of(&ep).0.capabilities().clone();
                let st = fetch(&ep, &wanted)
                    .await
                    .map_err(|e| e.context(format!("reading {url}")))?;
                Ok::<_, CliError>((st, caps))
            };
            (url.clone(), read.await)
        });
    }
    let mut state = FetchedState::new();
    let mut caps = CapabilityMap::new();
    let mut failed = BTreeMap::new();
    while let Some(j) = tasks.join_next().await {
        let (url, read) = j.map_err(|e| CliError::failed(format!("internal error: {e}")))?;
        match read {
            Ok((st, c)) => {
                state.insert(url.clone(), st);
                caps.insert(url, c);
            }
            Err(e) => {
                failed.insert(url, e);
            }
        }
    }
    let mut readable = estate.clone();
    readable.buckets.retain(|url, _| !failed.contains_key(url));
    Ok((est::plan(&readable, &state, &caps), failed))
}

/// [`fetch_and_plan_each`] for `plan` and `drift`, where a bucket that cannot be read fails
/// the command (its answer would be a guess).
async fn fetch_and_plan(
    connector: &Arc<Connector>,
    estate: &Estate,
    concurrency: usize,
) -> Result<Plan, CliError> {
    let (plan, failed) = fetch_and_plan_each(connector, estate, concurrency).await?;
    match failed.into_values().next() {
        Some(e) => Err(e),
        None => Ok(plan),
    }
}

#[derive(Serialize)]
struct PlanOutput<'a> {
    changes: bool,
    lossy: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    drifted: Option<Vec<String>>,
    plan: &'a Plan,
}

fn plan_exit(plan: &Plan, allow_lossy: bool) -> Exit {
    if plan.is_lossy() && !allow_lossy {
        Exit::LossyRefused
    } else if plan.has_changes() {
        Exit::Negative
    } else {
        Exit::Ok
    }
}

/// `plan`: 0 nothing to change, 5 changes pending, 3 lossy without `--allow-lossy`.
pub async fn plan_cmd(
    connector: Arc<Connector>,
    args: &EstateArgs,
    json: bool,
) -> Result<Exit, CliError> {
    let estate = load(&connector, args)?;
    let plan = fetch_and_plan(&connector, &estate, 8).await?;
    let exit = plan_exit(&plan, args.allow_lossy);
    if json {
        output::print_json(&PlanOutput {
            changes: plan.has_changes(),
            lossy: plan.is_lossy(),
            drifted: None,
            plan: &plan,
        });
    } else {
        output::print_text(&plan.render());
        output::print_text(&match exit {
            Exit::Ok => "nothing to change\n".to_owned(),
            Exit::LossyRefused => "the plan is lossy (see `loss:` lines); review it and rerun with --allow-lossy to accept\n".to_owned(),
            _ => format!("{} change(s) pending\n", plan.drift_lines().len()),
        });
    }
    Ok(exit)
}

/// `drift`: 0 in sync, 5 drifted, one line per drifted bucket and section.
pub async fn drift_cmd(
    connector: Arc<Connector>,
    args: &EstateArgs,
    json: bool,
) -> Result<Exit, CliError> {
    let estate = load(&connector, args)?;
    let plan = fetch_and_plan(&connector, &estate, 8).await?;
    let lines = plan.drift_lines();
    if json {
        output::print_json(&PlanOutput {
            changes: plan.has_changes(),
            lossy: plan.is_lossy(),
            drifted: Some(lines.clone()),
            plan: &plan,
        });
    } else if lines.is_empty() {
        output::print_text("in sync\n");
    } else {
        output::print_text(&format!("{}\n", lines.join("\n")));
    }
    Ok(if lines.is_empty() {
        Exit::Ok
    } else {
        Exit::Negative
    })
}

/// `export`: what the buckets hold now, as an estate file.
pub async fn export_cmd(
    connector: Arc<Connector>,
    args: &ExportArgs,
    json: bool,
) -> Result<Exit, CliError> {
    let wanted: Vec<SectionName> = if args.sections.is_empty() {
        SectionName::ALL.to_vec()
    } else {
        args.sections.clone()
    };
    let mut urls = Vec::new();
    for u in &args.urls {
        let t = connector.canonical(u)?;
        if t.is_file() {
            return Err(CliError::usage(format!(
                "`{u}`: export reads buckets, not files"
            )));
        }
        if t.bucket().is_some() {
            urls.push(t.to_string());
        } else {
            for info in connector.list_buckets(&t).await? {
                urls.push(connector.bucket_url(&t, &info).to_string());
            }
        }
    }
    let mut estate = Estate::default();
    for url in urls {
        let ep = open(&connector, &url)?;
        let caps = bucket_of(&ep).0.capabilities().clone();
        let st = fetch(&ep, &wanted)
            .await
            .map_err(|e| e.context(format!("reading {url}")))?;
        if !st.exists {
            return Err(CliError::not_found(format!("{url} does not exist")));
        }
        let mut spec = est::BucketSpec::default();
        let has = |s| wanted.contains(&s) && supports(&caps, s);
        if has(SectionName::Cors) {
            spec.cors = st.cors.map_or(Desired::Absent, Desired::Present);
        }
        if has(SectionName::Lifecycle) {
            spec.lifecycle = st.lifecycle.map_or(Desired::Absent, Desired::Present);
        }
        if has(SectionName::Versioning) && st.versioning != VersioningStatus::Unversioned {
            spec.versioning = Desired::Present(st.versioning);
        }
        if has(SectionName::Replication) {
            spec.replication = st.replication.map_or(Desired::Absent, Desired::Present);
        }
        if has(SectionName::Policy) {
            spec.policy = st.policy.map_or(Desired::Absent, Desired::Present);
        }
        estate.buckets.insert(url, spec);
    }
    let as_json = json
        || args
            .output
            .as_ref()
            .and_then(|p| p.extension())
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let text = if as_json {
        endpoint::to_pretty(&est::to_value(&estate))
    } else {
        est::to_toml(&estate)
    };
    match &args.output {
        Some(p) => {
            endpoint::write_atomic(p, &text)?;
            eprintln!(
                "wrote {} bucket(s) to {}",
                estate.buckets.len(),
                p.display()
            );
        }
        None => {
            print!("{text}");
        }
    }
    Ok(Exit::Ok)
}

/// The hash a state file records for a bucket: of its whole desired configuration.
fn spec_hash(url: &str, spec: &est::BucketSpec) -> String {
    let one = Estate::default().with_bucket(url, spec.clone());
    copy::plan_hash(&est::to_value(&one))
}

/// What happened to one bucket of an apply.
#[derive(Debug, Serialize)]
pub struct BucketResult {
    /// The bucket's canonical URL.
    pub url: String,
    /// The worst outcome of its sections (`applied` when all were written and verified).
    pub outcome: Outcome,
    /// `Some(true)` when the bucket was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<bool>,
    /// One copy report per section written or deleted (backup path, diff, loss report).
    pub sections: Vec<CopyReport>,
    /// Why the bucket failed before any section was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Deletes a section after backing it up, then checks it is gone.
async fn delete_section<S: Section>(
    ep: &Endpoint,
    source: &str,
    backup_dir: Option<&Path>,
    delete: impl std::future::Future<Output = CoreResult<()>>,
) -> CopyReport {
    let url = ep.url().to_owned();
    let mut report = CopyReport::failed::<S>(source, &url, "");
    report.error = None;
    match backup::before_overwrite(
        backup_dir,
        &url,
        S::NAME,
        S::TITLE,
        endpoint::get_current::<S>(ep),
    )
    .await
    {
        Ok(path) => report.backup = path,
        Err(e) => {
            report.error = Some(e.to_string());
            return report;
        }
    }
    if let Err(e) = delete.await {
        report.error = Some(CliError::from(e).to_string());
        return report;
    }
    match endpoint::get_current::<S>(ep).await {
        Ok(None) => report.outcome = Outcome::Applied,
        Ok(Some(_)) => {
            report.outcome = Outcome::Mismatch;
            report.error = Some(format!(
                "{url}: the {} is still there after the delete",
                S::TITLE
            ));
        }
        Err(e) => report.error = Some(format!("deleted, but reading it back failed: {e}")),
    }
    report
}

async fn put_section<S: Section>(
    ep: &Endpoint,
    source: &str,
    value: S::Config,
    changes: Vec<Change>,
    opts: &CopyOptions,
) -> CopyReport {
    copy::apply::<S>(source, ep, Some(Converted::new(value, changes)), opts).await
}

/// Carries out one bucket's plan (from [`bucket_admin_estate::plan`]): create the bucket when
/// the plan says so, then every put through [`copy::apply`] and every delete after a backup,
/// each read back and verified. `source` names the estate in reports. Never fails: problems are
/// in the result.
pub async fn apply_bucket(
    connector: &Connector,
    bp: &BucketPlan,
    source: &str,
    opts: &CopyOptions,
) -> BucketResult {
    let mut result = BucketResult {
        url: bp.url.clone(),
        outcome: Outcome::Failed,
        created: None,
        sections: Vec::new(),
        error: None,
    };
    let ep = match open(connector, &bp.url) {
        Ok(ep) => ep,
        Err(e) => {
            result.error = Some(e.to_string());
            return result;
        }
    };
    let (admin, bucket) = bucket_of(&ep);
    if let Some(options) = &bp.create {
        if let Err(e) = admin.create_bucket(bucket, options).await {
            result.error = Some(format!("cannot create the bucket: {}", CliError::from(e)));
            return result;
        }
        result.created = Some(true);
    }
    let dir = opts.backup_dir.as_deref();
    for s in &bp.sections {
        let report = match (s.action, &s.planned) {
            (Action::Unchanged, _) | (Action::Unsupported, _) => continue,
            (Action::Delete, _) => match s.section {
                SectionName::Cors => {
                    delete_section::<Cors>(&ep, source, dir, admin.delete_cors(bucket)).await
                }
                SectionName::Lifecycle => {
                    delete_section::<Lifecycle>(&ep, source, dir, admin.delete_lifecycle(bucket))
                        .await
                }
                SectionName::Replication => {
                    delete_section::<Replication>(
                        &ep,
                        source,
                        dir,
                        admin.delete_replication(bucket),
                    )
                    .await
                }
                SectionName::Policy => {
                    delete_section::<Policy>(&ep, source, dir, admin.delete_policy(bucket)).await
                }
                // The file format refuses deleting versioning.
                SectionName::Versioning => continue,
            },
            (Action::Put, Some(value)) => {
                let changes = s.changes.clone();
                match value.clone() {
                    SectionValue::Cors(v) => {
                        put_section::<Cors>(&ep, source, v, changes, opts).await
                    }
                    SectionValue::Lifecycle(v) => {
                        put_section::<Lifecycle>(&ep, source, v, changes, opts).await
                    }
                    SectionValue::Versioning(v) => {
                        put_section::<Versioning>(&ep, source, v, changes, opts).await
                    }
                    SectionValue::Replication(v) => {
                        put_section::<Replication>(&ep, source, v, changes, opts).await
                    }
                    SectionValue::Policy(v) => {
                        put_section::<Policy>(&ep, source, v, changes, opts).await
                    }
                }
            }
            (Action::Put, None) => continue,
        };
        result.sections.push(report);
    }
    result.outcome = result
        .sections
        .iter()
        .map(|r| r.outcome)
        .fold(Outcome::Applied, |acc, o| {
            if o.exit().worst(acc.exit()) != acc.exit() {
                o
            } else {
                acc
            }
        });
    result
}

/// A per-bucket summary in the shape the bulk progress and state file take.
fn summary_report(r: &BucketResult, source: &str, hash: &str) -> CopyReport {
    let mut rep = CopyReport::already_done::<EstateSection>(source, &r.url, hash);
    rep.outcome = r.outcome;
    rep.error = r.error.clone().or_else(|| {
        r.sections
            .iter()
            .find_map(|s| s.error.as_ref().map(|e| format!("{}: {e}", s.section)))
    });
    rep
}

/// The state file's section name for whole buckets of an estate.
struct EstateSection;
impl Section for EstateSection {
    type Config = serde_json::Value;
    const NAME: &'static str = "estate";
    const TITLE: &'static str = "estate";
    fn convert(
        c: &serde_json::Value,
        _t: &Capabilities,
    ) -> CoreResult<Converted<serde_json::Value>> {
        Ok(Converted::lossless(c.clone()))
    }
    fn parse(text: &str, _f: Option<CorsFormat>) -> Result<serde_json::Value, CliError> {
        endpoint::parse_neutral(text, "estate")
    }
    fn render(c: &serde_json::Value, _p: &Path, _f: Option<CorsFormat>) -> String {
        endpoint::to_pretty(c)
    }
    fn get_remote<'a>(
        _a: &'a dyn BucketAdmin,
        _b: &'a str,
    ) -> BoxFuture<'a, CoreResult<Option<serde_json::Value>>> {
        Box::pin(async { Ok(None) })
    }
    fn put_remote<'a>(
        _a: &'a dyn BucketAdmin,
        _b: &'a str,
        _c: &'a serde_json::Value,
    ) -> BoxFuture<'a, CoreResult<()>> {
        Box::pin(async { Ok(()) })
    }
    fn same(p: &serde_json::Value, a: &serde_json::Value) -> bool {
        p == a
    }
    fn removed_from_target(_c: &serde_json::Value, _p: &serde_json::Value) -> Vec<Change> {
        Vec::new()
    }
}

fn confirm(count: usize) -> Result<bool, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(
            "apply changes buckets and asks for confirmation, but stdin is not a terminal",
        )
        .with_hint("review `bucket-admin plan` and rerun with --yes"));
    }
    eprint!("apply {count} change(s)? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::failed(format!("cannot read the answer: {e}")))?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes"))
}

/// `apply`: 0 all applied and verified, 1 a bucket failed (others still applied), 4 a
/// read-back mismatch, 3 a lossy plan without `--allow-lossy` (nothing written).
pub async fn apply_cmd(
    connector: Arc<Connector>,
    args: &ApplyArgs,
    json: bool,
) -> Result<Exit, CliError> {
    let estate = load(&connector, &args.estate)?;
    let source = format!("file://{}", args.estate.file.display());
    let state_path = args.state.clone().unwrap_or_else(|| {
        let mut p = args.estate.file.as_os_str().to_owned();
        p.push(".state.jsonl");
        PathBuf::from(p)
    });
    let state = if args.fresh {
        StateFile::fresh(&state_path)
    } else {
        StateFile::load(&state_path)?
    };
    // Buckets a previous run verified with this very configuration are neither read nor
    // written again.
    let mut skipped = Vec::new();
    let mut todo = Estate::default();
    for (url, spec) in &estate.buckets {
        let hash = spec_hash(url, spec);
        let pair = Pair {
            source: source.clone(),
            target: url.clone(),
        };
        if state.verified_plan(EstateSection::NAME, &pair) == Some(Some(hash.as_str())) {
            skipped.push(CopyReport::already_done::<EstateSection>(
                &source, url, &hash,
            ));
        } else {
            todo.buckets.insert(url.clone(), spec.clone());
        }
    }
    let concurrency = usize::from(args.concurrency);
    let (plan, unreadable) = fetch_and_plan_each(&connector, &todo, concurrency).await?;
    if plan.is_lossy() && !args.estate.allow_lossy {
        output::print_text(&plan.render());
        return Err(
            CliError::new(Exit::LossyRefused, "the plan is lossy; nothing was written")
                .with_hint("read the `loss:` lines and rerun with --allow-lossy to accept them"),
        );
    }
    let changes = plan.drift_lines().len();
    if changes > 0 && !args.yes && !json {
        output::print_text(&plan.render());
        if !confirm(changes)? {
            output::print_text("nothing applied\n");
            return Ok(Exit::Failed);
        }
    } else if changes > 0 && !args.yes {
        return Err(CliError::usage("apply --json needs --yes"));
    }
    let opts = CopyOptions {
        allow_lossy: true,
        dry_run: false,
        backup_dir: args.backup.dir().map(Path::to_path_buf),
    };
    let pacing_from = connector.clone();
    let progress: Arc<dyn Progress> = Arc::new(StderrProgress::with_pacing(
        json,
        Some(Arc::new(move || pacing_from.r2_pacing_status())),
    ));
    let state = Arc::new(state);
    let sem = Arc::new(Semaphore::new(concurrency.max(1)));
    let total = plan.buckets.len() + unreadable.len();
    let mut tasks = JoinSet::new();
    for bp in plan.buckets.clone() {
        let (sem, connector, opts, source, state) = (
            sem.clone(),
            connector.clone(),
            opts.clone(),
            source.clone(),
            state.clone(),
        );
        let hash = spec_hash(&bp.url, &todo.buckets[&bp.url]);
        tasks.spawn(async move {
            let _permit = sem.acquire_owned().await;
            let mut r = if bp.is_change() {
                apply_bucket(&connector, &bp, &source, &opts).await
            } else {
                BucketResult {
                    url: bp.url.clone(),
                    outcome: Outcome::Unchanged,
                    created: None,
                    sections: Vec::new(),
                    error: None,
                }
            };
            let summary = summary_report(&r, &source, &hash);
            if summary.outcome.is_verified()
                && let Err(e) = state.record(&summary)
            {
                r.error = Some(format!("verified, but {e}"));
            }
            (r, summary)
        });
    }
    let mut results = Vec::new();
    let mut done = 0;
    while let Some(j) = tasks.join_next().await {
        let (r, summary) = j.map_err(|e| CliError::failed(format!("internal error: {e}")))?;
        done += 1;
        progress.finished(&summary, done, total);
        results.push(r);
    }
    for (url, e) in unreadable {
        let r = BucketResult {
            url,
            outcome: Outcome::Failed,
            created: None,
            sections: Vec::new(),
            error: Some(e.to_string()),
        };
        done += 1;
        progress.finished(&summary_report(&r, &source, ""), done, total);
        results.push(r);
    }
    progress.end();
    results.sort_by(|a, b| a.url.cmp(&b.url));
    let mut exit = Exit::Ok;
    for r in &results {
        exit = exit.worst(r.outcome.exit());
    }
    if json {
        output::print_json(&serde_json::json!({
            "buckets": results,
            "already_done": skipped.iter().map(|r| &r.target).collect::<Vec<_>>(),
        }));
    } else {
        let mut table = output::Table::new(["bucket", "section", "outcome", "backup", "error"]);
        for s in &skipped {
            table.row([
                s.target.clone(),
                "*".into(),
                s.outcome.label().into(),
                String::new(),
                String::new(),
            ]);
        }
        for r in &results {
            if r.sections.is_empty() {
                table.row([
                    r.url.clone(),
                    if r.created.is_some() {
                        "bucket (created)".into()
                    } else {
                        "*".into()
                    },
                    r.outcome.label().into(),
                    String::new(),
                    r.error.clone().unwrap_or_default(),
                ]);
            }
            for s in &r.sections {
                table.row([
                    r.url.clone(),
                    s.section.to_owned(),
                    s.outcome.label().into(),
                    s.backup
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                    s.error
                        .as_deref()
                        .and_then(|e| e.lines().next())
                        .unwrap_or("")
                        .to_owned(),
                ]);
            }
        }
        output::print_text(&table.render());
    }
    Ok(exit)
}
