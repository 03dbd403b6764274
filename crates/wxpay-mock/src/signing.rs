//! Answer signing: which key signs (the public key when the request announced a `PUB_KEY_ID_…`
//! or the merchant has only a public key, else the platform certificate) and the signed answer
//! with its `Wechatpay-*` headers and `Request-ID`, correct or deliberately wrong (faults).

use std::collections::HashMap;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Response, StatusCode};
use http_body_util::Full;
use serde_json::Value;
use wxpay_crypto::{PUBLIC_KEY_ID_PREFIX, SCHEME, header};

use crate::api_error::ApiError;
use crate::callbacks::probe_signature;
use crate::keys::{SigningKey, SimulatorKeys};
use crate::merchant::Merchant;

/// How to sign an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignMode {
    Valid,
    Bad,
    Probe,
}

/// The key that signs the answer to a request with these headers, from this merchant (once
/// authenticated).
pub(crate) fn signing_key(
    merchants: &HashMap<String, Merchant>,
    headers: &HeaderMap,
    mchid: Option<&str>,
) -> SigningKey {
    if mchid
        .and_then(|m| merchants.get(m))
        .is_some_and(|m| m.config.is_public_key_only())
    {
        return SigningKey::PublicKey;
    }
    let wants_public = headers
        .get(header::SERIAL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|s| s.trim().starts_with(PUBLIC_KEY_ID_PREFIX));
    if wants_public {
        SigningKey::PublicKey
    } else {
        SigningKey::PlatformCertificate
    }
}

/// Signs answers with the simulator's keys at the simulator's time.
pub(crate) struct AnswerSigner<'a> {
    pub(crate) keys: &'a SimulatorKeys,
    pub(crate) now: i64,
    pub(crate) key: SigningKey,
    pub(crate) mode: SignMode,
}

impl AnswerSigner<'_> {
    /// A signed answer.
    pub(crate) fn signed(&self, status: u16, body: Option<&Value>) -> Response<Full<Bytes>> {
        let (key, mode) = (self.key, self.mode);
        let bytes = body
            .map(|b| serde_json::to_vec(b).unwrap_or_default())
            .unwrap_or_default();
        let ts = self.now.to_string();
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let signed_over: &[u8] = if mode == SignMode::Bad {
            b"tampered"
        } else {
            &bytes
        };
        let (serial, mut signature) = self
            .keys
            .sign(key, &ts, &nonce, signed_over)
            .unwrap_or_else(|_| (self.keys.serial_for(key).to_owned(), String::new()));
        if mode == SignMode::Probe {
            signature = probe_signature();
        }
        let mut resp = Response::new(Full::new(Bytes::from(bytes)));
        *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
        let h = resp.headers_mut();
        let mut put = |name: &'static str, value: &str| {
            if let Ok(v) = HeaderValue::from_str(value) {
                h.insert(name, v);
            }
        };
        if body.is_some() {
            put("content-type", "application/json; charset=utf-8");
        }
        put(
            header::REQUEST_ID,
            &uuid::Uuid::new_v4().simple().to_string().to_uppercase(),
        );
        put("server", "wxpay-mock");
        put(header::TIMESTAMP, &ts);
        put(header::NONCE, &nonce);
        put(header::SIGNATURE, &signature);
        put(header::SERIAL, &serial);
        put(header::SIGNATURE_TYPE, SCHEME);
        resp
    }

    /// A signed error answer.
    pub(crate) fn error(&self, e: &ApiError) -> Response<Full<Bytes>> {
        self.signed(e.status(), Some(&e.body()))
    }
}
