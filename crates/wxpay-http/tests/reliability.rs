//! Retries, failover, time limits and the size cap.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use support::requests::*;
use support::*;
use wxpay_crypto::{Clock, SystemClock};
use wxpay_http::{Error, RetryPolicy, TimeoutKind, Timeouts};

/// A clock that moves one second forward each time it is read, so every attempt gets a
/// different timestamp.
fn ticking_clock() -> impl Clock {
    let offset = Arc::new(AtomicI64::new(0));
    move || SystemClock.now_unix() + offset.fetch_add(1, Ordering::SeqCst)
}

/// Answers the n-th request (0-based) with `replies[n]`, the last one afterwards.
fn sequence(replies: Vec<Reply>) -> impl Fn(&Recorded) -> Reply + Send + Sync + 'static {
    let n = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    move |_| {
        let i = n.fetch_add(1, Ordering::SeqCst).min(replies.len() - 1);
        replies[i].clone()
    }
}

fn assert_resigned_with_same_body(reqs: &[Recorded]) {
    for pair in reqs.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(a.auth_ok && b.auth_ok);
        assert_ne!(
            a.auth["nonce_str"], b.auth["nonce_str"],
            "fresh nonce per attempt"
        );
        assert_ne!(
            a.auth["timestamp"], b.auth["timestamp"],
            "fresh timestamp per attempt"
        );
        assert_ne!(a.auth["signature"], b.auth["signature"]);
        assert_eq!(
            a.body, b.body,
            "identical body bytes (same business request number)"
        );
        assert_eq!(a.path_and_query, b.path_and_query);
    }
}

#[tokio::test]
async fn server_error_then_success_is_retried_with_a_fresh_signature() {
    let server = TestServer::start(sequence(vec![
        Reply::error(500, "SYSTEM_ERROR", "系统错误"),
        Reply::json(200, STOCK_JSON),
    ]))
    .await;
    let client = client_for(&server).clock(ticking_clock()).build().unwrap();
    let answer = client.execute(&create_stock()).await.unwrap();
    assert_eq!(answer.attempts(), 2);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_resigned_with_same_body(&reqs);
    assert!(String::from_utf8_lossy(&reqs[1].body).contains("REQ-20260101-0001"));
}

#[tokio::test]
async fn rate_limited_then_success_honours_retry_after() {
    let server = TestServer::start(sequence(vec![
        Reply::error(429, "FREQUENCY_LIMITED", "频率限制").header("retry-after", "0"),
        Reply::json(200, STOCK_JSON),
    ]))
    .await;
    let client = client_for(&server).clock(ticking_clock()).build().unwrap();
    let answer = client.execute(&create_stock()).await.unwrap();
    assert_eq!(answer.attempts(), 2);
    assert_resigned_with_same_body(&server.requests());
}

#[tokio::test]
async fn retry_after_beyond_the_deadline_stops_retrying() {
    let server = TestServer::start(|_| {
        Reply::error(429, "FREQUENCY_LIMITED", "频率限制").header("retry-after", "60")
    })
    .await;
    let client = client_for(&server).build().unwrap();
    let err = client.execute(&get_stock()).await.unwrap_err();
    assert_eq!(err.as_api().map(|a| (a.status, a.attempts)), Some((429, 1)));
    assert_eq!(
        server.requests().len(),
        1,
        "waiting 60 s would pass the 30 s deadline"
    );
}

#[tokio::test]
async fn every_retryable_status_is_retried_until_attempts_run_out() {
    for status in [502u16, 503, 504] {
        let server =
            TestServer::start(move |_| Reply::error(status, "SERVICE_UNAVAILABLE", "x")).await;
        let client = client_for(&server).build().unwrap();
        let err = client.execute(&get_stock()).await.unwrap_err();
        let api = err.as_api().expect("api error");
        assert_eq!(api.status, status);
        assert_eq!(api.attempts, 3);
        assert_eq!(server.requests().len(), 3, "{status}");
        assert!(err.is_retryable());
    }
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    for (status, code) in [
        (400u16, "PARAM_ERROR"),
        (401, "SIGN_ERROR"),
        (403, "NO_AUTH"),
        (404, "RESOURCE_NOT_EXISTS"),
    ] {
        let server = TestServer::start(move |_| Reply::error(status, code, "x")).await;
        let client = client_for(&server).build().unwrap();
        let err = client.execute(&create_stock()).await.unwrap_err();
        assert_eq!(err.as_api().map(|a| a.status), Some(status));
        assert_eq!(err.as_api().map(|a| a.attempts), Some(1));
        assert_eq!(server.requests().len(), 1, "{status} must not be retried");
    }
}

