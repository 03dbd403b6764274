//! An answer whose head is not valid HTTP came from a server that was reached: it is a
//! `MalformedAnswer` (not `Connect`), made in one attempt, never failed over to the backup host,
//! and the backup does not become the preferred host.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use support::requests::*;
use support::*;
use tokio::io::AsyncWriteExt;
use wxpay_http::Error;

/// A TCP server on 127.0.0.1 port 0 answering every request with `answer`, counting
/// connections. Returns its base URL, its `host:port`, and the counter.
async fn bad_server(answer: Vec<u8>) -> (String, String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let host = listener.local_addr().unwrap().to_string();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            let answer = answer.clone();
            tokio::spawn(async move {
                if !read_request_head(&mut stream).await {
                    return;
                }
                // The request body (create_stock) may follow; the answer does not wait for it.
                let _ = stream.write_all(&answer).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (format!("http://{host}"), host, count)
}

fn answer_with_headers(headers: &str) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\n{headers}content-length: 2\r\nconnection: close\r\n\r\n{{}}")
        .into_bytes()
}

/// Each bad answer, named, with the words its `reason` must contain.
fn bad_answers() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let many: String = (0..150).map(|i| format!("x-h{i}: v\r\n")).collect();
    vec![
        (
            "a 1 MiB header",
            answer_with_headers(&format!("x-big: {}\r\n", "a".repeat(1 << 20))),
            "too large",
        ),
        (
            "150 headers",
            answer_with_headers(&many),
            "too many headers",
        ),
        (
            "a NUL byte in a header value",
            answer_with_headers("request-id: RID\0X\r\n"),
            "invalid header section",
        ),
        (
            "a control character in Wechatpay-Nonce",
            answer_with_headers("wechatpay-nonce: abc\x01def\r\n"),
            "invalid header section",
        ),
        (
            "a status code of five digits",
            b"HTTP/1.1 20000 OK\r\ncontent-length: 0\r\n\r\n".to_vec(),
            "status line",
        ),
    ]
}

#[tokio::test]
async fn a_malformed_answer_is_not_a_connect_error_and_does_not_fail_over() {
    for (name, answer, _) in bad_answers() {
        let (url, host, primary) = bad_server(answer).await;
        let backup = TestServer::start(|_| Reply::json(200, STOCK_JSON)).await;
        let client = client_for(&backup)
            .base_url(url)
            .backup_url(Some(backup.url()))
            .build()
            .unwrap();
        // A POST the primary received: never re-sent, never sent to the backup.
        let err = client.execute(&create_stock()).await.unwrap_err();
        match &err {
            Error::MalformedAnswer {
                host: h, attempts, ..
            } => {
                assert_eq!(h, &host, "{name}");
                assert_eq!(*attempts, 1, "{name}");
            }
            other => panic!("{name}: expected MalformedAnswer, got {other:?}"),
        }
        let text = err.to_string();
        assert!(
            !text.contains("could not reach"),
            "{name}: the server was reached: {text}"
        );
        assert!(
            std::error::Error::source(&err).is_some(),
            "{name}: the parse error is kept as the source"
        );
        assert_eq!(primary.load(Ordering::SeqCst), 1, "{name}: one attempt");
        assert!(backup.requests().is_empty(), "{name}: no failover");
        // The backup did not become the preferred host: the next call goes to the primary.
        let err = client.execute(&get_stock()).await.unwrap_err();
        assert!(
            matches!(err, Error::MalformedAnswer { .. }),
            "{name}: {err:?}"
        );
        assert_eq!(primary.load(Ordering::SeqCst), 2, "{name}: primary again");
        assert!(backup.requests().is_empty(), "{name}: backup still unused");
    }
}

/// The same answers without a backup host: still one attempt, and the error says which host
/// answered.
#[tokio::test]
async fn a_malformed_answer_is_not_retried_on_the_same_host() {
    for (name, answer, words) in bad_answers() {
        let (url, host, primary) = bad_server(answer).await;
        let client = base_builder()
            .base_url(url)
            .wechatpay_public_key(PUB_KEY_ID, WECHATPAY_PUB)
            .build()
            .unwrap();
        let err = client.execute(&get_stock()).await.unwrap_err();
        assert!(
            matches!(&err, Error::MalformedAnswer { host: h, attempts: 1, .. } if *h == host),
            "{name}: {err:?}"
        );
        assert!(err.to_string().contains(&host), "{name}: {err}");
        match &err {
            Error::MalformedAnswer { reason, .. } => {
                assert!(reason.contains(words), "{name}: {reason}")
            }
            other => panic!("{name}: {other:?}"),
        }
        assert_eq!(primary.load(Ordering::SeqCst), 1, "{name}");
    }
}
