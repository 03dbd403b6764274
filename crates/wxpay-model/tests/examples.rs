//! Every JSON example of the seeds and the spec parses into its type and re-serializes to the
//! same JSON value.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wxpay_model::busifavor::*;
use wxpay_model::{ApiRequest, ErrorBody, NotificationEnvelope};

fn round_trip<T: Serialize + DeserializeOwned>(json: &str) -> T {
    let parsed: T = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let again = serde_json::to_value(&parsed).unwrap();
    let original: Value = serde_json::from_str(json).unwrap();
    assert_eq!(again, original, "{json}");
    parsed
}

#[test]
fn seed_coupon_send_envelope() {
    let env: NotificationEnvelope = round_trip(
        r#"{
    "id":"8b33f79f-8869-5ae5-b41b-3c0b59f957d0",
    "create_time":"2019-12-12T16:54:38+08:00",
    "resource_type":"encrypt-resource",
    "event_type":"COUPON.SEND",
    "summary":"商家券领券通知",
    "resource":{
        "original_type":"coupon",
        "algorithm":"AEAD_AES_256_GCM",
        "ciphertext":"xxx",
        "associated_data":"coupon",
        "nonce":"j9g1wAzF9Xn1"
     }
}"#,
    );
    assert_eq!(env.resource.nonce, "j9g1wAzF9Xn1");
}

#[test]
fn seed_and_spec_coupon_send_plaintext() {
    let seed = r#"{
"event_type":"EVENT_TYPE_BUSICOUPON_SEND",
"coupon_code":"1227944959000000911017",
"stock_id":"1286950000000039",
"send_time":"2019-12-17T10:35:53+08:00",
"openid":"odXnH1CJjeQoWTld48db-pnxs-Wg",
"unionid":"oOuyajgxj0oVwjocSoQm6mp7PGKw",
"send_channel":"BUSICOUPON_SEND_CHANNEL_PAYGIFT",
"send_merchant":"98568888",
"attach_info":{
    "transaction_id":"4200000462220200226114599",
    "act_code":"540358695"
}
}"#;
    let e: CouponSendEvent = round_trip(seed);
    assert_eq!(e.send_channel, SendChannel::Paygift);
    // Spec §10.1 example (same values, other layout).
    let spec = r#"{"event_type":"EVENT_TYPE_BUSICOUPON_SEND","coupon_code":"1227944959000000911017","stock_id":"1286950000000039",
 "send_time":"2019-12-17T10:35:53+08:00","openid":"odXnH1CJjeQoWTld48db-pnxs-Wg","unionid":"oOuyajgxj0oVwjocSoQm6mp7PGKw",
 "send_channel":"BUSICOUPON_SEND_CHANNEL_PAYGIFT","send_merchant":"98568888",
 "attach_info":{"transaction_id":"4200000462220200226114599","act_code":"540358695"}}"#;
    assert_eq!(round_trip::<CouponSendEvent>(spec), e);
}

#[test]
fn spec_real_captured_envelope_and_a5_body() {
    round_trip::<NotificationEnvelope>(
        r#"{"id":"a0d3b5f3-fb41-59d4-8887-2fc6fa73a28f","create_time":"2020-04-22T12:54:24+08:00","resource_type":"encrypt-resource","event_type":"COUPON.SEND","summary":"商家券领券通知","resource":{"original_type":"coupon","algorithm":"AEAD_AES_256_GCM","ciphertext":"…","associated_data":"coupon","nonce":"QC8M6Rj84iKL"}}"#,
    );
    round_trip::<NotificationEnvelope>(
        r#"{"id":"8b33f79f-8869-5ae5-b41b-3c0b59f957d0","create_time":"2019-12-12T16:54:38+08:00","resource_type":"encrypt-resource","event_type":"COUPON.SEND","summary":"商家券领券通知","resource":{"original_type":"coupon","algorithm":"AEAD_AES_256_GCM","ciphertext":"TM+gylPJ","associated_data":"coupon","nonce":"j9g1wAzF9Xn1"}}"#,
    );
}

#[test]
fn seed_get_callback_response() {
    let r: GetCallbackResponse = round_trip(
        r#"{
 "mchid" : "98568888",
 "notify_url" : "https://pay.weixin.qq.com"
}"#,
    );
    assert_eq!(r.mchid, "98568888");
    let parsed = GetCallbackRequest::parse_response(
        br#"{"mchid":"98568888","notify_url":"https://pay.weixin.qq.com"}"#,
    )
    .unwrap();
    assert_eq!(parsed, r);
}

