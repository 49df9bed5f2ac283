//! Bulk copies: many source/target pairs with bounded concurrency, progress, a resumable state
//! file, and a per-bucket result for every pair.
//!
//! One pair's failure never stops the others. Every pair ends in exactly one [`CopyReport`], so
//! nothing is skipped silently; pairs already verified in the state file are reported as
//! [`Outcome::AlreadyDone`].

use std::collections::{BTreeMap, HashMap};
use std::fs::OpenOptions;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use crate::copy::{self, CopyOptions, CopyReport, Outcome};
use crate::endpoint::{self, Endpoint, Section};
use crate::exit::{CliError, Exit};
use crate::url::UrlDefaults;

/// One source -> target pair, as URLs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Pair {
    /// Source URL.
    pub source: String,
    /// Target URL.
    pub target: String,
}

/// [`parse_mapping_with`] with no environment defaults.
pub fn parse_mapping(text: &str) -> Result<Vec<Pair>, CliError> {
    parse_mapping_with(text, &UrlDefaults::default())
}

/// Parses a mapping file: one `source,target` pair per line; blank lines and lines starting
/// with `#` are ignored. Every bad line is reported (with its number) before anything runs,
/// and two sources mapped onto one target are refused: the second would overwrite the first.
///
/// Pairs come back as canonical URLs (see [`crate::url::TargetUrl::canonical`]), so `r2://t`, `r2://t/`
/// and `r2://t?jurisdiction=default` are found to be one target.
pub fn parse_mapping_with(text: &str, defaults: &UrlDefaults) -> Result<Vec<Pair>, CliError> {
    let mut check = MappingCheck::new(defaults);
    let mut pairs = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        if let Some(pair) = check.line(i + 1, raw) {
            pairs.push(pair);
        }
    }
    check.finish()?;
    Ok(pairs)
}

/// Most problems listed for one mapping file; past it a count stands for the rest, so a
/// wrong file of a million lines does not make a million-line message.
const MAX_PROBLEMS_SHOWN: usize = 50;

/// Checks a mapping file line by line, keeping a 64-bit digest and the line number per
/// target (not the targets themselves) to find a target named twice, so a file of 100,000
/// pairs is checked in about 2 MiB. Two targets with one digest (odds about 1 in 10^9 at a
/// million pairs) would be refused as a duplicate, never copied onto each other.
struct MappingCheck<'a> {
    defaults: &'a UrlDefaults,
    targets: HashMap<u64, u32>,
    problems: Vec<String>,
    problem_count: usize,
    pairs: usize,
}

impl<'a> MappingCheck<'a> {
    fn new(defaults: &'a UrlDefaults) -> Self {
        Self {
            defaults,
            targets: HashMap::new(),
            problems: Vec::new(),
            problem_count: 0,
            pairs: 0,
        }
    }

    fn problem(&mut self, p: String) {
        self.problem_count += 1;
        if self.problems.len() < MAX_PROBLEMS_SHOWN {
            self.problems.push(p);
        }
    }

    /// The pair on line `n`, or `None` for a blank, comment or bad line (recorded).
    fn line(&mut self, n: usize, raw: &str) -> Option<Pair> {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != 2 || fields.iter().any(|f| f.is_empty()) {
            self.problem(format!("line {n}: expected `source,target`, got `{line}`"));
            return None;
        }
        let mut urls = Vec::new();
        for f in &fields {
            match crate::url::parse_with(f, self.defaults) {
                Ok(u) => urls.push(u.to_string()),
                Err(e) => self.problem(format!("line {n}: {}", e.message)),
            }
        }
        let [source, target] = <[String; 2]>::try_from(urls).ok()?;
        use sha1::Digest;
        let digest = sha1::Sha1::digest(target.as_bytes());
        let mut key = [0u8; 8];
        key.copy_from_slice(&digest[..8]);
        let line_no = u32::try_from(n).unwrap_or(u32::MAX);
        let first = *self
            .targets
            .entry(u64::from_le_bytes(key))
            .or_insert(line_no);
        if first != line_no {
            let spelled = if fields[1] == target {
                String::new()
            } else {
                format!(" (`{}` is {target})", fields[1])
            };
            self.problem(format!(
                "line {n}: target {target} is already the target of line {first}{spelled}"
            ));
            return None;
        }
        self.pairs += 1;
        Some(Pair { source, target })
    }

    /// The number of pairs, or every problem found.
    fn finish(self) -> Result<usize, CliError> {
        if self.problem_count > 0 {
            let mut listed = self.problems.join("\n");
            if self.problem_count > self.problems.len() {
                listed.push_str(&format!(
                    "\n... and {} more",
                    self.problem_count - self.problems.len()
                ));
            }
            return Err(CliError::usage(format!(
                "the mapping file has {} problem(s)",
                self.problem_count
            ))
            .with_hint(listed));
        }
        if self.pairs == 0 {
            return Err(CliError::usage(
                "the mapping file holds no `source,target` pairs",
            ));
        }
        Ok(self.pairs)
    }
}

/// A mapping file read as a stream: checked whole first ([`MappingFile::open`]), then read
/// again pair by pair while the copies run, so its size does not set the memory used.
#[derive(Debug)]
pub struct MappingFile {
    path: PathBuf,
    defaults: UrlDefaults,
    /// Number of pairs.
    pub len: usize,
}

