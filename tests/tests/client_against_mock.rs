//! The SDK's transport (`wxpay-http`) and wire types (`wxpay-model`) against the simulator
//! (`wxpay-mock`): two independent implementations of the protocol meeting over loopback, plus
//! a merchant callback endpoint that opens what the simulator delivers.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wxpay_crypto::{ApiV3Key, SystemClock, Verifier, WechatPayPublicKey};
use wxpay_e2e::{CallbackEndpoint, Received, demo_client, normal_stock};
use wxpay_http::{Error, RetryPolicy, Timeouts};
use wxpay_mock::{AttemptKind, Fault, FaultKind, MockBuilder, MockHandle, RetrySchedule};
use wxpay_model::busifavor::{
    ModifyStockRequest, QueryStockRequest, SendChannel, SendCouponRequest, SetCallbackRequest,
    UseCouponRequest,
};
use wxpay_model::{NotificationReply, Timestamp, open_notification_from_headers};

const APPID: &str = "wx1234567890abcdef";

fn now() -> i64 {
    wxpay_crypto::Clock::now_unix(&SystemClock)
}

async fn mock() -> MockHandle {
    MockBuilder::new()
        .retry_schedule(RetrySchedule::new(Duration::from_millis(10), 3))
        .start()
        .await
        .expect("simulator starts")
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_base_delay(Duration::from_millis(5))
        .with_max_delay(Duration::from_millis(20))
}

/// The merchant's side of callbacks: its own verifier and APIv3 key, configured from the
/// simulator's exported PEM (as a merchant would from files), and exactly-once handling by
/// notification id.
fn merchant_endpoint_handler(
    mock: &MockHandle,
    handled: Arc<Mutex<Vec<String>>>,
) -> impl Fn(&Received) -> (u16, Vec<u8>) + Send + Sync + 'static {
    let keys = mock.keys();
    let verifier = Verifier::new().with_public_key(
        keys.public_key_id(),
        WechatPayPublicKey::from_pem(keys.public_key_pem()).expect("public key"),
    );
    let key = ApiV3Key::new(wxpay_mock::DEMO_APIV3_KEY).expect("apiv3 key");
    let seen = Mutex::new(HashSet::new());
    move |got: &Received| {
        let pairs = got.headers.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        let reply =
            match open_notification_from_headers(pairs, &got.body, &verifier, &key, &SystemClock) {
                Ok(n) => {
                    let first = seen.lock().expect("lock").insert(n.id().to_owned());
                    if first {
                        let code = n
                            .coupon_send()
                            .map(|e| e.coupon_code.clone())
                            .unwrap_or_default();
                        handled.lock().expect("lock").push(code);
                    }
                    NotificationReply::success()
                }
                Err(e) => NotificationReply::for_error(&e),
            };
        (reply.status, reply.body.to_vec())
    }
}

