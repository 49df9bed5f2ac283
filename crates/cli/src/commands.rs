//! Command handlers: parse targets, call providers through [`Connector`], print results.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bucket_admin_core::preflight::{self, PreflightOutcome, PreflightRequest};
use bucket_admin_core::{BucketPolicy, ReplicationConfiguration, VersioningStatus};
use serde::Serialize;

use crate::bulk::{self, BulkOptions, Pair, StateFile, StderrProgress};
use crate::cli::{
    BackupArgs, BucketsCmd, CheckArgs, Cli, Command, CopyArgs, CorsCmd, DocCmd, EmulatorArgs,
    LifecycleCmd, PresignArgs, VersioningArg, VersioningCmd,
};
use crate::copy::{self, CopyOptions, CopyReport, Outcome};
use crate::diff;
use crate::endpoint::{self, Cors, Endpoint, Lifecycle, Section};
use crate::exit::{CliError, Exit};
use crate::formats::{self, CorsFormat};
use crate::output::{self, Table};
use crate::targets::{Connector, EmulatorAccess, Settings};
use crate::url::{self, TargetUrl};

/// Runs a parsed command line and returns the exit code; errors are printed here.
pub async fn run(cli: Cli) -> Exit {
    let json = cli.global.json;
    match dispatch(cli).await {
        Ok(exit) => exit,
        Err(e) => {
            output::print_error(&e, json);
            e.exit
        }
    }
}

struct Ctx {
    json: bool,
    connector: Arc<Connector>,
}

impl Ctx {
    /// The canonical form of a URL the user gave (defaults filled in, one spelling per
    /// bucket).
    fn target(&self, s: &str) -> Result<TargetUrl, CliError> {
        self.connector.canonical(s)
    }

    fn endpoint(&self, s: &str, format: Option<CorsFormat>) -> Result<Endpoint, CliError> {
        self.connector.endpoint_for(&self.target(s)?, format)
    }

    /// A bucket endpoint (files refused).
    fn bucket(&self, s: &str, what: &str) -> Result<Endpoint, CliError> {
        let url = self.target(s)?;
        url.require_bucket(what)?;
        self.connector.endpoint_for(&url, None)
    }
}

async fn dispatch(cli: Cli) -> Result<Exit, CliError> {
    let g = cli.global;
    // The emulator subcommand needs no provider; run it before building anything.
    if let Command::Emulator(args) = &cli.command {
        return serve_emulator(args).await;
    }
    if let Command::Completions { shell } = &cli.command {
        use clap::CommandFactory;
        let mut cmd = Cli::command();
        clap_complete::generate(*shell, &mut cmd, "bucket-admin", &mut std::io::stdout());
        return Ok(Exit::Ok);
    }
    // Held for the whole command: dropping it stops the in-process emulator.
    let mut _emulator = None;
    let mut settings = Settings {
        endpoint: g.endpoint.clone(),
        emulator: None,
        allow_http: g.allow_http,
        retries: g.retries,
        timeout: g.timeout.map(Duration::from_secs),
        r2_pacing: g.r2_pacing.clone(),
        region: g.region.clone(),
        jurisdiction: g.jurisdiction,
    };
    if g.emulator {
        let mut builder = bucket_admin_emulator::Emulator::builder();
        if let Some(dir) = &g.emulator_dir {
            builder = builder.data_dir(dir.clone());
        }
        let emu = builder
            .start()
            .await
            .map_err(|e| CliError::failed(format!("cannot start the emulator: {e}")))?;
        let (c, r) = (emu.cos_credentials(), emu.r2_credentials());
        settings.emulator = Some(EmulatorAccess {
            cos_endpoint: emu.cos_endpoint(),
            r2_base_url: emu.r2_base_url(),
            cos_secret_id: c.secret_id.clone(),
            cos_secret_key: c.secret_key.clone(),
            cos_region: c.region.clone(),
            cos_appid: c.appid.clone(),
            r2_account_id: r.account_id.clone(),
            r2_api_token: r.api_token.clone(),
        });
        match &g.emulator_dir {
            Some(dir) => tracing::info!(
                "started an in-process emulator at {} with its state in {}",
                emu.cos_endpoint(),
                dir.display()
            ),
            None => tracing::info!(
                "started an in-process emulator at {} (state is lost when this command ends; --emulator-dir keeps it)",
                emu.cos_endpoint()
            ),
        }
        _emulator = Some(emu);
    }
    let ctx = Ctx {
        json: g.json,
        connector: Arc::new(Connector::new(settings)),
    };
    match cli.command {
        Command::Buckets(cmd) => buckets(&ctx, cmd).await,
        Command::Cors(cmd) => cors(&ctx, cmd).await,
        Command::Lifecycle(cmd) => lifecycle(&ctx, cmd).await,
        Command::Versioning(cmd) => versioning(&ctx, cmd).await,
        Command::Replication(cmd) => replication(&ctx, cmd).await,
        Command::Policy(cmd) => policy(&ctx, cmd).await,
        Command::Presign(args) => presign(&ctx, args),
        Command::Export(args) => {
            crate::estate::export_cmd(ctx.connector.clone(), &args, ctx.json).await
        }
        Command::Plan(args) => {
            crate::estate::plan_cmd(ctx.connector.clone(), &args, ctx.json).await
        }
        Command::Apply(args) => {
            crate::estate::apply_cmd(ctx.connector.clone(), &args, ctx.json).await
        }
        Command::Drift(args) => {
            crate::estate::drift_cmd(ctx.connector.clone(), &args, ctx.json).await
        }
        Command::Emulator(_) => Ok(Exit::Ok),
        // Handled before any client is built.
        Command::Completions { .. } => Ok(Exit::Ok),
    }
}

async fn serve_emulator(args: &EmulatorArgs) -> Result<Exit, CliError> {
    args.run()
        .await
        .map_err(|e| CliError::failed(format!("emulator: {e}")))?;
    Ok(Exit::Ok)
}

