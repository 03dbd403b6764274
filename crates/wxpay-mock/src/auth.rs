//! Authenticating requests as WeChat Pay does (spec §1.3, §2): `User-Agent` and `Accept`
//! present, then the `Authorization: WECHATPAY2-SHA256-RSA2048 …` signature over method, raw
//! path-and-query, timestamp, nonce and raw body.

use std::collections::HashMap;

use http::HeaderMap;
use wxpay_crypto::{SCHEME, signing_string};

use crate::api_error::ApiError;
use crate::merchant::Merchant;

const FORMAT_ERROR: &str = "Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》";

/// The five fields of an `Authorization` header.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct AuthFields {
    pub(crate) mchid: String,
    pub(crate) nonce_str: String,
    pub(crate) signature: String,
    pub(crate) timestamp: String,
    pub(crate) serial_no: String,
}

/// Parses `SCHEME k="v",k="v",…` with the five fields in any order. Returns `None` for any
/// deviation (unknown scheme, missing/duplicate/unknown field, unquoted value).
pub(crate) fn parse_authorization(value: &str) -> Option<AuthFields> {
    let rest = value.strip_prefix(SCHEME)?.strip_prefix(' ')?;
    let mut out = AuthFields::default();
    let mut seen = 0u8;
    for part in rest.split(',') {
        let (key, quoted) = part.trim().split_once('=')?;
        let v = quoted.strip_prefix('"')?.strip_suffix('"')?;
        if v.contains('"') {
            return None;
        }
        let (slot, bit) = match key.trim() {
            "mchid" => (&mut out.mchid, 1),
            "nonce_str" => (&mut out.nonce_str, 2),
            "signature" => (&mut out.signature, 4),
            "timestamp" => (&mut out.timestamp, 8),
            "serial_no" => (&mut out.serial_no, 16),
            _ => return None,
        };
        if seen & bit != 0 || v.is_empty() {
            return None;
        }
        seen |= bit;
        *slot = v.to_owned();
    }
    (seen == 31).then_some(out)
}

/// 400 `INVALID_REQUEST` when `Accept` or `User-Agent` is missing.
pub(crate) fn check_protocol_headers(headers: &HeaderMap) -> Result<(), ApiError> {
    let present = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| !v.trim().is_empty())
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
        .get("authorization")
        .ok_or_else(|| ApiError::sign("Http头Authorization为空"))?
        .to_str()
        .map_err(|_| ApiError::sign(FORMAT_ERROR))?;
    let auth = parse_authorization(value).ok_or_else(|| ApiError::sign(FORMAT_ERROR))?;
    let merchant = merchants
        .get(&auth.mchid)
        .ok_or_else(|| ApiError::sign(format!("商户号{}不存在或未开通APIv3", auth.mchid)))?;
    if !merchant
        .config
        .cert_serial()
        .eq_ignore_ascii_case(&auth.serial_no)
    {
        return Err(ApiError::sign(format!(
            "商户证书序列号{}有误，请确认证书序列号是否正确",
            auth.serial_no
        )));
    }
    let ts: i64 =
        if auth.timestamp.len() <= 19 && auth.timestamp.bytes().all(|b| b.is_ascii_digit()) {
            auth.timestamp
                .parse()
                .map_err(|_| ApiError::sign(FORMAT_ERROR))?
        } else {
            return Err(ApiError::sign(FORMAT_ERROR));
        };
    if now.abs_diff(ts) >= tolerance {
        return Err(ApiError::sign(format!(
            "请求时间戳{ts}与系统时间{now}相差过大，请确认系统时间是否正确"
        )));
    }
    let message = signing_string(method, path_and_query, ts, &auth.nonce_str, body);
    if !merchant.verify(&message, &auth.signature) {
        return Err(ApiError::sign("签名错误，请检查签名串与签名值是否正确"));
    }
    Ok(auth.mchid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields_in_any_order() {
        let a = parse_authorization(
            r#"WECHATPAY2-SHA256-RSA2048 serial_no="AB",timestamp="1",signature="c2ln",nonce_str="N",mchid="19""#,
        )
        .unwrap();
        assert_eq!(
            a,
            AuthFields {
                mchid: "19".into(),
                nonce_str: "N".into(),
                signature: "c2ln".into(),
                timestamp: "1".into(),
                serial_no: "AB".into(),
            }
        );
        assert!(
            parse_authorization(r#"WECHATPAY2-SHA256-RSA2048 mchid="19", nonce_str="N", signature="s", timestamp="1", serial_no="A""#)
                .is_some(),
            "spaces after commas are tolerated"
        );
    }

    #[test]
    fn rejects_garbled_headers() {
        for bad in [
            "",
            "Bearer x",
            r#"WECHATPAY2-SHA256-RSA2048 mchid="19""#,
            r#"WECHATPAY2-SHA256-RSA2048 mchid=19,nonce_str="N",signature="s",timestamp="1",serial_no="A""#,
            r#"WECHATPAY2-SHA256-RSA2048 mchid="19",mchid="19",nonce_str="N",signature="s",timestamp="1",serial_no="A""#,
            r#"WECHATPAY2-SHA256-RSA2048 mchid="19",nonce_str="N",signature="s",timestamp="1",serial_no="A",extra="x""#,
            r#"WECHATPAY-BRAND-SHA256-RSA2048 mchid="19",nonce_str="N",signature="s",timestamp="1",serial_no="A""#,
        ] {
            assert!(parse_authorization(bad).is_none(), "{bad}");
        }
    }
}
