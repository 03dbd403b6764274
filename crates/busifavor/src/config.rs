//! [`Config`]: the merchant's credentials and target, from code, the environment or a TOML
//! file, checked once with errors that name the setting and never show a secret.

use std::fmt;
use std::path::{Path, PathBuf};

use wxpay_crypto::{
    ApiV2Key, ApiV3Key, MerchantPrivateKey, PUBLIC_KEY_ID_PREFIX, WechatPayPublicKey,
};
use zeroize::Zeroizing;

/// Boxed source of a [`ConfigError`].
type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A setting is missing or wrong. [`key`](ConfigError::key) names it as the user wrote it —
/// the environment variable (`WXPAY_APIV3_KEY`), the TOML key (`apiv3_key`) or the builder
/// method — and [`problem`](ConfigError::problem) says what is wrong and what to do. Neither
/// ever contains a secret value.
#[derive(Debug, thiserror::Error)]
#[error("configuration `{key}`: {problem}")]
#[non_exhaustive]
pub struct ConfigError {
    /// The variable, key or option at fault.
    pub key: String,
    /// What is wrong with it and what to do.
    pub problem: String,
    /// The underlying failure (key parsing, file reading), when there is one.
    #[source]
    pub source: Option<BoxError>,
}

impl ConfigError {
    /// A new error about `key`.
    pub fn new(key: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            problem: problem.into(),
            source: None,
        }
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// A transport configuration error (`wxpay_http::Error::Config`).
    pub(crate) fn from_http(e: wxpay_http::Error) -> Self {
        let problem = match &e {
            wxpay_http::Error::Config { reason, .. } => reason.clone(),
            other => other.to_string(),
        };
        Self {
            key: "client".into(),
            problem,
            source: Some(Box::new(e)),
        }
    }
}

