//! [`CreateStockBuilder`]: a stock with named setters, its type stated once.

use super::builders::need;
use super::enums::{CouponCodeMode, StockType, UseMethod};
use super::rules::{
    CouponUseRule, CustomEntrance, DiscountCoupon, DisplayPatternInfo, ExchangeCoupon,
    FavorAvailableTime, FixedNormalCoupon, NotifyConfig, StockSendRule,
};
use super::stock::CreateStockRequest;
use crate::error::ValidationError;
use crate::request::ApiRequest;
use crate::time::Timestamp;

/// What a coupon of the stock gives, which also decides the stock's type: the one place a
/// stock's type is stated.
///
/// ```
/// use wxpay_model::busifavor::{StockDiscount, StockType};
/// assert_eq!(StockDiscount::amount_off(1000, 10000).stock_type(), StockType::Normal);
/// assert_eq!(StockDiscount::percent(88, 0).stock_type(), StockType::Discount);
/// assert_eq!(StockDiscount::exchange(990, 0).stock_type(), StockType::Exchange);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StockDiscount {
    /// `NORMAL` (满减): `discount_amount` fen off orders of at least `transaction_minimum` fen.
    AmountOff {
        /// Amount off, fen, 1..=10 000 000.
        discount_amount: i64,
        /// Minimum order, fen, 1..=10 000 000.
        transaction_minimum: i64,
    },
    /// `DISCOUNT` (折扣): pay `discount_percent` % (`88` = pay 88 %).
    Percent {
        /// Percentage paid, 1..=100.
        discount_percent: i64,
        /// Minimum order, fen.
        transaction_minimum: i64,
    },
    /// `EXCHANGE` (换购): buy at `exchange_price` fen.
    Exchange {
        /// Price paid, fen, 0..=10 000 000.
        exchange_price: i64,
        /// Minimum order, fen.
        transaction_minimum: i64,
    },
}

impl StockDiscount {
    /// `NORMAL`: `discount_amount` fen off orders of at least `transaction_minimum` fen.
    pub fn amount_off(discount_amount: i64, transaction_minimum: i64) -> Self {
        Self::AmountOff {
            discount_amount,
            transaction_minimum,
        }
    }

    /// `DISCOUNT`: pay `discount_percent` % of orders of at least `transaction_minimum` fen.
    pub fn percent(discount_percent: i64, transaction_minimum: i64) -> Self {
        Self::Percent {
            discount_percent,
            transaction_minimum,
        }
    }

    /// `EXCHANGE`: buy at `exchange_price` fen with orders of at least `transaction_minimum` fen.
    pub fn exchange(exchange_price: i64, transaction_minimum: i64) -> Self {
        Self::Exchange {
            exchange_price,
            transaction_minimum,
        }
    }

    /// The `stock_type` this discount means.
    pub fn stock_type(&self) -> StockType {
        match self {
            Self::AmountOff { .. } => StockType::Normal,
            Self::Percent { .. } => StockType::Discount,
            Self::Exchange { .. } => StockType::Exchange,
        }
    }

    /// Sets the matching discount object of `rule` and clears the other two.
    pub fn apply_to(&self, rule: &mut CouponUseRule) {
        rule.fixed_normal_coupon = None;
        rule.discount_coupon = None;
        rule.exchange_coupon = None;
        match *self {
            Self::AmountOff {
                discount_amount,
                transaction_minimum,
            } => {
                rule.fixed_normal_coupon =
                    Some(FixedNormalCoupon::new(discount_amount, transaction_minimum));
            }
            Self::Percent {
                discount_percent,
                transaction_minimum,
            } => {
                rule.discount_coupon =
                    Some(DiscountCoupon::new(discount_percent, transaction_minimum));
            }
            Self::Exchange {
                exchange_price,
                transaction_minimum,
            } => {
                rule.exchange_coupon =
                    Some(ExchangeCoupon::new(exchange_price, transaction_minimum));
            }
        }
    }
}

