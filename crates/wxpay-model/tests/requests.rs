//! Paths, queries and bodies: path and query fields never reach the body.

use serde_json::Value;
use wxpay_model::busifavor::*;
use wxpay_model::{ApiRequest, Method, RequestBody, Timestamp};

fn body_json<R: ApiRequest>(r: &R) -> Value {
    match r.body().unwrap() {
        RequestBody::Json(b) => serde_json::from_slice(&b).unwrap(),
        other => panic!("expected JSON body, got {other:?}"),
    }
}

#[test]
fn spec_a2_2_list_user_coupons_url() {
    let mut r = ListUserCouponsRequest::new("oXyZ-123_abc", "wx233544546545989");
    r.offset = Some(0);
    r.limit = Some(20);
    assert_eq!(
        r.path_and_query(),
        "/v3/marketing/busifavor/users/oXyZ-123_abc/coupons?appid=wx233544546545989&offset=0&limit=20"
    );
    assert_eq!(r.body().unwrap(), RequestBody::Empty);
    assert_eq!(ListUserCouponsRequest::METHOD, Method::Get);
}

#[test]
fn path_parameters_are_percent_encoded() {
    let r = QueryUserCouponRequest::new("o/../x", "a b", "wx?1");
    assert_eq!(
        r.path(),
        "/v3/marketing/busifavor/users/o%2F..%2Fx/coupons/a%20b/appids/wx%3F1"
    );
    let d = DeleteCouponCodeRequest::new("98065001", "code=1", "del 1");
    assert_eq!(
        d.path_and_query(),
        "/v3/marketing/busifavor/stocks/98065001/couponcodes/code%3D1?delete_request_no=del%201"
    );
    assert_eq!(DeleteCouponCodeRequest::METHOD, Method::Delete);
}

#[test]
fn path_fields_never_in_the_body() {
    let mut m = ModifyStockRequest::new("98065001", "req-1");
    m.comment = Some("新备注".into());
    assert_eq!(m.path(), "/v3/marketing/busifavor/stocks/98065001");
    assert_eq!(
        body_json(&m),
        serde_json::json!({"out_request_no":"req-1","comment":"新备注"})
    );
    assert_eq!(ModifyStockRequest::METHOD, Method::Patch);

    let b = ModifyBudgetRequest::max_coupons("98065001", 100, 200, "b-1");
    assert_eq!(b.path(), "/v3/marketing/busifavor/stocks/98065001/budget");
    assert_eq!(
        body_json(&b),
        serde_json::json!({"target_max_coupons":200,"current_max_coupons":100,"modify_budget_request_no":"b-1"})
    );

    let u = UploadCouponCodesRequest::new("98065001", ["a", "b"], "up-1");
    assert_eq!(
        u.path(),
        "/v3/marketing/busifavor/stocks/98065001/couponcodes"
    );
    assert_eq!(
        body_json(&u),
        serde_json::json!({"coupon_code_list":["a","b"],"upload_request_no":"up-1"})
    );

    let c = SendConsumptionCardRequest {
        card_id: "card1".into(),
        appid: "wx1".into(),
        openid: "o1".into(),
        out_request_no: "r1".into(),
        send_time: Timestamp::parse("2020-01-01T00:00:00+08:00").unwrap(),
    };
    assert_eq!(c.path(), "/v3/marketing/busifavor/coupons/card1/send");
    assert!(body_json(&c).get("card_id").is_none());
}

#[test]
fn get_requests_have_empty_bodies_and_queries() {
    let mut l = ListCouponCodesRequest::new("s1");
    l.status = Some(CodeStatus::Dispatched);
    l.limit = Some(10);
    assert_eq!(
        l.path_and_query(),
        "/v3/marketing/busifavor/stocks/s1/couponcodes?limit=10&status=DISPATCHED"
    );
    assert_eq!(l.body().unwrap(), RequestBody::Empty);

    assert_eq!(
        GetCallbackRequest::new(None).path_and_query(),
        "/v3/marketing/busifavor/callbacks"
    );
    assert_eq!(
        GetCallbackRequest::new(Some("98568888".into())).path_and_query(),
        "/v3/marketing/busifavor/callbacks?mchid=98568888"
    );
    let q = ListSubsidyPayReceiptsRequest {
        stock_id: "s".into(),
        coupon_code: "c".into(),
        out_subsidy_no: None,
    };
    assert_eq!(
        q.path_and_query(),
        "/v3/marketing/busifavor/subsidy/pay-receipts?stock_id=s&coupon_code=c"
    );
    let q = QuerySubsidyReturnReceiptRequest {
        subsidy_return_receipt_id: "r1".into(),
    };
    assert_eq!(
        q.path(),
        "/v3/marketing/busifavor/subsidy/return-receipts/r1"
    );
    assert_eq!(
        QuerySubsidyReturnReceiptRequest::PATH_TEMPLATE,
        "/v3/marketing/busifavor/subsidy/return-receipts/{subsidy_return_receipt_id}"
    );
}

