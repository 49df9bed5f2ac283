//! Fault injection: scripted faults, latency, a seeded random error rate and Cloudflare's
//! rate limit.
//!
//! Faults are decided *before* routing, so a fault never mutates state: a request that gets
//! `SlowDown` did not create a bucket, exactly like a throttled request on the real service.
//!
//! Everything random (the error rate, latency jitter) draws from one PRNG seeded with
//! [`Faults::seed`], so a run with the same seed and the same request sequence gets the same
//! faults (`--fault-seed N`).

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use crate::server::{Body, ConnCtl, Req, Response, Shared};

/// Which API a request was addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Api {
    /// The Tencent COS XML API (virtual-host addressed).
    Cos,
    /// The Cloudflare R2 REST API (`/client/v4/...`).
    R2,
}

/// What a faulted request gets instead of (or before) its normal answer.
///
/// Besides the ordinary failures (throttling, server errors, broken connections), the
/// *hostile answers* let client tests check that nothing else is ever read as "not
/// configured" or as an empty list:
///
/// | fault | COS | R2 |
/// | --- | --- | --- |
/// | [`ErrorIn200`](Fault::ErrorIn200) | 200 with an `<Error>` document | 200, `success: true` with a non-empty `errors` list |
/// | [`HtmlIn200`](Fault::HtmlIn200) | 200 `text/html` page | same |
/// | [`WrongRoot`](Fault::WrongRoot) | 200 with another configuration document (`<LifecycleConfiguration>` to `?cors`, `<CORSConfiguration>` otherwise) | 200 whose `result` has the wrong shape (a string) |
/// | [`NotConfigured`](Fault::NotConfigured) | `status` with the sub-resource's `NoSuch…` code | `status` with code 10059 |
/// | [`EndlessPages`](Fault::EndlessPages) | list buckets: one bucket, `IsTruncated` true, the same `NextMarker` forever | list buckets: one bucket and a cursor that never ends |
/// | [`HugeBody`](Fault::HugeBody) | `status` with a body of `bytes` bytes, streamed (never allocated) | same |
/// | [`TooManyRequestsUntil`](Fault::TooManyRequestsUntil) | 429 with `Retry-After` as an HTTP date | same |
///
/// Use [`FaultRule::always`] for faults that must hit every request (endless pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// COS: 503 `<Code>SlowDown</Code>`; R2: 503 envelope code 10043.
    SlowDown,
    /// COS: 500 `InternalError`; R2: 500 envelope code 10001.
    InternalError,
    /// 429 with `Retry-After: retry_after_secs`; COS code `TooManyRequests`, R2 code 10058.
    TooManyRequests {
        /// Value of the `Retry-After` header, in seconds.
        retry_after_secs: u64,
    },
    /// 429 like [`TooManyRequests`](Fault::TooManyRequests), with `Retry-After` given as an
    /// HTTP date this many seconds after the server clock.
    TooManyRequestsUntil {
        /// Seconds from now to the date in `Retry-After`.
        seconds_from_now: u64,
    },
    /// Close the TCP connection without sending any response byte.
    ResetConnection,
    /// Send the status line and headers with a `Content-Length` larger than the body, then
    /// close the connection.
    TruncateBody,
    /// 200 with a corrupt XML (COS) or JSON (R2) body.
    MalformedBody,
    /// Hold the request this long, then answer normally (use it to trip client timeouts).
    Stall(Duration),
    /// COS: 403 `RequestTimeTooSkewed` (with the server `Date` header); R2: 403 envelope.
    RequestTimeTooSkewed,
    /// 200 whose body is an error: COS an `<Error>` document, R2 an envelope with
    /// `success: true` and a non-empty `errors` list.
    ErrorIn200,
    /// 200 with an HTML page (a captive portal or a proxy's error page).
    HtmlIn200,
    /// 200 with a well-formed answer to a different question: COS another configuration
    /// document (wrong root element), R2 a `result` of the wrong shape.
    WrongRoot,
    /// `status` carrying the "not configured" code of the sub-resource asked (COS
    /// `NoSuchCORSConfiguration` for `?cors` and so on; R2 10059), e.g. 503 instead of 404.
    NotConfigured {
        /// The (wrong) HTTP status.
        status: u16,
    },
    /// List buckets never ends: every page holds one bucket and says there is another page
    /// with the same marker / cursor. Other requests answer normally.
    EndlessPages,
    /// `status` with a body of `bytes` bytes, generated while it is sent.
    HugeBody {
        /// HTTP status.
        status: u16,
        /// Body size in bytes (sent as `Content-Length`).
        bytes: u64,
    },
}

/// A scripted fault: the next `times` requests matching every set filter get `fault`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// Only requests to this API (`None`: both).
    pub api: Option<Api>,
    /// Only requests with this method, compared case-insensitively (`None`: any). The
    /// special value `write` matches every method but `GET`, `HEAD` and `OPTIONS`.
    pub method: Option<String>,
    /// Only requests whose `path?query` contains this text (`None`: any).
    pub path_contains: Option<String>,
    /// How many matching requests get the fault; the rule is dropped once used up.
    /// `usize::MAX` ([`FaultRule::always`]) never runs out.
    pub times: usize,
    /// What they get.
    pub fault: Fault,
}

