//! Settings: a flag wins over its `WXPAY_*` environment variable, which wins over the config
//! file (`--config` or `WXPAY_CONFIG`, TOML). Every error names where a value came from and
//! what is wrong with it — never the value of a secret.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use zeroize::Zeroizing;

use crate::cli::{ConfigArgs, KeyArgs, SecretArgs, SignerArgs};
use crate::failure::{Failure, Result};
use crate::keyring::KeyRing;

/// The environment variables read (the `busifavor` facade's names).
pub mod var {
    /// Path of the config file.
    pub const CONFIG: &str = "WXPAY_CONFIG";
    /// Merchant id.
    pub const MCHID: &str = "WXPAY_MCHID";
    /// Merchant API certificate serial.
    pub const MERCHANT_SERIAL: &str = "WXPAY_MERCHANT_SERIAL";
    /// Merchant private key, PEM text.
    pub const PRIVATE_KEY: &str = "WXPAY_PRIVATE_KEY";
    /// Merchant private key, file path.
    pub const PRIVATE_KEY_PATH: &str = "WXPAY_PRIVATE_KEY_PATH";
    /// WeChat Pay public-key id.
    pub const PUBLIC_KEY_ID: &str = "WXPAY_PUBLIC_KEY_ID";
    /// WeChat Pay public key, file path.
    pub const PUBLIC_KEY_PATH: &str = "WXPAY_PUBLIC_KEY_PATH";
    /// Platform certificate file paths, `:`-separated.
    pub const PLATFORM_CERT_PATH: &str = "WXPAY_PLATFORM_CERT_PATH";
    /// APIv3 key.
    pub const APIV3_KEY: &str = "WXPAY_APIV3_KEY";
    /// APIv2 key.
    pub const APIV2_KEY: &str = "WXPAY_APIV2_KEY";
    /// Base URL.
    pub const BASE_URL: &str = "WXPAY_BASE_URL";

    /// Every variable read.
    pub const ALL: &[&str] = &[
        CONFIG,
        MCHID,
        MERCHANT_SERIAL,
        PRIVATE_KEY,
        PRIVATE_KEY_PATH,
        PUBLIC_KEY_ID,
        PUBLIC_KEY_PATH,
        PLATFORM_CERT_PATH,
        APIV3_KEY,
        APIV2_KEY,
        BASE_URL,
    ];
}

/// Where a value came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// A key of the config file.
    File {
        /// The config file.
        path: PathBuf,
        /// The key.
        key: &'static str,
    },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "{flag}"),
            Source::Env(var) => write!(f, "{var}"),
            Source::File { path, key } => write!(f, "`{key}` in {}", path.display()),
        }
    }
}

/// A value with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub source: Source,
}

/// The config file's keys. No `Debug`: it holds secrets.
#[derive(Default, Deserialize)]
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

struct LoadedFile {
    path: PathBuf,
    config: FileConfig,
}

/// The settings of one run: the `WXPAY_*` environment and the config file.
pub struct Settings {
    env: BTreeMap<String, String>,
    file: Option<LoadedFile>,
}

/// The merchant identity that signs.
pub struct SignerSettings {
    /// Merchant id.
    pub mchid: Sourced<String>,
    /// Certificate serial.
    pub serial: Sourced<String>,
    /// The private key PEM (secret).
    pub key_pem: Zeroizing<String>,
    /// Where the key came from.
    pub key_source: Source,
}

impl SignerSettings {
    /// Parses the key and builds a signer; a bad key is a configuration error naming its source.
    pub fn signer(&self) -> Result<wxpay_crypto::Signer> {
        let key = wxpay_crypto::MerchantPrivateKey::from_pem(&self.key_pem).map_err(|e| {
            Failure::config(format!(
                "the merchant private key from {} is unusable: {e}",
                self.key_source
            ))
            .fix("give apiclient_key.pem as downloaded from the merchant platform (a `BEGIN PRIVATE KEY` RSA-2048 key), not the certificate or WeChat Pay's public key")
        })?;
        wxpay_crypto::Signer::new(&self.mchid.value, &self.serial.value, key).map_err(|e| {
            Failure::config(format!(
                "cannot sign as merchant {} with serial {}: {e}",
                self.mchid.source, self.serial.source
            ))
        })
    }
}

