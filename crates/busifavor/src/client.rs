//! The merchant-coupon client (placeholder until the facade lands).

/// The merchant-coupon API client.
#[derive(Clone)]
pub struct Client {
    #[allow(dead_code)]
    http: wxpay_http::Client,
}
