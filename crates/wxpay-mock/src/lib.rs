//! # wxpay-mock
//!
//! A local WeChat Pay APIv3 simulator for merchant coupons (商家券, `/v3/marketing/busifavor`)
//! that speaks the real protocol, so a whole coupon flow runs on a laptop:
//!
//! * requests are authenticated as WeChat Pay does: `Accept`/`User-Agent` required, the
//!   `WECHATPAY2-SHA256-RSA2048` signature checked over method, raw path-and-query and raw body,
//!   timestamps within a window — failures answer `401 SIGN_ERROR` / `400 INVALID_REQUEST`;
//! * every answer is signed (`Wechatpay-*` headers, `Request-ID`), with the public key when the
//!   request's `Wechatpay-Serial` is a `PUB_KEY_ID_…`, otherwise with the platform certificate;
//! * the busifavor endpoints 1–23 of the protocol contract run over an in-memory state machine:
//!   budgets, daily caps, per-user limits, coupon states, pre-made codes, subsidies,
//!   idempotent request numbers;
//! * issuing a coupon posts an encrypted, signed `COUPON.SEND` callback to the merchant's
//!   `notify_url`, retried on WeChat Pay's schedule, with a delivery log;
//! * faults (latency, 500/429, dropped connections, bad signatures) can be injected per route;
//! * what a client can make it hold is bounded: connections
//!   ([`MockBuilder::max_connections`]), time to send headers
//!   ([`MockBuilder::header_read_timeout`]), body size and read time ([`BODY_READ_DEADLINE`]),
//!   remembered request numbers ([`MockBuilder::idempotency_capacity`]).
//!
//! Its keys are simulator-only keys committed to the repository: nothing it signs is trusted
//! anywhere else, and it accepts `http://` notify URLs on loopback hosts (real WeChat Pay
//! requires HTTPS).
//!
//! ## Start it and call it
//!
//! ```
//! use wxpay_crypto::{MerchantPrivateKey, Signer};
//! use wxpay_mock::{MockBuilder, DEMO_CERT_SERIAL, DEMO_MCHID};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mock = MockBuilder::new().start().await?;
//! // Sign as the built-in demo merchant, exactly as a real client would.
//! let key = MerchantPrivateKey::from_pem(mock.demo_merchant_private_key_pem())?;
//! let signer = Signer::new(DEMO_MCHID, DEMO_CERT_SERIAL, key)?;
//! let auth = signer.authorize("GET", "/v3/marketing/busifavor/callbacks", b"")?;
//! assert!(auth.header_value().starts_with("WECHATPAY2-SHA256-RSA2048"));
//! // … send it to `mock.base_url()` with any HTTP client; then:
//! mock.shutdown().await;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api_error;
mod auth;
mod callbacks;
mod certificates;
mod claims;
mod clock;
mod connections;
mod error;
mod faults;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod handle;
mod keys;
mod limits;
mod merchant;
mod ops;
mod pipeline;
mod request;
mod routes;
mod server;
mod shared;
mod signing;
mod simulator_routes;
mod state;
mod sync;

pub use api_error::ApiError;
pub use callbacks::{
    AttemptKind, AttemptOutcome, DeliveryAttempt, DeliveryStatus, NotificationRecord, RetrySchedule,
};
pub use claims::{Claim, ClaimedCoupon};
pub use clock::ManualClock;
pub use error::{Error, Result};
pub use faults::{Fault, FaultKind};
pub use handle::{MockBuilder, MockHandle};
pub use keys::{DEFAULT_PUBLIC_KEY_ID, SigningKey, SimulatorKeys};
pub use merchant::{
    DEMO_APIV2_KEY, DEMO_APIV3_KEY, DEMO_CERT_SERIAL, DEMO_MCHID, MerchantConfig,
    demo_merchant_private_key_pem,
};
pub use pipeline::BODY_READ_DEADLINE;
/// The model's `send_channel` enum, which [`Claim::channel`] takes.
pub use wxpay_model::busifavor::SendChannel;
