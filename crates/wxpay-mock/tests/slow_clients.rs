//! Hostile senders at the simulator (issue 12): a declared body it will never receive, and a
//! body trickled slowly, must be answered within a bounded time instead of holding the
//! connection (and its memory) open for as long as the sender likes.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wxpay_mock::MockBuilder;

/// Sends `head`, then reads whatever the server answers until it closes or `limit` passes;
/// returns the answer's status line (if any) and how long it took.
async fn exchange(
    addr: &str,
    head: &str,
    trickle: Option<Duration>,
    limit: Duration,
) -> (String, Duration) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("write head");
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        if started.elapsed() > limit {
            break;
        }
        if let Some(every) = trickle {
            // Keep sending one byte per `every` while waiting for an answer.
            match tokio::time::timeout(every, stream.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(n)) => {
                    answer.extend_from_slice(&buf[..n]);
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
                Err(_) => {
                    if stream.write_all(b"x").await.is_err() {
                        break;
                    }
                }
            }
        } else {
            match tokio::time::timeout(limit, stream.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
                Ok(Ok(n)) => {
                    answer.extend_from_slice(&buf[..n]);
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
    }
    let text = String::from_utf8_lossy(&answer);
    (
        text.lines().next().unwrap_or("").to_owned(),
        started.elapsed(),
    )
}

fn addr(base_url: &str) -> String {
    base_url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

#[tokio::test]
async fn a_declared_4_gib_body_is_answered_at_once() {
    let mock = MockBuilder::new().start().await.unwrap();
    let head = "POST /v3/marketing/busifavor/coupons/use HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4294967296\r\n\r\n";
    let (status, took) =
        exchange(&addr(&mock.base_url()), head, None, Duration::from_secs(10)).await;
    assert!(
        status.starts_with("HTTP/1.1 4"),
        "answer: {status:?} after {took:?}"
    );
    assert!(
        took < Duration::from_secs(2),
        "answered only after {took:?}"
    );
}

#[tokio::test]
async fn a_trickled_body_is_cut_off_at_the_read_deadline() {
    let mock = MockBuilder::new().start().await.unwrap();
    let head = "POST /v3/marketing/busifavor/coupons/use HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20000\r\n\r\n";
    let (status, took) = exchange(
        &addr(&mock.base_url()),
        head,
        Some(Duration::from_millis(100)),
        Duration::from_secs(30),
    )
    .await;
    assert!(
        status.starts_with("HTTP/1.1 4"),
        "answer: {status:?} after {took:?}"
    );
    assert!(
        took < wxpay_mock::BODY_READ_DEADLINE + Duration::from_secs(2),
        "the trickled body held the connection for {took:?}"
    );
}
