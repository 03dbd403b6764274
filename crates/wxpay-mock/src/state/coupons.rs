//! User coupons as the simulator keeps them (spec §9.6).

/// Stored coupon states (`EXPIRED` is derived from the clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CouponState {
    Sended,
    Used,
    Deactivated,
}

/// One user coupon.
#[derive(Debug, Clone)]
pub(crate) struct Coupon {
    pub(crate) code: String,
    pub(crate) stock_id: String,
    pub(crate) openid: String,
    pub(crate) state: CouponState,
    pub(crate) receive_time: i64,
    pub(crate) available_start: i64,
    pub(crate) expire: i64,
    pub(crate) send_request_no: String,
    pub(crate) send_merchant: String,
    pub(crate) use_request_no: Option<String>,
    pub(crate) use_time: Option<String>,
    pub(crate) associate_out_trade_no: Option<String>,
    pub(crate) return_request_no: Option<String>,
    pub(crate) return_time: Option<i64>,
    pub(crate) deactivate_request_no: Option<String>,
    pub(crate) deactivate_time: Option<i64>,
    pub(crate) deactivate_reason: Option<String>,
}

impl Coupon {
    /// The state as WeChat Pay reports it now.
    pub(crate) fn state_name(&self, now: i64) -> &'static str {
        match self.state {
            CouponState::Sended if now > self.expire => "EXPIRED",
            CouponState::Sended => "SENDED",
            CouponState::Used => "USED",
            CouponState::Deactivated => "DEACTIVATED",
        }
    }
}
