//! Sign, verify (~1 KiB body) and decrypt (~400 B), each beside the raw ring call doing the
//! same cryptographic work in the same run. Results: `docs/performance.md`.
#![allow(missing_docs)]

use std::hint::black_box;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, criterion_group, criterion_main};
use ring::{aead, rand, signature};
use wxpay_crypto::{
    ApiV3Key, MerchantPrivateKey, SignatureHeaders, Signer, Verifier, WechatPayPublicKey,
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

fn raw_key_pair() -> signature::RsaKeyPair {
    let der = pem_der(KEY_PEM);
    signature::RsaKeyPair::from_pkcs8(&der).expect("test key")
}

fn pem_der(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(b64).expect("test pem")
}

fn sign(c: &mut Criterion) {
    let body = body(256);
    let signer = Signer::new(
        "1900009191",
        "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
        MerchantPrivateKey::from_pem(KEY_PEM).expect("test key"),
    )
    .expect("signer");
    let raw = raw_key_pair();
    let rng = rand::SystemRandom::new();
    let message = signing_string("POST", URL, TS, NONCE, &body);
    let mut g = c.benchmark_group("sign");
    g.bench_function("raw ring RsaKeyPair::sign", |b| {
        let mut sig = vec![0u8; raw.public().modulus_len()];
        b.iter(|| {
            raw.sign(
                &signature::RSA_PKCS1_SHA256,
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
    let raw_pair = raw_key_pair();
    let rng = rand::SystemRandom::new();
    let message = verification_string(&ts, NONCE, &body);
    let mut sig = vec![0u8; raw_pair.public().modulus_len()];
    raw_pair
        .sign(&signature::RSA_PKCS1_SHA256, &rng, &message, &mut sig)
        .expect("sign");
    let sig_b64 = STANDARD.encode(&sig);
    let id = "PUB_KEY_ID_00000000000000000000000000000001";
    let verifier =
        Verifier::new().with_public_key(id, WechatPayPublicKey::from_pem(PUB_PEM).expect("pub"));
    let raw = signature::UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, PUB_PKCS1);
    let headers = SignatureHeaders {
        timestamp: &ts,
        nonce: NONCE,
        signature: &sig_b64,
        serial: id,
        signature_type: None,
    };
    let mut g = c.benchmark_group("verify 1 KiB");
    g.bench_function("raw ring UnparsedPublicKey::verify", |b| {
        b.iter(|| {
            raw.verify(black_box(&message), black_box(&sig))
                .expect("valid")
        })
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

fn decrypt(c: &mut Criterion) {
    let key_text = "0123456789abcdefghijklmnopqrstuv";
    let plain = body(400);
    let key = ApiV3Key::new(key_text).expect("key");
    let nonce = "j9g1wAzF9Xn1";
    let ct = key.encrypt("coupon", nonce, &plain).expect("encrypt");
    let raw_key = aead::LessSafeKey::new(
        aead::UnboundKey::new(&aead::AES_256_GCM, key_text.as_bytes()).expect("key"),
    );
    let ct_raw = STANDARD.decode(&ct).expect("b64");
    let n: [u8; 12] = nonce.as_bytes().try_into().expect("12");
    let mut g = c.benchmark_group("decrypt 400 B");
    g.bench_function("raw ring open_in_place", |b| {
        b.iter(|| {
            let mut buf = ct_raw.clone();
            let out = raw_key
                .open_in_place(
                    aead::Nonce::assume_unique_for_key(n),
                    aead::Aad::from(b"coupon"),
                    &mut buf,
                )
                .expect("open");
            black_box(out.len());
        })
    });
    g.bench_function("raw base64 decode + ring open_in_place", |b| {
        b.iter(|| {
            let mut buf = STANDARD.decode(black_box(&ct)).expect("b64");
            let out = raw_key
                .open_in_place(
                    aead::Nonce::assume_unique_for_key(n),
                    aead::Aad::from(b"coupon"),
                    &mut buf,
                )
                .expect("open");
            black_box(out.len());
        })
    });
    g.bench_function("wxpay ApiV3Key::decrypt (base64 + open + zeroize)", |b| {
        b.iter(|| black_box(key.decrypt("coupon", nonce, black_box(&ct)).expect("open")))
    });
    g.finish();
}

criterion_group!(benches, sign, verify, decrypt);
criterion_main!(benches);
