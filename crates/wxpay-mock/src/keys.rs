//! The simulator's own "WeChat Pay" key material: a public-key pair with a `PUB_KEY_ID_…` id and
//! a platform certificate with its private key (spec §3.5, §4).

use std::fmt;

use wxpay_crypto::{
    MerchantPrivateKey, PlatformCertificate, SignatureHeaders, Signer, Verifier,
    WechatPayPublicKey, verification_string,
};

use crate::error::{Error, Result};

/// Default id of the simulator's WeChat Pay public key.
pub const DEFAULT_PUBLIC_KEY_ID: &str = "PUB_KEY_ID_00000000000000000000000000000001";

const BUILTIN_WECHATPAY_KEY: &str = include_str!("../keys/wechatpay_key.pem");
const BUILTIN_WECHATPAY_PUB: &str = include_str!("../keys/wechatpay_pub.pem");
const BUILTIN_PLATFORM_KEY: &str = include_str!("../keys/platform_key.pem");
const BUILTIN_PLATFORM_CERT: &str = include_str!("../keys/platform_cert.pem");

/// Which of the simulator's two keys signs an answer or a callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SigningKey {
    /// The WeChat Pay public-key pair; `Wechatpay-Serial` is the `PUB_KEY_ID_…` id.
    PublicKey,
    /// The platform-certificate key; `Wechatpay-Serial` is the certificate serial.
    PlatformCertificate,
}

/// The keys the simulator signs with, as WeChat Pay would: the WeChat Pay public key (by id) and
/// a platform certificate. The two use **different** RSA keys, so a test can tell which one
/// signed.
///
/// The built-in keys ([`SimulatorKeys::builtin`]) are committed to the repository
/// (`crates/wxpay-mock/keys/`): they are for the simulator only and prove nothing elsewhere.
///
/// ```
/// let keys = wxpay_mock::SimulatorKeys::builtin()?;
/// assert!(keys.public_key_id().starts_with("PUB_KEY_ID_"));
/// assert!(keys.public_key_pem().contains("BEGIN PUBLIC KEY"));
/// assert!(keys.platform_certificate_pem().contains("BEGIN CERTIFICATE"));
/// # Ok::<(), wxpay_mock::Error>(())
/// ```
pub struct SimulatorKeys {
    public_key_id: String,
    public_key_pem: String,
    public_key: WechatPayPublicKey,
    public_key_signer: Signer,
    platform_cert_pem: String,
    platform_cert: PlatformCertificate,
    platform_signer: Signer,
}

impl fmt::Debug for SimulatorKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatorKeys")
            .field("public_key_id", &self.public_key_id)
            .field("platform_serial", &self.platform_cert.serial())
            .finish_non_exhaustive()
    }
}

/// Checks the `PUB_KEY_ID_` + 32 digits shape (spec §3.5).
pub(crate) fn check_public_key_id(id: &str) -> Result<()> {
    match id.strip_prefix(wxpay_crypto::PUBLIC_KEY_ID_PREFIX) {
        Some(digits) if digits.len() == 32 && digits.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
        _ => Err(Error::PublicKeyId(id.to_owned())),
    }
}

fn key_err(what: &'static str) -> impl FnOnce(wxpay_crypto::Error) -> Error {
    move |source| Error::Key { what, source }
}

impl SimulatorKeys {
    /// The embedded simulator-only keys, public-key id [`DEFAULT_PUBLIC_KEY_ID`].
    pub fn builtin() -> Result<Self> {
        Self::from_pem(
            DEFAULT_PUBLIC_KEY_ID,
            BUILTIN_WECHATPAY_KEY,
            BUILTIN_WECHATPAY_PUB,
            BUILTIN_PLATFORM_KEY,
            BUILTIN_PLATFORM_CERT,
        )
    }

    /// Your own key material: the public-key id (`PUB_KEY_ID_` + 32 digits), the public-key pair
    /// (PKCS#8/PKCS#1 private PEM + SPKI public PEM) and the platform certificate's private key
    /// plus its X.509 PEM. Each private key is checked against its public half.
    pub fn from_pem(
        public_key_id: &str,
        public_key_private_pem: &str,
        public_key_pem: &str,
        platform_private_pem: &str,
        platform_cert_pem: &str,
    ) -> Result<Self> {
        check_public_key_id(public_key_id)?;
        let public_key =
            WechatPayPublicKey::from_pem(public_key_pem).map_err(key_err("public key"))?;
        let pk_private = MerchantPrivateKey::from_pem(public_key_private_pem)
            .map_err(key_err("public-key private key"))?;
        let public_key_signer =
            Signer::new("wxpay-mock", public_key_id, pk_private).map_err(key_err("public key"))?;
        let platform_cert = PlatformCertificate::from_pem(platform_cert_pem)
            .map_err(key_err("platform certificate"))?;
        let platform_private = MerchantPrivateKey::from_pem(platform_private_pem)
            .map_err(key_err("platform private key"))?;
        let platform_signer = Signer::new("wxpay-mock", platform_cert.serial(), platform_private)
            .map_err(key_err("platform certificate"))?;
        let keys = Self {
            public_key_id: public_key_id.to_owned(),
            public_key_pem: public_key_pem.to_owned(),
            public_key,
            public_key_signer,
            platform_cert_pem: platform_cert_pem.to_owned(),
            platform_cert,
            platform_signer,
        };
        // A private key that does not match its public half would make every answer unverifiable.
        let verifier = keys.verifier();
        for (mode, what) in [
            (
                SigningKey::PublicKey,
                "public-key pair (private and public halves differ)",
            ),
            (
                SigningKey::PlatformCertificate,
                "platform certificate (private key does not match the certificate)",
            ),
        ] {
            let (serial, signature) = keys.sign(mode, "1", "n", b"")?;
            let headers = SignatureHeaders {
                timestamp: "1",
                nonce: "n",
                signature: &signature,
                serial: &serial,
                signature_type: None,
            };
            // Check at the certificate's own start so validity never interferes.
            let now = keys.platform_cert.not_before().max(1);
            let verifier = verifier.clone().with_tolerance(u64::MAX);
            verifier.verify(&headers, b"", now).map_err(key_err(what))?;
        }
        Ok(keys)
    }

