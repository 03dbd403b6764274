//! Stocks (批次): create, query, modify, modify budget (spec §8.1–§8.4).

use serde::{Deserialize, Serialize};

use super::enums::{CouponCodeMode, StockState, StockType, UseMethod};
use super::rules::{
    CouponUseRule, CustomEntrance, DisplayPatternInfo, MiniProgramsInfo, NotifyConfig,
    StockSendRule,
};
use super::{BASE, seg};
use crate::error::{Error, ValidationError};
use crate::request::{ApiRequest, Method, NoContent, RequestBody};
use crate::time::LenientTimestamp;
use crate::validate::{self as v, path};

/// `POST /v3/marketing/busifavor/stocks` — create a stock (§8.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateStockRequest {
    /// Stock name, 1..=21 characters.
    pub stock_name: String,
    /// Merchant owning the stock, 8..=15.
    pub belong_merchant: String,
    /// Remark visible to the merchant only, 1..=20 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Goods name shown in the wallet, 1..=15 characters.
    pub goods_name: String,
    /// Kind of coupon.
    pub stock_type: StockType,
    /// Use rule; its discount object must match `stock_type`.
    pub coupon_use_rule: CouponUseRule,
    /// Issuing rule.
    pub stock_send_rule: StockSendRule,
    /// Unique request number, 1..=128 of `A-Z a-z 0-9 | _ * -`.
    pub out_request_no: String,
    /// Custom entrance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_entrance: Option<CustomEntrance>,
    /// Display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_pattern_info: Option<DisplayPatternInfo>,
    /// Who assigns codes.
    pub coupon_code_mode: CouponCodeMode,
    /// Appid for callback openids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_config: Option<NotifyConfig>,
    /// Subsidy enabled ("not open yet").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subsidy: Option<bool>,
}

impl CreateStockRequest {
    /// A request with every required field; optional ones start as `None`.
    ///
    /// Superseded by [`CreateStockRequest::builder`], whose named setters cannot swap the four
    /// strings and which states the stock's type once ([`StockDiscount`](super::StockDiscount)).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        stock_name: impl Into<String>,
        belong_merchant: impl Into<String>,
        goods_name: impl Into<String>,
        stock_type: StockType,
        coupon_use_rule: CouponUseRule,
        stock_send_rule: StockSendRule,
        out_request_no: impl Into<String>,
        coupon_code_mode: CouponCodeMode,
    ) -> Self {
        Self {
            stock_name: stock_name.into(),
            belong_merchant: belong_merchant.into(),
            comment: None,
            goods_name: goods_name.into(),
            stock_type,
            coupon_use_rule,
            stock_send_rule,
            out_request_no: out_request_no.into(),
            custom_entrance: None,
            display_pattern_info: None,
            coupon_code_mode,
            notify_config: None,
            subsidy: None,
        }
    }
}

impl ApiRequest for CreateStockRequest {
    type Response = CreateStockResponse;
    const METHOD: Method = Method::Post;
    const PATH_TEMPLATE: &'static str = "/v3/marketing/busifavor/stocks";
    fn path(&self) -> String {
        format!("{BASE}/stocks")
    }
    fn body(&self) -> Result<RequestBody, Error> {
        RequestBody::json(self)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        v::text("stock_name", &self.stock_name, 1, 21)?;
        v::id("belong_merchant", &self.belong_merchant, 8, 15)?;
        v::opt_text("comment", self.comment.as_ref(), 1, 20)?;
        v::text("goods_name", &self.goods_name, 1, 15)?;
        self.coupon_use_rule
            .check("coupon_use_rule", &self.stock_type)?;
        self.stock_send_rule.check("stock_send_rule")?;
        v::request_no("out_request_no", &self.out_request_no, 128)?;
        if let Some(c) = &self.custom_entrance {
            c.check("custom_entrance")?;
        }
        if let Some(d) = &self.display_pattern_info {
            d.check("display_pattern_info")?;
        }
        if let Some(n) = &self.notify_config {
            n.check("notify_config")?;
        }
        Ok(())
    }
}

