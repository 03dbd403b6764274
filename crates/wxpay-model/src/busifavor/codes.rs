//! Pre-made codes: upload, list, query, delete (spec §8.5–§8.8).

use serde::{Deserialize, Serialize};

use super::coupon::{CouponCodeEntity, CouponEntity};
use super::enums::CodeStatus;
use super::{BASE, seg};
use crate::api_error::ErrorCode;
use crate::error::{Error, ValidationError};
use crate::request::{ApiRequest, Method, RequestBody};
use crate::time::LenientTimestamp;
use crate::validate as v;

/// Most codes per upload.
pub const MAX_CODES_PER_UPLOAD: usize = 200;

/// Longest coupon code, in characters.
pub const MAX_COUPON_CODE_CHARS: usize = 32;

/// Whether `c` may appear in a merchant-chosen coupon code: `0-9 a-z A-Z`, space, `- _ \ / = |`.
pub fn is_coupon_code_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '\\' | '/' | '=' | '|')
}

/// What is wrong with a merchant-chosen coupon code, as WeChat Pay reports it per code in
/// `fail_codes` (§8.5): [`ErrorCode::LengthLimit`] (empty or over 32 characters) or
/// [`ErrorCode::CharacterInvalid`]; `None` for a good code.
///
/// ```
/// use wxpay_model::ErrorCode;
/// use wxpay_model::busifavor::coupon_code_problem;
/// assert_eq!(coupon_code_problem("ABC-123 x/y=z|_"), None);
/// assert_eq!(coupon_code_problem(&"x".repeat(33)), Some(ErrorCode::LengthLimit));
/// assert_eq!(coupon_code_problem("a.b"), Some(ErrorCode::CharacterInvalid));
/// ```
pub fn coupon_code_problem(code: &str) -> Option<ErrorCode> {
    let n = code.chars().count();
    if n == 0 || n > MAX_COUPON_CODE_CHARS {
        Some(ErrorCode::LengthLimit)
    } else if !code.chars().all(is_coupon_code_char) {
        Some(ErrorCode::CharacterInvalid)
    } else {
        None
    }
}

/// `POST /v3/marketing/busifavor/stocks/{stock_id}/couponcodes` — upload codes (§8.5).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UploadCouponCodesRequest {
    /// Stock id (path; never in the body).
    #[serde(skip)]
    pub stock_id: String,
    /// 1..=200 codes, each 1..=32 of `0-9 a-z A-Z`, space, `- _ \ / = |`.
    pub coupon_code_list: Vec<String>,
    /// Request number, 1..=128.
    pub upload_request_no: String,
}

impl UploadCouponCodesRequest {
    /// Upload `codes` to `stock_id`.
    pub fn new(
        stock_id: impl Into<String>,
        codes: impl IntoIterator<Item = impl Into<String>>,
        upload_request_no: impl Into<String>,
    ) -> Self {
        Self {
            stock_id: stock_id.into(),
            coupon_code_list: codes.into_iter().map(Into::into).collect(),
            upload_request_no: upload_request_no.into(),
        }
    }

    /// The rules WeChat Pay answers as a request error: stock id, 1..=200 codes, request
    /// number. Problems of single codes are reported per code in `fail_codes` instead (see
    /// [`coupon_code_problem`]); [`ApiRequest::validate`] checks those too, so that the SDK
    /// never sends a code that would fail.
    pub fn validate_request(&self) -> Result<(), ValidationError> {
        v::id("stock_id", &self.stock_id, 1, 20)?;
        v::count(
            "coupon_code_list",
            self.coupon_code_list.len(),
            1,
            MAX_CODES_PER_UPLOAD,
        )?;
        v::id("upload_request_no", &self.upload_request_no, 1, 128)
    }
}

impl ApiRequest for UploadCouponCodesRequest {
    type Response = UploadCouponCodesResponse;
    const METHOD: Method = Method::Post;
    const PATH_TEMPLATE: &'static str = "/v3/marketing/busifavor/stocks/{stock_id}/couponcodes";
    fn path(&self) -> String {
        format!("{BASE}/stocks/{}/couponcodes", seg(&self.stock_id))
    }
    fn body(&self) -> Result<RequestBody, Error> {
        RequestBody::json(self)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        self.validate_request()?;
        for (i, code) in self.coupon_code_list.iter().enumerate() {
            let f = format!("coupon_code_list[{i}]");
            v::chars(&f, code, 1, MAX_COUPON_CODE_CHARS)?;
            v::charset(
                &f,
                code,
                "consist of 0-9 a-z A-Z, space, - _ \\ / = |",
                is_coupon_code_char,
            )?;
        }
        Ok(())
    }
}

/// Answer to [`UploadCouponCodesRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadCouponCodesResponse {
    /// Stock id.
    pub stock_id: String,
    /// Codes in the request after de-duplication.
    pub total_count: i64,
    /// Codes stored.
    pub success_count: i64,
    /// The codes stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_codes: Option<Vec<String>>,
    /// When they were stored.
    pub success_time: LenientTimestamp,
    /// Codes rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_count: Option<i64>,
    /// Why each rejected code was rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_codes: Option<Vec<FailCode>>,
    /// Codes uploaded by an earlier request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exist_codes: Option<Vec<String>>,
    /// Codes repeated within this request (one copy kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_codes: Option<Vec<String>>,
}

/// One rejected code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailCode {
    /// The code.
    pub coupon_code: String,
    /// Error code, e.g. `LENGTH_LIMIT`.
    pub code: crate::api_error::ErrorCode,
    /// Message, e.g. `长度超过最大值32位`.
    pub message: String,
}

