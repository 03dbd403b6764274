//! The outer JSON of a notification (spec §7.2).

use serde::{Deserialize, Serialize};
use wxpay_crypto::{AEAD_ALGORITHM, ApiV3Key};

/// The only `resource_type` this SDK opens.
pub const ENCRYPT_RESOURCE: &str = "encrypt-resource";

/// The notification envelope: what WeChat Pay POSTs to the `notify_url`. Unknown fields are
/// ignored (the whole raw body stays with the caller). Fields serialize in WeChat Pay's order
/// (spec Appendix A.5), so a simulator can build the body from this type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationEnvelope {
    /// Notification id; use it to de-duplicate (the same notification can arrive many times).
    pub id: String,
    /// When WeChat Pay created it (RFC 3339, kept as sent).
    pub create_time: String,
    /// `encrypt-resource`.
    pub resource_type: String,
    /// Event type, e.g. `COUPON.SEND`.
    pub event_type: String,
    /// Summary, e.g. `商家券领券通知` (absent in some examples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The encrypted payload.
    pub resource: EncryptedResource,
}

/// `resource`: the encrypted payload of a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedResource {
    /// Original type, e.g. `coupon`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_type: Option<String>,
    /// `AEAD_AES_256_GCM`.
    pub algorithm: String,
    /// Base64 of ciphertext and tag.
    pub ciphertext: String,
    /// Associated data, e.g. `coupon`; may be empty or absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associated_data: Option<String>,
    /// 12-character nonce.
    pub nonce: String,
}

impl EncryptedResource {
    /// Encrypts `plaintext` with the APIv3 key under a fresh random 12-character nonce, as
    /// WeChat Pay does (for simulators and tests that play it).
    pub fn seal(
        key: &ApiV3Key,
        original_type: &str,
        associated_data: &str,
        plaintext: &[u8],
    ) -> Result<Self, wxpay_crypto::Error> {
        let sealed = key.seal(associated_data, plaintext)?;
        Ok(Self {
            original_type: Some(original_type.to_owned()),
            algorithm: AEAD_ALGORITHM.to_owned(),
            ciphertext: sealed.ciphertext,
            associated_data: Some(associated_data.to_owned()),
            nonce: sealed.nonce,
        })
    }
}
