//! Heap allocations per opened callback and per signed `Authorization` header, counted exactly
//! by a counting global allocator (`stats_alloc` wrapping the system allocator: the unsafe
//! `GlobalAlloc` impl lives in that crate, so this file keeps `forbid(unsafe_code)`).
//!
//! Not a timing: every count is exact and the same on every run. Each operation runs
//! [`ROUNDS`] times inside a counting region (once under `--test`/`--quick` or `cargo test`);
//! the result is printed and, in a full run, written to
//! `target/wxpay-bench/allocs [<backend>].json` for `cargo xtask bench`.
//!
//! `cargo bench -p wxpay-model --bench allocs [--features aws-lc-rs]`
#![allow(missing_docs)]

use std::alloc::System;
use std::path::PathBuf;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use wxpay_crypto::{
    ApiV3Key, BACKEND, FixedClock, MerchantPrivateKey, SignatureHeaders, Signer, Verifier,
    WechatPayPublicKey,
};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The spec's A.5 callback (the same one the `open` bench uses).
const BODY: &str = r#"{"id":"8b33f79f-8869-5ae5-b41b-3c0b59f957d0","create_time":"2019-12-12T16:54:38+08:00","resource_type":"encrypt-resource","event_type":"COUPON.SEND","summary":"商家券领券通知","resource":{"original_type":"coupon","algorithm":"AEAD_AES_256_GCM","ciphertext":"TM+gylPJHsCnRYOe1FCfedKo4T7nDCxE4+RAkmOpKW7kepEn6yco586AoWwrynAckbvaMk/yGAbQyvU5siY/FvfYkZCgeDVKBsTR2sjzy0lxLEqqjUIYhH86tvoyrMEcK+1aevo2YQW8wuzLRA01QKfrqAacUeeCtsVMzElx3kT2zKjxZJf0NutRYtsFYJIXI7L7shml1ZzdRVPXDnp3s+Kl9pd369eyIEwiJYZOS8ud7TEce2uRqGIg+MSY2aqIGisTRIfwVoKueoldukNeiZO8wl+QzoILmcyMy0DkJGqVFjZesNDnCcFNEFme/Uvzx1BZmq4aIhZt6mMJ5OhRgnx+myxg+bvSHEgGKbO+JEHJMw77UZ8WUYaBpKUevyPf4ucYS/UrRayBrGYXQ0R7FeHRhPCRcurkbnbQtiLLNQzCCnQYPXoElUy96Lmam7xfWC0xbr4ozLi7EwNpWMLn7Lh0JlmLKQqPiHaqHtOuROIvf2lQRKQVheZvGrderg8/wUYp9tWfGc/7w8pcU7GmkQ+P/kQRFkeEVg==","associated_data":"coupon","nonce":"j9g1wAzF9Xn1"}}"#;
const SIGNATURE: &str = "oZkZQvatL31bl0Q6t8z6QnJSsmnx6uRj3LEEm18xHe/FJNxaXPFSLe/jsVxfGGz8snlM0glAv0vEURfNks6HfX+8/MX1W9Mq22/NJvHAKNLFORx8ry9dAg/gvIjo1WYmcEhq3Ze24l8Hr+M84+83xNEadekbtzmItbtwezKjifPBd6DsnET2Z0LaaFBYqpks1mxpFlV6XoAzcM5iruQ/d6mMbhz4i0flA+ZTtLWBc89+oGS0u2fVZbWA3Jp0J9VK5bd8/coCWqEKLXM/LY58ZHbya6pFFtMDPy2yHQLwKHdAuhGQcBkHE6dYah2RaHzyJoyA7cABL+sHni81Dz7KFQ==";
const SERIAL: &str = "PUB_KEY_ID_00000000000000000000000000000001";
const PUB_PEM: &str = include_str!("../../wxpay-crypto/testdata/spec_a1_pub.pem");
const MERCHANT_KEY: &str = include_str!("../../wxpay-crypto/testdata/merchant_key.pem");