/// `GET /v3/marketing/busifavor/stocks/{stock_id}/couponcodes` — list uploaded codes (§8.6).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ListCouponCodesRequest {
    /// Stock id (path).
    pub stock_id: String,
    /// Page size (query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// Offset (query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// Appid (query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    /// Only codes in this state (query); all when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CodeStatus>,
}

impl ListCouponCodesRequest {
    /// List all codes of `stock_id`.
    pub fn new(stock_id: impl Into<String>) -> Self {
        Self {
            stock_id: stock_id.into(),
            ..Self::default()
        }
    }
}

impl ApiRequest for ListCouponCodesRequest {
    type Response = ListCouponCodesResponse;
    const METHOD: Method = Method::Get;
    const PATH_TEMPLATE: &'static str = "/v3/marketing/busifavor/stocks/{stock_id}/couponcodes";
    fn path(&self) -> String {
        format!("{BASE}/stocks/{}/couponcodes", seg(&self.stock_id))
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(l) = self.limit {
            q.push(("limit", l.to_string()));
        }
        if let Some(o) = self.offset {
            q.push(("offset", o.to_string()));
        }
        if let Some(a) = &self.appid {
            q.push(("appid", a.clone()));
        }
        if let Some(s) = &self.status {
            q.push(("status", s.to_string()));
        }
        q
    }
    fn body(&self) -> Result<RequestBody, Error> {
        Ok(RequestBody::Empty)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        v::id("stock_id", &self.stock_id, 1, 20)?;
        v::opt_min("limit", self.limit, 1)?;
        v::opt_min("offset", self.offset, 0)?;
        v::opt_id("appid", self.appid.as_ref(), 1, 32)
    }
}

/// Answer to [`ListCouponCodesRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListCouponCodesResponse {
    /// Stock id.
    pub stock_id: String,
    /// Codes matching.
    pub total_count: i64,
    /// This page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<CouponCodeEntity>>,
    /// Offset.
    pub offset: i64,
    /// Page size.
    pub limit: i64,
}

/// `GET /v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}` — one uploaded
/// code (§8.7).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct QueryCouponCodeRequest {
    /// Stock id (path).
    pub stock_id: String,
    /// The code (path).
    pub coupon_code: String,
    /// Appid (query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
}

impl QueryCouponCodeRequest {
    /// Query `coupon_code` of `stock_id`.
    pub fn new(stock_id: impl Into<String>, coupon_code: impl Into<String>) -> Self {
        Self {
            stock_id: stock_id.into(),
            coupon_code: coupon_code.into(),
            appid: None,
        }
    }
}

impl ApiRequest for QueryCouponCodeRequest {
    type Response = QueryCouponCodeResponse;
    const METHOD: Method = Method::Get;
    const PATH_TEMPLATE: &'static str =
        "/v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}";
    fn path(&self) -> String {
        format!(
            "{BASE}/stocks/{}/couponcodes/{}",
            seg(&self.stock_id),
            seg(&self.coupon_code)
        )
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        self.appid.iter().map(|a| ("appid", a.clone())).collect()
    }
    fn body(&self) -> Result<RequestBody, Error> {
        Ok(RequestBody::Empty)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        v::id("stock_id", &self.stock_id, 1, 20)?;
        v::text("coupon_code", &self.coupon_code, 1, 32)?;
        v::opt_id("appid", self.appid.as_ref(), 1, 32)
    }
}

/// Answer to [`QueryCouponCodeRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryCouponCodeResponse {
    /// The code.
    pub code_information: CouponCodeEntity,
    /// The user coupon, once dispatched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_information: Option<CouponEntity>,
}

/// `DELETE /v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}?delete_request_no=…`
/// — delete an uploaded code (§8.8).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeleteCouponCodeRequest {
    /// Stock id (path).
    pub stock_id: String,
    /// The code (path).
    pub coupon_code: String,
    /// Unique request number (query).
    pub delete_request_no: String,
}

impl DeleteCouponCodeRequest {
    /// Delete `coupon_code` of `stock_id`.
    pub fn new(
        stock_id: impl Into<String>,
        coupon_code: impl Into<String>,
        delete_request_no: impl Into<String>,
    ) -> Self {
        Self {
            stock_id: stock_id.into(),
            coupon_code: coupon_code.into(),
            delete_request_no: delete_request_no.into(),
        }
    }
}

impl ApiRequest for DeleteCouponCodeRequest {
    type Response = DeleteCouponCodeResponse;
    const METHOD: Method = Method::Delete;
    const PATH_TEMPLATE: &'static str =
        "/v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}";
    fn path(&self) -> String {
        format!(
            "{BASE}/stocks/{}/couponcodes/{}",
            seg(&self.stock_id),
            seg(&self.coupon_code)
        )
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        vec![("delete_request_no", self.delete_request_no.clone())]
    }
    fn body(&self) -> Result<RequestBody, Error> {
        Ok(RequestBody::Empty)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        v::id("stock_id", &self.stock_id, 1, 20)?;
        v::text("coupon_code", &self.coupon_code, 1, 32)?;
        v::id("delete_request_no", &self.delete_request_no, 1, 128)
    }
}

/// Answer to [`DeleteCouponCodeRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteCouponCodeResponse {
    /// Stock id.
    pub stock_id: String,
    /// When it was deleted.
    pub delete_time: LenientTimestamp,
}
