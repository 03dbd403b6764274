//! Timeouts and the retry policy: plain values chosen at build time.

use std::time::Duration;

/// Time limits of the client (spec §6.3; defaults suit WeChat Pay's published behaviour).
///
/// ```
/// use std::time::Duration;
/// let t = wxpay_http::Timeouts::default().with_attempt(Duration::from_secs(5));
/// assert_eq!(t.attempt(), Duration::from_secs(5));
/// assert_eq!(t.connect(), Duration::from_secs(3));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    connect: Duration,
    attempt: Duration,
    deadline: Duration,
}

impl Default for Timeouts {
    /// Connect 3 s, per attempt 10 s, overall deadline 30 s.
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(3),
            attempt: Duration::from_secs(10),
            deadline: Duration::from_secs(30),
        }
    }
}

impl Timeouts {
    /// TCP connect limit per connection (split across the resolved addresses; DNS and the TLS
    /// handshake count against the attempt limit).
    pub fn with_connect(mut self, d: Duration) -> Self {
        self.connect = d;
        self
    }
    /// Limit for one attempt: sending, waiting for the status line and reading the body.
    pub fn with_attempt(mut self, d: Duration) -> Self {
        self.attempt = d;
        self
    }
    /// Limit for the whole call, retries and back-off included.
    pub fn with_deadline(mut self, d: Duration) -> Self {
        self.deadline = d;
        self
    }
    /// The connect timeout.
    pub fn connect(&self) -> Duration {
        self.connect
    }
    /// The per-attempt timeout.
    pub fn attempt(&self) -> Duration {
        self.attempt
    }
    /// The overall deadline.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }
}

/// When and how often a request is sent again (spec §6.3–§6.4).
///
/// Retried: HTTP 429, 500, 502, 503, 504, and failures that produced no response at all
/// (DNS, connect, TLS, reset, per-attempt timeout before the status line). Never retried: any
/// other status, and failures after the response started. Each retry waits a random time in
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones() {
        let t = Timeouts::default();
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
