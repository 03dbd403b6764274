//! Front-end issuing (spec §13): the mini-program `send-coupon` plugin's parameters and the H5
//! coupon URL, each with its APIv2 HMAC-SHA256 `sign`, computed on the server.
//!
//! The sign is over every parameter sent (empty ones left out), sorted by name, joined as
//! `k=v&…` **without URL-encoding**, plus `&key=<APIv2 key>`; so values here are limited to
//! visible ASCII without `&` and `=`, which would otherwise change what is signed.

use serde::{Deserialize, Serialize};
use wxpay_crypto::ApiV2Key;
use wxpay_model::ValidationError;

use crate::{Client, Error};

/// The H5 coupon page (`#wechat_pay&wechat_redirect` is appended).
pub const H5_COUPON_PAGE: &str = "https://action.weixin.qq.com/busifavor/getcouponinfo";

/// Most coupons one `send-coupon` plugin call may carry.
pub const MAX_PLUGIN_COUPONS: usize = 10;

/// One coupon for the mini-program `send-coupon` plugin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginCoupon {
    /// Stock id, 1..=20.
    pub stock_id: String,
    /// Issuing request number, unique per stock, 1..=128.
    pub out_request_no: String,
    /// Code, for stocks whose codes the merchant assigns (`MERCHANT_API`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<String>,
    /// Issuing time chosen by the merchant, passed through as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customize_send_time: Option<String>,
}

impl PluginCoupon {
    /// A coupon of `stock_id` under request number `out_request_no`.
    pub fn new(stock_id: impl Into<String>, out_request_no: impl Into<String>) -> Self {
        Self {
            stock_id: stock_id.into(),
            out_request_no: out_request_no.into(),
            coupon_code: None,
            customize_send_time: None,
        }
    }

    /// Sets the code (`MERCHANT_API` stocks).
    pub fn coupon_code(mut self, code: impl Into<String>) -> Self {
        self.coupon_code = Some(code.into());
        self
    }

    /// Sets `customize_send_time`.
    pub fn customize_send_time(mut self, time: impl Into<String>) -> Self {
        self.customize_send_time = Some(time.into());
        self
    }
}

/// What the mini-program passes to the `send-coupon` plugin: serialize it to JSON and hand it
/// to the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginParams {
    /// The coupons, 1..=10.
    pub send_coupon_params: Vec<PluginCoupon>,
    /// The issuing merchant.
    pub send_coupon_merchant: String,
    /// APIv2 HMAC-SHA256, upper-case hex.
    pub sign: String,
}

impl PluginParams {
    /// The signed parameters, flattened with a 0-based index suffix (`stock_id0`,
    /// `out_request_no0`, …) as the plugin signs them, empty values left out.
    pub fn signed_params(&self) -> Vec<(String, String)> {
        flatten(&self.send_coupon_merchant, &self.send_coupon_params)
    }
}

fn flatten(merchant: &str, coupons: &[PluginCoupon]) -> Vec<(String, String)> {
    let mut params = vec![("send_coupon_merchant".to_owned(), merchant.to_owned())];
    for (i, c) in coupons.iter().enumerate() {
        params.push((format!("stock_id{i}"), c.stock_id.clone()));
        params.push((format!("out_request_no{i}"), c.out_request_no.clone()));
        if let Some(code) = &c.coupon_code {
            params.push((format!("coupon_code{i}"), code.clone()));
        }
        if let Some(t) = &c.customize_send_time {
            params.push((format!("customize_send_time{i}"), t.clone()));
        }
    }
    params.retain(|(_, v)| !v.is_empty());
    params
}

