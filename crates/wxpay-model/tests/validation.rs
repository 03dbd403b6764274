//! Validation accepts each boundary and rejects one past it; errors name field, rule and what
//! was found.

use wxpay_model::busifavor::*;
use wxpay_model::{ApiRequest, Timestamp, ValidationError};

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn stock() -> CreateStockRequest {
    let mut rule = CouponUseRule::new(
        FavorAvailableTime::new(
            ts("2026-01-01T00:00:00+08:00"),
            ts("2026-06-30T23:59:59+08:00"),
        ),
        UseMethod::OffLine,
    );
    rule.fixed_normal_coupon = Some(FixedNormalCoupon {
        discount_amount: Some(100),
        transaction_minimum: Some(1000),
    });
    CreateStockRequest::new(
        "满10减1",
        "1900000001",
        "全场通用",
        StockType::Normal,
        rule,
        StockSendRule::new(1000, 1),
        "1900000001-20260101-1",
        CouponCodeMode::WechatpayMode,
    )
}

/// `f(v)` for each `ok` value validates, for each `bad` value fails naming `field`.
fn bounds<R: ApiRequest + Clone, T: Clone>(
    base: &R,
    field: &str,
    ok: &[T],
    bad: &[T],
    set: impl Fn(&mut R, T),
) {
    for v in ok {
        let mut r = base.clone();
        set(&mut r, v.clone());
        if let Err(e) = r.validate() {
            panic!("{field}: expected valid, got {e}");
        }
    }
    for v in bad {
        let mut r = base.clone();
        set(&mut r, v.clone());
        let e: ValidationError = r.validate().expect_err(field);
        assert_eq!(e.field, field, "{e}");
        assert!(
            e.to_string().contains(field) && !e.rule.is_empty() && !e.found.is_empty(),
            "{e}"
        );
    }
}

fn s(n: usize) -> String {
    "券".repeat(n)
}

#[test]
fn create_stock_text_lengths() {
    let base = stock();
    base.validate().unwrap();
    bounds(
        &base,
        "stock_name",
        &[s(1), s(21)],
        &[s(0), s(22)],
        |r, v| r.stock_name = v,
    );
    bounds(
        &base,
        "goods_name",
        &[s(1), s(15)],
        &[s(0), s(16)],
        |r, v| r.goods_name = v,
    );
    bounds(&base, "comment", &[s(1), s(20)], &[s(0), s(21)], |r, v| {
        r.comment = Some(v)
    });
    bounds(
        &base,
        "belong_merchant",
        &["1".repeat(8), "1".repeat(15)],
        &["1".repeat(7), "1".repeat(16)],
        |r, v| r.belong_merchant = v,
    );
    let e = {
        let mut r = stock();
        r.stock_name = s(22);
        r.validate().unwrap_err()
    };
    assert_eq!(
        e.to_string(),
        "invalid request: `stock_name` must be 1..=21 characters, found 22 characters"
    );
}

#[test]
fn four_byte_characters_are_rejected_in_free_text() {
    let mut r = stock();
    r.goods_name = "好券🎉".into();
    let e = r.validate().unwrap_err();
    assert_eq!(e.field, "goods_name");
    assert_eq!(e.found, "character '🎉' (U+1F389) at position 2");
    r.goods_name = "好券￥".into(); // 3-byte, fine
    r.validate().unwrap();
}

#[test]
fn request_number_length_and_charset() {
    let base = stock();
    bounds(
        &base,
        "out_request_no",
        &["a".into(), "a".repeat(128), "A-z_0|9*".into()],
        &[
            String::new(),
            "a".repeat(129),
            "a.b".into(),
            "a b".into(),
            "券".into(),
        ],
        |r, v| r.out_request_no = v,
    );
}

