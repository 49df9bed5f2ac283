//! The AWS shared config files: `~/.aws/credentials` (sections `[name]`) and `~/.aws/config`
//! (sections `[default]` and `[profile name]`), read the way the AWS CLI reads them.
//!
//! The format is INI as Python's `configparser` reads it (botocore's parser), restricted to
//! what matters here:
//!
//! - a line whose first non-blank character is `#` or `;` is a comment; in a value, `#` or
//!   `;` after a blank starts a comment too (access keys and regions hold no blanks);
//! - `key = value` or `key: value`; names are case-insensitive, values are trimmed;
//! - a line indented deeper than the key line before it belongs to that key: a nested
//!   sub-section such as `s3 =` followed by `  addressing_style = path`. Those lines are
//!   ignored, so a nested `endpoint_url` never passes for the profile's own;
//! - a section named twice is merged, the later value winning.
//!
//! A line that is none of these is an error naming the file and the line number (never the
//! line itself: it may hold a secret).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use bucket_admin_core::Result;
use secrecy::SecretString;

use crate::config::{config_error, mask_id};

/// Where the shared files are. Either may be absent (then it is not read); a path that does
/// not exist is read as an empty file, as the AWS CLI does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SharedConfigFiles {
    /// The credentials file (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`).
    pub credentials: Option<PathBuf>,
    /// The config file (`AWS_CONFIG_FILE`, default `~/.aws/config`).
    pub config: Option<PathBuf>,
}

impl SharedConfigFiles {
    /// The files the AWS CLI would read given these variables: `AWS_SHARED_CREDENTIALS_FILE`
    /// and `AWS_CONFIG_FILE` (a leading `~/` is the home directory), else `.aws/credentials`
    /// and `.aws/config` under `HOME` (`USERPROFILE` on Windows). Without either variable
    /// and without a home directory, no file is read. Only the given variables are looked
    /// at, so tests never touch the real home.
    pub fn from_env_vars<'a>(vars: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut map: HashMap<&str, &str> = HashMap::new();
        for (k, v) in vars {
            if !v.trim().is_empty() {
                map.insert(k, v);
            }
        }
        let home = map
            .get("HOME")
            .or_else(|| map.get("USERPROFILE"))
            .map(PathBuf::from);
        let path = |var: &str, default: &str| -> Option<PathBuf> {
            match map.get(var) {
                Some(p) => Some(match (p.strip_prefix("~/"), &home) {
                    (Some(rest), Some(h)) => h.join(rest),
                    _ => PathBuf::from(p),
                }),
                None => home.as_ref().map(|h| h.join(".aws").join(default)),
            }
        };
        Self {
            credentials: path("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
            config: path("AWS_CONFIG_FILE", "config"),
        }
    }

    /// The settings of profile `name`: the config file's `[profile name]` (`[default]` or
    /// `[profile default]` for `default`), overlaid with the credentials file's `[name]`,
    /// as the AWS CLI merges them.
    ///
    /// With `required`, a profile found in neither file is an [`ErrorKind::Config`] error
    /// naming the profile and the files (the AWS CLI requires a profile that was asked for by
    /// name, `default` included); otherwise it gives empty settings. An unreadable file or a
    /// malformed line is an error naming the file.
    ///
    /// [`ErrorKind::Config`]: bucket_admin_core::ErrorKind::Config
    pub fn load_profile(&self, name: &str, required: bool) -> Result<SharedProfile> {
        let mut values: HashMap<String, String> = HashMap::new();
        let mut found = false;
        if let Some(path) = &self.config {
            let sections = read_ini(path)?;
            let wanted: &[String] = if name == "default" {
                &["default".to_owned(), "profile default".to_owned()]
            } else {
                &[format!("profile {name}")]
            };
            for (section, entries) in sections {
                let section = section.split_whitespace().collect::<Vec<_>>().join(" ");
                if wanted.contains(&section) {
                    found = true;
                    values.extend(entries);
                }
            }
        }
        if let Some(path) = &self.credentials {
            for (section, entries) in read_ini(path)? {
                if section == name {
                    found = true;
                    values.extend(entries);
                }
            }
        }
        if !found && required {
            let files: Vec<String> = [&self.credentials, &self.config]
                .into_iter()
                .flatten()
                .map(|p| p.display().to_string())
                .collect();
            let place = if files.is_empty() {
                "any file (no home directory, AWS_SHARED_CREDENTIALS_FILE or AWS_CONFIG_FILE)"
                    .to_owned()
            } else {
                files.join(" or ")
            };
            return Err(config_error(format!(
                "profile `{name}` not found in {place}"
            )));
        }
        let mut take = |k: &str| values.remove(k).filter(|v| !v.is_empty());
        Ok(SharedProfile {
            name: name.to_owned(),
            found,
            access_key_id: take("aws_access_key_id"),
            secret_access_key: take("aws_secret_access_key").map(SecretString::from),
            session_token: take("aws_session_token").map(SecretString::from),
            region: take("region"),
            endpoint_url: take("endpoint_url"),
        })
    }
}