impl MappingFile {
    /// Checks every line of the file at `path` (as [`parse_mapping_with`] does).
    pub fn open(path: &Path, defaults: &UrlDefaults) -> Result<Self, CliError> {
        let mut check = MappingCheck::new(defaults);
        for (i, line) in Self::lines(path)?.enumerate() {
            check.line(i + 1, &line?);
        }
        let len = check.finish()?;
        Ok(Self {
            path: path.to_owned(),
            defaults: defaults.clone(),
            len,
        })
    }

    fn lines(
        path: &Path,
    ) -> Result<impl Iterator<Item = Result<String, CliError>> + use<>, CliError> {
        use std::io::BufRead;
        let shown = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                CliError::not_found(format!("{shown} does not exist"))
            } else {
                CliError::usage(format!("cannot read {shown}: {e}"))
            }
        })?;
        Ok(std::io::BufReader::new(file)
            .lines()
            .map(move |l| l.map_err(|e| CliError::usage(format!("cannot read {shown}: {e}")))))
    }

    /// The pairs, in file order. A file changed since [`MappingFile::open`] ends the
    /// stream at the first line that no longer checks.
    pub fn pairs(&self) -> Result<impl Iterator<Item = Pair> + Send + use<>, CliError> {
        let defaults = self.defaults.clone();
        let mut lines = Self::lines(&self.path)?;
        Ok(std::iter::from_fn(move || {
            loop {
                let line = lines.next()?.ok()?;
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let (source, target) = line.split_once(',')?;
                let parse = |u: &str| crate::url::parse_with(u.trim(), &defaults).ok();
                return Some(Pair {
                    source: parse(source)?.to_string(),
                    target: parse(target)?.to_string(),
                });
            }
        }))
    }
}

/// One line of the state file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateRecord {
    /// Section (`cors`, `lifecycle`).
    pub section: String,
    /// Source URL.
    pub source: String,
    /// Target URL.
    pub target: String,
    /// `applied` or `unchanged`.
    pub outcome: Outcome,
    /// RFC 3339 time of verification.
    pub at: String,
    /// [`copy::plan_hash`] of the configuration verified on the target. A rerun skips the
    /// pair only when the source still plans to exactly this; records without it (older
    /// state files) are verified again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_sha1: Option<String>,
}

/// The resumable state: an append-only JSON-lines file of verified pairs and the hash of
/// what was verified; the last record of a pair wins.
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    done: HashMap<(String, String, String), Option<String>>,
    file: Mutex<Option<std::fs::File>>,
}

impl StateFile {
    /// Loads the state (a missing file is an empty state). A torn last line from an
    /// interrupted run is ignored: its pair simply runs again, which is safe because copies
    /// are idempotent.
    pub fn load(path: &Path) -> Result<Self, CliError> {
        let mut done = HashMap::new();
        if let Some(text) = endpoint::read_text(path)? {
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<StateRecord>(line) {
                    Ok(r) if r.outcome.is_verified() => {
                        done.insert((r.section, r.source, r.target), r.plan_sha1);
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(
                        "{}: ignoring unreadable line {}: {e}",
                        path.display(),
                        i + 1
                    ),
                }
            }
        }
        Ok(Self {
            path: path.to_owned(),
            done,
            file: Mutex::new(None),
        })
    }

    /// An empty state that appends to `path` (`--fresh`: earlier records are ignored; being
    /// appended after them, the new records are the ones later runs read).
    pub fn fresh(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            done: HashMap::new(),
            file: Mutex::new(None),
        }
    }

    /// Whether the pair was verified by an earlier run (whatever the plan was).
    pub fn is_done(&self, section: &str, pair: &Pair) -> bool {
        self.verified_plan(section, pair).is_some()
    }

    /// The plan hash an earlier run verified for the pair: `None` when never verified,
    /// `Some(None)` when verified by a run that recorded no hash.
    pub fn verified_plan(&self, section: &str, pair: &Pair) -> Option<Option<&str>> {
        self.done
            .get(&(section.to_owned(), pair.source.clone(), pair.target.clone()))
            .map(Option::as_deref)
    }

    /// Number of verified pairs loaded.
    pub fn len(&self) -> usize {
        self.done.len()
    }

    /// Whether no verified pair was loaded.
    pub fn is_empty(&self) -> bool {
        self.done.is_empty()
    }

    /// Appends a verified pair, flushed to disk before returning so an interruption right after
    /// never loses it. One `write_all` per line keeps lines whole under concurrent appends.
    pub fn record(&self, report: &CopyReport) -> Result<(), CliError> {
        let record = StateRecord {
            section: report.section.to_owned(),
            source: report.source.clone(),
            target: report.target.clone(),
            outcome: report.outcome,
            at: time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            plan_sha1: report.plan_sha1.clone(),
        };
        let mut line = serde_json::to_string(&record).unwrap_or_default();
        line.push('\n');
        let fail = |e: std::io::Error| {
            CliError::failed(format!("cannot append to {}: {e}", self.path.display()))
        };
        let mut guard = self.file.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(fail)?;
            }
            *guard = Some(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&self.path)
                    .map_err(fail)?,
            );
        }
        let file = guard.as_mut().expect("opened above");
        file.write_all(line.as_bytes()).map_err(fail)?;
        file.sync_data().map_err(fail)
    }
}

/// Builds endpoints from URLs (the provider wiring lives behind this, so the engine is tested
/// with in-memory fakes).
pub trait EndpointFactory: Send + Sync {
    /// The endpoint for `url`.
    fn endpoint(&self, url: &str) -> Result<Endpoint, CliError>;
}

