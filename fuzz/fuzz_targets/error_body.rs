//! Arbitrary bytes into the API error-body parser (`ErrorBody::from_slice`, spec §6.1), the
//! way a transport reads a 4xx/5xx answer: a value or `None`, never a panic. What parses is
//! displayed (the hint table, the detail) and must survive a round trip unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wxpay_model::ErrorBody;

fuzz_target!(|data: &[u8]| {
    let Some(body) = ErrorBody::from_slice(data) else {
        return;
    };
    let _ = body.to_string();
    let _ = (
        body.code.hint(),
        body.code.is_retryable(),
        body.code.typical_status(),
    );
    let json = serde_json::to_vec(&body).expect("a parsed error body serializes");
    let again = ErrorBody::from_slice(&json).expect("a serialized error body parses");
    assert_eq!(again, body, "error body changed in a round trip");
});
