//! Simulated users claiming coupons (simulator-only): through any `send_channel`, and through
//! the mini-program plugin and H5 routes with their APIv2 `sign` (spec §13).

use serde::Serialize;
use serde_json::Value;
use wxpay_crypto::ApiV2Key;
use wxpay_model::ErrorCode;
use wxpay_model::busifavor::{SendChannel, SendCouponResponse, SendCouponResult};

use crate::api_error::ApiError;
use crate::ops::coupons::Issue;
use crate::shared::Shared;

/// A user claiming a coupon, as WeChat Pay would see it. The channel is the model's
/// [`SendChannel`]; a wire string converts into it.
///
/// ```
/// use wxpay_mock::{Claim, SendChannel};
/// let claim = Claim::new("12800000000001", "o-user-1", "claim-1")
///     .channel(SendChannel::Paygift)
///     .attach_info(serde_json::json!({"transaction_id": "4200000462220200226114599", "act_code": "540358695"}));
/// assert_eq!(claim.send_channel.as_str(), "BUSICOUPON_SEND_CHANNEL_PAYGIFT");
/// assert_eq!(Claim::new("1", "o", "n").channel("BUSICOUPON_SEND_CHANNEL_H5").send_channel, SendChannel::H5);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claim {
    /// The stock.
    pub stock_id: String,
    /// The user.
    pub openid: String,
    /// The issuing request number (unique per stock).
    pub out_request_no: String,
    /// `send_channel` of the callback (default [`SendChannel::Miniapp`]).
    pub send_channel: SendChannel,
    /// Issuing merchant (default: the stock's creator).
    pub send_merchant: Option<String>,
    /// Code for `MERCHANT_API` stocks.
    pub coupon_code: Option<String>,
    /// `attach_info` of the callback (PAYGIFT, HALL, MEMBERCARD_ACT channels).
    pub attach_info: Option<Value>,
}

impl Claim {
    /// A claim through the mini-program channel.
    pub fn new(stock_id: &str, openid: &str, out_request_no: &str) -> Self {
        Self {
            stock_id: stock_id.to_owned(),
            openid: openid.to_owned(),
            out_request_no: out_request_no.to_owned(),
            send_channel: SendChannel::Miniapp,
            send_merchant: None,
            coupon_code: None,
            attach_info: None,
        }
    }

    /// Sets the `send_channel`.
    pub fn channel(mut self, channel: impl Into<SendChannel>) -> Self {
        self.send_channel = channel.into();
        self
    }

    /// Sets the issuing merchant.
    pub fn send_merchant(mut self, mchid: &str) -> Self {
        self.send_merchant = Some(mchid.to_owned());
        self
    }

    /// Sets the coupon code (`MERCHANT_API` stocks).
    pub fn coupon_code(mut self, code: &str) -> Self {
        self.coupon_code = Some(code.to_owned());
        self
    }

    /// Sets `attach_info`.
    pub fn attach_info(mut self, info: Value) -> Self {
        self.attach_info = Some(info);
        self
    }

    fn from_json(v: &Value) -> Result<Self, ApiError> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let need = |k: &str| {
            s(k).ok_or_else(|| {
                ApiError::param(&format!("/{k}"), Value::Null, &format!("{k}为必填参数"))
            })
        };
        let mut claim = Self::new(
            &need("stock_id")?,
            &need("openid")?,
            &need("out_request_no")?,
        );
        if let Some(c) = s("send_channel") {
            claim.send_channel = SendChannel::from(c);
        }
        claim.send_merchant = s("send_merchant");
        claim.coupon_code = s("coupon_code");
        claim.attach_info = v.get("attach_info").filter(|a| !a.is_null()).cloned();
        Ok(claim)
    }
}

/// The coupon a claim produced: the model's [`SendCouponResult`].
pub type ClaimedCoupon = SendCouponResult;

/// One entry of the mini-program plugin's answer (simulator-only: spec §13 documents no type
/// for it, so the model has none): the coupon, or why this entry failed.
#[derive(Debug, Serialize)]
struct PluginResult {
    stock_id: String,
    out_request_no: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    coupon_code: Option<String>,
    code: String,
    message: String,
}

/// The mini-program plugin's answer.
#[derive(Debug, Serialize)]
struct PluginAnswer {
    send_coupon_result: Vec<PluginResult>,
}