/// Receives progress events.
pub trait Progress: Send + Sync {
    /// A pair finished; `done` of `total` are finished now.
    fn finished(&self, report: &CopyReport, done: usize, total: usize);
    /// Everything finished.
    fn end(&self) {}
}

/// Where the progress bar reads the R2 pacing status from on every redraw.
pub type PacingSource = Arc<dyn Fn() -> Option<bucket_admin_r2::PacingStatus> + Send + Sync>;

/// Progress on stderr: an indicatif bar on a terminal (count, rate, time left, the counts
/// per outcome and the R2 pacing wait, problems printed above it), one plain line per bucket
/// otherwise (CI logs, `2> file`), where redrawing would be noise.
pub struct StderrProgress {
    tty: bool,
    quiet: bool,
    counts: Mutex<BTreeMap<&'static str, usize>>,
    bar: Option<indicatif::ProgressBar>,
}

impl std::fmt::Debug for StderrProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StderrProgress")
            .field("tty", &self.tty)
            .field("quiet", &self.quiet)
            .field("bar", &self.bar.is_some())
            .finish_non_exhaustive()
    }
}

/// The pacing part of the progress bar: `pacing: waiting 1.2s` (and how many requests are
/// queued when more than one) while the R2 limiter holds requests back, nothing otherwise.
pub fn pacing_message(status: Option<&bucket_admin_r2::PacingStatus>) -> String {
    let Some(s) = status.filter(|s| s.is_delaying()) else {
        return String::new();
    };
    let mut text = format!("pacing: waiting {:.1}s", s.current_wait.as_secs_f64());
    if s.waiting > 1 {
        text.push_str(&format!(" ({} requests queued)", s.waiting));
    }
    text
}

/// The bar's `{pacing}` key: two spaces and [`pacing_message`] while the limiter holds
/// requests back, nothing otherwise (no trailing blanks on the bar).
fn write_pacing(status: Option<&bucket_admin_r2::PacingStatus>, w: &mut dyn std::fmt::Write) {
    let text = pacing_message(status);
    if !text.is_empty() {
        let _ = write!(w, "  {text}");
    }
}

/// The terminal status line: bar, count, rate and time left, and the counts per outcome.
pub fn status_line(
    done: usize,
    total: usize,
    elapsed: Duration,
    counts: &BTreeMap<&'static str, usize>,
) -> String {
    let width = 30;
    let filled = (done * width)
        .checked_div(total)
        .unwrap_or(width)
        .min(width);
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
    let eta = if rate > 0.0 && done < total {
        let left = ((total - done) as f64 / rate).ceil() as u64;
        format!(", {}m{:02}s left", left / 60, left % 60)
    } else {
        String::new()
    };
    let summary: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
    format!(
        "[{}{}] {done}/{total} {rate:.1}/s{eta}  {}",
        "#".repeat(filled),
        "-".repeat(width - filled),
        summary.join(", ")
    )
}

/// How often the bar is redrawn while no pair finishes, so the pacing wait stays current.
const PACING_REDRAW: Duration = Duration::from_millis(250);

impl StderrProgress {
    /// Detects whether stderr is a terminal; `quiet` prints nothing.
    pub fn new(quiet: bool) -> Self {
        Self::with_pacing(quiet, None)
    }

    /// [`StderrProgress::new`], with the bar showing the R2 pacing wait read from `pacing`
    /// (see [`pacing_message`]) and redrawn a few times a second.
    pub fn with_pacing(quiet: bool, pacing: Option<PacingSource>) -> Self {
        Self::drawing_to(
            std::io::stderr().is_terminal(),
            quiet,
            pacing,
            indicatif::ProgressDrawTarget::stderr(),
        )
    }

    /// The progress of [`StderrProgress::with_pacing`], the bar drawn to `target` (a test's
    /// terminal) when `tty` says stderr is one.
    fn drawing_to(
        tty: bool,
        quiet: bool,
        pacing: Option<PacingSource>,
        target: indicatif::ProgressDrawTarget,
    ) -> Self {
        let bar = (tty && !quiet).then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(None, target);
            let source = pacing.clone();
            let style = indicatif::ProgressStyle::with_template(
                "[{bar:30}] {pos}/{len} {rate} {eta} left  {msg}{pacing}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.1}/s", state.per_sec());
                },
            )
            .with_key(
                "pacing",
                move |_: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    write_pacing(source.as_ref().and_then(|f| f()).as_ref(), w);
                },
            )
            .progress_chars("#>-");
            bar.set_style(style);
            if pacing.is_some() {
                bar.enable_steady_tick(PACING_REDRAW);
            }
            bar
        });
        Self {
            tty,
            quiet,
            counts: Mutex::new(BTreeMap::new()),
            bar,
        }
    }
}

impl Progress for StderrProgress {
    fn finished(&self, report: &CopyReport, done: usize, total: usize) {
        if self.quiet {
            return;
        }
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        *counts.entry(report.outcome.label()).or_default() += 1;
        if let Some(bar) = self.bar.as_ref().filter(|_| self.tty) {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            let summary: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
            bar.set_message(summary.join(", "));
            if report.outcome.exit() != Exit::Ok {
                // Keep problems visible above the bar.
                bar.println(format!(
                    "{} {} -> {}: {}",
                    report.outcome.label(),
                    report.source,
                    report.target,
                    report.error.as_deref().unwrap_or("")
                ));
            }
        } else {
            let _ = writeln!(
                std::io::stderr().lock(),
                "[{done}/{total}] {} {} -> {}{}",
                report.outcome.label(),
                report.source,
                report.target,
                report
                    .error
                    .as_deref()
                    .map(|e| format!(": {}", e.lines().next().unwrap_or("")))
                    .unwrap_or_default()
            );
        }
    }

