//! Stocks (批次): create, query, modify, change the budget (§8.1–§8.4).

use wxpay_http::Response;
use wxpay_model::NoContent;
use wxpay_model::busifavor::{
    CreateStockRequest, CreateStockResponse, ModifyBudgetRequest, ModifyBudgetResponse,
    ModifyStockRequest, QueryStockRequest, StockInfo,
};

use crate::{Client, Error};

impl Client {
    /// Creates a stock (创建商家券) — `POST /v3/marketing/busifavor/stocks` (§8.1).
    ///
    /// Build the request with [`CreateStockRequest::builder`]: the stock's type follows from
    /// its [`StockDiscount`](crate::StockDiscount). Retrying with the same `out_request_no`
    /// never creates a second stock.
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client, request: busifavor::CreateStockRequest) -> Result<(), busifavor::Error> {
    /// let created = client.create_stock(&request).await?;
    /// println!("stock {} created at {}", created.stock_id, created.create_time);
    /// # Ok(()) }
    /// ```
    pub async fn create_stock(
        &self,
        request: &CreateStockRequest,
    ) -> Result<Response<CreateStockResponse>, Error> {
        self.execute(request).await
    }

    /// Reads a stock (查询商家券批次详情) — `GET /v3/marketing/busifavor/stocks/{stock_id}` (§8.2).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let stock = client.get_stock("1212").await?;
    /// println!("{} is {}", stock.stock_name, stock.stock_state);
    /// # Ok(()) }
    /// ```
    pub async fn get_stock(&self, stock_id: &str) -> Result<Response<StockInfo>, Error> {
        self.execute(&QueryStockRequest::new(stock_id)).await
    }

    /// Changes a stock's modifiable fields (修改商家券基本信息) —
    /// `PATCH /v3/marketing/busifavor/stocks/{stock_id}` (§8.3); WeChat Pay answers 204.
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let mut change = busifavor::ModifyStockRequest::new("1212", "modify-20260101-1");
    /// change.comment = Some("春节活动".into());
    /// client.update_stock(&change).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_stock(
        &self,
        request: &ModifyStockRequest,
    ) -> Result<Response<NoContent>, Error> {
        self.execute(request).await
    }

    /// Changes a stock's total or daily cap (修改批次预算) —
    /// `PATCH /v3/marketing/busifavor/stocks/{stock_id}/budget` (§8.4).
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let change = busifavor::ModifyBudgetRequest::max_coupons("1212", 1000, 2000, "budget-1");
    /// let now = client.update_budget(&change).await?;
    /// assert_eq!(now.max_coupons, 2000);
    /// # Ok(()) }
    /// ```
    pub async fn update_budget(
        &self,
        request: &ModifyBudgetRequest,
    ) -> Result<Response<ModifyBudgetResponse>, Error> {
        self.execute(request).await
    }
}
