//! Property tests: arbitrary values → JSON → values; unknown enum values and extra fields
//! survive; any change to a signed notification is caught before parsing.

mod common;

use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use wxpay_model::busifavor::*;
use wxpay_model::{ErrorBody, ErrorCode, Timestamp};

fn cfg() -> ProptestConfig {
    ProptestConfig::with_cases(256)
}

fn json_round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(v: &T) {
    let text = serde_json::to_string(v).unwrap();
    let back: T = serde_json::from_str(&text).unwrap();
    assert_eq!(&back, v, "{text}");
    assert_eq!(serde_json::to_string(&back).unwrap(), text);
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (
        2000i32..2100,
        1u8..=12,
        1u8..=28,
        0u8..24,
        0u8..60,
        0u8..60,
        prop::option::of(0u16..1000),
        prop_oneof![
            Just("Z".to_string()),
            Just("+08:00".to_string()),
            Just("-03:30".to_string())
        ],
    )
        .prop_map(|(y, mo, d, h, mi, s, frac, off)| {
            let frac = frac.map(|f| format!(".{f:03}")).unwrap_or_default();
            Timestamp::parse(&format!(
                "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{off}"
            ))
            .unwrap()
        })
}

fn id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{1,24}"
}

fn text() -> impl Strategy<Value = String> {
    any::<String>()
}

fn open<T: Clone + std::fmt::Debug + 'static>(
    known: &'static [T],
    from: fn(&str) -> T,
) -> impl Strategy<Value = T> {
    prop_oneof![
        prop::sample::select(known),
        "[A-Z_]{1,40}".prop_map(move |s| from(&s))
    ]
}

fn extra() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(
        "x_[a-z_]{1,10}",
        prop_oneof![
            any::<String>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<bool>().prop_map(Value::from),
        ],
        0..3,
    )
    .prop_map(|m| m.into_iter().collect())
}

fn number_or_string() -> impl Strategy<Value = NumberOrString> {
    prop_oneof![
        any::<u64>().prop_map(|n| NumberOrString::Number(n.into())),
        "[0-9]{1,12}".prop_map(NumberOrString::String),
    ]
}

fn attach_info() -> impl Strategy<Value = AttachInfoField> {
    let info = (
        prop::option::of(id()),
        prop::option::of(id()),
        prop::option::of(id()),
        prop::option::of(number_or_string()),
        prop::option::of(id()),
        prop::option::of(id()),
        prop::option::of(id()),
        extra(),
    )
        .prop_map(|(t, a, h, m, c, code, act, extra)| AttachInfo {
            transaction_id: t,
            act_code: a,
            hall_code: h,
            hall_belong_mch_id: m,
            card_id: c,
            code,
            activity_id: act,
            extra,
        });
    prop_oneof![
        Just(AttachInfoField::Absent),
        Just(AttachInfoField::Empty),
        info.prop_map(AttachInfoField::Info),
        any::<i64>().prop_map(|n| AttachInfoField::Other(n.into())),
    ]
}

fn coupon_send_event() -> impl Strategy<Value = CouponSendEvent> {
    (
        open(CouponEventType::KNOWN, CouponEventType::from_wire),
        id(),
        id(),
        timestamp(),
        prop::option::of(text()),
        prop::option::of(text()),
        open(SendChannel::KNOWN, SendChannel::from_wire),
        id(),
        attach_info(),
        extra(),
    )
        .prop_map(
            |(
                event_type,
                coupon_code,
                stock_id,
                send_time,
                openid,
                unionid,
                send_channel,
                send_merchant,
                attach_info,
                extra,
            )| {
                CouponSendEvent {
                    event_type,
                    coupon_code,
                    stock_id,
                    send_time,
                    openid,
                    unionid,
                    send_channel,
                    send_merchant,
                    attach_info,
                    extra,
                }
            },
        )
}