#[tokio::test]
async fn coupon_flow_with_callback_opened_by_the_merchant() {
    let mock = mock().await;
    let handled = Arc::new(Mutex::new(Vec::new()));
    let endpoint = CallbackEndpoint::start(merchant_endpoint_handler(&mock, handled.clone()))
        .await
        .unwrap();
    mock.set_notify_url(wxpay_mock::DEMO_MCHID, &endpoint.url)
        .unwrap();
    let client = demo_client(&mock).build().unwrap();

    let created = client
        .execute(&normal_stock("e2e-stock-1", now() - 60, 10))
        .await
        .unwrap();
    assert_eq!(created.status(), 200);
    assert!(created.request_id().is_some());
    let stock_id = created.stock_id.clone();

    let info = client
        .execute(&QueryStockRequest::new(&stock_id))
        .await
        .unwrap();
    assert_eq!(info.stock_id, stock_id);

    // PATCH answers 204 with a signed empty body.
    let mut modify = ModifyStockRequest::new(&stock_id, "e2e-modify-1");
    modify.comment = Some("改过的备注".into());
    let patched = client.execute(&modify).await.unwrap();
    assert_eq!(patched.status(), 204);

    let sent = client
        .execute(&SendCouponRequest::new(
            "o-user-1",
            APPID,
            &stock_id,
            "e2e-send-1",
        ))
        .await
        .unwrap();
    let code = sent.result().expect("send result").coupon_code;

    mock.deliveries_settled().await;
    assert_eq!(*handled.lock().unwrap(), vec![code.clone()]);
    let delivered = endpoint.received();
    assert_eq!(delivered.len(), 1);
    // The merchant opened it to a typed event with the API channel and the stock.
    let pairs = delivered[0]
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()));
    let n = open_notification_from_headers(
        pairs,
        &delivered[0].body,
        &mock.verifier(),
        &ApiV3Key::new(wxpay_mock::DEMO_APIV3_KEY).unwrap(),
        &SystemClock,
    )
    .unwrap();
    let event = n.coupon_send().unwrap();
    assert_eq!(event.stock_id, stock_id);
    assert_eq!(event.send_channel, SendChannel::Api);
    assert_eq!(event.openid.as_deref(), Some("o-user-1"));

    let used = client
        .execute(
            &UseCouponRequest::new(
                &code,
                APPID,
                Timestamp::parse(&wxpay_e2e::rfc3339(now())).unwrap(),
                "e2e-use-1",
            )
            .stock_id(&stock_id),
        )
        .await
        .unwrap();
    assert_eq!(used.stock_id, stock_id);

    // Redeeming again with another request number is a business error with a hint.
    let again = client
        .execute(
            &UseCouponRequest::new(
                &code,
                APPID,
                Timestamp::parse(&wxpay_e2e::rfc3339(now())).unwrap(),
                "e2e-use-2",
            )
            .stock_id(&stock_id),
        )
        .await
        .unwrap_err();
    let api = again.as_api().expect("an API error");
    assert!(api.status >= 400 && api.status < 500, "{api:?}");
    mock.shutdown().await;
}

#[tokio::test]
async fn a_retried_create_keeps_its_request_number_and_stays_idempotent() {
    let mock = mock().await;
    mock.inject_fault(
        Fault::new(
            "POST",
            "/v3/marketing/busifavor/stocks",
            FaultKind::Status(500),
        )
        .times(1),
    );
    let client = demo_client(&mock)
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let stock = normal_stock("e2e-retry-1", now() - 60, 5);
    let first = client.execute(&stock).await.unwrap();
    assert_eq!(first.attempts(), 2, "one 500, then success");
    // Sending the very same request again returns the first result, not a second stock.
    let second = client.execute(&stock).await.unwrap();
    assert_eq!(second.stock_id, first.stock_id);
    assert_eq!(second.attempts(), 1);
    mock.shutdown().await;
}

#[tokio::test]
async fn a_refused_primary_fails_over_to_the_backup() {
    let mock = mock().await;
    // A port that was just free: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let client = demo_client(&mock)
        .base_url(dead)
        .backup_url(Some(mock.base_url()))
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let created = client
        .execute(&normal_stock("e2e-failover-1", now() - 60, 5))
        .await
        .unwrap();
    assert!(created.attempts() >= 2);
    mock.shutdown().await;
}

#[tokio::test]
async fn forged_answers_are_rejected_with_their_own_errors() {
    let mock = mock().await;
    let client = demo_client(&mock)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let created = client
        .execute(&normal_stock("e2e-forged-1", now() - 60, 5))
        .await
        .unwrap();
    let path = format!("/v3/marketing/busifavor/stocks/{}", created.stock_id);
    for (kind, expect_probe) in [
        (FaultKind::BadSignature, false),
        (FaultKind::ProbeSignature, true),
    ] {
        mock.clear_faults();
        mock.inject_fault(Fault::new("GET", &path, kind));
        match client
            .execute(&QueryStockRequest::new(&created.stock_id))
            .await
        {
            Err(Error::Verification { source, .. }) => {
                let is_probe = source == wxpay_crypto::Error::SignatureProbe;
                assert_eq!(is_probe, expect_probe, "{source:?}");
            }
            other => panic!("expected a verification error, got {other:?}"),
        }
    }
    mock.shutdown().await;
}

