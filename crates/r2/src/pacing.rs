//! Client-side pacing: a token bucket shared by every clone of a client.
//!
//! Cloudflare allows 1200 API requests per 5 minutes per user/token and locks the caller out
//! for 5 minutes when it is exceeded. Bulk work (listing, then configuring hundreds of buckets)
//! easily exceeds that, so the client spaces its own requests instead of relying on 429s.

use std::collections::VecDeque;
use std::time::Duration;

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

/// What a client's pacing limiter is doing, from [`R2Client::pacing_status`]: a cheap copy
/// taken under the limiter's lock, for progress displays.
///
/// [`R2Client::pacing_status`]: crate::R2Client::pacing_status
///
/// ```
/// use std::time::Duration;
/// use bucket_admin_r2::PacingStatus;
///
/// let idle = PacingStatus::default();
/// assert!(!idle.is_delaying());
/// assert_eq!(idle.current_wait, Duration::ZERO);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PacingStatus {
    /// The limit the limiter keeps to.
    pub pacing: Pacing,
    /// Requests let through (sent, or given a slot and waiting for it) in the last
    /// [`Pacing::per`], counting the ones whose slot is still ahead.
    pub requests_in_window: usize,
    /// Requests waiting for their slot right now.
    pub waiting: usize,
    /// How long until the last waiting request goes out: zero when none waits. A request made
    /// now would wait about this long plus [`Pacing::interval`].
    pub current_wait: Duration,
    /// The delay the limiter has imposed so far, summed over every request (a waiting
    /// request's whole wait is counted from the moment it got its slot).
    pub total_waited: Duration,
    /// Requests that had to wait at all.
    pub delayed_requests: u64,
}

impl PacingStatus {
    /// Whether requests are being held back right now.
    pub fn is_delaying(&self) -> bool {
        self.waiting > 0 || !self.current_wait.is_zero()
    }
}

/// The shared limiter state.
#[derive(Debug)]
pub(crate) struct Pacer {
    pacing: Pacing,
    burst: f64,
    interval: Duration,
    // A std mutex: it is never held across an await, and a snapshot must not need a runtime.
    state: std::sync::Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Available tokens; negative when callers have reserved future slots.
    tokens: f64,
    last: Instant,
    /// The send time of every slot given out in the last window (oldest first); a slot is
    /// forgotten once it is a window old, so at most about `requests` are kept.
    slots: VecDeque<Instant>,
    waiting: usize,
    total_waited: Duration,
    delayed: u64,
}

impl State {
    /// Adds the tokens refilled since `last`.
    fn refill(&mut self, now: Instant, burst: f64, per_token: f64) {
        let refill = now.duration_since(self.last).as_secs_f64() / per_token;
        self.tokens = (self.tokens + refill).min(burst);
        self.last = now;
    }

    fn forget_old_slots(&mut self, now: Instant, per: Duration) {
        while self
            .slots
            .front()
            .is_some_and(|s| now.saturating_duration_since(*s) >= per)
        {
            self.slots.pop_front();
        }
    }
}

/// Counts a caller as waiting until it is dropped (also when the request is cancelled).
struct Waiting<'a>(&'a Pacer);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.lock().waiting -= 1;
    }
}

