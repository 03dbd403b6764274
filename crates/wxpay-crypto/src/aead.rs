//! `AEAD_AES_256_GCM` with the APIv3 key, spec §5: callback resources and platform certificates.

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::backend::{AesGcmKey, GCM_TAG_LEN};
use crate::error::{Error, Result};

/// The `algorithm` value WeChat Pay writes for this scheme.
pub const ALGORITHM: &str = "AEAD_AES_256_GCM";

/// Length in bytes of the nonce WeChat Pay sends.
pub const NONCE_LEN: usize = 12;

pub(crate) fn key_bytes(which: &'static str, key: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
    let mut out = Zeroizing::new([0u8; 32]);
    if key.len() != 32 {
        let trimmed = key.trim_ascii();
        let hint = if trimmed.len() != key.len() {
            "; it has leading or trailing white space (a pasted newline?)"
        } else {
            ""
        };
        return Err(Error::InvalidKeyLength {
            which,
            len: key.len(),
            hint,
        });
    }
    out.copy_from_slice(key);
    Ok(out)
}

/// The 32-byte APIv3 key set on the merchant platform, used as its 32 ASCII bytes (never
/// hashed or decoded). Wiped on drop; `Debug` prints a redaction.
///
/// ```
/// use wxpay_crypto::ApiV3Key;
/// let key = ApiV3Key::new("a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb")?;
/// let plain = key.decrypt("associatedData", "uluk4a9R25RW", "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=")?;
/// assert_eq!(plain.as_bytes(), b"message");
/// assert_eq!(format!("{key:?}"), "ApiV3Key(<redacted>)");
/// # Ok::<(), wxpay_crypto::Error>(())
/// ```
pub struct ApiV3Key {
    cipher: AesGcmKey,
}

impl fmt::Debug for ApiV3Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiV3Key(<redacted>)")
    }
}

impl ApiV3Key {
    /// Takes the key as text or bytes; it must be exactly 32 bytes.
    pub fn new(key: impl AsRef<[u8]>) -> Result<Self> {
        let bytes = key_bytes("APIv3", key.as_ref())?;
        Ok(Self {
            cipher: AesGcmKey::new(&bytes),
        })
    }

    /// Decrypts `ciphertext` (base64 of `encrypted bytes || 16-byte tag`) with the given
    /// `nonce` (12 bytes) and `associated_data` (may be empty).
    ///
    /// A wrong key and any change to ciphertext, nonce or associated data give the single
    /// [`Error::DecryptFailed`]; unauthenticated plaintext is never returned.
    pub fn decrypt(
        &self,
        associated_data: impl AsRef<[u8]>,
        nonce: impl AsRef<[u8]>,
        ciphertext: impl AsRef<[u8]>,
    ) -> Result<Plaintext> {
        let nonce = nonce_array(nonce.as_ref())?;
        let mut buf = Zeroizing::new(
            STANDARD
                .decode(ciphertext.as_ref())
                .map_err(|_| Error::CiphertextNotBase64)?,
        );
        if buf.len() < GCM_TAG_LEN {
            return Err(Error::DecryptFailed);
        }
        self.cipher
            .open_in_place(&nonce, associated_data.as_ref(), &mut buf)?;
        Ok(Plaintext(buf))
    }

    /// Encrypts `plaintext`, returning base64 of `ciphertext || tag` (for simulators and tests).
    ///
    /// The caller must never reuse a nonce with the same key; [`ApiV3Key::seal`] draws one.
    ///
    /// ```
    /// let key = wxpay_crypto::ApiV3Key::new("0123456789abcdefghijklmnopqrstuv")?;
    /// // Appendix A.4.2 of the protocol contract.
    /// assert_eq!(key.encrypt("", "61f9c719728a", "hello")?, "L90xQ5QxEOyibwA7WaXPP0AEtLeq");
    /// # Ok::<(), wxpay_crypto::Error>(())
    /// ```
    pub fn encrypt(
        &self,
        associated_data: impl AsRef<[u8]>,
        nonce: impl AsRef<[u8]>,
        plaintext: impl AsRef<[u8]>,
    ) -> Result<String> {
        let nonce = nonce_array(nonce.as_ref())?;
        let plaintext = plaintext.as_ref();
        let mut buf = Zeroizing::new(Vec::with_capacity(plaintext.len() + GCM_TAG_LEN));
        buf.extend_from_slice(plaintext);
        self.cipher
            .seal_in_place(&nonce, associated_data.as_ref(), &mut buf);
        Ok(STANDARD.encode(buf.as_slice()))
    }
}

