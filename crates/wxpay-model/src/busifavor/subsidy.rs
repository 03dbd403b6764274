//! Marketing subsidies (营销补差): pay, list, query, return (spec §8.19–§8.23).

use serde::{Deserialize, Serialize};

use super::coupons::post_body;
use super::enums::{
    SubsidyPayFailReason, SubsidyPayStatus, SubsidyReturnFailReason, SubsidyReturnStatus,
};
use super::{BASE, seg};
use crate::error::{Error, ValidationError};
use crate::request::{ApiRequest, Method, RequestBody};
use crate::time::LenientTimestamp;
use crate::validate as v;

/// Largest subsidy per order, fen (5000 CNY).
pub const MAX_SUBSIDY_AMOUNT: i64 = 500_000;

/// `POST /v3/marketing/busifavor/subsidy/pay-receipts` — pay a subsidy (§8.19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaySubsidyRequest {
    /// Stock id, 1..=20.
    pub stock_id: String,
    /// Coupon code, 1..=128.
    pub coupon_code: String,
    /// WeChat Pay order id of the paid order, 28..=32.
    pub transaction_id: String,
    /// Debited merchant, 1..=32.
    pub payer_merchant: String,
    /// Credited merchant, 1..=32.
    pub payee_merchant: String,
    /// Amount in fen, 1..=500 000.
    pub amount: i64,
    /// Description, 1..=1024 characters.
    pub description: String,
    /// Idempotency key, 1..=128 of `A-Z a-z 0-9 | _ * -`.
    pub out_subsidy_no: String,
}

impl PaySubsidyRequest {
    /// Pay `amount` fen of subsidy for `coupon_code` used in order `transaction_id`.
    ///
    /// Superseded by [`PaySubsidyRequest::builder`] (named setters).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        stock_id: impl Into<String>,
        coupon_code: impl Into<String>,
        transaction_id: impl Into<String>,
        payer_merchant: impl Into<String>,
        payee_merchant: impl Into<String>,
        amount: i64,
        description: impl Into<String>,
        out_subsidy_no: impl Into<String>,
    ) -> Self {
        Self {
            stock_id: stock_id.into(),
            coupon_code: coupon_code.into(),
            transaction_id: transaction_id.into(),
            payer_merchant: payer_merchant.into(),
            payee_merchant: payee_merchant.into(),
            amount,
            description: description.into(),
            out_subsidy_no: out_subsidy_no.into(),
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        v::id("stock_id", &self.stock_id, 1, 20)?;
        v::text("coupon_code", &self.coupon_code, 1, 128)?;
        v::id("transaction_id", &self.transaction_id, 28, 32)?;
        v::id("payer_merchant", &self.payer_merchant, 1, 32)?;
        v::id("payee_merchant", &self.payee_merchant, 1, 32)?;
        v::range("amount", self.amount, 1, MAX_SUBSIDY_AMOUNT)?;
        v::text("description", &self.description, 1, 1024)?;
        v::request_no("out_subsidy_no", &self.out_subsidy_no, 128)
    }
}
post_body!(
    PaySubsidyRequest,
    SubsidyPayReceipt,
    "/subsidy/pay-receipts"
);

/// A subsidy payment (§8.19–§8.21).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubsidyPayReceipt {
    /// Receipt id.
    pub subsidy_receipt_id: String,
    /// Stock id.
    pub stock_id: String,
    /// Coupon code.
    pub coupon_code: String,
    /// Order id.
    pub transaction_id: String,
    /// Debited merchant.
    pub payer_merchant: String,
    /// Credited merchant.
    pub payee_merchant: String,
    /// Amount, fen.
    pub amount: i64,
    /// Description.
    pub description: String,
    /// State.
    pub status: SubsidyPayStatus,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_reason: Option<SubsidyPayFailReason>,
    /// When it succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<LenientTimestamp>,
    /// Idempotency key.
    pub out_subsidy_no: String,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<LenientTimestamp>,
}

