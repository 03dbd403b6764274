//! A `Wechatpay-*` header sent twice with different values is refused: which copy was signed
//! cannot be known, and a proxy in front of the service may have read the other one.

use wxpay_crypto::{Error, SignatureHeaders};

fn pairs<'a>(list: &'a [(&'a str, &'a str)]) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
    list.iter().map(|(k, v)| (*k, *v))
}

const GOOD: &[(&str, &str)] = &[
    ("Wechatpay-Timestamp", "1798761600"),
    ("Wechatpay-Nonce", "c5ac7061fccab6bf3e254dcf98995b8c"),
    ("Wechatpay-Signature", "c2ln"),
    (
        "Wechatpay-Serial",
        "PUB_KEY_ID_0000000000000000000000000000000001",
    ),
];

#[test]
fn each_repeated_header_with_another_value_is_named() {
    for (name, other, expected) in [
        ("wechatpay-timestamp", "1798761000", "Wechatpay-Timestamp"),
        ("WECHATPAY-NONCE", "other", "Wechatpay-Nonce"),
        ("Wechatpay-Signature", "b3RoZXI=", "Wechatpay-Signature"),
        (
            "wechatpay-serial",
            "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
            "Wechatpay-Serial",
        ),
        (
            "Wechatpay-Signature-Type",
            "WECHATPAY2-SM2-WITH-SM3",
            "Wechatpay-Signature-Type",
        ),
    ] {
        let mut list = GOOD.to_vec();
        if name.eq_ignore_ascii_case("wechatpay-signature-type") {
            list.push(("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048"));
        }
        list.push((name, other));
        assert_eq!(
            SignatureHeaders::try_from_pairs(pairs(&list)),
            Err(Error::DuplicateHeader { header: expected }),
            "{name}"
        );
    }
}

#[test]
fn repeats_with_the_same_value_and_empty_copies_are_accepted() {
    let mut list = GOOD.to_vec();
    list.push(("wechatpay-nonce", " c5ac7061fccab6bf3e254dcf98995b8c "));
    list.push(("Wechatpay-Serial", ""));
    let h = SignatureHeaders::try_from_pairs(pairs(&list)).expect("same values");
    assert_eq!(h, SignatureHeaders::from_pairs(pairs(GOOD)));
}

#[test]
fn the_message_names_the_header_and_not_its_values() {
    let mut list = GOOD.to_vec();
    list.push(("Wechatpay-Timestamp", "\u{1b}[31mINJECTED"));
    let err = SignatureHeaders::try_from_pairs(pairs(&list)).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("Wechatpay-Timestamp"), "{text}");
    assert!(!text.contains("INJECTED"), "{text}");
}

#[cfg(feature = "http")]
#[test]
fn header_maps_are_checked_the_same_way() {
    let mut map = http::HeaderMap::new();
    for (k, v) in GOOD {
        map.append(*k, http::HeaderValue::from_static(v));
    }
    assert!(SignatureHeaders::try_from_header_map(&map).is_ok());
    map.append(
        "wechatpay-signature",
        http::HeaderValue::from_static("b3RoZXI="),
    );
    assert_eq!(
        SignatureHeaders::try_from_header_map(&map),
        Err(Error::DuplicateHeader {
            header: "Wechatpay-Signature"
        })
    );
    // A repeated value that is not UTF-8 counts as a different value.
    let mut map = http::HeaderMap::new();
    for (k, v) in GOOD {
        map.append(*k, http::HeaderValue::from_static(v));
    }
    map.append(
        "wechatpay-serial",
        http::HeaderValue::from_bytes(b"\xff\xfe").expect("opaque value"),
    );
    assert_eq!(
        SignatureHeaders::try_from_header_map(&map),
        Err(Error::DuplicateHeader {
            header: "Wechatpay-Serial"
        })
    );
}
