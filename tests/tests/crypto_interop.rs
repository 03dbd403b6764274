//! Both directions of the APIv3 trust relationship, with keys read from files the way a merchant
//! deploys them: the merchant signs, "WeChat Pay" verifies with the merchant's public key; "WeChat
//! Pay" signs a callback, the merchant verifies it with the WeChat Pay public key and a platform
//! certificate, then decrypts it.

use std::path::PathBuf;

use wxpay_crypto::{
    ApiV3Key, Error, MerchantPrivateKey, PlatformCertificate, SignatureHeaders, Signer, Verifier,
    WechatPayPublicKey, signing_string, verification_string,
};

fn testdata(name: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "crates",
        "wxpay-crypto",
        "testdata",
        name,
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn merchant_request_is_accepted_by_the_server_side() {
    let signer = Signer::new(
        "1900009191",
        "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
        MerchantPrivateKey::from_pem(&testdata("merchant_key.pem")).unwrap(),
    )
    .unwrap();
    let url = "/v3/marketing/busifavor/users/o%2Bx/coupons?appid=wx1&limit=20";
    let auth = signer.authorize("GET", url, b"").unwrap();

    // Server side: WeChat Pay holds the merchant's public key, rebuilds the signing string from
    // what it received and checks the signature — here with ring directly, not our verifier.
    let rebuilt = signing_string("GET", url, auth.timestamp(), auth.nonce(), b"");
    let sig = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, auth.signature())
        .unwrap();
    let der = std::fs::read(
        [
            env!("CARGO_MANIFEST_DIR"),
            "..",
            "crates",
            "wxpay-crypto",
            "testdata",
            "merchant_pub_pkcs1.der",
        ]
        .iter()
        .collect::<PathBuf>(),
    )
    .unwrap();
    ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, der)
        .verify(&rebuilt, &sig)
        .unwrap();
    assert!(
        auth.header_value()
            .contains(&format!("nonce_str=\"{}\"", auth.nonce()))
    );
}

#[test]
fn callback_verifies_with_public_key_and_certificate_then_decrypts() {
    let wechat = Signer::new(
        "wechat",
        "x",
        MerchantPrivateKey::from_pem(&testdata("wechatpay_key.pem")).unwrap(),
    )
    .unwrap();
    let cert = PlatformCertificate::from_pem(&testdata("platform_cert.pem")).unwrap();
    let verifier = Verifier::new()
        .with_public_key(
            "PUB_KEY_ID_00000000000000000000000000000003",
            WechatPayPublicKey::from_pem(&testdata("wechatpay_pub.pem")).unwrap(),
        )
        .with_certificate(cert.clone());

    let apiv3 = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv").unwrap();
    let plaintext = r#"{"event_type":"EVENT_TYPE_BUSICOUPON_SEND","coupon_code":"1"}"#;
    let ciphertext = apiv3.encrypt("coupon", "QC8M6Rj84iKL", plaintext).unwrap();
    let body = format!(
        r#"{{"id":"a0d3b5f3","resource_type":"encrypt-resource","summary":"商家券领券通知","resource":{{"ciphertext":"{ciphertext}","nonce":"QC8M6Rj84iKL","associated_data":"coupon"}}}}"#
    );
    let now = cert.not_before() + 60;
    let ts = now.to_string();
    let sig = wechat
        .sign_bytes(&verification_string(&ts, "n0nce", body.as_bytes()))
        .unwrap();

    // Mid-migration merchants receive both: the same signature verifies under either serial.
    for serial in ["PUB_KEY_ID_00000000000000000000000000000003", cert.serial()] {
        let headers = SignatureHeaders {
            timestamp: &ts,
            nonce: "n0nce",
            signature: &sig,
            serial,
            signature_type: None,
        };
        verifier.verify(&headers, body.as_bytes(), now).unwrap();
    }
    let plain = apiv3
        .decrypt("coupon", "QC8M6Rj84iKL", &ciphertext)
        .unwrap();
    assert_eq!(plain.as_str(), Some(plaintext));

    // A merchant that configured the wrong APIv3 key gets the one authentication error.
    let wrong = ApiV3Key::new("vutsrqponmlkjihgfedcba9876543210").unwrap();
    assert_eq!(
        wrong
            .decrypt("coupon", "QC8M6Rj84iKL", &ciphertext)
            .unwrap_err(),
        Error::DecryptFailed
    );
}
