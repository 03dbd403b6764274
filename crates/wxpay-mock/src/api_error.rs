//! Errors the simulator answers with, in WeChat Pay's shape (spec §6.1): the model's
//! [`ErrorBody`] with its [`ErrorCode`], plus the HTTP status.

use serde_json::Value;
use wxpay_model::{ErrorBody, ErrorCode, ErrorDetail};

/// An error answer: HTTP status plus `{"code","message","detail"?}`.
///
/// ```
/// let e = wxpay_mock::ApiError::param("/stock_name", "", "长度超出范围");
/// assert_eq!(e.status(), 400);
/// assert_eq!(e.code(), "PARAM_ERROR");
/// assert_eq!(e.body()["detail"]["field"], "/stock_name");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("HTTP {status} {}: {}", body.code, body.message)]
pub struct ApiError {
    status: u16,
    /// Boxed: errors travel in `Result`s everywhere, and the body is large.
    body: Box<ErrorBody>,
    /// `body.detail` as JSON, for [`ApiError::detail`].
    detail: Option<Value>,
}

impl ApiError {
    /// Any error answer.
    pub fn new(status: u16, code: impl Into<ErrorCode>, message: impl Into<String>) -> Self {
        Self {
            status,
            body: Box::new(ErrorBody::new(code, message)),
            detail: None,
        }
    }

    /// 400 `PARAM_ERROR` with a `detail` pointing into the body (`field` is a JSON pointer).
    pub fn param(field: &str, value: impl Into<Value>, issue: &str) -> Self {
        Self::param_at(field, value, issue, "body")
    }

    /// 400 `PARAM_ERROR` with `detail.location` (`body`, `query` or `path`).
    pub fn param_at(field: &str, value: impl Into<Value>, issue: &str, location: &str) -> Self {
        let mut detail = ErrorDetail::new(field, issue, location);
        detail.value = Some(value.into());
        let body =
            ErrorBody::new(ErrorCode::ParamError, format!("参数错误: {issue}")).with_detail(detail);
        let detail = body
            .detail
            .as_ref()
            .and_then(|d| serde_json::to_value(d).ok());
        Self {
            status: 400,
            body: Box::new(body),
            detail,
        }
    }

    /// 401 `SIGN_ERROR`.
    pub fn sign(message: impl Into<String>) -> Self {
        Self::new(401, ErrorCode::SignError, message)
    }

    /// 400 `INVALID_REQUEST`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, ErrorCode::InvalidRequest, message)
    }

    /// 404 `RESOURCE_NOT_EXISTS`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, ErrorCode::ResourceNotExists, message)
    }

    /// 403 `NO_AUTH`.
    pub fn no_auth(message: impl Into<String>) -> Self {
        Self::new(403, ErrorCode::NoAuth, message)
    }

    /// 400 `RESOURCE_ALREADY_EXISTS`.
    pub fn exists(message: impl Into<String>) -> Self {
        Self::new(400, ErrorCode::ResourceAlreadyExists, message)
    }

    /// 500 `SYSTEM_ERROR`.
    pub fn system(message: impl Into<String>) -> Self {
        Self::new(500, ErrorCode::SystemError, message)
    }

    /// HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `code` string.
    pub fn code(&self) -> &str {
        self.body.code.as_str()
    }

    /// The `message` string.
    pub fn message(&self) -> &str {
        &self.body.message
    }

    /// The `detail` object, if any.
    pub fn detail(&self) -> Option<&Value> {
        self.detail.as_ref()
    }

    /// The JSON body WeChat Pay would send.
    pub fn body(&self) -> Value {
        serde_json::to_value(&*self.body).unwrap_or(Value::Null)
    }
}
