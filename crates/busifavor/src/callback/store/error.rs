//! The error of idempotency stores.

use std::time::Duration;

/// Boxed cause of a store failure.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why an idempotency store could not answer. The handler turns every one into a 5xx answer,
/// so WeChat Pay delivers again later; nothing is marked done.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store's server could not be reached or dropped the connection.
    #[error(
        "the {store} idempotency store is unreachable: {source}; check that the server runs and the URL is right (WeChat Pay will redeliver)"
    )]
    Unavailable {
        /// Which store (`redis`, `postgres`, …).
        store: &'static str,
        /// The client's error.
        #[source]
        source: BoxError,
    },
    /// The store did not answer within the handler's store timeout.
    #[error(
        "the {store} idempotency store did not answer within {after:?}; check its load and network, or raise `store_timeout`"
    )]
    Timeout {
        /// Which store.
        store: &'static str,
        /// The limit that ran out.
        after: Duration,
    },
    /// The server answered with an error (a failed statement or script).
    #[error("the {store} idempotency store failed: {source}")]
    Backend {
        /// Which store.
        store: &'static str,
        /// The server's error.
        #[source]
        source: BoxError,
    },
    /// The in-memory store holds `capacity` live claims and cannot take another.
    #[error(
        "the in-memory idempotency store is full ({capacity} notifications being processed); raise its capacity or use a shared store"
    )]
    Full {
        /// The configured capacity.
        capacity: usize,
    },
    /// Completion came from a holder whose lease expired and was claimed by another delivery:
    /// the user's function may run (or have run) twice for this notification, which the
    /// fencing number lets the user's own writes detect.
    #[error(
        "the lease on notification {notification_id} expired and was taken over before completion; keep handlers shorter than the lease, or raise it"
    )]
    LeaseLost {
        /// The notification.
        notification_id: String,
    },
    /// The store holds something this SDK did not write (another program uses the keys or
    /// table).
    #[error("the {store} idempotency store holds an unexpected value: {detail}")]
    Corrupt {
        /// Which store.
        store: &'static str,
        /// What was found.
        detail: String,
    },
    /// The store was configured with an unusable value (a table name, a key prefix, a URL).
    #[error("invalid {store} idempotency store setting: {reason}")]
    Config {
        /// Which store.
        store: &'static str,
        /// What is wrong and what is expected.
        reason: String,
    },
}

impl StoreError {
    /// Whether the failure is the store's availability (unreachable or slow), as opposed to a
    /// configuration or data problem.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable { .. } | Self::Timeout { .. })
    }
}