impl Settings {
    /// Reads the `WXPAY_*` environment and the config file named by `--config` or
    /// `WXPAY_CONFIG`.
    pub fn load(args: &ConfigArgs) -> Result<Self> {
        let env = std::env::vars()
            .filter(|(k, _)| k.starts_with("WXPAY_"))
            .collect();
        Self::from_parts(args.config.as_deref(), env)
    }

    /// [`Settings::load`] with the environment given (for tests).
    pub fn from_parts(config_flag: Option<&Path>, env: BTreeMap<String, String>) -> Result<Self> {
        let mut settings = Self { env, file: None };
        let path = match config_flag {
            Some(p) => Some(Sourced {
                value: p.to_path_buf(),
                source: Source::Flag("--config"),
            }),
            None => settings.env_value(var::CONFIG).map(|v| Sourced {
                value: PathBuf::from(v),
                source: Source::Env(var::CONFIG),
            }),
        };
        if let Some(path) = path {
            settings.file = Some(load_file(&path)?);
        }
        Ok(settings)
    }

    fn env_value(&self, name: &str) -> Option<String> {
        self.env.get(name).filter(|v| !v.is_empty()).cloned()
    }

    fn file_value<T>(
        &self,
        key: &'static str,
        get: impl Fn(&FileConfig) -> Option<T>,
    ) -> Option<Sourced<T>> {
        let file = self.file.as_ref()?;
        get(&file.config).map(|value| Sourced {
            value,
            source: Source::File {
                path: file.path.clone(),
                key,
            },
        })
    }

    /// Resolves a plain setting: flag, then variable, then file key.
    fn string(
        &self,
        flag: Option<&String>,
        flag_name: &'static str,
        var: &'static str,
        key: &'static str,
        get: impl Fn(&FileConfig) -> Option<&String>,
    ) -> Option<Sourced<String>> {
        if let Some(v) = flag {
            return Some(Sourced {
                value: v.clone(),
                source: Source::Flag(flag_name),
            });
        }
        if let Some(v) = self.env_value(var) {
            return Some(Sourced {
                value: v,
                source: Source::Env(var),
            });
        }
        self.file_value(key, |c| get(c).filter(|v| !v.is_empty()).cloned())
    }

    /// Resolves a path setting; a relative path in the config file is relative to the file.
    fn path(
        &self,
        flag: Option<&PathBuf>,
        flag_name: &'static str,
        var: &'static str,
        key: &'static str,
        get: impl Fn(&FileConfig) -> Option<&PathBuf>,
    ) -> Option<Sourced<PathBuf>> {
        if let Some(v) = flag {
            return Some(Sourced {
                value: v.clone(),
                source: Source::Flag(flag_name),
            });
        }
        if let Some(v) = self.env_value(var) {
            return Some(Sourced {
                value: PathBuf::from(v),
                source: Source::Env(var),
            });
        }
        let file_dir = self
            .file
            .as_ref()
            .and_then(|f| f.path.parent().map(Path::to_path_buf));
        self.file_value(key, |c| get(c).cloned()).map(|mut s| {
            if let Some(dir) = &file_dir
                && s.value.is_relative()
            {
                s.value = dir.join(&s.value);
            }
            s
        })
    }

    fn missing(&self, what: &str, flag: &str, var: &str, key: &str) -> Failure {
        let unknown: Vec<&str> = self
            .env
            .keys()
            .map(String::as_str)
            .filter(|k| !var::ALL.contains(k))
            .collect();
        let mut fix = format!(
            "pass {flag}, set {var}, or set `{key}` in the config file (--config FILE or {})",
            var::CONFIG
        );
        if !unknown.is_empty() {
            fix.push_str(&format!(
                "; note: set but not recognised: {}",
                unknown.join(", ")
            ));
        }
        Failure::config(format!("no {what} configured")).fix(fix)
    }

