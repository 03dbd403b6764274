//! End to end with the simulator: wxpay-mock issues coupons and delivers real signed,
//! encrypted COUPON.SEND callbacks over HTTP to the handler, served by hyper through its tower
//! `Service`, verifying with a `wxpay_http::Client`'s live key set.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use busifavor::callback::{CallbackHandler, CallbackMeta};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use wxpay_mock::{
    AttemptKind, AttemptOutcome, Claim, MerchantConfig, MockBuilder, MockHandle, RetrySchedule,
    SigningKey,
};
use wxpay_model::busifavor::{CouponSendEvent, CreateStockRequest, SendChannel};

type Seen = Arc<Mutex<Vec<(CouponSendEvent, CallbackMeta, bool)>>>;

/// Serves `handler` on 127.0.0.1 (port 0) with hyper; returns the notify URL.
async fn serve(handler: CallbackHandler) -> (String, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let url = format!("http://{}/wechatpay/coupon", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = TowerToHyperService::new(handler.clone());
            tokio::spawn(async move {
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (url, task)
}

fn rfc3339(unix: i64) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap();
    time::OffsetDateTime::from_unix_timestamp(unix)
        .unwrap()
        .to_offset(offset)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn stock(out_request_no: &str) -> CreateStockRequest {
    let begin = wxpay_crypto::Clock::now_unix(&wxpay_crypto::SystemClock) - 60;
    serde_json::from_value(serde_json::json!({
        "stock_name": "满100减10",
        "belong_merchant": wxpay_mock::DEMO_MCHID,
        "goods_name": "全场通用",
        "stock_type": "NORMAL",
        "coupon_use_rule": {
            "coupon_available_time": {
                "available_begin_time": rfc3339(begin),
                "available_end_time": rfc3339(begin + 30 * 86_400),
            },
            "fixed_normal_coupon": {"discount_amount": 1000, "transaction_minimum": 10000},
            "use_method": "OFF_LINE"
        },
        "stock_send_rule": {"max_coupons": 10, "max_coupons_per_user": 5, "max_coupons_by_day": 10},
        "out_request_no": out_request_no,
        "coupon_code_mode": "WECHATPAY_MODE",
        "notify_config": {"notify_appid": "wx1234567890abcdef"}
    }))
    .unwrap()
}

/// The demo merchant's client: public-key mode (`public_key`) or certificate mode.
fn client(mock: &MockHandle, public_key: bool) -> wxpay_http::Client {
    let keys = mock.keys();
    let mut b = wxpay_http::Client::builder()
        .mchid(wxpay_mock::DEMO_MCHID)
        .merchant_serial(wxpay_mock::DEMO_CERT_SERIAL)
        .merchant_private_key_pem(mock.demo_merchant_private_key_pem())
        .api_v3_key(wxpay_mock::DEMO_APIV3_KEY)
        .base_url(mock.base_url())
        .backup_url(None);
    if public_key {
        b = b.wechatpay_public_key(keys.public_key_id(), keys.public_key_pem());
    }
    b.build().unwrap()
}

/// A handler on the client's keys whose function fails its first call per notification.
fn handler(client: &wxpay_http::Client, seen: Seen) -> CallbackHandler {
    CallbackHandler::builder()
        .client(client)
        .on_coupon_send(move |event, meta| {
            let seen = seen.clone();
            async move {
                let first = {
                    let mut all = seen.lock().unwrap();
                    let first = !all
                        .iter()
                        .any(|(_, m, _)| m.notification_id == meta.notification_id);
                    all.push((event, meta, !first));
                    first
                };
                if first {
                    Err(std::io::Error::other("the coupon ledger is down"))
                } else {
                    Ok(())
                }
            }
        })
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_callbacks_probe_refused_first_answer_fails_retry_processed_once() {
    let mock = MockBuilder::new()
        .retry_schedule(RetrySchedule::new(Duration::from_millis(100), 11))
        .start()
        .await
        .unwrap();
    mock.set_probe_first(true);
    mock.set_duplicate_deliveries(2);
    let client = client(&mock, true);
    let seen: Seen = Arc::default();
    let (url, server) = serve(handler(&client, seen.clone())).await;
    mock.set_notify_url(wxpay_mock::DEMO_MCHID, &url).unwrap();

    let created = client.execute(&stock("cb-e2e-stock-1")).await.unwrap();
    let claimed = mock
        .claim_coupon(
            &Claim::new(&created.stock_id, "o-user-1", "cb-e2e-claim-1")
                .channel("BUSICOUPON_SEND_CHANNEL_PAYGIFT")
                .attach_info(serde_json::json!({"transaction_id": "4200000462220200226114599", "act_code": "540358695"})),
        )
        .unwrap();
    mock.deliveries_settled().await;

    let log = mock.deliveries();
    let kinds: Vec<(AttemptKind, AttemptOutcome)> =
        log.iter().map(|a| (a.kind, a.outcome.clone())).collect();
    // Probe → 401, genuine → 500 (the function failed), genuine retry → 204, two duplicates
    // → 204 without a call.
    assert_eq!(
        kinds,
        vec![
            (AttemptKind::Probe, AttemptOutcome::Status(401)),
            (AttemptKind::Genuine, AttemptOutcome::Status(500)),
            (AttemptKind::Genuine, AttemptOutcome::Status(204)),
            (AttemptKind::Duplicate, AttemptOutcome::Status(204)),
            (AttemptKind::Duplicate, AttemptOutcome::Status(204)),
        ],
        "{log:#?}"
    );
    let records = mock.notifications();
    assert_eq!(records.len(), 1);
    assert!(!records[0].probe_accepted);

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "called twice: the failure and the retry");
    assert_eq!(
        seen.iter().filter(|(_, _, ok)| *ok).count(),
        1,
        "one completed call"
    );
    let (event, meta, _) = &seen[1];
    assert_eq!(event.coupon_code, claimed.coupon_code);
    assert_eq!(event.stock_id, created.stock_id);
    assert_eq!(event.send_channel, SendChannel::Paygift);
    assert_eq!(
        event.attach_info().and_then(|i| i.act_code.as_deref()),
        Some("540358695")
    );
    assert_eq!(meta.notification_id, records[0].id);
    assert_eq!(meta.signing_serial, mock.keys().public_key_id());
    assert!(meta.fencing > seen[0].1.fencing);
    server.abort();
    mock.shutdown().await;
}

/// Callbacks signed with a platform certificate the client has never downloaded: the live key
/// set fetches `/v3/certificates` once, verifies, and the notification is processed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_callback_with_an_unknown_certificate_serial_refreshes_the_live_key_set() {
    let mock = MockBuilder::new()
        .without_demo_merchant()
        .merchant(MerchantConfig::demo().callback_signing(SigningKey::PlatformCertificate))
        .retry_schedule(RetrySchedule::new(Duration::from_millis(100), 11))
        .start()
        .await
        .unwrap();
    // The stock is created by another client; the handler's client knows no key yet.
    let api = client(&mock, true);
    let receiving = client(&mock, false);
    assert!(receiving.key_set().serials().is_empty());
    let seen: Seen = Arc::default();
    let (url, server) = serve(handler(&receiving, seen.clone())).await;
    mock.set_notify_url(wxpay_mock::DEMO_MCHID, &url).unwrap();

    let created = api.execute(&stock("cb-e2e-stock-2")).await.unwrap();
    mock.claim_coupon(&Claim::new(&created.stock_id, "o-user-2", "cb-e2e-claim-2"))
        .unwrap();
    mock.deliveries_settled().await;

    let platform_serial = mock.keys().platform_serial().to_owned();
    assert!(receiving.key_set().contains(&platform_serial));
    let statuses: Vec<AttemptOutcome> = mock.deliveries().into_iter().map(|a| a.outcome).collect();
    assert_eq!(
        statuses,
        vec![AttemptOutcome::Status(500), AttemptOutcome::Status(204)]
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].1.signing_serial, platform_serial);
    server.abort();
    mock.shutdown().await;
}
