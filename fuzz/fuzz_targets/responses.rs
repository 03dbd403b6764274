//! Every busifavor answer parser: the first byte picks one of the 27 endpoints (spec §8.1–8.27),
//! the rest is the 2xx body handed to its `ApiRequest::parse_response`, as a transport would.
//! Typed errors only, never a panic; an answer that parses serializes and parses back to the
//! same value (what the simulator writes, the client reads).
#![no_main]

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use wxpay_model::ApiRequest;
use wxpay_model::busifavor::*;

fn check<R>(body: &[u8])
where
    R: ApiRequest,
    R::Response: Serialize + PartialEq + Debug,
{
    let Ok(answer) = R::parse_response(body) else {
        return;
    };
    let json = serde_json::to_vec(&answer).expect("a parsed answer serializes");
    let again = R::parse_response(&json).expect("a serialized answer parses");
    assert_eq!(
        again,
        answer,
        "answer changed in a round trip: {}",
        String::from_utf8_lossy(&json)
    );
}

/// One entry per endpoint, in spec order; the index is the first input byte modulo the count.
const PARSERS: &[fn(&[u8])] = &[
    check::<CreateStockRequest>,
    check::<QueryStockRequest>,
    check::<ModifyStockRequest>,
    check::<ModifyBudgetRequest>,
    check::<UploadCouponCodesRequest>,
    check::<ListCouponCodesRequest>,
    check::<QueryCouponCodeRequest>,
    check::<DeleteCouponCodeRequest>,
    check::<SetCallbackRequest>,
    check::<GetCallbackRequest>,
    check::<UseCouponRequest>,
    check::<ListUserCouponsRequest>,
    check::<QueryUserCouponRequest>,
    check::<ReturnCouponRequest>,
    check::<DeactivateCouponRequest>,
    check::<AssociateOrderRequest>,
    check::<DisassociateOrderRequest>,
    check::<SendCouponRequest>,
    check::<PaySubsidyRequest>,
    check::<ListSubsidyPayReceiptsRequest>,
    check::<QuerySubsidyPayReceiptRequest>,
    check::<ReturnSubsidyRequest>,
    check::<QuerySubsidyReturnReceiptRequest>,
    check::<SendConsumptionCardRequest>,
    check::<SendProductCouponRequest>,
    check::<PreSendProductCouponRequest>,
    check::<ImageUploadRequest>,
];

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    PARSERS[usize::from(which) % PARSERS.len()](body);
});
