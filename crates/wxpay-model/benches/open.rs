//! Opening the spec's A.5 COUPON.SEND notification with `open_notification`, beside the sum of
//! the raw steps of the backend compiled in, in the same run:
//!
//! * default: ring RSA verify + RustCrypto `aes-gcm` open + serde_json parse;
//! * `--features aws-lc-rs`: aws-lc-rs RSA verify (key parsed once) + aws-lc-rs GCM open +
//!   serde_json parse.
//!
//! The group name carries the backend (`open_a5_notification [ring]`), so both runs keep their
//! results. `cargo bench -p wxpay-model --bench open [--features aws-lc-rs]`.

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, black_box, criterion_group, criterion_main};
use wxpay_crypto::{ApiV3Key, BACKEND, FixedClock, SignatureHeaders, Verifier, WechatPayPublicKey};
use wxpay_model::busifavor::CouponSendEvent;

const BODY: &str = r#"{"id":"8b33f79f-8869-5ae5-b41b-3c0b59f957d0","create_time":"2019-12-12T16:54:38+08:00","resource_type":"encrypt-resource","event_type":"COUPON.SEND","summary":"商家券领券通知","resource":{"original_type":"coupon","algorithm":"AEAD_AES_256_GCM","ciphertext":"TM+gylPJHsCnRYOe1FCfedKo4T7nDCxE4+RAkmOpKW7kepEn6yco586AoWwrynAckbvaMk/yGAbQyvU5siY/FvfYkZCgeDVKBsTR2sjzy0lxLEqqjUIYhH86tvoyrMEcK+1aevo2YQW8wuzLRA01QKfrqAacUeeCtsVMzElx3kT2zKjxZJf0NutRYtsFYJIXI7L7shml1ZzdRVPXDnp3s+Kl9pd369eyIEwiJYZOS8ud7TEce2uRqGIg+MSY2aqIGisTRIfwVoKueoldukNeiZO8wl+QzoILmcyMy0DkJGqVFjZesNDnCcFNEFme/Uvzx1BZmq4aIhZt6mMJ5OhRgnx+myxg+bvSHEgGKbO+JEHJMw77UZ8WUYaBpKUevyPf4ucYS/UrRayBrGYXQ0R7FeHRhPCRcurkbnbQtiLLNQzCCnQYPXoElUy96Lmam7xfWC0xbr4ozLi7EwNpWMLn7Lh0JlmLKQqPiHaqHtOuROIvf2lQRKQVheZvGrderg8/wUYp9tWfGc/7w8pcU7GmkQ+P/kQRFkeEVg==","associated_data":"coupon","nonce":"j9g1wAzF9Xn1"}}"#;
const SIGNATURE: &str = "oZkZQvatL31bl0Q6t8z6QnJSsmnx6uRj3LEEm18xHe/FJNxaXPFSLe/jsVxfGGz8snlM0glAv0vEURfNks6HfX+8/MX1W9Mq22/NJvHAKNLFORx8ry9dAg/gvIjo1WYmcEhq3Ze24l8Hr+M84+83xNEadekbtzmItbtwezKjifPBd6DsnET2Z0LaaFBYqpks1mxpFlV6XoAzcM5iruQ/d6mMbhz4i0flA+ZTtLWBc89+oGS0u2fVZbWA3Jp0J9VK5bd8/coCWqEKLXM/LY58ZHbya6pFFtMDPy2yHQLwKHdAuhGQcBkHE6dYah2RaHzyJoyA7cABL+sHni81Dz7KFQ==";
const SERIAL: &str = "PUB_KEY_ID_00000000000000000000000000000001";
const TIMESTAMP: &str = "1576140878";
const NONCE: &str = "c5ac7061fccab6bf3e254dcf98995b8c";
const APIV3: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
const PUB_PEM: &str = include_str!("../../wxpay-crypto/testdata/spec_a1_pub.pem");

/// The minimal envelope the raw pipeline needs.
#[derive(serde::Deserialize)]
struct RawEnvelope<'a> {
    #[serde(borrow)]
    resource: RawResource<'a>,
}

#[derive(serde::Deserialize)]
struct RawResource<'a> {
    ciphertext: &'a str,
    associated_data: &'a str,
    nonce: &'a str,
}

/// RSAPublicKey (PKCS#1) DER inside the SPKI PEM: ring's RSA verifier takes that form.
fn pkcs1_from_spki_pem(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let spki = STANDARD.decode(b64).expect("SPKI base64");
    // For RSA-2048 the SPKI header (SEQUENCE, AlgorithmIdentifier, BIT STRING + 0 unused bits)
    // is 24 bytes.
    spki[24..].to_vec()
}

