//! The merchant's callback receivers in the demo: `busifavor`'s [`CallbackHandler`] (verify →
//! decrypt → claim in the idempotency store → the merchant's code → reply) served over HTTP on
//! 127.0.0.1, and — for a shared store — a round-robin balancer in front of two of them.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use busifavor::callback::{CallbackError, CallbackHandler, Delivery, IdempotencyStore};
use busifavor::{Client, CouponSendEvent};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::json;
use tokio::net::TcpListener;

use super::timeline::Timeline;

/// A coupon the merchant's code processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    /// Notification id.
    pub id: String,
    /// Coupon code.
    pub coupon_code: String,
    /// `send_channel`.
    pub channel: String,
    /// `attach_info.transaction_id`, when sent.
    pub transaction_id: Option<String>,
    /// Which receiver processed it.
    pub receiver: String,
}

/// The merchant's own records (what its code did), shared by its receivers.
#[derive(Default)]
pub struct Shared {
    processed: Mutex<Vec<Processed>>,
    duplicates: Mutex<Vec<(String, String)>>,
    fail_next: AtomicBool,
}

impl Shared {
    /// Makes the merchant's code fail once (its database is down), so WeChat Pay retries.
    pub fn fail_next(&self) {
        self.fail_next.store(true, Ordering::SeqCst);
    }

