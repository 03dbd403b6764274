//! Pre-made coupon codes of `MERCHANT_UPLOAD` stocks: upload, list, query, dispatch, delete
//! (spec §8.5–§8.8).

use std::collections::{BTreeMap, HashSet};

use serde_json::{Value, json};

use super::coupons::check_code;
use super::{Ctx, Reply, State};
use crate::api_error::ApiError;
use crate::validate::{object, query, query_uint, req_query, request_no};
use wxpay_model::Timestamp;

/// One uploaded code.
#[derive(Debug, Clone)]
pub(crate) struct PremadeCode {
    upload_time: i64,
    /// (dispatch time, openid) once issued.
    dispatched: Option<(i64, String)>,
    upload_order: u64,
}

/// The codes of one stock.
#[derive(Debug, Clone, Default)]
pub(crate) struct CodePool {
    codes: BTreeMap<String, PremadeCode>,
    uploaded: u64,
}

impl CodePool {
    pub(crate) fn total(&self) -> u64 {
        self.codes.len() as u64
    }

    pub(crate) fn available(&self) -> u64 {
        self.codes
            .values()
            .filter(|c| c.dispatched.is_none())
            .count() as u64
    }

    pub(crate) fn contains(&self, code: &str) -> bool {
        self.codes.contains_key(code)
    }

    /// A random available code (WeChat Pay picks randomly among uploaded codes).
    pub(crate) fn pick_available(&self) -> Option<String> {
        let available: Vec<&String> = self
            .codes
            .iter()
            .filter(|(_, c)| c.dispatched.is_none())
            .map(|(k, _)| k)
            .collect();
        if available.is_empty() {
            return None;
        }
        let r = uuid::Uuid::new_v4().as_u128();
        let i = usize::try_from(r % available.len() as u128).unwrap_or(0);
        available.get(i).map(|s| (*s).clone())
    }

    pub(crate) fn dispatch(&mut self, code: &str, now: i64, openid: &str) {
        if let Some(c) = self.codes.get_mut(code) {
            c.dispatched = Some((now, openid.to_owned()));
        }
    }

    fn render(code: &str, c: &PremadeCode) -> Value {
        let mut v = json!({
            "code": code,
            "code_status": if c.dispatched.is_some() { "DISPATCHED" } else { "AVAILABLE" },
            "upload_time": Timestamp::from_unix_beijing(c.upload_time),
        });
        if let Some((t, openid)) = &c.dispatched {
            v["dispatched_time"] = json!(Timestamp::from_unix_beijing(*t));
            v["openid"] = json!(openid);
            v["coupon_code"] = json!(code);
        }
        v
    }
}

