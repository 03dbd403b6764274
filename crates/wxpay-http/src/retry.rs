//! Retry mechanics: jittered back-off, `Retry-After`, and the retry budget (token bucket).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http::HeaderMap;

use crate::policy::RetryPolicy;

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

/// The delay before retry number `retry` (1 = first retry): full jitter under the policy's
/// exponential ceiling, but at least what `Retry-After` asked for.
pub(crate) fn delay_for(
    policy: &RetryPolicy,
    retry: u32,
    retry_after: Option<Duration>,
) -> Duration {
    let jittered = full_jitter(policy.ceiling(retry));
    match retry_after {
        Some(ra) => ra.max(jittered),
        None => jittered,
    }
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
        let d = delay_for(&p, 1, Some(Duration::from_secs(3)));
        assert_eq!(d, Duration::from_secs(3));
        assert!(delay_for(&p, 1, None) <= Duration::from_millis(1));
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
}
