//! The retry policy in one place: which answers are sent again ([`RetryPolicy::retries_status`]),
//! how long to wait (exponential back-off with full jitter, `Retry-After` as a floor), and the
//! retry budget (token bucket) that caps retries during an outage. The sending loop in
//! `transport.rs` asks these and decides nothing about retries itself.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http::HeaderMap;

/// Statuses retried by the client: 429 and 500/502/503/504 (spec §6.2–§6.3).
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// When and how often a request is sent again (spec §6.3–§6.4).
///
/// Retried: HTTP 429, 500, 502, 503, 504, and failures that produced no response at all
/// (DNS, connect, TLS, reset, per-attempt timeout before the status line). Never retried: any
/// other status, failures after the response started, and answers whose head is not valid HTTP
/// ([`Error::MalformedAnswer`](crate::Error::MalformedAnswer): the server was reached). Each retry waits a random time in
/// `[0, min(max_delay, base_delay · 2^(n-1))]` ("full jitter"), or longer if the server sent
/// `Retry-After`. A retry budget (token bucket) stops retries from multiplying load during an
/// outage: every retry spends one token, every first attempt earns `budget_ratio` tokens, and
/// the bucket also refills by `budget_refill` tokens per second (default 1), up to
/// `budget_capacity`.
///
/// ```
/// use std::time::Duration;
/// let p = wxpay_http::RetryPolicy::default()
///     .with_max_attempts(5)
///     .with_base_delay(Duration::from_millis(200));
/// assert_eq!(p.max_attempts(), 5);
/// assert_eq!(wxpay_http::RetryPolicy::none().max_attempts(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    failover_stick: Duration,
    budget_capacity: f64,
    budget_ratio: f64,
    budget_refill: f64,
}

impl Default for RetryPolicy {
    /// 3 attempts, base 500 ms, cap 5 s, stay on the backup host 60 s, budget 10 tokens with
    /// 0.1 token earned per request.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(5),
            failover_stick: Duration::from_secs(60),
            budget_capacity: 10.0,
            budget_ratio: 0.1,
            budget_refill: 1.0,
        }
    }
}

impl RetryPolicy {
    /// One attempt only: no retries and no failover to the backup host.
    pub fn none() -> Self {
        Self::default().with_max_attempts(1)
    }
    /// Total attempts, the first included (minimum 1).
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }
    /// Base of the exponential back-off.
    pub fn with_base_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }
    /// Cap of the exponential back-off (`Retry-After` may ask for longer; the deadline still
    /// applies).
    pub fn with_max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }
    /// How long the client keeps using the backup host after a connection failure on the
    /// primary, before trying the primary again.
    pub fn with_failover_stick(mut self, d: Duration) -> Self {
        self.failover_stick = d;
        self
    }
    /// The retry budget: at most `capacity` retries in a burst; each first attempt earns
    /// `ratio` of a retry (clamped to `0..=1`), and one token per second is added back.
    pub fn with_budget(mut self, capacity: u32, ratio: f64) -> Self {
        self.budget_capacity = f64::from(capacity);
        self.budget_ratio = if ratio.is_finite() {
            ratio.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }
    /// Tokens added back to the retry budget per second regardless of traffic (default 1;
    /// clamped to `0..`).
    pub fn with_budget_refill(mut self, tokens_per_second: f64) -> Self {
        self.budget_refill = if tokens_per_second.is_finite() {
            tokens_per_second.max(0.0)
        } else {
            0.0
        };
        self
    }
    /// Total attempts.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }
    /// Back-off base.
    pub fn base_delay(&self) -> Duration {
        self.base_delay
    }
    /// Back-off cap.
    pub fn max_delay(&self) -> Duration {
        self.max_delay
    }
    /// Backup-host stickiness.
    pub fn failover_stick(&self) -> Duration {
        self.failover_stick
    }
    pub(crate) fn budget_capacity(&self) -> f64 {
        self.budget_capacity
    }
    pub(crate) fn budget_ratio(&self) -> f64 {
        self.budget_ratio
    }
    pub(crate) fn budget_refill(&self) -> f64 {
        self.budget_refill
    }

    /// Whether an answer with this status is sent again: 429 and 500/502/503/504 (spec
    /// §6.2–§6.3). Every other status is final.
    pub(crate) fn retries_status(&self, status: u16) -> bool {
        is_retryable_status(status)
    }

    /// The delay before retry number `retry` (1 = first retry): full jitter under the
    /// exponential ceiling, but at least what `Retry-After` asked for.
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let jittered = full_jitter(self.ceiling(retry));
        match retry_after {
            Some(ra) => ra.max(jittered),
            None => jittered,
        }
    }

    /// The exponential ceiling before jitter for retry number `retry` (1 = first retry):
    /// `min(max_delay, base_delay · 2^(retry-1))`.
    pub(crate) fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32 << retry.saturating_sub(1).min(20);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }
}

/// A random delay in `[0, ceiling]` ("full jitter"). Jitter needs spread, not secrecy, so a
/// splitmix64 sequence seeded from the clock is enough.
pub(crate) fn full_jitter(ceiling: Duration) -> Duration {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0x9E37_79B9_7F4A_7C15);
    let mut z = STATE
        .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        .wrapping_add(seed);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
    if nanos == 0 {
        return Duration::ZERO;
    }
    Duration::from_nanos(z % (nanos.saturating_add(1)))
}

