//! The busifavor enums (spec §9.7, §10.2, §8.19, §8.22, §8.25). All are open: unknown values are
//! kept as `Unknown(String)` and re-serialize unchanged.

use crate::open_enum::open_enum;

open_enum! {
    /// `stock_type`: the kind of coupon.
    pub enum StockType {
        /// 满减券: a fixed amount off above a threshold.
        Normal = "NORMAL",
        /// 折扣券: a percentage of the price.
        Discount = "DISCOUNT",
        /// 换购券: buy an item at a fixed price.
        Exchange = "EXCHANGE",
    }
}

open_enum! {
    /// `coupon_code_mode`: who assigns coupon codes.
    pub enum CouponCodeMode {
        /// WeChat Pay assigns codes (22 digits).
        WechatpayMode = "WECHATPAY_MODE",
        /// The merchant passes the code when issuing.
        MerchantApi = "MERCHANT_API",
        /// The merchant uploads codes in advance (§8.5).
        MerchantUpload = "MERCHANT_UPLOAD",
    }
}

open_enum! {
    /// `use_method`: how a coupon is redeemed.
    pub enum UseMethod {
        /// Show the code offline.
        OffLine = "OFF_LINE",
        /// Jump to the merchant's mini-program.
        MiniPrograms = "MINI_PROGRAMS",
        /// Self-service redemption ("not supported yet").
        SelfConsume = "SELF_CONSUME",
        /// Jump to the payment code.
        PaymentCode = "PAYMENT_CODE",
    }
}

open_enum! {
    /// `code_display_mode`: how the code is shown in the wallet.
    pub enum CodeDisplayMode {
        /// Not shown.
        NotShow = "NOT_SHOW",
        /// As a barcode.
        Barcode = "BARCODE",
        /// As a QR code.
        Qrcode = "QRCODE",
    }
}

open_enum! {
    /// `background_color` of the coupon card.
    pub enum BackgroundColor {
        /// Color010.
        Color010 = "Color010",
        /// Color020.
        Color020 = "Color020",
        /// Color030.
        Color030 = "Color030",
        /// Color040.
        Color040 = "Color040",
        /// Color050.
        Color050 = "Color050",
        /// Color060.
        Color060 = "Color060",
        /// Color070.
        Color070 = "Color070",
        /// Color080.
        Color080 = "Color080",
        /// Color090.
        Color090 = "Color090",
        /// Color100.
        Color100 = "Color100",
    }
}

open_enum! {
    /// `stock_state`. Note WeChat Pay's spelling `STOPED`.
    pub enum StockState {
        /// 审核中: under review.
        Unaudit = "UNAUDIT",
        /// 运行中: running.
        Running = "RUNNING",
        /// 已停止: stopped (sic, one P on the wire).
        Stoped = "STOPED",
        /// 暂停发放: issuing paused.
        Paused = "PAUSED",
    }
}

open_enum! {
    /// `coupon_state` of a user coupon.
    pub enum CouponState {
        /// Available (sic: `SENDED`).
        Sended = "SENDED",
        /// Used.
        Used = "USED",
        /// Expired.
        Expired = "EXPIRED",
        /// Deleted.
        Deleted = "DELETED",
        /// Deactivated (§8.15).
        Deactivated = "DEACTIVATED",
        /// Pending redemption (2025 sources only).
        PendingRedeem = "PENDING_REDEEM",
        /// Redemption being confirmed (2025 sources only).
        RedeemConfirming = "REDEEM_CONFIRMING",
        /// Redemption failed (2025 sources only).
        RedeemFailed = "REDEEM_FAILED",
        /// Redemption expired (2025 sources only).
        RedeemExpired = "REDEEM_EXPIRED",
    }
}

open_enum! {
    /// `code_status` of an uploaded code (§8.6).
    pub enum CodeStatus {
        /// Not yet issued.
        Available = "AVAILABLE",
        /// Issued to a user.
        Dispatched = "DISPATCHED",
    }
}

