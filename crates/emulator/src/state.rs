//! Emulator state: in memory, optionally persisted as one JSON file.
//!
//! The state holds the core crate's neutral models (CORS, lifecycle, versioning, replication),
//! so what the emulator stores is exactly what bucket-admin can express; the wire formats are
//! converted at the edges in `cos::xml` and `r2::json`.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use bucket_admin_core::{
    CorsConfiguration, Jurisdiction, LifecycleConfiguration, ReplicationConfiguration,
    VersioningStatus,
};
use serde::{Deserialize, Serialize};

use crate::EmulatorError;
use crate::r2::json::{CustomDomain, LockRule};

const STATE_FILE: &str = "emulator-state.json";
/// Locked while an emulator uses the directory.
const LOCK_FILE: &str = "emulator.lock";

/// One COS bucket.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CosBucket {
    /// `name-appid`.
    pub name: String,
    pub region: String,
    /// Unix seconds.
    pub created: i64,
    pub acl: String,
    /// (`x-cos-grant-*` suffix, header value).
    pub grants: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    /// `SAZ` or `MAZ`.
    pub az_type: String,
    /// `OFS` when created with `BucketArchConfig=OFS`.
    pub arch: Option<String>,
    pub cors: Option<CorsConfiguration>,
    pub lifecycle: Option<LifecycleConfiguration>,
    pub versioning: VersioningStatus,
    pub replication: Option<ReplicationConfiguration>,
    /// The policy JSON exactly as stored (COS returns what was put).
    pub policy: Option<String>,
    /// The bucket's objects, by key.
    #[serde(default)]
    pub objects: BTreeMap<String, StoredObject>,
}

/// One stored object: its bytes and the metadata the services return with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredObject {
    /// The bytes, base64 in the state file.
    #[serde(with = "b64")]
    pub data: Vec<u8>,
    pub content_type: String,
    /// Quoted hex MD5 of the bytes, as both services send it.
    pub etag: String,
    /// Unix seconds.
    pub last_modified: i64,
    /// User metadata headers (`x-cos-meta-*` / `x-amz-meta-*`), lower-case names.
    #[serde(default)]
    pub meta: Vec<(String, String)>,
}

mod b64 {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(data: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(data))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(serde::de::Error::custom)
    }
}

impl State {
    /// Rebuilds [`State::r2_custom_domains`] from the buckets.
    pub fn index_custom_domains(&mut self) {
        self.r2_custom_domains = self
            .r2
            .iter()
            .flat_map(|(j, m)| m.values().map(move |b| (*j, b)))
            .flat_map(|(j, b)| {
                b.custom_domains
                    .keys()
                    .map(move |d| (d.clone(), (j, b.name.clone())))
            })
            .collect();
    }

    /// Bytes of object data stored across both providers (the `max_object_bytes` budget).
    pub fn object_bytes(&self) -> usize {
        let cos = self
            .cos
            .values()
            .flat_map(|b| b.objects.values())
            .map(|o| o.data.len());
        let r2 = self
            .r2
            .values()
            .flat_map(|m| m.values())
            .flat_map(|b| b.objects.values())
            .map(|o| o.data.len());
        cos.chain(r2).sum()
    }
}

/// One R2 bucket.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct R2Bucket {
    pub name: String,
    /// RFC 3339 with milliseconds, as the API prints it.
    pub creation_date: String,
    pub location: String,
    /// `Standard` or `InfrequentAccess`.
    pub storage_class: String,
    pub jurisdiction: Jurisdiction,
    pub cors: Option<CorsConfiguration>,
    pub lifecycle: LifecycleConfiguration,
    pub lock: Vec<LockRule>,
    /// Hex id used in the `pub-<id>.r2.dev` managed domain.
    pub public_id: String,
    pub managed_enabled: bool,
    pub custom_domains: BTreeMap<String, CustomDomain>,
    /// The bucket's objects, by key.
    #[serde(default)]
    pub objects: BTreeMap<String, StoredObject>,
}

