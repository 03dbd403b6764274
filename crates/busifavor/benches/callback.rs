//! Callbacks per second through `CallbackHandler` (verify → open → claim → the user's function
//! → complete → reply), beside `wxpay_model::open_notification` alone on the same inputs in
//! the same run, on one core (a current-thread runtime); then with the Redis and PostgreSQL
//! stores when built with their features and the servers answer.
//!
//! Every timed call is a **new** notification (distinct ids, each signed), so the handler
//! takes the full claim → complete path; `handler_duplicate` times the redelivery path.
//! `cargo bench -p busifavor --bench callback --all-features`

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

#[path = "../tests/common/notify.rs"]
mod notify;

use std::time::{Duration, Instant};

use busifavor::callback::{CallbackHandler, Delivery, IdempotencyStore, MemoryStore};
use criterion::{Criterion, black_box, criterion_group, criterion_main};
use http::HeaderMap;
use notify::{NOW, Notify};
use wxpay_crypto::{FixedClock, SignatureHeaders};

/// CPU time of this thread (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`). The machine these
/// numbers come from is shared, so wall time would count the time other processes hold the
/// core; thread CPU time counts only ours. Everything of the in-memory path runs on this
/// thread (a current-thread runtime).
struct CpuClock;

impl CpuClock {
    fn now(&self) -> Stamp {
        Stamp(cpu_time::ThreadTime::now())
    }
}

#[derive(Clone, Copy)]
struct Stamp(cpu_time::ThreadTime);

impl Stamp {
    fn elapsed(self, _clock: &CpuClock) -> Duration {
        self.0.elapsed()
    }
}

/// Distinct notifications prepared (signing is the slow part of the set-up).
const POOL: usize = 2048;

struct Input {
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Input {
    fn signature_headers(&self) -> SignatureHeaders<'_> {
        let get = |n: &str| {
            self.headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        SignatureHeaders {
            timestamp: get("wechatpay-timestamp"),
            nonce: get("wechatpay-nonce"),
            signature: get("wechatpay-signature"),
            serial: get("wechatpay-serial"),
            signature_type: Some(get("wechatpay-signature-type")),
        }
    }
}

fn inputs(tag: &str) -> Vec<Input> {
    let signer = notify::signer();
    (0..POOL)
        .map(|i| {
            let (headers, body) = Notify::coupon(&format!("{tag}-{i:05}"), NOW).build(&signer);
            Input { headers, body }
        })
        .collect()
}

fn handler(store: impl IdempotencyStore) -> CallbackHandler {
    CallbackHandler::builder()
        .verifier(notify::verifier())
        .api_v3_key(notify::apiv3())
        .clock(FixedClock(NOW))
        .store(store)
        .on_coupon_send(|event, meta| async move {
            black_box((&event.coupon_code, meta.fencing));
            Ok::<(), std::convert::Infallible>(())
        })
        .build()
        .expect("handler")
}

/// Times `iters` calls over the input pool, a fresh handler (from `fresh`, untimed) for each
/// pass over the pool so every call is a first delivery.
fn time_handler(
    rt: &tokio::runtime::Runtime,
    clock: Option<&CpuClock>,
    inputs: &[Input],
    iters: u64,
    fresh: &mut dyn FnMut() -> CallbackHandler,
) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters as usize;
    while left > 0 {
        let n = left.min(inputs.len());
        let h = fresh();
        let cpu = clock.map(CpuClock::now);
        let start = Instant::now();
        rt.block_on(async {
            for input in &inputs[..n] {
                let r = h.process_bytes(&input.headers, &input.body).await;
                assert!(matches!(r, Ok(Delivery::Processed { .. })), "{r:?}");
            }
        });
        total += match (cpu, clock) {
            (Some(stamp), Some(clock)) => stamp.elapsed(clock),
            _ => start.elapsed(),
        };
        left -= n;
    }
    total
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let inputs = inputs("bench");
    let verifier = notify::verifier();
    let apiv3 = notify::apiv3();
    let clock = FixedClock(NOW);
    let cpu = CpuClock;

