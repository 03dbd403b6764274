//! Property tests: sign→verify holds for arbitrary requests, any single change is caught,
//! AES-GCM round-trips and detects tampering, and loaders and verify never panic on junk.

use std::sync::OnceLock;

use proptest::prelude::*;
use wxpay_crypto::{
    ApiV3Key, MerchantPrivateKey, PlatformCertificate, SignatureHeaders, Signer, Verifier,
    WechatPayPublicKey,
};

const ID: &str = "PUB_KEY_ID_00000000000000000000000000000007";

/// The merchant key signs; a verifier holding the merchant's public key checks it, which is
/// exactly what WeChat Pay does with our requests.
fn pair() -> &'static (Signer, Verifier) {
    static PAIR: OnceLock<(Signer, Verifier)> = OnceLock::new();
    PAIR.get_or_init(|| {
        let key =
            MerchantPrivateKey::from_pem(include_str!("../testdata/merchant_key.pem")).unwrap();
        let pub_key =
            WechatPayPublicKey::from_pem(include_str!("../testdata/merchant_pub.pem")).unwrap();
        (
            Signer::new("1900009191", "ABC", key).unwrap(),
            Verifier::new().with_public_key(ID, pub_key),
        )
    })
}

/// Checks a request signature independently of this crate: ring directly, with the merchant
/// public key exported by OpenSSL, over the signing string built by hand.
fn check(sig: &str, method: &str, url: &str, ts: i64, nonce: &str, body: &[u8]) -> bool {
    use base64::Engine as _;
    let mut message = format!("{method}\n{url}\n{ts}\n{nonce}\n").into_bytes();
    message.extend_from_slice(body);
    message.push(b'\n');
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(sig) else {
        return false;
    };
    ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        &include_bytes!("../testdata/merchant_pub_pkcs1.der")[..],
    )
    .verify(&message, &raw)
    .is_ok()
}

fn method() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["GET", "POST", "PATCH", "PUT", "DELETE"]).prop_map(str::to_owned)
}

fn url() -> impl Strategy<Value = String> {
    "/v3/[a-z/]{0,40}(\\?[a-z_]{1,8}=[A-Za-z0-9%]{0,12}(&[a-z_]{1,8}=[A-Za-z0-9%]{0,12}){0,3})?"
}

