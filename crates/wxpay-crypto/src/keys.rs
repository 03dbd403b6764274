//! Key and certificate loading: the merchant private key, the WeChat Pay public key and platform
//! certificates.

use core::fmt;

use der::Decode;

use crate::backend::{MAX_SIGNING_BITS, MAX_VERIFYING_BITS, RsaSigningKey, RsaVerifyingKey};
use crate::error::{Error, Result};
use crate::pem_input::{self, DerKind, Pick};

const MERCHANT_KEY: &str = "merchant private key";
const PUBLIC_KEY: &str = "WeChat Pay public key";
const MERCHANT_PUBLIC_KEY: &str = "merchant public key";
const CERTIFICATE: &str = "platform certificate";
const MIN_RSA_BITS: usize = 2048;
/// `rsaEncryption`, the algorithm OID of RSA keys in PKCS#8 and SPKI.
const RSA_ENCRYPTION: spki::ObjectIdentifier =
    spki::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// The merchant API private key (`apiclient_key.pem`), used to sign requests.
///
/// Parsed once; signing never touches PEM again. Its `Debug` output shows only the key size.
/// The decoded DER is wiped as soon as the backend has taken the key; the backend's own
/// representation (ring's or aws-lc-rs's `RsaKeyPair`) is not zeroized by that library.
///
/// ```
/// use wxpay_crypto::MerchantPrivateKey;
/// let pem = include_str!("../testdata/merchant_key.pem");
/// let key = MerchantPrivateKey::from_pem(pem)?;
/// assert_eq!(key.bits(), 2048);
/// assert!(!format!("{key:?}").contains("MII"));
/// # Ok::<(), wxpay_crypto::Error>(())
/// ```
pub struct MerchantPrivateKey {
    key: RsaSigningKey,
}

impl MerchantPrivateKey {
    /// Loads a PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`) PEM key.
    ///
    /// Text and other blocks around the key (a certificate in a combined file) are ignored; a
    /// file with two private keys is refused rather than guessed at.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let block = pem_input::decode(
            pem,
            MERCHANT_KEY,
            &["PRIVATE KEY", "RSA PRIVATE KEY"],
            Pick::Only,
        )?;
        if block.label == "PRIVATE KEY" {
            Self::from_pkcs8_der(&block.der)
        } else {
            Self::from_pkcs1_der(&block.der)
        }
    }

    /// Loads a DER key, PKCS#8 `PrivateKeyInfo` or PKCS#1 `RSAPrivateKey`.
    ///
    /// ```
    /// use wxpay_crypto::{Error, MerchantPrivateKey};
    /// let key = MerchantPrivateKey::from_der(include_bytes!("../testdata/merchant_key.der"))?;
    /// assert_eq!(key.bits(), 2048);
    /// assert!(matches!(MerchantPrivateKey::from_der(b"junk"), Err(Error::Malformed { .. })));
    /// # Ok::<(), wxpay_crypto::Error>(())
    /// ```
    pub fn from_der(der: &[u8]) -> Result<Self> {
        if der.is_empty() {
            return Err(Error::EmptyInput {
                expected: MERCHANT_KEY,
            });
        }
        let pkcs8_error = match pkcs8::PrivateKeyInfo::try_from(der) {
            Ok(_) => return Self::from_pkcs8_der(der),
            Err(e) => e,
        };
        match pkcs1::RsaPrivateKey::try_from(der) {
            Ok(_) => Self::from_pkcs1_der(der),
            Err(pkcs1_error) => Err(pem_input::der_error(
                der,
                MERCHANT_KEY,
                DerKind::PrivateKey,
                format!("neither PKCS#8 ({pkcs8_error}) nor PKCS#1 ({pkcs1_error})"),
            )),
        }
    }

    fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let info = pkcs8::PrivateKeyInfo::try_from(der).map_err(|e| malformed(MERCHANT_KEY, e))?;
        if info.algorithm.oid != RSA_ENCRYPTION {
            return Err(Error::NotRsa {
                expected: MERCHANT_KEY,
                algorithm: info.algorithm.oid.to_string(),
            });
        }
        check_private_bits(info.private_key)?;
        let key = RsaSigningKey::from_pkcs8(der)?;
        Ok(Self { key })
    }

    fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        check_private_bits(der)?;
        let key = RsaSigningKey::from_pkcs1(der)?;
        Ok(Self { key })
    }

    /// The RSA modulus size in bits.
    pub fn bits(&self) -> usize {
        self.key.modulus_bits()
    }

    pub(crate) fn signing_key(&self) -> &RsaSigningKey {
        &self.key
    }
}

impl fmt::Debug for MerchantPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerchantPrivateKey")
            .field("bits", &self.bits())
            .field("key", &"<redacted>")
            .finish()
    }
}

