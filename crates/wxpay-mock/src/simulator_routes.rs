//! Simulator-only HTTP routes under `/mock/v1/` (not part of WeChat Pay; unauthenticated and
//! unsigned): user claims, the delivery log, key downloads.

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use http_body_util::Full;
use serde::Serialize;
use serde_json::Value;
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

fn kind_name(k: AttemptKind) -> &'static str {
    match k {
        AttemptKind::Probe => "PROBE",
        AttemptKind::Genuine => "GENUINE",
        AttemptKind::Duplicate => "DUPLICATE",
    }
}

// The simulator-only answers below have no WeChat Pay shape (the model has no type for them);
// these private views are their one definition.

/// `GET /mock/v1/deliveries`.
#[derive(Serialize)]
struct Deliveries {
    notifications: Vec<NotificationView>,
    attempts: Vec<AttemptView>,
}

#[derive(Serialize)]
struct NotificationView {
    id: String,
    mchid: String,
    event_type: String,
    status: &'static str,
    probe_accepted: bool,
    plaintext: Value,
}

#[derive(Serialize)]
struct AttemptView {
    notification_id: String,
    attempt: u32,
    kind: &'static str,
    url: String,
    serial: String,
    latency_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// `GET /mock/v1/config`.
#[derive(Serialize)]
struct Config<'a> {
    public_key_id: &'a str,
    platform_serial: &'a str,
    merchants: Vec<MerchantView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    demo_merchant: Option<DemoMerchant>,
}

#[derive(Serialize)]
struct MerchantView<'a> {
    mchid: &'a str,
    cert_serial: &'a str,
    public_key_only: bool,
}

#[derive(Serialize)]
struct DemoMerchant {
    mchid: &'static str,
    cert_serial: &'static str,
    apiv3_key: &'static str,
    apiv2_key: &'static str,
    private_key_url: &'static str,
}

fn to_json(v: &impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn deliveries(shared: &Shared) -> Value {
    let notifications = shared
        .notifier
        .notifications()
        .into_iter()
        .map(|n| NotificationView {
            id: n.id,
            mchid: n.mchid,
            event_type: n.event_type,
            status: status_name(n.status),
            probe_accepted: n.probe_accepted,
            plaintext: n.plaintext,
        })
        .collect();
    let attempts = shared
        .notifier
        .attempts()
        .into_iter()
        .map(|a| {
            let (status, error) = match a.outcome {
                AttemptOutcome::Status(s) => (Some(s), None),
                AttemptOutcome::Failed(e) => (None, Some(e)),
            };
            AttemptView {
                notification_id: a.notification_id,
                attempt: a.attempt,
                kind: kind_name(a.kind),
                url: a.url,
                serial: a.serial,
                latency_ms: a.latency.as_secs_f64() * 1000.0,
                status,
                error,
            }
        })
        .collect();
    to_json(&Deliveries {
        notifications,
        attempts,
    })
}

fn config(shared: &Shared) -> Value {
    let merchants = shared
        .merchants
        .values()
        .map(|m| MerchantView {
            mchid: m.config.mchid(),
            cert_serial: m.config.cert_serial(),
            public_key_only: m.config.is_public_key_only(),
        })
        .collect();
    let demo_merchant = shared
        .merchants
        .contains_key(DEMO_MCHID)
        .then_some(DemoMerchant {
            mchid: DEMO_MCHID,
            cert_serial: DEMO_CERT_SERIAL,
            apiv3_key: DEMO_APIV3_KEY,
            apiv2_key: DEMO_APIV2_KEY,
            private_key_url: "/mock/v1/keys/demo_merchant_key.pem",
        });
    to_json(&Config {
        public_key_id: shared.keys.public_key_id(),
        platform_serial: shared.keys.platform_serial(),
        merchants,
        demo_merchant,
    })
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
