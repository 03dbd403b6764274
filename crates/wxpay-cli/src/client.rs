//! Building the `busifavor` client from the settings, and turning its errors into reports.

use std::time::Duration;

use busifavor::{Client, Error as BfError, RetryPolicy, Timeouts};
use wxpay_http::Error as HttpError;

use crate::cli::ClientArgs;
use crate::config::Settings;
use crate::failure::{Failure, Kind, Result};

/// A configured client, with where it sends requests (for messages).
pub struct Configured {
    /// The client.
    pub client: Client,
    /// The base URL, as configured (`None`: WeChat Pay's default host).
    pub base_url: Option<String>,
    /// The backup host, when one is used.
    pub backup_url: Option<String>,
}

/// Builds the `busifavor` client described by the flags, the environment and the config
/// file (a flag wins over its variable, which wins over the file).
///
/// A base URL other than the default turns the default backup host off unless `--backup-url`
/// is given, so a client aimed at a simulator never contacts WeChat Pay.
pub fn build(args: &ClientArgs) -> Result<Configured> {
    let settings = Settings::load(&args.config)?;
    let who = settings.signer(&args.signer)?;
    who.signer()?; // a bad key is reported with its source before the builder sees it
    let ring = settings.key_ring(&args.keys)?;
    let apiv3 = settings.apiv3_key_text(&args.secrets)?;
    let apiv2 = settings.apiv2_key_text(&args.secrets)?;
    if ring.is_empty() && apiv3.is_none() {
        return Err(Failure::config("nothing configured to verify WeChat Pay's answers with").fix(format!(
            "configure the WeChat Pay public key (--public-key-id and --public-key, or {} and {}), a platform certificate (--platform-cert), or the APIv3 key ({}) to download certificates",
            crate::config::var::PUBLIC_KEY_ID,
            crate::config::var::PUBLIC_KEY_PATH,
            crate::config::var::APIV3_KEY
        )));
    }
    let mut b = Client::builder()
        .mchid(who.mchid.value.clone())
        .merchant_serial(who.serial.value.clone())
        .merchant_private_key_pem(who.key_pem.as_str())
        .user_agent_suffix(format!("wxpay-cli/{}", env!("CARGO_PKG_VERSION")))
        .timeouts(Timeouts::default().with_deadline(Duration::from_secs(args.timeout.max(1))));
    for e in ring.entries() {
        b = match e.certificate {
            Some(_) => {
                let pem = e.pem.to_string();
                b.http(|h| h.platform_certificate_pem(pem))
            }
            None => b.wechatpay_public_key(e.id.clone(), e.pem.as_str()),
        };
    }
    if let Some(k) = &apiv3 {
        b = b.api_v3_key(k.as_bytes());
    }
    if let Some(k) = &apiv2 {
        b = b.api_v2_key(k.value.as_bytes());
    }
    if args.no_retry {
        b = b.retry_policy(RetryPolicy::none());
    }
    let base = settings.base_url(args.base_url.as_ref());
    if let Some(url) = &base {
        b = b.base_url(url.value.clone());
    }
    if base.is_some() || args.backup_url.is_some() {
        let backup = args.backup_url.clone();
        b = b.http(|h| h.backup_url(backup));
    }
    let client = b.build().map_err(|e| {
        let from = base
            .as_ref()
            .map(|u| format!(" (base URL from {})", u.source))
            .unwrap_or_default();
        Failure::config(format!("cannot build the WeChat Pay client{from}: {e}"))
    })?;
    let backup_url = match (&base, &args.backup_url) {
        (_, Some(b)) => Some(b.clone()),
        (Some(_), None) => None,
        (None, None) => Some(wxpay_http::DEFAULT_BACKUP_URL.to_owned()),
    };
    Ok(Configured {
        client,
        base_url: base.map(|u| u.value),
        backup_url,
    })
}

/// The report for a failed `busifavor` call.
pub fn failure(err: BfError, configured: &Configured) -> Failure {
    match err {
        BfError::Validation(v) => Failure::usage(format!("{v}; nothing was sent")),
        BfError::Api(api) => http_failure(HttpError::Api(api), configured.into()),
        BfError::Transport(e) | BfError::Verification(e) | BfError::Decode(e) => {
            http_failure(e, configured.into())
        }
        BfError::Config(c) => Failure::config(c.to_string()),
        other => Failure::internal(other.to_string()),
    }
}

/// Where a client sends requests, for messages.
#[derive(Clone, Copy)]
struct Hosts<'a> {
    base_url: Option<&'a str>,
    backup_url: Option<&'a str>,
}

impl<'a> From<&'a Configured> for Hosts<'a> {
    fn from(c: &'a Configured) -> Self {
        Self {
            base_url: c.base_url.as_deref(),
            backup_url: c.backup_url.as_deref(),
        }
    }
}