    /// The merchant identity and private key.
    pub fn signer(&self, a: &SignerArgs) -> Result<SignerSettings> {
        let mchid = self
            .string(a.mchid.as_ref(), "--mchid", var::MCHID, "mchid", |c| {
                c.mchid.as_ref()
            })
            .ok_or_else(|| self.missing("merchant id (mchid)", "--mchid", var::MCHID, "mchid"))?;
        let serial = self
            .string(
                a.merchant_serial.as_ref(),
                "--merchant-serial",
                var::MERCHANT_SERIAL,
                "merchant_serial",
                |c| c.merchant_serial.as_ref(),
            )
            .ok_or_else(|| {
                self.missing(
                    "merchant certificate serial",
                    "--merchant-serial",
                    var::MERCHANT_SERIAL,
                    "merchant_serial",
                )
            })?;
        let (key_pem, key_source) = self.private_key(a)?;
        Ok(SignerSettings {
            mchid,
            serial,
            key_pem,
            key_source,
        })
    }

    fn private_key(&self, a: &SignerArgs) -> Result<(Zeroizing<String>, Source)> {
        if let Some(path) = &a.private_key {
            return read_key_file(path, &Source::Flag("--private-key"), "merchant private key")
                .map(|pem| (pem, Source::Flag("--private-key")));
        }
        let text = self.env_value(var::PRIVATE_KEY);
        let path = self.env_value(var::PRIVATE_KEY_PATH);
        match (text, path) {
            (Some(_), Some(_)) => {
                return Err(Failure::config(format!(
                    "both {} and {} are set",
                    var::PRIVATE_KEY,
                    var::PRIVATE_KEY_PATH
                ))
                .fix(format!(
                    "keep one: {} holds the PEM text, {} a file path",
                    var::PRIVATE_KEY,
                    var::PRIVATE_KEY_PATH
                )));
            }
            (Some(text), None) => {
                return Ok((Zeroizing::new(text), Source::Env(var::PRIVATE_KEY)));
            }
            (None, Some(path)) => {
                let source = Source::Env(var::PRIVATE_KEY_PATH);
                return read_key_file(Path::new(&path), &source, "merchant private key")
                    .map(|pem| (pem, source));
            }
            (None, None) => {}
        }
        if let Some(s) = self.file_value("private_key", |c| {
            c.private_key.as_ref().filter(|v| !v.is_empty()).cloned()
        }) {
            return Ok((Zeroizing::new(s.value), s.source));
        }
        let path = self
            .path(
                None,
                "--private-key",
                var::PRIVATE_KEY_PATH,
                "private_key_path",
                |c| c.private_key_path.as_ref(),
            )
            .ok_or_else(|| {
                self.missing(
                    "merchant private key",
                    "--private-key FILE",
                    var::PRIVATE_KEY_PATH,
                    "private_key_path",
                )
            })?;
        read_key_file(&path.value, &path.source, "merchant private key")
            .map(|pem| (pem, path.source))
    }

