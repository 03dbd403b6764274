//! Seed 2: a COUPON.SEND callback delivered by the simulator, opened by the client from an
//! `http::HeaderMap` and the raw body — in public-key mode, and in certificate mode where the
//! platform certificate is downloaded on the unknown serial.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use busifavor::{Client, CouponCodeMode, Error, SendChannel};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use wxpay_mock::{
    Claim, DEMO_APIV3_KEY, DEMO_CERT_SERIAL, DEMO_MCHID, MerchantConfig, MockBuilder,
    RetrySchedule, SigningKey,
};

use crate::support::*;

type Captured = Arc<Mutex<Vec<(http::HeaderMap, Bytes)>>>;

/// A notify URL that records every callback (headers and raw body) and answers 204.
async fn receiver() -> (String, Captured) {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let url = format!("http://{}/wechatpay/coupon", listener.local_addr().unwrap());
    let captured: Captured = Arc::default();
    let store = captured.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let store = store.clone();
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        store.lock().unwrap().push((parts.headers, body));
                        let mut r = Response::new(Full::new(Bytes::new()));
                        *r.status_mut() = hyper::StatusCode::NO_CONTENT;
                        Ok::<_, Infallible>(r)
                    }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    (url, captured)
}

async fn one_callback(
    mock: &wxpay_mock::MockHandle,
    captured: &Captured,
) -> (http::HeaderMap, Bytes) {
    mock.deliveries_settled().await;
    let all = captured.lock().unwrap().clone();
    assert_eq!(all.len(), 1, "one delivery");
    all.into_iter().next().unwrap()
}

#[tokio::test]
async fn open_notification_in_public_key_mode() {
    let env = start().await;
    let (url, captured) = receiver().await;
    env.client
        .set_callback_url(&busifavor::SetCallbackRequest::new(&url))
        .await
        .unwrap();
    let stock = new_stock(&env, "notify-stock", CouponCodeMode::WechatpayMode).await;
    let claimed = env
        .mock
        .claim_coupon(&Claim::new(&stock, "o-user-1", "claim-1"))
        .unwrap();
    let (headers, body) = one_callback(&env.mock, &captured).await;

    let n = env.client.open_notification(&headers, &body).await.unwrap();
    assert_eq!(n.event_type(), "COUPON.SEND");
    let sent = n.coupon_send().unwrap();
    assert_eq!(sent.coupon_code, claimed.coupon_code);
    assert_eq!(sent.stock_id, stock);
    assert_eq!(sent.send_channel, SendChannel::Miniapp);
    assert_eq!(sent.openid(), Some("o-user-1"));

    // One byte changed: refused at the signature, before anything is decrypted.
    let mut altered = body.to_vec();
    let i = altered.len() / 2;
    altered[i] ^= 1;
    match env.client.open_notification(&headers, &altered).await {
        Err(Error::Notification(wxpay_model_error)) => assert!(
            matches!(
                wxpay_model_error,
                busifavor::wxpay_model::Error::NotificationUnverified(_)
            ),
            "{wxpay_model_error:?}"
        ),
        other => panic!("expected a refused notification, got {other:?}"),
    }
}

#[tokio::test]
async fn open_notification_in_certificate_mode_downloads_the_certificate_on_an_unknown_serial() {
    let mock = MockBuilder::new()
        .without_demo_merchant()
        .merchant(MerchantConfig::demo().callback_signing(SigningKey::PlatformCertificate))
        .retry_schedule(RetrySchedule::new(Duration::from_millis(20), 2))
        .start()
        .await
        .unwrap();
    // No public key: answers and callbacks are verified with downloaded platform certificates.
    let client = Client::builder()
        .mchid(DEMO_MCHID)
        .merchant_serial(DEMO_CERT_SERIAL)
        .merchant_private_key_pem(mock.demo_merchant_private_key_pem())
        .api_v3_key(DEMO_APIV3_KEY)
        .base_url(mock.base_url())
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let (url, captured) = receiver().await;
    mock.set_notify_url(DEMO_MCHID, &url).unwrap();
    let stock = stock_request("cert-stock", CouponCodeMode::WechatpayMode)
        .build()
        .unwrap();
    let stock = client.create_stock(&stock).await.unwrap().stock_id.clone();
    mock.claim_coupon(&Claim::new(&stock, "o-user-1", "claim-1"))
        .unwrap();
    let (headers, body) = one_callback(&mock, &captured).await;
    let serial = headers
        .get("wechatpay-serial")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(serial, mock.keys().platform_serial());
    assert!(
        client.http().key_set().contains(&serial),
        "downloaded for the API answer"
    );

    // A fresh client that has never seen the certificate: the unknown serial triggers the
    // download, then the callback verifies.
    let fresh = Client::from_http(
        busifavor::wxpay_http::Client::builder()
            .mchid(DEMO_MCHID)
            .merchant_serial(DEMO_CERT_SERIAL)
            .merchant_private_key_pem(mock.demo_merchant_private_key_pem())
            .api_v3_key(DEMO_APIV3_KEY)
            .base_url(mock.base_url())
            .build()
            .unwrap(),
    );
    assert!(!fresh.http().key_set().contains(&serial));
    let n = fresh.open_notification(&headers, &body).await.unwrap();
    assert_eq!(n.coupon_send().unwrap().stock_id, stock);
    assert!(fresh.http().key_set().contains(&serial));
}

#[tokio::test]
async fn open_notification_needs_the_apiv3_key() {
    let env = start().await;
    let http = busifavor::wxpay_http::Client::builder()
        .mchid(DEMO_MCHID)
        .merchant_serial(DEMO_CERT_SERIAL)
        .merchant_private_key_pem(env.mock.demo_merchant_private_key_pem())
        .wechatpay_public_key(
            env.mock.keys().public_key_id(),
            env.mock.keys().public_key_pem(),
        )
        .base_url(env.mock.base_url())
        .build()
        .unwrap();
    let err = Client::from_http(http)
        .open_notification(&http::HeaderMap::new(), b"{}")
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Config(ref e) if e.key == "api_v3_key"),
        "{err:?}"
    );
}
