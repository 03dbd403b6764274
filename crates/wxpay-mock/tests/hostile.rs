//! Hostile requests: the simulator answers every one with a WeChat-style error (never a dropped
//! connection or a 5xx), and keeps serving with its state intact afterwards.

mod common;

use std::sync::Arc;

use common::{TestClient, normal_stock, other_merchant};
use serde_json::{Value, json};
use wxpay_mock::{ManualClock, MockBuilder, MockHandle};

const NOW: i64 = 1_750_000_000;
const B: &str = "/v3/marketing/busifavor";

async fn setup() -> (MockHandle, TestClient, TestClient, String) {
    let clock = ManualClock::new(NOW);
    let mock = MockBuilder::new()
        .clock(clock.clone())
        .merchant(other_merchant())
        .start()
        .await
        .unwrap();
    let c = TestClient::demo(&mock, Arc::new(clock.clone()));
    let other = TestClient::other(&mock, Arc::new(clock));
    let created = c
        .post(
            &format!("{B}/stocks"),
            &normal_stock("hostile-stock", NOW - 60, "WECHATPAY_MODE"),
        )
        .await;
    assert_eq!(created.status, 200, "{:?}", created.json());
    let stock_id = created.json()["stock_id"].as_str().unwrap().to_owned();
    (mock, c, other, stock_id)
}

/// A 4xx answer in WeChat Pay's error shape, signed by the simulator.
fn assert_refused(a: &common::Answer, what: &str) {
    let keys = wxpay_mock::SimulatorKeys::builtin().unwrap();
    a.verify(&keys.verifier(), NOW)
        .unwrap_or_else(|e| panic!("{what}: answer signature: {e}"));
    assert!(
        (400..500).contains(&a.status),
        "{what}: expected a 4xx, got {} {:?}",
        a.status,
        String::from_utf8_lossy(&a.body)
    );
    assert!(!a.code().is_empty(), "{what}: no error code");
    assert!(!a.header("request-id").is_empty(), "{what}: no Request-ID");
}

