//! Regression tests from the security review: each test here failed before its fix.
//!
//! Key material is in `testdata/` (see its README); the odd certificates and the large keys were
//! generated with OpenSSL by `testdata/regen.sh`.

use wxpay_crypto::{
    Error, MerchantPrivateKey, MerchantPublicKey, PlatformCertificate, SignatureHeaders, Signer,
    Verifier, WechatPayPublicKey, parse_authorization, verification_string,
};

const WECHAT_KEY: &str = include_str!("../testdata/wechatpay_key.pem");
const WECHAT_PUB: &str = include_str!("../testdata/wechatpay_pub.pem");
const MERCHANT_KEY: &str = include_str!("../testdata/merchant_key.pem");
const PUB_ID: &str = "PUB_KEY_ID_00000000000000000000000000000042";

fn wechat_signer() -> Signer {
    Signer::new(
        "wechat",
        "x",
        MerchantPrivateKey::from_pem(WECHAT_KEY).unwrap(),
    )
    .unwrap()
}

fn public_key_verifier() -> Verifier {
    Verifier::new().with_public_key(PUB_ID, WechatPayPublicKey::from_pem(WECHAT_PUB).unwrap())
}

// ----- certificate serials ---------------------------------------------------------------

/// WeChat Pay (Java `BigInteger.toString(16)`, Go `%X`) writes serials without leading zeros;
/// OpenSSL writes `0A1B…`. A certificate whose serial starts with a zero nibble must be found
/// under either spelling, and `serial()` must match what WeChat Pay sends.
#[test]
fn serial_with_a_leading_zero_nibble_is_written_as_wechat_pay_does() {
    let cert =
        PlatformCertificate::from_pem(include_str!("../testdata/cert_serial_zero_nibble.pem"))
            .unwrap();
    assert_eq!(cert.serial(), "A1B2C3D4E5F60718293A4B5C6D7E8F901234567");
    let now = cert.not_before() + 60;
    let ts = now.to_string();
    let sig = wechat_signer()
        .sign_bytes(&verification_string(&ts, "n", b"{}"))
        .unwrap();
    let v = Verifier::new().with_certificate(cert);
    for serial in [
        "A1B2C3D4E5F60718293A4B5C6D7E8F901234567",
        "0A1B2C3D4E5F60718293A4B5C6D7E8F901234567",
        "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
    ] {
        let h = SignatureHeaders {
            timestamp: &ts,
            nonce: "n",
            signature: &sig,
            serial,
            signature_type: None,
        };
        assert_eq!(v.verify(&h, b"{}", now), Ok(()), "{serial}");
        assert!(v.contains(serial), "{serial}");
    }
    assert_eq!(v.serials(), ["A1B2C3D4E5F60718293A4B5C6D7E8F901234567"]);
    let mut v = v;
    assert!(v.remove("0A1B2C3D4E5F60718293A4B5C6D7E8F901234567"));
    assert!(v.is_empty());
}

/// RFC 5280 §4.1.2.2: the serial is a positive integer. A negative one has no upper-hex form
/// WeChat Pay could send (the old code printed its two's complement, `FB` for -5).
#[test]
fn non_positive_serials_are_rejected() {
    for pem in [
        include_str!("../testdata/cert_serial_negative.pem"),
        include_str!("../testdata/cert_serial_zero.pem"),
    ] {
        let e = PlatformCertificate::from_pem(pem).unwrap_err();
        assert!(
            matches!(&e, Error::Malformed { expected: "platform certificate", reason } if reason.contains("positive")),
            "{e:?}"
        );
    }
}

/// GeneralizedTime validity far in the future (year 9999) loads and is honoured.
#[test]
fn generalized_time_in_year_9999() {
    let cert =
        PlatformCertificate::from_pem(include_str!("../testdata/cert_until_9999.pem")).unwrap();
    assert_eq!(cert.serial(), "7FEE");
    // Some time on 9999-12-30 or 9999-12-31 (UTC), depending on when the file was generated.
    const DEC_30_9999: i64 = 253_402_128_000;
    const JAN_1_10000: i64 = 253_402_300_800;
    assert!((DEC_30_9999..JAN_1_10000).contains(&cert.not_after()));
    assert!(cert.not_before() < cert.not_after());
    assert!(cert.is_valid_at(DEC_30_9999 - 1));
    assert!(!cert.is_valid_at(JAN_1_10000));
}

