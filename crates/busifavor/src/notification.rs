//! Opening a COUPON.SEND callback (seed 2) with the client's live keys.

use http::HeaderMap;
use wxpay_crypto::SignatureHeaders;
use wxpay_model::Notification;

use crate::config::ConfigError;
use crate::{Client, Error};

impl Client {
    /// Opens a callback WeChat Pay POSTed to the notify URL: verifies the signature over the
    /// **raw body bytes** once, with the client's live key set (in certificate mode an unknown
    /// `Wechatpay-Serial` makes it download the platform certificates once, then verify),
    /// then parses the envelope, decrypts the resource with the APIv3 key and types the event.
    ///
    /// Takes the `http::HeaderMap` and body bytes that axum, hyper, actix (via `http`) hand
    /// over. Any error means: answer WeChat Pay with a failure
    /// ([`NotificationReply::for_error`](crate::NotificationReply::for_error) on
    /// [`Error::Notification`]) so it delivers the callback again. De-duplicate on
    /// [`Notification::id`]: the same callback can arrive many times. For reply rules and
    /// exactly-once processing across machines, see [`crate::callback`].
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client, headers: http::HeaderMap, body: bytes::Bytes) {
    /// match client.open_notification(&headers, &body).await {
    ///     Ok(n) => {
    ///         if let Some(sent) = n.coupon_send() {
    ///             println!("coupon {} of stock {} to {:?}", sent.coupon_code, sent.stock_id, sent.openid());
    ///         }
    ///         // reply 204
    ///     }
    ///     Err(e) => eprintln!("refused: {e}"), // reply 4xx/5xx
    /// }
    /// # }
    /// ```
    pub async fn open_notification(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Notification, Error> {
        let key = self.http().api_v3_key().ok_or_else(|| {
            Error::Config(ConfigError::new(
                "api_v3_key",
                "is not set: callbacks are decrypted with the merchant's APIv3 key (WXPAY_APIV3_KEY, `apiv3_key`, or ClientBuilder::api_v3_key)",
            ))
        })?;
        let signature = SignatureHeaders::from_header_map(headers);
        self.http()
            .verify_signature(&signature, body)
            .await
            .map_err(|e| Error::Notification(wxpay_model::Error::NotificationUnverified(e)))?;
        wxpay_model::open_verified_notification(body, key).map_err(Error::Notification)
    }
}
