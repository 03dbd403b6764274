//! Notification opening past the signature check: arbitrary plaintext is encrypted and wrapped
//! in a correctly signed envelope, so the fuzzer reaches envelope parsing, decryption and the
//! typed COUPON.SEND parse; arbitrary bytes also go straight into the wire types. Typed errors
//! only, never a panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use wxpay_crypto::{
    ApiV3Key, FixedClock, MerchantPrivateKey, SignatureHeaders, Signer, Verifier,
    WechatPayPublicKey, verification_string,
};
use wxpay_model::busifavor::CouponSendEvent;
use wxpay_model::{ErrorBody, NotificationEnvelope, open_notification};

const ID: &str = "PUB_KEY_ID_0000000000000000000000000000000001";
const NOW: i64 = 1_700_000_000;

struct Fixture {
    wechat: Signer,
    verifier: Verifier,
    key: ApiV3Key,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| Fixture {
        wechat: Signer::new(
            "wechat",
            "x",
            MerchantPrivateKey::from_pem(include_str!(
                "../../crates/wxpay-crypto/testdata/wechatpay_key.pem"
            ))
            .expect("test key loads"),
        )
        .expect("signer"),
        verifier: Verifier::new().with_public_key(
            ID,
            WechatPayPublicKey::from_pem(include_str!(
                "../../crates/wxpay-crypto/testdata/wechatpay_pub.pem"
            ))
            .expect("test public key loads"),
        ),
        key: ApiV3Key::new("0123456789abcdefghijklmnopqrstuv").expect("32 bytes"),
    })
}

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    signed: bool,
    event_type: &'a str,
    resource_type: &'a str,
    plaintext: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    // The wire types on raw bytes.
    let _ = serde_json::from_slice::<CouponSendEvent>(input.plaintext);
    let _ = serde_json::from_slice::<NotificationEnvelope>(input.plaintext);
    let _ = serde_json::from_slice::<ErrorBody>(input.plaintext);
    if !input.signed {
        return;
    }
    // A genuine-looking, correctly signed notification around arbitrary plaintext.
    let f = fixture();
    let Ok(sealed) = f.key.seal("coupon", input.plaintext) else {
        return;
    };
    let body = serde_json::json!({
        "id": "fuzz",
        "create_time": "2023-11-14T22:13:20+08:00",
        "resource_type": input.resource_type,
        "event_type": input.event_type,
        "summary": "fuzz",
        "resource": {
            "original_type": "coupon",
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": sealed.ciphertext,
            "associated_data": "coupon",
            "nonce": sealed.nonce,
        }
    })
    .to_string();
    let ts = NOW.to_string();
    let Ok(signature) =
        f.wechat
            .sign_bytes(&verification_string(&ts, "fuzz-nonce", body.as_bytes()))
    else {
        return;
    };
    let headers = SignatureHeaders {
        timestamp: &ts,
        nonce: "fuzz-nonce",
        signature: &signature,
        serial: ID,
        signature_type: None,
    };
    let _ = open_notification(
        &headers,
        body.as_bytes(),
        &f.verifier,
        &f.key,
        &FixedClock(NOW),
    );
});
