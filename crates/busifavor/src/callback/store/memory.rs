//! The in-memory idempotency store: one process, bounded, with expiry.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

use super::{ClaimOutcome, ClaimRequest, IdempotencyStore, Lease, StoreError, StoreFuture};

/// Default number of notifications an in-memory store remembers: 100 000 (a few tens of MB at
/// most).
pub const DEFAULT_MEMORY_CAPACITY: usize = 100_000;

/// Claims and completions in this process's memory: the default store.
///
/// * **Bounded**: at most `capacity` notifications. Expired entries go first; when the store
///   is still full, the completion closest to expiry is forgotten (and a warning logged: a
///   redelivery of that notification would be processed again); when every entry is a live
///   claim, new claims fail with [`StoreError::Full`] (answered 5xx, WeChat Pay retries).
/// * **Expiry**: leases after their duration, completions after the retention.
/// * **Fencing**: numbers start from the current time in microseconds, so they keep growing
///   across restarts of the process as long as its clock does.
/// * **Scope**: one process. Clones share the state; handlers in other processes or machines
///   do not see it — use a Redis or PostgreSQL store there. Nothing survives a restart.
///
/// ```
/// use std::time::Duration;
/// use busifavor::callback::{ClaimOutcome, ClaimRequest, IdempotencyStore, MemoryStore};
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let store = MemoryStore::new();
/// let ClaimOutcome::Claimed(lease) = store.claim(ClaimRequest::new("n-1", Duration::from_secs(30))).await? else {
///     unreachable!("a new id is claimable")
/// };
/// // A second delivery while the first is being processed.
/// assert!(matches!(
///     store.claim(ClaimRequest::new("n-1", Duration::from_secs(30))).await?,
///     ClaimOutcome::InProgress { .. }
/// ));
/// store.complete(&lease, Duration::from_secs(86_400)).await?;
/// assert_eq!(
///     store.claim(ClaimRequest::new("n-1", Duration::from_secs(30))).await?,
///     ClaimOutcome::Completed
/// );
/// # Ok::<(), busifavor::callback::StoreError>(()) }).unwrap();
/// ```
#[derive(Clone)]
pub struct MemoryStore {
    inner: Arc<Inner>,
}

struct Inner {
    capacity: usize,
    fencing: AtomicU64,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    entries: HashMap<Arc<str>, Entry>,
    /// Live claims by expiry (instant, sequence) → id.
    claims: BTreeMap<(Instant, u64), Arc<str>>,
    /// Completions by expiry.
    done: BTreeMap<(Instant, u64), Arc<str>>,
    seq: u64,
}

struct Entry {
    /// `Some(token)` while claimed, `None` once completed.
    token: Option<u64>,
    expires: (Instant, u64),
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("capacity", &self.inner.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStore {
    /// A store remembering up to [`DEFAULT_MEMORY_CAPACITY`] notifications.
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_MEMORY_CAPACITY)
    }

