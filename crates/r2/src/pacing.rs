//! Client-side pacing: a token bucket shared by every clone of a client.
//!
//! Cloudflare allows 1200 API requests per 5 minutes per user/token and locks the caller out
//! for 5 minutes when it is exceeded. Bulk work (listing, then configuring hundreds of buckets)
//! easily exceeds that, so the client spaces its own requests instead of relying on 429s.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// How many requests the client may send per time window.
///
/// The limiter is a token bucket: a small burst (a tenth of `requests`, at most 10) may go out
/// at once, and the rest are spaced evenly. The refill rate is `requests - burst` per `per`, so
/// that no window of length `per` can ever see more than `requests` requests, burst included.
///
/// ```
/// use std::time::Duration;
/// use bucket_admin_r2::Pacing;
///
/// let p = Pacing::cloudflare_default();
/// assert_eq!((p.requests, p.per), (1200, Duration::from_secs(300)));
/// ```
// Deliberately exhaustive: a rate is a count per window and can never grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    /// Requests allowed per window (0 is treated as 1).
    pub requests: u32,
    /// The window (zero disables pacing).
    pub per: Duration,
}

impl Pacing {
    /// `requests` per `per`.
    pub fn new(requests: u32, per: Duration) -> Self {
        Self { requests, per }
    }

    /// Cloudflare's documented API limit: 1200 requests per 5 minutes.
    pub fn cloudflare_default() -> Self {
        Self::new(1200, Duration::from_secs(300))
    }

    /// Requests that may be sent back to back before spacing starts.
    pub fn burst(&self) -> u32 {
        (self.requests.max(1) / 10).clamp(1, 10)
    }

    /// Steady-state gap between two requests once the burst is used up.
    pub fn interval(&self) -> Duration {
        let steady = u128::from((self.requests.max(1) - self.burst()).max(1));
        // Rounded up to the nanosecond: rounding down would let a window hold a request too many.
        let nanos = self.per.as_nanos().div_ceil(steady);
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}

impl Default for Pacing {
    fn default() -> Self {
        Self::cloudflare_default()
    }
}

/// The shared limiter state.
#[derive(Debug)]
pub(crate) struct Pacer {
    burst: f64,
    interval: Duration,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Available tokens; negative when callers have reserved future slots.
    tokens: f64,
    last: Instant,
}

impl Pacer {
    pub(crate) fn new(pacing: Pacing) -> Option<Self> {
        if pacing.per.is_zero() {
            return None;
        }
        let burst = f64::from(pacing.burst());
        Some(Self {
            burst,
            interval: pacing.interval(),
            state: Mutex::new(State {
                tokens: burst,
                last: Instant::now(),
            }),
        })
    }

    /// Waits until this caller may send one request.
    ///
    /// Each caller reserves its slot under the lock (tokens may go negative) and then sleeps
    /// outside it, so concurrent callers are served in order without holding the lock.
    pub(crate) async fn acquire(&self) {
        let wait = {
            let mut state = self.state.lock().await;
            let now = Instant::now();
            let per_token = self.interval.as_secs_f64();
            let refill = now.duration_since(state.last).as_secs_f64() / per_token;
            state.tokens = (state.tokens + refill).min(self.burst);
            state.last = now;
            state.tokens -= 1.0;
            if state.tokens >= 0.0 {
                Duration::ZERO
            } else {
                Duration::from_secs_f64(-state.tokens * per_token)
            }
        };
        if !wait.is_zero() {
            tracing::trace!(?wait, "pacing: waiting before the next request");
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn default_burst_and_interval_keep_every_window_under_the_limit() {
        let p = Pacing::cloudflare_default();
        assert_eq!(p.burst(), 10);
        // (1200 - 10) requests spread over 300 s.
        assert!(p.interval() >= Duration::from_secs(300) / 1190);
        let burst = f64::from(p.burst());
        let in_window = burst + 300.0 / p.interval().as_secs_f64();
        assert!(in_window <= 1200.0, "{in_window}");
        assert!(Pacer::new(Pacing::new(5, Duration::ZERO)).is_none());
        assert_eq!(Pacing::new(0, Duration::from_secs(1)).burst(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn requests_beyond_the_burst_are_spaced() {
        // 20 per 10 s: burst 2, then one every 10/18 s.
        let pacing = Pacing::new(20, Duration::from_secs(10));
        let pacer = Arc::new(Pacer::new(pacing).unwrap());
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let pacer = pacer.clone();
            tasks.push(tokio::spawn(async move { pacer.acquire().await }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        // 12 requests: 2 free, 10 spaced.
        let expected = pacing.interval() * 10;
        let elapsed = start.elapsed();
        assert!(elapsed >= expected, "{elapsed:?} < {expected:?}");
        assert!(
            elapsed < expected + Duration::from_millis(10),
            "{elapsed:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn idle_time_refills_the_burst() {
        let pacer = Pacer::new(Pacing::new(20, Duration::from_secs(10))).unwrap();
        pacer.acquire().await;
        pacer.acquire().await;
        tokio::time::sleep(Duration::from_secs(60)).await;
        let start = Instant::now();
        pacer.acquire().await;
        pacer.acquire().await;
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