    fn end(&self) {
        // The summary printed next repeats the counts; a bar left behind would run into it.
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Bulk settings.
#[derive(Debug, Clone)]
pub struct BulkOptions {
    /// Per-pair copy settings.
    pub copy: CopyOptions,
    /// Pairs in flight at once (at least 1).
    pub concurrency: usize,
    /// Longest a pair may take; past it the pair is reported failed and its slot freed.
    pub pair_timeout: Duration,
}

/// One pair: skip it when the state file verified this very plan, copy it otherwise.
async fn one_pair<S: Section>(
    pair: &Pair,
    factory: &dyn EndpointFactory,
    state: &StateFile,
    opts: &CopyOptions,
) -> CopyReport {
    let (source, target) = match (
        factory.endpoint(&pair.source),
        factory.endpoint(&pair.target),
    ) {
        (Ok(s), Ok(t)) => (s, t),
        (Err(e), _) | (_, Err(e)) => return CopyReport::failed::<S>(&pair.source, &pair.target, e),
    };
    // The source is read again on every run: a pair verified earlier is skipped only when
    // the source still plans to what was verified.
    let planned = match copy::plan::<S>(&source, &target).await {
        Ok(p) => p,
        Err(e) => return CopyReport::failed::<S>(&pair.source, &pair.target, e),
    };
    if let (Some(Some(recorded)), Some(p)) = (state.verified_plan(S::NAME, pair), &planned) {
        let hash = copy::plan_hash(&p.value);
        if hash == recorded {
            return CopyReport::already_done::<S>(&pair.source, &pair.target, &hash);
        }
        tracing::info!(
            "{} -> {}: the source changed since it was verified; copying again",
            pair.source,
            pair.target
        );
    }
    copy::apply::<S>(&pair.source, &target, planned, opts).await
}

/// Runs every pair and returns one report per pair, in input order.
pub async fn run<S: Section>(
    pairs: Vec<Pair>,
    factory: Arc<dyn EndpointFactory>,
    state: Arc<StateFile>,
    opts: BulkOptions,
    progress: Arc<dyn Progress>,
) -> Vec<CopyReport> {
    let total = pairs.len();
    let mut reports = Vec::with_capacity(total);
    run_each::<S>(
        pairs.into_iter(),
        total,
        factory,
        state,
        opts,
        progress,
        |r| reports.push(r),
    )
    .await;
    reports
}

/// Runs the pairs with at most `opts.concurrency` in flight and hands every report to
/// `sink`, in input order, as soon as the reports before it are in.
///
/// Pairs are pulled from the iterator only when a slot frees up, and a report is held only
/// until the ones before it have been handed on, so the memory used does not grow with the
/// number of pairs (`total` is for progress only).
pub async fn run_each<S: Section>(
    pairs: impl Iterator<Item = Pair>,
    total: usize,
    factory: Arc<dyn EndpointFactory>,
    state: Arc<StateFile>,
    opts: BulkOptions,
    progress: Arc<dyn Progress>,
    mut sink: impl FnMut(CopyReport),
) {
    let limit = opts.concurrency.max(1);
    let mut pairs = pairs.enumerate();
    let mut tasks = JoinSet::new();
    // The pairs in flight, to name the one whose task panicked.
    let mut in_flight: HashMap<tokio::task::Id, (usize, Pair)> = HashMap::new();
    let mut waiting: BTreeMap<usize, CopyReport> = BTreeMap::new();
    let (mut next, mut done) = (0, 0);
    loop {
        while tasks.len() < limit {
            let Some((i, pair)) = pairs.next() else {
                break;
            };
            let (factory, state, copy_opts, task_pair) = (
                factory.clone(),
                state.clone(),
                opts.copy.clone(),
                pair.clone(),
            );
            let pair_limit = opts.pair_timeout;
            let handle = tasks.spawn(async move {
                let pair = task_pair;
                let work = one_pair::<S>(&pair, factory.as_ref(), &state, &copy_opts);
                let mut report = match tokio::time::timeout(pair_limit, work).await {
                    Ok(r) => r,
                    Err(_) => CopyReport::failed::<S>(
                        &pair.source,
                        &pair.target,
                        format!(
                            "gave up after {} s (--pair-timeout); what was not written is retried by a rerun",
                            pair_limit.as_secs()
                        ),
                    ),
                };
                if report.outcome.is_verified()
                    && !copy_opts.dry_run
                    && let Err(e) = state.record(&report)
                {
                    // Applied but not recorded: a rerun would redo it (harmless), but say so.
                    report.error = Some(format!("verified, but {e}"));
                }
                (i, report)
            });
            in_flight.insert(handle.id(), (i, pair));
        }
        let Some(joined) = tasks.join_next_with_id().await else {
            break;
        };
        let (i, report) = match joined {
            Ok((id, (i, report))) => {
                in_flight.remove(&id);
                (i, report)
            }
            Err(e) => {
                // A panic in one pair must not hide it: report it as failed.
                let (i, p) = in_flight.remove(&e.id()).expect("every task is in flight");
                (
                    i,
                    CopyReport::failed::<S>(&p.source, &p.target, format!("internal error: {e}")),
                )
            }
        };
        done += 1;
        progress.finished(&report, done, total.max(done));
        waiting.insert(i, report);
        while let Some(r) = waiting.remove(&next) {
            sink(r);
            next += 1;
        }
    }
    progress.end();
}

/// Counts per outcome and the exit code, kept as reports stream past.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Pairs per outcome key (`already_done`, `lossy_refused`, ...).
    pub counts: BTreeMap<&'static str, usize>,
    /// Pairs seen.
    pub total: usize,
    /// The worst exit code so far.
    pub exit: Exit,
}

impl Default for Summary {
    fn default() -> Self {
        Self {
            counts: BTreeMap::new(),
            total: 0,
            exit: Exit::Ok,
        }
    }
}

impl Summary {
    /// Counts one report.
    pub fn add(&mut self, r: &CopyReport) {
        *self.counts.entry(r.outcome.key()).or_insert(0) += 1;
        self.total += 1;
        self.exit = self.exit.worst(r.outcome.exit());
    }
}

/// Counts per outcome (keyed like the outcomes in JSON: `already_done`, `lossy_refused`, ...),
/// and the exit code of the whole run.
pub fn summarize(reports: &[CopyReport]) -> (BTreeMap<&'static str, usize>, Exit) {
    let mut counts = BTreeMap::new();
    let mut exit = Exit::Ok;
    for r in reports {
        *counts.entry(r.outcome.key()).or_insert(0) += 1;
        exit = exit.worst(r.outcome.exit());
    }
    (counts, exit)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use bucket_admin_core::{CorsConfiguration, CorsMethod, CorsRule, Provider};

    use super::*;
    use crate::endpoint::Cors;
    use crate::fake::FakeAdmin;

    struct Fakes {
        cos: Arc<FakeAdmin>,
        r2: Arc<FakeAdmin>,
    }

    impl EndpointFactory for Fakes {
        fn endpoint(&self, url: &str) -> Result<Endpoint, CliError> {
            let (admin, bucket) = if let Some(b) = url.strip_prefix("cos://") {
                (self.cos.clone(), b)
            } else if let Some(b) = url.strip_prefix("r2://") {
                (self.r2.clone(), b)
            } else {
                return Err(CliError::usage(format!("bad url {url}")));
            };
            Ok(Endpoint::Bucket {
                admin,
                bucket: bucket.to_owned(),
                url: url.to_owned(),
            })
        }
    }

    /// Counts finished pairs and keeps the `(done, total)` each report came with.
    #[derive(Default)]
    struct Count(AtomicUsize, Mutex<Vec<(usize, usize)>>);
    impl Progress for Count {
        fn finished(&self, _r: &CopyReport, done: usize, total: usize) {
            self.0.fetch_add(1, Ordering::SeqCst);
            self.1.lock().unwrap().push((done, total));
        }
    }

    fn cfg(i: u32) -> CorsConfiguration {
        CorsConfiguration::new(vec![
            CorsRule::new(["https://a.com"], [CorsMethod::Get]).with_max_age_seconds(i + 1),
        ])
    }

    #[test]
    fn mapping_lines_comments_and_errors() {
        let ok = parse_mapping(
            "# header\n\ncos://a-1250000000?region=ap-beijing, r2://aaa\n  r2://bbb,cos://b-1250000000\n",
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].target, "r2://aaa");
        let err = parse_mapping("r2://a\nr2://bb,r2://cc,r2://dd\nfoo,r2://x\nr2://aa,r2://cc\n")
            .unwrap_err();
        let hint = err.hint.unwrap();
        assert!(hint.contains("line 1: expected `source,target`"), "{hint}");
        assert!(hint.contains("line 2"), "{hint}");
        assert!(hint.contains("line 3"), "{hint}");
        // Every problem is listed: nothing is said to be left out.
        assert!(!hint.contains("more"), "{hint}");
        let dup = parse_mapping("r2://aaa,r2://ccc\nr2://bbb,r2://ccc\n").unwrap_err();
        assert_eq!(
            dup.hint.unwrap(),
            "line 2: target r2://ccc is already the target of line 1"
        );
        // Spelled differently, the line says what the spelling means.
        let dup = parse_mapping("r2://aaa,r2://ccc\nr2://bbb,r2://ccc/\n").unwrap_err();
        assert_eq!(
            dup.hint.unwrap(),
            "line 2: target r2://ccc is already the target of line 1 (`r2://ccc/` is r2://ccc)"
        );
        assert!(parse_mapping("# nothing\n").is_err());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pairs_are_pulled_only_as_slots_free_up_and_reports_come_in_order() {
        let cors = cfg(1);
        let fakes = Arc::new(Fakes {
            cos: Arc::new(FakeAdmin::uniform(Provider::Cos, cors.clone())),
            r2: Arc::new(FakeAdmin::uniform(Provider::R2, cors)),
        });
        let pulled = Arc::new(AtomicUsize::new(0));
        let finished = Arc::new(Count::default());
        let max_ahead = Arc::new(AtomicUsize::new(0));
        let (p, f, m) = (pulled.clone(), finished.clone(), max_ahead.clone());
        let pairs = (0..500).map(move |i| {
            let ahead = p.fetch_add(1, Ordering::SeqCst) + 1 - f.0.load(Ordering::SeqCst);
            m.fetch_max(ahead, Ordering::SeqCst);
            Pair {
                source: format!("cos://b{i}-1250000000"),
                target: format!("r2://b{i:04}"),
            }
        });
        let opts = BulkOptions {
            copy: CopyOptions {
                allow_lossy: false,
                dry_run: true,
                backup_dir: None,
            },
            concurrency: 8,
            pair_timeout: Duration::from_secs(60),
        };
        let dir = tempfile::tempdir().unwrap();
        let mut seen = Vec::new();
        let mut summary = Summary::default();
        run_each::<Cors>(
            pairs,
            500,
            fakes,
            Arc::new(StateFile::fresh(&dir.path().join("s.jsonl"))),
            opts,
            finished.clone(),
            |r| {
                summary.add(&r);
                seen.push(r.target);
            },
        )
        .await;
        assert_eq!(summary.total, 500);
        assert_eq!(summary.counts["unchanged"], 500, "{:?}", summary.counts);
        let expected: Vec<String> = (0..500).map(|i| format!("r2://b{i:04}")).collect();
        assert_eq!(seen, expected, "input order");
        // The bar advances one pair at a time, out of the total given.
        let progress: Vec<(usize, usize)> = (1..=500).map(|done| (done, 500)).collect();
        assert_eq!(*finished.1.lock().unwrap(), progress);
        // Spawning every pair up front would have pulled all 500 before any finished.
        let ahead = max_ahead.load(Ordering::SeqCst);
        assert!(
            ahead <= 8,
            "{ahead} pairs pulled ahead of the finished ones"
        );
    }

    #[test]
    fn a_mapping_file_is_checked_whole_then_streamed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("map.csv");
        let mut text = String::from("# header\n");
        for i in 0..300 {
            text.push_str(&format!("cos://b{i}-1250000000, r2://b{i:04}/\n"));
        }
        std::fs::write(&path, &text).unwrap();
        let file = MappingFile::open(&path, &UrlDefaults::default()).unwrap();
        assert_eq!(file.len, 300);
        let pairs: Vec<Pair> = file.pairs().unwrap().collect();
        assert_eq!(pairs, parse_mapping(&text).unwrap());
        assert_eq!(pairs[299].target, "r2://b0299");

        // Every line's problem is counted, the first ones listed.
        let mut bad = String::new();
        for i in 0..120 {
            bad.push_str(&format!("r2://src{i:03},r2://same\n"));
        }
        std::fs::write(&path, &bad).unwrap();
        let err = MappingFile::open(&path, &UrlDefaults::default()).unwrap_err();
        assert!(err.message.contains("119 problem(s)"), "{err}");
        let hint = err.hint.unwrap();
        assert_eq!(hint.lines().count(), MAX_PROBLEMS_SHOWN + 1, "{hint}");
        assert!(hint.ends_with("... and 69 more"), "{hint}");
        // Lines are numbered from 1, as an editor shows them.
        assert!(
            hint.starts_with("line 2: target r2://same is already the target of line 1\n"),
            "{hint}"
        );
        let missing =
            MappingFile::open(&dir.path().join("nope.csv"), &UrlDefaults::default()).unwrap_err();
        assert_eq!(missing.exit, Exit::NotFound);
    }

