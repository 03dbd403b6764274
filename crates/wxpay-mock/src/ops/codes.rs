//! Pre-made code operations of `MERCHANT_UPLOAD` stocks (spec §8.5–§8.8): upload (per-code
//! problems in `fail_codes`, by the model's code rule), list, query, delete.

use std::collections::HashSet;

use serde_json::Value;
use wxpay_model::busifavor::{
    CodeStatus, CouponCodeEntity, CouponCodeMode, DeleteCouponCodeRequest,
    DeleteCouponCodeResponse, FailCode, ListCouponCodesRequest, ListCouponCodesResponse,
    QueryCouponCodeRequest, QueryCouponCodeResponse, UploadCouponCodesRequest,
    UploadCouponCodesResponse, coupon_code_problem,
};
use wxpay_model::{ErrorCode, Timestamp};

use crate::api_error::ApiError;
use crate::ops::coupons::page;
use crate::state::codes::{CodePool, PremadeCode};
use crate::state::stocks::i64_of;
use crate::state::{Ctx, Reply, State};

impl State {
    fn upload_pool(&mut self, ctx: &Ctx, stock_id: &str) -> Result<&mut CodePool, ApiError> {
        let stock = self.own_stock(stock_id, &ctx.mchid)?;
        if *stock.code_mode() != CouponCodeMode::MerchantUpload {
            return Err(ApiError::invalid(
                "发券模式不合法，请更换支持预上传code的批次后重试",
            ));
        }
        Ok(self.codes.entry(stock_id.to_owned()).or_default())
    }

    /// `POST /v3/marketing/busifavor/stocks/{stock_id}/couponcodes`.
    pub(crate) fn upload_codes(
        &mut self,
        ctx: &Ctx,
        req: &UploadCouponCodesRequest,
        body: &Value,
    ) -> Result<Reply, ApiError> {
        let stock_id = req.stock_id.as_str();
        let no = &req.upload_request_no;
        let codes = &req.coupon_code_list;
        let max = self.own_stock(stock_id, &ctx.mchid)?.max_coupons();
        let scope_no = format!("{stock_id}/{no}");
        self.idempotent("upload_codes", &ctx.mchid, &scope_no, body, |st| {
            let now = ctx.now;
            let pool = st.upload_pool(ctx, stock_id)?;
            let mut seen = HashSet::new();
            let (mut success, mut fail, mut exist, mut dup) = (vec![], vec![], vec![], vec![]);
            let mut fresh = Vec::new();
            for code in codes {
                if !seen.insert(code.clone()) {
                    if !dup.contains(code) {
                        dup.push(code.clone());
                    }
                    continue;
                }
                if let Some(kind) = coupon_code_problem(code) {
                    let message = if kind == ErrorCode::LengthLimit {
                        "长度超过最大值32位"
                    } else {
                        "code包含不允许的字符"
                    };
                    fail.push(FailCode {
                        coupon_code: code.clone(),
                        code: kind,
                        message: message.to_owned(),
                    });
                } else if pool.contains(code) {
                    exist.push(code.clone());
                } else {
                    fresh.push(code.clone());
                }
            }
            if pool.total() + fresh.len() as u64 > max {
                return Err(ApiError::invalid(format!(
                    "上传的自定义code已达上限（批次最多{max}个）"
                )));
            }
            for code in fresh {
                pool.uploaded += 1;
                let order = pool.uploaded;
                pool.codes.insert(
                    code.clone(),
                    PremadeCode {
                        upload_time: now,
                        dispatched: None,
                        upload_order: order,
                    },
                );
                success.push(code);
            }
            let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
            let non_empty = |v: Vec<String>| (!v.is_empty()).then_some(v);
            Ok(Reply::answer(&UploadCouponCodesResponse {
                stock_id: stock_id.to_owned(),
                total_count: count(seen.len()),
                success_count: count(success.len()),
                success_codes: Some(success),
                success_time: Timestamp::from_unix_beijing(now).into(),
                fail_count: Some(count(fail.len())),
                fail_codes: (!fail.is_empty()).then_some(fail),
                exist_codes: non_empty(exist),
                duplicate_codes: non_empty(dup),
            }))
        })
    }

