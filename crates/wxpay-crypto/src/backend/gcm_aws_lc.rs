//! AES-256-GCM under the `aws-lc-rs` feature: aws-lc's GCM (AES-NI / VAES with carry-less
//! multiplication, one fused pass), measured faster than `aes-gcm` on our machine
//! (`docs/performance.md`).

use aws_lc_rs::aead;

use crate::error::{Error, Result};

/// Length of the GCM authentication tag appended to every ciphertext.
pub(crate) const GCM_TAG_LEN: usize = 16;

/// An AES-256-GCM key.
pub(crate) struct AesGcmKey(aead::LessSafeKey);

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
