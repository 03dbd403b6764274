//! The callback handler over real HTTP on loopback: the axum receiver of the `callback_axum`
//! example (`examples/receiver/mod.rs`, in-memory store) in a **child process** with a tokio
//! runtime of 1 and then 2 worker threads, loaded by a hyper client on 8 keep-alive
//! connections with pre-signed, distinct COUPON.SEND deliveries.
//!
//! Per worker count, over several runs (a fresh receiver each run, so every delivery is a
//! first delivery): callbacks/s (wall), and the receiver's CPU time per callback (its
//! threads' run time from `/proc/<pid>/task/*/schedstat`, i.e. `utime + stime` at ns
//! precision, so the load generator's CPU is not counted; the kernel's share from
//! `/proc/<pid>/stat`), beside `open_notification` alone and `CallbackHandler::process_bytes`
//! without HTTP on the same deliveries in this process (thread CPU time, measured right
//! before each run): receiver − handler is what HTTP (hyper, axum, loopback TCP) costs. Then the receiver's peak RSS (`VmHWM`) under 30 s of
//! sustained load (the pool sent round and round: first deliveries, then redeliveries).
//!
//! Writes `target/wxpay-bench/callback_http [<backend>].json` for `cargo xtask bench`.
//! `cargo bench -p busifavor --bench callback_http --all-features [-- --quick]`; `cargo test
//! --bench callback_http` runs it once, tiny. The bench binary is its own receiver: it
//! re-executes itself with `WXPAY_BENCH_RECEIVER_WORKERS` set.
#![allow(clippy::print_stdout)]

#[path = "../tests/common/notify.rs"]
mod notify;
#[path = "../examples/receiver/mod.rs"]
mod receiver;

#[path = "callback_http/http_load.rs"]
mod http_load;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use busifavor::callback::{CallbackHandler, MemoryStore};
use http_load::{Child, Delivery};
use notify::{NOW, Notify};
use wxpay_crypto::FixedClock;

/// Set in the child: run as the receiver with this many worker threads.
const RECEIVER_ENV: &str = "WXPAY_BENCH_RECEIVER_WORKERS";
/// Keep-alive connections of the load generator.
const CONNECTIONS: usize = 8;
const BACKEND: &str = wxpay_crypto::BACKEND;

/// How much to do: the full run, `--quick`, or `cargo test`'s single pass.
#[derive(Debug, Clone, Copy)]
struct Plan {
    deliveries: usize,
    warmup: usize,
    runs: usize,
    sustain: Duration,
    mode: &'static str,
}

impl Plan {
    fn from_args() -> Self {
        let args: Vec<String> = std::env::args().collect();
        let has = |a: &str| args.iter().any(|x| x == a);
        if has("--test") || !has("--bench") {
            Self {
                deliveries: 32,
                warmup: 8,
                runs: 1,
                sustain: Duration::from_millis(300),
                mode: "test",
            }
        } else if has("--quick") {
            Self {
                deliveries: 1024,
                warmup: 128,
                runs: 1,
                sustain: Duration::from_secs(3),
                mode: "quick",
            }
        } else {
            Self {
                deliveries: 16_384,
                warmup: 512,
                runs: 5,
                sustain: Duration::from_secs(30),
                mode: "full",
            }
        }
    }
}