// ----- verification string framing -------------------------------------------------------

/// The verification string is `TS\nNONCE\nBODY\n`; a nonce holding `\n` would let a signature
/// over (nonce `abc`, body `x\ny`) verify for (nonce `abc\nx`, body `y`) — a different body.
#[test]
fn a_nonce_with_a_line_break_cannot_move_the_body_boundary() {
    let sig = wechat_signer().sign_bytes(b"1\nabc\nx\ny\n").unwrap();
    let v = public_key_verifier();
    let genuine = SignatureHeaders {
        timestamp: "1",
        nonce: "abc",
        signature: &sig,
        serial: PUB_ID,
        signature_type: None,
    };
    assert_eq!(v.verify(&genuine, b"x\ny", 1), Ok(()));
    for nonce in ["abc\nx", "abc\rx", "abc\0x", "abc x", "abc\u{e9}x"] {
        let shifted = SignatureHeaders { nonce, ..genuine };
        assert!(
            matches!(
                v.verify(&shifted, b"y", 1),
                Err(Error::MalformedNonce { .. })
            ),
            "{nonce:?}"
        );
    }
}

/// The same framing attack on the request side, through `verify_request`.
#[test]
fn request_nonce_with_a_line_break_is_rejected() {
    let signer = wechat_signer();
    let sig = signer.sign_bytes(b"GET\n/v3/x\n1\nabc\nx\ny\n").unwrap();
    let header = format!(
        "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"abc\nx\",signature=\"{sig}\",timestamp=\"1\",serial_no=\"A\""
    );
    let fields = parse_authorization(&header).unwrap();
    let key = MerchantPublicKey::from_pem(WECHAT_PUB).unwrap();
    assert!(matches!(
        key.verify_request("GET", "/v3/x", b"y", &fields, 1, 300),
        Err(Error::MalformedNonce { .. })
    ));
}

/// `verify_request` checks the signature over the timestamp exactly as received, like
/// `Verifier::verify`: a zero-padded header value is not silently re-formatted.
#[test]
fn request_timestamp_is_verified_as_received() {
    let signer = Signer::new(
        "19",
        "A",
        MerchantPrivateKey::from_pem(MERCHANT_KEY).unwrap(),
    )
    .unwrap();
    let key = MerchantPublicKey::from_pem(include_str!("../testdata/merchant_pub.pem")).unwrap();
    // Signed over "1000", sent as "01000": the signed bytes and the header differ.
    let auth = signer.sign("GET", "/v3/x", b"", 1000, "N").unwrap();
    let fields = parse_authorization(auth.header_value()).unwrap();
    let padded = wxpay_crypto::AuthorizationFields {
        timestamp: "01000",
        ..fields
    };
    assert_eq!(
        key.verify_request("GET", "/v3/x", b"", &padded, 1000, 300),
        Err(Error::SignatureMismatch)
    );
    // Signed over "01000" and sent as "01000": what was signed is what was sent.
    let sig = signer.sign_bytes(b"GET\n/v3/x\n01000\nN\n\n").unwrap();
    let sent = wxpay_crypto::AuthorizationFields {
        signature: &sig,
        ..padded
    };
    assert_eq!(
        key.verify_request("GET", "/v3/x", b"", &sent, 1000, 300),
        Ok(())
    );
}

// ----- key sizes and signature lengths ---------------------------------------------------

/// RSA-4096 (generated by OpenSSL) signs and verifies: 512-byte signatures.
#[test]
fn rsa_4096_signs_and_verifies() {
    let key = MerchantPrivateKey::from_pem(include_str!("../testdata/rsa4096_key.pem")).unwrap();
    assert_eq!(key.bits(), 4096);
    let signer = Signer::new("1", "S", key).unwrap();
    let msg = verification_string("1722850421", "n", b"{}");
    let sig = signer.sign_bytes(&msg).unwrap();
    assert_eq!(sig.len(), 684); // base64 of 512 bytes
    let v = Verifier::new().with_public_key(
        PUB_ID,
        WechatPayPublicKey::from_pem(include_str!("../testdata/rsa4096_pub.pem")).unwrap(),
    );
    let h = SignatureHeaders {
        timestamp: "1722850421",
        nonce: "n",
        signature: &sig,
        serial: PUB_ID,
        signature_type: None,
    };
    assert_eq!(v.verify(&h, b"{}", 1722850421), Ok(()));
    assert_eq!(
        v.verify(&h, b"{ }", 1722850421),
        Err(Error::SignatureMismatch)
    );
}