/// Builds a [`CreateStockRequest`] (§8.1) with named setters. The stock's type comes from
/// [`discount`](Self::discount), so it cannot disagree with the discount object.
///
/// Required: `stock_name`, `belong_merchant`, `goods_name`, `discount`, `available`,
/// `use_method`, `max_coupons_per_user`, `out_request_no`, `coupon_code_mode`. `build()` names
/// the first one missing, then runs `validate()`.
///
/// ```
/// use wxpay_model::Timestamp;
/// use wxpay_model::busifavor::{CouponCodeMode, CreateStockRequest, StockDiscount, StockType, UseMethod};
///
/// let stock = CreateStockRequest::builder()
///     .stock_name("满100减10")
///     .belong_merchant("1900009191")
///     .goods_name("全场通用")
///     .discount(StockDiscount::amount_off(1000, 10000))
///     .available(
///         Timestamp::parse("2026-01-01T00:00:00+08:00")?,
///         Timestamp::parse("2026-01-31T23:59:59+08:00")?,
///     )
///     .use_method(UseMethod::OffLine)
///     .max_coupons(1000)
///     .max_coupons_per_user(2)
///     .out_request_no("1900009191-20260101-0001")
///     .coupon_code_mode(CouponCodeMode::WechatpayMode)
///     .notify_appid("wx1234567890abcdef")
///     .build()?;
/// assert_eq!(stock.stock_type, StockType::Normal);
/// assert!(stock.coupon_use_rule.fixed_normal_coupon.is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until `build()`"]
pub struct CreateStockBuilder {
    stock_name: Option<String>,
    belong_merchant: Option<String>,
    comment: Option<String>,
    goods_name: Option<String>,
    discount: Option<StockDiscount>,
    available: Option<FavorAvailableTime>,
    use_method: Option<UseMethod>,
    mini_program: Option<(String, String)>,
    send_rule: StockSendRule,
    max_coupons_per_user: Option<i64>,
    out_request_no: Option<String>,
    custom_entrance: Option<CustomEntrance>,
    display_pattern_info: Option<DisplayPatternInfo>,
    coupon_code_mode: Option<CouponCodeMode>,
    notify_appid: Option<String>,
    subsidy: Option<bool>,
}

impl CreateStockRequest {
    /// A builder with named setters (supersedes the positional [`CreateStockRequest::new`]).
    pub fn builder() -> CreateStockBuilder {
        CreateStockBuilder::default()
    }
}

impl CreateStockBuilder {
    /// Stock name, 1..=21 characters.
    pub fn stock_name(mut self, name: impl Into<String>) -> Self {
        self.stock_name = Some(name.into());
        self
    }

    /// Merchant owning the stock (8..=15 digits).
    pub fn belong_merchant(mut self, mchid: impl Into<String>) -> Self {
        self.belong_merchant = Some(mchid.into());
        self
    }

    /// Remark visible to the merchant only, 1..=20 characters.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// Goods name shown in the wallet, 1..=15 characters.
    pub fn goods_name(mut self, name: impl Into<String>) -> Self {
        self.goods_name = Some(name.into());
        self
    }

    /// What a coupon gives — and so the stock's type.
    pub fn discount(mut self, discount: StockDiscount) -> Self {
        self.discount = Some(discount);
        self
    }

    /// The stock's validity, from `begin` to `end` (at most a year).
    pub fn available(mut self, begin: Timestamp, end: Timestamp) -> Self {
        self.available = Some(FavorAvailableTime::new(begin, end));
        self
    }

    /// The full validity object (days after receipt, weekly schedule, irregular periods).
    pub fn available_time(mut self, time: FavorAvailableTime) -> Self {
        self.available = Some(time);
        self
    }

    /// How the coupon is redeemed.
    pub fn use_method(mut self, method: UseMethod) -> Self {
        self.use_method = Some(method);
        self
    }

    /// The mini-program a `MINI_PROGRAMS` coupon jumps to.
    pub fn mini_program(mut self, appid: impl Into<String>, path: impl Into<String>) -> Self {
        self.mini_program = Some((appid.into(), path.into()));
        self
    }

    /// Coupons issuable in total, 1..=1 000 000 000.
    pub fn max_coupons(mut self, n: i64) -> Self {
        self.send_rule.max_coupons = Some(n);
        self
    }

    /// Coupons per user, 1..=100.
    pub fn max_coupons_per_user(mut self, n: i64) -> Self {
        self.max_coupons_per_user = Some(n);
        self
    }

    /// Daily cap, 1..=1 000 000 000.
    pub fn max_coupons_by_day(mut self, n: i64) -> Self {
        self.send_rule.max_coupons_by_day = Some(n);
        self
    }

    /// The whole issuing rule (budget flags included); `max_coupons_per_user` set here counts
    /// unless [`max_coupons_per_user`](Self::max_coupons_per_user) is also called.
    pub fn send_rule(mut self, rule: StockSendRule) -> Self {
        if rule.max_coupons_per_user > 0 {
            self.max_coupons_per_user
                .get_or_insert(rule.max_coupons_per_user);
        }
        self.send_rule = rule;
        self
    }

    /// Unique request number, 1..=128 of `A-Z a-z 0-9 | _ * -`.
    pub fn out_request_no(mut self, no: impl Into<String>) -> Self {
        self.out_request_no = Some(no.into());
        self
    }

