//! Exactly-once handling on PostgreSQL (feature `postgres`): needs a database at
//! `WXPAY_TEST_DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/test). Each test
//! migrates its own inbox table and drops it at the end. When the database does not answer
//! the tests say so loudly and return, or fail under `CI=true`.
#![cfg(feature = "postgres")]

mod common;

use std::sync::Arc;
use std::time::Duration;

use busifavor::callback::{
    ClaimOutcome, ClaimRequest, Delivery, INBOX_MIGRATION, IdempotencyStore, PostgresStore,
    StoreError,
};
use common::*;

/// Time limits for the concurrency tests: WeChat Pay's 5 s, so a CI machine busy with other
/// tests does not turn a slow claim into a 503 (which the scenario does not expect).
const LOADED: Duration = Duration::from_secs(5);

/// Drops a test's table and sequence when it ends (pass or fail).
struct Cleanup(String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let table = self.0.clone();
        // Drop runs inside the test's runtime: use a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let (client, conn) =
                    tokio_postgres::connect(&database_url(), tokio_postgres::NoTls)
                        .await
                        .ok()?;
                tokio::spawn(conn);
                client
                    .batch_execute(&format!(
                        "DROP TABLE IF EXISTS {table}; DROP SEQUENCE IF EXISTS {table}_fencing;"
                    ))
                    .await
                    .ok()
            })
        })
        .join();
    }
}