/// Answer to [`CreateStockRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateStockResponse {
    /// The new stock's id.
    pub stock_id: String,
    /// When it was created (kept as sent; parsed where RFC 3339).
    pub create_time: LenientTimestamp,
}

/// `GET /v3/marketing/busifavor/stocks/{stock_id}` — query a stock (§8.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryStockRequest {
    /// Stock id, 1..=20 (path).
    pub stock_id: String,
}

impl QueryStockRequest {
    /// Query `stock_id`.
    pub fn new(stock_id: impl Into<String>) -> Self {
        Self {
            stock_id: stock_id.into(),
        }
    }
}

impl ApiRequest for QueryStockRequest {
    type Response = StockInfo;
    const METHOD: Method = Method::Get;
    const PATH_TEMPLATE: &'static str = "/v3/marketing/busifavor/stocks/{stock_id}";
    fn path(&self) -> String {
        format!("{BASE}/stocks/{}", seg(&self.stock_id))
    }
    fn body(&self) -> Result<RequestBody, Error> {
        Ok(RequestBody::Empty)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        v::id("stock_id", &self.stock_id, 1, 20)
    }
}

/// A stock as [`QueryStockRequest`] returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockInfo {
    /// Stock name.
    pub stock_name: String,
    /// Owning merchant.
    pub belong_merchant: String,
    /// Remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Goods name.
    pub goods_name: String,
    /// Kind of coupon.
    pub stock_type: StockType,
    /// Use rule.
    pub coupon_use_rule: CouponUseRule,
    /// Issuing rule.
    pub stock_send_rule: StockSendRule,
    /// Custom entrance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_entrance: Option<CustomEntrance>,
    /// Display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_pattern_info: Option<DisplayPatternInfo>,
    /// State (`STOPED` sic).
    pub stock_state: StockState,
    /// Who assigns codes.
    pub coupon_code_mode: CouponCodeMode,
    /// Stock id.
    pub stock_id: String,
    /// Uploaded-code counts (`MERCHANT_UPLOAD` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_code_count: Option<CouponCodeCount>,
    /// Callback appid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_config: Option<NotifyConfig>,
    /// Issuing statistics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_count_information: Option<SendCountInformation>,
    /// Subsidy enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subsidy: Option<bool>,
}

/// `coupon_code_count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponCodeCount {
    /// Codes uploaded.
    pub total_count: i64,
    /// Codes still available.
    pub available_count: i64,
}

/// `send_count_information`; amounts in fen, only for `NORMAL` stocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SendCountInformation {
    /// Coupons issued in total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_send_num: Option<i64>,
    /// Amount issued in total, fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_send_amount: Option<i64>,
    /// Coupons issued today (only with a daily cap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub today_send_num: Option<i64>,
    /// Amount issued today, fen (only with a daily cap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub today_send_amount: Option<i64>,
}

/// `PATCH /v3/marketing/busifavor/stocks/{stock_id}` — modify a stock (§8.3); answers 204.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ModifyStockRequest {
    /// Stock id (path; never in the body).
    #[serde(skip)]
    pub stock_id: String,
    /// Unique per modification, 1..=128 of `A-Z a-z 0-9 | _ * -`.
    pub out_request_no: String,
    /// New custom entrance (no `store_id` here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_entrance: Option<ModifyCustomEntrance>,
    /// New name, ≤21 characters ("cannot be modified currently").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_name: Option<String>,
    /// New remark, ≤20 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// New goods name, ≤15 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goods_name: Option<String>,
    /// New display (logo and merchant name cannot be modified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_pattern_info: Option<DisplayPatternInfo>,
    /// New use method and mini-program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_use_rule: Option<ModifyCouponUseRule>,
    /// New send rule flags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_send_rule: Option<ModifyStockSendRule>,
    /// New callback appid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_config: Option<NotifyConfig>,
    /// Enable subsidy (false → true only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subsidy: Option<bool>,
}

impl ModifyStockRequest {
    /// Modify `stock_id` under request number `out_request_no`; set the fields to change.
    pub fn new(stock_id: impl Into<String>, out_request_no: impl Into<String>) -> Self {
        Self {
            stock_id: stock_id.into(),
            out_request_no: out_request_no.into(),
            ..Self::default()
        }
    }
}

