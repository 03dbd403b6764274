//! The error body WeChat Pay returns with 4xx/5xx (spec §6.1), and its open error-code enum.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::open_enum::open_enum;

/// The JSON body of a WeChat Pay error answer (spec §6.1).
///
/// ```
/// use wxpay_model::{ErrorBody, ErrorCode};
/// let body: ErrorBody = serde_json::from_str(
///     r#"{"code":"FREQUENCY_LIMITED","message":"频率限制"}"#)?;
/// assert_eq!(body.code, ErrorCode::FrequencyLimited);
/// assert!(body.code.is_retryable());
/// assert!(body.code.hint().is_some());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorBody {
    /// Machine-readable code, e.g. `PARAM_ERROR`.
    pub code: ErrorCode,
    /// Human-readable message (usually Chinese); several messages may share one code. Empty
    /// when WeChat Pay sent none (and then not re-serialized).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// Which field was wrong, when WeChat Pay says.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_detail"
    )]
    pub detail: Option<ErrorDetail>,
}

impl ErrorBody {
    /// A body with `code` and `message` and no detail.
    pub fn new(code: impl Into<ErrorCode>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            detail: None,
        }
    }

    /// Adds a detail.
    pub fn with_detail(mut self, detail: ErrorDetail) -> Self {
        self.detail = Some(detail);
        self
    }

    /// Parses an error answer's body; `None` when it is not a WeChat Pay error body (gateway
    /// errors may send HTML or nothing).
    pub fn from_slice(body: &[u8]) -> Option<Self> {
        serde_json::from_slice(body).ok()
    }
}

impl std::fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(d) = &self.detail
            && let Some(field) = &d.field
        {
            write!(f, " (field {field}")?;
            if let Some(issue) = &d.issue {
                write!(f, ": {issue}")?;
            }
            f.write_str(")")?;
        }
        if let Some(hint) = self.code.hint() {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

/// `detail` of an error body: every field optional, unknown keys kept in `extra`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorDetail {
    /// JSON pointer into the request body (`/amount/currency`) or a path/query parameter name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The offending value (any JSON type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Why it is wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<String>,
    /// Where the field is: `body`, `query`, `path`, ….
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Any other keys, kept as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ErrorDetail {
    /// A detail naming `field`, `issue` and `location`.
    pub fn new(
        field: impl Into<String>,
        issue: impl Into<String>,
        location: impl Into<String>,
    ) -> Self {
        Self {
            field: Some(field.into()),
            issue: Some(issue.into()),
            location: Some(location.into()),
            ..Self::default()
        }
    }
}

/// `detail` is documented as an object; anything else is kept as its `value` rather than failing.
fn lenient_detail<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ErrorDetail>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => None,
        Value::Object(map) => {
            Some(serde_json::from_value(Value::Object(map)).map_err(serde::de::Error::custom)?)
        }
        other => Some(ErrorDetail {
            value: Some(other),
            ..ErrorDetail::default()
        }),
    })
}

open_enum! {
    /// The `code` of an error body: the common APIv3 codes and the busifavor ones.
    ///
    /// Classify by HTTP status first; codes are open and WeChat Pay adds new ones. Each known
    /// code has a [`hint`](ErrorCode::hint) with the documented solution.
    pub enum ErrorCode {
        /// 400 参数错误.
        ParamError = "PARAM_ERROR",
        /// 400 the HTTP request breaks APIv3 rules, or a business precondition failed.
        InvalidRequest = "INVALID_REQUEST",
        /// 401 signature verification failed.
        SignError = "SIGN_ERROR",
        /// 500 (sometimes 400) system error.
        SystemError = "SYSTEM_ERROR",
        /// 403 no permission.
        NoAuth = "NO_AUTH",
        /// 400 the AppID is not associated with the calling merchant.
        AppidMchidNotMatch = "APPID_MCHID_NOT_MATCH",
        /// 400 the merchant id does not exist.
        MchNotExists = "MCH_NOT_EXISTS",
        /// 404 the resource does not exist.
        ResourceNotExists = "RESOURCE_NOT_EXISTS",
        /// 400 the resource already exists (request number reused, coupon already used).
        ResourceAlreadyExists = "RESOURCE_ALREADY_EXISTS",
        /// 403 a business rule forbids it (e.g. coupon outside its validity period).
        RuleLimit = "RULE_LIMIT",
        /// 404 the OpenID is wrong.
        UserNotExists = "USER_NOT_EXISTS",
        /// 404 the order does not exist.
        OrderNotExist = "ORDER_NOT_EXIST",
        /// 429 rate limited (busifavor spelling).
        FrequencyLimited = "FREQUENCY_LIMITED",
        /// 429 rate limited (old gitbook spelling).
        RatelimitExceeded = "RATELIMIT_EXCEEDED",
        /// 429 rate limited (global docs spelling).
        RateLimited = "RATE_LIMITED",
        /// 5xx service unavailable.
        ServiceUnavailable = "SERVICE_UNAVAILABLE",
        /// Per-code upload failure (§8.5 `fail_codes[].code`): the code is longer than 32 characters.
        LengthLimit = "LENGTH_LIMIT",
        /// Per-code upload failure (§8.5 `fail_codes[].code`): the code has a character outside
        /// `0-9 a-z A-Z`, space, `- _ \\ / = |`.
        CharacterInvalid = "CHARACTER_INVALID",
        /// 404 no such API (method and path).
        NotFound = "NOT_FOUND",
    }
}

