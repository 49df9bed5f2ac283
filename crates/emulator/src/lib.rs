//! # bucket-admin-emulator
//!
//! A local server that speaks the **Tencent COS XML API** (bucket operations, virtual-host
//! addressed) and the **Cloudflare R2 REST API** (`/client/v4/accounts/{id}/r2/buckets...`)
//! on one loopback port, faithfully enough that official SDKs and the bucket-admin clients
//! cannot tell the difference.
//!
//! Unlike emulators that accept any credentials, this one checks auth for real: every COS
//! request's `Authorization` (or pre-signed query) is parsed, the signature is recomputed from
//! the request as *received* and compared, with the key-time window enforced against the
//! server clock (which tests can skew); R2 requests need the right bearer token and account id.
//! That is where client bugs hide, so an emulator that skipped it would hide them too.
//!
//! Requests are recorded in a bounded ring (headers included, `Authorization` kept so tests
//! can check that each retry was freshly signed; bodies cut to a configurable size, and the
//! body of a request that fails authentication is never even read). [`Faults`] can inject
//! throttling, server errors, dropped connections, truncated or corrupt bodies, stalls,
//! clock-skew errors and hostile answers (an error or HTML page in a 200, the wrong
//! document, endless pages, huge bodies), reproducibly from a seed; Cloudflare's API rate
//! limit can be emulated with [`EmulatorBuilder::r2_rate_limit`].
//!
//! Left running as a shared test server it stays bounded and safe: header, body and idle
//! timeouts and a connection cap ([`ServerLimits`]), fresh random credentials at every start
//! unless given, a refusal to listen beyond loopback with such credentials unless told
//! `insecure`, and `Debug` output that never shows a key, token or `Authorization` value.
//! With a data directory, a change is acknowledged only once it is on disk (written to a
//! fresh temporary file, fsynced and renamed; a failed write answers 500 and changes
//! nothing), the directory is locked against a second emulator, and the state file carries
//! a format version.
//!
//! The server is plain hyper, not an axum `Router`: COS routes by `Host` and query key, which
//! a path router cannot express, so the routing lives in one place (`cos::routes`,
//! `r2::routes`) and hyper's own connection settings do the bounding (see `server.rs`).
//!
//! The command-line flags (`bucket-admin-emulator` and `bucket-admin emulator`) are one
//! clap definition, [`cli::EmulatorArgs`] (feature `cli`, on by default).
//!
//! ```no_run
//! # async fn demo() -> Result<(), bucket_admin_emulator::EmulatorError> {
//! use bucket_admin_emulator::{Emulator, Fault, FaultRule};
//!
//! let emu = Emulator::start().await?;
//! // COS clients connect to `cos_endpoint()` and send the virtual-host `Host` header,
//! // e.g. `examplebucket-1250000000.cos.ap-beijing.myqcloud.com`.
//! println!("{} {}", emu.cos_endpoint(), emu.r2_base_url());
//! emu.faults().push(FaultRule::new(Fault::SlowDown).times(2).path_contains("cors"));
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

#[cfg(feature = "cli")]
pub mod cli;
mod cos;
mod faults;
mod objects;
mod r2;
mod server;
mod state;

pub use bucket_admin_core::Jurisdiction;
pub use faults::{Api, Fault, FaultRule, FaultRuleError, Faults, Latency, RateLimit};

