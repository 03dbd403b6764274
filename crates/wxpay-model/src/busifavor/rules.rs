//! Objects shared by several busifavor endpoints (spec §9.1–§9.5).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::enums::{BackgroundColor, CodeDisplayMode, StockType, UseMethod};
use crate::error::ValidationError;
use crate::time::{LenientTimestamp, Timestamp};
use crate::validate::{self as v, Checked, path};

/// Largest amount in fen of a coupon's discount or threshold (100 000 CNY).
pub const MAX_COUPON_AMOUNT: i64 = 10_000_000;

/// Longest stock validity (§9.1 "≤ 1 year"), seconds: 366 days, so a leap year fits.
pub const MAX_STOCK_VALIDITY_SECS: i64 = 366 * 86_400;

/// `coupon_use_rule` (§9.1). Exactly one of the three rule objects is set, matching `stock_type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponUseRule {
    /// When coupons can be used.
    pub coupon_available_time: FavorAvailableTime,
    /// For `NORMAL` stocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_normal_coupon: Option<FixedNormalCoupon>,
    /// For `DISCOUNT` stocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_coupon: Option<DiscountCoupon>,
    /// For `EXCHANGE` stocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_coupon: Option<ExchangeCoupon>,
    /// How the coupon is redeemed.
    pub use_method: UseMethod,
    /// Mini-program appid, for `MINI_PROGRAMS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mini_programs_appid: Option<String>,
    /// Mini-program path, for `MINI_PROGRAMS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mini_programs_path: Option<String>,
}

impl CouponUseRule {
    /// A rule with the given validity and use method and no discount object yet.
    pub fn new(coupon_available_time: FavorAvailableTime, use_method: UseMethod) -> Self {
        Self {
            coupon_available_time,
            fixed_normal_coupon: None,
            discount_coupon: None,
            exchange_coupon: None,
            use_method,
            mini_programs_appid: None,
            mini_programs_path: None,
        }
    }

    /// Checks the rule, and that its discount object matches `stock_type`.
    pub(crate) fn check(&self, p: &str, stock_type: &StockType) -> Checked {
        self.coupon_available_time
            .check(&path(p, "coupon_available_time"))?;
        let set = [
            ("fixed_normal_coupon", self.fixed_normal_coupon.is_some()),
            ("discount_coupon", self.discount_coupon.is_some()),
            ("exchange_coupon", self.exchange_coupon.is_some()),
        ];
        let expected = match stock_type {
            StockType::Normal => Some("fixed_normal_coupon"),
            StockType::Discount => Some("discount_coupon"),
            StockType::Exchange => Some("exchange_coupon"),
            StockType::Unknown(_) => None,
        };
        if let Some(expected) = expected {
            let present: Vec<&str> = set.iter().filter(|s| s.1).map(|s| s.0).collect();
            v::rule(
                &path(p, expected),
                present == [expected],
                &format!("be the only discount object for stock_type {stock_type}"),
                || {
                    if present.is_empty() {
                        "none set".to_owned()
                    } else {
                        format!("{} set", present.join(", "))
                    }
                },
            )?;
        }
        if let Some(c) = &self.fixed_normal_coupon {
            let p = path(p, "fixed_normal_coupon");
            let amount = required(&path(&p, "discount_amount"), c.discount_amount)?;
            v::range(&path(&p, "discount_amount"), amount, 1, MAX_COUPON_AMOUNT)?;
            let min = required(&path(&p, "transaction_minimum"), c.transaction_minimum)?;
            v::range(&path(&p, "transaction_minimum"), min, 1, MAX_COUPON_AMOUNT)?;
        }
        if let Some(c) = &self.discount_coupon {
            let p = path(p, "discount_coupon");
            let percent = required(&path(&p, "discount_percent"), c.discount_percent)?;
            v::range(&path(&p, "discount_percent"), percent, 1, 100)?;
            let min = required(&path(&p, "transaction_minimum"), c.transaction_minimum)?;
            v::range(&path(&p, "transaction_minimum"), min, 0, MAX_COUPON_AMOUNT)?;
        }
        if let Some(c) = &self.exchange_coupon {
            let p = path(p, "exchange_coupon");
            let price = required(&path(&p, "exchange_price"), c.exchange_price)?;
            v::range(&path(&p, "exchange_price"), price, 0, MAX_COUPON_AMOUNT)?;
            let min = required(&path(&p, "transaction_minimum"), c.transaction_minimum)?;
            v::range(&path(&p, "transaction_minimum"), min, 0, MAX_COUPON_AMOUNT)?;
        }
        v::opt_id(
            &path(p, "mini_programs_appid"),
            self.mini_programs_appid.as_ref(),
            1,
            32,
        )?;
        v::opt_text(
            &path(p, "mini_programs_path"),
            self.mini_programs_path.as_ref(),
            1,
            128,
        )
    }
}

