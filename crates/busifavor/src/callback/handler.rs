//! The handler: read → verify (once) → open → claim → the user's function → complete or
//! release → reply.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt as _;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};
use tokio::time::Instant;
use wxpay_crypto::{ApiV3Key, Clock, SystemClock, Verifier};
use wxpay_model::busifavor::CouponSendEvent;
use wxpay_model::{Event, Notification, NotificationEnvelope, NotificationReply};

use super::error::{CallbackConfigError, CallbackError, HandlerError};
use super::headers::{self, DeliveryHeaders};
use super::keys::Keys;
use super::meta::{CallbackMeta, UnknownEvent};
use super::store::{
    ClaimOutcome, ClaimRequest, DEFAULT_LEASE, DEFAULT_RETENTION, IdempotencyStore, Lease,
    MIN_RETENTION, MemoryStore, StoreError, StoreFuture,
};

/// Default time the user's function has before the delivery is answered 5xx: 4 s (WeChat
/// Pay waits 5 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(4);

/// How long WeChat Pay waits for an answer; the handler's timeout may not exceed it.
pub const WECHAT_ANSWER_LIMIT: Duration = Duration::from_secs(5);

/// Default time one store call (claim, complete, release) may take: 1 s.
pub const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_secs(1);

/// Default body cap: 64 KiB (a COUPON.SEND notification is about 1 KiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

/// Boxed error of a request body.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The future a user's function returns, boxed.
type WorkFuture = Pin<Box<dyn Future<Output = Result<(), HandlerError>> + Send + 'static>>;
type CouponFn = dyn Fn(CouponSendEvent, CallbackMeta) -> WorkFuture + Send + Sync;
type UnknownFn = dyn Fn(UnknownEvent, CallbackMeta) -> WorkFuture + Send + Sync;
type Caught = Result<Result<(), HandlerError>, Box<dyn Any + Send>>;

/// The success answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SuccessReply {
    /// `204 No Content` (recommended, the default).
    #[default]
    NoContent,
    /// `200` with `{"code":"SUCCESS"}`, for proxies or gateways that dislike 204.
    Json,
}

/// How a delivery that was answered with success ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum Delivery {
    /// The user's function ran and succeeded; the notification is recorded as done.
    Processed {
        /// The notification.
        notification_id: String,
        /// The fencing number the function was given.
        fencing: u64,
    },
    /// The user's function succeeded but recording it failed (store unreachable, or the lease
    /// was taken over): answered with success since the work is done; a redelivery may call
    /// the function again, which the fencing number lets it detect.
    ProcessedUnrecorded {
        /// The notification.
        notification_id: String,
        /// The fencing number the function was given.
        fencing: u64,
        /// Why it was not recorded.
        error: StoreError,
    },
    /// Already processed earlier: acknowledged without calling anyone.
    Duplicate {
        /// The notification.
        notification_id: String,
    },
    /// An event type other than COUPON.SEND with no fallback function: acknowledged and
    /// logged, not processed.
    Acknowledged {
        /// The notification.
        notification_id: String,
        /// Its envelope `event_type`.
        event_type: String,
    },
}

#[derive(Debug, Clone, Copy)]
struct Settings {
    timeout: Duration,
    lease: Duration,
    retention: Duration,
    store_timeout: Duration,
    max_body_bytes: usize,
    success: SuccessReply,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            lease: DEFAULT_LEASE,
            retention: DEFAULT_RETENTION,
            store_timeout: DEFAULT_STORE_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            success: SuccessReply::NoContent,
        }
    }
}