fn sign(key: &ApiV2Key, params: &[(String, String)]) -> String {
    key.sign(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// A signed value: `min..=max` visible ASCII characters, no `&` or `=`.
fn value(field: &str, v: &str, min: usize, max: usize) -> Result<(), ValidationError> {
    let n = v.chars().count();
    if n < min || n > max {
        return Err(ValidationError::new(
            field,
            format!("be {min}..={max} characters"),
            format!("{n} characters"),
        ));
    }
    if let Some((i, c)) = v
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_graphic() || matches!(c, '&' | '='))
    {
        return Err(ValidationError::new(
            field,
            "contain only visible ASCII without & or = (the sign is over unencoded values)",
            format!("character {c:?} at position {i}"),
        ));
    }
    Ok(())
}

fn merchant(field: &str, v: &str) -> Result<(), ValidationError> {
    if v.is_empty() || v.len() > 32 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ValidationError::new(
            field,
            "be the merchant id (digits)",
            format!("{} characters", v.chars().count()),
        ));
    }
    Ok(())
}

/// Signs the mini-program `send-coupon` plugin parameters for `coupons` issued by
/// `send_coupon_merchant`, with the merchant's APIv2 key.
///
/// ```
/// use busifavor::{ApiV2Key, PluginCoupon, sign_plugin_params};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// let params = sign_plugin_params(&key, "10016226", vec![PluginCoupon::new("1234567", "abc123")])?;
/// // Spec §13's one-coupon example: out_request_no0=abc123&send_coupon_merchant=10016226&stock_id0=1234567&key=…
/// assert!(key.verify(
///     [("out_request_no0", "abc123"), ("send_coupon_merchant", "10016226"), ("stock_id0", "1234567")],
///     &params.sign,
/// ));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign_plugin_params(
    key: &ApiV2Key,
    send_coupon_merchant: &str,
    coupons: Vec<PluginCoupon>,
) -> Result<PluginParams, ValidationError> {
    merchant("send_coupon_merchant", send_coupon_merchant)?;
    if coupons.is_empty() || coupons.len() > MAX_PLUGIN_COUPONS {
        return Err(ValidationError::new(
            "send_coupon_params",
            format!("have 1..={MAX_PLUGIN_COUPONS} coupons"),
            format!("{} coupons", coupons.len()),
        ));
    }
    for (i, c) in coupons.iter().enumerate() {
        value(
            &format!("send_coupon_params[{i}].stock_id"),
            &c.stock_id,
            1,
            20,
        )?;
        value(
            &format!("send_coupon_params[{i}].out_request_no"),
            &c.out_request_no,
            1,
            128,
        )?;
        if let Some(code) = &c.coupon_code {
            value(&format!("send_coupon_params[{i}].coupon_code"), code, 1, 32)?;
        }
        if let Some(t) = &c.customize_send_time {
            value(
                &format!("send_coupon_params[{i}].customize_send_time"),
                t,
                1,
                64,
            )?;
        }
    }
    let sign = sign(key, &flatten(send_coupon_merchant, &coupons));
    Ok(PluginParams {
        send_coupon_params: coupons,
        send_coupon_merchant: send_coupon_merchant.to_owned(),
        sign,
    })
}

/// The coupon an H5 page gives one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct H5Coupon {
    /// Stock id, 1..=20.
    pub stock_id: String,
    /// Issuing request number, 1..=128 letters and digits.
    pub out_request_no: String,
    /// The issuing merchant.
    pub send_coupon_merchant: String,
    /// The user (openid under the merchant's appid).
    pub open_id: String,
    /// Code, for stocks whose codes the merchant assigns (`MERCHANT_API`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<String>,
}

impl H5Coupon {
    /// A coupon of `stock_id` for `open_id`, issued by `send_coupon_merchant`.
    pub fn new(
        stock_id: impl Into<String>,
        out_request_no: impl Into<String>,
        send_coupon_merchant: impl Into<String>,
        open_id: impl Into<String>,
    ) -> Self {
        Self {
            stock_id: stock_id.into(),
            out_request_no: out_request_no.into(),
            send_coupon_merchant: send_coupon_merchant.into(),
            open_id: open_id.into(),
            coupon_code: None,
        }
    }

    /// Sets the code (`MERCHANT_API` stocks).
    pub fn coupon_code(mut self, code: impl Into<String>) -> Self {
        self.coupon_code = Some(code.into());
        self
    }

