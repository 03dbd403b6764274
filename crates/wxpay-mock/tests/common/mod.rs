//! Test helpers: a hand-built signing client (wxpay-crypto + plain hyper, not wxpay-http) and a
//! local callback receiver.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value;
use wxpay_crypto::{Clock, MerchantPrivateKey, SignatureHeaders, Signer, Verifier};
use wxpay_mock::{DEMO_CERT_SERIAL, DEMO_MCHID, MerchantConfig, MockHandle};

pub const OTHER_MCHID: &str = "1900000002";
pub const OTHER_SERIAL: &str = "5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A";
pub const OTHER_KEY: &str = include_str!("../data/other_merchant_key.pem");
pub const OTHER_PUB: &str = include_str!("../data/other_merchant_pub.pem");
pub const OTHER_APIV3: &str = "otherMerchantApiV3Key00000000003";
pub const OTHER_APIV2: &str = "otherMerchantApiV2Key00000000004";

/// A second merchant.
pub fn other_merchant() -> MerchantConfig {
    MerchantConfig::new(
        OTHER_MCHID,
        OTHER_SERIAL,
        OTHER_PUB,
        OTHER_APIV3,
        OTHER_APIV2,
    )
}

/// An answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_owned()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Verifies the answer's signature with `verifier` at `now`.
    pub fn verify(&self, verifier: &Verifier, now: i64) -> Result<(), wxpay_crypto::Error> {
        let h = SignatureHeaders::from_header_map(&self.headers);
        verifier.verify(&h, &self.body, now)
    }
}

/// A client that signs like a merchant, by hand.
pub struct TestClient {
    pub http: HyperClient<HttpConnector, Full<Bytes>>,
    pub base: String,
    pub signer: Signer,
    pub clock: Arc<dyn Clock>,
    /// `Wechatpay-Serial` to send, if any.
    pub wechatpay_serial: Option<String>,
}

pub fn http_client() -> HyperClient<HttpConnector, Full<Bytes>> {
    HyperClient::builder(TokioExecutor::new()).build_http()
}

impl TestClient {
    pub fn demo(mock: &MockHandle, clock: Arc<dyn Clock>) -> Self {
        let key = MerchantPrivateKey::from_pem(mock.demo_merchant_private_key_pem()).unwrap();
        Self::new(
            mock,
            Signer::new(DEMO_MCHID, DEMO_CERT_SERIAL, key).unwrap(),
            clock,
        )
    }

    pub fn other(mock: &MockHandle, clock: Arc<dyn Clock>) -> Self {
        let key = MerchantPrivateKey::from_pem(OTHER_KEY).unwrap();
        Self::new(
            mock,
            Signer::new(OTHER_MCHID, OTHER_SERIAL, key).unwrap(),
            clock,
        )
    }

    pub fn new(mock: &MockHandle, signer: Signer, clock: Arc<dyn Clock>) -> Self {
        Self {
            http: http_client(),
            base: mock.base_url(),
            signer,
            clock,
            wechatpay_serial: Some(mock.keys().public_key_id().to_owned()),
        }
    }

    /// A signed request (not sent).
    pub fn request(&self, method: &str, path: &str, body: Option<&Value>) -> Request<Full<Bytes>> {
        let bytes = body.map(|b| serde_json::to_vec(b).unwrap());
        self.request_bytes(method, path, bytes)
    }