#[tokio::test]
async fn oversized_body_is_refused_and_the_server_keeps_serving() {
    let (mock, c, _other, stock_id) = setup().await;
    let huge = format!(r#"{{"notify_url":"{}"}}"#, "x".repeat(2 << 20));
    let a = c
        .send(c.request_bytes("POST", &format!("{B}/callbacks"), Some(huge.into_bytes())))
        .await;
    assert_refused(&a, "2 MiB body");
    assert_eq!(a.code(), "INVALID_REQUEST");
    assert_eq!(mock.notify_url(wxpay_mock::DEMO_MCHID), None);
    let q = c.get(&format!("{B}/stocks/{stock_id}")).await;
    assert_eq!(q.status, 200);
    mock.shutdown().await;
}

#[tokio::test]
async fn garbage_bodies_on_every_write_endpoint_are_refused() {
    let (mock, c, _other, stock_id) = setup().await;
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_obj = format!(
        r#"{{"out_request_no":"x","comment":{}1{}}}"#,
        r#"{"a":"#.repeat(5_000),
        "}".repeat(5_000)
    );
    let raw: Vec<Vec<u8>> = vec![
        b"\xff\xfe\x00garbage".to_vec(),
        b"{\"out_request_no\":\"\xff\xfe\"}".to_vec(),
        deep.into_bytes(),
        deep_obj.into_bytes(),
        b"{".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"\"a string\"".to_vec(),
        b"123".to_vec(),
        b"{}".to_vec(),
    ];
    let typed: Vec<Value> = vec![
        json!({"out_request_no": 5}),
        json!({"out_request_no": ["a"], "stock_id": {}, "coupon_code": null}),
        json!({"amount": -1, "stock_id": stock_id, "coupon_code": "c", "out_subsidy_no": "n"}),
        json!({"amount": u64::MAX, "stock_id": stock_id, "out_subsidy_no": "n"}),
        json!({"amount": 1e300, "stock_id": stock_id, "out_subsidy_no": "n"}),
        json!({"target_max_coupons": -5, "current_max_coupons": -1, "modify_budget_request_no": "b"}),
        json!({"target_max_coupons": u64::MAX, "current_max_coupons": 3, "modify_budget_request_no": "b"}),
        json!({"target_max_coupons": 1.5, "current_max_coupons": 3, "modify_budget_request_no": "b"}),
        json!({"coupon_code_list": [1, 2, 3], "upload_request_no": "u"}),
        json!({"coupon_code_list": "A1", "upload_request_no": "u"}),
        json!({"stock_send_rule": {"max_coupons": i64::MIN}, "out_request_no": "x"}),
        json!({"openid": "o", "appid": "wx", "stock_id": "😀", "out_request_no": "😀"}),
        json!({"notify_url": 42}),
        json!({"coupon_use_rule": "x", "out_request_no": "x"}),
        json!({"display_pattern_info": [1], "out_request_no": "x"}),
    ];
    let writes = [
        ("POST", format!("{B}/stocks")),
        ("PATCH", format!("{B}/stocks/{stock_id}")),
        ("PATCH", format!("{B}/stocks/{stock_id}/budget")),
        ("POST", format!("{B}/stocks/{stock_id}/couponcodes")),
        ("POST", format!("{B}/callbacks")),
        ("POST", format!("{B}/coupons/use")),
        ("POST", format!("{B}/coupons/return")),
        ("POST", format!("{B}/coupons/deactivate")),
        ("POST", format!("{B}/coupons/associate")),
        ("POST", format!("{B}/coupons/disassociate")),
        ("POST", format!("{B}/coupons/send")),
        ("POST", format!("{B}/subsidy/pay-receipts")),
        ("POST", format!("{B}/subsidy/return-receipts")),
    ];
    let before = mock.stock(&stock_id).unwrap();
    for (method, path) in &writes {
        let bodies = raw
            .iter()
            .cloned()
            .chain(typed.iter().map(|v| serde_json::to_vec(v).unwrap()));
        for body in bodies {
            let what = format!(
                "{method} {path} {:?}",
                String::from_utf8_lossy(&body[..body.len().min(60)])
            );
            let a = c
                .try_send(c.request_bytes(method, path, Some(body)))
                .await
                .unwrap_or_else(|e| panic!("{what}: connection failed: {e}"));
            assert_refused(&a, &what);
        }
    }
    // Nothing changed, nothing was issued, and the server still works.
    assert_eq!(mock.stock(&stock_id).unwrap(), before);
    assert!(mock.coupons().is_empty());
    assert!(mock.notifications().is_empty());
    let sent = c
        .post(
            &format!("{B}/coupons/send"),
            &json!({"openid": "u", "appid": "wx1", "stock_id": stock_id, "out_request_no": "ok-1"}),
        )
        .await;
    assert_eq!(sent.status, 200, "{:?}", sent.json());
    mock.shutdown().await;
}

#[tokio::test]
async fn hostile_paths_and_queries_are_refused() {
    let (mock, c, _other, stock_id) = setup().await;
    let gets = [
        format!("{B}/stocks/%FF%FE"),
        format!("{B}/stocks/%00"),
        format!("{B}/stocks/a%2Fb"),
        format!("{B}/stocks/{stock_id}/couponcodes?offset=-1"),
        format!("{B}/stocks/{stock_id}/couponcodes?limit=99999999999999999999999999"),
        format!("{B}/stocks/{stock_id}/couponcodes?offset=1e3"),
        format!("{B}/stocks/{stock_id}/couponcodes?status=%FF"),
        format!("{B}/users/%FF/coupons?appid=wx&creator_merchant=1900009191&limit=-3"),
        format!(
            "{B}/users/u/coupons?appid=wx&creator_merchant=1900009191&offset=18446744073709551616"
        ),
        format!("{B}/users/u/coupons/%2e%2e/appids/%2e%2e"),
        format!("{B}/subsidy/pay-receipts?stock_id=%FF&coupon_code=%"),
        format!("{B}/subsidy/pay-receipts/{}", "9".repeat(5000)),
        format!("{B}/callbacks?mchid=%FF%FF"),
    ];
    for path in &gets {
        let a = c
            .try_send(c.request("GET", path, None))
            .await
            .unwrap_or_else(|e| panic!("{path}: connection failed: {e}"));
        assert_refused(&a, path);
    }
    let del = format!("{B}/stocks/{stock_id}/couponcodes/x?delete_request_no=%FF%FE");
    assert_refused(&c.send(c.request("DELETE", &del, None)).await, &del);
    assert_eq!(c.get(&format!("{B}/stocks/{stock_id}")).await.status, 200);
    mock.shutdown().await;
}

#[tokio::test]
async fn modify_stock_cannot_rewrite_fixed_fields() {
    let (mock, c, other, stock_id) = setup().await;
    let path = format!("{B}/stocks/{stock_id}");
    let before = mock.stock(&stock_id).unwrap();
    for (i, patch) in [
        json!({"belong_merchant": common::OTHER_MCHID}),
        json!({"stock_type": "DISCOUNT"}),
        json!({"coupon_code_mode": "MERCHANT_API"}),
        json!({"stock_id": "1"}),
        json!({"stock_send_rule": {"max_coupons_per_user": 100}}),
        json!({"stock_send_rule": {"max_coupons": 1_000_000}}),
        json!({"coupon_use_rule": {"fixed_normal_coupon": {"discount_amount": 9_999_999}}}),
        json!({"display_pattern_info": {"merchant_name": "别人的店"}}),
        json!({"unknown_field": 1}),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = patch.clone();
        body["out_request_no"] = json!(format!("fixed-{i}"));
        let a = c.call("PATCH", &path, Some(&body)).await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (400, "PARAM_ERROR"),
            "{patch}: {:?}",
            a.json()
        );
    }
    assert_eq!(mock.stock(&stock_id).unwrap(), before);
    // The other merchant still has no access.
    assert_eq!(other.get(&path).await.code(), "NO_AUTH");
    // What may change still changes.
    let ok = c
        .call(
            "PATCH",
            &path,
            Some(&json!({"out_request_no": "fine-1", "comment": "新备注",
                          "stock_send_rule": {"prevent_api_abuse": true}})),
        )
        .await;
    assert_eq!(ok.status, 204, "{:?}", ok.json());
    let after = mock.stock(&stock_id).unwrap();
    assert_eq!(after["comment"], "新备注");
    assert_eq!(after["stock_send_rule"]["prevent_api_abuse"], true);
    assert_eq!(after["stock_send_rule"]["max_coupons_per_user"], 2);
    mock.shutdown().await;
}

