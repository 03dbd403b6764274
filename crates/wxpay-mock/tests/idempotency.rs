//! Idempotency on every endpoint with a request number: the same number with the same body
//! replays the first answer (without running again), and the same number with any other body —
//! not just another id — is `RESOURCE_ALREADY_EXISTS`.

mod common;

use std::sync::Arc;

use common::{TestClient, normal_stock};
use serde_json::{Value, json};
use wxpay_mock::{ManualClock, MockBuilder};

const NOW: i64 = 1_750_000_000;
const B: &str = "/v3/marketing/busifavor";

/// The signing client and the verifier for its answers.
struct Client(TestClient, wxpay_crypto::Verifier);

impl std::ops::Deref for Client {
    type Target = TestClient;
    fn deref(&self) -> &TestClient {
        &self.0
    }
}

/// Runs `body` (must succeed), replays it, then sends `changed` under the same number.
async fn check(c: &Client, method: &str, path: &str, body: &Value, changed: &Value) -> Value {
    let Client(c, verifier) = c;
    let first = c.call(method, path, Some(body)).await;
    assert!(
        (200..300).contains(&first.status),
        "{method} {path}: {} {:?}",
        first.status,
        first.json()
    );
    let replay = c.call(method, path, Some(body)).await;
    assert_eq!(
        (replay.status, replay.json()),
        (first.status, first.json()),
        "{method} {path}: a replay must return the first answer"
    );
    replay.verify(verifier, NOW).unwrap();
    let clash = c.call(method, path, Some(changed)).await;
    assert_eq!(
        (clash.status, clash.code().as_str()),
        (400, "RESOURCE_ALREADY_EXISTS"),
        "{method} {path}: same number, different body {changed}"
    );
    first.json()
}