/// A fresh encryption: the random nonce used and the base64 ciphertext, as a WeChat Pay
/// `resource` or `encrypt_certificate` carries them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// 12 characters from `[0-9A-Za-z]`, like WeChat Pay's own nonces.
    pub nonce: String,
    /// base64 of `ciphertext || tag`.
    pub ciphertext: String,
}

impl ApiV3Key {
    /// Encrypts under a fresh 12-character nonce drawn from the CSPRNG, so a caller cannot
    /// reuse a nonce by mistake (for simulators and tests that play WeChat Pay).
    ///
    /// ```
    /// let key = wxpay_crypto::ApiV3Key::new("0123456789abcdefghijklmnopqrstuv")?;
    /// let sealed = key.seal("coupon", b"{}")?;
    /// assert_eq!(sealed.nonce.len(), 12);
    /// assert_eq!(key.decrypt("coupon", &sealed.nonce, &sealed.ciphertext)?.as_bytes(), b"{}");
    /// # Ok::<(), wxpay_crypto::Error>(())
    /// ```
    pub fn seal(
        &self,
        associated_data: impl AsRef<[u8]>,
        plaintext: impl AsRef<[u8]>,
    ) -> Result<Sealed> {
        let nonce = crate::clock::random_alphanumeric(NONCE_LEN)?;
        let ciphertext = self.encrypt(associated_data, &nonce, plaintext)?;
        Ok(Sealed { nonce, ciphertext })
    }
}

fn nonce_array(nonce: &[u8]) -> Result<[u8; NONCE_LEN]> {
    nonce
        .try_into()
        .map_err(|_| Error::InvalidAeadNonce { len: nonce.len() })
}

/// Decrypted bytes. Wiped on drop; `Debug` shows only the length.
///
/// ```
/// let key = wxpay_crypto::ApiV3Key::new("0123456789abcdefghijklmnopqrstuv")?;
/// let plain = key.decrypt("", "61f9c719728a", "L90xQ5QxEOyibwA7WaXPP0AEtLeq")?;
/// assert_eq!(plain.as_str(), Some("hello")); // None if the bytes are not UTF-8
/// assert_eq!(format!("{plain:?}"), "Plaintext(<5 bytes>)");
/// # Ok::<(), wxpay_crypto::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Plaintext(Zeroizing<Vec<u8>>);

impl Plaintext {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes as UTF-8 text, if they are.
    pub fn as_str(&self) -> Option<&str> {
        core::str::from_utf8(&self.0).ok()
    }

    /// The bytes as a wiped-on-drop UTF-8 `String`, without copying them; not UTF-8 gives the
    /// error and the bytes are wiped.
    ///
    /// ```
    /// let key = wxpay_crypto::ApiV3Key::new("0123456789abcdefghijklmnopqrstuv")?;
    /// let plain = key.decrypt("", "61f9c719728a", "L90xQ5QxEOyibwA7WaXPP0AEtLeq")?;
    /// let text = plain.into_string().expect("UTF-8");
    /// assert_eq!(text.as_str(), "hello");
    /// # Ok::<(), wxpay_crypto::Error>(())
    /// ```
    pub fn into_string(mut self) -> core::result::Result<Zeroizing<String>, core::str::Utf8Error> {
        // Take the Vec out of its Zeroizing wrapper (leaving an empty one) and hand its
        // buffer to a String: one UTF-8 check, no copy. A failure wipes the buffer.
        let bytes = core::mem::take(&mut *self.0);
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Zeroizing::new(text)),
            Err(e) => {
                let error = e.utf8_error();
                drop(Zeroizing::new(e.into_bytes()));
                Err(error)
            }
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl AsRef<[u8]> for Plaintext {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Plaintext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Plaintext(<{} bytes>)", self.0.len())
    }
}
