//! A small stand-in for WeChat Pay, started by each test on 127.0.0.1 port 0.
//!
//! It checks every request's `Authorization` with the merchant **public** key (as WeChat Pay
//! does), records what it received, and answers with whatever the test's handler returns,
//! signed with the stand-in WeChat Pay key unless the reply says otherwise.
#![allow(dead_code)]

pub mod requests;
pub mod tls;

use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use wxpay_crypto::{
    ApiV3Key, Clock, MerchantPrivateKey, PROBE_PREFIX, SCHEME, Signer, SystemClock, header,
    signing_string, verification_string,
};
use wxpay_model::certificates::{CertificateEntry, CertificateList, EncryptedCertificate};

pub const MCHID: &str = "1900009191";
pub const MERCHANT_SERIAL: &str = "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C";
pub const PUB_KEY_ID: &str = "PUB_KEY_ID_0000000000000000000000000000000001";
pub const API_V3_KEY: &str = "0123456789abcdefghijklmnopqrstuv";
pub const MERCHANT_KEY: &str = include_str!("../../../wxpay-crypto/testdata/merchant_key.pem");
pub const MERCHANT_PUB: &str = include_str!("../../../wxpay-crypto/testdata/merchant_pub.pem");
pub const WECHATPAY_KEY: &str = include_str!("../../../wxpay-crypto/testdata/wechatpay_key.pem");
pub const WECHATPAY_PUB: &str = include_str!("../../../wxpay-crypto/testdata/wechatpay_pub.pem");
pub const PLATFORM_CERT: &str = include_str!("../../../wxpay-crypto/testdata/platform_cert.pem");
pub const PLATFORM_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
pub const PLATFORM2_KEY: &str = include_str!("../data/platform2_key.pem");
pub const PLATFORM2_CERT: &str = include_str!("../data/platform2_cert.pem");
pub const PLATFORM2_SERIAL: &str = "3A7B2C9D11E4F5061728394A5B6C7D8E9F0A1B2C";

/// What the server received, with the merchant signature already checked.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path_and_query: String,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
    /// The raw `Authorization` header value.
    pub authorization: String,
    /// Parsed `Authorization` fields (`mchid`, `nonce_str`, `signature`, `timestamp`, `serial_no`).
    pub auth: BTreeMap<String, String>,
    /// Whether the signature verified with the merchant public key over exactly what arrived.
    pub auth_ok: bool,
    /// The local port of the server that received it.
    pub port: u16,
    /// The HTTP version the request arrived with (HTTP/2 over TLS when ALPN chose `h2`).
    pub version: hyper::Version,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
    pub fn path(&self) -> &str {
        self.path_and_query.split('?').next().unwrap_or("")
    }
}

/// A WeChat Pay signing identity: the key and the serial announced with it.
#[derive(Clone)]
pub struct WechatKey {
    pub serial: String,
    pub signer: Arc<Signer>,
}

impl WechatKey {
    pub fn new(serial: &str, pem: &str) -> Self {
        let key = MerchantPrivateKey::from_pem(pem).expect("test key");
        Self {
            serial: serial.to_owned(),
            signer: Arc::new(Signer::new("wechat", "wechat", key).expect("signer")),
        }
    }
    /// The public-key identity (`PUB_KEY_ID_…` over wechatpay_key.pem).
    pub fn public_key() -> Self {
        Self::new(PUB_KEY_ID, WECHATPAY_KEY)
    }
    /// The first platform certificate's identity (same key pair).
    pub fn platform() -> Self {
        Self::new(PLATFORM_SERIAL, WECHATPAY_KEY)
    }
    /// The second platform certificate's identity.
    pub fn platform2() -> Self {
        Self::new(PLATFORM2_SERIAL, PLATFORM2_KEY)
    }
}

/// One answer.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
    /// `None`: no `Wechatpay-*` headers at all.
    pub key: Option<WechatKey>,
    pub serial_override: Option<String>,
    pub timestamp_offset: i64,
    pub probe: bool,
    pub tamper: bool,
    pub delay: Option<Duration>,
    pub chunked: bool,
}

