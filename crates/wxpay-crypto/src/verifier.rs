//! Verification of WeChat Pay signatures on responses and callbacks, spec §3.

use std::collections::BTreeMap;

use base64::DecodeSliceError;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::backend::{MAX_SIGNATURE_LEN, RsaVerifyingKey};
use crate::error::{Error, Result};
use crate::keys::{PlatformCertificate, WechatPayPublicKey, normalize_serial};

/// Prefix of the deliberately invalid signatures WeChat Pay sends to check that merchants verify.
pub const PROBE_PREFIX: &str = "WECHATPAY/SIGNTEST/";

/// Prefix of WeChat Pay public-key ids.
pub const PUBLIC_KEY_ID_PREFIX: &str = "PUB_KEY_ID_";

/// Default replay window, seconds (spec §3.3).
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;

/// Whether a `Wechatpay-Signature` value is a WeChat Pay signature probe. For logging only:
/// a probe must still be rejected, which [`Verifier::verify`] does.
///
/// ```
/// assert!(wxpay_crypto::is_probe("WECHATPAY/SIGNTEST/abc"));
/// assert!(!wxpay_crypto::is_probe("WRqIF4CO/V6gnSBB"));
/// ```
pub fn is_probe(signature: &str) -> bool {
    signature.starts_with(PROBE_PREFIX)
}

/// The only `Wechatpay-Signature-Type` this crate verifies (spec §3.1): RSASSA-PKCS1-v1_5
/// with SHA-256 over an RSA-2048 (or larger) key.
pub const SIGNATURE_TYPE: &str = "WECHATPAY2-SHA256-RSA2048";

/// The `Wechatpay-*` values that come with a signed response or callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SignatureHeaders<'a> {
    /// `Wechatpay-Timestamp`.
    pub timestamp: &'a str,
    /// `Wechatpay-Nonce`.
    pub nonce: &'a str,
    /// `Wechatpay-Signature`.
    pub signature: &'a str,
    /// `Wechatpay-Serial`.
    pub serial: &'a str,
    /// `Wechatpay-Signature-Type`, when the message declared one. WeChat Pay sends
    /// [`SIGNATURE_TYPE`]; any other value is refused by [`Verifier::verify`] with
    /// [`Error::UnsupportedSignatureType`] before any key is used. `None` (or an empty value)
    /// means RSA, as WeChat Pay's older answers omit the header.
    pub signature_type: Option<&'a str>,
}

/// Header names (lower case; HTTP header names are case-insensitive).
pub mod header {
    /// `Wechatpay-Timestamp`.
    pub const TIMESTAMP: &str = "wechatpay-timestamp";
    /// `Wechatpay-Nonce`.
    pub const NONCE: &str = "wechatpay-nonce";
    /// `Wechatpay-Signature`.
    pub const SIGNATURE: &str = "wechatpay-signature";
    /// `Wechatpay-Serial`.
    pub const SERIAL: &str = "wechatpay-serial";
    /// `Wechatpay-Signature-Type`.
    pub const SIGNATURE_TYPE: &str = "wechatpay-signature-type";
    /// `Request-ID`.
    pub const REQUEST_ID: &str = "request-id";
}

impl<'a> SignatureHeaders<'a> {
    /// Reads the values from any header list (names matched case-insensitively; the first
    /// non-empty occurrence wins; surrounding white space is trimmed). Missing values are left
    /// empty (the signature type `None`) and reported by [`Verifier::verify`].
    ///
    /// ```
    /// use wxpay_crypto::SignatureHeaders;
    /// let received = [
    ///     ("wechatpay-timestamp", "1722850421"),
    ///     ("Wechatpay-Nonce", "d824f2e086d3c1df967785d13fcd22ef"),
    ///     ("Content-Type", "application/json"),
    /// ];
    /// let h = SignatureHeaders::from_pairs(received.iter().map(|(k, v)| (*k, *v)));
    /// assert_eq!(h.timestamp, "1722850421");
    /// assert_eq!(h.signature, ""); // missing: verify reports Error::MissingHeader
    /// ```
    pub fn from_pairs<I, K, V>(headers: I) -> Self
    where
        I: IntoIterator<Item = (&'a K, &'a V)>,
        K: AsRef<str> + ?Sized + 'a,
        V: AsRef<str> + ?Sized + 'a,
    {
        let mut out = Self::default();
        for (k, v) in headers {
            let k = k.as_ref();
            let slot = if k.eq_ignore_ascii_case(header::TIMESTAMP) {
                &mut out.timestamp
            } else if k.eq_ignore_ascii_case(header::NONCE) {
                &mut out.nonce
            } else if k.eq_ignore_ascii_case(header::SIGNATURE) {
                &mut out.signature
            } else if k.eq_ignore_ascii_case(header::SERIAL) {
                &mut out.serial
            } else if k.eq_ignore_ascii_case(header::SIGNATURE_TYPE) {
                let v = v.as_ref().trim();
                if out.signature_type.is_none() && !v.is_empty() {
                    out.signature_type = Some(v);
                }
                continue;
            } else {
                continue;
            };
            if slot.is_empty() {
                *slot = v.as_ref().trim();
            }
        }
        out
    }

