//! A clock tests can move.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use wxpay_crypto::Clock;

/// A shared, settable clock (Unix seconds). Clones see the same time.
///
/// ```
/// use wxpay_crypto::Clock;
/// let clock = wxpay_mock::ManualClock::new(1_700_000_000);
/// let seen_by_server = clock.clone();
/// clock.advance(86_400);
/// assert_eq!(seen_by_server.now_unix(), 1_700_086_400);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    /// A clock stopped at `unix`.
    pub fn new(unix: i64) -> Self {
        Self(Arc::new(AtomicI64::new(unix)))
    }

    /// Sets the time.
    pub fn set(&self, unix: i64) {
        self.0.store(unix, Ordering::SeqCst);
    }

    /// Moves the time by `seconds` (negative goes back).
    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_unix(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}
