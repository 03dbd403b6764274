//! AES-256-GCM of the default backend: RustCrypto `aes-gcm` (constant-time; AES-NI and
//! carry-less multiplication are detected at run time and used where the CPU has them).

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};

use crate::error::{Error, Result};

/// Length of the GCM authentication tag appended to every ciphertext.
pub(crate) const GCM_TAG_LEN: usize = 16;

/// An AES-256-GCM key. The expanded key schedule is wiped on drop (`aes-gcm`'s `zeroize`).
pub(crate) struct AesGcmKey(Aes256Gcm);

impl AesGcmKey {
    pub(crate) fn new(key: &[u8; 32]) -> Self {
        Self(Aes256Gcm::new(key.into()))
    }

    /// Decrypts `ciphertext || tag` in place and truncates `buf` to the plaintext.
    ///
    /// On failure the buffer is wiped, so no unauthenticated byte can escape. (`aes-gcm`
    /// checks the tag before it decrypts anything; the wipe keeps the rule independent of that.)
    pub(crate) fn open_in_place(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        let Some(plain_len) = buf.len().checked_sub(GCM_TAG_LEN) else {
            zeroize::Zeroize::zeroize(buf);
            return Err(Error::DecryptFailed);
        };
        let (data, tag) = buf.split_at_mut(plain_len);
        let tag = Tag::try_from(&*tag).map_err(|_| Error::DecryptFailed)?;
        match self
            .0
            .decrypt_inout_detached(&Nonce::from(*nonce), aad, data.into(), &tag)
        {
            Ok(()) => {
                buf.truncate(plain_len);
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
        let tag = self
            .0
            .encrypt_inout_detached(&Nonce::from(*nonce), aad, buf.as_mut_slice().into())
            .unwrap_or_else(|_| unreachable!("AES-GCM sealing only fails above 64 GiB"));
        buf.extend_from_slice(&tag);
    }
}
