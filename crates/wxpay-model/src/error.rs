//! The one error type of this crate, and the validation error.

use std::fmt;

/// Everything that can go wrong in `wxpay-model`.
///
/// The notification variants are the stages of `open_notification`, in order:
/// [`Error::NotificationUnverified`] → [`Error::NotificationEnvelope`] →
/// [`Error::UnsupportedResourceType`] / [`Error::UnsupportedAlgorithm`] →
/// [`Error::NotificationDecrypt`] → [`Error::PlaintextNotJson`] → [`Error::EventPayload`].
/// Any of them means: answer WeChat Pay with a failure (`NotificationReply::fail`) and do
/// not act on the notification.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// JSON could not be serialized or parsed. For decrypted notification data, a data error's
    /// message keeps the kind of value received and what was expected, not the value itself.
    #[error("{context}: {source}")]
    Json {
        /// What was being done, e.g. `"parsing the response body"`.
        context: &'static str,
        /// The serde_json error (with line and column).
        #[source]
        source: serde_json::Error,
    },
    /// A time field is not RFC 3339 (`2015-05-20T13:29:35+08:00`). The message names the
    /// field and what is wrong with it, never the text received (it may come from a decrypted
    /// notification).
    #[error(
        "{context}: `{field}` is not an RFC 3339 time (expected e.g. 2015-05-20T13:29:35+08:00): {reason}"
    )]
    MalformedTime {
        /// What was being done.
        context: &'static str,
        /// JSON pointer of the field, e.g. `/send_time`.
        field: String,
        /// What the time parser reported, e.g. "the 'offset hour' component could not be
        /// parsed" (without the text).
        reason: String,
    },
    /// The request breaks a rule of the API; it was not sent.
    #[error(transparent)]
    Validation(#[from] ValidationError),

    // ----- notification stages -------------------------------------------------------------
    /// Stage 1: the notification's signature did not verify (tampered body, unknown serial, stale
    /// timestamp, probe, missing header). Nothing was parsed or decrypted.
    #[error("notification rejected, signature check failed: {0}")]
    NotificationUnverified(#[source] wxpay_crypto::Error),
    /// Stage 2: the verified body is not a notification envelope (`id`, `create_time`,
    /// `event_type`, `resource_type`, `resource{algorithm, ciphertext, nonce}`).
    #[error("the notification body is not a WeChat Pay notification envelope: {0}")]
    NotificationEnvelope(#[source] serde_json::Error),
    /// Stage 2: `resource_type` is not `encrypt-resource`.
    #[error(
        "notification resource_type is {found:?}, expected \"encrypt-resource\"; this SDK only opens encrypted notifications"
    )]
    UnsupportedResourceType {
        /// The value received.
        found: String,
    },
    /// Stage 2: `resource.algorithm` is not `AEAD_AES_256_GCM`.
    #[error(
        "notification resource.algorithm is {found:?}, expected \"AEAD_AES_256_GCM\"; upgrade the SDK if WeChat Pay introduced a new algorithm"
    )]
    UnsupportedAlgorithm {
        /// The value received.
        found: String,
    },
    /// Stage 3: decryption failed (wrong APIv3 key, nonce not 12 bytes, ciphertext not base64,
    /// altered data).
    #[error("could not decrypt the notification resource: {0}")]
    NotificationDecrypt(#[source] wxpay_crypto::Error),
    /// Stage 4: the decrypted plaintext is not JSON.
    #[error("the decrypted {event_type} notification is not JSON: {source}")]
    PlaintextNotJson {
        /// The envelope's `event_type`.
        event_type: String,
        /// The serde_json error.
        #[source]
        source: serde_json::Error,
    },
    /// Stage 5: the decrypted JSON does not fit the event's type (e.g. a required field is
    /// missing or a time is malformed).
    #[error(
        "the decrypted {event_type} notification does not match its documented shape: {source}"
    )]
    EventPayload {
        /// The envelope's `event_type`.
        event_type: String,
        /// [`Error::Json`] or [`Error::MalformedTime`].
        #[source]
        source: Box<Error>,
    },
}

/// A request field breaks a rule of the API; the request was not sent.
///
/// `Display` names the field, the rule and what was found, e.g.
/// ``"`stock_name` must be 1..=21 characters, found 22 characters"``.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationError {
    /// The field, as a path in the request (`stock_name`, `coupon_use_rule.fixed_normal_coupon.discount_amount`,
    /// `coupon_code_list[3]`).
    pub field: String,
    /// The rule broken, phrased to complete "must …", e.g. `"be 1..=21 characters"`.
    pub rule: String,
    /// What was found: the offending length, value or character, e.g. `"22 characters"`.
    pub found: String,
}

impl ValidationError {
    /// A new validation error.
    pub fn new(
        field: impl Into<String>,
        rule: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            rule: rule.into(),
            found: found.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid request: `{}` must {}, found {}",
            self.field, self.rule, self.found
        )
    }
}

impl std::error::Error for ValidationError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_error_names_field_rule_and_found() {
        let e = ValidationError::new("stock_name", "be 1..=21 characters", "22 characters");
        assert_eq!(
            e.to_string(),
            "invalid request: `stock_name` must be 1..=21 characters, found 22 characters"
        );
        let wrapped: Error = e.clone().into();
        assert!(matches!(wrapped, Error::Validation(ref v) if *v == e));
    }
}