/// Receives WeChat Pay's COUPON.SEND callbacks: verifies, decrypts, de-duplicates and hands
/// each notification to your function exactly once per success, then answers as WeChat Pay
/// expects. Cheap to clone; clones share everything. It is a `tower::Service`, so it mounts
/// on axum, hyper or any tower stack as it is.
///
/// Per delivery, in order (each failure its own [`CallbackError`] and status):
/// 1. `POST` (405), `Content-Type: application/json` (415), body at most `max_body_bytes`
///    (413), each `Wechatpay-*` header at most once — identical repeats tolerated (400);
/// 2. the signature over the raw body, **once**, with the configured keys: the declared
///    signature type, headers, the 300 s window, the serial, probes (401);
/// 3. open: envelope, resource type, algorithm, AES-256-GCM with the APIv3 key, typed event
///    (400);
/// 4. claim the notification id in the idempotency store: already done → success without
///    calling you; claimed by a live delivery elsewhere → 503; store failing → 503;
/// 5. your function, with the event and [`CallbackMeta`] (fencing number included), within
///    the timeout: success → the claim completes, answer 204 (or 200 `{"code":"SUCCESS"}`);
///    error or panic → the claim is released, answer 500; timeout → answer 503 while your
///    function continues in the background until its lease ends, then completes or releases.
///
/// Failure bodies are `{"code":"FAIL","message":…}` with a fixed phrase per kind, never
/// internal details; the details go to `tracing` (target `busifavor::callback`).
///
/// ```
/// use busifavor::callback::{CallbackHandler, MemoryStore};
/// use wxpay_crypto::{ApiV3Key, Verifier, WechatPayPublicKey};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = Verifier::new().with_public_key(
///     "PUB_KEY_ID_00000000000000000000000000000001",
///     WechatPayPublicKey::from_pem(include_str!("../../../wxpay-crypto/testdata/spec_a1_pub.pem"))?,
/// );
/// let handler = CallbackHandler::builder()
///     .verifier(verifier) // or `.client(&wxpay_http_client)` for its live key set
///     .api_v3_key(ApiV3Key::new("0123456789abcdefghijklmnopqrstuv")?)
///     .store(MemoryStore::new()) // the default; RedisStore / PostgresStore across machines
///     .on_coupon_send(|event, meta| async move {
///         // Idempotent by coupon_code; `meta.fencing` orders competing writers.
///         println!("coupon {} (fencing {})", event.coupon_code, meta.fencing);
///         Ok::<(), std::io::Error>(())
///     })
///     .build()?;
/// # let _ = handler; Ok(()) }
/// ```
#[derive(Clone)]
pub struct CallbackHandler {
    inner: Arc<Inner>,
}

struct Inner {
    keys: Keys,
    store: Arc<dyn IdempotencyStore>,
    on_coupon_send: Arc<CouponFn>,
    on_unknown: Option<Arc<UnknownFn>>,
    settings: Settings,
}

impl fmt::Debug for CallbackHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackHandler")
            .field("keys", &self.inner.keys)
            .field("store", &self.inner.store)
            .field("settings", &self.inner.settings)
            .field("unknown_events", &self.inner.on_unknown.is_some())
            .finish()
    }
}

/// Builds a [`CallbackHandler`]. Required: keys (a client, or a verifier and an APIv3 key) and
/// [`on_coupon_send`](Self::on_coupon_send).
#[must_use]
pub struct CallbackHandlerBuilder {
    client: Option<wxpay_http::Client>,
    verifier: Option<Verifier>,
    api_v3: Option<ApiV3Key>,
    clock: Option<Arc<dyn Clock>>,
    store: Option<Arc<dyn IdempotencyStore>>,
    on_coupon_send: Option<Arc<CouponFn>>,
    on_unknown: Option<Arc<UnknownFn>>,
    settings: Settings,
}