impl State {
    fn upload_pool(&mut self, ctx: &Ctx, stock_id: &str) -> Result<&mut CodePool, ApiError> {
        let stock = self.own_stock(stock_id, &ctx.mchid)?;
        if stock.code_mode != "MERCHANT_UPLOAD" {
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
        stock_id: &str,
        body: &Value,
    ) -> Result<Reply, ApiError> {
        let obj = object(body)?;
        let no = request_no(obj, "upload_request_no", 128)?.to_owned();
        let list = match obj.get("coupon_code_list") {
            Some(Value::Array(a)) if (1..=200).contains(&a.len()) => a,
            other => {
                return Err(ApiError::param(
                    "/coupon_code_list",
                    other.cloned().unwrap_or(Value::Null),
                    "coupon_code_list必须包含1到200个code",
                ));
            }
        };
        let mut codes = Vec::with_capacity(list.len());
        for (i, v) in list.iter().enumerate() {
            match v.as_str() {
                Some(s) => codes.push(s.to_owned()),
                None => {
                    return Err(ApiError::param(
                        &format!("/coupon_code_list/{i}"),
                        v.clone(),
                        "code必须是字符串",
                    ));
                }
            }
        }
        let max = self.own_stock(stock_id, &ctx.mchid)?.max_coupons;
        let scope_no = format!("{stock_id}/{no}");
        self.idempotent("upload_codes", &ctx.mchid, &scope_no, body, |st| {
            let now = ctx.now;
            let pool = st.upload_pool(ctx, stock_id)?;
            let mut seen = HashSet::new();
            let (mut success, mut fail, mut exist, mut dup) = (vec![], vec![], vec![], vec![]);
            let mut fresh = Vec::new();
            for code in &codes {
                if !seen.insert(code.clone()) {
                    if !dup.contains(code) {
                        dup.push(code.clone());
                    }
                    continue;
                }
                if let Err(kind) = check_code(code) {
                    let message = if kind == "LENGTH_LIMIT" {
                        "长度超过最大值32位"
                    } else {
                        "code包含不允许的字符"
                    };
                    fail.push(json!({"coupon_code": code, "code": kind, "message": message}));
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
            let mut out = json!({
                "stock_id": stock_id,
                "total_count": seen.len(),
                "success_count": success.len(),
                "success_codes": success,
                "success_time": Timestamp::from_unix_beijing(now),
                "fail_count": fail.len(),
            });
            if !fail.is_empty() {
                out["fail_codes"] = json!(fail);
            }
            if !exist.is_empty() {
                out["exist_codes"] = json!(exist);
            }
            if !dup.is_empty() {
                out["duplicate_codes"] = json!(dup);
            }
            Ok(Reply::ok(out))
        })
    }

    /// `GET /v3/marketing/busifavor/stocks/{stock_id}/couponcodes`.
    pub(crate) fn list_codes(
        &self,
        ctx: &Ctx,
        stock_id: &str,
        q: &[(String, String)],
    ) -> Result<Reply, ApiError> {
        self.own_stock(stock_id, &ctx.mchid)?;
        let status = query(q, "status");
        if let Some(s) = status
            && s != "AVAILABLE"
            && s != "DISPATCHED"
        {
            return Err(ApiError::param_at(
                "status",
                s,
                "status取值必须是AVAILABLE或DISPATCHED",
                "query",
            ));
        }
        let offset = query_uint(q, "offset", 0, 1_000_000)?;
        let limit = query_uint(q, "limit", 20, 100)?;
        let empty = CodePool::default();
        let pool = self.codes.get(stock_id).unwrap_or(&empty);
        let mut matching: Vec<(&String, &PremadeCode)> = pool
            .codes
            .iter()
            .filter(|(_, c)| match status {
                Some("AVAILABLE") => c.dispatched.is_none(),
                Some(_) => c.dispatched.is_some(),
                None => true,
            })
            .collect();
        matching.sort_by_key(|(_, c)| c.upload_order);
        let data: Vec<Value> = matching
            .iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(100))
            .map(|(k, c)| CodePool::render(k, c))
            .collect();
        Ok(Reply::ok(json!({
            "stock_id": stock_id,
            "total_count": matching.len(),
            "data": data,
            "offset": offset,
            "limit": limit,
        })))
    }

    /// `GET /v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}`.
    pub(crate) fn query_code(
        &self,
        ctx: &Ctx,
        stock_id: &str,
        code: &str,
    ) -> Result<Reply, ApiError> {
        self.own_stock(stock_id, &ctx.mchid)?;
        let c = self
            .codes
            .get(stock_id)
            .and_then(|p| p.codes.get(code))
            .ok_or_else(|| ApiError::not_found(format!("预存code {code} 不存在")))?;
        let mut out = json!({"code_information": CodePool::render(code, c)});
        if c.dispatched.is_some()
            && let Some(coupon) = self.coupons.get(&(stock_id.to_owned(), code.to_owned()))
        {
            out["coupon_information"] = self.render_coupon(coupon, ctx.now);
        }
        Ok(Reply::ok(out))
    }

    /// `DELETE /v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}?delete_request_no=…`.
    pub(crate) fn delete_code(
        &mut self,
        ctx: &Ctx,
        stock_id: &str,
        code: &str,
        q: &[(String, String)],
    ) -> Result<Reply, ApiError> {
        let no = req_query(q, "delete_request_no")?.to_owned();
        if no.len() > 128 || !no.bytes().all(crate::validate::is_request_no_char) {
            return Err(ApiError::param_at(
                "delete_request_no",
                no.as_str(),
                "delete_request_no格式不正确",
                "query",
            ));
        }
        let request = json!({"stock_id": stock_id, "coupon_code": code});
        self.idempotent("delete_code", &ctx.mchid, &no, &request, |st| {
            let pool = st.upload_pool(ctx, stock_id)?;
            match pool.codes.get(code) {
                None => Err(ApiError::not_found(format!("预存code {code} 不存在"))),
                Some(c) if c.dispatched.is_some() => Err(ApiError::invalid("code已发放，不可删除")),
                Some(_) => {
                    pool.codes.remove(code);
                    Ok(Reply::ok(
                        json!({"stock_id": stock_id, "delete_time": Timestamp::from_unix_beijing(ctx.now)}),
                    ))
                }
            }
        })
    }
}
