//! Every `Error` variant is reached through the public API, and the messages tell the user what
//! to do. (`SigningFailed` and `RandomUnavailable` cannot be provoked through the public API;
//! unit tests in `backend.rs` and `clock.rs` reach them.)

use wxpay_crypto::{
    ApiV2Key, ApiV3Key, Error, MerchantPrivateKey, PlatformCertificate, SignatureHeaders, Signer,
    Verifier, WechatPayPublicKey, verification_string,
};

const MERCHANT_KEY: &str = include_str!("../testdata/merchant_key.pem");
const WECHAT_KEY: &str = include_str!("../testdata/wechatpay_key.pem");
const WECHAT_PUB: &str = include_str!("../testdata/wechatpay_pub.pem");
const CERT: &str = include_str!("../testdata/platform_cert.pem");
const CERT_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
const PUB_ID: &str = "PUB_KEY_ID_00000000000000000000000000000042";

fn wechat_signer() -> Signer {
    Signer::new(
        "wechat",
        "x",
        MerchantPrivateKey::from_pem(WECHAT_KEY).unwrap(),
    )
    .unwrap()
}

fn verifier() -> Verifier {
    Verifier::new()
        .with_public_key(PUB_ID, WechatPayPublicKey::from_pem(WECHAT_PUB).unwrap())
        .with_certificate(PlatformCertificate::from_pem(CERT).unwrap())
}

#[test]
fn empty_input() {
    for r in [
        MerchantPrivateKey::from_pem("  \n").map(|_| ()),
        MerchantPrivateKey::from_der(&[]).map(|_| ()),
        WechatPayPublicKey::from_pem("").map(|_| ()),
        WechatPayPublicKey::from_der(&[]).map(|_| ()),
        PlatformCertificate::from_pem("").map(|_| ()),
        PlatformCertificate::from_der(&[]).map(|_| ()),
    ] {
        assert!(matches!(r, Err(Error::EmptyInput { .. })), "{r:?}");
    }
}

