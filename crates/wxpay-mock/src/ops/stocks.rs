//! Stock operations (spec §8.1–§8.4): what only the server knows — ids, budgets already
//! spent, which fields may change, the values it serves. Field rules are the model's (the
//! request arrives typed and validated, see `crate::request`).

use std::collections::HashMap;

use serde_json::{Map, Value};
use wxpay_model::Timestamp;
use wxpay_model::busifavor::{
    CouponCodeMode, CreateStockRequest, CreateStockResponse, ModifyBudgetRequest,
    ModifyBudgetResponse, ModifyStockRequest, StockInfo, StockState, StockType,
};

use crate::api_error::ApiError;
use crate::state::stocks::{Stock, i64_of, u64_of};
use crate::state::{Ctx, Reply, State};

/// What `PATCH /stocks/{id}` may change (spec §8.3), per object; everything else (owner, type,
/// code mode, budgets, face value, logo, merchant name…) is fixed once created.
const MODIFIABLE: [(&str, &[&str]); 10] = [
    ("out_request_no", &[]),
    ("stock_name", &[]),
    ("comment", &[]),
    ("goods_name", &[]),
    ("subsidy", &[]),
    (
        "custom_entrance",
        &[
            "mini_programs_info",
            "appid",
            "hall_id",
            "code_display_mode",
        ],
    ),
    (
        "display_pattern_info",
        &[
            "description",
            "background_color",
            "coupon_image_url",
            "finder_info",
        ],
    ),
    (
        "coupon_use_rule",
        &["use_method", "mini_programs_appid", "mini_programs_path"],
    ),
    (
        "stock_send_rule",
        &["natural_person_limit", "prevent_api_abuse"],
    ),
    ("notify_config", &["notify_appid"]),
];

/// `PARAM_ERROR` for any field of a modify body that cannot be modified.
fn check_modifiable(body: &Map<String, Value>) -> Result<(), ApiError> {
    let fixed = |pointer: String, value: &Value| {
        Err(ApiError::param(&pointer, value.clone(), "该字段不支持修改"))
    };
    for (key, value) in body {
        let Some((_, inner)) = MODIFIABLE.iter().find(|(k, _)| k == key) else {
            return fixed(format!("/{key}"), value);
        };
        if inner.is_empty() {
            continue;
        }
        let Value::Object(obj) = value else {
            continue;
        };
        if let Some((sub, v)) = obj.iter().find(|(k, _)| !inner.contains(&k.as_str())) {
            return fixed(format!("/{key}/{sub}"), v);
        }
    }
    Ok(())
}

/// A value of an open enum the simulator does not serve (the model keeps unknown values to read
/// leniently; the server refuses them).
fn known(pointer: &str, unknown: bool, value: &str) -> Result<(), ApiError> {
    if unknown {
        return Err(ApiError::param(
            pointer,
            value,
            &format!(
                "{}取值不合法",
                pointer.rsplit('/').next().unwrap_or(pointer)
            ),
        ));
    }
    Ok(())
}

/// The server's rules for a new stock beyond the model's field rules.
fn check_definition(req: &CreateStockRequest) -> Result<(), ApiError> {
    known(
        "/stock_type",
        req.stock_type.is_unknown(),
        req.stock_type.as_str(),
    )?;
    known(
        "/coupon_code_mode",
        req.coupon_code_mode.is_unknown(),
        req.coupon_code_mode.as_str(),
    )?;
    let rule = &req.coupon_use_rule;
    known(
        "/coupon_use_rule/use_method",
        rule.use_method.is_unknown(),
        rule.use_method.as_str(),
    )?;
    if req.stock_send_rule.max_coupons.is_none() {
        return Err(ApiError::param(
            "/stock_send_rule/max_coupons",
            Value::Null,
            "max_coupons为必填参数",
        ));
    }
    if let Some(c) = &rule.fixed_normal_coupon
        && c.discount_amount > c.transaction_minimum
    {
        return Err(ApiError::param(
            "/coupon_use_rule/fixed_normal_coupon/discount_amount",
            c.discount_amount,
            "优惠金额不能大于使用门槛",
        ));
    }
    Ok(())
}

impl State {
    /// `POST /v3/marketing/busifavor/stocks`.
    pub(crate) fn create_stock(
        &mut self,
        ctx: &Ctx,
        req: &CreateStockRequest,
        body: &Value,
    ) -> Result<Reply, ApiError> {
        check_definition(req)?;
        self.idempotent(
            "create_stock",
            &ctx.mchid,
            &req.out_request_no,
            body,
            |st| {
                let rule = &req.coupon_use_rule;
                let times = &rule.coupon_available_time;
                let unit_amount = match (&req.stock_type, &rule.fixed_normal_coupon) {
                    (StockType::Normal, Some(c)) => c.discount_amount.map_or(0, u64_of),
                    _ => 0,
                };
                let stock_id = format!("128{:011}", st.next_seq());
                let stock = Stock {
                    creator: ctx.mchid.clone(),
                    begin: times
                        .available_begin_time
                        .unix_timestamp()
                        .unwrap_or_default(),
                    end: times
                        .available_end_time
                        .unix_timestamp()
                        .unwrap_or_default(),
                    unit_amount,
                    sent: 0,
                    sent_by_day: HashMap::new(),
                    sent_by_user: HashMap::new(),
                    info: StockInfo {
                        stock_name: req.stock_name.clone(),
                        belong_merchant: req.belong_merchant.clone(),
                        comment: req.comment.clone(),
                        goods_name: req.goods_name.clone(),
                        stock_type: req.stock_type.clone(),
                        coupon_use_rule: req.coupon_use_rule.clone(),
                        stock_send_rule: req.stock_send_rule.clone(),
                        custom_entrance: req.custom_entrance.clone(),
                        display_pattern_info: req.display_pattern_info.clone(),
                        stock_state: StockState::Running,
                        coupon_code_mode: req.coupon_code_mode.clone(),
                        stock_id: stock_id.clone(),
                        coupon_code_count: None,
                        notify_config: req.notify_config.clone(),
                        send_count_information: None,
                        subsidy: Some(req.subsidy.unwrap_or(false)),
                    },
                };
                if req.coupon_code_mode == CouponCodeMode::MerchantUpload {
                    st.codes.entry(stock_id.clone()).or_default();
                }
                st.stocks.insert(stock_id.clone(), stock);
                Ok(Reply::answer(&CreateStockResponse {
                    stock_id,
                    create_time: Timestamp::from_unix_beijing(ctx.now).into(),
                }))
            },
        )
    }