#[test]
fn coupon_amount_ranges() {
    let base = stock();
    let set = |r: &mut CreateStockRequest, v: i64| {
        r.coupon_use_rule.fixed_normal_coupon = Some(FixedNormalCoupon {
            discount_amount: Some(v),
            transaction_minimum: Some(10_000_000),
        })
    };
    bounds(
        &base,
        "coupon_use_rule.fixed_normal_coupon.discount_amount",
        &[1, 10_000_000],
        &[0, 10_000_001],
        set,
    );
    let mut discount = stock();
    discount.stock_type = StockType::Discount;
    discount.coupon_use_rule.fixed_normal_coupon = None;
    bounds(
        &discount,
        "coupon_use_rule.discount_coupon.discount_percent",
        &[1, 100],
        &[0, 101],
        |r, v| {
            r.coupon_use_rule.discount_coupon = Some(DiscountCoupon {
                discount_percent: Some(v),
                transaction_minimum: Some(100),
            })
        },
    );
    let mut exchange = stock();
    exchange.stock_type = StockType::Exchange;
    exchange.coupon_use_rule.fixed_normal_coupon = None;
    bounds(
        &exchange,
        "coupon_use_rule.exchange_coupon.exchange_price",
        &[0, 10_000_000],
        &[-1, 10_000_001],
        |r, v| {
            r.coupon_use_rule.exchange_coupon = Some(ExchangeCoupon {
                exchange_price: Some(v),
                transaction_minimum: Some(100),
            })
        },
    );
}

#[test]
fn discount_object_must_match_stock_type() {
    let mut r = stock();
    r.stock_type = StockType::Discount;
    let e = r.validate().unwrap_err();
    assert_eq!(e.field, "coupon_use_rule.discount_coupon");
    assert_eq!(e.found, "fixed_normal_coupon set");
    let mut r = stock();
    r.coupon_use_rule.discount_coupon = Some(DiscountCoupon {
        discount_percent: Some(80),
        transaction_minimum: Some(1),
    });
    assert_eq!(
        r.validate().unwrap_err().found,
        "fixed_normal_coupon, discount_coupon set"
    );
    let mut r = stock();
    r.coupon_use_rule.fixed_normal_coupon = None;
    assert_eq!(r.validate().unwrap_err().found, "none set");
}

#[test]
fn send_rule_and_time_ranges() {
    let base = stock();
    bounds(
        &base,
        "stock_send_rule.max_coupons_per_user",
        &[1, 100],
        &[0, 101],
        |r, v| r.stock_send_rule.max_coupons_per_user = v,
    );
    bounds(
        &base,
        "stock_send_rule.max_coupons",
        &[1, 1_000_000_000],
        &[0, 1_000_000_001],
        |r, v| r.stock_send_rule.max_coupons = Some(v),
    );
    bounds(
        &base,
        "coupon_use_rule.coupon_available_time.available_day_after_receive",
        &[1, 365],
        &[0, 366],
        |r, v| {
            r.coupon_use_rule
                .coupon_available_time
                .available_day_after_receive = Some(v)
        },
    );
    let mut with_days = stock();
    with_days
        .coupon_use_rule
        .coupon_available_time
        .available_day_after_receive = Some(10);
    bounds(
        &with_days,
        "coupon_use_rule.coupon_available_time.wait_days_after_receive",
        &[0, 30],
        &[-1, 31],
        |r, v| {
            r.coupon_use_rule
                .coupon_available_time
                .wait_days_after_receive = Some(v)
        },
    );
    let mut r = stock();
    r.coupon_use_rule
        .coupon_available_time
        .wait_days_after_receive = Some(1);
    assert_eq!(
        r.validate().unwrap_err().field,
        "coupon_use_rule.coupon_available_time.wait_days_after_receive"
    );
    let mut r = stock();
    r.coupon_use_rule.coupon_available_time.available_end_time =
        ts("2025-12-31T23:00:00+08:00").into();
    assert_eq!(
        r.validate().unwrap_err().field,
        "coupon_use_rule.coupon_available_time.available_end_time"
    );
}

#[test]
fn weekly_schedule() {
    let base = stock();
    let week = |days: Vec<i64>, times: Vec<(i64, i64)>| AvailableWeek {
        week_day: Some(days),
        available_day_time: Some(
            times
                .into_iter()
                .map(|(b, e)| AvailableDayTime {
                    begin_time: Some(b.into()),
                    end_time: Some(e.into()),
                })
                .collect(),
        ),
    };
    let p = "coupon_use_rule.coupon_available_time.available_week";
    bounds(
        &base,
        &format!("{p}.week_day[0]"),
        &[0, 6],
        &[-1, 7],
        |r, v| {
            r.coupon_use_rule.coupon_available_time.available_week =
                Some(week(vec![v], vec![(1, 2)]))
        },
    );
    bounds(
        &base,
        &format!("{p}.available_day_time[0].end_time"),
        &[86_399],
        &[86_400],
        |r, v| {
            r.coupon_use_rule.coupon_available_time.available_week =
                Some(week(vec![1], vec![(1, v)]))
        },
    );
    bounds(
        &base,
        &format!("{p}.available_day_time"),
        &[2usize],
        &[3usize],
        |r, n| {
            r.coupon_use_rule.coupon_available_time.available_week =
                Some(week(vec![1], vec![(1, 2); n]))
        },
    );
    bounds(
        &base,
        &format!("{p}.week_day"),
        &[vec![3]],
        &[vec![]],
        |r, d| r.coupon_use_rule.coupon_available_time.available_week = Some(week(d, vec![(1, 2)])),
    );
}

