//! Merchants registered with the simulator: mchid, API certificate serial, API public key,
//! APIv3 key and APIv2 key.

use std::fmt;

use wxpay_crypto::{ApiV2Key, ApiV3Key, AuthorizationFields, MerchantPublicKey};

use crate::error::{Error, Result};
use crate::keys::SigningKey;

/// Merchant id of the built-in demo merchant.
pub const DEMO_MCHID: &str = "1900009191";
/// API certificate serial of the built-in demo merchant.
pub const DEMO_CERT_SERIAL: &str = "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C";
/// APIv3 key of the built-in demo merchant (simulator only).
pub const DEMO_APIV3_KEY: &str = "wxpaymockDemoApiV3Key00000000001";
/// APIv2 key of the built-in demo merchant (simulator only).
pub const DEMO_APIV2_KEY: &str = "wxpaymockDemoApiV2Key00000000002";

const DEMO_PRIVATE_KEY: &str = include_str!("../keys/demo_merchant_key.pem");
const DEMO_PUBLIC_KEY: &str = include_str!("../keys/demo_merchant_pub.pem");

/// The demo merchant's API private key (PKCS#8 PEM), so a client can be configured against the
/// simulator without any files. Simulator-only: this key is public.
pub fn demo_merchant_private_key_pem() -> &'static str {
    DEMO_PRIVATE_KEY
}

/// A secret string whose `Debug` is redacted.
#[derive(Clone)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How a merchant is registered with the simulator.
///
/// ```
/// use wxpay_mock::MerchantConfig;
/// let demo = MerchantConfig::demo();
/// assert_eq!(demo.mchid(), wxpay_mock::DEMO_MCHID);
/// assert!(!format!("{demo:?}").contains(wxpay_mock::DEMO_APIV3_KEY));
/// ```
#[derive(Clone, Debug)]
pub struct MerchantConfig {
    mchid: String,
    cert_serial: String,
    public_key_pem: String,
    apiv3_key: Secret,
    apiv2_key: Secret,
    public_key_only: bool,
    callback_signing: SigningKey,
}

impl MerchantConfig {
    /// A merchant: its id, its API certificate serial (hex), its API public key (SPKI PEM), its
    /// 32-byte APIv3 key and 32-byte APIv2 key. Keys are checked when the simulator starts.
    pub fn new(
        mchid: impl Into<String>,
        cert_serial: impl Into<String>,
        public_key_pem: impl Into<String>,
        apiv3_key: impl Into<String>,
        apiv2_key: impl Into<String>,
    ) -> Self {
        Self {
            mchid: mchid.into(),
            cert_serial: cert_serial.into(),
            public_key_pem: public_key_pem.into(),
            apiv3_key: Secret(apiv3_key.into()),
            apiv2_key: Secret(apiv2_key.into()),
            public_key_only: false,
            callback_signing: SigningKey::PublicKey,
        }
    }

    /// The built-in demo merchant ([`DEMO_MCHID`], [`DEMO_CERT_SERIAL`], [`DEMO_APIV3_KEY`],
    /// [`DEMO_APIV2_KEY`], private key [`demo_merchant_private_key_pem`]).
    pub fn demo() -> Self {
        Self::new(
            DEMO_MCHID,
            DEMO_CERT_SERIAL,
            DEMO_PUBLIC_KEY,
            DEMO_APIV3_KEY,
            DEMO_APIV2_KEY,
        )
    }

    /// Public-key-only merchant (a new merchant without platform certificates): every answer
    /// and callback is signed with the WeChat Pay public key and `GET /v3/certificates` answers
    /// 404. Default `false`: the request's `Wechatpay-Serial` chooses (spec §3.5).
    pub fn public_key_only(mut self, yes: bool) -> Self {
        self.public_key_only = yes;
        if yes {
            self.callback_signing = SigningKey::PublicKey;
        }
        self
    }

    /// Which key signs this merchant's callbacks (default: the public key, as WeChat Pay does
    /// from day 7 of a migration).
    pub fn callback_signing(mut self, key: SigningKey) -> Self {
        self.callback_signing = key;
        self
    }

    /// The merchant id.
    pub fn mchid(&self) -> &str {
        &self.mchid
    }

