//! The merchant's callback endpoint in the demo: `busifavor::Client::open_notification`
//! (verify → decrypt → type) → claim the notification id once → the merchant's own code →
//! reply, served over HTTP on 127.0.0.1.

use std::collections::HashSet;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use busifavor::{Client, Error as BfError, NotificationReply};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::json;
use tokio::net::TcpListener;
use wxpay_model::Error as ModelError;

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

/// What every receiver shares: the exactly-once store and the merchant's records.
#[derive(Default)]
pub struct Shared {
    done: Mutex<HashSet<String>>,
    processed: Mutex<Vec<Processed>>,
    fail_next: AtomicBool,
}

impl Shared {
    /// Makes the merchant's code fail once (a database outage), so WeChat Pay retries.
    pub fn fail_next(&self) {
        self.fail_next.store(true, Ordering::SeqCst);
    }

    /// Everything processed so far.
    pub fn processed(&self) -> Vec<Processed> {
        self.processed.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

/// A running receiver.
pub struct Receiver {
    /// `http://127.0.0.1:PORT/wechatpay/coupon`.
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Ctx {
    name: String,
    client: Client,
    shared: Arc<Shared>,
    timeline: Timeline,
}

impl Receiver {
    /// Starts a receiver named `name` on 127.0.0.1.
    pub async fn start(
        name: &str,
        client: Client,
        shared: Arc<Shared>,
        timeline: Timeline,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let url = format!("http://{}/wechatpay/coupon", listener.local_addr()?);
        let ctx = Arc::new(Ctx {
            name: name.to_owned(),
            client,
            shared,
            timeline,
        });
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let ctx = Arc::clone(&ctx);
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                        let ctx = Arc::clone(&ctx);
                        async move { Ok::<_, Infallible>(handle(&ctx, req).await) }
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Ok(Self { url, task })
    }
}

async fn handle(ctx: &Ctx, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let reply = decide(ctx, &parts.headers, &body).await;
    let mut resp = Response::new(Full::new(Bytes::from(reply.body.to_vec())));
    *resp.status_mut() = hyper::StatusCode::from_u16(reply.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    resp
}

async fn decide(ctx: &Ctx, headers: &http::HeaderMap, body: &[u8]) -> NotificationReply {
    let step = "seed-2";
    let n = match ctx.client.open_notification(headers, body).await {
        Ok(n) => n,
        Err(BfError::Notification(e)) => {
            let reply = NotificationReply::for_error(&e);
            let probe = matches!(
                e,
                ModelError::NotificationUnverified(wxpay_crypto::Error::SignatureProbe)
            );
            let what = if probe {
                "signature probe (WECHATPAY/SIGNTEST/) refused".to_owned()
            } else {
                format!("refused: {e}")
            };
            ctx.timeline.event(
                step,
                format!("receiver {}: {what} → {}", ctx.name, reply.status),
                json!({"receiver": ctx.name, "outcome": "refused", "status": reply.status, "probe": probe}),
            );
            return reply;
        }
        Err(other) => {
            ctx.timeline.event(
                step,
                format!(
                    "receiver {}: could not open the callback: {other} → 500",
                    ctx.name
                ),
                json!({"receiver": ctx.name, "outcome": "error"}),
            );
            return NotificationReply::fail("temporarily unavailable");
        }
    };
    let Some(event) = n.coupon_send() else {
        return NotificationReply::success();
    };
    let claimed = ctx
        .shared
        .done
        .lock()
        .map(|d| !d.contains(n.id()))
        .unwrap_or(false);
    if !claimed {
        ctx.timeline.event(
            step,
            format!("receiver {}: {} again → duplicate absorbed, 204", ctx.name, n.id()),
            json!({"receiver": ctx.name, "outcome": "duplicate", "id": n.id(), "coupon_code": event.coupon_code}),
        );
        return NotificationReply::success();
    }
    if ctx.shared.fail_next.swap(false, Ordering::SeqCst) {
        ctx.timeline.event(
            step,
            format!(
                "receiver {}: {} coupon {} → the merchant's code failed (database down) → 500, WeChat Pay retries",
                ctx.name,
                n.id(),
                event.coupon_code
            ),
            json!({"receiver": ctx.name, "outcome": "failed", "id": n.id(), "coupon_code": event.coupon_code}),
        );
        return NotificationReply::fail("temporarily unavailable");
    }
    let first = ctx
        .shared
        .done
        .lock()
        .map(|mut d| d.insert(n.id().to_owned()))
        .unwrap_or(false);
    if !first {
        return NotificationReply::success();
    }
    let transaction_id = event.attach_info().and_then(|a| a.transaction_id.clone());
    let channel = event.send_channel.to_string();
    ctx.timeline.event(
        step,
        format!(
            "receiver {}: COUPON.SEND {} coupon {} of stock {} via {}{} → processed, 204",
            ctx.name,
            n.id(),
            event.coupon_code,
            event.stock_id,
            channel,
            transaction_id
                .as_deref()
                .map(|t| format!(" (pay-gift transaction {t})"))
                .unwrap_or_default()
        ),
        json!({"receiver": ctx.name, "outcome": "processed", "id": n.id(), "event_type": n.event_type(),
               "coupon_code": event.coupon_code, "stock_id": event.stock_id, "send_channel": channel,
               "attach_info": serde_json::to_value(&event.attach_info).unwrap_or_default()}),
    );
    if let Ok(mut p) = ctx.shared.processed.lock() {
        p.push(Processed {
            id: n.id().to_owned(),
            coupon_code: event.coupon_code.clone(),
            channel,
            transaction_id,
            receiver: ctx.name.clone(),
        });
    }
    NotificationReply::success()
}
