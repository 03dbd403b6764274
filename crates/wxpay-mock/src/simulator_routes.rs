//! Simulator-only HTTP routes under `/mock/v1/` (not part of WeChat Pay; unauthenticated and
//! unsigned): user claims, the delivery log, key downloads.

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use http_body_util::Full;
use serde_json::{Value, json};
use wxpay_model::ErrorCode;

use crate::api_error::ApiError;
use crate::callbacks::{AttemptKind, AttemptOutcome, DeliveryStatus};
use crate::merchant::{
    DEMO_APIV2_KEY, DEMO_APIV3_KEY, DEMO_CERT_SERIAL, DEMO_MCHID, demo_merchant_private_key_pem,
};
use crate::routes::{json_body, parse_query};
use crate::shared::Shared;

fn reply(status: u16, content_type: &str, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if let Ok(v) = content_type.parse() {
        resp.headers_mut().insert("content-type", v);
    }
    resp
}

fn json_reply(result: Result<Value, ApiError>) -> Response<Full<Bytes>> {
    match result {
        Ok(v) => reply(
            200,
            "application/json",
            serde_json::to_vec(&v).unwrap_or_default(),
        ),
        Err(e) => reply(
            e.status(),
            "application/json",
            serde_json::to_vec(&e.body()).unwrap_or_default(),
        ),
    }
}

fn status_name(s: DeliveryStatus) -> &'static str {
    match s {
        DeliveryStatus::Pending => "PENDING",
        DeliveryStatus::Delivered => "DELIVERED",
        DeliveryStatus::GaveUp => "GAVE_UP",
        DeliveryStatus::NoNotifyUrl => "NO_NOTIFY_URL",
        DeliveryStatus::Cancelled => "CANCELLED",
    }
}

fn deliveries(shared: &Shared) -> Value {
    let notifications: Vec<Value> = shared
        .notifier
        .notifications()
        .into_iter()
        .map(|n| {
            json!({"id": n.id, "mchid": n.mchid, "event_type": n.event_type,
                   "status": status_name(n.status), "probe_accepted": n.probe_accepted,
                   "plaintext": n.plaintext})
        })
        .collect();
    let attempts: Vec<Value> = shared
        .notifier
        .attempts()
        .into_iter()
        .map(|a| {
            let kind = match a.kind {
                AttemptKind::Probe => "PROBE",
                AttemptKind::Genuine => "GENUINE",
                AttemptKind::Duplicate => "DUPLICATE",
            };
            let mut v = json!({"notification_id": a.notification_id, "attempt": a.attempt,
                               "kind": kind, "url": a.url, "serial": a.serial,
                               "latency_ms": a.latency.as_secs_f64() * 1000.0});
            match a.outcome {
                AttemptOutcome::Status(s) => v["status"] = json!(s),
                AttemptOutcome::Failed(e) => v["error"] = json!(e),
            }
            v
        })
        .collect();
    json!({"notifications": notifications, "attempts": attempts})
}

fn config(shared: &Shared) -> Value {
    let merchants: Vec<Value> = shared
        .merchants
        .values()
        .map(|m| {
            json!({"mchid": m.config.mchid(), "cert_serial": m.config.cert_serial(),
                   "public_key_only": m.config.is_public_key_only()})
        })
        .collect();
    let mut v = json!({
        "public_key_id": shared.keys.public_key_id(),
        "platform_serial": shared.keys.platform_serial(),
        "merchants": merchants,
    });
    if shared.merchants.contains_key(DEMO_MCHID) {
        v["demo_merchant"] = json!({
            "mchid": DEMO_MCHID, "cert_serial": DEMO_CERT_SERIAL,
            "apiv3_key": DEMO_APIV3_KEY, "apiv2_key": DEMO_APIV2_KEY,
            "private_key_url": "/mock/v1/keys/demo_merchant_key.pem",
        });
    }
    v
}

/// Serves one `/mock/…` request.
pub(crate) fn handle(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> Response<Full<Bytes>> {
    let pem = |text: &str| reply(200, "application/x-pem-file", text.as_bytes().to_vec());
    match (method.as_str(), path.trim_end_matches('/')) {
        ("POST", "/mock/v1/claim") => {
            json_reply(json_body(body).and_then(|v| shared.claim_json(&v)))
        }
        ("POST", "/mock/v1/miniprogram/send-coupon") => {
            json_reply(json_body(body).and_then(|v| shared.claim_miniprogram(&v)))
        }
        ("GET", "/mock/v1/busifavor/getcouponinfo") => {
            json_reply(shared.claim_h5(&parse_query(query)))
        }
        ("GET", "/mock/v1/deliveries") => json_reply(Ok(deliveries(shared))),
        ("GET", "/mock/v1/config") => json_reply(Ok(config(shared))),
        ("GET", "/mock/v1/keys/wechatpay_pub.pem") => pem(shared.keys.public_key_pem()),
        ("GET", "/mock/v1/keys/platform_cert.pem") => pem(shared.keys.platform_certificate_pem()),
        ("GET", "/mock/v1/keys/demo_merchant_key.pem")
            if shared.merchants.contains_key(DEMO_MCHID) =>
        {
            pem(demo_merchant_private_key_pem())
        }
        _ => json_reply(Err(ApiError::new(
            404,
            ErrorCode::NotFound,
            format!("simulator route {method} {path} does not exist"),
        ))),
    }
}