    /// The WeChat Pay public-key id (`PUB_KEY_ID_…`).
    pub fn public_key_id(&self) -> &str {
        &self.public_key_id
    }

    /// The WeChat Pay public key as SPKI PEM (what a merchant downloads as `pub_key.pem`).
    pub fn public_key_pem(&self) -> &str {
        &self.public_key_pem
    }

    /// The parsed WeChat Pay public key.
    pub fn public_key(&self) -> &WechatPayPublicKey {
        &self.public_key
    }

    /// The platform certificate as PEM.
    pub fn platform_certificate_pem(&self) -> &str {
        &self.platform_cert_pem
    }

    /// The parsed platform certificate.
    pub fn platform_certificate(&self) -> &PlatformCertificate {
        &self.platform_cert
    }

    /// The platform certificate's serial (upper-case hex).
    pub fn platform_serial(&self) -> &str {
        self.platform_cert.serial()
    }

    /// A verifier that knows both keys: what a client configured for the simulator holds.
    pub fn verifier(&self) -> Verifier {
        Verifier::new()
            .with_public_key(self.public_key_id.clone(), self.public_key.clone())
            .with_certificate(self.platform_cert.clone())
    }

    /// The `Wechatpay-Serial` that goes with a signing key.
    pub fn serial_for(&self, key: SigningKey) -> &str {
        match key {
            SigningKey::PublicKey => &self.public_key_id,
            SigningKey::PlatformCertificate => self.platform_cert.serial(),
        }
    }

    /// Signs `TIMESTAMP\nNONCE\nBODY\n` as WeChat Pay: returns (`Wechatpay-Serial`,
    /// `Wechatpay-Signature`).
    pub(crate) fn sign(
        &self,
        key: SigningKey,
        timestamp: &str,
        nonce: &str,
        body: &[u8],
    ) -> Result<(String, String)> {
        let signer = match key {
            SigningKey::PublicKey => &self.public_key_signer,
            SigningKey::PlatformCertificate => &self.platform_signer,
        };
        let signature = signer
            .sign_bytes(&verification_string(timestamp, nonce, body))
            .map_err(key_err("signing key"))?;
        Ok((self.serial_for(key).to_owned(), signature))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_keys_sign_verifiably_with_distinct_keys() {
        let keys = SimulatorKeys::builtin().unwrap();
        let (s1, sig1) = keys
            .sign(SigningKey::PublicKey, "100", "abc", b"{}")
            .unwrap();
        let (s2, sig2) = keys
            .sign(SigningKey::PlatformCertificate, "100", "abc", b"{}")
            .unwrap();
        assert_eq!(s1, DEFAULT_PUBLIC_KEY_ID);
        assert_eq!(s2, "3A1F6C0D2B7E4F5A8C9D0E1F2A3B4C5D6E7F8091");
        assert_ne!(sig1, sig2, "the two modes must use different keys");
        let v = keys.verifier();
        for (serial, signature) in [(&s1, &sig1), (&s2, &sig2)] {
            let h = SignatureHeaders {
                timestamp: "1700000000",
                nonce: "abc",
                signature,
                serial,
                signature_type: None,
            };
            // Signed over timestamp "100", so the real timestamp must fail...
            assert!(v.verify(&h, b"{}", 1_700_000_000).is_err());
        }
        let (s, sig) = keys
            .sign(SigningKey::PublicKey, "1700000000", "abc", b"{}")
            .unwrap();
        let h = SignatureHeaders {
            timestamp: "1700000000",
            nonce: "abc",
            signature: &sig,
            serial: &s,
            signature_type: None,
        };
        v.verify(&h, b"{}", 1_700_000_000).unwrap();
        assert!(v.verify(&h, b"{} ", 1_700_000_000).is_err());
    }

    #[test]
    fn public_key_id_shape() {
        assert!(check_public_key_id(DEFAULT_PUBLIC_KEY_ID).is_ok());
        assert!(check_public_key_id("PUB_KEY_ID_123").is_err());
        assert!(check_public_key_id("PUB_KEY_ID_000000000000000000000000000000000x").is_err());
    }

    #[test]
    fn mismatched_pairs_are_refused() {
        let err = SimulatorKeys::from_pem(
            DEFAULT_PUBLIC_KEY_ID,
            BUILTIN_PLATFORM_KEY,
            BUILTIN_WECHATPAY_PUB,
            BUILTIN_PLATFORM_KEY,
            BUILTIN_PLATFORM_CERT,
        )
        .unwrap_err();
        assert!(err.to_string().contains("public-key pair"), "{err}");
    }
}
