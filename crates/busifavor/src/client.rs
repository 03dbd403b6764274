//! [`Client`] and its [`ClientBuilder`]: one merchant, one connection pool, every endpoint.

use std::path::PathBuf;
use std::sync::Arc;

use wxpay_crypto::ApiV2Key;
use wxpay_http::{Response, RetryPolicy, Timeouts};
use wxpay_model::ApiRequest;
use zeroize::Zeroizing;

use crate::config::{Config, ConfigError};
use crate::error::Error;

/// The merchant-coupon (商家券) API client: one async method per endpoint, each validating
/// before it sends and answering with a verified, typed value or one typed [`Error`].
///
/// It wraps a [`wxpay_http::Client`] (signing, verification, retries, failover, connection
/// pool), is cheap to clone (clones share everything) and is `Send + Sync`: build one per
/// merchant at start-up and share it.
///
/// ```no_run
/// # async fn run() -> Result<(), busifavor::Error> {
/// let client = busifavor::Client::from_env()?; // WXPAY_MCHID, WXPAY_MERCHANT_SERIAL, …
/// let url = client.get_callback_url(None).await?;
/// println!("COUPON.SEND callbacks go to {}", url.notify_url);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    http: wxpay_http::Client,
    api_v2_key: Option<Arc<ApiV2Key>>,
    /// Whether the base URL is a loopback host (a local simulator).
    loopback: bool,
}

impl Client {
    /// A builder for code-only configuration (see [`ClientBuilder`]).
    ///
    /// ```
    /// let err = busifavor::Client::builder().build().unwrap_err();
    /// assert!(err.to_string().contains("mchid"), "{err}");
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client from a checked [`Config`].
    ///
    /// ```
    /// let config = busifavor::Config::new()
    ///     .mchid("1900009191")
    ///     .merchant_serial("1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C")
    ///     .private_key_pem(include_str!("../../wxpay-crypto/testdata/merchant_key.pem"))
    ///     .public_key_pem(
    ///         "PUB_KEY_ID_0000000000000000000000000000000001",
    ///         include_str!("../../wxpay-crypto/testdata/wechatpay_pub.pem"),
    ///     );
    /// let client = busifavor::Client::from_config(&config)?;
    /// assert_eq!(client.mchid(), "1900009191");
    /// # Ok::<(), busifavor::Error>(())
    /// ```
    pub fn from_config(config: &Config) -> Result<Client, Error> {
        ClientBuilder::new().config(config)?.build()
    }

    /// A client from the `WXPAY_*` environment variables (see [`Config`]).
    ///
    /// ```no_run
    /// let client = busifavor::Client::from_env()?;
    /// # Ok::<(), busifavor::Error>(())
    /// ```
    pub fn from_env() -> Result<Client, Error> {
        Self::from_config(&Config::from_env()?)
    }

    /// Wraps an existing transport client (to share its pool and keys), without an APIv2
    /// key; add one with [`with_api_v2_key`](Self::with_api_v2_key) for front-end issuing.
    ///
    /// ```
    /// let http = wxpay_http::Client::builder()
    ///     .mchid("1900009191")
    ///     .merchant_serial("1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C")
    ///     .merchant_private_key_pem(include_str!("../../wxpay-crypto/testdata/merchant_key.pem"))
    ///     .wechatpay_public_key(
    ///         "PUB_KEY_ID_0000000000000000000000000000000001",
    ///         include_str!("../../wxpay-crypto/testdata/wechatpay_pub.pem"),
    ///     )
    ///     .build()?;
    /// let client = busifavor::Client::from_http(http);
    /// assert!(!client.targets_simulator());
    /// # Ok::<(), wxpay_http::Error>(())
    /// ```
    pub fn from_http(http: wxpay_http::Client) -> Client {
        let loopback = url_host(&http.base_url()).is_some_and(is_loopback_host);
        Client {
            http,
            api_v2_key: None,
            loopback,
        }
    }

