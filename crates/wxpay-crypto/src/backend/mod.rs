//! The only module that calls the crypto backends.
//!
//! Everything else in the crate goes through these few functions and types, so the backend is
//! chosen here and nowhere else:
//!
//! | | default | feature `aws-lc-rs` |
//! |---|---|---|
//! | RSA sign / verify, SHA-256, HMAC, CSPRNG | ring | aws-lc-rs |
//! | AES-256-GCM | RustCrypto `aes-gcm` | aws-lc-rs |
//!
//! aws-lc-rs mirrors ring's API, so the provider is one alias; the few places where the two
//! differ (a pre-parsed public key, the exponent rule for signing keys, key-size accessors) are
//! marked with `cfg`. Limits and error behaviour are the same under both backends.

#[cfg(feature = "aws-lc-rs")]
use aws_lc_rs as provider;
#[cfg(not(feature = "aws-lc-rs"))]
use ring as provider;

use provider::{digest, hmac, rand, signature};

use crate::error::{Error, Result};

#[cfg(feature = "aws-lc-rs")]
#[path = "gcm_aws_lc.rs"]
mod gcm;
#[cfg(not(feature = "aws-lc-rs"))]
#[path = "gcm_rustcrypto.rs"]
mod gcm;

pub(crate) use gcm::{AesGcmKey, GCM_TAG_LEN};

/// Name of the backend compiled in, for diagnostics and benchmarks.
pub(crate) const NAME: &str = if cfg!(feature = "aws-lc-rs") {
    "aws-lc-rs"
} else {
    "ring"
};

/// The largest RSA modulus signed with (ring's `RsaKeyPair` refuses larger keys; the same limit
/// holds under aws-lc-rs so a key that loads under one backend loads under the other).
pub(crate) const MAX_SIGNING_BITS: usize = 4096;

/// The largest RSA modulus verified with (`RSA_PKCS1_2048_8192_SHA256`).
pub(crate) const MAX_VERIFYING_BITS: usize = 8192;

/// The largest signature [`RsaVerifyingKey::verify`] can accept, in bytes.
pub(crate) const MAX_SIGNATURE_LEN: usize = MAX_VERIFYING_BITS / 8;

/// An RSA private key ready to sign with RSASSA-PKCS1-v1_5 / SHA-256.
pub(crate) struct RsaSigningKey(signature::RsaKeyPair);

impl RsaSigningKey {
    /// Parses a PKCS#8 `PrivateKeyInfo` (DER) holding an RSA key.
    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<Self> {
        let key = signature::RsaKeyPair::from_pkcs8(der).map_err(rejected)?;
        Self::checked(key)
    }

    /// Parses a PKCS#1 `RSAPrivateKey` (DER).
    pub(crate) fn from_pkcs1(der: &[u8]) -> Result<Self> {
        let key = signature::RsaKeyPair::from_der(der).map_err(rejected)?;
        Self::checked(key)
    }

    #[cfg(not(feature = "aws-lc-rs"))]
    fn checked(key: signature::RsaKeyPair) -> Result<Self> {
        Ok(Self(key))
    }

    /// ring refuses signing keys whose public exponent is below 65537; aws-lc-rs would take
    /// them, so the same rule is applied here to keep one behaviour across backends.
    #[cfg(feature = "aws-lc-rs")]
    fn checked(key: signature::RsaKeyPair) -> Result<Self> {
        use signature::KeyPair as _;
        let public = key.public_key().as_ref();
        let e_ok = pkcs1::RsaPublicKey::try_from(public)
            .map(|k| {
                let e = k.public_exponent.as_bytes();
                // Big-endian without leading zeros: >= 65537 means > 3 bytes, or 3 bytes >= 0x010001.
                e.len() > 3 || (e.len() == 3 && e >= [0x01, 0x00, 0x01].as_slice())
            })
            .unwrap_or(false);
        if !e_ok {
            return Err(Error::KeyRejected {
                expected: "private key",
                reason: "public exponent below 65537".into(),
            });
        }
        let key = Self(key);
        // Warm-up at load, where the cost belongs: AWS-LC seeds its random generator on first
        // use (measured 150-330 ms here) and sets up the key's blinding on its first signature
        // (a few ms). Without this the first request after start-up pays both and can exceed
        // a 200 ms attempt timeout; ring has no such first-use cost.
        let mut sig = [0u8; MAX_SIGNING_BITS / 8];
        let len = key.signature_len().min(sig.len());
        key.sign(b"", &mut sig[..len])
            .map_err(|_| Error::KeyRejected {
                expected: "private key",
                reason: "the backend could not sign with it".into(),
            })?;
        Ok(key)
    }

    /// The modulus length in bits.
    pub(crate) fn modulus_bits(&self) -> usize {
        self.signature_len() * 8
    }

    /// The signature length in bytes.
    pub(crate) fn signature_len(&self) -> usize {
        #[cfg(not(feature = "aws-lc-rs"))]
        let len = self.0.public().modulus_len();
        #[cfg(feature = "aws-lc-rs")]
        let len = self.0.public_modulus_len();
        len
    }