#[test]
fn entrance_and_display() {
    let base = stock();
    bounds(
        &base,
        "custom_entrance.mini_programs_info.entrance_words",
        &[s(1), s(5)],
        &[s(0), s(6)],
        |r, v| {
            r.custom_entrance = Some(CustomEntrance {
                mini_programs_info: Some(MiniProgramsInfo {
                    mini_programs_appid: "wx1".into(),
                    mini_programs_path: "/p".into(),
                    entrance_words: v,
                    guiding_words: None,
                }),
                ..CustomEntrance::default()
            })
        },
    );
    bounds(
        &base,
        "display_pattern_info.description",
        &[s(1), s(1000)],
        &[s(0), s(1001)],
        |r, v| {
            r.display_pattern_info = Some(DisplayPatternInfo {
                description: Some(v),
                ..DisplayPatternInfo::default()
            })
        },
    );
    bounds(
        &base,
        "display_pattern_info.merchant_name",
        &[s(16)],
        &[s(17)],
        |r, v| {
            r.display_pattern_info = Some(DisplayPatternInfo {
                merchant_name: Some(v),
                ..DisplayPatternInfo::default()
            })
        },
    );
}

#[test]
fn upload_code_counts_and_charset() {
    let base = UploadCouponCodesRequest::new("s1", ["c"], "u1");
    let codes = |n: usize| (0..n).map(|i| format!("code{i}")).collect::<Vec<_>>();
    bounds(
        &base,
        "coupon_code_list",
        &[codes(1), codes(200)],
        &[codes(0), codes(201)],
        |r, v| r.coupon_code_list = v,
    );
    bounds(
        &base,
        "coupon_code_list[0]",
        &[vec!["a".repeat(32)], vec!["a b-c_d\\e/f=g|h".into()]],
        &[
            vec!["a".repeat(33)],
            vec![String::new()],
            vec!["a.b".into()],
            vec!["a\tb".into()],
        ],
        |r, v| r.coupon_code_list = v,
    );
}

#[test]
fn notify_url_rules() {
    let base = SetCallbackRequest::new("https://example.com/notify");
    let long = format!("https://example.com/{}", "a".repeat(256 - 20));
    bounds(
        &base,
        "notify_url",
        &["https://ab".to_string(), long.clone()],
        &[
            "https://a".to_string(),
            format!("{long}a"),
            "http://example.com/notify".into(),
            "https://example.com/notify?x=1".into(),
            "https://example.com/notify#x".into(),
        ],
        |r, v| r.notify_url = v,
    );
    bounds(
        &base,
        "mchid",
        &["1".repeat(8), "1".repeat(15)],
        &["1".repeat(7), "1".repeat(16)],
        |r, v| r.mchid = Some(v),
    );
}

#[test]
fn budget_exactly_one_target() {
    let base = ModifyBudgetRequest::max_coupons("s1", 10, 20, "b1");
    base.validate().unwrap();
    ModifyBudgetRequest::max_coupons_by_day("s1", 10, 20, "b1")
        .validate()
        .unwrap();
    let mut both = base.clone();
    both.target_max_coupons_by_day = Some(5);
    both.current_max_coupons_by_day = Some(4);
    let e = both.validate().unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.found.as_str()),
        ("target_max_coupons", "both set")
    );
    let mut neither = base.clone();
    neither.target_max_coupons = None;
    assert_eq!(neither.validate().unwrap_err().found, "neither set");
    let mut no_current = base.clone();
    no_current.current_max_coupons = None;
    assert_eq!(
        no_current.validate().unwrap_err().field,
        "current_max_coupons"
    );
}