    // CPU time on one core (see `CpuClock`).
    let mut g = c.benchmark_group(format!("callback_one_core [{}]", wxpay_crypto::BACKEND));
    g.bench_function("open_only", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut left = iters as usize;
            while left > 0 {
                let n = left.min(inputs.len());
                let start = cpu.now();
                rt.block_on(async {
                    for input in &inputs[..n] {
                        let opened = wxpay_model::open_notification(
                            &input.signature_headers(),
                            &input.body,
                            &verifier,
                            &apiv3,
                            &clock,
                        )
                        .expect("opens");
                        black_box(opened);
                    }
                });
                total += start.elapsed(&cpu);
                left -= n;
            }
            total
        })
    });
    g.bench_function("handler_memory", |b| {
        b.iter_custom(|iters| {
            time_handler(&rt, Some(&cpu), &inputs, iters, &mut || {
                handler(MemoryStore::new())
            })
        })
    });
    // The in-memory store's share of the handler's overhead: claim + complete of a new id.
    let ids: Vec<String> = (0..POOL).map(|i| format!("store-only-{i:05}")).collect();
    g.bench_function("memory_store_claim_complete", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut left = iters as usize;
            while left > 0 {
                let n = left.min(ids.len());
                let store = MemoryStore::new();
                let start = cpu.now();
                rt.block_on(async {
                    for id in &ids[..n] {
                        let outcome = store
                            .claim(busifavor::callback::ClaimRequest::new(
                                id,
                                Duration::from_secs(30),
                            ))
                            .await
                            .expect("claim");
                        let busifavor::callback::ClaimOutcome::Claimed(lease) = outcome else {
                            panic!("new id")
                        };
                        store
                            .complete(&lease, Duration::from_secs(86_400))
                            .await
                            .expect("complete");
                    }
                });
                total += start.elapsed(&cpu);
                left -= n;
            }
            total
        })
    });
    let warm = handler(MemoryStore::new());
    rt.block_on(async {
        for input in &inputs {
            warm.process_bytes(&input.headers, &input.body)
                .await
                .expect("first delivery");
        }
    });
    g.bench_function("handler_duplicate", |b| {
        b.iter_custom(|iters| {
            let start = cpu.now();
            rt.block_on(async {
                for i in 0..iters as usize {
                    let input = &inputs[i % inputs.len()];
                    let r = warm.process_bytes(&input.headers, &input.body).await;
                    assert!(matches!(r, Ok(Delivery::Duplicate { .. })));
                }
            });
            start.elapsed(&cpu)
        })
    });
    g.finish();

    interleaved(&rt, &inputs, &cpu);
    distributed(c, &rt, &inputs);
}

