//! The memory of request numbers for idempotent replays, bounded: at most `capacity` numbers
//! and about `max_bytes` of remembered requests and answers; beyond either, the oldest number
//! is forgotten first. A replay of a forgotten number runs as a new request, so the bounds are
//! set far above what a test or a demo sends (100 000 numbers, 64 MiB by default).

use std::collections::{HashMap, VecDeque};

use serde_json::Value;

use crate::limits::{DEFAULT_IDEMPOTENCY_CAPACITY, DEFAULT_IDEMPOTENCY_MAX_BYTES};

/// (scope, merchant, request number).
pub(crate) type Key = (&'static str, String, String);

/// Bookkeeping per remembered number beyond its text: the map and queue entries, the keys.
const ENTRY_OVERHEAD: usize = 512;
/// A parsed `Value` tree takes about this many times its JSON text (nodes, map entries,
/// string headers). Together with [`ENTRY_OVERHEAD`] this matches the measured growth of
/// ~1 KB per small remembered request (tests/flood_memory.rs).
const TREE_FACTOR: usize = 3;

/// A remembered answer's size, as the length of its JSON text.
pub(crate) trait JsonSize {
    /// Bytes of the answer's JSON text (0 without a body).
    fn json_len(&self) -> usize;
}

impl JsonSize for Value {
    fn json_len(&self) -> usize {
        serde_json::to_vec(self).map_or(0, |t| t.len())
    }
}

/// What one request number is remembered as.
#[derive(Debug)]
struct Entry<A> {
    request: Value,
    answer: A,
    bytes: usize,
}

/// Request numbers in the order they were first answered, with their first request and answer.
#[derive(Debug)]
pub(crate) struct IdempotencyStore<A> {
    entries: HashMap<Key, Entry<A>>,
    order: VecDeque<Key>,
    bytes: usize,
    capacity: usize,
    max_bytes: usize,
}

impl<A: JsonSize> Default for IdempotencyStore<A> {
    fn default() -> Self {
        Self::new(DEFAULT_IDEMPOTENCY_CAPACITY, DEFAULT_IDEMPOTENCY_MAX_BYTES)
    }
}

impl<A: JsonSize> IdempotencyStore<A> {
    /// An empty store keeping at most `capacity` numbers and about `max_bytes`.
    pub(crate) fn new(capacity: usize, max_bytes: usize) -> Self {
        Self {
            entries: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
            capacity: capacity.max(1),
            max_bytes,
        }
    }

    /// The first request and answer remembered for `key`.
    pub(crate) fn get(&self, key: &Key) -> Option<(&Value, &A)> {
        self.entries.get(key).map(|e| (&e.request, &e.answer))
    }

    /// Remembers `key`'s first request and answer, forgetting the oldest numbers while over
    /// either bound. An entry larger than the whole byte bound is not remembered at all.
    pub(crate) fn insert(&mut self, key: Key, request: Value, answer: A) {
        let bytes = estimate(&key, &request, &answer);
        if bytes > self.max_bytes {
            return;
        }
        if let Some(old) = self.entries.remove(&key) {
            self.bytes -= old.bytes;
            self.order.retain(|k| k != &key);
        }
        while self.entries.len() >= self.capacity || self.bytes + bytes > self.max_bytes {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(e) = self.entries.remove(&oldest) {
                self.bytes -= e.bytes;
            }
        }
        self.order.push_back(key.clone());
        self.entries.insert(
            key,
            Entry {
                request,
                answer,
                bytes,
            },
        );
        self.bytes += bytes;
    }

    /// How many request numbers are remembered.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The estimated bytes they take.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.bytes
    }
}

/// The entry's approximate footprint: its JSON trees, its key and a fixed overhead.
fn estimate(key: &Key, request: &Value, answer: &impl JsonSize) -> usize {
    ENTRY_OVERHEAD
        + key.0.len()
        + key.1.len()
        + key.2.len()
        + TREE_FACTOR * (request.json_len() + answer.json_len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(n: usize) -> Key {
        ("t", "m".to_owned(), format!("no{n}"))
    }

    #[test]
    fn a_flood_stays_at_the_capacity_and_keeps_the_newest() {
        let mut store = IdempotencyStore::<Value>::new(3, 1 << 20);
        for n in 0..10 {
            store.insert(key(n), json!({"n": n}), json!({"id": n}));
        }
        assert_eq!(store.len(), 3);
        assert!(store.get(&key(6)).is_none(), "the oldest go first");
        for n in 7..10 {
            let (req, reply) = store.get(&key(n)).expect("a recent number is remembered");
            assert_eq!(req, &json!({"n": n}));
            assert_eq!(reply, &json!({"id": n}));
        }
    }

    #[test]
    fn the_byte_bound_evicts_too_and_is_accounted_exactly() {
        let big = json!({"pad": "x".repeat(1000)});
        let one = estimate(&key(0), &big, &Value::Null);
        let mut store = IdempotencyStore::<Value>::new(1000, one * 2 + one / 2);
        for n in 0..5 {
            store.insert(key(n), big.clone(), Value::Null);
        }
        assert_eq!(store.len(), 2);
        assert_eq!(store.bytes(), 2 * one);
        assert!(store.get(&key(4)).is_some() && store.get(&key(3)).is_some());
        // Larger than the whole bound: not remembered, nothing else forgotten for it.
        let huge = json!({"pad": "x".repeat(one * 3)});
        store.insert(key(9), huge, Value::Null);
        assert_eq!(store.len(), 2);
        assert!(store.get(&key(9)).is_none());
    }

    #[test]
    fn reinserting_a_key_replaces_it_without_double_counting() {
        let mut store = IdempotencyStore::<Value>::new(2, 1 << 20);
        store.insert(key(1), json!(1), Value::Null);
        store.insert(key(1), json!(2), Value::Null);
        store.insert(key(2), json!(3), Value::Null);
        assert_eq!(store.len(), 2);
        assert_eq!(store.get(&key(1)).unwrap().0, &json!(2));
        assert_eq!(store.order.len(), 2);
    }
}