fn to_json(v: &impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

impl Shared {
    /// Issues a coupon for a claim and queues its COUPON.SEND callback.
    pub(crate) fn claim(&self, claim: &Claim) -> Result<ClaimedCoupon, ApiError> {
        let now = self.now();
        let reply = self.with_state(|st| {
            let sender = match &claim.send_merchant {
                Some(m) => m.clone(),
                None => st.stock(&claim.stock_id)?.creator.clone(),
            };
            let issue = Issue {
                stock_id: &claim.stock_id,
                openid: &claim.openid,
                out_request_no: &claim.out_request_no,
                coupon_code: claim.coupon_code.as_deref(),
                send_channel: claim.send_channel.clone(),
                send_merchant: &sender,
                attach_info: claim.attach_info.clone(),
            };
            // Everything that shapes the coupon or its callback (the claim, its sender
            // resolved): a reused number with any other content is a conflict, as for
            // `/coupons/send`.
            let request = to_json(&Claim {
                send_merchant: Some(sender.clone()),
                ..claim.clone()
            });
            st.issue(now, &issue, &request)
        })??;
        let answer: SendCouponResponse =
            serde_json::from_value(reply.body.unwrap_or(Value::Null)).unwrap_or_default();
        answer
            .result()
            .ok_or_else(|| ApiError::system("the issued coupon has no code"))
    }

    fn apiv2(&self, mchid: &str) -> Result<&ApiV2Key, ApiError> {
        self.merchants
            .get(mchid)
            .map(|m| &m.apiv2)
            .ok_or_else(|| ApiError::invalid(format!("商户号{mchid}不存在")))
    }

    /// The mini-program `send-coupon` plugin: `send_coupon_params` flattened with index
    /// suffixes, `send_coupon_merchant`, `sign` (APIv2 HMAC-SHA256), plus the user's `openid`.
    pub(crate) fn claim_miniprogram(&self, v: &Value) -> Result<Value, ApiError> {
        let merchant = v
            .get("send_coupon_merchant")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ApiError::param(
                    "/send_coupon_merchant",
                    Value::Null,
                    "send_coupon_merchant为必填参数",
                )
            })?;
        let openid = v
            .get("openid")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::param("/openid", Value::Null, "openid为必填参数"))?;
        let sign = v.get("sign").and_then(Value::as_str).unwrap_or_default();
        let list = v
            .get("send_coupon_params")
            .and_then(Value::as_array)
            .filter(|l| !l.is_empty() && l.len() <= 10)
            .ok_or_else(|| {
                ApiError::param(
                    "/send_coupon_params",
                    Value::Null,
                    "send_coupon_params必须包含1到10项",
                )
            })?;
        let mut params: Vec<(String, String)> =
            vec![("send_coupon_merchant".into(), merchant.into())];
        for (i, item) in list.iter().enumerate() {
            for k in [
                "stock_id",
                "out_request_no",
                "coupon_code",
                "customize_send_time",
            ] {
                if let Some(x) = item.get(k).and_then(Value::as_str) {
                    params.push((format!("{k}{i}"), x.to_owned()));
                }
            }
        }
        let key = self.apiv2(merchant)?;
        if !key.verify(params.iter().map(|(k, v)| (k.as_str(), v.as_str())), sign) {
            return Err(ApiError::new(
                400,
                ErrorCode::SignError,
                "签名错误：请用APIv2密钥按规则计算sign",
            ));
        }
        let mut results = Vec::new();
        for item in list {
            let get = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or_default();
            let mut claim = Claim::new(get("stock_id"), openid, get("out_request_no"))
                .channel(SendChannel::Miniapp)
                .send_merchant(merchant);
            if !get("coupon_code").is_empty() {
                claim = claim.coupon_code(get("coupon_code"));
            }
            results.push(match self.claim(&claim) {
                Ok(c) => PluginResult {
                    stock_id: c.stock_id,
                    out_request_no: c.out_request_no,
                    coupon_code: Some(c.coupon_code),
                    code: "SUCCESS".to_owned(),
                    message: String::new(),
                },
                Err(e) => PluginResult {
                    stock_id: claim.stock_id,
                    out_request_no: claim.out_request_no,
                    coupon_code: None,
                    code: e.code().to_owned(),
                    message: e.message().to_owned(),
                },
            });
        }
        Ok(to_json(&PluginAnswer {
            send_coupon_result: results,
        }))
    }

    /// The H5 route `getcouponinfo?stock_id&out_request_no&send_coupon_merchant&open_id&sign`.
    pub(crate) fn claim_h5(&self, query: &[(String, String)]) -> Result<Value, ApiError> {
        let get = |k: &str| {
            query
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    ApiError::param_at(k, Value::Null, &format!("{k}为必填参数"), "query")
                })
        };
        let merchant = get("send_coupon_merchant")?;
        let sign = get("sign")?;
        let key = self.apiv2(merchant)?;
        if !key.verify(query.iter().map(|(k, v)| (k.as_str(), v.as_str())), sign) {
            return Err(ApiError::new(
                400,
                ErrorCode::SignError,
                "签名错误：请用APIv2密钥按规则计算sign",
            ));
        }
        let mut claim = Claim::new(get("stock_id")?, get("open_id")?, get("out_request_no")?)
            .channel(SendChannel::H5)
            .send_merchant(merchant);
        if let Ok(code) = get("coupon_code") {
            claim = claim.coupon_code(code);
        }
        Ok(to_json(&self.claim(&claim)?))
    }

    /// `POST /mock/v1/claim` with a [`Claim`] as JSON.
    pub(crate) fn claim_json(&self, v: &Value) -> Result<Value, ApiError> {
        Ok(to_json(&self.claim(&Claim::from_json(v)?)?))
    }
}
