//! # wxpay-crypto
//!
//! The cryptography of WeChat Pay APIv3, with no IO and no async runtime, so any WeChat Pay
//! integration (payments, refunds, coupons) can take it alone:
//!
//! * [`Signer`] — signs requests into the `Authorization: WECHATPAY2-SHA256-RSA2048 …` header
//!   (spec §2). [`Signer::sign`] is a pure function of method, URL, body, timestamp and nonce.
//! * [`Verifier`] — checks `Wechatpay-Signature` on responses and callbacks against WeChat Pay
//!   public keys and platform certificates, chosen by `Wechatpay-Serial`, with a replay window
//!   (spec §3). Probes (`WECHATPAY/SIGNTEST/`) are rejected as their own error.
//! * [`ApiV3Key`] — `AEAD_AES_256_GCM` decryption of callback resources and certificates (spec §5).
//! * [`ApiV2Key`] — the APIv2 HMAC-SHA256 `sign` for mini-program and H5 coupon issuing (spec §13).
//! * [`MerchantPrivateKey`], [`WechatPayPublicKey`], [`PlatformCertificate`] — key loading with
//!   errors that say what was expected and what was found.
//! * [`parse_authorization`] and [`MerchantPublicKey::verify_request`] — the server side of
//!   request signing, for simulators and gateways.
//!
//! Why these shapes: other SDKs hashed the APIv3 key before use, never checked the GCM tag, or
//! had no timestamp window, and their round-trip tests could not see it because both sides shared
//! the bug. Everything here is pinned by the known-answer vectors of the protocol contract's
//! Appendix A, not only by round trips. Time is passed in (`now`, [`Clock`]) so that
//! verification is reproducible.
//!
//! ## Sign a request, verify a callback
//!
//! ```
//! use wxpay_crypto::{ApiV3Key, MerchantPrivateKey, SignatureHeaders, Signer, Verifier,
//!                    WechatPayPublicKey};
//!
//! // Once, at start-up: parse keys (never per request).
//! let key = MerchantPrivateKey::from_pem(include_str!("../testdata/merchant_key.pem"))?;
//! let signer = Signer::new("1900009191", "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", key)?;
//! let auth = signer.authorize("GET", "/v3/marketing/busifavor/callbacks?mchid=1900009191", b"")?;
//! assert!(auth.header_value().starts_with("WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\""));
//!
//! // A callback arrives: verify the raw body bytes first, then decrypt.
//! # let wechat_side = Signer::new("-", "-", MerchantPrivateKey::from_pem(
//! #     include_str!("../testdata/wechatpay_key.pem"))?)?;
//! let body = br#"{"id":"8b33f79f","resource_type":"encrypt-resource"}"#;
//! # let sig = wechat_side.sign_bytes(&wxpay_crypto::verification_string(
//! #     "1576140878", "c5ac7061fccab6bf3e254dcf98995b8c", body))?;
//! let headers = SignatureHeaders {
//!     timestamp: "1576140878",
//!     nonce: "c5ac7061fccab6bf3e254dcf98995b8c",
//!     signature: &sig, // the `Wechatpay-Signature` header
//!     serial: "PUB_KEY_ID_0000000000000000000000000000000001",
//!     signature_type: Some("WECHATPAY2-SHA256-RSA2048"), // `Wechatpay-Signature-Type`, if sent
//! };
//! let wechat = WechatPayPublicKey::from_pem(include_str!("../testdata/wechatpay_pub.pem"))?;
//! let verifier = Verifier::new().with_public_key("PUB_KEY_ID_0000000000000000000000000000000001", wechat);
//! let now = 1576140878; // in production: wxpay_crypto::SystemClock.now_unix()
//! verifier.verify(&headers, body, now)?;
//! // Any change to the body is caught.
//! assert_eq!(verifier.verify(&headers, b"{}", now), Err(wxpay_crypto::Error::SignatureMismatch));
//!
//! let apiv3 = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv")?;
//! let plain = apiv3.decrypt("", "61f9c719728a", "L90xQ5QxEOyibwA7WaXPP0AEtLeq")?;
//! assert_eq!(plain.as_str(), Some("hello"));
//! # Ok::<(), wxpay_crypto::Error>(())
//! ```
//!
//! ## Inputs
//!
//! * RSA keys of 2048 to 4096 bits sign and of 2048 to 8192 bits verify (ring's limits, kept under
//!   aws-lc-rs too); other
//!   sizes are refused when loaded ([`Error::KeyTooSmall`], [`Error::KeyTooLarge`]), never at
//!   the first request.
//! * PEM loaders ignore text around the blocks, as OpenSSL does; a file with two keys is refused,
//!   a certificate chain gives its first (leaf) certificate.
//! * Certificate serials are upper-case hex without leading zeros, as WeChat Pay writes them;
//!   [`Verifier`] matches `Wechatpay-Serial` case-insensitively and ignoring leading zeros.
//! * Nonces must be visible ASCII: the signed strings are line-framed, so a line break in a
//!   nonce could otherwise move the boundary between nonce and body.
//!
//! ## Secrets
//!
//! The APIv3 and APIv2 keys and decrypted plaintext live in buffers that are wiped on drop, and
//! every secret type's `Debug` prints a redaction. Decoded private-key DER is wiped as soon as the
//! backend has parsed it; the RSA backend's own key representation is not zeroized by ring or
//! aws-lc-rs. The AES-256-GCM key schedule of the default backend (`aes-gcm`) is wiped on drop.
//!
//! ## Backends
//!
//! One internal module calls the cryptography libraries; [`BACKEND`] names the one compiled in.
//!
//! | | default | feature `aws-lc-rs` |
//! |---|---|---|
//! | RSA sign / verify, SHA-256, HMAC-SHA256, CSPRNG | ring | aws-lc-rs |
//! | AES-256-GCM | RustCrypto `aes-gcm` (constant-time, AES-NI/CLMUL when present) | aws-lc-rs |
//!
//! The feature exists for speed: aws-lc-rs signs RSA-2048 about 2.5× faster than ring on our
//! machine and verifies with a key parsed once (`docs/performance.md` has the numbers). The API,
//! the key-size limits and every error are the same under both; the test suite runs under
//! both (`cargo xtask ci`, step `backends`). Building aws-lc-rs needs a C compiler.
//! Under aws-lc-rs, loading a [`MerchantPrivateKey`] makes one throwaway signature: AWS-LC seeds
//! its random generator on first use (0.15–0.3 s measured here) and sets up blinding on a key's
//! first signature, and that belongs to start-up, not to the first request's timeout.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod aead;
mod apiv2;
mod backend;
mod clock;
mod duplicates;
mod error;
mod keys;
mod pem_input;
mod request_auth;
mod signer;
mod verifier;