/// A request needs this value; answers may omit it.
fn required<T: Copy>(field: &str, value: Option<T>) -> Result<T, ValidationError> {
    value.ok_or_else(|| ValidationError::new(field, "be set", "absent"))
}

/// `fixed_normal_coupon`: an amount off above a threshold, both in fen.
///
/// Both members are `Option` because answers may omit them (WeChat Pay's official Go SDK reads
/// them as optional); a request must set both ([`FixedNormalCoupon::new`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FixedNormalCoupon {
    /// Amount off, fen, 1..=10 000 000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<i64>,
    /// Minimum order amount, fen, 1..=10 000 000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_minimum: Option<i64>,
}

impl FixedNormalCoupon {
    /// `discount_amount` fen off orders of at least `transaction_minimum` fen.
    pub fn new(discount_amount: i64, transaction_minimum: i64) -> Self {
        Self {
            discount_amount: Some(discount_amount),
            transaction_minimum: Some(transaction_minimum),
        }
    }
}

/// `discount_coupon`: pay a percentage (`88` = pay 88 %) above a threshold.
///
/// Members are `Option` because answers may omit them; a request must set both
/// ([`DiscountCoupon::new`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DiscountCoupon {
    /// Percentage paid, 1..=100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_percent: Option<i64>,
    /// Minimum order amount, fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_minimum: Option<i64>,
}

impl DiscountCoupon {
    /// Pay `discount_percent` % of orders of at least `transaction_minimum` fen.
    pub fn new(discount_percent: i64, transaction_minimum: i64) -> Self {
        Self {
            discount_percent: Some(discount_percent),
            transaction_minimum: Some(transaction_minimum),
        }
    }
}

/// `exchange_coupon`: buy at a fixed price above a threshold.
///
/// Members are `Option` because answers may omit them; a request must set both
/// ([`ExchangeCoupon::new`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ExchangeCoupon {
    /// Price paid, fen, 0..=10 000 000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_price: Option<i64>,
    /// Minimum order amount, fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_minimum: Option<i64>,
}

impl ExchangeCoupon {
    /// Buy at `exchange_price` fen with orders of at least `transaction_minimum` fen.
    pub fn new(exchange_price: i64, transaction_minimum: i64) -> Self {
        Self {
            exchange_price: Some(exchange_price),
            transaction_minimum: Some(transaction_minimum),
        }
    }
}

/// `coupon_available_time` (FavorAvailableTime, §9.1).
///
/// Times are [`LenientTimestamp`]s: an answer with an unexpected time spelling still parses
/// (the text is kept); a request must carry RFC 3339 times ([`FavorAvailableTime::new`] takes
/// [`Timestamp`]s, and `validate()` checks them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FavorAvailableTime {
    /// Start of the stock's validity.
    pub available_begin_time: LenientTimestamp,
    /// End of the stock's validity (at most a year after the start).
    pub available_end_time: LenientTimestamp,
    /// Coupon valid this many days after it becomes effective, 1..=365.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_day_after_receive: Option<i64>,
    /// Weekly schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_week: Option<AvailableWeek>,
    /// Irregular periods. The wire name is misspelled by WeChat Pay: `irregulary_avaliable_time`.
    #[serde(
        rename = "irregulary_avaliable_time",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub irregulary_avaliable_time: Option<Vec<IrregularAvailableTime>>,
    /// Days after receipt before the coupon becomes effective, 0..=30; needs
    /// `available_day_after_receive`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_days_after_receive: Option<i64>,
    /// Seconds valid after receipt (create-stock only, 2025 sources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_second_after_receive: Option<i64>,
}