    #[tokio::test]
    async fn one_failure_does_not_abort_others_and_rerun_resumes() {
        let dir = tempfile::tempdir().unwrap();
        let mut cos = FakeAdmin::new(Provider::Cos);
        let mut r2 = FakeAdmin::new(Provider::R2);
        let mut pairs = Vec::new();
        for i in 0..20u32 {
            cos = cos.with_bucket(&format!("b{i}-1250000000"), Some(cfg(i)));
            r2 = r2.with_bucket(&format!("b{i:02}"), None);
            pairs.push(Pair {
                source: format!("cos://b{i}-1250000000"),
                target: format!("r2://b{i:02}"),
            });
        }
        let fakes = Arc::new(Fakes {
            cos: Arc::new(cos),
            r2: Arc::new(r2),
        });
        fakes.r2.failing.lock().unwrap().insert("b03".into());
        fakes.r2.failing.lock().unwrap().insert("b17".into());
        let state_path = dir.path().join("map.state.jsonl");
        let opts = BulkOptions {
            copy: CopyOptions {
                allow_lossy: false,
                dry_run: false,
                backup_dir: Some(dir.path().join("backups")),
            },
            concurrency: 4,
            pair_timeout: Duration::from_secs(60),
        };
        let progress = Arc::new(Count::default());
        let state = Arc::new(StateFile::load(&state_path).unwrap());
        let reports = run::<Cors>(
            pairs.clone(),
            fakes.clone(),
            state,
            opts.clone(),
            progress.clone(),
        )
        .await;
        assert_eq!(reports.len(), 20);
        assert_eq!(progress.0.load(Ordering::SeqCst), 20);
        let (counts, exit) = summarize(&reports);
        assert_eq!(counts["applied"], 18);
        assert_eq!(counts["failed"], 2);
        assert_eq!(exit, Exit::Failed);
        assert_eq!(reports[3].outcome, Outcome::Failed);
        assert_eq!(reports[3].target, "r2://b03");

        // Rerun after the failures clear: the 18 verified are skipped, the 2 failed complete.
        fakes.r2.failing.lock().unwrap().clear();
        let puts_before = fakes.r2.puts.load(Ordering::SeqCst);
        let state = Arc::new(StateFile::load(&state_path).unwrap());
        assert_eq!(state.len(), 18);
        let reports = run::<Cors>(pairs, fakes.clone(), state, opts, progress).await;
        let (counts, exit) = summarize(&reports);
        assert_eq!(counts["already_done"], 18);
        assert_eq!(counts["applied"], 2);
        assert_eq!(exit, Exit::Ok);
        assert_eq!(fakes.r2.puts.load(Ordering::SeqCst), puts_before + 2);
        assert_eq!(fakes.r2.cors("b17"), Some(cfg(17)));
    }