#[test]
fn coupon_operations() {
    let base = UseCouponRequest::new("c1", "wx1", ts("2026-01-01T00:00:00+08:00"), "u1");
    bounds(
        &base,
        "coupon_code",
        &["1".to_string(), "1".repeat(32)],
        &[String::new(), "1".repeat(33)],
        |r, v| r.coupon_code = v,
    );
    bounds(
        &base,
        "use_request_no",
        &["1".repeat(128)],
        &["1".repeat(129)],
        |r, v| r.use_request_no = v,
    );
    bounds(
        &base,
        "stock_id",
        &["1".repeat(20)],
        &["1".repeat(21)],
        |r, v| r.stock_id = Some(v),
    );
    let base = DeactivateCouponRequest::new("c1", "s1", "d1");
    bounds(&base, "deactivate_reason", &[s(64)], &[s(65)], |r, v| {
        r.deactivate_reason = Some(v)
    });
    let base = AssociateOrderRequest::new("s1", "c1", "t1", "r1");
    bounds(
        &base,
        "out_request_no",
        &["r-1".to_string()],
        &["r#1".to_string()],
        |r, v| r.out_request_no = v,
    );
}

#[test]
fn subsidy_ranges() {
    let base = PaySubsidyRequest {
        stock_id: "128888000000001".into(),
        coupon_code: "ABCD12345678".into(),
        transaction_id: "4200000913202101152566792388".into(),
        payer_merchant: "1900000001".into(),
        payee_merchant: "1900000002".into(),
        amount: 100,
        description: "满20-1".into(),
        out_subsidy_no: "subsidy-1".into(),
    };
    base.validate().unwrap();
    bounds(&base, "amount", &[1, 500_000], &[0, 500_001], |r, v| {
        r.amount = v
    });
    bounds(
        &base,
        "transaction_id",
        &["1".repeat(28), "1".repeat(32)],
        &["1".repeat(27), "1".repeat(33)],
        |r, v| r.transaction_id = v,
    );
    bounds(&base, "description", &[s(1024)], &[s(1025)], |r, v| {
        r.description = v
    });
}

#[test]
fn path_parameters_must_not_be_empty() {
    assert_eq!(
        QueryStockRequest::new("").validate().unwrap_err().field,
        "stock_id"
    );
    assert_eq!(
        QueryUserCouponRequest::new("o", "c", "")
            .validate()
            .unwrap_err()
            .field,
        "appid"
    );
    assert_eq!(
        QueryStockRequest::new("a/b c")
            .validate()
            .unwrap_err()
            .field,
        "stock_id"
    );
}

// ----- review fixes ------------------------------------------------------------------------

#[test]
fn day_time_may_start_at_midnight() {
    // §9.1 says 1..86399, but 0 (00:00:00) is the only way to start a range at midnight;
    // lenient: begin 0..=86399, end 1..=86399 and after begin.
    let week = |b: i64, e: i64| AvailableWeek {
        week_day: Some(vec![1]),
        available_day_time: Some(vec![AvailableDayTime {
            begin_time: Some(b.into()),
            end_time: Some(e.into()),
        }]),
    };
    let p = "coupon_use_rule.coupon_available_time.available_week.available_day_time[0]";
    bounds(
        &stock(),
        &format!("{p}.begin_time"),
        &[0, 86_398],
        &[-1, 86_400],
        |r, b| r.coupon_use_rule.coupon_available_time.available_week = Some(week(b, 86_399)),
    );
    bounds(
        &stock(),
        &format!("{p}.end_time"),
        &[1, 86_399],
        &[0],
        |r, e| r.coupon_use_rule.coupon_available_time.available_week = Some(week(0, e)),
    );
}

#[test]
fn page_size_has_no_invented_maximum() {
    // §8.6/§8.12: default and maximum page size are unknown [?]; only nonsense is refused.
    bounds(
        &ListUserCouponsRequest::new("o", "wx1"),
        "limit",
        &[1, 1000, 5000],
        &[0, -1],
        |r, v| r.limit = Some(v),
    );
    bounds(
        &ListCouponCodesRequest::new("s1"),
        "limit",
        &[1, 1001, 100_000],
        &[0],
        |r, v| r.limit = Some(v),
    );
    bounds(
        &ListUserCouponsRequest::new("o", "wx1"),
        "offset",
        &[0, 1_000_000],
        &[-1],
        |r, v| r.offset = Some(v),
    );
}

#[test]
fn stock_validity_is_at_most_a_year() {
    // §9.1: "stock validity ≤ 1 year"; a leap year has 366 days, so that is the bound.
    let begin = ts("2026-01-01T00:00:00+08:00").unix_timestamp();
    let at = |secs: i64| {
        let t = time::OffsetDateTime::from_unix_timestamp(begin + secs)
            .unwrap()
            .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap());
        Timestamp::from_offset_date_time(t).unwrap()
    };
    bounds(
        &stock(),
        "coupon_use_rule.coupon_available_time.available_end_time",
        &[at(1), at(366 * 86_400)],
        &[at(366 * 86_400 + 1), at(0)],
        |r, t| r.coupon_use_rule.coupon_available_time.available_end_time = t.into(),
    );
}