impl Reply {
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            body: body.into(),
            headers: vec![("content-type".into(), "application/json".into())],
            key: Some(WechatKey::public_key()),
            serial_override: None,
            timestamp_offset: 0,
            probe: false,
            tamper: false,
            delay: None,
            chunked: false,
        }
    }
    pub fn no_content() -> Self {
        let mut r = Self::json(204, Vec::new());
        r.headers.clear();
        r
    }
    /// A WeChat Pay error body, unsigned (as error answers may be).
    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(
            status,
            format!(r#"{{"code":"{code}","message":"{message}"}}"#),
        )
        .unsigned()
    }
    pub fn signed_by(mut self, key: WechatKey) -> Self {
        self.key = Some(key);
        self
    }
    pub fn unsigned(mut self) -> Self {
        self.key = None;
        self
    }
    pub fn serial(mut self, serial: &str) -> Self {
        self.serial_override = Some(serial.to_owned());
        self
    }
    pub fn timestamp_offset(mut self, secs: i64) -> Self {
        self.timestamp_offset = secs;
        self
    }
    pub fn probe(mut self) -> Self {
        self.probe = true;
        self
    }
    /// Sign, then change the body (a tampered answer).
    pub fn tampered(mut self) -> Self {
        self.tamper = true;
        self
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
    pub fn delay(mut self, d: Duration) -> Self {
        self.delay = Some(d);
        self
    }
    /// Send the body in two chunks without `Content-Length`.
    pub fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

struct State {
    handler: Box<Handler>,
    recorded: Mutex<Vec<Recorded>>,
    connections: AtomicUsize,
    request_id: AtomicUsize,
    port: u16,
}

/// A running server; stops when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
    tls: bool,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    /// Starts a server on 127.0.0.1 port 0 answering with `handler` over plain HTTP/1.1.
    pub async fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Self {
        Self::start_with(None, handler).await
    }

    /// Starts a server on 127.0.0.1 port 0 answering with `handler` over TLS with `tls`
    /// (HTTP/2 or HTTP/1.1, whichever ALPN chose).
    pub async fn start_tls(
        tls: tls::TlsServer,
        handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Self::start_with(Some(tls), handler).await
    }

    async fn start_with(
        tls: Option<tls::TlsServer>,
        handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let tls_on = tls.is_some();
        let state = Arc::new(State {
            handler: Box::new(handler),
            recorded: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
            request_id: AtomicUsize::new(0),
            port: addr.port(),
        });
        let accept_state = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                accept_state.connections.fetch_add(1, Ordering::SeqCst);
                let state = accept_state.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(handle(&state, req).await) }
                    });
                    match tls {
                        None => {
                            let _ = hyper::server::conn::http1::Builder::new()
                                .keep_alive(true)
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        }
                        Some(tls) => tls.serve(stream, service).await,
                    }
                });
            }
        });
        Self {
            addr,
            state,
            task,
            tls: tls_on,
        }
    }

    /// `http://127.0.0.1:<port>`, or `https://localhost:<port>` for a TLS server (the name its
    /// certificate is issued for).
    pub fn url(&self) -> String {
        if self.tls {
            format!("https://localhost:{}", self.addr.port())
        } else {
            format!("http://{}", self.addr)
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.recorded.lock().unwrap().clone()
    }

    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }
}

async fn handle(state: &State, req: Request<Incoming>) -> Response<ReplyBody> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|c| c.to_bytes().to_vec())
        .unwrap_or_default();
    let headers: BTreeMap<String, String> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let authorization = headers
        .get(http::header::AUTHORIZATION.as_str())
        .cloned()
        .unwrap_or_default();
    let auth = parse_authorization(&authorization);
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    // A multipart upload is signed over its `meta` part (spec §2.1), anything else over the body.
    let signed = match headers.get("content-type") {
        Some(ct) if ct.starts_with("multipart/form-data") => {
            multipart_meta(&body).unwrap_or_default()
        }
        _ => body.clone(),
    };
    let auth_ok = check_merchant_signature(parts.method.as_str(), &path_and_query, &auth, &signed);
    let recorded = Recorded {
        method: parts.method.as_str().to_owned(),
        path_and_query,
        headers,
        body,
        authorization,
        auth,
        auth_ok,
        port: state.port,
        version: parts.version,
    };
    state.recorded.lock().unwrap().push(recorded.clone());
    let request_id = format!(
        "RID-{}",
        state.request_id.fetch_add(1, Ordering::SeqCst) + 1
    );
    let reply = if auth_ok {
        (state.handler)(&recorded)
    } else {
        Reply::error(401, "SIGN_ERROR", "signature check failed")
    };
    if let Some(d) = reply.delay {
        tokio::time::sleep(d).await;
    }
    respond(reply, &request_id)
}

fn respond(reply: Reply, request_id: &str) -> Response<ReplyBody> {
    let mut builder = Response::builder()
        .status(reply.status)
        .header(header::REQUEST_ID, request_id);
    for (k, v) in &reply.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let mut body = reply.body.clone();
    if let Some(key) = &reply.key {
        let ts = (SystemClock.now_unix() + reply.timestamp_offset).to_string();
        let nonce = wxpay_crypto::random_nonce().unwrap();
        let signature = if reply.probe {
            format!("{PROBE_PREFIX}aGVsbG8gd29ybGQ=")
        } else {
            key.signer
                .sign_bytes(&verification_string(&ts, &nonce, &body))
                .unwrap()
        };
        let serial = reply
            .serial_override
            .clone()
            .unwrap_or_else(|| key.serial.clone());
        builder = builder
            .header(header::TIMESTAMP, ts)
            .header(header::NONCE, nonce)
            .header(header::SIGNATURE, signature)
            .header(header::SERIAL, serial)
            .header(header::SIGNATURE_TYPE, SCHEME);
        if reply.tamper {
            body.extend_from_slice(b" ");
        }
    }
    let body = if reply.chunked {
        let mid = body.len() / 2;
        ReplyBody::chunks(vec![body[..mid].to_vec(), body[mid..].to_vec()])
    } else {
        ReplyBody::full(body)
    };
    builder.body(body).unwrap()
}