open_enum! {
    /// `send_channel` of a COUPON.SEND event (spec §10.2). Both spellings of the member-card
    /// channel map to [`SendChannel::MembercardAct`].
    pub enum SendChannel {
        /// 小程序.
        Miniapp = "BUSICOUPON_SEND_CHANNEL_MINIAPP",
        /// API.
        Api = "BUSICOUPON_SEND_CHANNEL_API",
        /// 支付有礼.
        Paygift = "BUSICOUPON_SEND_CHANNEL_PAYGIFT",
        /// H5.
        H5 = "BUSICOUPON_SEND_CHANNEL_H5",
        /// 面对面.
        Ftof = "BUSICOUPON_SEND_CHANNEL_FTOF",
        /// 会员卡活动; also accepts the older `BUSICOUPON_SEND_CHANNEL_MEMBER_CARD_ACT`.
        MembercardAct = "BUSICOUPON_SEND_CHANNEL_MEMBERCARD_ACT" | "BUSICOUPON_SEND_CHANNEL_MEMBER_CARD_ACT",
        /// 扫码领券（营销馆）.
        Hall = "BUSICOUPON_SEND_CHANNEL_HALL",
        /// JSAPI.
        Jsapi = "BUSICOUPON_SEND_CHANNEL_JSAPI",
        /// 微信小程序直播.
        MiniAppLive = "BUSICOUPON_SEND_CHANNEL_MINI_APP_LIVE",
        /// 搜一搜.
        WechatSearch = "BUSICOUPON_SEND_CHANNEL_WECHAT_SEARCH",
        /// 微信支付有优惠.
        PayHasDiscount = "BUSICOUPON_SEND_CHANNEL_PAY_HAS_DISCOUNT",
        /// 微信广告.
        WechatAd = "BUSICOUPON_SEND_CHANNEL_WECHAT_AD",
        /// 权益平台.
        RightsPlatform = "BUSICOUPON_SEND_CHANNEL_RIGHTS_PLATFORM",
        /// 收款有礼.
        ReceiveMoneyGift = "BUSICOUPON_SEND_CHANNEL_RECEIVE_MONEY_GIFT",
        /// 会员付费权益.
        MemberPayRight = "BUSICOUPON_SEND_CHANNEL_MEMBER_PAY_RIGHT",
        /// 智慧零售活动.
        BusiSmartRetail = "BUSICOUPON_SEND_CHANNEL_BUSI_SMART_RETAIL",
        /// 视频号直播.
        FinderLiveroom = "BUSICOUPON_SEND_CHANNEL_FINDER_LIVEROOM",
    }
}

open_enum! {
    /// `event_type` inside a decrypted COUPON.SEND resource.
    pub enum CouponEventType {
        /// 商家券用户领券通知.
        BusicouponSend = "EVENT_TYPE_BUSICOUPON_SEND",
    }
}

open_enum! {
    /// `status` of a subsidy pay receipt (§8.19). Both the `PAY_RECEIPT_`-prefixed (official Go
    /// SDK) and the bare spelling (old wiki) are accepted; the prefixed one is written.
    pub enum SubsidyPayStatus {
        /// Unknown state reported by WeChat Pay.
        StatusUnknown = "PAY_RECEIPT_UNKNOWN" | "UNKNOWN",
        /// Accepted, processing.
        Accepted = "PAY_RECEIPT_ACCEPTED" | "ACCEPTED",
        /// Paid.
        Success = "PAY_RECEIPT_SUCCESS" | "SUCCESS",
        /// Failed; see the fail reason.
        Fail = "PAY_RECEIPT_FAIL" | "FAIL",
        /// A return is in progress.
        Returning = "PAY_RECEIPT_RETURNING" | "RETURNING",
        /// Partly returned.
        PartialReturn = "PAY_RECEIPT_PARTIAL_RETURN" | "PARTIAL_RETURN",
        /// Fully returned.
        FullReturn = "PAY_RECEIPT_FULL_RETURN" | "FULL_RETURN",
    }
}