#[test]
fn notify_url_must_be_publicly_reachable() {
    // §7.5: not localhost, not a private or loopback IP literal.
    bounds(
        &SetCallbackRequest::new("https://example.com/notify"),
        "notify_url",
        &[
            "https://pay.weixin.qq.com".to_string(),
            "https://example.com:8443/wx/notify".into(),
            "https://8.8.8.8/notify".into(),
            "https://localhost.example.com/n".into(),
        ],
        &[
            "https://localhost/notify".to_string(),
            "https://LOCALHOST:8443/notify".into(),
            "https://127.0.0.1/notify".into(),
            "https://10.1.2.3/notify".into(),
            "https://172.16.0.1/notify".into(),
            "https://192.168.1.1:443/notify".into(),
            "https://169.254.1.1/notify".into(),
            "https://0.0.0.0/notify".into(),
            "https://[::1]/notify".into(),
            "https://[fd00::1]/notify".into(),
            "https://[fe80::1]:8443/notify".into(),
            "https://user:pw@example.com/notify".into(),
        ],
        |r, v| r.notify_url = v,
    );
}

#[test]
fn coupon_codes_refuse_four_byte_characters() {
    // §1.5 applies to every string, coupon codes included.
    let bad = "券😀".to_string();
    let e = UseCouponRequest::new(&bad, "wx1", ts("2026-01-01T00:00:00+08:00"), "u1")
        .validate()
        .unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.found.contains("U+1F600")),
        ("coupon_code", true)
    );
    for e in [
        ReturnCouponRequest::new(&bad, "s1", "r1").validate(),
        DeactivateCouponRequest::new(&bad, "s1", "r1").validate(),
        AssociateOrderRequest::new("s1", &bad, "t1", "r1").validate(),
        QueryCouponCodeRequest::new("s1", &bad).validate(),
        DeleteCouponCodeRequest::new("s1", &bad, "d1").validate(),
        QueryUserCouponRequest::new("o1", &bad, "wx1").validate(),
        ListSubsidyPayReceiptsRequest::new("s1", &bad).validate(),
    ] {
        assert_eq!(e.unwrap_err().field, "coupon_code");
    }
    // Three-byte characters and spaces stay allowed (uploaded codes may contain spaces).
    ReturnCouponRequest::new("券 1", "s1", "r1")
        .validate()
        .unwrap();
}

#[test]
fn request_numbers_without_a_documented_charset_are_not_restricted() {
    // The `A-Z a-z 0-9 | _ * -` rule is documented for §8.1, §8.16, §8.18, §8.19 and §8.22
    // only; elsewhere any visible ASCII is accepted.
    ModifyStockRequest::new("s1", "mod.2026/01")
        .validate()
        .unwrap();
    SendConsumptionCardRequest::new("c1", "wx1", "o1", "r.1", ts("2026-01-01T00:00:00+08:00"))
        .validate()
        .unwrap();
    SendProductCouponRequest::new("o1", "wx1", "s1", "r.1", ProductCouponType::Normal)
        .validate()
        .unwrap();
    PreSendProductCouponRequest::new("s1", "wx1", "r.1")
        .validate()
        .unwrap();
    // ...but still no spaces or non-ASCII.
    assert_eq!(
        ModifyStockRequest::new("s1", "a b")
            .validate()
            .unwrap_err()
            .field,
        "out_request_no"
    );
    // The documented ones keep the strict charset.
    assert_eq!(
        SendCouponRequest::new("o1", "wx1", "s1", "r.1")
            .validate()
            .unwrap_err()
            .field,
        "out_request_no"
    );
}

#[test]
fn image_sha256_must_match_the_file() {
    let mut r = ImageUploadRequest::new("logo.png", vec![1, 2, 3]);
    r.validate().unwrap();
    r.sha256 = r.sha256.to_ascii_uppercase();
    r.validate().unwrap();
    r.sha256 = "a".repeat(64);
    let e = r.validate().unwrap_err();
    assert_eq!(e.field, "sha256");
    assert!(e.rule.contains("SHA-256 of `file`"), "{e}");
}
