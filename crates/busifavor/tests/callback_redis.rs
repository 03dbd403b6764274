//! Exactly-once handling on Redis (feature `redis`): needs a Redis 7 at
//! `WXPAY_TEST_REDIS_URL` (default redis://127.0.0.1:6379). Each test uses its own key
//! prefix. When Redis does not answer the tests say so loudly and return, or fail under
//! `CI=true`.
#![cfg(feature = "redis")]

mod common;

use std::sync::Arc;
use std::time::Duration;

use busifavor::callback::{
    ClaimOutcome, ClaimRequest, Delivery, IdempotencyStore, RedisStore, StoreError,
};
use common::*;

/// Time limits for the concurrency tests: WeChat Pay's 5 s, so a CI machine busy with other
/// tests does not turn a slow claim into a 503 (which the scenario does not expect).
const LOADED: Duration = Duration::from_secs(5);

/// Deletes a test's keys when it ends (pass or fail).
struct Cleanup(String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let Ok(client) = redis::Client::open(redis_url()) else {
            return;
        };
        let Ok(mut conn) = client.get_connection() else {
            return;
        };
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}:*", self.0))
            .query(&mut conn)
            .unwrap_or_default();
        if !keys.is_empty() {
            let _: redis::RedisResult<i64> = redis::cmd("DEL").arg(keys).query(&mut conn);
        }
    }
}

