//! Sign, verify (~1 KiB body) and decrypt (~400 B), each beside the raw primitive of the
//! backend compiled in doing the same cryptographic work, in the same run. Group names carry the
//! backend (`sign [ring]`, `sign [aws-lc-rs]`), so running the bench once per backend keeps both
//! results under `target/criterion/`:
//!
//! ```text
//! cargo bench -p wxpay-crypto --bench crypto
//! cargo bench -p wxpay-crypto --bench crypto --features aws-lc-rs
//! ```
//!
//! The decrypt group also times every AES-256-GCM implementation available in the build
//! (ring's, RustCrypto `aes-gcm`, and aws-lc-rs's under the feature) on the same ciphertext,
//! which is how the backend's choice of GCM is made. Results: `docs/performance.md`.
#![allow(missing_docs)]

use std::hint::black_box;

use aes_gcm::aead::{AeadInOut, KeyInit};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, criterion_group, criterion_main};
use wxpay_crypto::{
    ApiV3Key, BACKEND, MerchantPrivateKey, SignatureHeaders, Signer, Verifier, WechatPayPublicKey,
    signing_string, verification_string,
};

const KEY_PEM: &str = include_str!("../testdata/merchant_key.pem");
const PUB_PEM: &str = include_str!("../testdata/merchant_pub.pem");
const PUB_PKCS1: &[u8] = include_bytes!("../testdata/merchant_pub_pkcs1.der");
const URL: &str = "/v3/marketing/busifavor/coupons/use";
const NONCE: &str = "593BEC0C930BF1AFEB40B4A08C8FB242";
const TS: i64 = 1554208460;

fn body(len: usize) -> Vec<u8> {
    let mut b = br#"{"coupon_code":"sxxe34343434","stock_id":"100088","pad":""#.to_vec();
    b.resize(len - 2, b'x');
    b.extend_from_slice(b"\"}");
    b
}

fn pem_der(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(b64).expect("test pem")
}

/// The raw RSA primitives of the backend compiled in.
#[cfg(not(feature = "aws-lc-rs"))]
mod raw {
    pub use ring::{rand, signature};

    pub const SIGN: &str = "raw ring RsaKeyPair::sign";
    pub const VERIFY: &str = "raw ring UnparsedPublicKey::verify";

    pub fn modulus_len(key: &signature::RsaKeyPair) -> usize {
        key.public().modulus_len()
    }

    pub struct PublicKey(signature::UnparsedPublicKey<&'static [u8]>);

    impl PublicKey {
        pub fn new(pkcs1: &'static [u8]) -> Self {
            Self(signature::UnparsedPublicKey::new(
                &signature::RSA_PKCS1_2048_8192_SHA256,
                pkcs1,
            ))
        }
        pub fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
            self.0.verify(message, sig).is_ok()
        }
    }
}

/// The raw RSA primitives of the backend compiled in.
#[cfg(feature = "aws-lc-rs")]
mod raw {
    pub use aws_lc_rs::{rand, signature};

    pub const SIGN: &str = "raw aws-lc-rs RsaKeyPair::sign";
    pub const VERIFY: &str = "raw aws-lc-rs ParsedPublicKey::verify_sig";

    pub fn modulus_len(key: &signature::RsaKeyPair) -> usize {
        key.public_modulus_len()
    }

    pub struct PublicKey(signature::ParsedPublicKey);

    impl PublicKey {
        pub fn new(pkcs1: &'static [u8]) -> Self {
            Self(
                signature::ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, pkcs1)
                    .expect("test key"),
            )
        }
        pub fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
            self.0.verify_sig(message, sig).is_ok()
        }
    }
}

fn raw_key_pair() -> raw::signature::RsaKeyPair {
    raw::signature::RsaKeyPair::from_pkcs8(&pem_der(KEY_PEM)).expect("test key")
}

fn sign(c: &mut Criterion) {
    let body = body(256);
    let signer = Signer::new(
        "1900009191",
        "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
        MerchantPrivateKey::from_pem(KEY_PEM).expect("test key"),
    )
    .expect("signer");
    let key = raw_key_pair();
    let rng = raw::rand::SystemRandom::new();
    let message = signing_string("POST", URL, TS, NONCE, &body);
    let mut g = c.benchmark_group(format!("sign [{BACKEND}]"));
    g.bench_function(raw::SIGN, |b| {
        let mut sig = vec![0u8; raw::modulus_len(&key)];
        b.iter(|| {
            key.sign(
                &raw::signature::RSA_PKCS1_SHA256,
                &rng,
                black_box(&message),
                &mut sig,
            )
            .expect("sign");
            black_box(&sig);
        })
    });
    g.bench_function("wxpay Signer::sign (string + sign + header)", |b| {
        b.iter(|| black_box(signer.sign("POST", black_box(URL), black_box(&body), TS, NONCE)))
    });
    g.finish();
}

