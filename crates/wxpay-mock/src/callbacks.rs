//! COUPON.SEND callbacks (spec §7, §10): build the encrypted envelope, sign it, POST it to the
//! merchant's `notify_url`, retry on WeChat Pay's schedule and keep a delivery log.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use tokio::sync::watch;
use wxpay_crypto::{ApiV3Key, Clock, PROBE_PREFIX, SCHEME, header};

use crate::keys::{SigningKey, SimulatorKeys};
use wxpay_model::busifavor::{COUPON_SEND, COUPON_SEND_RESOURCE, COUPON_SEND_SUMMARY};
use wxpay_model::{ENCRYPT_RESOURCE, EncryptedResource, NotificationEnvelope, Timestamp};

/// When and how often a failed callback is retried.
///
/// ```
/// use std::time::Duration;
/// let wechat = wxpay_mock::RetrySchedule::default();
/// assert_eq!((wechat.interval(), wechat.attempts()), (Duration::from_secs(60), 11));
/// let fast = wxpay_mock::RetrySchedule::new(Duration::from_millis(5), 3);
/// assert_eq!(fast.timeout(), Duration::from_secs(5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySchedule {
    interval: Duration,
    attempts: u32,
    timeout: Duration,
}

impl Default for RetrySchedule {
    /// WeChat Pay's busifavor schedule: every 60 s, 11 attempts in total, 5 s to answer.
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(60),
            attempts: 11,
            timeout: Duration::from_secs(5),
        }
    }
}

impl RetrySchedule {
    /// `attempts` deliveries in total (at least 1), `interval` apart; 5 s answer timeout.
    pub fn new(interval: Duration, attempts: u32) -> Self {
        Self {
            interval,
            attempts: attempts.max(1),
            timeout: Duration::from_secs(5),
        }
    }

    /// Sets how long the merchant has to answer one delivery.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Pause between attempts.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Total number of attempts.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Answer timeout per attempt.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

/// Why a delivery was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptKind {
    /// A `WECHATPAY/SIGNTEST/` probe (deliberately bad signature) sent before the real one.
    Probe,
    /// A correctly signed delivery (first try or retry).
    Genuine,
    /// An extra copy of an already delivered notification (duplicates switch).
    Duplicate,
}

/// What the merchant's endpoint did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// It answered with this HTTP status.
    Status(u16),
    /// No answer: connection error or timeout (the text says which).
    Failed(String),
}

impl AttemptOutcome {
    /// 2xx: WeChat Pay counts the delivery as successful.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Status(s) if (200..300).contains(s))
    }
}

/// One entry of the delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    /// The notification `id` (same on every attempt of one notification).
    pub notification_id: String,
    /// 1-based position among this notification's deliveries (probe and duplicates included).
    pub attempt: u32,
    /// Probe, genuine or duplicate.
    pub kind: AttemptKind,
    /// Where it was sent.
    pub url: String,
    /// Status or error.
    pub outcome: AttemptOutcome,
    /// Time until the answer (or the failure).
    pub latency: Duration,
    /// The `Wechatpay-Serial` it carried.
    pub serial: String,
}

/// Where a notification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Still being delivered or retried.
    Pending,
    /// A genuine delivery got a 2xx.
    Delivered,
    /// Every attempt of the schedule failed.
    GaveUp,
    /// The merchant has no `notify_url`; nothing was sent.
    NoNotifyUrl,
    /// The simulator shut down first.
    Cancelled,
}

/// A notification the simulator produced.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationRecord {
    /// The envelope `id`.
    pub id: String,
    /// The merchant it is for.
    pub mchid: String,
    /// `COUPON.SEND`.
    pub event_type: String,
    /// The decrypted resource (spec §10.1).
    pub plaintext: Value,
    /// The exact envelope body sent.
    pub body: String,
    /// Delivery status.
    pub status: DeliveryStatus,
    /// Whether the merchant answered 2xx to a signature probe (it must not).
    pub probe_accepted: bool,
}

