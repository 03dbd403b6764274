//! Request signing (`Authorization: WECHATPAY2-SHA256-RSA2048 …`), spec §2.

use core::fmt;
use core::ops::Range;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::backend::MAX_SIGNING_BITS;
use crate::clock::{Clock, NonceSource, SystemClock, SystemNonce};
use crate::error::{Error, Result};
use crate::keys::MerchantPrivateKey;

/// The authorization scheme token.
pub const SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";

/// Builds the five-line signing string of spec §2.1:
/// `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n` (each line ends in `\n`, the last one too).
///
/// `url` is the path and query exactly as sent on the wire; `body` the exact bytes sent
/// (empty for GET and DELETE).
///
/// ```
/// let s = wxpay_crypto::signing_string("GET", "/v3/certificates", 1554208460, "N", b"");
/// assert_eq!(s, b"GET\n/v3/certificates\n1554208460\nN\n\n");
/// ```
pub fn signing_string(
    method: &str,
    url: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut ts = itoa_buf(timestamp);
    signing_string_raw(method, url, ts.as_str(), nonce, body)
}

/// [`signing_string`] with the timestamp as text, exactly as it appears in a header.
pub(crate) fn signing_string_raw(
    method: &str,
    url: &str,
    timestamp: &str,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut s = Vec::with_capacity(
        method.len() + url.len() + timestamp.len() + nonce.len() + body.len() + 5,
    );
    for part in [
        method.as_bytes(),
        url.as_bytes(),
        timestamp.as_bytes(),
        nonce.as_bytes(),
        body,
    ] {
        s.extend_from_slice(part);
        s.push(b'\n');
    }
    s
}

/// A tiny stack formatter for an `i64`, to avoid a heap allocation per signature.
pub(crate) struct TsBuf {
    buf: [u8; 20],
    start: usize,
}

impl TsBuf {
    pub(crate) fn as_str(&mut self) -> &str {
        // Only ASCII digits and '-' are ever written.
        core::str::from_utf8(&self.buf[self.start..]).unwrap_or("0")
    }
}

pub(crate) fn itoa_buf(v: i64) -> TsBuf {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let neg = v < 0;
    let mut n = v.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if neg {
        i -= 1;
        buf[i] = b'-';
    }
    TsBuf { buf, start: i }
}

/// The largest timestamp [`Signer::sign`] takes: ten digits of seconds (year 2286). Larger
/// values are almost always milliseconds, a mistake spec §2.4 warns about.
const MAX_TIMESTAMP: i64 = 9_999_999_999;

/// A signed request: what goes into the `Authorization` header.
///
/// One string, the header value; the nonce and the signature are read out of it (one
/// allocation per signed request instead of three).
#[derive(Clone, PartialEq, Eq)]
pub struct Authorization {
    timestamp: i64,
    header: String,
    nonce: Range<usize>,
    signature: Range<usize>,
}

impl Authorization {
    /// The full `Authorization` header value, fields in the official example's order
    /// (`mchid, nonce_str, signature, timestamp, serial_no`).
    pub fn header_value(&self) -> &str {
        &self.header
    }

    /// The base64 signature.
    pub fn signature(&self) -> &str {
        self.header.get(self.signature.clone()).unwrap_or_default()
    }

    /// The timestamp signed (Unix seconds).
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// The nonce signed.
    pub fn nonce(&self) -> &str {
        self.header.get(self.nonce.clone()).unwrap_or_default()
    }
}

impl fmt::Debug for Authorization {
    // The header is a bearer credential for five minutes: never print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorization")
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce())
            .field("signature", &"<redacted>")
            .finish()
    }
}

/// Signs requests for one merchant: mchid, merchant API certificate serial and private key.
///
/// [`Signer::sign`] is a pure function of its inputs (PKCS#1 v1.5 is deterministic);
/// [`Signer::authorize`] draws the timestamp and nonce itself.
///
/// ```
/// use wxpay_crypto::{MerchantPrivateKey, Signer};
/// let key = MerchantPrivateKey::from_pem(include_str!("../testdata/merchant_key.pem"))?;
/// let signer = Signer::new("1900009191", "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", key)?;
/// let auth = signer.sign("GET", "/v3/marketing/busifavor/stocks/98065001", b"", 1554208460,
///                        "593BEC0C930BF1AFEB40B4A08C8FB242")?;
/// assert!(auth.header_value().starts_with(r#"WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature=""#));
/// # Ok::<(), wxpay_crypto::Error>(())
/// ```
pub struct Signer {
    mchid: String,
    serial_no: String,
    key: MerchantPrivateKey,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("mchid", &self.mchid)
            .field("serial_no", &self.serial_no)
            .field("key", &self.key)
            .finish()
    }
}