fn nonce() -> impl Strategy<Value = String> {
    "[0-9A-Za-z]{1,32}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn response_sign_verify_and_any_change_fails(
        body in prop::collection::vec(any::<u8>(), 0..2048),
        ts in 1_000_000_000i64..4_000_000_000,
        nonce in nonce(),
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let (signer, verifier) = pair();
        let ts_s = ts.to_string();
        let sig = signer.sign_bytes(&wxpay_crypto::verification_string(&ts_s, &nonce, &body)).unwrap();
        let h = SignatureHeaders { timestamp: &ts_s, nonce: &nonce, signature: &sig, serial: ID, signature_type: None };
        prop_assert!(verifier.verify(&h, &body, ts).is_ok());

        // A flipped body bit.
        if !body.is_empty() {
            let mut b = body.clone();
            let i = flip.index(b.len());
            b[i] ^= 1 << bit;
            prop_assert!(verifier.verify(&h, &b, ts).is_err());
        }
        // A different timestamp (still in the window).
        let ts2 = (ts + 1).to_string();
        let changed = SignatureHeaders { timestamp: &ts2, ..h };
        prop_assert!(verifier.verify(&changed, &body, ts).is_err());
        // A different nonce.
        let n2 = format!("{nonce}x");
        let changed = SignatureHeaders { nonce: &n2, ..h };
        prop_assert!(verifier.verify(&changed, &body, ts).is_err());
        // A flipped signature bit (decoded, flipped, re-encoded).
        use base64::Engine as _;
        let mut raw = base64::engine::general_purpose::STANDARD.decode(&sig).unwrap();
        let i = flip.index(raw.len());
        raw[i] ^= 1 << bit;
        let sig2 = base64::engine::general_purpose::STANDARD.encode(&raw);
        let changed = SignatureHeaders { signature: &sig2, ..h };
        prop_assert!(verifier.verify(&changed, &body, ts).is_err());
    }

    #[test]
    fn request_sign_is_deterministic_and_covers_every_part(
        m in method(), u in url(), body in prop::collection::vec(any::<u8>(), 0..512),
        ts in 0i64..4_000_000_000, n in nonce(),
    ) {
        let (signer, _) = pair();
        let a = signer.sign(&m, &u, &body, ts, &n).unwrap();
        prop_assert!(check(a.signature(), &m, &u, ts, &n, &body));
        prop_assert!(!check(a.signature(), &m, &u, ts, &n, b"other body"));
        prop_assert_eq!(signer.sign(&m, &u, &body, ts, &n).unwrap(), a.clone());
        let ts_field = format!("timestamp=\"{}\"", ts);
        prop_assert!(a.header_value().contains(&ts_field));
        let mut b2 = body.clone();
        b2.push(b'x');
        prop_assert_ne!(signer.sign(&m, &u, &b2, ts, &n).unwrap().signature().to_owned(), a.signature().to_owned());
        prop_assert_ne!(signer.sign(&m, &u, &body, ts + 1, &n).unwrap().signature().to_owned(), a.signature().to_owned());
        let u2 = format!("{u}x");
        prop_assert_ne!(signer.sign(&m, &u2, &body, ts, &n).unwrap().signature().to_owned(), a.signature().to_owned());
    }

    #[test]
    fn aead_round_trip_and_tamper(
        plain in prop::collection::vec(any::<u8>(), 0..2048),
        aad in prop::collection::vec(any::<u8>(), 0..32),
        nonce in prop::array::uniform12(any::<u8>()),
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let key = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv").unwrap();
        let ct = key.encrypt(&aad, nonce, &plain).unwrap();
        let opened = key.decrypt(&aad, nonce, &ct).unwrap();
        prop_assert_eq!(opened.as_bytes(), &plain[..]);

        use base64::Engine as _;
        let mut raw = base64::engine::general_purpose::STANDARD.decode(&ct).unwrap();
        let i = flip.index(raw.len());
        raw[i] ^= 1 << bit;
        let tampered = base64::engine::general_purpose::STANDARD.encode(&raw);
        prop_assert_eq!(key.decrypt(&aad, nonce, &tampered).unwrap_err(), wxpay_crypto::Error::DecryptFailed);
        let mut aad2 = aad.clone();
        aad2.push(0);
        prop_assert!(key.decrypt(&aad2, nonce, &ct).is_err());
        let mut n2 = nonce;
        n2[flip.index(12)] ^= 1 << bit;
        prop_assert!(key.decrypt(&aad, n2, &ct).is_err());
    }

    #[test]
    fn loaders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = MerchantPrivateKey::from_der(&bytes);
        let _ = WechatPayPublicKey::from_der(&bytes);
        let _ = PlatformCertificate::from_der(&bytes);
        let text = String::from_utf8_lossy(&bytes);
        let _ = MerchantPrivateKey::from_pem(&text);
        let _ = WechatPayPublicKey::from_pem(&text);
        let _ = PlatformCertificate::from_pem(&text);
        // Junk wrapped in plausible armour reaches the DER parsers.
        use base64::Engine as _;
        let armoured = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        );
        let _ = MerchantPrivateKey::from_pem(&armoured);
        let armoured = armoured.replace("PRIVATE KEY", "CERTIFICATE");
        let _ = PlatformCertificate::from_pem(&armoured);
    }

    #[test]
    fn verify_never_panics(
        ts in ".{0,24}", nonce in ".{0,40}", sig in ".{0,400}", serial in ".{0,50}",
        body in prop::collection::vec(any::<u8>(), 0..256), now in any::<i64>(),
    ) {
        let (_, verifier) = pair();
        let h = SignatureHeaders { timestamp: &ts, nonce: &nonce, signature: &sig, serial: &serial, signature_type: None };
        prop_assert!(verifier.verify(&h, &body, now).is_err());
    }

    #[test]
    fn decrypt_never_panics(aad in ".{0,20}", nonce in ".{0,20}", ct in ".{0,200}") {
        let key = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv").unwrap();
        let _ = key.decrypt(&aad, &nonce, &ct);
    }

    /// The APIv2 sign is a function of the parameter set: any permutation of the same pairs
    /// (repeated names included) signs the same, and any changed value signs differently.
    #[test]
    fn apiv2_sign_is_order_independent(
        params in prop::collection::vec(("(a|b|stock_id0|out_request_no0)", "[A-Za-z0-9]{0,3}"), 0..8),
        seed in any::<prop::sample::Index>(),
    ) {
        let key = wxpay_crypto::ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
        let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut rotated = pairs.clone();
        if !rotated.is_empty() {
            let n = seed.index(rotated.len());
            rotated.rotate_left(n);
            rotated.reverse();
        }
        let sign = key.sign(pairs.iter().copied());
        prop_assert_eq!(&sign, &key.sign(rotated.iter().copied()));
        prop_assert!(key.verify(rotated.iter().copied(), &sign));
        if let Some(&(k, v)) = pairs.first() {
            let changed = format!("{v}x");
            let mut other = pairs.clone();
            other[0] = (k, &changed);
            prop_assert!(!key.verify(other.iter().copied(), &sign));
        }
    }

    /// A nonce holding anything but visible ASCII is refused before the signature is looked
    /// at, wherever the odd character sits.
    #[test]
    fn nonces_with_invisible_or_non_ascii_characters_are_refused(
        prefix in "[0-9a-f]{0,16}", odd in "[\\x00-\\x20\\x7f\\u{80}-\\u{10ffff}]", suffix in "[0-9a-f]{0,16}",
    ) {
        let (_, verifier) = pair();
        let nonce = format!("{prefix}{odd}{suffix}");
        let h = SignatureHeaders { timestamp: "1", nonce: &nonce, signature: "AAAA", serial: ID, signature_type: None };
        prop_assert!(
            matches!(verifier.verify(&h, b"", 1), Err(wxpay_crypto::Error::MalformedNonce { .. })),
            "{:?}", nonce
        );
    }

    /// A certificate is found under its serial in any case and with any number of leading
    /// zeros.
    #[test]
    fn certificate_serial_lookup_ignores_case_and_leading_zeros(
        zeros in 0usize..4, lower in prop::collection::vec(any::<bool>(), 40),
    ) {
        let cert = PlatformCertificate::from_pem(include_str!("../testdata/platform_cert.pem")).unwrap();
        let spelled: String = cert
            .serial()
            .chars()
            .zip(&lower)
            .map(|(c, l)| if *l { c.to_ascii_lowercase() } else { c })
            .collect();
        let spelled = format!("{}{spelled}", "0".repeat(zeros));
        let v = Verifier::new().with_certificate(cert);
        prop_assert!(v.contains(&spelled), "{}", spelled);
        let other = format!("1{spelled}");
        prop_assert!(!v.contains(&other));
    }

    /// A validly signed message that declares any signature type other than ours is refused
    /// with `UnsupportedSignatureType` naming it; ours, in any letter case, verifies.
    #[test]
    fn only_the_rsa_signature_type_is_verified(
        declared in "\\PC{0,40}", lower in prop::collection::vec(any::<bool>(), 25),
    ) {
        let (signer, verifier) = pair();
        let body: &[u8] = b"{}";
        let sig = signer.sign_bytes(&wxpay_crypto::verification_string("100", "n", body)).unwrap();
        let h = SignatureHeaders { timestamp: "100", nonce: "n", signature: &sig, serial: ID, signature_type: Some(&declared) };
        let trimmed = declared.trim();
        let result = verifier.verify(&h, body, 100);
        if trimmed.is_empty() || trimmed.eq_ignore_ascii_case(wxpay_crypto::SIGNATURE_TYPE) {
            prop_assert!(result.is_ok());
        } else {
            prop_assert_eq!(
                result,
                Err(wxpay_crypto::Error::UnsupportedSignatureType { found: trimmed.to_owned() })
            );
        }
        let ours: String = wxpay_crypto::SIGNATURE_TYPE
            .chars()
            .zip(&lower)
            .map(|(c, l)| if *l { c.to_ascii_lowercase() } else { c })
            .collect();
        let h = SignatureHeaders { signature_type: Some(&ours), ..h };
        prop_assert!(verifier.verify(&h, body, 100).is_ok());
    }
}
