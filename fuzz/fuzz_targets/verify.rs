//! Arbitrary `Wechatpay-*` header values and body into `Verifier::verify` with a real
//! key set (a public key and a platform certificate): typed errors only, never a panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use wxpay_crypto::{PlatformCertificate, SignatureHeaders, Verifier, WechatPayPublicKey};

const PUBLIC_KEY_ID: &str = "PUB_KEY_ID_0000000000000000000000000000000001";

fn verifier() -> &'static Verifier {
    static VERIFIER: OnceLock<Verifier> = OnceLock::new();
    VERIFIER.get_or_init(|| {
        let key = WechatPayPublicKey::from_pem(include_str!(
            "../../crates/wxpay-crypto/testdata/wechatpay_pub.pem"
        ))
        .expect("test public key loads");
        let cert = PlatformCertificate::from_pem(include_str!(
            "../../crates/wxpay-crypto/testdata/platform_cert.pem"
        ))
        .expect("test certificate loads");
        Verifier::new()
            .with_public_key(PUBLIC_KEY_ID, key)
            .with_certificate(cert)
    })
}

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    serial_choice: u8,
    skew: i16,
    timestamp: &'a str,
    nonce: &'a str,
    signature: &'a str,
    serial: &'a str,
    body: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let Input {
        serial_choice,
        skew,
        timestamp,
        nonce,
        signature,
        serial,
        body,
    } = input;
    let verifier = verifier();
    // Mostly pick a serial the verifier holds, so the fuzzer gets past the lookup.
    let cert_serial = verifier.serials().into_iter().find(|s| s != PUBLIC_KEY_ID);
    let serial = match (serial_choice % 3, cert_serial.as_deref()) {
        (0, _) => PUBLIC_KEY_ID,
        (1, Some(cert)) => cert,
        _ => serial,
    };
    // And a clock near the claimed timestamp, so the window check passes sometimes.
    let now = timestamp
        .parse::<i64>()
        .unwrap_or(0)
        .saturating_add(i64::from(skew));
    let headers = SignatureHeaders {
        timestamp,
        nonce,
        signature,
        serial,
        signature_type: None,
    };
    let _ = verifier.verify(&headers, body, now);
});
