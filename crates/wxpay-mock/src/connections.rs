//! Counting open connections against `MockBuilder::max_connections`: a connection holds a
//! [`Slot`] for as long as it is served, and gives it back when it ends, however it ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The number of connections being served, shared by the accept loop and the handle.
#[derive(Debug, Default, Clone)]
pub(crate) struct OpenConnections(Arc<AtomicUsize>);

impl OpenConnections {
    /// A place for one more connection, unless `max` are open already.
    pub(crate) fn acquire(&self, max: usize) -> Option<Slot> {
        self.0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(Arc::clone(&self.0)))
    }

    /// How many connections are open now.
    pub(crate) fn count(&self) -> usize {
        self.0.load(Ordering::Acquire)
    }
}

/// One connection's place; dropping it frees the place.
#[derive(Debug)]
pub(crate) struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_capped_and_given_back_on_drop() {
        let open = OpenConnections::default();
        let a = open.acquire(2).expect("first");
        let b = open.acquire(2).expect("second");
        assert!(open.acquire(2).is_none(), "a third place with max 2");
        assert_eq!(open.count(), 2);
        drop(a);
        assert_eq!(open.count(), 1);
        let c = open.acquire(2).expect("the freed place");
        drop((b, c));
        assert_eq!(open.count(), 0);
    }
}