fn done(ctx: &Ctx, message: &str) -> Result<Exit, CliError> {
    if ctx.json {
        output::print_json(&serde_json::json!({ "ok": true, "message": message }));
    } else {
        println!("{message}");
    }
    Ok(Exit::Ok)
}

/// Like [`done`] for a command that overwrote or deleted something: says where the previous
/// configuration went (or that there was none, or that `--no-backup` skipped it).
fn done_with_backup(
    ctx: &Ctx,
    message: &str,
    backup: &BackupArgs,
    saved: Option<&Path>,
) -> Result<Exit, CliError> {
    let note = match (backup.no_backup, saved) {
        (true, _) => "not backed up (--no-backup)".to_owned(),
        (false, Some(path)) => format!("previous configuration saved to {}", path.display()),
        (false, None) => "there was no previous configuration to back up".to_owned(),
    };
    if ctx.json {
        output::print_json(&serde_json::json!({
            "ok": true, "message": message, "backup": saved, "backup_note": note,
        }));
    } else {
        println!("{message}; {note}");
    }
    Ok(Exit::Ok)
}

/// Saves what `read` returns before an overwrite; see [`crate::backup::before_overwrite`].
async fn backup_first<T, F>(
    backup: &BackupArgs,
    target: &str,
    section: &str,
    what: &str,
    read: F,
) -> Result<Option<PathBuf>, CliError>
where
    T: Serialize,
    F: std::future::Future<Output = Result<Option<T>, bucket_admin_core::Error>>,
{
    crate::backup::before_overwrite(backup.dir(), target, section, what, async {
        read.await.map_err(CliError::from)
    })
    .await
}

// ---- buckets ----

async fn buckets(ctx: &Ctx, cmd: BucketsCmd) -> Result<Exit, CliError> {
    match cmd {
        BucketsCmd::List { account } => {
            let url = ctx.target(&account)?;
            url.require_account("buckets list")?;
            let list = ctx.connector.list_buckets(&url).await?;
            if ctx.json {
                output::print_json(&list);
            } else {
                let mut t = Table::new(["name", "region", "jurisdiction", "created"]);
                for b in &list {
                    t.row([
                        b.name.clone(),
                        b.region.clone().unwrap_or_default(),
                        b.jurisdiction.map(|j| j.to_string()).unwrap_or_default(),
                        b.created
                            .and_then(|c| {
                                c.format(&time::format_description::well_known::Rfc3339)
                                    .ok()
                            })
                            .unwrap_or_default(),
                    ]);
                }
                output::print_text(&t.render());
                eprintln!("{} bucket(s) in {url}", list.len());
            }
            Ok(Exit::Ok)
        }
        BucketsCmd::Create { target, options } => {
            let (admin, bucket) = admin_bucket(ctx, &target, "buckets create")?;
            if options.object_lock && !admin.capabilities().create_object_lock {
                return Err(CliError::usage(format!(
                    "--object-lock: `{target}` cannot switch Object Lock on at creation"
                ))
                .with_hint("Object Lock on create is for s3:// targets with profile aws, minio or custom (`bucket-admin capabilities`)"));
            }
            admin.create_bucket(&bucket, &options.to_options()).await?;
            let created = ctx.target(&target)?;
            let requested = target.parse::<TargetUrl>().ok();
            match requested.as_ref().and_then(TargetUrl::bucket) {
                // COS stores bucket names in lower case; say so rather than let the user look
                // for a name that does not exist.
                Some(asked) if asked != bucket => {
                    let note = format!(
                        "COS bucket names are lower case: created `{bucket}` (you asked for `{asked}`)"
                    );
                    if ctx.json {
                        output::print_json(&serde_json::json!({
                            "ok": true,
                            "message": format!("created {created}"),
                            "requested": asked,
                            "created": bucket,
                            "note": note,
                        }));
                    } else {
                        eprintln!("note: {note}");
                        println!("created {created}");
                    }
                    Ok(Exit::Ok)
                }
                _ => done(ctx, &format!("created {created}")),
            }
        }
        BucketsCmd::Delete { target } => {
            let (admin, bucket) = admin_bucket(ctx, &target, "buckets delete")?;
            admin.delete_bucket(&bucket).await?;
            done(ctx, &format!("deleted {target}"))
        }
        BucketsCmd::Exists { target } => {
            let (admin, bucket) = admin_bucket(ctx, &target, "buckets exists")?;
            let exists = admin.bucket_exists(&bucket).await?;
            if ctx.json {
                output::print_json(&serde_json::json!({ "bucket": target, "exists": exists }));
            } else {
                println!(
                    "{target} {}",
                    if exists { "exists" } else { "does not exist" }
                );
            }
            Ok(if exists { Exit::Ok } else { Exit::Negative })
        }
    }
}

fn admin_bucket(
    ctx: &Ctx,
    target: &str,
    what: &str,
) -> Result<(Arc<dyn bucket_admin_core::BucketAdmin>, String), CliError> {
    let url = ctx.target(target)?;
    let bucket = url.require_bucket(what)?.to_owned();
    Ok((ctx.connector.admin(&url)?, bucket))
}

// ---- reading input files ----

fn read_input(file: &str) -> Result<String, CliError> {
    if file == "-" {
        use std::io::Read;
        let mut text = String::new();
        std::io::stdin()
            .take(endpoint::MAX_FILE_BYTES)
            .read_to_string(&mut text)
            .map_err(|e| CliError::usage(format!("cannot read stdin: {e}")))?;
        Ok(text)
    } else {
        // Accept both `cors.json` and `file://cors.json`.
        let path = file.strip_prefix("file://").unwrap_or(file);
        endpoint::read_required(Path::new(path))
    }
}

// ---- cors ----