/// A secret string: wiped on drop, redacted in `Debug`.
#[derive(Clone)]
struct Secret(Zeroizing<String>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How each setting is named in error messages, by where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Names {
    mchid: &'static str,
    merchant_serial: &'static str,
    private_key: &'static str,
    private_key_path: &'static str,
    public_key_id: &'static str,
    public_key_path: &'static str,
    api_v3_key: &'static str,
    api_v2_key: &'static str,
    base_url: &'static str,
}

/// The environment variables [`Config::from_env`] reads.
pub mod env {
    /// Merchant id (商户号).
    pub const MCHID: &str = "WXPAY_MCHID";
    /// Serial number of the merchant API certificate.
    pub const MERCHANT_SERIAL: &str = "WXPAY_MERCHANT_SERIAL";
    /// The merchant API private key, PEM text (or use [`PRIVATE_KEY_PATH`]).
    pub const PRIVATE_KEY: &str = "WXPAY_PRIVATE_KEY";
    /// Path of the merchant API private key (`apiclient_key.pem`).
    pub const PRIVATE_KEY_PATH: &str = "WXPAY_PRIVATE_KEY_PATH";
    /// WeChat Pay public-key id (`PUB_KEY_ID_…`).
    pub const PUBLIC_KEY_ID: &str = "WXPAY_PUBLIC_KEY_ID";
    /// Path of the WeChat Pay public key (`pub_key.pem`).
    pub const PUBLIC_KEY_PATH: &str = "WXPAY_PUBLIC_KEY_PATH";
    /// APIv3 key (32 characters): callbacks and platform certificates.
    pub const APIV3_KEY: &str = "WXPAY_APIV3_KEY";
    /// APIv2 key (32 characters): front-end issuing signs.
    pub const APIV2_KEY: &str = "WXPAY_APIV2_KEY";
    /// Base URL, e.g. a local simulator's `http://127.0.0.1:41233`.
    pub const BASE_URL: &str = "WXPAY_BASE_URL";

    /// Every variable, in the order they are documented.
    pub const ALL: [&str; 9] = [
        MCHID,
        MERCHANT_SERIAL,
        PRIVATE_KEY,
        PRIVATE_KEY_PATH,
        PUBLIC_KEY_ID,
        PUBLIC_KEY_PATH,
        APIV3_KEY,
        APIV2_KEY,
        BASE_URL,
    ];
}

const ENV_NAMES: Names = Names {
    mchid: env::MCHID,
    merchant_serial: env::MERCHANT_SERIAL,
    private_key: env::PRIVATE_KEY,
    private_key_path: env::PRIVATE_KEY_PATH,
    public_key_id: env::PUBLIC_KEY_ID,
    public_key_path: env::PUBLIC_KEY_PATH,
    api_v3_key: env::APIV3_KEY,
    api_v2_key: env::APIV2_KEY,
    base_url: env::BASE_URL,
};

const FILE_NAMES: Names = Names {
    mchid: "mchid",
    merchant_serial: "merchant_serial",
    private_key: "private_key",
    private_key_path: "private_key_path",
    public_key_id: "public_key_id",
    public_key_path: "public_key_path",
    api_v3_key: "apiv3_key",
    api_v2_key: "apiv2_key",
    base_url: "base_url",
};

const CODE_NAMES: Names = Names {
    mchid: "Config::mchid",
    merchant_serial: "Config::merchant_serial",
    private_key: "Config::private_key_pem",
    private_key_path: "Config::private_key_path",
    public_key_id: "Config::public_key_id",
    public_key_path: "Config::public_key_path",
    api_v3_key: "Config::api_v3_key",
    api_v2_key: "Config::api_v2_key",
    base_url: "Config::base_url",
};

/// The WeChat Pay public key: inline PEM (from code) or a file.
#[derive(Debug, Clone)]
enum PublicKeySource {
    Pem(String),
    File(PathBuf),
}

/// A merchant's credentials and target: everything a [`Client`](crate::Client) needs.
///
/// Load it from the environment ([`Config::from_env`]), a TOML file
/// ([`Config::from_toml_file`]) or build it in code; each loader checks every setting and
/// reports the first problem as a [`ConfigError`] naming the variable or key. Secrets are
/// wiped on drop and never appear in `Debug` or in errors.
///
/// | environment | TOML key | meaning |
/// |---|---|---|
/// | `WXPAY_MCHID` | `mchid` | merchant id (商户号), required |
/// | `WXPAY_MERCHANT_SERIAL` | `merchant_serial` | merchant API certificate serial, required |
/// | `WXPAY_PRIVATE_KEY` / `WXPAY_PRIVATE_KEY_PATH` | `private_key` / `private_key_path` | merchant private key (PEM text, or a file), exactly one |
/// | `WXPAY_PUBLIC_KEY_ID` + `WXPAY_PUBLIC_KEY_PATH` | `public_key_id` + `public_key_path` | WeChat Pay public key (public-key mode), both or neither |
/// | `WXPAY_APIV3_KEY` | `apiv3_key` | APIv3 key: callbacks, and platform certificates when no public key is set |
/// | `WXPAY_APIV2_KEY` | `apiv2_key` | APIv2 key: front-end issuing signs (optional) |
/// | `WXPAY_BASE_URL` | `base_url` | another target, e.g. a local simulator (optional) |
///
/// Relative paths in a TOML file are relative to the file.
///
/// ```
/// use busifavor::Config;
///
/// // Inject the environment (tests never have to touch the process's own).
/// let vars = [
///     ("WXPAY_MCHID", "1900009191"),
///     ("WXPAY_MERCHANT_SERIAL", "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"),
///     ("WXPAY_PRIVATE_KEY", include_str!("../../wxpay-crypto/testdata/merchant_key.pem")),
///     ("WXPAY_APIV3_KEY", "tooshort"),
/// ];
/// let err = Config::from_env_source(|name| {
///     vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
/// })
/// .unwrap_err();
/// assert_eq!(err.key, "WXPAY_APIV3_KEY");
/// assert!(!err.to_string().contains("tooshort"), "never the secret value");
/// ```
#[derive(Clone)]
pub struct Config {
    mchid: Option<String>,
    merchant_serial: Option<String>,
    private_key_pem: Option<Secret>,
    private_key_path: Option<PathBuf>,
    public_key_id: Option<String>,
    public_key: Option<PublicKeySource>,
    api_v3_key: Option<Secret>,
    api_v2_key: Option<Secret>,
    base_url: Option<String>,
    names: Names,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |b: bool| if b { "<set>" } else { "<unset>" };
        f.debug_struct("Config")
            .field("mchid", &self.mchid)
            .field("merchant_serial", &self.merchant_serial)
            .field("private_key_pem", &set(self.private_key_pem.is_some()))
            .field("private_key_path", &self.private_key_path)
            .field("public_key_id", &self.public_key_id)
            .field(
                "public_key",
                &self.public_key.as_ref().map(|p| match p {
                    PublicKeySource::Pem(_) => "<pem>".to_owned(),
                    PublicKeySource::File(f) => f.display().to_string(),
                }),
            )
            .field("api_v3_key", &set(self.api_v3_key.is_some()))
            .field("api_v2_key", &set(self.api_v2_key.is_some()))
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}

/// The TOML file's shape: every key optional here, checked afterwards.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    mchid: Option<String>,
    merchant_serial: Option<String>,
    private_key: Option<String>,
    private_key_path: Option<PathBuf>,
    public_key_id: Option<String>,
    public_key_path: Option<PathBuf>,
    apiv3_key: Option<String>,
    apiv2_key: Option<String>,
    base_url: Option<String>,
}

