//! Client-side checks of the API's rules (spec §1.5, §7.5, §8, §9). Every failure names the
//! field, the rule and what was found.

use crate::error::ValidationError;

/// Result of a check.
pub(crate) type Checked = Result<(), ValidationError>;

/// `prefix.name`, or `name` at the top level.
pub(crate) fn path(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Length in characters within `min..=max`.
pub(crate) fn chars(field: &str, value: &str, min: usize, max: usize) -> Checked {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(ValidationError::new(
            field,
            format!("be {min}..={max} characters"),
            format!("{n} characters"),
        ));
    }
    Ok(())
}

/// Only characters encoded in 1–3 UTF-8 bytes (spec §1.5: no emoji / supplementary planes).
pub(crate) fn bmp(field: &str, value: &str) -> Checked {
    match value.chars().enumerate().find(|(_, c)| c.len_utf8() > 3) {
        Some((i, c)) => Err(ValidationError::new(
            field,
            "contain only characters of 1-3 UTF-8 bytes (no emoji or other supplementary-plane characters)",
            format!("character {c:?} (U+{:04X}) at position {i}", c as u32),
        )),
        None => Ok(()),
    }
}

/// Free text: length in characters plus [`bmp`].
pub(crate) fn text(field: &str, value: &str, min: usize, max: usize) -> Checked {
    chars(field, value, min, max)?;
    bmp(field, value)
}

/// Optional free text.
pub(crate) fn opt_text(field: &str, value: Option<&String>, min: usize, max: usize) -> Checked {
    value.map_or(Ok(()), |v| text(field, v, min, max))
}

/// An identifier: `min..=max` characters, printable ASCII without spaces.
pub(crate) fn id(field: &str, value: &str, min: usize, max: usize) -> Checked {
    chars(field, value, min, max)?;
    match value
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_graphic())
    {
        Some((i, c)) => Err(ValidationError::new(
            field,
            "contain only visible ASCII characters",
            format!("character {c:?} (U+{:04X}) at position {i}", c as u32),
        )),
        None => Ok(()),
    }
}

/// Optional identifier.
pub(crate) fn opt_id(field: &str, value: Option<&String>, min: usize, max: usize) -> Checked {
    value.map_or(Ok(()), |v| id(field, v, min, max))
}

/// A merchant request number: `1..=max` characters from `A-Z a-z 0-9 | _ * -`.
pub(crate) fn request_no(field: &str, value: &str, max: usize) -> Checked {
    chars(field, value, 1, max)?;
    charset(field, value, "consist of A-Z a-z 0-9 | _ * -", |c| {
        c.is_ascii_alphanumeric() || matches!(c, '|' | '_' | '*' | '-')
    })
}

/// Every character satisfies `ok`.
pub(crate) fn charset(field: &str, value: &str, rule: &str, ok: impl Fn(char) -> bool) -> Checked {
    match value.chars().enumerate().find(|(_, c)| !ok(*c)) {
        Some((i, c)) => Err(ValidationError::new(
            field,
            rule,
            format!("character {c:?} (U+{:04X}) at position {i}", c as u32),
        )),
        None => Ok(()),
    }
}

/// An integer within `min..=max`.
pub(crate) fn range(field: &str, value: i64, min: i64, max: i64) -> Checked {
    if value < min || value > max {
        return Err(ValidationError::new(
            field,
            format!("be within {min}..={max}"),
            value.to_string(),
        ));
    }
    Ok(())
}

/// An optional integer within `min..=max`.
pub(crate) fn opt_range(field: &str, value: Option<i64>, min: i64, max: i64) -> Checked {
    value.map_or(Ok(()), |v| range(field, v, min, max))
}

/// An optional integer of at least `min` (no documented maximum).
pub(crate) fn opt_min(field: &str, value: Option<i64>, min: i64) -> Checked {
    match value {
        Some(v) if v < min => Err(ValidationError::new(
            field,
            format!("be at least {min}"),
            v.to_string(),
        )),
        _ => Ok(()),
    }
}

/// A rule that is not about one value's shape.
pub(crate) fn rule(field: &str, ok: bool, rule: &str, found: impl FnOnce() -> String) -> Checked {
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(field, rule, found()))
    }
}