async fn cors(ctx: &Ctx, cmd: CorsCmd) -> Result<Exit, CliError> {
    match cmd {
        CorsCmd::Get {
            target,
            output_format,
            format,
        } => {
            let ep = ctx.endpoint(&target, format)?;
            match endpoint::get::<Cors>(&ep).await? {
                None => {
                    if ctx.json {
                        output::print_json(&serde_json::Value::Null);
                    } else {
                        eprintln!("{target} has no CORS configuration");
                    }
                }
                Some(cfg) => {
                    // --json keeps the neutral shape, which is what scripts parse; a person
                    // without a chosen format gets a table.
                    let format = match (ctx.json, output_format) {
                        (true, _) => CorsFormat::Neutral,
                        (false, Some(f)) => f,
                        (false, None) => {
                            output::print_text(&cors_table(&cfg));
                            return Ok(Exit::Ok);
                        }
                    };
                    let (text, lost) = formats::render_cors(&cfg, format);
                    for l in lost {
                        eprintln!("warning: {l}");
                    }
                    output::print_text(&text);
                }
            }
            Ok(Exit::Ok)
        }
        CorsCmd::Put {
            target,
            file,
            format,
            allow_lossy,
            backup,
        } => {
            let ep = ctx.bucket(&target, "cors put")?;
            let text = read_input(&file)?;
            let mut parsed =
                formats::parse_cors(&text, format).map_err(|e| CliError::from(e).context(&file))?;
            tracing::info!("read {file} as {}", parsed.format.describe());
            // Fitted to the provider like a copy, so a put and a copy of the same file agree on
            // what is lost.
            if let Some(caps) = ep.capabilities() {
                let fitted = Cors::convert(&parsed.config, caps)?;
                if !fitted.changes.is_empty() {
                    let list: Vec<String> =
                        fitted.changes.iter().map(|c| format!("- {c}")).collect();
                    if !allow_lossy {
                        return Err(CliError::new(
                            Exit::LossyRefused,
                            format!(
                                "{target} cannot hold everything in {file}: {} setting(s) would be lost or changed; nothing was written",
                                fitted.changes.len()
                            ),
                        )
                        .with_hint(format!(
                            "{}\nrerun with --allow-lossy to write it anyway",
                            list.join("\n")
                        )));
                    }
                    for l in &list {
                        eprintln!("warning (--allow-lossy): {}", &l[2..]);
                    }
                }
                parsed.config = fitted.value;
            }
            let saved = crate::backup::before_overwrite(
                backup.dir(),
                ep.url(),
                Cors::NAME,
                "CORS configuration",
                endpoint::get_current::<Cors>(&ep),
            )
            .await?;
            endpoint::put::<Cors>(&ep, &parsed.config).await?;
            done_with_backup(
                ctx,
                &format!(
                    "put {} CORS rule(s) on {target} (read {file} as {})",
                    parsed.config.rules.len(),
                    parsed.format
                ),
                &backup,
                saved.as_deref(),
            )
        }
        CorsCmd::Delete { target, backup } => {
            let (admin, bucket) = admin_bucket(ctx, &target, "cors delete")?;
            let saved = backup_first(
                &backup,
                &target,
                Cors::NAME,
                "CORS configuration",
                admin.get_cors(&bucket),
            )
            .await?;
            admin.delete_cors(&bucket).await?;
            done_with_backup(
                ctx,
                &format!("deleted the CORS configuration of {target}"),
                &backup,
                saved.as_deref(),
            )
        }
        CorsCmd::Copy(args) => copy_cmd::<Cors>(ctx, args).await,
        CorsCmd::Diff { a, b } => diff_cmd::<Cors>(ctx, &a, &b).await,
        CorsCmd::Check(args) => check(ctx, args).await,
    }
}

/// An age as the provider counts it: R2 in seconds with the days beside (R2's API takes
/// seconds), COS and S3 in days.
fn age_text(age: &bucket_admin_core::Age, r2: bool) -> String {
    let secs = age.as_seconds();
    let days = match age.whole_days() {
        Some(d) => format!("{d} d"),
        None => format!("{:.2} d", secs as f64 / 86_400.0),
    };
    if r2 {
        format!("{secs} s ({days})")
    } else if age.whole_days().is_some() {
        days
    } else {
        format!("{secs} s ({days})")
    }
}

/// Lifecycle rules as a table, one rule per row; `r2` shows ages in R2's seconds.
fn lifecycle_table(cfg: &bucket_admin_core::LifecycleConfiguration, r2: bool) -> String {
    use bucket_admin_core::{Expiration, Trigger};
    let mut t = Table::new([
        "#",
        "id",
        "status",
        "prefix",
        "expiration",
        "transitions",
        "abort uploads",
    ]);
    for (i, r) in cfg.rules.iter().enumerate() {
        let mut prefix = r.filter.prefix.clone().unwrap_or_else(|| "-".into());
        for tag in &r.filter.tags {
            prefix.push_str(&format!(" {}={}", tag.key, tag.value));
        }
        let expiration = match &r.expiration {
            None => "-".to_owned(),
            Some(Expiration::After(a)) => format!("after {}", age_text(a, r2)),
            Some(Expiration::On(d)) => format!("on {d}"),
            Some(Expiration::ExpiredObjectDeleteMarker) => "expired delete markers".to_owned(),
        };
        let transitions: Vec<String> = r
            .transitions
            .iter()
            .map(|tr| match &tr.trigger {
                Trigger::After(a) => format!("{} after {}", tr.storage_class, age_text(a, r2)),
                Trigger::On(d) => format!("{} on {d}", tr.storage_class),
            })
            .collect();
        t.row([
            i.to_string(),
            r.id.clone().unwrap_or_else(|| "-".into()),
            if r.enabled { "enabled" } else { "disabled" }.to_owned(),
            prefix,
            expiration,
            if transitions.is_empty() {
                "-".to_owned()
            } else {
                transitions.join(", ")
            },
            r.abort_incomplete_multipart_upload
                .as_ref()
                .map(|a| age_text(a, r2))
                .unwrap_or_else(|| "-".into()),
        ]);
    }
    let mut text = t.render();
    text.push_str(
        "\n(--output-format neutral|cos-xml|r2|aws prints a file; --json the neutral JSON)\n",
    );
    text
}