fn check_private_bits(pkcs1_der: &[u8]) -> Result<()> {
    let key = pkcs1::RsaPrivateKey::try_from(pkcs1_der).map_err(|e| malformed(MERCHANT_KEY, e))?;
    check_bits(key.modulus.as_bytes(), MAX_SIGNING_BITS)
}

/// Checks the modulus size against WeChat Pay's minimum and the backend's maximum `max`, so
/// that a key which loads can always be used.
fn check_bits(modulus: &[u8], max: usize) -> Result<()> {
    let bits = uint_bits(modulus);
    if bits < MIN_RSA_BITS {
        return Err(Error::KeyTooSmall { bits });
    }
    if bits > max {
        return Err(Error::KeyTooLarge { bits, max });
    }
    Ok(())
}

fn uint_bits(bytes: &[u8]) -> usize {
    let trimmed: &[u8] = match bytes.iter().position(|b| *b != 0) {
        Some(i) => &bytes[i..],
        None => &[],
    };
    match trimmed.first() {
        Some(first) => trimmed.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    }
}

fn malformed(expected: &'static str, e: impl fmt::Display) -> Error {
    Error::Malformed {
        expected,
        reason: e.to_string(),
    }
}

/// Parses an SPKI (`SubjectPublicKeyInfo`) and returns the RSA key inside, size-checked.
fn rsa_from_spki(
    expected: &'static str,
    oid: spki::ObjectIdentifier,
    key_bits: &[u8],
) -> Result<RsaVerifyingKey> {
    if oid != RSA_ENCRYPTION {
        return Err(Error::NotRsa {
            expected,
            algorithm: oid.to_string(),
        });
    }
    rsa_from_pkcs1(expected, key_bits)
}

fn rsa_from_pkcs1(expected: &'static str, pkcs1_der: &[u8]) -> Result<RsaVerifyingKey> {
    let key = pkcs1::RsaPublicKey::try_from(pkcs1_der).map_err(|e| malformed(expected, e))?;
    check_bits(key.modulus.as_bytes(), MAX_VERIFYING_BITS)?;
    Ok(RsaVerifyingKey::from_pkcs1_der(pkcs1_der.to_vec()))
}

/// The WeChat Pay public key (`pub_key.pem`), identified by its `PUB_KEY_ID_…` id elsewhere.
///
/// ```
/// use wxpay_crypto::WechatPayPublicKey;
/// let key = WechatPayPublicKey::from_pem(include_str!("../testdata/wechatpay_pub.pem"))?;
/// # let _ = key;
/// # Ok::<(), wxpay_crypto::Error>(())
/// ```
#[derive(Clone)]
pub struct WechatPayPublicKey {
    key: RsaVerifyingKey,
}

impl WechatPayPublicKey {
    /// Loads an SPKI PEM (`BEGIN PUBLIC KEY`); PKCS#1 `BEGIN RSA PUBLIC KEY` is accepted too.
    /// Text and other blocks around the key are ignored; two public keys are refused.
    pub fn from_pem(pem: &str) -> Result<Self> {
        public_from_pem(PUBLIC_KEY, pem).map(|key| Self { key })
    }

    /// Loads an SPKI DER public key.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        public_from_der(PUBLIC_KEY, der).map(|key| Self { key })
    }

    pub(crate) fn verifying_key(&self) -> &RsaVerifyingKey {
        &self.key
    }
}

fn public_from_pem(expected: &'static str, pem: &str) -> Result<RsaVerifyingKey> {
    let block = pem_input::decode(pem, expected, &["PUBLIC KEY", "RSA PUBLIC KEY"], Pick::Only)?;
    if block.label == "PUBLIC KEY" {
        public_from_der(expected, &block.der)
    } else {
        rsa_from_pkcs1(expected, &block.der)
    }
}

fn public_from_der(expected: &'static str, der: &[u8]) -> Result<RsaVerifyingKey> {
    if der.is_empty() {
        return Err(Error::EmptyInput { expected });
    }
    let info = spki::SubjectPublicKeyInfoRef::try_from(der)
        .map_err(|e| pem_input::der_error(der, expected, DerKind::PublicKey, e.to_string()))?;
    rsa_from_spki(
        expected,
        info.algorithm.oid,
        info.subject_public_key.raw_bytes(),
    )
}

/// A merchant's API public key (the public half of `apiclient_key.pem`): what WeChat Pay — or a
/// simulator, or a gateway in front of one — uses to check request signatures with
/// [`MerchantPublicKey::verify_request`].
///
/// ```
/// use wxpay_crypto::MerchantPublicKey;
/// let key = MerchantPublicKey::from_pem(include_str!("../testdata/merchant_pub.pem"))?;
/// # let _ = key;
/// # Ok::<(), wxpay_crypto::Error>(())
/// ```
#[derive(Clone)]
pub struct MerchantPublicKey {
    key: RsaVerifyingKey,
}