impl FavorAvailableTime {
    /// Validity from `begin` to `end`, nothing else.
    pub fn new(begin: Timestamp, end: Timestamp) -> Self {
        Self {
            available_begin_time: begin.into(),
            available_end_time: end.into(),
            available_day_after_receive: None,
            available_week: None,
            irregulary_avaliable_time: None,
            wait_days_after_receive: None,
            available_second_after_receive: None,
        }
    }

    pub(crate) fn check(&self, p: &str) -> Checked {
        let begin = time(&path(p, "available_begin_time"), &self.available_begin_time)?;
        let end = time(&path(p, "available_end_time"), &self.available_end_time)?;
        v::rule(
            &path(p, "available_end_time"),
            begin < end,
            "be after available_begin_time",
            || self.available_end_time.to_string(),
        )?;
        let span = end - begin;
        v::rule(
            &path(p, "available_end_time"),
            span <= MAX_STOCK_VALIDITY_SECS,
            "be at most a year (366 days) after available_begin_time",
            || format!("{} ({} days later)", self.available_end_time, span / 86_400),
        )?;
        v::opt_range(
            &path(p, "available_day_after_receive"),
            self.available_day_after_receive,
            1,
            365,
        )?;
        v::opt_range(
            &path(p, "wait_days_after_receive"),
            self.wait_days_after_receive,
            0,
            30,
        )?;
        if self.wait_days_after_receive.is_some() {
            v::rule(
                &path(p, "wait_days_after_receive"),
                self.available_day_after_receive.is_some(),
                "be combined with available_day_after_receive",
                || "available_day_after_receive absent".to_owned(),
            )?;
        }
        v::opt_range(
            &path(p, "available_second_after_receive"),
            self.available_second_after_receive,
            1,
            i64::from(i32::MAX),
        )?;
        if let Some(w) = &self.available_week {
            w.check(&path(p, "available_week"))?;
        }
        for (i, t) in self.irregulary_avaliable_time.iter().flatten().enumerate() {
            let f = format!("{}[{i}]", path(p, "irregulary_avaliable_time"));
            let begin = opt_time(&path(&f, "begin_time"), t.begin_time.as_ref())?;
            let end = opt_time(&path(&f, "end_time"), t.end_time.as_ref())?;
            v::rule(
                &path(&f, "end_time"),
                begin < end,
                "be after begin_time",
                || {
                    t.end_time
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                },
            )?;
        }
        Ok(())
    }
}

/// A request time: it must parse as RFC 3339. Returns the Unix time.
fn time(field: &str, t: &LenientTimestamp) -> Result<i64, ValidationError> {
    t.unix_timestamp().ok_or_else(|| {
        ValidationError::new(
            field,
            "be an RFC 3339 time such as 2015-05-20T13:29:35+08:00",
            format!("{:?}", t.as_str()),
        )
    })
}

/// A request time that answers may omit: it must be present and parse.
fn opt_time(field: &str, t: Option<&LenientTimestamp>) -> Result<i64, ValidationError> {
    match t {
        Some(t) => time(field, t),
        None => Err(ValidationError::new(field, "be set", "absent")),
    }
}

/// `available_week`: days of the week and up to two time ranges within those days.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AvailableWeek {
    /// 0 = Sunday … 6 = Saturday; required when `available_day_time` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week_day: Option<Vec<i64>>,
    /// At most two ranges, in seconds of the day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_day_time: Option<Vec<AvailableDayTime>>,
}

