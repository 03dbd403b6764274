//! Times for people: RFC 3339 in Beijing time (as WeChat Pay writes it) and "how long ago".

/// `2019-12-12T16:54:38+08:00` for a Unix time (`wxpay_model`'s one Beijing-time formatter).
pub fn beijing(unix: i64) -> String {
    wxpay_model::Timestamp::from_unix_beijing(unix)
        .as_str()
        .to_owned()
}

/// `12 s ago`, `3 min ago`, `5 days ago`, `in 40 s` — `then` relative to `now`.
pub fn ago(then: i64, now: i64) -> String {
    let d = now.saturating_sub(then);
    let n = d.unsigned_abs();
    let span = if n < 120 {
        format!("{n} s")
    } else if n < 2 * 3600 {
        format!("{} min", n / 60)
    } else if n < 2 * 86_400 {
        format!("{} h", n / 3600)
    } else {
        format!("{} days", n / 86_400)
    };
    if d >= 0 {
        format!("{span} ago")
    } else {
        format!("in {span}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_time_as_wechat_pay_writes_it() {
        assert_eq!(beijing(1576140878), "2019-12-12T16:54:38+08:00");
    }

    #[test]
    fn ago_in_plain_words() {
        assert_eq!(ago(100, 112), "12 s ago");
        assert_eq!(ago(0, 600), "10 min ago");
        assert_eq!(ago(0, 5 * 3600), "5 h ago");
        assert_eq!(ago(0, 10 * 86_400), "10 days ago");
        assert_eq!(ago(140, 100), "in 40 s");
    }
}
