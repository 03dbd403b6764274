//! The one error type of this crate.

/// Everything that can go wrong in `wxpay-crypto`.
///
/// Each variant names one precise cause, so callers can react to it (for example answer a
/// callback whose signature is a [`Error::SignatureProbe`] with a failure and log it at a lower
/// level than a real [`Error::SignatureMismatch`]). Messages say what to do about the problem.
///
/// ```
/// use wxpay_crypto::{ApiV3Key, Error};
/// // A key pasted with its line break: the error gives the length and the likely cause.
/// let err = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv\n").unwrap_err();
/// assert!(matches!(err, Error::InvalidKeyLength { len: 33, .. }));
/// assert!(err.to_string().contains("white space"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ----- key loading -------------------------------------------------------------------
    /// The key or certificate input was empty (or only white space).
    #[error("empty {expected} input: pass the file's contents, not its path or an empty string")]
    EmptyInput {
        /// What was being loaded.
        expected: &'static str,
    },
    /// The input is neither PEM nor the DER this loader takes.
    #[error(
        "could not read a {expected}: {reason}; expected PEM text starting with `-----BEGIN` (or DER bytes where the loader takes DER)"
    )]
    Malformed {
        /// What was being loaded.
        expected: &'static str,
        /// What the parser reported.
        reason: String,
    },
    /// The PEM holds an encrypted private key, which this crate never decrypts.
    #[error(
        "the private key is encrypted (found {found}); decrypt it first, e.g. `openssl pkey -in key.pem -out apiclient_key.pem`"
    )]
    EncryptedKey {
        /// The PEM label or header that showed it.
        found: String,
    },
    /// The PEM holds another kind of object than the one asked for.
    #[error("expected {expected}, found a PEM `{found}` block{hint}")]
    WrongPemKind {
        /// What was being loaded.
        expected: &'static str,
        /// The PEM label found.
        found: String,
        /// A suggestion for the usual mix-up (starts with "; " when present).
        hint: &'static str,
    },
    /// The DER bytes hold another kind of object than the one asked for (a certificate where a
    /// key was expected, or the reverse).
    #[error("expected {expected} DER, found {found} DER{hint}")]
    WrongDerKind {
        /// What was being loaded.
        expected: &'static str,
        /// What the bytes are: `certificate`, `private key` or `public key`.
        found: &'static str,
        /// A suggestion for the usual mix-up (starts with "; " when present).
        hint: &'static str,
    },
    /// The key is not an RSA key.
    #[error(
        "{expected} is not RSA (algorithm OID {algorithm}); WeChat Pay APIv3 uses RSA-2048 keys (SHA256-RSA2048)"
    )]
    NotRsa {
        /// What was being loaded.
        expected: &'static str,
        /// The algorithm object identifier found.
        algorithm: String,
    },
    /// The RSA key is shorter than 2048 bits.
    #[error("RSA key of {bits} bits is too small: WeChat Pay requires at least 2048 bits")]
    KeyTooSmall {
        /// The modulus size found.
        bits: usize,
    },
    /// The RSA key is larger than the backend can use: 4096 bits for a private key (signing),
    /// 8192 bits for a public key (verification).
    #[error(
        "RSA key of {bits} bits is too large: at most {max} bits are supported here; WeChat Pay keys are RSA-2048"
    )]
    KeyTooLarge {
        /// The modulus size found.
        bits: usize,
        /// The largest size supported for this use.
        max: usize,
    },
    /// The key parsed as DER but the RSA implementation rejected it.
    #[error("the RSA {expected} was rejected: {reason}")]
    KeyRejected {
        /// What was being loaded.
        expected: &'static str,
        /// The reason given by the crypto backend.
        reason: String,
    },

    // ----- signing -----------------------------------------------------------------------
    /// A request part cannot be signed as given.
    #[error("cannot sign the request: {field} {problem}")]
    InvalidSigningInput {
        /// Which part (`method`, `url`, `nonce`, `mchid`, `serial_no`).
        field: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The RSA signing operation failed (should not happen with a key that loaded).
    #[error("RSA signing failed; the private key may be corrupt")]
    SigningFailed,
    /// The system random number generator failed.
    #[error("the system random number generator is unavailable")]
    RandomUnavailable,

    // ----- verification ------------------------------------------------------------------
    /// `Wechatpay-Signature-Type` names an algorithm other than `WECHATPAY2-SHA256-RSA2048`
    /// (for example a national-cryptography SM2 signature). The message was not verified at
    /// all: it must be refused, never checked as RSA.
    #[error(
        "unsupported `Wechatpay-Signature-Type` {found:?}: only WECHATPAY2-SHA256-RSA2048 is verified here; if your merchant account was switched to another algorithm (e.g. SM2), this SDK cannot verify it yet and the message was refused"
    )]
    UnsupportedSignatureType {
        /// The value received.
        found: String,
    },
    /// A `Wechatpay-*` part needed for verification is absent or empty.
    #[error(
        "missing `{header}`: WeChat Pay signs every 2xx response and callback, an unsigned one must be rejected"
    )]
    MissingHeader {
        /// The header name.
        header: &'static str,
    },
    /// `Wechatpay-Timestamp` is not a decimal number of seconds.
    #[error("`Wechatpay-Timestamp` {value:?} is not a Unix time in seconds")]
    MalformedTimestamp {
        /// The value received.
        value: String,
    },
    /// `Wechatpay-Nonce` (or an `Authorization` `nonce_str`) holds something other than
    /// visible ASCII. A line break would move the boundary between nonce and body in the
    /// signed string, so such a nonce is refused before any signature check.
    #[error(
        "the nonce {value:?} is not visible ASCII (letters, digits, punctuation; no spaces or line breaks); the message was altered"
    )]
    MalformedNonce {
        /// The value received.
        value: String,
    },
    /// `Wechatpay-Timestamp` is too far from the local clock (replay or clock skew).
    #[error(
        "`Wechatpay-Timestamp` {timestamp} is {skew} s away from local time {now} (tolerance {tolerance} s): a replay, or this machine's clock is wrong (check NTP)"
    )]
    TimestampOutOfWindow {
        /// The timestamp received.
        timestamp: i64,
        /// The local time used.
        now: i64,
        /// `|now - timestamp|` in seconds.
        skew: u64,
        /// The configured tolerance in seconds.
        tolerance: u64,
    },
    /// No key with the `Wechatpay-Serial` received is configured.
    #[error(
        "unknown `Wechatpay-Serial` {serial:?}; configured: {known:?}. Add the WeChat Pay public key (PUB_KEY_ID_…) or the platform certificate with this serial"
    )]
    UnknownSerial {
        /// The serial received.
        serial: String,
        /// The serials and key ids held.
        known: Vec<String>,
    },
    /// The platform certificate chosen by serial is outside its validity window.
    #[error(
        "platform certificate {serial} is not valid at {now} (valid {not_before}..{not_after}); download current certificates"
    )]
    CertificateNotValid {
        /// The certificate serial.
        serial: String,
        /// The local time used.
        now: i64,
        /// Start of validity (Unix seconds).
        not_before: i64,
        /// End of validity (Unix seconds).
        not_after: i64,
    },
    /// The signature is a `WECHATPAY/SIGNTEST/` probe: WeChat Pay checking that signatures are verified.
    #[error(
        "the signature is a WeChat Pay `WECHATPAY/SIGNTEST/` probe; it must be rejected (answer a callback with 4xx/5xx; WeChat Pay then sends the genuine one)"
    )]
    SignatureProbe,
    /// `Wechatpay-Signature` is not standard base64.
    #[error("`Wechatpay-Signature` is not valid base64; the message was altered in transit")]
    SignatureNotBase64,
    /// The signature does not match the message: the body, timestamp or nonce was altered, or
    /// the wrong key is configured for this serial.
    #[error(
        "signature mismatch: verify the raw body bytes exactly as received (never re-serialized JSON), and check the key configured for this serial"
    )]
    SignatureMismatch,
    /// A `Wechatpay-*` header was sent more than once with different values. Which copy was
    /// signed cannot be known, and a component in front of the service may have read the
    /// other one, so the message is refused. The values are not repeated here: they come from
    /// whoever sent the request.
    #[error(
        "`{header}` was sent more than once with different values; which one was signed cannot be known, so the message was refused (a proxy or an attacker added a copy)"
    )]
    DuplicateHeader {
        /// The header name.
        header: &'static str,
    },

    /// An `Authorization` header is not in the `WECHATPAY2-SHA256-RSA2048` format.
    #[error(
        "malformed `Authorization` header: {reason}; expected WECHATPAY2-SHA256-RSA2048 mchid=\"…\",nonce_str=\"…\",signature=\"…\",timestamp=\"…\",serial_no=\"…\""
    )]
    MalformedAuthorization {
        /// What is wrong with it.
        reason: &'static str,
    },

    // ----- AEAD / HMAC -------------------------------------------------------------------
    /// The APIv3 or APIv2 key is not 32 bytes long.
    #[error(
        "the {which} key must be exactly 32 bytes, got {len}{hint}; copy it again from the merchant platform (API安全)"
    )]
    InvalidKeyLength {
        /// `APIv3` or `APIv2`.
        which: &'static str,
        /// The length received.
        len: usize,
        /// A hint about pasted white space (starts with "; " when present).
        hint: &'static str,
    },
    /// The AES-GCM nonce is not 12 bytes.
    #[error("AEAD_AES_256_GCM nonce must be 12 bytes, got {len}")]
    InvalidAeadNonce {
        /// The length received.
        len: usize,
    },
    /// The ciphertext is not standard base64.
    #[error("the ciphertext is not valid base64")]
    CiphertextNotBase64,
    /// Decryption failed authentication: wrong APIv3 key, or the ciphertext, nonce or
    /// associated data was altered. No plaintext is returned.
    #[error(
        "AEAD_AES_256_GCM decryption failed: the APIv3 key is wrong (it must be the one set on the merchant platform, not the APIv2 key) or the data was altered"
    )]
    DecryptFailed,
}

/// Shorthand for `Result<T, wxpay_crypto::Error>`.
pub type Result<T, E = Error> = core::result::Result<T, E>;
