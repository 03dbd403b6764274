//! RFC 3339 times that keep their original text.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Marker in deserialization errors; lets [`crate::json`] find and name the field.
pub(crate) const TIME_ERROR_MARKER: &str = "malformed RFC 3339 time";

/// An RFC 3339 time as WeChat Pay sends it, e.g. `2019-12-17T10:35:53+08:00`.
///
/// The original text is kept, so a parsed time re-serializes byte-identically (offset, `Z`,
/// fractional seconds and all), and the instant with its offset is available as
/// [`OffsetDateTime`].
///
/// ```
/// use wxpay_model::Timestamp;
/// let t = Timestamp::parse("2019-12-17T10:35:53+08:00")?;
/// assert_eq!(t.as_str(), "2019-12-17T10:35:53+08:00");
/// assert_eq!(t.unix_timestamp(), 1576550153);
/// assert_eq!(t.offset_date_time().offset().whole_hours(), 8);
/// assert!(Timestamp::parse("2015-05-20T13:29:35.120Z").is_ok());
/// assert!(Timestamp::parse("2020-05-20T13:29:35.08:00").is_err());
/// # Ok::<(), wxpay_model::InvalidTimestamp>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    raw: String,
    value: OffsetDateTime,
}

/// A string is not an RFC 3339 time.
///
/// The message and `Debug` give the text's length and what is wrong with it, never the text:
/// times are parsed inside decrypted notifications, whose errors end up in logs. The caller
/// gets the text back with [`text`](Self::text).
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{TIME_ERROR_MARKER} ({} characters): {reason}; expected e.g. 2015-05-20T13:29:35+08:00",
    raw.chars().count()
)]
pub struct InvalidTimestamp {
    raw: String,
    reason: String,
}

impl InvalidTimestamp {
    /// The text that failed to parse.
    pub fn text(&self) -> &str {
        &self.raw
    }

    /// What is wrong with it, e.g. "the 'subsecond' component could not be parsed".
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Debug for InvalidTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InvalidTimestamp")
            .field(
                "text",
                &format_args!("<{} characters>", self.raw.chars().count()),
            )
            .field("reason", &self.reason)
            .finish()
    }
}

impl Timestamp {
    /// Parses RFC 3339 text (offset or `Z`, optional fractional seconds), keeping the text.
    pub fn parse(text: &str) -> Result<Self, InvalidTimestamp> {
        OffsetDateTime::parse(text, &Rfc3339)
            .map(|value| Timestamp {
                raw: text.to_owned(),
                value,
            })
            .map_err(|e| InvalidTimestamp {
                raw: text.to_owned(),
                reason: e.to_string(),
            })
    }

    /// Formats `value` as RFC 3339 in its own offset (`2019-12-17T10:35:53+08:00`; fractional
    /// seconds only when non-zero). Fails only for years outside 0000–9999.
    pub fn from_offset_date_time(value: OffsetDateTime) -> Result<Self, InvalidTimestamp> {
        let raw = value.format(&Rfc3339).map_err(|e| InvalidTimestamp {
            raw: format!("{value}"),
            reason: e.to_string(),
        })?;
        Ok(Timestamp { raw, value })
    }

    /// Unix seconds as Beijing time (UTC+08:00), whole seconds, as WeChat Pay writes its
    /// times: `2015-05-20T13:29:35+08:00`. The one formatter for every time the SDK, the
    /// simulator and the tests write. A time outside RFC 3339's years 0000–9999 (which no
    /// clock reaches) gives the epoch, `1970-01-01T08:00:00+08:00`.
    ///
    /// ```
    /// use wxpay_model::Timestamp;
    /// assert_eq!(Timestamp::from_unix_beijing(1_432_099_775).as_str(), "2015-05-20T13:29:35+08:00");
    /// ```
    pub fn from_unix_beijing(unix: i64) -> Self {
        let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
        OffsetDateTime::from_unix_timestamp(unix)
            .ok()
            .and_then(|t| Self::from_offset_date_time(t.to_offset(offset)).ok())
            .unwrap_or_else(|| Timestamp {
                raw: String::from("1970-01-01T08:00:00+08:00"),
                value: OffsetDateTime::UNIX_EPOCH,
            })
    }

