//! RFC 3339 times as WeChat Pay writes them (Beijing time, `+08:00`).

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

const BEIJING: i32 = 8 * 3600;

/// Formats Unix seconds as `2015-05-20T13:29:35+08:00`.
pub(crate) fn rfc3339(unix: i64) -> String {
    let offset = UtcOffset::from_whole_seconds(BEIJING).unwrap_or(UtcOffset::UTC);
    OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.to_offset(offset))
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T08:00:00+08:00".to_owned())
}

/// Parses an RFC 3339 time (any offset, optional fraction) into Unix seconds.
pub(crate) fn parse(s: &str) -> Option<i64> {
    OffsetDateTime::parse(s, &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_time_round_trip() {
        assert_eq!(rfc3339(1_432_099_775), "2015-05-20T13:29:35+08:00");
        assert_eq!(parse("2015-05-20T13:29:35+08:00"), Some(1_432_099_775));
        assert_eq!(parse("2015-05-20T05:29:35.120Z"), Some(1_432_099_775));
        assert_eq!(parse("2015-05-20 13:29:35"), None);
    }
}
