//! The merchant's busifavor callback URL (spec §8.9, §8.10, seed `get-coupon-notify-url.txt`).

use serde_json::{Value, json};

use super::{Ctx, NotifyUrl, Reply, State};
use crate::api_error::ApiError;
use crate::validate::{object, opt_str, query, req_str};
use wxpay_model::Timestamp;

/// Whether `host` is a loopback host (the simulator accepts `http://` for these only).
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Checks a notify URL: HTTPS (or HTTP to a loopback host — a simulator-only relaxation), no
/// query or fragment, 10–256 characters, a host present.
pub(crate) fn check_notify_url(url: &str) -> Result<(), &'static str> {
    if url.contains('?') || url.contains('#') {
        return Err("notify_url不能携带参数");
    }
    let (scheme, rest) = url.split_once("://").ok_or("notify_url必须是绝对URL")?;
    let authority = rest.split('/').next().unwrap_or("");
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !h.is_empty() => h,
        _ => authority,
    };
    if host.is_empty() {
        return Err("notify_url缺少域名");
    }
    match scheme {
        "https" => Ok(()),
        "http" if is_loopback_host(host) => Ok(()),
        _ => Err("notify_url必须是HTTPS地址（模拟器另外允许回环地址的HTTP）"),
    }
}

impl State {
    /// `POST /v3/marketing/busifavor/callbacks`.
    pub(crate) fn set_callback(&mut self, ctx: &Ctx, body: &Value) -> Result<Reply, ApiError> {
        let obj = object(body)?;
        let mchid = opt_str(obj, "", "mchid", 8, 15)?.unwrap_or(&ctx.mchid);
        if mchid != ctx.mchid {
            return Err(ApiError::no_auth(format!("无权设置商户{mchid}的通知地址")));
        }
        let url = req_str(obj, "", "notify_url", 10, 256)?;
        check_notify_url(url).map_err(|issue| ApiError::param("/notify_url", url, issue))?;
        self.notify_urls.insert(
            ctx.mchid.clone(),
            NotifyUrl {
                url: url.to_owned(),
            },
        );
        Ok(Reply::ok(json!({
            "update_time": Timestamp::from_unix_beijing(ctx.now),
            "notify_url": url,
            "mchid": ctx.mchid,
        })))
    }

    /// `GET /v3/marketing/busifavor/callbacks?mchid=…`.
    pub(crate) fn get_callback(
        &self,
        ctx: &Ctx,
        q: &[(String, String)],
    ) -> Result<Reply, ApiError> {
        let mchid = query(q, "mchid")
            .filter(|m| !m.is_empty())
            .unwrap_or(&ctx.mchid);
        if mchid != ctx.mchid {
            return Err(ApiError::no_auth(format!(
                "仅可以查询由请求商户号设置的通知URL（{mchid}）"
            )));
        }
        let n = self
            .notify_urls
            .get(mchid)
            .ok_or_else(|| ApiError::not_found("商户未设置商家券事件通知地址"))?;
        Ok(Reply::ok(json!({"notify_url": n.url, "mchid": mchid})))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_url_rules() {
        assert!(check_notify_url("https://example.com/notify").is_ok());
        assert!(check_notify_url("http://127.0.0.1:8080/notify").is_ok());
        assert!(check_notify_url("http://localhost:1/n").is_ok());
        assert!(check_notify_url("http://[::1]:1/n").is_ok());
        assert!(check_notify_url("http://example.com/notify").is_err());
        assert!(check_notify_url("https://example.com/notify?a=1").is_err());
        assert!(check_notify_url("ftp://example.com/x").is_err());
        assert!(check_notify_url("example.com/notify").is_err());
    }
}
