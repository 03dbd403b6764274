//! The simulator's request pipeline without a socket (`wxpay_mock::fuzzing`, feature
//! `fuzzing`): Authorization parsing and the signature check, routing, the typed request's
//! validation and the operations, on a fresh simulator per input. Input format: see
//! `crates/wxpay-mock/src/fuzzing.rs` (up to 4 requests separated by `\n====\n`, each
//! `signed|raw`, a request line, headers, a blank line, the body).
//!
//! Checked for every answer: it does not panic; the status is an HTTP status the simulator
//! uses (200–599); every answer outside `/mock/` carries a signature that verifies with the
//! simulator's keys; every error answer is a JSON object with a `code` and a `message`.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use wxpay_crypto::{SignatureHeaders, Verifier};
use wxpay_mock::fuzzing::{NOW, Pipeline};

fn fixture() -> &'static (Pipeline, Verifier) {
    static F: OnceLock<(Pipeline, Verifier)> = OnceLock::new();
    F.get_or_init(|| {
        let pipeline = Pipeline::new();
        let verifier = pipeline.verifier();
        (pipeline, verifier)
    })
}

fuzz_target!(|data: &[u8]| {
    let (pipeline, verifier) = fixture();
    for answer in pipeline.run(data) {
        assert!(
            (200..600).contains(&answer.status),
            "status {} for {}",
            answer.status,
            answer.path
        );
        if answer.path.starts_with("/mock/") {
            continue;
        }
        let headers = SignatureHeaders::from_header_map(&answer.headers);
        verifier
            .verify(&headers, &answer.body, NOW)
            .expect("every API answer is signed with the simulator's keys");
        if answer.status >= 400 {
            let error: serde_json::Value =
                serde_json::from_slice(&answer.body).expect("an error answer is JSON");
            assert!(
                error["code"].is_string() && error["message"].is_string(),
                "error answer without code/message: {error}"
            );
        }
    }
});