    #[tokio::test]
    async fn a_rerun_skips_only_the_plan_it_verified() {
        let dir = tempfile::tempdir().unwrap();
        let fakes = Arc::new(Fakes {
            cos: Arc::new(FakeAdmin::new(Provider::Cos).with_bucket("a-1250000000", Some(cfg(1)))),
            r2: Arc::new(FakeAdmin::new(Provider::R2).with_bucket("aaa", None)),
        });
        let pairs = vec![Pair {
            source: "cos://a-1250000000".into(),
            target: "r2://aaa".into(),
        }];
        let path = dir.path().join("s.jsonl");
        let opts = BulkOptions {
            copy: CopyOptions {
                allow_lossy: false,
                dry_run: false,
                backup_dir: None,
            },
            concurrency: 1,
            pair_timeout: Duration::from_secs(60),
        };
        let progress: Arc<dyn Progress> = Arc::new(Count::default());
        let run_once = |state: StateFile| {
            run::<Cors>(
                pairs.clone(),
                fakes.clone(),
                Arc::new(state),
                opts.clone(),
                progress.clone(),
            )
        };
        let first = run_once(StateFile::load(&path).unwrap()).await;
        assert_eq!(first[0].outcome, Outcome::Applied);
        let hash = first[0].plan_sha1.clone().unwrap();
        assert_eq!(hash, copy::plan_hash(&cfg(1)));
        let state = StateFile::load(&path).unwrap();
        assert_eq!(
            state.verified_plan("cors", &pairs[0]),
            Some(Some(hash.as_str()))
        );

        let puts = fakes.r2.puts.load(Ordering::SeqCst);
        let again = run_once(StateFile::load(&path).unwrap()).await;
        assert_eq!(again[0].outcome, Outcome::AlreadyDone);
        assert_eq!(
            fakes.r2.puts.load(Ordering::SeqCst),
            puts,
            "nothing written"
        );

        // The source changed: copied again, and the new plan is what the state now holds.
        fakes
            .cos
            .buckets
            .lock()
            .unwrap()
            .get_mut("a-1250000000")
            .unwrap()
            .cors = Some(cfg(2));
        let changed = run_once(StateFile::load(&path).unwrap()).await;
        assert_eq!(changed[0].outcome, Outcome::Applied);
        assert_eq!(fakes.r2.cors("aaa"), Some(cfg(2)));
        let state = StateFile::load(&path).unwrap();
        let new_hash = copy::plan_hash(&cfg(2));
        assert_eq!(
            state.verified_plan("cors", &pairs[0]),
            Some(Some(new_hash.as_str()))
        );

        // --fresh: the state is ignored, the pair is checked against the target again.
        let fresh = run_once(StateFile::fresh(&path)).await;
        assert_eq!(fresh[0].outcome, Outcome::Unchanged);
    }

