//! Stocks (批次): what the simulator keeps of one, its budgets and how it is answered (spec
//! §8.2, §9.2).

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::api_error::ApiError;

/// The Beijing calendar day of a Unix time (daily caps reset at midnight Beijing time).
pub(crate) fn beijing_day(unix: i64) -> i64 {
    unix.saturating_add(8 * 3600).div_euclid(86_400)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_midnight() {
        // 2024-01-01T23:59:59+08:00 and 2024-01-02T00:00:00+08:00
        assert_eq!(beijing_day(1_704_124_799) + 1, beijing_day(1_704_124_800));
        // A clock at the end of time does not overflow.
        assert_eq!(beijing_day(i64::MAX), i64::MAX / 86_400);
    }
}