    /// Everything processed so far.
    pub fn processed(&self) -> Vec<Processed> {
        self.processed.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// `(receiver, notification id)` of every duplicate absorbed.
    pub fn duplicates(&self) -> Vec<(String, String)> {
        self.duplicates
            .lock()
            .map(|v| v.clone())
            .unwrap_or_default()
    }
}

/// A running HTTP endpoint (a receiver or the balancer).
pub struct Endpoint {
    /// `http://127.0.0.1:PORT/wechatpay/coupon`.
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `respond` for every request on a new 127.0.0.1 port.
async fn serve<F, Fut>(respond: F) -> std::io::Result<Endpoint>
where
    F: Fn(Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let url = format!("http://{}/wechatpay/coupon", listener.local_addr()?);
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let respond = respond.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let respond = respond.clone();
                    async move { Ok::<_, Infallible>(respond(req).await) }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    Ok(Endpoint { url, task })
}

/// Starts receiver `name`: the real callback handler, verifying with `client`'s keys, claiming
/// notifications in `store`, running the merchant's code (which records into `shared`).
pub async fn start(
    name: &str,
    client: &Client,
    store: Arc<dyn IdempotencyStore>,
    shared: Arc<Shared>,
    timeline: Timeline,
) -> Result<Endpoint, String> {
    let work = {
        let (name, shared, timeline) = (name.to_owned(), Arc::clone(&shared), timeline.clone());
        move |event: CouponSendEvent, meta: busifavor::callback::CallbackMeta| {
            let (name, shared, timeline) = (name.clone(), Arc::clone(&shared), timeline.clone());
            async move { merchant_code(&name, &shared, &timeline, &event, &meta) }
        }
    };
    let handler = CallbackHandler::builder()
        .client(client.http())
        .shared_store(store)
        .on_coupon_send(work)
        .build()
        .map_err(|e| e.to_string())?;
    let name = name.to_owned();
    serve(move |req| {
        let (handler, name, timeline, shared) = (
            handler.clone(),
            name.clone(),
            timeline.clone(),
            Arc::clone(&shared),
        );
        async move {
            let result = handler.process(req).await;
            report(&name, &timeline, &shared, &result);
            handler.respond(&result)
        }
    })
    .await
    .map_err(|e| e.to_string())
}

/// The merchant's own code for one COUPON.SEND: record the coupon (or fail once, as if its
/// database were down).
fn merchant_code(
    name: &str,
    shared: &Shared,
    timeline: &Timeline,
    event: &CouponSendEvent,
    meta: &busifavor::callback::CallbackMeta,
) -> Result<(), String> {
    let id = &meta.notification_id;
    if shared.fail_next.swap(false, Ordering::SeqCst) {
        timeline.event(
            "seed-2",
            format!(
                "receiver {name}: {id} coupon {} → the merchant's code failed (database down) → 500, WeChat Pay retries",
                event.coupon_code
            ),
            json!({"receiver": name, "outcome": "failed", "id": id, "coupon_code": event.coupon_code}),
        );
        return Err("the merchant's database is down".to_owned());
    }
    let transaction_id = event.attach_info().and_then(|a| a.transaction_id.clone());
    let channel = event.send_channel.to_string();
    timeline.event(
        "seed-2",
        format!(
            "receiver {name}: COUPON.SEND {id} coupon {} of stock {} via {channel}{} → processed (fencing {}), 204",
            event.coupon_code,
            event.stock_id,
            transaction_id
                .as_deref()
                .map(|t| format!(" (pay-gift transaction {t})"))
                .unwrap_or_default(),
            meta.fencing
        ),
        json!({"receiver": name, "outcome": "processed", "id": id, "event_type": meta.event_type,
               "coupon_code": event.coupon_code, "stock_id": event.stock_id, "send_channel": channel,
               "attach_info": serde_json::to_value(&event.attach_info).unwrap_or_default(),
               "fencing": meta.fencing}),
    );
    if let Ok(mut p) = shared.processed.lock() {
        p.push(Processed {
            id: id.clone(),
            coupon_code: event.coupon_code.clone(),
            channel,
            transaction_id,
            receiver: name.to_owned(),
        });
    }
    Ok(())
}

/// Puts what the handler did with a delivery (other than processing it) on the timeline.
fn report(
    name: &str,
    timeline: &Timeline,
    shared: &Shared,
    result: &Result<Delivery, CallbackError>,
) {
    let step = "seed-2";
    match result {
        Ok(Delivery::Duplicate { notification_id }) => {
            if let Ok(mut d) = shared.duplicates.lock() {
                d.push((name.to_owned(), notification_id.clone()));
            }
            timeline.event(
                step,
                format!("receiver {name}: {notification_id} again → already processed, duplicate absorbed, 204"),
                json!({"receiver": name, "outcome": "duplicate", "id": notification_id}),
            );
        }
        Ok(_) => {}
        Err(CallbackError::Unverified(wxpay_crypto::Error::SignatureProbe)) => timeline.event(
            step,
            format!("receiver {name}: signature probe (WECHATPAY/SIGNTEST/) refused → 401"),
            json!({"receiver": name, "outcome": "refused", "probe": true, "status": 401}),
        ),
        Err(CallbackError::HandlerFailed { .. }) => {} // the merchant's code said why
        Err(e) => timeline.event(
            step,
            format!("receiver {name}: {e} → {}", e.status()),
            json!({"receiver": name, "outcome": "refused", "status": e.status()}),
        ),
    }
}

/// A load balancer in front of several receivers, as a merchant's machines behind one notify
/// URL — the worst case for exactly-once: each delivery of a notification (probe, genuine,
/// retry, duplicate; told apart by the envelope's plaintext `id`) goes to the next receiver
/// in turn, so a duplicate never lands where the notification was processed.
pub async fn balancer(backends: Vec<String>, timeline: Timeline) -> Result<Endpoint, String> {
    let http: HttpClient<HttpConnector, Full<Bytes>> =
        HttpClient::builder(TokioExecutor::new()).build_http();
    let next = Arc::new(AtomicUsize::new(0));
    let per_id: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let backends = Arc::new(backends);
    serve(move |req: Request<Incoming>| {
        let (http, next, per_id, backends, timeline) = (
            http.clone(),
            Arc::clone(&next),
            Arc::clone(&per_id),
            Arc::clone(&backends),
            timeline.clone(),
        );
        async move {
            let (parts, body) = req.into_parts();
            let body = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let id = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_owned));
            let turn = match (id, per_id.lock()) {
                (Some(id), Ok(mut seen)) => {
                    let n = seen.entry(id).or_insert(0);
                    *n += 1;
                    *n - 1
                }
                _ => next.fetch_add(1, Ordering::SeqCst),
            };
            let i = turn % backends.len();
            let mut forward = Request::builder().method(parts.method).uri(&backends[i]);
            for (k, v) in &parts.headers {
                forward = forward.header(k, v);
            }
            let answer = match forward.body(Full::new(body)) {
                Ok(r) => http.request(r).await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match answer {
                Ok(resp) => {
                    let (parts, body) = resp.into_parts();
                    let body = body
                        .collect()
                        .await
                        .map(|b| b.to_bytes())
                        .unwrap_or_default();
                    Response::from_parts(parts, Full::new(body))
                }
                Err(e) => {
                    timeline.event(
                        "seed-2",
                        format!("balancer: receiver unreachable: {e} → 502"),
                        json!({"outcome": "unreachable"}),
                    );
                    let mut r = Response::new(Full::new(Bytes::new()));
                    *r.status_mut() = hyper::StatusCode::BAD_GATEWAY;
                    r
                }
            }
        }
    })
    .await
    .map_err(|e| e.to_string())
}
