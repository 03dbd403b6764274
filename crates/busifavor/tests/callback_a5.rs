//! The protocol contract's Appendix A.5 COUPON.SEND callback through the handler: as an
//! `http::Request`, through the tower `Service`, and as headers + bytes.

mod common;

use std::sync::{Arc, Mutex};

use busifavor::callback::{CallbackHandler, CallbackMeta, Delivery, SuccessReply};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;
use wxpay_crypto::{ApiV3Key, FixedClock, Verifier, WechatPayPublicKey};
use wxpay_model::busifavor::{CouponSendEvent, SendChannel};

const A5_BODY: &str = r#"{"id":"8b33f79f-8869-5ae5-b41b-3c0b59f957d0","create_time":"2019-12-12T16:54:38+08:00","resource_type":"encrypt-resource","event_type":"COUPON.SEND","summary":"商家券领券通知","resource":{"original_type":"coupon","algorithm":"AEAD_AES_256_GCM","ciphertext":"TM+gylPJHsCnRYOe1FCfedKo4T7nDCxE4+RAkmOpKW7kepEn6yco586AoWwrynAckbvaMk/yGAbQyvU5siY/FvfYkZCgeDVKBsTR2sjzy0lxLEqqjUIYhH86tvoyrMEcK+1aevo2YQW8wuzLRA01QKfrqAacUeeCtsVMzElx3kT2zKjxZJf0NutRYtsFYJIXI7L7shml1ZzdRVPXDnp3s+Kl9pd369eyIEwiJYZOS8ud7TEce2uRqGIg+MSY2aqIGisTRIfwVoKueoldukNeiZO8wl+QzoILmcyMy0DkJGqVFjZesNDnCcFNEFme/Uvzx1BZmq4aIhZt6mMJ5OhRgnx+myxg+bvSHEgGKbO+JEHJMw77UZ8WUYaBpKUevyPf4ucYS/UrRayBrGYXQ0R7FeHRhPCRcurkbnbQtiLLNQzCCnQYPXoElUy96Lmam7xfWC0xbr4ozLi7EwNpWMLn7Lh0JlmLKQqPiHaqHtOuROIvf2lQRKQVheZvGrderg8/wUYp9tWfGc/7w8pcU7GmkQ+P/kQRFkeEVg==","associated_data":"coupon","nonce":"j9g1wAzF9Xn1"}}"#;
const A5_SIGNATURE: &str = "oZkZQvatL31bl0Q6t8z6QnJSsmnx6uRj3LEEm18xHe/FJNxaXPFSLe/jsVxfGGz8snlM0glAv0vEURfNks6HfX+8/MX1W9Mq22/NJvHAKNLFORx8ry9dAg/gvIjo1WYmcEhq3Ze24l8Hr+M84+83xNEadekbtzmItbtwezKjifPBd6DsnET2Z0LaaFBYqpks1mxpFlV6XoAzcM5iruQ/d6mMbhz4i0flA+ZTtLWBc89+oGS0u2fVZbWA3Jp0J9VK5bd8/coCWqEKLXM/LY58ZHbya6pFFtMDPy2yHQLwKHdAuhGQcBkHE6dYah2RaHzyJoyA7cABL+sHni81Dz7KFQ==";
const A5_PLAINTEXT: &str = r#"{"event_type":"EVENT_TYPE_BUSICOUPON_SEND","coupon_code":"1227944959000000911017","stock_id":"1286950000000039","send_time":"2019-12-17T10:35:53+08:00","openid":"odXnH1CJjeQoWTld48db-pnxs-Wg","unionid":"oOuyajgxj0oVwjocSoQm6mp7PGKw","send_channel":"BUSICOUPON_SEND_CHANNEL_PAYGIFT","send_merchant":"98568888","attach_info":{"transaction_id":"4200000462220200226114599","act_code":"540358695"}}"#;
const A5_SERIAL: &str = "PUB_KEY_ID_00000000000000000000000000000001";
const A5_ID: &str = "8b33f79f-8869-5ae5-b41b-3c0b59f957d0";

type Seen = Arc<Mutex<Vec<(CouponSendEvent, CallbackMeta)>>>;