    /// Who assigns coupon codes.
    pub fn coupon_code_mode(mut self, mode: CouponCodeMode) -> Self {
        self.coupon_code_mode = Some(mode);
        self
    }

    /// Custom entrance.
    pub fn custom_entrance(mut self, entrance: CustomEntrance) -> Self {
        self.custom_entrance = Some(entrance);
        self
    }

    /// Display.
    pub fn display_pattern_info(mut self, display: DisplayPatternInfo) -> Self {
        self.display_pattern_info = Some(display);
        self
    }

    /// Appid under which COUPON.SEND callbacks carry the user's openid (without it they
    /// carry none).
    pub fn notify_appid(mut self, appid: impl Into<String>) -> Self {
        self.notify_appid = Some(appid.into());
        self
    }

    /// Subsidy enabled ("not open yet").
    pub fn subsidy(mut self, on: bool) -> Self {
        self.subsidy = Some(on);
        self
    }

    /// The request, once every required field is set and it passes `validate()`.
    pub fn build(self) -> Result<CreateStockRequest, ValidationError> {
        let discount = need("discount (stock_type)", self.discount)?;
        let available = need("coupon_use_rule.coupon_available_time", self.available)?;
        let use_method = need("coupon_use_rule.use_method", self.use_method)?;
        let mut rule = CouponUseRule::new(available, use_method);
        discount.apply_to(&mut rule);
        if let Some((appid, path)) = self.mini_program {
            rule.mini_programs_appid = Some(appid);
            rule.mini_programs_path = Some(path);
        }
        let mut send_rule = self.send_rule;
        send_rule.max_coupons_per_user = need(
            "stock_send_rule.max_coupons_per_user",
            self.max_coupons_per_user,
        )?;
        let request = CreateStockRequest {
            stock_name: need("stock_name", self.stock_name)?,
            belong_merchant: need("belong_merchant", self.belong_merchant)?,
            comment: self.comment,
            goods_name: need("goods_name", self.goods_name)?,
            stock_type: discount.stock_type(),
            coupon_use_rule: rule,
            stock_send_rule: send_rule,
            out_request_no: need("out_request_no", self.out_request_no)?,
            custom_entrance: self.custom_entrance,
            display_pattern_info: self.display_pattern_info,
            coupon_code_mode: need("coupon_code_mode", self.coupon_code_mode)?,
            notify_config: self.notify_appid.map(|appid| NotifyConfig {
                notify_appid: Some(appid),
            }),
            subsidy: self.subsidy,
        };
        request.validate()?;
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn complete() -> CreateStockBuilder {
        CreateStockRequest::builder()
            .stock_name("八折券")
            .belong_merchant("1900009191")
            .goods_name("全场通用")
            .discount(StockDiscount::percent(80, 100))
            .available(
                t("2026-01-01T00:00:00+08:00"),
                t("2026-02-01T00:00:00+08:00"),
            )
            .use_method(UseMethod::MiniPrograms)
            .mini_program("wx1234567890abcdef", "pages/index")
            .max_coupons(10)
            .max_coupons_per_user(1)
            .out_request_no("req-1")
            .coupon_code_mode(CouponCodeMode::MerchantApi)
    }

    #[test]
    fn the_discount_decides_the_type() {
        let req = complete().build().unwrap();
        assert_eq!(req.stock_type, StockType::Discount);
        assert_eq!(
            req.coupon_use_rule.discount_coupon,
            Some(DiscountCoupon::new(80, 100))
        );
        assert!(req.coupon_use_rule.fixed_normal_coupon.is_none());
        assert_eq!(
            req.coupon_use_rule.mini_programs_path.as_deref(),
            Some("pages/index")
        );
        let again = complete()
            .discount(StockDiscount::exchange(990, 0))
            .build()
            .unwrap();
        assert_eq!(again.stock_type, StockType::Exchange);
        assert!(again.coupon_use_rule.discount_coupon.is_none());
    }

    #[test]
    fn missing_and_invalid_fields_are_named() {
        let e = CreateStockRequest::builder()
            .stock_name("x")
            .build()
            .unwrap_err();
        assert_eq!(e.field, "discount (stock_type)");
        let e = complete().max_coupons_per_user(0).build().unwrap_err();
        assert_eq!(e.field, "stock_send_rule.max_coupons_per_user");
        let e = complete()
            .discount(StockDiscount::percent(101, 0))
            .build()
            .unwrap_err();
        assert_eq!(e.field, "coupon_use_rule.discount_coupon.discount_percent");
    }
}
