//! Every answer fits the SDK's own wire types: requests are built, encoded and signed from
//! `wxpay-model` request types, answers are parsed with their response types, and the
//! COUPON.SEND callback opens with `wxpay_model::open_notification`.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Receiver, TestClient, normal_stock};
use wxpay_crypto::{ApiV3Key, SignatureHeaders};
use wxpay_mock::{DEMO_APIV3_KEY, DEMO_MCHID, ManualClock, MockBuilder, RetrySchedule};
use wxpay_model::busifavor::{
    AssociateOrderRequest, CouponState, CreateStockRequest, DeactivateCouponRequest,
    DeleteCouponCodeRequest, DisassociateOrderRequest, GetCallbackRequest, ListCouponCodesRequest,
    ListSubsidyPayReceiptsRequest, ListUserCouponsRequest, ModifyBudgetRequest, ModifyStockRequest,
    PaySubsidyRequest, QueryCouponCodeRequest, QueryStockRequest, QuerySubsidyPayReceiptRequest,
    QuerySubsidyReturnReceiptRequest, QueryUserCouponRequest, ReturnCouponRequest,
    ReturnSubsidyRequest, SendCouponRequest, UploadCouponCodesRequest, UseCouponRequest,
};
use wxpay_model::{Event, Timestamp, open_notification};

const NOW: i64 = 1_750_000_000;

