//! §8.5–§8.8: pre-made codes, and the paged code list as a stream.

use busifavor::{
    CouponCodeMode, DeleteCouponCodeRequest, ErrorCode, ListCouponCodesRequest, PageOptions,
    QueryCouponCodeRequest, TryStreamExt, UploadCouponCodesRequest,
};

use crate::support::*;

const CODES: &str = "/v3/marketing/busifavor/stocks/{stock_id}/couponcodes";
const CODE: &str = "/v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}";

async fn upload_stock(env: &Env, n: usize) -> String {
    let id = new_stock(env, "codes-stock", CouponCodeMode::MerchantUpload).await;
    let codes: Vec<String> = (0..n).map(|i| format!("CODE{i:04}")).collect();
    let up = UploadCouponCodesRequest::new(&id, codes, "upload-0");
    let done = env.client.upload_coupon_codes(&up).await.unwrap();
    assert_eq!(done.success_count, n as i64);
    id
}

#[tokio::test]
async fn upload_coupon_codes_end_to_end() {
    let env = start().await;
    let id = upload_stock(&env, 3).await;

    let bad = UploadCouponCodesRequest::new(&id, ["bad\u{7}code"], "upload-bad");
    let v = refused_before_sending(&env, "POST", CODES, env.client.upload_coupon_codes(&bad)).await;
    assert_eq!(v.field, "coupon_code_list[0]");

    // A WeChat-assigned-code stock does not take uploads.
    let other = new_stock(&env, "codes-wechat", CouponCodeMode::WechatpayMode).await;
    let err = env
        .client
        .upload_coupon_codes(&UploadCouponCodesRequest::new(&other, ["X1"], "upload-x"))
        .await
        .unwrap_err();
    assert_api(&err, 400, ErrorCode::InvalidRequest);
}

#[tokio::test]
async fn list_coupon_codes_end_to_end_and_streamed_over_pages() {
    let env = start().await;
    let id = upload_stock(&env, 7).await;
    let page = env
        .client
        .list_coupon_codes(&ListCouponCodesRequest::new(&id))
        .await
        .unwrap();
    assert_eq!(page.total_count, 7);

    // Every code, pages of 3: 3 + 3 + 1, each page fetched once, in order, no duplicates.
    let all: Vec<_> = env
        .client
        .list_coupon_codes_stream(
            ListCouponCodesRequest::new(&id),
            PageOptions::new().page_size(3),
        )
        .try_collect()
        .await
        .unwrap();
    let codes: Vec<&str> = all.iter().map(|c| c.code.as_str()).collect();
    let mut unique = codes.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(codes.len(), 7);
    assert_eq!(unique.len(), 7, "no code twice: {codes:?}");

    let mut bad = ListCouponCodesRequest::new(&id);
    bad.limit = Some(0);
    let v = refused_before_sending(&env, "GET", CODES, env.client.list_coupon_codes(&bad)).await;
    assert_eq!(v.field, "limit");

    let err = env
        .client
        .list_coupon_codes(&ListCouponCodesRequest::new("99999999"))
        .await
        .unwrap_err();
    assert_api(&err, 404, ErrorCode::ResourceNotExists);
}

#[tokio::test]
async fn get_coupon_code_end_to_end() {
    let env = start().await;
    let id = upload_stock(&env, 2).await;
    let got = env
        .client
        .get_coupon_code(&QueryCouponCodeRequest::new(&id, "CODE0001"))
        .await
        .unwrap();
    assert_eq!(got.code_information.code, "CODE0001");

    let long = "C".repeat(33);
    let v = refused_before_sending(
        &env,
        "GET",
        CODE,
        env.client
            .get_coupon_code(&QueryCouponCodeRequest::new(&id, &long)),
    )
    .await;
    assert_eq!(v.field, "coupon_code");

    let err = env
        .client
        .get_coupon_code(&QueryCouponCodeRequest::new(&id, "NOPE"))
        .await
        .unwrap_err();
    assert_api(&err, 404, ErrorCode::ResourceNotExists);
}

#[tokio::test]
async fn delete_coupon_code_end_to_end() {
    let env = start().await;
    let id = upload_stock(&env, 2).await;
    let delete = DeleteCouponCodeRequest::builder()
        .stock_id(&id)
        .coupon_code("CODE0000")
        .delete_request_no("delete-1")
        .build()
        .unwrap();
    let done = env.client.delete_coupon_code(&delete).await.unwrap();
    assert_eq!(done.stock_id, id);
    assert!(done.delete_time.is_valid());

    let mut bad = delete.clone();
    bad.delete_request_no = "has space".into();
    let v = refused_before_sending(&env, "DELETE", CODE, env.client.delete_coupon_code(&bad)).await;
    assert_eq!(v.field, "delete_request_no");

    let mut gone = delete.clone();
    gone.coupon_code = "NOPE".into();
    gone.delete_request_no = "delete-2".into();
    let err = env.client.delete_coupon_code(&gone).await.unwrap_err();
    assert_api(&err, 404, ErrorCode::ResourceNotExists);
}