    /// The signed parameters (every one sent but `sign`), empty values left out.
    pub fn signed_params(&self) -> Vec<(String, String)> {
        let mut p = vec![
            ("stock_id".to_owned(), self.stock_id.clone()),
            ("out_request_no".to_owned(), self.out_request_no.clone()),
            (
                "send_coupon_merchant".to_owned(),
                self.send_coupon_merchant.clone(),
            ),
            ("open_id".to_owned(), self.open_id.clone()),
        ];
        if let Some(code) = &self.coupon_code {
            p.push(("coupon_code".to_owned(), code.clone()));
        }
        p.retain(|(_, v)| !v.is_empty());
        p
    }
}

/// A signed H5 coupon link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct H5CouponLink {
    /// The whole URL to redirect the user to.
    pub url: String,
    /// The sign inside it.
    pub sign: String,
}

impl H5CouponLink {
    /// The query string: the signed parameters and `sign`, percent-encoded.
    pub fn query(&self) -> &str {
        let start = self.url.find('?').map_or(self.url.len(), |i| i + 1);
        let end = self.url.find('#').unwrap_or(self.url.len());
        &self.url[start.min(end)..end]
    }
}

/// Signs an H5 coupon link with the merchant's APIv2 key.
///
/// ```
/// use busifavor::{ApiV2Key, H5Coupon, sign_h5_coupon};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// let link = sign_h5_coupon(&key, &H5Coupon::new("1234567", "abc123", "10016226", "o-user-1"))?;
/// assert!(link.url.starts_with("https://action.weixin.qq.com/busifavor/getcouponinfo?stock_id=1234567&"));
/// assert!(link.url.ends_with("#wechat_pay&wechat_redirect"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign_h5_coupon(key: &ApiV2Key, coupon: &H5Coupon) -> Result<H5CouponLink, ValidationError> {
    value("stock_id", &coupon.stock_id, 1, 20)?;
    value("out_request_no", &coupon.out_request_no, 1, 128)?;
    if let Some((i, c)) = coupon
        .out_request_no
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
    {
        return Err(ValidationError::new(
            "out_request_no",
            "consist of letters and digits (H5 issuing)",
            format!("character {c:?} at position {i}"),
        ));
    }
    merchant("send_coupon_merchant", &coupon.send_coupon_merchant)?;
    value("open_id", &coupon.open_id, 1, 128)?;
    if let Some(code) = &coupon.coupon_code {
        value("coupon_code", code, 1, 32)?;
    }
    let params = coupon.signed_params();
    let sign = sign(key, &params);
    let mut pairs = params;
    pairs.insert(2, ("sign".to_owned(), sign.clone()));
    let query: Vec<(&str, String)> = pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let url = format!(
        "{H5_COUPON_PAGE}?{}#wechat_pay&wechat_redirect",
        wxpay_model::encode_query(&query)
    );
    Ok(H5CouponLink { url, sign })
}

impl Client {
    /// The mini-program `send-coupon` plugin parameters for `coupons`, issued by this merchant
    /// and signed with its APIv2 key (spec §13). Fails with [`Error::Config`] when no APIv2
    /// key is configured and with [`Error::Validation`] for a bad value.
    ///
    /// ```
    /// # fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// use busifavor::PluginCoupon;
    /// let params = client.plugin_params(vec![PluginCoupon::new("1212", "claim-0001")])?;
    /// let for_the_page = serde_json::to_string(&params).expect("serializable");
    /// # let _ = for_the_page; Ok(()) }
    /// ```
    pub fn plugin_params(&self, coupons: Vec<PluginCoupon>) -> Result<PluginParams, Error> {
        Ok(sign_plugin_params(
            self.api_v2_key()?,
            self.mchid(),
            coupons,
        )?)
    }

