//! The shared harness: a simulator, a client for its demo merchant, and the checks every
//! endpoint test makes.

use std::future::Future;
use std::time::Duration;

use busifavor::{
    Client, Config, CouponCodeMode, CreateStockRequest, Error, ErrorCode, RetryPolicy,
    StockDiscount, Timestamp, UseMethod,
};
use wxpay_mock::{
    DEMO_APIV2_KEY, DEMO_APIV3_KEY, DEMO_CERT_SERIAL, DEMO_MCHID, Fault, FaultKind, MockBuilder,
    MockHandle,
};

pub const APPID: &str = "wx1234567890abcdef";

/// A simulator and a client for its demo merchant (public-key mode, APIv2 and APIv3 keys).
pub struct Env {
    pub mock: MockHandle,
    pub client: Client,
}

pub fn config(mock: &MockHandle) -> Config {
    let keys = mock.keys();
    Config::new()
        .mchid(DEMO_MCHID)
        .merchant_serial(DEMO_CERT_SERIAL)
        .private_key_pem(mock.demo_merchant_private_key_pem())
        .public_key_pem(keys.public_key_id(), keys.public_key_pem())
        .api_v3_key(DEMO_APIV3_KEY)
        .api_v2_key(DEMO_APIV2_KEY)
        .base_url(mock.base_url())
}

pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_base_delay(Duration::from_millis(5))
        .with_max_delay(Duration::from_millis(20))
}

pub async fn start() -> Env {
    let mock = MockBuilder::new().start().await.expect("simulator starts");
    let client = Client::builder()
        .config(&config(&mock))
        .expect("config is valid")
        .retry_policy(fast_retries())
        .build()
        .expect("client builds");
    assert!(client.targets_simulator());
    Env { mock, client }
}

/// Now, in Beijing time, shifted by `secs`.
pub fn at(secs: i64) -> Timestamp {
    let t = time::OffsetDateTime::now_utc().to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap())
        + time::Duration::seconds(secs);
    Timestamp::from_offset_date_time(t.replace_nanosecond(0).unwrap()).unwrap()
}

/// A NORMAL stock valid from a minute ago for 30 days.
pub fn stock_request(no: &str, mode: CouponCodeMode) -> busifavor::CreateStockBuilder {
    CreateStockRequest::builder()
        .stock_name("满100减10")
        .belong_merchant(DEMO_MCHID)
        .goods_name("全场通用")
        .discount(StockDiscount::amount_off(1000, 10000))
        .available(at(-60), at(30 * 86_400))
        .use_method(UseMethod::OffLine)
        .max_coupons(100)
        .max_coupons_per_user(50)
        .out_request_no(no)
        .coupon_code_mode(mode)
        .notify_appid(APPID)
}

/// Creates a stock and returns its id.
pub async fn new_stock(env: &Env, no: &str, mode: CouponCodeMode) -> String {
    let req = stock_request(no, mode).build().unwrap();
    env.client
        .create_stock(&req)
        .await
        .unwrap()
        .stock_id
        .clone()
}

/// Creates a subsidy-enabled stock.
pub async fn subsidy_stock(env: &Env, no: &str) -> String {
    let req = stock_request(no, CouponCodeMode::WechatpayMode)
        .subsidy(true)
        .build()
        .unwrap();
    env.client
        .create_stock(&req)
        .await
        .unwrap()
        .stock_id
        .clone()
}

/// Sends a coupon of `stock_id` to `openid` and returns its code.
pub async fn send(env: &Env, stock_id: &str, openid: &str, no: &str) -> String {
    let req = busifavor::SendCouponRequest::builder()
        .openid(openid)
        .appid(APPID)
        .stock_id(stock_id)
        .out_request_no(no)
        .build()
        .unwrap();
    let sent = env.client.send_coupon(&req).await.unwrap();
    sent.coupon_code().expect("a coupon code").to_owned()
}

/// Runs `call`, which must fail validation, and proves from the simulator's side that nothing
/// arrived on `method path`: a one-shot fault armed on that route is still armed afterwards.
pub async fn refused_before_sending<T: std::fmt::Debug, F: Future<Output = Result<T, Error>>>(
    env: &Env,
    method: &str,
    path: &str,
    call: F,
) -> busifavor::ValidationError {
    env.mock.clear_faults();
    env.mock
        .inject_fault(Fault::new(method, path, FaultKind::Status(400)).times(1));
    let err = call.await.expect_err("the request must be refused");
    let still_armed = env.mock.faults().len();
    env.mock.clear_faults();
    assert_eq!(
        still_armed, 1,
        "a request reached the simulator on {method} {path}"
    );
    match err {
        Error::Validation(v) => {
            assert!(err_text_names(&v), "{v}");
            v
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn err_text_names(v: &busifavor::ValidationError) -> bool {
    !v.field.is_empty() && v.to_string().contains(&v.field)
}

/// The error is WeChat Pay's `code` with `status`, carrying the documented hint in both the
/// typed error and its message.
pub fn assert_api(err: &Error, status: u16, code: ErrorCode) {
    let Error::Api(api) = err else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(api.status, status, "{err}");
    assert_eq!(api.code.as_ref(), Some(&code), "{err}");
    let hint = err.hint().expect("known codes carry a hint");
    assert_eq!(Some(hint), code.hint());
    assert!(err.to_string().contains(hint), "{err}");
    assert!(
        err.request_id().is_some(),
        "the simulator sends a Request-ID"
    );
}