impl AvailableWeek {
    fn check(&self, p: &str) -> Checked {
        for (i, d) in self.week_day.iter().flatten().enumerate() {
            v::range(&format!("{}[{i}]", path(p, "week_day")), *d, 0, 6)?;
        }
        if let Some(times) = &self.available_day_time {
            let f = path(p, "available_day_time");
            v::count(&f, times.len(), 0, 2)?;
            v::rule(
                &path(p, "week_day"),
                self.week_day.as_ref().is_some_and(|d| !d.is_empty()),
                "be set when available_day_time is set",
                || "absent".to_owned(),
            )?;
            for (i, t) in times.iter().enumerate() {
                let p = format!("{f}[{i}]");
                let begin = seconds(&path(&p, "begin_time"), t.begin_time.as_ref())?;
                let end = seconds(&path(&p, "end_time"), t.end_time.as_ref())?;
                // §9.1 says 1..=86399; 0 (00:00:00) is accepted so a range can start at
                // midnight (lenient: the server decides).
                v::range(&path(&p, "begin_time"), begin, 0, 86_399)?;
                v::range(&path(&p, "end_time"), end, 1, 86_399)?;
                v::rule(
                    &path(&p, "end_time"),
                    begin < end,
                    "be after begin_time",
                    || end.to_string(),
                )?;
            }
        }
        Ok(())
    }
}

/// A request's seconds-of-day value: present and a number.
fn seconds(field: &str, t: Option<&DaySeconds>) -> Result<i64, ValidationError> {
    match t {
        Some(t) => t.get().ok_or_else(|| {
            ValidationError::new(
                field,
                "be a number of seconds since midnight (0..=86399)",
                t.raw().to_string(),
            )
        }),
        None => Err(ValidationError::new(field, "be set", "absent")),
    }
}

/// A range within a day, in seconds since midnight (`86399` = 23:59:59).
///
/// Both ends are `Option` because answers may omit them (the official Go SDK reads them as
/// optional), and each keeps what WeChat Pay sent ([`DaySeconds`]). A request must set both
/// ([`AvailableDayTime::new`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AvailableDayTime {
    /// Start, seconds of the day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub begin_time: Option<DaySeconds>,
    /// End, seconds of the day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<DaySeconds>,
}

impl AvailableDayTime {
    /// From `begin_time` to `end_time`, seconds since midnight.
    pub fn new(begin_time: i64, end_time: i64) -> Self {
        Self {
            begin_time: Some(begin_time.into()),
            end_time: Some(end_time.into()),
        }
    }

    /// The start in seconds of the day, when present and readable.
    pub fn begin(&self) -> Option<i64> {
        self.begin_time.as_ref().and_then(DaySeconds::get)
    }

    /// The end in seconds of the day, when present and readable.
    pub fn end(&self) -> Option<i64> {
        self.end_time.as_ref().and_then(DaySeconds::get)
    }
}

/// A time of day in seconds since midnight, as WeChat Pay sent it.
///
/// The documented spelling is a JSON integer (`36000`). Read leniently, a string of digits
/// (`"36000"`) or a clock time (`"10:00"`, `"10:00:00"`) also gives the value; anything else is
/// kept as received ([`raw`](Self::raw)) with no value, instead of failing the answer. It
/// serializes back exactly as received.
///
/// ```
/// use wxpay_model::busifavor::DaySeconds;
/// let n: DaySeconds = serde_json::from_str("36000")?;
/// let s: DaySeconds = serde_json::from_str(r#""10:00:00""#)?;
/// assert_eq!((n.get(), s.get()), (Some(36000), Some(36000)));
/// let odd: DaySeconds = serde_json::from_str(r#""morning""#)?;
/// assert_eq!(odd.get(), None);
/// assert_eq!(serde_json::to_string(&odd)?, r#""morning""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaySeconds {
    raw: Value,
    value: Option<i64>,
}

impl DaySeconds {
    /// Seconds since midnight, when readable.
    pub fn get(&self) -> Option<i64> {
        self.value
    }