/// A CORS configuration as a table, one rule per row.
fn cors_table(cfg: &bucket_admin_core::CorsConfiguration) -> String {
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_owned()
        } else {
            v.join(", ")
        }
    };
    let mut t = Table::new([
        "#", "id", "origins", "methods", "headers", "expose", "max age",
    ]);
    for (i, r) in cfg.rules.iter().enumerate() {
        t.row([
            i.to_string(),
            r.id.clone().unwrap_or_else(|| "-".into()),
            list(&r.allowed_origins),
            r.allowed_methods
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            list(&r.allowed_headers),
            list(&r.expose_headers),
            r.max_age_seconds
                .map(|s| format!("{s} s"))
                .unwrap_or_else(|| "-".into()),
        ]);
    }
    let mut text = t.render();
    if let Some(vary) = cfg.extras.cos_response_vary {
        text.push_str(&format!("\nResponseVary (COS): {vary}\n"));
    }
    text.push_str("\n(--output-format neutral|s3|cos-json|cos-xml|r2 prints a file; --json the neutral JSON)\n");
    text
}

async fn diff_cmd<S: Section>(ctx: &Ctx, a: &str, b: &str) -> Result<Exit, CliError> {
    let (ea, eb) = (ctx.endpoint(a, None)?, ctx.endpoint(b, None)?);
    let (ca, cb) = (
        endpoint::get::<S>(&ea).await?,
        endpoint::get::<S>(&eb).await?,
    );
    let same = match (&ca, &cb) {
        (Some(x), Some(y)) => x == y,
        (None, None) => true,
        _ => false,
    };
    let text = diff::config_diff(ca.as_ref(), cb.as_ref(), a, b);
    if ctx.json {
        output::print_json(&serde_json::json!({
            "a": a, "b": b, "same": same, "diff": text,
        }));
    } else {
        output::print_text(&text);
    }
    Ok(if same { Exit::Ok } else { Exit::Negative })
}

#[derive(Serialize)]
struct CheckResult {
    request: PreflightRequest,
    offline: PreflightOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    live: Option<PreflightOutcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    same_answer: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    browser: Option<crate::browser::BrowserAnswer>,
    /// Whether Chromium decided as the offline evaluation did.
    #[serde(skip_serializing_if = "Option::is_none")]
    browser_agrees: Option<bool>,
}

async fn check(ctx: &Ctx, args: CheckArgs) -> Result<Exit, CliError> {
    let url = ctx.target(&args.target)?;
    let ep = ctx.connector.endpoint_for(&url, args.format)?;
    let request =
        PreflightRequest::new(args.origin.clone(), args.method.clone()).with_headers(&args.headers);
    // Refuse --live before any request, so the usage error is not masked by a lookup failure.
    let live_target = match (&url, args.live) {
        (_, false) => None,
        (
            TargetUrl::Cos {
                bucket: Some(bucket),
                region,
            },
            true,
        ) => Some((bucket, region)),
        (_, true) => {
            return Err(CliError::usage(
                "--live needs a COS bucket: R2's REST API cannot send a preflight, and a file has no server",
            ));
        }
    };
    // Chromium and Playwright are looked for before anything is read.
    let browser_tools = if args.browser {
        Some(crate::browser::find_tools()?)
    } else {
        None
    };
    let cfg = endpoint::get::<Cors>(&ep).await?;
    let offline = preflight::evaluate(cfg.as_ref(), &request);
    let live = match live_target {
        Some((bucket, region)) => {
            let client = ctx.connector.cos(region.as_deref())?;
            Some(client.preflight(bucket, &args.key, &request).await?)
        }
        None => None,
    };
    let same = live.as_ref().map(|l| l.same_answer(&offline));
    let browser = match &browser_tools {
        Some(tools) => {
            // The user's bucket was only read: the browser's requests go to a scratch bucket.
            let service = match &url {
                TargetUrl::R2 { .. } => crate::browser::Service::R2,
                _ => crate::browser::Service::Cos,
            };
            Some(crate::browser::check(tools, service, cfg.as_ref(), &request).await?)
        }
        None => None,
    };
    let browser_agrees = browser.as_ref().map(|b| b.allowed == offline.is_allowed());
    let exit = match (same, browser_agrees, offline.is_allowed()) {
        (Some(false), _, _) | (_, Some(false), _) => Exit::Mismatch,
        (_, _, true) => Exit::Ok,
        (_, _, false) => Exit::Negative,
    };
    if ctx.json {
        output::print_json(&CheckResult {
            request,
            offline,
            live,
            same_answer: same,
            browser,
            browser_agrees,
        });
        return Ok(exit);
    }
    println!(
        "preflight {} from {}{} against {}",
        args.method,
        args.origin,
        if request.request_headers.is_empty() {
            String::new()
        } else {
            format!(" with headers {}", request.request_headers.join(", "))
        },
        args.target
    );
    match &live {
        None => println!("{offline}"),
        Some(live) => {
            let mut t = Table::new(["", "offline (evaluated)", "live (COS OPTIONS)"]);
            for (name, a, b) in side_by_side(&offline, live) {
                t.row([name, a, b]);
            }
            output::print_text(&t.render());
            println!("\noffline evaluation: {offline}");
            if same == Some(true) {
                println!("\nthe live answer matches the offline evaluation");
            } else {
                println!(
                    "\nMISMATCH: COS answered differently than the offline evaluation of its configuration"
                );
            }
        }
    }
    if let Some(b) = &browser {
        print_browser_answer(b, offline.is_allowed());
    }
    Ok(exit)
}

