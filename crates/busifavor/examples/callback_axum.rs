//! Receiving COUPON.SEND callbacks with axum — the part to copy is `build_handler` and `app`
//! in `receiver/mod.rs` (shared with the `callback_http` bench, which loads it over HTTP).
//!
//! `cargo run -p busifavor --example callback_axum` runs it against the local simulator
//! (wxpay-mock): it issues a coupon, WeChat-style deliveries arrive (a signature probe, the
//! notification, a duplicate), and the handler processes the coupon once.
//!
//! Stores: memory by default; `WXPAY_CALLBACK_STORE=redis` (build with `--features redis`,
//! `REDIS_URL`, default redis://127.0.0.1:6379) or `WXPAY_CALLBACK_STORE=postgres` (build with
//! `--features postgres`, `DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/test)
//! share the exactly-once state between instances.
#![allow(clippy::print_stdout)]

mod receiver;

use std::time::Duration;

use busifavor::callback::CallbackHandler;
use receiver::{BoxError, CouponLedger, app, build_handler, store};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    // A local WeChat Pay (in production: your real client, configured once at start-up).
    let mock = wxpay_mock::MockBuilder::new()
        .retry_schedule(wxpay_mock::RetrySchedule::new(
            Duration::from_millis(200),
            11,
        ))
        .start()
        .await?;
    mock.set_probe_first(true);
    mock.set_duplicate_deliveries(1);
    let keys = mock.keys();
    let client = wxpay_http::Client::builder()
        .mchid(wxpay_mock::DEMO_MCHID)
        .merchant_serial(wxpay_mock::DEMO_CERT_SERIAL)
        .merchant_private_key_pem(mock.demo_merchant_private_key_pem())
        .wechatpay_public_key(keys.public_key_id(), keys.public_key_pem())
        .api_v3_key(wxpay_mock::DEMO_APIV3_KEY)
        .base_url(mock.base_url())
        .backup_url(None)
        .build()?;

    let ledger = CouponLedger::default();
    let handler = build_handler(
        CallbackHandler::builder().client(&client),
        store().await?,
        ledger.clone(),
        true,
    )?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}{}", listener.local_addr()?, receiver::PATH);
    let server = tokio::spawn(async move { axum::serve(listener, app(handler)).await });
    println!("listening on {url}");

    // Production: set the notify URL with the set-callback API (HTTPS). The simulator takes a
    // loopback http:// URL through its handle.
    mock.set_notify_url(wxpay_mock::DEMO_MCHID, &url)?;
    let stock = create_stock(&client).await?;
    mock.claim_coupon(&wxpay_mock::Claim::new(
        &stock,
        "o-example-user",
        "example-claim-1",
    ))?;
    mock.deliveries_settled().await;
    for attempt in mock.deliveries() {
        println!("delivery {:?} → {:?}", attempt.kind, attempt.outcome);
    }
    println!("coupons recorded: {}", ledger.len());
    server.abort();
    mock.shutdown().await;
    Ok(())
}

/// A stock to claim coupons from (the simulator issues them like WeChat Pay).
async fn create_stock(client: &wxpay_http::Client) -> Result<String, BoxError> {
    let now = time::OffsetDateTime::now_utc();
    let rfc3339 =
        |t: time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339);
    let request: wxpay_model::busifavor::CreateStockRequest = serde_json::from_value(
        serde_json::json!({
            "stock_name": "满100减10", "belong_merchant": wxpay_mock::DEMO_MCHID, "goods_name": "全场通用",
            "stock_type": "NORMAL", "out_request_no": "example-stock-1", "coupon_code_mode": "WECHATPAY_MODE",
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
    Ok(client.execute(&request).await?.stock_id.clone())
}