/// A store on the test Redis under a fresh prefix (deleted when the guard drops), or `None`
/// (skipped) when Redis is down.
async fn store(test: &str) -> Option<(RedisStore, Cleanup)> {
    let url = redis_url();
    let connected = tokio::time::timeout(Duration::from_secs(3), RedisStore::connect(&url)).await;
    match connected {
        Ok(Ok(store)) => {
            let prefix = unique(test);
            Some((store.with_prefix(&prefix).unwrap(), Cleanup(prefix)))
        }
        Ok(Err(e)) => {
            skip_or_fail(test, "Redis", &url, &e);
            None
        }
        Err(_) => {
            skip_or_fail(test, "Redis", &url, &"no answer within 3 s");
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_concurrent_deliveries_64_x_200_rounds_call_once() {
    let Some((store, _cleanup)) = store("redis_concurrent").await else {
        return;
    };
    let calls = Arc::new(Calls::default());
    let handler = builder(calls.clone(), Behaviour::Slow(Duration::from_millis(1)))
        .timeout(LOADED)
        .store_timeout(LOADED)
        .store(store)
        .build()
        .unwrap();
    concurrent_deliveries_exactly_once(&[handler], &calls, 200, "redis").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_two_handler_instances_call_once_across_them() {
    let Some((a_store, _cleanup)) = store("redis_two").await else {
        return;
    };
    // A second, independent connection on the same prefix: another process in production.
    let b_store = RedisStore::connect(&redis_url())
        .await
        .unwrap()
        .with_prefix(a_store.prefix())
        .unwrap();
    let calls = Arc::new(Calls::default());
    let a = builder(calls.clone(), Behaviour::Slow(Duration::from_millis(1)))
        .timeout(LOADED)
        .store_timeout(LOADED)
        .store(a_store)
        .build()
        .unwrap();
    let b = builder(calls.clone(), Behaviour::Slow(Duration::from_millis(1)))
        .timeout(LOADED)
        .store_timeout(LOADED)
        .store(b_store)
        .build()
        .unwrap();
    concurrent_deliveries_exactly_once(&[a, b], &calls, 100, "redis2").await;
}

#[tokio::test]
async fn redis_failure_then_redelivery_is_one_completed_call() {
    let Some((store, _cleanup)) = store("redis_fail").await else {
        return;
    };
    let calls = Arc::new(Calls::default());
    let handler = builder(calls.clone(), Behaviour::FailFirst)
        .store(store)
        .build()
        .unwrap();
    failure_then_redelivery_completes_once(&handler, &calls, "redis-fail").await;
}

#[tokio::test]
async fn redis_crashed_holder_lease_expires_then_next_delivery_processes() {
    let Some((store, _cleanup)) = store("redis_crash").await else {
        return;
    };
    let calls = Arc::new(Calls::default());
    let handler = builder(calls.clone(), Behaviour::Succeed)
        .store(store.clone())
        .build()
        .unwrap();
    crashed_holder_lease_expires(&handler, &store, &calls, "redis-crash").await;
}

#[tokio::test]
async fn redis_state_machine_fencing_and_retention() {
    let Some((store, _cleanup)) = store("redis_states").await else {
        return;
    };
    let lease = Duration::from_secs(30);
    let ClaimOutcome::Claimed(a) = store.claim(ClaimRequest::new("n", lease)).await.unwrap() else {
        panic!("claimable")
    };
    let busy = store.claim(ClaimRequest::new("n", lease)).await.unwrap();
    assert!(
        matches!(busy, ClaimOutcome::InProgress { retry_after: Some(d) } if d <= lease && d > Duration::from_secs(25)),
        "{busy:?}"
    );
    store.release(&a, "failed").await.unwrap();
    let ClaimOutcome::Claimed(b) = store.claim(ClaimRequest::new("n", lease)).await.unwrap() else {
        panic!("claimable after release")
    };
    assert!(b.fencing() > a.fencing());
    // The stale holder's release and completion change nothing.
    store.release(&a, "late").await.unwrap();
    assert!(matches!(
        store.complete(&a, Duration::from_secs(60)).await,
        Err(StoreError::LeaseLost { .. })
    ));
    store
        .complete(&b, Duration::from_millis(500))
        .await
        .unwrap();
    assert_eq!(
        store.claim(ClaimRequest::new("n", lease)).await.unwrap(),
        ClaimOutcome::Completed
    );
    // The completion expires with its retention.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let ClaimOutcome::Claimed(c) = store.claim(ClaimRequest::new("n", lease)).await.unwrap() else {
        panic!("claimable after the retention")
    };
    assert!(c.fencing() > b.fencing());
    // Fencing numbers are at least the server clock in microseconds, and keep growing when
    // Redis loses the counter (restart without persistence, failover).
    let now_micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64;
    assert!(
        c.fencing() + 60_000_000 > now_micros,
        "{} vs {now_micros}",
        c.fencing()
    );
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_connection().unwrap();
    let _: i64 = redis::cmd("DEL")
        .arg(format!("{}:fencing", store.prefix()))
        .query(&mut conn)
        .unwrap();
    let ClaimOutcome::Claimed(d) = store.claim(ClaimRequest::new("m", lease)).await.unwrap() else {
        panic!("claimable")
    };
    assert!(
        d.fencing() > c.fencing(),
        "{} after {}",
        d.fencing(),
        c.fencing()
    );
}

#[tokio::test]
async fn redis_unreachable_is_503_and_nothing_marked_done() {
    let Some((real, _cleanup)) = store("redis_down").await else {
        return;
    };
    let calls = Arc::new(Calls::default());

    // Unreachable from the start (nothing listens on port 1): lazy connection, 503.
    let dead = RedisStore::connect_lazy("redis://127.0.0.1:1").unwrap();
    let handler = builder(calls.clone(), Behaviour::Succeed)
        .store(dead)
        .build()
        .unwrap();
    unreachable_store_is_503_and_nothing_runs(&handler, &calls, "redis-dead").await;

    // Reachable, then the connection is cut (a network failure, a dead server).
    let proxy = Proxy::start(socket_of(&redis_url())).await;
    let through = RedisStore::connect(&via(&redis_url(), proxy.addr))
        .await
        .unwrap()
        .with_prefix(real.prefix())
        .unwrap();
    let handler = builder(calls.clone(), Behaviour::Succeed)
        .store(through)
        .store_timeout(Duration::from_millis(1500))
        .build()
        .unwrap();
    let (headers, body) = deliver_parts("redis-before-cut");
    assert!(matches!(
        handler.process_bytes(&headers, &body).await,
        Ok(Delivery::Processed { .. })
    ));
    proxy.cut();
    unreachable_store_is_503_and_nothing_runs(&handler, &calls, "redis-after-cut").await;
    // Nothing was claimed or marked done for it: the real store can claim it.
    assert!(matches!(
        real.claim(ClaimRequest::new(
            "redis-after-cut",
            Duration::from_secs(30)
        ))
        .await
        .unwrap(),
        ClaimOutcome::Claimed(_)
    ));
    assert_eq!(
        real.claim(ClaimRequest::new(
            "redis-before-cut",
            Duration::from_secs(30)
        ))
        .await
        .unwrap(),
        ClaimOutcome::Completed
    );
    assert_eq!(calls.total(), 1);
}

#[tokio::test]
async fn redis_store_settings_are_checked() {
    assert!(matches!(
        RedisStore::connect_lazy("not a url"),
        Err(StoreError::Config { .. })
    ));
    let Some((store, _cleanup)) = store("redis_cfg").await else {
        return;
    };
    assert!(matches!(
        store.clone().with_prefix(""),
        Err(StoreError::Config { .. })
    ));
    assert!(matches!(
        store.with_prefix("has space"),
        Err(StoreError::Config { .. })
    ));
}
