//! The one validation path: every API request becomes the SDK's own typed request
//! (`wxpay-model`), checked by that type's `validate()`. A body that does not deserialize, or a
//! request the SDK would refuse to send, is answered with `PARAM_ERROR` and a `detail` naming the
//! field (a JSON pointer into the body, or the name of a query or path parameter). State
//! operations receive these typed requests and check only what the server alone knows.
//!
//! Two relaxations, both as WeChat Pay behaves: uploaded codes are checked per code and reported
//! in `fail_codes` ([`UploadCouponCodesRequest::validate_request`]), and a local notify URL on a
//! loopback host is accepted ([`SetCallbackRequest::validate_allowing_loopback`]).

use http::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wxpay_model::busifavor::{
    AssociateOrderRequest, CodeStatus, CouponState, CreateStockRequest, DeactivateCouponRequest,
    DeleteCouponCodeRequest, DisassociateOrderRequest, GetCallbackRequest, ListCouponCodesRequest,
    ListSubsidyPayReceiptsRequest, ListUserCouponsRequest, ModifyBudgetRequest, ModifyStockRequest,
    PaySubsidyRequest, QueryCouponCodeRequest, QueryStockRequest, QuerySubsidyPayReceiptRequest,
    QuerySubsidyReturnReceiptRequest, QueryUserCouponRequest, ReturnCouponRequest,
    ReturnSubsidyRequest, SendCouponRequest, SetCallbackRequest, UploadCouponCodesRequest,
    UseCouponRequest,
};
use wxpay_model::{ApiRequest, ValidationError};

use crate::api_error::ApiError;
use crate::routes::{Op, json_body};

/// A parsed, validated API request.
#[derive(Debug, Clone)]
pub(crate) enum Call {
    Certificates,
    CreateStock(Box<CreateStockRequest>),
    QueryStock(QueryStockRequest),
    ModifyStock(Box<ModifyStockRequest>),
    ModifyBudget(ModifyBudgetRequest),
    UploadCodes(UploadCouponCodesRequest),
    ListCodes(ListCouponCodesRequest),
    QueryCode(QueryCouponCodeRequest),
    DeleteCode(DeleteCouponCodeRequest),
    SetCallback(SetCallbackRequest),
    GetCallback(GetCallbackRequest),
    UseCoupon(UseCouponRequest),
    ListUserCoupons(ListUserCouponsRequest),
    QueryUserCoupon(QueryUserCouponRequest),
    ReturnCoupon(ReturnCouponRequest),
    DeactivateCoupon(DeactivateCouponRequest),
    Associate(AssociateOrderRequest),
    Disassociate(DisassociateOrderRequest),
    SendCoupon(SendCouponRequest),
    SubsidyPay(PaySubsidyRequest),
    ListPayReceipts(ListSubsidyPayReceiptsRequest),
    QueryPayReceipt(QuerySubsidyPayReceiptRequest),
    SubsidyReturn(ReturnSubsidyRequest),
    QueryReturnReceipt(QuerySubsidyReturnReceiptRequest),
}

