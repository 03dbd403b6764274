//! Hostile and edge-case input: nothing panics, amounts stay integers, times keep their text,
//! decrypted data does not linger.

mod common;

use proptest::prelude::*;
use wxpay_model::busifavor::*;
use wxpay_model::{ApiRequest, ErrorBody, NotificationReply, Timestamp};

#[test]
fn json_floats_are_refused_as_amounts_not_truncated() {
    for amount in ["1.0", "1.5", "1e3", "-0.0"] {
        let fixed = format!(r#"{{"discount_amount":{amount},"transaction_minimum":100}}"#);
        assert!(
            serde_json::from_str::<FixedNormalCoupon>(&fixed).is_err(),
            "{amount}"
        );
        let budget = format!(r#"{{"max_coupons":{amount}}}"#);
        assert!(
            ModifyBudgetRequest::parse_response(budget.as_bytes()).is_err(),
            "{amount}"
        );
    }
    // Integers beyond i64 are refused too, never wrapped.
    let huge = r#"{"max_coupons":18446744073709551615}"#;
    assert!(ModifyBudgetRequest::parse_response(huge.as_bytes()).is_err());
    let ok = ModifyBudgetRequest::parse_response(br#"{"max_coupons":9007199254740993}"#).unwrap();
    assert_eq!(ok.max_coupons, 9_007_199_254_740_993, "no f64 rounding");
}

#[test]
fn rfc3339_edge_cases_keep_their_text() {
    for (text, unix) in [
        // A real leap second: the instant is 23:59:59.999…, the text is kept.
        ("2016-12-31T23:59:60Z", 1_483_228_799),
        // "Unknown local offset" (RFC 3339 §4.3) is UTC.
        ("2019-12-17T10:35:53-00:00", 1_576_578_953),
        // Lower-case separators are legal RFC 3339.
        ("2019-12-17t10:35:53z", 1_576_578_953),
        ("2019-12-17T02:35:53.123456789Z", 1_576_550_153),
        ("0000-01-01T00:00:00Z", -62_167_219_200),
        ("9999-12-31T23:59:59+08:00", 253_402_271_999),
    ] {
        let t = Timestamp::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(t.unix_timestamp(), unix, "{text}");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, format!("\"{text}\""));
        let back: Timestamp = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
    }
    for bad in [
        "+10000-01-01T00:00:00Z",
        "99999-01-01T00:00:00Z",
        "2019-12-17T10:35:61+08:00",
        "2019-12-17T10:35:53+24:00",
        "2019-12-17T10:35:53.+08:00",
        "2019-02-29T00:00:00Z",
        "２019-12-17T10:35:53+08:00",
        "2019-12-17T10:35:53+08:00\u{0}",
    ] {
        let e = Timestamp::parse(bad).unwrap_err();
        assert_eq!(e.text(), bad);
    }
}

#[test]
fn error_body_without_message_round_trips() {
    let text = r#"{"code":"SYSTEM_ERROR"}"#;
    let b: ErrorBody = serde_json::from_str(text).unwrap();
    assert_eq!(serde_json::to_string(&b).unwrap(), text);
}

#[test]
fn fail_reply_message_is_at_most_256_characters() {
    // The seed's failure body: `message` string(256).
    let long = "错".repeat(300);
    let r = NotificationReply::fail(&long);
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["code"], "FAIL");
    assert_eq!(v["message"].as_str().unwrap().chars().count(), 256);
    let short = NotificationReply::fail("x");
    assert_eq!(short.body, br#"{"code":"FAIL","message":"x"}"#);
}

#[test]
fn decrypted_plaintext_is_wiped_on_drop_and_not_in_debug() {
    let cb = common::Callback::default();
    let body = cb.body();
    let n = wxpay_model::open_notification_from_headers(
        common::sign(&body, common::NOW)
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
        &body,
        &common::verifier(),
        &common::apiv3(),
        &wxpay_crypto::FixedClock(common::NOW),
    )
    .unwrap();
    // The field is a zeroize-on-drop buffer that reads like a String.
    let wiped: &zeroize::Zeroizing<String> = &n.plaintext;
    assert_eq!(wiped.as_str(), common::A5_PLAINTEXT);
    let debug = format!("{n:?}");
    assert!(
        !debug.contains("EVENT_TYPE_BUSICOUPON_SEND\",\"coupon_code"),
        "{debug}"
    );
    assert!(
        debug.contains(&format!("<{} bytes>", common::A5_PLAINTEXT.len())),
        "{debug}"
    );
    // Moving the event out still works (no Drop on Notification itself).
    let wxpay_model::Event::CouponSend(e) = n.event else {
        panic!("COUPON.SEND expected")
    };
    assert_eq!(e.coupon_code, "1227944959000000911017");
}

/// Every string a request carries, set to `s`.
fn every_request_validated(s: &str, n: i64) {
    let t = Timestamp::parse("2026-01-01T00:00:00+08:00").unwrap();
    let mut rule = CouponUseRule::new(
        FavorAvailableTime::new(t.clone(), t.clone()),
        UseMethod::from(s),
    );
    rule.mini_programs_appid = Some(s.into());
    rule.mini_programs_path = Some(s.into());
    rule.fixed_normal_coupon = Some(FixedNormalCoupon {
        discount_amount: Some(n),
        transaction_minimum: Some(n),
    });
    rule.coupon_available_time.available_week = Some(AvailableWeek {
        week_day: Some(vec![n]),
        available_day_time: Some(vec![AvailableDayTime {
            begin_time: Some(n.into()),
            end_time: Some(n.into()),
        }]),
    });
    let mut create = CreateStockRequest::new(
        s,
        s,
        s,
        StockType::from(s),
        rule,
        StockSendRule::new(n, n),
        s,
        CouponCodeMode::from(s),
    );
    create.comment = Some(s.into());
    create.custom_entrance = Some(CustomEntrance {
        mini_programs_info: Some(MiniProgramsInfo {
            mini_programs_appid: s.into(),
            mini_programs_path: s.into(),
            entrance_words: s.into(),
            guiding_words: Some(s.into()),
        }),
        appid: Some(s.into()),
        hall_id: Some(s.into()),
        store_id: Some(s.into()),
        code_display_mode: None,
    });
    create.display_pattern_info = Some(DisplayPatternInfo {
        description: Some(s.into()),
        merchant_logo_url: Some(s.into()),
        merchant_name: Some(s.into()),
        background_color: None,
        coupon_image_url: Some(s.into()),
        finder_info: Some(FinderInfo {
            finder_id: Some(s.into()),
            finder_video_id: Some(s.into()),
            finder_video_cover_image_url: Some(s.into()),
        }),
    });
    let _ = create.validate();
    let mut modify = ModifyStockRequest::new(s, s);
    modify.stock_name = Some(s.into());
    modify.custom_entrance = Some(ModifyCustomEntrance {
        mini_programs_info: Some(ModifyMiniProgramsInfo {
            mini_programs_appid: Some(s.into()),
            mini_programs_path: Some(s.into()),
            entrance_words: Some(s.into()),
            guiding_words: Some(s.into()),
        }),
        appid: Some(s.into()),
        hall_id: Some(s.into()),
        code_display_mode: None,
    });
    let _ = modify.validate();
    let _ = ModifyBudgetRequest::max_coupons(s, n, n, s).validate();
    let _ = UploadCouponCodesRequest::new(s, [s, s], s).validate();
    let mut list = ListCouponCodesRequest::new(s);
    list.limit = Some(n);
    list.appid = Some(s.into());
    let _ = list.validate();
    let _ = QueryCouponCodeRequest::new(s, s).validate();
    let _ = DeleteCouponCodeRequest::new(s, s, s).validate();
    let mut cb = SetCallbackRequest::new(s);
    let _ = cb.validate();
    cb.notify_url = format!("https://{s}");
    let _ = cb.validate();
    cb.notify_url = format!("https://[{s}]:1/{s}");
    let _ = cb.validate();
    let _ = GetCallbackRequest::new(Some(s.into())).validate();
    let _ = UseCouponRequest::new(s, s, t.clone(), s)
        .openid(s)
        .validate();
    let mut users = ListUserCouponsRequest::new(s, s);
    users.offset = Some(n);
    let _ = users.validate();
    let _ = QueryUserCouponRequest::new(s, s, s).validate();
    let _ = ReturnCouponRequest::new(s, s, s).validate();
    let _ = DeactivateCouponRequest::new(s, s, s).reason(s).validate();
    let _ = AssociateOrderRequest::new(s, s, s, s).validate();
    let _ = DisassociateOrderRequest::new(s, s, s, s).validate();
    let _ = SendCouponRequest::new(s, s, s, s).validate();
    let _ = PaySubsidyRequest::new(s, s, s, s, s, n, s, s).validate();
    let _ = ListSubsidyPayReceiptsRequest::new(s, s).validate();
    let _ = QuerySubsidyPayReceiptRequest::new(s).validate();
    let _ = ReturnSubsidyRequest::new(s, s, s, s, s, s, n, s, s).validate();
    let _ = QuerySubsidyReturnReceiptRequest::new(s).validate();
    let _ = SendConsumptionCardRequest::new(s, s, s, s, t.clone()).validate();
    let _ = SendProductCouponRequest::new(s, s, s, s, ProductCouponType::from(s)).validate();
    let _ = PreSendProductCouponRequest::new(s, s, s).validate();
    let _ = ImageUploadRequest::new(s, s.as_bytes().to_vec()).validate();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// `validate()` never panics, whatever the strings (multi-byte, control characters, `[`,
    /// `@`, `:`, empty) and numbers.
    #[test]
    fn validate_never_panics(s in "\\PC{0,40}|[\\[\\]@:/?#%. a-z0-9]{0,20}|.{0,300}", n in any::<i64>()) {
        every_request_validated(&s, n);
    }

    /// Any text parses to a `Timestamp` or an error naming it, never a panic; what parses
    /// re-serializes byte-identically.
    #[test]
    fn timestamp_parse_never_panics(s in "[0-9+:.TtZz -]{0,40}|\\PC{0,40}") {
        match Timestamp::parse(&s) {
            Ok(t) => prop_assert_eq!(t.as_str(), s.as_str()),
            Err(e) => prop_assert_eq!(e.text(), s.as_str()),
        }
    }

    /// Any bytes as a 2xx body: a typed answer or an error, never a panic.
    #[test]
    fn response_parsing_never_panics(body in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = QueryStockRequest::parse_response(&body);
        let _ = ListUserCouponsRequest::parse_response(&body);
        let _ = ErrorBody::from_slice(&body);
        let _ = serde_json::from_slice::<CouponSendEvent>(&body);
    }
}