fn a5_handler(seen: Seen, reply: SuccessReply) -> CallbackHandler {
    let key =
        WechatPayPublicKey::from_pem(include_str!("../../wxpay-crypto/testdata/spec_a1_pub.pem"))
            .unwrap();
    CallbackHandler::builder()
        .verifier(Verifier::new().with_public_key(A5_SERIAL, key))
        .api_v3_key(ApiV3Key::new("0123456789abcdefghijklmnopqrstuv").unwrap())
        .clock(FixedClock(1_576_140_878))
        .success_reply(reply)
        .on_coupon_send(move |event, meta| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().push((event, meta));
                Ok::<(), std::convert::Infallible>(())
            }
        })
        .build()
        .unwrap()
}

fn a5_request() -> http::Request<http_body_util::Full<bytes::Bytes>> {
    http::Request::post("/wechatpay/coupon")
        .header("Content-Type", "application/json")
        .header("Wechatpay-Timestamp", "1576140878")
        .header("Wechatpay-Nonce", "c5ac7061fccab6bf3e254dcf98995b8c")
        .header("Wechatpay-Signature", A5_SIGNATURE)
        .header("Wechatpay-Serial", A5_SERIAL)
        .header("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048")
        .header("Request-ID", "08F78BB5AF0610D302A7E1B1E0FF0F00")
        .body(http_body_util::Full::new(bytes::Bytes::from_static(
            A5_BODY.as_bytes(),
        )))
        .unwrap()
}

#[tokio::test]
async fn appendix_a5_is_processed_with_its_event_and_metadata_then_acknowledged_as_duplicate() {
    let seen: Seen = Arc::default();
    let handler = a5_handler(seen.clone(), SuccessReply::NoContent);

    let response = handler.handle(a5_request()).await;
    assert_eq!(response.status(), 204);
    assert!(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .is_empty()
    );

    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let (event, meta) = &got[0];
    let expected: CouponSendEvent = serde_json::from_str(A5_PLAINTEXT).unwrap();
    assert_eq!(event, &expected);
    assert_eq!(event.coupon_code, "1227944959000000911017");
    assert_eq!(event.send_channel, SendChannel::Paygift);
    assert_eq!(meta.notification_id, A5_ID);
    assert_eq!(meta.event_type, "COUPON.SEND");
    assert_eq!(meta.create_time, "2019-12-12T16:54:38+08:00");
    assert_eq!(meta.summary.as_deref(), Some("商家券领券通知"));
    assert_eq!(meta.signing_serial, A5_SERIAL);
    assert_eq!(meta.delivery_timestamp, 1_576_140_878);
    assert_eq!(
        meta.request_id.as_deref(),
        Some("08F78BB5AF0610D302A7E1B1E0FF0F00")
    );
    assert!(meta.fencing > 0);

    // WeChat Pay delivers it again: acknowledged, the function is not called.
    let again = handler.process(a5_request()).await;
    assert!(
        matches!(&again, Ok(Delivery::Duplicate { notification_id }) if notification_id == A5_ID),
        "{again:?}"
    );
    assert_eq!(handler.respond(&again).status(), 204);
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn appendix_a5_through_the_tower_service_with_the_json_success_reply() {
    let seen: Seen = Arc::default();
    let handler = a5_handler(seen.clone(), SuccessReply::Json);
    let response = handler.clone().oneshot(a5_request()).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "application/json"
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], br#"{"code":"SUCCESS"}"#);
    assert_eq!(seen.lock().unwrap().len(), 1);

    // Mounted on an axum router unchanged.
    let seen2: Seen = Arc::default();
    let app = axum::Router::new().route_service(
        "/wechatpay/coupon",
        a5_handler(seen2.clone(), SuccessReply::NoContent),
    );
    let (parts, body) = a5_request().into_parts();
    let request = http::Request::from_parts(parts, axum::body::Body::new(body));
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(seen2.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn appendix_a5_as_headers_and_bytes() {
    let seen: Seen = Arc::default();
    let handler = a5_handler(seen.clone(), SuccessReply::NoContent);
    let (parts, _) = a5_request().into_parts();
    let response = handler
        .handle_bytes(&parts.headers, A5_BODY.as_bytes())
        .await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        seen.lock().unwrap()[0].0.coupon_code,
        "1227944959000000911017"
    );
}