impl Config {
    /// An empty configuration, to fill in with the setters (checked in
    /// [`Client::from_config`](crate::Client::from_config) or [`check`](Self::check)).
    ///
    /// ```
    /// let config = busifavor::Config::new()
    ///     .mchid("1900009191")
    ///     .merchant_serial("1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C")
    ///     .private_key_path("/etc/wxpay/apiclient_key.pem")
    ///     .api_v3_key("0123456789abcdefghijklmnopqrstuv");
    /// let err = config.check().unwrap_err(); // the key file does not exist here
    /// assert_eq!(err.key, "Config::private_key_path");
    /// ```
    pub fn new() -> Self {
        Self {
            mchid: None,
            merchant_serial: None,
            private_key_pem: None,
            private_key_path: None,
            public_key_id: None,
            public_key: None,
            api_v3_key: None,
            api_v2_key: None,
            base_url: None,
            names: CODE_NAMES,
        }
    }

    /// Reads the `WXPAY_*` variables of the process environment and checks them.
    ///
    /// A variable that is set but not valid UTF-8 is an error naming it. Tests should use
    /// [`from_env_source`](Self::from_env_source) instead of changing the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        for name in env::ALL {
            if let Err(std::env::VarError::NotUnicode(_)) = std::env::var(name) {
                return Err(ConfigError::new(name, "is not valid UTF-8 text"));
            }
        }
        Self::from_env_source(|name| std::env::var(name).ok())
    }

    /// Reads the `WXPAY_*` variables through `get` (for tests and for secrets kept elsewhere)
    /// and checks them. `get` returns `None` for an unset variable.
    pub fn from_env_source(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let read = |name: &str| -> Result<Option<String>, ConfigError> {
            match get(name) {
                Some(v) if v.trim().is_empty() => Err(ConfigError::new(
                    name,
                    "is set but empty: unset it or give it a value",
                )),
                other => Ok(other),
            }
        };
        let config = Self {
            mchid: read(env::MCHID)?.map(|s| s.trim().to_owned()),
            merchant_serial: read(env::MERCHANT_SERIAL)?.map(|s| s.trim().to_owned()),
            private_key_pem: read(env::PRIVATE_KEY)?.map(|s| Secret(Zeroizing::new(s))),
            private_key_path: read(env::PRIVATE_KEY_PATH)?.map(PathBuf::from),
            public_key_id: read(env::PUBLIC_KEY_ID)?.map(|s| s.trim().to_owned()),
            public_key: read(env::PUBLIC_KEY_PATH)?
                .map(|p| PublicKeySource::File(PathBuf::from(p))),
            api_v3_key: read(env::APIV3_KEY)?.map(|s| Secret(Zeroizing::new(s))),
            api_v2_key: read(env::APIV2_KEY)?.map(|s| Secret(Zeroizing::new(s))),
            base_url: read(env::BASE_URL)?.map(|s| s.trim().to_owned()),
            names: ENV_NAMES,
        };
        config.check()?;
        Ok(config)
    }

    /// Reads a TOML file (keys: `mchid`, `merchant_serial`, `private_key` or
    /// `private_key_path`, `public_key_id`, `public_key_path`, `apiv3_key`, `apiv2_key`,
    /// `base_url`) and checks it. Relative paths are resolved against the file's folder.
    ///
    /// ```no_run
    /// let config = busifavor::Config::from_toml_file("/etc/shop/wxpay.toml")?;
    /// let client = busifavor::Client::from_config(&config)?;
    /// # Ok::<(), busifavor::Error>(())
    /// ```
    pub fn from_toml_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map(Zeroizing::new)
            .map_err(|e| {
                ConfigError::new(
                    path.display().to_string(),
                    format!("cannot read the configuration file: {e}"),
                )
            })?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        Self::parse_toml(&text, Some(base))
    }

    /// Parses TOML text (see [`from_toml_file`](Self::from_toml_file)) and checks it;
    /// relative paths stay relative to the working directory.
    ///
    /// ```
    /// let err = busifavor::Config::from_toml_str(r#"
    ///     mchid = "1900009191"
    ///     merchant_serial = "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"
    ///     apiv3key = "0123456789abcdefghijklmnopqrstuv"
    /// "#).unwrap_err();
    /// assert_eq!(err.key, "apiv3key");
    /// assert!(err.problem.contains("unknown key"));
    /// assert!(!err.to_string().contains("0123456789abcdef"));
    /// ```
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        Self::parse_toml(text, None)
    }

    fn parse_toml(text: &str, base: Option<&Path>) -> Result<Self, ConfigError> {
        let file: FileConfig = toml::from_str(text).map_err(|e| toml_error(&e, text))?;
        let resolve = |p: PathBuf| match base {
            Some(base) if p.is_relative() => base.join(p),
            _ => p,
        };
        let config = Self {
            mchid: file.mchid,
            merchant_serial: file.merchant_serial,
            private_key_pem: file.private_key.map(|s| Secret(Zeroizing::new(s))),
            private_key_path: file.private_key_path.map(resolve),
            public_key_id: file.public_key_id,
            public_key: file
                .public_key_path
                .map(|p| PublicKeySource::File(resolve(p))),
            api_v3_key: file.apiv3_key.map(|s| Secret(Zeroizing::new(s))),
            api_v2_key: file.apiv2_key.map(|s| Secret(Zeroizing::new(s))),
            base_url: file.base_url,
            names: FILE_NAMES,
        };
        config.check()?;
        Ok(config)
    }

    /// Sets the merchant id (商户号).
    pub fn mchid(mut self, mchid: impl Into<String>) -> Self {
        self.mchid = Some(mchid.into());
        self
    }

    /// Sets the merchant API certificate serial number.
    pub fn merchant_serial(mut self, serial: impl Into<String>) -> Self {
        self.merchant_serial = Some(serial.into());
        self
    }

    /// Sets the merchant private key as PEM text.
    pub fn private_key_pem(mut self, pem: impl Into<String>) -> Self {
        self.private_key_pem = Some(Secret(Zeroizing::new(pem.into())));
        self
    }

    /// Sets the merchant private key file (`apiclient_key.pem`).
    pub fn private_key_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.private_key_path = Some(path.into());
        self
    }

    /// Sets the WeChat Pay public key (`PUB_KEY_ID_…` and the PEM text).
    pub fn public_key_pem(mut self, id: impl Into<String>, pem: impl Into<String>) -> Self {
        self.public_key_id = Some(id.into());
        self.public_key = Some(PublicKeySource::Pem(pem.into()));
        self
    }

    /// Sets the WeChat Pay public key (`PUB_KEY_ID_…` and the `pub_key.pem` file).
    pub fn public_key_path(mut self, id: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        self.public_key_id = Some(id.into());
        self.public_key = Some(PublicKeySource::File(path.into()));
        self
    }

    /// Sets the APIv3 key.
    pub fn api_v3_key(mut self, key: impl Into<String>) -> Self {
        self.api_v3_key = Some(Secret(Zeroizing::new(key.into())));
        self
    }

    /// Sets the APIv2 key (front-end issuing).
    pub fn api_v2_key(mut self, key: impl Into<String>) -> Self {
        self.api_v2_key = Some(Secret(Zeroizing::new(key.into())));
        self
    }

    /// Sets another base URL (a local simulator, a gateway).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The merchant id, when set.
    pub fn get_mchid(&self) -> Option<&str> {
        self.mchid.as_deref()
    }

    /// The base URL, when set.
    pub fn get_base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    /// Whether an APIv2 key is configured (needed for front-end issuing).
    pub fn has_api_v2_key(&self) -> bool {
        self.api_v2_key.is_some()
    }

    /// Whether an APIv3 key is configured (needed to open callbacks).
    pub fn has_api_v3_key(&self) -> bool {
        self.api_v3_key.is_some()
    }

    /// Checks every setting (loading the keys once) and reports the first problem.
    pub fn check(&self) -> Result<(), ConfigError> {
        self.checked().map(drop)
    }

    /// Checks every setting and returns the parsed pieces a client is built from.
    pub(crate) fn checked(&self) -> Result<Checked, ConfigError> {
        let n = &self.names;
        let mchid = self.mchid.as_deref().ok_or_else(|| {
            ConfigError::new(
                n.mchid,
                "is not set: give the merchant id (商户号), e.g. 1900009191",
            )
        })?;
        if mchid.is_empty() || mchid.len() > 32 || !mchid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ConfigError::new(
                n.mchid,
                "must be the merchant id (商户号): digits only",
            ));
        }
        let serial = self.merchant_serial.as_deref().ok_or_else(|| {
            ConfigError::new(
                n.merchant_serial,
                "is not set: give the serial number of the merchant API certificate (shown on the merchant platform)",
            )
        })?;
        if serial.is_empty() || serial.len() > 64 || !serial.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(ConfigError::new(
                n.merchant_serial,
                "must be the merchant API certificate serial number: hexadecimal digits",
            ));
        }

        let private_key = match (&self.private_key_pem, &self.private_key_path) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    n.private_key,
                    format!("and `{}` are both set: keep only one", n.private_key_path),
                ));
            }
            (None, None) => {
                return Err(ConfigError::new(
                    n.private_key,
                    format!(
                        "is not set: give the merchant private key as PEM text, or its file (apiclient_key.pem) in `{}`",
                        n.private_key_path
                    ),
                ));
            }
            (Some(pem), None) => (pem.0.clone(), n.private_key),
            (None, Some(path)) => (read_file(n.private_key_path, path)?, n.private_key_path),
        };
        MerchantPrivateKey::from_pem(&private_key.0).map_err(|e| {
            ConfigError::new(
                private_key.1,
                format!("is not a usable merchant private key (apiclient_key.pem): {e}"),
            )
            .with_source(e)
        })?;

        let public_key = match (&self.public_key_id, &self.public_key) {
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError::new(
                    n.public_key_path,
                    format!(
                        "is not set but `{}` is: set both or neither",
                        n.public_key_id
                    ),
                ));
            }
            (None, Some(_)) => {
                return Err(ConfigError::new(
                    n.public_key_id,
                    format!(
                        "is not set but `{}` is: set both or neither",
                        n.public_key_path
                    ),
                ));
            }
            (Some(id), Some(source)) => {
                if !id.starts_with(PUBLIC_KEY_ID_PREFIX) || !id.is_ascii() {
                    return Err(ConfigError::new(
                        n.public_key_id,
                        "must be the WeChat Pay public-key id shown on the merchant platform, starting with PUB_KEY_ID_",
                    ));
                }
                let (pem, key) = match source {
                    PublicKeySource::Pem(pem) => (Zeroizing::new(pem.clone()), n.public_key_path),
                    PublicKeySource::File(path) => {
                        (read_file(n.public_key_path, path)?, n.public_key_path)
                    }
                };
                WechatPayPublicKey::from_pem(&pem).map_err(|e| {
                    ConfigError::new(
                        key,
                        format!("is not a usable WeChat Pay public key (pub_key.pem): {e}"),
                    )
                    .with_source(e)
                })?;
                Some((id.clone(), pem))
            }
        };

        if let Some(k) = &self.api_v3_key {
            ApiV3Key::new(k.0.as_bytes()).map_err(|e| {
                ConfigError::new(
                    n.api_v3_key,
                    format!(
                        "must be the 32-character APIv3 key set on the merchant platform (API安全), found {} bytes",
                        k.0.len()
                    ),
                )
                .with_source(e)
            })?;
        }
        let api_v2_key = match &self.api_v2_key {
            Some(k) => Some(ApiV2Key::new(k.0.as_bytes()).map_err(|e| {
                ConfigError::new(
                    n.api_v2_key,
                    format!(
                        "must be the 32-character APIv2 key (API密钥, not the APIv3 key), found {} bytes",
                        k.0.len()
                    ),
                )
                .with_source(e)
            })?),
            None => None,
        };
        if public_key.is_none() && self.api_v3_key.is_none() {
            return Err(ConfigError::new(
                n.public_key_id,
                format!(
                    "no way to verify WeChat Pay's answers: set `{}` and `{}` (public-key mode), or `{}` so platform certificates are downloaded",
                    n.public_key_id, n.public_key_path, n.api_v3_key
                ),
            ));
        }
        if let Some(url) = &self.base_url {
            check_base_url(url).map_err(|problem| ConfigError::new(n.base_url, problem))?;
        }
        Ok(Checked {
            mchid: mchid.to_owned(),
            serial: serial.to_owned(),
            private_key_pem: private_key.0,
            public_key,
            api_v3_key: self.api_v3_key.as_ref().map(|k| k.0.clone()),
            api_v2_key,
            base_url: self.base_url.clone(),
        })
    }
}

