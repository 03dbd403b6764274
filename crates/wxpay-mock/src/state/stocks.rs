//! Stocks (批次): create, query, modify, budget (spec §8.1–§8.4, §9.1–§9.4).

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::{Ctx, Reply, State, beijing_day};
use crate::api_error::ApiError;
use crate::validate::{
    object, opt_bool, opt_int, opt_obj, opt_str, req_enum, req_int, req_obj, req_str, req_time,
    request_no,
};
use wxpay_model::Timestamp;

/// Stock states (spec §8.2; `STOPED` is WeChat's spelling).
pub const STOCK_STATES: [&str; 4] = ["UNAUDIT", "RUNNING", "STOPED", "PAUSED"];

const STOCK_TYPES: [&str; 3] = ["NORMAL", "DISCOUNT", "EXCHANGE"];
const CODE_MODES: [&str; 3] = ["WECHATPAY_MODE", "MERCHANT_API", "MERCHANT_UPLOAD"];
const USE_METHODS: [&str; 4] = ["OFF_LINE", "MINI_PROGRAMS", "PAYMENT_CODE", "SELF_CONSUME"];

/// Top-level fields of a stock definition (spec §8.1); anything else in a create body is ignored
/// rather than stored and echoed by queries.
const DEFINITION_FIELDS: [&str; 12] = [
    "stock_name",
    "belong_merchant",
    "comment",
    "goods_name",
    "stock_type",
    "coupon_use_rule",
    "stock_send_rule",
    "custom_entrance",
    "display_pattern_info",
    "coupon_code_mode",
    "notify_config",
    "subsidy",
];

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
        let Some(obj) = opt_obj(body, "", key)? else {
            continue;
        };
        if let Some((sub, v)) = obj.iter().find(|(k, _)| !inner.contains(&k.as_str())) {
            return fixed(format!("/{key}/{sub}"), v);
        }
    }
    Ok(())
}

/// One stock.
#[derive(Debug, Clone)]
pub(crate) struct Stock {
    pub(crate) stock_id: String,
    pub(crate) creator: String,
    /// The definition as created/modified (without `out_request_no`), echoed by queries.
    pub(crate) def: Map<String, Value>,
    pub(crate) state: String,
    pub(crate) stock_type: String,
    pub(crate) code_mode: String,
    pub(crate) begin: i64,
    pub(crate) end: i64,
    pub(crate) max_coupons: u64,
    pub(crate) max_coupons_per_user: u64,
    pub(crate) max_coupons_by_day: Option<u64>,
    pub(crate) max_amount: Option<u64>,
    pub(crate) max_amount_by_day: Option<u64>,
    /// Face value per coupon for amount budgets (NORMAL: discount_amount; others 0).
    pub(crate) unit_amount: u64,
    pub(crate) sent: u64,
    pub(crate) sent_by_day: HashMap<i64, u64>,
    pub(crate) sent_by_user: HashMap<String, u64>,
    pub(crate) subsidy: bool,
}

impl Stock {
    pub(crate) fn belong_merchant(&self) -> &str {
        self.def
            .get("belong_merchant")
            .and_then(Value::as_str)
            .unwrap_or(&self.creator)
    }

    /// Creator and owning merchant may operate the stock.
    pub(crate) fn visible_to(&self, mchid: &str) -> bool {
        self.creator == mchid || self.belong_merchant() == mchid
    }

    pub(crate) fn notify_appid(&self) -> Option<&str> {
        self.def
            .get("notify_config")
            .and_then(|c| c.get("notify_appid"))
            .and_then(Value::as_str)
    }

