//! Acting on one coupon: use, return, deactivate, associate/disassociate an order, send
//! (spec §8.11, §8.14–§8.18).

use serde::{Deserialize, Serialize};

use super::BASE;
use crate::error::{Error, ValidationError};
use crate::request::{ApiRequest, Method, RequestBody};
use crate::time::{LenientTimestamp, Timestamp};
use crate::validate as v;

/// Implements [`ApiRequest`] for a POST whose whole struct is the body.
macro_rules! post_body {
    ($ty:ty, $resp:ty, $path:literal) => {
        impl ApiRequest for $ty {
            type Response = $resp;
            const METHOD: Method = Method::Post;
            const PATH_TEMPLATE: &'static str = concat!("/v3/marketing/busifavor", $path);
            fn path(&self) -> String {
                format!("{BASE}{}", $path)
            }
            fn body(&self) -> Result<RequestBody, Error> {
                RequestBody::json(self)
            }
            fn validate(&self) -> Result<(), ValidationError> {
                self.check()
            }
        }
    };
}
pub(crate) use post_body;

/// `POST /v3/marketing/busifavor/coupons/use` — redeem a coupon (§8.11).
///
/// ```
/// use wxpay_model::{ApiRequest, RequestBody, Timestamp};
/// use wxpay_model::busifavor::UseCouponRequest;
/// let req = UseCouponRequest::new("sxxe34343434", "wx1234567889999",
///     Timestamp::parse("2015-05-20T13:29:35+08:00")?, "1002600620019090123143254435")
///     .stock_id("100088");
/// req.validate()?;
/// assert_eq!(req.body()?, RequestBody::Json(br#"{"coupon_code":"sxxe34343434","stock_id":"100088","appid":"wx1234567889999","use_time":"2015-05-20T13:29:35+08:00","use_request_no":"1002600620019090123143254435"}"#.to_vec()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UseCouponRequest {
    /// Coupon code, 1..=32.
    pub coupon_code: String,
    /// Stock id, 1..=20; required for `MERCHANT_API`/`MERCHANT_UPLOAD` stocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_id: Option<String>,
    /// Appid; the answer's openid is computed under it.
    pub appid: String,
    /// When the merchant redeemed it.
    pub use_time: Timestamp,
    /// Unique per redemption, 1..=128.
    pub use_request_no: String,
    /// User, for a security check, 1..=128.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openid: Option<String>,
    /// Merchant order number (2025 sources only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
    /// Ordering merchant (2025 sources only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mch_id: Option<String>,
    /// WeChat Pay transaction id (2025 sources only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
}

impl UseCouponRequest {
    /// Redeem `coupon_code` at `use_time`.
    pub fn new(
        coupon_code: impl Into<String>,
        appid: impl Into<String>,
        use_time: Timestamp,
        use_request_no: impl Into<String>,
    ) -> Self {
        Self {
            coupon_code: coupon_code.into(),
            stock_id: None,
            appid: appid.into(),
            use_time,
            use_request_no: use_request_no.into(),
            openid: None,
            out_trade_no: None,
            mch_id: None,
            transaction_id: None,
        }
    }

    /// Sets `stock_id`.
    pub fn stock_id(mut self, stock_id: impl Into<String>) -> Self {
        self.stock_id = Some(stock_id.into());
        self
    }

    /// Sets `openid`.
    pub fn openid(mut self, openid: impl Into<String>) -> Self {
        self.openid = Some(openid.into());
        self
    }

    fn check(&self) -> Result<(), ValidationError> {
        v::text("coupon_code", &self.coupon_code, 1, 32)?;
        v::opt_id("stock_id", self.stock_id.as_ref(), 1, 20)?;
        v::id("appid", &self.appid, 1, 32)?;
        v::chars("use_time", self.use_time.as_str(), 1, 32)?;
        v::id("use_request_no", &self.use_request_no, 1, 128)?;
        v::opt_id("openid", self.openid.as_ref(), 1, 128)?;
        v::opt_id("out_trade_no", self.out_trade_no.as_ref(), 1, 128)?;
        v::opt_id("mch_id", self.mch_id.as_ref(), 1, 32)?;
        v::opt_id("transaction_id", self.transaction_id.as_ref(), 1, 32)
    }
}
post_body!(UseCouponRequest, UseCouponResponse, "/coupons/use");

/// Answer to [`UseCouponRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UseCouponResponse {
    /// Stock id.
    pub stock_id: String,
    /// User, under the request's appid.
    pub openid: String,
    /// When WeChat Pay recorded the redemption.
    pub wechatpay_use_time: LenientTimestamp,
}