/// The raw primitives of the default backend: ring RSA, RustCrypto AES-GCM.
#[cfg(not(feature = "aws-lc-rs"))]
mod raw {
    use aes_gcm::aead::{AeadInOut, KeyInit};
    use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};

    pub const NAME: &str = "raw_ring_aesgcm_serde_steps";

    pub struct Keys(UnparsedPublicKey<Vec<u8>>, aes_gcm::Aes256Gcm);

    impl Keys {
        pub fn new(pkcs1: Vec<u8>, apiv3: &[u8; 32]) -> Self {
            Self(
                UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pkcs1),
                aes_gcm::Aes256Gcm::new(apiv3.into()),
            )
        }
        pub fn verify(&self, message: &[u8], sig: &[u8]) {
            self.0.verify(message, sig).expect("verify");
        }
        pub fn open<'b>(&self, nonce: [u8; 12], aad: &[u8], buf: &'b mut [u8]) -> &'b [u8] {
            let n = buf.len() - 16;
            let (data, tag) = buf.split_at_mut(n);
            let tag = aes_gcm::Tag::try_from(&*tag).expect("tag");
            self.1
                .decrypt_inout_detached(&aes_gcm::Nonce::from(nonce), aad, data.into(), &tag)
                .expect("decrypt");
            data
        }
    }
}

/// The raw primitives of the aws-lc-rs backend.
#[cfg(feature = "aws-lc-rs")]
mod raw {
    use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
    use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};

    pub const NAME: &str = "raw_awslc_serde_steps";

    pub struct Keys(ParsedPublicKey, LessSafeKey);

    impl Keys {
        pub fn new(pkcs1: Vec<u8>, apiv3: &[u8; 32]) -> Self {
            Self(
                ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pkcs1).expect("key"),
                LessSafeKey::new(UnboundKey::new(&AES_256_GCM, apiv3).expect("aes key")),
            )
        }
        pub fn verify(&self, message: &[u8], sig: &[u8]) {
            self.0.verify_sig(message, sig).expect("verify");
        }
        pub fn open<'b>(&self, nonce: [u8; 12], aad: &[u8], buf: &'b mut [u8]) -> &'b [u8] {
            self.1
                .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(aad), buf)
                .expect("decrypt")
        }
    }
}

fn raw_open(keys: &raw::Keys, body: &[u8]) -> CouponSendEvent {
    let mut message = Vec::with_capacity(body.len() + 64);
    for part in [TIMESTAMP.as_bytes(), NONCE.as_bytes(), body] {
        message.extend_from_slice(part);
        message.push(b'\n');
    }
    let sig = STANDARD.decode(SIGNATURE).expect("signature base64");
    keys.verify(&message, &sig);
    let env: RawEnvelope<'_> = serde_json::from_slice(body).expect("envelope");
    let mut buf = STANDARD
        .decode(env.resource.ciphertext)
        .expect("ciphertext base64");
    let nonce: [u8; 12] = env.resource.nonce.as_bytes().try_into().expect("nonce");
    let plain = keys.open(nonce, env.resource.associated_data.as_bytes(), &mut buf);
    serde_json::from_slice(plain).expect("event")
}

fn bench(c: &mut Criterion) {
    let verifier = Verifier::new().with_public_key(
        SERIAL,
        WechatPayPublicKey::from_pem(PUB_PEM).expect("public key"),
    );
    let apiv3 = ApiV3Key::new(APIV3).expect("apiv3 key");
    let clock = FixedClock(1_576_140_878);
    let headers = SignatureHeaders {
        timestamp: TIMESTAMP,
        nonce: NONCE,
        signature: SIGNATURE,
        serial: SERIAL,
        signature_type: None,
    };
    let keys = raw::Keys::new(pkcs1_from_spki_pem(PUB_PEM), APIV3);

    // Both paths must produce the same event before they are timed.
    let opened =
        wxpay_model::open_notification(&headers, BODY.as_bytes(), &verifier, &apiv3, &clock)
            .expect("opens");
    let raw = raw_open(&keys, BODY.as_bytes());
    assert_eq!(opened.coupon_send(), Some(&raw));

    let mut g = c.benchmark_group(format!("open_a5_notification [{BACKEND}]"));
    g.bench_function("open_notification", |b| {
        b.iter(|| {
            wxpay_model::open_notification(
                black_box(&headers),
                black_box(BODY.as_bytes()),
                &verifier,
                &apiv3,
                &clock,
            )
            .expect("opens")
        })
    });
    g.bench_function(raw::NAME, |b| {
        b.iter(|| raw_open(&keys, black_box(BODY.as_bytes())))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