/// One profile's settings from the shared files. `Debug` masks the key id and never shows
/// the secret or the token.
#[derive(Clone, Default)]
pub struct SharedProfile {
    name: String,
    found: bool,
    pub(crate) access_key_id: Option<String>,
    pub(crate) secret_access_key: Option<SecretString>,
    pub(crate) session_token: Option<SecretString>,
    pub(crate) region: Option<String>,
    pub(crate) endpoint_url: Option<String>,
}

impl SharedProfile {
    /// The profile's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Whether either file has a section for it.
    pub fn found(&self) -> bool {
        self.found
    }
    /// `aws_access_key_id`.
    pub fn access_key_id(&self) -> Option<&str> {
        self.access_key_id.as_deref()
    }
    /// Whether `aws_secret_access_key` is set (the secret itself is not handed out).
    pub fn has_secret_access_key(&self) -> bool {
        self.secret_access_key.is_some()
    }
    /// Whether `aws_session_token` is set.
    pub fn has_session_token(&self) -> bool {
        self.session_token.is_some()
    }
    /// `region`.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }
    /// `endpoint_url` (the profile's own, not one nested under `s3 =`).
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_deref()
    }
}

impl fmt::Debug for SharedProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedProfile")
            .field("name", &self.name)
            .field("found", &self.found)
            .field("access_key_id", &self.access_key_id.as_deref().map(mask_id))
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "[REDACTED]"),
            )
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .finish()
    }
}

type Sections = Vec<(String, Vec<(String, String)>)>;

/// Reads and parses one file; a missing file is empty.
fn read_ini(path: &Path) -> Result<Sections> {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map_err(|_| config_error(format!("{} is not UTF-8 text", path.display())))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(config_error(format!("cannot read {}: {e}", path.display())));
        }
    };
    parse_ini(&text).map_err(|line| {
        config_error(format!(
            "{} line {line}: expected `[section]`, `key = value` or a comment",
            path.display()
        ))
    })
}

/// Parses the text; `Err(line number)` for a line that is not INI.
fn parse_ini(text: &str) -> std::result::Result<Sections, usize> {
    let mut sections: Sections = Vec::new();
    // The indentation of the last key line in the current section: deeper lines belong to it.
    let mut key_indent: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.strip_prefix('\u{feff}').unwrap_or(raw);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if key_indent.is_some_and(|k| indent > k) {
            // A nested sub-section entry or a continuation line: not a setting of its own.
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            let name = rest.strip_suffix(']').ok_or(i + 1)?.trim();
            sections.push((name.to_owned(), Vec::new()));
            key_indent = None;
            continue;
        }
        let Some((_, entries)) = sections.last_mut() else {
            return Err(i + 1);
        };
        let split = trimmed.find(['=', ':']).ok_or(i + 1)?;
        let key = trimmed[..split].trim().to_ascii_lowercase();
        if key.is_empty() {
            return Err(i + 1);
        }
        let value = strip_comment(&trimmed[split + 1..]).trim();
        entries.push((key, value.to_owned()));
        key_indent = Some(indent);
    }
    Ok(sections)
}