impl ApiRequest for ModifyStockRequest {
    type Response = NoContent;
    const METHOD: Method = Method::Patch;
    const PATH_TEMPLATE: &'static str = "/v3/marketing/busifavor/stocks/{stock_id}";
    fn path(&self) -> String {
        format!("{BASE}/stocks/{}", seg(&self.stock_id))
    }
    fn body(&self) -> Result<RequestBody, Error> {
        RequestBody::json(self)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        v::id("stock_id", &self.stock_id, 1, 20)?;
        v::id("out_request_no", &self.out_request_no, 1, 128)?;
        if let Some(c) = &self.custom_entrance {
            c.check("custom_entrance")?;
        }
        v::opt_text("stock_name", self.stock_name.as_ref(), 1, 21)?;
        v::opt_text("comment", self.comment.as_ref(), 1, 20)?;
        v::opt_text("goods_name", self.goods_name.as_ref(), 1, 15)?;
        if let Some(d) = &self.display_pattern_info {
            d.check("display_pattern_info")?;
        }
        if let Some(r) = &self.coupon_use_rule {
            v::opt_id(
                "coupon_use_rule.mini_programs_appid",
                r.mini_programs_appid.as_ref(),
                1,
                32,
            )?;
            v::opt_text(
                "coupon_use_rule.mini_programs_path",
                r.mini_programs_path.as_ref(),
                1,
                128,
            )?;
        }
        if let Some(n) = &self.notify_config {
            n.check("notify_config")?;
        }
        Ok(())
    }
}

/// `custom_entrance` of [`ModifyStockRequest`]: every field optional, no `store_id`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ModifyCustomEntrance {
    /// Mini-program entrance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mini_programs_info: Option<ModifyMiniProgramsInfo>,
    /// Official account appid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    /// Marketing hall id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hall_id: Option<String>,
    /// How the code is displayed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_display_mode: Option<super::enums::CodeDisplayMode>,
}

impl ModifyCustomEntrance {
    fn check(&self, p: &str) -> Result<(), ValidationError> {
        if let Some(m) = &self.mini_programs_info {
            let p = path(p, "mini_programs_info");
            v::opt_id(
                &path(&p, "mini_programs_appid"),
                m.mini_programs_appid.as_ref(),
                1,
                32,
            )?;
            v::opt_text(
                &path(&p, "mini_programs_path"),
                m.mini_programs_path.as_ref(),
                1,
                128,
            )?;
            v::opt_text(&path(&p, "entrance_words"), m.entrance_words.as_ref(), 1, 5)?;
            v::opt_text(&path(&p, "guiding_words"), m.guiding_words.as_ref(), 1, 6)?;
        }
        v::opt_id(&path(p, "appid"), self.appid.as_ref(), 1, 32)?;
        v::opt_id(&path(p, "hall_id"), self.hall_id.as_ref(), 1, 64)
    }
}

/// `mini_programs_info` of a modification: every field optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ModifyMiniProgramsInfo {
    /// Mini-program appid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mini_programs_appid: Option<String>,
    /// Page path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mini_programs_path: Option<String>,
    /// Entrance text, ≤5 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrance_words: Option<String>,
    /// Guiding text, ≤6 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guiding_words: Option<String>,
}

impl From<MiniProgramsInfo> for ModifyMiniProgramsInfo {
    fn from(m: MiniProgramsInfo) -> Self {
        Self {
            mini_programs_appid: Some(m.mini_programs_appid),
            mini_programs_path: Some(m.mini_programs_path),
            entrance_words: Some(m.entrance_words),
            guiding_words: m.guiding_words,
        }
    }
}

/// `coupon_use_rule` of a modification: only these three fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ModifyCouponUseRule {
    /// Use method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_method: Option<UseMethod>,
    /// Mini-program appid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mini_programs_appid: Option<String>,
    /// Mini-program path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mini_programs_path: Option<String>,
}