/// Turns an operation, its query and its raw body into a typed, validated request; also returns
/// the body as JSON (`Null` when empty), which idempotency compares.
pub(crate) fn parse(
    op: Op,
    method: &Method,
    query: &[(String, String)],
    body: &[u8],
) -> Result<(Call, Value), ApiError> {
    let value = json_body(body)?;
    if matches!(*method, Method::POST | Method::PATCH) && !value.is_object() {
        return Err(ApiError::param("/", value, "请求体必须是JSON对象"));
    }
    let q = Query(query);
    let call = match op {
        Op::Certificates => Call::Certificates,
        Op::CreateStock => {
            Call::CreateStock(Box::new(from_body(&value, |_| {}, ApiRequest::validate)?))
        }
        Op::ModifyStock(id) => Call::ModifyStock(Box::new(from_body(
            &value,
            |r: &mut ModifyStockRequest| r.stock_id = id,
            ApiRequest::validate,
        )?)),
        Op::ModifyBudget(id) => Call::ModifyBudget(from_body(
            &value,
            |r: &mut ModifyBudgetRequest| r.stock_id = id,
            ApiRequest::validate,
        )?),
        Op::UploadCodes(id) => Call::UploadCodes(from_body(
            &value,
            |r: &mut UploadCouponCodesRequest| r.stock_id = id,
            UploadCouponCodesRequest::validate_request,
        )?),
        Op::SetCallback => Call::SetCallback(from_body(
            &value,
            |_| {},
            SetCallbackRequest::validate_allowing_loopback,
        )?),
        Op::UseCoupon => Call::UseCoupon(from_body(&value, |_| {}, ApiRequest::validate)?),
        Op::ReturnCoupon => Call::ReturnCoupon(from_body(&value, |_| {}, ApiRequest::validate)?),
        Op::DeactivateCoupon => {
            Call::DeactivateCoupon(from_body(&value, |_| {}, ApiRequest::validate)?)
        }
        Op::Associate => Call::Associate(from_body(&value, |_| {}, ApiRequest::validate)?),
        Op::Disassociate => Call::Disassociate(from_body(&value, |_| {}, ApiRequest::validate)?),
        Op::SendCoupon => Call::SendCoupon(from_body(&value, |_| {}, ApiRequest::validate)?),
        Op::SubsidyPay => Call::SubsidyPay(from_body(&value, |_| {}, ApiRequest::validate)?),
        Op::SubsidyReturn => Call::SubsidyReturn(from_body(&value, |_| {}, ApiRequest::validate)?),
        Op::QueryStock(stock_id) => {
            Call::QueryStock(checked(QueryStockRequest { stock_id }, &q, &["stock_id"])?)
        }
        Op::ListCodes(stock_id) => Call::ListCodes(checked(
            ListCouponCodesRequest {
                stock_id,
                limit: q.int("limit")?,
                offset: q.int("offset")?,
                appid: q.text("appid"),
                status: q.text("status").map(CodeStatus::from),
            },
            &q,
            &["stock_id"],
        )?),
        Op::QueryCode(stock_id, coupon_code) => Call::QueryCode(checked(
            QueryCouponCodeRequest {
                stock_id,
                coupon_code,
                appid: q.text("appid"),
            },
            &q,
            &["stock_id", "coupon_code"],
        )?),
        Op::DeleteCode(stock_id, coupon_code) => Call::DeleteCode(checked(
            DeleteCouponCodeRequest {
                stock_id,
                coupon_code,
                delete_request_no: q.text("delete_request_no").unwrap_or_default(),
            },
            &q,
            &["stock_id", "coupon_code"],
        )?),
        Op::GetCallback => Call::GetCallback(checked(
            GetCallbackRequest {
                mchid: q.text("mchid"),
            },
            &q,
            &[],
        )?),
        Op::ListUserCoupons(openid) => Call::ListUserCoupons(checked(
            ListUserCouponsRequest {
                openid,
                appid: q.text("appid").unwrap_or_default(),
                stock_id: q.text("stock_id"),
                coupon_state: q.text("coupon_state").map(CouponState::from),
                creator_merchant: q.text("creator_merchant"),
                belong_merchant: q.text("belong_merchant"),
                sender_merchant: q.text("sender_merchant"),
                offset: q.int("offset")?,
                limit: q.int("limit")?,
            },
            &q,
            &["openid"],
        )?),
        Op::QueryUserCoupon(openid, coupon_code, appid) => Call::QueryUserCoupon(checked(
            QueryUserCouponRequest {
                openid,
                coupon_code,
                appid,
            },
            &q,
            &["openid", "coupon_code", "appid"],
        )?),
        Op::ListPayReceipts => Call::ListPayReceipts(checked(
            ListSubsidyPayReceiptsRequest {
                stock_id: q.text("stock_id").unwrap_or_default(),
                coupon_code: q.text("coupon_code").unwrap_or_default(),
                out_subsidy_no: q.text("out_subsidy_no"),
            },
            &q,
            &[],
        )?),
        Op::QueryPayReceipt(subsidy_receipt_id) => Call::QueryPayReceipt(checked(
            QuerySubsidyPayReceiptRequest { subsidy_receipt_id },
            &q,
            &["subsidy_receipt_id"],
        )?),
        Op::QueryReturnReceipt(subsidy_return_receipt_id) => Call::QueryReturnReceipt(checked(
            QuerySubsidyReturnReceiptRequest {
                subsidy_return_receipt_id,
            },
            &q,
            &["subsidy_return_receipt_id"],
        )?),
    };
    Ok((call, value))
}

/// The decoded query of a request.
struct Query<'a>(&'a [(String, String)]);

impl Query<'_> {
    /// A parameter's first occurrence; an empty value counts as absent.
    fn text(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    }

    /// An integer parameter (the model checks its range).
    fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.text(key) {
            None => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
                ApiError::param_at(key, v.as_str(), &format!("{key}必须是整数"), "query")
            }),
        }
    }
}

