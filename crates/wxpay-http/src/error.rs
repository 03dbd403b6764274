//! The one error type of this crate.

use std::fmt;
use std::time::Duration;

use wxpay_model::{ErrorCode, ErrorDetail};

use crate::retry::is_retryable_status;

/// Boxed error from the HTTP stack (hyper, rustls, the connector).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong when calling WeChat Pay through this crate.
///
/// Each variant is one cause a caller can act on. [`Error::is_retryable`] tells whether sending
/// the *same* request again (same business request number) later may succeed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request failed its own validation and was not sent.
    #[error("invalid request, not sent: {0}")]
    Validation(#[from] wxpay_model::ValidationError),

    /// The request body could not be serialized (nothing was sent).
    #[error("could not serialize the request body, not sent: {0}")]
    Encode(#[source] wxpay_model::Error),

    /// WeChat Pay answered with a non-2xx status.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// A 2xx response failed signature verification and was rejected. The inner error says
    /// which check failed (a `Wechatpay-Signature-Type` other than RSA, missing header, stale
    /// timestamp, unknown serial, probe, mismatch…).
    #[error(
        "rejected a WeChat Pay response that failed signature verification (Request-ID {request_id}): {source}",
        request_id = request_id.as_deref().unwrap_or("none")
    )]
    Verification {
        /// The precise failure.
        #[source]
        source: wxpay_crypto::Error,
        /// `Request-ID` of the rejected response, when present.
        request_id: Option<String>,
    },

    /// A time limit ran out.
    #[error(
        "{kind} timeout after {limit:?} ({attempts} attempt(s)); raise it with `ClientBuilder::timeouts` if WeChat Pay is slow, or check connectivity"
    )]
    Timeout {
        /// Which limit.
        kind: TimeoutKind,
        /// The configured limit that ran out.
        limit: Duration,
        /// Attempts made.
        attempts: u32,
    },

    /// No HTTP response could be obtained (DNS, TCP connect, TLS handshake, connection reset)
    /// on any host tried.
    #[error(
        "could not reach WeChat Pay after {attempts} attempt(s) on {hosts} (last error from {host}: {source}); check that the base URL is right and the server is up, and DNS, firewall and proxy settings (a backup host is tried only when one is configured)",
        hosts = tried.join(", ")
    )]
    Connect {
        /// The last host tried.
        host: String,
        /// Every host tried, in the order first tried (`host[:port]`): the primary, and the
        /// backup when failover happened. No other host was contacted.
        tried: Vec<String>,
        /// Attempts made.
        attempts: u32,
        /// The underlying failure.
        #[source]
        source: BoxError,
    },

    /// A server answered, but its answer's head (status line and headers) is not valid HTTP: a
    /// header section larger than the client reads, too many headers, or a control character
    /// such as NUL in a header value — or, over HTTP/2, a header block or frame that breaks
    /// the protocol. The request reached that host (it may have been processed), so it was not
    /// sent again and not sent to the backup host.
    #[error(
        "{host} answered with a malformed HTTP response ({reason}) after {attempts} attempt(s); the request reached it, so it was neither re-sent nor sent to the backup host. Query the outcome (same business request number) before sending it again, and check for a proxy or middlebox between you and WeChat Pay"
    )]
    MalformedAnswer {
        /// The host that answered (`host[:port]`).
        host: String,
        /// Attempts made.
        attempts: u32,
        /// What was wrong with the answer, in words.
        reason: String,
        /// The HTTP stack's parse error.
        #[source]
        source: BoxError,
    },

    /// Reading the response body failed after the status line arrived.
    #[error("the connection failed while reading the response body (Request-ID {request_id}): {source}", request_id = request_id.as_deref().unwrap_or("none"))]
    Body {
        /// `Request-ID` of the response, when present.
        request_id: Option<String>,
        /// The underlying failure.
        #[source]
        source: BoxError,
    },

    /// The response body exceeded the configured cap; it was not read further.
    #[error(
        "response body larger than the {limit}-byte cap (Request-ID {request_id}); raise it with `ClientBuilder::max_response_bytes` if this response is legitimate",
        request_id = request_id.as_deref().unwrap_or("none")
    )]
    BodyTooLarge {
        /// The cap in bytes.
        limit: usize,
        /// `Request-ID` of the response, when present.
        request_id: Option<String>,
    },

    /// A verified 2xx body could not be decoded into the response type.
    #[error(
        "could not decode the verified {status} response (Request-ID {request_id}): {source}",
        request_id = request_id.as_deref().unwrap_or("none")
    )]
    Decode {
        /// HTTP status.
        status: u16,
        /// `Request-ID`, when present.
        request_id: Option<String>,
        /// The model's parse error.
        #[source]
        source: wxpay_model::Error,
    },

    /// The platform-certificate download (`GET /v3/certificates`) returned something unusable.
    #[error("platform certificate download failed: {reason}")]
    Certificates {
        /// What was wrong.
        reason: String,
        /// The underlying crypto failure, when there is one (decryption, certificate parsing).
        #[source]
        source: Option<wxpay_crypto::Error>,
    },

    /// Signing the request failed (nothing was sent).
    #[error("could not sign the request, not sent: {0}")]
    Signing(#[source] wxpay_crypto::Error),

    /// The client configuration is unusable.
    #[error("invalid client configuration: {reason}")]
    Config {
        /// What to fix.
        reason: String,
        /// The key-loading failure, when there is one.
        #[source]
        source: Option<wxpay_crypto::Error>,
    },
}