#[test]
fn seed_failure_reply_and_spec_error_body() {
    let fail: ErrorBody = round_trip(
        r#"{
    "code": "FAIL",
    "message": "失败"
}"#,
    );
    assert!(fail.code.is_unknown());
    round_trip::<ErrorBody>(
        r#"{"code":"PARAM_ERROR","message":"参数错误",
 "detail":{"field":"/amount/currency","value":"XYZ","issue":"Currency code is invalid","location":"body"}}"#,
    );
    round_trip::<ErrorBody>(
        r#"{"code":"INVALID_REQUEST","message":"Http头缺少Accept或User-Agent"}"#,
    );
}

#[test]
fn spec_a2_use_coupon_body_is_byte_identical() {
    let body = r#"{"coupon_code":"sxxe34343434","stock_id":"100088","appid":"wx1234567889999","use_time":"2015-05-20T13:29:35+08:00","use_request_no":"1002600620019090123143254435"}"#;
    let req: UseCouponRequest = round_trip(body);
    assert_eq!(
        req.body().unwrap(),
        wxpay_model::RequestBody::Json(body.as_bytes().to_vec())
    );
}

#[test]
fn spec_a3_create_stock_response() {
    let r: CreateStockResponse =
        round_trip(r#"{"stock_id":"98065001","create_time":"2015-05-20T13:29:35+08:00"}"#);
    assert_eq!(r.create_time.unix_timestamp(), Some(1_432_099_775));
}

#[test]
fn upload_fail_codes_example() {
    let r: UploadCouponCodesResponse = round_trip(
        r#"{"stock_id":"1212","total_count":3,"success_count":1,"success_codes":["a"],"success_time":"2020-05-20T13:29:35.120+08:00","fail_count":1,"fail_codes":[{"coupon_code":"x","code":"LENGTH_LIMIT","message":"长度超过最大值32位"}],"exist_codes":["b"],"duplicate_codes":["a"]}"#,
    );
    assert_eq!(
        r.fail_codes.unwrap()[0].code,
        wxpay_model::ErrorCode::LengthLimit
    );
}

#[test]
fn stock_with_every_shared_object() {
    let s: StockInfo = round_trip(
        r#"{"stock_name":"满减券","belong_merchant":"10000022","comment":"c","goods_name":"g","stock_type":"NORMAL",
        "coupon_use_rule":{"coupon_available_time":{"available_begin_time":"2015-05-20T13:29:35+08:00","available_end_time":"2015-05-21T13:29:35Z",
            "available_day_after_receive":3,"available_week":{"week_day":[1,2],"available_day_time":[{"begin_time":3600,"end_time":86399}]},
            "irregulary_avaliable_time":[{"begin_time":"2015-05-20T13:29:35+08:00","end_time":"2015-05-20T15:29:35+08:00"}],"wait_days_after_receive":7},
          "fixed_normal_coupon":{"discount_amount":5,"transaction_minimum":100},"use_method":"OFF_LINE",
          "mini_programs_appid":"wx23232232323","mini_programs_path":"/path/index/index"},
        "stock_send_rule":{"max_amount":100000,"max_coupons":100,"max_coupons_per_user":5,"max_amount_by_day":1000,"max_coupons_by_day":100,
          "natural_person_limit":false,"prevent_api_abuse":false,"transferable":false,"shareable":false},
        "custom_entrance":{"mini_programs_info":{"mini_programs_appid":"wx234545656765876","mini_programs_path":"/path/index/index","entrance_words":"欢迎选购","guiding_words":"获取更多优惠"},
          "appid":"wx324345hgfhfghfg","hall_id":"233455656","store_id":"233554655","code_display_mode":"BARCODE"},
        "display_pattern_info":{"description":"xxx门店可用","merchant_logo_url":"https://xxx","merchant_name":"微信支付","background_color":"Color020","coupon_image_url":"https://qpic.cn/xxx",
          "finder_info":{"finder_id":"sph6Rngt2T4RlUf","finder_video_id":"export/UzFfAgtgekIEAQAAAAAAb4MgnPInmAAAAAstQy6ubaLX4KHWvLEZgBPEwIEgVnk9HIP-zNPgMJofG6tpdGPJNg_ojtEjoT94","finder_video_cover_image_url":"https://wxpaylogo.qpic.cn/xxx"}},
        "stock_state":"STOPED","coupon_code_mode":"MERCHANT_UPLOAD","stock_id":"1212","coupon_code_count":{"total_count":100,"available_count":50},
        "notify_config":{"notify_appid":"wx23232232323"},"send_count_information":{"total_send_num":1,"total_send_amount":34,"today_send_num":1,"today_send_amount":34},"subsidy":false}"#,
    );
    assert_eq!(s.stock_state, StockState::Stoped);
    assert!(
        s.coupon_use_rule
            .coupon_available_time
            .irregulary_avaliable_time
            .is_some()
    );
}