impl fmt::Debug for CallbackHandlerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackHandlerBuilder")
            .field("client", &self.client.is_some())
            .field("verifier", &self.verifier.is_some())
            .field("api_v3_key", &self.api_v3.is_some())
            .field("store", &self.store)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl CallbackHandlerBuilder {
    fn new() -> Self {
        Self {
            client: None,
            verifier: None,
            api_v3: None,
            clock: None,
            store: None,
            on_coupon_send: None,
            on_unknown: None,
            settings: Settings::default(),
        }
    }

    /// Verifies with this client's live key set — the same the client checks API answers with,
    /// downloading platform certificates once when a callback names an unknown serial — and
    /// decrypts with its APIv3 key. Uses the client's clock.
    pub fn client(mut self, client: &wxpay_http::Client) -> Self {
        self.client = Some(client.clone());
        self
    }

    /// Verifies with a fixed key set (no network). Pair with [`api_v3_key`](Self::api_v3_key).
    pub fn verifier(mut self, verifier: Verifier) -> Self {
        self.verifier = Some(verifier);
        self
    }

    /// The APIv3 key that decrypts notifications (with [`verifier`](Self::verifier); a client
    /// brings its own).
    pub fn api_v3_key(mut self, key: ApiV3Key) -> Self {
        self.api_v3 = Some(key);
        self
    }

    /// The clock for the 300 s window with a static verifier (default: the system clock).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// The idempotency store (default: a new [`MemoryStore`]). Handlers that must see the same
    /// notifications share one store (or stores on the same Redis prefix / PostgreSQL table).
    pub fn store(mut self, store: impl IdempotencyStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// The idempotency store, already shared.
    pub fn shared_store(mut self, store: Arc<dyn IdempotencyStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Your function for COUPON.SEND: called once per notification until it succeeds, with the
    /// typed event and its [`CallbackMeta`]. Return an error to have WeChat Pay redeliver.
    pub fn on_coupon_send<F, Fut, E>(mut self, f: F) -> Self
    where
        F: Fn(CouponSendEvent, CallbackMeta) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<HandlerError> + 'static,
    {
        self.on_coupon_send = Some(Arc::new(move |event, meta| {
            let fut = f(event, meta);
            Box::pin(async move { fut.await.map_err(Into::into) })
        }));
        self
    }

    /// Your function for verified notifications of any other event type, handled with the
    /// same exactly-once rules. Without it (the default), such notifications are acknowledged
    /// and logged, not processed.
    pub fn on_unknown_event<F, Fut, E>(mut self, f: F) -> Self
    where
        F: Fn(UnknownEvent, CallbackMeta) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<HandlerError> + 'static,
    {
        self.on_unknown = Some(Arc::new(move |event, meta| {
            let fut = f(event, meta);
            Box::pin(async move { fut.await.map_err(Into::into) })
        }));
        self
    }

    /// Acknowledges (204) and logs notifications of other event types without processing
    /// them (the default; undoes [`on_unknown_event`](Self::on_unknown_event)).
    pub fn acknowledge_unknown_events(mut self) -> Self {
        self.on_unknown = None;
        self
    }

    /// Time from receiving a delivery to answering it (reading the body, the claim and your
    /// function), default 4 s, at most 5 s (WeChat Pay's limit).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// How long a claim holds before another delivery may take it over (default 30 s; must
    /// exceed the timeout). A function still running when its lease ends is cancelled.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.settings.lease = lease;
        self
    }

    /// How long a completion is remembered (default 24 h, at least
    /// [`MIN_RETENTION`]). The PostgreSQL store keeps rows until purged.
    pub fn retention(mut self, retention: Duration) -> Self {
        self.settings.retention = retention;
        self
    }

    /// Time limit of one store call (default 1 s, at most 5 s).
    pub fn store_timeout(mut self, timeout: Duration) -> Self {
        self.settings.store_timeout = timeout;
        self
    }

    /// Body cap in bytes (default 64 KiB).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.settings.max_body_bytes = limit;
        self
    }

    /// The success answer (default `204 No Content`).
    pub fn success_reply(mut self, reply: SuccessReply) -> Self {
        self.settings.success = reply;
        self
    }

    /// Checks the settings and builds the handler.
    pub fn build(self) -> Result<CallbackHandler, CallbackConfigError> {
        let s = self.settings;
        let invalid =
            |setting, reason: String| CallbackConfigError::InvalidSetting { setting, reason };
        if s.timeout.is_zero() || s.timeout > WECHAT_ANSWER_LIMIT {
            return Err(invalid(
                "timeout",
                format!(
                    "{:?} must be above zero and at most {WECHAT_ANSWER_LIMIT:?}: WeChat Pay counts a later answer as failed",
                    s.timeout
                ),
            ));
        }
        if s.lease <= s.timeout {
            return Err(invalid(
                "lease",
                format!(
                    "{:?} must exceed the timeout ({:?}), or a delivery still running could be taken over by the next",
                    s.lease, s.timeout
                ),
            ));
        }
        if s.retention < MIN_RETENTION {
            return Err(invalid(
                "retention",
                format!(
                    "{:?} is shorter than WeChat Pay's redelivery span; keep completions at least {MIN_RETENTION:?}",
                    s.retention
                ),
            ));
        }
        if s.store_timeout.is_zero() || s.store_timeout > WECHAT_ANSWER_LIMIT {
            return Err(invalid(
                "store_timeout",
                format!(
                    "{:?} must be above zero and at most {WECHAT_ANSWER_LIMIT:?}",
                    s.store_timeout
                ),
            ));
        }
        if s.max_body_bytes == 0 {
            return Err(invalid(
                "max_body_bytes",
                "must be above zero (the default is 64 KiB)".into(),
            ));
        }
        let keys = match (self.client, self.verifier) {
            (Some(_), Some(_)) => return Err(CallbackConfigError::ConflictingKeys),
            (None, None) => return Err(CallbackConfigError::MissingKeys),
            (Some(client), None) => {
                if client.api_v3_key().is_none() {
                    return Err(CallbackConfigError::MissingApiV3Key);
                }
                Keys::Live { client }
            }
            (None, Some(verifier)) => Keys::Static {
                verifier: Box::new(verifier),
                api_v3: Box::new(self.api_v3.ok_or(CallbackConfigError::MissingApiV3Key)?),
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            },
        };
        let on_coupon_send = self
            .on_coupon_send
            .ok_or(CallbackConfigError::MissingCouponSendHandler)?;
        Ok(CallbackHandler {
            inner: Arc::new(Inner {
                keys,
                store: self.store.unwrap_or_else(|| Arc::new(MemoryStore::new())),
                on_coupon_send,
                on_unknown: self.on_unknown,
                settings: s,
            }),
        })
    }
}