#[test]
fn garbage_is_malformed() {
    let e = MerchantPrivateKey::from_pem("not a key at all").unwrap_err();
    assert!(matches!(e, Error::Malformed { .. }), "{e:?}");
    assert!(e.to_string().contains("-----BEGIN"));
    let e = MerchantPrivateKey::from_der(b"\x30\x03\x02\x01").unwrap_err();
    assert!(matches!(e, Error::Malformed { .. }), "{e:?}");
    let e = PlatformCertificate::from_pem(
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap_err();
    assert!(matches!(e, Error::Malformed { .. }), "{e:?}");
    let e = WechatPayPublicKey::from_der(b"garbage").unwrap_err();
    assert!(matches!(e, Error::Malformed { .. }), "{e:?}");
}

#[test]
fn encrypted_keys_are_named() {
    for pem in [
        include_str!("../testdata/encrypted_pkcs8.pem"),
        include_str!("../testdata/encrypted_pkcs1.pem"),
    ] {
        let e = MerchantPrivateKey::from_pem(pem).unwrap_err();
        assert!(matches!(e, Error::EncryptedKey { .. }), "{e:?}");
        assert!(e.to_string().contains("openssl pkey"), "{e}");
    }
}

#[test]
fn certificate_where_key_expected_and_the_reverse() {
    let e = MerchantPrivateKey::from_pem(CERT).unwrap_err();
    match &e {
        Error::WrongPemKind {
            expected, found, ..
        } => {
            assert_eq!(*expected, "merchant private key");
            assert_eq!(found, "CERTIFICATE");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("apiclient_key.pem"), "{e}");

    let e = PlatformCertificate::from_pem(MERCHANT_KEY).unwrap_err();
    assert!(
        matches!(&e, Error::WrongPemKind { expected: "platform certificate", found, .. } if found == "PRIVATE KEY"),
        "{e:?}"
    );
    let e = WechatPayPublicKey::from_pem(CERT).unwrap_err();
    assert!(matches!(e, Error::WrongPemKind { .. }), "{e:?}");
    assert!(e.to_string().contains("PlatformCertificate::from_pem"));
    let e = MerchantPrivateKey::from_pem(WECHAT_PUB).unwrap_err();
    assert!(
        e.to_string().contains("WechatPayPublicKey::from_pem"),
        "{e}"
    );
    let e = WechatPayPublicKey::from_pem(MERCHANT_KEY).unwrap_err();
    assert!(e.to_string().contains("pub_key.pem"), "{e}");
}

#[test]
fn non_rsa_keys() {
    let e = MerchantPrivateKey::from_pem(include_str!("../testdata/ec_key.pem")).unwrap_err();
    assert!(
        matches!(&e, Error::NotRsa { algorithm, .. } if algorithm == "1.2.840.10045.2.1"),
        "{e:?}"
    );
    let e = WechatPayPublicKey::from_pem(include_str!("../testdata/ec_pub.pem")).unwrap_err();
    assert!(matches!(e, Error::NotRsa { .. }), "{e:?}");
}

#[test]
fn small_rsa_keys() {
    let e = MerchantPrivateKey::from_pem(include_str!("../testdata/small_key.pem")).unwrap_err();
    assert_eq!(e, Error::KeyTooSmall { bits: 1024 });
    let e = WechatPayPublicKey::from_pem(include_str!("../testdata/small_pub.pem")).unwrap_err();
    assert_eq!(e, Error::KeyTooSmall { bits: 1024 });
}

#[test]
fn backend_rejects_exponent_3() {
    let e =
        MerchantPrivateKey::from_pem(include_str!("../testdata/exponent3_key.pem")).unwrap_err();
    assert!(matches!(e, Error::KeyRejected { .. }), "{e:?}");
}

#[test]
fn signing_inputs_are_checked() {
    let key = || MerchantPrivateKey::from_pem(MERCHANT_KEY).unwrap();
    assert!(matches!(
        Signer::new("", "S", key()),
        Err(Error::InvalidSigningInput { field: "mchid", .. })
    ));
    assert!(matches!(
        Signer::new("1", "a\"b", key()),
        Err(Error::InvalidSigningInput {
            field: "serial_no",
            ..
        })
    ));
    let s = Signer::new("1900009191", "ABC", key()).unwrap();
    for (method, url, nonce, field) in [
        ("get", "/v3/x", "n", "method"),
        ("", "/v3/x", "n", "method"),
        ("GET", "https://api.mch.weixin.qq.com/v3/x", "n", "url"),
        ("GET", "/v3/x y", "n", "url"),
        ("GET", "/v3/x", "", "nonce"),
        ("GET", "/v3/x", "a\"b", "nonce"),
    ] {
        match s.sign(method, url, b"", 1, nonce) {
            Err(Error::InvalidSigningInput { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{method} {url} {nonce}: {other:?}"),
        }
    }
}

fn signed(body: &[u8], ts: &str, nonce: &str) -> String {
    wechat_signer()
        .sign_bytes(&verification_string(ts, nonce, body))
        .unwrap()
}

#[test]
fn missing_parts() {
    let sig = signed(b"{}", "100", "n");
    let full = SignatureHeaders {
        timestamp: "100",
        nonce: "n",
        signature: &sig,
        serial: PUB_ID,
        signature_type: None,
    };
    verifier().verify(&full, b"{}", 100).unwrap();
    for (h, name) in [
        (
            SignatureHeaders {
                timestamp: "",
                ..full
            },
            "Wechatpay-Timestamp",
        ),
        (SignatureHeaders { nonce: "", ..full }, "Wechatpay-Nonce"),
        (
            SignatureHeaders {
                signature: "",
                ..full
            },
            "Wechatpay-Signature",
        ),
        (SignatureHeaders { serial: "", ..full }, "Wechatpay-Serial"),
    ] {
        assert_eq!(
            verifier().verify(&h, b"{}", 100),
            Err(Error::MissingHeader { header: name })
        );
    }
}

/// `Wechatpay-Signature-Type` (issue 10 item 2): our type passes in any case; any other value is
/// its own error naming the type, even on a message whose RSA signature is perfectly valid —
/// it is never verified as RSA — and it is reported before every other check.
#[test]
fn signature_type_other_than_rsa_is_refused_and_never_verified() {
    let sig = signed(b"{}", "100", "n");
    let full = SignatureHeaders {
        timestamp: "100",
        nonce: "n",
        signature: &sig,
        serial: PUB_ID,
        signature_type: Some("WECHATPAY2-SHA256-RSA2048"),
    };
    verifier().verify(&full, b"{}", 100).unwrap();
    for ours in [
        "wechatpay2-sha256-rsa2048",
        " WECHATPAY2-SHA256-RSA2048 ",
        "",
    ] {
        let h = SignatureHeaders {
            signature_type: Some(ours),
            ..full
        };
        verifier().verify(&h, b"{}", 100).unwrap();
    }
    for other in [
        "WECHATPAY2-SM2-WITH-SM3",
        "WECHATPAY2-SHA256-RSA4096",
        "RSA",
        "算法",
    ] {
        let h = SignatureHeaders {
            signature_type: Some(other),
            ..full
        };
        let e = verifier().verify(&h, b"{}", 100).unwrap_err();
        assert_eq!(
            e,
            Error::UnsupportedSignatureType {
                found: other.to_owned()
            }
        );
        assert!(e.to_string().contains(other), "{e}");
        assert!(e.to_string().contains(wxpay_crypto::SIGNATURE_TYPE), "{e}");
        // Reported first: even with every other part missing or wrong.
        let all_bad = SignatureHeaders {
            timestamp: "",
            nonce: "bad\nnonce",
            signature: "WECHATPAY/SIGNTEST/x",
            serial: "UNKNOWN",
            signature_type: Some(other),
        };
        assert!(matches!(
            verifier().verify(&all_bad, b"{}", 100),
            Err(Error::UnsupportedSignatureType { .. })
        ));
    }
}

#[test]
fn timestamps_malformed_and_out_of_window_both_directions() {
    let sig = signed(b"", "1000", "n");
    let h = |timestamp| SignatureHeaders {
        timestamp,
        nonce: "n",
        signature: &sig,
        serial: PUB_ID,
        signature_type: None,
    };
    for bad in ["abc", "1000.0", "-5", "+1000", "1e3"] {
        assert!(
            matches!(
                verifier().verify(&h(bad), b"", 1000),
                Err(Error::MalformedTimestamp { .. })
            ),
            "{bad}"
        );
    }
    let v = verifier();
    v.verify(&h("1000"), b"", 1299).unwrap();
    v.verify(&h("1000"), b"", 701).unwrap();
    assert_eq!(
        v.verify(&h("1000"), b"", 1300),
        Err(Error::TimestampOutOfWindow {
            timestamp: 1000,
            now: 1300,
            skew: 300,
            tolerance: 300
        })
    );
    assert!(matches!(
        v.verify(&h("1000"), b"", 700),
        Err(Error::TimestampOutOfWindow { skew: 300, .. })
    ));
    let narrow = verifier().with_tolerance(10);
    assert_eq!(narrow.tolerance(), 10);
    assert!(narrow.verify(&h("1000"), b"", 1010).is_err());
    narrow.verify(&h("1000"), b"", 1009).unwrap();
}

#[test]
fn unknown_serial_names_received_and_held() {
    let sig = signed(b"", "1", "n");
    let e = verifier()
        .verify(
            &SignatureHeaders {
                timestamp: "1",
                nonce: "n",
                signature: &sig,
                serial: "PUB_KEY_ID_9",
                signature_type: None,
            },
            b"",
            1,
        )
        .unwrap_err();
    match &e {
        Error::UnknownSerial { serial, known } => {
            assert_eq!(serial, "PUB_KEY_ID_9");
            assert!(known.contains(&PUB_ID.to_owned()) && known.contains(&CERT_SERIAL.to_owned()));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains(PUB_ID));
}

#[test]
fn certificate_serial_is_case_insensitive_and_validity_checked() {
    let cert = PlatformCertificate::from_pem(CERT).unwrap();
    let now = cert.not_before() + 10;
    let ts = now.to_string();
    let sig = signed(b"x", &ts, "n");
    let lower = CERT_SERIAL.to_ascii_lowercase();
    let h = SignatureHeaders {
        timestamp: &ts,
        nonce: "n",
        signature: &sig,
        serial: &lower,
        signature_type: None,
    };
    verifier().verify(&h, b"x", now).unwrap();
    // After expiry (a stale timestamp is its own error, so move both).
    let later = cert.not_after() + 1;
    let ts2 = later.to_string();
    let sig2 = signed(b"x", &ts2, "n");
    let h2 = SignatureHeaders {
        timestamp: &ts2,
        nonce: "n",
        signature: &sig2,
        serial: CERT_SERIAL,
        signature_type: None,
    };
    assert!(matches!(
        verifier().verify(&h2, b"x", later),
        Err(Error::CertificateNotValid { .. })
    ));
}

#[test]
fn probe_base64_and_mismatch() {
    let sig = signed(b"body", "1", "n");
    let v = verifier();
    let h = |signature| SignatureHeaders {
        timestamp: "1",
        nonce: "n",
        signature,
        serial: PUB_ID,
        signature_type: None,
    };
    assert_eq!(
        v.verify(
            &h("WECHATPAY/SIGNTEST/Last unit does not have enough"),
            b"body",
            1
        ),
        Err(Error::SignatureProbe)
    );
    assert_eq!(
        v.verify(&h("%%%not-base64"), b"body", 1),
        Err(Error::SignatureNotBase64)
    );
    // Valid base64, but 1200 bytes: longer than any supported key's signature.
    let too_long = "QUFB".repeat(400);
    assert_eq!(
        v.verify(&h(&too_long), b"body", 1),
        Err(Error::SignatureMismatch)
    );
    assert_eq!(
        v.verify(&h(&sig), b"bodY", 1),
        Err(Error::SignatureMismatch)
    );
    assert_eq!(
        v.verify(&h("AAAA"), b"body", 1),
        Err(Error::SignatureMismatch)
    );
    v.verify(&h(&sig), b"body", 1).unwrap();
}

#[test]
fn verifier_key_set_management() {
    let mut v = verifier();
    assert!(v.contains(PUB_ID) && v.contains(&CERT_SERIAL.to_ascii_lowercase()));
    assert_eq!(v.serials().len(), 2);
    assert_eq!(v.certificates().count(), 1);
    let cert = PlatformCertificate::from_pem(CERT).unwrap();
    assert_eq!(v.remove_expired(cert.not_after()), 0);
    assert_eq!(v.remove_expired(cert.not_after() + 1), 1);
    assert!(v.remove(PUB_ID));
    assert!(!v.remove(PUB_ID));
    assert!(v.is_empty());
}

#[test]
fn key_lengths_with_whitespace_hint() {
    let e = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv\n").unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidKeyLength {
                which: "APIv3",
                len: 33,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("white space"), "{e}");
    let e = ApiV3Key::new("short").unwrap_err();
    assert!(!e.to_string().contains("white space"), "{e}");
    let e = ApiV2Key::new([0u8; 31]).unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidKeyLength {
                which: "APIv2",
                len: 31,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn aead_failures() {
    let k = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv").unwrap();
    assert_eq!(
        k.decrypt("", "short", "L90xQ5QxEOyibwA7WaXPP0AEtLeq")
            .unwrap_err(),
        Error::InvalidAeadNonce { len: 5 }
    );
    assert_eq!(
        k.encrypt("", "thirteen-char", "x").unwrap_err(),
        Error::InvalidAeadNonce { len: 13 }
    );
    assert_eq!(
        k.decrypt("", "61f9c719728a", "not base64!").unwrap_err(),
        Error::CiphertextNotBase64
    );
    assert_eq!(
        k.decrypt("", "61f9c719728a", "AAAA").unwrap_err(),
        Error::DecryptFailed
    );
    let wrong = ApiV3Key::new("0123456789abcdefghijklmnopqrstuw").unwrap();
    let e = wrong
        .decrypt("", "61f9c719728a", "L90xQ5QxEOyibwA7WaXPP0AEtLeq")
        .unwrap_err();
    assert_eq!(e, Error::DecryptFailed);
    assert!(e.to_string().contains("APIv2"), "{e}");
}

#[test]
fn secrets_are_redacted_in_debug() {
    let v3 = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv").unwrap();
    let v2 = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    let signer = Signer::new(
        "1",
        "S",
        MerchantPrivateKey::from_pem(MERCHANT_KEY).unwrap(),
    )
    .unwrap();
    let auth = signer.sign("GET", "/v3/x", b"", 1, "n").unwrap();
    let plain = v3
        .decrypt("", "61f9c719728a", "L90xQ5QxEOyibwA7WaXPP0AEtLeq")
        .unwrap();
    let all = format!("{v3:?} {v2:?} {signer:?} {auth:?} {plain:?}");
    for secret in [
        "0123456789abcdef",
        "192006250b4c",
        auth.signature(),
        "hello",
        "MII",
    ] {
        assert!(!all.contains(secret), "{secret} leaked in {all}");
    }
}

#[test]
fn authorization_header_parsing_and_request_checks() {
    use wxpay_crypto::{MerchantPublicKey, parse_authorization};
    let ok = r#"WECHATPAY2-SHA256-RSA2048 mchid="19", nonce_str="N", signature="c2ln", timestamp="1", serial_no="A""#;
    assert_eq!(parse_authorization(ok).unwrap().timestamp, "1");
    for bad in [
        "",
        "Bearer x",
        r#"WECHATPAY2-SHA256-RSA2048 mchid="19""#,
        r#"WECHATPAY2-SHA256-RSA2048 mchid=19,nonce_str="N",signature="s",timestamp="1",serial_no="A""#,
        r#"WECHATPAY2-SHA256-RSA2048 mchid="19",mchid="19",nonce_str="N",signature="s",timestamp="1",serial_no="A""#,
        r#"WECHATPAY2-SHA256-RSA2048 mchid="19",nonce_str="N",signature="s",timestamp="1",serial_no="A",extra="x""#,
        r#"WECHATPAY2-SHA256-RSA2048 mchid="",nonce_str="N",signature="s",timestamp="1",serial_no="A""#,
        r#"WECHATPAY2-SHA256-RSA2048 mchid"19",nonce_str="N",signature="s",timestamp="1",serial_no="A""#,
        r#"WECHATPAY-BRAND-SHA256-RSA2048 mchid="19",nonce_str="N",signature="s",timestamp="1",serial_no="A""#,
    ] {
        assert!(
            matches!(
                parse_authorization(bad),
                Err(Error::MalformedAuthorization { .. })
            ),
            "{bad}"
        );
    }

    let signer = Signer::new(
        "19",
        "A",
        MerchantPrivateKey::from_pem(MERCHANT_KEY).unwrap(),
    )
    .unwrap();
    let auth = signer.sign("GET", "/v3/x?a=1", b"", 1000, "N").unwrap();
    let fields = parse_authorization(auth.header_value()).unwrap();
    let key = MerchantPublicKey::from_pem(include_str!("../testdata/merchant_pub.pem")).unwrap();
    key.verify_request("GET", "/v3/x?a=1", b"", &fields, 1000, 300)
        .unwrap();
    assert!(matches!(
        key.verify_request("GET", "/v3/x?a=1", b"", &fields, 1300, 300),
        Err(Error::TimestampOutOfWindow { .. })
    ));
    assert_eq!(
        key.verify_request("GET", "/v3/x?a=2", b"", &fields, 1000, 300),
        Err(Error::SignatureMismatch)
    );
    let garbled = wxpay_crypto::AuthorizationFields {
        signature: "!!",
        ..fields
    };
    assert_eq!(
        key.verify_request("GET", "/v3/x?a=1", b"", &garbled, 1000, 300),
        Err(Error::SignatureNotBase64)
    );
    let bad_ts = wxpay_crypto::AuthorizationFields {
        timestamp: "1e3",
        ..fields
    };
    assert!(matches!(
        key.verify_request("GET", "/v3/x?a=1", b"", &bad_ts, 1000, 300),
        Err(Error::MalformedTimestamp { .. })
    ));
    assert!(matches!(
        MerchantPublicKey::from_pem(CERT),
        Err(Error::WrongPemKind {
            expected: "merchant public key",
            ..
        })
    ));
    assert!(MerchantPublicKey::from_der(&[]).is_err());
}

#[test]
fn seal_draws_a_fresh_nonce_each_time() {
    let k = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv").unwrap();
    let a = k.seal("coupon", b"same").unwrap();
    let b = k.seal("coupon", b"same").unwrap();
    assert_ne!(a.nonce, b.nonce);
    assert_ne!(a.ciphertext, b.ciphertext);
    assert!(a.nonce.len() == 12 && a.nonce.bytes().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(
        k.decrypt("coupon", &b.nonce, &b.ciphertext)
            .unwrap()
            .as_bytes(),
        b"same"
    );
    assert_eq!(
        k.decrypt("other", &b.nonce, &b.ciphertext).unwrap_err(),
        Error::DecryptFailed
    );
}

/// When several things are wrong, the first check in the documented order reports: (the
/// signature type, tested above), parts present, nonce well-formed, timestamp numeric, in the window, serial known (certificate
/// valid), probe, base64, signature.
#[test]
fn failures_are_reported_in_the_stated_order() {
    let v = verifier();
    let cert = PlatformCertificate::from_pem(CERT).unwrap();
    let expired = cert.not_after() + 1;
    let expired_ts = expired.to_string();
    let all_bad = SignatureHeaders {
        timestamp: "",
        nonce: "bad\nnonce",
        signature: "WECHATPAY/SIGNTEST/x",
        serial: "UNKNOWN",
        signature_type: None,
    };
    type Step<'a> = (SignatureHeaders<'a>, i64, fn(&Error) -> bool);
    let steps: [Step<'_>; 8] = [
        (all_bad, 1, |e| matches!(e, Error::MissingHeader { .. })),
        (
            SignatureHeaders {
                timestamp: "x",
                ..all_bad
            },
            1,
            |e| matches!(e, Error::MalformedNonce { .. }),
        ),
        (
            SignatureHeaders {
                timestamp: "x",
                nonce: "n",
                ..all_bad
            },
            1,
            |e| matches!(e, Error::MalformedTimestamp { .. }),
        ),
        (
            SignatureHeaders {
                timestamp: "1",
                nonce: "n",
                ..all_bad
            },
            1000,
            |e| matches!(e, Error::TimestampOutOfWindow { .. }),
        ),
        (
            SignatureHeaders {
                timestamp: "1",
                nonce: "n",
                ..all_bad
            },
            1,
            |e| matches!(e, Error::UnknownSerial { .. }),
        ),
        (
            SignatureHeaders {
                timestamp: &expired_ts,
                nonce: "n",
                serial: CERT_SERIAL,
                ..all_bad
            },
            expired,
            |e| matches!(e, Error::CertificateNotValid { .. }),
        ),
        (
            SignatureHeaders {
                timestamp: "1",
                nonce: "n",
                serial: PUB_ID,
                ..all_bad
            },
            1,
            |e| matches!(e, Error::SignatureProbe),
        ),
        (
            SignatureHeaders {
                timestamp: "1",
                nonce: "n",
                serial: PUB_ID,
                signature: "not base64!",
                signature_type: None,
            },
            1,
            |e| matches!(e, Error::SignatureNotBase64),
        ),
    ];
    for (i, (h, now, expected)) in steps.into_iter().enumerate() {
        let e = v.verify(&h, b"{}", now).unwrap_err();
        assert!(expected(&e), "step {i}: {e:?}");
    }
}
