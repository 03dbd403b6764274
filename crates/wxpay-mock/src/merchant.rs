//! Merchants registered with the simulator: mchid, API certificate serial, API public key,
//! APIv3 key and APIv2 key.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use wxpay_crypto::{ApiV2Key, ApiV3Key};

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
    verifying_key: UnparsedPublicKey<Vec<u8>>,
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
        let pkcs1 = rsa_public_key_pkcs1(&config.public_key_pem).map_err(|reason| {
            Error::MerchantPublicKey {
                mchid: config.mchid.clone(),
                reason,
            }
        })?;
        Ok(Self {
            verifying_key: UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pkcs1),
            config,
            apiv3,
            apiv2,
        })
    }

    /// Verifies a base64 RSASSA-PKCS1-v1_5/SHA-256 signature over `message`.
    pub(crate) fn verify(&self, message: &[u8], signature_b64: &str) -> bool {
        match decode_signature(signature_b64) {
            Some(sig) => self.verifying_key.verify(message, &sig).is_ok(),
            None => false,
        }
    }
}

const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

/// Extracts the PKCS#1 `RSAPublicKey` DER from an SPKI (`BEGIN PUBLIC KEY`) or PKCS#1
/// (`BEGIN RSA PUBLIC KEY`) PEM.
fn rsa_public_key_pkcs1(pem_text: &str) -> std::result::Result<Vec<u8>, String> {
    let block = pem::parse(pem_text.trim()).map_err(|e| e.to_string())?;
    match block.tag() {
        "PUBLIC KEY" => {
            let info = spki::SubjectPublicKeyInfoRef::try_from(block.contents())
                .map_err(|e| e.to_string())?;
            if info.algorithm.oid.to_string() != RSA_ENCRYPTION {
                return Err(format!("algorithm {} is not RSA", info.algorithm.oid));
            }
            Ok(info.subject_public_key.raw_bytes().to_vec())
        }
        "RSA PUBLIC KEY" => Ok(block.contents().to_vec()),
        other => Err(format!("found a `{other}` block")),
    }
}

fn decode_signature(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || s.len() > 2048 {
        return None;
    }
    STANDARD.decode(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wxpay_crypto::{MerchantPrivateKey, Signer, signing_string};

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
        let msg = signing_string("GET", "/v3/x?a=1", 1, "N", b"");
        assert!(m.verify(&msg, auth.signature()));
        let tampered = signing_string("GET", "/v3/x?a=2", 1, "N", b"");
        assert!(!m.verify(&tampered, auth.signature()));
        assert!(!m.verify(&msg, "not base64!"));
        assert!(!m.verify(&msg, ""));
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