    /// Reads the values from an `http::HeaderMap` (the first of repeated headers). Values
    /// that are not visible ASCII are treated as missing, except `Wechatpay-Signature-Type`:
    /// every value present there must name [`SIGNATURE_TYPE`], so the first one that does not
    /// (among repeated headers too, and kept as its UTF-8 text, or `"<not UTF-8>"`, when it is
    /// not ASCII) is carried and then refused by [`Verifier::verify`].
    #[cfg(feature = "http")]
    pub fn from_header_map(map: &'a http::HeaderMap) -> Self {
        let get = |name: &str| {
            map.get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .unwrap_or("")
        };
        let mut signature_type = None;
        for v in map.get_all(header::SIGNATURE_TYPE) {
            let text = std::str::from_utf8(v.as_bytes())
                .unwrap_or("<not UTF-8>")
                .trim();
            if text.is_empty() {
                continue;
            }
            let ours = text.eq_ignore_ascii_case(SIGNATURE_TYPE);
            if signature_type.is_none() || !ours {
                signature_type = Some(text);
            }
            if !ours {
                break;
            }
        }
        Self {
            timestamp: get(header::TIMESTAMP),
            nonce: get(header::NONCE),
            signature: get(header::SIGNATURE),
            serial: get(header::SERIAL),
            signature_type,
        }
    }

    /// The `Wechatpay-Signature-Type` rule, the one place it is decided: absent (or empty) or
    /// [`SIGNATURE_TYPE`] (ASCII case-insensitively) passes; anything else is
    /// [`Error::UnsupportedSignatureType`] naming the value, and the message must be refused
    /// without being verified as RSA. [`Verifier::verify`] applies it first.
    ///
    /// ```
    /// use wxpay_crypto::{Error, SignatureHeaders};
    /// let mut h = SignatureHeaders::default();
    /// assert!(h.check_signature_type().is_ok());
    /// h.signature_type = Some("WECHATPAY2-SHA256-RSA2048");
    /// assert!(h.check_signature_type().is_ok());
    /// h.signature_type = Some("WECHATPAY2-SM2-WITH-SM3");
    /// assert_eq!(
    ///     h.check_signature_type(),
    ///     Err(Error::UnsupportedSignatureType { found: "WECHATPAY2-SM2-WITH-SM3".into() })
    /// );
    /// ```
    pub fn check_signature_type(&self) -> Result<()> {
        match self.signature_type.map(str::trim) {
            None | Some("") => Ok(()),
            Some(t) if t.eq_ignore_ascii_case(SIGNATURE_TYPE) => Ok(()),
            Some(t) => Err(Error::UnsupportedSignatureType {
                found: t.to_owned(),
            }),
        }
    }
}

/// Builds the verification string of spec §3.2: `TIMESTAMP\nNONCE\nBODY\n`.
///
/// ```
/// // An empty (HTTP 204) body still gets its line: the string ends in "\n\n".
/// assert_eq!(wxpay_crypto::verification_string("1722850421", "abc", b""), b"1722850421\nabc\n\n");
/// ```
pub fn verification_string(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut s = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    for part in [timestamp.as_bytes(), nonce.as_bytes(), body] {
        s.extend_from_slice(part);
        s.push(b'\n');
    }
    s
}