/// Open-only and handler passes over the same inputs, alternating, 30 rounds: the medians of
/// the per-call costs and their ratio. Alternating cancels the drift of a shared machine that
/// separate criterion benches, minutes apart, do not.
fn interleaved(rt: &tokio::runtime::Runtime, inputs: &[Input], cpu: &CpuClock) {
    const ROUNDS: usize = 30;
    let verifier = notify::verifier();
    let apiv3 = notify::apiv3();
    let clock = FixedClock(NOW);
    let (mut open, mut full) = (Vec::with_capacity(ROUNDS), Vec::with_capacity(ROUNDS));
    for _ in 0..ROUNDS {
        let start = cpu.now();
        for input in inputs {
            black_box(
                wxpay_model::open_notification(
                    &input.signature_headers(),
                    &input.body,
                    &verifier,
                    &apiv3,
                    &clock,
                )
                .expect("opens"),
            );
        }
        open.push(start.elapsed(cpu).as_secs_f64() / inputs.len() as f64);
        full.push(
            time_handler(rt, Some(cpu), inputs, inputs.len() as u64, &mut || {
                handler(MemoryStore::new())
            })
            .as_secs_f64()
                / inputs.len() as f64,
        );
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (o, h) = (median(&mut open), median(&mut full));
    println!(
        "callback_one_core [{}]/interleaved ({ROUNDS} rounds x {} calls, CPU time): open_only {:.2} µs, handler_memory {:.2} µs; handler rate = {:.1} % of open-only",
        wxpay_crypto::BACKEND,
        inputs.len(),
        o * 1e6,
        h * 1e6,
        o / h * 100.0
    );
}

#[cfg(any(feature = "redis", feature = "postgres"))]
fn distributed(c: &mut Criterion, rt: &tokio::runtime::Runtime, inputs: &[Input]) {
    // Wall time: the store's round trips are the point here.
    let mut g = c.benchmark_group(format!("callback_distributed [{}]", wxpay_crypto::BACKEND));
    g.sample_size(20).measurement_time(Duration::from_secs(8));
    #[cfg(feature = "redis")]
    {
        let url = std::env::var("WXPAY_TEST_REDIS_URL")
            .unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
        match rt.block_on(busifavor::callback::RedisStore::connect(&url)) {
            Ok(base) => {
                let mut pass = 0u32;
                let prefix = format!("wxpay_bench_{}", std::process::id());
                g.bench_function("handler_redis", |b| {
                    b.iter_custom(|iters| {
                        time_handler(rt, None, inputs, iters, &mut || {
                            pass += 1;
                            let store = base
                                .clone()
                                .with_prefix(format!("{prefix}:{pass}"))
                                .expect("prefix");
                            handler(store)
                        })
                    })
                });
                cleanup_redis(&url, &prefix);
            }
            Err(e) => eprintln!("*** SKIPPED handler_redis: no Redis at {url}: {e} ***"),
        }
    }
    #[cfg(feature = "postgres")]
    {
        let url = std::env::var("WXPAY_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let table = format!("wxpay_bench_{}", std::process::id());
        let store = busifavor::callback::PostgresStore::connect(&url)
            .and_then(|s| s.with_table(&table))
            .expect("store");
        match rt.block_on(store.migrate()) {
            Ok(()) => {
                g.bench_function("handler_postgres", |b| {
                    b.iter_custom(|iters| {
                        time_handler(rt, None, inputs, iters, &mut || {
                            // Forget the previous pass (untimed) so every call is a first delivery.
                            rt.block_on(async {
                                let client = store.pool().get().await.expect("connection");
                                client
                                    .batch_execute(&format!("TRUNCATE {table}"))
                                    .await
                                    .expect("truncate");
                            });
                            handler(store.clone())
                        })
                    })
                });
                rt.block_on(async {
                    if let Ok(client) = store.pool().get().await {
                        let _ = client
                            .batch_execute(&format!(
                                "DROP TABLE IF EXISTS {table}; DROP SEQUENCE IF EXISTS {table}_fencing;"
                            ))
                            .await;
                    }
                });
            }
            Err(e) => eprintln!("*** SKIPPED handler_postgres: no PostgreSQL at {url}: {e} ***"),
        }
    }
    g.finish();
}

#[cfg(not(any(feature = "redis", feature = "postgres")))]
fn distributed(_: &mut Criterion, _: &tokio::runtime::Runtime, _: &[Input]) {
    eprintln!("(build with --features redis,postgres to bench the distributed stores)");
}

#[cfg(feature = "redis")]
fn cleanup_redis(url: &str, prefix: &str) {
    let Ok(client) = redis::Client::open(url) else {
        return;
    };
    let Ok(mut conn) = client.get_connection() else {
        return;
    };
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}:*"))
        .query(&mut conn)
        .unwrap_or_default();
    if !keys.is_empty() {
        let _: redis::RedisResult<i64> = redis::cmd("DEL").arg(keys).query(&mut conn);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