/// Lower-case hex SHA-256 of `data`, as the marketing image upload's `meta.sha256` wants it.
///
/// ```
/// assert_eq!(
///     wxpay_crypto::sha256_hex(b"abc"),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
pub fn sha256_hex(data: &[u8]) -> String {
    keys::upper_hex(&backend::sha256(data)).to_ascii_lowercase()
}

/// The cryptography backend compiled in: `"ring"` (default) or `"aws-lc-rs"` (feature
/// `aws-lc-rs`). AES-256-GCM under the default is RustCrypto `aes-gcm`.
///
/// ```
/// assert!(["ring", "aws-lc-rs"].contains(&wxpay_crypto::BACKEND));
/// ```
pub const BACKEND: &str = backend::NAME;

pub use aead::{
    ALGORITHM as AEAD_ALGORITHM, ApiV3Key, NONCE_LEN as AEAD_NONCE_LEN, Plaintext, Sealed,
};
pub use apiv2::{ApiV2Key, SIGN_PARAM as APIV2_SIGN_PARAM, apiv2_canonical_params};
pub use clock::{
    Clock, FixedClock, NONCE_LEN, NonceSource, SystemClock, SystemNonce, random_nonce,
};
pub use error::{Error, Result};
pub use keys::{MerchantPrivateKey, MerchantPublicKey, PlatformCertificate, WechatPayPublicKey};
pub use request_auth::{AuthorizationFields, parse_authorization};
pub use signer::{Authorization, SCHEME, Signer, signing_string};
pub use verifier::{
    DEFAULT_TOLERANCE_SECS, PROBE_PREFIX, PUBLIC_KEY_ID_PREFIX, SIGNATURE_TYPE, SignatureHeaders,
    Verifier, header, is_probe, verification_string,
};