    #[test]
    fn the_status_line_shows_rate_and_time_left() {
        let mut counts = BTreeMap::new();
        counts.insert("applied", 10);
        let line = status_line(10, 40, Duration::from_secs(5), &counts);
        assert_eq!(
            line,
            "[#######-----------------------] 10/40 2.0/s, 0m15s left  applied 10"
        );
        let done = status_line(40, 40, Duration::from_secs(8), &counts);
        assert!(done.ends_with("40/40 5.0/s  applied 10"), "{done}");
        assert!(status_line(0, 0, Duration::ZERO, &counts).contains("0/0 0.0/s"));
    }

    #[test]
    fn the_pacing_message_shows_the_wait_only_while_requests_are_held_back() {
        assert_eq!(pacing_message(None), "");
        let mut status = bucket_admin_r2::PacingStatus::default();
        status.requests_in_window = 1200;
        assert_eq!(pacing_message(Some(&status)), "", "idle: nothing shown");
        status.waiting = 1;
        status.current_wait = Duration::from_millis(1240);
        assert_eq!(pacing_message(Some(&status)), "pacing: waiting 1.2s");
        status.waiting = 8;
        status.current_wait = Duration::from_secs(4);
        assert_eq!(
            pacing_message(Some(&status)),
            "pacing: waiting 4.0s (8 requests queued)"
        );
    }

    #[test]
    fn plan_hashes_are_canonical_and_stable() {
        assert_eq!(
            copy::plan_hash(&serde_json::json!({"b": 1, "a": [true, null]})),
            copy::plan_hash(&serde_json::json!({"a": [true, null], "b": 1}))
        );
        assert_eq!(
            copy::plan_hash(&serde_json::json!({"a": 1})),
            // sha1 of `{"a":1}`: a fixed value, so a state file written by one build is read
            // by the next.
            "9f89c740ceb46d7418c924a78ac57941d5e96520"
        );
        assert_ne!(copy::plan_hash(&cfg(1)), copy::plan_hash(&cfg(2)));
        assert_eq!(copy::plan_hash(&cfg(1)).len(), 40);
    }

