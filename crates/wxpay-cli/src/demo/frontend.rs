//! Front-end issuing (spec §13): the parameters the `busifavor` client signs with the APIv2
//! key, handed to the simulator's stand-ins for the mini-program plugin and the H5 page.

use busifavor::{H5CouponLink, PluginParams};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

/// A plain HTTP client for the simulator's unsigned `/mock/v1/` routes.
pub struct Simulator {
    base: String,
    http: Client<HttpConnector, Full<Bytes>>,
}

impl Simulator {
    /// For the simulator at `base` (`http://127.0.0.1:PORT`).
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            http: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    async fn send(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let req = http::Request::builder()
            .method(method)
            .uri(format!("{}{path_and_query}", self.base))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(
                body.map(|b| b.to_string()).unwrap_or_default(),
            )))
            .map_err(|e| e.to_string())?;
        let resp = self.http.request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("HTTP {status}: {v}"));
        }
        Ok(v)
    }

    /// Hands the plugin parameters (signed by the merchant's server) to the simulator's
    /// stand-in for the mini-program `send-coupon` plugin, as the user `openid`. Returns the
    /// first coupon's code.
    pub async fn miniprogram(&self, params: &PluginParams, openid: &str) -> Result<String, String> {
        let mut body = serde_json::to_value(params).map_err(|e| e.to_string())?;
        body["openid"] = json!(openid);
        let v = self
            .send("POST", "/mock/v1/miniprogram/send-coupon", Some(body))
            .await?;
        let first = &v["send_coupon_result"][0];
        if first["code"] != "SUCCESS" {
            return Err(format!("the plugin refused: {first}"));
        }
        Ok(first["coupon_code"].as_str().unwrap_or_default().to_owned())
    }

    /// Follows the signed H5 coupon link, as the user's browser would, on the simulator's
    /// stand-in for WeChat's coupon page. Returns the coupon code.
    pub async fn h5(&self, link: &H5CouponLink) -> Result<String, String> {
        let v = self
            .send(
                "GET",
                &format!("/mock/v1/busifavor/getcouponinfo?{}", link.query()),
                None,
            )
            .await?;
        Ok(v["coupon_code"].as_str().unwrap_or_default().to_owned())
    }
}