/// Everything the emulator stores.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct State {
    /// Keyed by `name-appid`.
    pub cos: BTreeMap<String, CosBucket>,
    /// Keyed by jurisdiction, then name: a bucket's identity is (jurisdiction, name).
    pub r2: BTreeMap<Jurisdiction, BTreeMap<String, R2Bucket>>,
    /// Every custom domain attached to an R2 bucket, and the bucket (jurisdiction, name) it
    /// fronts: derived from `r2` (rebuilt on load, kept in step by the routes that attach,
    /// detach or delete), so that each request's "is this a public host" check is a lookup,
    /// not a scan of every bucket under the store's lock.
    #[serde(skip)]
    pub r2_custom_domains: BTreeMap<String, (Jurisdiction, String)>,
}

/// The version of the state file this emulator writes. Older versions are read and
/// upgraded; a newer one is refused rather than misread.
pub(crate) const STATE_FORMAT: u32 = 2;

/// The state file on disk: the state's own fields plus `"format": N` beside them (so tools
/// that edit the file keep working). Format 0, before versioning, had no `format` key.
#[derive(Serialize)]
struct OnDisk<'a> {
    format: u32,
    #[serde(flatten)]
    state: &'a State,
}

/// Why a change could not be saved. The in-memory state was rolled back, so the client is
/// answered 500 and the change is not half-made.
#[derive(Debug, thiserror::Error)]
#[error("cannot save the emulator state to {path}: {source}")]
pub(crate) struct PersistError {
    path: PathBuf,
    source: std::io::Error,
}

/// Thread-safe state with write-through persistence.
#[derive(Debug)]
pub(crate) struct Store {
    state: Mutex<State>,
    file: Option<PathBuf>,
    /// Held (with an exclusive lock on it) while the emulator runs, so a second emulator on
    /// the same data directory refuses to start instead of overwriting acknowledged writes.
    _lock: Option<File>,
}

/// Parse a state file of any format this emulator knows.
fn decode(bytes: &[u8]) -> Result<State, String> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let format = match value.as_object_mut().and_then(|o| o.remove("format")) {
        None => 0,
        Some(v) => v
            .as_u64()
            .ok_or_else(|| format!("`format` is {v}, not a version number"))?,
    };
    if format > u64::from(STATE_FORMAT) {
        return Err(format!(
            "it was written by a newer emulator (state format {format}; this one reads up to {STATE_FORMAT}); \
             upgrade bucket-admin-emulator or use another --data-dir"
        ));
    }
    if format < 2 {
        // Formats 0 and 1 kept only an object *count* (set by test hooks, never by a client);
        // format 2 keeps the objects themselves. A count carries no object to restore.
        upgrade_object_counts(&mut value);
    }
    let mut state: State =
        serde_json::from_value(value).map_err(|e| format!("format {format}: {e}"))?;
    state.index_custom_domains();
    Ok(state)
}

/// Replace the `objects` counts of format 0/1 buckets by empty object maps.
fn upgrade_object_counts(value: &mut serde_json::Value) {
    let empty = |b: &mut serde_json::Value| {
        if let Some(o) = b.get_mut("objects").filter(|o| !o.is_object()) {
            *o = serde_json::Value::Object(serde_json::Map::new());
        }
    };
    if let Some(cos) = value.get_mut("cos").and_then(|v| v.as_object_mut()) {
        cos.values_mut().for_each(empty);
    }
    if let Some(r2) = value.get_mut("r2").and_then(|v| v.as_object_mut()) {
        for ns in r2.values_mut().filter_map(|v| v.as_object_mut()) {
            ns.values_mut().for_each(empty);
        }
    }
}

