//! Where a configuration is read from and written to: a bucket behind a [`BucketAdmin`], or a
//! file. Commands and the copy planner work on [`Endpoint`]s, so "copy from a file" and "export
//! to a file" are the same code path as bucket-to-bucket.
//!
//! [`Section`] abstracts over the configuration kinds that can be copied (CORS, lifecycle).

use std::fmt;
use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

use bucket_admin_core::convert::{self, Change, ChangeKind, Converted};
use bucket_admin_core::{
    BucketAdmin, Capabilities, CorsConfiguration, LifecycleConfiguration, Result as CoreResult,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::exit::CliError;
use crate::formats::{self, CorsFormat, Shape};

/// Largest configuration file we read. Provider limits keep real configurations far below
/// this; the cap turns "pointed at a disk image by mistake" into a clear error.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A bucket on a provider, or a configuration file.
#[derive(Clone)]
pub enum Endpoint {
    /// A bucket.
    Bucket {
        /// The provider client.
        admin: Arc<dyn BucketAdmin>,
        /// Bucket name.
        bucket: String,
        /// The URL the user gave, for messages.
        url: String,
    },
    /// A file.
    File {
        /// Path.
        path: PathBuf,
        /// Format to read/write CORS in (`None`: detect on read; on write, COS XML for
        /// `.xml` files and neutral JSON otherwise).
        format: Option<CorsFormat>,
        /// The URL the user gave, for messages.
        url: String,
    },
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.url())
    }
}

impl Endpoint {
    /// The URL the user gave.
    pub fn url(&self) -> &str {
        match self {
            Endpoint::Bucket { url, .. } | Endpoint::File { url, .. } => url,
        }
    }

    /// The provider's capabilities; `None` for files, which hold anything.
    pub fn capabilities(&self) -> Option<&Capabilities> {
        match self {
            Endpoint::Bucket { admin, .. } => Some(admin.capabilities()),
            Endpoint::File { .. } => None,
        }
    }

    /// A stable short label for backup file names: the URL with unsafe characters replaced.
    pub fn file_label(&self) -> String {
        crate::backup::label(self.url())
    }
}

/// Reads a text file, `Ok(None)` when it does not exist. Binary, non-UTF-8 and oversized files
/// are refused with a message naming the file.
pub fn read_text(path: &Path) -> Result<Option<String>, CliError> {
    let shown = path.display();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CliError::usage(format!("cannot read {shown}: {e}"))),
    };
    if meta.is_dir() {
        return Err(CliError::usage(format!(
            "{shown} is a directory, not a file"
        )));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(CliError::usage(format!(
            "{shown} is {} bytes; configuration files are at most {MAX_FILE_BYTES} bytes",
            meta.len()
        )));
    }
    let bytes =
        std::fs::read(path).map_err(|e| CliError::usage(format!("cannot read {shown}: {e}")))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| CliError::usage(format!("{shown} is not UTF-8 text")))
}

/// Reads a file that must exist; a missing file is a not-found error (exit 6).
pub fn read_required(path: &Path) -> Result<String, CliError> {
    read_text(path)?.ok_or_else(|| missing_file(path))
}

fn missing_file(path: &Path) -> CliError {
    CliError::not_found(format!("{} does not exist", path.display()))
}

/// Writes a file atomically (temporary file + rename), so an interrupted write never leaves a
/// half-written configuration or backup behind.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), CliError> {
    let fail =
        |e: std::io::Error| CliError::failed(format!("cannot write {}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let mut file = std::fs::File::create(&tmp).map_err(fail)?;
    file.write_all(text.as_bytes()).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(fail)?;
    sync_dir(path).map_err(fail)
}

/// Flushes the directory entry of `path`: without it, a crash right after the rename can
/// leave the directory without the new name even though the file's data reached the disk.
fn sync_dir(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
            Some(d) => d.to_owned(),
            None => PathBuf::from("."),
        };
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        // Directories cannot be opened as files here; the rename is what the OS offers.
        let _ = path;
        Ok(())
    }
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A configuration kind that can be read, written, converted and copied.
pub trait Section: Send + Sync + 'static {
    /// The neutral configuration type.
    type Config: Clone
        + PartialEq
        + fmt::Debug
        + Serialize
        + DeserializeOwned
        + Send
        + Sync
        + 'static;

    /// Lowercase name used in state files and JSON output (`cors`, `lifecycle`).
    const NAME: &'static str;
    /// Name for messages (`CORS`, `lifecycle`).
    const TITLE: &'static str;

    /// Fits `config` to a provider (see [`bucket_admin_core::convert`]).
    fn convert(config: &Self::Config, target: &Capabilities)
    -> CoreResult<Converted<Self::Config>>;

    /// Parses a file's content.
    fn parse(text: &str, forced: Option<CorsFormat>) -> Result<Self::Config, CliError>;

    /// Renders for a file at `path`.
    fn render(config: &Self::Config, path: &Path, forced: Option<CorsFormat>) -> String;

    /// Reads the configuration of a bucket.
    fn get_remote<'a>(
        admin: &'a dyn BucketAdmin,
        bucket: &'a str,
    ) -> BoxFuture<'a, CoreResult<Option<Self::Config>>>;

    /// Replaces the configuration of a bucket.
    fn put_remote<'a>(
        admin: &'a dyn BucketAdmin,
        bucket: &'a str,
        config: &'a Self::Config,
    ) -> BoxFuture<'a, CoreResult<()>>;

    /// Whether what was read back (`actual`) is what was written (`planned`).
    ///
    /// Lenient only where providers legitimately fill in values we did not set (an id for a
    /// rule written without one, COS reporting `ResponseVary` false when unset); any other
    /// difference is a mismatch.
    fn same(planned: &Self::Config, actual: &Self::Config) -> bool;

    /// What an overwrite of `current` with `planned` removes: one [`Change`] per rule of the
    /// target that the plan does not hold (path `target.rules[i]`).
    fn removed_from_target(current: &Self::Config, planned: &Self::Config) -> Vec<Change>;
}

