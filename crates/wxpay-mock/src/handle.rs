//! Starting the simulator ([`MockBuilder`]) and driving it ([`MockHandle`]).

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use wxpay_crypto::{Clock, SystemClock, Verifier};
use wxpay_model::busifavor::{CouponCodeMode, SetCallbackRequest, StockState};

use crate::api_error::ApiError;
use crate::callbacks::{DeliveryAttempt, NotificationRecord, Notifier, RetrySchedule};
use crate::claims::{Claim, ClaimedCoupon};
use crate::connections::OpenConnections;
use crate::error::{Error, Result};
use crate::faults::{Fault, Faults};
use crate::keys::SimulatorKeys;
use crate::limits::Limits;
use crate::merchant::{DEMO_MCHID, Merchant, MerchantConfig, demo_merchant_private_key_pem};
use crate::server::serve;
use crate::shared::Shared;
use crate::state::State;
use crate::state::idempotency::IdempotencyStore;

/// Configures and starts a simulator.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), wxpay_mock::Error> {
/// let mock = wxpay_mock::MockBuilder::new().start().await?;
/// assert!(mock.base_url().starts_with("http://127.0.0.1:"));
/// mock.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub struct MockBuilder {
    addr: SocketAddr,
    keys: Option<Arc<SimulatorKeys>>,
    merchants: Vec<MerchantConfig>,
    demo: bool,
    clock: Arc<dyn Clock>,
    tolerance: u64,
    schedule: RetrySchedule,
    limits: Limits,
}