/// The key set that checks WeChat Pay signatures: any number of WeChat Pay public keys (by
/// `PUB_KEY_ID_…`, matched exactly) and platform certificates (by serial, case-insensitively
/// and ignoring leading zeros), chosen by `Wechatpay-Serial`. Both kinds at once serve merchants migrating from certificates to the
/// public key, who receive both for a while.
///
/// ```
/// use wxpay_crypto::{SignatureHeaders, Verifier, WechatPayPublicKey};
/// let key = WechatPayPublicKey::from_pem(include_str!("../testdata/wechatpay_pub.pem"))?;
/// let verifier = Verifier::new().with_public_key("PUB_KEY_ID_0000000000000000000000000000000001", key);
/// let headers = SignatureHeaders {
///     timestamp: "1722850421",
///     nonce: "d824f2e086d3c1df967785d13fcd22ef",
///     signature: "WECHATPAY/SIGNTEST/...",
///     serial: "PUB_KEY_ID_0000000000000000000000000000000001",
///     signature_type: None,
/// };
/// let err = verifier.verify(&headers, b"{}", 1722850421).unwrap_err();
/// assert_eq!(err, wxpay_crypto::Error::SignatureProbe);
/// # Ok::<(), wxpay_crypto::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Verifier {
    public_keys: BTreeMap<String, WechatPayPublicKey>,
    certificates: BTreeMap<String, PlatformCertificate>,
    tolerance: u64,
}

impl Default for Verifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Verifier {
    /// An empty key set with the default 300 s window.
    pub fn new() -> Self {
        Self {
            public_keys: BTreeMap::new(),
            certificates: BTreeMap::new(),
            tolerance: DEFAULT_TOLERANCE_SECS,
        }
    }

    /// Adds a WeChat Pay public key under its id (`PUB_KEY_ID_…`, matched exactly).
    pub fn with_public_key(mut self, id: impl Into<String>, key: WechatPayPublicKey) -> Self {
        self.add_public_key(id, key);
        self
    }

    /// Adds a platform certificate under its serial.
    pub fn with_certificate(mut self, cert: PlatformCertificate) -> Self {
        self.add_certificate(cert);
        self
    }

    /// Sets the replay window: a timestamp `tolerance` seconds or more away from now, in either
    /// direction, is rejected.
    pub fn with_tolerance(mut self, seconds: u64) -> Self {
        self.tolerance = seconds;
        self
    }

    /// The replay window in seconds.
    pub fn tolerance(&self) -> u64 {
        self.tolerance
    }

    /// Adds (or replaces) a WeChat Pay public key.
    pub fn add_public_key(&mut self, id: impl Into<String>, key: WechatPayPublicKey) {
        self.public_keys.insert(id.into(), key);
    }

    /// Adds (or replaces) a platform certificate.
    pub fn add_certificate(&mut self, cert: PlatformCertificate) {
        self.certificates.insert(cert_key(cert.serial()), cert);
    }

    /// Removes the key or certificate known under `serial`; returns whether one was held.
    pub fn remove(&mut self, serial: &str) -> bool {
        self.public_keys.remove(serial).is_some()
            || self.certificates.remove(&cert_key(serial)).is_some()
    }

    /// Removes every certificate whose validity ended before `now`; returns how many.
    pub fn remove_expired(&mut self, now: i64) -> usize {
        let before = self.certificates.len();
        self.certificates.retain(|_, c| c.not_after() >= now);
        before - self.certificates.len()
    }

    /// Whether a key or certificate is held for `serial`.
    pub fn contains(&self, serial: &str) -> bool {
        self.public_keys.contains_key(serial) || self.certificates.contains_key(&cert_key(serial))
    }

    /// The ids and serials held.
    pub fn serials(&self) -> Vec<String> {
        self.public_keys
            .keys()
            .chain(self.certificates.keys())
            .cloned()
            .collect()
    }

    /// The platform certificates held.
    pub fn certificates(&self) -> impl Iterator<Item = &PlatformCertificate> {
        self.certificates.values()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.public_keys.is_empty() && self.certificates.is_empty()
    }

    fn select(&self, serial: &str, now: i64) -> Result<&RsaVerifyingKey> {
        if let Some(k) = self.public_keys.get(serial) {
            return Ok(k.verifying_key());
        }
        if let Some(c) = self.certificates.get(&cert_key(serial)) {
            if !c.is_valid_at(now) {
                return Err(Error::CertificateNotValid {
                    serial: c.serial().to_owned(),
                    now,
                    not_before: c.not_before(),
                    not_after: c.not_after(),
                });
            }
            return Ok(c.verifying_key());
        }
        Err(Error::UnknownSerial {
            serial: serial.to_owned(),
            known: self.serials(),
        })
    }

