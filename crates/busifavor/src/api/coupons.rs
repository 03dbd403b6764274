//! A user's coupons: issue, redeem, list, query, return, deactivate, link to orders (§8.11–§8.18).

use futures_core::Stream;
use wxpay_http::Response;
use wxpay_model::busifavor::{
    AssociateOrderRequest, AssociateOrderResponse, CouponEntity, DeactivateCouponRequest,
    DeactivateCouponResponse, DisassociateOrderRequest, DisassociateOrderResponse,
    ListUserCouponsRequest, ListUserCouponsResponse, QueryUserCouponRequest, ReturnCouponRequest,
    ReturnCouponResponse, SendCouponRequest, SendCouponResponse, UseCouponRequest,
    UseCouponResponse,
};

use crate::paging::{PageOptions, pages};
use crate::{Client, Error};

impl Client {
    /// Redeems a coupon (核销用户券) — `POST /v3/marketing/busifavor/coupons/use` (§8.11).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let redeem = busifavor::UseCouponRequest::builder()
    ///     .coupon_code("sxxe34343434")
    ///     .stock_id("1212")
    ///     .appid("wx1234567890abcdef")
    ///     .use_time(busifavor::Timestamp::now_beijing())
    ///     .use_request_no("use-20260101-0001")
    ///     .build()?;
    /// let used = client.use_coupon(&redeem).await?;
    /// println!("redeemed for {} at {}", used.openid, used.wechatpay_use_time);
    /// # Ok(()) }
    /// ```
    pub async fn use_coupon(
        &self,
        request: &UseCouponRequest,
    ) -> Result<Response<UseCouponResponse>, Error> {
        self.execute(request).await
    }

    /// One page of a user's coupons (根据过滤条件查询用户券) —
    /// `GET /v3/marketing/busifavor/users/{openid}/coupons` (§8.12). For all pages use
    /// [`list_user_coupons_stream`](Self::list_user_coupons_stream).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let query = busifavor::ListUserCouponsRequest::builder()
    ///     .openid("o-user-1").appid("wx1234567890abcdef").creator_merchant(client.mchid()).build()?;
    /// let page = client.list_user_coupons(&query).await?;
    /// println!("{} coupons", page.total_count);
    /// # Ok(()) }
    /// ```
    pub async fn list_user_coupons(
        &self,
        request: &ListUserCouponsRequest,
    ) -> Result<Response<ListUserCouponsResponse>, Error> {
        self.execute(request).await
    }

    /// Every coupon of a user matching `request`, page after page (§8.12), as a stream that
    /// ends after `total_count` coupons, fetches each page once and stops after the first
    /// error (which it yields). See [`PageOptions`] for the page size and how `offset` counts.
    ///
    /// ```no_run
    /// use busifavor::StreamExt;
    /// # async fn f(client: busifavor::Client, query: busifavor::ListUserCouponsRequest) -> Result<(), busifavor::Error> {
    /// let mut coupons = std::pin::pin!(client.list_user_coupons_stream(query, busifavor::PageOptions::new()));
    /// while let Some(coupon) = coupons.next().await {
    ///     let coupon = coupon?;
    ///     println!("{:?} {:?}", coupon.coupon_code, coupon.coupon_state);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_user_coupons_stream(
        &self,
        request: ListUserCouponsRequest,
        options: PageOptions,
    ) -> impl Stream<Item = Result<CouponEntity, Error>> + Send + 'static {
        pages(self.clone(), request, options)
    }

    /// One of a user's coupons (查询用户单张券详情) —
    /// `GET /v3/marketing/busifavor/users/{openid}/coupons/{coupon_code}/appids/{appid}` (§8.13).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let query = busifavor::QueryUserCouponRequest::builder()
    ///     .openid("o-user-1").coupon_code("sxxe34343434").appid("wx1234567890abcdef").build()?;
    /// let coupon = client.get_user_coupon(&query).await?;
    /// println!("{:?}", coupon.coupon_state);
    /// # Ok(()) }
    /// ```
    pub async fn get_user_coupon(
        &self,
        request: &QueryUserCouponRequest,
    ) -> Result<Response<CouponEntity>, Error> {
        self.execute(request).await
    }

    /// Gives a used coupon back to the user after a refund (申请退券) —
    /// `POST /v3/marketing/busifavor/coupons/return` (§8.14).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let give_back = busifavor::ReturnCouponRequest::builder()
    ///     .coupon_code("sxxe34343434").stock_id("1212").return_request_no("return-1").build()?;
    /// let done = client.return_coupon(&give_back).await?;
    /// println!("returned at {}", done.wechatpay_return_time);
    /// # Ok(()) }
    /// ```
    pub async fn return_coupon(
        &self,
        request: &ReturnCouponRequest,
    ) -> Result<Response<ReturnCouponResponse>, Error> {
        self.execute(request).await
    }

    /// Makes an unused coupon permanently unusable (使券失效) —
    /// `POST /v3/marketing/busifavor/coupons/deactivate` (§8.15).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let stop = busifavor::DeactivateCouponRequest::builder()
    ///     .coupon_code("sxxe34343434").stock_id("1212").deactivate_request_no("deactivate-1")
    ///     .deactivate_reason("发错券").build()?;
    /// client.deactivate_coupon(&stop).await?;
    /// # Ok(()) }
    /// ```
    pub async fn deactivate_coupon(
        &self,
        request: &DeactivateCouponRequest,
    ) -> Result<Response<DeactivateCouponResponse>, Error> {
        self.execute(request).await
    }

    /// Links an unused coupon to a WeChat Pay order (关联订单信息) —
    /// `POST /v3/marketing/busifavor/coupons/associate` (§8.16).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let link = busifavor::AssociateOrderRequest::builder()
    ///     .stock_id("1212").coupon_code("sxxe34343434").out_trade_no("ORDER-1").out_request_no("assoc-1").build()?;
    /// client.associate_order(&link).await?;
    /// # Ok(()) }
    /// ```
    pub async fn associate_order(
        &self,
        request: &AssociateOrderRequest,
    ) -> Result<Response<AssociateOrderResponse>, Error> {
        self.execute(request).await
    }

    /// Undoes [`associate_order`](Self::associate_order) (取消关联订单信息) —
    /// `POST /v3/marketing/busifavor/coupons/disassociate` (§8.17).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client, link: busifavor::AssociateOrderRequest) -> Result<(), busifavor::Error> {
    /// client.disassociate_order(&busifavor::DisassociateOrderRequest(link)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn disassociate_order(
        &self,
        request: &DisassociateOrderRequest,
    ) -> Result<Response<DisassociateOrderResponse>, Error> {
        self.execute(request).await
    }

    /// Sends a coupon to a user by API (向用户发券) —
    /// `POST /v3/marketing/busifavor/coupons/send` (§8.18; may need separate enablement). The
    /// answer parses in both documented shapes: use `coupon_code()` or `result()`.
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let send = busifavor::SendCouponRequest::builder()
    ///     .openid("o-user-1").appid("wx1234567890abcdef").stock_id("1212").out_request_no("send-1").build()?;
    /// let sent = client.send_coupon(&send).await?;
    /// println!("coupon {:?}", sent.coupon_code());
    /// # Ok(()) }
    /// ```
    pub async fn send_coupon(
        &self,
        request: &SendCouponRequest,
    ) -> Result<Response<SendCouponResponse>, Error> {
        self.execute(request).await
    }
}