    /// `GET /v3/marketing/busifavor/stocks/{stock_id}/couponcodes`.
    pub(crate) fn list_codes(
        &self,
        ctx: &Ctx,
        req: &ListCouponCodesRequest,
    ) -> Result<Reply, ApiError> {
        let stock_id = req.stock_id.as_str();
        self.own_stock(stock_id, &ctx.mchid)?;
        let status = req.status.as_ref();
        if let Some(s) = &req.status
            && s.is_unknown()
        {
            return Err(ApiError::param_at(
                "status",
                s.as_str(),
                "status取值必须是AVAILABLE或DISPATCHED",
                "query",
            ));
        }
        let offset = page("offset", req.offset, 0, 1_000_000)?;
        let limit = page("limit", req.limit, 20, 100)?;
        let empty = CodePool::default();
        let pool = self.codes.get(stock_id).unwrap_or(&empty);
        let mut matching: Vec<(&String, &PremadeCode)> = pool
            .codes
            .iter()
            .filter(|(_, c)| match status {
                Some(CodeStatus::Available) => c.dispatched.is_none(),
                Some(_) => c.dispatched.is_some(),
                None => true,
            })
            .collect();
        matching.sort_by_key(|(_, c)| c.upload_order);
        let data: Vec<CouponCodeEntity> = matching
            .iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(100))
            .map(|(k, c)| CodePool::render(k, c))
            .collect();
        Ok(Reply::answer(&ListCouponCodesResponse {
            stock_id: stock_id.to_owned(),
            total_count: i64_of(matching.len() as u64),
            data: Some(data),
            offset: i64_of(offset),
            limit: i64_of(limit),
        }))
    }

    /// `GET /v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}`.
    pub(crate) fn query_code(
        &self,
        ctx: &Ctx,
        req: &QueryCouponCodeRequest,
    ) -> Result<Reply, ApiError> {
        let (stock_id, code) = (req.stock_id.as_str(), req.coupon_code.as_str());
        self.own_stock(stock_id, &ctx.mchid)?;
        let c = self
            .codes
            .get(stock_id)
            .and_then(|p| p.codes.get(code))
            .ok_or_else(|| ApiError::not_found(format!("预存code {code} 不存在")))?;
        let coupon = c
            .dispatched
            .as_ref()
            .and_then(|_| self.coupons.get(&(stock_id.to_owned(), code.to_owned())))
            .map(|coupon| self.render_coupon(coupon, ctx.now))
            .transpose()?;
        Ok(Reply::answer(&QueryCouponCodeResponse {
            code_information: CodePool::render(code, c),
            coupon_information: coupon,
        }))
    }

    /// `DELETE /v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}?delete_request_no=…`.
    pub(crate) fn delete_code(
        &mut self,
        ctx: &Ctx,
        req: &DeleteCouponCodeRequest,
    ) -> Result<Reply, ApiError> {
        let (stock_id, code) = (req.stock_id.as_str(), req.coupon_code.as_str());
        let no = req.delete_request_no.clone();
        // A DELETE has no body: the number stands for the model's request (the code it removes).
        let request = serde_json::to_value(req).unwrap_or(Value::Null);
        self.idempotent("delete_code", &ctx.mchid, &no, &request, |st| {
            let pool = st.upload_pool(ctx, stock_id)?;
            match pool.codes.get(code) {
                None => Err(ApiError::not_found(format!("预存code {code} 不存在"))),
                Some(c) if c.dispatched.is_some() => Err(ApiError::invalid("code已发放，不可删除")),
                Some(_) => {
                    pool.codes.remove(code);
                    Ok(Reply::answer(&DeleteCouponCodeResponse {
                        stock_id: stock_id.to_owned(),
                        delete_time: Timestamp::from_unix_beijing(ctx.now).into(),
                    }))
                }
            }
        })
    }
}
