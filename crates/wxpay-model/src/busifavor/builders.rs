//! Builders with named setters for the requests that take several strings of the same shape
//! (ids, request numbers), so two of them cannot be swapped silently.
//!
//! Each `build()` checks that every required field was set (naming the first one missing) and
//! then runs the request's `validate()`, so a built request is one that may be sent. The
//! positional `new(…)` constructors keep working; the builders supersede them.

use super::adjacent::{
    PreSendProductCouponRequest, SendConsumptionCardRequest, SendProductCouponRequest,
};
use super::codes::DeleteCouponCodeRequest;
use super::coupons::{
    AssociateOrderRequest, DeactivateCouponRequest, ReturnCouponRequest, SendCouponRequest,
    UseCouponRequest,
};
use super::enums::{CouponState, ProductCouponType};
use super::subsidy::{PaySubsidyRequest, ReturnSubsidyRequest};
use super::users::{ListUserCouponsRequest, QueryUserCouponRequest};
use crate::error::ValidationError;
use crate::request::ApiRequest;
use crate::time::Timestamp;

/// The value of a required builder field, or the error naming it.
pub(crate) fn need<T>(field: &str, value: Option<T>) -> Result<T, ValidationError> {
    value.ok_or_else(|| ValidationError::new(field, "be set", "absent"))
}

