//! Subsidy operations (营销补差, spec §8.19–§8.23): who may pay for which coupon, how much is
//! left to return. Field rules (amounts, ids, request numbers) are the model's.

use serde_json::Value;
use wxpay_model::Timestamp;
use wxpay_model::busifavor::{
    ListSubsidyPayReceiptsRequest, PaySubsidyRequest, ReturnSubsidyRequest, StockType,
    SubsidyPayReceipt, SubsidyPayReceiptList, SubsidyPayStatus, SubsidyReturnReceipt,
    SubsidyReturnStatus,
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
        let (payer, amount) = (req.payer_merchant.as_str(), req.amount);
        let no = req.out_subsidy_no.as_str();
        self.idempotent("subsidy_pay", &ctx.mchid, no, body, |st| {
            let stock = st.own_stock(stock_id, &ctx.mchid)?;
            if *stock.stock_type() == StockType::Exchange {
                return Err(ApiError::invalid("换购券批次不支持营销补差"));
            }
            if !stock.subsidy() {
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
                .filter(|r| r.is_for(stock_id, code))
                .map(|r| r.receipt.amount)
                .sum();
            if let Some(max) = max_discount
                && already + amount > i64::try_from(max).unwrap_or(i64::MAX)
            {
                return Err(ApiError::invalid("补差金额不能超过券的优惠金额"));
            }
            let id = format!("1120200119165100{:014}", st.next_seq());
            let now = Timestamp::from_unix_beijing(ctx.now);
            let receipt = PayReceipt {
                creator: ctx.mchid.clone(),
                receipt: SubsidyPayReceipt {
                    subsidy_receipt_id: id.clone(),
                    stock_id: stock_id.to_owned(),
                    coupon_code: code.to_owned(),
                    transaction_id: req.transaction_id.clone(),
                    payer_merchant: payer.to_owned(),
                    payee_merchant: req.payee_merchant.clone(),
                    amount,
                    description: req.description.clone(),
                    status: SubsidyPayStatus::Success,
                    fail_reason: None,
                    success_time: Some(now.clone().into()),
                    out_subsidy_no: no.to_owned(),
                    create_time: Some(now.into()),
                },
                returned: 0,
            };
            let out = receipt.render();
            st.pay_receipts.insert(id, receipt);
            Ok(Reply::answer(&out))
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
        let list: Vec<SubsidyPayReceipt> = self
            .pay_receipts
            .values()
            .filter(|r| r.is_for(stock_id, code))
            .filter(|r| out_no.is_none_or(|n| r.receipt.out_subsidy_no == n))
            .map(PayReceipt::render)
            .collect();
        Ok(Reply::answer(&SubsidyPayReceiptList {
            pay_receipt_list: Some(list),
        }))
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
        Ok(Reply::answer(&r.render()))
    }

    /// `POST /v3/marketing/busifavor/subsidy/return-receipts`.
    pub(crate) fn subsidy_return(
        &mut self,
        ctx: &Ctx,
        req: &ReturnSubsidyRequest,
        body: &Value,
    ) -> Result<Reply, ApiError> {
        let (stock_id, code) = (req.stock_id.as_str(), req.coupon_code.as_str());
        let amount = req.amount;
        let no = req.out_subsidy_return_no.as_str();
        self.idempotent("subsidy_return", &ctx.mchid, no, body, |st| {
            st.own_stock(stock_id, &ctx.mchid)?;
            let receipt = st
                .pay_receipts
                .values_mut()
                .find(|r| {
                    r.creator == ctx.mchid
                        && r.is_for(stock_id, code)
                        && r.receipt.transaction_id == req.transaction_id
                        && r.receipt.payer_merchant == req.payer_merchant
                        && r.receipt.payee_merchant == req.payee_merchant
                })
                .ok_or_else(|| ApiError::not_found("未找到对应的补差付款单"))?;
            if receipt.returned + amount > receipt.receipt.amount {
                return Err(ApiError::invalid("累计回退金额不能超过补差金额"));
            }
            receipt.returned += amount;
            let receipt_id = receipt.receipt.subsidy_receipt_id.clone();
            let id = format!("1120200119165200{:014}", st.next_seq());
            let now = Timestamp::from_unix_beijing(ctx.now);
            let out = SubsidyReturnReceipt {
                subsidy_return_receipt_id: Some(id.clone()),
                stock_id: stock_id.to_owned(),
                coupon_code: code.to_owned(),
                transaction_id: req.transaction_id.clone(),
                refund_id: req.refund_id.clone(),
                payer_merchant: req.payer_merchant.clone(),
                payee_merchant: req.payee_merchant.clone(),
                amount,
                description: req.description.clone(),
                status: SubsidyReturnStatus::Success,
                fail_reason: None,
                return_done_time: Some(now.clone().into()),
                subsidy_receipt_id: receipt_id,
                out_subsidy_return_no: no.to_owned(),
                return_create_time: Some(now.into()),
            };
            st.return_receipts.insert(
                id,
                ReturnReceipt {
                    creator: ctx.mchid.clone(),
                    receipt: out.clone(),
                },
            );
            Ok(Reply::answer(&out))
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
        Ok(Reply::answer(&r.receipt))
    }
}