    /// Verifies a signed response or callback over its **raw** body bytes (empty for 204).
    ///
    /// Checks, in order, each failure its own [`Error`] variant: the declared signature type
    /// is ours ([`Error::UnsupportedSignatureType`], see
    /// [`SignatureHeaders::check_signature_type`]); all four parts present
    /// ([`Error::MissingHeader`]); nonce visible ASCII ([`Error::MalformedNonce`]); timestamp
    /// numeric ([`Error::MalformedTimestamp`]) and within the window
    /// ([`Error::TimestampOutOfWindow`]); serial known ([`Error::UnknownSerial`]); not a probe
    /// ([`Error::SignatureProbe`]); base64 ([`Error::SignatureNotBase64`]); RSA PKCS#1 v1.5
    /// SHA-256 ([`Error::SignatureMismatch`]). `now` is Unix seconds.
    ///
    /// A platform certificate outside its validity window at `now` is
    /// [`Error::CertificateNotValid`] (checked with the serial).
    ///
    /// ```
    /// use wxpay_crypto::{Error, SignatureHeaders, Verifier, WechatPayPublicKey};
    /// // Appendix A.3.2 of the protocol contract: an HTTP 204 response, empty body.
    /// let key = WechatPayPublicKey::from_pem(include_str!("../testdata/spec_a1_pub.pem"))?;
    /// let id = "PUB_KEY_ID_00000000000000000000000000000001";
    /// let verifier = Verifier::new().with_public_key(id, key);
    /// let headers = SignatureHeaders {
    ///     timestamp: "1722850421",
    ///     nonce: "d824f2e086d3c1df967785d13fcd22ef",
    ///     signature: "TE96IlhRYGjqrf84Ko7f9beEZQ74nDxGneEq8Fux74L8c/Um4xhThgztAfcMD5QAwxC22ttDhF2xC6rvz8XVBJqrlEzN4GTUtxcEBtLTMTtlVc/XVsj6OWLcJNYRVXIdetSfOxwg0hYmb7zAe3PHEQcCWn8idj05dcoKqEUt2NEq1+woiLWBKJ0JW2yVd/+FxV23Qq0f8QnX+RiQZxJYDIvjv2LF8lDhAZnrBAWPpxQE4mZWfhzu0LpT1bbf9CqDfkYvte9Ek8L3rKgs3FiKpqXbDuew+yQGVqPQa/kY8iNqr1Sb1KGw4X4gjQ32A6bRSESrQjMVXnixNIPwmIPvVA==",
    ///     serial: id,
    ///     signature_type: None,
    /// };
    /// verifier.verify(&headers, b"", 1722850421)?;
    /// // Five minutes later the same message is a replay.
    /// assert!(matches!(
    ///     verifier.verify(&headers, b"", 1722850421 + 300),
    ///     Err(Error::TimestampOutOfWindow { .. })
    /// ));
    /// # Ok::<(), wxpay_crypto::Error>(())
    /// ```
    pub fn verify(&self, headers: &SignatureHeaders<'_>, body: &[u8], now: i64) -> Result<()> {
        headers.check_signature_type()?;
        for (value, header) in [
            (headers.timestamp, "Wechatpay-Timestamp"),
            (headers.nonce, "Wechatpay-Nonce"),
            (headers.signature, "Wechatpay-Signature"),
            (headers.serial, "Wechatpay-Serial"),
        ] {
            if value.is_empty() {
                return Err(Error::MissingHeader { header });
            }
        }
        check_nonce(headers.nonce)?;
        let timestamp = parse_timestamp(headers.timestamp)?;
        let skew = now.abs_diff(timestamp);
        if skew >= self.tolerance {
            return Err(Error::TimestampOutOfWindow {
                timestamp,
                now,
                skew,
                tolerance: self.tolerance,
            });
        }
        let key = self.select(headers.serial, now)?;
        if is_probe(headers.signature) {
            return Err(Error::SignatureProbe);
        }
        let mut sig = [0u8; MAX_SIGNATURE_LEN];
        let n = decode_signature(headers.signature, &mut sig)?;
        // Verify over the timestamp exactly as received (leading zeros included).
        let message = verification_string(headers.timestamp, headers.nonce, body);
        key.verify(&message, sig.get(..n).unwrap_or_default())
    }
}

/// Checks that a nonce is visible ASCII. The signed strings are line-framed, so a nonce with a
/// line break could move the boundary between nonce and body; WeChat Pay's nonces are hex or
/// alphanumeric, and HTTP header values cannot carry line breaks anyway.
pub(crate) fn check_nonce(value: &str) -> Result<()> {
    if value.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(Error::MalformedNonce {
            value: value.to_owned(),
        })
    }
}