impl FaultRule {
    /// A rule hitting the next single request of any kind with `fault`.
    pub fn new(fault: Fault) -> Self {
        Self {
            api: None,
            method: None,
            path_contains: None,
            times: 1,
            fault,
        }
    }
    /// Apply to the next `n` matching requests.
    pub fn times(mut self, n: usize) -> Self {
        self.times = n;
        self
    }
    /// Apply to every matching request, until [`Faults::clear`].
    pub fn always(mut self) -> Self {
        self.times = usize::MAX;
        self
    }
    /// Only requests to `api`.
    pub fn api(mut self, api: Api) -> Self {
        self.api = Some(api);
        self
    }
    /// Only requests with this HTTP method (`write`: any method that changes something).
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }
    /// Only requests whose `path?query` contains `text`.
    pub fn path_contains(mut self, text: impl Into<String>) -> Self {
        self.path_contains = Some(text.into());
        self
    }

    fn matches(&self, api: Api, method: &str, target: &str) -> bool {
        self.api.is_none_or(|a| a == api)
            && self.method.as_deref().is_none_or(|m| {
                if m.eq_ignore_ascii_case("write") {
                    !["GET", "HEAD", "OPTIONS"]
                        .iter()
                        .any(|r| r.eq_ignore_ascii_case(method))
                } else {
                    m.eq_ignore_ascii_case(method)
                }
            })
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| target.contains(p))
    }
}

/// A rule that does not parse (`--fault`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault rule `{rule}`: {reason}")]
pub struct FaultRuleError {
    rule: String,
    reason: String,
}

/// Parse a duration: `30s`, `20ms`, `1.5s`, `2m` (a bare number is seconds).
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (e.g. 30s, 20ms)"))?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "s" | "" => n,
        "m" | "min" => n * 60.0,
        other => return Err(format!("unknown unit `{other}` in `{s}` (use ms, s or m)")),
    };
    Duration::try_from_secs_f64(secs).map_err(|_| format!("`{s}` is out of range"))
}

impl FromStr for FaultRule {
    type Err = FaultRuleError;

    /// `FAULT[:ARG][,api=cos|r2][,method=M|write][,path=TEXT][,times=N|always]`, e.g.
    /// `slowdown,method=PUT,path=?cors,times=3`, `429:2,api=r2,method=write,times=always`,
    /// `reset`, `truncate`, `stall:30s`, `not-configured:503,path=cors`, `huge:268435456`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason: String| FaultRuleError {
            rule: s.to_owned(),
            reason,
        };
        let mut parts = s.split(',').map(str::trim);
        let head = parts.next().unwrap_or_default();
        let (kind, arg) = match head.split_once(':') {
            Some((k, a)) => (k.trim(), Some(a.trim())),
            None => (head, None),
        };
        let num = |default: Option<u64>| -> Result<u64, FaultRuleError> {
            match (arg, default) {
                (Some(a), _) => a
                    .parse()
                    .map_err(|_| err(format!("`{a}` is not a whole number"))),
                (None, Some(d)) => Ok(d),
                (None, None) => Err(err(format!("`{kind}` needs a value: `{kind}:N`"))),
            }
        };
        let status = |default: u64| -> Result<u16, FaultRuleError> {
            let n = num(Some(default))?;
            u16::try_from(n)
                .ok()
                .filter(|s| (100..=599).contains(s))
                .ok_or_else(|| err(format!("{n} is not an HTTP status")))
        };
        let fault = match kind.to_ascii_lowercase().as_str() {
            "slowdown" | "503" => Fault::SlowDown,
            "internal" | "internal-error" | "500" => Fault::InternalError,
            "429" | "too-many-requests" => Fault::TooManyRequests {
                retry_after_secs: num(Some(1))?,
            },
            "429-date" | "too-many-requests-until" => Fault::TooManyRequestsUntil {
                seconds_from_now: num(Some(1))?,
            },
            "reset" => Fault::ResetConnection,
            "truncate" => Fault::TruncateBody,
            "malformed" => Fault::MalformedBody,
            "stall" => Fault::Stall(parse_duration(arg.unwrap_or("30s")).map_err(err)?),
            "skew" | "skewed" => Fault::RequestTimeTooSkewed,
            "error-in-200" => Fault::ErrorIn200,
            "html" | "html-in-200" => Fault::HtmlIn200,
            "wrong-root" => Fault::WrongRoot,
            "not-configured" => Fault::NotConfigured {
                status: status(503)?,
            },
            "endless-pages" => Fault::EndlessPages,
            "huge" | "huge-body" => Fault::HugeBody {
                status: 200,
                bytes: num(Some(256 * 1024 * 1024))?,
            },
            other => {
                return Err(err(format!(
                    "unknown fault `{other}` (slowdown, internal, 429[:SECS], 429-date[:SECS], \
                     reset, truncate, malformed, stall[:DUR], skew, error-in-200, html, wrong-root, \
                     not-configured[:STATUS], endless-pages, huge[:BYTES])"
                )));
            }
        };
        let mut rule = FaultRule::new(fault);
        for part in parts.filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| err(format!("`{part}` is not key=value")))?;
            let v = v.trim();
            match k.trim() {
                "api" => {
                    rule.api = Some(match v.to_ascii_lowercase().as_str() {
                        "cos" => Api::Cos,
                        "r2" => Api::R2,
                        _ => return Err(err(format!("api `{v}` is not cos or r2"))),
                    })
                }
                "method" => rule.method = Some(v.to_owned()),
                "path" => rule.path_contains = Some(v.to_owned()),
                "times" => {
                    rule.times = if v == "always" {
                        usize::MAX
                    } else {
                        v.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                            err(format!("times `{v}` is not a positive number or `always`"))
                        })?
                    }
                }
                other => {
                    return Err(err(format!(
                        "unknown filter `{other}` (api, method, path, times)"
                    )));
                }
            }
        }
        Ok(rule)
    }
}