    /// Adds the APIv2 key used to sign front-end issuing parameters (spec §13).
    ///
    /// ```
    /// # let http = wxpay_http::Client::builder().mchid("1900009191")
    /// #     .merchant_serial("1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C")
    /// #     .merchant_private_key_pem(include_str!("../../wxpay-crypto/testdata/merchant_key.pem"))
    /// #     .wechatpay_public_key("PUB_KEY_ID_0000000000000000000000000000000001",
    /// #         include_str!("../../wxpay-crypto/testdata/wechatpay_pub.pem")).build()?;
    /// let key = busifavor::ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
    /// let client = busifavor::Client::from_http(http).with_api_v2_key(key);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_api_v2_key(mut self, key: ApiV2Key) -> Client {
        self.api_v2_key = Some(Arc::new(key));
        self
    }

    /// The transport client underneath: its key set, APIv3 key and clock serve the callback
    /// handler ([`crate::callback`]), and its [`execute`](wxpay_http::Client::execute) sends
    /// any [`ApiRequest`].
    ///
    /// ```
    /// # fn f(client: &busifavor::Client) {
    /// let keys = client.http().key_set(); // shared, refreshed verification keys
    /// # let _ = keys; }
    /// ```
    pub fn http(&self) -> &wxpay_http::Client {
        &self.http
    }

    /// The merchant id requests are signed for.
    ///
    /// ```
    /// # fn f(client: &busifavor::Client) { assert!(!client.mchid().is_empty()); }
    /// ```
    pub fn mchid(&self) -> &str {
        self.http.mchid()
    }

    /// Whether the client targets a local simulator (its base URL is a loopback host). Only
    /// then does [`set_callback_url`](Self::set_callback_url) accept an `http://` loopback
    /// notify URL.
    ///
    /// ```
    /// # fn f(client: &busifavor::Client) { let _ = client.targets_simulator(); }
    /// ```
    pub fn targets_simulator(&self) -> bool {
        self.loopback
    }

    /// The APIv2 key, or the configuration error naming what to set.
    pub(crate) fn api_v2_key(&self) -> Result<&ApiV2Key, Error> {
        self.api_v2_key.as_deref().ok_or_else(|| {
            Error::Config(ConfigError::new(
                "api_v2_key",
                "is not set: front-end issuing signs with the merchant's APIv2 key (WXPAY_APIV2_KEY, `apiv2_key`, or ClientBuilder::api_v2_key)",
            ))
        })
    }

    /// Sends any endpoint's request: validated, signed, verified, parsed. Every typed method
    /// of this client goes through here.
    ///
    /// ```no_run
    /// # async fn f(client: busifavor::Client) -> Result<(), busifavor::Error> {
    /// let stock = client.execute(&busifavor::QueryStockRequest::new("1212")).await?;
    /// # let _ = stock; Ok(()) }
    /// ```
    pub async fn execute<R: ApiRequest>(
        &self,
        request: &R,
    ) -> Result<Response<R::Response>, Error> {
        self.http.execute(request).await.map_err(Error::from)
    }
}

/// The host of `scheme://host[:port]`.
fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next();
    }
    authority.split(':').next()
}

/// `localhost` or a loopback IP literal (127.0.0.0/8, `::1`), brackets allowed.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Builds a [`Client`] in code. Every option of [`wxpay_http::ClientBuilder`] is reachable
/// through [`ClientBuilder::http`]; the common ones have their own setter here.
///
/// ```
/// use std::time::Duration;
/// let client = busifavor::Client::builder()
///     .mchid("1900009191")
///     .merchant_serial("1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C")
///     .merchant_private_key_pem(include_str!("../../wxpay-crypto/testdata/merchant_key.pem"))
///     .wechatpay_public_key(
///         "PUB_KEY_ID_0000000000000000000000000000000001",
///         include_str!("../../wxpay-crypto/testdata/wechatpay_pub.pem"),
///     )
///     .api_v2_key("192006250b4c09247ec02edce69f6a2d")
///     .timeouts(busifavor::Timeouts::default().with_deadline(Duration::from_secs(20)))
///     .build()?;
/// assert_eq!(client.mchid(), "1900009191");
/// # Ok::<(), busifavor::Error>(())
/// ```
#[must_use = "a builder does nothing until `build()`"]
pub struct ClientBuilder {
    http: wxpay_http::ClientBuilder,
    api_v2_key: Option<ApiV2Source>,
    user_agent_suffix: Option<String>,
}

