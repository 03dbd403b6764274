//! Repeated `Wechatpay-*` headers: the same value twice is harmless (some proxies copy headers),
//! two different values are refused. Which copy WeChat Pay signed cannot be known, and a
//! component in front of the service (a gateway logging the timestamp, a WAF checking the
//! serial) may have read the other one.

use crate::error::{Error, Result};
use crate::verifier::SignatureHeaders;

/// The headers checked, lower case, with the spelling used in errors.
const CHECKED: &[(&str, &str)] = &[
    ("wechatpay-timestamp", "Wechatpay-Timestamp"),
    ("wechatpay-nonce", "Wechatpay-Nonce"),
    ("wechatpay-signature", "Wechatpay-Signature"),
    ("wechatpay-serial", "Wechatpay-Serial"),
    ("wechatpay-signature-type", "Wechatpay-Signature-Type"),
];

/// The first header of `CHECKED` that carries two different non-empty values (white space
/// around them ignored; `None` stands for a value that is not text).
fn first_conflict<'a>(
    pairs: impl Iterator<Item = (&'a str, Option<&'a str>)>,
) -> Option<&'static str> {
    let mut seen: [Option<Option<&str>>; CHECKED.len()] = [None; CHECKED.len()];
    let mut conflict: Option<usize> = None;
    for (name, value) in pairs {
        let Some(i) = CHECKED
            .iter()
            .position(|(lower, _)| name.eq_ignore_ascii_case(lower))
        else {
            continue;
        };
        let value = value.map(str::trim);
        if value == Some("") {
            continue;
        }
        match seen[i] {
            None => seen[i] = Some(value),
            Some(first) if first == value && value.is_some() => {}
            Some(_) => conflict = Some(conflict.map_or(i, |c| c.min(i))),
        }
    }
    conflict.map(|i| CHECKED[i].1)
}

impl<'a> SignatureHeaders<'a> {
    /// [`SignatureHeaders::from_pairs`], refusing a `Wechatpay-*` header repeated with a
    /// different value ([`Error::DuplicateHeader`], naming the header, never the values).
    /// Repeats of the same value and empty copies are accepted. Use this on callbacks, where
    /// every header comes from whoever sent the request.
    ///
    /// ```
    /// use wxpay_crypto::{Error, SignatureHeaders};
    /// let received = [
    ///     ("Wechatpay-Timestamp", "1722850421"),
    ///     ("wechatpay-timestamp", "1722850999"),
    /// ];
    /// let err = SignatureHeaders::try_from_pairs(received.iter().map(|(k, v)| (*k, *v)));
    /// assert_eq!(err, Err(Error::DuplicateHeader { header: "Wechatpay-Timestamp" }));
    /// ```
    pub fn try_from_pairs<I, K, V>(headers: I) -> Result<Self>
    where
        I: IntoIterator<Item = (&'a K, &'a V)>,
        K: AsRef<str> + ?Sized + 'a,
        V: AsRef<str> + ?Sized + 'a,
    {
        let pairs: Vec<(&'a str, &'a str)> = headers
            .into_iter()
            .map(|(k, v)| (k.as_ref(), v.as_ref()))
            .collect();
        if let Some(header) = first_conflict(pairs.iter().map(|(k, v)| (*k, Some(*v)))) {
            return Err(Error::DuplicateHeader { header });
        }
        Ok(Self::from_pairs(pairs))
    }

    /// [`SignatureHeaders::from_header_map`], refusing a `Wechatpay-*` header repeated with a
    /// different value (a value that is not UTF-8 counts as different).
    #[cfg(feature = "http")]
    pub fn try_from_header_map(map: &'a http::HeaderMap) -> Result<Self> {
        let pairs = CHECKED.iter().flat_map(|(name, _)| {
            map.get_all(*name)
                .iter()
                .map(move |v| (*name, std::str::from_utf8(v.as_bytes()).ok()))
        });
        if let Some(header) = first_conflict(pairs) {
            return Err(Error::DuplicateHeader { header });
        }
        Ok(Self::from_header_map(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_are_found_in_table_order() {
        let pairs = [
            ("wechatpay-serial", Some("a")),
            ("Wechatpay-Serial", Some("b")),
            ("wechatpay-nonce", Some("x")),
            ("wechatpay-nonce", Some("y")),
        ];
        assert_eq!(first_conflict(pairs.into_iter()), Some("Wechatpay-Nonce"));
        let same = [
            ("wechatpay-nonce", Some("x")),
            ("wechatpay-nonce", Some(" x")),
        ];
        assert_eq!(first_conflict(same.into_iter()), None);
        let opaque = [("wechatpay-nonce", None), ("wechatpay-nonce", None)];
        assert_eq!(first_conflict(opaque.into_iter()), Some("Wechatpay-Nonce"));
        let other = [("x-other", Some("1")), ("x-other", Some("2"))];
        assert_eq!(first_conflict(other.into_iter()), None);
    }
}
