//! One request, start to finish: faults → simulator routes → protocol headers →
//! authentication → the typed request (`crate::request`) → the operation → the signed answer.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use wxpay_model::ErrorCode;

use crate::api_error::ApiError;
use crate::certificates;
use crate::faults::FaultKind;
use crate::keys::SigningKey;
use crate::ops;
use crate::request::{self, Call};
use crate::routes;
use crate::shared::Shared;
use crate::signing::{AnswerSigner, SignMode, signing_key};
use crate::simulator_routes;
use crate::state::{Ctx, Reply};

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

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

/// The error answer of a forced status; anything outside 400–599 (which would make a 1xx,
/// 2xx or 3xx "error", or no valid status at all) is answered as 500.
fn fault_status(status: u16) -> ApiError {
    match status {
        429 => ApiError::new(429, ErrorCode::FrequencyLimited, "频率限制"),
        501..=599 => ApiError::new(status, ErrorCode::ServiceUnavailable, "服务不可用"),
        400..=499 => ApiError::new(status, ErrorCode::InvalidRequest, "injected fault"),
        _ => ApiError::system("系统错误"),
    }
}

fn signer(shared: &Shared, key: SigningKey, mode: SignMode) -> AnswerSigner<'_> {
    AnswerSigner {
        keys: &shared.keys,
        now: shared.now(),
        key,
        mode,
    }
}

/// One request, start to finish.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, DropConnection> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let method = parts.method.clone();
    let key = signing_key(&shared.merchants, &parts.headers, None);

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
                return Ok(signer(&shared, key, SignMode::Valid).error(&fault_status(s)));
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
            return Ok(signer(&shared, key, mode).error(&e));
        }
    };
    Ok(respond(&shared, &parts, mode, &body))
}

/// A request whose body has been read: simulator routes, or authentication, the typed
/// request and the operation; the signed answer. No I/O (what the fuzzing entry runs).
pub(crate) fn respond(
    shared: &Shared,
    parts: &http::request::Parts,
    mode: SignMode,
    body: &[u8],
) -> Response<Full<Bytes>> {
    let path = parts.uri.path();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or(path, http::uri::PathAndQuery::as_str);
    let method = &parts.method;
    let key = signing_key(&shared.merchants, &parts.headers, None);
    if path.starts_with("/mock/") {
        return simulator_routes::handle(shared, method, path, parts.uri.query(), body);
    }

    let authenticated = authenticate(shared, &parts.headers, method, path_and_query, body);
    let ctx = match authenticated {
        Ok(ctx) => ctx,
        Err(e) => return signer(shared, key, mode).error(&e),
    };
    let key = signing_key(&shared.merchants, &parts.headers, Some(&ctx.mchid));
    let result = run(shared, method, path, parts.uri.query(), body, ctx);
    let answer = signer(shared, key, mode);
    match result {
        Ok(reply) => answer.signed(reply.status, reply.body.as_ref()),
        Err(e) => answer.error(&e),
    }
}

/// The protocol headers and the merchant's signature; the caller as a [`Ctx`].
fn authenticate(
    shared: &Shared,
    headers: &HeaderMap,
    method: &Method,
    path_and_query: &str,
    body: &[u8],
) -> Result<Ctx, ApiError> {
    crate::auth::check_protocol_headers(headers)?;
    let now = shared.now();
    let mchid = crate::auth::authenticate(
        &shared.merchants,
        headers,
        method.as_str(),
        path_and_query,
        body,
        now,
        shared.tolerance,
    )
    .inspect_err(|e| {
        tracing::debug!(%method, path = path_and_query, code = e.code(), "wxpay-mock: authentication failed");
    })?;
    Ok(Ctx { mchid, now })
}

/// Resolves the operation, parses and validates the typed request, and runs it.
fn run(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: &[u8],
    ctx: Ctx,
) -> Result<Reply, ApiError> {
    let op = routes::resolve(method, &routes::segments(path)).ok_or_else(|| {
        ApiError::new(
            404,
            ErrorCode::NotFound,
            format!("接口{method} {path}不存在"),
        )
    })?;
    let query = routes::parse_query(query);
    let (call, value) = request::parse(op, method, &query, body)?;
    if let Call::Certificates = call {
        let merchant = shared
            .merchants
            .get(&ctx.mchid)
            .ok_or_else(|| ApiError::sign("商户不存在"))?;
        return certificates::answer(&shared.keys, merchant);
    }
    shared.with_state(|st| ops::dispatch(st, &ctx, &call, &value))?
}
