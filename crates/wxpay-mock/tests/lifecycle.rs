//! A full stock and coupon lifecycle over HTTP, with idempotency and WeChat-style errors.

mod common;

use std::sync::Arc;

use common::{TestClient, normal_stock, other_merchant};
use serde_json::{Value, json};
use wxpay_mock::{ManualClock, MockBuilder, MockHandle};

const NOW: i64 = 1_750_000_000;
const B: &str = "/v3/marketing/busifavor";

async fn setup() -> (MockHandle, ManualClock, TestClient, TestClient) {
    let clock = ManualClock::new(NOW);
    let mock = MockBuilder::new()
        .clock(clock.clone())
        .merchant(other_merchant())
        .start()
        .await
        .unwrap();
    let demo = TestClient::demo(&mock, Arc::new(clock.clone()));
    let other = TestClient::other(&mock, Arc::new(clock.clone()));
    (mock, clock, demo, other)
}

fn send_body(stock_id: &str, openid: &str, no: &str) -> Value {
    json!({"openid": openid, "appid": "wx1234567890abcdef", "stock_id": stock_id, "out_request_no": no})
}

#[tokio::test]
async fn stock_and_coupon_lifecycle() {
    let (mock, clock, c, other) = setup().await;
    let v = mock.verifier();

    // Create (idempotent on out_request_no).
    let body = normal_stock("stock-req-1", NOW - 3600, "WECHATPAY_MODE");
    let created = c.post(&format!("{B}/stocks"), &body).await;
    assert_eq!(created.status, 200, "{:?}", created.json());
    created.verify(&v, NOW).unwrap();
    let stock_id = created.json()["stock_id"].as_str().unwrap().to_owned();
    let again = c.post(&format!("{B}/stocks"), &body).await;
    assert_eq!(again.json()["stock_id"], stock_id.as_str());
    let mut changed = body.clone();
    changed["stock_name"] = json!("另一个名字");
    let conflict = c.post(&format!("{B}/stocks"), &changed).await;
    assert_eq!(
        (conflict.status, conflict.code().as_str()),
        (400, "RESOURCE_ALREADY_EXISTS")
    );

    // Query; another merchant may not.
    let q = c.get(&format!("{B}/stocks/{stock_id}")).await;
    assert_eq!(q.status, 200);
    let s = q.json();
    assert_eq!(s["stock_state"], "RUNNING");
    assert_eq!(s["stock_name"], "满100减10");
    assert_eq!(s["send_count_information"]["total_send_num"], 0);
    let denied = other.get(&format!("{B}/stocks/{stock_id}")).await;
    assert_eq!((denied.status, denied.code().as_str()), (403, "NO_AUTH"));
    let missing = c.get(&format!("{B}/stocks/999")).await;
    assert_eq!(
        (missing.status, missing.code().as_str()),
        (404, "RESOURCE_NOT_EXISTS")
    );

    // Modify: 204 with a signature over the empty body.
    let m = c
        .call(
            "PATCH",
            &format!("{B}/stocks/{stock_id}"),
            Some(&json!({"out_request_no": "mod-1", "comment": "改过"})),
        )
        .await;
    assert_eq!(m.status, 204);
    assert!(m.body.is_empty());
    m.verify(&v, NOW).unwrap();
    assert_eq!(mock.stock(&stock_id).unwrap()["comment"], "改过");
    // A partial mini-program entrance where the stock has none leaves no valid stock: refused
    // as a parameter error (not a server error), and the stock is unchanged.
    let before = mock.stock(&stock_id).unwrap();
    let partial = c
        .call(
            "PATCH",
            &format!("{B}/stocks/{stock_id}"),
            Some(&json!({"out_request_no": "mod-2",
                         "custom_entrance": {"mini_programs_info": {"mini_programs_appid": "wx1234567890abcdef"}}})),
        )
        .await;
    assert_eq!(
        (partial.status, partial.code().as_str()),
        (400, "PARAM_ERROR")
    );
    assert!(
        partial.json()["message"]
            .as_str()
            .is_some_and(|m| m.contains("mini_programs_path")),
        "{:?}",
        partial.json()
    );
    assert_eq!(mock.stock(&stock_id).unwrap(), before);

    // Send: idempotent; the callback plaintext is recorded even without a notify_url.
    let sent = c
        .post(
            &format!("{B}/coupons/send"),
            &send_body(&stock_id, "user-a", "send-1"),
        )
        .await;
    assert_eq!(sent.status, 200, "{:?}", sent.json());
    let code = sent.json()["coupon_code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 22);
    assert_eq!(
        sent.json()["send_coupon_result"]["coupon_code"],
        code.as_str()
    );
    let replay = c
        .post(
            &format!("{B}/coupons/send"),
            &send_body(&stock_id, "user-a", "send-1"),
        )
        .await;
    assert_eq!(replay.json()["coupon_code"], code.as_str());
    let clash = c
        .post(
            &format!("{B}/coupons/send"),
            &send_body(&stock_id, "user-b", "send-1"),
        )
        .await;
    assert_eq!(clash.code(), "RESOURCE_ALREADY_EXISTS");
    assert_eq!(
        mock.notifications().len(),
        1,
        "a replay sends no second callback"
    );
    let n = &mock.notifications()[0];
    assert_eq!(n.status, wxpay_mock::DeliveryStatus::NoNotifyUrl);
    assert_eq!(n.plaintext["send_channel"], "BUSICOUPON_SEND_CHANNEL_API");
    assert_eq!(n.plaintext["openid"], "user-a");

    // Per-user limit (2), then the total budget (3).
    let second = c
        .post(
            &format!("{B}/coupons/send"),
            &send_body(&stock_id, "user-a", "send-2"),
        )
        .await;
    assert_eq!(second.status, 200);
    let third = c
        .post(
            &format!("{B}/coupons/send"),
            &send_body(&stock_id, "user-a", "send-3"),
        )
        .await;
    assert_eq!(
        (third.status, third.json()["message"].as_str().unwrap()),
        (400, "用户领券数量已达上限")
    );
    let b = c
        .post(
            &format!("{B}/coupons/send"),
            &send_body(&stock_id, "user-b", "send-4"),
        )
        .await;
    assert_eq!(b.status, 200);
    let exhausted = c
        .post(
            &format!("{B}/coupons/send"),
            &send_body(&stock_id, "user-c", "send-5"),
        )
        .await;
    assert_eq!(exhausted.status, 400);
    assert!(
        exhausted.json()["message"]
            .as_str()
            .unwrap()
            .contains("预算"),
        "{:?}",
        exhausted.json()
    );

    // Budget: optimistic check on the current value, then more room.
    let stale = c
        .call("PATCH", &format!("{B}/stocks/{stock_id}/budget"),
              Some(&json!({"target_max_coupons": 10, "current_max_coupons": 5, "modify_budget_request_no": "bud-1"})))
        .await;
    assert_eq!(stale.code(), "INVALID_REQUEST");
    let budget = c
        .call("PATCH", &format!("{B}/stocks/{stock_id}/budget"),
              Some(&json!({"target_max_coupons": 10, "current_max_coupons": 3, "modify_budget_request_no": "bud-2"})))
        .await;
    assert_eq!(budget.json()["max_coupons"], 10);
    // The daily cap (3) still blocks today, and lifts tomorrow.
    let capped = c
        .post(
            &format!("{B}/coupons/send"),
            &send_body(&stock_id, "user-c", "send-5"),
        )
        .await;
    assert!(
        capped.json()["message"].as_str().unwrap().contains("今日"),
        "{:?}",
        capped.json()
    );
    clock.advance(86_400);
    let now = NOW + 86_400;
    let next_day = c
        .post(
            &format!("{B}/coupons/send"),
            &send_body(&stock_id, "user-c", "send-5"),
        )
        .await;
    assert_eq!(next_day.status, 200, "{:?}", next_day.json());

    // List and query the user's coupons.
    let list = c
        .get(&format!(
            "{B}/users/user-a/coupons?appid=wx1234567890abcdef&creator_merchant=1900009191&limit=10"
        ))
        .await;
    assert_eq!(list.status, 200, "{:?}", list.json());
    assert_eq!(list.json()["total_count"], 2);
    let no_role = c.get(&format!("{B}/users/user-a/coupons?appid=wx1")).await;
    assert_eq!(no_role.code(), "PARAM_ERROR");
    let one = c
        .get(&format!(
            "{B}/users/user-a/coupons/{code}/appids/wx1234567890abcdef"
        ))
        .await;
    assert_eq!(one.json()["coupon_state"], "SENDED");
    assert_eq!(one.json()["stock_name"], "满100减10");

    // Use: idempotent on use_request_no; a second order cannot use it.
    let use_body = json!({"coupon_code": code, "stock_id": stock_id, "appid": "wx1234567890abcdef",
                          "use_time": "2025-06-16T10:00:00+08:00", "use_request_no": "use-1"});
    let used = c.post(&format!("{B}/coupons/use"), &use_body).await;
    assert_eq!(used.status, 200, "{:?}", used.json());
    assert_eq!(used.json()["openid"], "user-a");
    used.verify(&v, now).unwrap();
    assert_eq!(
        c.post(&format!("{B}/coupons/use"), &use_body).await.json(),
        used.json()
    );
    let mut other_order = use_body.clone();
    other_order["use_request_no"] = json!("use-2");
    let twice = c.post(&format!("{B}/coupons/use"), &other_order).await;
    assert_eq!(
        (
            twice.code().as_str(),
            twice.json()["message"].as_str().unwrap()
        ),
        ("RESOURCE_ALREADY_EXISTS", "券已被其他订单核销")
    );
    let denied = other.post(&format!("{B}/coupons/use"), &other_order).await;
    assert_eq!(denied.code(), "NO_AUTH");

    // Return makes it usable again.
    let ret = c
        .post(
            &format!("{B}/coupons/return"),
            &json!({"coupon_code": code, "stock_id": stock_id, "return_request_no": "ret-1"}),
        )
        .await;
    assert_eq!(ret.status, 200, "{:?}", ret.json());
    let ret_again = c
        .post(
            &format!("{B}/coupons/return"),
            &json!({"coupon_code": code, "stock_id": stock_id, "return_request_no": "ret-2"}),
        )
        .await;
    assert_eq!(ret_again.code(), "INVALID_REQUEST");
    let one = c
        .get(&format!(
            "{B}/users/user-a/coupons/{code}/appids/wx1234567890abcdef"
        ))
        .await;
    assert_eq!(one.json()["coupon_state"], "SENDED");
    assert_eq!(one.json()["return_request_no"], "ret-1");

    // Associate / disassociate an order.
    let assoc = |no: &str, trade: &str| json!({"stock_id": stock_id, "coupon_code": code, "out_trade_no": trade, "out_request_no": no});
    assert_eq!(
        c.post(&format!("{B}/coupons/associate"), &assoc("as-1", "order-1"))
            .await
            .status,
        200
    );
    assert_eq!(
        c.post(&format!("{B}/coupons/associate"), &assoc("as-2", "order-2"))
            .await
            .code(),
        "INVALID_REQUEST"
    );
    assert_eq!(
        c.post(
            &format!("{B}/coupons/disassociate"),
            &assoc("dis-1", "order-2")
        )
        .await
        .code(),
        "INVALID_REQUEST"
    );
    assert_eq!(
        c.post(
            &format!("{B}/coupons/disassociate"),
            &assoc("dis-2", "order-1")
        )
        .await
        .status,
        200
    );

    // Deactivate; then it cannot be used.
    let deact = c.post(&format!("{B}/coupons/deactivate"),
                       &json!({"coupon_code": code, "stock_id": stock_id, "deactivate_request_no": "de-1", "deactivate_reason": "测试"})).await;
    assert_eq!(deact.status, 200, "{:?}", deact.json());
    let mut after = use_body.clone();
    after["use_request_no"] = json!("use-3");
    assert_eq!(
        c.post(&format!("{B}/coupons/use"), &after).await.code(),
        "INVALID_REQUEST"
    );
    let list = c
        .get(&format!("{B}/users/user-a/coupons?appid=wx1&creator_merchant=1900009191&coupon_state=DEACTIVATED"))
        .await;
    assert_eq!(list.json()["total_count"], 1);

    // Validity: after the 7-day window the other coupon of user-a has expired.
    clock.advance(8 * 86_400);
    let second_code = second.json()["coupon_code"].as_str().unwrap().to_owned();
    let late = c.post(&format!("{B}/coupons/use"),
                      &json!({"coupon_code": second_code, "appid": "wx1", "use_time": "2025-06-25T10:00:00+08:00", "use_request_no": "use-late"})).await;
    assert_eq!((late.status, late.code().as_str()), (403, "RULE_LIMIT"));
    let one = c
        .get(&format!(
            "{B}/users/user-a/coupons/{second_code}/appids/wx1"
        ))
        .await;
    assert_eq!(one.json()["coupon_state"], "EXPIRED");
    mock.shutdown().await;
}

#[tokio::test]
async fn parameter_errors_carry_detail() {
    let (mock, _clock, c, _other) = setup().await;
    let mut body = normal_stock("bad-1", NOW, "WECHATPAY_MODE");
    body["stock_name"] = json!("这是一个超过二十一个字符长度限制的非常非常长的批次名称");
    let a = c.post(&format!("{B}/stocks"), &body).await;
    assert_eq!((a.status, a.code().as_str()), (400, "PARAM_ERROR"));
    assert_eq!(a.json()["detail"]["field"], "/stock_name");
    assert_eq!(a.json()["detail"]["location"], "body");

    let mut body = normal_stock("bad-2", NOW, "WECHATPAY_MODE");
    body["coupon_use_rule"]["fixed_normal_coupon"]["discount_amount"] = json!(0);
    let a = c.post(&format!("{B}/stocks"), &body).await;
    assert_eq!(
        a.json()["detail"]["field"],
        "/coupon_use_rule/fixed_normal_coupon/discount_amount"
    );

    let mut body = normal_stock("bad 3", NOW, "WECHATPAY_MODE");
    body["out_request_no"] = json!("has space");
    assert_eq!(
        c.post(&format!("{B}/stocks"), &body).await.json()["detail"]["field"],
        "/out_request_no"
    );

    let a = c.call("POST", &format!("{B}/coupons/use"), None).await;
    assert_eq!(a.code(), "PARAM_ERROR");
    let a = c
        .post(
            &format!("{B}/callbacks"),
            &json!({"notify_url": "http://merchant.example.com/notify"}),
        )
        .await;
    assert_eq!(a.json()["detail"]["field"], "/notify_url");
    let a = c
        .get(&format!("{B}/users/u/coupons?creator_merchant=1900009191"))
        .await;
    assert_eq!(
        (
            a.json()["detail"]["field"].as_str(),
            a.json()["detail"]["location"].as_str()
        ),
        (Some("appid"), Some("query"))
    );
    let a = c.get(&format!("{B}/nope")).await;
    assert_eq!(a.status, 404);
    mock.shutdown().await;
}

#[tokio::test]
async fn premade_codes_and_merchant_api_codes() {
    let (mock, _clock, c, other) = setup().await;
    let created = c
        .post(
            &format!("{B}/stocks"),
            &normal_stock("up-1", NOW - 10, "MERCHANT_UPLOAD"),
        )
        .await;
    let stock_id = created.json()["stock_id"].as_str().unwrap().to_owned();
    let path = format!("{B}/stocks/{stock_id}/couponcodes");

    let too_many: Vec<String> = (0..201).map(|i| format!("c{i}")).collect();
    let a = c
        .post(
            &path,
            &json!({"coupon_code_list": too_many, "upload_request_no": "u0"}),
        )
        .await;
    assert_eq!(a.json()["detail"]["field"], "/coupon_code_list");

    let long = "x".repeat(33);
    let up = c
        .post(
            &path,
            &json!({"coupon_code_list": ["A1", "A2", "A1", long], "upload_request_no": "u1"}),
        )
        .await;
    assert_eq!(up.status, 200, "{:?}", up.json());
    let j = up.json();
    assert_eq!(j["success_count"], 2);
    assert_eq!(j["duplicate_codes"], json!(["A1"]));
    assert_eq!(j["fail_codes"][0]["code"], "LENGTH_LIMIT");
    let up2 = c
        .post(
            &path,
            &json!({"coupon_code_list": ["A2", "A3"], "upload_request_no": "u2"}),
        )
        .await;
    assert_eq!(up2.json()["exist_codes"], json!(["A2"]));
    // max_coupons is 3: a fourth code does not fit.
    let full = c
        .post(
            &path,
            &json!({"coupon_code_list": ["A4"], "upload_request_no": "u3"}),
        )
        .await;
    assert_eq!(full.code(), "INVALID_REQUEST");
    assert_eq!(
        mock.stock(&stock_id).unwrap()["coupon_code_count"],
        json!({"total_count": 3, "available_count": 3})
    );

    // Sending dispatches one of the uploaded codes.
    let sent = c
        .post(
            &format!("{B}/coupons/send"),
            &send_body(&stock_id, "user-u", "s1"),
        )
        .await;
    let code = sent.json()["coupon_code"].as_str().unwrap().to_owned();
    assert!(["A1", "A2", "A3"].contains(&code.as_str()));
    let list = c.get(&format!("{path}?status=DISPATCHED")).await;
    assert_eq!(list.json()["total_count"], 1);
    assert_eq!(list.json()["data"][0]["code"], code.as_str());
    let detail = c.get(&format!("{path}/{code}")).await;
    assert_eq!(
        detail.json()["code_information"]["code_status"],
        "DISPATCHED"
    );
    assert_eq!(
        detail.json()["coupon_information"]["coupon_code"],
        code.as_str()
    );

    // Delete: only available codes; idempotent on delete_request_no.
    let dispatched = c
        .call(
            "DELETE",
            &format!("{path}/{code}?delete_request_no=d0"),
            None,
        )
        .await;
    assert_eq!(dispatched.code(), "INVALID_REQUEST");
    let avail = c.get(&format!("{path}?status=AVAILABLE")).await.json()["data"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let del = c
        .call(
            "DELETE",
            &format!("{path}/{avail}?delete_request_no=d1"),
            None,
        )
        .await;
    assert_eq!(del.status, 200, "{:?}", del.json());
    del.verify(&mock.verifier(), NOW).unwrap();
    assert_eq!(
        c.call(
            "DELETE",
            &format!("{path}/{avail}?delete_request_no=d1"),
            None
        )
        .await
        .json(),
        del.json()
    );
    assert_eq!(
        c.call(
            "DELETE",
            &format!("{path}/{avail}?delete_request_no=d2"),
            None
        )
        .await
        .status,
        404
    );
    assert_eq!(
        c.call("DELETE", &format!("{path}/{avail}"), None)
            .await
            .code(),
        "PARAM_ERROR"
    );
    assert_eq!(other.get(&path).await.code(), "NO_AUTH");

    // A WECHATPAY_MODE stock refuses uploads; a MERCHANT_API stock needs the code.
    let wx = c
        .post(
            &format!("{B}/stocks"),
            &normal_stock("up-2", NOW - 10, "WECHATPAY_MODE"),
        )
        .await;
    let wx_id = wx.json()["stock_id"].as_str().unwrap().to_owned();
    let refused = c
        .post(
            &format!("{B}/stocks/{wx_id}/couponcodes"),
            &json!({"coupon_code_list": ["Z"], "upload_request_no": "u9"}),
        )
        .await;
    assert_eq!(
        refused.json()["message"],
        "发券模式不合法，请更换支持预上传code的批次后重试"
    );
    let api = c
        .post(
            &format!("{B}/stocks"),
            &normal_stock("up-3", NOW - 10, "MERCHANT_API"),
        )
        .await;
    let api_id = api.json()["stock_id"].as_str().unwrap().to_owned();
    let no_code = c
        .post(&format!("{B}/coupons/send"), &send_body(&api_id, "u", "m1"))
        .await;
    assert_eq!(no_code.json()["detail"]["field"], "/coupon_code");
    let mut with_code = send_body(&api_id, "u", "m2");
    with_code["coupon_code"] = json!("MY-CODE-1");
    assert_eq!(
        c.post(&format!("{B}/coupons/send"), &with_code)
            .await
            .json()["coupon_code"],
        "MY-CODE-1"
    );
    with_code["out_request_no"] = json!("m3");
    assert_eq!(
        c.post(&format!("{B}/coupons/send"), &with_code)
            .await
            .code(),
        "RESOURCE_ALREADY_EXISTS"
    );
    mock.shutdown().await;
}

#[tokio::test]
async fn subsidy_receipts() {
    let (mock, _clock, c, other) = setup().await;
    let created = c
        .post(
            &format!("{B}/stocks"),
            &normal_stock("sub-1", NOW - 10, "WECHATPAY_MODE"),
        )
        .await;
    let stock_id = created.json()["stock_id"].as_str().unwrap().to_owned();
    let code = c
        .post(
            &format!("{B}/coupons/send"),
            &send_body(&stock_id, "u", "s1"),
        )
        .await
        .json()["coupon_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let pay = |no: &str, amount: i64| {
        json!({
        "stock_id": stock_id, "coupon_code": code, "transaction_id": "4200000913202101152566792388",
        "payer_merchant": "1900009191", "payee_merchant": "1900009191", "amount": amount,
        "description": "补差", "out_subsidy_no": no})
    };
    let over = c
        .post(&format!("{B}/subsidy/pay-receipts"), &pay("p0", 1001))
        .await;
    assert_eq!(over.code(), "INVALID_REQUEST");
    let paid = c
        .post(&format!("{B}/subsidy/pay-receipts"), &pay("p1", 600))
        .await;
    assert_eq!(paid.status, 200, "{:?}", paid.json());
    // The model's canonical spelling (spec §8.19, S-GO).
    assert_eq!(paid.json()["status"], "PAY_RECEIPT_SUCCESS");
    let id = paid.json()["subsidy_receipt_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!((28..=32).contains(&id.len()));
    assert_eq!(
        c.post(&format!("{B}/subsidy/pay-receipts"), &pay("p1", 600))
            .await
            .json(),
        paid.json()
    );
    let list = c
        .get(&format!(
            "{B}/subsidy/pay-receipts?stock_id={stock_id}&coupon_code={code}"
        ))
        .await;
    assert_eq!(list.json()["pay_receipt_list"].as_array().unwrap().len(), 1);
    assert_eq!(
        c.get(&format!("{B}/subsidy/pay-receipts/{id}"))
            .await
            .json()["amount"],
        600
    );
    assert_eq!(
        other
            .get(&format!("{B}/subsidy/pay-receipts/{id}"))
            .await
            .code(),
        "NO_AUTH"
    );

    let ret = |no: &str, amount: i64| {
        json!({
        "stock_id": stock_id, "coupon_code": code, "transaction_id": "4200000913202101152566792388",
        "refund_id": "50300000000000000000000000001", "payer_merchant": "1900009191",
        "payee_merchant": "1900009191", "amount": amount, "description": "退款回退",
        "out_subsidy_return_no": no})
    };
    let r1 = c
        .post(&format!("{B}/subsidy/return-receipts"), &ret("r1", 200))
        .await;
    assert_eq!(r1.status, 200, "{:?}", r1.json());
    assert_eq!(r1.json()["subsidy_receipt_id"], id.as_str());
    assert_eq!(r1.json()["status"], "RETURN_RECEIPT_SUCCESS");
    assert_eq!(
        c.get(&format!("{B}/subsidy/pay-receipts/{id}"))
            .await
            .json()["status"],
        "PAY_RECEIPT_PARTIAL_RETURN"
    );
    assert_eq!(
        c.post(&format!("{B}/subsidy/return-receipts"), &ret("r2", 401))
            .await
            .code(),
        "INVALID_REQUEST"
    );
    let rid = r1.json()["subsidy_return_receipt_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        c.get(&format!("{B}/subsidy/return-receipts/{rid}"))
            .await
            .json()["amount"],
        200
    );
    let r3 = c
        .post(&format!("{B}/subsidy/return-receipts"), &ret("r3", 400))
        .await;
    assert_eq!(r3.status, 200, "{:?}", r3.json());
    assert_eq!(
        c.get(&format!("{B}/subsidy/pay-receipts/{id}"))
            .await
            .json()["status"],
        "PAY_RECEIPT_FULL_RETURN"
    );
    assert_eq!(
        c.get(&format!("{B}/subsidy/return-receipts/nope"))
            .await
            .status,
        404
    );
    mock.shutdown().await;
}

#[tokio::test]
async fn amount_budgets_cap_issuing() {
    let (mock, clock, c, _other) = setup().await;
    let mut body = normal_stock("amount-1", NOW - 60, "WECHATPAY_MODE");
    // 1000 fen per coupon; 3500 fen in total, 2000 fen a day.
    body["stock_send_rule"] = json!({"max_coupons": 100, "max_coupons_per_user": 10,
                                     "max_amount": 3500, "max_amount_by_day": 2000});
    let created = c.post(&format!("{B}/stocks"), &body).await;
    assert_eq!(created.status, 200, "{:?}", created.json());
    let id = created.json()["stock_id"].as_str().unwrap().to_owned();
    for no in ["a1", "a2"] {
        let a = c
            .post(&format!("{B}/coupons/send"), &send_body(&id, "u", no))
            .await;
        assert_eq!(a.status, 200, "{:?}", a.json());
    }
    let day = c
        .post(&format!("{B}/coupons/send"), &send_body(&id, "u", "a3"))
        .await;
    assert_eq!(day.json()["message"], "批次今日发放金额已达上限");
    clock.advance(86_400);
    let next_day = c
        .post(&format!("{B}/coupons/send"), &send_body(&id, "u", "a3"))
        .await;
    assert_eq!(next_day.status, 200, "{:?}", next_day.json());
    let total = c
        .post(&format!("{B}/coupons/send"), &send_body(&id, "u", "a4"))
        .await;
    assert_eq!(
        total.json()["message"],
        "批次预算金额已用完，请调整预算后重试"
    );
    let info = mock.stock(&id).unwrap()["send_count_information"].clone();
    assert_eq!(info["total_send_amount"], 3000);
    mock.shutdown().await;
}