/// A callback URL (spec §7.5): 10..=256 characters, `https://`, a host, no query, no fragment,
/// no white space, no user info, and a host WeChat Pay can reach (not `localhost`, not a
/// loopback, private, link-local or unspecified IP literal). With `allow_loopback`, a loopback
/// host is accepted, over `http://` too (a local simulator's relaxation).
pub(crate) fn notify_url(field: &str, url: &str, allow_loopback: bool) -> Checked {
    chars(field, url, 10, 256)?;
    let scheme_len = if url
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    {
        8
    } else if allow_loopback
        && url
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
    {
        7
    } else {
        return Err(ValidationError::new(
            field,
            "start with https:// (WeChat Pay only calls HTTPS URLs)",
            format!("{url:?}"),
        ));
    };
    let rest = url.get(scheme_len..).unwrap_or("");
    for (c, what) in [('?', "a query"), ('#', "a fragment")] {
        if let Some(i) = url.find(c) {
            return Err(ValidationError::new(
                field,
                "have no query or fragment (WeChat Pay rejects notify URLs with parameters)",
                format!("{what} at byte {i}"),
            ));
        }
    }
    charset(
        field,
        url,
        "contain no white space or control characters",
        |c| !c.is_whitespace() && !c.is_control(),
    )?;
    let authority = rest.split('/').next().unwrap_or("");
    rule(
        field,
        !authority.contains('@'),
        "carry no user info (user:password@)",
        || format!("{url:?}"),
    )?;
    let host = host_of(authority);
    rule(
        field,
        !host.is_empty(),
        "name a host after the scheme",
        || format!("{url:?}"),
    )?;
    if allow_loopback && is_loopback_host(host) {
        return Ok(());
    }
    rule(
        field,
        scheme_len == 8,
        "start with https:// (plain http:// is accepted only for loopback hosts)",
        || format!("{url:?}"),
    )?;
    rule(
        field,
        is_public_host(host),
        "name a host WeChat Pay can reach (not localhost or a loopback/private IP)",
        || format!("host {host:?}"),
    )
}

/// Whether `host` (a name or an IP literal, with or without IPv6 brackets) is a loopback host:
/// `localhost`, 127.0.0.0/8 or `::1`. The one rule for "local only" in the SDK: plain-http base
/// URLs of the client and the simulator's http:// notify URLs both use it.
///
/// ```
/// assert!(wxpay_model::is_loopback_host("127.9.9.9"));
/// assert!(wxpay_model::is_loopback_host("[::1]"));
/// assert!(wxpay_model::is_loopback_host("LOCALHOST"));
/// assert!(!wxpay_model::is_loopback_host("10.0.0.1"));
/// ```
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The host of `host[:port]` or `[v6][:port]`, without brackets and port.
fn host_of(authority: &str) -> &str {
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or("");
    }
    authority.split(':').next().unwrap_or("")
}