fn print_browser_answer(b: &crate::browser::BrowserAnswer, offline_allowed: bool) {
    let service = b.service.name();
    let verdict = |allowed: bool| if allowed { "allowed" } else { "denied" };
    let mut t = Table::new(["", "offline (evaluated)", "browser (Chromium)"]);
    t.row([
        "result".to_owned(),
        verdict(offline_allowed).to_owned(),
        match (b.allowed, b.status) {
            (true, Some(status)) => format!("allowed (HTTP {status})"),
            (true, None) => "allowed".to_owned(),
            (false, _) => "denied".to_owned(),
        },
    ]);
    let headers: Vec<String> = b.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    println!(
        "\nbrowser: Chromium ran fetch() with {} {} from a page of the origin, against a scratch bucket with these rules on the emulated {service}",
        b.method,
        if headers.is_empty() {
            "and no extra headers".to_owned()
        } else {
            format!("and headers {}", headers.join(", "))
        },
    );
    output::print_text(&t.render());
    if let (false, Some(e)) = (b.allowed, &b.error) {
        println!("the page's script saw: {e}");
    }
    if b.allowed && b.service == crate::browser::Service::R2 && b.status == Some(405) {
        println!(
            "(R2's public hosts serve reads only, hence HTTP 405; the CORS decision is what counts here)"
        );
    }
    if b.allowed == offline_allowed {
        println!("the browser agrees with the offline evaluation");
    } else {
        println!(
            "MISMATCH: Chromium {} the request that the offline evaluation {}",
            if b.allowed { "allowed" } else { "blocked" },
            if offline_allowed { "allows" } else { "denies" },
        );
    }
}

fn side_by_side(a: &PreflightOutcome, b: &PreflightOutcome) -> Vec<(String, String, String)> {
    fn headers(o: &PreflightOutcome) -> BTreeMap<&'static str, String> {
        match o {
            PreflightOutcome::Allowed(x) => x.response_headers().into_iter().collect(),
            // Denied, or an outcome this CLI does not know: no headers were granted.
            _ => BTreeMap::new(),
        }
    }
    let verdict = |o: &PreflightOutcome| match o {
        PreflightOutcome::Allowed(_) => "allowed".to_owned(),
        PreflightOutcome::Denied(d) => match &d.reason {
            preflight::DenialReason::ProviderRejected { status, code, .. } => format!(
                "denied (HTTP {status}{})",
                code.as_deref().map(|c| format!(" {c}")).unwrap_or_default()
            ),
            _ => "denied".to_owned(),
        },
        // An outcome newer than this CLI: show the library's own first line for it.
        other => other
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned(),
    };
    let (ha, hb) = (headers(a), headers(b));
    let mut rows = vec![("result".to_owned(), verdict(a), verdict(b))];
    let mut names: Vec<&str> = ha.keys().chain(hb.keys()).copied().collect();
    names.sort_unstable();
    names.dedup();
    for n in names {
        rows.push((
            n.to_owned(),
            ha.get(n).cloned().unwrap_or_else(|| "-".into()),
            hb.get(n).cloned().unwrap_or_else(|| "-".into()),
        ));
    }
    rows
}

// ---- lifecycle ----

async fn lifecycle(ctx: &Ctx, cmd: LifecycleCmd) -> Result<Exit, CliError> {
    match cmd {
        LifecycleCmd::Get {
            target,
            output_format,
        } => {
            let ep = ctx.endpoint(&target, None)?;
            let rules = endpoint::get::<Lifecycle>(&ep).await?;
            let empty = rules.is_none();
            match (&rules, output_format) {
                (Some(cfg), Some(format)) if !ctx.json => {
                    output::print_text(&formats::render_lifecycle(cfg, format)?);
                }
                // A person at a terminal gets a table; a pipe or file (`> rules.json`) keeps
                // the neutral JSON that `lifecycle put` reads.
                (Some(cfg), None) if !ctx.json && std::io::stdout().is_terminal() => {
                    let r2 = matches!(ep.url().split_once("://"), Some(("r2", _)));
                    output::print_text(&lifecycle_table(cfg, r2));
                }
                _ => print_optional(ctx, rules, &target, "lifecycle rules"),
            }
            if empty {
                // The moment someone wants to write rules: show the shape.
                eprintln!(
                    "a rules file for `bucket-admin lifecycle put` looks like:\n{}",
                    crate::cli::LIFECYCLE_EXAMPLE!()
                );
            }
            Ok(Exit::Ok)
        }
        LifecycleCmd::Put {
            target,
            file,
            backup,
        } => {
            let ep = ctx.bucket(&target, "lifecycle put")?;
            let cfg = Lifecycle::parse(&read_input(&file)?, None).map_err(|e| e.context(&file))?;
            let saved = crate::backup::before_overwrite(
                backup.dir(),
                ep.url(),
                Lifecycle::NAME,
                "lifecycle rules",
                endpoint::get_current::<Lifecycle>(&ep),
            )
            .await?;
            endpoint::put::<Lifecycle>(&ep, &cfg).await?;
            done_with_backup(
                ctx,
                &format!("put {} lifecycle rule(s) on {target}", cfg.rules.len()),
                &backup,
                saved.as_deref(),
            )
        }
        LifecycleCmd::Delete { target, backup } => {
            let (admin, bucket) = admin_bucket(ctx, &target, "lifecycle delete")?;
            let saved = backup_first(
                &backup,
                &target,
                Lifecycle::NAME,
                "lifecycle rules",
                admin.get_lifecycle(&bucket),
            )
            .await?;
            admin.delete_lifecycle(&bucket).await?;
            done_with_backup(
                ctx,
                &format!("deleted the lifecycle rules of {target}"),
                &backup,
                saved.as_deref(),
            )
        }
        LifecycleCmd::Copy(args) => copy_cmd::<Lifecycle>(ctx, args).await,
        LifecycleCmd::Diff { a, b } => diff_cmd::<Lifecycle>(ctx, &a, &b).await,
    }
}

fn print_optional<T: Serialize>(ctx: &Ctx, value: Option<T>, target: &str, what: &str) {
    match value {
        Some(v) => output::print_text(&endpoint::to_pretty(&v)),
        None if ctx.json => output::print_json(&serde_json::Value::Null),
        None => eprintln!("{target} has no {what}"),
    }
}

// ---- versioning, replication, policy ----