fn verify(c: &mut Criterion) {
    let body = body(1024);
    let ts = TS.to_string();
    let key = raw_key_pair();
    let rng = raw::rand::SystemRandom::new();
    let message = verification_string(&ts, NONCE, &body);
    let mut sig = vec![0u8; raw::modulus_len(&key)];
    key.sign(&raw::signature::RSA_PKCS1_SHA256, &rng, &message, &mut sig)
        .expect("sign");
    let sig_b64 = STANDARD.encode(&sig);
    let id = "PUB_KEY_ID_00000000000000000000000000000001";
    let verifier =
        Verifier::new().with_public_key(id, WechatPayPublicKey::from_pem(PUB_PEM).expect("pub"));
    let public = raw::PublicKey::new(PUB_PKCS1);
    let headers = SignatureHeaders {
        timestamp: &ts,
        nonce: NONCE,
        signature: &sig_b64,
        serial: id,
        signature_type: None,
    };
    assert!(public.verify(&message, &sig));
    let mut g = c.benchmark_group(format!("verify 1 KiB [{BACKEND}]"));
    g.bench_function(raw::VERIFY, |b| {
        b.iter(|| assert!(public.verify(black_box(&message), black_box(&sig))))
    });
    g.bench_function(
        "wxpay Verifier::verify (checks + base64 + message + verify)",
        |b| {
            b.iter(|| {
                verifier
                    .verify(black_box(&headers), black_box(&body), TS)
                    .expect("valid")
            })
        },
    );
    g.finish();
}

const AAD: &[u8] = b"coupon";

/// Opens a fresh copy of the sealed text under a nonce; returns the plaintext length.
type GcmOpen = Box<dyn Fn(&[u8; 12], Vec<u8>) -> usize>;

/// The raw AES-256-GCM open of the backend compiled in, on a fresh copy of `sealed`.
#[cfg(not(feature = "aws-lc-rs"))]
fn backend_gcm_open(key: &[u8; 32]) -> impl Fn(&[u8; 12], Vec<u8>) -> usize {
    rustcrypto_gcm_open(key)
}

#[cfg(feature = "aws-lc-rs")]
fn backend_gcm_open(key: &[u8; 32]) -> impl Fn(&[u8; 12], Vec<u8>) -> usize {
    aws_lc_gcm_open(key)
}

fn ring_gcm_open(key: &[u8; 32]) -> impl Fn(&[u8; 12], Vec<u8>) -> usize {
    use ring::aead;
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_256_GCM, key).expect("key"));
    move |nonce, mut buf| {
        key.open_in_place(
            aead::Nonce::assume_unique_for_key(*nonce),
            aead::Aad::from(AAD),
            &mut buf,
        )
        .expect("open")
        .len()
    }
}

fn rustcrypto_gcm_open(key: &[u8; 32]) -> impl Fn(&[u8; 12], Vec<u8>) -> usize {
    let cipher = aes_gcm::Aes256Gcm::new(key.into());
    move |nonce, mut buf| {
        let n = buf.len() - 16;
        let (data, tag) = buf.split_at_mut(n);
        let tag = aes_gcm::Tag::try_from(&*tag).expect("tag");
        cipher
            .decrypt_inout_detached(&aes_gcm::Nonce::from(*nonce), AAD, data.into(), &tag)
            .expect("open");
        n
    }
}

#[cfg(feature = "aws-lc-rs")]
fn aws_lc_gcm_open(key: &[u8; 32]) -> impl Fn(&[u8; 12], Vec<u8>) -> usize {
    use aws_lc_rs::aead;
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_256_GCM, key).expect("key"));
    move |nonce, mut buf| {
        key.open_in_place(
            aead::Nonce::assume_unique_for_key(*nonce),
            aead::Aad::from(AAD),
            &mut buf,
        )
        .expect("open")
        .len()
    }
}

fn decrypt(c: &mut Criterion) {
    let key_bytes: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
    let plain = body(400);
    let key = ApiV3Key::new(key_bytes).expect("key");
    let nonce_text = "j9g1wAzF9Xn1";
    let nonce: [u8; 12] = nonce_text.as_bytes().try_into().expect("12");
    let ct = key.encrypt(AAD, nonce_text, &plain).expect("encrypt");
    let sealed = STANDARD.decode(&ct).expect("b64");

    #[cfg_attr(not(feature = "aws-lc-rs"), allow(unused_mut))]
    let mut opens: Vec<(&str, GcmOpen)> = vec![
        ("raw ring open_in_place", Box::new(ring_gcm_open(key_bytes))),
        (
            "raw aes-gcm decrypt_inout_detached",
            Box::new(rustcrypto_gcm_open(key_bytes)),
        ),
    ];
    #[cfg(feature = "aws-lc-rs")]
    opens.push((
        "raw aws-lc-rs open_in_place",
        Box::new(aws_lc_gcm_open(key_bytes)),
    ));
    for (_, open) in &opens {
        assert_eq!(open(&nonce, sealed.clone()), plain.len());
    }
    let backend_open = backend_gcm_open(key_bytes);

    let mut g = c.benchmark_group(format!("decrypt 400 B [{BACKEND}]"));
    for (name, open) in &opens {
        g.bench_function(*name, |b| {
            b.iter(|| black_box(open(&nonce, black_box(sealed.clone()))))
        });
    }
    g.bench_function("raw base64 decode + backend GCM open", |b| {
        b.iter(|| {
            let buf = STANDARD.decode(black_box(&ct)).expect("b64");
            black_box(backend_open(&nonce, buf))
        })
    });
    g.bench_function("wxpay ApiV3Key::decrypt (base64 + open + zeroize)", |b| {
        b.iter(|| black_box(key.decrypt(AAD, nonce_text, black_box(&ct)).expect("open")))
    });
    g.finish();
}

criterion_group!(benches, sign, verify, decrypt);
criterion_main!(benches);
