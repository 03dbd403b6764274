//! The callback handler end to end, as a merchant mounts it: arbitrary headers and body into
//! `CallbackHandler::process_bytes` with the in-memory store, then `respond`. The first byte
//! chooses how much of the input is made genuine, so the fuzzer reaches every stage:
//!
//! * bit 0: sign the body correctly (as WeChat Pay would, at the handler's clock), replacing
//!   whatever `Wechatpay-Timestamp`/`Nonce`/`Signature`/`Serial` the input carried;
//! * bit 1: the body is a COUPON.SEND plaintext, sealed into a correct envelope with the APIv3
//!   key (otherwise the body is used as it is).
//!
//! The rest of the input is `Name: value` lines, an empty line, then the body. Oracles beyond
//! "no panic": the user's function runs only for a body this target signed itself (a forged
//! delivery never reaches it), and the answer is 2xx exactly when processing succeeded.
#![no_main]

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use busifavor::callback::{CallbackHandler, MemoryStore};
use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use wxpay_crypto::{
    ApiV3Key, FixedClock, MerchantPrivateKey, Signer, Verifier, WechatPayPublicKey,
    verification_string,
};

const ID: &str = "PUB_KEY_ID_0000000000000000000000000000000001";
const NOW: i64 = 1_700_000_000;
const APIV3: &str = "0123456789abcdefghijklmnopqrstuv";

static CALLS: AtomicUsize = AtomicUsize::new(0);

struct Fixture {
    runtime: tokio::runtime::Runtime,
    handler: CallbackHandler,
    wechat: Signer,
    key: ApiV3Key,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let verifier = Verifier::new().with_public_key(
            ID,
            WechatPayPublicKey::from_pem(include_str!(
                "../../crates/wxpay-crypto/testdata/wechatpay_pub.pem"
            ))
            .expect("test public key loads"),
        );
        let handler = CallbackHandler::builder()
            .verifier(verifier)
            .api_v3_key(ApiV3Key::new(APIV3).expect("32 bytes"))
            .clock(FixedClock(NOW))
            // Small, so the fuzzer also exercises eviction.
            .store(MemoryStore::with_capacity(64))
            .on_coupon_send(|_event, _meta| async move {
                CALLS.fetch_add(1, Ordering::SeqCst);
                Ok::<(), std::io::Error>(())
            })
            .build()
            .expect("handler");
        Fixture {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime"),
            handler,
            wechat: Signer::new(
                "wechat",
                "x",
                MerchantPrivateKey::from_pem(include_str!(
                    "../../crates/wxpay-crypto/testdata/wechatpay_key.pem"
                ))
                .expect("test key loads"),
            )
            .expect("signer"),
            key: ApiV3Key::new(APIV3).expect("32 bytes"),
        }
    })
}

/// `Name: value` lines up to the first empty line; the rest is the body.
fn split(data: &[u8]) -> (HeaderMap, &[u8]) {
    let mut headers = HeaderMap::new();
    let mut rest = data;
    while let Some(end) = rest.iter().position(|&b| b == b'\n') {
        let line = &rest[..end];
        rest = &rest[end + 1..];
        if line.is_empty() {
            break;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(line[colon + 1..].trim_ascii()),
        ) {
            headers.append(name, value);
        }
    }
    (headers, rest)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let f = fixture();
    let (mut headers, raw_body) = split(rest);
    let sealed_body;
    let body: &[u8] = if mode & 2 != 0 {
        let Ok(sealed) = f.key.seal("coupon", raw_body) else {
            return;
        };
        // The id is derived from the body so distinct inputs are distinct notifications.
        let id = format!("fuzz-{:016x}", fxhash(raw_body));
        sealed_body = serde_json::json!({
            "id": id,
            "create_time": "2023-11-14T22:13:20+08:00",
            "resource_type": "encrypt-resource",
            "event_type": "COUPON.SEND",
            "summary": "fuzz",
            "resource": {
                "original_type": "coupon",
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": sealed.ciphertext,
                "associated_data": "coupon",
                "nonce": sealed.nonce,
            }
        })
        .to_string()
        .into_bytes();
        &sealed_body
    } else {
        raw_body
    };
    let signed = mode & 1 != 0;
    if signed {
        let ts = NOW.to_string();
        let Ok(signature) = f
            .wechat
            .sign_bytes(&verification_string(&ts, "fuzz-nonce", body))
        else {
            return;
        };
        for (name, value) in [
            ("wechatpay-timestamp", ts.as_str()),
            ("wechatpay-nonce", "fuzz-nonce"),
            ("wechatpay-signature", signature.as_str()),
            ("wechatpay-serial", ID),
        ] {
            headers.insert(name, HeaderValue::from_str(value).expect("ASCII"));
        }
    }
    let before = CALLS.load(Ordering::SeqCst);
    let result = f.runtime.block_on(f.handler.process_bytes(&headers, body));
    let called = CALLS.load(Ordering::SeqCst) != before;
    assert!(
        !called || signed,
        "the user's function ran for a delivery this target did not sign"
    );
    let status = f.handler.respond(&result).status();
    assert_eq!(
        status.is_success(),
        result.is_ok(),
        "status {status} for {result:?}"
    );
});

/// A small non-cryptographic hash (FNV-1a) for notification ids.
fn fxhash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