/// The content of the `meta` part of a multipart body.
pub fn multipart_meta(body: &[u8]) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(body);
    let start = text.find("name=\"meta\"")?;
    let rest = &text[start..];
    let content = &rest[rest.find("\r\n\r\n")? + 4..];
    let end = content.find("\r\n--")?;
    Some(content.as_bytes()[..end].to_vec())
}

/// Parses `WECHATPAY2-SHA256-RSA2048 k="v",k2="v2"`.
pub fn parse_authorization(value: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(rest) = value
        .strip_prefix(SCHEME)
        .and_then(|rest| rest.strip_prefix(' '))
    else {
        return out;
    };
    for pair in rest.split(',') {
        if let Some((k, v)) = pair.split_once('=') {
            out.insert(k.to_owned(), v.trim_matches('"').to_owned());
        }
    }
    out
}

/// Verifies the merchant signature with the merchant public key (RSASSA-PKCS1-v1_5 SHA-256),
/// independently of `wxpay-crypto`'s signer.
fn check_merchant_signature(
    method: &str,
    url: &str,
    auth: &BTreeMap<String, String>,
    body: &[u8],
) -> bool {
    let (Some(ts), Some(nonce), Some(sig), Some(mchid), Some(serial)) = (
        auth.get("timestamp"),
        auth.get("nonce_str"),
        auth.get("signature"),
        auth.get("mchid"),
        auth.get("serial_no"),
    ) else {
        return false;
    };
    if mchid != MCHID || serial != MERCHANT_SERIAL {
        return false;
    }
    let Ok(ts) = ts.parse::<i64>() else {
        return false;
    };
    let Ok(sig) = base64::engine::general_purpose::STANDARD.decode(sig) else {
        return false;
    };
    let message = signing_string(method, url, ts, nonce, body);
    let pem = pem::parse(MERCHANT_PUB).expect("merchant_pub.pem");
    let spki = spki::SubjectPublicKeyInfoRef::try_from(pem.contents()).expect("spki");
    let key = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        spki.subject_public_key.raw_bytes(),
    );
    key.verify(&message, &sig).is_ok()
}

/// A `/v3/certificates` body listing `certs` (PEM text, serial), encrypted with the APIv3 key.
pub fn certificates_body(certs: &[(&str, &str)]) -> Vec<u8> {
    let key = ApiV3Key::new(API_V3_KEY).unwrap();
    let data = certs
        .iter()
        .enumerate()
        .map(|(i, (pem, serial))| {
            let nonce = format!("{:012}", 61_000_000_000u64 + i as u64);
            CertificateEntry {
                serial_no: (*serial).to_owned(),
                effective_time: Some("2026-01-01T00:00:00+08:00".to_owned()),
                expire_time: Some("2036-01-01T00:00:00+08:00".to_owned()),
                encrypt_certificate: EncryptedCertificate::with_nonce(&key, &nonce, pem).unwrap(),
            }
        })
        .collect();
    serde_json::to_vec(&CertificateList { data }).unwrap()
}

/// A client builder pointed at `server` in public-key mode, without backup host, with tiny
/// retry delays.
pub fn client_for(server: &TestServer) -> wxpay_http::ClientBuilder {
    base_builder()
        .base_url(server.url())
        .wechatpay_public_key(PUB_KEY_ID, WECHATPAY_PUB)
}

/// Merchant credentials, no verifier keys, no backup host, tiny retry delays.
pub fn base_builder() -> wxpay_http::ClientBuilder {
    wxpay_http::Client::builder()
        .mchid(MCHID)
        .merchant_serial(MERCHANT_SERIAL)
        .merchant_private_key_pem(MERCHANT_KEY)
        .backup_url(None)
        .retry_policy(
            wxpay_http::RetryPolicy::default()
                .with_base_delay(Duration::from_millis(2))
                .with_max_delay(Duration::from_millis(10)),
        )
}

/// Response body: whole, or in chunks without a length.
pub struct ReplyBody {
    chunks: VecDeque<Bytes>,
    exact: Option<u64>,
}

impl ReplyBody {
    fn full(body: Vec<u8>) -> Self {
        let len = body.len() as u64;
        Self {
            chunks: if body.is_empty() {
                VecDeque::new()
            } else {
                VecDeque::from([Bytes::from(body)])
            },
            exact: Some(len),
        }
    }
    fn chunks(chunks: Vec<Vec<u8>>) -> Self {
        Self {
            chunks: chunks.into_iter().map(Bytes::from).collect(),
            exact: None,
        }
    }
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.chunks.pop_front().map(|b| Ok(Frame::data(b))))
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        match self.exact {
            Some(n) => hyper::body::SizeHint::with_exact(n),
            None => hyper::body::SizeHint::default(),
        }
    }
}

/// Reads from `stream` up to the end of a request head (`\r\n\r\n`); false if the peer closed
/// or failed first. For the raw-socket stand-ins that answer without parsing the request.
pub async fn read_request_head<S: tokio::io::AsyncRead + Unpin>(stream: &mut S) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    true
}