/// Errors starting the emulator.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// Binding the listener or reading/writing the data directory failed.
    #[error("emulator I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// Another program already listens on the address.
    #[error(
        "cannot listen on {addr}: the address is already in use (another emulator?). \
         Pick another port with `--bind 127.0.0.1:PORT`, or `--bind 127.0.0.1:0` for any free one"
    )]
    AddrInUse {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// Another emulator is using the data directory.
    #[error(
        "the data directory {} is in use by another emulator (it holds {}/emulator.lock); \
         stop that one or use another --data-dir",
        dir.display(),
        dir.display()
    )]
    DataDirLocked {
        /// The data directory.
        dir: PathBuf,
    },
    /// A non-loopback address was asked for with credentials anyone could know or guess
    /// from the output, without `--insecure`.
    #[error(
        "refusing to listen on {addr}, which other machines can reach, with generated or default \
         credentials: give --cos-secret-id, --cos-secret-key and --r2-token (or their environment \
         variables), or pass --insecure if this host's network is trusted"
    )]
    InsecureBind {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The persisted state in the data directory could not be parsed.
    #[error("cannot load emulator state from {path}: {message}")]
    State {
        /// The state file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The builder was given an invalid setting.
    #[error("invalid emulator configuration: {0}")]
    Config(String),
}

/// Account quotas and paging, as the real services impose them, adjustable for tests and
/// benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Buckets per COS account (`TooManyBuckets` beyond it); COS's default quota is 200.
    pub cos_max_buckets: usize,
    /// Buckets per R2 account, across jurisdictions (code 10009 beyond it).
    pub r2_max_buckets: usize,
    /// Largest page a list answers, whatever the client asks for (`None`: the services'
    /// own maxima, 2000 for COS and 1000 for R2). Lower it to exercise client pagination.
    pub max_page_size: Option<usize>,
    /// Bytes of object data the emulator keeps, across all buckets of both providers (it keeps
    /// them in memory, and in the state file under `--data-dir`). A put beyond it is refused
    /// (COS `EntityTooLarge`, R2 code 10040); one object is at most the 1 MiB request-body limit.
    pub max_object_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            cos_max_buckets: 200,
            r2_max_buckets: 1000,
            max_page_size: None,
            max_object_bytes: 64 * 1024 * 1024,
        }
    }
}

/// What keeps the server bounded when clients are slow, idle, numerous or hostile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// A connection must deliver a request's headers within this time, or it is closed. The
    /// same timer runs while a keep-alive connection idles before its next request, so it is
    /// also the idle timeout.
    pub header_timeout: Duration,
    /// A request body may pause at most this long between chunks; then the connection is
    /// closed.
    pub body_timeout: Duration,
    /// Connections served at once; further clients wait in the listen backlog until one
    /// closes (the timeouts above guarantee that one does).
    pub max_connections: usize,
    /// Requests kept by the request log (the oldest are dropped first). 0 keeps none.
    pub request_log_capacity: usize,
    /// Bytes of each request body the log keeps (bodies of unauthenticated requests are never
    /// read, so never kept).
    pub request_log_body_limit: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_connections: 256,
            request_log_capacity: 1000,
            request_log_body_limit: 64 * 1024,
        }
    }
}

/// The permanent COS account the emulator accepts. `Debug` shows the SecretId's first four
/// characters only and never the SecretKey.
#[derive(Clone, PartialEq, Eq)]
pub struct CosCredentials {
    /// The account's APPID: bucket names end in `-<appid>`.
    pub appid: String,
    /// SecretId (the `q-ak` of signed requests).
    pub secret_id: String,
    /// SecretKey used to verify signatures.
    pub secret_key: String,
    /// Default region (`ap-beijing`).
    pub region: String,
    /// The owner's UIN, reported as `Owner` in list buckets.
    pub owner_uin: String,
}

/// `AKID…` style prefix of an identifier, enough to tell two apart in a log.
fn hint(s: &str) -> String {
    format!("{}…", s.chars().take(4).collect::<String>())
}

impl fmt::Debug for CosCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CosCredentials")
            .field("appid", &self.appid)
            .field("secret_id", &hint(&self.secret_id))
            .field("secret_key", &"<redacted>")
            .field("region", &self.region)
            .field("owner_uin", &self.owner_uin)
            .finish()
    }
}

/// Temporary COS credentials: requests signed with this SecretId must carry
/// `x-cos-security-token: <token>`. `Debug` never shows the key or the token.
#[derive(Clone, PartialEq, Eq)]
pub struct CosTemporaryCredentials {
    /// Temporary SecretId.
    pub secret_id: String,
    /// Temporary SecretKey.
    pub secret_key: String,
    /// The session token that must accompany every request.
    pub token: String,
}

impl fmt::Debug for CosTemporaryCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CosTemporaryCredentials")
            .field("secret_id", &hint(&self.secret_id))
            .field("secret_key", &"<redacted>")
            .field("token", &"<redacted>")
            .finish()
    }
}

/// The access key of R2's S3 endpoint (an R2 API token's S3 credentials: a 32-hex-digit key id
/// and a 64-hex-digit secret). `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct R2S3Credentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
}

