//! The command tree (clap derive). Every command has `--help`; settings that identify a
//! merchant can also come from `WXPAY_*` environment variables or a config file, and secrets
//! (APIv3/APIv2 keys) are never taken as command-line values.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::failure::EXIT_CODES;

const SETTINGS_HELP: &str = "\
Settings: a flag wins over its environment variable, which wins over the config file
(--config FILE or WXPAY_CONFIG; TOML with the busifavor client's keys: mchid, merchant_serial,
private_key_path or private_key, public_key_id, public_key_path, apiv3_key, apiv2_key, base_url).
Variables: WXPAY_MCHID, WXPAY_MERCHANT_SERIAL, WXPAY_PRIVATE_KEY_PATH (or the PEM itself in
WXPAY_PRIVATE_KEY), WXPAY_PUBLIC_KEY_ID, WXPAY_PUBLIC_KEY_PATH, WXPAY_PLATFORM_CERT_PATH,
WXPAY_APIV3_KEY, WXPAY_APIV2_KEY, WXPAY_BASE_URL. Secrets are never printed.";

/// `wxpay`: WeChat Pay merchant coupons (商家券) from the command line.
#[derive(Debug, Parser)]
#[command(
    name = "wxpay",
    version,
    about = "WeChat Pay merchant coupons (商家券) from the command line: a demo of the whole loop, API calls, and \"why does my signature fail?\" answered from captured traffic",
    after_help = EXIT_CODES,
    propagate_version = true
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole merchant-coupon loop on a local simulator: no credentials, loopback only.
    Demo(DemoArgs),
    /// Read or set the URL that COUPON.SEND callbacks are sent to.
    #[command(subcommand)]
    Callbacks(CallbacksCommand),
    /// Call any WeChat Pay APIv3 endpoint: signed, sent, answer verified, printed.
    #[command(after_help = SETTINGS_HELP)]
    Api(ApiArgs),
    /// Work with captured callbacks (notifications).
    #[command(subcommand)]
    Notify(NotifyCommand),
    /// Print the signing string and the Authorization header of a request.
    #[command(after_help = SETTINGS_HELP)]
    Sign(SignArgs),
    /// Check the signature of a WeChat Pay answer (or of any signed message).
    #[command(after_help = SETTINGS_HELP)]
    Verify(VerifyArgs),
    /// Run the local WeChat Pay simulator.
    #[command(subcommand)]
    Mock(MockCommand),
}

/// `wxpay demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Idempotency store shared by two receivers: `memory` (one receiver), `redis://…` or
    /// `postgres://…` (two receivers sharing it).
    #[arg(long, value_name = "URL", default_value = "memory")]
    pub store: String,
    /// Print the timeline as JSON lines on stdout instead of text.
    #[arg(long)]
    pub json: bool,
    /// With --json: no readable progress on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// For tests: make the named step fail, to prove the demo notices.
    #[arg(long, value_name = "STEP", hide = true)]
    pub fail_step: Option<String>,
}

/// `wxpay callbacks …`.
#[derive(Debug, Subcommand)]
pub enum CallbacksCommand {
    /// Read the callback URL (GET /v3/marketing/busifavor/callbacks).
    #[command(after_help = SETTINGS_HELP)]
    Get(CallbacksGetArgs),
    /// Set the callback URL (POST /v3/marketing/busifavor/callbacks).
    #[command(after_help = SETTINGS_HELP)]
    Set(CallbacksSetArgs),
}

/// `wxpay callbacks get`.
#[derive(Debug, Args)]
pub struct CallbacksGetArgs {
    /// The merchant whose URL to read (default: the calling merchant).
    #[arg(long = "for-mchid", value_name = "MCHID")]
    pub for_mchid: Option<String>,
    /// Print the answer as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub client: ClientArgs,
}

/// `wxpay callbacks set`.
#[derive(Debug, Args)]
pub struct CallbacksSetArgs {
    /// The new URL: https, 10–256 characters, no query (http on loopback only against a simulator).
    pub url: String,
    /// The merchant to set it for (default: the calling merchant).
    #[arg(long = "for-mchid", value_name = "MCHID")]
    pub for_mchid: Option<String>,
    /// Print the answer as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub client: ClientArgs,
}

/// `wxpay api`.
#[derive(Debug, Args)]
pub struct ApiArgs {
    /// HTTP method: GET, POST, PUT, PATCH or DELETE.
    pub method: String,
    /// Path and query exactly as sent and signed, e.g. /v3/marketing/busifavor/callbacks?mchid=1900009191.
    pub path: String,
    /// Request body: JSON text, @FILE, or @- for stdin. Sent byte for byte as given.
    #[arg(long, short = 'd', value_name = "JSON|@FILE")]
    pub data: Option<String>,
    /// Print the answer body exactly as received instead of pretty-printed JSON.
    #[arg(long)]
    pub raw: bool,
    #[command(flatten)]
    pub client: ClientArgs,
}

