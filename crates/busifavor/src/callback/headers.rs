//! Reading a delivery's headers strictly: each `Wechatpay-*` header at most once (identical
//! repeats tolerated), `Content-Type: application/json`.

use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderName};
use wxpay_crypto::{SignatureHeaders, header};

// Parsed once: looking a header up by `HeaderName` skips re-validating the name.
static TIMESTAMP: HeaderName = HeaderName::from_static(header::TIMESTAMP);
static NONCE: HeaderName = HeaderName::from_static(header::NONCE);
static SIGNATURE: HeaderName = HeaderName::from_static(header::SIGNATURE);
static SERIAL: HeaderName = HeaderName::from_static(header::SERIAL);
static SIGNATURE_TYPE: HeaderName = HeaderName::from_static(header::SIGNATURE_TYPE);
static REQUEST_ID: HeaderName = HeaderName::from_static(header::REQUEST_ID);

use super::error::CallbackError;

/// The signed headers of one delivery, borrowed from the request.
pub(crate) struct DeliveryHeaders<'a> {
    pub(crate) signature: SignatureHeaders<'a>,
    pub(crate) request_id: Option<&'a str>,
}

/// The `Wechatpay-*` and `Request-ID` headers found in one pass over the map.
#[derive(Default)]
struct Found<'a> {
    values: [Option<&'a http::HeaderValue>; 6],
    counts: [usize; 6],
    differ: [bool; 6],
}

const NAMES: [(&HeaderName, &str); 6] = [
    (&TIMESTAMP, "Wechatpay-Timestamp"),
    (&NONCE, "Wechatpay-Nonce"),
    (&SIGNATURE, "Wechatpay-Signature"),
    (&SERIAL, "Wechatpay-Serial"),
    (&SIGNATURE_TYPE, "Wechatpay-Signature-Type"),
    (&REQUEST_ID, "Request-ID"),
];

/// One pass over every header: each of ours at most once, identical repeats tolerated,
/// differing ones refused.
fn scan(map: &HeaderMap) -> Result<Found<'_>, CallbackError> {
    let mut found = Found::default();
    for (name, value) in map {
        let Some(slot) = NAMES.iter().position(|(n, _)| *n == name) else {
            continue;
        };
        found.counts[slot] += 1;
        match found.values[slot] {
            None => found.values[slot] = Some(value),
            Some(first) => {
                found.differ[slot] |=
                    first.as_bytes().trim_ascii() != value.as_bytes().trim_ascii();
            }
        }
    }
    if let Some(slot) = (0..NAMES.len()).find(|&i| found.differ[i]) {
        return Err(CallbackError::DuplicateHeader {
            name: NAMES[slot].1,
            count: found.counts[slot],
        });
    }
    Ok(found)
}

/// A visible-ASCII header value, trimmed; anything else reads as empty (so verification
/// reports the header as missing).
fn text(value: Option<&http::HeaderValue>) -> &str {
    value
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or("")
}

pub(crate) fn read(map: &HeaderMap) -> Result<DeliveryHeaders<'_>, CallbackError> {
    let Found { values, .. } = scan(map)?;
    let [
        timestamp,
        nonce,
        signature,
        serial,
        signature_type,
        request_id,
    ] = values;
    // A declared signature type must name RSA: keep whatever text it has (even non-ASCII) so
    // the crypto rule can refuse it by name.
    let signature_type = signature_type
        .map(|v| {
            std::str::from_utf8(v.as_bytes())
                .unwrap_or("<not UTF-8>")
                .trim()
        })
        .filter(|t| !t.is_empty());
    Ok(DeliveryHeaders {
        signature: SignatureHeaders {
            timestamp: text(timestamp),
            nonce: text(nonce),
            signature: text(signature),
            serial: text(serial),
            signature_type,
        },
        request_id: Some(text(request_id)).filter(|r| !r.is_empty()),
    })
}

/// `Content-Type` must be `application/json`, parameters (`; charset=utf-8`) allowed.
pub(crate) fn check_content_type(map: &HeaderMap) -> Result<(), CallbackError> {
    let value = map.get(CONTENT_TYPE);
    let ok = value
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim())
        .is_some_and(|essence| essence.eq_ignore_ascii_case("application/json"));
    if ok {
        Ok(())
    } else {
        Err(CallbackError::UnsupportedContentType {
            found: value.map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn identical_repeats_pass_differing_ones_are_refused() {
        let mut map = HeaderMap::new();
        map.append("wechatpay-serial", HeaderValue::from_static("PUB_KEY_ID_1"));
        map.append(
            "Wechatpay-Serial",
            HeaderValue::from_static(" PUB_KEY_ID_1 "),
        );
        assert_eq!(read(&map).unwrap().signature.serial, "PUB_KEY_ID_1");
        map.append("WECHATPAY-SERIAL", HeaderValue::from_static("PUB_KEY_ID_2"));
        assert!(matches!(
            read(&map),
            Err(CallbackError::DuplicateHeader {
                name: "Wechatpay-Serial",
                count: 3
            })
        ));
    }

    #[test]
    fn signature_type_is_kept_even_when_not_ascii() {
        let mut map = HeaderMap::new();
        map.insert(
            "wechatpay-signature-type",
            HeaderValue::from_bytes("算法".as_bytes()).unwrap(),
        );
        assert_eq!(read(&map).unwrap().signature.signature_type, Some("算法"));
        map.insert("wechatpay-signature-type", HeaderValue::from_static(" "));
        assert_eq!(read(&map).unwrap().signature.signature_type, None);
    }

    #[test]
    fn content_types() {
        let mut map = HeaderMap::new();
        assert!(check_content_type(&map).is_err());
        for ok in ["application/json", "Application/JSON; charset=utf-8"] {
            map.insert(CONTENT_TYPE, HeaderValue::from_static(ok));
            assert!(check_content_type(&map).is_ok(), "{ok}");
        }
        for bad in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/jsonp",
        ] {
            map.insert(CONTENT_TYPE, HeaderValue::from_static(bad));
            assert!(check_content_type(&map).is_err(), "{bad}");
        }
    }
}
