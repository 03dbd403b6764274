//! Lenient answers through the client: real-world gaps and odd time spellings in WeChat Pay's
//! answers do not fail the call; the original text is kept.

use busifavor::{QueryUserCouponRequest, SendCouponRequest};

use crate::signing_server::{SigningServer, client_for};
use crate::support::APPID;

const STOCK: &str = r#"{"stock_name":"满100减10","belong_merchant":"1900009191","goods_name":"全场通用",
"stock_type":"NORMAL","stock_state":"RUNNING","coupon_code_mode":"WECHATPAY_MODE","stock_id":"1287",
"coupon_use_rule":{"coupon_available_time":{
    "available_begin_time":"2020-05-20T13:29:35.08:00","available_end_time":"2026-02-01T00:00:00+08:00",
    "available_week":{"week_day":[1],"available_day_time":[{"begin_time":"10:00"},{"end_time":"evening"}]},
    "irregulary_avaliable_time":[{"begin_time":"2026-01-05T00:00:00+08:00"}]},
  "fixed_normal_coupon":{"discount_amount":1000},"use_method":"OFF_LINE"},
"stock_send_rule":{"max_coupons_per_user":1},
"display_pattern_info":{"finder_info":{"finder_id":"sph1"}},
"brand_new_field":{"x":1}}"#;

#[tokio::test]
async fn a_stock_answer_with_gaps_and_odd_times_parses() {
    let server = SigningServer::start(|_| (200, STOCK.to_owned())).await;
    let client = client_for(&server);
    let stock = client.get_stock("1287").await.unwrap();
    let rule = &stock.coupon_use_rule;
    assert_eq!(rule.fixed_normal_coupon.unwrap().transaction_minimum, None);
    let t = &rule.coupon_available_time;
    assert_eq!(t.available_begin_time.as_str(), "2020-05-20T13:29:35.08:00");
    assert!(t.available_begin_time.timestamp().is_none());
    let days = t
        .available_week
        .as_ref()
        .unwrap()
        .available_day_time
        .as_ref()
        .unwrap();
    assert_eq!(days[0].begin(), Some(36_000));
    assert_eq!(days[1].end(), None);
    assert!(
        t.irregulary_avaliable_time.as_ref().unwrap()[0]
            .end_time
            .is_none()
    );
    let finder = stock
        .display_pattern_info
        .as_ref()
        .unwrap()
        .finder_info
        .as_ref()
        .unwrap();
    assert_eq!(finder.finder_video_id, None);
    assert!(server.received()[0].auth_ok);
}

#[tokio::test]
async fn a_nested_send_result_with_gaps_parses() {
    let server = SigningServer::start(|_| {
        (
            200,
            r#"{"send_coupon_result":{"coupon_code":"88001"}}"#.to_owned(),
        )
    })
    .await;
    let client = client_for(&server);
    let req = SendCouponRequest::new("o-user-1", APPID, "1287", "send-1");
    let sent = client.send_coupon(&req).await.unwrap();
    assert_eq!(sent.coupon_code(), Some("88001"));
    assert!(sent.result().is_none());
}

#[tokio::test]
async fn a_coupon_answer_with_odd_times_parses() {
    let server = SigningServer::start(|_| {
        (
            200,
            r#"{"belong_merchant":"1900009191","stock_name":"n","goods_name":"g","stock_type":"NORMAL",
            "coupon_use_rule":{"coupon_available_time":{"available_begin_time":"2026-01-01T00:00:00+08:00","available_end_time":"2026-02-01T00:00:00+08:00"},"use_method":"OFF_LINE"},
            "coupon_state":"REDEEM_CONFIRMING","receive_time":"2026/01/02 10:00:00"}"#
                .to_owned(),
        )
    })
    .await;
    let client = client_for(&server);
    let q = QueryUserCouponRequest::new("o-user-1", "88001", APPID);
    let coupon = client.get_user_coupon(&q).await.unwrap();
    assert_eq!(
        coupon.receive_time.as_ref().unwrap().as_str(),
        "2026/01/02 10:00:00"
    );
    assert!(coupon.coupon_state.as_ref().unwrap().as_str() == "REDEEM_CONFIRMING");
}