#[test]
fn user_coupon_lists_and_subsidy_receipts() {
    round_trip::<ListUserCouponsResponse>(
        r#"{"data":[{"belong_merchant":"100000222","stock_name":"商家券","goods_name":"x","stock_type":"DISCOUNT","coupon_state":"REDEEM_CONFIRMING",
          "coupon_use_rule":{"coupon_available_time":{"available_begin_time":"2015-05-20T13:29:35+08:00","available_end_time":"2015-05-20T13:29:35+08:00"},
            "discount_coupon":{"discount_percent":88,"transaction_minimum":100},"use_method":"MINI_PROGRAMS"},
          "coupon_code":"123446565767","stock_id":"1002323","available_start_time":"2015-05-20T13:29:35+08:00","expire_time":"2015-05-20T13:29:35+08:00",
          "receive_time":"2015-05-20T13:29:35+08:00","send_request_no":"MCHSEND202003101234","use_request_no":"MCHUSE202003101234","use_time":"2015-05-20T13:29:35+08:00",
          "associate_out_trade_no":"1234"}],"total_count":1,"offset":0,"limit":10}"#,
    );
    let r: SubsidyPayReceiptList = round_trip(
        r#"{"pay_receipt_list":[{"subsidy_receipt_id":"1120200119165100000000000001","stock_id":"128888000000001","coupon_code":"ABCD12345678","transaction_id":"4200000913202101152566792388",
          "payer_merchant":"1900000001","payee_merchant":"1900000002","amount":100,"description":"满20-1","status":"PAY_RECEIPT_SUCCESS","fail_reason":"PAY_RECEIPT_OTHER",
          "success_time":"2021-01-20T10:29:35+08:00","out_subsidy_no":"subsidy-abcd-12345678","create_time":"2021-01-20T10:29:35+08:00"}]}"#,
    );
    assert_eq!(
        r.pay_receipt_list.unwrap()[0].status,
        SubsidyPayStatus::Success
    );
    round_trip::<SubsidyReturnReceipt>(
        r#"{"subsidy_return_receipt_id":"1120200119165100000000000001","stock_id":"128888000000001","coupon_code":"ABCD12345678","transaction_id":"4200000913202101152566792388",
          "refund_id":"50100506732021010105138718375","payer_merchant":"1900000001","payee_merchant":"1900000002","amount":100,"description":"x","status":"RETURN_RECEIPT_SUCCESS",
          "subsidy_receipt_id":"1120200119165100000000000001","out_subsidy_return_no":"return-1","return_done_time":"2021-01-20T10:29:35+08:00","return_create_time":"2021-01-20T10:29:35+08:00"}"#,
    );
}

#[test]
fn send_coupon_response_both_shapes() {
    let nested: SendCouponResponse = round_trip(
        r#"{"send_coupon_result":{"stock_id":"1","out_request_no":"r","coupon_code":"c"}}"#,
    );
    let flat: SendCouponResponse =
        round_trip(r#"{"stock_id":"1","out_request_no":"r","coupon_code":"c"}"#);
    assert_eq!(nested.result(), flat.result());
    assert!(nested.result().is_some());
}

#[test]
fn no_content_for_204() {
    let r = ModifyStockRequest::parse_response(b"").unwrap();
    assert_eq!(r, wxpay_model::NoContent);
}

#[test]
fn unknown_fields_never_fail() {
    let r: UseCouponResponse = serde_json::from_str(
        r#"{"stock_id":"1","openid":"o","wechatpay_use_time":"2015-05-20T13:29:35+08:00","brand_new":{"x":1}}"#,
    )
    .unwrap();
    assert_eq!(r.stock_id, "1");
    // An answer's time that is not RFC 3339 no longer fails the call: the text is kept.
    let odd = UseCouponRequest::parse_response(
        br#"{"stock_id":"1","openid":"o","wechatpay_use_time":"yesterday"}"#,
    )
    .unwrap();
    assert_eq!(odd.wechatpay_use_time.as_str(), "yesterday");
    assert_eq!(odd.wechatpay_use_time.timestamp(), None);
}