/// Whether `host` may be reachable from the internet: not `localhost` and not an IP literal in
/// a loopback, private, link-local, shared or unspecified range. Names are not resolved.
fn is_public_host(host: &str) -> bool {
    use std::net::IpAddr;
    let name = host.trim_end_matches('.');
    if name.eq_ignore_ascii_case("localhost")
        || name
            .get(name.len().saturating_sub(10)..)
            .is_some_and(|t| t.eq_ignore_ascii_case(".localhost"))
    {
        return false;
    }
    let public_v4 = |ip: std::net::Ipv4Addr| {
        let [a, b, ..] = ip.octets();
        !(ip.is_loopback()
            || ip.is_private()
            || ip.is_link_local()
            || ip.is_unspecified()
            || ip.is_broadcast()
            || (a == 100 && (64..128).contains(&b)))
    };
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => public_v4(ip),
        Ok(IpAddr::V6(ip)) => {
            if let Some(v4) = ip.to_ipv4_mapped() {
                return public_v4(v4);
            }
            let [first, ..] = ip.segments();
            !(ip.is_loopback()
                || ip.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
        Err(_) => true,
    }
}

/// A list's length within `min..=max`.
pub(crate) fn count(field: &str, len: usize, min: usize, max: usize) -> Checked {
    if len < min || len > max {
        return Err(ValidationError::new(
            field,
            format!("have {min}..={max} items"),
            format!("{len} items"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chars_counts_characters_not_bytes() {
        assert!(chars("f", "商家券", 1, 3).is_ok());
        let e = chars("f", "商家券券", 1, 3).unwrap_err();
        assert_eq!(e.found, "4 characters");
        assert_eq!(e.rule, "be 1..=3 characters");
        assert!(chars("f", "", 1, 3).is_err());
    }

    #[test]
    fn bmp_rejects_four_byte_characters() {
        assert!(bmp("f", "中文 abc ©").is_ok());
        let e = bmp("f", "ab😀").unwrap_err();
        assert_eq!(e.found, "character '😀' (U+1F600) at position 2");
    }

    #[test]
    fn request_numbers() {
        assert!(request_no("f", "1900|2020_01*0-9Az", 128).is_ok());
        let e = request_no("f", "abc.def", 128).unwrap_err();
        assert!(e.found.contains("'.'"), "{e}");
        assert!(request_no("f", &"a".repeat(128), 128).is_ok());
        assert!(request_no("f", &"a".repeat(129), 128).is_err());
    }

    #[test]
    fn notify_urls() {
        let notify_url = |f: &str, u: &str| super::notify_url(f, u, false);
        assert!(notify_url("u", "https://a.b").is_ok());
        assert!(notify_url("u", "HTTPS://example.com/notify").is_ok());
        for bad in [
            "https://a",
            "http://example.com/notify",
            "https://example.com/notify?x=1",
            "https://example.com/notify#frag",
            "https://example.com/no tify",
            "https:///notify/path",
            "ftp://example.com/notify",
        ] {
            assert!(notify_url("u", bad).is_err(), "{bad}");
        }
        let ten = "https://ab";
        assert_eq!(ten.len(), 10);
        assert!(notify_url("u", ten).is_ok());
        assert!(notify_url("u", &ten[..9]).is_err());
        let long = format!("https://e.com/{}", "p".repeat(256 - 14));
        assert_eq!(long.len(), 256);
        assert!(notify_url("u", &long).is_ok());
        assert!(notify_url("u", &format!("{long}p")).is_err());
    }

    #[test]
    fn notify_urls_of_a_local_simulator() {
        let local = |u: &str| notify_url("u", u, true);
        assert!(local("https://example.com/notify").is_ok());
        assert!(local("http://example.com/notify").is_err());
        assert!(local("https://example.com/notify?a=1").is_err());
        assert!(local("ftp://example.com/x").is_err());
        assert!(local("example.com/notify").is_err());
        for url in [
            "http://127.0.0.1:8080/notify",
            "http://localhost:1/n",
            "HTTP://[::1]:99/wechatpay/coupon",
            "http://127.9.9.9/n",
        ] {
            assert!(local(url).is_ok(), "{url}");
            assert!(notify_url("u", url, false).is_err(), "{url}");
        }
        for bad in [
            "http://example.com/notify",
            "http://10.0.0.1/notify",
            "http://127.0.0.1:1/n?x=1",
            "http://u:p@127.0.0.1/n",
            "http://[::2]:1/notify",
        ] {
            assert!(local(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hosts() {
        assert_eq!(host_of("example.com:8443"), "example.com");
        assert_eq!(host_of("[::1]:8443"), "::1");
        assert_eq!(host_of("[::1"), "::1");
        assert!(is_public_host("example.com"));
        assert!(!is_public_host("a.localhost"));
        assert!(!is_public_host("::ffff:127.0.0.1"));
        assert!(!is_public_host("100.64.0.1"));
        assert!(is_public_host("100.128.0.1"));
        assert!(is_public_host("2001:db8::1"));
    }

    #[test]
    fn ranges_and_ids() {
        assert!(range("n", 1, 1, 100).is_ok());
        assert!(range("n", 100, 1, 100).is_ok());
        assert_eq!(range("n", 101, 1, 100).unwrap_err().found, "101");
        assert!(range("n", 0, 1, 100).is_err());
        assert!(id("i", "abc", 1, 3).is_ok());
        assert!(id("i", "a c", 1, 3).is_err());
        assert_eq!(path("", "a"), "a");
        assert_eq!(path("a", "b"), "a.b");
    }
}
