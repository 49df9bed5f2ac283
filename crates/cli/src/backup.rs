//! The one backup mechanism: before anything overwrites or deletes a configuration (`put`,
//! `delete`, `copy`), the previous one is saved as neutral JSON, restorable with
//! `bucket-admin <section> put <target> --file <backup>`.
//!
//! A backup is written atomically and fsynced, file and directory, before the overwrite is
//! sent: when the write later fails or the machine crashes, the old configuration is on disk.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::endpoint;
use crate::exit::CliError;

/// The directory used when `--backup-dir` is not given.
pub const DEFAULT_DIR: &str = "./bucket-admin-backups";

/// A file-name-safe label for a target URL: unsafe characters become `_`.
pub fn label(url: &str) -> String {
    url.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .replace("___", "_")
}

/// Saves `value` under `dir` as `<label>.<section>.<UTC time>.json` and returns the path.
/// Two backups of one target within a millisecond get distinct names.
pub fn save<T: Serialize>(
    dir: &Path,
    target_url: &str,
    section: &str,
    value: &T,
) -> Result<PathBuf, CliError> {
    let now = time::OffsetDateTime::now_utc();
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}.{:03}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.millisecond()
    );
    let base = format!("{}.{section}.{stamp}", label(target_url));
    let mut path = dir.join(format!("{base}.json"));
    let mut n = 1;
    while path.exists() {
        n += 1;
        path = dir.join(format!("{base}.{n}.json"));
    }
    endpoint::write_atomic(&path, &endpoint::to_pretty(value))
        .map_err(|e| e.context("backup failed, nothing written"))?;
    Ok(path)
}

/// Backs up what `read` returns before an overwrite or delete of `what` on `target_url`.
///
/// `dir` `None` (`--no-backup`) skips reading entirely. A read error stops the command: an
/// answer that cannot be decoded is not "nothing configured", and overwriting it unsaved
/// would lose it. Returns the backup's path, `None` when there was nothing to save.
pub async fn before_overwrite<T, F>(
    dir: Option<&Path>,
    target_url: &str,
    section: &str,
    what: &str,
    read: F,
) -> Result<Option<PathBuf>, CliError>
where
    T: Serialize,
    F: std::future::Future<Output = Result<Option<T>, CliError>>,
{
    let Some(dir) = dir else {
        tracing::info!("--no-backup: the {what} of {target_url} is not saved first");
        return Ok(None);
    };
    let current = read.await.map_err(|e| {
        // The provider has no such configuration at all: the write would fail the same way,
        // so say that, not "skip the backup".
        if e.fields
            .as_ref()
            .is_some_and(|f| f["kind"] == "unsupported")
        {
            return e;
        }
        let mut e = e.context(format!(
            "cannot read the current {what} of {target_url} to back it up; nothing was written"
        ));
        e.hint = Some(match e.hint.take() {
            Some(h) => format!("{h}\nrerun with --no-backup to overwrite it without a backup"),
            None => "rerun with --no-backup to overwrite it without a backup".into(),
        });
        e
    })?;
    match current {
        None => Ok(None),
        Some(value) => save(dir, target_url, section, &value).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_never_overwrite_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let a = save(dir.path(), "r2://web", "cors", &serde_json::json!({"a": 1})).unwrap();
        let b = save(dir.path(), "r2://web", "cors", &serde_json::json!({"b": 2})).unwrap();
        assert_ne!(a, b);
        assert!(
            a.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("r2_web.cors.")
        );
        assert!(std::fs::read_to_string(&b).unwrap().contains("\"b\": 2"));
    }

    #[tokio::test]
    async fn a_read_error_stops_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let err = before_overwrite::<serde_json::Value, _>(
            Some(dir.path()),
            "r2://web",
            "cors",
            "CORS configuration",
            async { Err(CliError::failed("R2 get_cors failed: decode: bad body")) },
        )
        .await
        .unwrap_err();
        assert!(err.message.contains("nothing was written"), "{err}");
        assert!(err.message.contains("decode: bad body"), "{err}");
        assert!(err.hint.unwrap().contains("--no-backup"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let none = before_overwrite::<serde_json::Value, _>(
            None,
            "r2://web",
            "cors",
            "CORS configuration",
            async { panic!("--no-backup must not read") },
        )
        .await
        .unwrap();
        assert_eq!(none, None);
    }
}