fn coupon_use_rule() -> impl Strategy<Value = CouponUseRule> {
    (
        timestamp(),
        timestamp(),
        prop::option::of(1i64..=365),
        prop::option::of((
            prop::collection::vec(0i64..7, 0..7),
            prop::collection::vec((1i64..86_399, 1i64..86_399), 0..3),
        )),
        prop::option::of(prop::collection::vec((timestamp(), timestamp()), 0..3)),
        prop_oneof![
            (1i64..10_000_000, 1i64..10_000_000).prop_map(|(a, b)| (
                Some(FixedNormalCoupon {
                    discount_amount: Some(a),
                    transaction_minimum: Some(b)
                }),
                None,
                None
            )),
            (1i64..=100, 0i64..10_000_000).prop_map(|(a, b)| (
                None,
                Some(DiscountCoupon {
                    discount_percent: Some(a),
                    transaction_minimum: Some(b)
                }),
                None
            )),
            (0i64..10_000_000, 0i64..10_000_000).prop_map(|(a, b)| (
                None,
                None,
                Some(ExchangeCoupon {
                    exchange_price: Some(a),
                    transaction_minimum: Some(b)
                })
            )),
        ],
        open(UseMethod::KNOWN, UseMethod::from_wire),
        prop::option::of(id()),
        prop::option::of(text()),
    )
        .prop_map(
            |(
                b,
                e,
                days,
                week,
                irregular,
                (fixed, discount, exchange),
                use_method,
                appid,
                path,
            )| {
                let mut t = FavorAvailableTime::new(b, e);
                t.available_day_after_receive = days;
                t.available_week = week.map(|(d, times)| AvailableWeek {
                    week_day: Some(d),
                    available_day_time: Some(
                        times
                            .into_iter()
                            .map(|(b, e)| AvailableDayTime {
                                begin_time: Some(b.into()),
                                end_time: Some(e.into()),
                            })
                            .collect(),
                    ),
                });
                t.irregulary_avaliable_time = irregular.map(|v| {
                    v.into_iter()
                        .map(|(b, e)| IrregularAvailableTime {
                            begin_time: Some(b.into()),
                            end_time: Some(e.into()),
                        })
                        .collect()
                });
                let mut r = CouponUseRule::new(t, use_method);
                r.fixed_normal_coupon = fixed;
                r.discount_coupon = discount;
                r.exchange_coupon = exchange;
                r.mini_programs_appid = appid;
                r.mini_programs_path = path;
                r
            },
        )
}

fn create_stock() -> impl Strategy<Value = CreateStockRequest> {
    (
        (text(), id(), prop::option::of(text()), text()),
        open(StockType::KNOWN, StockType::from_wire),
        coupon_use_rule(),
        (
            1i64..1_000_000_000,
            1i64..=100,
            prop::option::of(any::<bool>()),
        ),
        id(),
        open(CouponCodeMode::KNOWN, CouponCodeMode::from_wire),
        prop::option::of((
            prop::option::of(id()),
            prop::option::of(open(CodeDisplayMode::KNOWN, CodeDisplayMode::from_wire)),
        )),
        prop::option::of((
            prop::option::of(text()),
            prop::option::of(open(BackgroundColor::KNOWN, BackgroundColor::from_wire)),
        )),
        prop::option::of(prop::option::of(id())),
        prop::option::of(any::<bool>()),
    )
        .prop_map(
            |(
                (name, merchant, comment, goods),
                stock_type,
                rule,
                (max, per_user, abuse),
                no,
                mode,
                entrance,
                display,
                notify,
                subsidy,
            )| {
                let mut send = StockSendRule::new(max, per_user);
                send.prevent_api_abuse = abuse;
                let mut r = CreateStockRequest::new(
                    name, merchant, goods, stock_type, rule, send, no, mode,
                );
                r.comment = comment;
                r.custom_entrance = entrance.map(|(appid, code_display_mode)| CustomEntrance {
                    appid,
                    code_display_mode,
                    ..CustomEntrance::default()
                });
                r.display_pattern_info =
                    display.map(|(description, background_color)| DisplayPatternInfo {
                        description,
                        background_color,
                        ..DisplayPatternInfo::default()
                    });
                r.notify_config = notify.map(|notify_appid| NotifyConfig { notify_appid });
                r.subsidy = subsidy;
                r
            },
        )
}

