//! Receiving COUPON.SEND callbacks with plain hyper and a static key set (no network for
//! keys) — the part to copy is `build_handler` and `serve`.
//!
//! `cargo run -p busifavor --example callback_hyper` runs it against the local simulator
//! (wxpay-mock): the first delivery fails on purpose (your downstream is down), WeChat-style
//! redelivery comes back, and it is processed once.
#![allow(clippy::print_stdout)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use busifavor::callback::CallbackHandler;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use wxpay_crypto::{ApiV3Key, Verifier, WechatPayPublicKey};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A handler with a fixed key set: the WeChat Pay public key by its id (add platform
/// certificates with `Verifier::with_certificate`) and the APIv3 key.
fn build_handler(
    public_key_id: &str,
    public_key_pem: &str,
    api_v3_key: &str,
) -> Result<CallbackHandler, BoxError> {
    let verifier = Verifier::new()
        .with_public_key(public_key_id, WechatPayPublicKey::from_pem(public_key_pem)?);
    let downstream_up = Arc::new(AtomicBool::new(false));
    Ok(CallbackHandler::builder()
        .verifier(verifier)
        .api_v3_key(ApiV3Key::new(api_v3_key)?)
        .on_coupon_send(move |event, meta| {
            let downstream_up = downstream_up.clone();
            async move {
                // Returning an error answers 500: the claim is released and WeChat Pay
                // redelivers; this example's downstream is down on the first try.
                if !downstream_up.swap(true, Ordering::SeqCst) {
                    println!(
                        "coupon {}: downstream down, asking for a redelivery",
                        event.coupon_code
                    );
                    return Err::<(), BoxError>("downstream unavailable".into());
                }
                println!(
                    "coupon {} processed (notification {}, fencing {})",
                    event.coupon_code, meta.notification_id, meta.fencing
                );
                Ok(())
            }
        })
        .build()?)
}

/// Serves the handler with hyper: it is a tower `Service`, adapted by hyper-util.
async fn serve(listener: TcpListener, handler: CallbackHandler) {
    while let Ok((stream, _)) = listener.accept().await {
        let service = TowerToHyperService::new(handler.clone());
        tokio::spawn(async move {
            if let Err(e) = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                eprintln!("connection error: {e}");
            }
        });
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mock = wxpay_mock::MockBuilder::new()
        .retry_schedule(wxpay_mock::RetrySchedule::new(
            Duration::from_millis(200),
            11,
        ))
        .start()
        .await?;
    let keys = mock.keys();
    let handler = build_handler(
        keys.public_key_id(),
        keys.public_key_pem(),
        wxpay_mock::DEMO_APIV3_KEY,
    )?;
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let url = format!("http://{}/wechatpay/coupon", listener.local_addr()?);
    let server = tokio::spawn(serve(listener, handler));
    println!("listening on {url}");
    mock.set_notify_url(wxpay_mock::DEMO_MCHID, &url)?;

    // Issue a coupon through the API (the simulator then calls the notify URL).
    let client = wxpay_http::Client::builder()
        .mchid(wxpay_mock::DEMO_MCHID)
        .merchant_serial(wxpay_mock::DEMO_CERT_SERIAL)
        .merchant_private_key_pem(mock.demo_merchant_private_key_pem())
        .wechatpay_public_key(keys.public_key_id(), keys.public_key_pem())
        .base_url(mock.base_url())
        .backup_url(None)
        .build()?;
    let now = time::OffsetDateTime::now_utc();
    let rfc3339 =
        |t: time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339);
    let stock: wxpay_model::busifavor::CreateStockRequest = serde_json::from_value(
        serde_json::json!({
            "stock_name": "满100减10", "belong_merchant": wxpay_mock::DEMO_MCHID, "goods_name": "全场通用",
            "stock_type": "NORMAL", "out_request_no": "hyper-example-stock", "coupon_code_mode": "WECHATPAY_MODE",
            "coupon_use_rule": {
                "coupon_available_time": {
                    "available_begin_time": rfc3339(now - time::Duration::minutes(1))?,
                    "available_end_time": rfc3339(now + time::Duration::days(30))?,
                },
                "fixed_normal_coupon": {"discount_amount": 1000, "transaction_minimum": 10000},
                "use_method": "OFF_LINE"
            },
            "stock_send_rule": {"max_coupons": 10, "max_coupons_per_user": 1, "max_coupons_by_day": 10}
        }),
    )?;
    let stock_id = client.execute(&stock).await?.stock_id.clone();
    mock.claim_coupon(&wxpay_mock::Claim::new(
        &stock_id,
        "o-hyper-user",
        "hyper-claim-1",
    ))?;
    mock.deliveries_settled().await;
    for attempt in mock.deliveries() {
        println!("delivery {:?} → {:?}", attempt.kind, attempt.outcome);
    }
    server.abort();
    mock.shutdown().await;
    Ok(())
}