#[tokio::test]
async fn unknown_create_fields_are_not_echoed() {
    let (mock, c, _other, _) = setup().await;
    let mut body = normal_stock("echo-1", NOW - 60, "WECHATPAY_MODE");
    body["coupon_code_count"] = json!("garbage");
    body["send_count_information"] = json!({"total_send_num": -1});
    body["whatever"] = json!([1, 2]);
    let created = c.post(&format!("{B}/stocks"), &body).await;
    assert_eq!(created.status, 200, "{:?}", created.json());
    let id = created.json()["stock_id"].as_str().unwrap().to_owned();
    let q = c.get(&format!("{B}/stocks/{id}")).await.json();
    assert!(q.get("whatever").is_none(), "{q}");
    assert!(q.get("coupon_code_count").is_none(), "{q}");
    assert_eq!(q["send_count_information"]["total_send_num"], 0);
    mock.shutdown().await;
}

#[tokio::test]
async fn out_of_range_numbers_in_otherwise_valid_bodies_are_param_errors() {
    let (mock, c, _other, stock_id) = setup().await;
    let huge = [
        json!(u64::MAX),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(-1),
        json!(1e20),
        json!(0.5),
        json!("100"),
    ];
    let create_fields = [
        "/stock_send_rule/max_coupons",
        "/stock_send_rule/max_coupons_per_user",
        "/stock_send_rule/max_coupons_by_day",
        "/stock_send_rule/max_amount",
        "/coupon_use_rule/fixed_normal_coupon/discount_amount",
        "/coupon_use_rule/fixed_normal_coupon/transaction_minimum",
        "/coupon_use_rule/coupon_available_time/available_day_after_receive",
    ];
    for (i, field) in create_fields.iter().enumerate() {
        for (j, value) in huge.iter().enumerate() {
            let mut body = normal_stock(&format!("num-{i}-{j}"), NOW - 60, "WECHATPAY_MODE");
            let (parent, key) = field.rsplit_once('/').unwrap();
            body.pointer_mut(parent).unwrap()[key] = value.clone();
            let a = c.post(&format!("{B}/stocks"), &body).await;
            assert_eq!(
                (a.status, a.code().as_str()),
                (400, "PARAM_ERROR"),
                "{field} = {value}: {:?}",
                a.json()
            );
            assert!(
                a.json()["detail"]["field"]
                    .as_str()
                    .unwrap()
                    .starts_with('/')
            );
        }
    }
    let budget = format!("{B}/stocks/{stock_id}/budget");
    for (j, value) in huge.iter().enumerate() {
        for key in ["target_max_coupons", "current_max_coupons"] {
            let mut body = json!({"target_max_coupons": 10, "current_max_coupons": 3,
                                  "modify_budget_request_no": format!("b-{key}-{j}")});
            body[key] = value.clone();
            let a = c.call("PATCH", &budget, Some(&body)).await;
            assert_eq!(a.code(), "PARAM_ERROR", "{key} = {value}: {:?}", a.json());
        }
        let pay = json!({"stock_id": stock_id, "coupon_code": "c",
                         "transaction_id": "4200000913202101152566792388",
                         "payer_merchant": "1900009191", "payee_merchant": "1900009191",
                         "amount": value, "description": "d", "out_subsidy_no": format!("p-{j}")});
        let a = c.post(&format!("{B}/subsidy/pay-receipts"), &pay).await;
        assert_eq!(a.code(), "PARAM_ERROR", "amount = {value}: {:?}", a.json());
    }
    assert_eq!(
        mock.stock(&stock_id).unwrap()["stock_send_rule"]["max_coupons"],
        3
    );
    mock.shutdown().await;
}
