//! Maps method + path to the WeChat Pay operations of spec §4 and §8, and decodes what a
//! request carries besides its typed body: percent-encoded path segments, the query, the JSON.

use http::Method;
use serde_json::Value;

use crate::api_error::ApiError;

/// Every WeChat Pay operation the simulator serves, with its path parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Op {
    Certificates,
    CreateStock,
    QueryStock(String),
    ModifyStock(String),
    ModifyBudget(String),
    UploadCodes(String),
    ListCodes(String),
    QueryCode(String, String),
    DeleteCode(String, String),
    SetCallback,
    GetCallback,
    UseCoupon,
    ListUserCoupons(String),
    QueryUserCoupon(String, String, String),
    ReturnCoupon,
    DeactivateCoupon,
    Associate,
    Disassociate,
    SendCoupon,
    SubsidyPay,
    ListPayReceipts,
    QueryPayReceipt(String),
    SubsidyReturn,
    QueryReturnReceipt(String),
}

/// Splits a raw path into percent-decoded segments.
pub(crate) fn segments(path: &str) -> Vec<String> {
    path.trim_start_matches('/')
        .split('/')
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect()
}

/// Parses a raw query string into decoded pairs (`+` is a space, as form encoding has it).
pub(crate) fn parse_query(q: Option<&str>) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        percent_encoding::percent_decode_str(&s)
            .decode_utf8_lossy()
            .into_owned()
    };
    q.unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// Resolves an operation; `None` when no such API exists (or the method does not fit).
pub(crate) fn resolve(method: &Method, segs: &[String]) -> Option<Op> {
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let m = method.as_str();
    let op = match (m, s.as_slice()) {
        ("GET", ["v3", "certificates"]) => Op::Certificates,
        (_, ["v3", "marketing", "busifavor", rest @ ..]) => match (m, rest) {
            ("POST", ["stocks"]) => Op::CreateStock,
            ("GET", ["stocks", id]) => Op::QueryStock((*id).to_owned()),
            ("PATCH", ["stocks", id]) => Op::ModifyStock((*id).to_owned()),
            ("PATCH", ["stocks", id, "budget"]) => Op::ModifyBudget((*id).to_owned()),
            ("POST", ["stocks", id, "couponcodes"]) => Op::UploadCodes((*id).to_owned()),
            ("GET", ["stocks", id, "couponcodes"]) => Op::ListCodes((*id).to_owned()),
            ("GET", ["stocks", id, "couponcodes", code]) => {
                Op::QueryCode((*id).to_owned(), (*code).to_owned())
            }
            ("DELETE", ["stocks", id, "couponcodes", code]) => {
                Op::DeleteCode((*id).to_owned(), (*code).to_owned())
            }
            ("POST", ["callbacks"]) => Op::SetCallback,
            ("GET", ["callbacks"]) => Op::GetCallback,
            ("POST", ["coupons", "use"]) => Op::UseCoupon,
            ("POST", ["coupons", "return"]) => Op::ReturnCoupon,
            ("POST", ["coupons", "deactivate"]) => Op::DeactivateCoupon,
            ("POST", ["coupons", "associate"]) => Op::Associate,
            ("POST", ["coupons", "disassociate"]) => Op::Disassociate,
            ("POST", ["coupons", "send"]) => Op::SendCoupon,
            ("GET", ["users", openid, "coupons"]) => Op::ListUserCoupons((*openid).to_owned()),
            ("GET", ["users", openid, "coupons", code, "appids", appid]) => Op::QueryUserCoupon(
                (*openid).to_owned(),
                (*code).to_owned(),
                (*appid).to_owned(),
            ),
            ("POST", ["subsidy", "pay-receipts"]) => Op::SubsidyPay,
            ("GET", ["subsidy", "pay-receipts"]) => Op::ListPayReceipts,
            ("GET", ["subsidy", "pay-receipts", id]) => Op::QueryPayReceipt((*id).to_owned()),
            ("POST", ["subsidy", "return-receipts"]) => Op::SubsidyReturn,
            ("GET", ["subsidy", "return-receipts", id]) => Op::QueryReturnReceipt((*id).to_owned()),
            _ => return None,
        },
        _ => return None,
    };
    Some(op)
}

/// Parses a JSON request body (`Null` when empty).
pub(crate) fn json_body(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::param("/", Value::Null, &format!("请求体不是合法的JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(m: Method, p: &str) -> Option<Op> {
        resolve(&m, &segments(p))
    }

    #[test]
    fn resolves_every_path_of_the_catalog() {
        let b = "/v3/marketing/busifavor";
        assert_eq!(
            op(Method::POST, &format!("{b}/stocks")),
            Some(Op::CreateStock)
        );
        assert_eq!(
            op(
                Method::GET,
                &format!("{b}/users/o%2Dx/coupons/C1/appids/wx1")
            ),
            Some(Op::QueryUserCoupon("o-x".into(), "C1".into(), "wx1".into()))
        );
        assert_eq!(
            op(Method::DELETE, &format!("{b}/stocks/1/couponcodes/a%20b")),
            Some(Op::DeleteCode("1".into(), "a b".into()))
        );
        assert_eq!(op(Method::GET, "/v3/certificates"), Some(Op::Certificates));
        assert_eq!(op(Method::PUT, &format!("{b}/stocks")), None);
        assert_eq!(op(Method::GET, &format!("{b}/nope")), None);
    }

    #[test]
    fn query_decoding() {
        assert_eq!(
            parse_query(Some("a=1&b=x%20y&c&d=e+f")),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y".into()),
                ("c".into(), String::new()),
                ("d".into(), "e f".into())
            ]
        );
    }
}