    pub(crate) fn use_rule(&self) -> &Map<String, Value> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        self.def
            .get("coupon_use_rule")
            .and_then(Value::as_object)
            .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
    }

    /// Days a coupon stays valid after it becomes available, and days to wait before that.
    pub(crate) fn day_rules(&self) -> (Option<i64>, i64) {
        let t = self.use_rule().get("coupon_available_time");
        let get = |k: &str| t.and_then(|t| t.get(k)).and_then(Value::as_i64);
        (
            get("available_day_after_receive"),
            get("wait_days_after_receive").unwrap_or(0),
        )
    }

    /// The discount a coupon gives (NORMAL: fixed amount; DISCOUNT: unlimited here), for
    /// subsidy checks.
    pub(crate) fn max_discount(&self) -> Option<u64> {
        match self.stock_type.as_str() {
            "NORMAL" => Some(self.unit_amount),
            _ => None,
        }
    }

    /// Checks that one more coupon may be issued to `openid` now.
    pub(crate) fn check_issuable(&self, openid: &str, now: i64) -> Result<(), ApiError> {
        if self.state != "RUNNING" {
            return Err(ApiError::invalid(format!(
                "批次{}当前状态为{}，不可发券",
                self.stock_id, self.state
            )));
        }
        if now < self.begin || now > self.end {
            return Err(ApiError::invalid(format!(
                "批次{}不在发放时间内",
                self.stock_id
            )));
        }
        if self.sent >= self.max_coupons {
            return Err(ApiError::invalid("批次预算已用完，请调整预算后重试"));
        }
        if let Some(max) = self.max_amount
            && (self.sent + 1).saturating_mul(self.unit_amount) > max
        {
            return Err(ApiError::invalid("批次预算金额已用完，请调整预算后重试"));
        }
        let today = self
            .sent_by_day
            .get(&beijing_day(now))
            .copied()
            .unwrap_or(0);
        if let Some(max) = self.max_coupons_by_day
            && today >= max
        {
            return Err(ApiError::invalid("批次今日发放数量已达上限"));
        }
        if let Some(max) = self.max_amount_by_day
            && (today + 1).saturating_mul(self.unit_amount) > max
        {
            return Err(ApiError::invalid("批次今日发放金额已达上限"));
        }
        if self.sent_by_user.get(openid).copied().unwrap_or(0) >= self.max_coupons_per_user {
            return Err(ApiError::invalid("用户领券数量已达上限"));
        }
        Ok(())
    }

    /// Counts one issued coupon.
    pub(crate) fn record_issue(&mut self, openid: &str, now: i64) {
        self.sent += 1;
        *self.sent_by_day.entry(beijing_day(now)).or_default() += 1;
        *self.sent_by_user.entry(openid.to_owned()).or_default() += 1;
    }

    /// The query answer of spec §8.2.
    pub(crate) fn render(&self, now: i64, code_count: Option<(u64, u64)>) -> Value {
        let mut v = self.def.clone();
        if let Some(Value::Object(rule)) = v.get_mut("stock_send_rule") {
            rule.insert("max_coupons".into(), json!(self.max_coupons));
            if let Some(n) = self.max_coupons_by_day {
                rule.insert("max_coupons_by_day".into(), json!(n));
            }
        }
        v.insert("stock_id".into(), json!(self.stock_id));
        v.insert("stock_state".into(), json!(self.state));
        v.insert("subsidy".into(), json!(self.subsidy));
        let today = self
            .sent_by_day
            .get(&beijing_day(now))
            .copied()
            .unwrap_or(0);
        let mut info = json!({"total_send_num": self.sent});
        if self.stock_type == "NORMAL" {
            info["total_send_amount"] = json!(self.sent * self.unit_amount);
        }
        if self.max_coupons_by_day.is_some() || self.max_amount_by_day.is_some() {
            info["today_send_num"] = json!(today);
            if self.stock_type == "NORMAL" {
                info["today_send_amount"] = json!(today * self.unit_amount);
            }
        }
        v.insert("send_count_information".into(), info);
        if let Some((total, available)) = code_count {
            v.insert(
                "coupon_code_count".into(),
                json!({"total_count": total, "available_count": available}),
            );
        }
        Value::Object(v)
    }
}

