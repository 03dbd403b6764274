//! User coupons as the simulator keeps them (spec §9.6).

use wxpay_model::Timestamp;
use wxpay_model::busifavor::CouponState;

/// One user coupon. Its stored state is one of the model's `SENDED`, `USED` or `DEACTIVATED`;
/// `EXPIRED` is derived from the clock ([`Coupon::state_at`]).
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
    pub(crate) use_time: Option<Timestamp>,
    pub(crate) associate_out_trade_no: Option<String>,
    pub(crate) return_request_no: Option<String>,
    pub(crate) return_time: Option<i64>,
    pub(crate) deactivate_request_no: Option<String>,
    pub(crate) deactivate_time: Option<i64>,
    pub(crate) deactivate_reason: Option<String>,
}

impl Coupon {
    /// The state as WeChat Pay reports it now.
    pub(crate) fn state_at(&self, now: i64) -> CouponState {
        match self.state {
            CouponState::Sended if now > self.expire => CouponState::Expired,
            ref s => s.clone(),
        }
    }
}