impl CallbackHandler {
    /// A builder with the defaults: in-memory store, 4 s timeout, 30 s lease, 24 h retention,
    /// 64 KiB body cap, 204 on success, other event types acknowledged.
    pub fn builder() -> CallbackHandlerBuilder {
        CallbackHandlerBuilder::new()
    }

    /// Handles one delivery and returns the answer for WeChat Pay. Never fails: every problem
    /// is an answer (and a log line).
    pub async fn handle<B>(&self, request: Request<B>) -> Response<Full<Bytes>>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let started = Instant::now();
        let result = self.process(request).await;
        log_outcome(&result, started);
        self.respond(&result)
    }

    /// [`handle`](Self::handle) for frameworks that hand over the headers and the raw body
    /// bytes (the method is taken to be `POST`).
    pub async fn handle_bytes(&self, headers: &HeaderMap, body: &[u8]) -> Response<Full<Bytes>> {
        let started = Instant::now();
        let result = self.process_bytes(headers, body).await;
        log_outcome(&result, started);
        self.respond(&result)
    }

    /// Processes one delivery and reports how it ended, without building the answer (see
    /// [`respond`](Self::respond)).
    pub async fn process<B>(&self, request: Request<B>) -> Result<Delivery, CallbackError>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let deadline = Instant::now() + self.inner.settings.timeout;
        let (parts, body) = request.into_parts();
        if parts.method != Method::POST {
            return Err(CallbackError::MethodNotAllowed {
                method: parts.method.to_string(),
            });
        }
        headers::check_content_type(&parts.headers)?;
        let body = self.read_body(&parts.headers, body, deadline).await?;
        self.process_at(&parts.headers, &body, deadline).await
    }

    /// [`process`](Self::process) for headers and raw body bytes already read.
    pub async fn process_bytes(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Delivery, CallbackError> {
        let deadline = Instant::now() + self.inner.settings.timeout;
        headers::check_content_type(headers)?;
        if body.len() > self.inner.settings.max_body_bytes {
            return Err(CallbackError::BodyTooLarge {
                limit: self.inner.settings.max_body_bytes,
            });
        }
        self.process_at(headers, body, deadline).await
    }

    /// The answer for a processed delivery: 204 (or 200 `{"code":"SUCCESS"}`) for success,
    /// the error's status with `{"code":"FAIL","message":…}` otherwise.
    pub fn respond(&self, result: &Result<Delivery, CallbackError>) -> Response<Full<Bytes>> {
        let reply = match result {
            Ok(_) => match self.inner.settings.success {
                SuccessReply::NoContent => NotificationReply::success(),
                SuccessReply::Json => NotificationReply::success_json(),
            },
            Err(e) => NotificationReply::fail_with_status(e.status(), e.reply_message()),
        };
        let content_type = reply.content_type();
        let mut response = Response::new(Full::new(Bytes::from(reply.body)));
        *response.status_mut() =
            StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(ct) = content_type {
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        response
    }

    async fn read_body<B>(
        &self,
        headers: &HeaderMap,
        body: B,
        deadline: Instant,
    ) -> Result<Bytes, CallbackError>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let limit = self.inner.settings.max_body_bytes;
        let declared = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|len| len > limit as u64) {
            return Err(CallbackError::BodyTooLarge { limit });
        }
        match tokio::time::timeout_at(deadline, Limited::new(body, limit).collect()).await {
            Ok(Ok(collected)) => Ok(collected.to_bytes()),
            Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
                Err(CallbackError::BodyTooLarge { limit })
            }
            Ok(Err(e)) => Err(CallbackError::BodyRead {
                reason: e.to_string(),
            }),
            Err(_) => Err(CallbackError::BodyRead {
                reason: format!(
                    "not received within the {:?} timeout",
                    self.inner.settings.timeout
                ),
            }),
        }
    }

    async fn process_at(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        deadline: Instant,
    ) -> Result<Delivery, CallbackError> {
        let delivery = headers::read(headers)?;
        // Verified exactly once, with the configured key set.
        self.inner
            .keys
            .verify(&delivery.signature, body)
            .await
            .map_err(CallbackError::Unverified)?;
        let key = self.inner.keys.api_v3().ok_or(CallbackError::Unopened(
            wxpay_model::Error::NotificationDecrypt(wxpay_crypto::Error::DecryptFailed),
        ))?;
        let Notification {
            envelope,
            plaintext,
            event,
        } = wxpay_model::open_verified_notification(body, key).map_err(CallbackError::Unopened)?;
        match event {
            Event::CouponSend(event) => {
                let f = self.inner.on_coupon_send.clone();
                self.run_claimed(&envelope, &plaintext, &delivery, deadline, move |meta| {
                    f(*event, meta)
                })
                .await
            }
            Event::Unknown { event_type, data } => match self.inner.on_unknown.clone() {
                Some(f) => {
                    self.run_claimed(&envelope, &plaintext, &delivery, deadline, move |meta| {
                        f(UnknownEvent { event_type, data }, meta)
                    })
                    .await
                }
                None => Ok(acknowledge(envelope)),
            },
            _ => Ok(acknowledge(envelope)),
        }
    }

    async fn run_claimed(
        &self,
        envelope: &NotificationEnvelope,
        plaintext: &str,
        delivery: &DeliveryHeaders<'_>,
        deadline: Instant,
        work: impl FnOnce(CallbackMeta) -> WorkFuture,
    ) -> Result<Delivery, CallbackError> {
        let s = &self.inner.settings;
        let claimed_at = Instant::now();
        let request = ClaimRequest::new(&envelope.id, s.lease).with_event(
            &envelope.event_type,
            &envelope.create_time,
            plaintext,
        );
        let outcome = self
            .store_call(self.inner.store.claim(request))
            .await
            .map_err(CallbackError::Store)?;
        let lease = match outcome {
            ClaimOutcome::Claimed(lease) => lease,
            ClaimOutcome::Completed => {
                return Ok(Delivery::Duplicate {
                    notification_id: envelope.id.clone(),
                });
            }
            ClaimOutcome::InProgress { retry_after } => {
                return Err(CallbackError::InProgress {
                    notification_id: envelope.id.clone(),
                    retry_after,
                });
            }
        };
        let meta = CallbackMeta {
            notification_id: envelope.id.clone(),
            event_type: envelope.event_type.clone(),
            create_time: envelope.create_time.clone(),
            summary: envelope.summary.clone(),
            signing_serial: delivery.signature.serial.to_owned(),
            delivery_timestamp: delivery.signature.timestamp.parse().unwrap_or_default(),
            request_id: delivery.request_id.map(str::to_owned),
            fencing: lease.fencing(),
        };
        let mut running = Box::pin(AssertUnwindSafe(work(meta)).catch_unwind());
        // A function that finishes at its first poll needs no timer.
        let finished = match poll_once(&mut running).await {
            Poll::Ready(result) => Ok(result),
            Poll::Pending => tokio::time::timeout_at(deadline, &mut running).await,
        };
        match finished {
            Ok(result) => self.finish(&lease, result).await,
            Err(_) => {
                // Answer now (WeChat Pay waits 5 s); let the work go on while the lease lasts.
                let handler = self.clone();
                let lease_end = claimed_at + s.lease;
                let notification_id = lease.notification_id().to_owned();
                tokio::spawn(async move {
                    let result = match tokio::time::timeout_at(lease_end, running).await {
                        Ok(result) => result,
                        Err(_) => Ok(Err(HandlerError::from(
                            "cancelled: did not finish within its lease",
                        ))),
                    };
                    let id = lease.notification_id().to_owned();
                    match handler.finish(&lease, result).await {
                        Ok(_) => tracing::info!(
                            target: "busifavor::callback",
                            notification_id = %id,
                            "late handler finished and completed the notification"
                        ),
                        Err(e) => tracing::warn!(
                            target: "busifavor::callback",
                            notification_id = %id,
                            error = %e,
                            "late handler did not complete; the notification will be processed on redelivery"
                        ),
                    }
                });
                Err(CallbackError::HandlerTimedOut {
                    notification_id,
                    after: s.timeout,
                })
            }
        }
    }

    /// Completes or releases the claim after the user's function ended.
    async fn finish(&self, lease: &Lease, result: Caught) -> Result<Delivery, CallbackError> {
        let notification_id = lease.notification_id().to_owned();
        let fencing = lease.fencing();
        match result {
            Ok(Ok(())) => {
                let completed = self
                    .store_call(
                        self.inner
                            .store
                            .complete(lease, self.inner.settings.retention),
                    )
                    .await;
                match completed {
                    Ok(()) => Ok(Delivery::Processed {
                        notification_id,
                        fencing,
                    }),
                    Err(error) => Ok(Delivery::ProcessedUnrecorded {
                        notification_id,
                        fencing,
                        error,
                    }),
                }
            }
            Ok(Err(source)) => {
                self.release(lease, &source.to_string()).await;
                Err(CallbackError::HandlerFailed {
                    notification_id,
                    source,
                })
            }
            Err(_panic) => {
                self.release(lease, "the handler panicked").await;
                Err(CallbackError::HandlerPanicked { notification_id })
            }
        }
    }

    async fn release(&self, lease: &Lease, reason: &str) {
        if let Err(e) = self
            .store_call(self.inner.store.release(lease, reason))
            .await
        {
            tracing::warn!(
                target: "busifavor::callback",
                notification_id = lease.notification_id(),
                error = %e,
                "could not release the claim; the next delivery can take over when its lease ends"
            );
        }
    }

    async fn store_call<T>(&self, mut call: StoreFuture<'_, T>) -> Result<T, StoreError> {
        // A store that answers at the first poll (the in-memory one) needs no timer.
        if let Poll::Ready(result) = poll_once(&mut call).await {
            return result;
        }
        let after = self.inner.settings.store_timeout;
        match tokio::time::timeout(after, call).await {
            Ok(result) => result,
            Err(_) => Err(StoreError::Timeout {
                store: self.inner.store.name(),
                after,
            }),
        }
    }
}