    /// WeChat Pay's keys: the public key (id + file) and platform certificates.
    pub fn key_ring(&self, a: &KeyArgs) -> Result<KeyRing> {
        let mut ring = KeyRing::default();
        let id = self.string(
            a.public_key_id.as_ref(),
            "--public-key-id",
            var::PUBLIC_KEY_ID,
            "public_key_id",
            |c| c.public_key_id.as_ref(),
        );
        let path = self.path(
            a.public_key.as_ref(),
            "--public-key",
            var::PUBLIC_KEY_PATH,
            "public_key_path",
            |c| c.public_key_path.as_ref(),
        );
        match (id, path) {
            (Some(id), Some(path)) => {
                let pem = read_key_file(&path.value, &path.source, "WeChat Pay public key")?;
                ring.add_public_key(&id, &pem, &describe(&path.source, &path.value))?;
            }
            (Some(id), None) => {
                return Err(Failure::config(format!(
                    "the WeChat Pay public-key id is set ({}) but not the key file",
                    id.source
                ))
                .fix(format!(
                    "pass --public-key FILE or set {} (pub_key.pem from the merchant platform)",
                    var::PUBLIC_KEY_PATH
                )));
            }
            (None, Some(path)) => {
                return Err(Failure::config(format!(
                    "the WeChat Pay public key file is set ({}) but not its id",
                    path.source
                ))
                .fix(format!(
                    "pass --public-key-id PUB_KEY_ID_… or set {} (shown beside the key on the merchant platform)",
                    var::PUBLIC_KEY_ID
                )));
            }
            (None, None) => {}
        }
        for (path, source) in self.cert_paths(a) {
            let pem = read_key_file(&path, &source, "platform certificate")?;
            ring.add_certificate(&pem, &describe(&source, &path))?;
        }
        Ok(ring)
    }

    fn cert_paths(&self, a: &KeyArgs) -> Vec<(PathBuf, Source)> {
        if !a.platform_cert.is_empty() {
            return a
                .platform_cert
                .iter()
                .map(|p| (p.clone(), Source::Flag("--platform-cert")))
                .collect();
        }
        if let Some(v) = self.env_value(var::PLATFORM_CERT_PATH) {
            return v
                .split(':')
                .filter(|p| !p.is_empty())
                .map(|p| (PathBuf::from(p), Source::Env(var::PLATFORM_CERT_PATH)))
                .collect();
        }
        // The config file has the busifavor client's keys only (a file works for both), so
        // certificates come from flags or the environment.
        Vec::new()
    }

    fn secret(
        &self,
        file_flag: Option<&PathBuf>,
        flag_name: &'static str,
        var: &'static str,
        key: &'static str,
        get: impl Fn(&FileConfig) -> Option<&String>,
    ) -> Result<Option<Sourced<Zeroizing<String>>>> {
        if let Some(path) = file_flag {
            let source = Source::Flag(flag_name);
            let text = read_secret_file(path, &source)?;
            return Ok(Some(Sourced {
                value: text,
                source,
            }));
        }
        if let Some(v) = self.env_value(var) {
            return Ok(Some(Sourced {
                value: Zeroizing::new(v),
                source: Source::Env(var),
            }));
        }
        Ok(self
            .file_value(key, |c| get(c).filter(|v| !v.is_empty()).cloned())
            .map(|s| Sourced {
                value: Zeroizing::new(s.value),
                source: s.source,
            }))
    }

    /// The APIv3 key, when configured.
    pub fn apiv3_key(&self, a: &SecretArgs) -> Result<Option<Sourced<wxpay_crypto::ApiV3Key>>> {
        let Some(s) = self.secret(
            a.apiv3_key_file.as_ref(),
            "--apiv3-key-file",
            var::APIV3_KEY,
            "apiv3_key",
            |c| c.apiv3_key.as_ref(),
        )?
        else {
            return Ok(None);
        };
        wxpay_crypto::ApiV3Key::new(s.value.as_bytes())
            .map(|value| {
                Some(Sourced {
                    value,
                    source: s.source.clone(),
                })
            })
            .map_err(|e| {
                Failure::config(format!("the APIv3 key from {} is unusable: {e}", s.source))
            })
    }

    /// The APIv3 key, required.
    pub fn require_apiv3_key(&self, a: &SecretArgs) -> Result<Sourced<wxpay_crypto::ApiV3Key>> {
        self.apiv3_key(a)?.ok_or_else(|| {
            self.missing(
                "APIv3 key (needed to decrypt callbacks)",
                "--apiv3-key-file FILE",
                var::APIV3_KEY,
                "apiv3_key",
            )
        })
    }