impl fmt::Debug for R2S3Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("R2S3Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

/// The R2 account the emulator accepts. `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct R2Credentials {
    /// 32 lowercase hex digits.
    pub account_id: String,
    /// The bearer API token.
    pub api_token: String,
}

impl fmt::Debug for R2Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("R2Credentials")
            .field("account_id", &self.account_id)
            .field("api_token", &"<redacted>")
            .finish()
    }
}

/// Headers whose values are secrets (or signatures over them): never shown by `Debug`.
const SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "x-cos-security-token",
    "x-auth-key",
    "cookie",
];

/// One request as the emulator received it.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// Which API it was addressed to.
    pub api: Api,
    /// HTTP method, e.g. `PUT`.
    pub method: String,
    /// Raw (still percent-encoded) path.
    pub path: String,
    /// Raw query string without the `?` (empty when none).
    pub query: String,
    /// Every header, names lowercased, in received order (`Authorization` included, so tests
    /// can check that each retry was freshly signed; `Debug` redacts it).
    pub headers: Vec<(String, String)>,
    /// The request body, cut to [`ServerLimits::request_log_body_limit`]; empty when the
    /// request was not authenticated (its body is never read) or exceeded the size cap.
    pub body: Vec<u8>,
    /// The body's full length as received (before the log cut it).
    pub body_len: usize,
    /// Whether the request carried valid credentials (a COS signature or the R2 token).
    pub authenticated: bool,
    /// When it arrived (real clock, not skewed).
    pub received_at: SystemTime,
}

impl RecordedRequest {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                let secret = SECRET_HEADERS.iter().any(|s| k.eq_ignore_ascii_case(s));
                (k.as_str(), if secret { "<redacted>" } else { v.as_str() })
            })
            .collect();
        // Pre-signed URLs carry the signature (and a token) in the query.
        let query =
            if self.query.contains("q-signature") || self.query.contains("x-cos-security-token") {
                "<redacted: pre-signed>"
            } else {
                self.query.as_str()
            };
        f.debug_struct("RecordedRequest")
            .field("api", &self.api)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &query)
            .field("headers", &headers)
            .field("body_len", &self.body_len)
            .field("authenticated", &self.authenticated)
            .field("received_at", &self.received_at)
            .finish()
    }
}

/// The default COS APPID (an account identifier, not a secret; `--cos-appid` changes it).
pub const DEFAULT_COS_APPID: &str = "1250000000";
/// The default R2 account id (an identifier, not a secret; `--r2-account` changes it).
pub const DEFAULT_R2_ACCOUNT_ID: &str = "0123456789abcdef0123456789abcdef";

