//! Subsidy receipts (营销补差) as the simulator keeps them (spec §8.19–§8.23): the model's
//! receipts, answered with the model's canonical statuses (`PAY_RECEIPT_SUCCESS`,
//! `PAY_RECEIPT_PARTIAL_RETURN`, `PAY_RECEIPT_FULL_RETURN`, `RETURN_RECEIPT_SUCCESS`).

use wxpay_model::busifavor::{SubsidyPayReceipt, SubsidyPayStatus, SubsidyReturnReceipt};

/// A subsidy payment and how much of it was returned.
#[derive(Debug, Clone)]
pub(crate) struct PayReceipt {
    pub(crate) creator: String,
    pub(crate) receipt: SubsidyPayReceipt,
    pub(crate) returned: i64,
}

/// A subsidy return.
#[derive(Debug, Clone)]
pub(crate) struct ReturnReceipt {
    pub(crate) creator: String,
    pub(crate) receipt: SubsidyReturnReceipt,
}

impl PayReceipt {
    /// Whether this payment is for `coupon_code` of `stock_id`.
    pub(crate) fn is_for(&self, stock_id: &str, coupon_code: &str) -> bool {
        self.receipt.stock_id == stock_id && self.receipt.coupon_code == coupon_code
    }

    /// The receipt with its status as of now.
    pub(crate) fn render(&self) -> SubsidyPayReceipt {
        let status = match self.returned {
            0 => SubsidyPayStatus::Success,
            r if r >= self.receipt.amount => SubsidyPayStatus::FullReturn,
            _ => SubsidyPayStatus::PartialReturn,
        };
        SubsidyPayReceipt {
            status,
            ..self.receipt.clone()
        }
    }
}