#[tokio::test]
async fn certificate_mode_downloads_the_platform_certificate_from_the_simulator() {
    let mock = mock().await;
    // No public key configured: the client downloads /v3/certificates (decrypting with the
    // APIv3 key) and verifies certificate-signed answers.
    let client = wxpay_http::Client::builder()
        .mchid(wxpay_mock::DEMO_MCHID)
        .merchant_serial(wxpay_mock::DEMO_CERT_SERIAL)
        .merchant_private_key_pem(mock.demo_merchant_private_key_pem())
        .api_v3_key(wxpay_mock::DEMO_APIV3_KEY)
        .download_certificates(true)
        .base_url(mock.base_url())
        .backup_url(None)
        .build()
        .unwrap();
    let created = client
        .execute(&normal_stock("e2e-cert-1", now() - 60, 5))
        .await
        .unwrap();
    assert!(!created.stock_id.is_empty());
    assert!(
        client
            .key_set()
            .serials()
            .iter()
            .any(|s| s.eq_ignore_ascii_case(mock.keys().platform_serial())),
        "{:?}",
        client.key_set().serials()
    );
    mock.shutdown().await;
}

#[tokio::test]
async fn invalid_requests_never_leave_the_machine() {
    let mock = mock().await;
    let client = demo_client(&mock).build().unwrap();
    // Production rule: notify_url must be HTTPS — refused before sending.
    let err = client
        .execute(&SetCallbackRequest::new("http://127.0.0.1:1/cb"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert_eq!(mock.notify_url(wxpay_mock::DEMO_MCHID), None);
    mock.shutdown().await;
}

#[tokio::test]
async fn probes_are_refused_and_duplicates_handled_once() {
    let mock = mock().await;
    mock.set_probe_first(true);
    mock.set_duplicate_deliveries(2);
    let handled = Arc::new(Mutex::new(Vec::new()));
    let endpoint = CallbackEndpoint::start(merchant_endpoint_handler(&mock, handled.clone()))
        .await
        .unwrap();
    mock.set_notify_url(wxpay_mock::DEMO_MCHID, &endpoint.url)
        .unwrap();
    let client = demo_client(&mock).build().unwrap();
    let stock = client
        .execute(&normal_stock("e2e-probe-1", now() - 60, 5))
        .await
        .unwrap();
    let claimed = mock
        .claim_coupon(
            &wxpay_mock::Claim::new(&stock.stock_id, "o-user-2", "e2e-claim-1")
                .channel("BUSICOUPON_SEND_CHANNEL_PAYGIFT"),
        )
        .unwrap();
    mock.deliveries_settled().await;

    let log = mock.deliveries();
    let probe = log.iter().find(|a| a.kind == AttemptKind::Probe).unwrap();
    assert!(
        !probe.outcome.is_success(),
        "the probe must be refused: {probe:?}"
    );
    let dups: Vec<_> = log
        .iter()
        .filter(|a| a.kind == AttemptKind::Duplicate)
        .collect();
    assert_eq!(dups.len(), 2);
    assert!(dups.iter().all(|a| a.outcome.is_success()));
    // Probe + genuine + 2 duplicates arrived; the business handled the coupon once.
    assert_eq!(endpoint.received().len(), 4);
    assert_eq!(*handled.lock().unwrap(), vec![claimed.coupon_code]);
    mock.shutdown().await;
}

#[tokio::test]
async fn slow_answers_time_out_within_the_deadline() {
    let mock = mock().await;
    let client = demo_client(&mock)
        .retry_policy(RetryPolicy::none())
        .timeouts(
            Timeouts::default()
                .with_attempt(Duration::from_millis(100))
                .with_deadline(Duration::from_millis(300)),
        )
        .build()
        .unwrap();
    mock.inject_fault(Fault::any_method(
        "/v3/marketing/busifavor/stocks",
        FaultKind::Latency(Duration::from_secs(3)),
    ));
    let err = client
        .execute(&normal_stock("e2e-slow-1", now() - 60, 5))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    mock.shutdown().await;
}
