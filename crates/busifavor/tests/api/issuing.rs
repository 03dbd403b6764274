//! Front-end issuing (§13): the plugin parameters and the H5 link, accepted by the simulator's
//! claim routes, which check the APIv2 sign as WeChat Pay does.

use busifavor::{
    ApiV2Key, CouponCodeMode, H5Coupon, PluginCoupon, sign_h5_coupon, sign_plugin_params,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wxpay_mock::DEMO_MCHID;

use crate::support::*;

/// A plain HTTP/1.1 request to the simulator's unauthenticated `/mock/v1/` routes.
async fn raw(base_url: &str, method: &str, target: &str, body: &str) -> (u16, Value) {
    let addr = base_url.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out);
    let status = text[9..12].parse().unwrap();
    let json = text
        .split_once("\r\n\r\n")
        .and_then(|(_, b)| b.find('{').map(|i| &b[i..]))
        .and_then(|b| serde_json::from_str(&b[..=b.rfind('}')?]).ok())
        .unwrap_or(Value::Null);
    (status, json)
}

#[tokio::test]
async fn plugin_params_are_accepted_by_the_mini_program_route() {
    let env = start().await;
    let stock = new_stock(&env, "plugin-stock", CouponCodeMode::WechatpayMode).await;
    let params = env
        .client
        .plugin_params(vec![
            PluginCoupon::new(&stock, "claim0001"),
            PluginCoupon::new(&stock, "claim0002"),
        ])
        .unwrap();
    assert_eq!(params.send_coupon_merchant, DEMO_MCHID);
    let mut body = serde_json::to_value(&params).unwrap();
    body["openid"] = json!("o-user-1");
    let (status, answer) = raw(
        &env.mock.base_url(),
        "POST",
        "/mock/v1/miniprogram/send-coupon",
        &body.to_string(),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let results = answer["send_coupon_result"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| r["code"] == "SUCCESS"), "{answer}");
    assert_eq!(env.mock.coupons().len(), 2);

    // Signed with the wrong key (the APIv3 key, the classic mistake): refused.
    let wrong = ApiV2Key::new(wxpay_mock::DEMO_APIV3_KEY).unwrap();
    let forged = sign_plugin_params(
        &wrong,
        DEMO_MCHID,
        vec![PluginCoupon::new(&stock, "claim0003")],
    )
    .unwrap();
    let mut body = serde_json::to_value(&forged).unwrap();
    body["openid"] = json!("o-user-1");
    let (status, answer) = raw(
        &env.mock.base_url(),
        "POST",
        "/mock/v1/miniprogram/send-coupon",
        &body.to_string(),
    )
    .await;
    assert_eq!((status, answer["code"].as_str()), (400, Some("SIGN_ERROR")));
    assert_eq!(env.mock.coupons().len(), 2);
}

#[tokio::test]
async fn h5_link_is_accepted_by_the_h5_route() {
    let env = start().await;
    let stock = new_stock(&env, "h5-stock", CouponCodeMode::WechatpayMode).await;
    let link = env
        .client
        .h5_coupon_link(&stock, "h5claim0001", "o-user-1", None)
        .unwrap();
    assert!(link.url.starts_with(busifavor::H5_COUPON_PAGE));
    assert!(link.url.ends_with("#wechat_pay&wechat_redirect"));
    let (status, answer) = raw(
        &env.mock.base_url(),
        "GET",
        &format!("/mock/v1/busifavor/getcouponinfo?{}", link.query()),
        "",
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["stock_id"], stock.as_str());
    assert!(
        answer["coupon_code"]
            .as_str()
            .is_some_and(|c| !c.is_empty())
    );

    // A tampered link (another user) is refused.
    let wrong = ApiV2Key::new(wxpay_mock::DEMO_APIV3_KEY).unwrap();
    let forged = sign_h5_coupon(
        &wrong,
        &H5Coupon::new(&stock, "h5claim0002", DEMO_MCHID, "o-user-2"),
    )
    .unwrap();
    let (status, _) = raw(
        &env.mock.base_url(),
        "GET",
        &format!("/mock/v1/busifavor/getcouponinfo?{}", forged.query()),
        "",
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn issuing_without_an_apiv2_key_is_a_config_error() {
    let env = start().await;
    let client = busifavor::Client::from_http(env.client.http().clone());
    match client.plugin_params(vec![PluginCoupon::new("1", "a")]) {
        Err(busifavor::Error::Config(e)) => assert_eq!(e.key, "api_v2_key"),
        other => panic!("expected a config error, got {other:?}"),
    }
}