/// Runtime switches for callbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CallbackOptions {
    pub(crate) schedule: RetrySchedule,
    pub(crate) duplicates: u32,
    pub(crate) probe_first: bool,
}

/// Builds the COUPON.SEND envelope (the model's [`NotificationEnvelope`]): fresh id, resource
/// encrypted with the APIv3 key under a random 12-character nonce and AAD `coupon`. Returns
/// (id, body).
pub(crate) fn build_envelope(
    apiv3: &ApiV3Key,
    plaintext: &Value,
    now: i64,
) -> Result<(String, String), wxpay_crypto::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    let resource = EncryptedResource::seal(
        apiv3,
        COUPON_SEND_RESOURCE,
        COUPON_SEND_RESOURCE,
        plaintext.to_string().as_bytes(),
    )?;
    let envelope = NotificationEnvelope {
        id: id.clone(),
        create_time: Timestamp::from_unix_beijing(now).to_string(),
        resource_type: ENCRYPT_RESOURCE.to_owned(),
        event_type: COUPON_SEND.to_owned(),
        summary: Some(COUPON_SEND_SUMMARY.to_owned()),
        resource,
    };
    let body = serde_json::to_string(&envelope).unwrap_or_default();
    Ok((id, body))
}

/// Most of an answer body read back (WeChat Pay ignores it; reading lets the connection be
/// reused).
const MAX_ANSWER_BODY: usize = 64 * 1024;
/// Longest wait for that body once the status is in.
const ANSWER_BODY_WAIT: Duration = Duration::from_millis(250);

/// Reads a little of a merchant's answer body: the outcome is decided by the status alone, so
/// an endless or trickling body cannot turn a 2xx into a timeout.
async fn drain(body: hyper::body::Incoming) {
    let limited = http_body_util::Limited::new(body, MAX_ANSWER_BODY);
    let _ = tokio::time::timeout(ANSWER_BODY_WAIT, limited.collect()).await;
}

/// A probe signature: the prefix plus junk that is not base64.
pub(crate) fn probe_signature() -> String {
    format!("{PROBE_PREFIX}{}-_!", uuid::Uuid::new_v4().simple())
}

#[derive(Debug)]
struct Log {
    attempts: Vec<DeliveryAttempt>,
    notifications: Vec<NotificationRecord>,
    options: CallbackOptions,
}

/// Delivers callbacks in background tasks.
pub(crate) struct Notifier {
    client: Client<HttpConnector, Full<Bytes>>,
    keys: Arc<SimulatorKeys>,
    clock: Arc<dyn Clock>,
    runtime: tokio::runtime::Handle,
    log: Mutex<Log>,
    pending: watch::Sender<usize>,
    stop: watch::Sender<bool>,
}

/// One notification to deliver.
pub(crate) struct Job {
    pub(crate) id: String,
    pub(crate) body: String,
    pub(crate) url: String,
    pub(crate) key: SigningKey,
}

enum Sent {
    Done(AttemptOutcome),
    Stopped,
}

impl Notifier {
    pub(crate) fn new(
        keys: Arc<SimulatorKeys>,
        clock: Arc<dyn Clock>,
        schedule: RetrySchedule,
        runtime: tokio::runtime::Handle,
    ) -> Self {
        let client = Client::builder(TokioExecutor::new()).build_http();
        Self {
            client,
            keys,
            clock,
            runtime,
            log: Mutex::new(Log {
                attempts: Vec::new(),
                notifications: Vec::new(),
                options: CallbackOptions {
                    schedule,
                    duplicates: 0,
                    probe_first: false,
                },
            }),
            pending: watch::channel(0).0,
            stop: watch::channel(false).0,
        }
    }

    fn with_log<R>(&self, f: impl FnOnce(&mut Log) -> R) -> R {
        f(&mut crate::sync::lock(&self.log))
    }

    pub(crate) fn options(&self) -> CallbackOptions {
        self.with_log(|l| l.options)
    }

