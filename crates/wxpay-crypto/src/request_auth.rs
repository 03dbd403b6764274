//! The server side of request signing (spec §2): parsing an `Authorization` header and checking
//! its signature with the merchant's public key. Used by simulators and gateways; a merchant's
//! own service never needs it.

use crate::backend::MAX_SIGNATURE_LEN;
use crate::error::{Error, Result};
use crate::keys::MerchantPublicKey;
use crate::signer::{SCHEME, signing_string_raw};
use crate::verifier::{check_nonce, decode_signature, parse_timestamp};

/// The five fields of a `WECHATPAY2-SHA256-RSA2048` `Authorization` header, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthorizationFields<'a> {
    /// `mchid`.
    pub mchid: &'a str,
    /// `nonce_str`.
    pub nonce_str: &'a str,
    /// `signature` (base64).
    pub signature: &'a str,
    /// `timestamp` (decimal Unix seconds, as sent).
    pub timestamp: &'a str,
    /// `serial_no` — the merchant API certificate serial.
    pub serial_no: &'a str,
}

/// Parses `WECHATPAY2-SHA256-RSA2048 k="v",…` with the five fields in any order (spec §2.3:
/// "no order requirement"); white space after commas is tolerated. Unknown, duplicate, missing,
/// empty or unquoted fields are [`Error::MalformedAuthorization`].
///
/// ```
/// let f = wxpay_crypto::parse_authorization(
///     r#"WECHATPAY2-SHA256-RSA2048 serial_no="AB",timestamp="1",signature="c2ln",nonce_str="N",mchid="19""#,
/// )?;
/// assert_eq!((f.mchid, f.serial_no), ("19", "AB"));
/// # Ok::<(), wxpay_crypto::Error>(())
/// ```
pub fn parse_authorization(value: &str) -> Result<AuthorizationFields<'_>> {
    let bad = |reason| Error::MalformedAuthorization { reason };
    let rest = value
        .strip_prefix(SCHEME)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or(bad("it must start with `WECHATPAY2-SHA256-RSA2048 `"))?;
    let mut slots: [Option<&str>; 5] = [None; 5];
    for part in rest.split(',') {
        let (key, quoted) = part
            .trim()
            .split_once('=')
            .ok_or(bad("every field must be key=\"value\""))?;
        let v = quoted
            .strip_prefix('"')
            .and_then(|q| q.strip_suffix('"'))
            .ok_or(bad("every value must be double-quoted"))?;
        if v.is_empty() || v.contains('"') {
            return Err(bad("a value is empty or contains a quote"));
        }
        let i = match key.trim() {
            "mchid" => 0,
            "nonce_str" => 1,
            "signature" => 2,
            "timestamp" => 3,
            "serial_no" => 4,
            _ => return Err(bad("unknown field")),
        };
        if slots[i].replace(v).is_some() {
            return Err(bad("a field appears twice"));
        }
    }
    match slots {
        [
            Some(mchid),
            Some(nonce_str),
            Some(signature),
            Some(timestamp),
            Some(serial_no),
        ] => Ok(AuthorizationFields {
            mchid,
            nonce_str,
            signature,
            timestamp,
            serial_no,
        }),
        _ => Err(bad(
            "it needs all of mchid, nonce_str, signature, timestamp, serial_no",
        )),
    }
}

impl MerchantPublicKey {
    /// Checks a request signature: nonce visible ASCII, timestamp numeric and less than
    /// `tolerance` seconds from `now`, then RSA-SHA256 over
    /// `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n` with `url` the raw path and query as received,
    /// the timestamp and nonce exactly as in the header, and `body` the raw bytes.
    ///
    /// The caller checks `mchid` and `serial_no` against its merchant registry first.
    ///
    /// ```
    /// use wxpay_crypto::{MerchantPrivateKey, MerchantPublicKey, Signer, parse_authorization};
    /// let key = MerchantPrivateKey::from_pem(include_str!("../testdata/merchant_key.pem"))?;
    /// let signer = Signer::new("1900009191", "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", key)?;
    /// let auth = signer.sign("POST", "/v3/marketing/busifavor/coupons/use", b"{}", 1554208460, "N")?;
    ///
    /// // The server side: parse the header, look the merchant up, check the signature.
    /// let fields = parse_authorization(auth.header_value())?;
    /// let public = MerchantPublicKey::from_pem(include_str!("../testdata/merchant_pub.pem"))?;
    /// public.verify_request("POST", "/v3/marketing/busifavor/coupons/use", b"{}", &fields,
    ///                       1554208460, 300)?;
    /// assert!(public.verify_request("POST", "/v3/marketing/busifavor/coupons/use", b"{ }",
    ///                               &fields, 1554208460, 300).is_err());
    /// # Ok::<(), wxpay_crypto::Error>(())
    /// ```
    pub fn verify_request(
        &self,
        method: &str,
        url: &str,
        body: &[u8],
        auth: &AuthorizationFields<'_>,
        now: i64,
        tolerance: u64,
    ) -> Result<()> {
        check_nonce(auth.nonce_str)?;
        let ts = parse_timestamp(auth.timestamp)?;
        let skew = now.abs_diff(ts);
        if skew >= tolerance {
            return Err(Error::TimestampOutOfWindow {
                timestamp: ts,
                now,
                skew,
                tolerance,
            });
        }
        let mut sig = [0u8; MAX_SIGNATURE_LEN];
        let n = decode_signature(auth.signature, &mut sig)?;
        // Over the timestamp exactly as received: what was signed is what was sent.
        let message = signing_string_raw(method, url, auth.timestamp, auth.nonce_str, body);
        self.verifying_key()
            .verify(&message, sig.get(..n).unwrap_or_default())
    }
}
