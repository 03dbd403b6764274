//! [`ClientBuilder`]: every option of the client, parsed and checked once in `build`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;
use wxpay_crypto::{
    ApiV3Key, Clock, MerchantPrivateKey, PlatformCertificate, Signer, SystemClock, Verifier,
    WechatPayPublicKey,
};
use zeroize::Zeroizing;

use crate::certificates::CertManager;
use crate::client::Client;
use crate::connector;
use crate::endpoint::{BaseUrl, DEFAULT_BACKUP_URL, DEFAULT_BASE_URL, Endpoints, redact_userinfo};
use crate::error::Error;
use crate::keys::{KeySet, RequestSerial};
use crate::retry::{RetryBudget, RetryPolicy};
use crate::timeouts::Timeouts;
use crate::transport::Transport;

/// Default cap on a response body: 4 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;
/// Default idle time after which a pooled connection is closed: 5 s, below WeChat Pay's 8 s.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(5);
/// Default interval of the background platform-certificate refresh: 12 h.
pub const DEFAULT_CERTIFICATE_REFRESH: Duration = Duration::from_secs(12 * 3600);

/// Bounds `build()` enforces on durations: values outside them are mistakes that would panic
/// on a background task (an `Instant` overflow) or flood WeChat Pay, never useful settings.
const LONGEST_WAIT: Duration = Duration::from_secs(3600);
/// Shortest certificate refresh interval `build()` accepts (production uses hours).
const SHORTEST_CERTIFICATE_REFRESH: Duration = Duration::from_secs(1);
/// Longest certificate refresh interval `build()` accepts.
const LONGEST_CERTIFICATE_REFRESH: Duration = Duration::from_secs(30 * 86_400);

enum KeySource {
    Pem(Zeroizing<String>),
    File(PathBuf),
}

/// Builds a [`Client`]. Keys are parsed and URLs checked in [`ClientBuilder::build`]; every
/// problem is reported there as [`Error::Config`] with what to fix.
///
/// Required: [`mchid`](Self::mchid), [`merchant_serial`](Self::merchant_serial), a merchant
/// private key, and a way to verify answers: a WeChat Pay public key, platform certificates,
/// or the APIv3 key (which turns on certificate download). See [`Client`] for an example.
pub struct ClientBuilder {
    mchid: Option<String>,
    merchant_serial: Option<String>,
    private_key: Option<KeySource>,
    public_key: Option<(String, String)>,
    certificates: Vec<String>,
    api_v3_key: Option<Zeroizing<Vec<u8>>>,
    download_certificates: Option<bool>,
    certificate_refresh: Duration,
    base_url: String,
    /// `None`: never set, so the default backup applies only while `base_url` is the default
    /// (a client aimed elsewhere, e.g. at a simulator, must never fall back to WeChat Pay).
    /// `Some(choice)`: set explicitly with [`ClientBuilder::backup_url`].
    backup_url: Option<Option<String>>,
    timeouts: Timeouts,
    retry: RetryPolicy,
    user_agent_suffix: Option<String>,
    max_response_bytes: usize,
    pool_idle_timeout: Duration,
    tolerance: u64,
    clock: Arc<dyn Clock>,
    native_roots: bool,
    extra_roots: Vec<String>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("mchid", &self.mchid)
            .field("merchant_serial", &self.merchant_serial)
            .field(
                "private_key",
                &self.private_key.as_ref().map(|_| "<redacted>"),
            )
            .field("public_key_id", &self.public_key.as_ref().map(|(id, _)| id))
            .field("certificates", &self.certificates.len())
            .field("extra_roots", &self.extra_roots.len())
            .field(
                "api_v3_key",
                &self.api_v3_key.as_ref().map(|_| "<redacted>"),
            )
            .field("base_url", &redact_userinfo(&self.base_url))
            .field(
                "backup_url",
                &self
                    .backup_url
                    .as_ref()
                    .map(|b| b.as_deref().map(redact_userinfo)),
            )
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientBuilder {
    /// Refuses durations outside sane bounds, naming the setting and the bound.
    fn check_bounds(&self) -> Result<(), Error> {
        let within = |name: &str, value: Duration, min: Duration, max: Duration| {
            if value < min || value > max {
                Err(Error::config(format!(
                    "`{name}` of {value:?} is outside {min:?}..={max:?}"
                )))
            } else {
                Ok(())
            }
        };
        within(
            "pool_idle_timeout",
            self.pool_idle_timeout,
            Duration::ZERO,
            LONGEST_WAIT,
        )?;
        within(
            "certificate_refresh_interval",
            self.certificate_refresh,
            SHORTEST_CERTIFICATE_REFRESH,
            LONGEST_CERTIFICATE_REFRESH,
        )?;
        if !(1..=LONGEST_WAIT.as_secs()).contains(&self.tolerance) {
            return Err(Error::config(format!(
                "`signature_tolerance` of {} s is outside 1..=3600 s (WeChat Pay's window is 300 s)",
                self.tolerance
            )));
        }
        Ok(())
    }

    /// A builder with the defaults: `https://api.mch.weixin.qq.com`, backup
    /// `https://api2.mch.weixin.qq.com` (only while the base URL is not overridden, see
    /// [`base_url`](Self::base_url)), [`Timeouts::default`], [`RetryPolicy::default`],
    /// 4 MiB body cap, 5 s pool idle timeout, 300 s signature window, 12 h certificate refresh.
    pub fn new() -> Self {
        Self {
            mchid: None,
            merchant_serial: None,
            private_key: None,
            public_key: None,
            certificates: Vec::new(),
            api_v3_key: None,
            download_certificates: None,
            certificate_refresh: DEFAULT_CERTIFICATE_REFRESH,
            base_url: DEFAULT_BASE_URL.to_owned(),
            backup_url: None,
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
            user_agent_suffix: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            pool_idle_timeout: DEFAULT_POOL_IDLE_TIMEOUT,
            tolerance: wxpay_crypto::DEFAULT_TOLERANCE_SECS,
            clock: Arc::new(SystemClock),
            native_roots: cfg!(feature = "native-roots"),
            extra_roots: Vec::new(),
        }
    }

    /// The merchant id (商户号) requests are signed for.
    pub fn mchid(mut self, mchid: impl Into<String>) -> Self {
        self.mchid = Some(mchid.into());
        self
    }

    /// Serial number of the merchant API certificate whose private key signs (upper-case hex
    /// as shown on the merchant platform).
    pub fn merchant_serial(mut self, serial: impl Into<String>) -> Self {
        self.merchant_serial = Some(serial.into());
        self
    }

    /// The merchant API private key as PEM text (`apiclient_key.pem` contents).
    pub fn merchant_private_key_pem(mut self, pem: impl Into<String>) -> Self {
        self.private_key = Some(KeySource::Pem(Zeroizing::new(pem.into())));
        self
    }

    /// The merchant API private key from a PEM file, read in `build`.
    pub fn merchant_private_key_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.private_key = Some(KeySource::File(path.into()));
        self
    }

