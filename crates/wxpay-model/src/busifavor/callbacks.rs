//! The callback URL: set and get (spec §8.9, §8.10).

use serde::{Deserialize, Serialize};

use super::BASE;
use crate::error::{Error, ValidationError};
use crate::request::{ApiRequest, Method, RequestBody};
use crate::time::Timestamp;
use crate::validate as v;

/// `POST /v3/marketing/busifavor/callbacks` — set the URL COUPON.SEND events go to (§8.9).
///
/// ```
/// use wxpay_model::ApiRequest;
/// use wxpay_model::busifavor::SetCallbackRequest;
/// assert!(SetCallbackRequest::new("https://example.com/wxpay/notify").validate().is_ok());
/// let err = SetCallbackRequest::new("https://example.com/notify?a=1").validate().unwrap_err();
/// assert_eq!(err.field, "notify_url");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SetCallbackRequest {
    /// Merchant, 8..=15; defaults to the caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mchid: Option<String>,
    /// HTTPS URL, 10..=256 characters, no query or fragment.
    pub notify_url: String,
}

impl SetCallbackRequest {
    /// Set `notify_url` for the calling merchant.
    pub fn new(notify_url: impl Into<String>) -> Self {
        Self {
            mchid: None,
            notify_url: notify_url.into(),
        }
    }
}

impl ApiRequest for SetCallbackRequest {
    type Response = SetCallbackResponse;
    const METHOD: Method = Method::Post;
    const PATH_TEMPLATE: &'static str = "/v3/marketing/busifavor/callbacks";
    fn path(&self) -> String {
        format!("{BASE}/callbacks")
    }
    fn body(&self) -> Result<RequestBody, Error> {
        RequestBody::json(self)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        v::opt_id("mchid", self.mchid.as_ref(), 8, 15)?;
        v::notify_url("notify_url", &self.notify_url, false)
    }
}

impl SetCallbackRequest {
    /// [`validate`](ApiRequest::validate) with one relaxation for a local WeChat Pay simulator:
    /// a loopback host (`localhost`, 127.0.0.0/8, `::1`) is accepted, over `http://` too, so a
    /// service on the same machine can receive callbacks. Real WeChat Pay never calls those.
    ///
    /// ```
    /// use wxpay_model::ApiRequest;
    /// use wxpay_model::busifavor::SetCallbackRequest;
    /// let local = SetCallbackRequest::new("http://127.0.0.1:8080/notify");
    /// assert!(local.validate().is_err());
    /// assert!(local.validate_allowing_loopback().is_ok());
    /// assert!(SetCallbackRequest::new("http://example.com/notify").validate_allowing_loopback().is_err());
    /// ```
    pub fn validate_allowing_loopback(&self) -> Result<(), ValidationError> {
        v::opt_id("mchid", self.mchid.as_ref(), 8, 15)?;
        v::notify_url("notify_url", &self.notify_url, true)
    }
}

/// Answer to [`SetCallbackRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetCallbackResponse {
    /// When it was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<Timestamp>,
    /// The URL now set.
    pub notify_url: String,
    /// The merchant.
    pub mchid: String,
}

/// `GET /v3/marketing/busifavor/callbacks?mchid=…` — read the callback URL (§8.10).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GetCallbackRequest {
    /// Merchant (query), up to 15; defaults to the caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mchid: Option<String>,
}

impl GetCallbackRequest {
    /// Read the URL of `mchid` (`None`: the caller).
    pub fn new(mchid: Option<String>) -> Self {
        Self { mchid }
    }
}

impl ApiRequest for GetCallbackRequest {
    type Response = GetCallbackResponse;
    const METHOD: Method = Method::Get;
    const PATH_TEMPLATE: &'static str = "/v3/marketing/busifavor/callbacks";
    fn path(&self) -> String {
        format!("{BASE}/callbacks")
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        self.mchid.iter().map(|m| ("mchid", m.clone())).collect()
    }
    fn body(&self) -> Result<RequestBody, Error> {
        Ok(RequestBody::Empty)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        v::opt_id("mchid", self.mchid.as_ref(), 1, 15)
    }
}

/// Answer to [`GetCallbackRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetCallbackResponse {
    /// The merchant.
    pub mchid: String,
    /// The URL set.
    pub notify_url: String,
}