/// Configures and starts an [`Emulator`].
///
/// Unless [`cos_account`](Self::cos_account) / [`r2_account`](Self::r2_account) give them,
/// the COS SecretId/SecretKey and the R2 token are generated afresh from the operating
/// system's random source at every start; read them back from
/// [`Emulator::cos_credentials`] and [`Emulator::r2_credentials`].
///
/// Faults can be set here (so they are in force from the first request) or later through
/// [`Emulator::faults`]; see [`Fault`] for the hostile-answer kinds.
///
/// ```no_run
/// # async fn demo() -> Result<(), bucket_admin_emulator::EmulatorError> {
/// use std::time::Duration;
/// use bucket_admin_emulator::{Api, Emulator, Fault, FaultRule, Latency, RateLimit};
///
/// let emu = Emulator::builder()
///     .fault_seed(7)
///     // the next 3 `PUT ?cors` answer 503 SlowDown
///     .fault(FaultRule::new(Fault::SlowDown).method("PUT").path_contains("?cors").times(3))
///     // every R2 write answers 429 with `Retry-After: 2`
///     .fault("429:2,api=r2,method=write,times=always".parse().unwrap())
///     .latency(Latency::Uniform { min: Duration::from_millis(15), max: Duration::from_millis(25) })
///     .r2_rate_limit(RateLimit::CLOUDFLARE)
///     .start()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct EmulatorBuilder {
    bind: SocketAddr,
    data_dir: Option<PathBuf>,
    limits: Limits,
    server_limits: ServerLimits,
    cos_appid: String,
    cos_region: String,
    cos_secret: Option<(String, String)>,
    cos_token: Option<String>,
    r2_account_id: String,
    r2_token: Option<String>,
    r2_s3_keys: Option<(String, String)>,
    r2_s3_bind: Option<SocketAddr>,
    insecure: bool,
    fault_seed: Option<u64>,
    fault_rules: Vec<FaultRule>,
    latency: Latency,
    error_rate: f64,
    r2_rate_limit: Option<RateLimit>,
    cos_rate_limit: Option<RateLimit>,
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("limits", &self.limits)
            .field("server_limits", &self.server_limits)
            .field("cos_appid", &self.cos_appid)
            .field("cos_region", &self.cos_region)
            .field(
                "cos_secret",
                &self
                    .cos_secret
                    .as_ref()
                    .map(|(id, _)| (hint(id), "<redacted>")),
            )
            .field("cos_token", &self.cos_token.as_ref().map(|_| "<redacted>"))
            .field("r2_account_id", &self.r2_account_id)
            .field("r2_token", &self.r2_token.as_ref().map(|_| "<redacted>"))
            .field(
                "r2_s3_key_id",
                &self.r2_s3_keys.as_ref().map(|(id, _)| id.as_str()),
            )
            .field("r2_s3_bind", &self.r2_s3_bind)
            .field("insecure", &self.insecure)
            .field("fault_seed", &self.fault_seed)
            .field("fault_rules", &self.fault_rules)
            .field("latency", &self.latency)
            .field("error_rate", &self.error_rate)
            .field("r2_rate_limit", &self.r2_rate_limit)
            .field("cos_rate_limit", &self.cos_rate_limit)
            .finish()
    }
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: None,
            limits: Limits::default(),
            server_limits: ServerLimits::default(),
            cos_appid: DEFAULT_COS_APPID.into(),
            cos_region: "ap-beijing".into(),
            cos_secret: None,
            cos_token: None,
            r2_account_id: DEFAULT_R2_ACCOUNT_ID.into(),
            r2_token: None,
            r2_s3_keys: None,
            r2_s3_bind: None,
            insecure: false,
            fault_seed: None,
            fault_rules: Vec::new(),
            latency: Latency::None,
            error_rate: 0.0,
            r2_rate_limit: None,
            cos_rate_limit: None,
        }
    }
}

