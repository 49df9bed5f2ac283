//! The retry policy every provider shares.
//!
//! Bounded attempts, exponential backoff with jitter, `Retry-After` honoured (up to a cap),
//! and only what is safe is retried: see [`Error::is_retryable_for`]. The closure given to
//! [`RetryPolicy::run`] builds, signs and sends a fresh request on every attempt, so a retried
//! request is always signed anew.
//!
//! ```
//! use std::time::Duration;
//! use bucket_admin_core::RetryPolicy;
//!
//! let policy = RetryPolicy::default()
//!     .with_max_attempts(5)
//!     .with_initial_backoff(Duration::from_millis(100));
//! assert_eq!(policy.max_attempts(), 5);
//! assert_eq!(RetryPolicy::disabled().max_attempts(), 1);
//! ```

use std::future::Future;
use std::time::Duration;

use crate::error::{Error, Operation};

/// How failed requests are retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    jitter: bool,
    honor_retry_after: bool,
    max_retry_after: Duration,
    seed: Option<u64>,
}

impl Default for RetryPolicy {
    /// 3 attempts, backoff 200 ms doubling to at most 10 s with jitter, `Retry-After` honoured
    /// up to 60 s.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            jitter: true,
            honor_retry_after: true,
            max_retry_after: Duration::from_secs(60),
            seed: None,
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries.
    #[must_use]
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Total attempts, including the first (at least 1).
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }
    /// Backoff before the first retry; doubles on each further retry.
    #[must_use]
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }
    /// Upper bound of the exponential backoff.
    #[must_use]
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }
    /// Whether to randomise each backoff within `[backoff/2, backoff]` so many clients do not
    /// retry in lockstep.
    #[must_use]
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }
    /// Whether to wait as long as the provider's `Retry-After` asks, and the longest wait
    /// accepted. A longer `Retry-After` ends the retries and returns the error (which carries the
    /// delay), rather than blocking the caller for minutes.
    #[must_use]
    pub fn with_retry_after(mut self, honor: bool, max_wait: Duration) -> Self {
        self.honor_retry_after = honor;
        self.max_retry_after = max_wait;
        self
    }
    /// Seed the jitter random number generator (deterministic tests).
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Total attempts, including the first.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The exponential backoff before retry number `retry` (1 = first retry), before jitter.
    pub fn base_backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    /// The delay [`run`](Self::run) waits before retry number `retry` (1 = first retry) after
    /// `err`, or `None` when the provider asked for a longer wait than this policy accepts.
    /// Jitter comes from the policy's [seed](Self::with_seed) when it has one (the same value
    /// every call), from a random one otherwise.
    pub fn delay_for(&self, retry: u32, err: &Error) -> Option<Duration> {
        self.delay_with(retry, err, &mut self.rng())
    }

    fn rng(&self) -> fastrand::Rng {
        match self.seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        }
    }

    /// [`delay_for`](Self::delay_for) drawing from `rng`, so one run's retries draw a sequence.
    fn delay_with(&self, retry: u32, err: &Error, rng: &mut fastrand::Rng) -> Option<Duration> {
        let base = self.base_backoff(retry);
        let backoff = if self.jitter && !base.is_zero() {
            let nanos = u64::try_from(base.as_nanos()).unwrap_or(u64::MAX);
            Duration::from_nanos(rng.u64(nanos / 2..=nanos))
        } else {
            base
        };
        match err.retry_after() {
            Some(asked) if self.honor_retry_after => {
                (asked <= self.max_retry_after).then(|| asked.max(backoff))
            }
            _ => Some(backoff),
        }
    }

    /// Runs `attempt` until it succeeds, fails with an error that must not be retried for
    /// `operation`, or the attempts are used up. `attempt` receives the 1-based attempt number
    /// and must build and sign a fresh request each time.
    ///
    /// The returned error records the number of attempts made.
    pub async fn run<T, F, Fut>(&self, operation: Operation, mut attempt: F) -> Result<T, Error>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let mut rng = self.rng();
        let mut n = 1;
        loop {
            match attempt(n).await {
                Ok(value) => return Ok(value),
                Err(err) => {
                    if n >= self.max_attempts || !err.is_retryable_for(operation) {
                        return Err(err.with_attempts(n));
                    }
                    let Some(delay) = self.delay_with(n, &err, &mut rng) else {
                        tracing::debug!(%operation, attempt = n, retry_after = ?err.retry_after(),
                            "provider asked to wait longer than the retry policy allows; giving up");
                        let asked = err.retry_after().unwrap_or_default();
                        return Err(err.with_attempts(n).with_detail(
                            "retry_after_refused",
                            format!(
                                "the provider asked to wait {} s, longer than the retry policy's cap of {} s",
                                asked.as_secs(),
                                self.max_retry_after.as_secs()
                            ),
                        ));
                    };
                    tracing::debug!(%operation, attempt = n, ?delay, error = %err, "retrying");
                    tokio::time::sleep(delay).await;
                    n += 1;
                }
            }
        }
    }
}

