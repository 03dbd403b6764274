//! The wxpay demo: a whole merchant-coupon loop against the in-process simulator, with no keys,
//! files or network beyond loopback.
//!
//! `cargo run -p wxpay-e2e --example demo`
//!
//! 1. starts the simulator (a local WeChat Pay) and a merchant callback endpoint;
//! 2. builds an SDK client from the simulator's exported keys;
//! 3. creates a stock, sends a coupon by API, lets a user claim one in a mini-program, redeems one;
//! 4. the endpoint verifies, decrypts and types every COUPON.SEND callback, refuses the
//!    `WECHATPAY/SIGNTEST/` probe, and handles duplicates exactly once (in-memory store);
//! 5. shows a retried request keeping its business number, and a forged answer being rejected.
#![allow(clippy::print_stdout)]

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wxpay_crypto::{ApiV3Key, Clock, SystemClock, Verifier, WechatPayPublicKey};
use wxpay_e2e::{CallbackEndpoint, Received, demo_client, normal_stock, rfc3339};
use wxpay_http::RetryPolicy;
use wxpay_mock::{AttemptKind, Claim, Fault, FaultKind, MockBuilder, RetrySchedule};
use wxpay_model::busifavor::{QueryStockRequest, SendCouponRequest, UseCouponRequest};
use wxpay_model::{NotificationReply, Timestamp, open_notification_from_headers};

type DemoResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

const APPID: &str = "wx1234567890abcdef";

#[tokio::main]
async fn main() -> DemoResult {
    let now = SystemClock.now_unix();

    // 1. A local WeChat Pay: answers signed, callbacks retried every 200 ms instead of 60 s.
    let mock = MockBuilder::new()
        .retry_schedule(RetrySchedule::new(Duration::from_millis(200), 11))
        .start()
        .await?;
    println!("simulator     {}", mock.base_url());
    mock.set_probe_first(true);
    mock.set_duplicate_deliveries(1);

    // The merchant's callback endpoint: its own verifier and APIv3 key, exactly-once by id.
    let keys = mock.keys();
    let verifier = Verifier::new().with_public_key(
        keys.public_key_id(),
        WechatPayPublicKey::from_pem(keys.public_key_pem())?,
    );
    let apiv3 = ApiV3Key::new(wxpay_mock::DEMO_APIV3_KEY)?;
    let processed: Arc<Mutex<HashSet<String>>> = Arc::default();
    let store = processed.clone();
    let endpoint = CallbackEndpoint::start(move |got: &Received| {
        let headers = got.headers.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        let reply = match open_notification_from_headers(
            headers,
            &got.body,
            &verifier,
            &apiv3,
            &SystemClock,
        ) {
            Ok(n) => {
                let first = store.lock().map(|mut s| s.insert(n.id().to_owned()));
                match (first, n.coupon_send()) {
                    (Ok(true), Some(e)) => println!(
                        "  callback    {} coupon {} of stock {} via {:?} → processed",
                        n.id(),
                        e.coupon_code,
                        e.stock_id,
                        e.send_channel
                    ),
                    (Ok(false), _) => {
                        println!("  callback    {} again → duplicate, acknowledged", n.id())
                    }
                    _ => println!(
                        "  callback    {} ({}) → acknowledged",
                        n.id(),
                        n.event_type()
                    ),
                }
                NotificationReply::success()
            }
            Err(e) => {
                println!("  callback    refused: {e}");
                NotificationReply::for_error(&e)
            }
        };
        (reply.status, reply.body.to_vec())
    })
    .await?;
    mock.set_notify_url(wxpay_mock::DEMO_MCHID, &endpoint.url)?;
    println!("notify_url    {}", endpoint.url);

    // 2. The SDK client, configured as a merchant would (public-key mode).
    let client = demo_client(&mock)
        .retry_policy(RetryPolicy::default().with_base_delay(Duration::from_millis(50)))
        .build()?;

    // 3. A stock, a coupon sent by API, a coupon claimed in a mini-program, a redemption.
    let stock = client
        .execute(&normal_stock("demo-stock-0001", now - 60, 100))
        .await?;
    println!(
        "create stock  {} (Request-ID {})",
        stock.stock_id,
        stock.request_id().unwrap_or("-")
    );
    let info = client
        .execute(&QueryStockRequest::new(&stock.stock_id))
        .await?;
    println!(
        "query stock   {} state {:?}",
        info.stock_id, info.stock_state
    );

    let sent = client
        .execute(&SendCouponRequest::new(
            "o-demo-user-1",
            APPID,
            &stock.stock_id,
            "demo-send-0001",
        ))
        .await?;
    let code = sent.result().map(|r| r.coupon_code).unwrap_or_default();
    println!("send coupon   {code} to o-demo-user-1");

    let claimed = mock.claim_coupon(
        &Claim::new(&stock.stock_id, "o-demo-user-2", "demo-claim-0001")
            .channel("BUSICOUPON_SEND_CHANNEL_MINIAPP"),
    )?;
    println!("user claims   {} in a mini-program", claimed.coupon_code);

    let used = client
        .execute(
            &UseCouponRequest::new(
                &code,
                APPID,
                Timestamp::parse(&rfc3339(now))?,
                "demo-use-0001",
            )
            .stock_id(&stock.stock_id),
        )
        .await?;
    println!("use coupon    {code} at {}", used.wechatpay_use_time);

    // 4. Callbacks: probe refused, genuine processed, duplicate acknowledged once.
    mock.deliveries_settled().await;
    let log = mock.deliveries();
    let probes = log.iter().filter(|a| a.kind == AttemptKind::Probe).count();
    let refused = log
        .iter()
        .filter(|a| a.kind == AttemptKind::Probe && !a.outcome.is_success())
        .count();
    println!(
        "deliveries    {} attempts, {probes} signature probes ({refused} refused), {} coupons processed once",
        log.len(),
        processed.lock().map(|s| s.len()).unwrap_or(0)
    );

    // 5. Reliability and forgery.
    mock.inject_fault(
        Fault::new(
            "POST",
            "/v3/marketing/busifavor/stocks",
            FaultKind::Status(500),
        )
        .times(1),
    );
    let retried = client
        .execute(&normal_stock("demo-stock-0002", now - 60, 10))
        .await?;
    println!(
        "retry         500 then 200 in {} attempts, same out_request_no → stock {}",
        retried.attempts(),
        retried.stock_id
    );
    mock.inject_fault(Fault::any_method(
        "/v3/marketing/busifavor/stocks/{stock_id}",
        FaultKind::BadSignature,
    ));
    match client
        .execute(&QueryStockRequest::new(&stock.stock_id))
        .await
    {
        Err(e) => println!("forged answer rejected: {e}"),
        Ok(_) => return Err("a forged answer was accepted".into()),
    }

    mock.shutdown().await;
    println!("done");
    Ok(())
}