proptest! {
    #![proptest_config(cfg())]

    #[test]
    fn coupon_send_event_round_trips(e in coupon_send_event()) {
        json_round_trip(&e);
    }

    #[test]
    fn create_stock_round_trips(r in create_stock()) {
        json_round_trip(&r);
    }

    #[test]
    fn use_coupon_round_trips(
        code in id(), appid in id(), t in timestamp(), no in id(),
        stock in prop::option::of(id()), openid in prop::option::of(id()),
    ) {
        let mut r = UseCouponRequest::new(code, appid, t, no);
        r.stock_id = stock;
        r.openid = openid;
        json_round_trip(&r);
    }

    #[test]
    fn modify_stock_body_round_trips_without_path_field(
        stock_id in id(), no in id(), comment in prop::option::of(text()),
        use_method in prop::option::of(open(UseMethod::KNOWN, UseMethod::from_wire)),
        abuse in prop::option::of(any::<bool>()),
    ) {
        let mut r = ModifyStockRequest::new(stock_id.clone(), no);
        r.comment = comment;
        r.coupon_use_rule = use_method.map(|m| ModifyCouponUseRule { use_method: Some(m), ..ModifyCouponUseRule::default() });
        r.stock_send_rule = abuse.map(|a| ModifyStockSendRule { prevent_api_abuse: Some(a), natural_person_limit: None });
        let text = serde_json::to_string(&r).unwrap();
        prop_assert!(!text.contains("stock_id"));
        let mut back: ModifyStockRequest = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back.stock_id, "");
        back.stock_id = stock_id;
        prop_assert_eq!(back, r);
    }

    #[test]
    fn upload_and_budget_round_trip(
        codes in prop::collection::vec("[A-Za-z0-9 _-]{1,32}", 1..20), no in id(),
        current in 1i64..1_000_000, target in 1i64..1_000_000, daily in any::<bool>(),
    ) {
        let mut u = UploadCouponCodesRequest::new("", codes, no.clone());
        u.stock_id.clear();
        json_round_trip(&u);
        let b = if daily {
            ModifyBudgetRequest::max_coupons_by_day("", current, target, no)
        } else {
            ModifyBudgetRequest::max_coupons("", current, target, no)
        };
        json_round_trip(&b);
    }

    #[test]
    fn send_coupon_and_subsidy_round_trip(openid in id(), appid in id(), stock in id(), no in id(), amount in 1i64..500_000, desc in text()) {
        json_round_trip(&SendCouponRequest::new(openid, appid, stock.clone(), no.clone()));
        json_round_trip(&PaySubsidyRequest {
            stock_id: stock,
            coupon_code: "c".into(),
            transaction_id: "t".into(),
            payer_merchant: "p".into(),
            payee_merchant: "q".into(),
            amount,
            description: desc,
            out_subsidy_no: no,
        });
    }

    #[test]
    fn coupon_operation_requests_round_trip(
        code in id(), stock in id(), no in id(), trade in id(), reason in prop::option::of(text()),
        url in "https://[a-z]{1,20}\\.com/[a-z/]{0,30}", mchid in prop::option::of("[0-9]{8,15}"),
    ) {
        json_round_trip(&ReturnCouponRequest::new(code.clone(), stock.clone(), no.clone()));
        let mut d = DeactivateCouponRequest::new(code.clone(), stock.clone(), no.clone());
        d.deactivate_reason = reason;
        json_round_trip(&d);
        json_round_trip(&AssociateOrderRequest::new(stock.clone(), code.clone(), trade.clone(), no.clone()));
        json_round_trip(&DisassociateOrderRequest::new(stock, code, trade, no));
        let mut cb = SetCallbackRequest::new(url);
        cb.mchid = mchid;
        json_round_trip(&cb);
    }

    #[test]
    fn adjacent_and_subsidy_return_requests_round_trip(
        openid in id(), appid in id(), stock in id(), no in id(), t in timestamp(),
        kind in open(ProductCouponType::KNOWN, ProductCouponType::from_wire),
        code in prop::option::of(id()), amount in 1i64..500_000, desc in text(),
    ) {
        // The card id is a path parameter: it does not survive the body, everything else does.
        let card = SendConsumptionCardRequest::new("card", appid.clone(), openid.clone(), no.clone(), t);
        let mut back: SendConsumptionCardRequest = serde_json::from_str(&serde_json::to_string(&card).unwrap()).unwrap();
        prop_assert_eq!(&back.card_id, "");
        back.card_id = "card".into();
        prop_assert_eq!(back, card);
        let mut p = SendProductCouponRequest::new(openid.clone(), appid.clone(), stock.clone(), no.clone(), kind);
        p.coupon_code = code.clone();
        json_round_trip(&p);
        let mut pre = PreSendProductCouponRequest::new(stock.clone(), appid, no.clone());
        pre.openid = Some(openid);
        pre.coupon_code = code;
        json_round_trip(&pre);
        json_round_trip(&ReturnSubsidyRequest::new(stock, "c", "t", "r", "p", "q", amount, desc, no));
    }

    #[test]
    fn error_bodies_round_trip(code in open(ErrorCode::KNOWN, ErrorCode::from_wire), message in text()) {
        json_round_trip(&ErrorBody::new(code, message));
    }

    #[test]
    fn unknown_enum_values_round_trip_unchanged(s in "[A-Z][A-Z_]{0,30}") {
        let quoted = Value::from(s.clone());
        for back in [
            serde_json::to_value(serde_json::from_value::<SendChannel>(quoted.clone()).unwrap()).unwrap(),
            serde_json::to_value(serde_json::from_value::<StockState>(quoted.clone()).unwrap()).unwrap(),
            serde_json::to_value(serde_json::from_value::<CouponState>(quoted.clone()).unwrap()).unwrap(),
            serde_json::to_value(serde_json::from_value::<ErrorCode>(quoted.clone()).unwrap()).unwrap(),
        ] {
            // Known values come back in canonical spelling; everything else unchanged.
            if back != quoted {
                prop_assert!(s.contains("MEMBER_CARD_ACT") || s.starts_with("PAY_RECEIPT") || s.starts_with("RETURN_RECEIPT"), "{s} -> {back}");
            }
        }
    }
}

proptest! {
    #![proptest_config(cfg())]

    /// Any single-byte change to a signed notification body fails at the signature stage.
    #[test]
    fn any_body_change_is_caught_before_parsing(pos in any::<prop::sample::Index>(), delta in 1u8..=255) {
        use std::sync::OnceLock;
        type Signed = (Vec<u8>, Vec<(String, String)>);
        static SIGNED: OnceLock<Signed> = OnceLock::new();
        let (body, headers) = SIGNED.get_or_init(|| {
            let body = common::Callback::default().body();
            let headers = common::sign(&body, common::NOW);
            (body, headers)
        });
        let mut tampered = body.clone();
        let i = pos.index(tampered.len());
        tampered[i] = tampered[i].wrapping_add(delta);
        let err = wxpay_model::open_notification_from_headers(
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            &tampered,
            &common::verifier(),
            &common::apiv3(),
            &wxpay_crypto::FixedClock(common::NOW),
        )
        .unwrap_err();
        prop_assert!(matches!(err, wxpay_model::Error::NotificationUnverified(_)), "{:?}", err);
    }
}
