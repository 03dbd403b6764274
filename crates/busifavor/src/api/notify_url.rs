//! The callback URL COUPON.SEND events go to: set and get (§8.9, §8.10).

use wxpay_http::Response;
use wxpay_model::ApiRequest;
use wxpay_model::busifavor::{
    GetCallbackRequest, GetCallbackResponse, NotifyUrlRule, SetCallbackRequest, SetCallbackResponse,
};

use crate::{Client, Error};

impl Client {
    /// Sets the URL WeChat Pay sends COUPON.SEND callbacks to (设置商家券事件通知地址) —
    /// `POST /v3/marketing/busifavor/callbacks` (§8.9).
    ///
    /// The URL is checked before anything is sent: `https://`, 10–256 characters, no query or
    /// fragment, a host WeChat Pay can reach. When this client targets a local simulator
    /// ([`targets_simulator`](Self::targets_simulator)), an `http://` URL on a loopback host
    /// (127.0.0.1, localhost, \[::1\]) is also accepted, so the merchant's own "set callback
    /// URL" code can be tested end to end; against WeChat Pay the HTTPS rule always stands,
    /// whatever rule the request carries.
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let set = busifavor::SetCallbackRequest::new("https://shop.example.com/wxpay/coupon");
    /// let answer = client.set_callback_url(&set).await?;
    /// println!("{} now receives callbacks for {}", answer.notify_url, answer.mchid);
    /// # Ok(()) }
    /// ```
    pub async fn set_callback_url(
        &self,
        request: &SetCallbackRequest,
    ) -> Result<Response<SetCallbackResponse>, Error> {
        let rule = if self.targets_simulator() {
            NotifyUrlRule::AllowLoopbackHttp
        } else {
            NotifyUrlRule::Production
        };
        let request = request.clone().notify_url_rule(rule);
        request.validate()?;
        self.execute(&request).await
    }

    /// Reads the callback URL (查询商家券事件通知地址) —
    /// `GET /v3/marketing/busifavor/callbacks[?mchid=…]` (§8.10, seed 1): of `mchid`, or of the
    /// calling merchant when `None`. Only URLs the calling merchant set can be read.
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let mine = client.get_callback_url(None).await?;
    /// let other = client.get_callback_url(Some("98568888")).await?;
    /// println!("{} → {}; {} → {}", mine.mchid, mine.notify_url, other.mchid, other.notify_url);
    /// # Ok(()) }
    /// ```
    pub async fn get_callback_url(
        &self,
        mchid: Option<&str>,
    ) -> Result<Response<GetCallbackResponse>, Error> {
        self.execute(&GetCallbackRequest::new(mchid.map(str::to_owned)))
            .await
    }
}
