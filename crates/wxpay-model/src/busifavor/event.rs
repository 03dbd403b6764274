//! The decrypted `COUPON.SEND` notification (spec §10.1–§10.3).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::enums::{CouponEventType, SendChannel};
use crate::redact::{Keys, Secret, SecretOpt, Shape};
use crate::time::Timestamp;

/// Envelope `event_type` of a busifavor coupon-send notification.
pub const COUPON_SEND: &str = "COUPON.SEND";

/// `resource.original_type` and `resource.associated_data` of a `COUPON.SEND` notification.
pub const COUPON_SEND_RESOURCE: &str = "coupon";

/// Envelope `summary` of a `COUPON.SEND` notification.
pub const COUPON_SEND_SUMMARY: &str = "商家券领券通知";

/// A user received a coupon (领券事件, the decrypted resource of a `COUPON.SEND` notification).
///
/// Unknown fields (e.g. the undocumented `send_req_no` seen in real payloads) are kept in
/// [`extra`](CouponSendEvent::extra) and re-serialized.
///
/// `Debug` withholds the user- and payment-identifying values (`coupon_code`, `openid`,
/// `unionid`, the member-card `code` and `transaction_id` of `attach_info`, and every value of
/// `extra`), showing only whether they are present and empty; the fields themselves hold them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponSendEvent {
    /// Business event type, `EVENT_TYPE_BUSICOUPON_SEND`.
    pub event_type: CouponEventType,
    /// The coupon's code.
    pub coupon_code: String,
    /// Its stock.
    pub stock_id: String,
    /// When it was issued.
    pub send_time: Timestamp,
    /// User under the stock's `notify_config.notify_appid`; absent or empty if not configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openid: Option<String>,
    /// User's unionid; may be empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unionid: Option<String>,
    /// Channel the coupon was issued through.
    pub send_channel: SendChannel,
    /// Issuing merchant.
    pub send_merchant: String,
    /// Channel details (pay gift, marketing hall, member card); an object, `""` or absent.
    #[serde(default, skip_serializing_if = "AttachInfoField::is_absent")]
    pub attach_info: AttachInfoField,
    /// Fields not documented, kept as received (e.g. `send_req_no`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl fmt::Debug for CouponSendEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CouponSendEvent")
            .field("event_type", &self.event_type)
            .field("coupon_code", &Secret(&self.coupon_code))
            .field("stock_id", &self.stock_id)
            .field("send_time", &self.send_time)
            .field("openid", &SecretOpt(self.openid.as_deref()))
            .field("unionid", &SecretOpt(self.unionid.as_deref()))
            .field("send_channel", &self.send_channel)
            .field("send_merchant", &self.send_merchant)
            .field("attach_info", &self.attach_info)
            .field("extra", &Keys(&self.extra))
            .finish()
    }
}

impl CouponSendEvent {
    /// The channel details, when WeChat Pay sent an object.
    pub fn attach_info(&self) -> Option<&AttachInfo> {
        match &self.attach_info {
            AttachInfoField::Info(i) => Some(i),
            _ => None,
        }
    }

    /// The openid, treating `""` as absent.
    pub fn openid(&self) -> Option<&str> {
        self.openid.as_deref().filter(|s| !s.is_empty())
    }

    /// An undocumented field, e.g. `event.extra_str("send_req_no")`.
    pub fn extra_str(&self, key: &str) -> Option<&str> {
        self.extra.get(key).and_then(Value::as_str)
    }
}

/// `attach_info` as received: absent, the empty string (seen in real payloads), or an object.
/// `Debug` withholds the values of [`AttachInfoField::Other`].
#[derive(Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AttachInfoField {
    /// Not sent.
    #[default]
    Absent,
    /// Sent as `""`.
    Empty,
    /// Sent as an object.
    Info(AttachInfo),
    /// Sent as some other JSON value, kept as received.
    Other(Value),
}

impl fmt::Debug for AttachInfoField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttachInfoField::Absent => f.write_str("Absent"),
            AttachInfoField::Empty => f.write_str("Empty"),
            AttachInfoField::Info(i) => f.debug_tuple("Info").field(i).finish(),
            AttachInfoField::Other(v) => f.debug_tuple("Other").field(&Shape(v)).finish(),
        }
    }
}

impl AttachInfoField {
    /// Whether the field was not sent.
    pub fn is_absent(&self) -> bool {
        matches!(self, AttachInfoField::Absent)
    }
}

impl Serialize for AttachInfoField {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            AttachInfoField::Absent => s.serialize_none(),
            AttachInfoField::Empty => s.serialize_str(""),
            AttachInfoField::Info(i) => i.serialize(s),
            AttachInfoField::Other(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for AttachInfoField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Null => AttachInfoField::Absent,
            Value::String(s) if s.is_empty() => AttachInfoField::Empty,
            Value::Object(map) => AttachInfoField::Info(
                serde_json::from_value(Value::Object(map)).map_err(serde::de::Error::custom)?,
            ),
            other => AttachInfoField::Other(other),
        })
    }
}

/// `attach_info` object (§10.3). Which fields are set depends on the channel.
///
/// `Debug` withholds `transaction_id`, the member-card `code` and the values of `extra`.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AttachInfo {
    /// PAYGIFT: the payment that triggered the gift.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// PAYGIFT: pay-gift activity id; HALL: marketing-hall activity id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act_code: Option<String>,
    /// HALL: marketing hall id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hall_code: Option<String>,
    /// HALL: hall owner merchant id; sent as a number or a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hall_belong_mch_id: Option<NumberOrString>,
    /// MEMBERCARD_ACT: member card id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_id: Option<String>,
    /// MEMBERCARD_ACT: the user's member-card code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// MEMBERCARD_ACT: member-gift activity id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_id: Option<String>,
    /// Fields not documented, kept as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl fmt::Debug for AttachInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttachInfo")
            .field("transaction_id", &SecretOpt(self.transaction_id.as_deref()))
            .field("act_code", &self.act_code)
            .field("hall_code", &self.hall_code)
            .field("hall_belong_mch_id", &self.hall_belong_mch_id)
            .field("card_id", &self.card_id)
            .field("code", &SecretOpt(self.code.as_deref()))
            .field("activity_id", &self.activity_id)
            .field("extra", &Keys(&self.extra))
            .finish()
    }
}

/// An id WeChat Pay sends sometimes as a JSON number, sometimes as a string; re-serialized in
/// the form received.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NumberOrString {
    /// Sent as a number.
    Number(serde_json::Number),
    /// Sent as a string.
    String(String),
}

impl NumberOrString {
    /// The id as text, whichever form it came in.
    pub fn to_text(&self) -> String {
        match self {
            NumberOrString::Number(n) => n.to_string(),
            NumberOrString::String(s) => s.clone(),
        }
    }
}

impl std::fmt::Display for NumberOrString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NumberOrString::Number(n) => write!(f, "{n}"),
            NumberOrString::String(s) => f.write_str(s),
        }
    }
}

impl Serialize for NumberOrString {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            NumberOrString::Number(n) => n.serialize(s),
            NumberOrString::String(v) => s.serialize_str(v),
        }
    }
}

impl<'de> Deserialize<'de> for NumberOrString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Number(n) => Ok(NumberOrString::Number(n)),
            Value::String(s) => Ok(NumberOrString::String(s)),
            other => Err(serde::de::Error::custom(format!(
                "expected a number or a string, found {}",
                json_kind(&other)
            ))),
        }
    }
}

/// The kind of a JSON value, for messages that must not repeat the value itself.
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
