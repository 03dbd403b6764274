//! Connection-count and header-time limits (issue 12): connections beyond
//! `MockBuilder::max_connections` are closed at once, a closed connection frees its place, a
//! client that never finishes its headers is cut off after `header_read_timeout`, and settings
//! out of range are refused with `Error::Config`.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wxpay_mock::{Error, MockBuilder, MockHandle};

/// Waits (polling, no timing assertion) until the server counts `n` open connections.
async fn until_open(mock: &MockHandle, n: usize) {
    while mock.open_connections() != n {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// True if the server closed `stream` (EOF or reset) before `limit`, whatever it sent first
/// (the rest of an answer, a 408); false if it is still open at `limit`.
async fn closed_by_server(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let reading = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(limit, reading).await.is_ok()
}

#[tokio::test]
async fn connections_beyond_the_cap_are_closed_at_once() {
    let mock = MockBuilder::new().max_connections(3).start().await.unwrap();
    let addr = mock.local_addr();
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    until_open(&mock, 3).await;
    let mut extra = TcpStream::connect(addr).await.unwrap();
    assert!(
        closed_by_server(&mut extra, Duration::from_secs(20)).await,
        "a fourth connection was kept open with max_connections(3)"
    );
    // The ones within the cap are still served.
    assert_eq!(mock.open_connections(), 3);
    for stream in &mut held {
        assert!(!closed_by_server(stream, Duration::from_millis(50)).await);
    }
    mock.shutdown().await;
}

#[tokio::test]
async fn a_closed_connection_frees_its_place() {
    let mock = MockBuilder::new().max_connections(2).start().await.unwrap();
    let addr = mock.local_addr();
    let first = TcpStream::connect(addr).await.unwrap();
    let _second = TcpStream::connect(addr).await.unwrap();
    until_open(&mock, 2).await;
    drop(first);
    until_open(&mock, 1).await;
    let mut third = TcpStream::connect(addr).await.unwrap();
    until_open(&mock, 2).await;
    // The third is served: a plain request gets an answer.
    third
        .write_all(b"GET /v3/certificates HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 64];
    let n = third.read(&mut buf).await.unwrap();
    assert!(
        buf[..n].starts_with(b"HTTP/1.1 "),
        "{:?}",
        String::from_utf8_lossy(&buf[..n])
    );
    mock.shutdown().await;
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let mock = MockBuilder::new()
        .header_read_timeout(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let mut slow = TcpStream::connect(mock.local_addr()).await.unwrap();
    slow.write_all(b"POST /v3/marketing/busifavor/coupons/use HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // Far longer than the setting, so only a missing timeout leaves it open.
    assert!(
        closed_by_server(&mut slow, Duration::from_secs(20)).await,
        "half-sent headers held the connection open"
    );
    until_open(&mock, 0).await;
    mock.shutdown().await;
}

#[tokio::test]
async fn out_of_range_settings_are_refused_by_name() {
    let cases = [
        (MockBuilder::new().max_connections(0), "max_connections"),
        (
            MockBuilder::new().header_read_timeout(Duration::ZERO),
            "header_read_timeout",
        ),
        (
            MockBuilder::new().header_read_timeout(Duration::MAX),
            "header_read_timeout",
        ),
        (
            MockBuilder::new().idempotency_capacity(0),
            "idempotency_capacity",
        ),
        (
            MockBuilder::new().idempotency_max_bytes(0),
            "idempotency_max_bytes",
        ),
    ];
    for (builder, name) in cases {
        match builder.start().await {
            Err(Error::Config { setting, problem }) => {
                assert_eq!(setting, name);
                assert!(!problem.is_empty());
            }
            other => panic!("{name}: expected Error::Config, got {other:?}"),
        }
    }
}

/// Silent from the start, or idle after an answer on a kept-alive connection: either way the
/// header deadline frees the place.
#[tokio::test]
async fn a_client_that_sends_nothing_is_cut_off_too() {
    let mock = MockBuilder::new()
        .header_read_timeout(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let mut silent = TcpStream::connect(mock.local_addr()).await.unwrap();
    assert!(
        closed_by_server(&mut silent, Duration::from_secs(20)).await,
        "a silent connection held its place"
    );
    until_open(&mock, 0).await;
    let mut idle = TcpStream::connect(mock.local_addr()).await.unwrap();
    idle.write_all(b"GET /mock/v1/config HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 64];
    let n = idle.read(&mut buf).await.unwrap();
    assert!(
        buf[..n].starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&buf[..n])
    );
    assert!(
        closed_by_server(&mut idle, Duration::from_secs(20)).await,
        "an idle kept-alive connection held its place"
    );
    until_open(&mock, 0).await;
    mock.shutdown().await;
}