#[tokio::test]
async fn every_request_number_is_idempotent_on_the_full_body() {
    let clock = ManualClock::new(NOW);
    let mock = MockBuilder::new()
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let c = Client(TestClient::demo(&mock, Arc::new(clock)), mock.verifier());

    let stock = normal_stock("idem-stock", NOW - 60, "WECHATPAY_MODE");
    let mut renamed = stock.clone();
    renamed["comment"] = json!("另一个备注");
    let stock_id = check(&c, "POST", &format!("{B}/stocks"), &stock, &renamed).await["stock_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let send = |openid: &str, no: &str| json!({"openid": openid, "appid": "wx1", "stock_id": stock_id, "out_request_no": no});
    let code = check(
        &c,
        "POST",
        &format!("{B}/coupons/send"),
        &send("user-a", "send-1"),
        &send("user-b", "send-1"),
    )
    .await["coupon_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let code2 = c
        .post(&format!("{B}/coupons/send"), &send("user-a", "send-2"))
        .await
        .json()["coupon_code"]
        .as_str()
        .unwrap()
        .to_owned();

    let stock_path = format!("{B}/stocks/{stock_id}");
    check(
        &c,
        "PATCH",
        &stock_path,
        &json!({"out_request_no": "mod-1", "comment": "改一"}),
        &json!({"out_request_no": "mod-1", "comment": "改二"}),
    )
    .await;
    assert_eq!(mock.stock(&stock_id).unwrap()["comment"], "改一");

    // After the first change `current_max_coupons: 3` is stale: only a replay can succeed.
    check(
        &c,
        "PATCH",
        &format!("{stock_path}/budget"),
        &json!({"target_max_coupons": 10, "current_max_coupons": 3, "modify_budget_request_no": "bud-1"}),
        &json!({"target_max_coupons": 11, "current_max_coupons": 3, "modify_budget_request_no": "bud-1"}),
    )
    .await;
    assert_eq!(
        mock.stock(&stock_id).unwrap()["stock_send_rule"]["max_coupons"],
        10
    );

    let assoc = |no: &str, trade: &str| json!({"stock_id": stock_id, "coupon_code": code, "out_trade_no": trade, "out_request_no": no});
    check(
        &c,
        "POST",
        &format!("{B}/coupons/associate"),
        &assoc("as-1", "order-1"),
        &assoc("as-1", "order-2"),
    )
    .await;
    // Replayed after the association is gone: only the remembered answer can be 200.
    check(
        &c,
        "POST",
        &format!("{B}/coupons/disassociate"),
        &assoc("dis-1", "order-1"),
        &assoc("dis-1", "order-9"),
    )
    .await;

    let use_body = |time: &str| {
        json!({"coupon_code": code, "stock_id": stock_id, "appid": "wx1",
               "use_time": time, "use_request_no": "use-1"})
    };
    check(
        &c,
        "POST",
        &format!("{B}/coupons/use"),
        &use_body("2025-06-16T10:00:00+08:00"),
        &use_body("2025-06-16T10:00:01+08:00"),
    )
    .await;

    let pay = |description: &str| {
        json!({"stock_id": stock_id, "coupon_code": code,
               "transaction_id": "4200000913202101152566792388",
               "payer_merchant": "1900009191", "payee_merchant": "1900009191",
               "amount": 100, "description": description, "out_subsidy_no": "pay-1"})
    };
    check(
        &c,
        "POST",
        &format!("{B}/subsidy/pay-receipts"),
        &pay("补差"),
        &pay("补差（改）"),
    )
    .await;
    let ret = |description: &str| {
        json!({"stock_id": stock_id, "coupon_code": code,
               "transaction_id": "4200000913202101152566792388",
               "refund_id": "50300000000000000000000000001",
               "payer_merchant": "1900009191", "payee_merchant": "1900009191",
               "amount": 50, "description": description, "out_subsidy_return_no": "sret-1"})
    };
    check(
        &c,
        "POST",
        &format!("{B}/subsidy/return-receipts"),
        &ret("回退"),
        &ret("回退（改）"),
    )
    .await;

    let give_back = |coupon: &str| json!({"coupon_code": coupon, "stock_id": stock_id, "return_request_no": "ret-1"});
    check(
        &c,
        "POST",
        &format!("{B}/coupons/return"),
        &give_back(&code),
        &give_back(&code2),
    )
    .await;

    let deactivate = |reason: &str| {
        json!({"coupon_code": code, "stock_id": stock_id,
               "deactivate_request_no": "de-1", "deactivate_reason": reason})
    };
    check(
        &c,
        "POST",
        &format!("{B}/coupons/deactivate"),
        &deactivate("测试"),
        &deactivate("别的原因"),
    )
    .await;

    // Pre-made codes: upload, and delete (request number in the query).
    let upload_stock = c
        .post(
            &format!("{B}/stocks"),
            &normal_stock("idem-upload", NOW - 60, "MERCHANT_UPLOAD"),
        )
        .await
        .json()["stock_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let codes_path = format!("{B}/stocks/{upload_stock}/couponcodes");
    check(
        &c,
        "POST",
        &codes_path,
        &json!({"coupon_code_list": ["A1", "A2"], "upload_request_no": "up-1"}),
        &json!({"coupon_code_list": ["A1", "A3"], "upload_request_no": "up-1"}),
    )
    .await;
    let first = c
        .call(
            "DELETE",
            &format!("{codes_path}/A1?delete_request_no=del-1"),
            None,
        )
        .await;
    assert_eq!(first.status, 200, "{:?}", first.json());
    let replay = c
        .call(
            "DELETE",
            &format!("{codes_path}/A1?delete_request_no=del-1"),
            None,
        )
        .await;
    assert_eq!(replay.json(), first.json());
    let clash = c
        .call(
            "DELETE",
            &format!("{codes_path}/A2?delete_request_no=del-1"),
            None,
        )
        .await;
    assert_eq!(clash.code(), "RESOURCE_ALREADY_EXISTS");

    // Claims share the issuing numbers: a replayed claim is the first coupon, a changed one
    // (even only its attach_info) a conflict.
    let claim = wxpay_mock::Claim::new(&stock_id, "user-c", "claim-1")
        .channel("BUSICOUPON_SEND_CHANNEL_PAYGIFT")
        .attach_info(json!({"act_code": "1"}));
    let claimed = mock.claim_coupon(&claim).unwrap();
    assert_eq!(mock.claim_coupon(&claim).unwrap(), claimed);
    let other = claim.clone().attach_info(json!({"act_code": "2"}));
    assert_eq!(
        mock.claim_coupon(&other).unwrap_err().code(),
        "RESOURCE_ALREADY_EXISTS"
    );
    mock.shutdown().await;
}

/// Issue 12: the memory of request numbers is bounded. A flood of unique numbers with a small
/// capacity stays at the capacity; a still-remembered number still replays its first answer
/// (and still refuses another body); the oldest numbers are the ones forgotten.
#[tokio::test]
async fn a_flood_of_unique_request_numbers_stays_at_the_capacity() {
    const CAP: usize = 20;
    let clock = ManualClock::new(NOW);
    let mock = MockBuilder::new()
        .clock(clock.clone())
        .idempotency_capacity(CAP)
        .start()
        .await
        .unwrap();
    let c = Client(TestClient::demo(&mock, Arc::new(clock)), mock.verifier());
    let created = c
        .post(
            &format!("{B}/stocks"),
            &normal_stock("flood-stock", NOW - 60, "WECHATPAY_MODE"),
        )
        .await;
    assert_eq!(created.status, 200, "{:?}", created.json());
    let stock_path = format!(
        "{B}/stocks/{}",
        created.json()["stock_id"].as_str().unwrap()
    );
    let modify = |no: &str, comment: &str| json!({"out_request_no": no, "comment": comment});

    let first = modify("flood-first", "第一");
    assert_eq!(c.call("PATCH", &stock_path, Some(&first)).await.status, 204);
    for n in 0..3 * CAP {
        let body = modify(&format!("flood-{n}"), "洪水");
        let answer = c.call("PATCH", &stock_path, Some(&body)).await;
        assert_eq!(answer.status, 204, "{n}: {:?}", answer.json());
        assert!(mock.remembered_request_numbers() <= CAP);
    }
    assert_eq!(mock.remembered_request_numbers(), CAP);

    // The newest number is remembered: its replay is the first answer, another body clashes.
    let newest = format!("flood-{}", 3 * CAP - 1);
    let replay = c
        .call("PATCH", &stock_path, Some(&modify(&newest, "洪水")))
        .await;
    assert_eq!(replay.status, 204, "{:?}", replay.json());
    let clash = c
        .call("PATCH", &stock_path, Some(&modify(&newest, "别的")))
        .await;
    assert_eq!(
        (clash.status, clash.code().as_str()),
        (400, "RESOURCE_ALREADY_EXISTS")
    );
    // The oldest was forgotten: another body under its number now runs as a new request.
    let forgotten = c
        .call("PATCH", &stock_path, Some(&modify("flood-first", "第二")))
        .await;
    assert_eq!(forgotten.status, 204, "{:?}", forgotten.json());
    assert_eq!(mock.remembered_request_numbers(), CAP);
    mock.shutdown().await;
}
