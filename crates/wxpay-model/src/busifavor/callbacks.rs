//! The callback URL: set and get (spec §8.9, §8.10).

use serde::{Deserialize, Serialize};

use super::BASE;
use crate::error::{Error, ValidationError};
use crate::request::{ApiRequest, Method, RequestBody};
use crate::time::LenientTimestamp;
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
    /// Which URLs `validate()` accepts; never sent. Default: WeChat Pay's HTTPS rule.
    #[serde(skip)]
    pub notify_url_rule: NotifyUrlRule,
}

impl SetCallbackRequest {
    /// Set `notify_url` for the calling merchant.
    pub fn new(notify_url: impl Into<String>) -> Self {
        Self {
            mchid: None,
            notify_url: notify_url.into(),
            notify_url_rule: NotifyUrlRule::Production,
        }
    }

    /// Sets the merchant whose URL is set (defaults to the caller).
    pub fn mchid(mut self, mchid: impl Into<String>) -> Self {
        self.mchid = Some(mchid.into());
        self
    }

    /// Chooses which URLs `validate()` accepts. Only a client aimed at a local simulator
    /// should pass [`NotifyUrlRule::AllowLoopbackHttp`] (the `busifavor` client decides this
    /// from its base URL); real WeChat Pay refuses `http://` notify URLs.
    ///
    /// ```
    /// use wxpay_model::ApiRequest;
    /// use wxpay_model::busifavor::{NotifyUrlRule, SetCallbackRequest};
    /// let local = SetCallbackRequest::new("http://127.0.0.1:8080/wechatpay/coupon");
    /// assert!(local.validate().is_err()); // WeChat Pay's rule: HTTPS only
    /// let local = local.notify_url_rule(NotifyUrlRule::AllowLoopbackHttp);
    /// assert!(local.validate().is_ok());
    /// let public = SetCallbackRequest::new("http://example.com/notify")
    ///     .notify_url_rule(NotifyUrlRule::AllowLoopbackHttp);
    /// assert!(public.validate().is_err()); // http:// only on a loopback host
    /// ```
    pub fn notify_url_rule(mut self, rule: NotifyUrlRule) -> Self {
        self.notify_url_rule = rule;
        self
    }
}

/// Which notify URLs [`SetCallbackRequest`]'s `validate()` accepts — an explicit, per-request
/// choice, never a global switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum NotifyUrlRule {
    /// WeChat Pay's rule (spec §7.5): `https://`, 10–256 characters, no query or fragment, a
    /// host WeChat Pay can reach.
    #[default]
    Production,
    /// The production rule, plus `http://` on a loopback host (127.0.0.0/8, `localhost`,
    /// `[::1]`): for a client whose base URL is a local simulator, so a merchant's own
    /// "set callback URL" code can be tested end to end against a local receiver.
    AllowLoopbackHttp,
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
        self.check(self.notify_url_rule == NotifyUrlRule::AllowLoopbackHttp)
    }
}

impl SetCallbackRequest {
    /// [`validate`](ApiRequest::validate) with one relaxation for a local WeChat Pay simulator:
    /// a loopback host (`localhost`, 127.0.0.0/8, `::1`) is accepted, over `http://` too, so a
    /// service on the same machine can receive callbacks. Real WeChat Pay never calls those.
    /// The same as validating with [`NotifyUrlRule::AllowLoopbackHttp`].
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
        self.check(true)
    }

    fn check(&self, allow_loopback: bool) -> Result<(), ValidationError> {
        v::opt_id("mchid", self.mchid.as_ref(), 8, 15)?;
        v::notify_url("notify_url", &self.notify_url, allow_loopback)
    }
}

/// Answer to [`SetCallbackRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetCallbackResponse {
    /// When it was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<LenientTimestamp>,
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