/// Decodes a base64 signature into `out` without allocating on the normal path.
///
/// A signature longer than the largest key's (8192 bits) cannot match any key: if it is valid
/// base64 it is a [`Error::SignatureMismatch`], otherwise [`Error::SignatureNotBase64`].
pub(crate) fn decode_signature(
    signature: &str,
    out: &mut [u8; MAX_SIGNATURE_LEN],
) -> Result<usize> {
    match STANDARD.decode_slice(signature, out) {
        Ok(n) => Ok(n),
        Err(DecodeSliceError::OutputSliceTooSmall) => match STANDARD.decode(signature) {
            Ok(_) => Err(Error::SignatureMismatch),
            Err(_) => Err(Error::SignatureNotBase64),
        },
        Err(DecodeSliceError::DecodeError(_)) => Err(Error::SignatureNotBase64),
    }
}

/// The form certificate serials are stored and looked up in: upper case, no leading zeros, so
/// `0a1b…`, `0A1B…` and `A1B…` name the same certificate.
fn cert_key(serial: &str) -> String {
    normalize_serial(serial).to_ascii_uppercase()
}

pub(crate) fn parse_timestamp(value: &str) -> Result<i64> {
    let malformed = || Error::MalformedTimestamp {
        value: value.to_owned(),
    };
    if value.len() > 19 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed());
    }
    value.parse().map_err(|_| malformed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_pairs_case_insensitive() {
        let pairs = [
            ("wechatpay-timestamp".to_owned(), "1".to_owned()),
            ("WECHATPAY-NONCE".to_owned(), "n".to_owned()),
            ("Wechatpay-Signature".to_owned(), " s ".to_owned()),
            ("Wechatpay-Serial".to_owned(), "x".to_owned()),
            ("Wechatpay-Serial".to_owned(), "second".to_owned()),
        ];
        let h = SignatureHeaders::from_pairs(pairs.iter().map(|(k, v)| (k, v)));
        assert_eq!(
            h,
            SignatureHeaders {
                timestamp: "1",
                nonce: "n",
                signature: "s",
                serial: "x",
                signature_type: None,
            }
        );
        let pairs = [
            ("WECHATPAY-SIGNATURE-TYPE", " "),
            ("Wechatpay-Signature-Type", " WECHATPAY2-SM2-WITH-SM3 "),
        ];
        let h = SignatureHeaders::from_pairs(pairs.iter().map(|(k, v)| (*k, *v)));
        assert_eq!(h.signature_type, Some("WECHATPAY2-SM2-WITH-SM3"));
    }

    #[cfg(feature = "http")]
    #[test]
    fn header_map() {
        let mut map = http::HeaderMap::new();
        map.insert("Wechatpay-Timestamp", http::HeaderValue::from_static("1"));
        map.insert("wechatpay-nonce", http::HeaderValue::from_static("n"));
        map.insert(
            "WECHATPAY-SERIAL",
            http::HeaderValue::from_static("PUB_KEY_ID_1"),
        );
        let h = SignatureHeaders::from_header_map(&map);
        assert_eq!(
            (h.timestamp, h.nonce, h.serial, h.signature),
            ("1", "n", "PUB_KEY_ID_1", "")
        );
        assert_eq!(h.signature_type, None);

        // Any repeated signature type that is not RSA is the one carried, and refused.
        map.append(
            header::SIGNATURE_TYPE,
            http::HeaderValue::from_static("WECHATPAY2-SHA256-RSA2048"),
        );
        let h = SignatureHeaders::from_header_map(&map);
        assert_eq!(h.signature_type, Some("WECHATPAY2-SHA256-RSA2048"));
        assert!(h.check_signature_type().is_ok());
        map.append(
            header::SIGNATURE_TYPE,
            http::HeaderValue::from_static("WECHATPAY2-SM2-WITH-SM3"),
        );
        let h = SignatureHeaders::from_header_map(&map);
        assert_eq!(h.signature_type, Some("WECHATPAY2-SM2-WITH-SM3"));
        // Not ASCII: kept as text rather than dropped as missing.
        let mut map = http::HeaderMap::new();
        map.insert(
            header::SIGNATURE_TYPE,
            http::HeaderValue::from_bytes("算法".as_bytes()).unwrap(),
        );
        assert_eq!(
            SignatureHeaders::from_header_map(&map).signature_type,
            Some("算法")
        );
        map.insert(
            header::SIGNATURE_TYPE,
            http::HeaderValue::from_bytes(b"\xff").unwrap(),
        );
        assert_eq!(
            SignatureHeaders::from_header_map(&map).signature_type,
            Some("<not UTF-8>")
        );
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("1722850421").unwrap(), 1722850421);
        assert!(parse_timestamp("-1").is_err());
        assert!(parse_timestamp("1.5").is_err());
        assert!(parse_timestamp("99999999999999999999").is_err());
    }
}