    pub(crate) fn update_options(&self, f: impl FnOnce(&mut CallbackOptions)) {
        self.with_log(|l| f(&mut l.options));
    }

    pub(crate) fn attempts(&self) -> Vec<DeliveryAttempt> {
        self.with_log(|l| l.attempts.clone())
    }

    pub(crate) fn notifications(&self) -> Vec<NotificationRecord> {
        self.with_log(|l| l.notifications.clone())
    }

    /// Resolves once no notification is pending.
    pub(crate) async fn settled(&self) {
        let mut rx = self.pending.subscribe();
        let _ = rx.wait_for(|n| *n == 0).await;
    }

    /// Stops all deliveries (pending ones end as `Cancelled`).
    pub(crate) fn stop(&self) {
        self.stop.send_replace(true);
    }

    fn set_status(&self, id: &str, status: DeliveryStatus) {
        self.with_log(|l| {
            if let Some(n) = l.notifications.iter_mut().find(|n| n.id == id) {
                n.status = status;
            }
        });
    }

    /// Records a notification and, if there is a URL, starts delivering it.
    pub(crate) fn enqueue(
        self: &Arc<Self>,
        mchid: &str,
        plaintext: Value,
        job: Option<Job>,
        id_and_body: (String, String),
    ) {
        let (id, body) = id_and_body;
        let status = if job.is_some() {
            DeliveryStatus::Pending
        } else {
            DeliveryStatus::NoNotifyUrl
        };
        self.with_log(|l| {
            l.notifications.push(NotificationRecord {
                id,
                mchid: mchid.to_owned(),
                event_type: COUPON_SEND.to_owned(),
                plaintext,
                body,
                status,
                probe_accepted: false,
            });
        });
        let Some(job) = job else { return };
        if *self.stop.borrow() {
            self.set_status(&job.id, DeliveryStatus::Cancelled);
            return;
        }
        self.pending.send_modify(|n| *n += 1);
        let me = Arc::clone(self);
        self.runtime.spawn(async move {
            let status = me.deliver(&job).await;
            me.set_status(&job.id, status);
            me.pending.send_modify(|n| *n = n.saturating_sub(1));
        });
    }

    async fn deliver(&self, job: &Job) -> DeliveryStatus {
        let opts = self.options();
        let mut n = 0;
        if opts.probe_first {
            n += 1;
            match self.send(job, n, AttemptKind::Probe, opts.schedule).await {
                Sent::Stopped => return DeliveryStatus::Cancelled,
                Sent::Done(outcome) if outcome.is_success() => {
                    self.with_log(|l| {
                        if let Some(r) = l.notifications.iter_mut().find(|r| r.id == job.id) {
                            r.probe_accepted = true;
                        }
                    });
                }
                Sent::Done(..) => {}
            }
        }
        let mut delivered = false;
        for i in 0..opts.schedule.attempts() {
            if i > 0 && !self.pause(opts.schedule.interval()).await {
                return DeliveryStatus::Cancelled;
            }
            n += 1;
            match self.send(job, n, AttemptKind::Genuine, opts.schedule).await {
                Sent::Stopped => return DeliveryStatus::Cancelled,
                Sent::Done(outcome) if outcome.is_success() => {
                    delivered = true;
                    break;
                }
                Sent::Done(..) => {}
            }
        }
        if !delivered {
            return DeliveryStatus::GaveUp;
        }
        for _ in 0..opts.duplicates {
            n += 1;
            if let Sent::Stopped = self
                .send(job, n, AttemptKind::Duplicate, opts.schedule)
                .await
            {
                break;
            }
        }
        DeliveryStatus::Delivered
    }

    /// Sleeps unless the simulator stops first; `false` when stopped.
    async fn pause(&self, d: Duration) -> bool {
        let mut stop = self.stop.subscribe();
        if *stop.borrow() {
            return false;
        }
        tokio::select! {
            () = tokio::time::sleep(d) => true,
            _ = stop.wait_for(|s| *s) => false,
        }
    }