    /// The WeChat Pay public key (`pub_key.pem` text) and its id (`PUB_KEY_ID_…`). The id is
    /// sent as `Wechatpay-Serial`, which asks WeChat Pay to sign answers with this key.
    pub fn wechatpay_public_key(mut self, id: impl Into<String>, pem: impl Into<String>) -> Self {
        self.public_key = Some((id.into(), pem.into()));
        self
    }

    /// Adds a platform certificate (PEM) known in advance, e.g. one saved from an earlier
    /// download. May be called several times.
    pub fn platform_certificate_pem(mut self, pem: impl Into<String>) -> Self {
        self.certificates.push(pem.into());
        self
    }

    /// The APIv3 key (32 characters, set on the merchant platform). Needed to decrypt
    /// platform certificates and callbacks; setting it turns certificate download on unless
    /// [`download_certificates(false)`](Self::download_certificates).
    pub fn api_v3_key(mut self, key: impl AsRef<[u8]>) -> Self {
        self.api_v3_key = Some(Zeroizing::new(key.as_ref().to_vec()));
        self
    }

    /// Whether to download platform certificates (`GET /v3/certificates`) when an answer is
    /// signed with an unknown serial, and periodically. Default: on when an APIv3 key is set.
    pub fn download_certificates(mut self, on: bool) -> Self {
        self.download_certificates = Some(on);
        self
    }

    /// Interval of the background certificate refresh (default 12 h; `build()` accepts 1 s to
    /// 30 days).
    pub fn certificate_refresh_interval(mut self, every: Duration) -> Self {
        self.certificate_refresh = every;
        self
    }

