//! APIv2 HMAC-SHA256 signing, spec §13: the `sign` of mini-program and H5 coupon issuing.

use core::fmt;

use zeroize::Zeroizing;

use crate::aead::key_bytes;
use crate::backend;
use crate::keys::upper_hex;

/// The 32-byte APIv2 key (API密钥) — a different key from the APIv3 key. Wiped on drop;
/// `Debug` prints a redaction.
///
/// ```
/// use wxpay_crypto::ApiV2Key;
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// let sign = key.sign([("stock_id0", "1234567"), ("out_request_no0", "abc123"),
///                      ("send_coupon_merchant", "10016226")]);
/// assert_eq!(sign.len(), 64);
/// assert!(key.verify([("out_request_no0", "abc123"), ("send_coupon_merchant", "10016226"),
///                     ("stock_id0", "1234567")], &sign));
/// # Ok::<(), wxpay_crypto::Error>(())
/// ```
pub struct ApiV2Key(Zeroizing<[u8; 32]>);

impl fmt::Debug for ApiV2Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiV2Key(<redacted>)")
    }
}

/// The name of the signature parameter, never itself signed.
pub const SIGN_PARAM: &str = "sign";

/// Builds `k1=v1&k2=v2…`: parameters sorted by name in ASCII (byte) order, empty values and
/// `sign` skipped. The APIv2 string to sign is this plus `&key=<APIv2 key>`.
///
/// As spec §13 says, names and values are used **as they are, not URL-encoded**: a value holding
/// `&` or `=` is indistinguishable from two parameters (`a` = `1&b=2` signs like `a` = `1`,
/// `b` = `2`). WeChat Pay's coupon parameters (ids, digits, letters) never hold them; keep such
/// characters out of values you sign. A name given twice is kept twice, the pairs ordered by
/// value, so the result never depends on the order the caller lists parameters in.
///
/// ```
/// let s = wxpay_crypto::apiv2_canonical_params([("b", "2"), ("a", "1"), ("c", ""), ("sign", "X")]);
/// assert_eq!(s, "a=1&b=2");
/// ```
pub fn apiv2_canonical_params<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(k, v)| !v.is_empty() && *k != SIGN_PARAM)
        .collect();
    // By name, then by value: a total order, so repeated names cannot make the result depend
    // on input order.
    pairs.sort_unstable_by(|a, b| {
        (a.0.as_bytes(), a.1.as_bytes()).cmp(&(b.0.as_bytes(), b.1.as_bytes()))
    });
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

impl ApiV2Key {
    /// Takes the key as text or bytes; it must be exactly 32 bytes.
    pub fn new(key: impl AsRef<[u8]>) -> crate::Result<Self> {
        key_bytes("APIv2", key.as_ref()).map(Self)
    }

    fn string_to_sign<'a>(
        &self,
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Zeroizing<Vec<u8>> {
        let canonical = apiv2_canonical_params(params);
        let mut s = Zeroizing::new(Vec::with_capacity(canonical.len() + 37));
        s.extend_from_slice(canonical.as_bytes());
        if !canonical.is_empty() {
            s.push(b'&');
        }
        s.extend_from_slice(b"key=");
        s.extend_from_slice(self.0.as_slice());
        s
    }

    /// HMAC-SHA256 over the canonical parameters plus `&key=<APIv2 key>`, upper-case hex.
    pub fn sign<'a>(&self, params: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
        let message = self.string_to_sign(params);
        upper_hex(&backend::hmac_sha256(self.0.as_slice(), &message))
    }

    /// Checks a `sign` (64 hex digits, either case) against the parameters.
    ///
    /// The tag comparison is the backend's constant-time `hmac::verify` (ring or aws-lc-rs). Decoding the hex looks only
    /// at the `sign` received, never at the expected tag, so its timing reveals nothing the
    /// sender does not already know.
    pub fn verify<'a>(
        &self,
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
        sign: &str,
    ) -> bool {
        let Some(tag) = decode_hex32(sign) else {
            return false;
        };
        let message = self.string_to_sign(params);
        backend::hmac_sha256_verify(self.0.as_slice(), &message, &tag)
    }
}

/// Decodes exactly 64 hex digits (either case) into 32 bytes.
fn decode_hex32(s: &str) -> Option<[u8; 32]> {
    let digits = s.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let [hi, lo] = pair else { return None };
        let hi = char::from(*hi).to_digit(16)?;
        let lo = char::from(*lo).to_digit(16)?;
        *byte = u8::try_from(hi << 4 | lo).ok()?;
    }
    Some(out)
}