/// RSA-8192, the largest key the backend verifies with: its 1024-byte signature (made by
/// `openssl dgst -sha256 -sign`) fills the whole fixed buffer and verifies.
#[test]
fn rsa_8192_signature_of_1024_bytes_verifies() {
    let v = Verifier::new().with_public_key(
        PUB_ID,
        WechatPayPublicKey::from_pem(include_str!("../testdata/rsa8192_pub.pem")).unwrap(),
    );
    let sig = include_str!("../testdata/rsa8192_sig.b64").trim();
    assert_eq!(sig.len(), 1368);
    let h = SignatureHeaders {
        timestamp: "1722850421",
        nonce: "d824f2e086d3c1df967785d13fcd22ef",
        signature: sig,
        serial: PUB_ID,
        signature_type: None,
    };
    assert_eq!(v.verify(&h, br#"{"rsa":8192}"#, 1722850421), Ok(()));
    assert_eq!(
        v.verify(&h, br#"{"rsa":8193}"#, 1722850421),
        Err(Error::SignatureMismatch)
    );
}

/// A public key the backend cannot verify with (over 8192 bits) is refused when loaded, not
/// accepted and then failing every verification as a "mismatch".
#[test]
fn public_keys_over_8192_bits_are_refused_at_load() {
    let pem = include_str!("../testdata/rsa8200_pub.pem");
    assert_eq!(
        WechatPayPublicKey::from_pem(pem).unwrap_err(),
        Error::KeyTooLarge {
            bits: 8200,
            max: 8192
        }
    );
    assert!(matches!(
        MerchantPublicKey::from_pem(pem),
        Err(Error::KeyTooLarge { bits: 8200, .. })
    ));
}

/// A private key the backend cannot sign with (over 4096 bits) gets a size error that says so.
#[test]
fn private_keys_over_4096_bits_are_refused_with_the_limit() {
    let e = MerchantPrivateKey::from_pem(include_str!("../testdata/rsa8192_key.pem")).unwrap_err();
    assert_eq!(
        e,
        Error::KeyTooLarge {
            bits: 8192,
            max: 4096
        }
    );
    assert!(e.to_string().contains("4096"), "{e}");
}

/// A signature longer than any supported key's (> 1024 bytes) that is valid base64 is a
/// mismatch, not "not base64"; one that is also not base64 is still "not base64".
#[test]
fn over_long_signatures_are_mismatches_and_never_panic() {
    let v = public_key_verifier();
    fn h(signature: &str) -> SignatureHeaders<'_> {
        SignatureHeaders {
            timestamp: "1",
            nonce: "n",
            signature,
            serial: PUB_ID,
            signature_type: None,
        }
    }
    for bytes in [1025, 1026, 1027, 4096] {
        let long = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(vec![0x5a; bytes])
        };
        assert_eq!(
            v.verify(&h(&long), b"", 1),
            Err(Error::SignatureMismatch),
            "{bytes}"
        );
        let garbled = format!("{}!", &long[..long.len() - 1]);
        assert_eq!(
            v.verify(&h(&garbled), b"", 1),
            Err(Error::SignatureNotBase64),
            "{bytes}"
        );
    }
}

// ----- PEM and DER input ----------------------------------------------------------------

const CERT: &str = include_str!("../testdata/platform_cert.pem");
const ENCRYPTED_KEY: &str = include_str!("../testdata/encrypted_pkcs8.pem");

/// Text around the blocks (OpenSSL's `Bag Attributes`, `subject=` lines, a trailing comment)
/// is ignored, as OpenSSL does; a combined file with a certificate before the key loads the key.
#[test]
fn text_outside_blocks_and_combined_files() {
    let key = MerchantPrivateKey::from_pem(&format!("Bag Attributes\n{MERCHANT_KEY}# trailing\n"));
    assert!(key.is_ok(), "{key:?}");
    let key = MerchantPrivateKey::from_pem(&format!("{CERT}{MERCHANT_KEY}"));
    assert!(key.is_ok(), "{key:?}");
    // A chain: the first certificate (the leaf) is the one loaded.
    let other = include_str!("../testdata/cert_until_9999.pem");
    let cert = PlatformCertificate::from_pem(&format!("{CERT}{other}")).unwrap();
    assert_eq!(cert.serial(), "5157F09EFDC096DE15EBE81A47057A7232F1B8E1");
    // Garbage inside a block is an error, not skipped.
    let broken = MERCHANT_KEY.replacen('\n', "\n!!\n", 3);
    assert!(matches!(
        MerchantPrivateKey::from_pem(&broken),
        Err(Error::Malformed { .. })
    ));
}

/// Two keys in one file are ambiguous: which one signs? Refuse instead of taking the first.
#[test]
fn two_keys_in_one_file_are_refused() {
    let e = MerchantPrivateKey::from_pem(&format!("{MERCHANT_KEY}{WECHAT_KEY}")).unwrap_err();
    assert!(
        matches!(&e, Error::Malformed { reason, .. } if reason.contains("2 ")),
        "{e:?}"
    );
    let e = WechatPayPublicKey::from_pem(&format!(
        "{WECHAT_PUB}{}",
        include_str!("../testdata/merchant_pub.pem")
    ))
    .unwrap_err();
    assert!(matches!(e, Error::Malformed { .. }), "{e:?}");
}

/// An encrypted private key elsewhere in the file does not stop a public key or certificate
/// from loading; given only an encrypted private key, those loaders say "wrong kind", and only
/// the private-key loader says "encrypted".
#[test]
fn encrypted_key_is_only_reported_where_a_private_key_is_wanted() {
    let key = WechatPayPublicKey::from_pem(&format!("{WECHAT_PUB}{ENCRYPTED_KEY}"));
    assert!(key.is_ok(), "{key:?}");
    let cert = PlatformCertificate::from_pem(&format!("{ENCRYPTED_KEY}{CERT}"));
    assert!(cert.is_ok(), "{cert:?}");
    let e = WechatPayPublicKey::from_pem(ENCRYPTED_KEY).unwrap_err();
    assert!(
        matches!(&e, Error::WrongPemKind { found, .. } if found == "ENCRYPTED PRIVATE KEY"),
        "{e:?}"
    );
    let e = PlatformCertificate::from_pem(ENCRYPTED_KEY).unwrap_err();
    assert!(matches!(e, Error::WrongPemKind { .. }), "{e:?}");
    let e = MerchantPrivateKey::from_pem(&format!("{CERT}{ENCRYPTED_KEY}")).unwrap_err();
    assert!(matches!(e, Error::EncryptedKey { .. }), "{e:?}");
}

/// The DER loaders name a certificate where a key was expected (and the reverse), like the
/// PEM loaders do, instead of reporting an ASN.1 tag mismatch.
#[test]
fn der_of_the_wrong_kind_is_named() {
    let der = |pem: &str| {
        use base64::Engine as _;
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap()
    };
    let cert = der(CERT);
    let spki = der(WECHAT_PUB);
    let key = include_bytes!("../testdata/merchant_key.der").to_vec();
    let pkcs1 = der(include_str!("../testdata/merchant_key_pkcs1.pem"));
    for (result, expected, found) in [
        (
            MerchantPrivateKey::from_der(&cert).map(|_| ()),
            "merchant private key",
            "certificate",
        ),
        (
            MerchantPrivateKey::from_der(&spki).map(|_| ()),
            "merchant private key",
            "public key",
        ),
        (
            PlatformCertificate::from_der(&key).map(|_| ()),
            "platform certificate",
            "private key",
        ),
        (
            PlatformCertificate::from_der(&pkcs1).map(|_| ()),
            "platform certificate",
            "private key",
        ),
        (
            PlatformCertificate::from_der(&spki).map(|_| ()),
            "platform certificate",
            "public key",
        ),
        (
            WechatPayPublicKey::from_der(&cert).map(|_| ()),
            "WeChat Pay public key",
            "certificate",
        ),
        (
            WechatPayPublicKey::from_der(&key).map(|_| ()),
            "WeChat Pay public key",
            "private key",
        ),
    ] {
        match result {
            Err(Error::WrongDerKind {
                expected: e,
                found: f,
                ..
            }) => assert_eq!((e, f), (expected, found)),
            other => panic!("{expected} from {found}: {other:?}"),
        }
    }
    let e = MerchantPrivateKey::from_der(&cert).unwrap_err();
    assert!(e.to_string().contains("apiclient_key.pem"), "{e}");
    // Trailing bytes after a valid key are an error that names the PKCS#8 problem.
    let mut trailing = key.clone();
    trailing.extend_from_slice(b"junk");
    let e = MerchantPrivateKey::from_der(&trailing).unwrap_err();
    assert!(
        matches!(&e, Error::Malformed { reason, .. } if reason.contains("trailing")),
        "{e:?}"
    );
}

// ----- APIv2 HMAC ------------------------------------------------------------------------

const V2_KEY: &str = "192006250b4c09247ec02edce69f6a2d";

/// The sign is a function of the parameter set, whatever order the caller lists it in — also
/// when a name repeats (which WeChat Pay's parameters never do).
#[test]
fn apiv2_sign_does_not_depend_on_the_order_of_repeated_names() {
    let key = wxpay_crypto::ApiV2Key::new(V2_KEY).unwrap();
    let a = [("a", "2"), ("b", "x"), ("a", "1")];
    let b = [("a", "1"), ("b", "x"), ("a", "2")];
    assert_eq!(
        wxpay_crypto::apiv2_canonical_params(a),
        "a=1&a=2&b=x",
        "repeated names are kept, ordered by value"
    );
    assert_eq!(key.sign(a), key.sign(b));
    assert!(key.verify(b, &key.sign(a)));
}

/// Values are not encoded (spec §13), so `&` and `=` inside a value are not escaped: the
/// string to sign cannot tell `a="1&b=2"` from `a="1", b="2"`. Pinned here because the docs say
/// so; callers must keep such characters out of values (WeChat Pay's fields never hold them).
#[test]
fn apiv2_values_are_not_encoded() {
    let key = wxpay_crypto::ApiV2Key::new(V2_KEY).unwrap();
    assert_eq!(
        wxpay_crypto::apiv2_canonical_params([("a", "1&b=2")]),
        "a=1&b=2"
    );
    assert_eq!(
        key.sign([("a", "1&b=2")]),
        key.sign([("a", "1"), ("b", "2")])
    );
    assert_eq!(
        wxpay_crypto::apiv2_canonical_params([("open_id", "o 1%2F")]),
        "open_id=o 1%2F"
    );
}

/// `verify` takes exactly 64 hex digits in either case; anything else is false, never a panic.
#[test]
fn apiv2_verify_rejects_every_malformed_sign() {
    let key = wxpay_crypto::ApiV2Key::new(V2_KEY).unwrap();
    let params = [("stock_id", "1")];
    let sign = key.sign(params);
    assert!(key.verify(params, &sign));
    assert!(key.verify(params, &sign.to_ascii_lowercase()));
    let mut mixed = sign.clone();
    mixed.replace_range(..1, &sign[..1].to_ascii_lowercase());
    assert!(key.verify(params, &mixed));
    for bad in [
        String::new(),
        sign[..63].to_owned(),
        format!("{sign}0"),
        format!("{sign}00"),
        format!("{}G", &sign[..63]),
        format!("+{}", &sign[1..]),
        format!("{}é", &sign[..62]),
        "0".repeat(64),
    ] {
        assert!(!key.verify(params, &bad), "{bad}");
    }
}

// ----- timestamps, odd header values, plaintext -------------------------------------------

/// Spec §2.4 lists millisecond timestamps as a common mistake; a clock returning milliseconds
/// (or a negative time) is refused instead of producing a header WeChat Pay rejects.
#[test]
fn signer_refuses_millisecond_and_negative_timestamps() {
    let signer = Signer::new(
        "1",
        "S",
        MerchantPrivateKey::from_pem(MERCHANT_KEY).unwrap(),
    )
    .unwrap();
    for ts in [1_554_208_460_000, -1, i64::MIN, i64::MAX] {
        assert!(
            matches!(
                signer.sign("GET", "/v3/x", b"", ts, "n"),
                Err(Error::InvalidSigningInput {
                    field: "timestamp",
                    ..
                })
            ),
            "{ts}"
        );
    }
    let ms_clock = || 1_554_208_460_000_i64;
    assert!(
        signer
            .authorize_with("GET", "/v3/x", b"", &ms_clock, &wxpay_crypto::SystemNonce)
            .is_err()
    );
    for ts in [0, 1_554_208_460, 9_999_999_999] {
        assert!(signer.sign("GET", "/v3/x", b"", ts, "n").is_ok(), "{ts}");
    }
}

/// Leading zeros are verified as received; 19 digits beyond `i64::MAX`, a sign or white space
/// are malformed; the largest `i64` is merely out of the window. None of it panics.
#[test]
fn verifier_timestamp_edge_cases() {
    let v = public_key_verifier();
    let sig = wechat_signer()
        .sign_bytes(&verification_string("0001000", "n", b""))
        .unwrap();
    let h = |timestamp| SignatureHeaders {
        timestamp,
        nonce: "n",
        signature: &sig,
        serial: PUB_ID,
        signature_type: None,
    };
    assert_eq!(v.verify(&h("0001000"), b"", 1000), Ok(()));
    assert_eq!(
        v.verify(&h("1000"), b"", 1000),
        Err(Error::SignatureMismatch)
    );
    for bad in [
        "9223372036854775808",
        "99999999999999999999",
        "+1000",
        " 1000",
        "1000\n",
        "١٠٠٠",
    ] {
        assert!(
            matches!(
                v.verify(&h(bad), b"", 1000),
                Err(Error::MalformedTimestamp { .. })
            ),
            "{bad:?}"
        );
    }
    assert!(matches!(
        v.verify(&h("9223372036854775807"), b"", i64::MIN),
        Err(Error::TimestampOutOfWindow { skew: u64::MAX, .. })
    ));
}

/// A serial with non-ASCII characters is simply unknown (and named in the error).
#[test]
fn non_ascii_serial_is_unknown() {
    let v = public_key_verifier().with_certificate(
        PlatformCertificate::from_pem(include_str!("../testdata/platform_cert.pem")).unwrap(),
    );
    let sig = wechat_signer()
        .sign_bytes(&verification_string("1", "n", b""))
        .unwrap();
    for serial in [
        "PUB_KEY_ID_é",
        "5157F09EFDC096DE15EBE81A47057A7232F1B8Eİ",
        "序列号",
    ] {
        let h = SignatureHeaders {
            timestamp: "1",
            nonce: "n",
            signature: &sig,
            serial,
            signature_type: None,
        };
        match v.verify(&h, b"", 1) {
            Err(Error::UnknownSerial { serial: s, .. }) => assert_eq!(s, serial),
            other => panic!("{serial}: {other:?}"),
        }
    }
}

/// Decrypted bytes that are not UTF-8 are still returned as bytes; `as_str` says `None`.
#[test]
fn plaintext_that_is_not_utf8() {
    let key = wxpay_crypto::ApiV3Key::new("0123456789abcdefghijklmnopqrstuv").unwrap();
    let ct = key.encrypt("", "61f9c719728a", [0xff, 0xfe, b'a']).unwrap();
    let plain = key.decrypt("", "61f9c719728a", &ct).unwrap();
    assert_eq!(plain.as_bytes(), [0xff, 0xfe, b'a']);
    assert_eq!(plain.as_str(), None);
    assert_eq!(plain.len(), 3);
    assert!(!plain.is_empty());
    let empty = key
        .decrypt(
            "",
            "61f9c719728a",
            key.encrypt("", "61f9c719728a", b"").unwrap(),
        )
        .unwrap();
    assert!(empty.is_empty());
    assert_eq!(empty.as_str(), Some(""));
}
