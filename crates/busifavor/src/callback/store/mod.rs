//! Idempotency stores: the claim → complete | release state machine behind one async trait.
//!
//! A delivery of notification `id` first **claims** it: the store records a lease (a random
//! token, an expiry) and hands out a fencing number larger than every one it handed out
//! before. Only the holder of the lease runs the user's function. Then the holder
//! **completes** (the id is remembered as done for the retention period, and redeliveries are
//! acknowledged without calling anyone) or **releases** (the id can be claimed again at once,
//! by the next delivery). A holder that crashes does neither: its lease expires and the next
//! delivery claims it.
//!
//! ```text
//!             claim                      complete (token matches)
//!  (absent) ─────────▶ claimed(token, fencing, lease) ─────────────▶ completed (retention)
//!      ▲                   │    │ lease expires                            │ retention ends
//!      │   release (token) │    └──────────▶ claimable again               ▼
//!      └───────────────────┘                                            (absent)
//! ```
//!
//! [`MemoryStore`] is the default (one process). `RedisStore` (feature `redis`) and
//! `PostgresStore` (feature `postgres`) share the state between processes and machines.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

mod error;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "redis")]
mod redis;

pub use error::StoreError;
pub use memory::{DEFAULT_MEMORY_CAPACITY, MemoryStore};
#[cfg(feature = "postgres")]
pub use postgres::{DEFAULT_INBOX_TABLE, INBOX_MIGRATION, InboxRecord, PostgresStore};
#[cfg(feature = "redis")]
pub use redis::{DEFAULT_REDIS_PREFIX, RedisStore};

/// A boxed future returned by [`IdempotencyStore`] methods.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// How long a claim holds a notification before another delivery may take it over: 30 s.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

/// How long a completed notification is remembered: 24 h.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(24 * 60 * 60);

/// The shortest retention accepted: 15 minutes, WeChat Pay's COUPON.SEND redelivery span
/// (11 attempts, 60 s apart, 5 s each to answer: about 11 minutes) with a margin. Forgetting a
/// completion sooner would let a late redelivery be processed a second time.
pub const MIN_RETENTION: Duration = Duration::from_secs(15 * 60);

/// What a delivery asks the store for.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ClaimRequest<'a> {
    /// The notification `id` (the idempotency key).
    pub notification_id: &'a str,
    /// Envelope `event_type`, e.g. `COUPON.SEND` (kept by durable stores).
    pub event_type: &'a str,
    /// Envelope `create_time` as sent (kept by durable stores).
    pub create_time: &'a str,
    /// The decrypted resource JSON (kept by durable stores for reconciliation; it holds user
    /// identifiers, so stores that keep it must be protected like the merchant's own data).
    pub event: &'a str,
    /// How long the claim holds.
    pub lease: Duration,
}

impl<'a> ClaimRequest<'a> {
    /// A claim for `notification_id` with the given lease; the other fields empty.
    pub fn new(notification_id: &'a str, lease: Duration) -> Self {
        Self {
            notification_id,
            event_type: "",
            create_time: "",
            event: "",
            lease,
        }
    }

    /// Sets the event type, creation time and decrypted event.
    pub fn with_event(mut self, event_type: &'a str, create_time: &'a str, event: &'a str) -> Self {
        self.event_type = event_type;
        self.create_time = create_time;
        self.event = event;
        self
    }
}

/// The answer to a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClaimOutcome {
    /// This delivery holds the notification: run the user's function, then
    /// [`complete`](IdempotencyStore::complete) or [`release`](IdempotencyStore::release).
    Claimed(Lease),
    /// The notification was processed before: acknowledge without calling anyone.
    Completed,
    /// Another delivery holds a live lease (it is being processed now, here or on another
    /// machine): answer 5xx so WeChat Pay comes back later.
    InProgress {
        /// Time left on the other holder's lease, when the store knows it.
        retry_after: Option<Duration>,
    },
}

/// A held claim: the proof a delivery must show to complete or release the notification.
#[derive(Clone, PartialEq, Eq)]
pub struct Lease {
    notification_id: String,
    token: String,
    fencing: u64,
}

impl fmt::Debug for Lease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token is a capability for this notification: not printed.
        f.debug_struct("Lease")
            .field("notification_id", &self.notification_id)
            .field("fencing", &self.fencing)
            .finish_non_exhaustive()
    }
}

impl Lease {
    /// A lease (for store implementations): `token` must be unique to this claim, and
    /// `fencing` larger than every fencing number the store handed out before.
    pub fn new(notification_id: impl Into<String>, token: impl Into<String>, fencing: u64) -> Self {
        Self {
            notification_id: notification_id.into(),
            token: token.into(),
            fencing,
        }
    }

    /// The notification held.
    pub fn notification_id(&self) -> &str {
        &self.notification_id
    }

    /// The claim's unique token (compare-and-set key of complete and release).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The fencing number: larger than that of every earlier claim in the same store.
    pub fn fencing(&self) -> u64 {
        self.fencing
    }
}

/// Where claims, leases and completions live. One implementation is shared by every handler
/// instance that must see the same notifications (one process: [`MemoryStore`]; several:
/// a Redis or PostgreSQL store).
///
/// Implementations must make [`claim`](Self::claim) atomic (two concurrent claims of one id:
/// exactly one gets [`ClaimOutcome::Claimed`]) and make complete and release compare the
/// lease token, so that a holder whose lease expired and was taken over cannot change the new
/// holder's state.
pub trait IdempotencyStore: Send + Sync + fmt::Debug + 'static {
    /// Claims `request.notification_id`: [`ClaimOutcome::Claimed`] when it is absent, released,
    /// or held by an expired lease; [`ClaimOutcome::Completed`] when done;
    /// [`ClaimOutcome::InProgress`] when another lease is live.
    fn claim<'a>(&'a self, request: ClaimRequest<'a>) -> StoreFuture<'a, ClaimOutcome>;

    /// Marks the leased notification done, remembered for at least `retention`. Succeeds when
    /// the lease is still held or expired untaken; [`StoreError::LeaseLost`] when another
    /// claim took it over.
    fn complete<'a>(&'a self, lease: &'a Lease, retention: Duration) -> StoreFuture<'a, ()>;

    /// Gives the notification up so the next delivery claims it at once. Does nothing when the
    /// lease was already taken over. `reason` is kept by stores that keep history.
    fn release<'a>(&'a self, lease: &'a Lease, reason: &'a str) -> StoreFuture<'a, ()>;

    /// A short name for logs and errors, e.g. `"memory"`.
    fn name(&self) -> &'static str;
}