impl Error {
    /// Whether the same request (same body, same business request number) may succeed if sent
    /// again later: rate limiting, WeChat Pay server errors, timeouts, connection failures, and
    /// answers lost to a broken connection or a malformed head.
    /// The client has already retried these within its retry policy.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => is_retryable_status(e.status),
            Error::Timeout { .. }
            | Error::Connect { .. }
            | Error::Body { .. }
            | Error::MalformedAnswer { .. } => true,
            _ => false,
        }
    }

    /// The `Request-ID` of the response this error came from, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Verification { request_id, .. }
            | Error::Body { request_id, .. }
            | Error::BodyTooLarge { request_id, .. }
            | Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The API error, when WeChat Pay answered with a non-2xx status.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// A one-line description for logs, without anything taken from a body (a gateway's
    /// error page, the value serde quotes in a decode error): status, code, Request-ID.
    pub(crate) fn log_summary(&self) -> LogSummary<'_> {
        LogSummary(self)
    }

    pub(crate) fn config(reason: impl Into<String>) -> Self {
        Error::Config {
            reason: reason.into(),
            source: None,
        }
    }
}

/// See [`Error::log_summary`].
pub(crate) struct LogSummary<'a>(&'a Error);

impl fmt::Display for LogSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Error::Api(e) => {
                write!(f, "WeChat Pay answered HTTP {}", e.status)?;
                match e.code.as_ref().map(ErrorCode::as_str) {
                    Some(code) if is_plain_code(code) => write!(f, " {code}")?,
                    Some(_) => f.write_str(" with an unrecognised code")?,
                    None => f.write_str(" with a non-JSON body")?,
                }
                write!(
                    f,
                    " [Request-ID {}] after {} attempt(s)",
                    e.request_id.as_deref().unwrap_or("none"),
                    e.attempts
                )
            }
            Error::Decode {
                status, request_id, ..
            } => write!(
                f,
                "could not decode the verified {status} response (Request-ID {})",
                request_id.as_deref().unwrap_or("none")
            ),
            other => fmt::Display::fmt(other, f),
        }
    }
}

/// A code such as `PARAM_ERROR`: short, upper-case ASCII, digits and `_`.
fn is_plain_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Which time limit ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// One attempt (send + read) took longer than the per-attempt timeout.
    Attempt,
    /// The whole call, retries included, took longer than the overall deadline.
    Deadline,
}