/// The report for a failed transport call.
fn http_failure(err: HttpError, hosts: Hosts<'_>) -> Failure {
    let base_url = hosts.base_url;
    let target = base_url.unwrap_or(wxpay_http::DEFAULT_BASE_URL);
    let backup = hosts
        .backup_url
        .map_or_else(|| "no backup host".to_owned(), |b| format!("backup {b}"));
    match &err {
        HttpError::Api(api) => {
            let code = api.code.as_ref().map(|c| c.as_str().to_owned());
            let mut f = Failure::new(
                Kind::Api,
                format!(
                    "WeChat Pay answered HTTP {}{} [Request-ID {}]",
                    api.status,
                    code.as_deref().map(|c| format!(" {c}")).unwrap_or_default(),
                    api.request_id.as_deref().unwrap_or("none")
                ),
            );
            let mut cause = api.message.clone().unwrap_or_else(|| {
                let shown: String = api.raw_body.chars().take(200).collect();
                format!("non-JSON body {shown:?}")
            });
            if let Some(d) = &api.detail
                && let Some(field) = &d.field
            {
                cause.push_str(&format!(" (field {field}"));
                if let Some(issue) = d
                    .issue
                    .as_ref()
                    .filter(|i| Some(*i) != api.message.as_ref())
                {
                    cause.push_str(&format!(": {issue}"));
                }
                cause.push(')');
            }
            f = f.cause(cause);
            if let Some(hint) = api.hint {
                f = f.fix(hint);
            }
            f
        }
        HttpError::Verification { .. } => {
            Failure::check(err.to_string())
                .stage("answer signature")
                .cause("the answer is not signed by a key configured for WeChat Pay: a wrong key, a proxy that altered the answer, or a probe")
                .fix("save the answer (headers and body) and run `wxpay verify` on it to see why")
        }
        HttpError::Timeout { .. } | HttpError::Connect { .. } | HttpError::Body { .. } => {
            Failure::new(Kind::Network, err.to_string())
                .cause(format!("nothing answered in time at {target} ({backup})"))
                .fix(if base_url.is_some() {
                    "check the base URL and that the server runs there (a simulator: `wxpay mock serve`); raise --timeout if it is slow"
                } else {
                    "check DNS, firewall and proxy settings for api.mch.weixin.qq.com; raise --timeout if the network is slow"
                })
        }
        HttpError::Validation(_) | HttpError::Encode(_) | HttpError::Signing(_) => {
            Failure::usage(err.to_string())
        }
        HttpError::Config { .. } => Failure::config(err.to_string()),
        HttpError::Certificates { .. } => Failure::check(err.to_string())
            .stage("platform certificates")
            .fix("check the APIv3 key (it decrypts the certificates), or configure the WeChat Pay public key instead"),
        HttpError::MalformedAnswer { host, .. } => Failure::check(err.to_string())
            .stage("answer")
            .cause(format!(
                "{host} was reached but its answer is not valid HTTP: a proxy or middlebox in between, or not a WeChat Pay server"
            ))
            .fix("query the outcome (same business request number) before sending the request again; check proxy settings and the base URL"),
        HttpError::Decode { .. } | HttpError::BodyTooLarge { .. } => Failure::check(err.to_string()),
        _ => Failure::internal(err.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const HOSTS: Hosts<'static> = Hosts {
        base_url: Some("http://127.0.0.1:9"),
        backup_url: None,
    };

    /// Each transport error, its exit code and stage.
    #[test]
    fn transport_errors_map_to_their_exit_code_and_stage() {
        let table: Vec<(HttpError, Kind, Option<&str>)> = vec![
            (
                HttpError::MalformedAnswer {
                    host: "127.0.0.1:9".into(),
                    attempts: 1,
                    reason: "invalid header section".into(),
                    source: "parse".into(),
                },
                Kind::Check,
                Some("answer"),
            ),
            (
                HttpError::Connect {
                    host: "127.0.0.1:9".into(),
                    tried: vec!["127.0.0.1:9".into()],
                    attempts: 3,
                    source: "refused".into(),
                },
                Kind::Network,
                None,
            ),
            (
                HttpError::Timeout {
                    kind: wxpay_http::TimeoutKind::Attempt,
                    limit: Duration::from_secs(1),
                    attempts: 1,
                },
                Kind::Network,
                None,
            ),
            (
                HttpError::BodyTooLarge {
                    limit: 1,
                    request_id: None,
                },
                Kind::Check,
                None,
            ),
        ];
        for (err, kind, stage) in table {
            let shown = format!("{err:?}");
            let f = http_failure(err, HOSTS);
            assert_eq!(f.kind, kind, "{shown}");
            assert_eq!(f.stage.as_deref(), stage, "{shown}");
            assert!(f.cause.is_some() || stage.is_none(), "{shown}");
        }
    }

    #[test]
    fn a_malformed_answer_is_not_reported_as_unreachable() {
        let f = http_failure(
            HttpError::MalformedAnswer {
                host: "127.0.0.1:9".into(),
                attempts: 1,
                reason: "header section too large or too many headers".into(),
                source: "parse".into(),
            },
            HOSTS,
        );
        assert_eq!(f.exit_code(), 1);
        let cause = f.cause.unwrap_or_default();
        assert!(cause.contains("127.0.0.1:9 was reached"), "{cause}");
        assert!(!f.message.contains("could not reach"), "{}", f.message);
    }
}
