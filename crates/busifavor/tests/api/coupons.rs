//! §8.11–§8.18: a user's coupons, and the paged user-coupon list as a stream.

use busifavor::{
    AssociateOrderRequest, CouponCodeMode, CouponState, DeactivateCouponRequest,
    DisassociateOrderRequest, ErrorCode, ListUserCouponsRequest, PageOptions,
    QueryUserCouponRequest, ReturnCouponRequest, SendCouponRequest, StreamExt, UseCouponRequest,
};
use wxpay_mock::DEMO_MCHID;

use crate::support::*;

const COUPONS: &str = "/v3/marketing/busifavor/coupons";

fn redeem(stock: &str, code: &str, no: &str) -> UseCouponRequest {
    UseCouponRequest::builder()
        .coupon_code(code)
        .stock_id(stock)
        .appid(APPID)
        .use_time(at(0))
        .use_request_no(no)
        .build()
        .unwrap()
}

async fn issued(env: &Env, user: &str) -> (String, String) {
    let stock = new_stock(env, "coupons-stock", CouponCodeMode::WechatpayMode).await;
    let code = send(env, &stock, user, "send-0").await;
    (stock, code)
}

#[tokio::test]
async fn send_coupon_end_to_end() {
    let env = start().await;
    let stock = new_stock(&env, "send-stock", CouponCodeMode::WechatpayMode).await;
    let req = SendCouponRequest::builder()
        .openid("o-user-1")
        .appid(APPID)
        .stock_id(&stock)
        .out_request_no("send-1")
        .build()
        .unwrap();
    let sent = env.client.send_coupon(&req).await.unwrap();
    let result = sent.result().expect("both shapes carry the three fields");
    assert_eq!(result.stock_id, stock);
    assert_eq!(env.mock.coupons().len(), 1);

    let mut bad = req.clone();
    bad.out_request_no = "send.1".into();
    let v = refused_before_sending(
        &env,
        "POST",
        &format!("{COUPONS}/send"),
        env.client.send_coupon(&bad),
    )
    .await;
    assert_eq!(v.field, "out_request_no");

    let mut unknown = req.clone();
    unknown.stock_id = "99999999".into();
    unknown.out_request_no = "send-2".into();
    let err = env.client.send_coupon(&unknown).await.unwrap_err();
    assert_api(&err, 404, ErrorCode::ResourceNotExists);
}

#[tokio::test]
async fn use_coupon_end_to_end() {
    let env = start().await;
    let (stock, code) = issued(&env, "o-user-1").await;
    let used = env
        .client
        .use_coupon(&redeem(&stock, &code, "use-1"))
        .await
        .unwrap();
    assert_eq!(used.stock_id, stock);
    assert!(used.wechatpay_use_time.is_valid());

    let mut bad = redeem(&stock, &code, "use-2");
    bad.use_request_no = "use 2".into();
    let v = refused_before_sending(
        &env,
        "POST",
        &format!("{COUPONS}/use"),
        env.client.use_coupon(&bad),
    )
    .await;
    assert_eq!(v.field, "use_request_no");

    let err = env
        .client
        .use_coupon(&redeem(&stock, &code, "use-3"))
        .await
        .unwrap_err();
    assert_api(&err, 400, ErrorCode::ResourceAlreadyExists);
}

#[tokio::test]
async fn list_user_coupons_end_to_end_and_streamed_over_pages() {
    let env = start().await;
    let stock = new_stock(&env, "list-stock", CouponCodeMode::WechatpayMode).await;
    let mut sent = Vec::new();
    for i in 0..5 {
        sent.push(send(&env, &stock, "o-user-1", &format!("send-{i}")).await);
    }
    send(&env, &stock, "o-user-2", "send-other").await;
    let query = ListUserCouponsRequest::builder()
        .openid("o-user-1")
        .appid(APPID)
        .creator_merchant(DEMO_MCHID)
        .build()
        .unwrap();
    let page = env.client.list_user_coupons(&query).await.unwrap();
    assert_eq!(page.total_count, 5);

    // Pages of 2: 2 + 2 + 1, each fetched once, every coupon exactly once.
    let mut stream = std::pin::pin!(
        env.client
            .list_user_coupons_stream(query.clone(), PageOptions::new().page_size(2))
    );
    let mut codes = Vec::new();
    while let Some(c) = stream.next().await {
        let c = c.unwrap();
        assert_eq!(c.coupon_state, Some(CouponState::Sended));
        codes.push(c.coupon_code.unwrap());
    }
    codes.sort();
    sent.sort();
    assert_eq!(codes, sent);

    let mut bad = query.clone();
    bad.limit = Some(0);
    let v = refused_before_sending(
        &env,
        "GET",
        "/v3/marketing/busifavor/users/{openid}/coupons",
        env.client.list_user_coupons(&bad),
    )
    .await;
    assert_eq!(v.field, "limit");

    let mut other = query.clone();
    other.creator_merchant = Some("1900000002".into());
    let err = env.client.list_user_coupons(&other).await.unwrap_err();
    assert_api(&err, 403, ErrorCode::NoAuth);
    // A stream stops at the first error, and yields it.
    let first: Vec<_> = env
        .client
        .list_user_coupons_stream(other, PageOptions::new())
        .collect()
        .await;
    assert_eq!(first.len(), 1);
    assert_api(first[0].as_ref().unwrap_err(), 403, ErrorCode::NoAuth);
}