    /// Primary base URL (`https://host[:port]`, no path). `http://` is accepted only for
    /// loopback hosts (127.0.0.0/8, `::1`, `localhost`), for local simulators.
    ///
    /// Overriding the base URL switches the default backup host (`api2.mch.weixin.qq.com`)
    /// **off** unless [`backup_url`](Self::backup_url) is set explicitly: a client aimed at a
    /// simulator or a gateway must never send a request signed with the merchant's key to the
    /// real WeChat Pay because its target did not answer.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Backup base URL used after a connection failure on the primary; `None` disables
    /// failover. Default: `https://api2.mch.weixin.qq.com` while the base URL is the default
    /// one, none once [`base_url`](Self::base_url) is overridden.
    pub fn backup_url(mut self, url: Option<String>) -> Self {
        self.backup_url = Some(url);
        self
    }

    /// Connect, per-attempt and overall time limits. Not bounded by `build()`: they saturate,
    /// so a limit too large to represent (e.g. `Duration::MAX`) means no limit, and a zero
    /// limit times out at once.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Retry, back-off, failover stickiness and retry budget.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Text appended (after one space) to `User-Agent: wxpay/<version> (<os>) Rust`, e.g.
    /// `my-shop/1.2`. Visible ASCII only.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Cap on a response body in bytes (default 4 MiB); larger answers fail with
    /// [`Error::BodyTooLarge`].
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// How long an idle pooled connection is kept (default 5 s; WeChat Pay closes idle
    /// connections after 8 s, so keep it below that; `build()` accepts at most 1 h).
    pub fn pool_idle_timeout(mut self, idle: Duration) -> Self {
        self.pool_idle_timeout = idle;
        self
    }

    /// Replay window for answer signatures in seconds (default 300; `build()` accepts 1 to
    /// 3600).
    pub fn signature_tolerance(mut self, seconds: u64) -> Self {
        self.tolerance = seconds;
        self
    }

    /// The clock used for request timestamps and the verification window (default: system).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Also trust the operating system's root certificates (on by default with this feature).
    #[cfg(feature = "native-roots")]
    pub fn native_roots(mut self, on: bool) -> Self {
        self.native_roots = on;
        self
    }

    /// Also trusts the CA certificate(s) in `pem` (one or more `BEGIN CERTIFICATE` blocks) when
    /// checking the server's TLS certificate. May be called several times.
    ///
    /// This is for networks whose proxy intercepts TLS with a corporate CA, and for tests
    /// against a local server. The certificates are **added** to the default roots; server
    /// certificates are still verified (host name, chain, validity). Verification cannot be
    /// turned off. A PEM text without a readable certificate makes [`build`](Self::build) fail
    /// with [`Error::Config`].
    ///
    /// ```
    /// # fn main() -> Result<(), wxpay_http::Error> {
    /// let client = wxpay_http::Client::builder()
    ///     .mchid("1900009191")
    ///     .merchant_serial("1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C")
    ///     .merchant_private_key_pem(include_str!("../../wxpay-crypto/testdata/merchant_key.pem"))
    ///     .wechatpay_public_key(
    ///         "PUB_KEY_ID_0000000000000000000000000000000001",
    ///         include_str!("../../wxpay-crypto/testdata/wechatpay_pub.pem"),
    ///     )
    ///     .add_root_certificate_pem(include_str!("../tests/data/test_ca_cert.pem"))
    ///     .build()?;
    /// # drop(client);
    /// # Ok(()) }
    /// ```
    pub fn add_root_certificate_pem(mut self, pem: impl Into<String>) -> Self {
        self.extra_roots.push(pem.into());
        self
    }

