//! A user's coupons: list and query one (spec §8.12, §8.13).

use serde::{Deserialize, Serialize};

use super::coupon::CouponEntity;
use super::enums::CouponState;
use super::{BASE, seg};
use crate::error::{Error, ValidationError};
use crate::request::{ApiRequest, Method, RequestBody};
use crate::validate as v;

/// `GET /v3/marketing/busifavor/users/{openid}/coupons` — list a user's coupons (§8.12).
///
/// Pass `creator_merchant`, `belong_merchant` or `sender_merchant` according to the caller's role.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ListUserCouponsRequest {
    /// User (path), 1..=128.
    pub openid: String,
    /// Appid bound to the caller or the belong merchant (query).
    pub appid: String,
    /// Filter by stock (query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_id: Option<String>,
    /// Filter by state (query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_state: Option<CouponState>,
    /// Required when the caller created the stock (query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator_merchant: Option<String>,
    /// Required when the caller owns the stock (query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub belong_merchant: Option<String>,
    /// Required when the caller issued the coupons (query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_merchant: Option<String>,
    /// Page index (query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// Page size (query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
}

impl ListUserCouponsRequest {
    /// List `openid`'s coupons under `appid`.
    pub fn new(openid: impl Into<String>, appid: impl Into<String>) -> Self {
        Self {
            openid: openid.into(),
            appid: appid.into(),
            ..Self::default()
        }
    }
}

impl ApiRequest for ListUserCouponsRequest {
    type Response = ListUserCouponsResponse;
    const METHOD: Method = Method::Get;
    const PATH_TEMPLATE: &'static str = "/v3/marketing/busifavor/users/{openid}/coupons";
    fn path(&self) -> String {
        format!("{BASE}/users/{}/coupons", seg(&self.openid))
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![("appid", self.appid.clone())];
        let opt = [
            ("stock_id", self.stock_id.clone()),
            (
                "coupon_state",
                self.coupon_state.as_ref().map(ToString::to_string),
            ),
            ("creator_merchant", self.creator_merchant.clone()),
            ("belong_merchant", self.belong_merchant.clone()),
            ("sender_merchant", self.sender_merchant.clone()),
            ("offset", self.offset.map(|o| o.to_string())),
            ("limit", self.limit.map(|l| l.to_string())),
        ];
        q.extend(opt.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
        q
    }
    fn body(&self) -> Result<RequestBody, Error> {
        Ok(RequestBody::Empty)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        v::id("openid", &self.openid, 1, 128)?;
        v::id("appid", &self.appid, 1, 32)?;
        v::opt_id("stock_id", self.stock_id.as_ref(), 1, 20)?;
        v::opt_id("creator_merchant", self.creator_merchant.as_ref(), 1, 32)?;
        v::opt_id("belong_merchant", self.belong_merchant.as_ref(), 1, 32)?;
        v::opt_id("sender_merchant", self.sender_merchant.as_ref(), 1, 32)?;
        v::opt_min("offset", self.offset, 0)?;
        v::opt_min("limit", self.limit, 1)
    }
}

/// Answer to [`ListUserCouponsRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListUserCouponsResponse {
    /// This page (may be absent when empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<CouponEntity>>,
    /// Coupons matching.
    pub total_count: i64,
    /// Offset.
    pub offset: i64,
    /// Page size.
    pub limit: i64,
}

/// `GET /v3/marketing/busifavor/users/{openid}/coupons/{coupon_code}/appids/{appid}` — one of a
/// user's coupons (§8.13).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct QueryUserCouponRequest {
    /// User (path), 1..=128.
    pub openid: String,
    /// Coupon code (path), 1..=32.
    pub coupon_code: String,
    /// Appid (path), 1..=32.
    pub appid: String,
}

impl QueryUserCouponRequest {
    /// Query `coupon_code` of `openid` under `appid`.
    pub fn new(
        openid: impl Into<String>,
        coupon_code: impl Into<String>,
        appid: impl Into<String>,
    ) -> Self {
        Self {
            openid: openid.into(),
            coupon_code: coupon_code.into(),
            appid: appid.into(),
        }
    }
}

impl ApiRequest for QueryUserCouponRequest {
    type Response = CouponEntity;
    const METHOD: Method = Method::Get;
    const PATH_TEMPLATE: &'static str =
        "/v3/marketing/busifavor/users/{openid}/coupons/{coupon_code}/appids/{appid}";
    fn path(&self) -> String {
        format!(
            "{BASE}/users/{}/coupons/{}/appids/{}",
            seg(&self.openid),
            seg(&self.coupon_code),
            seg(&self.appid)
        )
    }
    fn body(&self) -> Result<RequestBody, Error> {
        Ok(RequestBody::Empty)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        v::id("openid", &self.openid, 1, 128)?;
        v::text("coupon_code", &self.coupon_code, 1, 32)?;
        v::id("appid", &self.appid, 1, 32)
    }
}