/// `POST /v3/marketing/busifavor/coupons/return` — return a used coupon to the user (§8.14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnCouponRequest {
    /// Coupon code, 1..=32.
    pub coupon_code: String,
    /// Stock id, 1..=20.
    pub stock_id: String,
    /// Request number, 1..=128.
    pub return_request_no: String,
}

impl ReturnCouponRequest {
    /// Return `coupon_code` of `stock_id`.
    pub fn new(
        coupon_code: impl Into<String>,
        stock_id: impl Into<String>,
        return_request_no: impl Into<String>,
    ) -> Self {
        Self {
            coupon_code: coupon_code.into(),
            stock_id: stock_id.into(),
            return_request_no: return_request_no.into(),
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        v::text("coupon_code", &self.coupon_code, 1, 32)?;
        v::id("stock_id", &self.stock_id, 1, 20)?;
        v::id("return_request_no", &self.return_request_no, 1, 128)
    }
}
post_body!(ReturnCouponRequest, ReturnCouponResponse, "/coupons/return");

/// Answer to [`ReturnCouponRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnCouponResponse {
    /// When WeChat Pay returned it.
    pub wechatpay_return_time: LenientTimestamp,
}

/// `POST /v3/marketing/busifavor/coupons/deactivate` — make an unused coupon unusable (§8.15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeactivateCouponRequest {
    /// Coupon code, 1..=32.
    pub coupon_code: String,
    /// Stock id, 1..=20.
    pub stock_id: String,
    /// Request number, 1..=128.
    pub deactivate_request_no: String,
    /// Reason, up to 64 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deactivate_reason: Option<String>,
}

impl DeactivateCouponRequest {
    /// Deactivate `coupon_code` of `stock_id`.
    pub fn new(
        coupon_code: impl Into<String>,
        stock_id: impl Into<String>,
        deactivate_request_no: impl Into<String>,
    ) -> Self {
        Self {
            coupon_code: coupon_code.into(),
            stock_id: stock_id.into(),
            deactivate_request_no: deactivate_request_no.into(),
            deactivate_reason: None,
        }
    }

    /// Sets the reason.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.deactivate_reason = Some(reason.into());
        self
    }

    fn check(&self) -> Result<(), ValidationError> {
        v::text("coupon_code", &self.coupon_code, 1, 32)?;
        v::id("stock_id", &self.stock_id, 1, 20)?;
        v::id("deactivate_request_no", &self.deactivate_request_no, 1, 128)?;
        v::opt_text("deactivate_reason", self.deactivate_reason.as_ref(), 1, 64)
    }
}
post_body!(
    DeactivateCouponRequest,
    DeactivateCouponResponse,
    "/coupons/deactivate"
);

/// Answer to [`DeactivateCouponRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeactivateCouponResponse {
    /// When WeChat Pay deactivated it.
    pub wechatpay_deactivate_time: LenientTimestamp,
}

/// Body of `POST …/coupons/associate` (§8.16) and `…/coupons/disassociate` (§8.17).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssociateOrderRequest {
    /// Stock id, 1..=20.
    pub stock_id: String,
    /// Coupon code, 1..=32.
    pub coupon_code: String,
    /// Merchant order number of the WeChat Pay order, 1..=128.
    pub out_trade_no: String,
    /// Request number, 1..=128 of `A-Z a-z 0-9 | _ * -`.
    pub out_request_no: String,
}

impl AssociateOrderRequest {
    /// Associate `coupon_code` with order `out_trade_no`.
    pub fn new(
        stock_id: impl Into<String>,
        coupon_code: impl Into<String>,
        out_trade_no: impl Into<String>,
        out_request_no: impl Into<String>,
    ) -> Self {
        Self {
            stock_id: stock_id.into(),
            coupon_code: coupon_code.into(),
            out_trade_no: out_trade_no.into(),
            out_request_no: out_request_no.into(),
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        v::id("stock_id", &self.stock_id, 1, 20)?;
        v::text("coupon_code", &self.coupon_code, 1, 32)?;
        v::id("out_trade_no", &self.out_trade_no, 1, 128)?;
        v::request_no("out_request_no", &self.out_request_no, 128)
    }
}
post_body!(
    AssociateOrderRequest,
    AssociateOrderResponse,
    "/coupons/associate"
);

/// Answer to [`AssociateOrderRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssociateOrderResponse {
    /// When WeChat Pay associated them.
    pub wechatpay_associate_time: LenientTimestamp,
}

/// `POST /v3/marketing/busifavor/coupons/disassociate` — undo §8.16 (§8.17); `out_trade_no`
/// must be the order currently associated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DisassociateOrderRequest(pub AssociateOrderRequest);

