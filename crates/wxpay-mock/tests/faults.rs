//! Fault injection: forced statuses, dropped connections, bad and probe signatures, latency.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::TestClient;
use wxpay_mock::{Fault, FaultKind, ManualClock, MockBuilder};

const NOW: i64 = 1_750_000_000;
const PATH: &str = "/v3/marketing/busifavor/callbacks";

async fn setup() -> (wxpay_mock::MockHandle, TestClient) {
    let clock = ManualClock::new(NOW);
    let mock = MockBuilder::new()
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let c = TestClient::demo(&mock, Arc::new(clock));
    (mock, c)
}

#[tokio::test]
async fn forced_statuses_n_times_then_normal() {
    let (mock, c) = setup().await;
    mock.inject_fault(Fault::new("GET", PATH, FaultKind::Status(500)).times(2));
    mock.inject_fault(Fault::new("POST", PATH, FaultKind::Status(429)).times(1));
    for _ in 0..2 {
        let a = c.get(PATH).await;
        assert_eq!((a.status, a.code().as_str()), (500, "SYSTEM_ERROR"));
        a.verify(&mock.verifier(), NOW).unwrap();
    }
    assert_eq!(
        c.get(PATH).await.code(),
        "RESOURCE_NOT_EXISTS",
        "fault used up"
    );
    let body = serde_json::json!({"notify_url": "https://m.example.com/notify"});
    let limited = c.post(PATH, &body).await;
    assert_eq!(
        (limited.status, limited.code().as_str()),
        (429, "FREQUENCY_LIMITED")
    );
    assert_eq!(
        mock.notify_url(wxpay_mock::DEMO_MCHID),
        None,
        "a rejected request is not processed"
    );
    assert_eq!(c.post(PATH, &body).await.status, 200);

    // Always-on faults match path templates, until cleared.
    mock.inject_fault(Fault::any_method(
        "/v3/marketing/busifavor/stocks/{stock_id}",
        FaultKind::Status(503),
    ));
    for id in ["1", "2"] {
        assert_eq!(
            c.get(&format!("/v3/marketing/busifavor/stocks/{id}"))
                .await
                .status,
            503
        );
    }
    mock.clear_faults();
    assert_eq!(c.get("/v3/marketing/busifavor/stocks/1").await.status, 404);
    mock.shutdown().await;
}

#[tokio::test]
async fn dropped_connection_gives_no_answer() {
    let (mock, c) = setup().await;
    mock.inject_fault(Fault::new("GET", PATH, FaultKind::DropConnection).times(1));
    let err = c.try_send(c.request("GET", PATH, None)).await;
    assert!(
        err.is_err(),
        "expected a transport error, got {:?}",
        err.map(|a| a.status)
    );
    assert_eq!(c.get(PATH).await.status, 404);
    mock.shutdown().await;
}

#[tokio::test]
async fn bad_and_probe_response_signatures() {
    let (mock, c) = setup().await;
    mock.inject_fault(Fault::new("GET", PATH, FaultKind::BadSignature).times(1));
    mock.inject_fault(Fault::new("POST", PATH, FaultKind::ProbeSignature).times(1));
    let a = c.get(PATH).await;
    assert_eq!(a.status, 404);
    assert_eq!(
        a.verify(&mock.verifier(), NOW),
        Err(wxpay_crypto::Error::SignatureMismatch)
    );
    let a = c
        .post(
            PATH,
            &serde_json::json!({"notify_url": "https://m.example.com/notify"}),
        )
        .await;
    assert_eq!(a.status, 200, "the request itself is processed");
    assert!(wxpay_crypto::is_probe(a.header("wechatpay-signature")));
    assert_eq!(
        a.verify(&mock.verifier(), NOW),
        Err(wxpay_crypto::Error::SignatureProbe)
    );
    c.get(PATH).await.verify(&mock.verifier(), NOW).unwrap();
    mock.shutdown().await;
}

#[tokio::test]
async fn latency_makes_a_short_client_timeout_fire() {
    let (mock, c) = setup().await;
    mock.inject_fault(Fault::new("GET", PATH, FaultKind::Latency(Duration::from_secs(3))).times(1));
    let slow = tokio::time::timeout(Duration::from_millis(100), c.get(PATH)).await;
    assert!(
        slow.is_err(),
        "the answer must be held back by the injected latency"
    );
    // Without the fault the same call answers.
    assert_eq!(c.get(PATH).await.status, 404);
    mock.shutdown().await;
}

#[tokio::test]
async fn forced_failures_do_not_process_and_bad_signatures_do() {
    let (mock, c) = setup().await;
    let stock = c
        .post(
            "/v3/marketing/busifavor/stocks",
            &common::normal_stock("f-stock", NOW - 60, "WECHATPAY_MODE"),
        )
        .await;
    let stock_id = stock.json()["stock_id"].as_str().unwrap().to_owned();
    let send_path = "/v3/marketing/busifavor/coupons/send";
    let send = |no: &str| serde_json::json!({"openid": "u", "appid": "wx1", "stock_id": stock_id, "out_request_no": no});

    mock.inject_fault(Fault::new("POST", send_path, FaultKind::Status(500)).times(1));
    assert_eq!(c.post(send_path, &send("s1")).await.status, 500);
    mock.inject_fault(Fault::new("POST", send_path, FaultKind::DropConnection).times(1));
    assert!(
        c.try_send(c.request("POST", send_path, Some(&send("s1"))))
            .await
            .is_err()
    );
    assert!(mock.coupons().is_empty(), "a forced failure must not issue");
    assert!(mock.notifications().is_empty());

    // The client retries with the same request number: issued exactly once.
    let ok = c.post(send_path, &send("s1")).await;
    assert_eq!(ok.status, 200, "{:?}", ok.json());
    assert_eq!(mock.coupons().len(), 1);

    // A bad answer signature does not stop the request from being processed.
    mock.inject_fault(Fault::new("POST", send_path, FaultKind::BadSignature).times(1));
    let bad = c.post(send_path, &send("s2")).await;
    assert_eq!(bad.status, 200);
    assert!(bad.verify(&mock.verifier(), NOW).is_err());
    assert_eq!(mock.coupons().len(), 2);
    // …and its retry with the same number gets the first result, correctly signed.
    let retry = c.post(send_path, &send("s2")).await;
    retry.verify(&mock.verifier(), NOW).unwrap();
    assert_eq!(retry.json()["coupon_code"], bad.json()["coupon_code"]);
    assert_eq!(mock.coupons().len(), 2);
    mock.shutdown().await;
}

#[tokio::test]
async fn forced_statuses_outside_4xx_5xx_become_500() {
    let (mock, c) = setup().await;
    for status in [0, 101, 200, 302, 600, 1000] {
        mock.inject_fault(Fault::new("GET", PATH, FaultKind::Status(status)).times(1));
        let a = c
            .try_send(c.request("GET", PATH, None))
            .await
            .unwrap_or_else(|e| panic!("Status({status}): {e}"));
        assert_eq!(
            (a.status, a.code().as_str()),
            (500, "SYSTEM_ERROR"),
            "Status({status})"
        );
    }
    for (status, code) in [
        (400, "INVALID_REQUEST"),
        (429, "FREQUENCY_LIMITED"),
        (503, "SERVICE_UNAVAILABLE"),
    ] {
        mock.inject_fault(Fault::new("GET", PATH, FaultKind::Status(status)).times(1));
        let a = c.get(PATH).await;
        assert_eq!((a.status, a.code().as_str()), (status, code));
    }
    mock.shutdown().await;
}
