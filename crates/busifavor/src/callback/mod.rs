//! Receiving WeChat Pay's COUPON.SEND callbacks: verified, decrypted and handled exactly once,
//! on one machine or many.
//!
//! WeChat Pay delivers the same notification more than once (redeliveries every 60 s after a
//! failure, duplicates, deliberately wrongly signed probes) and expects an answer within 5 s.
//! [`CallbackHandler`] does the protocol and the bookkeeping:
//!
//! * verifies the signature over the raw body **once** — with a `wxpay_http::Client`'s live
//!   key set (which downloads platform certificates on an unknown serial) or a static
//!   [`wxpay_crypto::Verifier`] — refusing probes, stale or future timestamps, unknown
//!   serials, tampered bodies and signature types other than RSA;
//! * decrypts and types the event;
//! * claims the notification id in an [`IdempotencyStore`] (memory, Redis or PostgreSQL), so
//!   your function runs for one delivery at a time and never again once it succeeded;
//! * calls your async function with the [`CouponSendEvent`](wxpay_model::busifavor::CouponSendEvent)
//!   and [`CallbackMeta`] (notification id, create_time, signing serial, fencing number);
//! * answers 204 on success, 4xx `{"code":"FAIL",…}` for what is wrong with the request, 5xx
//!   for what failed here, so WeChat Pay retries exactly when it should.
//!
//! It is a `tower::Service<http::Request<B>>`:
//!
//! ```no_run
//! # async fn run(handler: busifavor::callback::CallbackHandler) -> std::io::Result<()> {
//! let app = axum::Router::new().route_service("/wechatpay/coupon", handler);
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! axum::serve(listener, app).await
//! # }
//! ```
//!
//! What no store can promise: if the process dies after your side effect but before the
//! completion is recorded, the next delivery calls your function again. Make your write
//! idempotent (keyed by `coupon_code`) and guard it with [`CallbackMeta::fencing`] —
//! `docs/callbacks.md` shows how, and what each store guarantees.

mod error;
mod handler;
mod headers;
mod keys;
mod meta;
mod service;
mod store;

pub use error::{CallbackConfigError, CallbackError, HandlerError};
pub use handler::{
    BoxError, CallbackHandler, CallbackHandlerBuilder, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_STORE_TIMEOUT, DEFAULT_TIMEOUT, Delivery, SuccessReply, WECHAT_ANSWER_LIMIT,
};
pub use meta::{CallbackMeta, UnknownEvent};
pub use store::{
    ClaimOutcome, ClaimRequest, DEFAULT_LEASE, DEFAULT_MEMORY_CAPACITY, DEFAULT_RETENTION,
    IdempotencyStore, Lease, MIN_RETENTION, MemoryStore, StoreError, StoreFuture,
};
#[cfg(feature = "postgres")]
pub use store::{DEFAULT_INBOX_TABLE, INBOX_MIGRATION, InboxRecord, PostgresStore};
#[cfg(feature = "redis")]
pub use store::{DEFAULT_REDIS_PREFIX, RedisStore};
