//! Builders of signed, encrypted COUPON.SEND deliveries, as WeChat Pay sends them, with every
//! part a test may want to get wrong. Shared by the tests and the benchmark.
#![allow(dead_code)]

use http::{HeaderMap, HeaderName, HeaderValue};
use wxpay_crypto::{
    ApiV3Key, MerchantPrivateKey, Signer, Verifier, WechatPayPublicKey, verification_string,
};

pub const KEY_ID: &str = "PUB_KEY_ID_0000000000000000000000000000000001";
pub const APIV3: &str = "0123456789abcdefghijklmnopqrstuv";
pub const OTHER_APIV3: &str = "vutsrqponmlkjihgfedcba9876543210";
/// A fixed "now" for tests with a static verifier.
pub const NOW: i64 = 1_722_850_421;

pub fn verifier() -> Verifier {
    let key = WechatPayPublicKey::from_pem(include_str!(
        "../../../wxpay-crypto/testdata/wechatpay_pub.pem"
    ))
    .expect("test public key");
    Verifier::new().with_public_key(KEY_ID, key)
}

pub fn signer() -> Signer {
    let key = MerchantPrivateKey::from_pem(include_str!(
        "../../../wxpay-crypto/testdata/wechatpay_key.pem"
    ))
    .expect("test private key");
    Signer::new("wechatpay", KEY_ID, key).expect("signer")
}

pub fn apiv3() -> ApiV3Key {
    ApiV3Key::new(APIV3).expect("apiv3 key")
}

/// A COUPON.SEND plaintext for `coupon_code`.
pub fn coupon_plaintext(coupon_code: &str) -> String {
    format!(
        r#"{{"event_type":"EVENT_TYPE_BUSICOUPON_SEND","coupon_code":"{coupon_code}","stock_id":"1286950000000039","send_time":"2019-12-17T10:35:53+08:00","openid":"odXnH1CJjeQoWTld48db-pnxs-Wg","unionid":"","send_channel":"BUSICOUPON_SEND_CHANNEL_PAYGIFT","send_merchant":"98568888","attach_info":{{"transaction_id":"4200000462220200226114599","act_code":"540358695"}}}}"#
    )
}

/// One delivery; every field can be made wrong.
#[derive(Debug, Clone)]
pub struct Notify {
    pub id: String,
    pub event_type: String,
    pub resource_type: String,
    pub algorithm: String,
    /// Nonce used to encrypt (12 bytes).
    pub nonce: String,
    /// Nonce written in the envelope (defaults to `nonce`).
    pub envelope_nonce: Option<String>,
    /// AAD used to encrypt.
    pub aad: String,
    /// AAD written in the envelope (defaults to `aad`).
    pub envelope_aad: Option<String>,
    pub plaintext: Vec<u8>,
    /// APIv3 key used to encrypt.
    pub key: String,
    /// Replaces the ciphertext in the envelope.
    pub ciphertext: Option<String>,
    pub timestamp: i64,
    pub serial: String,
    pub probe: bool,
    pub signature_type: Option<String>,
    /// Change the body after signing.
    pub tamper: bool,
    pub content_type: Option<String>,
    /// Appended to the body inside the envelope (to make it large), signed.
    pub padding: usize,
}

impl Notify {
    pub fn coupon(id: &str, timestamp: i64) -> Self {
        Self {
            id: id.to_owned(),
            event_type: "COUPON.SEND".into(),
            resource_type: "encrypt-resource".into(),
            algorithm: "AEAD_AES_256_GCM".into(),
            nonce: "j9g1wAzF9Xn1".into(),
            envelope_nonce: None,
            aad: "coupon".into(),
            envelope_aad: None,
            plaintext: coupon_plaintext(&format!("code-{id}")).into_bytes(),
            key: APIV3.into(),
            ciphertext: None,
            timestamp,
            serial: KEY_ID.into(),
            probe: false,
            signature_type: Some("WECHATPAY2-SHA256-RSA2048".into()),
            tamper: false,
            content_type: Some("application/json".into()),
            padding: 0,
        }
    }

    pub fn body(&self) -> Vec<u8> {
        let ciphertext = self.ciphertext.clone().unwrap_or_else(|| {
            ApiV3Key::new(&self.key)
                .expect("key")
                .encrypt(&self.aad, &self.nonce, &self.plaintext)
                .expect("encrypt")
        });
        let mut envelope = serde_json::json!({
            "id": self.id,
            "create_time": "2019-12-12T16:54:38+08:00",
            "resource_type": self.resource_type,
            "event_type": self.event_type,
            "summary": "商家券领券通知",
            "resource": {
                "original_type": "coupon",
                "algorithm": self.algorithm,
                "ciphertext": ciphertext,
                "associated_data": self.envelope_aad.as_ref().unwrap_or(&self.aad),
                "nonce": self.envelope_nonce.as_ref().unwrap_or(&self.nonce),
            }
        });
        if self.padding > 0 {
            envelope["padding"] = serde_json::Value::String("x".repeat(self.padding));
        }
        serde_json::to_vec(&envelope).expect("json")
    }

    /// Headers signed over `body` (before any tampering).
    pub fn headers(&self, signer: &Signer, body: &[u8]) -> HeaderMap {
        let ts = self.timestamp.to_string();
        let nonce = format!("nonce-{}", self.id);
        let signature = if self.probe {
            "WECHATPAY/SIGNTEST/aGVsbG8gd29ybGQ=".to_owned()
        } else {
            signer
                .sign_bytes(&verification_string(&ts, &nonce, body))
                .expect("sign")
        };
        let mut map = HeaderMap::new();
        let mut put = |k: &'static str, v: &str| {
            map.insert(
                HeaderName::from_static(k),
                HeaderValue::from_bytes(v.as_bytes()).expect("header value"),
            );
        };
        put("wechatpay-timestamp", &ts);
        put("wechatpay-nonce", &nonce);
        put("wechatpay-signature", &signature);
        put("wechatpay-serial", &self.serial);
        put("request-id", &format!("req-{}", self.id));
        if let Some(t) = &self.signature_type {
            put("wechatpay-signature-type", t);
        }
        if let Some(ct) = &self.content_type {
            put("content-type", ct);
        }
        map
    }

    /// The headers and the raw body of the delivery.
    pub fn build(&self, signer: &Signer) -> (HeaderMap, Vec<u8>) {
        let mut body = self.body();
        let headers = self.headers(signer, &body);
        if self.tamper {
            // Same length, one character changed inside the summary-free id area.
            let at = body.iter().position(|b| *b == b':').unwrap_or(0) + 3;
            body[at] ^= 1;
        }
        (headers, body)
    }

    /// As an `http::Request` (POST).
    pub fn request(&self, signer: &Signer) -> http::Request<http_body_util::Full<bytes::Bytes>> {
        let (headers, body) = self.build(signer);
        let mut req = http::Request::builder()
            .method("POST")
            .uri("/wechatpay/coupon")
            .body(http_body_util::Full::new(bytes::Bytes::from(body)))
            .expect("request");
        *req.headers_mut() = headers;
        req
    }
}
