//! The crate's error type: one enum for every way a `busifavor` call can fail.

use wxpay_http::ApiError;
use wxpay_model::{ErrorCode, ValidationError};

use crate::config::ConfigError;

/// Everything a `busifavor` call can fail with.
///
/// Match on the variant to decide what to do; every message says it too.
///
/// | variant | was anything sent? | what to do |
/// |---|---|---|
/// | [`Validation`](Error::Validation) | no | fix the named field |
/// | [`Api`](Error::Api) | yes, WeChat Pay refused it | read `code` and `hint`; retry only if [`is_retryable`](Error::is_retryable) |
/// | [`Transport`](Error::Transport) | maybe | retry with the **same** request number (the API is idempotent on it) |
/// | [`Verification`](Error::Verification) | yes, the answer was rejected | do not trust the answer; check keys, clock and network path |
/// | [`Decode`](Error::Decode) | yes, a verified answer did not fit its type | report it with the `Request-ID` |
/// | [`Notification`](Error::Notification) | — (a callback) | answer WeChat Pay with a failure so it retries |
/// | [`Config`](Error::Config) | no | fix the named setting |
///
/// ```
/// use busifavor::Error;
///
/// fn describe(err: &Error) -> String {
///     match err {
///         Error::Validation(v) => format!("fix `{}` before sending", v.field),
///         Error::Api(api) => format!("WeChat Pay refused: {:?} ({})", api.code, api.hint.unwrap_or("")),
///         e if e.is_retryable() => "retry later with the same request number".to_owned(),
///         other => other.to_string(),
///     }
/// }
/// let e = Error::from(wxpay_model::ValidationError::new("stock_name", "be 1..=21 characters", "22 characters"));
/// assert_eq!(describe(&e), "fix `stock_name` before sending");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request breaks a rule of the API; **nothing was sent**.
    #[error("{0}; nothing was sent to WeChat Pay: fix the field and call again")]
    Validation(#[from] ValidationError),

    /// WeChat Pay answered with an error status: its `code`, `message`, `detail`, the
    /// documented `hint` and the `Request-ID` to quote to WeChat Pay support.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// No complete answer was obtained (DNS, connect, TLS, timeout, a body cut off or too
    /// large). The request may or may not have been processed: retry with the **same**
    /// business request number.
    #[error(
        "{0}; the request may or may not have been processed: retry with the same request number"
    )]
    Transport(#[source] wxpay_http::Error),

    /// An answer claiming to come from WeChat Pay failed signature verification and was
    /// rejected (or declared a signature type this SDK does not support).
    #[error(
        "{0}; the answer was not trusted: check the WeChat Pay public key or platform certificates, the system clock, and that nothing on the network path rewrites answers"
    )]
    Verification(#[source] wxpay_http::Error),

    /// A verified 2xx answer did not fit its documented type.
    #[error("{0}; report it with the Request-ID")]
    Decode(#[source] wxpay_http::Error),

    /// A callback could not be opened (signature, envelope, decryption or payload); answer
    /// WeChat Pay with a failure (`NotificationReply::for_error`) so it delivers it again.
    #[error("{0}")]
    Notification(#[source] wxpay_model::Error),

    /// The configuration is incomplete or wrong; the message names the setting.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl From<wxpay_http::Error> for Error {
    fn from(e: wxpay_http::Error) -> Self {
        use wxpay_http::Error as H;
        match e {
            H::Validation(v) => Error::Validation(v),
            H::Api(api) => Error::Api(api),
            H::Verification { .. } => Error::Verification(e),
            H::Decode { .. } => Error::Decode(e),
            H::Config { .. } => Error::Config(ConfigError::from_http(e)),
            other => Error::Transport(other),
        }
    }
}

impl Error {
    /// WeChat Pay's error answer, when there was one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// WeChat Pay's error code (`PARAM_ERROR`, `RESOURCE_NOT_EXISTS`, …), when it answered
    /// with one.
    pub fn code(&self) -> Option<&ErrorCode> {
        self.api().and_then(|a| a.code.as_ref())
    }

    /// The documented fix for WeChat Pay's error code, when known.
    pub fn hint(&self) -> Option<&'static str> {
        self.api().and_then(|a| a.hint)
    }

    /// The HTTP status of WeChat Pay's error answer.
    pub fn status(&self) -> Option<u16> {
        self.api().map(|a| a.status)
    }

    /// The `Request-ID` of the answer this error came from, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.request_id.as_deref(),
            Error::Transport(e) | Error::Verification(e) | Error::Decode(e) => e.request_id(),
            _ => None,
        }
    }

    /// Whether sending the same request again later (same business request number) may
    /// succeed: rate limiting, WeChat Pay server errors, timeouts and connection failures.
    /// The client has already retried these within its retry policy.
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client, req: busifavor::UseCouponRequest) -> Result<(), busifavor::Error> {
    /// match client.use_coupon(&req).await {
    ///     Ok(used) => println!("redeemed at {}", used.wechatpay_use_time),
    ///     Err(e) if e.is_retryable() => { /* queue `req` as it is, same use_request_no */ }
    ///     Err(e) => eprintln!("{:?}: {}", e.code(), e.hint().unwrap_or("see the message")),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(api) => api.is_retryable(),
            Error::Transport(e) => e.is_retryable(),
            _ => false,
        }
    }

    /// Whether the request was refused locally, before anything was sent.
    pub fn is_validation(&self) -> bool {
        matches!(self, Error::Validation(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_errors_map_to_one_variant_each() {
        let v = ValidationError::new("f", "be set", "absent");
        assert!(matches!(
            Error::from(wxpay_http::Error::Validation(v)),
            Error::Validation(_)
        ));
        let timeout = wxpay_http::Error::Timeout {
            kind: wxpay_http::TimeoutKind::Attempt,
            limit: std::time::Duration::from_secs(1),
            attempts: 1,
        };
        let e = Error::from(timeout);
        assert!(matches!(e, Error::Transport(_)));
        assert!(e.is_retryable());
        assert!(e.to_string().contains("same request number"), "{e}");
        let bad = wxpay_http::Error::Verification {
            source: wxpay_crypto::Error::UnsupportedSignatureType { found: "X".into() },
            request_id: None,
        };
        assert!(matches!(Error::from(bad), Error::Verification(_)));
    }

    #[test]
    fn error_is_send_sync() {
        fn check<T: Send + Sync + 'static>() {}
        check::<Error>();
    }
}