    /// Signs `message` into `out`, which must be [`Self::signature_len`] bytes.
    ///
    /// PKCS#1 v1.5 is deterministic; ring asks for a random source only for blinding.
    pub(crate) fn sign(&self, message: &[u8], out: &mut [u8]) -> Result<()> {
        if out.len() != self.signature_len() {
            return Err(Error::SigningFailed);
        }
        let rng = rand::SystemRandom::new();
        self.0
            .sign(&signature::RSA_PKCS1_SHA256, &rng, message, out)
            .map_err(|_| Error::SigningFailed)
    }
}

fn rejected(e: provider::error::KeyRejected) -> Error {
    Error::KeyRejected {
        expected: "private key",
        reason: e.to_string(),
    }
}

/// An RSA public key (PKCS#1 `RSAPublicKey` DER) for RSASSA-PKCS1-v1_5 / SHA-256.
///
/// ring parses the key on every verification (cheap there); aws-lc-rs parses it once here,
/// which saves the conversion into its big-number form on every callback.
#[derive(Clone)]
pub(crate) struct RsaVerifyingKey(VerifyingInner);

#[cfg(not(feature = "aws-lc-rs"))]
type VerifyingInner = signature::UnparsedPublicKey<Vec<u8>>;

#[cfg(feature = "aws-lc-rs")]
#[derive(Clone)]
enum VerifyingInner {
    Parsed(signature::ParsedPublicKey),
    /// A key aws-lc could not parse up front: kept as it came, so every verification fails
    /// exactly as ring's would (a mismatch), instead of failing the load under one backend only.
    Unparsed(signature::UnparsedPublicKey<Vec<u8>>),
}

impl RsaVerifyingKey {
    pub(crate) fn from_pkcs1_der(der: Vec<u8>) -> Self {
        let alg = &signature::RSA_PKCS1_2048_8192_SHA256;
        #[cfg(not(feature = "aws-lc-rs"))]
        let inner = signature::UnparsedPublicKey::new(alg, der);
        #[cfg(feature = "aws-lc-rs")]
        let inner = match signature::ParsedPublicKey::new(alg, &der) {
            Ok(parsed) => VerifyingInner::Parsed(parsed),
            Err(_) => VerifyingInner::Unparsed(signature::UnparsedPublicKey::new(alg, der)),
        };
        Self(inner)
    }

    /// Verifies `signature` over `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        #[cfg(not(feature = "aws-lc-rs"))]
        let result = self.0.verify(message, signature);
        #[cfg(feature = "aws-lc-rs")]
        let result = match &self.0 {
            VerifyingInner::Parsed(key) => key.verify_sig(message, signature),
            VerifyingInner::Unparsed(key) => key.verify(message, signature),
        };
        result.map_err(|_| Error::SignatureMismatch)
    }
}

/// HMAC-SHA256 of `message` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let tag = hmac::sign(&key, message);
    let mut out = [0u8; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

/// Constant-time check of an HMAC-SHA256 tag.
pub(crate) fn hmac_sha256_verify(key: &[u8], message: &[u8], tag: &[u8]) -> bool {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::verify(&key, message, tag).is_ok()
}

/// SHA-256 of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let d = digest::digest(&digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// Fills `out` from the operating system's CSPRNG.
pub(crate) fn fill_random(out: &mut [u8]) -> Result<()> {
    use rand::SecureRandom;
    rand::SystemRandom::new()
        .fill(out)
        .map_err(|_| Error::RandomUnavailable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_into_a_wrong_sized_buffer_is_an_error_not_a_panic() {
        let pem = include_str!("../../testdata/merchant_key.pem");
        let key = crate::MerchantPrivateKey::from_pem(pem).unwrap();
        let mut short = [0u8; 8];
        assert_eq!(
            key.signing_key().sign(b"m", &mut short),
            Err(Error::SigningFailed)
        );
        let mut long = [0u8; 257];
        assert_eq!(
            key.signing_key().sign(b"m", &mut long),
            Err(Error::SigningFailed)
        );
    }

    #[test]
    fn backend_name_matches_the_feature() {
        assert_eq!(NAME == "aws-lc-rs", cfg!(feature = "aws-lc-rs"));
    }

    /// Both backends agree with FIPS 180-2's "abc" vector and RFC 4231 test case 2.
    #[test]
    fn digests_match_published_vectors() {
        let d = sha256(b"abc");
        assert_eq!(d[..4], [0xba, 0x78, 0x16, 0xbf]);
        assert_eq!(d[28..], [0xf2, 0x00, 0x15, 0xad]);
        let tag = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(tag[..4], [0x5b, 0xdc, 0xc1, 0x46]);
        assert!(hmac_sha256_verify(
            b"Jefe",
            b"what do ya want for nothing?",
            &tag
        ));
        assert!(!hmac_sha256_verify(
            b"Jefe",
            b"what do ya want for nothing!",
            &tag
        ));
    }
}