fn main() {
    if let Ok(workers) = std::env::var(RECEIVER_ENV) {
        let workers = workers.parse().expect("worker count");
        if let Err(e) = serve(workers) {
            eprintln!("receiver: {e}");
            std::process::exit(1);
        }
        return;
    }
    let plan = Plan::from_args();
    println!("callback_http [{BACKEND}]: {plan:?}; signing deliveries…");
    let warmup = Arc::new(sign("warm", plan.warmup));
    let pool = Arc::new(sign("http", plan.deliveries));
    let gen_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    let mut rows = Vec::new();
    for workers in [1usize, 2] {
        let (mut per_s, mut cpu_ns, mut open_ns) = (Vec::new(), Vec::new(), Vec::new());
        let (mut system_share, mut handler_ns) = (Vec::new(), Vec::new());
        for run in 1..=plan.runs {
            open_ns.push(open_only_ns(&pool));
            handler_ns.push(handler_only_ns(&pool));
            let child = Child::spawn(RECEIVER_ENV, workers).expect("receiver");
            gen_rt.block_on(http_load::send_all(
                child.port,
                warmup.clone(),
                CONNECTIONS,
                None,
            ));
            let cpu0 = child.cpu();
            let load = gen_rt.block_on(http_load::send_all(
                child.port,
                pool.clone(),
                CONNECTIONS,
                None,
            ));
            let cpu = child.cpu() - cpu0;
            let tick_ns = child.tick_ns();
            child.stop();
            let rate = load.sent as f64 / load.wall.as_secs_f64();
            let per = cpu.total_ns / load.sent as f64;
            // The user/system split is in clock ticks: meaningless over a few of them.
            let ticks = (cpu.user_ns + cpu.system_ns) / tick_ns;
            let system = if ticks >= 20.0 {
                cpu.system_ns / (cpu.user_ns + cpu.system_ns)
            } else {
                f64::NAN
            };
            println!(
                "callback_http [{BACKEND}] workers={workers} run {run}/{}: {} deliveries in {:.3} s = {rate:.0}/s; receiver CPU {:.2} µs/callback (kernel share {}); open-only {:.2} µs",
                plan.runs,
                load.sent,
                load.wall.as_secs_f64(),
                per / 1e3,
                if system.is_finite() {
                    format!("{:.0} %", system * 100.0)
                } else {
                    "unknown: too few clock ticks".to_string()
                },
                open_ns[open_ns.len() - 1] / 1e3
            );
            per_s.push(rate);
            cpu_ns.push(per);
            if system.is_finite() {
                system_share.push(system);
            }
        }
        let (rate, cpu, open) = (median(&per_s), median(&cpu_ns), median(&open_ns));
        let handler = median(&handler_ns);
        println!(
            "callback_http [{BACKEND}] workers={workers}: median {rate:.0} callbacks/s; receiver {:.2} µs CPU/callback = {:.0}/s per core; open-only {:.2} µs = {:.0}/s per core; ratio {:.1} % (target ≥ 60 %); handler without HTTP {:.2} µs, so HTTP {:.2} µs/callback",
            cpu / 1e3,
            1e9 / cpu,
            open / 1e3,
            1e9 / open,
            open / cpu * 100.0,
            handler / 1e3,
            (cpu - handler) / 1e3
        );
        rows.push(format!(
            "{{\"workers\":{workers},\"per_s\":{},\"cpu_ns_per_callback\":{},\"open_only_ns\":{},\"median_per_s\":{rate},\"median_cpu_ns\":{cpu},\"median_open_ns\":{open},\"median_system_share\":{},\"median_handler_ns\":{handler}}}",
            list(&per_s),
            list(&cpu_ns),
            list(&open_ns),
            if system_share.is_empty() {
                "null".to_string()
            } else {
                median(&system_share).to_string()
            }
        ));
    }

    // Memory: sustained load on the 2-worker receiver.
    let child = Child::spawn(RECEIVER_ENV, 2).expect("receiver");
    gen_rt.block_on(http_load::send_all(
        child.port,
        warmup.clone(),
        CONNECTIONS,
        None,
    ));
    let idle_kib = child.status_kib("VmRSS");
    let load = gen_rt.block_on(http_load::send_all(
        child.port,
        pool.clone(),
        CONNECTIONS,
        Some(plan.sustain),
    ));
    let hwm_kib = child.status_kib("VmHWM");
    child.stop();
    println!(
        "callback_http [{BACKEND}] memory: {} deliveries in {:.1} s ({:.0}/s, 2 workers); receiver RSS after warm-up {idle_kib} KiB, peak (VmHWM) {hwm_kib} KiB",
        load.sent,
        load.wall.as_secs_f64(),
        load.sent as f64 / load.wall.as_secs_f64()
    );

    let json = format!(
        "{{\"backend\":\"{BACKEND}\",\"mode\":\"{}\",\"deliveries\":{},\"runs\":{},\"connections\":{CONNECTIONS},\"workers\":[{}],\"memory\":{{\"workers\":2,\"seconds\":{},\"deliveries\":{},\"distinct\":{},\"rss_idle_kib\":{idle_kib},\"vm_hwm_kib\":{hwm_kib}}}}}\n",
        plan.mode,
        plan.deliveries,
        plan.runs,
        rows.join(","),
        load.wall.as_secs_f64(),
        load.sent,
        pool.len(),
    );
    if plan.mode != "test" {
        let dir = target_dir().join("wxpay-bench");
        let path = dir.join(format!("callback_http [{BACKEND}].json"));
        match std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, json)) {
            Ok(()) => println!("wrote {}", path.display()),
            Err(e) => eprintln!("could not write {}: {e}", path.display()),
        }
    }
}

