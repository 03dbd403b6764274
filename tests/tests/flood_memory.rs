//! Bounded resources under a flood (issue 12, item 3): the callback handler's memory must not
//! grow with the number of distinct callbacks it is sent. Each test runs in its own process
//! (nextest), reads the process's resident set (`VmRSS`) and peak (`VmHWM`) from
//! `/proc/self/status` after a warm-up and at the end, prints both, and fails if the resident
//! set grew by more than a small fixed allowance. The figures are recorded in
//! `docs/security.md`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use busifavor::callback::{CallbackHandler, MemoryStore};
use bytes::Bytes;
use http_body_util::Full;
use wxpay_crypto::{
    ApiV3Key, FixedClock, MerchantPrivateKey, Signer, Verifier, WechatPayPublicKey,
    verification_string,
};

const KEY_ID: &str = "PUB_KEY_ID_0000000000000000000000000000000001";
const APIV3: &str = "0123456789abcdefghijklmnopqrstuv";
const NOW: i64 = 1_798_761_600;
const PLAIN: &str = r#"{"event_type":"EVENT_TYPE_BUSICOUPON_SEND","coupon_code":"1227944959000000911017","stock_id":"1286950000000039","send_time":"2019-12-17T10:35:53+08:00","openid":"odXnH1CJjeQoWTld48db-pnxs-Wg","send_channel":"BUSICOUPON_SEND_CHANNEL_PAYGIFT","send_merchant":"98568888"}"#;

/// `VmRSS` and `VmHWM` of this process, in KiB.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn pem(name: &str) -> String {
    let path = format!(
        "{}/../crates/wxpay-crypto/testdata/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

struct Setup {
    handler: CallbackHandler,
    store: MemoryStore,
    calls: Arc<AtomicUsize>,
    wechat: Signer,
    apiv3: ApiV3Key,
}

fn setup(store_capacity: usize) -> Setup {
    let verifier = Verifier::new().with_public_key(
        KEY_ID,
        WechatPayPublicKey::from_pem(&pem("wechatpay_pub.pem")).expect("public key"),
    );
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let store = MemoryStore::with_capacity(store_capacity);
    let handler = CallbackHandler::builder()
        .verifier(verifier)
        .api_v3_key(ApiV3Key::new(APIV3).expect("key"))
        .clock(FixedClock(NOW))
        .store(store.clone())
        .lease(Duration::from_secs(30))
        .on_coupon_send(move |_event, _meta| {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                Ok::<(), std::io::Error>(())
            }
        })
        .build()
        .expect("handler");
    Setup {
        handler,
        store,
        calls,
        wechat: Signer::new(
            "wechat",
            "x",
            MerchantPrivateKey::from_pem(&pem("wechatpay_key.pem")).expect("key"),
        )
        .expect("signer"),
        apiv3: ApiV3Key::new(APIV3).expect("key"),
    }
}

impl Setup {
    /// A COUPON.SEND delivery with notification id `id`; signed genuinely or with a made-up
    /// signature of the right length.
    fn delivery(&self, id: &str, genuine: bool) -> hyper::Request<Full<Bytes>> {
        // 8 KiB of an undocumented field, so that keeping anything per callback would show.
        let plain = PLAIN.replacen(
            '{',
            &format!("{{\"send_req_no\":\"{}\",", "r".repeat(8 * 1024)),
            1,
        );
        let sealed = self.apiv3.seal("coupon", plain).expect("seal");
        let body = serde_json::json!({
            "id": id,
            "create_time": "2026-12-31T16:00:00+08:00",
            "resource_type": "encrypt-resource",
            "event_type": "COUPON.SEND",
            "summary": "商家券领券通知",
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
        let nonce = format!("n{id}");
        let signature = if genuine {
            self.wechat
                .sign_bytes(&verification_string(&ts, &nonce, body.as_bytes()))
                .expect("sign")
        } else {
            // 256 bytes of base64, as a real signature: the verifier does the full RSA check.
            let forged: Vec<u8> = id.bytes().cycle().take(256).collect();
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, forged)
        };
        hyper::Request::builder()
            .method("POST")
            .uri("/notify")
            .header("Content-Type", "application/json")
            .header("Wechatpay-Timestamp", ts)
            .header("Wechatpay-Nonce", nonce)
            .header("Wechatpay-Signature", signature)
            .header("Wechatpay-Serial", KEY_ID)
            .header("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048")
            .body(Full::new(Bytes::from(body)))
            .expect("request")
    }
}

/// Runs `count` deliveries (from `make`), measuring after `warm_up` of them; returns the
/// statuses seen and (rss after warm-up, rss at the end, peak), KiB.
async fn flood(
    s: &Setup,
    count: usize,
    warm_up: usize,
    genuine: bool,
) -> (Vec<u16>, (u64, u64, u64)) {
    let mut statuses = Vec::new();
    let mut after_warm_up = 0;
    for i in 0..count {
        if i == warm_up {
            after_warm_up = memory_kib().0;
        }
        let response = s
            .handler
            .handle(s.delivery(&format!("flood-{i:08}"), genuine))
            .await;
        let status = response.status().as_u16();
        if !statuses.contains(&status) {
            statuses.push(status);
        }
    }
    let (rss, peak) = memory_kib();
    (statuses, (after_warm_up, rss, peak))
}

/// What the resident set may grow by after the warm-up: allocator noise, not per-callback
/// state: every callback carries 8 KiB, so keeping each would add 16 MiB (forged) or
/// 4.7 MiB (genuine, past the store capacity).
const ALLOWANCE_KIB: u64 = 2 * 1024;

#[tokio::test(flavor = "current_thread")]
async fn a_flood_of_unique_forged_callbacks_does_not_grow_memory() {
    let s = setup(busifavor::callback::DEFAULT_MEMORY_CAPACITY);
    let (statuses, (warm, end, peak)) = flood(&s, 2_500, 500, false).await;
    println!(
        "forged flood: 2500 unique forged callbacks, statuses {statuses:?}; VmRSS after 500: {warm} KiB, after 2500: {end} KiB (growth {} KiB); VmHWM {peak} KiB",
        end.saturating_sub(warm)
    );
    assert_eq!(statuses, [401], "every forged delivery is refused");
    assert_eq!(s.calls.load(Ordering::SeqCst), 0);
    assert!(s.store.is_empty(), "a forged callback reached the store");
    assert!(
        end.saturating_sub(warm) < ALLOWANCE_KIB,
        "memory grew by {} KiB over 2000 forged callbacks",
        end.saturating_sub(warm)
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_flood_of_unique_genuine_callbacks_is_bounded_by_the_store_capacity() {
    // Genuine, distinct notifications are remembered (to de-duplicate redeliveries) up to the
    // store's capacity, then the oldest completions are evicted.
    let capacity = 100;
    let s = setup(capacity);
    let (statuses, (warm, end, peak)) = flood(&s, 900, 300, true).await;
    println!(
        "genuine flood: 900 unique signed callbacks into a MemoryStore of capacity {capacity}, statuses {statuses:?}; VmRSS after 300: {warm} KiB, after 900: {end} KiB (growth {} KiB); VmHWM {peak} KiB",
        end.saturating_sub(warm)
    );
    assert_eq!(statuses, [204]);
    assert_eq!(s.calls.load(Ordering::SeqCst), 900);
    assert!(s.store.len() <= capacity, "{} entries held", s.store.len());
    assert!(
        end.saturating_sub(warm) < ALLOWANCE_KIB,
        "memory grew by {} KiB over 600 callbacks with a full store",
        end.saturating_sub(warm)
    );
}