async fn versioning(ctx: &Ctx, cmd: VersioningCmd) -> Result<Exit, CliError> {
    match cmd {
        VersioningCmd::Get { target } => {
            let (admin, bucket) = admin_bucket(ctx, &target, "versioning get")?;
            let status = admin.get_versioning(&bucket).await?;
            if ctx.json {
                output::print_json(&serde_json::json!({ "bucket": target, "status": status }));
            } else {
                println!("{status}");
            }
            Ok(Exit::Ok)
        }
        VersioningCmd::Put { target, status } => {
            let (admin, bucket) = admin_bucket(ctx, &target, "versioning put")?;
            let status = match status {
                VersioningArg::Enabled => VersioningStatus::Enabled,
                VersioningArg::Suspended => VersioningStatus::Suspended,
            };
            admin.put_versioning(&bucket, status).await?;
            done(ctx, &format!("versioning of {target} is now {status}"))
        }
    }
}

/// get/put/delete of replication or policy, which share a shape: neutral JSON in and out.
macro_rules! doc_command {
    ($fn_name:ident, $ty:ty, $name:literal, $section:literal, $foreign:path, $get:ident, $put:ident, $delete:ident) => {
        async fn $fn_name(ctx: &Ctx, cmd: DocCmd) -> Result<Exit, CliError> {
            match cmd {
                DocCmd::Get { target } => {
                    let (admin, bucket) = admin_bucket(ctx, &target, concat!($name, " get"))?;
                    print_optional(ctx, admin.$get(&bucket).await?, &target, $name);
                    Ok(Exit::Ok)
                }
                DocCmd::Put {
                    target,
                    file,
                    backup,
                } => {
                    let (admin, bucket) = admin_bucket(ctx, &target, concat!($name, " put"))?;
                    let text = read_input(&file)?;
                    // The provider's own shapes first (COS JSON/XML, SDK dicts), then neutral.
                    let value: $ty = match $foreign(&text) {
                        Some(parsed) => parsed.map_err(|e| CliError::from(e).context(&file))?,
                        None => {
                            endpoint::parse_neutral(&text, $name).map_err(|e| e.context(&file))?
                        }
                    };
                    let saved =
                        backup_first(&backup, &target, $section, $name, admin.$get(&bucket))
                            .await?;
                    admin.$put(&bucket, &value).await?;
                    done_with_backup(
                        ctx,
                        &format!(concat!("put the ", $name, " of {}"), target),
                        &backup,
                        saved.as_deref(),
                    )
                }
                DocCmd::Delete { target, backup } => {
                    let (admin, bucket) = admin_bucket(ctx, &target, concat!($name, " delete"))?;
                    let saved =
                        backup_first(&backup, &target, $section, $name, admin.$get(&bucket))
                            .await?;
                    admin.$delete(&bucket).await?;
                    done_with_backup(
                        ctx,
                        &format!(concat!("deleted the ", $name, " of {}"), target),
                        &backup,
                        saved.as_deref(),
                    )
                }
            }
        }
    };
}

doc_command!(
    replication,
    ReplicationConfiguration,
    "replication configuration",
    "replication",
    formats::parse_replication,
    get_replication,
    put_replication,
    delete_replication
);
doc_command!(
    policy,
    BucketPolicy,
    "bucket policy",
    "policy",
    formats::parse_policy,
    get_policy,
    put_policy,
    delete_policy
);

// ---- presign ----

fn presign(ctx: &Ctx, args: PresignArgs) -> Result<Exit, CliError> {
    let url = ctx.target(&args.target)?;
    let TargetUrl::Cos {
        bucket: Some(bucket),
        region,
    } = &url
    else {
        return Err(CliError::usage(format!(
            "presign works on COS buckets (cos://<bucket>-<appid>?region=..), not `{url}`"
        )));
    };
    let method = args.method.to_ascii_uppercase();
    let client = ctx.connector.cos(region.as_deref())?;
    tracing::debug!(%bucket, key = %args.key, %method, expires = args.expires, "pre-signing a COS URL");
    let signed = client.presigned_url(
        &method,
        bucket,
        &args.key,
        &[],
        Duration::from_secs(args.expires),
    );
    if ctx.json {
        output::print_json(&serde_json::json!({
            "url": signed, "method": method, "expires_seconds": args.expires,
        }));
    } else {
        println!("{signed}");
    }
    Ok(Exit::Ok)
}

// ---- copy ----