/// `stock_send_rule` of a modification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ModifyStockSendRule {
    /// Natural-person limit ("cannot be modified currently").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub natural_person_limit: Option<bool>,
    /// Anti-abuse checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prevent_api_abuse: Option<bool>,
}

/// `PATCH /v3/marketing/busifavor/stocks/{stock_id}/budget` — change the total or the daily cap
/// (§8.4). Exactly one target; use [`ModifyBudgetRequest::max_coupons`] or
/// [`ModifyBudgetRequest::max_coupons_by_day`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ModifyBudgetRequest {
    /// Stock id (path; never in the body).
    #[serde(skip)]
    pub stock_id: String,
    /// New total cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_max_coupons: Option<i64>,
    /// New daily cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_max_coupons_by_day: Option<i64>,
    /// Current total cap (optimistic check), required with `target_max_coupons`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_max_coupons: Option<i64>,
    /// Current daily cap, required with `target_max_coupons_by_day`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_max_coupons_by_day: Option<i64>,
    /// Request number, 1..=128.
    pub modify_budget_request_no: String,
}

impl ModifyBudgetRequest {
    /// Change the total cap from `current` to `target`.
    pub fn max_coupons(
        stock_id: impl Into<String>,
        current: i64,
        target: i64,
        request_no: impl Into<String>,
    ) -> Self {
        Self {
            stock_id: stock_id.into(),
            target_max_coupons: Some(target),
            current_max_coupons: Some(current),
            modify_budget_request_no: request_no.into(),
            ..Self::default()
        }
    }

    /// Change the daily cap from `current` to `target`.
    pub fn max_coupons_by_day(
        stock_id: impl Into<String>,
        current: i64,
        target: i64,
        request_no: impl Into<String>,
    ) -> Self {
        Self {
            stock_id: stock_id.into(),
            target_max_coupons_by_day: Some(target),
            current_max_coupons_by_day: Some(current),
            modify_budget_request_no: request_no.into(),
            ..Self::default()
        }
    }
}

impl ApiRequest for ModifyBudgetRequest {
    type Response = ModifyBudgetResponse;
    const METHOD: Method = Method::Patch;
    const PATH_TEMPLATE: &'static str = "/v3/marketing/busifavor/stocks/{stock_id}/budget";
    fn path(&self) -> String {
        format!("{BASE}/stocks/{}/budget", seg(&self.stock_id))
    }
    fn body(&self) -> Result<RequestBody, Error> {
        RequestBody::json(self)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        v::id("stock_id", &self.stock_id, 1, 20)?;
        let total = self.target_max_coupons.is_some();
        let daily = self.target_max_coupons_by_day.is_some();
        v::rule(
            "target_max_coupons",
            total != daily,
            "be set exactly once: either target_max_coupons or target_max_coupons_by_day",
            || if total { "both set" } else { "neither set" }.to_owned(),
        )?;
        v::opt_range(
            "target_max_coupons",
            self.target_max_coupons,
            1,
            1_000_000_000,
        )?;
        v::opt_range(
            "target_max_coupons_by_day",
            self.target_max_coupons_by_day,
            1,
            1_000_000_000,
        )?;
        v::opt_range(
            "current_max_coupons",
            self.current_max_coupons,
            1,
            1_000_000_000,
        )?;
        v::opt_range(
            "current_max_coupons_by_day",
            self.current_max_coupons_by_day,
            1,
            1_000_000_000,
        )?;
        if total {
            v::rule(
                "current_max_coupons",
                self.current_max_coupons.is_some(),
                "be set with target_max_coupons",
                || "absent".to_owned(),
            )?;
        }
        if daily {
            v::rule(
                "current_max_coupons_by_day",
                self.current_max_coupons_by_day.is_some(),
                "be set with target_max_coupons_by_day",
                || "absent".to_owned(),
            )?;
        }
        v::id(
            "modify_budget_request_no",
            &self.modify_budget_request_no,
            1,
            128,
        )
    }
}

/// Answer to [`ModifyBudgetRequest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifyBudgetResponse {
    /// Total cap now.
    pub max_coupons: i64,
    /// Daily cap now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_coupons_by_day: Option<i64>,
}