/// Everything needed to call WeChat Pay.
#[derive(Debug, Args, Clone, Default)]
pub struct ClientArgs {
    #[command(flatten)]
    pub signer: SignerArgs,
    #[command(flatten)]
    pub keys: KeyArgs,
    #[command(flatten)]
    pub secrets: SecretArgs,
    /// Where to send requests (default: WeChat Pay, api.mch.weixin.qq.com); http only on loopback,
    /// e.g. a simulator. Giving it turns the backup host off unless --backup-url is given.
    #[arg(long, value_name = "URL", help_heading = "Connection")]
    pub base_url: Option<String>,
    /// Backup host for failover (default: api2.mch.weixin.qq.com with the default
    /// base URL, none with --base-url).
    #[arg(long, value_name = "URL", help_heading = "Connection")]
    pub backup_url: Option<String>,
    /// Give up after this many seconds in all (retries included).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 30,
        help_heading = "Connection"
    )]
    pub timeout: u64,
    /// Send once: no retry on 429/5xx or connection failures.
    #[arg(long, help_heading = "Connection")]
    pub no_retry: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// The config file.
#[derive(Debug, Args, Clone, Default)]
pub struct ConfigArgs {
    /// Config file (TOML) [env: WXPAY_CONFIG].
    #[arg(long, value_name = "FILE", help_heading = "Settings")]
    pub config: Option<PathBuf>,
}

/// The merchant identity that signs requests.
#[derive(Debug, Args, Clone, Default)]
pub struct SignerArgs {
    /// Merchant id, 商户号 [env: WXPAY_MCHID].
    #[arg(long, value_name = "MCHID", help_heading = "Merchant")]
    pub mchid: Option<String>,
    /// Serial of the merchant API certificate [env: WXPAY_MERCHANT_SERIAL].
    #[arg(long, value_name = "SERIAL", help_heading = "Merchant")]
    pub merchant_serial: Option<String>,
    /// Merchant API private key file, apiclient_key.pem [env: WXPAY_PRIVATE_KEY_PATH, or the
    /// PEM text in WXPAY_PRIVATE_KEY].
    #[arg(long, value_name = "FILE", help_heading = "Merchant")]
    pub private_key: Option<PathBuf>,
}

/// WeChat Pay's keys, for checking signatures.
#[derive(Debug, Args, Clone, Default)]
pub struct KeyArgs {
    /// WeChat Pay public-key id, PUB_KEY_ID_… [env: WXPAY_PUBLIC_KEY_ID].
    #[arg(long, value_name = "ID", help_heading = "WeChat Pay keys")]
    pub public_key_id: Option<String>,
    /// WeChat Pay public key file, pub_key.pem [env: WXPAY_PUBLIC_KEY_PATH].
    #[arg(long, value_name = "FILE", help_heading = "WeChat Pay keys")]
    pub public_key: Option<PathBuf>,
    /// A WeChat Pay platform certificate file; repeat for several [env:
    /// WXPAY_PLATFORM_CERT_PATH, paths separated by ':'].
    #[arg(long, value_name = "FILE", help_heading = "WeChat Pay keys")]
    pub platform_cert: Vec<PathBuf>,
}

/// Secret keys: read from files or the environment, never from the command line.
#[derive(Debug, Args, Clone, Default)]
pub struct SecretArgs {
    /// File holding the APIv3 key, 32 characters [env: WXPAY_APIV3_KEY].
    #[arg(long, value_name = "FILE", help_heading = "Secrets")]
    pub apiv3_key_file: Option<PathBuf>,
    /// File holding the APIv2 key, 32 characters [env: WXPAY_APIV2_KEY]; only used to explain
    /// a decryption failure caused by mixing up the two keys.
    #[arg(long, value_name = "FILE", help_heading = "Secrets")]
    pub apiv2_key_file: Option<PathBuf>,
}

/// `wxpay notify …`.
#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Verify and decrypt a captured callback and print its event; on failure, name the stage
    /// and the likely cause. Reads a raw HTTP request on stdin unless --headers/--body are given.
    #[command(after_help = SETTINGS_HELP)]
    Open(NotifyOpenArgs),
}

/// `wxpay notify open`.
#[derive(Debug, Args)]
pub struct NotifyOpenArgs {
    /// File with the callback's headers, one `Name: value` per line (or a JSON object).
    #[arg(
        long,
        value_name = "FILE",
        requires = "body",
        conflicts_with = "request"
    )]
    pub headers: Option<PathBuf>,
    /// File with the callback's raw body, byte for byte as received.
    #[arg(
        long,
        value_name = "FILE",
        requires = "headers",
        conflicts_with = "request"
    )]
    pub body: Option<PathBuf>,
    /// File with the whole raw HTTP request (request line, headers, blank line, body); `-`
    /// for stdin, the default when neither --headers nor --body is given.
    #[arg(long, value_name = "FILE")]
    pub request: Option<PathBuf>,
    /// Print the result as one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub time: TimeArgs,
    #[command(flatten)]
    pub keys: KeyArgs,
    #[command(flatten)]
    pub secrets: SecretArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// How to treat the timestamp window of a captured message.