/// Latency added to every request before it is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Latency {
    /// No added latency.
    #[default]
    None,
    /// Always this long.
    Fixed(Duration),
    /// Uniformly distributed between `min` and `max`.
    Uniform {
        /// Lower bound.
        min: Duration,
        /// Upper bound.
        max: Duration,
    },
}

impl FromStr for Latency {
    type Err = String;

    /// `20ms`, `20ms±5ms` (or `20ms+-5ms`), `15ms..25ms`, `0` for none.
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if let Some((lo, hi)) = s.split_once("..") {
            let (min, max) = (parse_duration(lo)?, parse_duration(hi)?);
            return Ok(Latency::Uniform { min, max });
        }
        if let Some((mid, jitter)) = s.split_once('±').or_else(|| s.split_once("+-")) {
            let (mid, jitter) = (parse_duration(mid)?, parse_duration(jitter)?);
            return Ok(Latency::Uniform {
                min: mid.saturating_sub(jitter),
                max: mid + jitter,
            });
        }
        let d = parse_duration(s)?;
        Ok(if d.is_zero() {
            Latency::None
        } else {
            Latency::Fixed(d)
        })
    }
}

#[derive(Debug)]
struct Inner {
    rules: VecDeque<FaultRule>,
    latency: Latency,
    error_rate: f64,
    seed: u64,
    rng: fastrand::Rng,
}

/// The emulator's fault controls. Cheap to call from tests while the server runs.
#[derive(Debug)]
pub struct Faults {
    inner: Mutex<Inner>,
}

impl Default for Faults {
    fn default() -> Self {
        Self::with_seed(0)
    }
}

