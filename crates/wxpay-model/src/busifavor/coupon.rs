//! A user's coupon (CouponEntity, §9.6) and an uploaded code (CouponCodeEntity, §8.6).

use serde::{Deserialize, Serialize};

use super::enums::{CodeStatus, CouponState, StockType};
use super::rules::{CouponUseRule, CustomEntrance, DisplayPatternInfo};
use crate::time::LenientTimestamp;

/// A coupon held by a user (§9.6), as returned by §8.7, §8.12 and §8.13.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponEntity {
    /// Owning merchant.
    pub belong_merchant: String,
    /// Stock name.
    pub stock_name: String,
    /// Remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Goods name.
    pub goods_name: String,
    /// Kind of coupon.
    pub stock_type: StockType,
    /// Transferable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transferable: Option<bool>,
    /// Shareable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shareable: Option<bool>,
    /// State.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_state: Option<CouponState>,
    /// Display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_pattern_info: Option<DisplayPatternInfo>,
    /// Use rule.
    pub coupon_use_rule: CouponUseRule,
    /// Custom entrance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_entrance: Option<CustomEntrance>,
    /// Coupon code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<String>,
    /// Stock id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_id: Option<String>,
    /// When the coupon becomes usable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_start_time: Option<LenientTimestamp>,
    /// When it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_time: Option<LenientTimestamp>,
    /// When the user received it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receive_time: Option<LenientTimestamp>,
    /// Issuance request number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_request_no: Option<String>,
    /// Redemption request number, once used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_request_no: Option<String>,
    /// Redemption time, once used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_time: Option<LenientTimestamp>,
    /// Associated order (§8.16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associate_out_trade_no: Option<String>,
    /// Return request number, once returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_request_no: Option<String>,
    /// Return time, once returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_time: Option<LenientTimestamp>,
    /// Deactivation request number, once deactivated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deactivate_request_no: Option<String>,
    /// Deactivation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deactivate_time: Option<LenientTimestamp>,
    /// Deactivation reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deactivate_reason: Option<String>,
}

/// An uploaded code (§8.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponCodeEntity {
    /// The uploaded code.
    pub code: String,
    /// Available or dispatched.
    pub code_status: CodeStatus,
    /// When it was uploaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_time: Option<LenientTimestamp>,
    /// When it was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatched_time: Option<LenientTimestamp>,
    /// Receiving user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openid: Option<String>,
    /// Receiving user's unionid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unionid: Option<String>,
    /// The user coupon's code once dispatched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<String>,
}