/// The APIv2 key as given: raw bytes (checked in `build`) or already parsed (from a config).
enum ApiV2Source {
    Bytes(Zeroizing<Vec<u8>>),
    Key(Arc<ApiV2Key>),
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("http", &self.http)
            .field(
                "api_v2_key",
                &self.api_v2_key.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientBuilder {
    /// WeChat Pay's defaults (see [`wxpay_http::ClientBuilder::new`]).
    pub fn new() -> Self {
        Self {
            http: wxpay_http::Client::builder(),
            api_v2_key: None,
            user_agent_suffix: None,
        }
    }

    /// Applies a checked [`Config`]; fails with the [`ConfigError`] naming the first wrong
    /// setting. Options set afterwards (timeouts, retries) are added on top.
    ///
    /// ```
    /// let config = busifavor::Config::new().mchid("1900009191");
    /// let err = busifavor::Client::builder().config(&config).unwrap_err();
    /// assert_eq!(err.key, "Config::merchant_serial");
    /// ```
    pub fn config(mut self, config: &Config) -> Result<Self, ConfigError> {
        let c = config.checked()?;
        self.http = self
            .http
            .mchid(c.mchid)
            .merchant_serial(c.serial)
            .merchant_private_key_pem(c.private_key_pem.as_str());
        if let Some((id, pem)) = c.public_key {
            self.http = self.http.wechatpay_public_key(id, pem.as_str());
        }
        if let Some(k) = c.api_v3_key {
            self.http = self.http.api_v3_key(k.as_bytes());
        }
        if let Some(url) = c.base_url {
            self.http = self.http.base_url(url);
        }
        if let Some(k) = c.api_v2_key {
            self.api_v2_key = Some(ApiV2Source::Key(Arc::new(k)));
        }
        Ok(self)
    }

    /// The merchant id (商户号).
    pub fn mchid(mut self, mchid: impl Into<String>) -> Self {
        self.http = self.http.mchid(mchid);
        self
    }

    /// The merchant API certificate serial number.
    pub fn merchant_serial(mut self, serial: impl Into<String>) -> Self {
        self.http = self.http.merchant_serial(serial);
        self
    }

    /// The merchant private key, PEM text.
    pub fn merchant_private_key_pem(mut self, pem: impl Into<String>) -> Self {
        self.http = self.http.merchant_private_key_pem(pem);
        self
    }

    /// The merchant private key file (`apiclient_key.pem`).
    pub fn merchant_private_key_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.http = self.http.merchant_private_key_file(path);
        self
    }

    /// The WeChat Pay public key: its id (`PUB_KEY_ID_…`) and PEM text.
    pub fn wechatpay_public_key(mut self, id: impl Into<String>, pem: impl Into<String>) -> Self {
        self.http = self.http.wechatpay_public_key(id, pem);
        self
    }

    /// The APIv3 key: opens callbacks, and downloads platform certificates.
    pub fn api_v3_key(mut self, key: impl AsRef<[u8]>) -> Self {
        self.http = self.http.api_v3_key(key);
        self
    }

    /// The APIv2 key: signs front-end issuing parameters (spec §13). Checked in `build`.
    pub fn api_v2_key(mut self, key: impl AsRef<[u8]>) -> Self {
        self.api_v2_key = Some(ApiV2Source::Bytes(Zeroizing::new(key.as_ref().to_vec())));
        self
    }

    /// Another base URL, e.g. a local simulator's `http://127.0.0.1:41233`. Overriding it
    /// switches the default backup host off (see [`wxpay_http::ClientBuilder::base_url`]).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.http = self.http.base_url(url);
        self
    }

    /// Connect, per-attempt and overall time limits.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.http = self.http.timeouts(timeouts);
        self
    }

    /// Retries, back-off and failover.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.http = self.http.retry_policy(policy);
        self
    }

    /// Text appended to the User-Agent after `busifavor/<version>`.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Any other transport option, e.g. `.http(|b| b.backup_url(None).max_response_bytes(1 << 20))`.
    pub fn http(
        mut self,
        configure: impl FnOnce(wxpay_http::ClientBuilder) -> wxpay_http::ClientBuilder,
    ) -> Self {
        self.http = configure(self.http);
        self
    }

    /// Checks everything and builds the client (no network traffic).
    pub fn build(self) -> Result<Client, Error> {
        let api_v2_key = match self.api_v2_key {
            Some(ApiV2Source::Key(k)) => Some(k),
            Some(ApiV2Source::Bytes(k)) => Some(Arc::new(ApiV2Key::new(k.as_slice()).map_err(
                |e| {
                    ConfigError::new(
                        "api_v2_key",
                        format!(
                            "must be the 32-character APIv2 key (API密钥, not the APIv3 key), found {} bytes",
                            k.len()
                        ),
                    )
                    .with_source(e)
                },
            )?)),
            None => None,
        };
        let mut suffix = format!("busifavor/{}", env!("CARGO_PKG_VERSION"));
        if let Some(s) = self
            .user_agent_suffix
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            suffix.push(' ');
            suffix.push_str(s);
        }
        let http = self.http.user_agent_suffix(suffix).build()?;
        let mut client = Client::from_http(http);
        client.api_v2_key = api_v2_key;
        Ok(client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_cheap_send_sync() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Client>();
    }

    #[test]
    fn loopback_hosts() {
        assert_eq!(url_host("http://127.0.0.1:9"), Some("127.0.0.1"));
        assert_eq!(url_host("http://[::1]:9"), Some("::1"));
        assert_eq!(
            url_host("https://api.mch.weixin.qq.com"),
            Some("api.mch.weixin.qq.com")
        );
        assert!(is_loopback_host("127.0.0.1") && is_loopback_host("[::1]"));
        assert!(is_loopback_host("LOCALHOST"));
        assert!(!is_loopback_host("api.mch.weixin.qq.com") && !is_loopback_host("10.0.0.1"));
    }
}
