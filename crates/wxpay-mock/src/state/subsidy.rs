//! Subsidy receipts (营销补差) as the simulator keeps them (spec §8.19–§8.23). Receipts are
//! answered with the unprefixed statuses (`SUCCESS`, `PARTIAL_RETURN`, `FULL_RETURN`).

use serde_json::{Value, json};

/// A subsidy payment.
#[derive(Debug, Clone)]
pub(crate) struct PayReceipt {
    pub(crate) id: String,
    pub(crate) creator: String,
    pub(crate) body: Value,
    pub(crate) amount: i64,
    pub(crate) returned: i64,
}

/// A subsidy return.
#[derive(Debug, Clone)]
pub(crate) struct ReturnReceipt {
    pub(crate) creator: String,
    pub(crate) body: Value,
}

impl PayReceipt {
    pub(crate) fn render(&self) -> Value {
        let mut v = self.body.clone();
        let status = match self.returned {
            0 => "SUCCESS",
            r if r >= self.amount => "FULL_RETURN",
            _ => "PARTIAL_RETURN",
        };
        v["status"] = json!(status);
        v
    }
}
