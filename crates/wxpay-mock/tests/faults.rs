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
