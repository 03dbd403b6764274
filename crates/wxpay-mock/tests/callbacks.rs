//! COUPON.SEND delivery to a local receiver: signature + decryption, retries, give-up, probes,
//! duplicates, timeouts, and user claims through the simulator-only routes.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Receiver, TestClient, http_client, normal_stock};
use serde_json::{Value, json};
use wxpay_crypto::{ApiV2Key, ApiV3Key, SignatureHeaders, Verifier};
use wxpay_mock::{
    AttemptKind, AttemptOutcome, Claim, DEMO_APIV2_KEY, DEMO_APIV3_KEY, DEMO_MCHID, DeliveryStatus,
    ManualClock, MockBuilder, MockHandle, RetrySchedule,
};

const NOW: i64 = 1_750_000_000;
const B: &str = "/v3/marketing/busifavor";

/// Retries 5 ms apart. The answer timeout stays generous: the receivers answer at once, and a
/// short timeout would turn a slow, loaded CI machine into spurious retries.
fn fast(attempts: u32) -> RetrySchedule {
    RetrySchedule::new(Duration::from_millis(5), attempts).with_timeout(Duration::from_secs(30))
}

async fn setup(script: &[u16], attempts: u32) -> (MockHandle, TestClient, Receiver, String) {
    let clock = ManualClock::new(NOW);
    let mock = MockBuilder::new()
        .clock(clock.clone())
        .retry_schedule(fast(attempts))
        .start()
        .await
        .unwrap();
    let c = TestClient::demo(&mock, Arc::new(clock));
    let rx = Receiver::start(script).await;
    let set = c
        .post(&format!("{B}/callbacks"), &json!({"notify_url": rx.url}))
        .await;
    assert_eq!(set.status, 200, "{:?}", set.json());
    let mut body = normal_stock("cb-stock", NOW - 60, "WECHATPAY_MODE");
    body["stock_send_rule"] = json!({"max_coupons": 100, "max_coupons_per_user": 5});
    let stock = c.post(&format!("{B}/stocks"), &body).await;
    let stock_id = stock.json()["stock_id"].as_str().unwrap().to_owned();
    (mock, c, rx, stock_id)
}

/// Verifies a received callback as a merchant must, and returns the decrypted resource.
fn open(received: &common::Received, verifier: &Verifier) -> Result<Value, wxpay_crypto::Error> {
    verifier.verify(
        &SignatureHeaders::from_header_map(&received.headers),
        &received.body,
        NOW,
    )?;
    let env: Value = serde_json::from_slice(&received.body).unwrap();
    assert_eq!(env["event_type"], "COUPON.SEND");
    assert_eq!(env["resource_type"], "encrypt-resource");
    assert_eq!(env["summary"], "商家券领券通知");
    let r = &env["resource"];
    assert_eq!(
        (r["algorithm"].as_str(), r["associated_data"].as_str()),
        (Some("AEAD_AES_256_GCM"), Some("coupon"))
    );
    let nonce = r["nonce"].as_str().unwrap();
    assert_eq!(nonce.len(), 12);
    let plain = ApiV3Key::new(DEMO_APIV3_KEY).unwrap().decrypt(
        "coupon",
        nonce,
        r["ciphertext"].as_str().unwrap(),
    )?;
    Ok(serde_json::from_slice(plain.as_bytes()).unwrap())
}

fn send(stock_id: &str, openid: &str, no: &str) -> Value {
    json!({"openid": openid, "appid": "wx1234567890abcdef", "stock_id": stock_id, "out_request_no": no})
}