#[tokio::test]
async fn get_user_coupon_end_to_end() {
    let env = start().await;
    let (_stock, code) = issued(&env, "o-user-1").await;
    let query = QueryUserCouponRequest::builder()
        .openid("o-user-1")
        .coupon_code(&code)
        .appid(APPID)
        .build()
        .unwrap();
    let coupon = env.client.get_user_coupon(&query).await.unwrap();
    assert_eq!(coupon.coupon_code.as_deref(), Some(code.as_str()));
    assert_eq!(coupon.coupon_state, Some(CouponState::Sended));

    let mut bad = query.clone();
    bad.appid = "w".repeat(33);
    let v = refused_before_sending(
        &env,
        "GET",
        "/v3/marketing/busifavor/users/{openid}/coupons/{coupon_code}/appids/{appid}",
        env.client.get_user_coupon(&bad),
    )
    .await;
    assert_eq!(v.field, "appid");

    let mut unknown = query.clone();
    unknown.coupon_code = "NOPE".into();
    let err = env.client.get_user_coupon(&unknown).await.unwrap_err();
    assert_api(&err, 404, ErrorCode::ResourceNotExists);
}

#[tokio::test]
async fn return_coupon_end_to_end() {
    let env = start().await;
    let (stock, code) = issued(&env, "o-user-1").await;
    let give_back = ReturnCouponRequest::builder()
        .coupon_code(&code)
        .stock_id(&stock)
        .return_request_no("return-1")
        .build()
        .unwrap();
    // Not used yet: WeChat Pay refuses.
    let err = env.client.return_coupon(&give_back).await.unwrap_err();
    assert_api(&err, 400, ErrorCode::InvalidRequest);

    env.client
        .use_coupon(&redeem(&stock, &code, "use-1"))
        .await
        .unwrap();
    let back = env.client.return_coupon(&give_back).await.unwrap();
    assert!(back.wechatpay_return_time.is_valid());

    let mut bad = give_back.clone();
    bad.return_request_no = String::new();
    let v = refused_before_sending(
        &env,
        "POST",
        &format!("{COUPONS}/return"),
        env.client.return_coupon(&bad),
    )
    .await;
    assert_eq!(v.field, "return_request_no");
}

#[tokio::test]
async fn deactivate_coupon_end_to_end() {
    let env = start().await;
    let (stock, code) = issued(&env, "o-user-1").await;
    let stop = DeactivateCouponRequest::builder()
        .coupon_code(&code)
        .stock_id(&stock)
        .deactivate_request_no("deactivate-1")
        .deactivate_reason("发错券")
        .build()
        .unwrap();
    let done = env.client.deactivate_coupon(&stop).await.unwrap();
    assert!(done.wechatpay_deactivate_time.is_valid());

    let mut bad = stop.clone();
    bad.deactivate_reason = Some("因".repeat(65));
    let v = refused_before_sending(
        &env,
        "POST",
        &format!("{COUPONS}/deactivate"),
        env.client.deactivate_coupon(&bad),
    )
    .await;
    assert_eq!(v.field, "deactivate_reason");

    let mut unknown = stop.clone();
    unknown.coupon_code = "NOPE".into();
    unknown.deactivate_request_no = "deactivate-2".into();
    let err = env.client.deactivate_coupon(&unknown).await.unwrap_err();
    assert_api(&err, 404, ErrorCode::ResourceNotExists);
}

fn link(stock: &str, code: &str, no: &str) -> AssociateOrderRequest {
    AssociateOrderRequest::builder()
        .stock_id(stock)
        .coupon_code(code)
        .out_trade_no("ORDER-0001")
        .out_request_no(no)
        .build()
        .unwrap()
}

#[tokio::test]
async fn associate_order_end_to_end() {
    let env = start().await;
    let (stock, code) = issued(&env, "o-user-1").await;
    let done = env
        .client
        .associate_order(&link(&stock, &code, "assoc-1"))
        .await
        .unwrap();
    assert!(done.wechatpay_associate_time.is_valid());

    let mut bad = link(&stock, &code, "assoc-2");
    bad.out_request_no = "assoc.2".into();
    let v = refused_before_sending(
        &env,
        "POST",
        &format!("{COUPONS}/associate"),
        env.client.associate_order(&bad),
    )
    .await;
    assert_eq!(v.field, "out_request_no");

    let err = env
        .client
        .associate_order(&link(&stock, "NOPE", "assoc-3"))
        .await
        .unwrap_err();
    assert_api(&err, 404, ErrorCode::ResourceNotExists);
}

#[tokio::test]
async fn disassociate_order_end_to_end() {
    let env = start().await;
    let (stock, code) = issued(&env, "o-user-1").await;
    // Not associated yet: refused.
    let undo = DisassociateOrderRequest(link(&stock, &code, "dis-1"));
    let err = env.client.disassociate_order(&undo).await.unwrap_err();
    assert_api(&err, 400, ErrorCode::InvalidRequest);

    env.client
        .associate_order(&link(&stock, &code, "assoc-1"))
        .await
        .unwrap();
    let undo = DisassociateOrderRequest(link(&stock, &code, "dis-2"));
    let done = env.client.disassociate_order(&undo).await.unwrap();
    assert!(done.wechatpay_disassociate_time.is_valid());

    let bad = DisassociateOrderRequest(AssociateOrderRequest::new(&stock, &code, "", "dis-3"));
    let v = refused_before_sending(
        &env,
        "POST",
        &format!("{COUPONS}/disassociate"),
        env.client.disassociate_order(&bad),
    )
    .await;
    assert_eq!(v.field, "out_trade_no");
}