/// Validates a request made of path parameters (named in `path`) and query parameters; a
/// failure names the parameter and where it is.
fn checked<T: ApiRequest>(request: T, q: &Query<'_>, path: &[&str]) -> Result<T, ApiError> {
    request.validate().map_err(|e| {
        let value = q.text(&e.field).map_or(Value::Null, Value::from);
        let location = if path.contains(&e.field.as_str()) {
            "path"
        } else {
            "query"
        };
        ApiError::param_at(&e.field, value, &issue(&e), location)
    })?;
    Ok(request)
}

/// Deserializes the body into `T`, fills the path parameters, and runs `check`.
fn from_body<T: DeserializeOwned>(
    body: &Value,
    fill_path: impl FnOnce(&mut T),
    check: impl FnOnce(&T) -> Result<(), ValidationError>,
) -> Result<T, ApiError> {
    let mut request: T = serde_json::from_value(body.clone()).map_err(|e| shape(&e, body))?;
    fill_path(&mut request);
    check(&request).map_err(|e| invalid(&e, body))?;
    Ok(request)
}

fn issue(e: &ValidationError) -> String {
    format!("{} must {}, found {}", e.field, e.rule, e.found)
}

/// `coupon_use_rule.fixed_normal_coupon.discount_amount` / `coupon_code_list[3]` → JSON pointer.
fn pointer(field: &str) -> String {
    let mut out = String::from("/");
    out.push_str(&field.replace(['.', '['], "/").replace(']', ""));
    out
}

fn invalid(e: &ValidationError, body: &Value) -> ApiError {
    let field = pointer(&e.field);
    let value = body.pointer(&field).cloned().unwrap_or(Value::Null);
    ApiError::param(&field, value, &issue(e))
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn post(op: Op, body: &Value) -> Result<Call, ApiError> {
        parse(op, &Method::POST, &[], &serde_json::to_vec(body).unwrap()).map(|(c, _)| c)
    }

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
        let e = post(Op::ReturnCoupon, &body).unwrap_err();
        assert_eq!((e.status(), e.code()), (400, "PARAM_ERROR"));
        assert_eq!(e.detail().unwrap()["field"], "/return_request_no");
        assert_eq!(e.detail().unwrap()["value"], "bad no");

        let missing = post(Op::ReturnCoupon, &json!({"coupon_code": "c"})).unwrap_err();
        assert_eq!(missing.code(), "PARAM_ERROR");
        assert!(
            missing.detail().unwrap()["field"]
                .as_str()
                .unwrap()
                .starts_with('/')
        );

        assert!(
            post(
                Op::ReturnCoupon,
                &json!({"coupon_code": "c", "stock_id": "1", "return_request_no": "r-1"})
            )
            .is_ok()
        );
        // Loopback http is accepted by the simulator even though the model requires https.
        assert!(
            post(
                Op::SetCallback,
                &json!({"notify_url": "http://127.0.0.1:1/n"})
            )
            .is_ok()
        );
    }

    #[test]
    fn query_parameters_are_typed_and_named_in_errors() {
        let q = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let get = |op: Op, query: &[(String, String)]| parse(op, &Method::GET, query, b"");
        let e = get(
            Op::ListUserCoupons("u".into()),
            &q(&[("creator_merchant", "1900009191")]),
        )
        .unwrap_err();
        let d = e.detail().unwrap();
        assert_eq!(
            (d["field"].as_str(), d["location"].as_str()),
            (Some("appid"), Some("query"))
        );
        let e = get(Op::ListCodes("1".into()), &q(&[("offset", "1e3")])).unwrap_err();
        assert_eq!(e.detail().unwrap()["field"], "offset");
        let e = get(Op::ListCodes("1".into()), &q(&[("offset", "-1")])).unwrap_err();
        assert_eq!(e.detail().unwrap()["location"], "query");
        let e = get(Op::QueryPayReceipt("9".repeat(50)), &[]).unwrap_err();
        assert_eq!(e.detail().unwrap()["location"], "path");
        let (call, _) = get(
            Op::ListCodes("1".into()),
            &q(&[("limit", "10"), ("status", "AVAILABLE")]),
        )
        .unwrap();
        assert!(
            matches!(call, Call::ListCodes(r) if r.limit == Some(10) && r.status == Some(CodeStatus::Available))
        );
    }
}
