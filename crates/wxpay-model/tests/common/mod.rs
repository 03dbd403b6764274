//! Builders of signed, encrypted test notifications.
#![allow(dead_code)]

use wxpay_crypto::{
    ApiV3Key, MerchantPrivateKey, Signer, Verifier, WechatPayPublicKey, verification_string,
};

pub const KEY_ID: &str = "PUB_KEY_ID_0000000000000000000000000000000001";
pub const APIV3: &str = "0123456789abcdefghijklmnopqrstuv";
pub const NOW: i64 = 1_576_140_878;
pub const NONCE: &str = "c5ac7061fccab6bf3e254dcf98995b8c";

pub const A5_PLAINTEXT: &str = r#"{"event_type":"EVENT_TYPE_BUSICOUPON_SEND","coupon_code":"1227944959000000911017","stock_id":"1286950000000039","send_time":"2019-12-17T10:35:53+08:00","openid":"odXnH1CJjeQoWTld48db-pnxs-Wg","unionid":"oOuyajgxj0oVwjocSoQm6mp7PGKw","send_channel":"BUSICOUPON_SEND_CHANNEL_PAYGIFT","send_merchant":"98568888","attach_info":{"transaction_id":"4200000462220200226114599","act_code":"540358695"}}"#;

pub fn verifier() -> Verifier {
    let key = WechatPayPublicKey::from_pem(include_str!(
        "../../../wxpay-crypto/testdata/wechatpay_pub.pem"
    ))
    .expect("test public key");
    Verifier::new().with_public_key(KEY_ID, key)
}

pub fn wechat_signer() -> Signer {
    let key = MerchantPrivateKey::from_pem(include_str!(
        "../../../wxpay-crypto/testdata/wechatpay_key.pem"
    ))
    .expect("test private key");
    Signer::new(
        "1900000001",
        "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
        key,
    )
    .expect("signer")
}

pub fn apiv3() -> ApiV3Key {
    ApiV3Key::new(APIV3).expect("apiv3 key")
}

/// Parts of a test notification that tests vary.
pub struct Callback {
    pub event_type: String,
    pub resource_type: String,
    pub algorithm: String,
    pub nonce: String,
    pub associated_data: String,
    pub plaintext: Vec<u8>,
    pub key: String,
}

impl Default for Callback {
    fn default() -> Self {
        Self {
            event_type: "COUPON.SEND".into(),
            resource_type: "encrypt-resource".into(),
            algorithm: "AEAD_AES_256_GCM".into(),
            nonce: "j9g1wAzF9Xn1".into(),
            associated_data: "coupon".into(),
            plaintext: A5_PLAINTEXT.as_bytes().to_vec(),
            key: APIV3.into(),
        }
    }
}

impl Callback {
    /// The body (encrypting with a 12-byte nonce when `nonce` has another length).
    pub fn body(&self) -> Vec<u8> {
        let key = ApiV3Key::new(&self.key).expect("key");
        let enc_nonce = if self.nonce.len() == 12 {
            self.nonce.as_str()
        } else {
            "j9g1wAzF9Xn1"
        };
        let ciphertext = key
            .encrypt(&self.associated_data, enc_nonce, &self.plaintext)
            .expect("encrypt");
        serde_json::json!({
            "id": "8b33f79f-8869-5ae5-b41b-3c0b59f957d0",
            "create_time": "2019-12-12T16:54:38+08:00",
            "resource_type": self.resource_type,
            "event_type": self.event_type,
            "summary": "商家券领券通知",
            "resource": {
                "original_type": "coupon",
                "algorithm": self.algorithm,
                "ciphertext": ciphertext,
                "associated_data": self.associated_data,
                "nonce": self.nonce,
            }
        })
        .to_string()
        .into_bytes()
    }
}

/// Signs `body` as WeChat Pay would at `ts`; returns the header pairs.
pub fn sign(body: &[u8], ts: i64) -> Vec<(String, String)> {
    let ts = ts.to_string();
    let sig = wechat_signer()
        .sign_bytes(&verification_string(&ts, NONCE, body))
        .expect("sign");
    vec![
        ("Wechatpay-Timestamp".into(), ts),
        ("wechatpay-nonce".into(), NONCE.into()),
        ("WECHATPAY-SIGNATURE".into(), sig),
        ("Wechatpay-Serial".into(), KEY_ID.into()),
        (
            "Wechatpay-Signature-Type".into(),
            "WECHATPAY2-SHA256-RSA2048".into(),
        ),
    ]
}