impl Pacer {
    pub(crate) fn new(pacing: Pacing) -> Option<Self> {
        if pacing.per.is_zero() {
            return None;
        }
        let burst = f64::from(pacing.burst());
        Some(Self {
            pacing,
            burst,
            interval: pacing.interval(),
            state: std::sync::Mutex::new(State {
                tokens: burst,
                last: Instant::now(),
                slots: VecDeque::new(),
                waiting: 0,
                total_waited: Duration::ZERO,
                delayed: 0,
            }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked: every update is a few stores.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until this caller may send one request.
    ///
    /// Each caller reserves its slot under the lock (tokens may go negative) and then sleeps
    /// outside it, so concurrent callers are served in order without holding the lock.
    pub(crate) async fn acquire(&self) {
        let wait = {
            let mut state = self.lock();
            let now = Instant::now();
            let per_token = self.interval.as_secs_f64();
            state.refill(now, self.burst, per_token);
            state.tokens -= 1.0;
            let wait = if state.tokens >= 0.0 {
                Duration::ZERO
            } else {
                Duration::from_secs_f64(-state.tokens * per_token)
            };
            state.forget_old_slots(now, self.pacing.per);
            state.slots.push_back(now + wait);
            if !wait.is_zero() {
                state.waiting += 1;
                state.delayed += 1;
                state.total_waited += wait;
            }
            wait
        };
        if !wait.is_zero() {
            let _waiting = Waiting(self);
            tracing::trace!(?wait, "pacing: waiting before the next request");
            tokio::time::sleep(wait).await;
        }
    }

    /// A snapshot of the limiter now.
    pub(crate) fn status(&self) -> PacingStatus {
        let mut state = self.lock();
        let now = Instant::now();
        let per_token = self.interval.as_secs_f64();
        state.refill(now, self.burst, per_token);
        state.forget_old_slots(now, self.pacing.per);
        PacingStatus {
            pacing: self.pacing,
            requests_in_window: state.slots.len(),
            waiting: state.waiting,
            current_wait: if state.tokens < 0.0 {
                Duration::from_secs_f64(-state.tokens * per_token)
            } else {
                Duration::ZERO
            },
            total_waited: state.total_waited,
            delayed_requests: state.delayed,
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

    #[tokio::test(start_paused = true)]
    async fn the_status_shows_who_waits_and_for_how_long() {
        // 20 per 10 s: burst 2, then one every 10/18 s.
        let pacing = Pacing::new(20, Duration::from_secs(10));
        let step = pacing.interval();
        let pacer = Arc::new(Pacer::new(pacing).unwrap());
        let idle = pacer.status();
        assert_eq!(idle.pacing, pacing);
        assert_eq!(
            (idle.requests_in_window, idle.waiting, idle.delayed_requests),
            (0, 0, 0)
        );
        assert!(!idle.is_delaying());

        let mut tasks = Vec::new();
        for _ in 0..6 {
            let pacer = pacer.clone();
            tasks.push(tokio::spawn(async move { pacer.acquire().await }));
        }
        // Let every task take its slot; the clock does not move while they sleep.
        while pacer.status().requests_in_window < 6 {
            tokio::task::yield_now().await;
        }
        let busy = pacer.status();
        let t0 = Instant::now();
        // Two went out at once; four wait for slots 1, 2, 3 and 4 steps ahead.
        assert_eq!(busy.requests_in_window, 6);
        assert_eq!(busy.waiting, 4);
        assert_eq!(busy.delayed_requests, 4);
        assert!(busy.is_delaying());
        let close = |got: Duration, want: Duration| got.abs_diff(want) < Duration::from_micros(1);
        assert!(close(busy.current_wait, step * 4), "{busy:?}");
        assert!(close(busy.total_waited, step * 10), "{busy:?}");

        // Half-way through (the paused clock's timer rounds to the millisecond), the queue
        // has half as far to go.
        tokio::time::sleep(step * 2).await;
        let half = pacer.status();
        assert!(half.waiting <= 3, "{half:?}");
        assert!(
            close(half.current_wait, step * 4 - t0.elapsed()),
            "{half:?} after {:?}",
            t0.elapsed()
        );
        assert!(half.current_wait < step * 2, "{half:?}");
        for t in tasks {
            t.await.unwrap();
        }
        let done = pacer.status();
        assert_eq!((done.waiting, done.current_wait), (0, Duration::ZERO));
        assert!(close(done.total_waited, step * 10), "{done:?}");

        // A window later the slots are forgotten; the totals stay.
        tokio::time::sleep(Duration::from_secs(10)).await;
        let later = pacer.status();
        assert_eq!(later.requests_in_window, 0);
        assert_eq!(later.delayed_requests, 4);
        assert!(!later.is_delaying());
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_wait_is_no_longer_counted_as_waiting() {
        let pacer = Arc::new(Pacer::new(Pacing::new(20, Duration::from_secs(10))).unwrap());
        pacer.acquire().await;
        pacer.acquire().await;
        let p = pacer.clone();
        let task = tokio::spawn(async move { p.acquire().await });
        while pacer.status().waiting == 0 {
            tokio::task::yield_now().await;
        }
        task.abort();
        let _ = task.await;
        assert_eq!(pacer.status().waiting, 0);
    }
}