#[tokio::test]
async fn retry_budget_stops_retries() {
    let server = TestServer::start(|_| Reply::error(500, "SYSTEM_ERROR", "x")).await;
    let client = client_for(&server)
        .retry_policy(
            RetryPolicy::default()
                .with_base_delay(Duration::from_millis(1))
                .with_max_attempts(5)
                .with_budget(2, 0.0)
                .with_budget_refill(0.0),
        )
        .build()
        .unwrap();
    let err = client.execute(&get_stock()).await.unwrap_err();
    // One first attempt plus the two retries the budget holds.
    assert_eq!(err.as_api().map(|a| a.attempts), Some(3));
    let err = client.execute(&get_stock()).await.unwrap_err();
    assert_eq!(
        err.as_api().map(|a| a.attempts),
        Some(1),
        "budget spent: no retry"
    );
}

#[tokio::test]
async fn connection_refused_on_the_primary_fails_over_to_the_backup_and_stays() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let backup = TestServer::start(|_| Reply::json(200, STOCK_JSON)).await;
    let client = client_for(&backup)
        .base_url(dead_url)
        .backup_url(Some(backup.url()))
        .build()
        .unwrap();
    let answer = client.execute(&create_stock()).await.unwrap();
    assert_eq!(answer.attempts(), 2, "primary refused, backup answered");
    // The client now stays on the backup: the next call goes there first.
    let answer = client.execute(&get_stock()).await.unwrap();
    assert_eq!(answer.attempts(), 1);
    let reqs = backup.requests();
    assert_eq!(reqs.len(), 2);
    assert!(reqs.iter().all(|r| r.auth_ok));
}

#[tokio::test]
async fn connection_refused_without_backup_is_a_connect_error() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = dead.local_addr().unwrap();
    drop(dead);
    let client = base_builder()
        .base_url(format!("http://{addr}"))
        .wechatpay_public_key(PUB_KEY_ID, WECHATPAY_PUB)
        .build()
        .unwrap();
    let err = client.execute(&get_stock()).await.unwrap_err();
    match &err {
        Error::Connect { host, attempts, .. } => {
            assert_eq!(host, &addr.to_string());
            assert_eq!(*attempts, 3);
        }
        other => panic!("expected a connect error, got {other:?}"),
    }
    assert!(err.is_retryable());
}

#[tokio::test]
async fn slow_server_gives_a_timeout_within_the_deadline() {
    let server =
        TestServer::start(|_| Reply::json(200, STOCK_JSON).delay(Duration::from_secs(30))).await;
    let client = client_for(&server)
        .timeouts(
            Timeouts::default()
                .with_attempt(Duration::from_millis(100))
                .with_deadline(Duration::from_millis(1500)),
        )
        .build()
        .unwrap();
    let err = client.execute(&get_stock()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: TimeoutKind::Attempt,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        server.requests().len(),
        3,
        "timeouts before any response are retried"
    );
}

#[tokio::test]
async fn overall_deadline_caps_the_attempt_timeout() {
    let server =
        TestServer::start(|_| Reply::json(200, STOCK_JSON).delay(Duration::from_secs(30))).await;
    let client = client_for(&server)
        .timeouts(
            Timeouts::default()
                .with_attempt(Duration::from_secs(20))
                .with_deadline(Duration::from_millis(200)),
        )
        .build()
        .unwrap();
    let err = client.execute(&get_stock()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: TimeoutKind::Deadline,
                attempts: 1,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn oversized_body_is_an_error() {
    let big = format!(r#"{{"stock_id":"1","pad":"{}"}}"#, "x".repeat(4096));
    for chunked in [false, true] {
        let body = big.clone();
        let server = TestServer::start(move |_| {
            let r = Reply::json(200, body.clone());
            if chunked { r.chunked() } else { r }
        })
        .await;
        let client = client_for(&server)
            .max_response_bytes(1024)
            .build()
            .unwrap();
        let err = client.execute(&get_stock()).await.unwrap_err();
        assert!(
            matches!(err, Error::BodyTooLarge { limit: 1024, ref request_id } if request_id.as_deref() == Some("RID-1")),
            "chunked={chunked}: {err:?}"
        );
        assert_eq!(server.requests().len(), 1);
    }
}

#[tokio::test]
async fn body_within_the_cap_is_read_whole_even_when_chunked() {
    let server = TestServer::start(|_| Reply::json(200, STOCK_JSON).chunked()).await;
    let client = client_for(&server).build().unwrap();
    assert_eq!(
        client.execute(&get_stock()).await.unwrap().stock_id,
        "98065001"
    );
}