impl DisassociateOrderRequest {
    /// Disassociate `coupon_code` from order `out_trade_no`.
    pub fn new(
        stock_id: impl Into<String>,
        coupon_code: impl Into<String>,
        out_trade_no: impl Into<String>,
        out_request_no: impl Into<String>,
    ) -> Self {
        Self(AssociateOrderRequest::new(
            stock_id,
            coupon_code,
            out_trade_no,
            out_request_no,
        ))
    }

    fn check(&self) -> Result<(), ValidationError> {
        self.0.check()
    }
}
post_body!(
    DisassociateOrderRequest,
    DisassociateOrderResponse,
    "/coupons/disassociate"
);

/// Answer to [`DisassociateOrderRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisassociateOrderResponse {
    /// When WeChat Pay disassociated them.
    pub wechatpay_disassociate_time: LenientTimestamp,
}

/// `POST /v3/marketing/busifavor/coupons/send` — send a coupon to a user (§8.18; may need
/// separate enablement).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendCouponRequest {
    /// User.
    pub openid: String,
    /// Issuer appid.
    pub appid: String,
    /// Stock id.
    pub stock_id: String,
    /// Unique per stock per user, 1..=128 of `A-Z a-z 0-9 | _ * -`.
    pub out_request_no: String,
    /// Code, required for `MERCHANT_API` stocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<String>,
}

impl SendCouponRequest {
    /// Send a coupon of `stock_id` to `openid`.
    pub fn new(
        openid: impl Into<String>,
        appid: impl Into<String>,
        stock_id: impl Into<String>,
        out_request_no: impl Into<String>,
    ) -> Self {
        Self {
            openid: openid.into(),
            appid: appid.into(),
            stock_id: stock_id.into(),
            out_request_no: out_request_no.into(),
            coupon_code: None,
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        v::id("openid", &self.openid, 1, 128)?;
        v::id("appid", &self.appid, 1, 32)?;
        v::id("stock_id", &self.stock_id, 1, 20)?;
        v::request_no("out_request_no", &self.out_request_no, 128)?;
        v::opt_text("coupon_code", self.coupon_code.as_ref(), 1, 32)
    }
}
post_body!(SendCouponRequest, SendCouponResponse, "/coupons/send");

/// Answer to [`SendCouponRequest`]. Sources disagree on the shape (nested under
/// `send_coupon_result` or flat); both parse and re-serialize as received, and a nested object
/// missing some of its fields still parses. Use [`SendCouponResponse::result`] or the
/// per-field accessors, which look in both places.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SendCouponResponse {
    /// The nested shape (each member optional, as the official Go SDK reads it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_coupon_result: Option<NestedSendCouponResult>,
    /// The flat shape: stock id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_id: Option<String>,
    /// The flat shape: request number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_request_no: Option<String>,
    /// The flat shape: coupon code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<String>,
}

impl SendCouponResponse {
    /// The result, whichever shape it came in, when all three fields are there (each field is
    /// taken from the nested object first, then from the flat shape).
    pub fn result(&self) -> Option<SendCouponResult> {
        Some(SendCouponResult {
            stock_id: self.stock_id()?.to_owned(),
            out_request_no: self.out_request_no()?.to_owned(),
            coupon_code: self.coupon_code()?.to_owned(),
        })
    }

    fn nested(&self, pick: fn(&NestedSendCouponResult) -> Option<&String>) -> Option<&str> {
        self.send_coupon_result
            .as_ref()
            .and_then(pick)
            .map(String::as_str)
    }

    /// The coupon's code, from either shape.
    pub fn coupon_code(&self) -> Option<&str> {
        self.nested(|n| n.coupon_code.as_ref())
            .or(self.coupon_code.as_deref())
    }

    /// The stock id, from either shape.
    pub fn stock_id(&self) -> Option<&str> {
        self.nested(|n| n.stock_id.as_ref())
            .or(self.stock_id.as_deref())
    }

    /// The request number, from either shape.
    pub fn out_request_no(&self) -> Option<&str> {
        self.nested(|n| n.out_request_no.as_ref())
            .or(self.out_request_no.as_deref())
    }
}

/// `send_coupon_result` as WeChat Pay sends it: every member may be missing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NestedSendCouponResult {
    /// Stock id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_id: Option<String>,
    /// Request number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_request_no: Option<String>,
    /// The coupon's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<String>,
}

/// The coupon sent, all three fields present ([`SendCouponResponse::result`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendCouponResult {
    /// Stock id.
    pub stock_id: String,
    /// Request number.
    pub out_request_no: String,
    /// The coupon's code.
    pub coupon_code: String,
}