    /// The JSON value as received.
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    fn read(raw: &Value) -> Option<i64> {
        match raw {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => {
                let s = s.trim();
                if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                    return s.parse().ok();
                }
                let parts: Vec<&str> = s.split(':').collect();
                if !(2..=3).contains(&parts.len())
                    || parts.iter().any(|p| {
                        p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit())
                    })
                {
                    return None;
                }
                let n: Vec<i64> = parts.iter().filter_map(|p| p.parse().ok()).collect();
                let (h, m, sec) = (n[0], n[1], n.get(2).copied().unwrap_or(0));
                (h < 24 && m < 60 && sec < 60).then_some(h * 3600 + m * 60 + sec)
            }
            _ => None,
        }
    }
}

impl From<i64> for DaySeconds {
    fn from(seconds: i64) -> Self {
        Self {
            raw: Value::from(seconds),
            value: Some(seconds),
        }
    }
}

impl Serialize for DaySeconds {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for DaySeconds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Value::deserialize(d)?;
        let value = Self::read(&raw);
        Ok(Self { raw, value })
    }
}

/// One irregular validity period.
///
/// Both ends are `Option` (answers may omit them) and lenient ([`LenientTimestamp`]); a request
/// must set both, as RFC 3339 ([`IrregularAvailableTime::new`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IrregularAvailableTime {
    /// Start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub begin_time: Option<LenientTimestamp>,
    /// End.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<LenientTimestamp>,
}

impl IrregularAvailableTime {
    /// From `begin_time` to `end_time`.
    pub fn new(begin_time: Timestamp, end_time: Timestamp) -> Self {
        Self {
            begin_time: Some(begin_time.into()),
            end_time: Some(end_time.into()),
        }
    }
}

/// `stock_send_rule` (§9.2).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StockSendRule {
    /// Total budget in fen ("not open yet").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_amount: Option<i64>,
    /// Total coupons issuable, 1..=1 000 000 000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_coupons: Option<i64>,
    /// Coupons per user, 1..=100.
    pub max_coupons_per_user: i64,
    /// Daily budget in fen ("not open yet").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_amount_by_day: Option<i64>,
    /// Daily coupon cap, 1..=1 000 000 000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_coupons_by_day: Option<i64>,
    /// Count the limit across accounts of the same natural person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub natural_person_limit: Option<bool>,
    /// Anti-abuse checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prevent_api_abuse: Option<bool>,
    /// Transferable ("not open yet").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transferable: Option<bool>,
    /// Shareable ("not open yet").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shareable: Option<bool>,
}

impl StockSendRule {
    /// `max_coupons` in total, `max_coupons_per_user` each.
    pub fn new(max_coupons: i64, max_coupons_per_user: i64) -> Self {
        Self {
            max_coupons: Some(max_coupons),
            max_coupons_per_user,
            ..Self::default()
        }
    }

    pub(crate) fn check(&self, p: &str) -> Checked {
        v::opt_range(&path(p, "max_amount"), self.max_amount, 1, 100_000_000_000)?;
        v::opt_range(&path(p, "max_coupons"), self.max_coupons, 1, 1_000_000_000)?;
        v::range(
            &path(p, "max_coupons_per_user"),
            self.max_coupons_per_user,
            1,
            100,
        )?;
        v::opt_range(
            &path(p, "max_amount_by_day"),
            self.max_amount_by_day,
            1,
            100_000_000_000,
        )?;
        v::opt_range(
            &path(p, "max_coupons_by_day"),
            self.max_coupons_by_day,
            1,
            1_000_000_000,
        )
    }
}

/// `custom_entrance` (§9.3).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CustomEntrance {
    /// Mini-program entrance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mini_programs_info: Option<MiniProgramsInfo>,
    /// Official account to jump to, 1..=32.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    /// Marketing hall id, 1..=64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hall_id: Option<String>,
    /// Store id, 1..=64 (create/query only; not in the modify variant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_id: Option<String>,
    /// How the code is displayed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_display_mode: Option<CodeDisplayMode>,
}

impl CustomEntrance {
    pub(crate) fn check(&self, p: &str) -> Checked {
        if let Some(m) = &self.mini_programs_info {
            m.check(&path(p, "mini_programs_info"))?;
        }
        v::opt_id(&path(p, "appid"), self.appid.as_ref(), 1, 32)?;
        v::opt_id(&path(p, "hall_id"), self.hall_id.as_ref(), 1, 64)?;
        v::opt_id(&path(p, "store_id"), self.store_id.as_ref(), 1, 64)
    }
}

