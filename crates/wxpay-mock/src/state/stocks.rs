//! Stocks (批次): what the simulator keeps of one, its budgets and how it is answered (spec
//! §8.2, §9.2). The definition is kept as the model's [`StockInfo`] (state, type and code mode
//! are the model's enums); what only the server knows — issue counters — sits beside it.

use std::collections::HashMap;

use wxpay_model::busifavor::{
    CouponCodeCount, CouponCodeMode, SendCountInformation, StockInfo, StockState, StockType,
};

use crate::api_error::ApiError;

/// The Beijing calendar day of a Unix time (daily caps reset at midnight Beijing time).
pub(crate) fn beijing_day(unix: i64) -> i64 {
    unix.saturating_add(8 * 3600).div_euclid(86_400)
}

/// A wire count or amount as the unsigned number the budgets use (negative reads as 0).
pub(crate) fn u64_of(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// A counter as the wire's signed integer (saturating).
pub(crate) fn i64_of(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// One stock.
#[derive(Debug, Clone)]
pub(crate) struct Stock {
    pub(crate) creator: String,
    /// The definition as created/modified, in the shape queries answer; `stock_send_rule`
    /// holds the current budgets, `stock_state` the current state.
    pub(crate) info: StockInfo,
    /// Validity window, Unix seconds (parsed once from `coupon_available_time`).
    pub(crate) begin: i64,
    pub(crate) end: i64,
    /// Face value per coupon for amount budgets (NORMAL: discount_amount; others 0).
    pub(crate) unit_amount: u64,
    pub(crate) sent: u64,
    pub(crate) sent_by_day: HashMap<i64, u64>,
    pub(crate) sent_by_user: HashMap<String, u64>,
}

impl Stock {
    pub(crate) fn stock_id(&self) -> &str {
        &self.info.stock_id
    }

    pub(crate) fn belong_merchant(&self) -> &str {
        &self.info.belong_merchant
    }

    pub(crate) fn code_mode(&self) -> &CouponCodeMode {
        &self.info.coupon_code_mode
    }

    pub(crate) fn stock_type(&self) -> &StockType {
        &self.info.stock_type
    }

    pub(crate) fn subsidy(&self) -> bool {
        self.info.subsidy == Some(true)
    }

    /// The total coupon budget.
    pub(crate) fn max_coupons(&self) -> u64 {
        self.info.stock_send_rule.max_coupons.map_or(0, u64_of)
    }

    /// The daily coupon cap, if any.
    pub(crate) fn max_coupons_by_day(&self) -> Option<u64> {
        self.info.stock_send_rule.max_coupons_by_day.map(u64_of)
    }

    /// Creator and owning merchant may operate the stock.
    pub(crate) fn visible_to(&self, mchid: &str) -> bool {
        self.creator == mchid || self.belong_merchant() == mchid
    }

    pub(crate) fn notify_appid(&self) -> Option<&str> {
        self.info
            .notify_config
            .as_ref()
            .and_then(|c| c.notify_appid.as_deref())
    }

    /// Days a coupon stays valid after it becomes available, and days to wait before that.
    pub(crate) fn day_rules(&self) -> (Option<i64>, i64) {
        let t = &self.info.coupon_use_rule.coupon_available_time;
        (
            t.available_day_after_receive,
            t.wait_days_after_receive.unwrap_or(0),
        )
    }

    /// The discount a coupon gives (NORMAL: fixed amount; DISCOUNT: unlimited here), for
    /// subsidy checks.
    pub(crate) fn max_discount(&self) -> Option<u64> {
        (*self.stock_type() == StockType::Normal).then_some(self.unit_amount)
    }

    /// Checks that one more coupon may be issued to `openid` now.
    pub(crate) fn check_issuable(&self, openid: &str, now: i64) -> Result<(), ApiError> {
        if self.info.stock_state != StockState::Running {
            return Err(ApiError::invalid(format!(
                "批次{}当前状态为{}，不可发券",
                self.stock_id(),
                self.info.stock_state
            )));
        }
        if now < self.begin || now > self.end {
            return Err(ApiError::invalid(format!(
                "批次{}不在发放时间内",
                self.stock_id()
            )));
        }
        if self.sent >= self.max_coupons() {
            return Err(ApiError::invalid("批次预算已用完，请调整预算后重试"));
        }
        let rule = &self.info.stock_send_rule;
        if let Some(max) = rule.max_amount.map(u64_of)
            && (self.sent + 1).saturating_mul(self.unit_amount) > max
        {
            return Err(ApiError::invalid("批次预算金额已用完，请调整预算后重试"));
        }
        let today = self.sent_on(now);
        if let Some(max) = self.max_coupons_by_day()
            && today >= max
        {
            return Err(ApiError::invalid("批次今日发放数量已达上限"));
        }
        if let Some(max) = rule.max_amount_by_day.map(u64_of)
            && (today + 1).saturating_mul(self.unit_amount) > max
        {
            return Err(ApiError::invalid("批次今日发放金额已达上限"));
        }
        if self.sent_by_user.get(openid).copied().unwrap_or(0) >= u64_of(rule.max_coupons_per_user)
        {
            return Err(ApiError::invalid("用户领券数量已达上限"));
        }
        Ok(())
    }

    fn sent_on(&self, now: i64) -> u64 {
        self.sent_by_day
            .get(&beijing_day(now))
            .copied()
            .unwrap_or(0)
    }

    /// Counts one issued coupon.
    pub(crate) fn record_issue(&mut self, openid: &str, now: i64) {
        self.sent += 1;
        *self.sent_by_day.entry(beijing_day(now)).or_default() += 1;
        *self.sent_by_user.entry(openid.to_owned()).or_default() += 1;
    }

    /// The query answer of spec §8.2; `code_count` is (total, available) uploaded codes.
    pub(crate) fn render(&self, now: i64, code_count: Option<(u64, u64)>) -> StockInfo {
        let normal = *self.stock_type() == StockType::Normal;
        let rule = &self.info.stock_send_rule;
        let daily = rule.max_coupons_by_day.is_some() || rule.max_amount_by_day.is_some();
        let today = self.sent_on(now);
        let amount = |n: u64| normal.then(|| i64_of(n.saturating_mul(self.unit_amount)));
        let mut info = self.info.clone();
        info.send_count_information = Some(SendCountInformation {
            total_send_num: Some(i64_of(self.sent)),
            total_send_amount: amount(self.sent),
            today_send_num: daily.then(|| i64_of(today)),
            today_send_amount: if daily { amount(today) } else { None },
        });
        info.coupon_code_count = code_count.map(|(total, available)| CouponCodeCount {
            total_count: i64_of(total),
            available_count: i64_of(available),
        });
        info
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