async fn copy_cmd<S: Section>(ctx: &Ctx, args: CopyArgs) -> Result<Exit, CliError> {
    let opts = CopyOptions {
        allow_lossy: args.allow_lossy,
        dry_run: args.dry_run,
        backup_dir: args.backup.dir().map(Path::to_owned),
    };
    if let (Some(from), Some(to)) = (&args.from, &args.to) {
        let source = ctx.endpoint(from, args.format)?;
        let target = ctx.endpoint(to, None)?;
        let report = copy::copy_one::<S>(&source, &target, &opts).await;
        print_copy_report::<S>(ctx, &report, args.backup.no_backup);
        return Ok(report.outcome.exit());
    }
    let (pairs, unmatched, default_state) = if let Some(mapping) = &args.mapping {
        // Checked whole now, read again pair by pair as the copies run.
        let file = bulk::MappingFile::open(mapping, &ctx.connector.url_defaults())
            .map_err(|e| e.context(mapping.display()))?;
        let mut state = mapping.as_os_str().to_owned();
        state.push(".state.jsonl");
        (BulkPairs::File(file), Vec::new(), PathBuf::from(state))
    } else if args.match_names {
        let (from, to) = match (&args.from_account, &args.to_account) {
            (Some(f), Some(t)) => (f, t),
            _ => {
                return Err(CliError::usage(
                    "--match-names needs --from-account and --to-account",
                ));
            }
        };
        let (pairs, unmatched) = match_names(ctx, from, to).await?;
        (
            BulkPairs::List(pairs),
            unmatched,
            PathBuf::from("bucket-admin-match.state.jsonl"),
        )
    } else {
        return Err(CliError::usage(
            "say what to copy: --from A --to B, --mapping FILE, or --match-names --from-account A --to-account B",
        ));
    };
    for u in &unmatched {
        eprintln!("warning: {u} has no bucket with the same name on the target; not copied");
    }
    let state_path = args.state.clone().unwrap_or(default_state);
    let state = Arc::new(if args.fresh {
        StateFile::fresh(&state_path)
    } else {
        StateFile::load(&state_path)?
    });
    if !state.is_empty() {
        eprintln!(
            "resuming: {} pair(s) verified in {}; each source is read again and copied again if it changed (--fresh ignores the file)",
            state.len(),
            state_path.display()
        );
    }
    let bulk_opts = BulkOptions {
        copy: opts,
        concurrency: usize::from(args.concurrency),
        pair_timeout: Duration::from_secs(args.pair_timeout),
    };
    let connector = ctx.connector.clone();
    let progress = Arc::new(StderrProgress::with_pacing(
        ctx.json,
        Some(Arc::new(move || connector.r2_pacing_status())),
    ));
    let mut spool = Spool::new(ctx.json)?;
    let mut summary = bulk::Summary::default();
    let sink = |r: CopyReport| {
        summary.add(&r);
        spool.push(&r);
    };
    match pairs {
        BulkPairs::File(file) => {
            let total = file.len;
            bulk::run_each::<S>(
                file.pairs()?,
                total,
                ctx.connector.clone(),
                state,
                bulk_opts,
                progress,
                sink,
            )
            .await;
        }
        BulkPairs::List(list) => {
            let total = list.len();
            bulk::run_each::<S>(
                list.into_iter(),
                total,
                ctx.connector.clone(),
                state,
                bulk_opts,
                progress,
                sink,
            )
            .await;
        }
    }
    let exit = summary.exit;
    let counts = &summary.counts;
    if ctx.json {
        let head = serde_json::json!({ "section": S::NAME });
        let tail = serde_json::json!({
            "unmatched": unmatched,
            "summary": counts,
            "state_file": state_path,
            "exit_code": exit.code(),
        });
        spool.print_json(&head, &tail)?;
    } else {
        spool.print_table()?;
        let summary_text: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
        println!(
            "\n{} pair(s): {}{}",
            summary.total,
            summary_text.join(", "),
            if unmatched.is_empty() {
                String::new()
            } else {
                format!(", {} unmatched", unmatched.len())
            }
        );
        println!("state file: {}", state_path.display());
        if exit != Exit::Ok {
            println!(
                "rerun the same command to retry what did not complete; buckets verified with an unchanged source are skipped"
            );
        }
    }
    Ok(exit)
}

/// Where the pairs of a bulk copy come from.
enum BulkPairs {
    /// A mapping file, streamed.
    File(bulk::MappingFile),
    /// Pairs found by `--match-names`.
    List(Vec<Pair>),
}

/// The bulk reports on their way to stdout, kept in an anonymous temporary file rather than
/// in memory: one JSON line per report (`--json`) or per table row, printed once the run
/// ends (the table needs every row's width first).
struct Spool {
    json: bool,
    file: Option<std::io::BufWriter<std::fs::File>>,
    error: Option<std::io::Error>,
}

const BULK_HEADERS: [&str; 4] = ["source", "target", "result", "detail"];

impl Spool {
    fn new(json: bool) -> Result<Self, CliError> {
        let file = tempfile::tempfile().map_err(|e| {
            CliError::failed(format!(
                "cannot create a temporary file for the results: {e}"
            ))
        })?;
        Ok(Self {
            json,
            file: Some(std::io::BufWriter::new(file)),
            error: None,
        })
    }

    fn push(&mut self, r: &CopyReport) {
        let line = if self.json {
            serde_json::to_string(r)
        } else {
            serde_json::to_string(&[
                r.source.as_str(),
                r.target.as_str(),
                r.outcome.label(),
                &report_detail(r),
            ])
        }
        .unwrap_or_default();
        if let (Some(f), None) = (self.file.as_mut(), &self.error) {
            use std::io::Write;
            if let Err(e) = writeln!(f, "{line}") {
                self.error = Some(e);
            }
        }
    }

    /// The spooled lines, from the start.
    fn lines(&mut self) -> Result<impl Iterator<Item = String> + use<>, CliError> {
        use std::io::{BufRead, Seek};
        let fail =
            |e: std::io::Error| CliError::failed(format!("cannot read back the results: {e}"));
        if let Some(e) = self.error.take() {
            return Err(fail(e));
        }
        let mut file = self
            .file
            .take()
            .expect("read once")
            .into_inner()
            .map_err(|e| fail(e.into_error()))?;
        file.rewind().map_err(fail)?;
        let again = file.try_clone().map_err(fail)?;
        self.file = Some(std::io::BufWriter::new(again));
        Ok(std::io::BufReader::new(file).lines().map_while(Result::ok))
    }

    /// `head`'s fields, `"results": [...]` from the spool, then `tail`'s fields.
    fn print_json(
        &mut self,
        head: &serde_json::Value,
        tail: &serde_json::Value,
    ) -> Result<(), CliError> {
        use std::io::Write;
        let fields = |v: &serde_json::Value| -> Vec<String> {
            v.as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| {
                    format!(
                        "  {}: {}",
                        serde_json::Value::from(k.as_str()),
                        serde_json::to_string(v).unwrap_or_default()
                    )
                })
                .collect()
        };
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let mut text = String::from("{\n");
        for f in fields(head) {
            text.push_str(&f);
            text.push_str(",\n");
        }
        text.push_str("  \"results\": [");
        let _ = out.write_all(text.as_bytes());
        let mut first = true;
        for line in self.lines()? {
            let sep = if first { "\n    " } else { ",\n    " };
            first = false;
            let _ = write!(out, "{sep}{line}");
        }
        let _ = out.write_all(if first { b"]" } else { b"\n  ]" });
        for f in fields(tail) {
            let _ = write!(out, ",\n{f}");
        }
        let _ = out.write_all(b"\n}\n");
        let _ = out.flush();
        Ok(())
    }

    /// The table, measured in a first pass over the spool and printed in a second.
    fn print_table(&mut self) -> Result<(), CliError> {
        use std::io::Write;
        let rows = |spool: &mut Spool| -> Result<_, CliError> {
            Ok(spool
                .lines()?
                .filter_map(|l| serde_json::from_str::<[String; 4]>(&l).ok()))
        };
        let mut table = output::StreamTable::new(BULK_HEADERS);
        table.measure(rows(self)?);
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        // A closed pipe (`| head`) is not an error worth reporting.
        let _ = table.write(rows(self)?, &mut out);
        let _ = out.flush();
        Ok(())
    }
}