    /// A signed request with exactly these body bytes (`None`: no body).
    pub fn request_bytes(
        &self,
        method: &str,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Request<Full<Bytes>> {
        let json = body.is_some();
        let bytes = body.unwrap_or_default();
        let auth = self
            .signer
            .sign(
                method,
                path,
                &bytes,
                self.clock.now_unix(),
                &wxpay_crypto::random_nonce().unwrap(),
            )
            .unwrap();
        let mut b = Request::builder()
            .method(method)
            .uri(format!("{}{}", self.base, path))
            .header("authorization", auth.header_value())
            .header("accept", "application/json")
            .header("user-agent", "wxpay-mock-tests/0.1");
        if json {
            b = b.header("content-type", "application/json");
        }
        if let Some(s) = &self.wechatpay_serial {
            b = b.header("wechatpay-serial", s);
        }
        b.body(Full::new(Bytes::from(bytes))).unwrap()
    }

    /// Sends a `wxpay-model` request (validated, encoded and signed exactly as the SDK does)
    /// and parses a 2xx answer with the model's response type.
    pub async fn model<R: wxpay_model::ApiRequest>(&self, req: &R) -> Result<R::Response, Answer> {
        req.validate().unwrap();
        let body = match req.body().unwrap() {
            wxpay_model::RequestBody::Empty => None,
            other => Some(other.signed_bytes().to_vec()),
        };
        let answer = self
            .send(self.request_bytes(R::METHOD.as_str(), &req.path_and_query(), body))
            .await;
        if (200..300).contains(&answer.status) {
            Ok(R::parse_response(&answer.body).unwrap_or_else(|e| {
                panic!(
                    "answer does not fit the model type: {e}: {}",
                    String::from_utf8_lossy(&answer.body)
                )
            }))
        } else {
            Err(answer)
        }
    }

    pub async fn send(&self, req: Request<Full<Bytes>>) -> Answer {
        self.try_send(req).await.expect("request failed")
    }

    pub async fn try_send(
        &self,
        req: Request<Full<Bytes>>,
    ) -> Result<Answer, hyper_util::client::legacy::Error> {
        let resp = self.http.request(req).await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    pub async fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Answer {
        self.send(self.request(method, path, body)).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call("GET", path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.call("POST", path, Some(body)).await
    }
}

/// What a receiver saw.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A local notify_url endpoint that records requests and answers from a script.
pub struct Receiver {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Received>>>,
    pub script: Arc<Mutex<VecDeque<u16>>>,
    pub delay: Arc<Mutex<Option<Duration>>>,
    /// Runs on each request after it is recorded, before the answer (e.g. to move a clock).
    pub on_request: Arc<Mutex<Option<Hook>>>,
    task: tokio::task::JoinHandle<()>,
}

/// A receiver hook.
pub type Hook = Arc<dyn Fn() + Send + Sync>;

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    /// Answers the scripted statuses in order, then `204`.
    pub async fn start(script: &[u16]) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/notify/coupon", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(script.iter().copied().collect::<VecDeque<_>>()));
        let delay = Arc::new(Mutex::new(None));
        let on_request: Arc<Mutex<Option<Hook>>> = Arc::new(Mutex::new(None));
        let (s2, sc2, d2, h2) = (
            seen.clone(),
            script.clone(),
            delay.clone(),
            on_request.clone(),
        );
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (s3, sc3, d3, h3) = (s2.clone(), sc2.clone(), d2.clone(), h2.clone());
                tokio::spawn(async move {
                    let svc = service_fn(move |req: Request<Incoming>| {
                        let (s4, sc4, d4, h4) = (s3.clone(), sc3.clone(), d3.clone(), h3.clone());
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body.collect().await.unwrap().to_bytes();
                            s4.lock().unwrap().push(Received {
                                headers: parts.headers,
                                body,
                            });
                            let hook = h4.lock().unwrap().clone();
                            if let Some(hook) = hook {
                                hook();
                            }
                            let status = sc4.lock().unwrap().pop_front().unwrap_or(204);
                            let delay = *d4.lock().unwrap();
                            if let Some(d) = delay {
                                tokio::time::sleep(d).await;
                            }
                            let mut r = Response::new(Full::new(Bytes::new()));
                            *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
                            Ok::<_, std::convert::Infallible>(r)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Self {
            url,
            seen,
            script,
            delay,
            on_request,
            task,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.seen.lock().unwrap().clone()
    }
}

/// A loopback endpoint that accepts connections and closes them without answering: every
/// delivery to it fails with a connection error. Unlike a closed port, its port cannot be taken
/// over by another test's listener while it lives.
pub struct Sink {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Sink {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/notify", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                drop(stream);
            }
        });
        Self { url, task }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A NORMAL stock body valid from `begin` for 30 days.
pub fn normal_stock(out_request_no: &str, begin: i64, code_mode: &str) -> Value {
    let t = |u: i64| wxpay_model::Timestamp::from_unix_beijing(u).to_string();
    serde_json::json!({
        "stock_name": "满100减10",
        "belong_merchant": DEMO_MCHID,
        "comment": "测试批次",
        "goods_name": "全场通用",
        "stock_type": "NORMAL",
        "coupon_use_rule": {
            "coupon_available_time": {
                "available_begin_time": t(begin),
                "available_end_time": t(begin + 30 * 86_400),
                "available_day_after_receive": 7
            },
            "fixed_normal_coupon": {"discount_amount": 1000, "transaction_minimum": 10000},
            "use_method": "OFF_LINE"
        },
        "stock_send_rule": {"max_coupons": 3, "max_coupons_per_user": 2, "max_coupons_by_day": 3},
        "out_request_no": out_request_no,
        "coupon_code_mode": code_mode,
        "notify_config": {"notify_appid": "wx1234567890abcdef"},
        "subsidy": true
    })
}
