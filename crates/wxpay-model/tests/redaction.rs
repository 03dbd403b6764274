//! Decrypted notification data never reaches `Debug` output or error messages: they say which
//! field, never its value (issue 12, "Debug leaks decrypted data").

mod common;

use common::*;
use wxpay_crypto::FixedClock;
use wxpay_model::{Error, Notification, open_notification_from_headers};

/// The A.5 plaintext's user- and payment-identifying values.
const SECRETS: &[&str] = &[
    "odXnH1CJjeQoWTld48db-pnxs-Wg", // openid
    "oOuyajgxj0oVwjocSoQm6mp7PGKw", // unionid
    "1227944959000000911017",       // coupon_code
    "4200000462220200226114599",    // attach_info.transaction_id
];

fn open_plain(event_type: &str, plaintext: &str) -> Result<Notification, Error> {
    let cb = Callback {
        event_type: event_type.into(),
        plaintext: plaintext.as_bytes().to_vec(),
        ..Callback::default()
    };
    let body = cb.body();
    let headers = sign(&body, NOW);
    open_notification_from_headers(
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &body,
        &verifier(),
        &apiv3(),
        &FixedClock(NOW),
    )
}

fn assert_hidden(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "{secret:?} leaked into: {text}");
    }
}

#[test]
fn debug_of_an_opened_coupon_send_hides_user_and_payment_values() {
    let n = open_plain("COUPON.SEND", A5_PLAINTEXT).expect("A.5 opens");
    let event = n.coupon_send().expect("COUPON.SEND");
    for text in [
        format!("{n:?}"),
        format!("{n:#?}"),
        format!("{:?}", n.event),
        format!("{event:?}"),
        format!("{:?}", event.attach_info),
    ] {
        assert_hidden(&text, SECRETS);
        // What is not personal stays visible, so the output is still useful.
        assert!(
            text.contains("1286950000000039") || text.contains("AttachInfo"),
            "{text}"
        );
    }
    let text = format!("{n:?}");
    for visible in [
        "8b33f79f-8869-5ae5-b41b-3c0b59f957d0",
        "COUPON.SEND",
        "openid",
    ] {
        assert!(text.contains(visible), "{visible} missing from {text}");
    }
    // The values are still there for the code that needs them.
    assert_eq!(event.openid(), Some("odXnH1CJjeQoWTld48db-pnxs-Wg"));
}

#[test]
fn debug_of_an_unknown_event_hides_the_decrypted_json() {
    let plain = r#"{"mchid":"1900000001","payer":{"openid":"oSECRET-payer-openid"},"transaction_id":"4200000999SECRET"}"#;
    let n = open_plain("TRANSACTION.SUCCESS", plain).expect("opens");
    for text in [format!("{n:?}"), format!("{:?}", n.event)] {
        assert_hidden(
            &text,
            &["oSECRET-payer-openid", "4200000999SECRET", "1900000001"],
        );
        assert!(text.contains("TRANSACTION.SUCCESS"), "{text}");
    }
}

#[test]
fn a_malformed_decrypted_time_names_the_field_not_the_value() {
    let bad = "2019-12-17T10:35:53.SECRET";
    let plain = A5_PLAINTEXT.replace("2019-12-17T10:35:53+08:00", bad);
    let err = open_plain("COUPON.SEND", &plain).expect_err("bad time");
    let (display, debug) = (err.to_string(), format!("{err:?}"));
    assert!(display.contains("/send_time"), "{display}");
    assert_hidden(&display, &[bad, "SECRET"]);
    assert_hidden(&debug, &[bad, "SECRET"]);
    assert_hidden(&display, SECRETS);
    assert_hidden(&debug, SECRETS);
}

#[test]
fn wrongly_typed_decrypted_values_are_not_echoed() {
    // Each plaintext puts a secret where a parser would quote it back ("invalid type: …").
    let cases = [
        (
            r#""coupon_code":"1227944959000000911017""#,
            r#""coupon_code":1227944959000000911017"#,
        ),
        (
            r#""openid":"odXnH1CJjeQoWTld48db-pnxs-Wg""#,
            r#""openid":["odXnH1CJjeQoWTld48db-pnxs-Wg"]"#,
        ),
        (
            r#""openid":"odXnH1CJjeQoWTld48db-pnxs-Wg""#,
            r#""openid":{"odXnH1CJjeQoWTld48db-pnxs-Wg":1}"#,
        ),
        (
            r#""transaction_id":"4200000462220200226114599""#,
            r#""transaction_id":4200000462220200226114599"#,
        ),
        (
            r#""act_code":"540358695""#,
            r#""act_code":"540358695","hall_belong_mch_id":["4200000462220200226114599"]"#,
        ),
        (
            r#""event_type":"EVENT_TYPE_BUSICOUPON_SEND""#,
            r#""event_type":1227944959000000911017.5"#,
        ),
        (
            r#""send_time":"2019-12-17T10:35:53+08:00""#,
            r#""send_time":1227944959000000911017"#,
        ),
    ];
    for (from, to) in cases {
        let plain = A5_PLAINTEXT.replace(from, to);
        assert_ne!(plain, A5_PLAINTEXT, "{from} not found");
        let err = open_plain("COUPON.SEND", &plain).expect_err(to);
        let (display, debug) = (err.to_string(), format!("{err:?}"));
        assert!(
            matches!(
                err,
                Error::EventPayload { .. } | Error::PlaintextNotJson { .. }
            ),
            "{to}: {debug}"
        );
        assert_hidden(&display, SECRETS);
        assert_hidden(&debug, SECRETS);
    }
}

#[test]
fn plaintext_that_is_not_json_is_not_echoed() {
    for plain in [
        "odXnH1CJjeQoWTld48db-pnxs-Wg",
        "{\"openid\":\"odXnH1CJjeQoWTld48db-pnxs-Wg\"",
        "{\"openid\":odXnH1CJjeQoWTld48db-pnxs-Wg}",
    ] {
        for event_type in ["COUPON.SEND", "OTHER.EVENT"] {
            let err = open_plain(event_type, plain).expect_err(plain);
            assert_hidden(&err.to_string(), SECRETS);
            assert_hidden(&format!("{err:?}"), SECRETS);
        }
    }
}

#[test]
fn invalid_timestamp_messages_do_not_repeat_the_text() {
    let err = wxpay_model::Timestamp::parse("2019-12-17T10:35:53.SECRET").expect_err("bad");
    assert_hidden(&err.to_string(), &["SECRET"]);
    assert_hidden(&format!("{err:?}"), &["SECRET"]);
    // The caller who passed the text can still get it back explicitly.
    assert_eq!(err.text(), "2019-12-17T10:35:53.SECRET");
}
