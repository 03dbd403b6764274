//! Errors the simulator answers with, in WeChat Pay's shape (spec §6.1).

use serde_json::{Value, json};

/// An error answer: HTTP status plus `{"code","message","detail"?}`.
///
/// ```
/// let e = wxpay_mock::ApiError::param("/stock_name", "", "长度超出范围");
/// assert_eq!(e.status(), 400);
/// assert_eq!(e.code(), "PARAM_ERROR");
/// assert_eq!(e.body()["detail"]["field"], "/stock_name");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("HTTP {status} {code}: {message}")]
pub struct ApiError {
    status: u16,
    code: String,
    message: String,
    detail: Option<Value>,
}

impl ApiError {
    /// Any error answer.
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
            detail: None,
        }
    }

    /// 400 `PARAM_ERROR` with a `detail` pointing into the body (`field` is a JSON pointer).
    pub fn param(field: &str, value: impl Into<Value>, issue: &str) -> Self {
        Self::param_at(field, value, issue, "body")
    }

    /// 400 `PARAM_ERROR` with `detail.location` (`body`, `query` or `path`).
    pub fn param_at(field: &str, value: impl Into<Value>, issue: &str, location: &str) -> Self {
        let mut e = Self::new(400, "PARAM_ERROR", format!("参数错误: {issue}"));
        e.detail = Some(json!({
            "field": field,
            "value": value.into(),
            "issue": issue,
            "location": location,
        }));
        e
    }

    /// 401 `SIGN_ERROR`.
    pub fn sign(message: impl Into<String>) -> Self {
        Self::new(401, "SIGN_ERROR", message)
    }

    /// 400 `INVALID_REQUEST`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, "INVALID_REQUEST", message)
    }

    /// 404 `RESOURCE_NOT_EXISTS`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "RESOURCE_NOT_EXISTS", message)
    }

    /// 403 `NO_AUTH`.
    pub fn no_auth(message: impl Into<String>) -> Self {
        Self::new(403, "NO_AUTH", message)
    }

    /// 400 `RESOURCE_ALREADY_EXISTS`.
    pub fn exists(message: impl Into<String>) -> Self {
        Self::new(400, "RESOURCE_ALREADY_EXISTS", message)
    }

    /// HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `code` string.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The `message` string.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The `detail` object, if any.
    pub fn detail(&self) -> Option<&Value> {
        self.detail.as_ref()
    }

    /// The JSON body WeChat Pay would send.
    pub fn body(&self) -> Value {
        let mut v = json!({"code": self.code, "message": self.message});
        if let (Some(d), Some(obj)) = (&self.detail, v.as_object_mut()) {
            obj.insert("detail".to_owned(), d.clone());
        }
        v
    }
}