#[derive(Debug, Args, Clone)]
pub struct TimeArgs {
    /// Check the timestamp window as if the current time were UNIX (seconds): for a captured
    /// message, use a time close to its capture.
    #[arg(long, value_name = "UNIX", help_heading = "Time check")]
    pub at: Option<i64>,
    /// Skip the timestamp window check (the output says so); the signature is still checked.
    #[arg(long, conflicts_with = "at", help_heading = "Time check")]
    pub no_time_check: bool,
    /// Width of the window in seconds.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 300,
        help_heading = "Time check"
    )]
    pub tolerance: u64,
}

/// `wxpay sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// HTTP method: GET, POST, PUT, PATCH or DELETE.
    pub method: String,
    /// Path and query exactly as sent, e.g. /v3/marketing/busifavor/callbacks?mchid=1900009191.
    pub path: String,
    /// Request body: JSON text, @FILE, or @- for stdin. Signed byte for byte as given.
    #[arg(long, short = 'd', value_name = "JSON|@FILE")]
    pub data: Option<String>,
    /// Unix time to sign with (default: now) — to reproduce a signature.
    #[arg(long, value_name = "UNIX")]
    pub timestamp: Option<i64>,
    /// Nonce to sign with (default: 32 random characters) — to reproduce a signature.
    #[arg(long, value_name = "NONCE")]
    pub nonce: Option<String>,
    /// Compare with an Authorization header your code produced: its timestamp and nonce are
    /// reused, and every differing field is named (exit 1 on a difference).
    #[arg(long, value_name = "AUTHORIZATION")]
    pub expect: Option<String>,
    /// What to print.
    #[arg(long, value_enum, default_value_t = SignFormat::Text)]
    pub format: SignFormat,
    #[command(flatten)]
    pub signer: SignerArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Output of `wxpay sign`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SignFormat {
    /// The signing string shown line by line, the signature and the header.
    Text,
    /// One JSON object.
    Json,
    /// Only the Authorization header value.
    Header,
    /// Only the exact signing string bytes (to pipe into openssl).
    SigningString,
}

/// `wxpay verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// File with the answer's headers, one `Name: value` per line (or a JSON object).
    #[arg(
        long,
        value_name = "FILE",
        requires = "body",
        conflicts_with = "response"
    )]
    pub headers: Option<PathBuf>,
    /// File with the answer's raw body, byte for byte as received (omit for an empty 204 body
    /// only together with --empty-body).
    #[arg(long, value_name = "FILE", conflicts_with = "response")]
    pub body: Option<PathBuf>,
    /// The body is empty (an HTTP 204 answer).
    #[arg(long, conflicts_with_all = ["body", "response"])]
    pub empty_body: bool,
    /// File with the whole raw HTTP answer (status line, headers, blank line, body); `-` for
    /// stdin, the default when --headers is not given.
    #[arg(long, value_name = "FILE")]
    pub response: Option<PathBuf>,
    #[command(flatten)]
    pub time: TimeArgs,
    #[command(flatten)]
    pub keys: KeyArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// `wxpay mock …`.
#[derive(Debug, Subcommand)]
pub enum MockCommand {
    /// Run the simulator until Ctrl-C: writes its key files and prints the WXPAY_* environment
    /// a client needs (in any language).
    Serve(MockServeArgs),
}

/// `wxpay mock serve`.
#[derive(Debug, Args)]
pub struct MockServeArgs {
    /// Address to listen on; loopback only (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,
    /// Directory for the key files and the `wxpay-mock.env` file (default: a new directory
    /// under the system temp directory).
    #[arg(long, value_name = "DIR")]
    pub keys_dir: Option<PathBuf>,
    /// Pause between callback retries, e.g. 60s (WeChat Pay's) or 200ms.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = crate::duration::parse)]
    pub callback_interval: std::time::Duration,
    /// Callback attempts in total (WeChat Pay: 11).
    #[arg(long, value_name = "N", default_value_t = 11)]
    pub callback_attempts: u32,
    /// Send a WECHATPAY/SIGNTEST/ probe before each genuine callback.
    #[arg(long)]
    pub probe_first: bool,
    /// After a successful callback, deliver the same notification N more times.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub duplicates: u32,
    /// Register this callback URL for the demo merchant at start (http allowed on loopback).
    #[arg(long, value_name = "URL")]
    pub notify_url: Option<String>,
}