/// One [`Change`] per rule of `current` that `planned` lacks. A rule counts as kept when
/// the plan holds an equal one, ids aside when the plan's has none (providers fill ids in).
fn removed_rules<R: PartialEq + Clone>(
    current: &[R],
    planned: &[R],
    id: impl Fn(&R) -> Option<&str>,
    clear_id: impl Fn(&mut R),
    describe: impl Fn(&R) -> String,
) -> Vec<Change> {
    current
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            !planned.iter().any(|p| {
                let mut c = (*c).clone();
                if id(p).is_none() {
                    clear_id(&mut c);
                }
                *p == c
            })
        })
        .map(|(i, c)| Change::new(format!("target.rules[{i}]"), ChangeKind::Dropped, format!(
                "the target's existing rule {} is not in the source; the copy removes it (the backup keeps it)",
                describe(c)
            )))
        .collect()
}

/// CORS.
#[derive(Debug, Clone, Copy)]
pub struct Cors;

impl Section for Cors {
    type Config = CorsConfiguration;
    const NAME: &'static str = "cors";
    const TITLE: &'static str = "CORS";

    fn convert(
        config: &Self::Config,
        target: &Capabilities,
    ) -> CoreResult<Converted<Self::Config>> {
        // `ResponseVary: false` (the COS default, in every COS export) asks for what a
        // provider without the setting already does: leaving it out loses nothing, so it is
        // not reported as a loss. `true` is a real loss and still is.
        if config.extras.cos_response_vary == Some(false) && !target.cors_response_vary {
            let mut config = config.clone();
            config.extras.cos_response_vary = None;
            return convert::cors_for(&config, target);
        }
        convert::cors_for(config, target)
    }

    fn parse(text: &str, forced: Option<CorsFormat>) -> Result<Self::Config, CliError> {
        let parsed = formats::parse_cors(text, forced)?;
        tracing::debug!(format = %parsed.format, "read CORS file");
        Ok(parsed.config)
    }

    fn render(config: &Self::Config, path: &Path, forced: Option<CorsFormat>) -> String {
        let format = forced.unwrap_or_else(|| format_for_path(path));
        let (text, lost) = formats::render_cors(config, format);
        for l in lost {
            tracing::warn!("{l}");
        }
        text
    }

    fn get_remote<'a>(
        admin: &'a dyn BucketAdmin,
        bucket: &'a str,
    ) -> BoxFuture<'a, CoreResult<Option<Self::Config>>> {
        admin.get_cors(bucket)
    }

    fn put_remote<'a>(
        admin: &'a dyn BucketAdmin,
        bucket: &'a str,
        config: &'a Self::Config,
    ) -> BoxFuture<'a, CoreResult<()>> {
        admin.put_cors(bucket, config)
    }

    fn same(planned: &Self::Config, actual: &Self::Config) -> bool {
        if planned.rules.len() != actual.rules.len() {
            return false;
        }
        let vary_ok = match planned.extras.cos_response_vary {
            None => actual.extras.cos_response_vary != Some(true),
            some => some == actual.extras.cos_response_vary,
        };
        vary_ok
            && planned.rules.iter().zip(&actual.rules).all(|(p, a)| {
                let mut a = a.clone();
                if p.id.is_none() {
                    a.id = None;
                }
                *p == a
            })
    }

    fn removed_from_target(current: &Self::Config, planned: &Self::Config) -> Vec<Change> {
        removed_rules(
            &current.rules,
            &planned.rules,
            |r| r.id.as_deref(),
            |r| r.id = None,
            |r| match &r.id {
                Some(id) => format!("`{id}` ({})", r.allowed_origins.join(", ")),
                None => format!("for {}", r.allowed_origins.join(", ")),
            },
        )
    }
}

