//! Pre-made codes (预存code): upload, list, query, delete (§8.5–§8.8).

use futures_core::Stream;
use wxpay_http::Response;
use wxpay_model::busifavor::{
    CouponCodeEntity, DeleteCouponCodeRequest, DeleteCouponCodeResponse, ListCouponCodesRequest,
    ListCouponCodesResponse, QueryCouponCodeRequest, QueryCouponCodeResponse,
    UploadCouponCodesRequest, UploadCouponCodesResponse,
};

use crate::paging::{PageOptions, pages};
use crate::{Client, Error};

impl Client {
    /// Uploads codes to a `MERCHANT_UPLOAD` stock (上传预存code) —
    /// `POST /v3/marketing/busifavor/stocks/{stock_id}/couponcodes` (§8.5). Per-code problems
    /// come back in the answer's `fail_codes`, not as an error.
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let upload = busifavor::UploadCouponCodesRequest::new("1212", ["ABC-001", "ABC-002"], "upload-1");
    /// let done = client.upload_coupon_codes(&upload).await?;
    /// println!("{} stored, {:?} failed", done.success_count, done.fail_codes);
    /// # Ok(()) }
    /// ```
    pub async fn upload_coupon_codes(
        &self,
        request: &UploadCouponCodesRequest,
    ) -> Result<Response<UploadCouponCodesResponse>, Error> {
        self.execute(request).await
    }

    /// One page of a stock's uploaded codes (查询预存code列表) —
    /// `GET /v3/marketing/busifavor/stocks/{stock_id}/couponcodes` (§8.6). For all pages use
    /// [`list_coupon_codes_stream`](Self::list_coupon_codes_stream).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let page = client.list_coupon_codes(&busifavor::ListCouponCodesRequest::new("1212")).await?;
    /// println!("{} codes in total", page.total_count);
    /// # Ok(()) }
    /// ```
    pub async fn list_coupon_codes(
        &self,
        request: &ListCouponCodesRequest,
    ) -> Result<Response<ListCouponCodesResponse>, Error> {
        self.execute(request).await
    }

    /// Every uploaded code matching `request`, page after page (§8.6), as a stream: it ends
    /// after `total_count` codes (or an empty page), fetches each page once, and stops after
    /// the first error, which it yields. The request's `offset` is where it starts; `limit`
    /// is replaced by the page size of `options`.
    ///
    /// ```no_run
    /// use busifavor::TryStreamExt;
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let all: Vec<_> = client
    ///     .list_coupon_codes_stream(busifavor::ListCouponCodesRequest::new("1212"), busifavor::PageOptions::new().page_size(100))
    ///     .try_collect()
    ///     .await?;
    /// # let _ = all; Ok(()) }
    /// ```
    pub fn list_coupon_codes_stream(
        &self,
        request: ListCouponCodesRequest,
        options: PageOptions,
    ) -> impl Stream<Item = Result<CouponCodeEntity, Error>> + Send + 'static {
        pages(self.clone(), request, options)
    }

    /// One uploaded code, and the user coupon once it was issued (查询预存code详情) —
    /// `GET /v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}` (§8.7).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let code = client.get_coupon_code(&busifavor::QueryCouponCodeRequest::new("1212", "ABC-001")).await?;
    /// println!("{:?}", code.code_information.code_status);
    /// # Ok(()) }
    /// ```
    pub async fn get_coupon_code(
        &self,
        request: &QueryCouponCodeRequest,
    ) -> Result<Response<QueryCouponCodeResponse>, Error> {
        self.execute(request).await
    }

    /// Deletes an uploaded code (删除预存code) —
    /// `DELETE /v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}` (§8.8).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let delete = busifavor::DeleteCouponCodeRequest::builder()
    ///     .stock_id("1212").coupon_code("ABC-001").delete_request_no("delete-1").build()?;
    /// client.delete_coupon_code(&delete).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_coupon_code(
        &self,
        request: &DeleteCouponCodeRequest,
    ) -> Result<Response<DeleteCouponCodeResponse>, Error> {
        self.execute(request).await
    }
}
