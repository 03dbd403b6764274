//! # wxpay-http
//!
//! The WeChat Pay APIv3 transport under every endpoint of the wxpay SDK: it signs, sends,
//! verifies, retries and fails over, once and correctly.
//!
//! * **One call path.** [`Client::execute`] takes any [`wxpay_model::ApiRequest`]: the request is
//!   validated (an invalid one never leaves), its body serialized **once**, and every attempt
//!   signs exactly the bytes and the path+query it sends, with a fresh timestamp and nonce.
//! * **Verified answers.** A 2xx must carry a valid `Wechatpay-Signature` over its raw body
//!   (empty for 204) within the 300 s window, or it is rejected: an unsigned 2xx is treated as
//!   forged. Non-2xx answers become [`Error::Api`] with status, code, message, detail, hint,
//!   `Request-ID` and the raw body.
//! * **Reliability.** 429 and 500/502/503/504 and connection failures are retried with
//!   exponential back-off and full jitter, honouring `Retry-After`, under a retry budget; the
//!   body (and so the business request number) never changes. A connection failure on
//!   `api.mch.weixin.qq.com` moves to `api2.mch.weixin.qq.com` for 60 s. Per-attempt, connect
//!   and overall time limits; a response size cap.
//! * **Keys.** A WeChat Pay public key, platform certificates downloaded and refreshed with the
//!   APIv3 key, or both during a migration. [`Client::key_set`] and [`Client::api_v3_key`] give
//!   the callback handler the same keys.
//! * **Stack.** hyper 1, hyper-util's pool (idle timeout 5 s, below WeChat Pay's 8 s),
//!   rustls with the ring provider, TLS 1.2+, HTTP/1.1 and HTTP/2 by ALPN, webpki roots (OS
//!   roots with the `native-roots` feature). No OpenSSL, no aws-lc.
//! * **Observability.** `tracing` spans `wxpay.request` (method, path template, status,
//!   Request-ID, attempts, elapsed) and `wxpay.attempt` (attempt, host, status, elapsed). The
//!   Authorization header, keys and bodies are never logged.
//!
//! ```
//! # fn main() -> Result<(), wxpay_http::Error> {
//! use std::time::Duration;
//! use wxpay_http::{Client, RetryPolicy, Timeouts};
//!
//! let client = Client::builder()
//!     .mchid("1900009191")
//!     .merchant_serial("1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C")
//!     .merchant_private_key_pem(include_str!("../../wxpay-crypto/testdata/merchant_key.pem"))
//!     .wechatpay_public_key(
//!         "PUB_KEY_ID_0000000000000000000000000000000001",
//!         include_str!("../../wxpay-crypto/testdata/wechatpay_pub.pem"),
//!     )
//!     .api_v3_key("0123456789abcdefghijklmnopqrstuv") // certificates + callbacks
//!     .timeouts(Timeouts::default().with_deadline(Duration::from_secs(20)))
//!     .retry_policy(RetryPolicy::default().with_max_attempts(4))
//!     .build()?;
//! // let stock = client.execute(&wxpay_model::busifavor::QueryStockRequest::new("98065001")).await?;
//! # let _ = client; Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod body;
mod builder;
mod certificates;
mod client;
mod connector;
mod endpoint;
mod error;
mod keys;
mod prepared;
mod response;
mod retry;
mod timeouts;
mod transport;

pub use builder::{
    ClientBuilder, DEFAULT_CERTIFICATE_REFRESH, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_POOL_IDLE_TIMEOUT,
};
pub use client::Client;
pub use endpoint::{DEFAULT_BACKUP_URL, DEFAULT_BASE_URL};
pub use error::{ApiError, BoxError, Error, TimeoutKind};
pub use keys::KeySet;
pub use response::Response;
pub use retry::RetryPolicy;
pub use timeouts::Timeouts;
