//! The logs of full requests, captured at TRACE, hold the useful fields and no secret.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use support::requests::*;
use support::*;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

#[test]
fn full_requests_log_no_secret() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let recorded = tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let server = TestServer::start(|r| {
                if r.path() == "/v3/certificates" {
                    Reply::json(200, certificates_body(&[(PLATFORM_CERT, PLATFORM_SERIAL)]))
                        .signed_by(WechatKey::platform())
                } else if r.method == "POST" {
                    Reply::json(
                        200,
                        r#"{"stock_id":"98065001","stock_name":"BODY-SECRET-MARKER"}"#,
                    )
                    .signed_by(WechatKey::platform())
                } else {
                    Reply::error(500, "SYSTEM_ERROR", "x")
                }
            })
            .await;
            let client = client_for(&server).api_v3_key(API_V3_KEY).build().unwrap();
            // A success after a certificate download, and a retried failure.
            client.execute(&create_stock()).await.unwrap();
            client.execute(&get_stock()).await.unwrap_err();
            server.requests()
        })
    });

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    if std::env::var_os("SHOW_LOGS").is_some() {
        eprintln!("{logs}");
    }
    // The logs are useful: spans with method, path template, status, Request-ID, attempt, host.
    for needle in [
        "wxpay.request",
        "wxpay.attempt",
        "/v3/test/stocks/{stock_id}",
        "method=\"POST\"",
        "status=200",
        "status=500",
        "RID-1",
        "attempt=3",
        "127.0.0.1",
        "elapsed_ms",
        "platform certificates installed",
        "wxpay.certificates",
    ] {
        assert!(logs.contains(needle), "logs lack {needle:?}:\n{logs}");
    }
    // …and hold no secret.
    assert!(recorded.len() >= 5);
    let mut secrets: Vec<String> = vec![
        API_V3_KEY.to_owned(),
        "BODY-SECRET-MARKER".to_owned(),
        "REQ-20260101-0001".to_owned(),
        "WECHATPAY2-SHA256-RSA2048 mchid".to_owned(),
        "BEGIN PRIVATE KEY".to_owned(),
    ];
    for line in MERCHANT_KEY.lines().filter(|l| !l.starts_with("-----")) {
        secrets.push(line.to_owned());
    }
    for r in &recorded {
        secrets.push(r.authorization.clone());
        secrets.push(r.auth["signature"].clone());
        secrets.push(r.auth["signature"][..24].to_owned());
    }
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "a secret leaked into the logs: {secret:?}"
        );
    }
}

/// Failed calls are logged at INFO with status, code and Request-ID, but nothing taken from
/// a body: not a gateway's non-JSON error page, not the value serde quotes in a decode error.
#[test]
fn failed_calls_log_no_body_content() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let server = TestServer::start(|r| {
                if r.method == "POST" {
                    // `stock_name` must be a string: serde's message quotes the number.
                    Reply::json(200, r#"{"stock_id":"1","stock_name":987654321}"#)
                } else {
                    Reply::json(403, "<html>GATEWAY-PAGE-MARKER</html>").unsigned()
                }
            })
            .await;
            let client = client_for(&server).build().unwrap();
            let e = client.execute(&create_stock()).await.unwrap_err();
            assert!(
                e.to_string().contains("987654321"),
                "the caller sees it: {e}"
            );
            let e = client.execute(&get_stock()).await.unwrap_err();
            assert!(e.to_string().contains("GATEWAY-PAGE-MARKER"), "{e}");
        })
    });
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("WeChat Pay call failed"), "{logs}");
    assert!(
        logs.contains("status=403") && logs.contains("RID-2"),
        "{logs}"
    );
    for secret in ["987654321", "GATEWAY-PAGE-MARKER"] {
        assert!(
            !logs.contains(secret),
            "body content leaked into the logs: {secret:?}\n{logs}"
        );
    }
}
