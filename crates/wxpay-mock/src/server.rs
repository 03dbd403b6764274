//! The HTTP side: accept loop, per-request pipeline (faults → simulator routes → protocol
//! headers → authentication → operation → signed answer) and callback hand-off.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;
use wxpay_crypto::{Clock, PUBLIC_KEY_ID_PREFIX, SCHEME, header};
use wxpay_model::Timestamp;
use wxpay_model::certificates::{CertificateEntry, CertificateList, EncryptedCertificate};

use crate::api_error::ApiError;
use crate::callbacks::{Job, Notifier, build_envelope, probe_signature};
use crate::faults::{FaultKind, Faults};
use crate::keys::{SigningKey, SimulatorKeys};
use crate::merchant::Merchant;
use crate::routes::{self, Op};
use crate::simulator_routes;
use crate::state::{Ctx, Reply, State};

/// Largest request body accepted.
const MAX_BODY: usize = 1 << 20;

/// How long reading one request body may take. A sender that trickles its body (one byte per
/// TCP segment) is answered with an error at this point instead of holding the connection,
/// and the memory of what it sent, for as long as it likes.
pub const BODY_READ_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);

/// Why a request body could not be read.
enum BodyError {
    TooLarge,
    TooSlow,
    Broken,
}

/// Reads a request body into one buffer. Each piece is copied as it arrives, so many tiny
/// pieces do not each pin a read buffer of their own (the copy-free `collect()` kept ~3.8 KB
/// per trickled byte); a declared `Content-Length` over the cap is refused before reading, and
/// the whole read has [`BODY_READ_DEADLINE`].
async fn read_body(headers: &HeaderMap, mut body: Incoming) -> Result<Bytes, BodyError> {
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY as u64) {
        return Err(BodyError::TooLarge);
    }
    let capacity = declared.map_or(0, |len| len as usize);
    let read = async {
        let mut buf: Vec<u8> = Vec::with_capacity(capacity);
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| BodyError::Broken)?;
            if let Some(data) = frame.data_ref() {
                if buf.len() + data.len() > MAX_BODY {
                    return Err(BodyError::TooLarge);
                }
                buf.extend_from_slice(data);
            }
        }
        Ok(Bytes::from(buf))
    };
    match tokio::time::timeout(BODY_READ_DEADLINE, read).await {
        Ok(result) => result,
        Err(_) => Err(BodyError::TooSlow),
    }
}

/// Everything the request handlers share.
pub(crate) struct Shared {
    pub(crate) keys: Arc<SimulatorKeys>,
    pub(crate) merchants: HashMap<String, Merchant>,
    pub(crate) state: Mutex<State>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) tolerance: u64,
    pub(crate) faults: Faults,
    pub(crate) notifier: Arc<Notifier>,
    /// Flips to `true` when the server starts shutting down.
    pub(crate) stopping: watch::Sender<bool>,
}

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

/// How to sign an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignMode {
    Valid,
    Bad,
    Probe,
}

impl Shared {
    pub(crate) fn now(&self) -> i64 {
        self.clock.now_unix()
    }

