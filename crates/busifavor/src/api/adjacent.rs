//! Endpoints next to busifavor: consumption cards, product coupons, marketing image upload
//! (§8.24–§8.27).

use wxpay_http::Response;
use wxpay_model::busifavor::{
    ImageUploadRequest, ImageUploadResponse, PreSendProductCouponRequest,
    PreSendProductCouponResponse, SendConsumptionCardRequest, SendConsumptionCardResponse,
    SendProductCouponRequest, SendProductCouponResponse,
};

use crate::{Client, Error};

impl Client {
    /// Sends a consumption card (发放消费卡) —
    /// `POST /v3/marketing/busifavor/coupons/{card_id}/send` (§8.24).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let send = busifavor::SendConsumptionCardRequest::builder()
    ///     .card_id("pIJMr5MMiLkO_Hw0cL0dVu4Ti8gI").appid("wx1234567890abcdef").openid("o-user-1")
    ///     .out_request_no("card-1").send_time(busifavor::Timestamp::now_beijing()).build()?;
    /// let card = client.send_consumption_card(&send).await?;
    /// println!("{}", card.card_code);
    /// # Ok(()) }
    /// ```
    pub async fn send_consumption_card(
        &self,
        request: &SendConsumptionCardRequest,
    ) -> Result<Response<SendConsumptionCardResponse>, Error> {
        self.execute(request).await
    }

    /// Sends a product coupon (向用户发放商品券) —
    /// `POST /v3/marketing/busifavor/product-coupons/send` (§8.25).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let send = busifavor::SendProductCouponRequest::builder()
    ///     .openid("o-user-1").appid("wx1234567890abcdef").stock_id("1212").out_request_no("pc-1")
    ///     .coupon_type(busifavor::ProductCouponType::Normal).build()?;
    /// let sent = client.send_product_coupon(&send).await?;
    /// println!("{}", sent.coupon_code);
    /// # Ok(()) }
    /// ```
    pub async fn send_product_coupon(
        &self,
        request: &SendProductCouponRequest,
    ) -> Result<Response<SendProductCouponResponse>, Error> {
        self.execute(request).await
    }

    /// Pre-sends a product coupon for the mini-program component (向用户预发放商品券) —
    /// `POST /v3/marketing/busifavor/product-coupons/pre-send` (§8.26).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let pre = busifavor::PreSendProductCouponRequest::builder()
    ///     .stock_id("1212").appid("wx1234567890abcdef").send_request_no("pre-1").build()?;
    /// let token = client.pre_send_product_coupon(&pre).await?;
    /// println!("{}", token.token);
    /// # Ok(()) }
    /// ```
    pub async fn pre_send_product_coupon(
        &self,
        request: &PreSendProductCouponRequest,
    ) -> Result<Response<PreSendProductCouponResponse>, Error> {
        self.execute(request).await
    }

    /// Uploads a logo or coupon image (图片上传(营销专用)) —
    /// `POST /v3/marketing/favor/media/image-upload` (§8.27, multipart; the signed part is the
    /// `meta` JSON with the file's SHA-256). Use the answer's `media_url` as
    /// `merchant_logo_url`, `coupon_image_url` or a cover image.
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let png = std::fs::read("logo.png").expect("logo");
    /// let uploaded = client.upload_image(&busifavor::ImageUploadRequest::new("logo.png", png)).await?;
    /// println!("{}", uploaded.media_url);
    /// # Ok(()) }
    /// ```
    pub async fn upload_image(
        &self,
        request: &ImageUploadRequest,
    ) -> Result<Response<ImageUploadResponse>, Error> {
        self.execute(request).await
    }
}