    /// The signed H5 coupon link giving `open_id` a coupon of `stock_id`, issued by this
    /// merchant (spec §13).
    ///
    /// ```
    /// # fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let link = client.h5_coupon_link("1212", "h5claim0001", "o-user-1", None)?;
    /// println!("redirect to {}", link.url);
    /// # Ok(()) }
    /// ```
    pub fn h5_coupon_link(
        &self,
        stock_id: &str,
        out_request_no: &str,
        open_id: &str,
        coupon_code: Option<&str>,
    ) -> Result<H5CouponLink, Error> {
        let mut coupon = H5Coupon::new(stock_id, out_request_no, self.mchid(), open_id);
        coupon.coupon_code = coupon_code.map(str::to_owned);
        Ok(sign_h5_coupon(self.api_v2_key()?, &coupon)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ApiV2Key {
        ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap()
    }

    fn canonical(params: &[(String, String)]) -> String {
        wxpay_crypto::apiv2_canonical_params(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The signing strings of spec §13, one and two coupons, and with merchant codes.
    #[test]
    fn plugin_strings_match_the_spec_examples() {
        let one = sign_plugin_params(
            &key(),
            "10016226",
            vec![PluginCoupon::new("1234567", "abc123")],
        )
        .unwrap();
        assert_eq!(
            canonical(&one.signed_params()),
            "out_request_no0=abc123&send_coupon_merchant=10016226&stock_id0=1234567"
        );
        let two = sign_plugin_params(
            &key(),
            "10016226",
            vec![
                PluginCoupon::new("1234567", "abc123"),
                PluginCoupon::new("2345678", "123abc"),
            ],
        )
        .unwrap();
        assert_eq!(
            canonical(&two.signed_params()),
            "out_request_no0=abc123&out_request_no1=123abc&send_coupon_merchant=10016226&stock_id0=1234567&stock_id1=2345678"
        );
        let coded = sign_plugin_params(
            &key(),
            "10016226",
            vec![PluginCoupon::new("1234567", "abc123").coupon_code("C001")],
        )
        .unwrap();
        assert_eq!(
            canonical(&coded.signed_params()),
            "coupon_code0=C001&out_request_no0=abc123&send_coupon_merchant=10016226&stock_id0=1234567"
        );
        assert_eq!(one.sign.len(), 64);
        assert!(
            one.sign
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        );
    }

    #[test]
    fn plugin_inputs_are_checked() {
        assert_eq!(
            sign_plugin_params(&key(), "10016226", vec![])
                .unwrap_err()
                .field,
            "send_coupon_params"
        );
        let eleven = (0..11)
            .map(|i| PluginCoupon::new("1", format!("n{i}")))
            .collect();
        assert!(sign_plugin_params(&key(), "10016226", eleven).is_err());
        let e = sign_plugin_params(&key(), "10016226", vec![PluginCoupon::new("1", "a&b=c")])
            .unwrap_err();
        assert_eq!(e.field, "send_coupon_params[0].out_request_no");
        assert!(sign_plugin_params(&key(), "mch", vec![PluginCoupon::new("1", "a")]).is_err());
    }

    #[test]
    fn h5_link_is_signed_over_its_parameters() {
        let coupon = H5Coupon::new("1234567", "abc123", "10016226", "o-user_1");
        let link = sign_h5_coupon(&key(), &coupon).unwrap();
        assert_eq!(
            canonical(&coupon.signed_params()),
            "open_id=o-user_1&out_request_no=abc123&send_coupon_merchant=10016226&stock_id=1234567"
        );
        assert_eq!(
            link.query(),
            format!(
                "stock_id=1234567&out_request_no=abc123&sign={}&send_coupon_merchant=10016226&open_id=o-user_1",
                link.sign
            )
        );
        assert!(
            key().verify(
                coupon
                    .signed_params()
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
                &link.sign
            )
        );
        let bad = H5Coupon::new("1234567", "abc-123", "10016226", "o");
        assert_eq!(
            sign_h5_coupon(&key(), &bad).unwrap_err().field,
            "out_request_no"
        );
    }
}