fn header_safe(field: &'static str, v: &str) -> Result<()> {
    if v.is_empty() {
        return Err(Error::InvalidSigningInput {
            field,
            problem: "is empty",
        });
    }
    if !v
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b',')
    {
        return Err(Error::InvalidSigningInput {
            field,
            problem: "must be printable ASCII without spaces, quotes or commas",
        });
    }
    Ok(())
}

impl Signer {
    /// Creates a signer. `serial_no` is the merchant API certificate serial (hex) as shown on
    /// the merchant platform.
    pub fn new(
        mchid: impl Into<String>,
        serial_no: impl Into<String>,
        key: MerchantPrivateKey,
    ) -> Result<Self> {
        let mchid = mchid.into();
        let serial_no = serial_no.into();
        header_safe("mchid", &mchid)?;
        header_safe("serial_no", &serial_no)?;
        Ok(Self {
            mchid,
            serial_no,
            key,
        })
    }

    /// The merchant id.
    pub fn mchid(&self) -> &str {
        &self.mchid
    }

    /// The merchant API certificate serial.
    pub fn serial_no(&self) -> &str {
        &self.serial_no
    }

    /// Signs arbitrary bytes with the merchant key: base64 RSASSA-PKCS1-v1_5 / SHA-256.
    ///
    /// For the request signature use [`Signer::sign`]; this is for other merchant-signed
    /// strings (e.g. front-end payment parameters), and for tests and simulators that play
    /// WeChat Pay and sign a [`crate::verification_string`].
    ///
    /// ```
    /// use wxpay_crypto::{MerchantPrivateKey, Signer};
    /// let key = MerchantPrivateKey::from_pem(include_str!("../testdata/merchant_key.pem"))?;
    /// let signer = Signer::new("1900009191", "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", key)?;
    /// let sig = signer.sign_bytes(b"any bytes")?;
    /// assert_eq!(sig.len(), 344); // base64 of a 256-byte RSA-2048 signature
    /// assert_eq!(sig, signer.sign_bytes(b"any bytes")?); // PKCS#1 v1.5 is deterministic
    /// # Ok::<(), wxpay_crypto::Error>(())
    /// ```
    pub fn sign_bytes(&self, message: &[u8]) -> Result<String> {
        let mut out = String::with_capacity(self.key.signing_key().signature_len().div_ceil(3) * 4);
        self.sign_into(message, &mut out)?;
        Ok(out)
    }

    /// Signs `message` and appends the base64 signature to `out`.
    fn sign_into(&self, message: &[u8], out: &mut String) -> Result<()> {
        let key = self.key.signing_key();
        // Keys over MAX_SIGNING_BITS are refused at load, so the signature always fits.
        let mut sig = [0u8; MAX_SIGNING_BITS / 8];
        let sig = sig
            .get_mut(..key.signature_len())
            .ok_or(Error::SigningFailed)?;
        key.sign(message, sig)?;
        STANDARD.encode_string(sig, out);
        Ok(())
    }