impl std::fmt::Debug for MockBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockBuilder")
            .field("addr", &self.addr)
            .field("merchants", &self.merchants)
            .field("demo", &self.demo)
            .field("tolerance", &self.tolerance)
            .field("schedule", &self.schedule)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Default for MockBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl MockBuilder {
    /// 127.0.0.1 on an ephemeral port, built-in keys, the demo merchant, the system clock, a
    /// 300 s timestamp window and WeChat Pay's callback schedule (60 s × 11).
    pub fn new() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            keys: None,
            merchants: Vec::new(),
            demo: true,
            clock: Arc::new(SystemClock),
            tolerance: 300,
            schedule: RetrySchedule::default(),
            limits: Limits::default(),
        }
    }

    /// Listens on this address instead (e.g. `127.0.0.1:8080`).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Uses your own key material instead of the built-in simulator keys.
    pub fn keys(mut self, keys: SimulatorKeys) -> Self {
        self.keys = Some(Arc::new(keys));
        self
    }

    /// Registers a merchant (in addition to the demo merchant unless
    /// [`MockBuilder::without_demo_merchant`]).
    pub fn merchant(mut self, merchant: MerchantConfig) -> Self {
        self.merchants.push(merchant);
        self
    }

    /// Does not register the demo merchant.
    pub fn without_demo_merchant(mut self) -> Self {
        self.demo = false;
        self
    }

    /// The clock for signatures, timestamp checks and validity windows.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Accepted skew of request timestamps, seconds (default 300).
    pub fn timestamp_tolerance(mut self, seconds: u64) -> Self {
        self.tolerance = seconds;
        self
    }

    /// Callback retry schedule (default WeChat Pay's: every 60 s, 11 attempts, 5 s timeout).
    pub fn retry_schedule(mut self, schedule: RetrySchedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// Connections served at once (default 1024, allowed 1–1 000 000). A connection beyond
    /// this is accepted and closed at once, without an answer; see
    /// [`MockHandle::open_connections`].
    pub fn max_connections(mut self, n: usize) -> Self {
        self.limits.max_connections = n;
        self
    }

    /// How long a client may take to send a request's complete headers (default 30 s,
    /// allowed 10 ms–1 h), counted from connecting or from the last answer on a kept-alive
    /// connection; a connection without a complete head by then is closed.
    pub fn header_read_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.limits.header_read_timeout = timeout;
        self
    }

    /// How many request numbers (`out_request_no`, `use_request_no`, …) are remembered for
    /// idempotent replays (default 100 000, allowed 1–100 000 000). When full, the oldest is
    /// forgotten: a replay of a forgotten number runs as a new request.
    pub fn idempotency_capacity(mut self, n: usize) -> Self {
        self.limits.idempotency_capacity = n;
        self
    }

    /// Approximate memory the remembered requests and answers may take (default 64 MiB,
    /// allowed 1 KiB–1 TiB); the oldest are forgotten beyond it.
    pub fn idempotency_max_bytes(mut self, bytes: usize) -> Self {
        self.limits.idempotency_max_bytes = bytes;
        self
    }

    /// Binds and starts serving in the background. Must be called inside a tokio runtime.
    ///
    /// Fails with [`Error::Config`] if a limit is out of its range, before binding.
    pub async fn start(self) -> Result<MockHandle> {
        let addr = self.addr;
        let (shared, limits) = self.into_shared(tokio::runtime::Handle::current())?;
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stop_rx) = oneshot::channel();
        let open = OpenConnections::default();
        let task = tokio::spawn(serve(
            listener,
            Arc::clone(&shared),
            limits,
            open.clone(),
            stop_rx,
        ));
        tracing::info!(%addr, "wxpay-mock: WeChat Pay simulator listening");
        Ok(MockHandle {
            addr,
            shared,
            open,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Uses key material already loaded (the fuzzing entry shares one set across inputs).
    #[cfg(feature = "fuzzing")]
    pub(crate) fn shared_keys(mut self, keys: Arc<SimulatorKeys>) -> Self {
        self.keys = Some(keys);
        self
    }

    /// What the request handlers run on (keys, merchants, state, notifier), without a socket;
    /// callback deliveries are spawned on `runtime`.
    pub(crate) fn into_shared(
        self,
        runtime: tokio::runtime::Handle,
    ) -> Result<(Arc<Shared>, Limits)> {
        self.limits.check()?;
        let keys = match self.keys {
            Some(k) => k,
            None => Arc::new(SimulatorKeys::builtin()?),
        };
        let mut configs = self.merchants;
        if self.demo && !configs.iter().any(|m| m.mchid() == DEMO_MCHID) {
            configs.insert(0, MerchantConfig::demo());
        }
        let mut merchants = HashMap::new();
        for config in configs {
            let mchid = config.mchid().to_owned();
            if merchants
                .insert(mchid.clone(), Merchant::new(config)?)
                .is_some()
            {
                return Err(Error::MerchantConfig {
                    mchid,
                    problem: "registered twice".to_owned(),
                });
            }
        }
        let notifier = Arc::new(Notifier::new(
            Arc::clone(&keys),
            Arc::clone(&self.clock),
            self.schedule,
            runtime,
        ));
        let mut state = State::default();
        state.idempotency = IdempotencyStore::new(
            self.limits.idempotency_capacity,
            self.limits.idempotency_max_bytes,
        );
        let shared = Arc::new(Shared {
            keys,
            merchants,
            state: Mutex::new(state),
            clock: self.clock,
            tolerance: self.tolerance,
            faults: Faults::default(),
            notifier,
            stopping: tokio::sync::watch::channel(false).0,
        });
        Ok((shared, self.limits))
    }

    /// Starts, runs until `shutdown` resolves, then shuts down gracefully (for a standalone
    /// `wxpay mock serve`). `on_start` sees the handle first, e.g. to print the base URL.
    pub async fn serve(
        self,
        on_start: impl FnOnce(&MockHandle),
        shutdown: impl Future<Output = ()>,
    ) -> Result<()> {
        let handle = self.start().await?;
        on_start(&handle);
        shutdown.await;
        handle.shutdown().await;
        Ok(())
    }
}

/// A running simulator. Dropping it stops the server (without waiting); prefer
/// [`MockHandle::shutdown`].
pub struct MockHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    open: OpenConnections,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for MockHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl MockHandle {
    /// `http://127.0.0.1:PORT` — use as the client's base URL instead of
    /// `https://api.mch.weixin.qq.com`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many client connections are being served now (at most
    /// [`MockBuilder::max_connections`]).
    pub fn open_connections(&self) -> usize {
        self.open.count()
    }

    /// How many request numbers are remembered for idempotent replays now (at most
    /// [`MockBuilder::idempotency_capacity`]).
    pub fn remembered_request_numbers(&self) -> usize {
        self.shared
            .with_state(|st| st.idempotency.len())
            .unwrap_or_default()
    }

    /// The simulator's key material (public key, platform certificate).
    pub fn keys(&self) -> &SimulatorKeys {
        &self.shared.keys
    }

    /// A verifier holding both simulator keys, for checking answers and callbacks.
    pub fn verifier(&self) -> Verifier {
        self.shared.keys.verifier()
    }

    /// The demo merchant's private key PEM (see [`crate::DEMO_MCHID`]).
    pub fn demo_merchant_private_key_pem(&self) -> &'static str {
        demo_merchant_private_key_pem()
    }

    /// Writes `wechatpay_pub.pem`, `platform_cert.pem` and `demo_merchant_key.pem` into `dir`.
    pub fn write_key_files(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("wechatpay_pub.pem"), self.keys().public_key_pem())?;
        std::fs::write(
            dir.join("platform_cert.pem"),
            self.keys().platform_certificate_pem(),
        )?;
        std::fs::write(
            dir.join("demo_merchant_key.pem"),
            demo_merchant_private_key_pem(),
        )
    }

    /// Plays a user claiming a coupon (simulator-only): issues it and sends COUPON.SEND.
    pub fn claim_coupon(&self, claim: &Claim) -> Result<ClaimedCoupon, ApiError> {
        self.shared.claim(claim)
    }

    /// Sets a stock's state (`RUNNING`, `PAUSED`, `STOPED`, `UNAUDIT`) — what the merchant
    /// platform or an audit would do.
    pub fn set_stock_state(
        &self,
        stock_id: &str,
        state: impl Into<StockState>,
    ) -> Result<(), ApiError> {
        let new_state = state.into();
        if new_state.is_unknown() {
            return Err(ApiError::param(
                "/stock_state",
                new_state.as_str(),
                "未知的批次状态",
            ));
        }
        self.shared.with_state(|st| {
            let stock = st
                .stocks
                .get_mut(stock_id)
                .ok_or_else(|| ApiError::not_found(format!("批次{stock_id}不存在")))?;
            stock.info.stock_state = new_state;
            Ok(())
        })?
    }

    /// A stock as `GET /stocks/{id}` would answer it.
    pub fn stock(&self, stock_id: &str) -> Option<Value> {
        let now = self.shared.now();
        self.shared
            .with_state(|st| {
                let s = st.stocks.get(stock_id)?;
                let counts = st.codes.get(stock_id).map(|p| (p.total(), p.available()));
                let upload = *s.code_mode() == CouponCodeMode::MerchantUpload;
                serde_json::to_value(s.render(now, counts.filter(|_| upload))).ok()
            })
            .ok()
            .flatten()
    }

    /// Every coupon, as CouponEntity JSON.
    pub fn coupons(&self) -> Vec<Value> {
        let now = self.shared.now();
        self.shared
            .with_state(|st| {
                st.coupons
                    .values()
                    .filter_map(|c| st.render_coupon(c, now).ok())
                    .filter_map(|c| serde_json::to_value(c).ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Sets a merchant's callback URL directly (simulator-only). The SDK's request validation
    /// refuses `http://` notify URLs, as production requires HTTPS; a local test endpoint on
    /// loopback without TLS is registered through this instead of the API.
    pub fn set_notify_url(&self, mchid: &str, url: &str) -> Result<(), ApiError> {
        SetCallbackRequest::new(url)
            .validate_allowing_loopback()
            .map_err(|e| {
                ApiError::param("/notify_url", url, &format!("notify_url must {}", e.rule))
            })?;
        self.shared.with_state(|st| {
            st.notify_urls.insert(
                mchid.to_owned(),
                crate::state::NotifyUrl {
                    url: url.to_owned(),
                },
            );
        })
    }

    /// The callback URL a merchant set.
    pub fn notify_url(&self, mchid: &str) -> Option<String> {
        self.shared
            .with_state(|st| st.notify_urls.get(mchid).map(|n| n.url.clone()))
            .ok()
            .flatten()
    }

    /// Every callback delivery attempt so far.
    pub fn deliveries(&self) -> Vec<DeliveryAttempt> {
        self.shared.notifier.attempts()
    }

    /// Every notification produced so far, with its status.
    pub fn notifications(&self) -> Vec<NotificationRecord> {
        self.shared.notifier.notifications()
    }

    /// Resolves when no callback is pending (each delivered, given up or cancelled).
    pub async fn deliveries_settled(&self) {
        self.shared.notifier.settled().await;
    }

    /// Changes the retry schedule for notifications produced from now on.
    pub fn set_retry_schedule(&self, schedule: RetrySchedule) {
        self.shared
            .notifier
            .update_options(|o| o.schedule = schedule);
    }

    /// After a successful delivery, sends the same notification `n` more times (duplicates
    /// a merchant must tolerate).
    pub fn set_duplicate_deliveries(&self, n: u32) {
        self.shared.notifier.update_options(|o| o.duplicates = n);
    }

    /// Sends a `WECHATPAY/SIGNTEST/` probe before each genuine delivery.
    pub fn set_probe_first(&self, yes: bool) {
        self.shared.notifier.update_options(|o| o.probe_first = yes);
    }

    /// Adds a fault rule.
    pub fn inject_fault(&self, fault: Fault) {
        self.shared.faults.add(fault);
    }

    /// The fault rules still in force, in the order they were added (a counted rule
    /// disappears once used up).
    pub fn faults(&self) -> Vec<Fault> {
        self.shared.faults.rules()
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Stops accepting, stops callback deliveries, drains open connections (≤ 5 s).
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.shared.notifier.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_under_the_state_lock_neither_crashes_nor_poisons() {
        let mock = MockBuilder::new().start().await.unwrap();
        // A bug panicking inside a state operation is answered as SYSTEM_ERROR…
        let e = mock
            .shared
            .with_state(|_| -> u8 { panic!("simulated bug") })
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (500, "SYSTEM_ERROR"));
        // …and later operations still work, even if the mutex was poisoned some other way.
        let shared = Arc::clone(&mock.shared);
        let poisoner = std::thread::spawn(move || {
            let _guard = shared.state.lock();
            panic!("poison the state lock");
        });
        assert!(poisoner.join().is_err());
        mock.set_notify_url(DEMO_MCHID, "http://127.0.0.1:9/cb")
            .unwrap();
        assert_eq!(
            mock.notify_url(DEMO_MCHID).as_deref(),
            Some("http://127.0.0.1:9/cb")
        );
        mock.shutdown().await;
    }

    #[tokio::test]
    async fn shutdown_cancels_pending_callbacks_and_waits_for_them() {
        use std::time::Duration;
        let mock = MockBuilder::new()
            .retry_schedule(RetrySchedule::new(Duration::from_secs(60), 11))
            .start()
            .await
            .unwrap();
        // An endpoint that accepts connections and closes them unanswered: every try fails.
        let sink = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/cb", sink.local_addr().unwrap());
        let sink_task = tokio::spawn(async move {
            while let Ok((stream, _)) = sink.accept().await {
                drop(stream);
            }
        });
        mock.set_notify_url(DEMO_MCHID, &url).unwrap();
        mock.shared.notify(
            DEMO_MCHID,
            serde_json::json!({"event_type": "EVENT_TYPE_BUSICOUPON_SEND"}),
        );
        // The first attempt fails; the next one is 60 s away.
        while mock.deliveries().is_empty() {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let shared = Arc::clone(&mock.shared);
        tokio::time::timeout(Duration::from_secs(3), mock.shutdown())
            .await
            .expect("shutdown waited for the retry schedule");
        let n = shared.notifier.notifications();
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].status, crate::DeliveryStatus::Cancelled);
        assert_eq!(shared.notifier.attempts().len(), 1);
        sink_task.abort();
    }
}
