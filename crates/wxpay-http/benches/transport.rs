//! Transport benchmarks against a local keep-alive HTTP/1.1 server that returns a canned,
//! correctly signed answer (so the server's own cost stays small and constant):
//!
//! * `rsa_sign` — the merchant RSA-2048 signature alone (one per request);
//! * `rsa_verify` — the answer's signature check alone (one per request);
//! * `raw_roundtrip` — the same GET through a bare hyper-util client: the HTTP floor;
//! * `execute_get` — `Client::execute` end to end (validate, sign, send, read, verify, parse).
//!
//! SDK overhead per request = `execute_get − rsa_sign` (the definition), measured
//! directly, paired per iteration, as `execute_minus_rsa_sign`; the part that is neither
//! cryptography nor HTTP = that − `rsa_verify` − `raw_roundtrip`.
//! Requests/s (sequential, one connection) = 1 / `execute_get`. The number of TCP
//! connections the server accepted is printed at the end (1 = every request reused it).
#![allow(missing_docs)]

#[path = "../tests/support/requests.rs"]
#[allow(dead_code)]
mod requests;

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::{BodyExt, Empty, Full};
use hyper::{Request, Response};
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::rt::{TokioExecutor, TokioIo};
use wxpay_crypto::{
    Clock, MerchantPrivateKey, SignatureHeaders, Signer, SystemClock, Verifier, WechatPayPublicKey,
    verification_string,
};

const MERCHANT_KEY: &str = include_str!("../../wxpay-crypto/testdata/merchant_key.pem");
const WECHATPAY_KEY: &str = include_str!("../../wxpay-crypto/testdata/wechatpay_key.pem");
const WECHATPAY_PUB: &str = include_str!("../../wxpay-crypto/testdata/wechatpay_pub.pem");
const PUB_KEY_ID: &str = "PUB_KEY_ID_0000000000000000000000000000000001";
const NONCE: &str = "593BEC0C930BF1AFEB40B4A08C8FB242";

/// The canned answer, re-signed once a minute so it stays inside the 300 s window.
struct Canned {
    signer: Signer,
    current: Mutex<(i64, String)>,
}

impl Canned {
    fn headers(&self) -> (String, String) {
        let now = SystemClock.now_unix();
        let mut cur = self.current.lock().unwrap();
        if now - cur.0 > 60 {
            let ts = now.to_string();
            let sig = self
                .signer
                .sign_bytes(&verification_string(
                    &ts,
                    NONCE,
                    requests::STOCK_JSON.as_bytes(),
                ))
                .unwrap();
            *cur = (now, sig);
        }
        (cur.0.to_string(), cur.1.clone())
    }
}

async fn start_server(connections: Arc<AtomicUsize>) -> String {
    let canned = Arc::new(Canned {
        signer: Signer::new(
            "w",
            "w",
            MerchantPrivateKey::from_pem(WECHATPAY_KEY).unwrap(),
        )
        .unwrap(),
        current: Mutex::new((0, String::new())),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            connections.fetch_add(1, Ordering::SeqCst);
            let _ = stream.set_nodelay(true);
            let canned = canned.clone();
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                        let canned = canned.clone();
                        async move {
                            let _ = req.into_body().collect().await;
                            let (ts, sig) = canned.headers();
                            Ok::<_, Infallible>(
                                Response::builder()
                                    .header("content-type", "application/json")
                                    .header("request-id", "RID-BENCH")
                                    .header("wechatpay-timestamp", ts)
                                    .header("wechatpay-nonce", NONCE)
                                    .header("wechatpay-signature", sig)
                                    .header("wechatpay-serial", PUB_KEY_ID)
                                    .body(Full::new(Bytes::from_static(
                                        requests::STOCK_JSON.as_bytes(),
                                    )))
                                    .unwrap(),
                            )
                        }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    url
}

fn transport(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sdk_connections = Arc::new(AtomicUsize::new(0));
    let raw_connections = Arc::new(AtomicUsize::new(0));
    let url = rt.block_on(start_server(sdk_connections.clone()));
    let raw_url = rt.block_on(start_server(raw_connections.clone()));

    let mut group = c.benchmark_group("transport");
    group.measurement_time(Duration::from_secs(5));

    let signer = Signer::new(
        "1900009191",
        "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
        MerchantPrivateKey::from_pem(MERCHANT_KEY).unwrap(),
    )
    .unwrap();
    let path = "/v3/test/stocks/98065001?limit=10&filter=%E6%BB%A1%20100%20%E5%87%8F%2F10";
    group.bench_function("rsa_sign", |b| {
        b.iter(|| signer.sign("GET", path, b"", 1_554_208_460, NONCE).unwrap())
    });

    let verifier = Verifier::new().with_public_key(
        PUB_KEY_ID,
        WechatPayPublicKey::from_pem(WECHATPAY_PUB).unwrap(),
    );
    let wechat = Signer::new(
        "w",
        "w",
        MerchantPrivateKey::from_pem(WECHATPAY_KEY).unwrap(),
    )
    .unwrap();
    let body = requests::STOCK_JSON.as_bytes();
    let sig = wechat
        .sign_bytes(&verification_string("1554208460", NONCE, body))
        .unwrap();
    let headers = SignatureHeaders {
        timestamp: "1554208460",
        nonce: NONCE,
        signature: &sig,
        serial: PUB_KEY_ID,
    };
    group.bench_function("rsa_verify", |b| {
        b.iter(|| verifier.verify(&headers, body, 1_554_208_460).unwrap())
    });

    let raw: PooledClient<_, Empty<Bytes>> = PooledClient::builder(TokioExecutor::new())
        .build(hyper_util::client::legacy::connect::HttpConnector::new());
    let raw_uri: http::Uri = format!("{raw_url}{path}").parse().unwrap();
    group.bench_function("raw_roundtrip", |b| {
        b.to_async(&rt).iter(|| async {
            let resp = raw.get(raw_uri.clone()).await.unwrap();
            resp.into_body().collect().await.unwrap().to_bytes()
        })
    });

    let client = wxpay_http::Client::builder()
        .mchid("1900009191")
        .merchant_serial("1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C")
        .merchant_private_key_pem(MERCHANT_KEY)
        .wechatpay_public_key(PUB_KEY_ID, WECHATPAY_PUB)
        .base_url(url)
        .backup_url(None)
        .build()
        .unwrap();
    let request = requests::get_stock();
    group.bench_function("execute_get", |b| {
        b.to_async(&rt)
            .iter(|| async { client.execute(&request).await.unwrap().into_value() })
    });
    // The overhead figure measured directly: in every iteration, one RSA sign alone and
    // one full `execute` back to back; the reported time is the sum of the differences, so
    // load changes during the run affect both sides alike.
    group.bench_function("execute_minus_rsa_sign", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let client = client.clone();
            let signer = &signer;
            let request = &request;
            async move {
                let mut total = Duration::ZERO;
                for i in 0..iters {
                    let t0 = std::time::Instant::now();
                    let auth = signer.sign("GET", path, b"", 1_554_208_460 + i as i64, NONCE);
                    let t1 = std::time::Instant::now();
                    std::hint::black_box(auth.unwrap());
                    client.execute(request).await.unwrap();
                    let t2 = t1.elapsed();
                    total += t2.saturating_sub(t1 - t0);
                }
                total
            }
        })
    });
    group.finish();

    eprintln!(
        "connections accepted: SDK server {}, raw server {}",
        sdk_connections.load(Ordering::SeqCst),
        raw_connections.load(Ordering::SeqCst)
    );
}

criterion_group!(benches, transport);
criterion_main!(benches);
