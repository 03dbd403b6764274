//! Base URLs and the primary/backup host choice (spec §1, §6.4).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use http::Uri;
use http::uri::{Authority, PathAndQuery, Scheme};

use crate::error::Error;

/// Default primary base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com";
/// Default backup base URL (another city's access point).
pub const DEFAULT_BACKUP_URL: &str = "https://api2.mch.weixin.qq.com";

/// A validated base URL: `https://host[:port]`, or `http://` for a loopback host only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BaseUrl {
    scheme: Scheme,
    authority: Authority,
}

impl BaseUrl {
    pub(crate) fn parse(url: &str) -> Result<Self, Error> {
        let shown = redact_userinfo(url);
        let bad = |why: &str| Error::config(format!("base URL {shown:?} {why}"));
        let uri: Uri = url
            .trim_end_matches('/')
            .parse()
            .map_err(|_| bad("is not an absolute URL such as https://api.mch.weixin.qq.com"))?;
        let scheme = uri.scheme().cloned().ok_or_else(|| bad("has no scheme"))?;
        let authority = uri.authority().cloned().ok_or_else(|| bad("has no host"))?;
        if authority.as_str().contains('@') {
            return Err(bad("must not contain credentials"));
        }
        if let Some(pq) = uri.path_and_query()
            && pq.as_str() != "/"
            && !pq.as_str().is_empty()
        {
            return Err(bad(
                "must not have a path or query: the signed URL starts at `/v3/…`",
            ));
        }
        if scheme == Scheme::HTTPS {
        } else if scheme == Scheme::HTTP {
            if !wxpay_model::is_loopback_host(authority.host()) {
                return Err(bad(
                    "uses plain http:// on a non-loopback host; WeChat Pay requires HTTPS (http:// is allowed only for 127.0.0.0/8, ::1 and localhost simulators)",
                ));
            }
        } else {
            return Err(bad("must use https://"));
        }
        Ok(Self { scheme, authority })
    }

    /// `host[:port]`, for logs.
    pub(crate) fn host(&self) -> &str {
        self.authority.as_str()
    }

    /// `scheme://host[:port]`.
    pub(crate) fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.authority)
    }

    /// The absolute URI of one attempt: this host, and the request target parsed once.
    pub(crate) fn uri(&self, path_and_query: &PathAndQuery) -> Result<Uri, Error> {
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        parts.path_and_query = Some(path_and_query.clone());
        Uri::from_parts(parts)
            .map_err(|e| Error::config(format!("cannot build the request URL: {e}")))
    }
}

/// `url` with any `user:password@` part replaced by `***@`, for messages and `Debug`.
pub(crate) fn redact_userinfo(url: &str) -> std::borrow::Cow<'_, str> {
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &url[..start], &rest[at..]).into(),
        None => url.into(),
    }
}

/// Which host an attempt went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Which {
    Primary,
    Backup,
}

/// The primary and optional backup host, and how long to stay on the backup after the
/// primary failed to connect.
#[derive(Debug)]
pub(crate) struct Endpoints {
    primary: BaseUrl,
    backup: Option<BaseUrl>,
    stick: Duration,
    /// `None`: on the primary. `Some(None)`: on the backup for good (a stickiness too long
    /// to represent). `Some(Some(t))`: on the backup until `t`.
    backup_until: Mutex<Option<Option<Instant>>>,
}

impl Endpoints {
    pub(crate) fn new(primary: BaseUrl, backup: Option<BaseUrl>, stick: Duration) -> Self {
        Self {
            primary,
            backup,
            stick,
            backup_until: Mutex::new(None),
        }
    }

    /// The primary base URL.
    pub(crate) fn primary(&self) -> &BaseUrl {
        &self.primary
    }

    /// The backup base URL, when failover is on.
    pub(crate) fn backup(&self) -> Option<&BaseUrl> {
        self.backup.as_ref()
    }

