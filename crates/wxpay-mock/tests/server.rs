//! Server lifecycle: serve-until-signal, graceful shutdown, stop on drop, key exports, states.

mod common;

use std::sync::{Arc, Mutex};

use common::{TestClient, normal_stock};
use wxpay_crypto::{PlatformCertificate, WechatPayPublicKey};
use wxpay_mock::{Claim, ManualClock, MockBuilder};

const NOW: i64 = 1_750_000_000;

async fn refused(addr: std::net::SocketAddr) -> bool {
    tokio::net::TcpStream::connect(addr).await.is_err()
}

#[tokio::test]
async fn serve_runs_until_the_shutdown_future() {
    let seen = Arc::new(Mutex::new(None));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let seen2 = seen.clone();
    let server = tokio::spawn(MockBuilder::new().serve(
        move |h| *seen2.lock().unwrap() = Some(h.local_addr()),
        async move {
            let _ = rx.await;
        },
    ));
    let addr = loop {
        if let Some(a) = *seen.lock().unwrap() {
            break a;
        }
        tokio::task::yield_now().await;
    };
    assert!(!refused(addr).await);
    tx.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(refused(addr).await);
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let mock = MockBuilder::new().start().await.unwrap();
    let addr = mock.local_addr();
    mock.shutdown().await;
    assert!(refused(addr).await);

    let mock = MockBuilder::new().start().await.unwrap();
    let addr = mock.local_addr();
    drop(mock);
    // Dropping signals the server task; it closes the listener when next polled. The deadline
    // is generous so a loaded machine cannot make this flaky.
    tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while !refused(addr).await {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("server still accepting after drop");
}

#[tokio::test]
async fn exported_keys_and_files_load_with_wxpay_crypto() {
    let mock = MockBuilder::new().start().await.unwrap();
    WechatPayPublicKey::from_pem(mock.keys().public_key_pem()).unwrap();
    let cert = PlatformCertificate::from_pem(mock.keys().platform_certificate_pem()).unwrap();
    assert_eq!(cert.serial(), mock.keys().platform_serial());
    let dir = std::env::temp_dir().join(format!("wxpay-mock-keys-{}", std::process::id()));
    mock.write_key_files(&dir).unwrap();
    for f in [
        "wechatpay_pub.pem",
        "platform_cert.pem",
        "demo_merchant_key.pem",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    let key = std::fs::read_to_string(dir.join("demo_merchant_key.pem")).unwrap();
    wxpay_crypto::MerchantPrivateKey::from_pem(&key).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    // Duplicate merchants and bad ids are refused at start.
    let dup = MockBuilder::new()
        .merchant(common::other_merchant())
        .merchant(common::other_merchant())
        .start()
        .await;
    assert!(matches!(dup, Err(wxpay_mock::Error::MerchantConfig { .. })));
    mock.shutdown().await;
}

#[tokio::test]
async fn paused_and_stopped_stocks_do_not_issue() {
    let clock = ManualClock::new(NOW);
    let mock = MockBuilder::new()
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let c = TestClient::demo(&mock, Arc::new(clock));
    let created = c
        .post(
            "/v3/marketing/busifavor/stocks",
            &normal_stock("st-1", NOW - 60, "WECHATPAY_MODE"),
        )
        .await;
    let id = created.json()["stock_id"].as_str().unwrap().to_owned();
    mock.set_stock_state(&id, "PAUSED").unwrap();
    let e = mock.claim_coupon(&Claim::new(&id, "u", "c1")).unwrap_err();
    assert_eq!(e.code(), "INVALID_REQUEST");
    assert_eq!(
        c.get(&format!("/v3/marketing/busifavor/stocks/{id}"))
            .await
            .json()["stock_state"],
        "PAUSED"
    );
    assert!(mock.set_stock_state(&id, "SLEEPING").is_err());
    mock.set_stock_state(&id, "RUNNING").unwrap();
    assert!(mock.claim_coupon(&Claim::new(&id, "u", "c1")).is_ok());
    // Before the stock's begin time nothing is issued either.
    let later = c
        .post(
            "/v3/marketing/busifavor/stocks",
            &normal_stock("st-2", NOW + 3600, "WECHATPAY_MODE"),
        )
        .await;
    let later_id = later.json()["stock_id"].as_str().unwrap().to_owned();
    assert!(
        mock.claim_coupon(&Claim::new(&later_id, "u", "c2"))
            .is_err()
    );
    mock.shutdown().await;
}

#[tokio::test]
async fn notify_url_can_be_set_on_the_handle() {
    let mock = wxpay_mock::MockBuilder::new().start().await.unwrap();
    mock.set_notify_url(wxpay_mock::DEMO_MCHID, "http://127.0.0.1:9/cb")
        .unwrap();
    assert_eq!(
        mock.notify_url(wxpay_mock::DEMO_MCHID).as_deref(),
        Some("http://127.0.0.1:9/cb")
    );
    // The same rules as the API: no plain HTTP off loopback, no query.
    assert!(
        mock.set_notify_url(wxpay_mock::DEMO_MCHID, "http://example.com/cb")
            .is_err()
    );
    assert!(
        mock.set_notify_url(wxpay_mock::DEMO_MCHID, "https://example.com/cb?x=1")
            .is_err()
    );
    mock.shutdown().await;
}

#[tokio::test]
async fn shutdown_is_not_held_up_by_an_injected_latency() {
    use std::time::Duration;
    use wxpay_mock::{Fault, FaultKind};
    let clock = ManualClock::new(NOW);
    let mock = MockBuilder::new()
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let path = "/v3/marketing/busifavor/callbacks";
    mock.inject_fault(
        Fault::new("GET", path, FaultKind::Latency(Duration::from_secs(60))).times(1),
    );
    let c = TestClient::demo(&mock, Arc::new(clock));
    let in_flight = tokio::spawn(async move { c.try_send(c.request("GET", path, None)).await });
    // The counted rule disappears once the request has taken it: it is now sleeping.
    while !mock.faults().is_empty() {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    tokio::time::timeout(Duration::from_secs(3), mock.shutdown())
        .await
        .expect("shutdown waited for a 60 s injected latency");
    let answer = tokio::time::timeout(Duration::from_secs(3), in_flight)
        .await
        .expect("the in-flight request was left hanging")
        .unwrap();
    assert!(
        answer.is_err(),
        "the delayed request must be dropped, got {:?}",
        answer.map(|a| a.status)
    );
}

#[tokio::test]
async fn listens_on_a_given_address() {
    // Another loopback address than the default 127.0.0.1, port chosen by the OS.
    let addr: std::net::SocketAddr = "127.0.0.2:0".parse().unwrap();
    let mock = MockBuilder::new().addr(addr).start().await.unwrap();
    assert_eq!(mock.local_addr().ip(), addr.ip());
    assert!(mock.base_url().starts_with("http://127.0.0.2:"));
    assert!(!refused(mock.local_addr()).await);
    mock.shutdown().await;
}
