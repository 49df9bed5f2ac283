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
//! Every request is recorded (headers included, `Authorization` kept so tests can check that
//! each retry was freshly signed) and [`Faults`] can inject throttling, server errors, dropped
//! connections, truncated or corrupt bodies, stalls and clock-skew errors.
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

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::SystemTime;

mod cos;
mod faults;
mod r2;
mod server;
mod state;

pub use bucket_admin_core::Jurisdiction;
pub use faults::{Api, Fault, FaultRule, Faults, Latency};

/// Errors starting the emulator.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// Binding the listener or reading/writing the data directory failed.
    #[error("emulator I/O error: {0}")]
    Io(#[from] std::io::Error),
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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            cos_max_buckets: 200,
            r2_max_buckets: 1000,
            max_page_size: None,
        }
    }
}

/// The permanent COS account the emulator accepts. Emulator-only values, safe to print.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// Temporary COS credentials: requests signed with this SecretId must carry
/// `x-cos-security-token: <token>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosTemporaryCredentials {
    /// Temporary SecretId.
    pub secret_id: String,
    /// Temporary SecretKey.
    pub secret_key: String,
    /// The session token that must accompany every request.
    pub token: String,
}

/// The R2 account the emulator accepts. Emulator-only values, safe to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct R2Credentials {
    /// 32 lowercase hex digits.
    pub account_id: String,
    /// The bearer API token.
    pub api_token: String,
}

/// One request as the emulator received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// Which API it was addressed to.
    pub api: Api,
    /// HTTP method, e.g. `PUT`.
    pub method: String,
    /// Raw (still percent-encoded) path.
    pub path: String,
    /// Raw query string without the `?` (empty when none).
    pub query: String,
    /// Every header, names lowercased, in received order (`Authorization` included).
    pub headers: Vec<(String, String)>,
    /// The request body (empty when the body exceeded the size cap).
    pub body: Vec<u8>,
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

/// Configures and starts an [`Emulator`].
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    bind: SocketAddr,
    data_dir: Option<PathBuf>,
    limits: Limits,
    cos: CosCredentials,
    cos_token: Option<String>,
    r2: R2Credentials,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: None,
            limits: Limits::default(),
            cos: CosCredentials {
                appid: "1250000000".into(),
                secret_id: "AKIDEMULATOR0000000000000000000000".into(),
                secret_key: "EmulatorSecretKey000000000000000".into(),
                region: "ap-beijing".into(),
                owner_uin: "100000000001".into(),
            },
            cos_token: None,
            r2: R2Credentials {
                account_id: "0123456789abcdef0123456789abcdef".into(),
                api_token: "emulator-r2-api-token-0000000000000000000".into(),
            },
        }
    }
}