/// How often each operation runs in a full run; counts are divided by it.
const ROUNDS: u64 = 1000;

struct Count {
    name: &'static str,
    allocations: f64,
    bytes: f64,
}

/// Runs `op` `rounds` times in a counting region; returns allocations and bytes per call.
fn count(name: &'static str, rounds: u64, mut op: impl FnMut()) -> Count {
    op(); // warm-up: one-time lazy initialisation is not a per-call cost
    let region = Region::new(GLOBAL);
    for _ in 0..rounds {
        op();
    }
    let stats = region.change();
    Count {
        name,
        allocations: stats.allocations as f64 / rounds as f64,
        bytes: stats.bytes_allocated as f64 / rounds as f64,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --bench allocs` (CI's smoke run) does not.
    let args: Vec<String> = std::env::args().collect();
    let quick = !args.iter().any(|a| a == "--bench")
        || args.iter().any(|a| a == "--test" || a == "--quick");
    let rounds = if quick { 1 } else { ROUNDS };

    let verifier = Verifier::new().with_public_key(
        SERIAL,
        WechatPayPublicKey::from_pem(PUB_PEM).expect("public key"),
    );
    let apiv3 = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv").expect("apiv3 key");
    let clock = FixedClock(1_576_140_878);
    // As a web framework hands them over (also independent of SignatureHeaders' field list).
    let pairs = [
        ("Wechatpay-Timestamp", "1576140878"),
        ("Wechatpay-Nonce", "c5ac7061fccab6bf3e254dcf98995b8c"),
        ("Wechatpay-Signature", SIGNATURE),
        ("Wechatpay-Serial", SERIAL),
    ];
    let headers = SignatureHeaders::from_pairs(pairs.iter().map(|(k, v)| (k, v)));
    let signer = Signer::new(
        "1900009191",
        "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
        MerchantPrivateKey::from_pem(MERCHANT_KEY).expect("merchant key"),
    )
    .expect("signer");

    let counts = [
        count("open_notification (A.5 COUPON.SEND)", rounds, || {
            let n = wxpay_model::open_notification(
                &headers,
                BODY.as_bytes(),
                &verifier,
                &apiv3,
                &clock,
            )
            .expect("opens");
            std::hint::black_box(n);
        }),
        count(
            "Verifier::verify (the callback's signature)",
            rounds,
            || {
                verifier
                    .verify(&headers, BODY.as_bytes(), 1_576_140_878)
                    .expect("verifies");
            },
        ),
        count("Signer::sign (one Authorization header)", rounds, || {
            let a = signer
                .sign(
                    "GET",
                    "/v3/marketing/busifavor/stocks/98065001",
                    b"",
                    1_554_208_460,
                    "593BEC0C930BF1AFEB40B4A08C8FB242",
                )
                .expect("signs");
            std::hint::black_box(a);
        }),
    ];

    let mut json = format!("{{\"backend\":\"{BACKEND}\",\"rounds\":{rounds},\"counts\":[");
    for (i, c) in counts.iter().enumerate() {
        println!(
            "allocs [{BACKEND}] {}: {:.1} allocations, {:.0} bytes per call",
            c.name, c.allocations, c.bytes
        );
        if i > 0 {
            json.push(',');
        }
        json.push_str(&format!(
            "{{\"name\":\"{}\",\"allocations\":{},\"bytes\":{}}}",
            c.name, c.allocations, c.bytes
        ));
    }
    json.push_str("]}\n");
    if !quick {
        let dir = target_dir().join("wxpay-bench");
        let path = dir.join(format!("allocs [{BACKEND}].json"));
        if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, json)) {
            eprintln!("could not write {}: {e}", path.display());
        }
    }
}

/// `target/` (or `CARGO_TARGET_DIR`): the bench binary runs from `target/release/deps/`.
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return dir.into();
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .unwrap_or_else(|| PathBuf::from("target"))
}