    /// Runs `f` on the state, then hands any coupon-issued events to the notifier.
    ///
    /// A panic inside `f` (a simulator bug) is answered as `500 SYSTEM_ERROR` instead of
    /// killing the connection, and does not poison the state for later requests.
    pub(crate) fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> Result<R, ApiError> {
        let (out, events) = {
            let mut st = crate::sync::lock(&self.state);
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut st)));
            (out, std::mem::take(&mut st.events))
        };
        let out = out.map_err(|_| {
            tracing::error!("wxpay-mock: a state operation panicked; answering SYSTEM_ERROR");
            ApiError::new(500, "SYSTEM_ERROR", "系统错误（模拟器内部错误）")
        })?;
        for event in events {
            self.notify(&event.creator, event.plaintext);
        }
        Ok(out)
    }

    /// Encrypts, records and (if a notify_url is set) starts delivering one COUPON.SEND.
    pub(crate) fn notify(&self, mchid: &str, plaintext: Value) {
        let Some(merchant) = self.merchants.get(mchid) else {
            return;
        };
        let envelope = build_envelope(&merchant.apiv3, &plaintext, self.now());
        let Ok((id, body)) = envelope else {
            tracing::error!("wxpay-mock: cannot encrypt callback resource");
            return;
        };
        let url = crate::sync::lock(&self.state)
            .notify_urls
            .get(mchid)
            .map(|n| n.url.clone());
        let job = url.map(|url| Job {
            id: id.clone(),
            body: body.clone(),
            url,
            key: merchant.config.callback_key(),
        });
        self.notifier.enqueue(mchid, plaintext, job, (id, body));
    }

    fn signing_key(&self, headers: &HeaderMap, mchid: Option<&str>) -> SigningKey {
        if mchid
            .and_then(|m| self.merchants.get(m))
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

    /// Builds a signed answer.
    fn signed(
        &self,
        status: u16,
        body: Option<&Value>,
        key: SigningKey,
        mode: SignMode,
    ) -> Response<Full<Bytes>> {
        let bytes = body
            .map(|b| serde_json::to_vec(b).unwrap_or_default())
            .unwrap_or_default();
        let ts = self.now().to_string();
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

    fn error(&self, e: &ApiError, key: SigningKey, mode: SignMode) -> Response<Full<Bytes>> {
        self.signed(e.status(), Some(&e.body()), key, mode)
    }

    /// `GET /v3/certificates`: the platform certificate encrypted with the caller's APIv3 key.
    fn certificates(&self, mchid: &str) -> Result<Reply, ApiError> {
        let merchant = self
            .merchants
            .get(mchid)
            .ok_or_else(|| ApiError::sign("商户不存在"))?;
        if merchant.config.is_public_key_only() {
            return Err(ApiError::not_found("证书不存在"));
        }
        let cert = self.keys.platform_certificate();
        let encrypt_certificate =
            EncryptedCertificate::seal(&merchant.apiv3, self.keys.platform_certificate_pem())
                .map_err(|e| ApiError::new(500, "SYSTEM_ERROR", e.to_string()))?;
        let list = CertificateList {
            data: vec![CertificateEntry {
                serial_no: cert.serial().to_owned(),
                effective_time: Some(Timestamp::from_unix_beijing(cert.not_before()).to_string()),
                expire_time: Some(Timestamp::from_unix_beijing(cert.not_after()).to_string()),
                encrypt_certificate,
            }],
        };
        Ok(Reply::ok(serde_json::to_value(list).unwrap_or_default()))
    }
}

/// The error answer of a forced status; anything outside 400–599 (which would make a 1xx,
/// 2xx or 3xx "error", or no valid status at all) is answered as 500.
fn fault_status(status: u16) -> ApiError {
    match status {
        429 => ApiError::new(429, "FREQUENCY_LIMITED", "频率限制"),
        501..=599 => ApiError::new(status, "SERVICE_UNAVAILABLE", "服务不可用"),
        400..=499 => ApiError::new(status, "INVALID_REQUEST", "injected fault"),
        _ => ApiError::new(500, "SYSTEM_ERROR", "系统错误"),
    }
}

/// One request, start to finish.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, DropConnection> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or_else(|| path.clone(), |pq| pq.as_str().to_owned());
    let method = parts.method.clone();
    let key = shared.signing_key(&parts.headers, None);

    let mut mode = SignMode::Valid;
    for fault in shared.faults.take(method.as_str(), &path) {
        match fault {
            FaultKind::Latency(d) => {
                // A shutdown does not wait for an injected delay: the connection is dropped.
                let mut stopping = shared.stopping.subscribe();
                tokio::select! {
                    () = tokio::time::sleep(d) => {}
                    _ = stopping.wait_for(|s| *s) => return Err(DropConnection),
                }
            }
            FaultKind::DropConnection => return Err(DropConnection),
            FaultKind::Status(s) => {
                return Ok(shared.error(&fault_status(s), key, SignMode::Valid));
            }
            FaultKind::BadSignature => mode = SignMode::Bad,
            FaultKind::ProbeSignature => mode = SignMode::Probe,
        }
    }

    let body = match read_body(&parts.headers, body).await {
        Ok(b) => b,
        Err(why) => {
            let e = ApiError::invalid(match why {
                BodyError::TooLarge => "请求体过大",
                BodyError::TooSlow => "请求体读取超时",
                BodyError::Broken => "请求体读取失败",
            });
            return Ok(shared.error(&e, key, mode));
        }
    };

    if path.starts_with("/mock/") {
        return Ok(simulator_routes::handle(
            &shared,
            &method,
            &path,
            parts.uri.query(),
            &body,
        ));
    }

    if let Err(e) = crate::auth::check_protocol_headers(&parts.headers) {
        return Ok(shared.error(&e, key, mode));
    }
    let now = shared.now();
    let mchid = match crate::auth::authenticate(
        &shared.merchants,
        &parts.headers,
        method.as_str(),
        &path_and_query,
        &body,
        now,
        shared.tolerance,
    ) {
        Ok(m) => m,
        Err(e) => {
            tracing::debug!(%method, %path, code = e.code(), "wxpay-mock: authentication failed");
            return Ok(shared.error(&e, key, mode));
        }
    };
    let key = shared.signing_key(&parts.headers, Some(&mchid));
    let result = run(
        &shared,
        &method,
        &path,
        parts.uri.query(),
        &body,
        Ctx { mchid, now },
    );
    Ok(match result {
        Ok(reply) => shared.signed(reply.status, reply.body.as_ref(), key, mode),
        Err(e) => shared.error(&e, key, mode),
    })
}

