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

/// A refused connection is a failure before any response: it must fail over and retry even
/// when the overall deadline is shorter than one attempt's limit (so every attempt's limit
/// is the deadline's remainder).
#[tokio::test]
async fn connection_refused_fails_over_when_the_deadline_is_below_the_attempt_limit() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let backup = TestServer::start(|_| Reply::json(200, STOCK_JSON)).await;
    let client = client_for(&backup)
        .base_url(dead_url)
        .backup_url(Some(backup.url()))
        .timeouts(Timeouts::default().with_deadline(Duration::from_secs(5)))
        .build()
        .unwrap();
    let answer = client.execute(&create_stock()).await.unwrap();
    assert_eq!(answer.attempts(), 2, "primary refused, backup answered");
    assert_eq!(backup.requests().len(), 1);
}

/// Absurd but accepted time settings must not panic on `Instant` arithmetic.
#[tokio::test]
async fn huge_time_settings_do_not_panic() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let backup = TestServer::start(|_| Reply::json(200, STOCK_JSON)).await;
    let client = client_for(&backup)
        .base_url(dead_url)
        .backup_url(Some(backup.url()))
        .timeouts(
            Timeouts::default()
                .with_attempt(Duration::MAX)
                .with_deadline(Duration::MAX),
        )
        .retry_policy(
            RetryPolicy::default()
                .with_failover_stick(Duration::MAX)
                .with_base_delay(Duration::from_millis(1))
                .with_max_delay(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let answer = client.execute(&create_stock()).await.unwrap();
    assert_eq!(answer.attempts(), 2);
    // Still on the backup (the stickiness never ends).
    assert_eq!(client.execute(&get_stock()).await.unwrap().attempts(), 1);
}

/// A one-shot TCP server: for every connection, reads the request head and answers with
/// `reply` raw bytes (then closes, or stalls when `stall`). Counts requests.
async fn raw_server(
    reply: &'static [u8],
    stall: bool,
) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                if !read_request_head(&mut stream).await {
                    return;
                }
                seen.fetch_add(1, Ordering::SeqCst);
                let _ = stream.write_all(reply).await;
                if stall {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                }
            });
        }
    });
    (url, count)
}

/// The status line arrived, then the connection died mid-body: the request reached WeChat
/// Pay and an answer started, so it is not retried and does not fail over.
#[tokio::test]
async fn failure_after_the_answer_started_is_not_retried() {
    let (url, count) = raw_server(
        b"HTTP/1.1 200 OK\r\nrequest-id: RID-CUT\r\ncontent-length: 100\r\n\r\n{\"stock_id\"",
        false,
    )
    .await;
    let backup = TestServer::start(|_| Reply::json(200, STOCK_JSON)).await;
    let client = client_for(&backup)
        .base_url(url)
        .backup_url(Some(backup.url()))
        .build()
        .unwrap();
    let err = client.execute(&create_stock()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Body { request_id, .. } if request_id.as_deref() == Some("RID-CUT")),
        "{err:?}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1, "not retried");
    assert!(backup.requests().is_empty(), "no failover");
}

/// The status line arrived, then the body stalled past the attempt limit: a timeout, not
/// retried.
#[tokio::test]
async fn body_stalling_after_the_status_line_times_out_without_retry() {
    let (url, count) = raw_server(
        b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"stock_id\"",
        true,
    )
    .await;
    let client = base_builder()
        .base_url(url)
        .wechatpay_public_key(PUB_KEY_ID, WECHATPAY_PUB)
        .timeouts(Timeouts::default().with_attempt(Duration::from_millis(200)))
        .build()
        .unwrap();
    let err = client.execute(&get_stock()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: TimeoutKind::Attempt,
                attempts: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

/// The request was read but the connection closed with no answer at all: that is a failure
/// before any response, retried (WeChat Pay is idempotent on the business request number).
#[tokio::test]
async fn connection_closed_without_any_answer_is_retried() {
    let (url, count) = raw_server(b"", false).await;
    let client = base_builder()
        .base_url(url)
        .wechatpay_public_key(PUB_KEY_ID, WECHATPAY_PUB)
        .build()
        .unwrap();
    let err = client.execute(&create_stock()).await.unwrap_err();
    assert!(matches!(err, Error::Connect { attempts: 3, .. }), "{err:?}");
    assert_eq!(count.load(Ordering::SeqCst), 3);
}
