//! Fault injection: scripted faults, latency and a random error rate.
//!
//! Faults are decided *before* routing, so a fault never mutates state: a request that gets
//! `SlowDown` did not create a bucket, exactly like a throttled request on the real service.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

/// Which API a request was addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Api {
    /// The Tencent COS XML API (virtual-host addressed).
    Cos,
    /// The Cloudflare R2 REST API (`/client/v4/...`).
    R2,
}

/// What a faulted request gets instead of (or before) its normal answer.
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
}

/// A scripted fault: the next `times` requests matching every set filter get `fault`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// Only requests to this API (`None`: both).
    pub api: Option<Api>,
    /// Only requests with this method, compared case-insensitively (`None`: any).
    pub method: Option<String>,
    /// Only requests whose `path?query` contains this text (`None`: any).
    pub path_contains: Option<String>,
    /// How many matching requests get the fault; the rule is dropped once used up.
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
    /// Only requests to `api`.
    pub fn api(mut self, api: Api) -> Self {
        self.api = Some(api);
        self
    }
    /// Only requests with this HTTP method.
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
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| target.contains(p))
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

#[derive(Debug)]
struct Inner {
    rules: VecDeque<FaultRule>,
    latency: Latency,
    error_rate: f64,
    rng: fastrand::Rng,
}

/// The emulator's fault controls. Cheap to call from tests while the server runs.
#[derive(Debug)]
pub struct Faults {
    inner: Mutex<Inner>,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Inner {
                rules: VecDeque::new(),
                latency: Latency::None,
                error_rate: 0.0,
                rng: fastrand::Rng::with_seed(0),
            }),
        }
    }
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave it inconsistent (plain data), so recover.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
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
    /// by a PRNG seeded with `seed` so a run is reproducible.
    pub fn set_error_rate(&self, rate: f64, seed: u64) {
        let mut g = self.lock();
        g.error_rate = if rate.is_finite() {
            rate.clamp(0.0, 1.0)
        } else {
            0.0
        };
        g.rng = fastrand::Rng::with_seed(seed);
    }

    /// Remove every scripted rule, the latency and the error rate.
    pub fn clear(&self) {
        let mut g = self.lock();
        g.rules.clear();
        g.latency = Latency::None;
        g.error_rate = 0.0;
    }

    /// Scripted rules not yet used up.
    pub fn pending(&self) -> usize {
        self.lock().rules.iter().map(|r| r.times).sum()
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
            g.rules[i].times -= 1;
            if g.rules[i].times == 0 {
                g.rules.remove(i);
            }
            return Some(fault);
        }
        if g.error_rate > 0.0 && g.rng.f64() < g.error_rate {
            return Some(Fault::SlowDown);
        }
        None
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
}