    /// The current time in Beijing time (UTC+08:00), whole seconds, as WeChat Pay writes it.
    pub fn now_beijing() -> Self {
        Self::from_unix_beijing(OffsetDateTime::now_utc().unix_timestamp())
    }

    /// The original text.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The instant, with the offset it was written in.
    pub fn offset_date_time(&self) -> OffsetDateTime {
        self.value
    }

    /// Seconds since the Unix epoch.
    pub fn unix_timestamp(&self) -> i64 {
        self.value.unix_timestamp()
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.raw)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl std::str::FromStr for Timestamp {
    type Err = InvalidTimestamp;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<OffsetDateTime> for Timestamp {
    type Error = InvalidTimestamp;
    fn try_from(v: OffsetDateTime) -> Result<Self, Self::Error> {
        Self::from_offset_date_time(v)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 time string")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Timestamp, E> {
                Timestamp::parse(s).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

/// A time in an **answer** from WeChat Pay: the text exactly as received, and the parsed
/// [`Timestamp`] when it is RFC 3339.
///
/// WeChat Pay's own examples contain times such as `2020-05-20T13:29:35.08:00` (a copied
/// typo); an answer carrying one must not fail the whole call. So answer types hold their
/// times as `LenientTimestamp`: [`as_str`](Self::as_str) is always the original text,
/// [`timestamp`](Self::timestamp) is `Some` where it parses. It serializes back as the text
/// received. Requests keep strict validation: where a request carries one (a stock's
/// validity), `validate()` refuses it unless it parses.
///
/// ```
/// use wxpay_model::{LenientTimestamp, Timestamp};
/// let ok: LenientTimestamp = serde_json::from_str(r#""2019-12-17T10:35:53+08:00""#)?;
/// assert_eq!(ok.unix_timestamp(), Some(1576550153));
/// let odd: LenientTimestamp = serde_json::from_str(r#""2020-05-20T13:29:35.08:00""#)?;
/// assert_eq!(odd.as_str(), "2020-05-20T13:29:35.08:00");
/// assert_eq!(odd.timestamp(), None);
/// assert_eq!(serde_json::to_string(&odd)?, r#""2020-05-20T13:29:35.08:00""#);
/// let from: LenientTimestamp = Timestamp::parse("2015-05-20T13:29:35Z")?.into();
/// assert!(from.is_valid());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LenientTimestamp {
    raw: String,
    parsed: Option<Timestamp>,
}

impl LenientTimestamp {
    /// Keeps `text`, parsing it when it is RFC 3339.
    pub fn new(text: impl Into<String>) -> Self {
        let raw = text.into();
        let parsed = Timestamp::parse(&raw).ok();
        Self { raw, parsed }
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The parsed time, when the text is RFC 3339.
    pub fn timestamp(&self) -> Option<&Timestamp> {
        self.parsed.as_ref()
    }

    /// Whether the text is RFC 3339.
    pub fn is_valid(&self) -> bool {
        self.parsed.is_some()
    }

    /// The instant with its offset, when the text parses.
    pub fn offset_date_time(&self) -> Option<OffsetDateTime> {
        self.parsed.as_ref().map(Timestamp::offset_date_time)
    }

    /// Seconds since the Unix epoch, when the text parses.
    pub fn unix_timestamp(&self) -> Option<i64> {
        self.parsed.as_ref().map(Timestamp::unix_timestamp)
    }

    /// The parsed time, or the [`InvalidTimestamp`] error naming the text.
    pub fn to_timestamp(&self) -> Result<Timestamp, InvalidTimestamp> {
        match &self.parsed {
            Some(t) => Ok(t.clone()),
            None => Timestamp::parse(&self.raw),
        }
    }
}

impl From<Timestamp> for LenientTimestamp {
    fn from(t: Timestamp) -> Self {
        Self {
            raw: t.as_str().to_owned(),
            parsed: Some(t),
        }
    }
}

impl PartialEq<Timestamp> for LenientTimestamp {
    fn eq(&self, other: &Timestamp) -> bool {
        self.raw == other.as_str()
    }
}

impl fmt::Debug for LenientTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.parsed.is_some() {
            write!(f, "Timestamp({})", self.raw)
        } else {
            write!(f, "Unparsed({:?})", self.raw)
        }
    }
}

impl fmt::Display for LenientTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for LenientTimestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for LenientTimestamp {
    /// Accepts any string (kept, parsed where it can be) and, as an unexpected spelling, a
    /// number (kept as its decimal text, not parsed).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = LenientTimestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a time string")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<LenientTimestamp, E> {
                Ok(LenientTimestamp::new(s))
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<LenientTimestamp, E> {
                Ok(LenientTimestamp::new(n.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<LenientTimestamp, E> {
                Ok(LenientTimestamp::new(n.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<LenientTimestamp, E> {
                Ok(LenientTimestamp::new(n.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_text_exactly() {
        for s in [
            "2019-12-17T10:35:53+08:00",
            "2015-05-20T13:29:35.120+08:00",
            "2015-05-20T13:29:35Z",
            "2015-05-20T13:29:35.5-03:30",
        ] {
            let t: Timestamp = serde_json::from_str(&format!("\"{s}\"")).unwrap();
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{s}\""));
        }
    }

    #[test]
    fn keeps_offset_and_instant() {
        let a = Timestamp::parse("2019-12-17T10:35:53+08:00").unwrap();
        let b = Timestamp::parse("2019-12-17T02:35:53Z").unwrap();
        assert_eq!(a.unix_timestamp(), b.unix_timestamp());
        assert_ne!(a, b, "different text is a different value");
        assert_eq!(a.offset_date_time().offset().whole_hours(), 8);
    }

    #[test]
    fn rejects_malformed() {
        for s in [
            "",
            "2019-12-17",
            "10:35:53+08:00",
            "2020-05-20T13:29:35.08:00",
            "2019-13-17T10:35:53+08:00",
        ] {
            let e = Timestamp::parse(s).unwrap_err();
            assert_eq!(e.text(), s);
            assert!(e.to_string().contains(TIME_ERROR_MARKER));
        }
        assert!(serde_json::from_str::<Timestamp>("123").is_err());
    }

    #[test]
    fn lenient_keeps_what_does_not_parse() {
        for (json, text, parsed) in [
            (
                r#""2019-12-17T10:35:53+08:00""#,
                "2019-12-17T10:35:53+08:00",
                true,
            ),
            (
                r#""2020-05-20T13:29:35.08:00""#,
                "2020-05-20T13:29:35.08:00",
                false,
            ),
            (r#""2020-05-20 13:29:35""#, "2020-05-20 13:29:35", false),
            (r#""""#, "", false),
            ("1576550153", "1576550153", false),
        ] {
            let t: LenientTimestamp = serde_json::from_str(json).unwrap();
            assert_eq!(t.as_str(), text);
            assert_eq!(t.is_valid(), parsed, "{json}");
            assert_eq!(t.to_timestamp().is_ok(), parsed);
            assert_eq!(t.to_string(), text);
        }
        assert!(serde_json::from_str::<LenientTimestamp>("{}").is_err());
        let t = Timestamp::parse("2019-12-17T10:35:53+08:00").unwrap();
        let l = LenientTimestamp::from(t.clone());
        assert_eq!(l, t);
        assert_eq!(l.unix_timestamp(), Some(t.unix_timestamp()));
        assert_eq!(
            format!("{:?}", LenientTimestamp::new("x")),
            "Unparsed(\"x\")"
        );
    }

    #[test]
    fn formats_in_own_offset() {
        let t = Timestamp::parse("2019-12-17T10:35:53+08:00").unwrap();
        let again = Timestamp::from_offset_date_time(t.offset_date_time()).unwrap();
        assert_eq!(again, t);
        let now = Timestamp::now_beijing();
        assert!(now.as_str().ends_with("+08:00"), "{now}");
    }

    #[test]
    fn beijing_time_round_trip() {
        let t = Timestamp::from_unix_beijing(1_432_099_775);
        assert_eq!(t.as_str(), "2015-05-20T13:29:35+08:00");
        assert_eq!(t.unix_timestamp(), 1_432_099_775);
        assert_eq!(
            Timestamp::parse("2015-05-20T05:29:35.120Z")
                .unwrap()
                .unix_timestamp(),
            1_432_099_775
        );
        assert!(Timestamp::parse("2015-05-20 13:29:35").is_err());
        assert_eq!(
            Timestamp::from_unix_beijing(i64::MAX).as_str(),
            "1970-01-01T08:00:00+08:00"
        );
    }
}