    /// Checks everything and builds the client (no network traffic). Needs no async runtime;
    /// requests must run on a tokio runtime.
    pub fn build(self) -> Result<Client, Error> {
        self.check_bounds()?;
        let mchid = self
            .mchid
            .ok_or_else(|| Error::config("`mchid` is required (the merchant id, 商户号)"))?;
        let serial = self.merchant_serial.ok_or_else(|| {
            Error::config(
                "`merchant_serial` is required (the merchant API certificate serial number)",
            )
        })?;
        let key = load_private_key(self.private_key)?;
        let signer = Signer::new(mchid, serial, key).map_err(|source| Error::Config {
            reason: "mchid or merchant_serial cannot be used in the Authorization header".into(),
            source: Some(source),
        })?;

        let mut verifier = Verifier::new().with_tolerance(self.tolerance);
        let mut public_key_serial = None;
        if let Some((id, pem)) = self.public_key {
            let key = WechatPayPublicKey::from_pem(&pem).map_err(|source| Error::Config {
                reason: format!("cannot load the WeChat Pay public key {id}"),
                source: Some(source),
            })?;
            let serial = HeaderValue::from_str(&id)
                .ok()
                .filter(|_| !id.is_empty() && id.is_ascii())
                .ok_or_else(|| {
                    Error::config(
                        "the WeChat Pay public key id must be the PUB_KEY_ID_… text shown on the merchant platform",
                    )
                })?;
            verifier.add_public_key(id, key);
            public_key_serial = Some(serial);
        }
        for pem in &self.certificates {
            let cert = PlatformCertificate::from_pem(pem).map_err(|source| Error::Config {
                reason: "cannot load a platform certificate".into(),
                source: Some(source),
            })?;
            verifier.add_certificate(cert);
        }

        let api_v3_key = match self.api_v3_key {
            Some(k) => Some(Arc::new(ApiV3Key::new(&*k).map_err(|source| {
                Error::Config {
                    reason: "invalid APIv3 key".into(),
                    source: Some(source),
                }
            })?)),
            None => None,
        };
        let download = self.download_certificates.unwrap_or(api_v3_key.is_some());
        let certs = match (download, &api_v3_key) {
            (false, _) => None,
            (true, Some(k)) => Some(CertManager::new(k.clone(), self.certificate_refresh)),
            (true, None) => {
                return Err(Error::config(
                    "`download_certificates(true)` needs `api_v3_key` to decrypt the certificates",
                ));
            }
        };
        if verifier.is_empty() && certs.is_none() {
            return Err(Error::config(
                "no way to verify WeChat Pay's answers: set `wechatpay_public_key` (PUB_KEY_ID_… and pub_key.pem), or `api_v3_key` to download platform certificates, or `platform_certificate_pem`",
            ));
        }

        let primary = BaseUrl::parse(&self.base_url)?;
        let backup_url = match self.backup_url {
            Some(explicit) => explicit,
            None if primary == BaseUrl::parse(DEFAULT_BASE_URL)? => {
                Some(DEFAULT_BACKUP_URL.to_owned())
            }
            None => None,
        };
        let backup = backup_url.as_deref().map(BaseUrl::parse).transpose()?;
        let user_agent = user_agent(self.user_agent_suffix.as_deref())?;
        if self.max_response_bytes == 0 {
            return Err(Error::config("`max_response_bytes` must be above 0"));
        }
        let http = connector::build(
            self.timeouts.connect(),
            self.pool_idle_timeout,
            self.native_roots,
            &self.extra_roots,
        )?;

        let keys = KeySet::new(verifier);
        let transport = Transport {
            http,
            signer,
            serial: RequestSerial::new(public_key_serial, keys.clone()),
            endpoints: Endpoints::new(primary, backup, self.retry.failover_stick()),
            budget: RetryBudget::new(&self.retry),
            retry: self.retry,
            timeouts: self.timeouts,
            max_response_bytes: self.max_response_bytes,
            user_agent,
            clock: self.clock,
        };
        Ok(Client::from_parts(transport, keys, api_v3_key, certs))
    }
}

fn load_private_key(source: Option<KeySource>) -> Result<MerchantPrivateKey, Error> {
    let pem = match source {
        None => {
            return Err(Error::config(
                "a merchant private key is required: `merchant_private_key_pem` or `merchant_private_key_file` (apiclient_key.pem)",
            ));
        }
        Some(KeySource::Pem(pem)) => pem,
        Some(KeySource::File(path)) => {
            Zeroizing::new(std::fs::read_to_string(&path).map_err(|e| {
                Error::config(format!(
                    "cannot read the merchant private key file {}: {e}",
                    path.display()
                ))
            })?)
        }
    };
    MerchantPrivateKey::from_pem(&pem).map_err(|source| Error::Config {
        reason: "cannot load the merchant private key".into(),
        source: Some(source),
    })
}