/// The value without a trailing ` # comment` / ` ; comment`.
fn strip_comment(value: &str) -> &str {
    let bytes = value.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if (*b == b'#' || *b == b';') && i > 0 && bytes[i - 1].is_ascii_whitespace() {
            return &value[..i];
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn files(dir: &Path, credentials: &str, config: &str) -> SharedConfigFiles {
        let c = dir.join("credentials");
        let f = dir.join("config");
        std::fs::write(&c, credentials).unwrap();
        std::fs::write(&f, config).unwrap();
        SharedConfigFiles {
            credentials: Some(c),
            config: Some(f),
        }
    }

    #[test]
    fn parses_comments_whitespace_and_ignores_nested_sections() {
        let text = "\u{feff}# top comment\n\
                    [default]\n\
                    aws_access_key_id=AKIADEFAULT\n\
                    \n\
                    [profile prod]   \n\
                    ; a comment\n\
                      Region = eu-west-1 # inline\n\
                    s3 =\n\
                    \x20   endpoint_url = http://nested.example\n\
                    \x20   addressing_style = path\n\
                    endpoint_url: https://s3.example.com\n";
        let s = parse_ini(text).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].0, "default");
        assert_eq!(
            s[0].1,
            vec![("aws_access_key_id".into(), "AKIADEFAULT".into())]
        );
        assert_eq!(s[1].0, "profile prod");
        assert_eq!(
            s[1].1,
            vec![
                ("region".into(), "eu-west-1".into()),
                ("s3".into(), "".into()),
                ("endpoint_url".into(), "https://s3.example.com".into()),
            ]
        );
        // `#` inside a value (no blank before it) is part of the value.
        let s = parse_ini("[a]\nk = ab#cd;ef\n").unwrap();
        assert_eq!(s[0].1[0].1, "ab#cd;ef");
    }

    #[test]
    fn bad_lines_are_named_by_number() {
        assert_eq!(parse_ini("key = before any section\n"), Err(1));
        assert_eq!(parse_ini("[a]\n\njust-a-word\n"), Err(3));
        assert_eq!(parse_ini("[a\n"), Err(1));
        assert_eq!(parse_ini("[a]\n= value\n"), Err(2));
    }

    #[test]
    fn profile_merges_config_under_credentials() {
        let dir = tempfile::tempdir().unwrap();
        let f = files(
            dir.path(),
            "[prod]\naws_access_key_id = AKIAPRODCRED\naws_secret_access_key = s3cr3t\n\
             [default]\naws_access_key_id = AKIADEF\naws_secret_access_key = d\n",
            "[default]\nregion = us-west-2\n[profile prod]\nregion = eu-central-1\n\
             aws_access_key_id = AKIAFROMCONFIG\naws_session_token = tok\nendpoint_url = http://127.0.0.1:9000\n\
             [prod]\nregion = not-this-one\n",
        );
        let p = f.load_profile("prod", true).unwrap();
        assert!(p.found());
        assert_eq!(p.access_key_id(), Some("AKIAPRODCRED"));
        assert_eq!(
            p.secret_access_key.as_ref().unwrap().expose_secret(),
            "s3cr3t"
        );
        assert_eq!(p.session_token.as_ref().unwrap().expose_secret(), "tok");
        assert_eq!(p.region(), Some("eu-central-1"));
        assert_eq!(p.endpoint_url(), Some("http://127.0.0.1:9000"));
        let d = f.load_profile("default", false).unwrap();
        assert_eq!(d.access_key_id(), Some("AKIADEF"));
        assert_eq!(d.region(), Some("us-west-2"));
        let shown = format!("{p:?}");
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("tok\""),
            "{shown}"
        );
    }

    #[test]
    fn missing_profile_names_the_profile_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let f = files(dir.path(), "[default]\naws_access_key_id = A\n", "");
        let e = f.load_profile("prod", true).unwrap_err();
        assert_eq!(e.kind(), bucket_admin_core::ErrorKind::Config);
        let cred = dir.path().join("credentials").display().to_string();
        assert!(
            e.message().contains("profile `prod` not found in") && e.message().contains(&cred),
            "{}",
            e.message()
        );
        // Not asked for by name: empty settings, no error.
        let p = f.load_profile("other", false).unwrap();
        assert!(!p.found() && p.access_key_id().is_none());
        // Missing files are empty files.
        let none = SharedConfigFiles {
            credentials: Some(dir.path().join("nope")),
            config: None,
        };
        assert!(!none.load_profile("default", false).unwrap().found());
        assert!(none.load_profile("default", true).is_err());
    }

    #[test]
    fn malformed_file_error_names_file_and_line_not_content() {
        let dir = tempfile::tempdir().unwrap();
        let f = files(dir.path(), "[default]\nAKIASECRETLINE\n", "");
        let e = f.load_profile("default", false).unwrap_err();
        assert!(
            e.message().contains("credentials line 2"),
            "{}",
            e.message()
        );
        assert!(!e.message().contains("AKIASECRETLINE"));
    }

    #[test]
    fn paths_come_from_the_given_variables() {
        let f = SharedConfigFiles::from_env_vars([("HOME", "/home/u")]);
        assert_eq!(
            f.credentials,
            Some(PathBuf::from("/home/u/.aws/credentials"))
        );
        assert_eq!(f.config, Some(PathBuf::from("/home/u/.aws/config")));
        let f = SharedConfigFiles::from_env_vars([
            ("HOME", "/home/u"),
            ("AWS_SHARED_CREDENTIALS_FILE", "~/creds"),
            ("AWS_CONFIG_FILE", "/etc/aws.conf"),
        ]);
        assert_eq!(f.credentials, Some(PathBuf::from("/home/u/creds")));
        assert_eq!(f.config, Some(PathBuf::from("/etc/aws.conf")));
        assert_eq!(
            SharedConfigFiles::from_env_vars([]),
            SharedConfigFiles::default()
        );
    }
}
