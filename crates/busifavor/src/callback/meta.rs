//! What the user's function receives besides the event.

use serde_json::Value;

/// Facts about one notification and this delivery of it, handed to the user's function with
/// the event.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallbackMeta {
    /// The notification `id`, the same on every redelivery (the idempotency key).
    pub notification_id: String,
    /// Envelope `event_type`, e.g. `COUPON.SEND`.
    pub event_type: String,
    /// Envelope `create_time` as sent (RFC 3339).
    pub create_time: String,
    /// Envelope `summary`, e.g. `商家券领券通知`.
    pub summary: Option<String>,
    /// `Wechatpay-Serial` of the key that signed this delivery (`PUB_KEY_ID_…` or a platform
    /// certificate serial).
    pub signing_serial: String,
    /// `Wechatpay-Timestamp` of this delivery (Unix seconds; each redelivery is signed anew).
    pub delivery_timestamp: i64,
    /// `Request-ID` of this delivery, when sent.
    pub request_id: Option<String>,
    /// This claim's fencing number: larger than that of every earlier claim in the same store.
    /// Write it with your side effects and refuse writes carrying a smaller one, so a holder
    /// whose lease ran out cannot overwrite the work of the one that took over (see
    /// `docs/callbacks.md`).
    pub fencing: u64,
}

/// A verified, decrypted notification of an event type other than `COUPON.SEND`, for the
/// fallback function.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UnknownEvent {
    /// Envelope `event_type`.
    pub event_type: String,
    /// The decrypted resource.
    pub data: Value,
}