/// Parses an HTTP `Retry-After` value: delay-seconds (`120`, fractions accepted) or an HTTP
/// date (`Wed, 21 Oct 2026 07:28:00 GMT`), measured from `now`. A date in the past is a zero
/// wait. A huge value saturates rather than overflowing, so a retry policy sees it as too long
/// (and reports it) instead of treating it as absent. `None` only when the value is neither
/// form.
pub fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        if !seconds.is_finite() || seconds < 0.0 {
            return None;
        }
        return Some(Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::error::{ErrorKind, Retryable};

    fn failing(kind: ErrorKind) -> Error {
        Error::new(kind, "injected")
    }

    #[test]
    fn retry_after_parses_seconds_and_http_dates() {
        let now = std::time::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after(" 0.5 ", now),
            Some(Duration::from_millis(500))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(7)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("1e300", now), Some(Duration::MAX));
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(350));
        assert_eq!(p.base_backoff(1), Duration::from_millis(100));
        assert_eq!(p.base_backoff(2), Duration::from_millis(200));
        assert_eq!(p.base_backoff(3), Duration::from_millis(350));
        assert_eq!(p.base_backoff(40), Duration::from_millis(350));
    }

    #[test]
    fn jitter_stays_within_half_to_full_backoff_and_is_seeded() {
        let p = RetryPolicy::default().with_initial_backoff(Duration::from_millis(100));
        let err = failing(ErrorKind::Unavailable);
        let mut a = fastrand::Rng::with_seed(7);
        let mut b = fastrand::Rng::with_seed(7);
        for retry in 1..=3 {
            let d = p.delay_with(retry, &err, &mut a).unwrap();
            let base = p.base_backoff(retry);
            assert!(
                d >= base / 2 && d <= base,
                "{d:?} outside [{:?}, {base:?}]",
                base / 2
            );
            assert_eq!(Some(d), p.delay_with(retry, &err, &mut b));
        }
    }

    #[test]
    fn jitter_really_varies_the_delay_and_seeds_change_it() {
        // With jitter on, delays spread over [base/2, base]; a policy that forgot to jitter
        // would answer `base` every time.
        let err = failing(ErrorKind::Unavailable);
        let p = RetryPolicy::default().with_initial_backoff(Duration::from_millis(100));
        let base = p.base_backoff(1);
        let delays: std::collections::BTreeSet<Duration> = (0..32)
            .map(|seed| p.clone().with_seed(seed).delay_for(1, &err).unwrap())
            .collect();
        assert!(delays.len() > 16, "jitter spreads the delays: {delays:?}");
        assert!(delays.iter().any(|d| *d < base), "{delays:?}");
        // Without jitter, the delay is the backoff itself.
        let plain = p.clone().with_jitter(false);
        assert_eq!(plain.delay_for(1, &err), Some(base));
    }

    #[test]
    fn public_delay_for_is_seeded_by_the_policy() {
        let p = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_seed(42);
        let err = failing(ErrorKind::Unavailable);
        let d = p.delay_for(2, &err).unwrap();
        assert_eq!(p.delay_for(2, &err), Some(d), "same seed, same delay");
        let base = p.base_backoff(2);
        assert!(d >= base / 2 && d <= base, "{d:?}");
    }

    #[test]
    fn retry_after_wins_when_longer_and_ends_retries_when_too_long() {
        let p = RetryPolicy::default()
            .with_jitter(false)
            .with_retry_after(true, Duration::from_secs(30));
        let asked = failing(ErrorKind::RateLimited).with_retry_after(Duration::from_secs(3));
        assert_eq!(p.delay_for(1, &asked), Some(Duration::from_secs(3)));
        let lockout = failing(ErrorKind::RateLimited).with_retry_after(Duration::from_secs(300));
        assert_eq!(p.delay_for(1, &lockout), None);
        let ignoring = p.clone().with_retry_after(false, Duration::ZERO);
        assert_eq!(
            ignoring.delay_for(1, &lockout),
            Some(Duration::from_millis(200))
        );
    }

    async fn run_counting(
        policy: &RetryPolicy,
        op: Operation,
        failures: Vec<Error>,
    ) -> (Result<&'static str, Error>, u32) {
        let calls = Arc::new(AtomicU32::new(0));
        let failures = Arc::new(std::sync::Mutex::new(failures.into_iter()));
        let seen = calls.clone();
        let result = policy
            .run(op, move |n| {
                let calls = seen.clone();
                let failures = failures.clone();
                async move {
                    let before = calls.fetch_add(1, Ordering::SeqCst);
                    assert_eq!(before + 1, n, "attempt numbers are consecutive");
                    match failures.lock().unwrap().next() {
                        Some(err) => Err(err),
                        None => Ok("done"),
                    }
                }
            })
            .await;
        (result, calls.load(Ordering::SeqCst))
    }

    #[tokio::test(start_paused = true)]
    async fn retries_transient_failures_then_succeeds() {
        let p = RetryPolicy::default().with_seed(3);
        let start = tokio::time::Instant::now();
        let (res, calls) = run_counting(
            &p,
            Operation::GetCors,
            vec![
                failing(ErrorKind::Unavailable),
                failing(ErrorKind::Transport),
            ],
        )
        .await;
        assert_eq!(res.unwrap(), "done");
        assert_eq!(calls, 3);
        // Two backoffs happened on the paused clock: at least 100ms + 200ms.
        assert!(start.elapsed() >= Duration::from_millis(300));
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_max_attempts_and_reports_them() {
        let p = RetryPolicy::default().with_max_attempts(4);
        let (res, calls) = run_counting(
            &p,
            Operation::GetCors,
            (0..10).map(|_| failing(ErrorKind::Unavailable)).collect(),
        )
        .await;
        let err = res.unwrap_err();
        assert_eq!(calls, 4);
        assert_eq!(err.attempts(), 4);
        assert!(err.to_string().contains("after 4 attempts"));
    }

    #[tokio::test(start_paused = true)]
    async fn non_idempotent_operations_are_not_repeated_after_ambiguous_failures() {
        let p = RetryPolicy::default();
        let (res, calls) = run_counting(
            &p,
            Operation::CreateBucket,
            vec![failing(ErrorKind::Unavailable)],
        )
        .await;
        assert_eq!(res.unwrap_err().kind(), ErrorKind::Unavailable);
        assert_eq!(calls, 1);
        // ...but a throttled create was certainly not applied, so it is retried.
        let (res, calls) = run_counting(
            &p,
            Operation::CreateBucket,
            vec![failing(ErrorKind::RateLimited)],
        )
        .await;
        assert_eq!(res.unwrap(), "done");
        assert_eq!(calls, 2);
    }

    #[tokio::test(start_paused = true)]
    async fn permanent_errors_and_disabled_policy_make_one_attempt() {
        let (res, calls) = run_counting(
            &RetryPolicy::default(),
            Operation::GetCors,
            vec![failing(ErrorKind::NotFound)],
        )
        .await;
        assert_eq!(res.unwrap_err().kind(), ErrorKind::NotFound);
        assert_eq!(calls, 1);
        let (res, calls) = run_counting(
            &RetryPolicy::disabled(),
            Operation::GetCors,
            vec![failing(ErrorKind::Unavailable)],
        )
        .await;
        assert!(res.is_err());
        assert_eq!(calls, 1);
        let forced = failing(ErrorKind::Other).with_retryable(Retryable::Always);
        let (res, calls) =
            run_counting(&RetryPolicy::default(), Operation::GetCors, vec![forced]).await;
        assert!(res.is_ok());
        assert_eq!(calls, 2);
    }

    #[tokio::test(start_paused = true)]
    async fn waits_for_retry_after() {
        let p = RetryPolicy::default().with_jitter(false);
        let start = tokio::time::Instant::now();
        let (res, calls) = run_counting(
            &p,
            Operation::PutCors,
            vec![failing(ErrorKind::RateLimited).with_retry_after(Duration::from_secs(3))],
        )
        .await;
        assert!(res.is_ok());
        assert_eq!(calls, 2);
        assert!(start.elapsed() >= Duration::from_secs(3));
        assert!(start.elapsed() < Duration::from_secs(4));
    }
}
