//! Locks that outlive a panic: the simulator must keep serving even if some code panicked while
//! holding one of its mutexes, instead of answering `500` to every later request.

use std::sync::{Mutex, MutexGuard};

/// Locks `m`; a poisoned lock is recovered (and un-poisoned) rather than refused.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| {
        tracing::error!("wxpay-mock: recovering a lock poisoned by an earlier panic");
        m.clear_poison();
        poisoned.into_inner()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poisoned_lock_is_recovered_with_its_data() {
        let m = Mutex::new(vec![1]);
        let poisoner = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut g = m.lock().unwrap();
            g.push(2);
            panic!("boom while locked");
        }));
        assert!(poisoner.is_err());
        assert!(m.is_poisoned());
        lock(&m).push(3);
        assert!(!m.is_poisoned());
        assert_eq!(*lock(&m), vec![1, 2, 3]);
    }
}