/// Polls `fut` once with the task's context (its waker registered as usual).
async fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *fut).poll(cx))).await
}

fn acknowledge(envelope: NotificationEnvelope) -> Delivery {
    Delivery::Acknowledged {
        notification_id: envelope.id,
        event_type: envelope.event_type,
    }
}

/// One log line per delivery: `debug` for success, `info` for duplicates and acknowledged
/// unknown events, `warn` for every failure (with the precise error, which holds no secret).
fn log_outcome(result: &Result<Delivery, CallbackError>, started: Instant) {
    let elapsed_ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(Delivery::Processed {
            notification_id,
            fencing,
        }) => tracing::debug!(
            target: "busifavor::callback",
            notification_id = %notification_id,
            fencing,
            elapsed_ms,
            "notification processed"
        ),
        Ok(Delivery::ProcessedUnrecorded {
            notification_id,
            error,
            ..
        }) => tracing::warn!(
            target: "busifavor::callback",
            notification_id = %notification_id,
            error = %error,
            elapsed_ms,
            "notification processed but not recorded as done; a redelivery may call the handler again"
        ),
        Ok(Delivery::Duplicate { notification_id }) => tracing::info!(
            target: "busifavor::callback",
            notification_id = %notification_id,
            elapsed_ms,
            "duplicate delivery acknowledged without calling the handler"
        ),
        Ok(Delivery::Acknowledged {
            notification_id,
            event_type,
        }) => tracing::info!(
            target: "busifavor::callback",
            notification_id = %notification_id,
            event_type = %event_type,
            elapsed_ms,
            "notification of an event type without a handler acknowledged, not processed"
        ),
        Err(e) => tracing::warn!(
            target: "busifavor::callback",
            status = e.status(),
            error = %e,
            elapsed_ms,
            "notification not processed"
        ),
    }
}
