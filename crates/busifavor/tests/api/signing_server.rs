//! A small local server that stands in for WeChat Pay on the endpoints the simulator does not
//! serve (§8.24–§8.27) and for hand-written answers (leniency): it checks each request's
//! merchant signature and signs each answer with the simulator's WeChat Pay public-key pair.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use wxpay_crypto::{
    MerchantPrivateKey, MerchantPublicKey, Signer, parse_authorization, verification_string,
};

const WECHATPAY_KEY: &str = include_str!("../../../wxpay-mock/keys/wechatpay_key.pem");
const DEMO_MERCHANT_PUB: &str = include_str!("../../../wxpay-mock/keys/demo_merchant_pub.pem");

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path_and_query: String,
    pub content_type: String,
    pub body: Vec<u8>,
    /// The bytes the signature covers: the body, or the multipart `meta` part.
    pub signed: Vec<u8>,
    /// Whether the merchant signature verified.
    pub auth_ok: bool,
}

type Handler = dyn Fn(&Received) -> (u16, String) + Send + Sync;

pub struct SigningServer {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SigningServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The `meta` part of a multipart body (what an image upload signs).
pub fn multipart_part<'a>(body: &'a [u8], name: &str) -> Option<&'a [u8]> {
    let text = body;
    let marker = format!("name=\"{name}\"");
    let at = find(text, marker.as_bytes())?;
    let start = at + find(&text[at..], b"\r\n\r\n")? + 4;
    let end = start + find(&text[start..], b"\r\n--")?;
    Some(&text[start..end])
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

impl SigningServer {
    pub async fn start(
        handler: impl Fn(&Received) -> (u16, String) + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let rec = received.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (rec, handler) = (rec.clone(), handler.clone());
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                        let (rec, handler) = (rec.clone(), handler.clone());
                        async move { Ok::<_, Infallible>(answer(req, &rec, &*handler).await) }
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Self {
            url,
            received,
            task,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn answer(
    req: Request<Incoming>,
    rec: &Mutex<Vec<Received>>,
    handler: &Handler,
) -> Response<Full<Bytes>> {
    let method = req.method().as_str().to_owned();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let authorization = header("authorization");
    let content_type = header("content-type");
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    let signed = if content_type.starts_with("multipart/form-data") {
        multipart_part(&body, "meta")
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    } else {
        body.clone()
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let merchant = MerchantPublicKey::from_pem(DEMO_MERCHANT_PUB).unwrap();
    let auth_ok = parse_authorization(&authorization)
        .and_then(|f| merchant.verify_request(&method, &path_and_query, &signed, &f, now, 300))
        .is_ok();
    let got = Received {
        method,
        path_and_query,
        content_type,
        body,
        signed,
        auth_ok,
    };
    let (status, text) = handler(&got);
    rec.lock().unwrap().push(got);

    // Sign the answer as WeChat Pay does, with the simulator's public-key pair.
    let ts = now.to_string();
    let nonce = "0123456789abcdef0123456789abcdef";
    let signer = Signer::new(
        "-",
        "-",
        MerchantPrivateKey::from_pem(WECHATPAY_KEY).unwrap(),
    )
    .unwrap();
    let signature = signer
        .sign_bytes(&verification_string(&ts, nonce, text.as_bytes()))
        .unwrap();
    let mut resp = Response::new(Full::new(Bytes::from(text)));
    *resp.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
    let h = resp.headers_mut();
    h.insert("content-type", "application/json".parse().unwrap());
    h.insert("request-id", "08F0A1B2C3D4-TEST".parse().unwrap());
    h.insert("wechatpay-timestamp", ts.parse().unwrap());
    h.insert("wechatpay-nonce", nonce.parse().unwrap());
    h.insert("wechatpay-signature", signature.parse().unwrap());
    h.insert(
        "wechatpay-serial",
        wxpay_mock::DEFAULT_PUBLIC_KEY_ID.parse().unwrap(),
    );
    h.insert(
        "wechatpay-signature-type",
        "WECHATPAY2-SHA256-RSA2048".parse().unwrap(),
    );
    resp
}

/// A client for the demo merchant aimed at `server`.
pub fn client_for(server: &SigningServer) -> busifavor::Client {
    busifavor::Client::builder()
        .mchid(wxpay_mock::DEMO_MCHID)
        .merchant_serial(wxpay_mock::DEMO_CERT_SERIAL)
        .merchant_private_key_pem(wxpay_mock::demo_merchant_private_key_pem())
        .wechatpay_public_key(
            wxpay_mock::DEFAULT_PUBLIC_KEY_ID,
            include_str!("../../../wxpay-mock/keys/wechatpay_pub.pem"),
        )
        .base_url(&server.url)
        .retry_policy(crate::support::fast_retries())
        .build()
        .unwrap()
}
