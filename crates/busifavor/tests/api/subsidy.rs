//! §8.19–§8.23: subsidy payments and returns.

use busifavor::{
    ErrorCode, ListSubsidyPayReceiptsRequest, PaySubsidyRequest, ReturnSubsidyRequest,
};
use wxpay_mock::DEMO_MCHID;

use crate::support::*;

const TRANSACTION: &str = "4200000913202101152566792388";

async fn paid(env: &Env) -> (String, String, String) {
    let stock = subsidy_stock(env, "subsidy-stock").await;
    let code = send(env, &stock, "o-user-1", "send-0").await;
    let receipt = env
        .client
        .pay_subsidy(&pay(&stock, &code, "subsidy-1"))
        .await
        .unwrap();
    (stock, code, receipt.subsidy_receipt_id.clone())
}

fn pay(stock: &str, code: &str, no: &str) -> PaySubsidyRequest {
    PaySubsidyRequest::builder()
        .stock_id(stock)
        .coupon_code(code)
        .transaction_id(TRANSACTION)
        .payer_merchant(DEMO_MCHID)
        .payee_merchant("1900000002")
        .amount(100)
        .description("满减券补差")
        .out_subsidy_no(no)
        .build()
        .unwrap()
}

fn give_back(stock: &str, code: &str, no: &str) -> ReturnSubsidyRequest {
    ReturnSubsidyRequest::builder()
        .stock_id(stock)
        .coupon_code(code)
        .transaction_id(TRANSACTION)
        .refund_id("50000000382019052709732678859")
        .payer_merchant(DEMO_MCHID)
        .payee_merchant("1900000002")
        .amount(40)
        .description("退款回退补差")
        .out_subsidy_return_no(no)
        .build()
        .unwrap()
}

#[tokio::test]
async fn pay_subsidy_end_to_end() {
    let env = start().await;
    let (stock, code, receipt) = paid(&env).await;
    assert!(!receipt.is_empty());

    let mut bad = pay(&stock, &code, "subsidy-2");
    bad.amount = 500_001;
    let v = refused_before_sending(
        &env,
        "POST",
        "/v3/marketing/busifavor/subsidy/pay-receipts",
        env.client.pay_subsidy(&bad),
    )
    .await;
    assert_eq!(v.field, "amount");

    let err = env
        .client
        .pay_subsidy(&pay(&stock, "NOPE", "subsidy-3"))
        .await
        .unwrap_err();
    assert_api(&err, 404, ErrorCode::ResourceNotExists);
}

#[tokio::test]
async fn list_subsidy_pay_receipts_end_to_end() {
    let env = start().await;
    let (stock, code, receipt) = paid(&env).await;
    let list = env
        .client
        .list_subsidy_pay_receipts(&ListSubsidyPayReceiptsRequest::new(&stock, &code))
        .await
        .unwrap();
    let ids: Vec<&str> = list
        .pay_receipt_list
        .iter()
        .flatten()
        .map(|r| r.subsidy_receipt_id.as_str())
        .collect();
    assert_eq!(ids, [receipt.as_str()]);

    let v = refused_before_sending(
        &env,
        "GET",
        "/v3/marketing/busifavor/subsidy/pay-receipts",
        env.client
            .list_subsidy_pay_receipts(&ListSubsidyPayReceiptsRequest::new("", &code)),
    )
    .await;
    assert_eq!(v.field, "stock_id");

    let err = env
        .client
        .list_subsidy_pay_receipts(&ListSubsidyPayReceiptsRequest::new("99999999", &code))
        .await
        .unwrap_err();
    assert_api(&err, 404, ErrorCode::ResourceNotExists);
}

#[tokio::test]
async fn get_subsidy_pay_receipt_end_to_end() {
    let env = start().await;
    let (_, _, receipt) = paid(&env).await;
    let got = env.client.get_subsidy_pay_receipt(&receipt).await.unwrap();
    assert_eq!(got.subsidy_receipt_id, receipt);
    assert_eq!(got.amount, 100);

    let v = refused_before_sending(
        &env,
        "GET",
        "/v3/marketing/busifavor/subsidy/pay-receipts/{subsidy_receipt_id}",
        env.client.get_subsidy_pay_receipt(&"1".repeat(33)),
    )
    .await;
    assert_eq!(v.field, "subsidy_receipt_id");

    let err = env
        .client
        .get_subsidy_pay_receipt("1120200119")
        .await
        .unwrap_err();
    assert_api(&err, 404, ErrorCode::ResourceNotExists);
}

#[tokio::test]
async fn return_subsidy_end_to_end() {
    let env = start().await;
    let (stock, code, receipt) = paid(&env).await;
    let back = env
        .client
        .return_subsidy(&give_back(&stock, &code, "return-1"))
        .await
        .unwrap();
    assert_eq!(back.subsidy_receipt_id, receipt);
    assert_eq!(back.amount, 40);

    let mut bad = give_back(&stock, &code, "return-2");
    bad.out_subsidy_return_no = "return.2".into();
    let v = refused_before_sending(
        &env,
        "POST",
        "/v3/marketing/busifavor/subsidy/return-receipts",
        env.client.return_subsidy(&bad),
    )
    .await;
    assert_eq!(v.field, "out_subsidy_return_no");

    let err = env
        .client
        .return_subsidy(&give_back(&stock, "NOPE", "return-3"))
        .await
        .unwrap_err();
    assert_api(&err, 404, ErrorCode::ResourceNotExists);
}

#[tokio::test]
async fn get_subsidy_return_receipt_end_to_end() {
    let env = start().await;
    let (stock, code, _) = paid(&env).await;
    let back = env
        .client
        .return_subsidy(&give_back(&stock, &code, "return-1"))
        .await
        .unwrap();
    let id = back.subsidy_return_receipt_id.clone().unwrap();
    let got = env.client.get_subsidy_return_receipt(&id).await.unwrap();
    assert_eq!(got.subsidy_return_receipt_id.as_deref(), Some(id.as_str()));

    let v = refused_before_sending(
        &env,
        "GET",
        "/v3/marketing/busifavor/subsidy/return-receipts/{subsidy_return_receipt_id}",
        env.client.get_subsidy_return_receipt(""),
    )
    .await;
    assert_eq!(v.field, "subsidy_return_receipt_id");

    let err = env
        .client
        .get_subsidy_return_receipt("1120200119")
        .await
        .unwrap_err();
    assert_api(&err, 404, ErrorCode::ResourceNotExists);
}
