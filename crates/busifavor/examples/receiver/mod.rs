//! The receiving side of COUPON.SEND callbacks, shared by the `callback_axum` example and the
//! `callback_http` bench (which runs it in a child process under load): the ledger your
//! function writes to, the store, the handler's wiring and the axum app.
// Each user of this module takes the part it needs.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use busifavor::callback::{
    CallbackHandler, CallbackHandlerBuilder, CallbackMeta, IdempotencyStore, MemoryStore,
};
use wxpay_model::busifavor::CouponSendEvent;

/// Errors of the examples' set-up.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Your side effect, idempotent by `coupon_code` and guarded by the fencing number: a write
/// carrying a smaller fencing number than the one stored is refused, so a delivery whose lease
/// ran out cannot overwrite the one that took over. (In SQL: `INSERT … ON CONFLICT
/// (coupon_code) DO UPDATE … WHERE coupons.fencing < EXCLUDED.fencing`.)
#[derive(Clone, Default)]
pub struct CouponLedger {
    coupons: Arc<Mutex<HashMap<String, (String, u64)>>>,
}

impl CouponLedger {
    /// Records the coupon unless a delivery with an equal or larger fencing number did.
    pub async fn record(
        &self,
        event: &CouponSendEvent,
        meta: &CallbackMeta,
    ) -> Result<(), BoxError> {
        let mut coupons = self.coupons.lock().map_err(|_| "ledger lock poisoned")?;
        match coupons.get(&event.coupon_code) {
            Some((_, fencing)) if *fencing >= meta.fencing => {} // already recorded: no-op
            _ => {
                coupons.insert(
                    event.coupon_code.clone(),
                    (event.stock_id.clone(), meta.fencing),
                );
            }
        }
        Ok(())
    }

    /// How many coupons are recorded.
    pub fn len(&self) -> usize {
        self.coupons.lock().map(|c| c.len()).unwrap_or(0)
    }
}

/// The idempotency store chosen by `WXPAY_CALLBACK_STORE`.
pub async fn store() -> Result<Arc<dyn IdempotencyStore>, BoxError> {
    match std::env::var("WXPAY_CALLBACK_STORE").as_deref() {
        #[cfg(feature = "redis")]
        Ok("redis") => {
            let url = std::env::var("REDIS_URL").unwrap_or("redis://127.0.0.1:6379".into());
            Ok(Arc::new(
                busifavor::callback::RedisStore::connect(&url).await?,
            ))
        }
        #[cfg(feature = "postgres")]
        Ok("postgres") => {
            let url = std::env::var("DATABASE_URL")
                .unwrap_or("postgres://postgres@127.0.0.1:5432/test".into());
            let store = busifavor::callback::PostgresStore::connect(&url)?;
            store.migrate().await?;
            Ok(Arc::new(store))
        }
        Ok("memory") | Err(_) => Ok(Arc::new(MemoryStore::new())),
        Ok(other) => Err(format!("unknown or not compiled-in store {other:?}").into()),
    }
}

/// The handler: keys and clock already on `builder` (from your client, or fixed), then a
/// store and your function; `log` prints one line per coupon.
pub fn build_handler(
    builder: CallbackHandlerBuilder,
    store: Arc<dyn IdempotencyStore>,
    ledger: CouponLedger,
    log: bool,
) -> Result<CallbackHandler, BoxError> {
    Ok(builder
        .shared_store(store)
        .on_coupon_send(move |event, meta| {
            let ledger = ledger.clone();
            async move {
                ledger.record(&event, &meta).await?;
                if log {
                    println!(
                        "coupon {} of stock {} via {} (notification {}, fencing {})",
                        event.coupon_code,
                        event.stock_id,
                        event.send_channel,
                        meta.notification_id,
                        meta.fencing
                    );
                }
                Ok::<(), BoxError>(())
            }
        })
        .build()?)
}

/// Mount it: the handler is a tower `Service`, so axum takes it as it is.
pub fn app(handler: CallbackHandler) -> axum::Router {
    axum::Router::new().route_service(PATH, handler)
}

/// Where the app receives callbacks.
pub const PATH: &str = "/wechatpay/coupon";
