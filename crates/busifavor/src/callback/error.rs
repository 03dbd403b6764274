//! Why a delivery was not processed, and why a handler could not be built.

use std::time::Duration;

use super::store::StoreError;

/// The error a user's function returns (any error type converts into it).
pub type HandlerError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why one delivery was not processed. Each maps to the HTTP status the handler answers
/// ([`CallbackError::status`]); every one is a failure WeChat Pay retries. The reply body
/// never carries these messages (they are for your logs): it carries a fixed phrase per kind.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// Not a `POST`.
    #[error("method {method} is not allowed: WeChat Pay POSTs notifications")]
    MethodNotAllowed {
        /// The method received.
        method: String,
    },
    /// `Content-Type` is missing or is not `application/json`.
    #[error(
        "content type {found:?} refused: WeChat Pay sends application/json; is something else calling the notify URL?"
    )]
    UnsupportedContentType {
        /// The value received, if any.
        found: Option<String>,
    },
    /// A `Wechatpay-*` header came more than once with different values.
    #[error(
        "header {name} came {count} times with different values; a proxy may be adding its own, or the request was forged"
    )]
    DuplicateHeader {
        /// The header name.
        name: &'static str,
        /// How many copies.
        count: usize,
    },
    /// The body is larger than the cap.
    #[error(
        "body larger than {limit} bytes refused; a COUPON.SEND notification is about 1 KiB (raise `max_body_bytes` only if you expect larger)"
    )]
    BodyTooLarge {
        /// The cap.
        limit: usize,
    },
    /// Reading the body failed or took too long.
    #[error("could not read the request body: {reason}")]
    BodyRead {
        /// What happened.
        reason: String,
    },
    /// The signature did not verify (a `WECHATPAY/SIGNTEST/` probe, a tampered body, a stale
    /// or future timestamp, an unknown serial, a missing header, a signature type other than
    /// RSA…). Nothing was decrypted.
    #[error("notification signature rejected: {0}")]
    Unverified(#[source] wxpay_crypto::Error),
    /// The signature verified but the notification could not be opened: not an envelope,
    /// unsupported resource type or algorithm, decryption failed (usually a wrong APIv3 key),
    /// the plaintext is not JSON, or it does not fit the event type.
    #[error("verified notification could not be opened: {0}")]
    Unopened(#[source] wxpay_model::Error),
    /// Another delivery of this notification holds a live claim (it is being processed here
    /// or on another machine).
    #[error(
        "notification {notification_id} is being processed by another delivery; WeChat Pay will redeliver"
    )]
    InProgress {
        /// The notification.
        notification_id: String,
        /// Time left on the other claim, when known.
        retry_after: Option<Duration>,
    },
    /// The idempotency store could not claim the notification; the user's function was not
    /// called and nothing was marked done.
    #[error("idempotency store failed, notification not processed: {0}")]
    Store(#[source] StoreError),
    /// The user's function returned an error; the claim was released.
    #[error("the handler for notification {notification_id} failed: {source}")]
    HandlerFailed {
        /// The notification.
        notification_id: String,
        /// The user's error.
        #[source]
        source: HandlerError,
    },
    /// The user's function panicked; the claim was released.
    #[error("the handler for notification {notification_id} panicked; the claim was released")]
    HandlerPanicked {
        /// The notification.
        notification_id: String,
    },
    /// The user's function did not finish within the reply timeout. It keeps running in the
    /// background while its lease lasts, then completes (a redelivery is then acknowledged)
    /// or releases the claim.
    #[error(
        "the handler for notification {notification_id} did not finish within {after:?}; it continues in the background until its lease ends (move slow work out of the handler)"
    )]
    HandlerTimedOut {
        /// The notification.
        notification_id: String,
        /// The reply timeout.
        after: Duration,
    },
}

impl CallbackError {
    /// The HTTP status answered for this error: 4xx for what is wrong with the request
    /// (retrying the same bytes cannot help, though WeChat Pay retries anyway and a genuine
    /// redelivery then passes), 5xx for what is wrong here or still going on.
    pub fn status(&self) -> u16 {
        match self {
            Self::MethodNotAllowed { .. } => 405,
            Self::UnsupportedContentType { .. } => 415,
            Self::DuplicateHeader { .. } | Self::BodyRead { .. } | Self::Unopened(_) => 400,
            Self::BodyTooLarge { .. } => 413,
            Self::Unverified(_) => 401,
            Self::InProgress { .. } | Self::Store(_) | Self::HandlerTimedOut { .. } => 503,
            Self::HandlerFailed { .. } | Self::HandlerPanicked { .. } => 500,
        }
    }

    /// The fixed phrase sent as the reply's `message`: says what kind of failure, leaks no
    /// detail (no key names, serials, ids or user data).
    pub fn reply_message(&self) -> &'static str {
        match self {
            Self::MethodNotAllowed { .. } => "method not allowed",
            Self::UnsupportedContentType { .. } => "content type must be application/json",
            Self::DuplicateHeader { .. } => "conflicting Wechatpay headers",
            Self::BodyTooLarge { .. } => "request body too large",
            Self::BodyRead { .. } => "request body could not be read",
            Self::Unverified(_) => "signature verification failed",
            Self::Unopened(_) => "notification could not be decrypted or parsed",
            Self::InProgress { .. } => "notification is being processed, retry later",
            Self::Store(_) => "temporarily unavailable, retry later",
            Self::HandlerFailed { .. } | Self::HandlerPanicked { .. } => {
                "processing failed, retry later"
            }
            Self::HandlerTimedOut { .. } => "processing is taking long, retry later",
        }
    }

    /// Whether the delivery itself was refused as not genuine or malformed (4xx), as opposed
    /// to a failure on this side (5xx).
    pub fn is_rejection(&self) -> bool {
        self.status() < 500
    }
}

/// Why a [`CallbackHandler`](super::CallbackHandler) could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackConfigError {
    /// No verification keys were given.
    #[error(
        "no verification keys: call `.client(&wxpay_http_client)` (live key set, certificate refresh) or `.verifier(verifier).api_v3_key(key)` (static keys)"
    )]
    MissingKeys,
    /// Both a client and a static verifier were given.
    #[error(
        "both `.client(…)` and `.verifier(…)` were set; use one source of keys (the client's live key set, or a static verifier)"
    )]
    ConflictingKeys,
    /// No APIv3 key to decrypt notifications.
    #[error(
        "no APIv3 key to decrypt notifications: set it on the wxpay-http client (`ClientBuilder::api_v3_key`) or call `.api_v3_key(…)`"
    )]
    MissingApiV3Key,
    /// No function for COUPON.SEND notifications.
    #[error("no COUPON.SEND handler: call `.on_coupon_send(|event, meta| async move {{ … }})`")]
    MissingCouponSendHandler,
    /// A setting is out of range.
    #[error("invalid callback setting `{setting}`: {reason}")]
    InvalidSetting {
        /// The builder method.
        setting: &'static str,
        /// What is required.
        reason: String,
    },
}