/// `GET /v3/marketing/busifavor/subsidy/pay-receipts` — subsidy payments of a coupon (§8.20).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ListSubsidyPayReceiptsRequest {
    /// Stock id (query).
    pub stock_id: String,
    /// Coupon code (query).
    pub coupon_code: String,
    /// Idempotency key (query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_subsidy_no: Option<String>,
}

impl ListSubsidyPayReceiptsRequest {
    /// Subsidy payments of `coupon_code` of `stock_id`.
    pub fn new(stock_id: impl Into<String>, coupon_code: impl Into<String>) -> Self {
        Self {
            stock_id: stock_id.into(),
            coupon_code: coupon_code.into(),
            out_subsidy_no: None,
        }
    }
}

impl ApiRequest for ListSubsidyPayReceiptsRequest {
    type Response = SubsidyPayReceiptList;
    const METHOD: Method = Method::Get;
    const PATH_TEMPLATE: &'static str = "/v3/marketing/busifavor/subsidy/pay-receipts";
    fn path(&self) -> String {
        format!("{BASE}/subsidy/pay-receipts")
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![
            ("stock_id", self.stock_id.clone()),
            ("coupon_code", self.coupon_code.clone()),
        ];
        if let Some(n) = &self.out_subsidy_no {
            q.push(("out_subsidy_no", n.clone()));
        }
        q
    }
    fn body(&self) -> Result<RequestBody, Error> {
        Ok(RequestBody::Empty)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        v::id("stock_id", &self.stock_id, 1, 20)?;
        v::text("coupon_code", &self.coupon_code, 1, 128)?;
        v::opt_id("out_subsidy_no", self.out_subsidy_no.as_ref(), 1, 128)
    }
}

/// Answer to [`ListSubsidyPayReceiptsRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubsidyPayReceiptList {
    /// The receipts (absent when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_receipt_list: Option<Vec<SubsidyPayReceipt>>,
}

/// `GET /v3/marketing/busifavor/subsidy/pay-receipts/{subsidy_receipt_id}` (§8.21).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct QuerySubsidyPayReceiptRequest {
    /// Receipt id (path).
    pub subsidy_receipt_id: String,
}

impl QuerySubsidyPayReceiptRequest {
    /// Query receipt `subsidy_receipt_id`.
    pub fn new(subsidy_receipt_id: impl Into<String>) -> Self {
        Self {
            subsidy_receipt_id: subsidy_receipt_id.into(),
        }
    }
}

impl ApiRequest for QuerySubsidyPayReceiptRequest {
    type Response = SubsidyPayReceipt;
    const METHOD: Method = Method::Get;
    const PATH_TEMPLATE: &'static str =
        "/v3/marketing/busifavor/subsidy/pay-receipts/{subsidy_receipt_id}";
    fn path(&self) -> String {
        format!(
            "{BASE}/subsidy/pay-receipts/{}",
            seg(&self.subsidy_receipt_id)
        )
    }
    fn body(&self) -> Result<RequestBody, Error> {
        Ok(RequestBody::Empty)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        v::id("subsidy_receipt_id", &self.subsidy_receipt_id, 1, 32)
    }
}

/// `POST /v3/marketing/busifavor/subsidy/return-receipts` — return a subsidy after a refund
/// (§8.22).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnSubsidyRequest {
    /// Stock id.
    pub stock_id: String,
    /// Coupon code.
    pub coupon_code: String,
    /// Order id.
    pub transaction_id: String,
    /// WeChat Pay refund id.
    pub refund_id: String,
    /// Original payer (receives the money back).
    pub payer_merchant: String,
    /// Original payee (is debited).
    pub payee_merchant: String,
    /// Amount in fen; returns per coupon add up to at most the subsidy.
    pub amount: i64,
    /// Description.
    pub description: String,
    /// Idempotency key, 1..=128 of `A-Z a-z 0-9 | _ * -`.
    pub out_subsidy_return_no: String,
}