impl EmulatorBuilder {
    /// Listen on `addr` (default `127.0.0.1:0`, an ephemeral port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }
    /// Persist state as JSON in `dir` after every change, and load it at start.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }
    /// Use this COS account instead of the default one.
    pub fn cos_account(
        mut self,
        appid: impl Into<String>,
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Self {
        self.cos.appid = appid.into();
        self.cos.secret_id = secret_id.into();
        self.cos.secret_key = secret_key.into();
        self
    }
    /// Use this default COS region (reported for buckets created without a region host).
    pub fn cos_region(mut self, region: impl Into<String>) -> Self {
        self.cos.region = region.into();
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
        self.r2.account_id = account_id.into();
        self.r2.api_token = api_token.into();
        self
    }
    /// Account quotas and page sizes (see [`Limits`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
    /// Bind, load any persisted state and start serving.
    pub async fn start(self) -> Result<Emulator, EmulatorError> {
        if !self.cos.appid.chars().all(|c| c.is_ascii_digit()) || self.cos.appid.is_empty() {
            return Err(EmulatorError::Config("the COS appid must be digits".into()));
        }
        let temp = self.cos_token.map(|token| CosTemporaryCredentials {
            secret_id: format!("AKIDTMP{}", random_alnum(29)),
            secret_key: random_alnum(32),
            token,
        });
        let store = state::Store::open(self.data_dir)?;
        server::start(self.bind, self.cos, temp, self.r2, store, self.limits).await
    }
}

pub(crate) fn random_alnum(n: usize) -> String {
    std::iter::repeat_with(fastrand::alphanumeric)
        .take(n)
        .collect()
}

/// A running emulator. Dropping it shuts the server down.
#[derive(Debug)]
pub struct Emulator {
    shared: Arc<server::Shared>,
    addr: SocketAddr,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Emulator {
    /// Start on `127.0.0.1:0`, in memory, with the default credentials.
    pub async fn start() -> Result<Emulator, EmulatorError> {
        Self::builder().start().await
    }
    /// A builder for custom credentials, address or persistence.
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
    /// The permanent COS credentials.
    pub fn cos_credentials(&self) -> &CosCredentials {
        &self.shared.cos
    }
    /// The temporary COS credentials, when the builder set a session token.
    pub fn cos_temporary_credentials(&self) -> Option<&CosTemporaryCredentials> {
        self.shared.cos_temp.as_ref()
    }
    /// The R2 credentials.
    pub fn r2_credentials(&self) -> &R2Credentials {
        &self.shared.r2
    }
    /// Fault controls.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }
    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests().clone()
    }
    /// How many requests were received.
    pub fn request_count(&self) -> usize {
        self.shared.requests().len()
    }
    /// Forget the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.requests().clear();
    }
    /// Offset the server clock by `seconds` (positive: the server is ahead). Affects the COS
    /// key-time check and the `Date` header.
    pub fn set_clock_skew(&self, seconds: i64) {
        self.shared.skew.store(seconds, Ordering::SeqCst);
    }
    /// Test hook: make a COS bucket (full `name-appid`) non-empty, so deleting it answers 409
    /// `BucketNotEmpty`. Returns false when the bucket does not exist.
    pub fn put_object_marker(&self, bucket: &str) -> bool {
        self.shared.store.write(|s| match s.cos.get_mut(bucket) {
            Some(b) => {
                b.objects += 1;
                true
            }
            None => false,
        })
    }
    /// Test hook: make an R2 bucket non-empty, so deleting it answers 409 code 10008.
    /// Returns false when the bucket does not exist in that jurisdiction.
    pub fn put_r2_object_marker(&self, jurisdiction: Jurisdiction, bucket: &str) -> bool {
        self.shared.store.write(|s| {
            match s.r2.get_mut(&jurisdiction).and_then(|m| m.get_mut(bucket)) {
                Some(b) => {
                    b.objects += 1;
                    true
                }
                None => false,
            }
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
    /// Human-readable endpoints, credentials and `export` lines for shells. The credentials
    /// are emulator-only, so printing them is fine.
    pub fn connection_info(&self) -> String {
        let c = self.cos_credentials();
        let r = self.r2_credentials();
        let mut s = format!(
            "bucket-admin emulator listening on {addr}\n\
             COS endpoint:   {cos} (send Host: <bucket>-{appid}.cos.{region}.myqcloud.com)\n\
             COS SecretId:   {sid}\nCOS SecretKey:  {skey}\nCOS APPID:      {appid}\nCOS region:     {region}\n",
            addr = self.addr,
            cos = self.cos_endpoint(),
            appid = c.appid,
            region = c.region,
            sid = c.secret_id,
            skey = c.secret_key,
        );
        if let Some(t) = self.cos_temporary_credentials() {
            s += &format!(
                "COS temporary SecretId: {}\nCOS temporary SecretKey: {}\nCOS session token: {}\n",
                t.secret_id, t.secret_key, t.token
            );
        }
        s += &format!(
            "R2 base URL:    {base}\nR2 account id:  {acct}\nR2 API token:   {tok}\n\n\
             export COS_SECRET_ID={sid}\nexport COS_SECRET_KEY={skey}\nexport COS_REGION={region}\n\
             export COS_APPID={appid}\nexport COS_ENDPOINT={cos}\n\
             export CLOUDFLARE_API_TOKEN={tok}\nexport CLOUDFLARE_ACCOUNT_ID={acct}\n\
             export CLOUDFLARE_BASE_URL={base}",
            base = self.r2_base_url(),
            acct = r.account_id,
            tok = r.api_token,
            sid = c.secret_id,
            skey = c.secret_key,
            region = c.region,
            appid = c.appid,
            cos = self.cos_endpoint(),
        );
        s
    }
}
