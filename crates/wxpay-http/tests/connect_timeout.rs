//! The connect timeout ends a TCP connect that never completes, and is reported as a
//! connection failure (retried and failed over like any other), not as an attempt timeout.

mod support;

use std::time::Duration;

use support::requests::*;
use support::*;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use wxpay_http::{Error, RetryPolicy, Timeouts};

/// A listener on 127.0.0.1 that never accepts, with its accept queue filled: further SYNs are
/// dropped, so a new connect neither completes nor is refused. Returns the listener and the
/// connections that fill its queue (both must be kept alive).
async fn saturated_listener() -> (TcpListener, Vec<TcpStream>) {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    // The kernel may round the backlog up; connect until one connect hangs.
    for _ in 0..128 {
        match tokio::time::timeout(Duration::from_millis(200), TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => fillers.push(stream),
            Ok(Err(e)) => panic!("a full accept queue should drop SYNs, not refuse: {e}"),
            Err(_) => return (listener, fillers),
        }
    }
    panic!("could not fill the accept queue of a backlog-0 listener in 128 connections");
}

/// Whether `err`'s source chain holds an `io::Error` of kind `TimedOut`.
fn timed_out(err: &(dyn std::error::Error + 'static)) -> bool {
    if let Some(io) = err.downcast_ref::<std::io::Error>() {
        if io.kind() == std::io::ErrorKind::TimedOut {
            return true;
        }
        if let Some(inner) = io.get_ref() {
            return timed_out(inner);
        }
    }
    err.source().is_some_and(timed_out)
}

#[tokio::test]
async fn connect_timeout_fires_on_a_connect_that_never_completes() {
    let (listener, _fillers) = saturated_listener().await;
    let addr = listener.local_addr().unwrap();
    let client = base_builder()
        .base_url(format!("http://{addr}"))
        .wechatpay_public_key(PUB_KEY_ID, WECHATPAY_PUB)
        // The attempt and the deadline are far longer than the connect timeout, so only the
        // connect timeout can end this call.
        .timeouts(
            Timeouts::default()
                .with_connect(Duration::from_millis(100))
                .with_attempt(Duration::from_secs(60))
                .with_deadline(Duration::from_secs(120)),
        )
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();

    match client.execute(&get_stock()).await {
        Err(e @ Error::Connect { attempts: 1, .. }) => {
            assert!(timed_out(&e), "expected a connect timeout: {e:?}");
            assert!(e.is_retryable());
        }
        other => panic!("expected a connect timeout, got {other:?}"),
    }
}