    /// The API certificate serial.
    pub fn cert_serial(&self) -> &str {
        &self.cert_serial
    }

    /// Whether the merchant is public-key only.
    pub fn is_public_key_only(&self) -> bool {
        self.public_key_only
    }

    pub(crate) fn callback_key(&self) -> SigningKey {
        if self.public_key_only {
            SigningKey::PublicKey
        } else {
            self.callback_signing
        }
    }
}

/// A merchant ready for use: keys parsed.
pub(crate) struct Merchant {
    pub(crate) config: MerchantConfig,
    public_key: MerchantPublicKey,
    pub(crate) apiv3: ApiV3Key,
    pub(crate) apiv2: ApiV2Key,
}

impl fmt::Debug for Merchant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Merchant")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Merchant {
    pub(crate) fn new(config: MerchantConfig) -> Result<Self> {
        let bad = |problem: String| Error::MerchantConfig {
            mchid: config.mchid.clone(),
            problem,
        };
        if config.mchid.is_empty() || !config.mchid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("mchid must be decimal digits".to_owned()));
        }
        if config.cert_serial.is_empty()
            || !config.cert_serial.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(bad("certificate serial must be hex digits".to_owned()));
        }
        let apiv3 =
            ApiV3Key::new(&config.apiv3_key.0).map_err(|e| bad(format!("APIv3 key: {e}")))?;
        let apiv2 =
            ApiV2Key::new(&config.apiv2_key.0).map_err(|e| bad(format!("APIv2 key: {e}")))?;
        let public_key = MerchantPublicKey::from_pem(&config.public_key_pem).map_err(|e| {
            Error::MerchantPublicKey {
                mchid: config.mchid.clone(),
                reason: e.to_string(),
            }
        })?;
        Ok(Self {
            public_key,
            config,
            apiv3,
            apiv2,
        })
    }

    /// Checks a request signature (timestamp window, then RSA-SHA256 over the signing string).
    pub(crate) fn verify_request(
        &self,
        method: &str,
        path_and_query: &str,
        body: &[u8],
        auth: &AuthorizationFields<'_>,
        now: i64,
        tolerance: u64,
    ) -> wxpay_crypto::Result<()> {
        self.public_key
            .verify_request(method, path_and_query, body, auth, now, tolerance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wxpay_crypto::{MerchantPrivateKey, Signer, parse_authorization};

    #[test]
    fn demo_keys_have_the_right_lengths() {
        assert_eq!(DEMO_APIV3_KEY.len(), 32);
        assert_eq!(DEMO_APIV2_KEY.len(), 32);
    }

    #[test]
    fn verifies_demo_merchant_signatures_and_rejects_tampering() {
        let m = Merchant::new(MerchantConfig::demo()).unwrap();
        let key = MerchantPrivateKey::from_pem(demo_merchant_private_key_pem()).unwrap();
        let signer = Signer::new(DEMO_MCHID, DEMO_CERT_SERIAL, key).unwrap();
        let auth = signer.sign("GET", "/v3/x?a=1", b"", 1, "N").unwrap();
        let fields = parse_authorization(auth.header_value()).unwrap();
        assert!(
            m.verify_request("GET", "/v3/x?a=1", b"", &fields, 1, 300)
                .is_ok()
        );
        assert!(
            m.verify_request("GET", "/v3/x?a=2", b"", &fields, 1, 300)
                .is_err()
        );
        let garbled = AuthorizationFields {
            signature: "not base64!",
            ..fields
        };
        assert!(
            m.verify_request("GET", "/v3/x?a=1", b"", &garbled, 1, 300)
                .is_err()
        );
    }

    #[test]
    fn bad_configs_are_refused() {
        let bad_key = MerchantConfig::new("1", "AB", "nope", DEMO_APIV3_KEY, DEMO_APIV2_KEY);
        assert!(matches!(
            Merchant::new(bad_key),
            Err(Error::MerchantPublicKey { .. })
        ));
        let short = MerchantConfig::new("1", "AB", DEMO_PUBLIC_KEY, "short", DEMO_APIV2_KEY);
        assert!(
            Merchant::new(short)
                .unwrap_err()
                .to_string()
                .contains("APIv3")
        );
    }
}
