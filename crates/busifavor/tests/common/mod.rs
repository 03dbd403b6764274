//! Shared harness of the callback tests: a counting handler, the store servers (with the
//! loud skip rule), a TCP proxy that can cut a store's connection, and scenarios run against
//! every store.
#![allow(dead_code)]

pub mod notify;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use busifavor::callback::{
    CallbackError, CallbackHandler, CallbackHandlerBuilder, CallbackMeta, ClaimOutcome,
    ClaimRequest, Delivery, IdempotencyStore, StoreError,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Barrier;
use wxpay_crypto::{FixedClock, Signer};

pub use notify::*;

/// What the user's function saw.
#[derive(Default)]
pub struct Calls {
    /// Every call: (notification id, coupon code, fencing).
    pub calls: Mutex<Vec<(String, String, u64)>>,
    /// Successful calls per notification id.
    pub succeeded: Mutex<HashMap<String, usize>>,
    pub count: AtomicUsize,
}

impl Calls {
    pub fn total(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
    pub fn for_id(&self, id: &str) -> usize {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|(i, _, _)| i == id)
            .count()
    }
    pub fn successes(&self, id: &str) -> usize {
        self.succeeded.lock().unwrap().get(id).copied().unwrap_or(0)
    }
    pub fn metas(&self) -> Vec<(String, String, u64)> {
        self.calls.lock().unwrap().clone()
    }
}

/// How the user's function behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    Succeed,
    /// Sleep this long, then succeed.
    Slow(Duration),
    /// Fail the first call for each id, then succeed.
    FailFirst,
    /// Always fail.
    Fail,
    /// Panic.
    Panic,
}

/// A builder with static keys (the test key pair, a fixed clock at `NOW`) and a counting
/// COUPON.SEND function.
pub fn builder(calls: Arc<Calls>, behaviour: Behaviour) -> CallbackHandlerBuilder {
    CallbackHandler::builder()
        .verifier(verifier())
        .api_v3_key(apiv3())
        .clock(FixedClock(NOW))
        .on_coupon_send(move |event, meta: CallbackMeta| {
            let calls = calls.clone();
            async move {
                let first = {
                    let mut all = calls.calls.lock().unwrap();
                    let first = !all.iter().any(|(i, _, _)| *i == meta.notification_id);
                    all.push((
                        meta.notification_id.clone(),
                        event.coupon_code.clone(),
                        meta.fencing,
                    ));
                    first
                };
                calls.count.fetch_add(1, Ordering::SeqCst);
                match behaviour {
                    Behaviour::Succeed => {}
                    Behaviour::Slow(d) => tokio::time::sleep(d).await,
                    Behaviour::FailFirst if first => {
                        return Err(std::io::Error::other("downstream unavailable"));
                    }
                    Behaviour::FailFirst => {}
                    Behaviour::Fail => return Err(std::io::Error::other("always fails")),
                    Behaviour::Panic => panic!("handler bug"),
                }
                *calls
                    .succeeded
                    .lock()
                    .unwrap()
                    .entry(meta.notification_id.clone())
                    .or_default() += 1;
                Ok(())
            }
        })
}

pub fn deliver_parts(id: &str) -> (http::HeaderMap, Vec<u8>) {
    Notify::coupon(id, NOW).build(&signer())
}

// ----- store servers ---------------------------------------------------------------------

pub fn redis_url() -> String {
    std::env::var("WXPAY_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

pub fn database_url() -> String {
    std::env::var("WXPAY_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// File where skipped store tests are listed for `cargo xtask ci` (one line each).
pub const SKIP_LOG: &str = concat!(
    env!("CARGO_TARGET_TMPDIR"),
    "/wxpay-store-tests-skipped.txt"
);

/// A store server did not answer: under `CI=true` the test fails; otherwise it says so loudly
/// (stderr and the skip log `cargo xtask ci` reports) and the caller returns.
pub fn skip_or_fail(test: &str, server: &str, url: &str, why: &dyn std::fmt::Display) {
    let line = format!("SKIPPED {test}: no {server} at {url} ({why})");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{line}; CI=true requires the store servers (start them, see docs/callbacks.md)");
    }
    eprintln!("\n*** {line} ***\n*** start it (see docs/callbacks.md) to run this test ***\n");
    use std::io::Write as _;
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(SKIP_LOG)
    {
        let _ = writeln!(f, "{line}");
    }
}

/// A unique name for this test run (prefixes, table names).
pub fn unique(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "wxpay_test_{tag}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000
    )
}

// ----- a TCP proxy that can be cut -------------------------------------------------------

/// Forwards 127.0.0.1:<port> to `upstream`; [`Proxy::cut`] closes the listener and every
/// open connection, as a network failure or a dead server would.
pub struct Proxy {
    pub addr: std::net::SocketAddr,
    task: tokio::task::JoinHandle<()>,
    conns: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    pub async fn start(upstream: std::net::SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let conns: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let tracked = conns.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let conn = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tracked.lock().unwrap().push(conn);
            }
        });
        Self { addr, task, conns }
    }

    pub fn cut(&self) {
        self.task.abort();
        for c in self.conns.lock().unwrap().drain(..) {
            c.abort();
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
    }
}

/// `host:port` of a `scheme://[user@]host:port/...` URL, resolved.
pub fn socket_of(url: &str) -> std::net::SocketAddr {
    let rest = url.split("://").nth(1).unwrap();
    let hostport = rest.split('/').next().unwrap();
    let hostport = hostport.rsplit('@').next().unwrap();
    use std::net::ToSocketAddrs as _;
    hostport.to_socket_addrs().unwrap().next().unwrap()
}

