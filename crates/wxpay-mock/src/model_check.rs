//! Checks request bodies against the SDK's own wire types (`wxpay-model`): a body that does not
//! deserialize into the endpoint's request type, or whose `validate()` fails, is answered with
//! `PARAM_ERROR` and a `detail` naming the field — the same rules a client built on the SDK
//! enforces before sending.

use serde::de::DeserializeOwned;
use serde_json::Value;
use wxpay_model::busifavor::{
    AssociateOrderRequest, CreateStockRequest, DeactivateCouponRequest, DisassociateOrderRequest,
    ModifyBudgetRequest, ModifyStockRequest, PaySubsidyRequest, ReturnCouponRequest,
    ReturnSubsidyRequest, SendCouponRequest, SetCallbackRequest, UploadCouponCodesRequest,
    UseCouponRequest,
};
use wxpay_model::{ApiRequest, ValidationError};

use crate::api_error::ApiError;
use crate::routes::Op;

/// `coupon_use_rule.fixed_normal_coupon.discount_amount` / `coupon_code_list[3]` → JSON pointer.
fn pointer(field: &str) -> String {
    let mut out = String::from("/");
    out.push_str(&field.replace(['.', '['], "/").replace(']', ""));
    out
}

fn invalid(e: &ValidationError, body: &Value) -> ApiError {
    let field = pointer(&e.field);
    let value = body.pointer(&field).cloned().unwrap_or(Value::Null);
    ApiError::param(
        &field,
        value,
        &format!("{} must {}, found {}", e.field, e.rule, e.found),
    )
}

/// Serde's "missing field `x`" / "unknown variant `y`" messages name the field or value; use
/// the field as the pointer when there is one.
fn shape(e: &serde_json::Error, body: &Value) -> ApiError {
    let text = e.to_string();
    let field = text
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
        .map_or_else(|| "/".to_owned(), |f| format!("/{f}"));
    let value = body.pointer(&field).cloned().unwrap_or(Value::Null);
    ApiError::param(&field, value, &format!("请求体不符合接口定义: {text}"))
}

fn parse<T: DeserializeOwned>(body: &Value) -> Result<T, ApiError> {
    serde_json::from_value(body.clone()).map_err(|e| shape(&e, body))
}

fn validate<T: DeserializeOwned + ApiRequest>(
    body: &Value,
    fill_path: impl FnOnce(&mut T),
) -> Result<(), ApiError> {
    let mut req: T = parse(body)?;
    fill_path(&mut req);
    req.validate().map_err(|e| invalid(&e, body))
}

/// Checks the body of a POST/PATCH operation against its model request type.
pub(crate) fn check(op: &Op, body: &Value) -> Result<(), ApiError> {
    match op {
        Op::CreateStock => validate::<CreateStockRequest>(body, |_| {}),
        Op::ModifyStock(id) => validate::<ModifyStockRequest>(body, |r| r.stock_id.clone_from(id)),
        Op::ModifyBudget(id) => {
            validate::<ModifyBudgetRequest>(body, |r| r.stock_id.clone_from(id))
        }
        // Per-code problems are answered in `fail_codes`, as WeChat Pay does, not as a
        // request error; the simulator also accepts `http://` loopback notify URLs. So these
        // two only have to fit the type.
        Op::UploadCodes(_) => parse::<UploadCouponCodesRequest>(body).map(drop),
        Op::SetCallback => parse::<SetCallbackRequest>(body).map(drop),
        Op::UseCoupon => validate::<UseCouponRequest>(body, |_| {}),
        Op::ReturnCoupon => validate::<ReturnCouponRequest>(body, |_| {}),
        Op::DeactivateCoupon => validate::<DeactivateCouponRequest>(body, |_| {}),
        Op::Associate => validate::<AssociateOrderRequest>(body, |_| {}),
        Op::Disassociate => validate::<DisassociateOrderRequest>(body, |_| {}),
        Op::SendCoupon => validate::<SendCouponRequest>(body, |_| {}),
        Op::SubsidyPay => validate::<PaySubsidyRequest>(body, |_| {}),
        Op::SubsidyReturn => validate::<ReturnSubsidyRequest>(body, |_| {}),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pointers() {
        assert_eq!(pointer("stock_name"), "/stock_name");
        assert_eq!(
            pointer("coupon_use_rule.fixed_normal_coupon.discount_amount"),
            "/coupon_use_rule/fixed_normal_coupon/discount_amount"
        );
        assert_eq!(pointer("coupon_code_list[3]"), "/coupon_code_list/3");
    }

    #[test]
    fn model_rules_answer_param_error_with_detail() {
        let body = json!({"coupon_code": "c", "stock_id": "1", "return_request_no": "bad no"});
        let e = check(&Op::ReturnCoupon, &body).unwrap_err();
        assert_eq!((e.status(), e.code()), (400, "PARAM_ERROR"));
        assert_eq!(e.detail().unwrap()["field"], "/return_request_no");
        assert_eq!(e.detail().unwrap()["value"], "bad no");

        let missing = check(&Op::ReturnCoupon, &json!({"coupon_code": "c"})).unwrap_err();
        assert_eq!(missing.code(), "PARAM_ERROR");
        assert!(
            missing.detail().unwrap()["field"]
                .as_str()
                .unwrap()
                .starts_with('/')
        );

        assert!(
            check(
                &Op::ReturnCoupon,
                &json!({"coupon_code": "c", "stock_id": "1", "return_request_no": "r-1"})
            )
            .is_ok()
        );
        // Loopback http is accepted by the simulator even though the model requires https.
        assert!(
            check(
                &Op::SetCallback,
                &json!({"notify_url": "http://127.0.0.1:1/n"})
            )
            .is_ok()
        );
    }
}
