//! The client's time limits: plain values chosen at build time.

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