    /// Signs one request with a given timestamp and nonce (pure and deterministic).
    ///
    /// `method` is upper case; `url` is the path plus `?query` exactly as sent (already
    /// percent-encoded); `body` the exact bytes sent (empty for GET); `timestamp` Unix seconds
    /// (0 to 9999999999: milliseconds are refused); `nonce` printable ASCII without spaces,
    /// quotes or commas. Anything else is [`Error::InvalidSigningInput`].
    pub fn sign(
        &self,
        method: &str,
        url: &str,
        body: &[u8],
        timestamp: i64,
        nonce: &str,
    ) -> Result<Authorization> {
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Error::InvalidSigningInput {
                field: "method",
                problem: "must be an upper-case HTTP method such as GET or POST",
            });
        }
        if !url.starts_with('/')
            || url
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err(Error::InvalidSigningInput {
                field: "url",
                problem: "must be the path and query as sent, starting with `/`, without scheme, host or white space",
            });
        }
        header_safe("nonce", nonce)?;
        if !(0..=MAX_TIMESTAMP).contains(&timestamp) {
            return Err(Error::InvalidSigningInput {
                field: "timestamp",
                problem: "must be Unix time in seconds (0 to 9999999999), not milliseconds",
            });
        }
        let message = signing_string(method, url, timestamp, nonce, body);
        let mut ts = itoa_buf(timestamp);
        let ts = ts.as_str();
        let signature_len = self.key.signing_key().signature_len().div_ceil(3) * 4;
        let mut header = String::with_capacity(
            SCHEME.len()
                + self.mchid.len()
                + nonce.len()
                + signature_len
                + ts.len()
                + self.serial_no.len()
                + 64,
        );
        for part in [SCHEME, " mchid=\"", &self.mchid, "\",nonce_str=\""] {
            header.push_str(part);
        }
        let nonce_at = header.len()..header.len() + nonce.len();
        header.push_str(nonce);
        header.push_str("\",signature=\"");
        let signature_start = header.len();
        self.sign_into(&message, &mut header)?;
        let signature = signature_start..header.len();
        for part in [
            "\",timestamp=\"",
            ts,
            "\",serial_no=\"",
            &self.serial_no,
            "\"",
        ] {
            header.push_str(part);
        }
        Ok(Authorization {
            timestamp,
            header,
            nonce: nonce_at,
            signature,
        })
    }

    /// Signs with the system clock and a fresh 32-character CSPRNG nonce.
    ///
    /// ```
    /// use wxpay_crypto::{MerchantPrivateKey, Signer};
    /// let key = MerchantPrivateKey::from_pem(include_str!("../testdata/merchant_key.pem"))?;
    /// let signer = Signer::new("1900009191", "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", key)?;
    /// let a = signer.authorize("GET", "/v3/certificates", b"")?;
    /// let b = signer.authorize("GET", "/v3/certificates", b"")?;
    /// assert_eq!(a.nonce().len(), 32);
    /// assert_ne!(a.nonce(), b.nonce());
    /// # Ok::<(), wxpay_crypto::Error>(())
    /// ```
    pub fn authorize(&self, method: &str, url: &str, body: &[u8]) -> Result<Authorization> {
        self.authorize_with(method, url, body, &SystemClock, &SystemNonce)
    }

    /// Signs with the given clock and nonce source (for tests and simulators).
    ///
    /// ```
    /// use wxpay_crypto::{FixedClock, MerchantPrivateKey, NonceSource, Signer};
    /// struct Fixed;
    /// impl NonceSource for Fixed {
    ///     fn nonce(&self) -> wxpay_crypto::Result<String> {
    ///         Ok("593BEC0C930BF1AFEB40B4A08C8FB242".to_owned())
    ///     }
    /// }
    /// let key = MerchantPrivateKey::from_pem(include_str!("../testdata/merchant_key.pem"))?;
    /// let signer = Signer::new("1900009191", "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", key)?;
    /// let auth = signer.authorize_with("GET", "/v3/certificates", b"", &FixedClock(1554208460), &Fixed)?;
    /// assert_eq!(auth.timestamp(), 1554208460);
    /// assert_eq!(
    ///     auth,
    ///     signer.sign("GET", "/v3/certificates", b"", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242")?
    /// );
    /// # Ok::<(), wxpay_crypto::Error>(())
    /// ```
    pub fn authorize_with(
        &self,
        method: &str,
        url: &str,
        body: &[u8],
        clock: &dyn Clock,
        nonces: &dyn NonceSource,
    ) -> Result<Authorization> {
        let nonce = nonces.nonce()?;
        self.sign(method, url, body, clock.now_unix(), &nonce)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn itoa() {
        for v in [0i64, 7, -7, 1554208460, i64::MAX, i64::MIN] {
            assert_eq!(itoa_buf(v).as_str(), v.to_string());
        }
    }

    /// The nonce and signature are read out of the one header string: they must be exactly the
    /// signed nonce and the signature `sign_bytes` makes over the same signing string.
    #[test]
    fn authorization_parts_are_slices_of_the_header() {
        let key = crate::MerchantPrivateKey::from_pem(include_str!("../testdata/merchant_key.pem"))
            .unwrap();
        let signer = Signer::new("1900009191", "SERIAL1", key).unwrap();
        let a = signer
            .sign("POST", "/v3/x", b"{}", 1554208460, "N0NCE")
            .unwrap();
        assert_eq!(a.nonce(), "N0NCE");
        let expected = signer
            .sign_bytes(&signing_string("POST", "/v3/x", 1554208460, "N0NCE", b"{}"))
            .unwrap();
        assert_eq!(a.signature(), expected);
        assert_eq!(
            a.header_value(),
            format!(
                "{SCHEME} mchid=\"1900009191\",nonce_str=\"N0NCE\",signature=\"{expected}\",timestamp=\"1554208460\",serial_no=\"SERIAL1\""
            )
        );
        assert!(!format!("{a:?}").contains(&expected));
    }

    #[test]
    fn signing_string_shapes() {
        assert_eq!(
            signing_string("POST", "/a?b=1", 1, "n", b"{}\n"),
            b"POST\n/a?b=1\n1\nn\n{}\n\n"
        );
    }
}
