//! `wxpay demo --store redis://…|postgres://…`: two receivers behind a balancer share one
//! idempotency store, and every duplicate lands on the receiver that did not process it. Redis
//! and PostgreSQL run on our machines and in CI; when one is not reachable the test says so
//! loudly (and in `cargo xtask ci`'s store-test report) and is skipped — except under
//! `CI=true`, where it fails.

mod common;
use std::time::Duration;

use common::{run, wxpay};

/// Whether `host:port` of `url` accepts a TCP connection; under CI=true a refusal fails.
fn reachable(url: &str, what: &str) -> bool {
    let authority = url.split("://").nth(1).unwrap_or(url);
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let host_port = authority.split('/').next().unwrap_or(authority);
    let ok = std::net::ToSocketAddrs::to_socket_addrs(host_port)
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|a| std::net::TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{what} is not reachable at {host_port}, and CI=true: it must run here"
        );
        let line = format!(
            "wxpay-cli demo --store: {what} is not reachable at {host_port}; start it to run this test (README.md, \"Redis and PostgreSQL\")"
        );
        eprintln!("SKIPPED: {line}");
        // `cargo xtask ci` reports every line of this file after the test step.
        let log =
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("wxpay-store-tests-skipped.txt");
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
        {
            let _ = std::io::Write::write_all(&mut f, format!("{line}\n").as_bytes());
        }
    }
    ok
}

fn shared_store_demo(url: &str) {
    let r = run(wxpay().args(["demo", "--store", url]));
    r.expect_code(0);
    for want in [
        "receiver A at http://127.0.0.1:",
        "receiver B at http://127.0.0.1:",
        "balancer at http://127.0.0.1:",
        "seed 1: set the COUPON.SEND callback URL and read it back",
        "via BUSICOUPON_SEND_CHANNEL_PAYGIFT",
        "5 duplicate(s) absorbed by a receiver other than the one that processed the notification",
        "demo passed",
    ] {
        assert!(r.stdout.contains(want), "{want:?} missing:\n{}", r.stdout);
    }
}

#[test]
fn demo_with_two_receivers_sharing_redis() {
    let url =
        std::env::var("WXPAY_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    if reachable(&url, "Redis") {
        shared_store_demo(&url);
    }
}

#[test]
fn demo_with_two_receivers_sharing_postgres() {
    let url = std::env::var("WXPAY_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    if reachable(&url, "PostgreSQL") {
        shared_store_demo(&url);
    }
}

#[test]
fn demo_with_an_unreachable_store_exits_5_naming_the_step() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = run(wxpay().args(["demo", "--store", &format!("redis://127.0.0.1:{port}")]));
    r.expect_code(5);
    assert!(r.stderr.contains("stage: receiver"), "{}", r.stderr);
    assert!(r.stderr.contains("start Redis"), "{}", r.stderr);
}

#[test]
fn demo_store_urls_hide_passwords_and_unknown_schemes_are_refused() {
    run(wxpay().args(["demo", "--store", "mysql://x"])).expect_code(2);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = run(wxpay().args([
        "demo",
        "--store",
        &format!("postgres://app:s3cret@127.0.0.1:{port}/db"),
    ]));
    r.expect_code(5);
    assert!(
        !r.stdout.contains("s3cret") && !r.stderr.contains("s3cret"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    assert!(r.stderr.contains("app:***@"), "{}", r.stderr);
}
