//! 商家券 (merchant coupons, `/v3/marketing/busifavor`): one request type per endpoint of spec
//! §8, the shared objects of §9 and the `COUPON.SEND` event of §10.
//!
//! | § | request | answer |
//! |---|---|---|
//! | 8.1 | [`CreateStockRequest`] | [`CreateStockResponse`] |
//! | 8.2 | [`QueryStockRequest`] | [`StockInfo`] |
//! | 8.3 | [`ModifyStockRequest`] | [`NoContent`](crate::NoContent) (204) |
//! | 8.4 | [`ModifyBudgetRequest`] | [`ModifyBudgetResponse`] |
//! | 8.5 | [`UploadCouponCodesRequest`] | [`UploadCouponCodesResponse`] |
//! | 8.6 | [`ListCouponCodesRequest`] | [`ListCouponCodesResponse`] |
//! | 8.7 | [`QueryCouponCodeRequest`] | [`QueryCouponCodeResponse`] |
//! | 8.8 | [`DeleteCouponCodeRequest`] | [`DeleteCouponCodeResponse`] |
//! | 8.9 | [`SetCallbackRequest`] | [`SetCallbackResponse`] |
//! | 8.10 | [`GetCallbackRequest`] | [`GetCallbackResponse`] |
//! | 8.11 | [`UseCouponRequest`] | [`UseCouponResponse`] |
//! | 8.12 | [`ListUserCouponsRequest`] | [`ListUserCouponsResponse`] |
//! | 8.13 | [`QueryUserCouponRequest`] | [`CouponEntity`] |
//! | 8.14 | [`ReturnCouponRequest`] | [`ReturnCouponResponse`] |
//! | 8.15 | [`DeactivateCouponRequest`] | [`DeactivateCouponResponse`] |
//! | 8.16 | [`AssociateOrderRequest`] | [`AssociateOrderResponse`] |
//! | 8.17 | [`DisassociateOrderRequest`] | [`DisassociateOrderResponse`] |
//! | 8.18 | [`SendCouponRequest`] | [`SendCouponResponse`] |
//! | 8.19 | [`PaySubsidyRequest`] | [`SubsidyPayReceipt`] |
//! | 8.20 | [`ListSubsidyPayReceiptsRequest`] | [`SubsidyPayReceiptList`] |
//! | 8.21 | [`QuerySubsidyPayReceiptRequest`] | [`SubsidyPayReceipt`] |
//! | 8.22 | [`ReturnSubsidyRequest`] | [`SubsidyReturnReceipt`] |
//! | 8.23 | [`QuerySubsidyReturnReceiptRequest`] | [`SubsidyReturnReceipt`] |
//! | 8.24 | [`SendConsumptionCardRequest`] | [`SendConsumptionCardResponse`] |
//! | 8.25 | [`SendProductCouponRequest`] | [`SendProductCouponResponse`] |
//! | 8.26 | [`PreSendProductCouponRequest`] | [`PreSendProductCouponResponse`] |
//! | 8.27 | [`ImageUploadRequest`] | [`ImageUploadResponse`] |
//!
//! Requests that take several ids of the same shape have builders with named setters
//! (`CreateStockRequest::builder()`, `UseCouponRequest::builder()`, …); a stock's type comes
//! from its [`StockDiscount`]. Answers are read leniently: optional members may be missing
//! and times keep their text ([`LenientTimestamp`](crate::LenientTimestamp)); requests are
//! validated strictly before they are sent.

mod adjacent;
mod builders;
mod callbacks;
mod codes;
mod coupon;
mod coupons;
mod enums;
mod event;
mod rules;
mod stock;
mod stock_builder;
mod subsidy;
mod users;

pub use adjacent::*;
pub use builders::*;
pub use callbacks::*;
pub use codes::*;
pub use coupon::*;
pub use coupons::*;
pub use enums::*;
pub use event::*;
pub use rules::*;
pub use stock::*;
pub use stock_builder::*;
pub use subsidy::*;
pub use users::*;

/// Path prefix of every busifavor endpoint.
pub const BASE: &str = "/v3/marketing/busifavor";

fn seg(s: &str) -> String {
    crate::request::encode_path_segment(s)
}
