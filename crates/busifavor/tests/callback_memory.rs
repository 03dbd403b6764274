//! Exactly-once handling with the default in-memory store: concurrency, failures, crashes,
//! timeouts, panics, unknown event types, and the builder's rules.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use busifavor::callback::{
    CallbackConfigError, CallbackError, CallbackHandler, Delivery, MemoryStore, StoreError,
    UnknownEvent,
};
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_deliveries_64_x_200_rounds_call_once() {
    let calls = Arc::new(Calls::default());
    let handler = builder(calls.clone(), Behaviour::Slow(Duration::from_millis(1)))
        .build()
        .unwrap();
    concurrent_deliveries_exactly_once(&[handler], &calls, 200, "mem").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_handler_instances_sharing_one_memory_store_call_once() {
    let calls = Arc::new(Calls::default());
    let store = MemoryStore::new();
    let a = builder(calls.clone(), Behaviour::Succeed)
        .store(store.clone())
        .build()
        .unwrap();
    let b = builder(calls.clone(), Behaviour::Succeed)
        .store(store)
        .build()
        .unwrap();
    concurrent_deliveries_exactly_once(&[a, b], &calls, 50, "mem2").await;
}

#[tokio::test]
async fn failure_then_redelivery_is_one_completed_call() {
    let calls = Arc::new(Calls::default());
    let handler = builder(calls.clone(), Behaviour::FailFirst)
        .build()
        .unwrap();
    failure_then_redelivery_completes_once(&handler, &calls, "mem-fail").await;
}

#[tokio::test]
async fn crashed_holder_lease_expires_then_next_delivery_processes() {
    let calls = Arc::new(Calls::default());
    let store = MemoryStore::new();
    let handler = builder(calls.clone(), Behaviour::Succeed)
        .store(store.clone())
        .build()
        .unwrap();
    crashed_holder_lease_expires(&handler, &store, &calls, "mem-crash").await;
}

#[tokio::test]
async fn slow_function_is_answered_503_and_completes_in_the_background() {
    let calls = Arc::new(Calls::default());
    let handler = builder(calls.clone(), Behaviour::Slow(Duration::from_millis(400)))
        .timeout(Duration::from_millis(100))
        .lease(Duration::from_secs(5))
        .build()
        .unwrap();
    let (headers, body) = deliver_parts("slow");
    let first = handler.process_bytes(&headers, &body).await;
    assert!(
        matches!(first, Err(CallbackError::HandlerTimedOut { .. })),
        "{first:?}"
    );
    assert_eq!(handler.respond(&first).status(), 503);
    // While it runs, a redelivery is told to come back later and does not call again.
    let during = handler.process_bytes(&headers, &body).await;
    assert!(
        matches!(during, Err(CallbackError::InProgress { .. })),
        "{during:?}"
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(calls.successes("slow"), 1, "it finished in the background");
    let after = handler.process_bytes(&headers, &body).await;
    assert!(matches!(after, Ok(Delivery::Duplicate { .. })), "{after:?}");
    assert_eq!(calls.for_id("slow"), 1);
}

#[tokio::test]
async fn function_outliving_its_lease_is_cancelled_and_released() {
    let calls = Arc::new(Calls::default());
    let handler = builder(calls.clone(), Behaviour::Slow(Duration::from_secs(30)))
        .timeout(Duration::from_millis(100))
        .lease(Duration::from_millis(400))
        .build()
        .unwrap();
    let (headers, body) = deliver_parts("stuck");
    let first = handler.process_bytes(&headers, &body).await;
    assert!(matches!(first, Err(CallbackError::HandlerTimedOut { .. })));
    tokio::time::sleep(Duration::from_millis(600)).await;
    // Released at the end of its lease: the next delivery claims it (and calls again).
    let next = handler.process_bytes(&headers, &body).await;
    assert!(
        matches!(next, Err(CallbackError::HandlerTimedOut { .. })),
        "{next:?}"
    );
    assert_eq!(calls.for_id("stuck"), 2);
    assert_eq!(calls.successes("stuck"), 0);
}

#[tokio::test]
async fn panicking_function_is_500_and_released() {
    let calls = Arc::new(Calls::default());
    let handler = builder(calls.clone(), Behaviour::Panic).build().unwrap();
    let (headers, body) = deliver_parts("panics");
    for attempt in 1..=2 {
        let result = handler.process_bytes(&headers, &body).await;
        assert!(
            matches!(result, Err(CallbackError::HandlerPanicked { .. })),
            "{result:?}"
        );
        assert_eq!(handler.respond(&result).status(), 500);
        // Released each time: the next delivery calls again.
        assert_eq!(calls.for_id("panics"), attempt);
    }
}

#[tokio::test]
async fn full_memory_store_is_503_and_nothing_runs() {
    let calls = Arc::new(Calls::default());
    let store = MemoryStore::with_capacity(1);
    let handler = builder(calls.clone(), Behaviour::Succeed)
        .store(store.clone())
        .build()
        .unwrap();
    // One live claim fills it.
    let _held = busifavor::callback::IdempotencyStore::claim(
        &store,
        busifavor::callback::ClaimRequest::new("held", Duration::from_secs(30)),
    )
    .await
    .unwrap();
    let (headers, body) = deliver_parts("no-room");
    let result = handler.process_bytes(&headers, &body).await;
    assert!(
        matches!(result, Err(CallbackError::Store(StoreError::Full { .. }))),
        "{result:?}"
    );
    assert_eq!(handler.respond(&result).status(), 503);
    assert_eq!(calls.total(), 0);
}

#[tokio::test]
async fn unknown_event_types_are_acknowledged_or_handed_to_the_fallback_once() {
    let calls = Arc::new(Calls::default());
    let unknown = Notify {
        event_type: "PRODUCT_COUPON.SEND".into(),
        plaintext: br#"{"product_coupon_id":"p-1"}"#.to_vec(),
        ..Notify::coupon("product-1", NOW)
    };
    let (headers, body) = unknown.build(&signer());

    // Default: acknowledged (204) and not processed.
    let handler = builder(calls.clone(), Behaviour::Succeed).build().unwrap();
    let result = handler.process_bytes(&headers, &body).await;
    assert!(
        matches!(&result, Ok(Delivery::Acknowledged { event_type, .. }) if event_type == "PRODUCT_COUPON.SEND"),
        "{result:?}"
    );
    assert_eq!(handler.respond(&result).status(), 204);
    assert_eq!(calls.total(), 0);

    // With a fallback: called once, with the decrypted JSON, under the same exactly-once rules.
    let seen: Arc<std::sync::Mutex<Vec<UnknownEvent>>> = Arc::default();
    let fallback_calls = Arc::new(AtomicUsize::new(0));
    let (s, c) = (seen.clone(), fallback_calls.clone());
    let handler = builder(calls.clone(), Behaviour::Succeed)
        .on_unknown_event(move |event, _meta| {
            let (s, c) = (s.clone(), c.clone());
            async move {
                c.fetch_add(1, Ordering::SeqCst);
                s.lock().unwrap().push(event);
                Ok::<(), std::io::Error>(())
            }
        })
        .build()
        .unwrap();
    for _ in 0..3 {
        assert_eq!(handler.handle_bytes(&headers, &body).await.status(), 204);
    }
    assert_eq!(fallback_calls.load(Ordering::SeqCst), 1);
    let got = seen.lock().unwrap().clone();
    assert_eq!(got[0].event_type, "PRODUCT_COUPON.SEND");
    assert_eq!(got[0].data["product_coupon_id"], "p-1");
    assert_eq!(calls.total(), 0, "the COUPON.SEND function is not involved");

    // Back to acknowledging.
    let handler = builder(calls.clone(), Behaviour::Succeed)
        .on_unknown_event(|_, _| async { Err::<(), _>(std::io::Error::other("never")) })
        .acknowledge_unknown_events()
        .build()
        .unwrap();
    assert_eq!(handler.handle_bytes(&headers, &body).await.status(), 204);
}

#[test]
fn builder_refuses_unusable_settings() {
    let calls = Arc::new(Calls::default());
    let b = || builder(calls.clone(), Behaviour::Succeed);
    let setting = |r: Result<CallbackHandler, CallbackConfigError>| match r {
        Err(CallbackConfigError::InvalidSetting { setting, reason }) => {
            assert!(!reason.is_empty());
            setting
        }
        other => panic!("expected InvalidSetting, got {other:?}"),
    };
    assert_eq!(setting(b().timeout(Duration::ZERO).build()), "timeout");
    assert_eq!(
        setting(b().timeout(Duration::from_secs(6)).build()),
        "timeout"
    );
    assert_eq!(
        setting(
            b().timeout(Duration::from_secs(4))
                .lease(Duration::from_secs(4))
                .build()
        ),
        "lease"
    );
    assert_eq!(
        setting(b().retention(Duration::from_secs(60)).build()),
        "retention"
    );
    assert_eq!(
        setting(b().store_timeout(Duration::ZERO).build()),
        "store_timeout"
    );
    assert_eq!(setting(b().max_body_bytes(0).build()), "max_body_bytes");
    assert!(
        b().retention(busifavor::callback::MIN_RETENTION)
            .build()
            .is_ok()
    );

    let none = CallbackHandler::builder()
        .on_coupon_send(|_, _| async { Ok::<(), std::io::Error>(()) })
        .build();
    assert!(matches!(none, Err(CallbackConfigError::MissingKeys)));
    let no_key = CallbackHandler::builder()
        .verifier(verifier())
        .on_coupon_send(|_, _| async { Ok::<(), std::io::Error>(()) })
        .build();
    assert!(matches!(no_key, Err(CallbackConfigError::MissingApiV3Key)));
    let no_fn = CallbackHandler::builder()
        .verifier(verifier())
        .api_v3_key(apiv3())
        .build();
    assert!(matches!(
        no_fn,
        Err(CallbackConfigError::MissingCouponSendHandler)
    ));
    // A client without an APIv3 key cannot decrypt; a client and a verifier together conflict.
    let client = wxpay_http::Client::builder()
        .mchid("1900009191")
        .merchant_serial("1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C")
        .merchant_private_key_pem(include_str!("../../wxpay-crypto/testdata/merchant_key.pem"))
        .wechatpay_public_key(
            KEY_ID,
            include_str!("../../wxpay-crypto/testdata/wechatpay_pub.pem"),
        )
        .build()
        .unwrap();
    let r = CallbackHandler::builder()
        .client(&client)
        .on_coupon_send(|_, _| async { Ok::<(), std::io::Error>(()) })
        .build();
    assert!(matches!(r, Err(CallbackConfigError::MissingApiV3Key)));
    let r = b().client(&client).build();
    assert!(matches!(r, Err(CallbackConfigError::ConflictingKeys)));
    let msg = CallbackConfigError::MissingKeys.to_string();
    assert!(
        msg.contains(".client(") && msg.contains(".verifier("),
        "{msg}"
    );
}
