//! # busifavor
//!
//! WeChat Pay merchant coupons (商家券, `/v3/marketing/busifavor`) for Rust services: every
//! endpoint as a typed method on [`Client`], front-end issuing signs, and COUPON.SEND callbacks
//! verified, decrypted and handled exactly once (module [`callback`]).
//!
//! ```toml
//! [dependencies]
//! busifavor = "0.1"
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! ## The client
//!
//! [`Client`] has one async method per endpoint of the protocol contract's §8 (all 27), named
//! for what the merchant does — [`create_stock`](Client::create_stock),
//! [`send_coupon`](Client::send_coupon), [`use_coupon`](Client::use_coupon),
//! [`return_coupon`](Client::return_coupon), [`get_callback_url`](Client::get_callback_url), … —
//! plus a stream over every page of each list ([`list_user_coupons_stream`](Client::list_user_coupons_stream),
//! [`list_coupon_codes_stream`](Client::list_coupon_codes_stream)). Each request is validated
//! before it leaves; each answer is signature-verified and read leniently; every failure is one
//! [`Error`], whose message says what to do.
//!
//! ```no_run
//! use busifavor::{Client, CouponCodeMode, CreateStockRequest, StockDiscount, Timestamp, UseMethod};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::from_env()?; // WXPAY_MCHID, WXPAY_MERCHANT_SERIAL, WXPAY_PRIVATE_KEY_PATH, …
//! let stock = CreateStockRequest::builder()
//!     .stock_name("满100减10")
//!     .belong_merchant(client.mchid())
//!     .goods_name("全场通用")
//!     .discount(StockDiscount::amount_off(1000, 10000)) // 10 CNY off 100: a NORMAL stock
//!     .available(Timestamp::parse("2026-01-01T00:00:00+08:00")?, Timestamp::parse("2026-01-31T23:59:59+08:00")?)
//!     .use_method(UseMethod::OffLine)
//!     .max_coupons(1000)
//!     .max_coupons_per_user(1)
//!     .out_request_no("shop-20260101-0001")
//!     .coupon_code_mode(CouponCodeMode::WechatpayMode)
//!     .build()?;
//! let created = client.create_stock(&stock).await?;
//! println!("stock {} (Request-ID {:?})", created.stock_id, created.request_id());
//! # Ok(()) }
//! ```
//!
//! ## Also here
//!
//! * Configuration from code ([`ClientBuilder`]), the environment or a TOML file ([`Config`]);
//!   errors name the variable or key and never show a secret.
//! * Front-end issuing (§13): [`Client::plugin_params`] for the mini-program `send-coupon`
//!   plugin and [`Client::h5_coupon_link`] for H5, signed with the APIv2 key.
//! * Opening a COUPON.SEND callback from an `http::HeaderMap` and the raw body:
//!   [`Client::open_notification`].
//! * Everything the common path needs is re-exported here: the request and answer types of
//!   `wxpay_model::busifavor`, the event and notification types, the key types, the transport
//!   options; the lower crates themselves as [`wxpay_model`], [`wxpay_http`] and
//!   [`wxpay_crypto`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod callback;
mod client;
mod error;

pub use client::Client;
pub use error::Error;

mod api;
mod config;
mod issuing;
mod notification;
mod paging;

pub use client::ClientBuilder;
pub use config::{Config, ConfigError, env};
pub use issuing::{
    H5_COUPON_PAGE, H5Coupon, H5CouponLink, MAX_PLUGIN_COUPONS, PluginCoupon, PluginParams,
    sign_h5_coupon, sign_plugin_params,
};
pub use paging::{DEFAULT_PAGE_SIZE, OffsetMode, PageOptions};

/// Stream helpers for the list streams (`next`, `try_collect`, …).
pub use futures_util::{StreamExt, TryStreamExt};
pub use wxpay_crypto::{
    ApiV2Key, ApiV3Key, MerchantPrivateKey, PlatformCertificate, SignatureHeaders, Verifier,
    WechatPayPublicKey,
};
pub use wxpay_http::{ApiError, KeySet, Response, RetryPolicy, Timeouts};
/// The request, answer, shared-object, enum and event types of every endpoint.
pub use wxpay_model::busifavor::*;
pub use wxpay_model::{
    ApiRequest, ErrorBody, ErrorCode, ErrorDetail, Event, InvalidTimestamp, LenientTimestamp,
    NoContent, Notification, NotificationEnvelope, NotificationReply, Timestamp, ValidationError,
};
/// The lower crates, for what the common path does not need.
pub use {wxpay_crypto, wxpay_http, wxpay_model};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