fn run(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: &[u8],
    ctx: Ctx,
) -> Result<Reply, ApiError> {
    let op = routes::resolve(method, &routes::segments(path))
        .ok_or_else(|| ApiError::new(404, "NOT_FOUND", format!("接口{method} {path}不存在")))?;
    if op == Op::Certificates {
        return shared.certificates(&ctx.mchid);
    }
    let value = routes::json_body(body)?;
    if matches!(*method, Method::POST | Method::PATCH) && !value.is_object() {
        return Err(ApiError::param("/", value, "请求体必须是JSON对象"));
    }
    crate::model_check::check(&op, &value)?;
    let query = routes::parse_query(query);
    shared.with_state(|st| routes::dispatch(st, &ctx, &op, &query, &value))?
}

/// How long a shutdown waits for open connections, then for callback tasks, to finish.
const DRAIN: std::time::Duration = std::time::Duration::from_secs(5);

/// Accepts connections until `stop` fires, then drains them gracefully: in-flight requests get
/// up to [`DRAIN`] to finish (injected latencies are cut short), connections still open after
/// that are aborted, and callback deliveries are cancelled and awaited.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: oneshot::Receiver<()>,
) {
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // E.g. out of file descriptors: back off instead of spinning.
                        tracing::warn!(error = %e, "wxpay-mock: accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let shared = Arc::clone(&shared);
                let service = service_fn(move |req| handle(Arc::clone(&shared), req));
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .serve_connection(TokioIo::new(stream), service);
                let watched = graceful.watch(conn);
                connections.spawn(async move {
                    if let Err(e) = watched.await {
                        tracing::trace!(error = %e, "wxpay-mock: connection ended with an error");
                    }
                });
                // Reap finished connections so the set does not grow without bound.
                while connections.try_join_next().is_some() {}
            }
            _ = &mut stop => break,
        }
    }
    drop(listener);
    shared.stopping.send_replace(true);
    shared.notifier.stop();
    let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
    connections.shutdown().await;
    let _ = tokio::time::timeout(DRAIN, shared.notifier.settled()).await;
}
