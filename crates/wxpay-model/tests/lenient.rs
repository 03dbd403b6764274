//! Read leniently, send strictly: answers missing optional members or carrying unexpected time
//! spellings parse (the text kept, the value where it parses); the same gaps in a request are
//! refused by `validate()`, naming the field.

use wxpay_model::busifavor::{
    AvailableDayTime, CouponUseRule, CreateStockRequest, DisplayPatternInfo, FinderInfo,
    QueryStockRequest, QueryUserCouponRequest, SendCouponRequest, StockDiscount, UseMethod,
};
use wxpay_model::{ApiRequest, Timestamp};

/// A stock answer whose use rule is filled in by `rule`, the rest complete.
fn stock_answer(rule: &str, display: &str) -> String {
    format!(
        r#"{{"stock_name":"满100减10","belong_merchant":"1900009191","goods_name":"全场通用",
        "stock_type":"NORMAL","coupon_use_rule":{rule},
        "stock_send_rule":{{"max_coupons":100,"max_coupons_per_user":1}},
        "stock_state":"RUNNING","coupon_code_mode":"WECHATPAY_MODE","stock_id":"1287"{display}}}"#
    )
}

#[test]
fn discount_objects_with_missing_members_parse() {
    for (member, json) in [
        ("fixed_normal_coupon", r#"{"discount_amount":1000}"#),
        ("fixed_normal_coupon", r#"{}"#),
        ("discount_coupon", r#"{"transaction_minimum":1}"#),
        ("exchange_coupon", r#"{"exchange_price":990}"#),
    ] {
        let rule = format!(
            r#"{{"coupon_available_time":{{"available_begin_time":"2026-01-01T00:00:00+08:00","available_end_time":"2026-02-01T00:00:00+08:00"}},"{member}":{json},"use_method":"OFF_LINE"}}"#
        );
        let stock = QueryStockRequest::parse_response(stock_answer(&rule, "").as_bytes())
            .unwrap_or_else(|e| panic!("{member} {json}: {e}"));
        let r = &stock.coupon_use_rule;
        match member {
            "fixed_normal_coupon" => {
                let c = r.fixed_normal_coupon.unwrap();
                assert_eq!(c.transaction_minimum, None);
            }
            "discount_coupon" => {
                let c = r.discount_coupon.unwrap();
                assert_eq!((c.discount_percent, c.transaction_minimum), (None, Some(1)));
            }
            _ => assert_eq!(r.exchange_coupon.unwrap().exchange_price, Some(990)),
        }
    }
}

#[test]
fn day_time_and_irregular_ranges_parse_with_gaps_and_odd_spellings() {
    let rule = r#"{"coupon_available_time":{
        "available_begin_time":"2020-05-20T13:29:35.08:00",
        "available_end_time":"2026-02-01T00:00:00+08:00",
        "available_week":{"week_day":[1,2],"available_day_time":[{"begin_time":"10:00:00"},{"end_time":"morning"},{"begin_time":"3600","end_time":7200}]},
        "irregulary_avaliable_time":[{"begin_time":"2026-01-05T00:00:00+08:00"},{"end_time":"2026-01-06 23:59:59"}]
    },"fixed_normal_coupon":{"discount_amount":1000,"transaction_minimum":10000},"use_method":"OFF_LINE"}"#;
    let stock = QueryStockRequest::parse_response(stock_answer(rule, "").as_bytes()).unwrap();
    let t = &stock.coupon_use_rule.coupon_available_time;
    // The typo spelling from WeChat Pay's own examples: kept, not parsed.
    assert_eq!(t.available_begin_time.as_str(), "2020-05-20T13:29:35.08:00");
    assert!(t.available_begin_time.timestamp().is_none());
    assert!(t.available_end_time.timestamp().is_some());

    let days = t
        .available_week
        .as_ref()
        .unwrap()
        .available_day_time
        .as_ref()
        .unwrap();
    assert_eq!((days[0].begin(), days[0].end()), (Some(36_000), None));
    assert_eq!(days[1].begin(), None);
    assert_eq!(
        days[1].end_time.as_ref().unwrap().raw(),
        &serde_json::json!("morning")
    );
    assert_eq!((days[2].begin(), days[2].end()), (Some(3600), Some(7200)));

    let irregular = t.irregulary_avaliable_time.as_ref().unwrap();
    assert!(irregular[0].end_time.is_none());
    let end = irregular[1].end_time.as_ref().unwrap();
    assert_eq!(end.as_str(), "2026-01-06 23:59:59");

    // What was received is what is written back.
    let again = serde_json::to_value(t).unwrap();
    assert_eq!(
        again["available_week"]["available_day_time"][1]["end_time"],
        "morning"
    );
    assert_eq!(again["available_begin_time"], "2020-05-20T13:29:35.08:00");
}

#[test]
fn finder_info_with_missing_fields_parses() {
    let rule = r#"{"coupon_available_time":{"available_begin_time":"2026-01-01T00:00:00+08:00","available_end_time":"2026-02-01T00:00:00+08:00"},"fixed_normal_coupon":{"discount_amount":1000,"transaction_minimum":10000},"use_method":"OFF_LINE"}"#;
    let display = r#","display_pattern_info":{"finder_info":{"finder_id":"sph123"}}"#;
    let stock = QueryStockRequest::parse_response(stock_answer(rule, display).as_bytes()).unwrap();
    let finder = stock.display_pattern_info.unwrap().finder_info.unwrap();
    assert_eq!(finder.finder_id.as_deref(), Some("sph123"));
    assert_eq!(finder.finder_video_id, None);
}

#[test]
fn nested_send_coupon_result_with_missing_fields_parses() {
    let r =
        SendCouponRequest::parse_response(br#"{"send_coupon_result":{"coupon_code":"8800001"}}"#)
            .unwrap();
    assert_eq!(r.coupon_code(), Some("8800001"));
    assert_eq!(r.stock_id(), None);
    assert!(r.result().is_none(), "not all three fields are known");
    // Nested and flat halves combine.
    let r = SendCouponRequest::parse_response(
        br#"{"send_coupon_result":{"coupon_code":"8800001"},"stock_id":"1287","out_request_no":"r-1"}"#,
    )
    .unwrap();
    let all = r.result().unwrap();
    assert_eq!(
        (all.stock_id.as_str(), all.coupon_code.as_str()),
        ("1287", "8800001")
    );
}

#[test]
fn answer_times_keep_unexpected_spellings() {
    let coupon = QueryUserCouponRequest::parse_response(
        br#"{"belong_merchant":"1900009191","stock_name":"n","goods_name":"g","stock_type":"NORMAL",
        "coupon_use_rule":{"coupon_available_time":{"available_begin_time":"2026-01-01T00:00:00+08:00","available_end_time":"2026-02-01T00:00:00+08:00"},"use_method":"OFF_LINE"},
        "receive_time":"2026/01/02 10:00:00","expire_time":1767225600,"use_time":"2026-01-03T10:00:00+08:00"}"#,
    )
    .unwrap();
    assert_eq!(
        coupon.receive_time.as_ref().unwrap().as_str(),
        "2026/01/02 10:00:00"
    );
    assert!(coupon.receive_time.as_ref().unwrap().timestamp().is_none());
    assert_eq!(coupon.expire_time.as_ref().unwrap().as_str(), "1767225600");
    assert!(coupon.use_time.as_ref().unwrap().is_valid());
    // A coupon answer with no discount object at all (none of the three) still parses.
    assert!(coupon.coupon_use_rule.fixed_normal_coupon.is_none());
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn stock() -> CreateStockRequest {
    CreateStockRequest::builder()
        .stock_name("满100减10")
        .belong_merchant("1900009191")
        .goods_name("全场通用")
        .discount(StockDiscount::amount_off(1000, 10000))
        .available(
            ts("2026-01-01T00:00:00+08:00"),
            ts("2026-02-01T00:00:00+08:00"),
        )
        .use_method(UseMethod::OffLine)
        .max_coupons(10)
        .max_coupons_per_user(1)
        .out_request_no("req-1")
        .coupon_code_mode(wxpay_model::busifavor::CouponCodeMode::WechatpayMode)
        .build()
        .unwrap()
}

/// The same gaps in a request are refused before sending, naming the field.
#[test]
fn requests_stay_strict() {
    let field = |r: &CreateStockRequest| r.validate().unwrap_err().field;

    let mut r = stock();
    r.coupon_use_rule
        .fixed_normal_coupon
        .as_mut()
        .unwrap()
        .transaction_minimum = None;
    assert_eq!(
        field(&r),
        "coupon_use_rule.fixed_normal_coupon.transaction_minimum"
    );

    let mut r = stock();
    r.coupon_use_rule.coupon_available_time.available_begin_time =
        wxpay_model::LenientTimestamp::new("2020-05-20T13:29:35.08:00");
    assert_eq!(
        field(&r),
        "coupon_use_rule.coupon_available_time.available_begin_time"
    );

    let mut r = stock();
    r.coupon_use_rule.coupon_available_time.available_week =
        Some(wxpay_model::busifavor::AvailableWeek {
            week_day: Some(vec![1]),
            available_day_time: Some(vec![AvailableDayTime {
                begin_time: Some(3600.into()),
                end_time: None,
            }]),
        });
    assert_eq!(
        field(&r),
        "coupon_use_rule.coupon_available_time.available_week.available_day_time[0].end_time"
    );
    let odd: AvailableDayTime =
        serde_json::from_str(r#"{"begin_time":"morning","end_time":7200}"#).unwrap();
    r.coupon_use_rule
        .coupon_available_time
        .available_week
        .as_mut()
        .unwrap()
        .available_day_time = Some(vec![odd]);
    assert_eq!(
        field(&r),
        "coupon_use_rule.coupon_available_time.available_week.available_day_time[0].begin_time"
    );

    let mut r = stock();
    r.coupon_use_rule
        .coupon_available_time
        .irregulary_avaliable_time = Some(vec![wxpay_model::busifavor::IrregularAvailableTime {
        begin_time: Some(ts("2026-01-05T00:00:00+08:00").into()),
        end_time: None,
    }]);
    assert_eq!(
        field(&r),
        "coupon_use_rule.coupon_available_time.irregulary_avaliable_time[0].end_time"
    );

    let mut r = stock();
    r.display_pattern_info = Some(DisplayPatternInfo {
        finder_info: Some(FinderInfo {
            finder_id: Some("sph123".into()),
            ..FinderInfo::default()
        }),
        ..DisplayPatternInfo::default()
    });
    assert_eq!(
        field(&r),
        "display_pattern_info.finder_info.finder_video_id"
    );
    r.display_pattern_info = Some(DisplayPatternInfo {
        finder_info: Some(FinderInfo::new(
            "sph123",
            "v1",
            "https://wxpaylogo.qpic.cn/x",
        )),
        ..DisplayPatternInfo::default()
    });
    assert!(r.validate().is_ok());

    // The discount object missing altogether, against the stated type.
    let mut r = stock();
    r.coupon_use_rule = CouponUseRule::new(
        r.coupon_use_rule.coupon_available_time.clone(),
        UseMethod::OffLine,
    );
    assert_eq!(field(&r), "coupon_use_rule.fixed_normal_coupon");
}
