//! Spec §8.0, row by row: every endpoint 1–27 has a request type with the documented method,
//! path template, response type and body kind, and its path parameters are percent-encoded.

use wxpay_model::busifavor::*;
use wxpay_model::{ApiRequest, Error, Method, NoContent, RequestBody, Timestamp};

/// Compile-time check that `R::Response` is `T`.
fn answers<R: ApiRequest<Response = T>, T>(_: &R) {}

fn ts() -> Timestamp {
    Timestamp::parse("2026-01-01T00:00:00+08:00").unwrap()
}

/// One row: method, template, the path built from hostile parameters, and the body kind.
fn row<R: ApiRequest>(r: &R, method: Method, template: &str, path: &str, body: &str) {
    assert_eq!(R::METHOD, method, "{template}");
    assert_eq!(R::PATH_TEMPLATE, template);
    assert_eq!(r.path(), path, "{template}");
    let kind = match r.body().unwrap() {
        RequestBody::Empty => "empty",
        RequestBody::Json(_) => "json",
        RequestBody::Multipart(_) => "multipart",
        _ => "other",
    };
    assert_eq!(kind, body, "{template}");
}

/// A path parameter that would change the path if it were not encoded.
const P: &str = "a/b?c#d";
const E: &str = "a%2Fb%3Fc%23d";

#[test]
fn every_endpoint_of_spec_8_0() {
    let b = "/v3/marketing/busifavor";
    let rule = CouponUseRule::new(FavorAvailableTime::new(ts(), ts()), UseMethod::OffLine);
    let r1 = CreateStockRequest::new(
        "n",
        "1900000001",
        "g",
        StockType::Normal,
        rule,
        StockSendRule::new(1, 1),
        "r",
        CouponCodeMode::WechatpayMode,
    );
    answers::<_, CreateStockResponse>(&r1);
    row(
        &r1,
        Method::Post,
        &format!("{b}/stocks"),
        &format!("{b}/stocks"),
        "json",
    );

    let r2 = QueryStockRequest::new(P);
    answers::<_, StockInfo>(&r2);
    let t = format!("{b}/stocks/{{stock_id}}");
    row(&r2, Method::Get, &t, &format!("{b}/stocks/{E}"), "empty");

    let r3 = ModifyStockRequest::new(P, "r");
    answers::<_, NoContent>(&r3);
    row(&r3, Method::Patch, &t, &format!("{b}/stocks/{E}"), "json");

    let r4 = ModifyBudgetRequest::max_coupons(P, 1, 2, "r");
    answers::<_, ModifyBudgetResponse>(&r4);
    let t4 = format!("{b}/stocks/{{stock_id}}/budget");
    row(
        &r4,
        Method::Patch,
        &t4,
        &format!("{b}/stocks/{E}/budget"),
        "json",
    );

    let t5 = format!("{b}/stocks/{{stock_id}}/couponcodes");
    let p5 = format!("{b}/stocks/{E}/couponcodes");
    let r5 = UploadCouponCodesRequest::new(P, ["c"], "r");
    answers::<_, UploadCouponCodesResponse>(&r5);
    row(&r5, Method::Post, &t5, &p5, "json");

    let r6 = ListCouponCodesRequest::new(P);
    answers::<_, ListCouponCodesResponse>(&r6);
    row(&r6, Method::Get, &t5, &p5, "empty");

    let t7 = format!("{b}/stocks/{{stock_id}}/couponcodes/{{coupon_code}}");
    let p7 = format!("{b}/stocks/{E}/couponcodes/{E}");
    let r7 = QueryCouponCodeRequest::new(P, P);
    answers::<_, QueryCouponCodeResponse>(&r7);
    row(&r7, Method::Get, &t7, &p7, "empty");

    let r8 = DeleteCouponCodeRequest::new(P, P, "d&x=1");
    answers::<_, DeleteCouponCodeResponse>(&r8);
    row(&r8, Method::Delete, &t7, &p7, "empty");
    assert_eq!(
        r8.path_and_query(),
        format!("{p7}?delete_request_no=d%26x%3D1")
    );

    let t9 = format!("{b}/callbacks");
    let r9 = SetCallbackRequest::new("https://example.com/notify");
    answers::<_, SetCallbackResponse>(&r9);
    row(&r9, Method::Post, &t9, &t9, "json");

    let r10 = GetCallbackRequest::new(Some("98568888".into()));
    answers::<_, GetCallbackResponse>(&r10);
    row(&r10, Method::Get, &t9, &t9, "empty");

    let r11 = UseCouponRequest::new("c", "wx1", ts(), "u");
    answers::<_, UseCouponResponse>(&r11);
    let p = format!("{b}/coupons/use");
    row(&r11, Method::Post, &p, &p, "json");

    let r12 = ListUserCouponsRequest::new(P, "wx1");
    answers::<_, ListUserCouponsResponse>(&r12);
    let t12 = format!("{b}/users/{{openid}}/coupons");
    row(
        &r12,
        Method::Get,
        &t12,
        &format!("{b}/users/{E}/coupons"),
        "empty",
    );

    let r13 = QueryUserCouponRequest::new(P, P, P);
    answers::<_, CouponEntity>(&r13);
    let t13 = format!("{b}/users/{{openid}}/coupons/{{coupon_code}}/appids/{{appid}}");
    let p13 = format!("{b}/users/{E}/coupons/{E}/appids/{E}");
    row(&r13, Method::Get, &t13, &p13, "empty");

    let r14 = ReturnCouponRequest::new("c", "s", "r");
    answers::<_, ReturnCouponResponse>(&r14);
    let p = format!("{b}/coupons/return");
    row(&r14, Method::Post, &p, &p, "json");

    let r15 = DeactivateCouponRequest::new("c", "s", "r");
    answers::<_, DeactivateCouponResponse>(&r15);
    let p = format!("{b}/coupons/deactivate");
    row(&r15, Method::Post, &p, &p, "json");

    let r16 = AssociateOrderRequest::new("s", "c", "t", "r");
    answers::<_, AssociateOrderResponse>(&r16);
    let p = format!("{b}/coupons/associate");
    row(&r16, Method::Post, &p, &p, "json");

    let r17 = DisassociateOrderRequest::new("s", "c", "t", "r");
    answers::<_, DisassociateOrderResponse>(&r17);
    let p = format!("{b}/coupons/disassociate");
    row(&r17, Method::Post, &p, &p, "json");

    let r18 = SendCouponRequest::new("o", "wx1", "s", "r");
    answers::<_, SendCouponResponse>(&r18);
    let p = format!("{b}/coupons/send");
    row(&r18, Method::Post, &p, &p, "json");

    let r19 = PaySubsidyRequest::new("s", "c", "t", "p", "q", 1, "d", "n");
    answers::<_, SubsidyPayReceipt>(&r19);
    let p19 = format!("{b}/subsidy/pay-receipts");
    row(&r19, Method::Post, &p19, &p19, "json");

    let r20 = ListSubsidyPayReceiptsRequest::new("s", "c");
    answers::<_, SubsidyPayReceiptList>(&r20);
    row(&r20, Method::Get, &p19, &p19, "empty");

    let r21 = QuerySubsidyPayReceiptRequest::new(P);
    answers::<_, SubsidyPayReceipt>(&r21);
    let t21 = format!("{b}/subsidy/pay-receipts/{{subsidy_receipt_id}}");
    row(&r21, Method::Get, &t21, &format!("{p19}/{E}"), "empty");

    let r22 = ReturnSubsidyRequest::new("s", "c", "t", "f", "p", "q", 1, "d", "n");
    answers::<_, SubsidyReturnReceipt>(&r22);
    let p22 = format!("{b}/subsidy/return-receipts");
    row(&r22, Method::Post, &p22, &p22, "json");

    let r23 = QuerySubsidyReturnReceiptRequest::new(P);
    answers::<_, SubsidyReturnReceipt>(&r23);
    let t23 = format!("{b}/subsidy/return-receipts/{{subsidy_return_receipt_id}}");
    row(&r23, Method::Get, &t23, &format!("{p22}/{E}"), "empty");

    let r24 = SendConsumptionCardRequest::new(P, "wx1", "o", "r", ts());
    answers::<_, SendConsumptionCardResponse>(&r24);
    let t24 = format!("{b}/coupons/{{card_id}}/send");
    row(
        &r24,
        Method::Post,
        &t24,
        &format!("{b}/coupons/{E}/send"),
        "json",
    );

    let r25 = SendProductCouponRequest::new("o", "wx1", "s", "r", ProductCouponType::Normal);
    answers::<_, SendProductCouponResponse>(&r25);
    let p = format!("{b}/product-coupons/send");
    row(&r25, Method::Post, &p, &p, "json");

    let r26 = PreSendProductCouponRequest::new("s", "wx1", "r");
    answers::<_, PreSendProductCouponResponse>(&r26);
    let p = format!("{b}/product-coupons/pre-send");
    row(&r26, Method::Post, &p, &p, "json");

    let r27 = ImageUploadRequest::new("logo.png", vec![1, 2, 3]);
    answers::<_, ImageUploadResponse>(&r27);
    let p = "/v3/marketing/favor/media/image-upload";
    row(&r27, Method::Post, p, p, "multipart");
}

