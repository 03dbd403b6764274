//! The busifavor operations over the simulator's state, one file per group of endpoints. Each
//! takes the typed request `crate::request` parsed and validated, and checks only what the
//! server alone knows: budgets, caps, states, ownership, idempotency.

pub(crate) mod callback_url;
pub(crate) mod codes;
pub(crate) mod coupons;
pub(crate) mod stocks;
pub(crate) mod subsidy;

use serde_json::Value;

use crate::api_error::ApiError;
use crate::request::Call;
use crate::state::{Ctx, Reply, State};

/// Runs a busifavor operation; `body` is the request body as JSON (idempotency compares it).
/// `Call::Certificates` is not a state operation (the pipeline answers it).
pub(crate) fn dispatch(
    st: &mut State,
    ctx: &Ctx,
    call: &Call,
    body: &Value,
) -> Result<Reply, ApiError> {
    match call {
        Call::Certificates => Err(ApiError::system("internal routing error")),
        Call::CreateStock(r) => st.create_stock(ctx, r, body),
        Call::QueryStock(r) => st.query_stock(ctx, &r.stock_id),
        Call::ModifyStock(r) => st.modify_stock(ctx, r, body),
        Call::ModifyBudget(r) => st.modify_budget(ctx, r, body),
        Call::UploadCodes(r) => st.upload_codes(ctx, r, body),
        Call::ListCodes(r) => st.list_codes(ctx, r),
        Call::QueryCode(r) => st.query_code(ctx, r),
        Call::DeleteCode(r) => st.delete_code(ctx, r),
        Call::SetCallback(r) => st.set_callback(ctx, r),
        Call::GetCallback(r) => st.get_callback(ctx, r),
        Call::UseCoupon(r) => st.use_coupon(ctx, r, body),
        Call::ListUserCoupons(r) => st.list_user_coupons(ctx, r),
        Call::QueryUserCoupon(r) => st.query_user_coupon(ctx, r),
        Call::ReturnCoupon(r) => st.return_coupon(ctx, r, body),
        Call::DeactivateCoupon(r) => st.deactivate_coupon(ctx, r, body),
        Call::Associate(r) => st.associate(ctx, r, body, true),
        Call::Disassociate(r) => st.associate(ctx, &r.0, body, false),
        Call::SendCoupon(r) => st.send_coupon(ctx, r, body),
        Call::SubsidyPay(r) => st.subsidy_pay(ctx, r, body),
        Call::ListPayReceipts(r) => st.list_pay_receipts(ctx, r),
        Call::QueryPayReceipt(r) => st.query_pay_receipt(ctx, &r.subsidy_receipt_id),
        Call::SubsidyReturn(r) => st.subsidy_return(ctx, r, body),
        Call::QueryReturnReceipt(r) => st.query_return_receipt(ctx, &r.subsidy_return_receipt_id),
    }
}