/// The checked pieces of a [`Config`].
pub(crate) struct Checked {
    pub(crate) mchid: String,
    pub(crate) serial: String,
    pub(crate) private_key_pem: Zeroizing<String>,
    pub(crate) public_key: Option<(String, Zeroizing<String>)>,
    pub(crate) api_v3_key: Option<Zeroizing<String>>,
    pub(crate) api_v2_key: Option<ApiV2Key>,
    pub(crate) base_url: Option<String>,
}

fn read_file(key: &str, path: &Path) -> Result<Zeroizing<String>, ConfigError> {
    std::fs::read_to_string(path)
        .map(Zeroizing::new)
        .map_err(|e| {
            ConfigError::new(key, format!("cannot read the file {}: {e}", path.display()))
                .with_source(e)
        })
}

/// `https://host[:port]`, or `http://` on a loopback host; no credentials, path or query.
/// The value is not echoed (it may carry credentials).
fn check_base_url(url: &str) -> Result<(), String> {
    let uri: http::Uri = url.trim_end_matches('/').parse().map_err(|_| {
        "is not an absolute URL such as https://api.mch.weixin.qq.com or http://127.0.0.1:41233"
            .to_owned()
    })?;
    let authority = uri
        .authority()
        .ok_or_else(|| "has no host: write it as https://host[:port]".to_owned())?;
    if authority.as_str().contains('@') {
        return Err("must not contain credentials (user:password@)".into());
    }
    if uri
        .path_and_query()
        .is_some_and(|p| !matches!(p.as_str(), "" | "/"))
    {
        return Err("must not have a path or query: the API paths start at /v3/…".into());
    }
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if crate::client::is_loopback_host(authority.host()) => Ok(()),
        Some("http") => Err(
            "uses http:// on a non-loopback host: WeChat Pay requires https:// (http:// is only for a simulator on 127.0.0.1, localhost or [::1])"
                .into(),
        ),
        _ => Err("must start with https:// (or http:// for a local simulator)".into()),
    }
}