#[tokio::test]
async fn coupon_send_callback_is_signed_encrypted_and_delivered() {
    let (mock, c, rx, stock_id) = setup(&[], 3).await;
    let sent = c
        .post(
            &format!("{B}/coupons/send"),
            &send(&stock_id, "user-1", "n1"),
        )
        .await;
    let code = sent.json()["coupon_code"].as_str().unwrap().to_owned();
    mock.deliveries_settled().await;
    let got = rx.received();
    assert_eq!(got.len(), 1);
    let h = &got[0].headers;
    assert_eq!(h["wechatpay-serial"], mock.keys().public_key_id());
    assert_eq!(h["wechatpay-signature-type"], "WECHATPAY2-SHA256-RSA2048");
    assert!(h.contains_key("request-id"));
    let plain = open(&got[0], &mock.verifier()).unwrap();
    assert_eq!(plain["event_type"], "EVENT_TYPE_BUSICOUPON_SEND");
    assert_eq!(plain["coupon_code"], code.as_str());
    assert_eq!(plain["stock_id"], stock_id.as_str());
    assert_eq!(plain["send_channel"], "BUSICOUPON_SEND_CHANNEL_API");
    assert_eq!(plain["send_merchant"], DEMO_MCHID);
    assert_eq!(plain["openid"], "user-1");
    assert_eq!(plain["send_time"], "2025-06-15T23:06:40+08:00");
    // Tampering with the received body breaks verification.
    let mut forged = got[0].clone();
    forged.body = bytes::Bytes::from(
        String::from_utf8_lossy(&forged.body).replace("COUPON.SEND", "COUPON.SENT"),
    );
    assert_eq!(
        open(&forged, &mock.verifier()),
        Err(wxpay_crypto::Error::SignatureMismatch)
    );

    let log = mock.deliveries();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].attempt, log[0].kind, &log[0].outcome),
        (1, AttemptKind::Genuine, &AttemptOutcome::Status(204))
    );
    assert_eq!(mock.notifications()[0].status, DeliveryStatus::Delivered);
    // A second notification gets a fresh id.
    c.post(
        &format!("{B}/coupons/send"),
        &send(&stock_id, "user-2", "n2"),
    )
    .await;
    mock.deliveries_settled().await;
    let ids: Vec<String> = mock.notifications().into_iter().map(|n| n.id).collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
    mock.shutdown().await;
}

#[tokio::test]
async fn failed_answers_are_retried_and_each_retry_is_resigned() {
    let (mock, c, rx, stock_id) = setup(&[500, 404], 5).await;
    c.post(
        &format!("{B}/coupons/send"),
        &send(&stock_id, "user-1", "n1"),
    )
    .await;
    mock.deliveries_settled().await;
    let got = rx.received();
    assert_eq!(got.len(), 3, "two failures then success");
    let ids: Vec<Value> = got
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap()["id"].clone())
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "same notification id on every retry"
    );
    let nonces: Vec<&str> = got
        .iter()
        .map(|r| r.headers["wechatpay-nonce"].to_str().unwrap())
        .collect();
    assert_ne!(nonces[0], nonces[1]);
    assert_ne!(nonces[1], nonces[2]);
    for r in &got {
        open(r, &mock.verifier()).unwrap();
    }
    let outcomes: Vec<AttemptOutcome> = mock.deliveries().into_iter().map(|a| a.outcome).collect();
    assert_eq!(
        outcomes,
        vec![
            AttemptOutcome::Status(500),
            AttemptOutcome::Status(404),
            AttemptOutcome::Status(204)
        ]
    );
    assert_eq!(mock.notifications()[0].status, DeliveryStatus::Delivered);
    mock.shutdown().await;
}