open_enum! {
    /// `fail_reason` of a subsidy pay receipt; both spellings accepted.
    pub enum SubsidyPayFailReason {
        /// The payer's balance is insufficient.
        InsufficientBalance = "PAY_RECEIPT_INSUFFICIENT_BALANCE" | "INSUFFICIENT_BALANCE",
        /// The order is not an income-split order.
        NotIncomesplitOrder = "PAY_RECEIPT_NOT_INCOMESPLIT_ORDER" | "NOT_INCOMESPLIT_ORDER",
        /// The subsidy amount quota is exceeded.
        ExceedSubsidyAmountQuota = "PAY_RECEIPT_EXCEED_SUBSIDY_AMOUNT_QUOTA" | "EXCEED_SUBSIDY_AMOUNT_QUOTA",
        /// The subsidy count quota is exceeded.
        ExceedSubsidyCountQuota = "PAY_RECEIPT_EXCEED_SUBSIDY_COUNT_QUOTA" | "EXCEED_SUBSIDY_COUNT_QUOTA",
        /// Another reason.
        Other = "PAY_RECEIPT_OTHER" | "OTHER",
    }
}

open_enum! {
    /// `status` of a subsidy return receipt (§8.22); both spellings accepted.
    pub enum SubsidyReturnStatus {
        /// Unknown state reported by WeChat Pay.
        StatusUnknown = "RETURN_RECEIPT_UNKNOWN" | "UNKNOWN",
        /// Accepted, processing.
        Accepted = "RETURN_RECEIPT_ACCEPTED" | "ACCEPTED",
        /// Returned.
        Success = "RETURN_RECEIPT_SUCCESS" | "SUCCESS",
        /// Failed; see the fail reason.
        Fail = "RETURN_RECEIPT_FAIL" | "FAIL",
    }
}

open_enum! {
    /// `fail_reason` of a subsidy return receipt; both spellings accepted.
    pub enum SubsidyReturnFailReason {
        /// The payee's balance is insufficient.
        InsufficientBalance = "RETURN_RECEIPT_INSUFFICIENT_BALANCE" | "INSUFFICIENT_BALANCE",
        /// Another reason.
        Other = "RETURN_RECEIPT_OTHER" | "OTHER",
    }
}

open_enum! {
    /// `coupon_type` of a product-coupon send (§8.25).
    pub enum ProductCouponType {
        /// Ordinary coupon.
        Normal = "NORMAL",
        /// Member coupon.
        Member = "MEMBER",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wechat_spellings_are_kept() {
        assert_eq!(StockState::from_wire("STOPED"), StockState::Stoped);
        assert_eq!(StockState::Stoped.as_str(), "STOPED");
        assert_eq!(CouponState::from_wire("SENDED"), CouponState::Sended);
    }

    #[test]
    fn member_card_aliases_map_to_one_variant() {
        let a = SendChannel::from_wire("BUSICOUPON_SEND_CHANNEL_MEMBER_CARD_ACT");
        let b = SendChannel::from_wire("BUSICOUPON_SEND_CHANNEL_MEMBERCARD_ACT");
        assert_eq!(a, SendChannel::MembercardAct);
        assert_eq!(a, b);
        assert_eq!(SendChannel::KNOWN.len(), 17);
        assert!(SendChannel::from_wire("BUSIFAVOR_SEND_CHANNEL_API").is_unknown());
    }

    #[test]
    fn subsidy_spellings_both_accepted() {
        assert_eq!(
            SubsidyPayStatus::from_wire("SUCCESS"),
            SubsidyPayStatus::Success
        );
        assert_eq!(
            SubsidyPayStatus::from_wire("PAY_RECEIPT_SUCCESS"),
            SubsidyPayStatus::Success
        );
        assert_eq!(
            SubsidyPayFailReason::from_wire("EXCEED_SUBSIDY_COUNT_QUOTA"),
            SubsidyPayFailReason::ExceedSubsidyCountQuota
        );
        assert_eq!(
            SubsidyReturnStatus::from_wire("RETURN_RECEIPT_FAIL"),
            SubsidyReturnStatus::Fail
        );
        assert_eq!(
            SubsidyReturnFailReason::from_wire("OTHER"),
            SubsidyReturnFailReason::Other
        );
    }

    #[test]
    fn ten_background_colors() {
        assert_eq!(BackgroundColor::KNOWN.len(), 10);
        assert_eq!(
            BackgroundColor::from_wire("Color100"),
            BackgroundColor::Color100
        );
    }
}