/// A TOML error reduced to its line, its key and serde's message, without quoting the file
/// (which holds secrets).
fn toml_error(e: &toml::de::Error, text: &str) -> ConfigError {
    let line_no = e
        .span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    let message = e.message();
    // "unknown field `x`, expected one of …" names the key itself.
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some(key) = rest.split('`').next()
    {
        return ConfigError::new(
            key,
            format!(
                "unknown key{}: the keys are mchid, merchant_serial, private_key, private_key_path, public_key_id, public_key_path, apiv3_key, apiv2_key, base_url",
                line_no.map(|l| format!(" (line {l})")).unwrap_or_default()
            ),
        );
    }
    let key = line_no
        .and_then(|l| text.lines().nth(l - 1))
        .and_then(|line| line.split('=').next())
        .map(|k| k.trim().trim_matches('"').to_owned())
        .filter(|k| !k.is_empty() && k.len() <= 64 && !k.contains(char::is_whitespace))
        .unwrap_or_else(|| "configuration file".to_owned());
    // serde quotes mistyped values ("invalid type: integer `…`"): say what was expected only.
    let problem = if message.contains("invalid type") {
        "has the wrong type: every value is a quoted string".to_owned()
    } else {
        message
            .lines()
            .next()
            .unwrap_or("is not valid TOML")
            .to_owned()
    };
    let at = line_no.map(|l| format!(" (line {l})")).unwrap_or_default();
    ConfigError::new(key, format!("{problem}{at}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = include_str!("../../wxpay-crypto/testdata/merchant_key.pem");

    #[test]
    fn base_urls() {
        assert!(check_base_url("https://api.mch.weixin.qq.com").is_ok());
        assert!(check_base_url("http://127.0.0.1:41233/").is_ok());
        assert!(check_base_url("http://[::1]:1").is_ok());
        for bad in [
            "http://example.com",
            "ftp://x",
            "https://u:secretpw@h",
            "https://h/v3",
            "nope",
        ] {
            let e = check_base_url(bad).unwrap_err();
            assert!(!e.contains("secretpw"), "{e}");
        }
    }

    #[test]
    fn debug_never_shows_secrets() {
        let c = Config::new()
            .private_key_pem(KEY)
            .api_v3_key("0123456789abcdefghijklmnopqrstuv")
            .api_v2_key("v2v2v2v2v2v2v2v2v2v2v2v2v2v2v2v2");
        let d = format!("{c:?}");
        assert!(
            !d.contains("BEGIN") && !d.contains("0123456789") && !d.contains("v2v2"),
            "{d}"
        );
    }

    #[test]
    fn toml_type_errors_do_not_quote_values() {
        let e = Config::from_toml_str("mchid = \"1900009191\"\napiv3_key = 12345678901234567890\n")
            .unwrap_err();
        assert_eq!(e.key, "apiv3_key");
        assert!(e.problem.contains("line 2"), "{e}");
        assert!(!e.to_string().contains("1234567890"), "{e}");
        let e = Config::from_toml_str("mchid = \"1900009191\nx").unwrap_err();
        assert!(!e.to_string().contains("1900009191"), "{e}");
    }
}