/// A path parameter is never in the body and a query parameter never either.
#[test]
fn path_and_query_fields_never_reach_a_body() {
    fn keys<R: ApiRequest>(r: &R) -> Vec<String> {
        match r.body().unwrap() {
            RequestBody::Json(b) => serde_json::from_slice::<serde_json::Map<_, _>>(&b)
                .unwrap()
                .keys()
                .cloned()
                .collect(),
            _ => Vec::new(),
        }
    }
    assert!(!keys(&ModifyStockRequest::new("s", "r")).contains(&"stock_id".to_owned()));
    assert!(
        !keys(&ModifyBudgetRequest::max_coupons("s", 1, 2, "r")).contains(&"stock_id".to_owned())
    );
    assert!(
        !keys(&UploadCouponCodesRequest::new("s", ["c"], "r")).contains(&"stock_id".to_owned())
    );
    let card = SendConsumptionCardRequest::new("card", "wx1", "o", "r", ts());
    assert_eq!(
        keys(&card),
        ["appid", "openid", "out_request_no", "send_time"]
    );
    // GET and DELETE carry everything in the path and query.
    let mut l = ListUserCouponsRequest::new("o", "wx1");
    l.stock_id = Some("s".into());
    assert_eq!(l.body().unwrap(), RequestBody::Empty);
    assert_eq!(
        DeleteCouponCodeRequest::new("s", "c", "d").body().unwrap(),
        RequestBody::Empty
    );
    let _: Result<_, Error> = GetCallbackRequest::new(None).body();
}

/// An openid with `/`, `?` or `#` must not change the path or start a query.
#[test]
fn hostile_openid_cannot_change_the_path() {
    let mut r = ListUserCouponsRequest::new("../../stocks/1?appid=x#", "wx1");
    r.limit = Some(10);
    assert_eq!(
        r.path_and_query(),
        "/v3/marketing/busifavor/users/..%2F..%2Fstocks%2F1%3Fappid%3Dx%23/coupons?appid=wx1&limit=10"
    );
    // The openid charset is not specified (§8.0: `[A-Za-z0-9_-]` only "in practice"), so
    // validation stays lenient; encoding alone keeps the path intact.
    r.validate().unwrap();
}