#[tokio::test]
async fn delivery_gives_up_after_the_schedule() {
    let (mock, c, rx, stock_id) = setup(&[500; 10], 4).await;
    c.post(
        &format!("{B}/coupons/send"),
        &send(&stock_id, "user-1", "n1"),
    )
    .await;
    mock.deliveries_settled().await;
    assert_eq!(rx.received().len(), 4);
    let log = mock.deliveries();
    assert_eq!(
        log.iter().map(|a| a.attempt).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    assert_eq!(mock.notifications()[0].status, DeliveryStatus::GaveUp);

    // No answer at all: connection errors count as failures too.
    let sink = common::Sink::start().await;
    assert_eq!(
        c.post(&format!("{B}/callbacks"), &json!({"notify_url": sink.url}))
            .await
            .status,
        200
    );
    mock.set_retry_schedule(fast(2));
    c.post(
        &format!("{B}/coupons/send"),
        &send(&stock_id, "user-2", "n2"),
    )
    .await;
    mock.deliveries_settled().await;
    let n = mock.notifications();
    assert_eq!(n[1].status, DeliveryStatus::GaveUp);
    let failed: Vec<_> = mock
        .deliveries()
        .into_iter()
        .filter(|a| a.notification_id == n[1].id)
        .collect();
    assert_eq!(failed.len(), 2);
    assert!(matches!(&failed[0].outcome, AttemptOutcome::Failed(e) if e.contains("connection")));
    mock.shutdown().await;
}

#[tokio::test]
async fn slow_answers_time_out_and_are_retried() {
    let (mock, c, rx, stock_id) = setup(&[], 2).await;
    mock.set_retry_schedule(
        RetrySchedule::new(Duration::from_millis(5), 2).with_timeout(Duration::from_millis(50)),
    );
    *rx.delay.lock().unwrap() = Some(Duration::from_millis(500));
    c.post(
        &format!("{B}/coupons/send"),
        &send(&stock_id, "user-1", "n1"),
    )
    .await;
    mock.deliveries_settled().await;
    let log = mock.deliveries();
    assert_eq!(log.len(), 2);
    assert!(
        log.iter()
            .all(|a| matches!(&a.outcome, AttemptOutcome::Failed(e) if e.contains("no answer")))
    );
    assert_eq!(mock.notifications()[0].status, DeliveryStatus::GaveUp);
    mock.shutdown().await;
}

#[tokio::test]
async fn probe_first_then_genuine_delivery() {
    // A correct merchant rejects the probe (401) and accepts the genuine delivery.
    let (mock, c, rx, stock_id) = setup(&[401], 3).await;
    mock.set_probe_first(true);
    c.post(
        &format!("{B}/coupons/send"),
        &send(&stock_id, "user-1", "n1"),
    )
    .await;
    mock.deliveries_settled().await;
    let got = rx.received();
    assert_eq!(got.len(), 2);
    let probe_sig = got[0].headers["wechatpay-signature"].to_str().unwrap();
    assert!(wxpay_crypto::is_probe(probe_sig));
    assert_eq!(
        open(&got[0], &mock.verifier()),
        Err(wxpay_crypto::Error::SignatureProbe)
    );
    assert_eq!(got[0].body, got[1].body, "the probe carries the same body");
    open(&got[1], &mock.verifier()).unwrap();
    let kinds: Vec<AttemptKind> = mock.deliveries().into_iter().map(|a| a.kind).collect();
    assert_eq!(kinds, vec![AttemptKind::Probe, AttemptKind::Genuine]);
    let n = &mock.notifications()[0];
    assert_eq!(
        (n.status, n.probe_accepted),
        (DeliveryStatus::Delivered, false)
    );

    // A careless merchant accepting the probe is recorded as such.
    rx.script.lock().unwrap().clear();
    c.post(
        &format!("{B}/coupons/send"),
        &send(&stock_id, "user-2", "n2"),
    )
    .await;
    mock.deliveries_settled().await;
    assert!(mock.notifications()[1].probe_accepted);
    mock.shutdown().await;
}

#[tokio::test]
async fn duplicates_switch_redelivers_the_same_notification() {
    let (mock, c, rx, stock_id) = setup(&[], 3).await;
    mock.set_duplicate_deliveries(2);
    c.post(
        &format!("{B}/coupons/send"),
        &send(&stock_id, "user-1", "n1"),
    )
    .await;
    mock.deliveries_settled().await;
    let got = rx.received();
    assert_eq!(got.len(), 3);
    let first = open(&got[0], &mock.verifier()).unwrap();
    for r in &got[1..] {
        assert_eq!(open(r, &mock.verifier()).unwrap(), first);
        assert_eq!(
            serde_json::from_slice::<Value>(&r.body).unwrap()["id"],
            serde_json::from_slice::<Value>(&got[0].body).unwrap()["id"]
        );
    }
    let kinds: Vec<AttemptKind> = mock.deliveries().into_iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        vec![
            AttemptKind::Genuine,
            AttemptKind::Duplicate,
            AttemptKind::Duplicate
        ]
    );
    mock.shutdown().await;
}