    /// A store remembering up to `capacity` notifications (at least 1).
    pub fn with_capacity(capacity: usize) -> Self {
        let start = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX / 2))
            .unwrap_or(1);
        Self {
            inner: Arc::new(Inner {
                capacity: capacity.max(1),
                fencing: AtomicU64::new(start),
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// Notifications currently remembered (claimed or completed, expired ones included until
    /// the next operation sweeps them).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        match self.inner.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn claim_now(&self, request: &ClaimRequest<'_>) -> Result<ClaimOutcome, StoreError> {
        let now = Instant::now();
        let mut st = self.lock();
        st.sweep(now);
        if let Some(entry) = st.entries.get(request.notification_id) {
            return Ok(match entry.token {
                None => ClaimOutcome::Completed,
                Some(_) => ClaimOutcome::InProgress {
                    retry_after: Some(entry.expires.0.saturating_duration_since(now)),
                },
            });
        }
        if st.entries.len() >= self.inner.capacity && !st.evict_one() {
            return Err(StoreError::Full {
                capacity: self.inner.capacity,
            });
        }
        let fencing = self.inner.fencing.fetch_add(1, Ordering::Relaxed);
        let id: Arc<str> = request.notification_id.into();
        let expires = st.next_key(now + request.lease);
        st.claims.insert(expires, id.clone());
        st.entries.insert(
            id,
            Entry {
                token: Some(fencing),
                expires,
            },
        );
        Ok(ClaimOutcome::Claimed(Lease::new(
            request.notification_id,
            fencing.to_string(),
            fencing,
        )))
    }

    fn complete_now(&self, lease: &Lease, retention: Duration) -> Result<(), StoreError> {
        let now = Instant::now();
        let mut st = self.lock();
        let token = lease.fencing();
        match st.entries.get(lease.notification_id()) {
            Some(Entry {
                token: Some(held), ..
            }) if *held != token => {
                return Err(StoreError::LeaseLost {
                    notification_id: lease.notification_id().to_owned(),
                });
            }
            // Completed by a later holder: ours was taken over.
            Some(Entry { token: None, .. }) => {
                return Err(StoreError::LeaseLost {
                    notification_id: lease.notification_id().to_owned(),
                });
            }
            _ => {}
        }
        // Held by us (even if expired but untaken), or gone (expired and swept): mark done.
        let expires = st.next_key(now + retention);
        let state = &mut *st;
        if let Some((id, entry)) = state.entries.get_key_value(lease.notification_id()) {
            // In place: the key is reused, no allocation.
            let id = id.clone();
            let old = entry.expires;
            state.claims.remove(&old);
            state.done.insert(expires, id.clone());
            if let Some(entry) = state.entries.get_mut(&id) {
                entry.token = None;
                entry.expires = expires;
            }
            return Ok(());
        }
        if st.entries.len() >= self.inner.capacity && !st.evict_one() {
            // Nothing to evict: keep the claims and forget this completion rather than fail
            // a notification that was processed.
            return Ok(());
        }
        let id: Arc<str> = lease.notification_id().into();
        st.done.insert(expires, id.clone());
        st.entries.insert(
            id,
            Entry {
                token: None,
                expires,
            },
        );
        Ok(())
    }

    fn release_now(&self, lease: &Lease) {
        let mut st = self.lock();
        let ours = matches!(
            st.entries.get(lease.notification_id()),
            Some(Entry { token: Some(t), .. }) if *t == lease.fencing()
        );
        if ours && let Some(old) = st.entries.remove(lease.notification_id()) {
            st.claims.remove(&old.expires);
        }
    }
}

impl State {
    fn next_key(&mut self, at: Instant) -> (Instant, u64) {
        self.seq += 1;
        (at, self.seq)
    }

    /// Drops every claim and completion that expired at `now`.
    fn sweep(&mut self, now: Instant) {
        for map in [&mut self.claims, &mut self.done] {
            while let Some(entry) = map.first_entry() {
                if entry.key().0 > now {
                    break;
                }
                let id = entry.remove();
                self.entries.remove(&id);
            }
        }
    }

    /// Forgets the completion closest to expiry; false when there is none.
    fn evict_one(&mut self) -> bool {
        let Some((_, id)) = self.done.pop_first() else {
            return false;
        };
        tracing::warn!(
            notification_id = &*id,
            "in-memory idempotency store full: forgetting a completed notification early; a redelivery of it would be processed again (raise the capacity or use a shared store)"
        );
        self.entries.remove(&id);
        true
    }
}

impl IdempotencyStore for MemoryStore {
    fn claim<'a>(&'a self, request: ClaimRequest<'a>) -> StoreFuture<'a, ClaimOutcome> {
        let result = self.claim_now(&request);
        Box::pin(std::future::ready(result))
    }

    fn complete<'a>(&'a self, lease: &'a Lease, retention: Duration) -> StoreFuture<'a, ()> {
        let result = self.complete_now(lease, retention);
        Box::pin(std::future::ready(result))
    }

    fn release<'a>(&'a self, lease: &'a Lease, _reason: &'a str) -> StoreFuture<'a, ()> {
        self.release_now(lease);
        Box::pin(std::future::ready(Ok(())))
    }

    fn name(&self) -> &'static str {
        "memory"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEASE: Duration = Duration::from_secs(30);
    const DAY: Duration = Duration::from_secs(86_400);

    fn claim(store: &MemoryStore, id: &str) -> ClaimOutcome {
        store.claim_now(&ClaimRequest::new(id, LEASE)).unwrap()
    }

    fn lease(outcome: ClaimOutcome) -> Lease {
        match outcome {
            ClaimOutcome::Claimed(l) => l,
            other => panic!("expected a claim, got {other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn state_machine_and_fencing() {
        let store = MemoryStore::new();
        let a = lease(claim(&store, "n"));
        assert!(matches!(
            claim(&store, "n"),
            ClaimOutcome::InProgress { retry_after: Some(d) } if d == LEASE
        ));
        // Release: claimable at once, with a larger fencing number.
        store.release_now(&a);
        let b = lease(claim(&store, "n"));
        assert!(b.fencing() > a.fencing());
        // A stale release (old token) changes nothing.
        store.release_now(&a);
        assert!(matches!(
            claim(&store, "n"),
            ClaimOutcome::InProgress { .. }
        ));
        // Stale completion is refused; the holder's completes.
        assert!(matches!(
            store.complete_now(&a, DAY),
            Err(StoreError::LeaseLost { .. })
        ));
        store.complete_now(&b, DAY).unwrap();
        assert_eq!(claim(&store, "n"), ClaimOutcome::Completed);
        // Completion is kept for the retention, then forgotten.
        tokio::time::advance(DAY - Duration::from_secs(1)).await;
        assert_eq!(claim(&store, "n"), ClaimOutcome::Completed);
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(matches!(claim(&store, "n"), ClaimOutcome::Claimed(_)));
    }

    #[tokio::test(start_paused = true)]
    async fn expired_lease_is_taken_over_and_the_old_holder_cannot_complete() {
        let store = MemoryStore::new();
        let crashed = lease(claim(&store, "n"));
        tokio::time::advance(LEASE).await;
        let next = lease(claim(&store, "n"));
        assert!(next.fencing() > crashed.fencing());
        assert!(matches!(
            store.complete_now(&crashed, DAY),
            Err(StoreError::LeaseLost { .. })
        ));
        store.complete_now(&next, DAY).unwrap();
        // A holder whose lease expired untaken may still complete.
        let slow = lease(claim(&store, "m"));
        tokio::time::advance(LEASE * 2).await;
        store.complete_now(&slow, DAY).unwrap();
        assert_eq!(claim(&store, "m"), ClaimOutcome::Completed);
    }

    #[tokio::test(start_paused = true)]
    async fn bounded_evicting_completions_first_then_refusing() {
        let store = MemoryStore::with_capacity(2);
        let a = lease(claim(&store, "a"));
        store.complete_now(&a, DAY).unwrap();
        let _b = lease(claim(&store, "b"));
        // Full: the completion of "a" goes, "c" is claimed.
        let _c = lease(claim(&store, "c"));
        assert_eq!(store.len(), 2);
        // "a" is forgotten (not Completed) and two live claims leave no room.
        assert!(matches!(
            store.claim_now(&ClaimRequest::new("a", LEASE)),
            Err(StoreError::Full { capacity: 2 })
        ));
        // Now only live claims: refused.
        let store = MemoryStore::with_capacity(1);
        let _x = lease(claim(&store, "x"));
        assert!(matches!(
            store.claim_now(&ClaimRequest::new("y", LEASE)),
            Err(StoreError::Full { capacity: 1 })
        ));
        // Expired claims are swept, making room.
        tokio::time::advance(LEASE).await;
        assert!(matches!(claim(&store, "y"), ClaimOutcome::Claimed(_)));
    }
}