impl Store {
    /// In memory when `dir` is `None`; otherwise lock `dir` and load
    /// `dir/emulator-state.json` if present.
    pub fn open(dir: Option<PathBuf>) -> Result<Store, EmulatorError> {
        let Some(dir) = dir else {
            return Ok(Store {
                state: Mutex::new(State::default()),
                file: None,
                _lock: None,
            });
        };
        std::fs::create_dir_all(&dir)?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(EmulatorError::DataDirLocked { dir });
            }
            Err(TryLockError::Error(e)) => return Err(e.into()),
        }
        let file = dir.join(STATE_FILE);
        let state = match std::fs::read(&file) {
            Ok(bytes) => decode(&bytes).map_err(|message| EmulatorError::State {
                path: file.clone(),
                message,
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::default(),
            Err(e) => return Err(e.into()),
        };
        Ok(Store {
            state: Mutex::new(state),
            file: Some(file),
            _lock: Some(lock),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // State is plain data; a panicking handler cannot leave it half-updated in a way
        // that matters more than losing the whole emulator, so recover from poisoning.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Read the state.
    pub fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.lock())
    }

    /// Change the state, then persist it (under the same lock, so concurrent writers can never
    /// persist an older snapshot over a newer one). When persisting fails the change is
    /// rolled back and the error returned: a write is acknowledged only once it is on disk.
    pub fn write<R>(&self, f: impl FnOnce(&mut State) -> R) -> Result<R, PersistError> {
        let mut guard = self.lock();
        let Some(file) = &self.file else {
            return Ok(f(&mut guard));
        };
        let before = guard.clone();
        let out = f(&mut guard);
        match persist(file, &guard) {
            Ok(()) => Ok(out),
            Err(source) => {
                *guard = before;
                Err(PersistError {
                    path: file.clone(),
                    source,
                })
            }
        }
    }
}

/// Write to a new temporary file in the same directory (random name, created exclusively,
/// so a planted symlink is never followed), fsync it, rename it over the state file, then
/// fsync the directory so the rename itself survives a crash.
fn persist(file: &Path, state: &State) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(&OnDisk {
        format: STATE_FORMAT,
        state,
    })
    .map_err(std::io::Error::other)?;
    let dir = file.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".emulator-state.")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(&json)?;
    tmp.as_file().sync_all()?;
    tmp.persist(file).map_err(|e| e.error)?;
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_0_files_are_read_and_newer_formats_refused() {
        let legacy = br#"{"cos": {}, "r2": {}}"#;
        assert!(decode(legacy).unwrap().cos.is_empty());
        let current = br#"{"format": 1, "cos": {}, "r2": {}}"#;
        assert!(decode(current).is_ok());
        let newer = br#"{"format": 3, "cos": {}, "r2": {}}"#;
        let e = decode(newer).unwrap_err();
        assert!(
            e.contains("newer emulator") && e.contains("format 3"),
            "{e}"
        );
        assert!(decode(br#"{"format": "x"}"#).is_err());
    }

    /// Format 1 kept an object count per bucket; format 2 keeps objects, so the count becomes
    /// an empty object map instead of failing the load.
    #[test]
    fn format_1_object_counts_load_as_empty_object_maps() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Some(dir.path().to_owned())).unwrap();
        let bucket = CosBucket {
            name: "old-1250000000".into(),
            region: "ap-beijing".into(),
            created: 0,
            acl: "private".into(),
            grants: vec![],
            tags: vec![],
            az_type: "SAZ".into(),
            arch: None,
            cors: None,
            lifecycle: None,
            versioning: VersioningStatus::Unversioned,
            replication: None,
            policy: None,
            objects: BTreeMap::new(),
        };
        store
            .write(|s| s.cos.insert(bucket.name.clone(), bucket))
            .unwrap();
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(STATE_FILE)).unwrap()).unwrap();
        assert_eq!(v["format"], 2);
        v["format"] = 1.into();
        v["cos"]["old-1250000000"]["objects"] = 3.into();
        let state = decode(v.to_string().as_bytes()).unwrap();
        assert!(state.cos["old-1250000000"].objects.is_empty());
    }

    #[test]
    fn a_failed_write_is_rolled_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Some(dir.path().to_owned())).unwrap();
        store.write(|s| s.cos.clear()).unwrap();
        // Replace the state file's directory path with something rename cannot write into.
        let blocked = Store {
            state: Mutex::new(State::default()),
            file: Some(dir.path().join("no-such-dir").join(STATE_FILE)),
            _lock: None,
        };
        let r = blocked.write(|s| {
            s.r2.insert(Jurisdiction::Eu, BTreeMap::new());
            7
        });
        assert!(r.is_err());
        assert!(
            blocked.read(|s| s.r2.is_empty()),
            "the change was rolled back"
        );
    }
}
