//! An answer body trickled one byte per piece must not make the client hold far more memory
//! than the bytes it read. Each piece used to pin the connection's whole read buffer (about
//! 8 KiB) until the body was complete.
//!
//! Its own test binary with one test, so the process's peak resident memory (`VmHWM`) is
//! this test's alone. Linux only (`/proc/self/status`); elsewhere it checks the outcome only.

mod support;

use std::time::Duration;

use support::requests::*;
use support::*;
use tokio::io::AsyncWriteExt;
use wxpay_http::Error;

/// Pieces trickled per answer.
const PIECES: usize = 4096;

/// Peak resident memory of this process in KiB, where the platform reports it.
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Answers every request with a 200 head and then a chunked body of `PIECES` one-byte chunks,
/// each written on its own, yielding between them so the client reads them one by one.
async fn trickling_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                if !read_request_head(&mut stream).await {
                    return;
                }
                let head =
                    b"HTTP/1.1 200 OK\r\nrequest-id: RID-T\r\ntransfer-encoding: chunked\r\n\r\n";
                if stream.write_all(head).await.is_err() {
                    return;
                }
                for _ in 0..PIECES {
                    if stream.write_all(b"1\r\nx\r\n").await.is_err() {
                        return;
                    }
                    tokio::task::yield_now().await;
                }
                let _ = stream.write_all(b"0\r\n\r\n").await;
            });
        }
    });
    url
}

#[tokio::test]
async fn a_trickled_answer_holds_memory_near_its_size_not_a_buffer_per_piece() {
    let url = trickling_server().await;
    let whole = base_builder()
        .base_url(url.clone())
        .wechatpay_public_key(PUB_KEY_ID, WECHATPAY_PUB)
        .timeouts(wxpay_http::Timeouts::default().with_attempt(Duration::from_secs(60)))
        .build()
        .unwrap();
    let capped = base_builder()
        .base_url(url)
        .wechatpay_public_key(PUB_KEY_ID, WECHATPAY_PUB)
        .max_response_bytes(PIECES / 2)
        .build()
        .unwrap();
    let before = peak_kib();

    // Read whole (4 KiB), then refused: the answer carries no signature headers.
    let err = whole.execute(&get_stock()).await.unwrap_err();
    assert!(matches!(err, Error::Verification { .. }), "{err:?}");
    // Read up to the cap, then refused.
    let err = capped.execute(&get_stock()).await.unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit, .. } if limit == PIECES / 2),
        "{err:?}"
    );

    if let (Some(before), Some(after)) = (before, peak_kib()) {
        let grown = after.saturating_sub(before);
        println!("peak resident memory grew by {grown} KiB reading {PIECES} trickled bytes");
        // Generous: 4 MiB for 6 KiB of body (a buffer pinned per piece held ~32 MiB).
        assert!(
            grown < 4096,
            "reading {PIECES} trickled bytes raised peak memory by {grown} KiB"
        );
    }
}
