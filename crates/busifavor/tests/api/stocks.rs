//! §8.1–§8.4: create, get, update, budget.

use busifavor::{CouponCodeMode, ErrorCode, ModifyBudgetRequest, ModifyStockRequest, StockType};

use crate::support::*;

const STOCKS: &str = "/v3/marketing/busifavor/stocks";
const STOCK: &str = "/v3/marketing/busifavor/stocks/{stock_id}";

#[tokio::test]
async fn create_stock_end_to_end() {
    let env = start().await;
    let req = stock_request("create-1", CouponCodeMode::WechatpayMode)
        .build()
        .unwrap();
    let created = env.client.create_stock(&req).await.unwrap();
    assert!(!created.stock_id.is_empty());
    assert!(created.create_time.is_valid());
    // Retrying with the same request number gives the same stock.
    let again = env.client.create_stock(&req).await.unwrap();
    assert_eq!(again.stock_id, created.stock_id);

    let mut bad = req.clone();
    bad.stock_name = "名".repeat(22);
    let v = refused_before_sending(&env, "POST", STOCKS, env.client.create_stock(&bad)).await;
    assert_eq!(v.field, "stock_name");

    // The same request number with other content is refused by WeChat Pay.
    let mut other = req.clone();
    other.goods_name = "另一个商品".into();
    let err = env.client.create_stock(&other).await.unwrap_err();
    assert_api(&err, 400, ErrorCode::ResourceAlreadyExists);
}

#[tokio::test]
async fn get_stock_end_to_end() {
    let env = start().await;
    let id = new_stock(&env, "get-1", CouponCodeMode::WechatpayMode).await;
    let stock = env.client.get_stock(&id).await.unwrap();
    assert_eq!(stock.stock_id, id);
    assert_eq!(stock.stock_type, StockType::Normal);
    assert_eq!(
        stock
            .coupon_use_rule
            .fixed_normal_coupon
            .unwrap()
            .discount_amount,
        Some(1000)
    );

    let long = "9".repeat(21);
    let v = refused_before_sending(&env, "GET", STOCK, env.client.get_stock(&long)).await;
    assert_eq!(v.field, "stock_id");

    let err = env.client.get_stock("99999999").await.unwrap_err();
    assert_api(&err, 404, ErrorCode::ResourceNotExists);
}

#[tokio::test]
async fn update_stock_end_to_end() {
    let env = start().await;
    let id = new_stock(&env, "update-1", CouponCodeMode::WechatpayMode).await;
    let mut change = ModifyStockRequest::new(&id, "modify-1");
    change.comment = Some("春节活动".into());
    let done = env.client.update_stock(&change).await.unwrap();
    assert_eq!(done.status(), 204);
    let stock = env.client.get_stock(&id).await.unwrap();
    assert_eq!(stock.comment.as_deref(), Some("春节活动"));

    let mut bad = change.clone();
    bad.comment = Some("备".repeat(21));
    let v = refused_before_sending(&env, "PATCH", STOCK, env.client.update_stock(&bad)).await;
    assert_eq!(v.field, "comment");

    let mut missing = change.clone();
    missing.stock_id = "99999999".into();
    let err = env.client.update_stock(&missing).await.unwrap_err();
    assert_api(&err, 404, ErrorCode::ResourceNotExists);
}

#[tokio::test]
async fn update_budget_end_to_end() {
    let env = start().await;
    let id = new_stock(&env, "budget-1", CouponCodeMode::WechatpayMode).await;
    let raise = ModifyBudgetRequest::max_coupons(&id, 100, 200, "budget-req-1");
    let now = env.client.update_budget(&raise).await.unwrap();
    assert_eq!(now.max_coupons, 200);

    let zero = ModifyBudgetRequest::max_coupons(&id, 200, 0, "budget-req-2");
    let v = refused_before_sending(
        &env,
        "PATCH",
        "/v3/marketing/busifavor/stocks/{stock_id}/budget",
        env.client.update_budget(&zero),
    )
    .await;
    assert_eq!(v.field, "target_max_coupons");

    let unknown = ModifyBudgetRequest::max_coupons("99999999", 100, 200, "budget-req-3");
    let err = env.client.update_budget(&unknown).await.unwrap_err();
    assert_api(&err, 404, ErrorCode::ResourceNotExists);
}