impl ErrorCode {
    /// The documented solution for a known code (from the official error-code tables).
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self {
            ErrorCode::ParamError => {
                "a parameter is wrong: fix it as `message`/`detail` say (请根据错误提示正确传入参数)"
            }
            ErrorCode::InvalidRequest => {
                "the request breaks the APIv3 interface rules (e.g. missing Accept or User-Agent) or a business precondition (e.g. the stock's coupon_code_mode does not allow uploading codes, or the upload quota is used up: use another stock); read `message`"
            }
            ErrorCode::SignError => {
                "signature check failed: check mchid, the merchant certificate serial_no and private key, and that the signed method, URL (path and query) and body are byte-identical to what was sent"
            }
            ErrorCode::SystemError => {
                "WeChat Pay system error, usually a network timeout: retry later with the same parameters and the same request number"
            }
            ErrorCode::NoAuth => {
                "no permission: read `message` and check that this merchant has the product enabled and owns the stock/appid"
            }
            ErrorCode::AppidMchidNotMatch => {
                "the AppID is not associated with the calling merchant: bind the AppID to the merchant or use an AppID bound to it"
            }
            ErrorCode::MchNotExists => "the merchant id does not exist: check the mchid passed",
            ErrorCode::ResourceNotExists => {
                "the resource does not exist: check the id queried (stock_id, coupon_code, receipt id)"
            }
            ErrorCode::ResourceAlreadyExists => {
                "already exists: a request number (out_request_no etc.) was reused for different content, or the coupon was already used by another order; query the coupon to confirm"
            }
            ErrorCode::RuleLimit => {
                "a business rule forbids it, e.g. the coupon cannot be used at this time (outside its validity period)"
            }
            ErrorCode::UserNotExists => {
                "the OpenID is wrong: check it and that it belongs to the appid passed"
            }
            ErrorCode::OrderNotExist => "the order does not exist: check the order number",
            ErrorCode::FrequencyLimited | ErrorCode::RatelimitExceeded | ErrorCode::RateLimited => {
                "rate limited, the request was not processed: lower the call rate and retry after a back-off with the same request number"
            }
            ErrorCode::ServiceUnavailable => {
                "service unavailable: retry later with the same request number (the backup domain api2.mch.weixin.qq.com helps only on connection failures)"
            }
            ErrorCode::LengthLimit => "the code is longer than 32 characters: shorten it",
            ErrorCode::CharacterInvalid => {
                "the code has a character WeChat Pay does not allow: use only 0-9 a-z A-Z, space, - _ \\ / = |"
            }
            ErrorCode::NotFound => {
                "no such API: check the HTTP method and the path (and that the product is enabled)"
            }
            ErrorCode::Unknown(_) => return None,
        })
    }

    /// Whether retrying the same request (same request number, fresh signature) after a
    /// back-off may succeed: system errors, rate limits and unavailability.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ErrorCode::SystemError
                | ErrorCode::FrequencyLimited
                | ErrorCode::RatelimitExceeded
                | ErrorCode::RateLimited
                | ErrorCode::ServiceUnavailable
        )
    }

    /// The HTTP status this code usually comes with (spec §6.2 and the error-code tables).
    pub fn typical_status(&self) -> Option<u16> {
        Some(match self {
            ErrorCode::ParamError
            | ErrorCode::InvalidRequest
            | ErrorCode::AppidMchidNotMatch
            | ErrorCode::MchNotExists
            | ErrorCode::ResourceAlreadyExists
            | ErrorCode::LengthLimit
            | ErrorCode::CharacterInvalid => 400,
            ErrorCode::SignError => 401,
            ErrorCode::NoAuth | ErrorCode::RuleLimit => 403,
            ErrorCode::ResourceNotExists
            | ErrorCode::UserNotExists
            | ErrorCode::OrderNotExist
            | ErrorCode::NotFound => 404,
            ErrorCode::FrequencyLimited | ErrorCode::RatelimitExceeded | ErrorCode::RateLimited => {
                429
            }
            ErrorCode::SystemError => 500,
            ErrorCode::ServiceUnavailable => 503,
            ErrorCode::Unknown(_) => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_6_1_example_round_trips() {
        let text = r#"{"code":"PARAM_ERROR","message":"参数错误",
 "detail":{"field":"/amount/currency","value":"XYZ","issue":"Currency code is invalid","location":"body"}}"#;
        let body: ErrorBody = serde_json::from_str(text).unwrap();
        assert_eq!(body.code, ErrorCode::ParamError);
        let d = body.detail.as_ref().unwrap();
        assert_eq!(d.field.as_deref(), Some("/amount/currency"));
        assert_eq!(d.location.as_deref(), Some("body"));
        let original: Value = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap(), original);
    }

    #[test]
    fn unknown_code_and_detail_keys_round_trip() {
        let text =
            r#"{"code":"BRAND_NEW_CODE","message":"x","detail":{"field":"a","extra_key":[1]}}"#;
        let body: ErrorBody = serde_json::from_str(text).unwrap();
        assert_eq!(body.code, ErrorCode::Unknown("BRAND_NEW_CODE".into()));
        assert_eq!(body.code.hint(), None);
        assert!(!body.code.is_retryable());
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
    }

    #[test]
    fn seed_table_codes_have_hints_and_statuses() {
        for (status, code) in [
            (400, "PARAM_ERROR"),
            (400, "INVALID_REQUEST"),
            (401, "SIGN_ERROR"),
            (500, "SYSTEM_ERROR"),
            (400, "APPID_MCHID_NOT_MATCH"),
            (400, "MCH_NOT_EXISTS"),
            (400, "RESOURCE_ALREADY_EXISTS"),
            (403, "NO_AUTH"),
            (403, "RULE_LIMIT"),
            (404, "RESOURCE_NOT_EXISTS"),
            (404, "USER_NOT_EXISTS"),
            (429, "FREQUENCY_LIMITED"),
        ] {
            let c = ErrorCode::from_wire(code);
            assert!(!c.is_unknown(), "{code}");
            assert!(c.hint().is_some(), "{code}");
            assert_eq!(c.typical_status(), Some(status), "{code}");
        }
        for c in ErrorCode::KNOWN {
            assert!(c.hint().is_some() && c.typical_status().is_some(), "{c}");
        }
    }

    #[test]
    fn retryable_codes() {
        assert!(ErrorCode::SystemError.is_retryable());
        assert!(ErrorCode::RateLimited.is_retryable());
        assert!(!ErrorCode::ParamError.is_retryable());
        assert!(!ErrorCode::SignError.is_retryable());
    }

    #[test]
    fn lenient_body_shapes() {
        let b: ErrorBody = serde_json::from_str(r#"{"code":"SYSTEM_ERROR"}"#).unwrap();
        assert_eq!(b.message, "");
        let b: ErrorBody =
            serde_json::from_str(r#"{"code":"PARAM_ERROR","message":"m","detail":"text"}"#)
                .unwrap();
        assert_eq!(b.detail.unwrap().value, Some(Value::from("text")));
        let b: ErrorBody =
            serde_json::from_str(r#"{"code":"PARAM_ERROR","message":"m","detail":null}"#).unwrap();
        assert_eq!(b.detail, None);
        assert_eq!(ErrorBody::from_slice(b"<html>bad gateway</html>"), None);
    }

    #[test]
    fn display_includes_hint() {
        let b = ErrorBody::new("SIGN_ERROR", "签名错误")
            .with_detail(ErrorDetail::new("/x", "bad", "body"));
        let s = b.to_string();
        assert!(
            s.starts_with("SIGN_ERROR: 签名错误 (field /x: bad); signature check failed"),
            "{s}"
        );
    }
}
