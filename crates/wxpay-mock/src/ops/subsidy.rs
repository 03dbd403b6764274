//! Subsidy operations (营销补差, spec §8.19–§8.23): who may pay for which coupon, how much is
//! left to return. Field rules (amounts, ids, request numbers) are the model's.

use serde_json::{Value, json};
use wxpay_model::Timestamp;
use wxpay_model::busifavor::{
    ListSubsidyPayReceiptsRequest, PaySubsidyRequest, ReturnSubsidyRequest,
};

use crate::api_error::ApiError;
use crate::state::subsidy::{PayReceipt, ReturnReceipt};
use crate::state::{Ctx, Reply, State};

impl State {
    /// `POST /v3/marketing/busifavor/subsidy/pay-receipts`.
    pub(crate) fn subsidy_pay(
        &mut self,
        ctx: &Ctx,
        req: &PaySubsidyRequest,
        body: &Value,
    ) -> Result<Reply, ApiError> {
        let (stock_id, code) = (req.stock_id.as_str(), req.coupon_code.as_str());
        let (transaction_id, amount) = (req.transaction_id.as_str(), req.amount);
        let (payer, payee) = (req.payer_merchant.as_str(), req.payee_merchant.as_str());
        let (description, no) = (req.description.as_str(), req.out_subsidy_no.as_str());
        self.idempotent("subsidy_pay", &ctx.mchid, no, body, |st| {
            let stock = st.own_stock(stock_id, &ctx.mchid)?;
            if stock.stock_type == "EXCHANGE" {
                return Err(ApiError::invalid("换购券批次不支持营销补差"));
            }
            if !stock.subsidy {
                return Err(ApiError::invalid("批次未开启营销补差（subsidy）"));
            }
            if payer != stock.creator && payer != stock.belong_merchant() {
                return Err(ApiError::invalid(
                    "payer_merchant必须是批次创建方或归属商户",
                ));
            }
            let max_discount = stock.max_discount();
            if !st
                .coupons
                .contains_key(&(stock_id.to_owned(), code.to_owned()))
            {
                return Err(ApiError::not_found(format!("券{code}不存在")));
            }
            let already: i64 = st
                .pay_receipts
                .values()
                .filter(|r| r.body["stock_id"] == stock_id && r.body["coupon_code"] == code)
                .map(|r| r.amount)
                .sum();
            if let Some(max) = max_discount
                && already + amount > i64::try_from(max).unwrap_or(i64::MAX)
            {
                return Err(ApiError::invalid("补差金额不能超过券的优惠金额"));
            }
            let id = format!("1120200119165100{:014}", st.next_seq());
            let now = Timestamp::from_unix_beijing(ctx.now);
            let receipt = PayReceipt {
                id: id.clone(),
                creator: ctx.mchid.clone(),
                body: json!({
                    "subsidy_receipt_id": id,
                    "stock_id": stock_id,
                    "coupon_code": code,
                    "transaction_id": transaction_id,
                    "payer_merchant": payer,
                    "payee_merchant": payee,
                    "amount": amount,
                    "description": description,
                    "success_time": now,
                    "out_subsidy_no": no,
                    "create_time": now,
                }),
                amount,
                returned: 0,
            };
            let out = receipt.render();
            st.pay_receipts.insert(id, receipt);
            Ok(Reply::ok(out))
        })
    }

    /// `GET /v3/marketing/busifavor/subsidy/pay-receipts`.
    pub(crate) fn list_pay_receipts(
        &self,
        ctx: &Ctx,
        req: &ListSubsidyPayReceiptsRequest,
    ) -> Result<Reply, ApiError> {
        let (stock_id, code) = (req.stock_id.as_str(), req.coupon_code.as_str());
        let out_no = req.out_subsidy_no.as_deref();
        self.own_stock(stock_id, &ctx.mchid)?;
        let list: Vec<Value> = self
            .pay_receipts
            .values()
            .filter(|r| r.body["stock_id"] == stock_id && r.body["coupon_code"] == code)
            .filter(|r| out_no.is_none_or(|n| r.body["out_subsidy_no"] == n))
            .map(PayReceipt::render)
            .collect();
        Ok(Reply::ok(json!({"pay_receipt_list": list})))
    }

    /// `GET /v3/marketing/busifavor/subsidy/pay-receipts/{subsidy_receipt_id}`.
    pub(crate) fn query_pay_receipt(&self, ctx: &Ctx, id: &str) -> Result<Reply, ApiError> {
        let r = self
            .pay_receipts
            .get(id)
            .ok_or_else(|| ApiError::not_found(format!("补差付款单{id}不存在")))?;
        if r.creator != ctx.mchid {
            return Err(ApiError::no_auth("无权查询该补差付款单"));
        }
        Ok(Reply::ok(r.render()))
    }

    /// `POST /v3/marketing/busifavor/subsidy/return-receipts`.
    pub(crate) fn subsidy_return(
        &mut self,
        ctx: &Ctx,
        req: &ReturnSubsidyRequest,
        body: &Value,
    ) -> Result<Reply, ApiError> {
        let (stock_id, code) = (req.stock_id.as_str(), req.coupon_code.as_str());
        let (transaction_id, refund_id) = (req.transaction_id.as_str(), req.refund_id.as_str());
        let (payer, payee) = (req.payer_merchant.as_str(), req.payee_merchant.as_str());
        let (amount, description) = (req.amount, req.description.as_str());
        let no = req.out_subsidy_return_no.as_str();
        self.idempotent("subsidy_return", &ctx.mchid, no, body, |st| {
            st.own_stock(stock_id, &ctx.mchid)?;
            let receipt = st
                .pay_receipts
                .values_mut()
                .find(|r| {
                    r.creator == ctx.mchid
                        && r.body["stock_id"] == stock_id
                        && r.body["coupon_code"] == code
                        && r.body["transaction_id"] == transaction_id
                        && r.body["payer_merchant"] == payer
                        && r.body["payee_merchant"] == payee
                })
                .ok_or_else(|| ApiError::not_found("未找到对应的补差付款单"))?;
            if receipt.returned + amount > receipt.amount {
                return Err(ApiError::invalid("累计回退金额不能超过补差金额"));
            }
            receipt.returned += amount;
            let receipt_id = receipt.id.clone();
            let id = format!("1120200119165200{:014}", st.next_seq());
            let now = Timestamp::from_unix_beijing(ctx.now);
            let out = json!({
                "subsidy_return_receipt_id": id,
                "stock_id": stock_id,
                "coupon_code": code,
                "transaction_id": transaction_id,
                "refund_id": refund_id,
                "payer_merchant": payer,
                "payee_merchant": payee,
                "amount": amount,
                "description": description,
                "status": "SUCCESS",
                "return_done_time": now,
                "subsidy_receipt_id": receipt_id,
                "out_subsidy_return_no": no,
                "return_create_time": now,
            });
            st.return_receipts.insert(
                id,
                ReturnReceipt {
                    creator: ctx.mchid.clone(),
                    body: out.clone(),
                },
            );
            Ok(Reply::ok(out))
        })
    }

    /// `GET /v3/marketing/busifavor/subsidy/return-receipts/{subsidy_return_receipt_id}`.
    pub(crate) fn query_return_receipt(&self, ctx: &Ctx, id: &str) -> Result<Reply, ApiError> {
        let r = self
            .return_receipts
            .get(id)
            .ok_or_else(|| ApiError::not_found(format!("补差回退单{id}不存在")))?;
        if r.creator != ctx.mchid {
            return Err(ApiError::no_auth("无权查询该补差回退单"));
        }
        Ok(Reply::ok(r.body.clone()))
    }
}