    /// The APIv2 key text (checked to be a usable key), when configured.
    pub fn apiv2_key_text(&self, a: &SecretArgs) -> Result<Option<Sourced<Zeroizing<String>>>> {
        let Some(s) = self.secret(
            a.apiv2_key_file.as_ref(),
            "--apiv2-key-file",
            var::APIV2_KEY,
            "apiv2_key",
            |c| c.apiv2_key.as_ref(),
        )?
        else {
            return Ok(None);
        };
        wxpay_crypto::ApiV2Key::new(s.value.as_bytes()).map_err(|e| {
            Failure::config(format!("the APIv2 key from {} is unusable: {e}", s.source))
        })?;
        Ok(Some(s))
    }

    /// The APIv3 key text, for handing to a client builder.
    pub fn apiv3_key_text(&self, a: &SecretArgs) -> Result<Option<Zeroizing<String>>> {
        // Validate first, so that a bad key is reported with its source.
        self.apiv3_key(a)?;
        Ok(self
            .secret(
                a.apiv3_key_file.as_ref(),
                "--apiv3-key-file",
                var::APIV3_KEY,
                "apiv3_key",
                |c| c.apiv3_key.as_ref(),
            )?
            .map(|s| s.value))
    }

    /// The base URL, when configured.
    pub fn base_url(&self, flag: Option<&String>) -> Option<Sourced<String>> {
        self.string(flag, "--base-url", var::BASE_URL, "base_url", |c| {
            c.base_url.as_ref()
        })
    }
}

/// `--public-key /x/pub.pem`, `WXPAY_PUBLIC_KEY_PATH=/x/pub.pem`, `` `public_key_path` in c.toml (/x/pub.pem)``.
pub fn describe(source: &Source, path: &Path) -> String {
    match source {
        Source::Flag(flag) => format!("{flag} {}", path.display()),
        Source::Env(var) => format!("{var}={}", path.display()),
        Source::File { .. } => format!("{source} ({})", path.display()),
    }
}

fn load_file(path: &Sourced<PathBuf>) -> Result<LoadedFile> {
    let text = std::fs::read_to_string(&path.value).map_err(|e| {
        Failure::config(format!(
            "cannot read the config file {} (from {}): {e}",
            path.value.display(),
            path.source
        ))
        .fix("check the path, or leave --config / WXPAY_CONFIG unset")
    })?;
    let config: FileConfig = toml::from_str(&text).map_err(|e| {
        // toml's message quotes the offending line; for a secret key that could echo it, so
        // only its position and the problem are kept.
        let what = e.message();
        let at = e
            .span()
            .map(|s| {
                let line = text.get(..s.start).map_or(1, |t| t.matches('\n').count() + 1);
                format!(" at line {line}")
            })
            .unwrap_or_default();
        Failure::config(format!(
            "the config file {} is not valid{at}: {what}",
            path.value.display()
        ))
        .fix("keys (as for the busifavor client): mchid, merchant_serial, private_key_path (or private_key), public_key_id, public_key_path, apiv3_key, apiv2_key, base_url; values are quoted strings")
    })?;
    Ok(LoadedFile {
        path: path.value.clone(),
        config,
    })
}

/// Reads a PEM key or certificate file named by `source`.
pub fn read_key_file(path: &Path, source: &Source, what: &str) -> Result<Zeroizing<String>> {
    let bytes = std::fs::read(path).map_err(|e| {
        Failure::config(format!(
            "cannot read the {what} file {} (from {source}): {e}",
            path.display()
        ))
        .fix("check the path and the file's permissions")
    })?;
    String::from_utf8(bytes).map(Zeroizing::new).map_err(|_| {
        Failure::config(format!(
            "the {what} file {} (from {source}) is not PEM text",
            path.display()
        ))
        .fix("give the PEM file (-----BEGIN …); convert DER with `openssl pkey -inform DER` / `openssl x509 -inform DER`")
    })
}