/// The example's handler wired for the bench's deliveries: their keys, the clock fixed to
/// their time, a fresh in-memory store, no logging. The receiver and the no-HTTP floor both
/// use it, so they measure the same handler.
fn bench_handler() -> Result<CallbackHandler, receiver::BoxError> {
    receiver::build_handler(
        CallbackHandler::builder()
            .verifier(notify::verifier())
            .api_v3_key(notify::apiv3())
            .clock(FixedClock(NOW)),
        Arc::new(MemoryStore::new()),
        receiver::CouponLedger::default(),
        false,
    )
}

/// The receiver (child process): the example's axum app on 127.0.0.1:0, keys and clock fixed
/// to the test deliveries; prints its port, serves until its stdin closes.
fn serve(workers: usize) -> Result<(), receiver::BoxError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let handler = bench_handler()?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        println!("port {}", listener.local_addr()?.port());
        // The parent closes our stdin to stop us (and so does its death).
        std::thread::spawn(|| {
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
            std::process::exit(0);
        });
        axum::serve(listener, receiver::app(handler)).await?;
        Ok(())
    })
}

/// `n` distinct signed deliveries (signing is the slow part: both cores).
fn sign(tag: &str, n: usize) -> Vec<Delivery> {
    let half = n / 2;
    let make = |range: std::ops::Range<usize>| {
        let signer = notify::signer();
        range
            .map(|i| {
                let (headers, body) = Notify::coupon(&format!("{tag}-{i:06}"), NOW).build(&signer);
                Delivery {
                    headers,
                    body: body.into(),
                }
            })
            .collect::<Vec<_>>()
    };
    std::thread::scope(|s| {
        let first = s.spawn(|| make(0..half));
        let mut second = make(half..n);
        let mut all = first.join().expect("signing thread");
        all.append(&mut second);
        all
    })
}

/// `open_notification` alone over the pool, thread CPU time per call, ns.
fn open_only_ns(pool: &[Delivery]) -> f64 {
    let verifier = notify::verifier();
    let apiv3 = notify::apiv3();
    let clock = FixedClock(NOW);
    let start = cpu_time::ThreadTime::now();
    for d in pool {
        let get = |n: &str| d.headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
        let headers = wxpay_crypto::SignatureHeaders {
            timestamp: get("wechatpay-timestamp"),
            nonce: get("wechatpay-nonce"),
            signature: get("wechatpay-signature"),
            serial: get("wechatpay-serial"),
            signature_type: Some(get("wechatpay-signature-type")),
        };
        let opened = wxpay_model::open_notification(&headers, &d.body, &verifier, &apiv3, &clock)
            .expect("opens");
        std::hint::black_box(opened);
    }
    start.elapsed().as_nanos() as f64 / pool.len() as f64
}

/// `CallbackHandler::process_bytes` over the pool without HTTP (a fresh handler with the same
/// wiring as the receiver, a current-thread runtime), thread CPU time per call, ns.
fn handler_only_ns(pool: &[Delivery]) -> f64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let handler = bench_handler().expect("handler");
    let start = cpu_time::ThreadTime::now();
    rt.block_on(async {
        for d in pool {
            let r = handler.process_bytes(&d.headers, &d.body).await;
            assert!(
                matches!(r, Ok(busifavor::callback::Delivery::Processed { .. })),
                "{r:?}"
            );
        }
    });
    start.elapsed().as_nanos() as f64 / pool.len() as f64
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn list(v: &[f64]) -> String {
    let items: Vec<String> = v.iter().map(|x| format!("{x:.1}")).collect();
    format!("[{}]", items.join(","))
}

/// `target/` (or `CARGO_TARGET_DIR`): the bench binary runs from `target/release/deps/`.
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return dir.into();
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .unwrap_or_else(|| PathBuf::from("target"))
}