    /// `GET /v3/marketing/busifavor/stocks/{stock_id}`.
    pub(crate) fn query_stock(&self, ctx: &Ctx, stock_id: &str) -> Result<Reply, ApiError> {
        let stock = self.own_stock(stock_id, &ctx.mchid)?;
        let counts = (*stock.code_mode() == CouponCodeMode::MerchantUpload).then(|| {
            self.codes
                .get(stock_id)
                .map_or((0, 0), |p| (p.total(), p.available()))
        });
        Ok(Reply::answer(&stock.render(ctx.now, counts)))
    }

    /// `PATCH /v3/marketing/busifavor/stocks/{stock_id}` (204).
    pub(crate) fn modify_stock(
        &mut self,
        ctx: &Ctx,
        req: &ModifyStockRequest,
        body: &Value,
    ) -> Result<Reply, ApiError> {
        if let Value::Object(obj) = body {
            check_modifiable(obj)?;
        }
        if let Some(m) = req
            .coupon_use_rule
            .as_ref()
            .and_then(|r| r.use_method.as_ref())
        {
            known("/coupon_use_rule/use_method", m.is_unknown(), m.as_str())?;
        }
        let stock_id = req.stock_id.as_str();
        let scope_no = format!("{stock_id}/{}", req.out_request_no);
        self.idempotent("modify_stock", &ctx.mchid, &scope_no, body, |st| {
            let stock = st.own_stock_mut(stock_id, &ctx.mchid)?;
            if stock.subsidy() && req.subsidy == Some(false) {
                return Err(ApiError::invalid("营销补差只能由false修改为true"));
            }
            // The modification is a JSON merge of the model's request onto the model's stock.
            let (Ok(mut info), Ok(Value::Object(mut changes))) =
                (serde_json::to_value(&stock.info), serde_json::to_value(req))
            else {
                return Err(ApiError::system("cannot encode the modification"));
            };
            changes.remove("out_request_no");
            merge(&mut info, &Value::Object(changes));
            // A partial object where the stock has none (say `custom_entrance.mini_programs_info`
            // without its required members) leaves no valid stock: refused, nothing changes.
            stock.info = serde_json::from_value(info).map_err(|e| {
                ApiError::param(
                    "/",
                    body.clone(),
                    &format!("修改后的批次信息不完整，请补全必填字段: {e}"),
                )
            })?;
            Ok(Reply::no_content())
        })
    }

    /// `PATCH /v3/marketing/busifavor/stocks/{stock_id}/budget`.
    pub(crate) fn modify_budget(
        &mut self,
        ctx: &Ctx,
        req: &ModifyBudgetRequest,
        body: &Value,
    ) -> Result<Reply, ApiError> {
        let stock_id = req.stock_id.as_str();
        let (target, target_day) = (req.target_max_coupons, req.target_max_coupons_by_day);
        let (current, current_day) = (req.current_max_coupons, req.current_max_coupons_by_day);
        let scope_no = format!("{stock_id}/{}", req.modify_budget_request_no);
        self.idempotent("modify_budget", &ctx.mchid, &scope_no, body, |st| {
            let stock = st.own_stock_mut(stock_id, &ctx.mchid)?;
            if ctx.now >= stock.end {
                return Err(ApiError::invalid("批次已过期，不可修改预算"));
            }
            if let (Some(t), Some(c)) = (target, current) {
                if u64_of(c) != stock.max_coupons() {
                    return Err(ApiError::invalid(format!(
                        "current_max_coupons与批次当前预算{}不一致",
                        stock.max_coupons()
                    )));
                }
                if u64_of(t) < stock.sent {
                    return Err(ApiError::invalid(format!(
                        "目标预算不能小于已发放数量{}",
                        stock.sent
                    )));
                }
                stock.info.stock_send_rule.max_coupons = Some(t);
            }
            if let (Some(t), Some(c)) = (target_day, current_day) {
                if Some(u64_of(c)) != stock.max_coupons_by_day()
                    && !(c == 0 && stock.max_coupons_by_day().is_none())
                {
                    return Err(ApiError::invalid(
                        "current_max_coupons_by_day与批次当前单天预算不一致",
                    ));
                }
                stock.info.stock_send_rule.max_coupons_by_day = Some(t);
            }
            Ok(Reply::answer(&ModifyBudgetResponse {
                max_coupons: i64_of(stock.max_coupons()),
                max_coupons_by_day: stock.max_coupons_by_day().map(i64_of),
            }))
        })
    }
}

/// JSON merge: objects merge key by key, anything else replaces.
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                merge(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (t, p) => *t = p.clone(),
    }
}