#[tokio::test]
async fn answers_parse_with_model_types() {
    let clock = ManualClock::new(NOW);
    let mock = MockBuilder::new()
        .clock(clock.clone())
        .retry_schedule(RetrySchedule::new(Duration::from_millis(5), 2))
        .start()
        .await
        .unwrap();
    let c = TestClient::demo(&mock, Arc::new(clock.clone()));
    let rx = Receiver::start(&[]).await;

    // Callback URL: loopback http is a simulator relaxation the model's https check would
    // refuse, so it is set by hand and read back with the model type.
    let set = c
        .post(
            "/v3/marketing/busifavor/callbacks",
            &serde_json::json!({"notify_url": rx.url}),
        )
        .await;
    assert_eq!(set.status, 200);
    let got = c.model(&GetCallbackRequest::new(None)).await.unwrap();
    assert_eq!(
        (got.mchid.as_str(), got.notify_url.as_str()),
        (DEMO_MCHID, rx.url.as_str())
    );

    // Stocks.
    let create: CreateStockRequest =
        serde_json::from_value(normal_stock("m-1", NOW - 60, "WECHATPAY_MODE")).unwrap();
    let created = c.model(&create).await.unwrap();
    let stock_id = created.stock_id.clone();
    let info = c.model(&QueryStockRequest::new(&stock_id)).await.unwrap();
    assert_eq!(info.stock_id, stock_id);
    let mut modify = ModifyStockRequest::new(&stock_id, "m-mod-1");
    modify.comment = Some("新备注".into());
    c.model(&modify).await.unwrap();
    let budget: ModifyBudgetRequest = serde_json::from_value(serde_json::json!({
        "target_max_coupons": 8, "current_max_coupons": 3, "modify_budget_request_no": "m-bud-1"}))
    .map(|mut b: ModifyBudgetRequest| {
        b.stock_id.clone_from(&stock_id);
        b
    })
    .unwrap();
    assert_eq!(c.model(&budget).await.unwrap().max_coupons, 8);

    // Coupons.
    let sent = c
        .model(&SendCouponRequest::new(
            "user-1",
            "wx1234567890abcdef",
            &stock_id,
            "m-send-1",
        ))
        .await
        .unwrap();
    let code = sent.result().unwrap().coupon_code;
    let one = c
        .model(&QueryUserCouponRequest::new(
            "user-1",
            &code,
            "wx1234567890abcdef",
        ))
        .await
        .unwrap();
    assert_eq!(one.coupon_code.as_deref(), Some(code.as_str()));
    let mut list = ListUserCouponsRequest::new("user-1", "wx1234567890abcdef");
    list.creator_merchant = Some(DEMO_MCHID.into());
    list.coupon_state = Some(CouponState::Sended);
    assert_eq!(c.model(&list).await.unwrap().total_count, 1);
    let use_time = Timestamp::parse("2025-06-16T10:00:00+08:00").unwrap();
    let used = c
        .model(
            &UseCouponRequest::new(&code, "wx1234567890abcdef", use_time, "m-use-1")
                .stock_id(&stock_id),
        )
        .await
        .unwrap();
    assert_eq!(used.stock_id, stock_id);
    c.model(&ReturnCouponRequest::new(&code, &stock_id, "m-ret-1"))
        .await
        .unwrap();
    c.model(&AssociateOrderRequest::new(
        &stock_id, &code, "order-1", "m-as-1",
    ))
    .await
    .unwrap();
    c.model(&DisassociateOrderRequest::new(
        &stock_id, &code, "order-1", "m-dis-1",
    ))
    .await
    .unwrap();

    // Subsidy.
    let pay: PaySubsidyRequest = serde_json::from_value(serde_json::json!({
        "stock_id": stock_id, "coupon_code": code, "transaction_id": "4200000913202101152566792388",
        "payer_merchant": DEMO_MCHID, "payee_merchant": DEMO_MCHID, "amount": 100,
        "description": "补差", "out_subsidy_no": "m-sub-1"}))
    .unwrap();
    let receipt = c.model(&pay).await.unwrap();
    let listed: ListSubsidyPayReceiptsRequest = serde_json::from_value(serde_json::json!({
        "stock_id": stock_id, "coupon_code": code}))
    .unwrap();
    c.model(&listed).await.unwrap();
    let id = receipt.subsidy_receipt_id.clone();
    let fetched = c
        .model(&QuerySubsidyPayReceiptRequest {
            subsidy_receipt_id: id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(fetched.subsidy_receipt_id, id);
    let ret: ReturnSubsidyRequest = serde_json::from_value(serde_json::json!({
        "stock_id": stock_id, "coupon_code": code, "transaction_id": "4200000913202101152566792388",
        "refund_id": "50300000000000000000000000001", "payer_merchant": DEMO_MCHID,
        "payee_merchant": DEMO_MCHID, "amount": 100, "description": "回退",
        "out_subsidy_return_no": "m-subret-1"}))
    .unwrap();
    let returned = c.model(&ret).await.unwrap();
    let rid = returned
        .subsidy_return_receipt_id
        .clone()
        .unwrap_or_default();
    c.model(&QuerySubsidyReturnReceiptRequest {
        subsidy_return_receipt_id: rid,
    })
    .await
    .unwrap();
    c.model(&DeactivateCouponRequest::new(&code, &stock_id, "m-de-1"))
        .await
        .unwrap();

    // Pre-made codes.
    let upload_stock: CreateStockRequest =
        serde_json::from_value(normal_stock("m-2", NOW - 60, "MERCHANT_UPLOAD")).unwrap();
    let up_id = c.model(&upload_stock).await.unwrap().stock_id;
    let up = c
        .model(&UploadCouponCodesRequest::new(
            &up_id,
            ["P1", "P2"],
            "m-up-1",
        ))
        .await
        .unwrap();
    assert_eq!(up.success_count, 2);
    c.model(&ListCouponCodesRequest::new(&up_id)).await.unwrap();
    c.model(&QueryCouponCodeRequest::new(&up_id, "P1"))
        .await
        .unwrap();
    c.model(&DeleteCouponCodeRequest::new(&up_id, "P1", "m-del-1"))
        .await
        .unwrap();

    // The callback opens with the SDK's notification API.
    mock.deliveries_settled().await;
    let received = rx.received();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    let headers = SignatureHeaders::from_header_map(&r.headers);
    let n = open_notification(
        &headers,
        &r.body,
        &mock.verifier(),
        &ApiV3Key::new(DEMO_APIV3_KEY).unwrap(),
        &clock,
    )
    .unwrap();
    match n.event {
        Event::CouponSend(e) => {
            assert_eq!(e.coupon_code, code);
            assert_eq!(e.stock_id, stock_id);
            assert_eq!(e.send_merchant, DEMO_MCHID);
        }
        other => panic!("unexpected event {other:?}"),
    }
    mock.shutdown().await;
}