impl Faults {
    /// Fault controls whose random choices (error rate, latency jitter) follow `seed`.
    pub fn with_seed(seed: u64) -> Self {
        Self {
            inner: Mutex::new(Inner {
                rules: VecDeque::new(),
                latency: Latency::None,
                error_rate: 0.0,
                seed,
                rng: fastrand::Rng::with_seed(seed),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave it inconsistent (plain data), so recover.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The seed of the random choices (print it to replay a run with `--fault-seed`).
    pub fn seed(&self) -> u64 {
        self.lock().seed
    }

    /// Script a fault: the next `rule.times` matching requests get `rule.fault`. Rules are
    /// consulted in the order they were pushed.
    pub fn push(&self, rule: FaultRule) {
        if rule.times > 0 {
            self.lock().rules.push_back(rule);
        }
    }

    /// Set the latency added to every request.
    pub fn set_latency(&self, latency: Latency) {
        self.lock().latency = latency;
    }

    /// Make `rate` (0.0..=1.0) of requests answer 503 (COS `SlowDown`, R2 code 10043), chosen
    /// by a PRNG re-seeded with `seed` so a run is reproducible.
    pub fn set_error_rate(&self, rate: f64, seed: u64) {
        let mut g = self.lock();
        g.error_rate = if rate.is_finite() {
            rate.clamp(0.0, 1.0)
        } else {
            0.0
        };
        g.seed = seed;
        g.rng = fastrand::Rng::with_seed(seed);
    }

    /// Remove every scripted rule, the latency and the error rate.
    pub fn clear(&self) {
        let mut g = self.lock();
        g.rules.clear();
        g.latency = Latency::None;
        g.error_rate = 0.0;
    }

    /// Scripted uses not yet consumed (`usize::MAX` while an [`always`](FaultRule::always)
    /// rule is set).
    pub fn pending(&self) -> usize {
        self.lock()
            .rules
            .iter()
            .fold(0usize, |n, r| n.saturating_add(r.times))
    }

    /// The latency to apply to the next request.
    pub(crate) fn next_latency(&self) -> Duration {
        let mut g = self.lock();
        match g.latency {
            Latency::None => Duration::ZERO,
            Latency::Fixed(d) => d,
            Latency::Uniform { min, max } => {
                let (lo, hi) = (min.min(max), min.max(max));
                let span = (hi - lo).as_nanos().min(u128::from(u64::MAX)) as u64;
                lo + Duration::from_nanos(g.rng.u64(0..=span))
            }
        }
    }

    /// The fault for this request, consuming one use of the first matching scripted rule;
    /// otherwise a random `SlowDown` per the error rate.
    pub(crate) fn take(&self, api: Api, method: &str, target: &str) -> Option<Fault> {
        let mut g = self.lock();
        if let Some(i) = g.rules.iter().position(|r| r.matches(api, method, target)) {
            let fault = g.rules[i].fault.clone();
            if g.rules[i].times != usize::MAX {
                g.rules[i].times -= 1;
                if g.rules[i].times == 0 {
                    g.rules.remove(i);
                }
            }
            return Some(fault);
        }
        if g.error_rate > 0.0 && g.rng.f64() < g.error_rate {
            return Some(Fault::SlowDown);
        }
        None
    }
}

/// Cloudflare's API rate limit: at most `max` requests per client in any sliding `window`
/// (`--r2-rate-limit 1200/300`: Cloudflare's 1,200 requests per 5 minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in one window.
    pub max: u32,
    /// The sliding window.
    pub window: Duration,
}

impl RateLimit {
    /// Cloudflare's documented limit: 1,200 requests per 5 minutes per user or token.
    pub const CLOUDFLARE: RateLimit = RateLimit {
        max: 1200,
        window: Duration::from_secs(300),
    };
    /// COS's documented limit on bucket create/delete/list: 50 per second per APPID.
    pub const COS_BUCKET_MANAGEMENT: RateLimit = RateLimit {
        max: 50,
        window: Duration::from_secs(1),
    };
}

impl FromStr for RateLimit {
    type Err = String;

    /// `MAX/WINDOW`: `1200/300` (seconds), `1200/5m`, `10/500ms`.
    fn from_str(s: &str) -> Result<Self, String> {
        let (max, window) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` is not MAX/WINDOW (e.g. 1200/300)"))?;
        let max: u32 = max
            .trim()
            .parse()
            .ok()
            .filter(|m| *m > 0)
            .ok_or_else(|| format!("`{max}` is not a positive request count"))?;
        let window = parse_duration(window)?;
        if window.is_zero() {
            return Err("the window must be longer than 0".into());
        }
        Ok(RateLimit { max, window })
    }
}

/// Why a request was refused by the rate limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Denied {
    pub limit: RateLimit,
    /// Until the oldest counted request leaves the window.
    pub retry_after: Duration,
}

/// Sliding-window counters per client. The clock is passed in, so tests drive it.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: RateLimit,
    clients: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Count a request from `client` at `now`, or refuse it when the client already made
    /// `max` requests in the window ending at `now`. Refused requests are not counted, so a
    /// client that paces itself gets through as soon as its oldest request ages out.
    pub(crate) fn check(&self, client: &str, now: Instant) -> Result<(), Denied> {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        // Forget clients whose every request aged out, so the map stays bounded by the
        // clients active in one window.
        if clients.len() > 10_000 {
            clients.retain(|_, q| {
                q.back()
                    .is_some_and(|t| now.saturating_duration_since(*t) < self.limit.window)
            });
        }
        let q = clients.entry(client.to_owned()).or_default();
        while q
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= self.limit.window)
        {
            q.pop_front();
        }
        if q.len() >= self.limit.max as usize {
            let oldest = q.front().copied().unwrap_or(now);
            return Err(Denied {
                limit: self.limit,
                retry_after: self
                    .limit
                    .window
                    .saturating_sub(now.saturating_duration_since(oldest)),
            });
        }
        q.push_back(now);
        Ok(())
    }
}

/// A rate-limit key for an `Authorization` value that never keeps the token itself.
pub(crate) fn client_key(authorization: &str) -> String {
    use sha1::{Digest, Sha1};
    hex::encode(Sha1::digest(authorization.as_bytes()))
}

/// The configuration document a sub-resource query asks for, and its "not configured" code.
fn cos_subresource(query: &str) -> (&'static str, &'static str) {
    let has = |k: &str| query.split('&').any(|p| p.split('=').next() == Some(k));
    if has("lifecycle") {
        ("LifecycleConfiguration", "NoSuchLifecycleConfiguration")
    } else if has("replication") {
        (
            "ReplicationConfiguration",
            "ReplicationConfigurationnotFoundError",
        )
    } else if has("policy") {
        ("Policy", "NoSuchBucketPolicy")
    } else if has("versioning") {
        ("VersioningConfiguration", "NoSuchVersioningConfiguration")
    } else {
        ("CORSConfiguration", "NoSuchCORSConfiguration")
    }
}

/// What a huge body is made of after its opening bytes (whitespace: well-formed so far, so a
/// client has to read on).
static FILLER: [u8; 16 * 1024] = [b' '; 16 * 1024];

const HTML_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The proxy could not reach the upstream server.</p></body></html>\n";

/// The response for a fault, or `None` to continue normally (after a stall, or an
/// endless-pages fault on a request that is not a list).
pub(crate) async fn apply(
    sh: &Shared,
    ctl: &ConnCtl,
    api: Api,
    req: &Req,
    fault: Fault,
) -> Option<Response> {
    let cos = |status, code, msg| crate::cos::error(sh, req, status, code, msg);
    Some(match (fault, api) {
        (Fault::SlowDown, Api::Cos) => cos(503, "SlowDown", "Please reduce your request rate."),
        (Fault::SlowDown, Api::R2) => crate::r2::error(
            503,
            10043,
            "Service unavailable: please slow down and retry.",
        ),
        (Fault::InternalError, Api::Cos) => cos(
            500,
            "InternalError",
            "We encountered an internal error. Please try again.",
        ),
        (Fault::InternalError, Api::R2) => {
            crate::r2::error(500, 10001, "We encountered an internal error. Please try again.")
        }
        (fault @ (Fault::TooManyRequests { .. } | Fault::TooManyRequestsUntil { .. }), api) => {
            let mut resp = match api {
                Api::Cos => cos(429, "TooManyRequests", "Please reduce your request rate."),
                Api::R2 => crate::r2::error(429, 10058, "Too many requests."),
            };
            let value = match fault {
                Fault::TooManyRequestsUntil { seconds_from_now } => httpdate::fmt_http_date(
                    sh.now() + Duration::from_secs(seconds_from_now.min(100 * 365 * 86_400)),
                ),
                Fault::TooManyRequests { retry_after_secs } => retry_after_secs.to_string(),
                _ => String::new(),
            };
            if let Ok(v) = value.parse() {
                resp.headers_mut().insert("retry-after", v);
            }
            resp
        }
        (Fault::ResetConnection, _) => {
            ctl.kill();
            Response::new(Body::empty())
        }
        (Fault::TruncateBody, api) => {
            let (ctype, body): (&str, &str) = match api {
                Api::Cos => (
                    "application/xml",
                    "<?xml version='1.0' encoding='utf-8' ?>\n<ListAllMyBucketsResult>\n\t<Owner>",
                ),
                Api::R2 => ("application/json", "{\"success\":true,\"errors\":[],\"res"),
            };
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nDate: {}\r\nx-cos-request-id: {}\r\ncf-ray: {}\r\nConnection: keep-alive\r\n\r\n{body}",
                body.len() + 4096,
                sh.http_date(),
                crate::cos::new_id(),
                crate::r2::ray_id(),
            );
            ctl.hijack(Bytes::from(head));
            Response::new(Body::empty())
        }
        (Fault::MalformedBody, Api::Cos) => crate::cos::xml_response(
            sh,
            200,
            "<?xml version='1.0' encoding='utf-8' ?>\n<CORSConfiguration>\n\t<CORSRule>\n\t\t<AllowedOrigin>https://exa</Allowed".into(),
        ),
        (Fault::MalformedBody, Api::R2) => {
            crate::r2::raw_json(200, "{\"success\": true, \"errors\": [], \"result\": {\"rules\": [".into())
        }
        (Fault::Stall(d), _) => {
            sh.sleep(d).await;
            return None;
        }
        (Fault::RequestTimeTooSkewed, Api::Cos) => cos(
            403,
            "RequestTimeTooSkewed",
            "The difference between the request time and the server's time is too large.",
        ),
        (Fault::RequestTimeTooSkewed, Api::R2) => crate::r2::error(
            403,
            10003,
            "The difference between the request time and the server's time is too large.",
        ),
        (Fault::ErrorIn200, Api::Cos) => {
            let mut r = cos(500, "InternalError", "We encountered an internal error. Please try again.");
            *r.status_mut() = http::StatusCode::OK;
            r
        }
        (Fault::ErrorIn200, Api::R2) => crate::r2::raw_json(
            200,
            serde_json::json!({
                "success": true,
                "errors": [{"code": 10001, "message": "We encountered an internal error. Please try again."}],
                "messages": [],
                "result": null
            })
            .to_string(),
        ),
        (Fault::HtmlIn200, _) => {
            crate::cos::response(sh, 200, Some("text/html; charset=utf-8"), HTML_PAGE.into())
        }
        (Fault::WrongRoot, Api::Cos) => {
            let (asked, _) = cos_subresource(&req.query);
            let body = if asked == "LifecycleConfiguration" {
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CORSConfiguration>\n\t<CORSRule>\n\t\t<AllowedOrigin>*</AllowedOrigin>\n\t\t<AllowedMethod>GET</AllowedMethod>\n\t</CORSRule>\n</CORSConfiguration>\n"
            } else {
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LifecycleConfiguration>\n\t<Rule>\n\t\t<ID>other</ID>\n\t\t<Filter><Prefix></Prefix></Filter>\n\t\t<Status>Enabled</Status>\n\t\t<Expiration><Days>1</Days></Expiration>\n\t</Rule>\n</LifecycleConfiguration>\n"
            };
            crate::cos::xml_response(sh, 200, body.into())
        }
        (Fault::WrongRoot, Api::R2) => crate::r2::raw_json(
            200,
            "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":\"unexpected\"}".into(),
        ),
        (Fault::NotConfigured { status }, Api::Cos) => {
            let (_, code) = cos_subresource(&req.query);
            cos(status, code, "The configuration does not exist.")
        }
        (Fault::NotConfigured { status }, Api::R2) => crate::r2::error(
            status,
            10059,
            "The CORS configuration does not exist.",
        ),
        (Fault::EndlessPages, api) => return endless_page(sh, api, req),
        (Fault::HugeBody { status, bytes }, api) => {
            let (ctype, prefix, filler): (&str, &'static [u8], &'static [u8]) = match api {
                Api::Cos => (
                    "application/xml",
                    b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyBucketsResult>",
                    &FILLER,
                ),
                Api::R2 => (
                    "application/json",
                    b"{\"success\":true,\"errors\":[],\"messages\":[],\"result\":[",
                    &FILLER,
                ),
            };
            let mut r = Response::new(Body::generated(prefix, filler, bytes));
            *r.status_mut() =
                http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
            let h = r.headers_mut();
            h.insert("content-type", http::HeaderValue::from_static(ctype));
            if let Ok(v) = http::HeaderValue::from_str(&bytes.to_string()) {
                h.insert("content-length", v);
            }
            r
        }
    })
}

/// One more page of a list that never ends; `None` for requests that are not a list.
fn endless_page(sh: &Shared, api: Api, req: &Req) -> Option<Response> {
    if req.method != http::Method::GET {
        return None;
    }
    match api {
        Api::Cos => {
            let host = req.header("host").unwrap_or_default().to_ascii_lowercase();
            let host = host.split(':').next().unwrap_or_default();
            if req.path != "/"
                || !matches!(
                    crate::cos::parse_host(host),
                    Some(crate::cos::Target::Service { .. })
                )
            {
                return None;
            }
            let n = fastrand::u32(..);
            let appid = &sh.cos.appid;
            let body = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyBucketsResult>\n\t<Owner>\n\t\t<ID>qcs::cam::uin/{uin}:uin/{uin}</ID>\n\t\t<DisplayName>{uin}</DisplayName>\n\t</Owner>\n\t<Buckets>\n\t\t<Bucket>\n\t\t\t<Name>endless-{n}-{appid}</Name>\n\t\t\t<Location>{region}</Location>\n\t\t\t<CreationDate>2024-01-01T00:00:00Z</CreationDate>\n\t\t\t<BucketType>cos</BucketType>\n\t\t</Bucket>\n\t</Buckets>\n\t<Marker>endless</Marker>\n\t<NextMarker>endless</NextMarker>\n\t<IsTruncated>true</IsTruncated>\n</ListAllMyBucketsResult>\n",
                uin = sh.cos.owner_uin,
                region = sh.cos.region,
            );
            Some(crate::cos::xml_response(sh, 200, body))
        }
        Api::R2 => {
            if !req.path.trim_end_matches('/').ends_with("/r2/buckets") {
                return None;
            }
            let n = fastrand::u32(..);
            Some(crate::r2::ok_with_info(
                serde_json::json!({"buckets": [{
                    "name": format!("endless-{n}"),
                    "creation_date": "2024-01-01T00:00:00.000Z",
                    "location": "WNAM",
                    "storage_class": "Standard",
                    "jurisdiction": "default",
                }]}),
                Some(serde_json::json!({"cursor": "ZW5kbGVzcw", "per_page": 1})),
            ))
        }
    }
}

/// When a retried request is allowed again, as Cloudflare says it.
pub(crate) fn retry_after_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}s", self.max, self.window.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_rules_are_consumed_exactly() {
        let f = Faults::default();
        f.push(
            FaultRule::new(Fault::SlowDown)
                .times(2)
                .api(Api::Cos)
                .method("get")
                .path_contains("cors"),
        );
        assert_eq!(f.take(Api::R2, "GET", "/?cors"), None);
        assert_eq!(f.take(Api::Cos, "PUT", "/?cors"), None);
        assert_eq!(f.take(Api::Cos, "GET", "/?cors"), Some(Fault::SlowDown));
        assert_eq!(f.pending(), 1);
        assert_eq!(f.take(Api::Cos, "GET", "/?cors"), Some(Fault::SlowDown));
        assert_eq!(f.take(Api::Cos, "GET", "/?cors"), None);
    }

    #[test]
    fn error_rate_is_seeded_and_bounded() {
        let f = Faults::default();
        f.set_error_rate(1.0, 7);
        assert_eq!(f.take(Api::R2, "GET", "/"), Some(Fault::SlowDown));
        f.set_error_rate(f64::NAN, 7);
        assert_eq!(f.take(Api::R2, "GET", "/"), None);
        f.set_latency(Latency::Uniform {
            min: Duration::from_millis(5),
            max: Duration::from_millis(1),
        });
        let d = f.next_latency();
        assert!(d >= Duration::from_millis(1) && d <= Duration::from_millis(5));
    }

    #[test]
    fn the_same_seed_replays_the_same_faults() {
        let run = |seed| {
            let f = Faults::with_seed(seed);
            f.set_error_rate(0.5, seed);
            f.set_latency("20ms±5ms".parse().unwrap());
            (0..200)
                .map(|_| (f.take(Api::R2, "GET", "/").is_some(), f.next_latency()))
                .collect::<Vec<_>>()
        };
        let a = run(42);
        assert_eq!(a, run(42));
        assert_ne!(a, run(43));
        let faulted = a.iter().filter(|(f, _)| *f).count();
        assert!((50..150).contains(&faulted), "{faulted} of 200 at rate 0.5");
        assert!(
            a.iter().all(|(_, d)| {
                (Duration::from_millis(15)..=Duration::from_millis(25)).contains(d)
            })
        );
    }

    #[test]
    fn rules_parse_from_the_command_line_syntax() {
        let r: FaultRule = "slowdown,method=PUT,path=?cors,times=3".parse().unwrap();
        assert_eq!(
            r,
            FaultRule::new(Fault::SlowDown)
                .method("PUT")
                .path_contains("?cors")
                .times(3)
        );
        let r: FaultRule = "429:2,api=r2,method=write,times=always".parse().unwrap();
        assert_eq!(
            r,
            FaultRule::new(Fault::TooManyRequests {
                retry_after_secs: 2
            })
            .api(Api::R2)
            .method("write")
            .always()
        );
        assert!(r.matches(Api::R2, "PUT", "/x"));
        assert!(r.matches(Api::R2, "DELETE", "/x"));
        assert!(!r.matches(Api::R2, "GET", "/x"));
        assert!(!r.matches(Api::Cos, "PUT", "/x"));
        assert_eq!(
            "stall:30s".parse::<FaultRule>().unwrap().fault,
            Fault::Stall(Duration::from_secs(30))
        );
        assert_eq!(
            "not-configured:503".parse::<FaultRule>().unwrap().fault,
            Fault::NotConfigured { status: 503 }
        );
        assert_eq!(
            "huge:1000".parse::<FaultRule>().unwrap().fault,
            Fault::HugeBody {
                status: 200,
                bytes: 1000
            }
        );
        assert_eq!(
            "reset".parse::<FaultRule>().unwrap().fault,
            Fault::ResetConnection
        );
        assert_eq!(
            "truncate".parse::<FaultRule>().unwrap().fault,
            Fault::TruncateBody
        );
        for bad in [
            "nope",
            "429:x",
            "slowdown,times=0",
            "slowdown,api=s3",
            "slowdown,x",
            "not-configured:99",
        ] {
            let e = bad.parse::<FaultRule>().unwrap_err().to_string();
            assert!(e.contains(bad), "{e}");
        }
        assert_eq!(
            "20ms±5ms".parse::<Latency>().unwrap(),
            Latency::Uniform {
                min: Duration::from_millis(15),
                max: Duration::from_millis(25)
            }
        );
        assert_eq!(
            "20ms".parse::<Latency>().unwrap(),
            Latency::Fixed(Duration::from_millis(20))
        );
        assert_eq!("0".parse::<Latency>().unwrap(), Latency::None);
    }

    #[test]
    fn always_rules_never_run_out() {
        let f = Faults::default();
        f.push(FaultRule::new(Fault::EndlessPages).always());
        for _ in 0..1000 {
            assert_eq!(f.take(Api::R2, "GET", "/"), Some(Fault::EndlessPages));
        }
        assert_eq!(f.pending(), usize::MAX);
        f.clear();
        assert_eq!(f.take(Api::R2, "GET", "/"), None);
    }

    #[test]
    fn rate_limit_answers_429_exactly_past_the_limit_in_a_sliding_window() {
        let limit: RateLimit = "1200/300".parse().unwrap();
        assert_eq!(limit, RateLimit::CLOUDFLARE);
        let rl = RateLimiter::new(limit);
        let t0 = Instant::now();
        // 1,200 requests spread over the first 100 s all pass.
        for i in 0..1200u64 {
            let at = t0 + Duration::from_millis(i * 83);
            assert_eq!(rl.check("a", at), Ok(()), "request {}", i + 1);
        }
        // The 1,201st inside the window is refused, until the first one is 300 s old.
        let denied = rl.check("a", t0 + Duration::from_secs(200)).unwrap_err();
        assert_eq!(denied.retry_after, Duration::from_secs(100));
        assert_eq!(retry_after_secs(denied.retry_after), 100);
        assert!(rl.check("a", t0 + Duration::from_millis(299_999)).is_err());
        // Another client has its own window.
        assert_eq!(rl.check("b", t0 + Duration::from_secs(200)), Ok(()));
        // Sliding: at 300 s the first request aged out, so exactly one more passes.
        assert_eq!(rl.check("a", t0 + Duration::from_secs(300)), Ok(()));
        assert!(rl.check("a", t0 + Duration::from_secs(300)).is_err());
        // Refused requests were not counted: after the whole window, 1,200 pass again.
        let later = t0 + Duration::from_secs(1000);
        for _ in 0..1200 {
            assert_eq!(rl.check("a", later), Ok(()));
        }
        assert!(rl.check("a", later).is_err());
    }

    #[test]
    fn the_error_rate_faults_draws_strictly_below_it_and_a_zero_rate_draws_nothing() {
        // The first draw of seed 7, used as the rate itself: a draw equal to the rate is not a
        // fault (the fraction faulted is the rate, not a hair more).
        let first = fastrand::Rng::with_seed(7).f64();
        assert!(first > 0.0 && first < 1.0);
        let f = Faults::default();
        f.set_error_rate(first, 7);
        assert_eq!(f.take(Api::Cos, "GET", "/"), None);
        f.set_error_rate(first + f64::EPSILON, 7);
        assert_eq!(f.take(Api::Cos, "GET", "/"), Some(Fault::SlowDown));
        // With no error rate, requests consume no randomness: the latency jitter replays the
        // same whatever the number of requests between draws.
        let jitter: Latency = "20ms±5ms".parse().unwrap();
        let (a, b) = (Faults::with_seed(9), Faults::with_seed(9));
        a.set_latency(jitter);
        b.set_latency(jitter);
        for _ in 0..50 {
            assert_eq!(a.take(Api::R2, "GET", "/"), None);
            assert_eq!(a.next_latency(), b.next_latency());
        }
    }

    #[test]
    fn seeds_rule_counts_and_the_huge_default_are_what_was_asked() {
        let f = Faults::with_seed(42);
        assert_eq!(f.seed(), 42);
        f.set_error_rate(0.0, 7);
        assert_eq!(f.seed(), 7);
        // A rule for zero requests is no rule.
        f.push(FaultRule::new(Fault::SlowDown).times(0));
        assert_eq!(f.pending(), 0);
        assert_eq!(f.take(Api::Cos, "GET", "/"), None);
        f.push(FaultRule::new(Fault::SlowDown).times(3));
        assert_eq!(f.pending(), 3);
        assert_eq!(
            "huge".parse::<FaultRule>().unwrap().fault,
            Fault::HugeBody {
                status: 200,
                bytes: 268_435_456
            }
        );
        let r: FaultRule = "malformed,api=cos,times=2".parse().unwrap();
        assert_eq!(r.api, Some(Api::Cos));
        assert_eq!(r.times, 2);
        assert_eq!(
            "stall:1.5s".parse::<FaultRule>().unwrap().fault,
            Fault::Stall(Duration::from_millis(1500))
        );
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert_eq!(
            "15ms..25ms".parse::<Latency>().unwrap(),
            Latency::Uniform {
                min: Duration::from_millis(15),
                max: Duration::from_millis(25)
            }
        );
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::ZERO), 0);
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(100_500)), 101);
        assert_eq!(retry_after_secs(Duration::from_secs(100)), 100);
        assert_eq!(RateLimit::CLOUDFLARE.to_string(), "1200/300s");
        assert_eq!(RateLimit::COS_BUCKET_MANAGEMENT.to_string(), "50/1s");
    }

    #[test]
    fn rate_limit_keys_are_per_authorization_and_hide_it() {
        use sha1::Digest as _;
        let a = client_key("Bearer secret-token-a");
        assert_eq!(a, hex::encode(sha1::Sha1::digest(b"Bearer secret-token-a")));
        assert_ne!(a, client_key("Bearer secret-token-b"));
        assert!(!a.contains("secret"));
    }

    #[test]
    fn hostile_documents_answer_the_sub_resource_asked() {
        assert_eq!(
            cos_subresource("lifecycle"),
            ("LifecycleConfiguration", "NoSuchLifecycleConfiguration")
        );
        assert_eq!(
            cos_subresource("x=1&replication="),
            (
                "ReplicationConfiguration",
                "ReplicationConfigurationnotFoundError"
            )
        );
        assert_eq!(cos_subresource("policy"), ("Policy", "NoSuchBucketPolicy"));
        assert_eq!(
            cos_subresource("versioning"),
            ("VersioningConfiguration", "NoSuchVersioningConfiguration")
        );
        assert_eq!(
            cos_subresource("cors"),
            ("CORSConfiguration", "NoSuchCORSConfiguration")
        );
        // A parameter merely containing the name is not the sub-resource.
        assert_eq!(
            cos_subresource("x-lifecycle=1"),
            ("CORSConfiguration", "NoSuchCORSConfiguration")
        );
    }

    #[test]
    fn the_limiter_forgets_idle_clients_only_past_ten_thousand() {
        let rl = RateLimiter::new(RateLimit {
            max: 5,
            window: Duration::from_secs(10),
        });
        let t0 = Instant::now();
        for i in 0..10_000 {
            rl.check(&format!("c{i}"), t0).unwrap();
        }
        // Exactly one window later every one of them aged out, but 10,000 clients are kept.
        let later = t0 + Duration::from_secs(10);
        rl.check("new", later).unwrap();
        assert_eq!(rl.clients.lock().unwrap().len(), 10_001);
        // Past 10,000, those whose last request is a whole window old are dropped; the one
        // seen at `later` is kept.
        rl.check("x", later).unwrap();
        let clients = rl.clients.lock().unwrap();
        let mut names: Vec<_> = clients.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["new", "x"]);
    }

    #[test]
    fn rate_limit_parses_and_rejects_nonsense() {
        assert_eq!(
            "10/5m".parse::<RateLimit>().unwrap(),
            RateLimit {
                max: 10,
                window: Duration::from_secs(300)
            }
        );
        for bad in ["1200", "0/300", "x/300", "10/0", "10/5h"] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad}");
        }
    }
}