/// A migrated store on a fresh table, or `None` (skipped) when the database is down.
async fn store(test: &str) -> Option<(PostgresStore, Cleanup)> {
    let url = database_url();
    let table = unique(test);
    let store = PostgresStore::connect(&url)
        .unwrap()
        .with_table(&table)
        .unwrap();
    match tokio::time::timeout(Duration::from_secs(5), store.migrate()).await {
        Ok(Ok(())) => Some((store, Cleanup(table))),
        Ok(Err(e)) => {
            skip_or_fail(test, "PostgreSQL", &url, &e);
            None
        }
        Err(_) => {
            skip_or_fail(test, "PostgreSQL", &url, &"no answer within 5 s");
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_concurrent_deliveries_64_x_200_rounds_call_once() {
    let Some((store, _cleanup)) = store("pg_concurrent").await else {
        return;
    };
    let calls = Arc::new(Calls::default());
    let handler = builder(calls.clone(), Behaviour::Slow(Duration::from_millis(1)))
        .timeout(LOADED)
        .store_timeout(LOADED)
        .store(store)
        .build()
        .unwrap();
    concurrent_deliveries_exactly_once(&[handler], &calls, 200, "pg").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_two_handler_instances_call_once_across_them() {
    let Some((a_store, _cleanup)) = store("pg_two").await else {
        return;
    };
    // An independent pool on the same table: another process in production.
    let b_store = PostgresStore::connect(&database_url())
        .unwrap()
        .with_table(a_store.table())
        .unwrap();
    let calls = Arc::new(Calls::default());
    let a = builder(calls.clone(), Behaviour::Slow(Duration::from_millis(1)))
        .timeout(LOADED)
        .store_timeout(LOADED)
        .store(a_store.clone())
        .build()
        .unwrap();
    let b = builder(calls.clone(), Behaviour::Slow(Duration::from_millis(1)))
        .timeout(LOADED)
        .store_timeout(LOADED)
        .store(b_store)
        .build()
        .unwrap();
    concurrent_deliveries_exactly_once(&[a, b], &calls, 100, "pg2").await;
    // The inbox is the audit log: one completed row per notification.
    let row = a_store.record("pg2-7").await.unwrap().unwrap();
    assert_eq!(row.status, "completed");
    assert_eq!(row.event_type, "COUPON.SEND");
    assert_eq!(row.attempts, 1);
}

#[tokio::test]
async fn postgres_failure_then_redelivery_is_one_completed_call_and_audited() {
    let Some((store, _cleanup)) = store("pg_fail").await else {
        return;
    };
    let calls = Arc::new(Calls::default());
    let handler = builder(calls.clone(), Behaviour::FailFirst)
        .store(store.clone())
        .build()
        .unwrap();
    failure_then_redelivery_completes_once(&handler, &calls, "pg-fail").await;
    let row = store.record("pg-fail").await.unwrap().unwrap();
    assert_eq!(row.status, "completed");
    assert_eq!(row.attempts, 2, "claimed twice: the failure and the retry");
    assert_eq!(row.last_error.as_deref(), Some("downstream unavailable"));
    assert_eq!(row.create_time, "2019-12-12T16:54:38+08:00");
    let event: serde_json::Value = serde_json::from_str(row.event.as_deref().unwrap()).unwrap();
    assert_eq!(event["coupon_code"], "code-pg-fail");
    assert_eq!(calls.metas()[1].2, row.fencing);
}

#[tokio::test]
async fn postgres_crashed_holder_lease_expires_then_next_delivery_processes() {
    let Some((store, _cleanup)) = store("pg_crash").await else {
        return;
    };
    let calls = Arc::new(Calls::default());
    let handler = builder(calls.clone(), Behaviour::Succeed)
        .store(store.clone())
        .build()
        .unwrap();
    crashed_holder_lease_expires(&handler, &store, &calls, "pg-crash").await;
}

#[tokio::test]
async fn postgres_state_machine_fencing_migration_and_purge() {
    let Some((store, _cleanup)) = store("pg_states").await else {
        return;
    };
    // The migration can run again (instances starting together).
    store.migrate().await.unwrap();
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
    assert_eq!(store.record("n").await.unwrap().unwrap().status, "released");
    let ClaimOutcome::Claimed(b) = store.claim(ClaimRequest::new("n", lease)).await.unwrap() else {
        panic!("claimable after release")
    };
    assert!(b.fencing() > a.fencing());
    store.release(&a, "late").await.unwrap();
    assert!(matches!(
        store.complete(&a, Duration::from_secs(60)).await,
        Err(StoreError::LeaseLost { .. })
    ));
    store.complete(&b, Duration::from_secs(60)).await.unwrap();
    assert_eq!(
        store.claim(ClaimRequest::new("n", lease)).await.unwrap(),
        ClaimOutcome::Completed
    );
    // Completed rows stay until purged.
    assert_eq!(
        store
            .purge_completed(Duration::from_secs(3600))
            .await
            .unwrap(),
        0
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        store
            .purge_completed(Duration::from_millis(10))
            .await
            .unwrap(),
        1
    );
    assert!(store.record("n").await.unwrap().is_none());
    // Events that jsonb cannot hold are not kept, rather than failing the claim.
    let odd = r#"{"note":"\u0000"}"#;
    let req = ClaimRequest::new("odd", lease).with_event("COUPON.SEND", "t", odd);
    assert!(matches!(
        store.claim(req).await.unwrap(),
        ClaimOutcome::Claimed(_)
    ));
    assert_eq!(store.record("odd").await.unwrap().unwrap().event, None);
}

#[tokio::test]
async fn postgres_unreachable_is_503_and_nothing_marked_done() {
    let Some((real, _cleanup)) = store("pg_down").await else {
        return;
    };
    let calls = Arc::new(Calls::default());

    // Unreachable from the start: the pool opens connections on demand, 503.
    let dead = PostgresStore::connect("postgres://postgres@127.0.0.1:1/test")
        .unwrap()
        .with_table(real.table())
        .unwrap();
    let handler = builder(calls.clone(), Behaviour::Succeed)
        .store(dead)
        .build()
        .unwrap();
    unreachable_store_is_503_and_nothing_runs(&handler, &calls, "pg-dead").await;

    // Reachable, then the connections are cut.
    let proxy = Proxy::start(socket_of(&database_url())).await;
    let through = PostgresStore::connect(&via(&database_url(), proxy.addr))
        .unwrap()
        .with_table(real.table())
        .unwrap();
    let handler = builder(calls.clone(), Behaviour::Succeed)
        .store(through)
        .build()
        .unwrap();
    let (headers, body) = deliver_parts("pg-before-cut");
    assert!(matches!(
        handler.process_bytes(&headers, &body).await,
        Ok(Delivery::Processed { .. })
    ));
    proxy.cut();
    unreachable_store_is_503_and_nothing_runs(&handler, &calls, "pg-after-cut").await;
    assert!(
        real.record("pg-after-cut").await.unwrap().is_none(),
        "nothing recorded"
    );
    assert_eq!(
        real.record("pg-before-cut").await.unwrap().unwrap().status,
        "completed"
    );
    assert_eq!(calls.total(), 1);
}

#[test]
fn postgres_store_settings_are_checked() {
    let store = PostgresStore::connect("postgres://postgres@127.0.0.1:5432/test").unwrap();
    for bad in ["", "1table", "drop table x;--", "a.b.c", &"t".repeat(60)] {
        assert!(
            matches!(
                store.clone().with_table(bad),
                Err(StoreError::Config { .. })
            ),
            "{bad:?}"
        );
    }
    assert!(store.clone().with_table("public.coupon_inbox").is_ok());
    assert!(matches!(
        PostgresStore::connect("mysql://nope"),
        Err(StoreError::Config { .. })
    ));
    assert!(INBOX_MIGRATION.contains("CREATE TABLE IF NOT EXISTS wxpay_callback_inbox"));
}