/// The CORS format a file path suggests when writing.
pub fn format_for_path(path: &Path) -> CorsFormat {
    match path.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("xml") => CorsFormat::CosXml,
        _ => CorsFormat::Neutral,
    }
}

/// Lifecycle rules.
#[derive(Debug, Clone, Copy)]
pub struct Lifecycle;

impl Section for Lifecycle {
    type Config = LifecycleConfiguration;
    const NAME: &'static str = "lifecycle";
    const TITLE: &'static str = "lifecycle";

    fn convert(
        config: &Self::Config,
        target: &Capabilities,
    ) -> CoreResult<Converted<Self::Config>> {
        convert::lifecycle_for(config, target)
    }

    fn parse(text: &str, _forced: Option<CorsFormat>) -> Result<Self::Config, CliError> {
        match formats::parse_lifecycle(text) {
            Some(parsed) => {
                let (config, which) = parsed?;
                tracing::debug!("read a {which} lifecycle file");
                Ok(config)
            }
            None => parse_neutral::<LifecycleConfiguration>(text, "lifecycle configuration"),
        }
    }

    fn render(config: &Self::Config, path: &Path, _forced: Option<CorsFormat>) -> String {
        if format_for_path(path) == CorsFormat::CosXml {
            match formats::render_lifecycle(config, formats::LifecycleFormat::CosXml) {
                Ok(xml) => return xml,
                Err(e) => tracing::warn!("{}: {}; writing neutral JSON", path.display(), e.message),
            }
        }
        to_pretty(config)
    }

    fn get_remote<'a>(
        admin: &'a dyn BucketAdmin,
        bucket: &'a str,
    ) -> BoxFuture<'a, CoreResult<Option<Self::Config>>> {
        admin.get_lifecycle(bucket)
    }

    fn put_remote<'a>(
        admin: &'a dyn BucketAdmin,
        bucket: &'a str,
        config: &'a Self::Config,
    ) -> BoxFuture<'a, CoreResult<()>> {
        admin.put_lifecycle(bucket, config)
    }

    fn same(planned: &Self::Config, actual: &Self::Config) -> bool {
        planned.rules.len() == actual.rules.len()
            && planned.rules.iter().zip(&actual.rules).all(|(p, a)| {
                let mut a = a.clone();
                if p.id.is_none() {
                    a.id = None;
                }
                *p == a
            })
    }

    fn removed_from_target(current: &Self::Config, planned: &Self::Config) -> Vec<Change> {
        removed_rules(
            &current.rules,
            &planned.rules,
            |r| r.id.as_deref(),
            |r| r.id = None,
            |r| match &r.id {
                Some(id) => format!("`{id}`"),
                None => "without an id".to_owned(),
            },
        )
    }
}

/// Pretty JSON with a trailing newline.
pub fn to_pretty<T: Serialize>(value: &T) -> String {
    // Plain data structs: serialisation cannot fail.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Parses neutral JSON of `what`; on failure, says which shape the file actually is.
pub fn parse_neutral<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, CliError> {
    let cleaned = text.trim_start_matches('\u{feff}');
    // Syntax first (serde reports line and column), then the shape through a path-tracking
    // deserializer.
    let value: serde_json::Value = serde_json::from_str(cleaned)
        .map_err(|e| CliError::usage(format!("not valid JSON ({what}): {e}")))?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        // Name the field (`rules[0].expiration.after.days`), not only serde's line and column.
        let path = e.path().to_string();
        let e = e.into_inner();
        let err = if path.is_empty() || path == "." {
            CliError::usage(format!("not a valid neutral {what}: {e}"))
        } else {
            CliError::usage(format!("not a valid neutral {what}: {path}: {e}"))
        };
        let shape = formats::detect(text);
        match shape {
            Shape::Cors(f) => err.with_hint(format!(
                "the file is {}; use the `cors` commands for it",
                f.describe()
            )),
            Shape::Lifecycle(which) if what != "lifecycle configuration" => err.with_hint(format!(
                "the file is a {which} lifecycle configuration; use `bucket-admin lifecycle put` for it"
            )),
            Shape::Policy if what != "bucket policy" => {
                err.with_hint("the file is a bucket policy; use `bucket-admin policy put`")
            }
            Shape::Policy => err.with_hint(
                "bucket-admin reads policies in neutral JSON: {\"version\":\"2.0\",\"statements\":[{\"effect\":\"allow\",\"principal\":\"*\",\"actions\":[..],\"resources\":[..]}]} (see `bucket-admin policy get`)",
            ),
            _ => err,
        }
    })
}