    #[test]
    fn state_file_ignores_torn_lines_and_unverified_outcomes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.jsonl");
        std::fs::write(
            &path,
            concat!(
                r#"{"section":"cors","source":"r2://aa","target":"r2://bb","outcome":"applied","at":"x"}"#,
                "\n",
                r#"{"section":"cors","source":"r2://cc","target":"r2://dd","outcome":"failed","at":"x"}"#,
                "\n",
                r#"{"section":"cors","source":"r2://ee","tar"#,
            ),
        )
        .unwrap();
        let state = StateFile::load(&path).unwrap();
        assert_eq!(state.len(), 1);
        let pair = Pair {
            source: "r2://aa".into(),
            target: "r2://bb".into(),
        };
        assert!(state.is_done("cors", &pair));
        assert!(!state.is_done("lifecycle", &pair));
    }

    #[test]
    fn a_state_file_in_a_new_directory_is_created_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        // A missing state file is an empty state.
        let missing = StateFile::load(&dir.path().join("none.jsonl")).unwrap();
        assert!(missing.is_empty());
        assert_eq!(missing.len(), 0);
        // Recording creates the directories the state file lives in.
        let path = dir.path().join("new").join("deeper").join("s.jsonl");
        let state = StateFile::fresh(&path);
        assert!(state.is_empty());
        let hash = "ab".repeat(20);
        state
            .record(&CopyReport {
                section: "cors",
                source: "r2://aa".into(),
                target: "cos://bb-1250000000".into(),
                outcome: Outcome::Applied,
                changes: vec![],
                diff: None,
                backup: None,
                error: None,
                plan_sha1: Some(hash.clone()),
            })
            .unwrap();
        let again = StateFile::load(&path).unwrap();
        assert!(!again.is_empty());
        assert_eq!(again.len(), 1);
        let pair = Pair {
            source: "r2://aa".into(),
            target: "cos://bb-1250000000".into(),
        };
        assert_eq!(
            again.verified_plan("cors", &pair),
            Some(Some(hash.as_str()))
        );
    }

    #[test]
    fn stderr_progress_draws_a_bar_only_on_a_terminal_when_not_quiet() {
        let tty = std::io::stderr().is_terminal();
        // Quiet never draws a bar; otherwise there is one exactly when stderr is a terminal
        // (never under `cargo test`'s captured stderr, so there it prints plain lines).
        for quiet in [true, false] {
            let progress = StderrProgress::new(quiet);
            assert_eq!(
                format!("{progress:?}"),
                format!(
                    "StderrProgress {{ tty: {tty}, quiet: {quiet}, bar: {}, .. }}",
                    tty && !quiet
                )
            );
        }
    }

    /// A terminal for the bar that keeps every line written to it.
    #[derive(Debug, Clone, Default)]
    struct CapturedTerminal(Arc<Mutex<Vec<String>>>);

    impl indicatif::TermLike for CapturedTerminal {
        fn width(&self) -> u16 {
            200
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push(s.to_owned());
            Ok(())
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.write_line(s)
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn report(outcome: Outcome, target: &str, error: Option<&str>) -> CopyReport {
        CopyReport {
            section: "cors",
            source: "r2://src".into(),
            target: target.into(),
            outcome,
            changes: vec![],
            diff: None,
            backup: None,
            error: error.map(str::to_owned),
            plan_sha1: None,
        }
    }

    #[test]
    fn on_a_terminal_the_bar_counts_outcomes_and_prints_only_problems_above_it() {
        let terminal = CapturedTerminal::default();
        let target = indicatif::ProgressDrawTarget::term_like(Box::new(terminal.clone()));
        let progress = StderrProgress::drawing_to(true, false, None, target);
        let bar = progress.bar.clone().expect("a terminal, not quiet: a bar");
        progress.finished(&report(Outcome::Applied, "cos://a-1250000000", None), 1, 3);
        progress.finished(&report(Outcome::Applied, "cos://b-1250000000", None), 2, 3);
        progress.finished(
            &report(Outcome::Failed, "cos://c-1250000000", Some("AccessDenied")),
            3,
            3,
        );
        assert_eq!((bar.position(), bar.length()), (3, Some(3)));
        assert_eq!(bar.message(), "applied 2, failed 1");
        let lines = terminal.0.lock().unwrap().clone();
        let problems: Vec<&String> = lines.iter().filter(|l| l.contains(" -> ")).collect();
        assert_eq!(
            problems,
            ["failed r2://src -> cos://c-1250000000: AccessDenied"],
            "{lines:?}"
        );
        assert!(!bar.is_finished());
        progress.end();
        assert!(bar.is_finished(), "the bar is cleared before the summary");
        // Quiet, or not a terminal: no bar at all.
        let hidden = || indicatif::ProgressDrawTarget::hidden();
        assert!(
            StderrProgress::drawing_to(true, true, None, hidden())
                .bar
                .is_none()
        );
        assert!(
            StderrProgress::drawing_to(false, false, None, hidden())
                .bar
                .is_none()
        );
    }

    #[test]
    fn the_pacing_key_writes_the_wait_after_two_spaces_or_nothing() {
        let mut status = bucket_admin_r2::PacingStatus::default();
        let mut idle = String::new();
        write_pacing(Some(&status), &mut idle);
        assert_eq!(idle, "");
        status.waiting = 1;
        status.current_wait = Duration::from_millis(1240);
        let mut held = String::new();
        write_pacing(Some(&status), &mut held);
        assert_eq!(held, "  pacing: waiting 1.2s");
    }

    #[test]
    fn no_time_elapsed_means_no_rate_and_no_time_left() {
        assert_eq!(
            status_line(3, 4, Duration::ZERO, &BTreeMap::new()),
            format!("[{}{}] 3/4 0.0/s  ", "#".repeat(22), "-".repeat(8))
        );
    }
}