impl ReturnSubsidyRequest {
    /// Return `amount` fen of subsidy after refund `refund_id`.
    ///
    /// Superseded by [`ReturnSubsidyRequest::builder`] (named setters).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        stock_id: impl Into<String>,
        coupon_code: impl Into<String>,
        transaction_id: impl Into<String>,
        refund_id: impl Into<String>,
        payer_merchant: impl Into<String>,
        payee_merchant: impl Into<String>,
        amount: i64,
        description: impl Into<String>,
        out_subsidy_return_no: impl Into<String>,
    ) -> Self {
        Self {
            stock_id: stock_id.into(),
            coupon_code: coupon_code.into(),
            transaction_id: transaction_id.into(),
            refund_id: refund_id.into(),
            payer_merchant: payer_merchant.into(),
            payee_merchant: payee_merchant.into(),
            amount,
            description: description.into(),
            out_subsidy_return_no: out_subsidy_return_no.into(),
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        v::id("stock_id", &self.stock_id, 1, 20)?;
        v::text("coupon_code", &self.coupon_code, 1, 128)?;
        v::id("transaction_id", &self.transaction_id, 1, 32)?;
        v::id("refund_id", &self.refund_id, 1, 32)?;
        v::id("payer_merchant", &self.payer_merchant, 1, 32)?;
        v::id("payee_merchant", &self.payee_merchant, 1, 32)?;
        v::range("amount", self.amount, 1, MAX_SUBSIDY_AMOUNT)?;
        v::text("description", &self.description, 1, 1024)?;
        v::request_no("out_subsidy_return_no", &self.out_subsidy_return_no, 128)
    }
}
post_body!(
    ReturnSubsidyRequest,
    SubsidyReturnReceipt,
    "/subsidy/return-receipts"
);

/// A subsidy return (§8.22, §8.23).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubsidyReturnReceipt {
    /// Return receipt id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subsidy_return_receipt_id: Option<String>,
    /// Stock id.
    pub stock_id: String,
    /// Coupon code.
    pub coupon_code: String,
    /// Order id.
    pub transaction_id: String,
    /// Refund id.
    pub refund_id: String,
    /// Original payer.
    pub payer_merchant: String,
    /// Original payee.
    pub payee_merchant: String,
    /// Amount, fen.
    pub amount: i64,
    /// Description.
    pub description: String,
    /// State.
    pub status: SubsidyReturnStatus,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_reason: Option<SubsidyReturnFailReason>,
    /// When it completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_done_time: Option<LenientTimestamp>,
    /// The pay receipt returned against.
    pub subsidy_receipt_id: String,
    /// Idempotency key.
    pub out_subsidy_return_no: String,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_create_time: Option<LenientTimestamp>,
}

/// `GET /v3/marketing/busifavor/subsidy/return-receipts/{subsidy_return_receipt_id}` (§8.23).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct QuerySubsidyReturnReceiptRequest {
    /// Return receipt id (path).
    pub subsidy_return_receipt_id: String,
}

impl QuerySubsidyReturnReceiptRequest {
    /// Query return receipt `subsidy_return_receipt_id`.
    pub fn new(subsidy_return_receipt_id: impl Into<String>) -> Self {
        Self {
            subsidy_return_receipt_id: subsidy_return_receipt_id.into(),
        }
    }
}

impl ApiRequest for QuerySubsidyReturnReceiptRequest {
    type Response = SubsidyReturnReceipt;
    const METHOD: Method = Method::Get;
    const PATH_TEMPLATE: &'static str =
        "/v3/marketing/busifavor/subsidy/return-receipts/{subsidy_return_receipt_id}";
    fn path(&self) -> String {
        format!(
            "{BASE}/subsidy/return-receipts/{}",
            seg(&self.subsidy_return_receipt_id)
        )
    }
    fn body(&self) -> Result<RequestBody, Error> {
        Ok(RequestBody::Empty)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        v::id(
            "subsidy_return_receipt_id",
            &self.subsidy_return_receipt_id,
            1,
            32,
        )
    }
}