impl MerchantPublicKey {
    /// Loads an SPKI PEM (`BEGIN PUBLIC KEY`); PKCS#1 `BEGIN RSA PUBLIC KEY` is accepted too.
    /// Text and other blocks around the key are ignored; two public keys are refused.
    pub fn from_pem(pem: &str) -> Result<Self> {
        public_from_pem(MERCHANT_PUBLIC_KEY, pem).map(|key| Self { key })
    }

    /// Loads an SPKI DER public key.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        public_from_der(MERCHANT_PUBLIC_KEY, der).map(|key| Self { key })
    }

    pub(crate) fn verifying_key(&self) -> &RsaVerifyingKey {
        &self.key
    }
}

impl fmt::Debug for MerchantPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerchantPublicKey").finish_non_exhaustive()
    }
}

impl fmt::Debug for WechatPayPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WechatPayPublicKey").finish_non_exhaustive()
    }
}

/// A WeChat Pay platform certificate (X.509), as downloaded from `GET /v3/certificates`.
///
/// ```
/// use wxpay_crypto::PlatformCertificate;
/// let cert = PlatformCertificate::from_pem(include_str!("../testdata/platform_cert.pem"))?;
/// assert_eq!(cert.serial(), "5157F09EFDC096DE15EBE81A47057A7232F1B8E1");
/// assert!(cert.not_before() < cert.not_after());
/// # Ok::<(), wxpay_crypto::Error>(())
/// ```
#[derive(Clone)]
pub struct PlatformCertificate {
    serial: String,
    not_before: i64,
    not_after: i64,
    key: RsaVerifyingKey,
}

impl PlatformCertificate {
    /// Loads the first `BEGIN CERTIFICATE` block of `pem` (in a chain, the leaf); text and other
    /// blocks around it are ignored.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let block = pem_input::decode(pem, CERTIFICATE, &["CERTIFICATE"], Pick::First)?;
        Self::from_der(&block.der)
    }

    /// Loads a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        if der.is_empty() {
            return Err(Error::EmptyInput {
                expected: CERTIFICATE,
            });
        }
        let cert = x509_cert::Certificate::from_der(der).map_err(|e| {
            pem_input::der_error(der, CERTIFICATE, DerKind::Certificate, e.to_string())
        })?;
        let tbs = &cert.tbs_certificate;
        let serial = serial_hex(tbs.serial_number.as_bytes())?;
        let not_before = unix(tbs.validity.not_before.to_unix_duration());
        let not_after = unix(tbs.validity.not_after.to_unix_duration());
        let spki = &tbs.subject_public_key_info;
        let key = rsa_from_spki(
            CERTIFICATE,
            spki.algorithm.oid,
            spki.subject_public_key.raw_bytes(),
        )?;
        Ok(Self {
            serial,
            not_before,
            not_after,
            key,
        })
    }

    /// The serial number as upper-case hex without leading zeros, as WeChat Pay writes it in
    /// `Wechatpay-Serial` and `serial_no` (Java `BigInteger.toString(16)`, Go `%X`): a serial
    /// OpenSSL prints as `0A1B…` is `A1B…` here. [`crate::Verifier`] finds a certificate under
    /// either spelling.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// Start of validity, Unix seconds.
    pub fn not_before(&self) -> i64 {
        self.not_before
    }

    /// End of validity, Unix seconds.
    pub fn not_after(&self) -> i64 {
        self.not_after
    }

    /// Whether `now` (Unix seconds) lies within the validity window, both ends included.
    ///
    /// ```
    /// let cert = wxpay_crypto::PlatformCertificate::from_pem(
    ///     include_str!("../testdata/platform_cert.pem"))?;
    /// assert!(cert.is_valid_at(cert.not_before()) && cert.is_valid_at(cert.not_after()));
    /// assert!(!cert.is_valid_at(cert.not_after() + 1));
    /// # Ok::<(), wxpay_crypto::Error>(())
    /// ```
    pub fn is_valid_at(&self, now: i64) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    pub(crate) fn verifying_key(&self) -> &RsaVerifyingKey {
        &self.key
    }
}

impl fmt::Debug for PlatformCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlatformCertificate")
            .field("serial", &self.serial)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

