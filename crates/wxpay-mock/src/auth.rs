//! Authenticating requests as WeChat Pay does (spec §1.3, §2): `User-Agent` and `Accept`
//! present, then the `Authorization: WECHATPAY2-SHA256-RSA2048 …` signature over method, raw
//! path-and-query, timestamp, nonce and raw body.

use std::collections::HashMap;

use http::HeaderMap;
use wxpay_crypto::{Error as CryptoError, parse_authorization};

use crate::api_error::ApiError;
use crate::merchant::Merchant;

const FORMAT_ERROR: &str = "Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》";

/// 400 `INVALID_REQUEST` when `Accept` or `User-Agent` is missing.
pub(crate) fn check_protocol_headers(headers: &HeaderMap) -> Result<(), ApiError> {
    // Present means non-blank; the value need not be ASCII (a UTF-8 app name is still a
    // User-Agent).
    let present = |name: &str| {
        headers
            .get(name)
            .is_some_and(|v| !v.as_bytes().trim_ascii().is_empty())
    };
    if present("accept") && present("user-agent") {
        Ok(())
    } else {
        Err(ApiError::invalid("Http头缺少Accept或User-Agent"))
    }
}

/// Checks the `Authorization` header; returns the authenticated mchid.
pub(crate) fn authenticate(
    merchants: &HashMap<String, Merchant>,
    headers: &HeaderMap,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    now: i64,
    tolerance: u64,
) -> Result<String, ApiError> {
    let value = headers
        .get(http::header::AUTHORIZATION)
        .ok_or_else(|| ApiError::sign("Http头Authorization为空"))?
        .to_str()
        .map_err(|_| ApiError::sign(FORMAT_ERROR))?;
    let auth = parse_authorization(value).map_err(|_| ApiError::sign(FORMAT_ERROR))?;
    let merchant = merchants
        .get(auth.mchid)
        .ok_or_else(|| ApiError::sign(format!("商户号{}不存在或未开通APIv3", auth.mchid)))?;
    if !merchant
        .config
        .cert_serial()
        .eq_ignore_ascii_case(auth.serial_no)
    {
        return Err(ApiError::sign(format!(
            "商户证书序列号{}有误，请确认证书序列号是否正确",
            auth.serial_no
        )));
    }
    match merchant.verify_request(method, path_and_query, body, &auth, now, tolerance) {
        Ok(()) => Ok(auth.mchid.to_owned()),
        Err(CryptoError::TimestampOutOfWindow { timestamp, now, .. }) => Err(ApiError::sign(
            format!("请求时间戳{timestamp}与系统时间{now}相差过大，请确认系统时间是否正确"),
        )),
        Err(CryptoError::MalformedTimestamp { .. }) => Err(ApiError::sign(FORMAT_ERROR)),
        Err(_) => Err(ApiError::sign("签名错误，请检查签名串与签名值是否正确")),
    }
}
