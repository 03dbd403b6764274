//! §8.9–§8.10 (seed 1): the callback URL, and the loopback-http rule both ways.

use busifavor::{Client, Error, ErrorCode, NotifyUrlRule, SetCallbackRequest};
use wxpay_mock::DEMO_MCHID;

use crate::support::*;

const CALLBACKS: &str = "/v3/marketing/busifavor/callbacks";

#[tokio::test]
async fn set_callback_url_end_to_end() {
    let env = start().await;
    // The client targets the simulator, so a local http:// receiver is accepted.
    let local = "http://127.0.0.1:18080/wechatpay/coupon";
    let set = env
        .client
        .set_callback_url(&SetCallbackRequest::new(local))
        .await
        .unwrap();
    assert_eq!(set.notify_url, local);
    assert_eq!(set.mchid, DEMO_MCHID);
    assert_eq!(env.mock.notify_url(DEMO_MCHID).as_deref(), Some(local));
    let https = "https://shop.example.com/wxpay/coupon";
    env.client
        .set_callback_url(&SetCallbackRequest::new(https))
        .await
        .unwrap();
    assert_eq!(env.mock.notify_url(DEMO_MCHID).as_deref(), Some(https));

    // Checked before sending: a query, a non-loopback http host, too short.
    for bad in [
        "https://shop.example.com/notify?x=1",
        "http://shop.example.com/notify",
        "https://a",
    ] {
        let v = refused_before_sending(
            &env,
            "POST",
            CALLBACKS,
            env.client.set_callback_url(&SetCallbackRequest::new(bad)),
        )
        .await;
        assert_eq!(v.field, "notify_url", "{bad}");
    }

    // Another merchant's URL cannot be set.
    let other = SetCallbackRequest::new(https).mchid("1900000002");
    let err = env.client.set_callback_url(&other).await.unwrap_err();
    assert_api(&err, 403, ErrorCode::NoAuth);
}

/// Against WeChat Pay's hosts the HTTPS rule stands, whatever rule the request carries; the
/// refusal happens before anything is sent (a connection to WeChat Pay would fail the test
/// with a transport error instead).
#[tokio::test]
async fn loopback_http_is_refused_when_the_client_targets_wechat_pay() {
    let env = start().await;
    let production = Client::builder()
        .config(&config(&env.mock).base_url("https://api.mch.weixin.qq.com"))
        .unwrap()
        .build()
        .unwrap();
    assert!(!production.targets_simulator());
    for rule in [NotifyUrlRule::Production, NotifyUrlRule::AllowLoopbackHttp] {
        let req = SetCallbackRequest::new("http://127.0.0.1:18080/wechatpay/coupon")
            .notify_url_rule(rule);
        match production.set_callback_url(&req).await {
            Err(Error::Validation(v)) => assert_eq!(v.field, "notify_url"),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn get_callback_url_end_to_end_is_seed_one() {
    let env = start().await;
    // Nothing set yet.
    let err = env.client.get_callback_url(None).await.unwrap_err();
    assert_api(&err, 404, ErrorCode::ResourceNotExists);

    let url = "https://pay.weixin.qq.com";
    env.client
        .set_callback_url(&SetCallbackRequest::new(url))
        .await
        .unwrap();
    // GET /v3/marketing/busifavor/callbacks, and ?mchid=…, answer {mchid, notify_url}.
    let mine = env.client.get_callback_url(None).await.unwrap();
    assert_eq!(
        (mine.mchid.as_str(), mine.notify_url.as_str()),
        (DEMO_MCHID, url)
    );
    let by_id = env.client.get_callback_url(Some(DEMO_MCHID)).await.unwrap();
    assert_eq!(by_id.notify_url, url);

    let v = refused_before_sending(
        &env,
        "GET",
        CALLBACKS,
        env.client.get_callback_url(Some("1234567890123456")),
    )
    .await;
    assert_eq!(v.field, "mchid");

    let err = env
        .client
        .get_callback_url(Some("1900000002"))
        .await
        .unwrap_err();
    assert_api(&err, 403, ErrorCode::NoAuth);
}