impl EmulatorBuilder {
    /// Listen on `addr` (default `127.0.0.1:0`, an ephemeral port). A non-loopback address
    /// needs explicit credentials or [`insecure`](Self::insecure).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }
    /// Persist state as JSON in `dir` after every change, and load it at start. The
    /// directory is locked while the emulator runs.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }
    /// Use this COS account instead of a generated one.
    pub fn cos_account(
        mut self,
        appid: impl Into<String>,
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Self {
        self.cos_appid = appid.into();
        self.cos_secret = Some((secret_id.into(), secret_key.into()));
        self
    }
    /// Use this APPID (keeping the given or generated keys).
    pub fn cos_appid(mut self, appid: impl Into<String>) -> Self {
        self.cos_appid = appid.into();
        self
    }
    /// Use this default COS region (reported for buckets created without a region host).
    pub fn cos_region(mut self, region: impl Into<String>) -> Self {
        self.cos_region = region.into();
        self
    }
    /// Also accept a temporary SecretId/SecretKey pair that requires
    /// `x-cos-security-token: token` (see [`Emulator::cos_temporary_credentials`]).
    pub fn cos_session_token(mut self, token: impl Into<String>) -> Self {
        self.cos_token = Some(token.into());
        self
    }
    /// Use this R2 account id and API token.
    pub fn r2_account(
        mut self,
        account_id: impl Into<String>,
        api_token: impl Into<String>,
    ) -> Self {
        self.r2_account_id = account_id.into();
        self.r2_token = Some(api_token.into());
        self
    }
    /// Use this R2 account id (keeping the given or generated token).
    pub fn r2_account_id(mut self, account_id: impl Into<String>) -> Self {
        self.r2_account_id = account_id.into();
        self
    }
    /// The access key id and secret R2's S3 endpoint accepts (default: generated at start).
    pub fn r2_s3_keys(
        mut self,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        self.r2_s3_keys = Some((access_key_id.into(), secret_access_key.into()));
        self
    }
    /// Where R2's S3 endpoint listens (default: the main address's port + 1, or any free
    /// port when the main port is 0).
    pub fn r2_s3_bind(mut self, addr: SocketAddr) -> Self {
        self.r2_s3_bind = Some(addr);
        self
    }
    /// Allow a non-loopback [`bind`](Self::bind) address with generated credentials (a
    /// warning is printed to stderr).
    pub fn insecure(mut self, yes: bool) -> Self {
        self.insecure = yes;
        self
    }
    /// Account quotas and page sizes (see [`Limits`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
    /// Timeouts, the connection cap and the request log's size (see [`ServerLimits`]).
    pub fn server_limits(mut self, limits: ServerLimits) -> Self {
        self.server_limits = limits;
        self
    }
    /// Seed of every random fault choice (error rate, latency jitter): the same seed and the
    /// same requests give the same faults. Default: random, shown by
    /// [`Faults::seed`] and in [`Emulator::connection_info`].
    pub fn fault_seed(mut self, seed: u64) -> Self {
        self.fault_seed = Some(seed);
        self
    }
    /// Script a fault from the first request on (see [`FaultRule`] and [`Fault`]).
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.fault_rules.push(rule);
        self
    }
    /// Latency added to every request (see [`Latency`]).
    pub fn latency(mut self, latency: Latency) -> Self {
        self.latency = latency;
        self
    }
    /// Answer this fraction (0.0..=1.0) of requests 503, drawn from the fault seed.
    pub fn error_rate(mut self, rate: f64) -> Self {
        self.error_rate = rate;
        self
    }
    /// Emulate Cloudflare's API rate limit on R2 requests (see [`RateLimit`]).
    pub fn r2_rate_limit(mut self, limit: RateLimit) -> Self {
        self.r2_rate_limit = Some(limit);
        self
    }
    /// Emulate COS's documented limit on bucket management (list, create and delete buckets:
    /// 50 QPS per APPID, [`RateLimit::COS_BUCKET_MANAGEMENT`]): past it those requests answer
    /// 503 `SlowDown`.
    pub fn cos_rate_limit(mut self, limit: RateLimit) -> Self {
        self.cos_rate_limit = Some(limit);
        self
    }

    /// Bind, load any persisted state and start serving.
    pub async fn start(self) -> Result<Emulator, EmulatorError> {
        if !self.cos_appid.chars().all(|c| c.is_ascii_digit()) || self.cos_appid.is_empty() {
            return Err(EmulatorError::Config("the COS appid must be digits".into()));
        }
        if self.r2_account_id.len() != 32
            || !self.r2_account_id.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(EmulatorError::Config(
                "the R2 account id must be 32 hexadecimal digits".into(),
            ));
        }
        if !(0.0..=1.0).contains(&self.error_rate) {
            return Err(EmulatorError::Config(format!(
                "the error rate must be between 0 and 1, not {}",
                self.error_rate
            )));
        }
        let given =
            self.cos_secret.is_some() && self.r2_token.is_some() && self.r2_s3_keys.is_some();
        if !self.bind.ip().is_loopback() && !given {
            if !self.insecure {
                return Err(EmulatorError::InsecureBind { addr: self.bind });
            }
            eprintln!(
                "WARNING: the emulator listens on {}, reachable from other machines, with \
                 generated credentials printed below. Anyone who reads them can use it.",
                self.bind
            );
        }
        let secrets_given = (self.cos_secret.is_some(), self.r2_token.is_some());
        let r2_s3_given = self.r2_s3_keys.is_some();
        let (access_key_id, secret_access_key) = match self.r2_s3_keys {
            Some(pair) => pair,
            None => (random_hex(16)?, random_hex(32)?),
        };
        let r2_s3_bind = self.r2_s3_bind.unwrap_or_else(|| {
            let port = match self.bind.port() {
                0 => 0,
                p => p.checked_add(1).unwrap_or(0),
            };
            SocketAddr::new(self.bind.ip(), port)
        });
        let (secret_id, secret_key) = match self.cos_secret {
            Some(pair) => pair,
            None => (format!("AKID{}", random_alnum(32)?), random_alnum(32)?),
        };
        let api_token = match self.r2_token {
            Some(t) => t,
            None => random_alnum(40)?,
        };
        let cos = CosCredentials {
            appid: self.cos_appid,
            secret_id,
            secret_key,
            region: self.cos_region,
            owner_uin: "100000000001".into(),
        };
        let temp = match self.cos_token {
            Some(token) => Some(CosTemporaryCredentials {
                secret_id: format!("AKIDTMP{}", random_alnum(29)?),
                secret_key: random_alnum(32)?,
                token,
            }),
            None => None,
        };
        let seed = match self.fault_seed {
            Some(s) => s,
            None => {
                let mut b = [0u8; 8];
                getrandom::fill(&mut b).map_err(|e| std::io::Error::other(e.to_string()))?;
                u64::from_le_bytes(b)
            }
        };
        let faults = Faults::with_seed(seed);
        faults.set_error_rate(self.error_rate, seed);
        faults.set_latency(self.latency);
        for rule in self.fault_rules {
            faults.push(rule);
        }
        let store = state::Store::open(self.data_dir)?;
        server::start(
            self.bind,
            server::Setup {
                cos,
                cos_temp: temp,
                r2: R2Credentials {
                    account_id: self.r2_account_id,
                    api_token,
                },
                r2_s3: R2S3Credentials {
                    access_key_id,
                    secret_access_key,
                },
                r2_s3_bind,
                r2_s3_given,
                store,
                limits: self.limits,
                server_limits: self.server_limits,
                faults,
                r2_rate_limit: self.r2_rate_limit.map(faults::RateLimiter::new),
                cos_rate_limit: self.cos_rate_limit.map(faults::RateLimiter::new),
                secrets_given,
            },
        )
        .await
    }
}