/// Losses of the conversion itself (what `--allow-lossy` accepts), without the target's rules
/// that the copy replaces.
fn conversion_losses(r: &CopyReport) -> usize {
    r.changes
        .iter()
        .filter(|c| !c.path.starts_with("target."))
        .count()
}

fn report_detail(r: &CopyReport) -> String {
    match r.outcome {
        Outcome::Failed | Outcome::Mismatch => r.error.clone().unwrap_or_default(),
        Outcome::LossyRefused => format!(
            "{} loss(es): {}",
            conversion_losses(r),
            r.changes
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Outcome::Applied => {
            let mut parts = Vec::new();
            if !r.changes.is_empty() {
                parts.push(format!(
                    "{} loss(es) allowed, {} target rule(s) replaced",
                    conversion_losses(r),
                    r.changes.len() - conversion_losses(r)
                ));
            }
            // Every overwrite says where the previous configuration went.
            if let Some(b) = &r.backup {
                parts.push(format!("previous saved to {}", b.display()));
            }
            parts.join("; ")
        }
        Outcome::SourceEmpty => "source has no configuration; target left as is".into(),
        _ => r.error.clone().unwrap_or_default(),
    }
}

async fn match_names(
    ctx: &Ctx,
    from: &str,
    to: &str,
) -> Result<(Vec<Pair>, Vec<String>), CliError> {
    let (fu, tu) = (ctx.target(from)?, ctx.target(to)?);
    fu.require_account("--from-account")?;
    tu.require_account("--to-account")?;
    let sources = ctx.connector.list_buckets(&fu).await?;
    let targets = ctx.connector.list_buckets(&tu).await?;
    let by_name: BTreeMap<&str, &bucket_admin_core::BucketInfo> = targets
        .iter()
        .map(|b| (url::strip_appid(&b.name), b))
        .collect();
    let mut pairs = Vec::new();
    let mut unmatched = Vec::new();
    for s in &sources {
        let src = ctx.connector.bucket_url(&fu, s).to_string();
        match by_name.get(url::strip_appid(&s.name)) {
            Some(t) => pairs.push(Pair {
                source: src,
                target: ctx.connector.bucket_url(&tu, t).to_string(),
            }),
            None => unmatched.push(src),
        }
    }
    if pairs.is_empty() {
        return Err(CliError::failed(format!(
            "no bucket of {from} has a same-named bucket in {to}"
        )));
    }
    Ok((pairs, unmatched))
}

fn print_copy_report<S: Section>(ctx: &Ctx, r: &CopyReport, no_backup: bool) {
    if ctx.json {
        output::print_json(r);
        return;
    }
    println!("{} copy {} -> {}", S::TITLE, r.source, r.target);
    if r.outcome == Outcome::SourceEmpty {
        println!(
            "the source has no {} configuration; the target was left as it is",
            S::TITLE
        );
        return;
    }
    if r.outcome == Outcome::Failed && r.diff.is_none() {
        println!("failed: {}", r.error.as_deref().unwrap_or(""));
        return;
    }
    if r.changes.is_empty() {
        println!("\nloss report: nothing lost or changed");
    } else {
        println!("\nloss report ({} item(s)):", r.changes.len());
        for c in &r.changes {
            println!("  - {c}");
        }
    }
    if let Some(d) = &r.diff {
        println!("\nplan:\n{d}");
    }
    let message = match r.outcome {
        Outcome::Applied => format!(
            "applied and verified{}",
            match (&r.backup, no_backup) {
                (Some(b), _) => format!("; previous configuration saved to {}", b.display()),
                (None, true) =>
                    "; the previous configuration was not backed up (--no-backup)".into(),
                (None, false) => "; the target had no previous configuration".into(),
            }
        ),
        Outcome::Unchanged => "unchanged: the target already holds this configuration".into(),
        Outcome::Planned => "dry run: this plan would be applied; nothing was written".into(),
        Outcome::LossyRefused => format!(
            "refused: the conversion would lose or change {} setting(s) listed above; nothing was written. Rerun with --allow-lossy to apply it anyway",
            conversion_losses(r)
        ),
        Outcome::Mismatch => format!(
            "VERIFICATION FAILED: {}{}",
            r.error.as_deref().unwrap_or(""),
            r.backup
                .as_ref()
                .map(|b| format!("\nthe previous configuration is saved in {}", b.display()))
                .unwrap_or_default()
        ),
        Outcome::Failed => format!("failed: {}", r.error.as_deref().unwrap_or("")),
        Outcome::SourceEmpty | Outcome::AlreadyDone => String::new(),
    };
    println!("{message}");
}

#[cfg(test)]
mod lifecycle_table_tests {
    use super::*;

    #[test]
    fn r2_ages_are_in_seconds_with_days_beside() {
        let cfg: bucket_admin_core::LifecycleConfiguration = serde_json::from_str(
            r#"{"rules":[{"id":"logs","enabled":true,"filter":{"prefix":"logs/"},"expiration":{"after":{"days":30}},"abort_incomplete_multipart_upload":{"days":7}}]}"#,
        )
        .unwrap();
        let r2 = lifecycle_table(&cfg, true);
        assert!(r2.contains("after 2592000 s (30 d)"), "{r2}");
        assert!(r2.contains("604800 s (7 d)"), "{r2}");
        let cos = lifecycle_table(&cfg, false);
        assert!(cos.contains("after 30 d"), "{cos}");
        assert!(!cos.contains("2592000"), "{cos}");
        assert_eq!(
            age_text(&bucket_admin_core::Age::seconds(3600), false),
            "3600 s (0.04 d)"
        );
    }
}