/// `Retry-After` as delta-seconds. HTTP-dates are ignored (WeChat Pay is not known to send
/// them); the back-off applies then.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if v.is_empty() || v.len() > 9 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse::<u64>().ok().map(Duration::from_secs)
}

/// A token bucket shared by every request of a client: retries spend a token, first attempts
/// earn a fraction of one, and time adds one per second.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    capacity: f64,
    ratio: f64,
    refill_per_sec: f64,
    state: Mutex<BudgetState>,
}

#[derive(Debug)]
struct BudgetState {
    tokens: f64,
    refilled_at: Instant,
}

impl RetryBudget {
    pub(crate) fn new(policy: &RetryPolicy) -> Self {
        Self::with_refill(policy, policy.budget_refill())
    }

    pub(crate) fn with_refill(policy: &RetryPolicy, refill_per_sec: f64) -> Self {
        Self {
            capacity: policy.budget_capacity(),
            ratio: policy.budget_ratio(),
            refill_per_sec,
            state: Mutex::new(BudgetState {
                tokens: policy.budget_capacity(),
                refilled_at: Instant::now(),
            }),
        }
    }

    fn with_state<T>(&self, f: impl FnOnce(&mut BudgetState, f64) -> T) -> T {
        let mut guard = match self.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let now = Instant::now();
        let elapsed = now.duration_since(guard.refilled_at).as_secs_f64();
        guard.tokens = (guard.tokens + elapsed * self.refill_per_sec).min(self.capacity);
        guard.refilled_at = now;
        f(&mut guard, self.capacity)
    }

    /// A first attempt was made: earn `ratio` of a token.
    pub(crate) fn deposit(&self) {
        let ratio = self.ratio;
        self.with_state(|s, cap| s.tokens = (s.tokens + ratio).min(cap));
    }

    /// Takes one token for a retry; `false` when the budget is spent.
    pub(crate) fn withdraw(&self) -> bool {
        self.with_state(|s, _| {
            if s.tokens >= 1.0 {
                s.tokens -= 1.0;
                true
            } else {
                false
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn jitter_stays_under_ceiling_and_spreads() {
        let ceiling = Duration::from_millis(100);
        let samples: Vec<Duration> = (0..200).map(|_| full_jitter(ceiling)).collect();
        assert!(samples.iter().all(|d| *d <= ceiling));
        let distinct: std::collections::BTreeSet<_> = samples.iter().collect();
        assert!(
            distinct.len() > 100,
            "jitter is not spread: {}",
            distinct.len()
        );
        assert_eq!(full_jitter(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn retry_after_parsing() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(http::header::RETRY_AFTER, HeaderValue::from_static(" 2 "));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert(
            http::header::RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), None);
        h.insert(http::header::RETRY_AFTER, HeaderValue::from_static("-1"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn retry_after_is_a_floor() {
        let p = RetryPolicy::default().with_base_delay(Duration::from_millis(1));
        let d = p.delay(1, Some(Duration::from_secs(3)));
        assert_eq!(d, Duration::from_secs(3));
        assert!(p.delay(1, None) <= Duration::from_millis(1));
    }

    #[test]
    fn budget_runs_out_and_deposits_refill() {
        let b = RetryBudget::with_refill(&RetryPolicy::default().with_budget(2, 0.5), 0.0);
        assert!(b.withdraw());
        assert!(b.withdraw());
        assert!(!b.withdraw());
        b.deposit();
        b.deposit();
        assert!(b.withdraw());
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let t = crate::timeouts::Timeouts::default();
        assert_eq!(
            (t.connect(), t.attempt(), t.deadline()),
            (
                Duration::from_secs(3),
                Duration::from_secs(10),
                Duration::from_secs(30)
            )
        );
        let p = RetryPolicy::default();
        assert_eq!(p.max_attempts(), 3);
        assert_eq!(p.base_delay(), Duration::from_millis(500));
        assert_eq!(p.max_delay(), Duration::from_secs(5));
        assert_eq!(p.failover_stick(), Duration::from_secs(60));
        assert_eq!(
            (p.budget_capacity(), p.budget_ratio(), p.budget_refill()),
            (10.0, 0.1, 1.0)
        );
        assert_eq!(crate::DEFAULT_POOL_IDLE_TIMEOUT, Duration::from_secs(5));
        assert_eq!(crate::DEFAULT_MAX_RESPONSE_BYTES, 4 * 1024 * 1024);
        assert_eq!(
            crate::DEFAULT_CERTIFICATE_REFRESH,
            Duration::from_secs(12 * 3600)
        );
    }

    #[test]
    fn ceilings_grow_then_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.ceiling(1), Duration::from_millis(500));
        assert_eq!(p.ceiling(2), Duration::from_millis(1000));
        assert_eq!(p.ceiling(4), Duration::from_millis(4000));
        assert_eq!(p.ceiling(5), Duration::from_secs(5));
        assert_eq!(p.ceiling(200), Duration::from_secs(5));
    }

    #[test]
    fn attempts_at_least_one_and_ratio_clamped() {
        assert_eq!(
            RetryPolicy::default().with_max_attempts(0).max_attempts(),
            1
        );
        let p = RetryPolicy::default().with_budget(3, f64::NAN);
        assert_eq!(p.budget_ratio(), 0.0);
        assert_eq!(
            RetryPolicy::default().with_budget(3, 7.0).budget_ratio(),
            1.0
        );
    }
}