/// `n` random bytes from the operating system, in lowercase hex (`2n` digits).
pub(crate) fn random_hex(n: usize) -> Result<String, EmulatorError> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// `n` random letters and digits from the operating system's random source (credentials
/// must not be guessable from a seed or the process start time).
pub(crate) fn random_alnum(n: usize) -> Result<String, EmulatorError> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    // 248 = 4 * 62: values at or above it would bias the first letters, so redraw them.
    let mut out = String::with_capacity(n);
    for mut b in bytes {
        while b >= 248 {
            let mut one = [0u8; 1];
            getrandom::fill(&mut one).map_err(|e| std::io::Error::other(e.to_string()))?;
            b = one[0];
        }
        out.push(char::from(ALPHABET[usize::from(b % 62)]));
    }
    Ok(out)
}

/// A running emulator. Dropping it shuts the server down. `Debug` never shows credentials.
pub struct Emulator {
    shared: Arc<server::Shared>,
    addr: SocketAddr,
    r2_s3_addr: SocketAddr,
    task: Option<tokio::task::JoinHandle<()>>,
    r2_s3_task: Option<tokio::task::JoinHandle<()>>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .field("cos", &self.shared.cos)
            .field("cos_temp", &self.shared.cos_temp)
            .field("r2", &self.shared.r2)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Start on `127.0.0.1:0`, in memory, with freshly generated credentials (read them with
    /// [`cos_credentials`](Self::cos_credentials) and [`r2_credentials`](Self::r2_credentials)).
    pub async fn start() -> Result<Emulator, EmulatorError> {
        Self::builder().start().await
    }
    /// A builder for custom credentials, address, persistence, limits or faults.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// `http://127.0.0.1:PORT`: COS clients connect here and send the virtual-host `Host`.
    pub fn cos_endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// `http://127.0.0.1:PORT/client/v4`.
    pub fn r2_base_url(&self) -> String {
        format!("http://{}/client/v4", self.addr)
    }
    /// `http://127.0.0.1:PORT2`: R2's S3 endpoint (path-style `/<bucket>/<key>`, SigV4 with
    /// [`r2_s3_credentials`](Self::r2_s3_credentials), region `auto`), the stand-in for
    /// `https://<account>.r2.cloudflarestorage.com`.
    pub fn r2_s3_endpoint(&self) -> String {
        format!("http://{}", self.r2_s3_addr)
    }
    /// The access key R2's S3 endpoint accepts.
    pub fn r2_s3_credentials(&self) -> &R2S3Credentials {
        &self.shared.r2_s3
    }
    /// The permanent COS credentials this emulator accepts.
    pub fn cos_credentials(&self) -> &CosCredentials {
        &self.shared.cos
    }
    /// The temporary COS credentials, when the builder set a session token.
    pub fn cos_temporary_credentials(&self) -> Option<&CosTemporaryCredentials> {
        self.shared.cos_temp.as_ref()
    }
    /// The R2 credentials this emulator accepts.
    pub fn r2_credentials(&self) -> &R2Credentials {
        &self.shared.r2
    }
    /// Fault controls.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }
    /// The requests in the log, oldest first: the newest
    /// [`ServerLimits::request_log_capacity`] received since the last clear.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.log().entries.iter().cloned().collect()
    }
    /// How many requests were received since the last clear (including any that no longer
    /// fit in the log).
    pub fn request_count(&self) -> usize {
        self.shared.log().received
    }
    /// Bytes of request bodies the log currently holds.
    pub fn request_log_body_bytes(&self) -> usize {
        self.shared.log().body_bytes()
    }
    /// Forget the recorded requests.
    pub fn clear_requests(&self) {
        let mut log = self.shared.log();
        log.entries.clear();
        log.received = 0;
    }
    /// Offset the server clock by `seconds` (positive: the server is ahead). Affects the COS
    /// key-time check and the `Date` header.
    pub fn set_clock_skew(&self, seconds: i64) {
        self.shared.skew.store(seconds, Ordering::SeqCst);
    }
    /// Store an object in a COS bucket (full `name-appid`) directly, as a PUT Object through
    /// the API would (for callers that cannot send a request, e.g. synchronous test code).
    /// Returns false when the bucket does not exist or the change could not be saved.
    pub fn put_cos_object(&self, bucket: &str, key: &str, data: &[u8]) -> bool {
        let now = self.shared.now_unix();
        self.shared
            .store
            .write(|s| match s.cos.get_mut(bucket) {
                Some(b) => {
                    b.objects.insert(key.to_owned(), objects::stored(data, now));
                    true
                }
                None => false,
            })
            .unwrap_or(false)
    }
    /// Store an object in an R2 bucket of `jurisdiction` directly, as the object API would.
    /// Returns false when the bucket does not exist or the change could not be saved.
    pub fn put_r2_object(
        &self,
        jurisdiction: Jurisdiction,
        bucket: &str,
        key: &str,
        data: &[u8],
    ) -> bool {
        let now = self.shared.now_unix();
        self.shared
            .store
            .write(
                |s| match s.r2.get_mut(&jurisdiction).and_then(|m| m.get_mut(bucket)) {
                    Some(b) => {
                        b.objects.insert(key.to_owned(), objects::stored(data, now));
                        true
                    }
                    None => false,
                },
            )
            .unwrap_or(false)
    }
    /// Keys of the objects in a COS bucket (full `name-appid`), sorted; `None` when the
    /// bucket does not exist.
    pub fn cos_object_keys(&self, bucket: &str) -> Option<Vec<String>> {
        self.shared.store.read(|s| {
            s.cos
                .get(bucket)
                .map(|b| b.objects.keys().cloned().collect())
        })
    }
    /// Keys of the objects in an R2 bucket of `jurisdiction`, sorted; `None` when the bucket
    /// does not exist.
    pub fn r2_object_keys(&self, jurisdiction: Jurisdiction, bucket: &str) -> Option<Vec<String>> {
        self.shared.store.read(|s| {
            s.r2.get(&jurisdiction)
                .and_then(|m| m.get(bucket))
                .map(|b| b.objects.keys().cloned().collect())
        })
    }
    /// Names of the COS buckets currently stored (`name-appid`), sorted.
    pub fn cos_bucket_names(&self) -> Vec<String> {
        self.shared.store.read(|s| s.cos.keys().cloned().collect())
    }
    /// Names of the R2 buckets in `jurisdiction`, sorted.
    pub fn r2_bucket_names(&self, jurisdiction: Jurisdiction) -> Vec<String> {
        self.shared.store.read(|s| {
            s.r2.get(&jurisdiction)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        })
    }
    /// Stop serving: open connections are closed and the port is released.
    pub async fn shutdown(mut self) {
        self.shared.begin_shutdown();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        if let Some(task) = self.r2_s3_task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shared.begin_shutdown();
    }
}