#[test]
fn post_paths() {
    let a = AssociateOrderRequest::new("s", "c", "t", "r");
    assert_eq!(a.path(), "/v3/marketing/busifavor/coupons/associate");
    let d = DisassociateOrderRequest::new("s", "c", "t", "r");
    assert_eq!(d.path(), "/v3/marketing/busifavor/coupons/disassociate");
    assert_eq!(body_json(&d), body_json(&a));
    assert_eq!(
        SendCouponRequest::PATH_TEMPLATE,
        "/v3/marketing/busifavor/coupons/send"
    );
    assert_eq!(
        ReturnCouponRequest::new("c", "s", "r").path(),
        "/v3/marketing/busifavor/coupons/return"
    );
    assert_eq!(
        DeactivateCouponRequest::new("c", "s", "r").path(),
        "/v3/marketing/busifavor/coupons/deactivate"
    );
    assert_eq!(
        SetCallbackRequest::new("https://a.b/c").path(),
        "/v3/marketing/busifavor/callbacks"
    );
    assert_eq!(
        PaySubsidyRequest::PATH_TEMPLATE,
        "/v3/marketing/busifavor/subsidy/pay-receipts"
    );
    assert_eq!(
        ReturnSubsidyRequest::PATH_TEMPLATE,
        "/v3/marketing/busifavor/subsidy/return-receipts"
    );
    assert_eq!(
        SendProductCouponRequest::PATH_TEMPLATE,
        "/v3/marketing/busifavor/product-coupons/send"
    );
    assert_eq!(
        PreSendProductCouponRequest::PATH_TEMPLATE,
        "/v3/marketing/busifavor/product-coupons/pre-send"
    );
}

#[test]
fn image_upload_is_multipart_signed_over_meta() {
    let file = vec![0x89, b'P', b'N', b'G'];
    let r = ImageUploadRequest {
        file_name: "logo.png".into(),
        content_type: "image/png".into(),
        sha256: wxpay_crypto::sha256_hex(&file),
        file,
    };
    r.validate().unwrap();
    match r.body().unwrap() {
        RequestBody::Multipart(m) => {
            let meta: Value = serde_json::from_slice(&m.meta).unwrap();
            assert_eq!(
                meta,
                serde_json::json!({"filename":"logo.png","sha256":r.sha256})
            );
            assert_eq!(m.file, r.file);
            assert_eq!(m.content_type, "image/png");
        }
        other => panic!("expected multipart, got {other:?}"),
    }
    assert_eq!(r.path(), "/v3/marketing/favor/media/image-upload");
    let mut bad = r.clone();
    bad.sha256 = "g".repeat(64);
    assert_eq!(bad.validate().unwrap_err().field, "sha256");
    let mut bad = r;
    bad.file_name = "logo.gif".into();
    assert_eq!(bad.validate().unwrap_err().field, "file_name");
}

#[test]
fn constructors_fill_required_fields() {
    let img = ImageUploadRequest::new("Logo.PNG", vec![1]);
    assert_eq!(img.content_type, "image/png");
    // sha256(0x01), computed with `printf '\x01' | sha256sum`.
    assert_eq!(
        img.sha256,
        "4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a"
    );
    img.validate().unwrap();
    assert_eq!(
        ImageUploadRequest::new("a.jpg", vec![1]).content_type,
        "image/jpeg"
    );

    let card = SendConsumptionCardRequest::new(
        "card1",
        "wx1",
        "o1",
        "r1",
        Timestamp::parse("2020-01-01T00:00:00+08:00").unwrap(),
    );
    card.validate().unwrap();
    assert_eq!(
        body_json(&card),
        serde_json::json!({"appid":"wx1","openid":"o1","out_request_no":"r1","send_time":"2020-01-01T00:00:00+08:00"})
    );

    let p = SendProductCouponRequest::new("o1", "wx1", "s1", "r1", ProductCouponType::Member);
    p.validate().unwrap();
    assert_eq!(body_json(&p)["coupon_type"], "MEMBER");
    PreSendProductCouponRequest::new("s1", "wx1", "r1")
        .validate()
        .unwrap();

    let pay = PaySubsidyRequest::new(
        "s1",
        "c1",
        "4200000913202101152566792388",
        "1900000001",
        "1900000002",
        100,
        "满20-1",
        "sub-1",
    );
    pay.validate().unwrap();
    let ret = ReturnSubsidyRequest::new(
        "s1",
        "c1",
        "4200000913202101152566792388",
        "5010050673",
        "1900000001",
        "1900000002",
        100,
        "退款",
        "ret-1",
    );
    ret.validate().unwrap();
    assert_eq!(body_json(&ret)["refund_id"], "5010050673");
    assert_eq!(
        ListSubsidyPayReceiptsRequest::new("s1", "c1").path_and_query(),
        "/v3/marketing/busifavor/subsidy/pay-receipts?stock_id=s1&coupon_code=c1"
    );
    assert_eq!(
        QuerySubsidyPayReceiptRequest::new("r1").path(),
        "/v3/marketing/busifavor/subsidy/pay-receipts/r1"
    );
    QuerySubsidyReturnReceiptRequest::new("r1")
        .validate()
        .unwrap();
}