/// Reads `S`'s configuration from an endpoint the user named to be read (`get`, `diff`,
/// `check`, a copy's source): a missing file is a not-found error, never "no configuration".
pub async fn get<S: Section>(ep: &Endpoint) -> Result<Option<S::Config>, CliError> {
    if let Endpoint::File { path, .. } = ep
        && !path.exists()
    {
        return Err(missing_file(path));
    }
    get_current::<S>(ep).await
}

/// Reads what a copy's target holds now: a file that does not exist yet holds nothing.
pub async fn get_current<S: Section>(ep: &Endpoint) -> Result<Option<S::Config>, CliError> {
    match ep {
        Endpoint::Bucket { admin, bucket, .. } => Ok(S::get_remote(admin.as_ref(), bucket).await?),
        Endpoint::File { path, format, .. } => match read_text(path)? {
            None => Ok(None),
            Some(text) => S::parse(&text, *format)
                .map(Some)
                .map_err(|e| e.context(path.display())),
        },
    }
}

/// Writes `S`'s configuration to an endpoint.
pub async fn put<S: Section>(ep: &Endpoint, config: &S::Config) -> Result<(), CliError> {
    match ep {
        Endpoint::Bucket { admin, bucket, .. } => {
            Ok(S::put_remote(admin.as_ref(), bucket, config).await?)
        }
        Endpoint::File { path, format, .. } => {
            write_atomic(path, &S::render(config, path, *format))
        }
    }
}

#[cfg(test)]
mod tests {
    use bucket_admin_core::{CorsMethod, CorsRule};

    use super::*;

    #[test]
    fn cors_verification_tolerates_only_provider_filled_values() {
        let planned = CorsConfiguration::new(vec![CorsRule::new(["*"], [CorsMethod::Get])]);
        let mut actual = planned.clone();
        actual.rules[0].id = Some("generated".into());
        actual.extras.cos_response_vary = Some(false);
        assert!(Cors::same(&planned, &actual));
        actual.extras.cos_response_vary = Some(true);
        assert!(!Cors::same(&planned, &actual));
        let mut other = planned.clone();
        other.rules[0].allowed_methods.push(CorsMethod::Put);
        assert!(!Cors::same(&planned, &other));
        let mut with_id = planned.clone();
        with_id.rules[0].id = Some("a".into());
        assert!(!Cors::same(&with_id, &planned));
    }

    #[test]
    fn removed_target_rules_are_those_the_plan_lacks() {
        let keep = CorsRule::new(["https://a.com"], [CorsMethod::Get]);
        let mut keep_with_id = keep.clone();
        keep_with_id.id = Some("filled-in".into());
        let gone = CorsRule::new(["https://b.com"], [CorsMethod::Put]);
        let current = CorsConfiguration::new(vec![keep_with_id, gone]);
        let planned = CorsConfiguration::new(vec![keep]);
        let removed = Cors::removed_from_target(&current, &planned);
        assert_eq!(removed.len(), 1, "{removed:?}");
        assert_eq!(removed[0].path, "target.rules[1]");
        assert_eq!(removed[0].kind, ChangeKind::Dropped);
        assert!(removed[0].detail.contains("https://b.com"), "{removed:?}");
        assert!(Cors::removed_from_target(&planned, &planned).is_empty());
        // A plan rule with an id keeps only the identical rule.
        let mut other_id = current.clone();
        other_id.rules[0].id = Some("other".into());
        let mut planned_id = planned.clone();
        planned_id.rules[0].id = Some("mine".into());
        assert_eq!(Cors::removed_from_target(&other_id, &planned_id).len(), 2);
    }

    #[test]
    fn files_of_any_content_give_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin.json");
        std::fs::write(&bin, [0xff, 0xfe, 0x00, 0x80]).unwrap();
        assert!(read_text(&bin).unwrap_err().message.contains("not UTF-8"));
        assert!(
            read_text(dir.path())
                .unwrap_err()
                .message
                .contains("directory")
        );
        assert_eq!(read_text(&dir.path().join("missing")).unwrap(), None);
        let err = parse_neutral::<LifecycleConfiguration>(
            r#"{"CORSRules":[{"AllowedOrigins":["*"],"AllowedMethods":["GET"]}]}"#,
            "lifecycle configuration",
        )
        .unwrap_err();
        assert!(err.hint.unwrap().contains("cors"));
    }

    #[test]
    fn atomic_write_creates_directories() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/c.json");
        write_atomic(&path, "{}").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}");
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
    }
}
