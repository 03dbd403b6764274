//! Front-end issuing (spec §13): the parameters a merchant's server signs with the APIv2 key,
//! handed to the simulator's stand-ins for the mini-program plugin and the H5 page.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use wxpay_crypto::ApiV2Key;

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

    /// The mini-program `send-coupon` plugin: one coupon, signed with the APIv2 key over the
    /// index-suffixed parameters. Returns the coupon code and the signed string's parameters.
    pub async fn miniprogram(
        &self,
        apiv2: &ApiV2Key,
        mchid: &str,
        stock_id: &str,
        out_request_no: &str,
        openid: &str,
    ) -> Result<(String, String), String> {
        let params = [
            ("out_request_no0", out_request_no),
            ("send_coupon_merchant", mchid),
            ("stock_id0", stock_id),
        ];
        let sign = apiv2.sign(params);
        let v = self
            .send(
                "POST",
                "/mock/v1/miniprogram/send-coupon",
                Some(json!({
                    "send_coupon_params": [{"stock_id": stock_id, "out_request_no": out_request_no}],
                    "send_coupon_merchant": mchid,
                    "sign": sign,
                    "openid": openid,
                })),
            )
            .await?;
        let first = &v["send_coupon_result"][0];
        if first["code"] != "SUCCESS" {
            return Err(format!("the plugin refused: {first}"));
        }
        Ok((
            first["coupon_code"].as_str().unwrap_or_default().to_owned(),
            sign,
        ))
    }

    /// The H5 coupon page: every query parameter but `sign` signed with the APIv2 key.
    pub async fn h5(
        &self,
        apiv2: &ApiV2Key,
        mchid: &str,
        stock_id: &str,
        out_request_no: &str,
        openid: &str,
    ) -> Result<(String, String), String> {
        let params = [
            ("stock_id", stock_id),
            ("out_request_no", out_request_no),
            ("send_coupon_merchant", mchid),
            ("open_id", openid),
        ];
        let sign = apiv2.sign(params);
        let query: Vec<(&str, String)> = params
            .iter()
            .map(|(k, v)| (*k, (*v).to_owned()))
            .chain([("sign", sign.clone())])
            .collect();
        let v = self
            .send(
                "GET",
                &format!(
                    "/mock/v1/busifavor/getcouponinfo?{}",
                    wxpay_model::encode_query(&query)
                ),
                None,
            )
            .await?;
        Ok((
            v["coupon_code"].as_str().unwrap_or_default().to_owned(),
            sign,
        ))
    }
}