    fn until(&self) -> std::sync::MutexGuard<'_, Option<Option<Instant>>> {
        match self.backup_until.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// The host for the next attempt.
    pub(crate) fn select(&self, now: Instant) -> (Which, &BaseUrl) {
        if let Some(backup) = &self.backup {
            let mut until = self.until();
            match *until {
                Some(None) => return (Which::Backup, backup),
                Some(Some(t)) if now < t => return (Which::Backup, backup),
                Some(Some(_)) => *until = None,
                None => {}
            }
        }
        (Which::Primary, &self.primary)
    }

    /// An attempt on `which` got no response at all. After a primary failure the client moves
    /// to the backup for `stick`; after a backup failure it goes back to the primary.
    /// Returns whether the next attempt goes to another host.
    pub(crate) fn connection_failed(&self, which: Which, now: Instant) -> bool {
        if self.backup.is_none() {
            return false;
        }
        let mut until = self.until();
        match which {
            Which::Primary => {
                *until = Some(now.checked_add(self.stick));
                true
            }
            Which::Backup => {
                *until = None;
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        assert!(BaseUrl::parse(DEFAULT_BASE_URL).is_ok());
        assert!(BaseUrl::parse("https://api2.mch.weixin.qq.com/").is_ok());
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://localhost:1",
            "http://[::1]:99",
        ] {
            assert!(BaseUrl::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.mch.weixin.qq.com",
            "http://10.0.0.1",
            "http://[::2]",
            "ftp://x",
            "api.mch.weixin.qq.com",
            "https://api.mch.weixin.qq.com/v3",
            "https://user:pw@host",
            "",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn userinfo_is_redacted() {
        assert_eq!(
            redact_userinfo("https://u:p@host:1/x@y"),
            "https://***@host:1/x@y"
        );
        assert_eq!(redact_userinfo("u:p@host"), "***@host");
        assert_eq!(redact_userinfo("https://host/a@b"), "https://host/a@b");
        assert_eq!(redact_userinfo("https://@"), "https://***@");
        assert_eq!(redact_userinfo(""), "");
    }

    #[test]
    fn uri_joins_exactly() {
        let b = BaseUrl::parse("http://127.0.0.1:9").unwrap();
        let pq = PathAndQuery::from_static("/v3/a%20b?x=1&y=%E4");
        let u = b.uri(&pq).unwrap();
        assert_eq!(u.to_string(), "http://127.0.0.1:9/v3/a%20b?x=1&y=%E4");
        assert_eq!(b.host(), "127.0.0.1:9");
    }

    #[test]
    fn failover_sticks_then_returns() {
        let p = BaseUrl::parse("http://127.0.0.1:1").unwrap();
        let b = BaseUrl::parse("http://127.0.0.1:2").unwrap();
        let e = Endpoints::new(p, Some(b), Duration::from_secs(60));
        let t0 = Instant::now();
        assert_eq!(e.select(t0).0, Which::Primary);
        assert!(e.connection_failed(Which::Primary, t0));
        assert_eq!(e.select(t0 + Duration::from_secs(59)).0, Which::Backup);
        assert_eq!(e.select(t0 + Duration::from_secs(61)).0, Which::Primary);
        assert!(e.connection_failed(Which::Primary, t0));
        assert!(e.connection_failed(Which::Backup, t0));
        assert_eq!(e.select(t0).0, Which::Primary);
    }

    #[test]
    fn unrepresentable_stick_stays_on_the_backup() {
        let p = BaseUrl::parse("http://127.0.0.1:1").unwrap();
        let b = BaseUrl::parse("http://127.0.0.1:2").unwrap();
        let e = Endpoints::new(p, Some(b), Duration::MAX);
        let t0 = Instant::now();
        assert!(e.connection_failed(Which::Primary, t0));
        assert_eq!(e.select(t0 + Duration::from_secs(86_400)).0, Which::Backup);
        assert!(e.connection_failed(Which::Backup, t0));
        assert_eq!(e.select(t0).0, Which::Primary);
    }

    #[test]
    fn no_backup_no_failover() {
        let p = BaseUrl::parse("http://127.0.0.1:1").unwrap();
        let e = Endpoints::new(p, None, Duration::from_secs(60));
        assert!(!e.connection_failed(Which::Primary, Instant::now()));
        assert_eq!(e.select(Instant::now()).0, Which::Primary);
    }
}
