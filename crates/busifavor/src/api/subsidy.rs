//! Marketing subsidies (营销补差): pay, list, query, return (§8.19–§8.23).

use wxpay_http::Response;
use wxpay_model::busifavor::{
    ListSubsidyPayReceiptsRequest, PaySubsidyRequest, QuerySubsidyPayReceiptRequest,
    QuerySubsidyReturnReceiptRequest, ReturnSubsidyRequest, SubsidyPayReceipt,
    SubsidyPayReceiptList, SubsidyReturnReceipt,
};

use crate::{Client, Error};

impl Client {
    /// Pays a subsidy for a redeemed coupon (营销补差付款) —
    /// `POST /v3/marketing/busifavor/subsidy/pay-receipts` (§8.19).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client, pay: busifavor::PaySubsidyRequest) -> Result<(), busifavor::Error> {
    /// let receipt = client.pay_subsidy(&pay).await?;
    /// println!("{} {}", receipt.subsidy_receipt_id, receipt.status);
    /// # Ok(()) }
    /// ```
    pub async fn pay_subsidy(
        &self,
        request: &PaySubsidyRequest,
    ) -> Result<Response<SubsidyPayReceipt>, Error> {
        self.execute(request).await
    }

    /// The subsidy payments of one coupon (查询营销补差付款单列表) —
    /// `GET /v3/marketing/busifavor/subsidy/pay-receipts` (§8.20). Not paged: the answer holds
    /// every receipt.
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let list = client
    ///     .list_subsidy_pay_receipts(&busifavor::ListSubsidyPayReceiptsRequest::new("1212", "sxxe34343434"))
    ///     .await?;
    /// println!("{} receipts", list.pay_receipt_list.as_ref().map_or(0, Vec::len));
    /// # Ok(()) }
    /// ```
    pub async fn list_subsidy_pay_receipts(
        &self,
        request: &ListSubsidyPayReceiptsRequest,
    ) -> Result<Response<SubsidyPayReceiptList>, Error> {
        self.execute(request).await
    }

    /// One subsidy payment (查询营销补差付款单详情) —
    /// `GET /v3/marketing/busifavor/subsidy/pay-receipts/{subsidy_receipt_id}` (§8.21).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let receipt = client.get_subsidy_pay_receipt("1120200119165100000000000001").await?;
    /// println!("{}", receipt.status);
    /// # Ok(()) }
    /// ```
    pub async fn get_subsidy_pay_receipt(
        &self,
        subsidy_receipt_id: &str,
    ) -> Result<Response<SubsidyPayReceipt>, Error> {
        self.execute(&QuerySubsidyPayReceiptRequest::new(subsidy_receipt_id))
            .await
    }

    /// Returns a subsidy after a refund (营销补差回退) —
    /// `POST /v3/marketing/busifavor/subsidy/return-receipts` (§8.22).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client, back: busifavor::ReturnSubsidyRequest) -> Result<(), busifavor::Error> {
    /// let receipt = client.return_subsidy(&back).await?;
    /// println!("{}", receipt.status);
    /// # Ok(()) }
    /// ```
    pub async fn return_subsidy(
        &self,
        request: &ReturnSubsidyRequest,
    ) -> Result<Response<SubsidyReturnReceipt>, Error> {
        self.execute(request).await
    }

    /// One subsidy return (查询营销补差回退单详情) —
    /// `GET /v3/marketing/busifavor/subsidy/return-receipts/{subsidy_return_receipt_id}` (§8.23).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let receipt = client.get_subsidy_return_receipt("1120200119165100000000000002").await?;
    /// println!("{}", receipt.status);
    /// # Ok(()) }
    /// ```
    pub async fn get_subsidy_return_receipt(
        &self,
        subsidy_return_receipt_id: &str,
    ) -> Result<Response<SubsidyReturnReceipt>, Error> {
        self.execute(&QuerySubsidyReturnReceiptRequest::new(
            subsidy_return_receipt_id,
        ))
        .await
    }
}
