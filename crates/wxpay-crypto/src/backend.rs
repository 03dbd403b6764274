//! The only module that calls the crypto backend (ring).
//!
//! Everything else in the crate goes through these few functions and types, so a second backend
//! (aws-lc-rs mirrors ring's API) can be added behind a feature by writing this file again.

use ring::{aead, digest, hmac, rand, signature};

use crate::error::{Error, Result};

/// The largest RSA modulus ring signs with (`RsaKeyPair` refuses larger keys).
pub(crate) const MAX_SIGNING_BITS: usize = 4096;

/// The largest RSA modulus ring verifies with (`RSA_PKCS1_2048_8192_SHA256`).
pub(crate) const MAX_VERIFYING_BITS: usize = 8192;

/// The largest signature [`RsaVerifyingKey::verify`] can accept, in bytes.
pub(crate) const MAX_SIGNATURE_LEN: usize = MAX_VERIFYING_BITS / 8;

/// An RSA private key ready to sign with RSASSA-PKCS1-v1_5 / SHA-256.
pub(crate) struct RsaSigningKey(signature::RsaKeyPair);

impl RsaSigningKey {
    /// Parses a PKCS#8 `PrivateKeyInfo` (DER) holding an RSA key.
    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<Self> {
        signature::RsaKeyPair::from_pkcs8(der)
            .map(Self)
            .map_err(rejected)
    }

    /// Parses a PKCS#1 `RSAPrivateKey` (DER).
    pub(crate) fn from_pkcs1(der: &[u8]) -> Result<Self> {
        signature::RsaKeyPair::from_der(der)
            .map(Self)
            .map_err(rejected)
    }

    /// The modulus length in bits.
    pub(crate) fn modulus_bits(&self) -> usize {
        self.0.public().modulus_len() * 8
    }

    /// The signature length in bytes.
    pub(crate) fn signature_len(&self) -> usize {
        self.0.public().modulus_len()
    }

    /// Signs `message` into `out`, which must be [`Self::signature_len`] bytes.
    ///
    /// PKCS#1 v1.5 is deterministic; ring asks for a random source only for blinding.
    pub(crate) fn sign(&self, message: &[u8], out: &mut [u8]) -> Result<()> {
        let rng = rand::SystemRandom::new();
        self.0
            .sign(&signature::RSA_PKCS1_SHA256, &rng, message, out)
            .map_err(|_| Error::SigningFailed)
    }
}

fn rejected(e: ring::error::KeyRejected) -> Error {
    Error::KeyRejected {
        expected: "private key",
        reason: e.to_string(),
    }
}

/// An RSA public key (PKCS#1 `RSAPublicKey` DER) for RSASSA-PKCS1-v1_5 / SHA-256.
#[derive(Clone)]
pub(crate) struct RsaVerifyingKey(signature::UnparsedPublicKey<Vec<u8>>);

impl RsaVerifyingKey {
    pub(crate) fn from_pkcs1_der(der: Vec<u8>) -> Self {
        Self(signature::UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            der,
        ))
    }

    /// Verifies `signature` over `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        self.0
            .verify(message, signature)
            .map_err(|_| Error::SignatureMismatch)
    }
}

/// An AES-256-GCM key.
pub(crate) struct AesGcmKey(aead::LessSafeKey);

/// Length of the GCM authentication tag appended to every ciphertext.
pub(crate) const GCM_TAG_LEN: usize = 16;

impl AesGcmKey {
    pub(crate) fn new(key: &[u8; 32]) -> Self {
        // AES_256_GCM accepts exactly 32-byte keys, so this cannot fail.
        let unbound = aead::UnboundKey::new(&aead::AES_256_GCM, key)
            .unwrap_or_else(|_| unreachable!("32-byte key is valid for AES-256-GCM"));
        Self(aead::LessSafeKey::new(unbound))
    }

    /// Decrypts `ciphertext || tag` in place and truncates `buf` to the plaintext.
    ///
    /// On failure the buffer is wiped, so no unauthenticated byte can escape.
    pub(crate) fn open_in_place(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        let nonce = aead::Nonce::assume_unique_for_key(*nonce);
        match self.0.open_in_place(nonce, aead::Aad::from(aad), buf) {
            Ok(plain) => {
                let len = plain.len();
                buf.truncate(len);
                Ok(())
            }
            Err(_) => {
                zeroize::Zeroize::zeroize(buf);
                Err(Error::DecryptFailed)
            }
        }
    }

    /// Encrypts `buf` in place and appends the tag.
    pub(crate) fn seal_in_place(&self, nonce: &[u8; 12], aad: &[u8], buf: &mut Vec<u8>) {
        let nonce = aead::Nonce::assume_unique_for_key(*nonce);
        self.0
            .seal_in_place_append_tag(nonce, aead::Aad::from(aad), buf)
            .unwrap_or_else(|_| unreachable!("AES-GCM sealing only fails above 64 GiB"));
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
        let pem = include_str!("../testdata/merchant_key.pem");
        let key = crate::MerchantPrivateKey::from_pem(pem).unwrap();
        let mut short = [0u8; 8];
        assert_eq!(
            key.signing_key().sign(b"m", &mut short),
            Err(Error::SigningFailed)
        );
    }
}