    async fn send(
        &self,
        job: &Job,
        attempt: u32,
        kind: AttemptKind,
        schedule: RetrySchedule,
    ) -> Sent {
        let ts = self.clock.now_unix().to_string();
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let (serial, mut signature) =
            match self.keys.sign(job.key, &ts, &nonce, job.body.as_bytes()) {
                Ok(s) => s,
                Err(e) => {
                    tracing::error!(error = %e, "wxpay-mock: cannot sign callback");
                    return Sent::Done(AttemptOutcome::Failed(e.to_string()));
                }
            };
        if kind == AttemptKind::Probe {
            signature = probe_signature();
        }
        let request = http::Request::post(job.url.as_str())
            .header("content-type", "application/json")
            .header("accept", "*/*")
            .header("user-agent", "wxpay-mock callback sender")
            .header(
                header::REQUEST_ID,
                uuid::Uuid::new_v4().simple().to_string().to_uppercase(),
            )
            .header(header::TIMESTAMP, &ts)
            .header(header::NONCE, &nonce)
            .header(header::SIGNATURE, &signature)
            .header(header::SERIAL, &serial)
            .header(header::SIGNATURE_TYPE, SCHEME)
            .body(Full::new(Bytes::from(job.body.clone())));
        let started = Instant::now();
        let (outcome, latency) = match request {
            Err(e) => (
                AttemptOutcome::Failed(format!("invalid notify_url: {e}")),
                started.elapsed(),
            ),
            Ok(req) => {
                let call = self.client.request(req);
                let mut stop = self.stop.subscribe();
                let answer = tokio::select! {
                    r = tokio::time::timeout(schedule.timeout(), call) => r,
                    _ = stop.wait_for(|s| *s) => return Sent::Stopped,
                };
                let latency = started.elapsed();
                let outcome = match answer {
                    Ok(Ok(resp)) => {
                        let status = resp.status().as_u16();
                        drain(resp.into_body()).await;
                        AttemptOutcome::Status(status)
                    }
                    Ok(Err(e)) => AttemptOutcome::Failed(format!("connection error: {e}")),
                    Err(_) => AttemptOutcome::Failed(format!(
                        "no answer within {} ms",
                        schedule.timeout().as_millis()
                    )),
                };
                (outcome, latency)
            }
        };
        tracing::debug!(id = %job.id, attempt, ?kind, ?outcome, "wxpay-mock: callback delivery");
        self.with_log(|l| {
            l.attempts.push(DeliveryAttempt {
                notification_id: job.id.clone(),
                attempt,
                kind,
                url: job.url.clone(),
                outcome: outcome.clone(),
                latency,
                serial,
            });
        });
        Sent::Done(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn envelope_decrypts_and_has_fresh_ids() {
        let key = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv").unwrap();
        let plain = json!({"event_type": "EVENT_TYPE_BUSICOUPON_SEND", "coupon_code": "1"});
        let (id1, body1) = build_envelope(&key, &plain, 1_576_140_878).unwrap();
        let (id2, _) = build_envelope(&key, &plain, 1_576_140_878).unwrap();
        assert_ne!(id1, id2);
        let v: Value = serde_json::from_str(&body1).unwrap();
        assert_eq!(v["id"], id1);
        assert_eq!(v["event_type"], "COUPON.SEND");
        assert_eq!(v["create_time"], "2019-12-12T16:54:38+08:00");
        let r = &v["resource"];
        assert_eq!(r["associated_data"], "coupon");
        assert_eq!(r["nonce"].as_str().unwrap().len(), 12);
        let out = key
            .decrypt(
                "coupon",
                r["nonce"].as_str().unwrap(),
                r["ciphertext"].as_str().unwrap(),
            )
            .unwrap();
        assert_eq!(
            serde_json::from_slice::<Value>(out.as_bytes()).unwrap(),
            plain
        );
    }

    #[test]
    fn probe_signatures_are_probes_and_not_base64() {
        let s = probe_signature();
        assert!(wxpay_crypto::is_probe(&s));
        assert!(s.contains('!'));
    }
}