fn u64_of(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Validates a create-stock body, spec §8.1 and §9.
fn check_definition(body: &Map<String, Value>) -> Result<(), ApiError> {
    req_str(body, "", "stock_name", 1, 21)?;
    req_str(body, "", "belong_merchant", 8, 15)?;
    opt_str(body, "", "comment", 1, 20)?;
    req_str(body, "", "goods_name", 1, 15)?;
    let stock_type = req_enum(body, "", "stock_type", &STOCK_TYPES)?;
    req_enum(body, "", "coupon_code_mode", &CODE_MODES)?;
    let rule = req_obj(body, "", "coupon_use_rule")?;
    let times = req_obj(rule, "/coupon_use_rule", "coupon_available_time")?;
    let tp = "/coupon_use_rule/coupon_available_time";
    let begin = req_time(times, tp, "available_begin_time")?;
    let end = req_time(times, tp, "available_end_time")?;
    if end <= begin {
        return Err(ApiError::param(
            &format!("{tp}/available_end_time"),
            times
                .get("available_end_time")
                .cloned()
                .unwrap_or(Value::Null),
            "结束时间必须晚于开始时间",
        ));
    }
    if end - begin > 366 * 86_400 {
        return Err(ApiError::param(
            &format!("{tp}/available_end_time"),
            times
                .get("available_end_time")
                .cloned()
                .unwrap_or(Value::Null),
            "批次有效期不能超过1年",
        ));
    }
    opt_int(times, tp, "available_day_after_receive", 1, 365)?;
    let wait = opt_int(times, tp, "wait_days_after_receive", 0, 30)?;
    if wait.is_some() && times.get("available_day_after_receive").is_none() {
        return Err(ApiError::param(
            &format!("{tp}/wait_days_after_receive"),
            json!(wait),
            "wait_days_after_receive须与available_day_after_receive同时使用",
        ));
    }
    req_enum(rule, "/coupon_use_rule", "use_method", &USE_METHODS)?;
    let (wanted, min) = match stock_type {
        "NORMAL" => ("fixed_normal_coupon", 1),
        "DISCOUNT" => ("discount_coupon", 1),
        _ => ("exchange_coupon", 0),
    };
    for other in ["fixed_normal_coupon", "discount_coupon", "exchange_coupon"] {
        if other != wanted && rule.get(other).is_some_and(|v| !v.is_null()) {
            return Err(ApiError::param(
                &format!("/coupon_use_rule/{other}"),
                rule.get(other).cloned().unwrap_or(Value::Null),
                &format!("stock_type为{stock_type}时只能填写{wanted}"),
            ));
        }
    }
    let p = format!("/coupon_use_rule/{wanted}");
    let specific = req_obj(rule, "/coupon_use_rule", wanted)?;
    match wanted {
        "fixed_normal_coupon" => {
            let d = req_int(specific, &p, "discount_amount", min, 10_000_000)?;
            let t = req_int(specific, &p, "transaction_minimum", 1, 10_000_000)?;
            if d > t {
                return Err(ApiError::param(
                    &format!("{p}/discount_amount"),
                    d,
                    "优惠金额不能大于使用门槛",
                ));
            }
        }
        "discount_coupon" => {
            req_int(specific, &p, "discount_percent", 1, 100)?;
            req_int(specific, &p, "transaction_minimum", 0, 10_000_000)?;
        }
        _ => {
            req_int(specific, &p, "exchange_price", min, 10_000_000)?;
            req_int(specific, &p, "transaction_minimum", 0, 10_000_000)?;
        }
    }
    let send = req_obj(body, "", "stock_send_rule")?;
    req_int(send, "/stock_send_rule", "max_coupons", 1, 1_000_000_000)?;
    req_int(send, "/stock_send_rule", "max_coupons_per_user", 1, 100)?;
    opt_int(
        send,
        "/stock_send_rule",
        "max_coupons_by_day",
        1,
        1_000_000_000,
    )?;
    opt_int(send, "/stock_send_rule", "max_amount", 1, 100_000_000_000)?;
    opt_int(
        send,
        "/stock_send_rule",
        "max_amount_by_day",
        1,
        100_000_000_000,
    )?;
    for flag in [
        "natural_person_limit",
        "prevent_api_abuse",
        "transferable",
        "shareable",
    ] {
        opt_bool(send, "/stock_send_rule", flag)?;
    }
    if let Some(cfg) = opt_obj(body, "", "notify_config")? {
        opt_str(cfg, "/notify_config", "notify_appid", 1, 64)?;
    }
    opt_obj(body, "", "custom_entrance")?;
    opt_obj(body, "", "display_pattern_info")?;
    opt_bool(body, "", "subsidy")?;
    Ok(())
}

fn amount_of(rule: &Map<String, Value>, stock_type: &str) -> u64 {
    if stock_type == "NORMAL" {
        rule.get("fixed_normal_coupon")
            .and_then(|c| c.get("discount_amount"))
            .and_then(Value::as_i64)
            .map_or(0, u64_of)
    } else {
        0
    }
}

impl State {
    /// `POST /v3/marketing/busifavor/stocks`.
    pub(crate) fn create_stock(&mut self, ctx: &Ctx, body: &Value) -> Result<Reply, ApiError> {
        let obj = object(body)?;
        let no = request_no(obj, "out_request_no", 128)?.to_owned();
        check_definition(obj)?;
        self.idempotent("create_stock", &ctx.mchid, &no, body, |st| {
            let mut def = obj.clone();
            def.retain(|k, _| DEFINITION_FIELDS.contains(&k.as_str()));
            let stock_type = def["stock_type"].as_str().unwrap_or("NORMAL").to_owned();
            let code_mode = def["coupon_code_mode"]
                .as_str()
                .unwrap_or("WECHATPAY_MODE")
                .to_owned();
            let rule = def["coupon_use_rule"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            let times = &rule["coupon_available_time"];
            let time = |k: &str| {
                times[k]
                    .as_str()
                    .and_then(|s| Timestamp::parse(s).ok())
                    .map(|t| t.unix_timestamp())
                    .unwrap_or(0)
            };
            let send = &def["stock_send_rule"];
            let int = |k: &str| send[k].as_i64().map(u64_of);
            let stock_id = format!("128{:011}", st.next_seq());
            let stock = Stock {
                stock_id: stock_id.clone(),
                creator: ctx.mchid.clone(),
                state: "RUNNING".to_owned(),
                begin: time("available_begin_time"),
                end: time("available_end_time"),
                max_coupons: int("max_coupons").unwrap_or(0),
                max_coupons_per_user: int("max_coupons_per_user").unwrap_or(1),
                max_coupons_by_day: int("max_coupons_by_day"),
                max_amount: int("max_amount"),
                max_amount_by_day: int("max_amount_by_day"),
                unit_amount: amount_of(&rule, &stock_type),
                sent: 0,
                sent_by_day: HashMap::new(),
                sent_by_user: HashMap::new(),
                subsidy: def.get("subsidy").and_then(Value::as_bool).unwrap_or(false),
                stock_type,
                code_mode,
                def,
            };
            if stock.code_mode == "MERCHANT_UPLOAD" {
                st.codes.entry(stock_id.clone()).or_default();
            }
            st.stocks.insert(stock_id.clone(), stock);
            Ok(Reply::ok(
                json!({"stock_id": stock_id, "create_time": Timestamp::from_unix_beijing(ctx.now)}),
            ))
        })
    }

    /// `GET /v3/marketing/busifavor/stocks/{stock_id}`.
    pub(crate) fn query_stock(&self, ctx: &Ctx, stock_id: &str) -> Result<Reply, ApiError> {
        let stock = self.own_stock(stock_id, &ctx.mchid)?;
        let counts = (stock.code_mode == "MERCHANT_UPLOAD").then(|| {
            self.codes
                .get(stock_id)
                .map_or((0, 0), |p| (p.total(), p.available()))
        });
        Ok(Reply::ok(stock.render(ctx.now, counts)))
    }

    /// `PATCH /v3/marketing/busifavor/stocks/{stock_id}` (204).
    pub(crate) fn modify_stock(
        &mut self,
        ctx: &Ctx,
        stock_id: &str,
        body: &Value,
    ) -> Result<Reply, ApiError> {
        let obj = object(body)?;
        let no = request_no(obj, "out_request_no", 128)?.to_owned();
        opt_str(obj, "", "stock_name", 1, 21)?;
        opt_str(obj, "", "comment", 1, 20)?;
        opt_str(obj, "", "goods_name", 1, 15)?;
        let subsidy = opt_bool(obj, "", "subsidy")?;
        check_modifiable(obj)?;
        if let Some(rule) = opt_obj(obj, "", "coupon_use_rule")?
            && rule.contains_key("use_method")
        {
            req_enum(rule, "/coupon_use_rule", "use_method", &USE_METHODS)?;
        }
        if let Some(send) = opt_obj(obj, "", "stock_send_rule")? {
            opt_bool(send, "/stock_send_rule", "natural_person_limit")?;
            opt_bool(send, "/stock_send_rule", "prevent_api_abuse")?;
        }
        if let Some(cfg) = opt_obj(obj, "", "notify_config")? {
            opt_str(cfg, "/notify_config", "notify_appid", 1, 64)?;
        }
        let scope_no = format!("{stock_id}/{no}");
        self.idempotent("modify_stock", &ctx.mchid, &scope_no, body, |st| {
            let stock = st.own_stock_mut(stock_id, &ctx.mchid)?;
            if stock.subsidy && subsidy == Some(false) {
                return Err(ApiError::invalid("营销补差只能由false修改为true"));
            }
            for (key, value) in obj {
                match key.as_str() {
                    "out_request_no" => {}
                    "coupon_use_rule"
                    | "stock_send_rule"
                    | "display_pattern_info"
                    | "custom_entrance"
                    | "notify_config" => {
                        merge(stock.def.entry(key.clone()).or_insert(json!({})), value);
                    }
                    _ => {
                        stock.def.insert(key.clone(), value.clone());
                    }
                }
            }
            if let Some(s) = subsidy {
                stock.subsidy = s;
            }
            Ok(Reply::no_content())
        })
    }

    /// `PATCH /v3/marketing/busifavor/stocks/{stock_id}/budget`.
    pub(crate) fn modify_budget(
        &mut self,
        ctx: &Ctx,
        stock_id: &str,
        body: &Value,
    ) -> Result<Reply, ApiError> {
        let obj = object(body)?;
        let no = request_no(obj, "modify_budget_request_no", 128)?.to_owned();
        let target = opt_int(obj, "", "target_max_coupons", 1, 1_000_000_000)?;
        let target_day = opt_int(obj, "", "target_max_coupons_by_day", 1, 1_000_000_000)?;
        let current = opt_int(obj, "", "current_max_coupons", 0, 1_000_000_000)?;
        let current_day = opt_int(obj, "", "current_max_coupons_by_day", 0, 1_000_000_000)?;
        if target.is_some() == target_day.is_some() {
            return Err(ApiError::param(
                "/target_max_coupons",
                obj.get("target_max_coupons")
                    .cloned()
                    .unwrap_or(Value::Null),
                "target_max_coupons与target_max_coupons_by_day必须且只能填写一个",
            ));
        }
        if target.is_some() && current.is_none() {
            return Err(ApiError::param(
                "/current_max_coupons",
                Value::Null,
                "修改总预算时current_max_coupons为必填",
            ));
        }
        if target_day.is_some() && current_day.is_none() {
            return Err(ApiError::param(
                "/current_max_coupons_by_day",
                Value::Null,
                "修改单天预算时current_max_coupons_by_day为必填",
            ));
        }
        let scope_no = format!("{stock_id}/{no}");
        self.idempotent("modify_budget", &ctx.mchid, &scope_no, body, |st| {
            let stock = st.own_stock_mut(stock_id, &ctx.mchid)?;
            if ctx.now >= stock.end {
                return Err(ApiError::invalid("批次已过期，不可修改预算"));
            }
            if let (Some(t), Some(c)) = (target, current) {
                if u64_of(c) != stock.max_coupons {
                    return Err(ApiError::invalid(format!(
                        "current_max_coupons与批次当前预算{}不一致",
                        stock.max_coupons
                    )));
                }
                if u64_of(t) < stock.sent {
                    return Err(ApiError::invalid(format!(
                        "目标预算不能小于已发放数量{}",
                        stock.sent
                    )));
                }
                stock.max_coupons = u64_of(t);
            }
            if let (Some(t), Some(c)) = (target_day, current_day) {
                if Some(u64_of(c)) != stock.max_coupons_by_day
                    && !(c == 0 && stock.max_coupons_by_day.is_none())
                {
                    return Err(ApiError::invalid(
                        "current_max_coupons_by_day与批次当前单天预算不一致",
                    ));
                }
                stock.max_coupons_by_day = Some(u64_of(t));
            }
            let mut out = json!({"max_coupons": stock.max_coupons});
            if let Some(d) = stock.max_coupons_by_day {
                out["max_coupons_by_day"] = json!(d);
            }
            Ok(Reply::ok(out))
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