/// `mini_programs_info` of a custom entrance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MiniProgramsInfo {
    /// Mini-program appid bound to the belong merchant, 1..=32.
    pub mini_programs_appid: String,
    /// Page path, 1..=128.
    pub mini_programs_path: String,
    /// Entrance text, 1..=5 characters.
    pub entrance_words: String,
    /// Guiding text, 1..=6 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guiding_words: Option<String>,
}

impl MiniProgramsInfo {
    fn check(&self, p: &str) -> Checked {
        v::id(
            &path(p, "mini_programs_appid"),
            &self.mini_programs_appid,
            1,
            32,
        )?;
        v::text(
            &path(p, "mini_programs_path"),
            &self.mini_programs_path,
            1,
            128,
        )?;
        v::text(&path(p, "entrance_words"), &self.entrance_words, 1, 5)?;
        v::opt_text(&path(p, "guiding_words"), self.guiding_words.as_ref(), 1, 6)
    }
}

/// `display_pattern_info` (§9.4).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DisplayPatternInfo {
    /// Usage notes, 1..=1000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Logo URL from the image upload (§8.27), 1..=128.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_logo_url: Option<String>,
    /// Merchant name, 1..=16 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_name: Option<String>,
    /// Card colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_color: Option<BackgroundColor>,
    /// Coupon image URL from the image upload (§8.27), 1..=128.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_image_url: Option<String>,
    /// Video-channel information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finder_info: Option<FinderInfo>,
}

impl DisplayPatternInfo {
    pub(crate) fn check(&self, p: &str) -> Checked {
        v::opt_text(&path(p, "description"), self.description.as_ref(), 1, 1000)?;
        v::opt_text(
            &path(p, "merchant_logo_url"),
            self.merchant_logo_url.as_ref(),
            1,
            128,
        )?;
        v::opt_text(
            &path(p, "merchant_name"),
            self.merchant_name.as_ref(),
            1,
            16,
        )?;
        v::opt_text(
            &path(p, "coupon_image_url"),
            self.coupon_image_url.as_ref(),
            1,
            128,
        )?;
        if let Some(f) = &self.finder_info {
            let p = path(p, "finder_info");
            for (name, value) in [
                ("finder_id", &f.finder_id),
                ("finder_video_id", &f.finder_video_id),
                (
                    "finder_video_cover_image_url",
                    &f.finder_video_cover_image_url,
                ),
            ] {
                let field = path(&p, name);
                match value {
                    Some(value) => v::text(&field, value, 1, 128)?,
                    None => {
                        return Err(ValidationError::new(
                            field,
                            "be set (all three finder_info fields go together)",
                            "absent",
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// `finder_info`: video-channel information. A request sets all three fields
/// ([`FinderInfo::new`]); answers may omit any of them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FinderInfo {
    /// Video-channel id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finder_id: Option<String>,
    /// Video id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finder_video_id: Option<String>,
    /// Cover image URL (716×402 px), from the image upload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finder_video_cover_image_url: Option<String>,
}

impl FinderInfo {
    /// All three fields.
    pub fn new(
        finder_id: impl Into<String>,
        finder_video_id: impl Into<String>,
        finder_video_cover_image_url: impl Into<String>,
    ) -> Self {
        Self {
            finder_id: Some(finder_id.into()),
            finder_video_id: Some(finder_video_id.into()),
            finder_video_cover_image_url: Some(finder_video_cover_image_url.into()),
        }
    }
}

/// `notify_config` (§9.5): the appid under which callback `openid`s are computed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NotifyConfig {
    /// Appid for callback openids; without it, callbacks carry no openid/unionid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_appid: Option<String>,
}

impl NotifyConfig {
    pub(crate) fn check(&self, p: &str) -> Checked {
        v::opt_id(&path(p, "notify_appid"), self.notify_appid.as_ref(), 1, 64)
    }
}
