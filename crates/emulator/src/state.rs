//! Emulator state: in memory, optionally persisted as one JSON file.
//!
//! The state holds the core crate's neutral models (CORS, lifecycle, versioning, replication),
//! so what the emulator stores is exactly what bucket-admin can express; the wire formats are
//! converted at the edges in `cos::xml` and `r2::json`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use bucket_admin_core::{
    CorsConfiguration, Jurisdiction, LifecycleConfiguration, ReplicationConfiguration,
    VersioningStatus,
};
use serde::{Deserialize, Serialize};

use crate::EmulatorError;
use crate::r2::json::{CustomDomain, LockRule};

const STATE_FILE: &str = "emulator-state.json";

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
    /// Number of objects (only test hooks change it).
    pub objects: u64,
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
    pub objects: u64,
}

/// Everything the emulator stores.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct State {
    /// Keyed by `name-appid`.
    pub cos: BTreeMap<String, CosBucket>,
    /// Keyed by jurisdiction, then name: a bucket's identity is (jurisdiction, name).
    pub r2: BTreeMap<Jurisdiction, BTreeMap<String, R2Bucket>>,
}

/// Thread-safe state with write-through persistence.
#[derive(Debug)]
pub(crate) struct Store {
    state: Mutex<State>,
    file: Option<PathBuf>,
}

impl Store {
    /// In memory when `dir` is `None`; otherwise load `dir/emulator-state.json` if present.
    pub fn open(dir: Option<PathBuf>) -> Result<Store, EmulatorError> {
        let Some(dir) = dir else {
            return Ok(Store {
                state: Mutex::new(State::default()),
                file: None,
            });
        };
        std::fs::create_dir_all(&dir)?;
        let file = dir.join(STATE_FILE);
        let state = match std::fs::read(&file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| EmulatorError::State {
                path: file.clone(),
                message: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::default(),
            Err(e) => return Err(e.into()),
        };
        Ok(Store {
            state: Mutex::new(state),
            file: Some(file),
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
    /// persist an older snapshot over a newer one).
    pub fn write<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut guard = self.lock();
        let out = f(&mut guard);
        if let Some(file) = &self.file {
            if let Err(e) = persist(file, &guard) {
                tracing::error!(error = %e, file = %file.display(), "cannot persist emulator state");
            }
        }
        out
    }
}

/// Write to a temporary file in the same directory, then rename: a crash never leaves a
/// half-written state file behind.
fn persist(file: &std::path::Path, state: &State) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(state).map_err(std::io::Error::other)?;
    let tmp = file.with_extension(format!("json.tmp{}", std::process::id()));
    std::fs::write(&tmp, json)?;
    std::fs::rename(&tmp, file)
}