fn unix(d: core::time::Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// The serial (DER two's-complement `INTEGER` content) as upper-case hex without leading
/// zeros. RFC 5280 §4.1.2.2 requires a positive serial; zero and negative ones have no form
/// WeChat Pay would send and are refused.
fn serial_hex(bytes: &[u8]) -> Result<String> {
    let not_positive = || Error::Malformed {
        expected: CERTIFICATE,
        reason: "the serial number is not a positive integer (RFC 5280 §4.1.2.2)".to_owned(),
    };
    if bytes.first().is_none_or(|b| b & 0x80 != 0) {
        return Err(not_positive());
    }
    let hex = upper_hex(bytes);
    let digits = normalize_serial(&hex);
    if digits == "0" {
        return Err(not_positive());
    }
    Ok(digits.to_owned())
}

/// A hex serial without leading zeros (`"0"` for all zeros), the form serials are compared in.
/// Case is left alone; callers compare case-insensitively.
pub(crate) fn normalize_serial(serial: &str) -> &str {
    let trimmed = serial.trim_start_matches('0');
    if trimmed.is_empty() && !serial.is_empty() {
        "0"
    } else {
        trimmed
    }
}

pub(crate) fn upper_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 0x0f)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const MERCHANT_PEM: &str = include_str!("../testdata/merchant_key.pem");

    #[test]
    fn bits_of_uint() {
        assert_eq!(uint_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(uint_bits(&[0x01]), 1);
        assert_eq!(uint_bits(&[]), 0);
    }

    #[test]
    fn serial_hex_strips_der_sign_byte_and_leading_zero_nibble() {
        assert_eq!(serial_hex(&[0x00, 0xab, 0x01]).unwrap(), "AB01");
        assert_eq!(serial_hex(&[0x0a, 0x01]).unwrap(), "A01");
        assert_eq!(serial_hex(&[0x01]).unwrap(), "1");
        for bad in [&[0x00][..], &[0xfb], &[0x80, 0x00], &[]] {
            assert!(
                matches!(serial_hex(bad), Err(Error::Malformed { .. })),
                "{bad:?}"
            );
        }
        assert_eq!(normalize_serial("000A"), "A");
        assert_eq!(normalize_serial("00"), "0");
        assert_eq!(normalize_serial(""), "");
    }

    fn pkcs1_of(pem: &str) -> Vec<u8> {
        pem::parse(pem).unwrap().into_contents()
    }

    fn wrap_pkcs8(pkcs1: &[u8], public_key: Option<&[u8]>) -> Vec<u8> {
        use der::Encode;
        pkcs8::PrivateKeyInfo {
            algorithm: spki::AlgorithmIdentifierRef {
                oid: RSA_ENCRYPTION,
                parameters: Some(der::asn1::AnyRef::NULL),
            },
            private_key: pkcs1,
            public_key,
        }
        .to_der()
        .unwrap()
    }

    /// A PKCS#8 wrapper whose inner PKCS#1 key is inconsistent (the modulus of another key with
    /// this key's primes and exponents) is refused by the backend, never used to sign.
    #[test]
    fn pkcs8_with_an_inconsistent_inner_key_is_rejected() {
        use der::Encode;
        let ours = pkcs1_of(include_str!("../testdata/merchant_key_pkcs1.pem"));
        let ours = pkcs1::RsaPrivateKey::try_from(ours.as_slice()).unwrap();
        let theirs = pem::parse(include_str!("../testdata/wechatpay_key.pem"))
            .unwrap()
            .into_contents();
        let theirs = pkcs8::PrivateKeyInfo::try_from(theirs.as_slice()).unwrap();
        let theirs = pkcs1::RsaPrivateKey::try_from(theirs.private_key).unwrap();
        let mixed = pkcs1::RsaPrivateKey {
            modulus: theirs.modulus,
            ..ours.clone()
        }
        .to_der()
        .unwrap();
        for der in [wrap_pkcs8(&mixed, None), mixed.clone()] {
            let e = MerchantPrivateKey::from_der(&der).unwrap_err();
            assert!(matches!(e, Error::KeyRejected { .. }), "{e:?}");
        }
        // A consistent inner key wrapped the same way loads: the wrapper itself is fine.
        assert!(MerchantPrivateKey::from_der(&wrap_pkcs8(&ours.to_der().unwrap(), None)).is_ok());
        // PKCS#8 v2 carrying a public key: refused by the backend whatever the public key.
        let e = MerchantPrivateKey::from_der(&wrap_pkcs8(&ours.to_der().unwrap(), Some(&[0])))
            .unwrap_err();
        assert!(matches!(e, Error::KeyRejected { .. }), "{e:?}");
        // An RSA OID over bytes that are not an RSA key at all.
        let e = MerchantPrivateKey::from_der(&wrap_pkcs8(&[0x30, 0x00], None)).unwrap_err();
        assert!(matches!(e, Error::Malformed { .. }), "{e:?}");
    }

    #[test]
    fn debug_is_redacted() {
        let k = MerchantPrivateKey::from_pem(MERCHANT_PEM).unwrap();
        let dbg = format!("{k:?}");
        assert!(dbg.contains("redacted"), "{dbg}");
        assert!(!dbg.contains("MII"));
    }
}