/// `url` with its host:port replaced by `addr`.
pub fn via(url: &str, addr: std::net::SocketAddr) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    let userinfo = authority
        .rsplit_once('@')
        .map(|(u, _)| format!("{u}@"))
        .unwrap_or_default();
    format!("{scheme}://{userinfo}{addr}/{path}")
}

// ----- scenarios run against every store -------------------------------------------------

/// 64 concurrent deliveries of one notification, `rounds` times (a new notification each
/// round), spread over `handlers` (instances sharing the store): exactly one call and one
/// `Processed` per notification, every other delivery a duplicate or in progress.
pub async fn concurrent_deliveries_exactly_once(
    handlers: &[CallbackHandler],
    calls: &Calls,
    rounds: usize,
    tag: &str,
) {
    const DELIVERIES: usize = 64;
    let signer: Signer = signer();
    for round in 0..rounds {
        let id = format!("{tag}-{round}");
        let (headers, body) = Notify::coupon(&id, NOW).build(&signer);
        let (headers, body) = (Arc::new(headers), Arc::new(body));
        let barrier = Arc::new(Barrier::new(DELIVERIES));
        let mut tasks = Vec::with_capacity(DELIVERIES);
        for i in 0..DELIVERIES {
            let handler = handlers[i % handlers.len()].clone();
            let (headers, body, barrier) = (headers.clone(), body.clone(), barrier.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                handler.process_bytes(&headers, &body).await
            }));
        }
        let mut processed = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(Delivery::Processed { .. }) => processed += 1,
                Ok(Delivery::Duplicate { .. }) | Err(CallbackError::InProgress { .. }) => {}
                other => panic!("round {round}: unexpected outcome {other:?}"),
            }
        }
        assert_eq!(
            processed, 1,
            "round {round}: exactly one delivery processes"
        );
        assert_eq!(calls.for_id(&id), 1, "round {round}: exactly one call");
    }
    assert_eq!(calls.total(), rounds);
}

/// The function fails on the first delivery (500, claim released), the redelivery succeeds
/// (204), later ones are duplicates: exactly one completed call.
pub async fn failure_then_redelivery_completes_once(
    handler: &CallbackHandler,
    calls: &Calls,
    id: &str,
) {
    let (headers, body) = deliver_parts(id);
    let first = handler.process_bytes(&headers, &body).await;
    assert!(
        matches!(first, Err(CallbackError::HandlerFailed { .. })),
        "{first:?}"
    );
    assert_eq!(handler.respond(&first).status(), 500);
    let second = handler.process_bytes(&headers, &body).await;
    assert!(
        matches!(second, Ok(Delivery::Processed { .. })),
        "{second:?}"
    );
    assert_eq!(handler.respond(&second).status(), 204);
    for _ in 0..3 {
        let again = handler.process_bytes(&headers, &body).await;
        assert!(matches!(again, Ok(Delivery::Duplicate { .. })), "{again:?}");
    }
    assert_eq!(calls.for_id(id), 2, "one failed call, one successful call");
    assert_eq!(calls.successes(id), 1, "exactly one completed call");
    let metas = calls.metas();
    let fencings: Vec<u64> = metas.iter().filter(|m| m.0 == id).map(|m| m.2).collect();
    assert!(
        fencings[1] > fencings[0],
        "the retry's fencing number is larger: {fencings:?}"
    );
}

/// A holder claims and "crashes" (never completes or releases): deliveries get 503 and do not
/// call the function until its lease expires; the next delivery then processes with a larger
/// fencing number, and the crashed holder can no longer complete.
pub async fn crashed_holder_lease_expires(
    handler: &CallbackHandler,
    store: &dyn IdempotencyStore,
    calls: &Calls,
    id: &str,
) {
    let crash_lease = Duration::from_millis(600);
    let ClaimOutcome::Claimed(crashed) = store
        .claim(ClaimRequest::new(id, crash_lease))
        .await
        .unwrap()
    else {
        panic!("fresh id must be claimable")
    };
    let (headers, body) = deliver_parts(id);
    let during = handler.process_bytes(&headers, &body).await;
    assert!(
        matches!(during, Err(CallbackError::InProgress { .. })),
        "{during:?}"
    );
    assert_eq!(handler.respond(&during).status(), 503);
    assert_eq!(calls.for_id(id), 0);
    tokio::time::sleep(crash_lease + Duration::from_millis(300)).await;
    let after = handler.process_bytes(&headers, &body).await;
    let Ok(Delivery::Processed { fencing, .. }) = after else {
        panic!("after the lease expired the delivery processes: {after:?}")
    };
    assert!(fencing > crashed.fencing());
    assert_eq!(calls.for_id(id), 1);
    // The crashed holder comes back: it cannot complete or release the new state.
    assert!(matches!(
        store.complete(&crashed, Duration::from_secs(3600)).await,
        Err(StoreError::LeaseLost { .. })
    ));
    store.release(&crashed, "late").await.unwrap();
    let again = handler.process_bytes(&headers, &body).await;
    assert!(matches!(again, Ok(Delivery::Duplicate { .. })), "{again:?}");
    assert_eq!(calls.for_id(id), 1);
}

/// The store is unreachable: 503 and the function is not called.
pub async fn unreachable_store_is_503_and_nothing_runs(
    handler: &CallbackHandler,
    calls: &Calls,
    id: &str,
) {
    let (headers, body) = deliver_parts(id);
    let result = handler.process_bytes(&headers, &body).await;
    assert!(
        matches!(&result, Err(CallbackError::Store(e)) if e.is_unavailable()),
        "{result:?}"
    );
    let response = handler.respond(&result);
    assert_eq!(response.status(), 503);
    assert_eq!(calls.for_id(id), 0);
}