/// Start an emulator from `builder`, print how to use it, and serve until Ctrl-C.
/// The `bucket-admin emulator` CLI subcommand and the `bucket-admin-emulator` binary share it.
pub async fn serve_until_ctrl_c(builder: EmulatorBuilder) -> Result<(), EmulatorError> {
    serve_with(builder, |_| {}).await
}

/// Like [`serve_until_ctrl_c`], calling `configure` (e.g. to set faults) once the emulator
/// has started and before it prints its connection details.
pub async fn serve_with(
    builder: EmulatorBuilder,
    configure: impl FnOnce(&Emulator),
) -> Result<(), EmulatorError> {
    let emu = builder.start().await?;
    configure(&emu);
    println!("{}", emu.connection_info());
    tokio::signal::ctrl_c().await?;
    println!("shutting down");
    emu.shutdown().await;
    Ok(())
}

impl Emulator {
    /// Human-readable endpoints, credentials and `export` lines for shells. This is the one
    /// place the credentials are shown: they are this emulator's alone (generated at start
    /// unless given), and the user needs them to connect.
    ///
    /// Secrets that were *given* (flags, environment, [`EmulatorBuilder::cos_account`]) are
    /// not printed back: the user has them, and logs of CI jobs should not.
    pub fn connection_info(&self) -> String {
        let c = self.cos_credentials();
        let r = self.r2_credentials();
        let (cos_given, r2_given) = self.shared.secrets_given;
        let (sid, skey) = if cos_given {
            ("(as given)", "(as given)")
        } else {
            (c.secret_id.as_str(), c.secret_key.as_str())
        };
        let tok = if r2_given {
            "(as given)"
        } else {
            r.api_token.as_str()
        };
        let export = |name: &str, value: &str, given: bool| {
            if given {
                format!("# {name}: the value given to the emulator\n")
            } else {
                format!("export {name}={value}\n")
            }
        };
        let mut s = format!(
            "bucket-admin emulator listening on {addr}\n\
             COS endpoint:   {cos} (send Host: <bucket>-{appid}.cos.{region}.myqcloud.com)\n\
             COS SecretId:   {sid}\nCOS SecretKey:  {skey}\nCOS APPID:      {appid}\nCOS region:     {region}\n",
            addr = self.addr,
            cos = self.cos_endpoint(),
            appid = c.appid,
            region = c.region,
        );
        if let Some(t) = self.cos_temporary_credentials() {
            s += &format!(
                "COS temporary SecretId: {}\nCOS temporary SecretKey: {}\nCOS session token: (as given)\n",
                t.secret_id, t.secret_key
            );
        }
        s += &format!(
            "R2 base URL:    {base}\nR2 account id:  {acct}\nR2 API token:   {tok}\n\
             R2 S3 endpoint: {s3} (path-style, region auto; s3://<bucket>?profile=r2&endpoint={s3})\n\
             R2 S3 key id:   {s3id}\nR2 S3 secret:   {s3secret}\n\
             fault seed:     {seed} (replay with --fault-seed {seed})\n\n",
            seed = self.faults().seed(),
            base = self.r2_base_url(),
            acct = r.account_id,
            s3 = self.r2_s3_endpoint(),
            s3id = self.shared.r2_s3.access_key_id,
            s3secret = if self.shared.r2_s3_given {
                "(as given)"
            } else {
                self.shared.r2_s3.secret_access_key.as_str()
            },
        );
        s += &export("COS_SECRET_ID", &c.secret_id, cos_given);
        s += &export("COS_SECRET_KEY", &c.secret_key, cos_given);
        s += &format!(
            "export COS_REGION={region}\nexport COS_APPID={appid}\nexport COS_ENDPOINT={cos}\n",
            region = c.region,
            appid = c.appid,
            cos = self.cos_endpoint(),
        );
        s += &export("CLOUDFLARE_API_TOKEN", &r.api_token, r2_given);
        s += &format!(
            "export CLOUDFLARE_ACCOUNT_ID={acct}\nexport CLOUDFLARE_BASE_URL={base}",
            acct = r.account_id,
            base = self.r2_base_url(),
        );
        s
    }
}
