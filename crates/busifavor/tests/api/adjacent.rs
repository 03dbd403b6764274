//! §8.24–§8.27: the simulator does not serve these (its docs: they answer 404), so they run
//! against the local signing server, which checks the merchant signature of every request and
//! signs every answer with the simulator's WeChat Pay key pair.

use busifavor::{
    Error, ErrorCode, ImageUploadRequest, PreSendProductCouponRequest, ProductCouponType,
    SendConsumptionCardRequest, SendProductCouponRequest,
};
use serde_json::Value;

use crate::signing_server::{SigningServer, client_for, multipart_part};
use crate::support::{APPID, at};

const PARAM_ERROR: &str =
    r#"{"code":"PARAM_ERROR","message":"参数错误","detail":{"field":"/openid","issue":"invalid"}}"#;

/// Answers `ok` unless the body mentions `"fail"`, then a 400 PARAM_ERROR.
async fn server(ok: &'static str) -> SigningServer {
    SigningServer::start(move |r| {
        if String::from_utf8_lossy(&r.body).contains("fail") {
            (400, PARAM_ERROR.to_owned())
        } else {
            (200, ok.to_owned())
        }
    })
    .await
}

fn assert_param_error(err: &Error) {
    let Error::Api(api) = err else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(api.status, 400);
    assert_eq!(api.code, Some(ErrorCode::ParamError));
    assert_eq!(err.hint(), ErrorCode::ParamError.hint());
    assert!(err.to_string().contains("/openid"), "{err}");
    assert_eq!(err.request_id(), Some("08F0A1B2C3D4-TEST"));
}

fn json(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap()
}

#[tokio::test]
async fn send_consumption_card_end_to_end() {
    let server = server(r#"{"card_code":"CARD-0001"}"#).await;
    let client = client_for(&server);
    let req = SendConsumptionCardRequest::builder()
        .card_id("pIJMr5MMiLkO_Hw0cL0dVu4Ti8gI")
        .appid(APPID)
        .openid("o-user-1")
        .out_request_no("card-1")
        .send_time(at(0))
        .build()
        .unwrap();
    let card = client.send_consumption_card(&req).await.unwrap();
    assert_eq!(card.card_code, "CARD-0001");
    let got = &server.received()[0];
    assert!(got.auth_ok, "the request is signed by the merchant");
    assert_eq!(got.method, "POST");
    assert_eq!(
        got.path_and_query,
        "/v3/marketing/busifavor/coupons/pIJMr5MMiLkO_Hw0cL0dVu4Ti8gI/send"
    );
    assert_eq!(json(&got.body)["openid"], "o-user-1");
    assert!(
        json(&got.body).get("card_id").is_none(),
        "path fields stay out of the body"
    );

    let mut bad = req.clone();
    bad.openid = String::new();
    let err = client.send_consumption_card(&bad).await.unwrap_err();
    assert!(
        matches!(err, Error::Validation(ref v) if v.field == "openid"),
        "{err:?}"
    );
    assert_eq!(server.received().len(), 1, "nothing more arrived");

    let mut failing = req.clone();
    failing.out_request_no = "fail-1".into();
    assert_param_error(&client.send_consumption_card(&failing).await.unwrap_err());
}

#[tokio::test]
async fn send_product_coupon_end_to_end() {
    let server =
        server(r#"{"stock_id":"1212","coupon_code":"PC-0001","out_request_no":"pc-1"}"#).await;
    let client = client_for(&server);
    let req = SendProductCouponRequest::builder()
        .openid("o-user-1")
        .appid(APPID)
        .stock_id("1212")
        .out_request_no("pc-1")
        .coupon_type(ProductCouponType::Normal)
        .build()
        .unwrap();
    let sent = client.send_product_coupon(&req).await.unwrap();
    assert_eq!(sent.coupon_code, "PC-0001");
    let got = &server.received()[0];
    assert!(got.auth_ok);
    assert_eq!(
        got.path_and_query,
        "/v3/marketing/busifavor/product-coupons/send"
    );
    assert_eq!(json(&got.body)["coupon_type"], "NORMAL");

    let mut bad = req.clone();
    bad.stock_id = "1".repeat(21);
    let err = client.send_product_coupon(&bad).await.unwrap_err();
    assert!(
        matches!(err, Error::Validation(ref v) if v.field == "stock_id"),
        "{err:?}"
    );
    assert_eq!(server.received().len(), 1);

    let mut failing = req.clone();
    failing.out_request_no = "fail-1".into();
    assert_param_error(&client.send_product_coupon(&failing).await.unwrap_err());
}

#[tokio::test]
async fn pre_send_product_coupon_end_to_end() {
    let server = server(r#"{"token":"TOKEN-0001"}"#).await;
    let client = client_for(&server);
    let req = PreSendProductCouponRequest::builder()
        .stock_id("1212")
        .appid(APPID)
        .send_request_no("pre-1")
        .openid("o-user-1")
        .build()
        .unwrap();
    let token = client.pre_send_product_coupon(&req).await.unwrap();
    assert_eq!(token.token, "TOKEN-0001");
    let got = &server.received()[0];
    assert!(got.auth_ok);
    assert_eq!(
        got.path_and_query,
        "/v3/marketing/busifavor/product-coupons/pre-send"
    );

    let mut bad = req.clone();
    bad.send_request_no = "pre 1".into();
    let err = client.pre_send_product_coupon(&bad).await.unwrap_err();
    assert!(
        matches!(err, Error::Validation(ref v) if v.field == "send_request_no"),
        "{err:?}"
    );
    assert_eq!(server.received().len(), 1);

    let mut failing = req.clone();
    failing.send_request_no = "fail-1".into();
    assert_param_error(&client.pre_send_product_coupon(&failing).await.unwrap_err());
}

#[tokio::test]
async fn upload_image_end_to_end() {
    let server = SigningServer::start(|r| {
        let file = multipart_part(&r.body, "file").unwrap_or_default();
        let meta: Value = serde_json::from_slice(&r.signed).unwrap_or_default();
        if file == b"fail" {
            (400, PARAM_ERROR.to_owned())
        } else if meta["sha256"] == wxpay_crypto::sha256_hex(file) {
            (
                200,
                r#"{"media_url":"https://wxpaylogo.qpic.cn/mmpaymkt/logo.png"}"#.to_owned(),
            )
        } else {
            (
                400,
                r#"{"code":"PARAM_ERROR","message":"sha256不匹配"}"#.to_owned(),
            )
        }
    })
    .await;
    let client = client_for(&server);
    let png = b"\x89PNG\r\n\x1a\n-a-tiny-image".to_vec();
    let up = client
        .upload_image(&ImageUploadRequest::new("logo.png", png))
        .await
        .unwrap();
    assert_eq!(up.media_url, "https://wxpaylogo.qpic.cn/mmpaymkt/logo.png");
    let got = &server.received()[0];
    assert!(got.auth_ok, "the signature covers the meta part");
    assert!(
        got.content_type
            .starts_with("multipart/form-data; boundary=")
    );
    assert_eq!(got.path_and_query, "/v3/marketing/favor/media/image-upload");
    assert_eq!(json(&got.signed)["filename"], "logo.png");

    let err = client
        .upload_image(&ImageUploadRequest::new("logo.gif", b"GIF89a".to_vec()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Validation(ref v) if v.field == "file_name"),
        "{err:?}"
    );
    assert_eq!(server.received().len(), 1);

    let err = client
        .upload_image(&ImageUploadRequest::new("logo.png", b"fail".to_vec()))
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.code, Some(ErrorCode::ParamError));
    assert!(err.hint().is_some());
}