/// Defines `$builder` for `$req`: one setter per field (each taking `impl Into<T>`), required
/// fields checked in `build()`, then `validate()`.
macro_rules! request_builder {
    (
        $(#[$doc:meta])*
        $req:ident => $builder:ident {
            required { $( $(#[$rdoc:meta])* $rf:ident : $rty:ty ),* $(,)? }
            optional { $( $(#[$odoc:meta])* $of:ident : $oty:ty ),* $(,)? }
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default)]
        #[must_use = "a builder does nothing until `build()`"]
        pub struct $builder {
            $( $rf: Option<$rty>, )*
            $( $of: Option<$oty>, )*
        }

        impl $builder {
            $(
                $(#[$rdoc])*
                pub fn $rf(mut self, value: impl Into<$rty>) -> Self {
                    self.$rf = Some(value.into());
                    self
                }
            )*
            $(
                $(#[$odoc])*
                pub fn $of(mut self, value: impl Into<$oty>) -> Self {
                    self.$of = Some(value.into());
                    self
                }
            )*

            /// The request, once every required field is set and it passes `validate()`.
            pub fn build(self) -> Result<$req, ValidationError> {
                let request = $req {
                    $( $rf: need(stringify!($rf), self.$rf)?, )*
                    $( $of: self.$of, )*
                };
                request.validate()?;
                Ok(request)
            }
        }

        impl $req {
            /// A builder with named setters (supersedes the positional `new`).
            pub fn builder() -> $builder {
                $builder::default()
            }
        }
    };
}

request_builder! {
    /// Builds a [`UseCouponRequest`] (§8.11).
    ///
    /// ```
    /// use wxpay_model::Timestamp;
    /// use wxpay_model::busifavor::UseCouponRequest;
    /// let req = UseCouponRequest::builder()
    ///     .coupon_code("sxxe34343434")
    ///     .stock_id("100088")
    ///     .appid("wx1234567889999")
    ///     .use_time(Timestamp::parse("2015-05-20T13:29:35+08:00")?)
    ///     .use_request_no("1002600620019090123143254435")
    ///     .build()?;
    /// assert_eq!(req.stock_id.as_deref(), Some("100088"));
    /// let missing = UseCouponRequest::builder().coupon_code("c").build().unwrap_err();
    /// assert_eq!(missing.field, "appid");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    UseCouponRequest => UseCouponBuilder {
        required {
            /// Coupon code, 1..=32.
            coupon_code: String,
            /// Appid; the answer's openid is computed under it.
            appid: String,
            /// When the merchant redeemed it.
            use_time: Timestamp,
            /// Unique per redemption, 1..=128.
            use_request_no: String,
        }
        optional {
            /// Stock id; required for `MERCHANT_API`/`MERCHANT_UPLOAD` stocks.
            stock_id: String,
            /// User, for a security check.
            openid: String,
            /// Merchant order number (2025 sources only).
            out_trade_no: String,
            /// Ordering merchant (2025 sources only).
            mch_id: String,
            /// WeChat Pay transaction id (2025 sources only).
            transaction_id: String,
        }
    }
}

request_builder! {
    /// Builds a [`ReturnCouponRequest`] (§8.14).
    ReturnCouponRequest => ReturnCouponBuilder {
        required {
            /// Coupon code, 1..=32.
            coupon_code: String,
            /// Stock id, 1..=20.
            stock_id: String,
            /// Request number, 1..=128.
            return_request_no: String,
        }
        optional {}
    }
}

request_builder! {
    /// Builds a [`DeactivateCouponRequest`] (§8.15).
    DeactivateCouponRequest => DeactivateCouponBuilder {
        required {
            /// Coupon code, 1..=32.
            coupon_code: String,
            /// Stock id, 1..=20.
            stock_id: String,
            /// Request number, 1..=128.
            deactivate_request_no: String,
        }
        optional {
            /// Reason, up to 64 characters.
            deactivate_reason: String,
        }
    }
}

request_builder! {
    /// Builds an [`AssociateOrderRequest`] (§8.16); wrap it in
    /// [`DisassociateOrderRequest`](super::DisassociateOrderRequest) to undo an association.
    ///
    /// ```
    /// use wxpay_model::busifavor::{AssociateOrderRequest, DisassociateOrderRequest};
    /// let req = AssociateOrderRequest::builder()
    ///     .stock_id("1212")
    ///     .coupon_code("sxxe34343434")
    ///     .out_trade_no("MCH_102233445")
    ///     .out_request_no("1002600620019090123143254435")
    ///     .build()?;
    /// let undo = DisassociateOrderRequest(req.clone());
    /// assert_eq!(undo.0, req);
    /// # Ok::<(), wxpay_model::ValidationError>(())
    /// ```
    AssociateOrderRequest => AssociateOrderBuilder {
        required {
            /// Stock id, 1..=20.
            stock_id: String,
            /// Coupon code, 1..=32.
            coupon_code: String,
            /// Merchant order number of the WeChat Pay order, 1..=128.
            out_trade_no: String,
            /// Request number, 1..=128 of `A-Z a-z 0-9 | _ * -`.
            out_request_no: String,
        }
        optional {}
    }
}

request_builder! {
    /// Builds a [`SendCouponRequest`] (§8.18).
    SendCouponRequest => SendCouponBuilder {
        required {
            /// User.
            openid: String,
            /// Issuer appid.
            appid: String,
            /// Stock id.
            stock_id: String,
            /// Unique per stock per user, 1..=128 of `A-Z a-z 0-9 | _ * -`.
            out_request_no: String,
        }
        optional {
            /// Code, required for `MERCHANT_API` stocks.
            coupon_code: String,
        }
    }
}

request_builder! {
    /// Builds a [`PaySubsidyRequest`] (§8.19).
    ///
    /// ```
    /// use wxpay_model::busifavor::PaySubsidyRequest;
    /// let req = PaySubsidyRequest::builder()
    ///     .stock_id("128888000000001")
    ///     .coupon_code("ABCD12345678")
    ///     .transaction_id("4200000913202101152566792388")
    ///     .payer_merchant("1900000001")
    ///     .payee_merchant("1900000002")
    ///     .amount(100)
    ///     .description("满减券补差")
    ///     .out_subsidy_no("subsidy-0001")
    ///     .build()?;
    /// assert_eq!(req.amount, 100);
    /// # Ok::<(), wxpay_model::ValidationError>(())
    /// ```
    PaySubsidyRequest => PaySubsidyBuilder {
        required {
            /// Stock id, 1..=20.
            stock_id: String,
            /// Coupon code, 1..=128.
            coupon_code: String,
            /// WeChat Pay order id of the paid order, 28..=32.
            transaction_id: String,
            /// Debited merchant, 1..=32.
            payer_merchant: String,
            /// Credited merchant, 1..=32.
            payee_merchant: String,
            /// Amount in fen, 1..=500 000.
            amount: i64,
            /// Description, 1..=1024 characters.
            description: String,
            /// Idempotency key, 1..=128 of `A-Z a-z 0-9 | _ * -`.
            out_subsidy_no: String,
        }
        optional {}
    }
}

request_builder! {
    /// Builds a [`ReturnSubsidyRequest`] (§8.22).
    ReturnSubsidyRequest => ReturnSubsidyBuilder {
        required {
            /// Stock id.
            stock_id: String,
            /// Coupon code.
            coupon_code: String,
            /// Order id.
            transaction_id: String,
            /// WeChat Pay refund id.
            refund_id: String,
            /// Original payer (receives the money back).
            payer_merchant: String,
            /// Original payee (is debited).
            payee_merchant: String,
            /// Amount in fen.
            amount: i64,
            /// Description.
            description: String,
            /// Idempotency key, 1..=128 of `A-Z a-z 0-9 | _ * -`.
            out_subsidy_return_no: String,
        }
        optional {}
    }
}

request_builder! {
    /// Builds a [`QueryUserCouponRequest`] (§8.13).
    QueryUserCouponRequest => QueryUserCouponBuilder {
        required {
            /// User, 1..=128.
            openid: String,
            /// Coupon code, 1..=32.
            coupon_code: String,
            /// Appid, 1..=32.
            appid: String,
        }
        optional {}
    }
}

request_builder! {
    /// Builds a [`ListUserCouponsRequest`] (§8.12).
    ListUserCouponsRequest => ListUserCouponsBuilder {
        required {
            /// User, 1..=128.
            openid: String,
            /// Appid bound to the caller or the belong merchant.
            appid: String,
        }
        optional {
            /// Only this stock.
            stock_id: String,
            /// Only coupons in this state.
            coupon_state: CouponState,
            /// Required when the caller created the stock.
            creator_merchant: String,
            /// Required when the caller owns the stock.
            belong_merchant: String,
            /// Required when the caller issued the coupons.
            sender_merchant: String,
            /// Offset of the first coupon.
            offset: i64,
            /// Page size.
            limit: i64,
        }
    }
}

request_builder! {
    /// Builds a [`DeleteCouponCodeRequest`] (§8.8).
    DeleteCouponCodeRequest => DeleteCouponCodeBuilder {
        required {
            /// Stock id.
            stock_id: String,
            /// The code.
            coupon_code: String,
            /// Unique request number.
            delete_request_no: String,
        }
        optional {}
    }
}

request_builder! {
    /// Builds a [`SendConsumptionCardRequest`] (§8.24).
    SendConsumptionCardRequest => SendConsumptionCardBuilder {
        required {
            /// Card id.
            card_id: String,
            /// Appid.
            appid: String,
            /// User.
            openid: String,
            /// Request number; with `send_time` unique.
            out_request_no: String,
            /// Send time, not older than 24 h.
            send_time: Timestamp,
        }
        optional {}
    }
}

request_builder! {
    /// Builds a [`SendProductCouponRequest`] (§8.25).
    SendProductCouponRequest => SendProductCouponBuilder {
        required {
            /// User.
            openid: String,
            /// Appid.
            appid: String,
            /// Stock id.
            stock_id: String,
            /// Request number.
            out_request_no: String,
            /// `NORMAL` or `MEMBER`.
            coupon_type: ProductCouponType,
        }
        optional {
            /// Code.
            coupon_code: String,
            /// Member card id.
            member_card_id: String,
        }
    }
}

request_builder! {
    /// Builds a [`PreSendProductCouponRequest`] (§8.26).
    PreSendProductCouponRequest => PreSendProductCouponBuilder {
        required {
            /// Stock id.
            stock_id: String,
            /// Appid.
            appid: String,
            /// Request number.
            send_request_no: String,
        }
        optional {
            /// Code.
            coupon_code: String,
            /// User.
            openid: String,
            /// Brand id.
            brand_id: String,
            /// Product coupon id.
            product_coupon_id: String,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_name_the_missing_field_and_validate() {
        let e = ReturnCouponRequest::builder()
            .coupon_code("c")
            .return_request_no("r")
            .build()
            .unwrap_err();
        assert_eq!((e.field.as_str(), e.found.as_str()), ("stock_id", "absent"));
        let e = ReturnCouponRequest::builder()
            .coupon_code("c")
            .stock_id("s")
            .return_request_no("bad no")
            .build()
            .unwrap_err();
        assert_eq!(e.field, "return_request_no");
        let ok = ReturnCouponRequest::builder()
            .coupon_code("c")
            .stock_id("s")
            .return_request_no("r-1")
            .build()
            .unwrap();
        assert_eq!(ok, ReturnCouponRequest::new("c", "s", "r-1"));
    }

    #[test]
    fn builder_equals_positional_constructor() {
        let built = SendCouponRequest::builder()
            .stock_id("1286950000000039")
            .openid("o-1")
            .out_request_no("send-1")
            .appid("wx1")
            .build()
            .unwrap();
        assert_eq!(
            built,
            SendCouponRequest::new("o-1", "wx1", "1286950000000039", "send-1")
        );
        let list = ListUserCouponsRequest::builder()
            .openid("o-1")
            .appid("wx1")
            .limit(10)
            .build()
            .unwrap();
        assert_eq!(list.limit, Some(10));
        assert!(
            ListUserCouponsRequest::builder()
                .openid("o-1")
                .appid("wx1")
                .limit(0)
                .build()
                .is_err()
        );
    }
}