impl fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutKind::Attempt => "per-attempt",
            TimeoutKind::Deadline => "overall deadline",
        })
    }
}

/// A non-2xx answer from WeChat Pay (spec §6.1): the status, the parsed error body when it was
/// JSON, and always the raw body (truncated) and the `Request-ID` to quote to WeChat Pay support.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// The `code` of the error body; `None` when the body was not a WeChat Pay error JSON.
    pub code: Option<ErrorCode>,
    /// The `message` of the error body (usually Chinese).
    pub message: Option<String>,
    /// The optional `detail` object (field, value, issue, location).
    pub detail: Option<ErrorDetail>,
    /// What to do about this code, when known.
    pub hint: Option<&'static str>,
    /// `Request-ID` response header.
    pub request_id: Option<String>,
    /// The raw body as text (lossy UTF-8), truncated to [`ApiError::RAW_BODY_LIMIT`] bytes.
    pub raw_body: String,
    /// Attempts made, retries included.
    pub attempts: u32,
}

impl ApiError {
    /// How much of a non-2xx body is kept in [`ApiError::raw_body`].
    pub const RAW_BODY_LIMIT: usize = 2048;

    /// Whether this status is one the client retries (429, 500, 502, 503, 504).
    pub fn is_retryable(&self) -> bool {
        is_retryable_status(self.status)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WeChat Pay answered HTTP {}", self.status)?;
        match (&self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, " {}: {message}", code.as_str())?,
            (Some(code), None) => write!(f, " {}", code.as_str())?,
            _ => {
                let shown: String = self.raw_body.chars().take(200).collect();
                write!(f, " with a non-JSON body {shown:?}")?;
            }
        }
        if let Some(field) = self.detail.as_ref().and_then(|d| d.field.as_deref()) {
            write!(f, " (field {field}")?;
            if let Some(issue) = self.detail.as_ref().and_then(|d| d.issue.as_deref()) {
                write!(f, ": {issue}")?;
            }
            f.write_str(")")?;
        }
        write!(
            f,
            " [Request-ID {}]",
            self.request_id.as_deref().unwrap_or("none")
        )?;
        if let Some(hint) = self.hint {
            write!(f, "; {hint}")?;
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_classification() {
        for s in [429u16, 500, 502, 503, 504] {
            assert!(is_retryable_status(s), "{s}");
        }
        for s in [400u16, 401, 403, 404, 409, 501] {
            assert!(!is_retryable_status(s), "{s}");
        }
        let t = Error::Timeout {
            kind: TimeoutKind::Attempt,
            limit: Duration::from_secs(1),
            attempts: 1,
        };
        assert!(t.is_retryable());
        assert!(!Error::config("x").is_retryable());
    }

    #[test]
    fn log_summary_keeps_codes_not_body_text() {
        let api = |code: Option<&str>, raw: &str| {
            Error::Api(Box::new(ApiError {
                status: 400,
                code: code.map(|c| serde_json::from_value(c.into()).unwrap()),
                message: Some("MESSAGE-TEXT".into()),
                detail: None,
                hint: None,
                request_id: Some("RID-9".into()),
                raw_body: raw.into(),
                attempts: 1,
            }))
        };
        let s = api(Some("PARAM_ERROR"), "{..}").log_summary().to_string();
        assert_eq!(
            s,
            "WeChat Pay answered HTTP 400 PARAM_ERROR [Request-ID RID-9] after 1 attempt(s)"
        );
        let s = api(Some("<b>odd code</b>"), "").log_summary().to_string();
        assert!(s.contains("unrecognised code") && !s.contains("odd"), "{s}");
        let s = api(None, "<html>PAGE</html>").log_summary().to_string();
        assert!(s.contains("non-JSON") && !s.contains("PAGE"), "{s}");
        assert!(!s.contains("MESSAGE-TEXT"));
        assert!(is_plain_code("FREQUENCY_LIMITED") && !is_plain_code(""));
    }
}