#[tokio::test]
async fn user_claims_through_handle_miniprogram_and_h5() {
    let (mock, _c, rx, stock_id) = setup(&[], 3).await;
    // Through the handle, any channel, with attach_info.
    let attach = json!({"transaction_id": "4200000462220200226114599", "act_code": "540358695"});
    let claimed = mock
        .claim_coupon(
            &Claim::new(&stock_id, "user-1", "claim-1")
                .channel("BUSICOUPON_SEND_CHANNEL_PAYGIFT")
                .attach_info(attach.clone()),
        )
        .unwrap();
    assert_eq!(claimed.coupon_code.len(), 22);

    let http = http_client();
    let base = mock.base_url();
    let apiv2 = ApiV2Key::new(DEMO_APIV2_KEY).unwrap();
    // Mini-program plugin: flattened, index-suffixed params signed with the APIv2 key.
    let sign = apiv2.sign([
        ("stock_id0", stock_id.as_str()),
        ("out_request_no0", "mini-1"),
        ("send_coupon_merchant", DEMO_MCHID),
    ]);
    let body = json!({"send_coupon_params": [{"stock_id": stock_id, "out_request_no": "mini-1"}],
                      "send_coupon_merchant": DEMO_MCHID, "sign": sign, "openid": "user-2"});
    let post = |b: Value| {
        http::Request::post(format!("{base}/mock/v1/miniprogram/send-coupon"))
            .header("content-type", "application/json")
            .body(http_body_util::Full::new(bytes::Bytes::from(b.to_string())))
            .unwrap()
    };
    let a = read(http.request(post(body.clone())).await.unwrap()).await;
    assert_eq!(a["send_coupon_result"][0]["code"], "SUCCESS", "{a:?}");
    let mut bad = body.clone();
    bad["sign"] = json!(
        ApiV3Key::new(DEMO_APIV3_KEY)
            .map(|_| "0".repeat(64))
            .unwrap()
    );
    let a = read(http.request(post(bad)).await.unwrap()).await;
    assert_eq!(a["code"], "SIGN_ERROR");

    // H5: query parameters signed with the APIv2 key.
    let params = [
        ("stock_id", stock_id.as_str()),
        ("out_request_no", "h5-1"),
        ("send_coupon_merchant", DEMO_MCHID),
        ("open_id", "user-3"),
    ];
    let sign = apiv2.sign(params);
    let q: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let url = format!(
        "{base}/mock/v1/busifavor/getcouponinfo?{}&sign={sign}",
        q.join("&")
    );
    let a = read(http.get(url.parse().unwrap()).await.unwrap()).await;
    assert_eq!(a["out_request_no"], "h5-1", "{a:?}");
    let tampered = url.replace("open_id=user-3", "open_id=user-4");
    let a = read(http.get(tampered.parse().unwrap()).await.unwrap()).await;
    assert_eq!(a["code"], "SIGN_ERROR");

    // Generic claim route.
    let a = read(
        http.request(
            http::Request::post(format!("{base}/mock/v1/claim"))
                .body(http_body_util::Full::new(bytes::Bytes::from(
                    json!({"stock_id": stock_id, "openid": "user-9", "out_request_no": "gen-1",
                       "send_channel": "BUSICOUPON_SEND_CHANNEL_JSAPI"})
                    .to_string(),
                )))
                .unwrap(),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(a["stock_id"], stock_id.as_str(), "{a:?}");

    mock.deliveries_settled().await;
    let mut channels: Vec<String> = rx
        .received()
        .iter()
        .map(|r| open(r, &mock.verifier()).unwrap())
        .map(|p| {
            if p["send_channel"] == "BUSICOUPON_SEND_CHANNEL_PAYGIFT" {
                assert_eq!(p["attach_info"], attach);
            }
            p["send_channel"].as_str().unwrap().to_owned()
        })
        .collect();
    channels.sort();
    assert_eq!(
        channels,
        vec![
            "BUSICOUPON_SEND_CHANNEL_H5",
            "BUSICOUPON_SEND_CHANNEL_JSAPI",
            "BUSICOUPON_SEND_CHANNEL_MINIAPP",
            "BUSICOUPON_SEND_CHANNEL_PAYGIFT"
        ]
    );
    assert_eq!(mock.coupons().len(), 4);

    // The delivery log is readable over HTTP too.
    let log = read(
        http.get(format!("{base}/mock/v1/deliveries").parse().unwrap())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(log["notifications"].as_array().unwrap().len(), 4);
    assert!(
        log["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["status"] == 204 && a["kind"] == "GENUINE" && a.get("error").is_none())
    );
    assert!(
        log["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["status"] == "DELIVERED" && n["plaintext"]["coupon_code"].is_string())
    );
    // So are the simulator's keys and merchants.
    let config = read(
        http.get(format!("{base}/mock/v1/config").parse().unwrap())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(config["public_key_id"], mock.keys().public_key_id());
    assert_eq!(config["demo_merchant"]["mchid"], wxpay_mock::DEMO_MCHID);
    assert!(
        config["merchants"]
            .as_array()
            .is_some_and(|m| !m.is_empty())
    );
    mock.shutdown().await;
}

async fn read(resp: http::Response<hyper::body::Incoming>) -> Value {
    use http_body_util::BodyExt;
    let b = resp.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&b).unwrap_or(Value::Null)
}

#[tokio::test]
async fn every_attempt_is_signed_at_send_time_for_a_strict_verifier() {
    // Each failed answer moves the simulator's clock 10 minutes on, as a real 60 s × 11
    // schedule would over its life: an attempt signed with the first timestamp would be
    // outside a strict 300 s window by the second retry.
    let clock = ManualClock::new(NOW);
    let mock = MockBuilder::new()
        .clock(clock.clone())
        .retry_schedule(fast(3))
        .start()
        .await
        .unwrap();
    let c = TestClient::demo(&mock, Arc::new(clock.clone()));
    let rx = Receiver::start(&[500, 503]).await;
    let moved = clock.clone();
    *rx.on_request.lock().unwrap() = Some(Arc::new(move || moved.advance(600)));
    mock.set_notify_url(DEMO_MCHID, &rx.url).unwrap();
    let stock = c
        .post(
            &format!("{B}/stocks"),
            &normal_stock("strict", NOW - 60, "WECHATPAY_MODE"),
        )
        .await;
    let stock_id = stock.json()["stock_id"].as_str().unwrap().to_owned();
    c.post(&format!("{B}/coupons/send"), &send(&stock_id, "u", "n1"))
        .await;
    mock.deliveries_settled().await;
    let got = rx.received();
    assert_eq!(got.len(), 3);
    let strict = mock.verifier().with_tolerance(300);
    for (i, r) in got.iter().enumerate() {
        let received_at = NOW + 600 * i as i64;
        assert_eq!(
            r.headers["wechatpay-timestamp"].to_str().unwrap(),
            received_at.to_string(),
            "attempt {i} must carry the time it was sent"
        );
        let h = SignatureHeaders::from_header_map(&r.headers);
        strict.verify(&h, &r.body, received_at).unwrap();
    }
    // The same body every time: only the signature headers are renewed.
    assert!(got.iter().all(|r| r.body == got[0].body));
    assert_eq!(mock.notifications()[0].status, DeliveryStatus::Delivered);
    mock.shutdown().await;
}

#[tokio::test]
async fn an_endless_answer_body_does_not_turn_a_2xx_into_a_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A merchant endpoint that answers 200 and then streams a body that never ends.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
                if s.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = format!("4000\r\n{}\r\n", "x".repeat(0x4000));
                while s.write_all(chunk.as_bytes()).await.is_ok() {}
            });
        }
    });
    let clock = ManualClock::new(NOW);
    let mock = MockBuilder::new()
        .clock(clock.clone())
        .retry_schedule(
            RetrySchedule::new(Duration::from_millis(5), 2).with_timeout(Duration::from_secs(2)),
        )
        .start()
        .await
        .unwrap();
    mock.set_notify_url(DEMO_MCHID, &url).unwrap();
    let c = TestClient::demo(&mock, Arc::new(clock));
    let stock = c
        .post(
            &format!("{B}/stocks"),
            &normal_stock("endless", NOW - 60, "WECHATPAY_MODE"),
        )
        .await;
    let stock_id = stock.json()["stock_id"].as_str().unwrap().to_owned();
    c.post(&format!("{B}/coupons/send"), &send(&stock_id, "u", "n1"))
        .await;
    mock.deliveries_settled().await;
    let log = mock.deliveries();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].outcome, AttemptOutcome::Status(200));
    assert_eq!(mock.notifications()[0].status, DeliveryStatus::Delivered);
    mock.shutdown().await;
    server.abort();
}

#[tokio::test]
async fn https_notify_urls_are_never_connected_to() {
    // A listener that counts connections, registered under an https:// URL.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = connections.clone();
    let server = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(stream);
        }
    });
    let (mock, c, _rx, stock_id) = setup(&[], 2).await;
    let url = format!("https://127.0.0.1:{port}/notify");
    let set = c
        .post(&format!("{B}/callbacks"), &json!({"notify_url": url}))
        .await;
    assert_eq!(set.status, 200, "{:?}", set.json());
    c.post(&format!("{B}/coupons/send"), &send(&stock_id, "u", "n1"))
        .await;
    mock.deliveries_settled().await;
    let log = mock.deliveries();
    assert_eq!(log.len(), 2);
    assert!(
        log.iter().all(
            |a| matches!(&a.outcome, AttemptOutcome::Failed(e) if e.contains("connection error"))
        ),
        "{log:?}"
    );
    assert_eq!(mock.notifications()[0].status, DeliveryStatus::GaveUp);
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 0);
    mock.shutdown().await;
    server.abort();
}
