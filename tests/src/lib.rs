//! Shared harness for the cross-crate tests in `tests/tests/` and the demo: a client configured
//! against the simulator, a merchant callback endpoint, and ready-made requests.
#![forbid(unsafe_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use wxpay_model::busifavor::CreateStockRequest;

/// A client for the simulator's demo merchant, in public-key mode.
pub fn demo_client(mock: &wxpay_mock::MockHandle) -> wxpay_http::ClientBuilder {
    let keys = mock.keys();
    wxpay_http::Client::builder()
        .mchid(wxpay_mock::DEMO_MCHID)
        .merchant_serial(wxpay_mock::DEMO_CERT_SERIAL)
        .merchant_private_key_pem(mock.demo_merchant_private_key_pem())
        .wechatpay_public_key(keys.public_key_id(), keys.public_key_pem())
        .api_v3_key(wxpay_mock::DEMO_APIV3_KEY)
        .base_url(mock.base_url())
        .backup_url(None)
}

/// RFC 3339 text of a Unix time, in UTC+8 as WeChat Pay writes it (the model's formatter).
pub fn rfc3339(unix: i64) -> String {
    wxpay_model::Timestamp::from_unix_beijing(unix).to_string()
}

/// A NORMAL (满减) stock for the demo merchant: 10 CNY off 100, valid 30 days from `begin`,
/// at most `max_coupons`, codes assigned by WeChat Pay, callbacks carrying the openid.
pub fn normal_stock(out_request_no: &str, begin: i64, max_coupons: u64) -> CreateStockRequest {
    let json = serde_json::json!({
        "stock_name": "满100减10",
        "belong_merchant": wxpay_mock::DEMO_MCHID,
        "comment": "wxpay demo",
        "goods_name": "全场通用",
        "stock_type": "NORMAL",
        "coupon_use_rule": {
            "coupon_available_time": {
                "available_begin_time": rfc3339(begin),
                "available_end_time": rfc3339(begin + 30 * 86_400),
                "available_day_after_receive": 7
            },
            "fixed_normal_coupon": {"discount_amount": 1000, "transaction_minimum": 10000},
            "use_method": "OFF_LINE"
        },
        "stock_send_rule": {"max_coupons": max_coupons, "max_coupons_per_user": 2, "max_coupons_by_day": max_coupons},
        "out_request_no": out_request_no,
        "coupon_code_mode": "WECHATPAY_MODE",
        "notify_config": {"notify_appid": "wx1234567890abcdef"}
    });
    match serde_json::from_value(json) {
        Ok(stock) => stock,
        Err(e) => panic!("the harness stock no longer fits the model type: {e}"),
    }
}

/// One callback as the merchant endpoint received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// Header pairs, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
}

/// What the endpoint answers: status and body.
pub type Answer = (u16, Vec<u8>);

type Handler = dyn Fn(&Received) -> Answer + Send + Sync;

/// A merchant's callback endpoint on 127.0.0.1: records every POST and answers with the
/// handler's status and body.
pub struct CallbackEndpoint {
    /// `http://127.0.0.1:port/wechatpay/coupon`.
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    arrived: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl CallbackEndpoint {
    /// Starts the endpoint with `handler` deciding each answer.
    pub async fn start(
        handler: impl Fn(&Received) -> Answer + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let url = format!("http://{}/wechatpay/coupon", listener.local_addr()?);
        let received = Arc::new(Mutex::new(Vec::new()));
        let arrived = Arc::new(Notify::new());
        let handler: Arc<Handler> = Arc::new(handler);
        let (rec, arr) = (received.clone(), arrived.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (rec, arr, handler) = (rec.clone(), arr.clone(), handler.clone());
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                        let (rec, arr, handler) = (rec.clone(), arr.clone(), handler.clone());
                        async move {
                            let headers = req
                                .headers()
                                .iter()
                                .map(|(k, v)| {
                                    (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned())
                                })
                                .collect();
                            let body = match req.into_body().collect().await {
                                Ok(b) => b.to_bytes().to_vec(),
                                Err(_) => Vec::new(),
                            };
                            let got = Received { headers, body };
                            let (status, answer) = handler(&got);
                            if let Ok(mut all) = rec.lock() {
                                all.push(got);
                            }
                            arr.notify_waiters();
                            let mut resp = Response::new(Full::new(Bytes::from(answer)));
                            *resp.status_mut() = hyper::StatusCode::from_u16(status)
                                .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
                            Ok::<_, Infallible>(resp)
                        }
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Ok(Self {
            url,
            received,
            arrived,
            task,
        })
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl Drop for CallbackEndpoint {
    fn drop(&mut self) {
        self.task.abort();
        self.arrived.notify_waiters();
    }
}