fn read_secret_file(path: &Path, source: &Source) -> Result<Zeroizing<String>> {
    let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| {
        Failure::config(format!(
            "cannot read the key file {} (from {source}): {e}",
            path.display()
        ))
        .fix("check the path and the file's permissions")
    })?);
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        Failure::config(format!(
            "the key file {} (from {source}) is not text",
            path.display()
        ))
    })?;
    // One final line break is what `echo key > file` leaves; anything else is kept and
    // reported by the key's own length check.
    let text = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text);
    Ok(Zeroizing::new(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn flag_beats_env_beats_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("wxpay.toml");
        std::fs::write(
            &file,
            "mchid = \"111111111\"\nbase_url = \"http://127.0.0.1:1\"\n",
        )
        .unwrap();
        let s = Settings::from_parts(Some(&file), env(&[(var::MCHID, "222222222")])).unwrap();
        let flag = "333333333".to_owned();
        let pick = |f: Option<&String>| {
            s.string(f, "--mchid", var::MCHID, "mchid", |c| c.mchid.as_ref())
                .unwrap()
        };
        assert_eq!(pick(Some(&flag)).source, Source::Flag("--mchid"));
        assert_eq!(pick(None).value, "222222222");
        let s = Settings::from_parts(Some(&file), env(&[])).unwrap();
        let got = s
            .string(None, "--mchid", var::MCHID, "mchid", |c| c.mchid.as_ref())
            .unwrap();
        assert_eq!(got.value, "111111111");
        assert!(got.source.to_string().starts_with("`mchid` in "));
        assert_eq!(s.base_url(None).unwrap().value, "http://127.0.0.1:1");
    }

    #[test]
    fn unknown_config_keys_are_named_without_echoing_values() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("wxpay.toml");
        std::fs::write(
            &file,
            "apiv3_key = \"s3cr3t-s3cr3t-s3cr3t-s3cr3t-abcd\"\napi_v3_key = \"s3cr3t\"\n",
        )
        .unwrap();
        let Err(err) = Settings::from_parts(Some(&file), env(&[])) else {
            panic!("an unknown key was accepted")
        };
        assert_eq!(err.exit_code(), 3);
        assert!(err.message.contains("api_v3_key"), "{}", err.message);
        assert!(err.message.contains("line 2"), "{}", err.message);
        assert!(!err.report().to_string().contains("s3cr3t"));
    }

    #[test]
    fn missing_settings_say_where_to_put_them_and_spot_typos() {
        let s = Settings::from_parts(None, env(&[("WXPAY_PRIVATE_KEY_FILE", "/x")])).unwrap();
        let Err(err) = s.signer(&SignerArgs {
            mchid: Some("1900009191".into()),
            merchant_serial: Some("AB".into()),
            private_key: None,
        }) else {
            panic!("no key configured, yet a signer was built")
        };
        let fix = err.fix.unwrap();
        assert!(fix.contains("--private-key FILE") && fix.contains(var::PRIVATE_KEY_PATH));
        assert!(fix.contains("set but not recognised: WXPAY_PRIVATE_KEY_FILE"));
    }

    #[test]
    fn a_bad_apiv3_key_names_its_source_not_its_value() {
        let s = Settings::from_parts(None, env(&[(var::APIV3_KEY, "tooshort-secret")])).unwrap();
        let Err(err) = s.apiv3_key(&SecretArgs::default()) else {
            panic!("a 15-byte key was accepted")
        };
        assert!(err.message.contains(var::APIV3_KEY));
        assert!(!err.report().to_string().contains("tooshort-secret"));
    }

    #[test]
    fn secret_files_lose_one_final_line_break_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("k");
        std::fs::write(&file, "0123456789abcdefghijklmnopqrstuv\n").unwrap();
        let s = Settings::from_parts(None, env(&[])).unwrap();
        let args = SecretArgs {
            apiv3_key_file: Some(file.clone()),
            apiv2_key_file: None,
        };
        assert!(s.apiv3_key(&args).unwrap().is_some());
        std::fs::write(&file, "0123456789abcdefghijklmnopqrstuv \n").unwrap();
        assert!(s.apiv3_key(&args).is_err());
    }
}
