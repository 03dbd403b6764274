//! The simulator's in-memory world: stocks, coupons, pre-made codes, callback URLs, subsidy
//! receipts, and the idempotency records of request numbers (bounded, `idempotency.rs`).
//!
//! The files of this module hold data and what the data knows about itself; the operations of
//! the API that change it are in `crate::ops`, one file per group of endpoints.

pub(crate) mod codes;
pub(crate) mod coupons;
pub(crate) mod idempotency;
pub(crate) mod stocks;
pub(crate) mod subsidy;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::Value;

use crate::api_error::ApiError;
use crate::state::codes::CodePool;
use crate::state::coupons::Coupon;
use crate::state::idempotency::{IdempotencyStore, JsonSize};
use crate::state::stocks::Stock;
use crate::state::subsidy::{PayReceipt, ReturnReceipt};

/// Who is asking and when.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub(crate) mchid: String,
    pub(crate) now: i64,
}

/// A successful answer before signing: status and optional JSON body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
}

impl Reply {
    pub(crate) fn ok(body: Value) -> Self {
        Self {
            status: 200,
            body: Some(body),
        }
    }

    /// A 200 answer built from one of the model's response types.
    pub(crate) fn answer<T: Serialize>(body: &T) -> Self {
        Self::ok(serde_json::to_value(body).unwrap_or(Value::Null))
    }

    pub(crate) fn no_content() -> Self {
        Self {
            status: 204,
            body: None,
        }
    }
}

impl JsonSize for Reply {
    fn json_len(&self) -> usize {
        self.body.as_ref().map_or(0, JsonSize::json_len)
    }
}

/// Something that happened and needs a callback.
#[derive(Debug, Clone)]
pub(crate) struct CouponSent {
    /// Merchant whose `notify_url` receives the callback (the stock creator).
    pub(crate) creator: String,
    /// The decrypted `COUPON.SEND` resource (spec §10.1).
    pub(crate) plaintext: Value,
}

/// A callback URL set by a merchant.
#[derive(Debug, Clone)]
pub(crate) struct NotifyUrl {
    pub(crate) url: String,
}

/// Everything.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) stocks: BTreeMap<String, Stock>,
    /// Keyed by (stock_id, coupon_code).
    pub(crate) coupons: BTreeMap<(String, String), Coupon>,
    pub(crate) codes: HashMap<String, CodePool>,
    pub(crate) notify_urls: HashMap<String, NotifyUrl>,
    pub(crate) pay_receipts: BTreeMap<String, PayReceipt>,
    pub(crate) return_receipts: BTreeMap<String, ReturnReceipt>,
    pub(crate) idempotency: IdempotencyStore<Reply>,
    pub(crate) events: Vec<CouponSent>,
    seq: u64,
}

impl State {
    /// A fresh sequence number (ids are derived from it, so they never repeat).
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Runs `f` once per (scope, merchant, request number): a repeat with identical `request`
    /// content returns the first answer (and emits no events); a repeat with different content
    /// gives `RESOURCE_ALREADY_EXISTS`. Failures are not remembered, so a failed request may be
    /// retried with the same number.
    pub(crate) fn idempotent(
        &mut self,
        scope: &'static str,
        mchid: &str,
        request_no: &str,
        request: &Value,
        f: impl FnOnce(&mut State) -> Result<Reply, ApiError>,
    ) -> Result<Reply, ApiError> {
        let key = (scope, mchid.to_owned(), request_no.to_owned());
        if let Some((first, reply)) = self.idempotency.get(&key) {
            return if first == request {
                Ok(reply.clone())
            } else {
                Err(ApiError::exists(format!(
                    "请求单号{request_no}已使用，且与首次请求的参数不一致"
                )))
            };
        }
        let reply = f(self)?;
        self.idempotency.insert(key, request.clone(), reply.clone());
        Ok(reply)
    }

    /// The stock, or 404.
    pub(crate) fn stock(&self, stock_id: &str) -> Result<&Stock, ApiError> {
        self.stocks
            .get(stock_id)
            .ok_or_else(|| ApiError::not_found(format!("批次{stock_id}不存在")))
    }

    /// The stock if `mchid` created it or owns it; 404 / 403 `NO_AUTH` otherwise.
    pub(crate) fn own_stock(&self, stock_id: &str, mchid: &str) -> Result<&Stock, ApiError> {
        let stock = self.stock(stock_id)?;
        if stock.visible_to(mchid) {
            Ok(stock)
        } else {
            Err(ApiError::no_auth(format!(
                "商户号{mchid}无权操作批次{stock_id}"
            )))
        }
    }

    /// Mutable variant of [`State::own_stock`].
    pub(crate) fn own_stock_mut(
        &mut self,
        stock_id: &str,
        mchid: &str,
    ) -> Result<&mut Stock, ApiError> {
        self.own_stock(stock_id, mchid)?;
        self.stocks
            .get_mut(stock_id)
            .ok_or_else(|| ApiError::not_found(format!("批次{stock_id}不存在")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn idempotency_returns_first_answer_or_conflict() {
        let mut st = State::default();
        let req = json!({"a": 1});
        let first = st
            .idempotent("t", "m", "no1", &req, |s| {
                Ok(Reply::ok(json!({"n": s.next_seq()})))
            })
            .unwrap();
        let again = st
            .idempotent("t", "m", "no1", &json!({"a": 1}), |s| {
                Ok(Reply::ok(json!({"n": s.next_seq()})))
            })
            .unwrap();
        assert_eq!(first, again);
        let err = st
            .idempotent("t", "m", "no1", &json!({"a": 2}), |_| {
                Ok(Reply::no_content())
            })
            .unwrap_err();
        assert_eq!(err.code(), "RESOURCE_ALREADY_EXISTS");
        // Another merchant or scope has its own numbers.
        assert!(
            st.idempotent("t", "other", "no1", &json!({"a": 2}), |_| Ok(
                Reply::no_content()
            ))
            .is_ok()
        );
        // Failures are not remembered.
        assert!(
            st.idempotent("u", "m", "x", &req, |_| Err(ApiError::invalid("no")))
                .is_err()
        );
        assert!(
            st.idempotent("u", "m", "x", &json!({}), |_| Ok(Reply::no_content()))
                .is_ok()
        );
    }
}