/// `wxpay/<version> (<os>) Rust` plus the suffix, separated by one space.
fn user_agent(suffix: Option<&str>) -> Result<HeaderValue, Error> {
    let mut ua = format!(
        "wxpay/{} ({}) Rust",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS
    );
    if let Some(s) = suffix.map(str::trim).filter(|s| !s.is_empty()) {
        if !s.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
            return Err(Error::config(
                "the User-Agent suffix must be visible ASCII text without line breaks",
            ));
        }
        ua.push(' ');
        ua.push_str(s);
    }
    HeaderValue::from_str(&ua).map_err(|_| {
        Error::config("the User-Agent suffix must be visible ASCII text without line breaks")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = include_str!("../../wxpay-crypto/testdata/merchant_key.pem");
    const PUB: &str = include_str!("../../wxpay-crypto/testdata/wechatpay_pub.pem");
    const ID: &str = "PUB_KEY_ID_0000000000000000000000000000000001";

    fn base() -> ClientBuilder {
        ClientBuilder::new()
            .mchid("1900009191")
            .merchant_serial("1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C")
            .merchant_private_key_pem(KEY)
    }

    fn reason(r: Result<Client, Error>) -> String {
        match r {
            Err(Error::Config { reason, .. }) => reason,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn user_agent_shape() {
        let expected = format!(
            "wxpay/{} ({}) Rust",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS
        );
        assert_eq!(user_agent(None).unwrap(), expected.as_str());
        assert_eq!(user_agent(Some("  ")).unwrap(), expected.as_str());
        assert_eq!(
            user_agent(Some(" shop/1 ")).unwrap(),
            format!("{expected} shop/1").as_str()
        );
        assert!(user_agent(Some("a\nb")).is_err());
        assert!(user_agent(Some("商店")).is_err());
    }

    #[test]
    fn base_url_credentials_are_never_echoed() {
        for (primary, backup) in [
            ("https://merchant:hunter2@api.mch.weixin.qq.com", None),
            (
                DEFAULT_BASE_URL,
                Some("https://merchant:hunter2@api2.mch.weixin.qq.com".to_owned()),
            ),
        ] {
            let b = base()
                .wechatpay_public_key(ID, PUB)
                .base_url(primary)
                .backup_url(backup);
            let debug = format!("{b:?}");
            assert!(!debug.contains("hunter2"), "{debug}");
            let r = reason(b.build());
            assert!(r.contains("credentials") && !r.contains("hunter2"), "{r}");
        }
    }

    #[test]
    fn builds_with_public_key() {
        let c = base().wechatpay_public_key(ID, PUB).build().unwrap();
        assert_eq!(c.key_set().serials(), vec![ID.to_owned()]);
        assert!(c.api_v3_key().is_none());
        let c2 = c.clone();
        assert!(Arc::ptr_eq(&c.inner, &c2.inner));
    }

    #[test]
    fn reports_what_is_missing() {
        assert!(reason(ClientBuilder::new().build()).contains("mchid"));
        assert!(reason(base().build()).contains("no way to verify"));
        let r = reason(
            ClientBuilder::new()
                .mchid("1")
                .merchant_serial("2")
                .wechatpay_public_key(ID, PUB)
                .build(),
        );
        assert!(r.contains("private key"), "{r}");
        let r = reason(base().download_certificates(true).build());
        assert!(r.contains("api_v3_key"), "{r}");
        let r = reason(base().wechatpay_public_key(ID, KEY).build());
        assert!(r.contains("public key"), "{r}");
        let r = reason(base().api_v3_key("short").build());
        assert!(r.contains("APIv3"), "{r}");
        let r = reason(
            base()
                .wechatpay_public_key(ID, PUB)
                .base_url("http://api.mch.weixin.qq.com")
                .build(),
        );
        assert!(r.contains("loopback"), "{r}");
        let r = reason(
            base()
                .wechatpay_public_key(ID, PUB)
                .merchant_private_key_file("/nonexistent/apiclient_key.pem")
                .build(),
        );
        assert!(r.contains("/nonexistent/apiclient_key.pem"), "{r}");
    }

    #[test]
    fn extra_root_certificates_are_checked_in_build() {
        const CA: &str = include_str!("../tests/data/test_ca_cert.pem");
        let with = |pem: &str| {
            base()
                .wechatpay_public_key(ID, PUB)
                .add_root_certificate_pem(pem)
        };
        assert!(with(CA).build().is_ok());
        let bundle = format!("{CA}\n{}", include_str!("../tests/data/rogue_ca_cert.pem"));
        assert!(with(&bundle).build().is_ok());

        // Nothing certificate-shaped, a key instead of a certificate, broken base64, and a
        // well-formed block whose content is not a certificate: each a config error naming
        // the option, never a silently smaller root store.
        let broken_base64 =
            "-----BEGIN CERTIFICATE-----\nMII*not base64*\n-----END CERTIFICATE-----\n";
        let not_a_cert =
            "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";
        let unterminated = &CA[..CA.len() / 2];
        for bad in ["", "hello", KEY, broken_base64, not_a_cert, unterminated] {
            let r = reason(with(bad).build());
            assert!(r.contains("add_root_certificate_pem"), "{r}");
        }
        // One bad PEM among good ones still fails.
        let r = reason(with(CA).add_root_certificate_pem("junk").build());
        assert!(r.contains("add_root_certificate_pem"), "{r}");
    }

    #[test]
    fn overriding_the_base_url_switches_the_default_backup_off() {
        let default = base().wechatpay_public_key(ID, PUB).build().unwrap();
        assert_eq!(default.base_url(), DEFAULT_BASE_URL);
        assert_eq!(default.backup_url().as_deref(), Some(DEFAULT_BACKUP_URL));
        // The default spelled out (trailing slash, upper case) is still the default.
        let same = base()
            .wechatpay_public_key(ID, PUB)
            .base_url("https://API.mch.weixin.qq.com/")
            .build()
            .unwrap();
        assert_eq!(same.backup_url().as_deref(), Some(DEFAULT_BACKUP_URL));

        for target in [
            "http://127.0.0.1:9",
            "http://localhost:8080",
            "https://gateway.example.com",
        ] {
            let c = base()
                .wechatpay_public_key(ID, PUB)
                .base_url(target)
                .build()
                .unwrap();
            assert_eq!(c.base_url(), target);
            assert_eq!(c.backup_url(), None, "{target}: no implicit backup");
        }
        // An explicit backup is kept, in either order of the calls.
        let explicit = base()
            .wechatpay_public_key(ID, PUB)
            .backup_url(Some("http://127.0.0.1:2".into()))
            .base_url("http://127.0.0.1:1")
            .build()
            .unwrap();
        assert_eq!(explicit.backup_url().as_deref(), Some("http://127.0.0.1:2"));
        let off = base()
            .wechatpay_public_key(ID, PUB)
            .backup_url(None)
            .build()
            .unwrap();
        assert_eq!(off.backup_url(), None);
    }

    /// A client aimed at a simulator that is down: the error names only the simulator's
    /// host, and the client has no other host it could have resolved or contacted.
    #[tokio::test]
    async fn simulator_down_contacts_no_other_host() {
        let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = dead.local_addr().unwrap().to_string();
        drop(dead);
        let client = base()
            .wechatpay_public_key(ID, PUB)
            .base_url(format!("http://{addr}"))
            .retry_policy(
                RetryPolicy::default()
                    .with_max_attempts(3)
                    .with_base_delay(Duration::from_millis(1)),
            )
            .build()
            .unwrap();
        assert_eq!(client.backup_url(), None);
        let err = client
            .execute(&wxpay_model::busifavor::GetCallbackRequest::new(None))
            .await
            .unwrap_err();
        match &err {
            Error::Connect {
                host,
                tried,
                attempts,
                ..
            } => {
                assert_eq!(host, &addr);
                assert_eq!(tried, &vec![addr.clone()], "only the simulator was tried");
                assert_eq!(*attempts, 3);
            }
            other => panic!("expected a connect error, got {other:?}"),
        }
        let text = err.to_string();
        assert!(text.contains(&addr), "{text}");
        assert!(!text.contains("weixin"), "{text}");
    }

    #[tokio::test]
    async fn connect_error_names_every_host_tried() {
        let a = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let b = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let (a_addr, b_addr) = (
            a.local_addr().unwrap().to_string(),
            b.local_addr().unwrap().to_string(),
        );
        drop((a, b));
        let client = base()
            .wechatpay_public_key(ID, PUB)
            .base_url(format!("http://{a_addr}"))
            .backup_url(Some(format!("http://{b_addr}")))
            .retry_policy(
                RetryPolicy::default()
                    .with_max_attempts(2)
                    .with_base_delay(Duration::from_millis(1)),
            )
            .build()
            .unwrap();
        let err = client
            .execute(&wxpay_model::busifavor::GetCallbackRequest::new(None))
            .await
            .unwrap_err();
        let Error::Connect { tried, .. } = &err else {
            panic!("expected a connect error, got {err:?}");
        };
        assert_eq!(tried, &vec![a_addr.clone(), b_addr.clone()]);
        let text = err.to_string();
        assert!(text.contains(&a_addr) && text.contains(&b_addr), "{text}");
    }

    #[test]
    fn builder_debug_redacts() {
        let b = base().api_v3_key("0123456789abcdefghijklmnopqrstuv");
        let s = format!("{b:?}");
        assert!(
            !s.contains("BEGIN") && !s.contains("0123456789abcdef"),
            "{s}"
        );
    }
}
